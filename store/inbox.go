package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// InboxMessage is one Aircall SMS/WhatsApp message as received by webhook.
// Later events about the same message update the row in place.
type InboxMessage struct {
	Seq        int64 // assigned on first insert; the message stream cursor
	MessageID  string
	Event      string    // last event name
	Status     string    // latest delivery status
	Payload    []byte    // latest full message JSON (the webhook's data object)
	ReceivedAt time.Time // first receipt
	UpdatedAt  time.Time
}

// SaveMessage's statements, prepared at Open (see txQueries).
const (
	inboxSeqQuery    = `SELECT seq FROM inbox WHERE message_id = ?`
	inboxInsertQuery = `INSERT INTO inbox (message_id, event, status, payload, received_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING seq`
	inboxUpdateQuery = `UPDATE inbox SET event = ?, status = ?, payload = ?, updated_at = ? WHERE seq = ?`
)

// SaveMessage inserts the message if its id is new (inserted=true) or updates
// Event, Status, Payload and UpdatedAt of the existing row (inserted=false, Seq
// unchanged). ReceivedAt and UpdatedAt default to now. Safe under concurrent
// calls: writes are serialised on the writer connection.
func (s *Store) SaveMessage(ctx context.Context, m InboxMessage) (seq int64, inserted bool, err error) {
	if m.MessageID == "" {
		return 0, false, errors.New("store: save message: empty message id")
	}
	now := s.now()
	received, updated := m.ReceivedAt, m.UpdatedAt
	if received.IsZero() {
		received = now
	}
	if updated.IsZero() {
		updated = now
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		err := s.txRow(ctx, tx, inboxSeqQuery, m.MessageID).Scan(&seq)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			inserted = true
			return s.txRow(ctx, tx, inboxInsertQuery,
				m.MessageID, m.Event, m.Status, m.Payload, unix(received), unix(updated)).Scan(&seq)
		case err != nil:
			return err
		}
		_, err = s.txExec(ctx, tx, inboxUpdateQuery,
			m.Event, m.Status, m.Payload, unix(updated), seq)
		return err
	})
	if err != nil {
		return 0, false, fmt.Errorf("store: save message %q: %w", m.MessageID, err)
	}
	return seq, inserted, nil
}

const inboxColumns = `seq, message_id, event, status, payload, received_at, updated_at`

func scanMessage(sc scanner) (InboxMessage, error) {
	var m InboxMessage
	var received, updated int64
	err := sc.Scan(&m.Seq, &m.MessageID, &m.Event, &m.Status, &m.Payload, &received, &updated)
	m.ReceivedAt, m.UpdatedAt = fromUnix(received), fromUnix(updated)
	return m, err
}

// MessagesAfter pages through the inbox by Seq: messages with Seq > afterSeq,
// at most limit of them (0 = no limit).
func (s *Store) MessagesAfter(ctx context.Context, afterSeq int64, limit int) ([]InboxMessage, error) {
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	rows, err := s.query(ctx, `SELECT `+inboxColumns+` FROM inbox WHERE seq > ? ORDER BY seq LIMIT ?`,
		afterSeq, limit)
	if err != nil {
		return nil, fmt.Errorf("store: messages after %d: %w", afterSeq, err)
	}
	defer rows.Close()
	var out []InboxMessage
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, fmt.Errorf("store: messages after %d: %w", afterSeq, err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: messages after %d: %w", afterSeq, err)
	}
	return out, nil
}

// GetMessage returns one inbox message by Aircall message id.
func (s *Store) GetMessage(ctx context.Context, messageID string) (InboxMessage, bool, error) {
	m, err := scanMessage(s.queryRow(ctx, `SELECT `+inboxColumns+` FROM inbox WHERE message_id = ?`, messageID))
	if errors.Is(err, sql.ErrNoRows) {
		return InboxMessage{}, false, nil
	}
	if err != nil {
		return InboxMessage{}, false, fmt.Errorf("store: get message %q: %w", messageID, err)
	}
	return m, true, nil
}

// CountMessages counts the inbox rows.
func (s *Store) CountMessages(ctx context.Context) (int, error) {
	var n int
	if err := s.queryRow(ctx, `SELECT count(*) FROM inbox`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count messages: %w", err)
	}
	return n, nil
}
