package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Insight card states. A card is claimed (CardSending) before it is sent,
// and the claim is what makes a call get one card at most: a row left at
// CardSending by a crash is never sent again, since the card may have gone
// out and it is useless after the call anyway.
const (
	CardSending          = "sending"           // claimed; the send is in flight (or serve stopped during it)
	CardSent             = "sent"              // Aircall accepted the card
	CardDroppedLate      = "dropped_late"      // not sent within the card timeout, or Aircall said the call was over
	CardFailed           = "failed"            // Aircall refused it otherwise, or the lookup failed
	CardSkippedAnonymous = "skipped_anonymous" // hidden or unreadable caller number: no card
)

// Card is the record of one call's insight card.
type Card struct {
	CallID     int64
	Instance   string
	State      string // Card*
	ReceivedAt time.Time
	FinishedAt time.Time // zero while CardSending
	CustomerID int64
	Error      string
}

// Latency is the time from the webhook to the final state (0 while sending).
func (c Card) Latency() time.Duration {
	if c.FinishedAt.IsZero() {
		return 0
	}
	return c.FinishedAt.Sub(c.ReceivedAt)
}

func millis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMillis(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}

// ClaimCard records the intent to handle a call's card: state (CardSending,
// or a final state such as CardSkippedAnonymous) at receivedAt. It returns
// false, writing nothing, when the call already has a record, whatever its
// state: the caller must then do nothing, since another delivery has (or
// had) the card in hand.
func (s *Store) ClaimCard(ctx context.Context, c Card) (bool, error) {
	if c.CallID <= 0 || c.Instance == "" || c.State == "" {
		return false, fmt.Errorf("store: claim card: call %d instance %q state %q: need all three", c.CallID, c.Instance, c.State)
	}
	if c.ReceivedAt.IsZero() {
		c.ReceivedAt = s.now()
	}
	res, err := s.exec(ctx, `INSERT INTO insight_cards (call_id, instance, state, received_ms, finished_ms, customer_id, error)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (call_id) DO NOTHING`,
		c.CallID, c.Instance, c.State, millis(c.ReceivedAt), millis(c.FinishedAt), c.CustomerID, c.Error)
	if err != nil {
		return false, fmt.Errorf("store: claim card of call %d: %w", c.CallID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: claim card of call %d: %w", c.CallID, err)
	}
	return n == 1, nil
}

// FinishCard records the outcome of a claimed card: c's State (final),
// FinishedAt (zero: now), CustomerID and Error; its Instance and ReceivedAt
// were set by ClaimCard and are not read. Only a card still CardSending
// changes, so a late finish cannot overwrite a final state.
func (s *Store) FinishCard(ctx context.Context, c Card) error {
	if c.State == "" || c.State == CardSending {
		return fmt.Errorf("store: finish card of call %d: state %q is not final", c.CallID, c.State)
	}
	at := c.FinishedAt
	if at.IsZero() {
		at = s.now()
	}
	res, err := s.exec(ctx, `UPDATE insight_cards SET state = ?, finished_ms = ?, customer_id = ?, error = ?
		WHERE call_id = ? AND state = ?`, c.State, millis(at), c.CustomerID, c.Error, c.CallID, CardSending)
	if err != nil {
		return fmt.Errorf("store: finish card of call %d: %w", c.CallID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: finish card of call %d: no card being sent for this call", c.CallID)
	}
	return nil
}

// GetCard returns a call's card record; ok is false when it has none.
func (s *Store) GetCard(ctx context.Context, callID int64) (Card, bool, error) {
	c := Card{CallID: callID}
	var received, finished int64
	err := s.queryRow(ctx, `SELECT instance, state, received_ms, finished_ms, customer_id, error
		FROM insight_cards WHERE call_id = ?`, callID).Scan(&c.Instance, &c.State, &received, &finished, &c.CustomerID, &c.Error)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return Card{}, false, nil
	case err != nil:
		return Card{}, false, fmt.Errorf("store: card of call %d: %w", callID, err)
	}
	c.ReceivedAt, c.FinishedAt = fromMillis(received), fromMillis(finished)
	return c, true, nil
}
