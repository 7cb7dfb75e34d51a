package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Intent is a Help Scout write about to happen. It is recorded before the
// write and finished with the resulting id after it, so that a pass that died
// in between can tell the next pass to check whether the write landed before
// writing again.
type Intent struct {
	ID                int64
	Instance          string
	Kind              Kind
	SourceID          string
	Action            string // "create_customer", "create_conversation", "add_phone_thread", "add_note", ...
	TargetID          int64  // e.g. the conversation the thread goes to (0 if n/a)
	ResultID          int64
	Done              bool
	CreatedAt, DoneAt time.Time
}

// BeginIntent records an open intent and returns its id. ID, ResultID, Done
// and the times of in are ignored.
func (s *Store) BeginIntent(ctx context.Context, in Intent) (int64, error) {
	if in.Instance == "" || in.Kind == "" || in.SourceID == "" || in.Action == "" {
		return 0, errors.New("store: begin intent: empty instance, kind, source id or action")
	}
	var id int64
	err := s.writeRow(ctx, `
		INSERT INTO intents (instance, kind, source_id, action, target_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
		in.Instance, in.Kind, in.SourceID, in.Action, in.TargetID, s.now().Unix()).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("store: begin intent %s %s/%s/%s: %w", in.Action, in.Instance, in.Kind, in.SourceID, err)
	}
	return id, nil
}

// FinishIntent marks an intent done with the id the write produced (0 if the
// write produces none). Finishing an unknown intent is an error; finishing a
// done one again is harmless.
func (s *Store) FinishIntent(ctx context.Context, id, resultID int64) error {
	res, err := s.exec(ctx,
		`UPDATE intents SET done = 1, result_id = ?, done_at = ? WHERE id = ?`,
		resultID, s.now().Unix(), id)
	if err != nil {
		return fmt.Errorf("store: finish intent %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return fmt.Errorf("store: finish intent %d: no such intent", id)
	}
	return nil
}

const intentColumns = `id, instance, kind, source_id, action, target_id, result_id, done, created_at, done_at`

// OpenIntents lists the item's intents that were begun but not finished,
// oldest first.
func (s *Store) OpenIntents(ctx context.Context, instance string, kind Kind, sourceID string) ([]Intent, error) {
	return s.queryIntents(ctx, `SELECT `+intentColumns+` FROM intents
		WHERE instance = ? AND kind = ? AND source_id = ? AND done = 0 ORDER BY id`,
		instance, kind, sourceID)
}

// AllOpenIntents lists every unfinished intent of an instance, oldest first:
// what a pass must resolve after a crash.
func (s *Store) AllOpenIntents(ctx context.Context, instance string) ([]Intent, error) {
	return s.queryIntents(ctx, `SELECT `+intentColumns+` FROM intents
		WHERE instance = ? AND done = 0 ORDER BY id`, instance)
}

// PruneIntents deletes finished intents completed before t; open intents are
// always kept. It returns how many rows went.
func (s *Store) PruneIntents(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.exec(ctx, `DELETE FROM intents WHERE done = 1 AND done_at < ?`, before.Unix())
	if err != nil {
		return 0, fmt.Errorf("store: prune intents: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

func (s *Store) queryIntents(ctx context.Context, q string, args ...any) ([]Intent, error) {
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list intents: %w", err)
	}
	defer rows.Close()
	var out []Intent
	for rows.Next() {
		var in Intent
		var created, done int64
		if err := rows.Scan(&in.ID, &in.Instance, &in.Kind, &in.SourceID, &in.Action, &in.TargetID,
			&in.ResultID, &in.Done, &created, &done); err != nil {
			return nil, fmt.Errorf("store: list intents: %w", err)
		}
		in.CreatedAt, in.DoneAt = fromUnix(created), fromUnix(done)
		out = append(out, in)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list intents: %w", err)
	}
	return out, nil
}
