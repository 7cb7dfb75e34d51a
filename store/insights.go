package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// InsightEvent is a transcript or AI insight of one call, as received by
// webhook. Kind names the insight (transcription, summary, topics,
// sentiments, action_items); Payload is the insight as Aircall's REST
// endpoint serves it (its inner object), so it decodes like a fetched one.
type InsightEvent struct {
	CallID         int64
	Kind           string
	Event          string // the webhook event that last changed it
	Payload        []byte
	ReceivedAt     time.Time // first delivery
	UpdatedAt      time.Time // last change of Payload
	LastDeliveryAt time.Time // last delivery, duplicates included
}

// InsightSaved says what SaveInsight did.
type InsightSaved string

// What SaveInsight did with a delivery.
const (
	InsightStored    InsightSaved = "stored"    // first insight of this kind for the call
	InsightUpdated   InsightSaved = "updated"   // the payload changed (replaced or merged)
	InsightDuplicate InsightSaved = "duplicate" // the same payload again: only the delivery time moved
)

// MergeFunc combines the stored payload of a call's insight with a newer
// delivery of it and returns what to keep.
type MergeFunc func(stored, delivered []byte) ([]byte, error)

// SaveInsight stores a delivered insight under (CallID, Kind). When the call
// already has that kind, merge (nil = the delivery replaces it) decides the
// payload kept, in the same write transaction, so two deliveries at once
// cannot lose one another. Duplicate deliveries are normal and change
// nothing but LastDeliveryAt. Times default to the store's clock.
func (s *Store) SaveInsight(ctx context.Context, ev InsightEvent, merge MergeFunc) (InsightSaved, error) {
	if ev.CallID <= 0 || ev.Kind == "" {
		return "", fmt.Errorf("store: save insight: call %d kind %q: need a call id and a kind", ev.CallID, ev.Kind)
	}
	if len(ev.Payload) == 0 {
		return "", fmt.Errorf("store: save insight %s of call %d: empty payload", ev.Kind, ev.CallID)
	}
	now := s.now()
	at := ev.LastDeliveryAt
	if at.IsZero() {
		at = now
	}
	var saved InsightSaved
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var old []byte
		err := tx.QueryRowContext(ctx, `SELECT payload FROM insight_events WHERE call_id = ? AND kind = ?`,
			ev.CallID, ev.Kind).Scan(&old)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			saved = InsightStored
			_, err = tx.ExecContext(ctx, `INSERT INTO insight_events
				(call_id, kind, event, payload, received_at, updated_at, last_delivery_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
				ev.CallID, ev.Kind, ev.Event, ev.Payload, unix(at), unix(at), unix(at))
			return err
		case err != nil:
			return err
		}
		keep := ev.Payload
		if merge != nil {
			if keep, err = merge(old, ev.Payload); err != nil {
				return err
			}
		}
		if bytes.Equal(keep, old) {
			saved = InsightDuplicate
			_, err = tx.ExecContext(ctx, `UPDATE insight_events SET last_delivery_at = max(last_delivery_at, ?)
				WHERE call_id = ? AND kind = ?`, unix(at), ev.CallID, ev.Kind)
			return err
		}
		saved = InsightUpdated
		_, err = tx.ExecContext(ctx, `UPDATE insight_events SET event = ?, payload = ?, updated_at = ?,
			last_delivery_at = max(last_delivery_at, ?) WHERE call_id = ? AND kind = ?`,
			ev.Event, keep, unix(at), unix(at), ev.CallID, ev.Kind)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("store: save insight %s of call %d: %w", ev.Kind, ev.CallID, err)
	}
	return saved, nil
}

// CallInsights returns the insights stored for a call, by kind.
func (s *Store) CallInsights(ctx context.Context, callID int64) ([]InsightEvent, error) {
	rows, err := s.query(ctx, `SELECT call_id, kind, event, payload, received_at, updated_at, last_delivery_at
		FROM insight_events WHERE call_id = ? ORDER BY kind`, callID)
	if err != nil {
		return nil, fmt.Errorf("store: insights of call %d: %w", callID, err)
	}
	defer rows.Close()
	var out []InsightEvent
	for rows.Next() {
		var ev InsightEvent
		var rec, upd, last int64
		if err := rows.Scan(&ev.CallID, &ev.Kind, &ev.Event, &ev.Payload, &rec, &upd, &last); err != nil {
			return nil, fmt.Errorf("store: insights of call %d: %w", callID, err)
		}
		ev.ReceivedAt, ev.UpdatedAt, ev.LastDeliveryAt = fromUnix(rec), fromUnix(upd), fromUnix(last)
		out = append(out, ev)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: insights of call %d: %w", callID, err)
	}
	return out, nil
}

// LastInsightDelivery tells when an insight webhook was last received
// (found=false: never). A company whose Aircall webhook does not send these
// events never moves it, which is how a pass knows to read the AI REST
// endpoints instead of waiting for deliveries that will not come.
func (s *Store) LastInsightDelivery(ctx context.Context) (at time.Time, found bool, err error) {
	var v sql.NullInt64
	if err := s.queryRow(ctx, `SELECT max(last_delivery_at) FROM insight_events`).Scan(&v); err != nil {
		return time.Time{}, false, fmt.Errorf("store: last insight delivery: %w", err)
	}
	if !v.Valid || v.Int64 == 0 {
		return time.Time{}, false, nil
	}
	return fromUnix(v.Int64), true, nil
}
