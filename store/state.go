package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// LateInsight is what a pass remembers of a call logged before its
// transcript/AI insights were ready, so that the late note needs no second
// Aircall request for the call: when it ended and who took it, and when the
// late path last asked Aircall about it (its back-off runs from there).
type LateInsight struct {
	Instance string
	CallID   int64
	EndedAt  time.Time
	Agent    string
	LookedAt time.Time // zero: never looked
	// ExpiresAt is when the record stops mattering (a while past the
	// enrichment give-up age); after it the row is invisible and swept.
	ExpiresAt time.Time
}

// LateInsight returns the record of a call; an expired one is not found.
func (s *Store) LateInsight(ctx context.Context, instance string, callID int64) (LateInsight, bool, error) {
	li := LateInsight{Instance: instance, CallID: callID}
	var ended, looked, expires int64
	err := s.queryRow(ctx, `SELECT ended_at, agent, looked_at, expires_at FROM late_insights
		WHERE instance = ? AND call_id = ? AND expires_at > ?`, instance, callID, s.now().Unix()).
		Scan(&ended, &li.Agent, &looked, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return LateInsight{}, false, nil
	}
	if err != nil {
		return LateInsight{}, false, fmt.Errorf("store: get late insight %s/%d: %w", instance, callID, err)
	}
	li.EndedAt, li.LookedAt, li.ExpiresAt = fromUnix(ended), fromUnix(looked), fromUnix(expires)
	return li, true, nil
}

// PutLateInsight records (or replaces) the record of a call. Expired records
// are swept on the way, so the table holds only calls still waiting.
func (s *Store) PutLateInsight(ctx context.Context, li LateInsight) error {
	if li.Instance == "" || li.CallID <= 0 {
		return fmt.Errorf("store: put late insight: need an instance and a call ID, got %q/%d", li.Instance, li.CallID)
	}
	if li.ExpiresAt.IsZero() {
		return fmt.Errorf("store: put late insight %s/%d: no expiry", li.Instance, li.CallID)
	}
	now := s.now().Unix()
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := s.txExec(ctx, tx, `DELETE FROM late_insights WHERE expires_at <= ?`, now); err != nil {
			return err
		}
		_, err := s.txExec(ctx, tx, `
			INSERT INTO late_insights (instance, call_id, ended_at, agent, looked_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (instance, call_id) DO UPDATE SET ended_at = excluded.ended_at, agent = excluded.agent,
				looked_at = excluded.looked_at, expires_at = excluded.expires_at`,
			li.Instance, li.CallID, unix(li.EndedAt), li.Agent, unix(li.LookedAt), unix(li.ExpiresAt))
		return err
	})
	if err != nil {
		return fmt.Errorf("store: put late insight %s/%d: %w", li.Instance, li.CallID, err)
	}
	return nil
}

// AddonOffUntil is when the "Aircall AI add-on is off" flag (set on a 403)
// ends; zero when it was never set. The caller compares it with its pass
// clock, so a catch-up pass and a live one agree.
func (s *Store) AddonOffUntil(ctx context.Context) (time.Time, error) {
	var until int64
	err := s.queryRow(ctx, `SELECT off_until FROM aircall_addon WHERE id = 1`).Scan(&until)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("store: get AI add-on flag: %w", err)
	}
	return fromUnix(until), nil
}

// PutAddonOffUntil sets the end of the "AI add-on is off" flag.
func (s *Store) PutAddonOffUntil(ctx context.Context, until time.Time) error {
	_, err := s.exec(ctx, `INSERT INTO aircall_addon (id, off_until) VALUES (1, ?)
		ON CONFLICT (id) DO UPDATE SET off_until = excluded.off_until`, unix(until))
	if err != nil {
		return fmt.Errorf("store: put AI add-on flag: %w", err)
	}
	return nil
}

// AnonymousCustomer is the remembered ID of the instance's customer for
// hidden or unreadable numbers.
func (s *Store) AnonymousCustomer(ctx context.Context, instance string) (int64, bool, error) {
	var id int64
	err := s.queryRow(ctx, `SELECT customer_id FROM anonymous_customers WHERE instance = ?`, instance).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("store: get anonymous customer of %q: %w", instance, err)
	}
	return id, true, nil
}

// PutAnonymousCustomer remembers the instance's anonymous customer.
func (s *Store) PutAnonymousCustomer(ctx context.Context, instance string, customerID int64) error {
	if instance == "" || customerID <= 0 {
		return fmt.Errorf("store: put anonymous customer: need an instance and a customer ID, got %q/%d", instance, customerID)
	}
	_, err := s.exec(ctx, `INSERT INTO anonymous_customers (instance, customer_id, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (instance) DO UPDATE SET customer_id = excluded.customer_id, updated_at = excluded.updated_at`,
		instance, customerID, s.now().Unix())
	if err != nil {
		return fmt.Errorf("store: put anonymous customer of %q: %w", instance, err)
	}
	return nil
}
