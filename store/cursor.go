package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Cursor streams.
const (
	StreamCalls    = "calls"    // value: Unix seconds of started_at
	StreamMessages = "messages" // value: inbox Seq
)

// Cursor returns the cursor of (instance, stream); ok is false when the
// instance has never advanced it (its first pass).
func (s *Store) Cursor(ctx context.Context, instance, stream string) (v int64, ok bool, err error) {
	err = s.queryRow(ctx,
		`SELECT value FROM cursors WHERE instance = ? AND stream = ?`, instance, stream).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("store: cursor %s/%s: %w", instance, stream, err)
	}
	return v, true, nil
}

// AdvanceCursor sets the cursor to max(old, v): a catch-up run over an old
// period, or a retried pass, can never move it backwards.
func (s *Store) AdvanceCursor(ctx context.Context, instance, stream string, v int64) error {
	if instance == "" || stream == "" {
		return errors.New("store: advance cursor: empty instance or stream")
	}
	_, err := s.exec(ctx, `
		INSERT INTO cursors (instance, stream, value, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (instance, stream) DO UPDATE
		SET value = max(value, excluded.value), updated_at = excluded.updated_at
		WHERE excluded.value > value`,
		instance, stream, v, s.now().Unix())
	if err != nil {
		return fmt.Errorf("store: advance cursor %s/%s: %w", instance, stream, err)
	}
	return nil
}
