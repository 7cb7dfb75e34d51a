package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// DayConversation is the Help Scout conversation that collects one
// customer's messages on one channel ("sms"/"whatsapp") on one day
// (YYYY-MM-DD in the line's time zone). Threads counts what we added, so a
// new conversation is started before Help Scout's thread limit.
type DayConversation struct {
	Instance       string
	CustomerID     int64
	Channel, Day   string
	ConversationID int64
	Threads        int
}

// DayConversation returns the newest conversation recorded for the key.
func (s *Store) DayConversation(ctx context.Context, instance string, customerID int64, channel, day string) (DayConversation, bool, error) {
	d := DayConversation{Instance: instance, CustomerID: customerID, Channel: channel, Day: day}
	err := s.queryRow(ctx, `
		SELECT conversation_id, threads FROM day_conversations
		WHERE instance = ? AND customer_id = ? AND channel = ? AND day = ?
		ORDER BY id DESC LIMIT 1`, instance, customerID, channel, day).Scan(&d.ConversationID, &d.Threads)
	if errors.Is(err, sql.ErrNoRows) {
		return DayConversation{}, false, nil
	}
	if err != nil {
		return DayConversation{}, false, fmt.Errorf("store: day conversation: %w", err)
	}
	return d, true, nil
}

// PutDayConversation upserts on (instance, customer, channel, day,
// conversation); a new conversation for the same key becomes the newest.
func (s *Store) PutDayConversation(ctx context.Context, d DayConversation) error {
	if d.Instance == "" || d.Channel == "" || d.Day == "" || d.ConversationID == 0 {
		return errors.New("store: put day conversation: empty instance, channel, day or conversation")
	}
	now := s.now().Unix()
	_, err := s.exec(ctx, `
		INSERT INTO day_conversations (instance, customer_id, channel, day, conversation_id, threads, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (instance, customer_id, channel, day, conversation_id)
		DO UPDATE SET threads = excluded.threads, updated_at = excluded.updated_at`,
		d.Instance, d.CustomerID, d.Channel, d.Day, d.ConversationID, d.Threads, now, now)
	if err != nil {
		return fmt.Errorf("store: put day conversation: %w", err)
	}
	return nil
}
