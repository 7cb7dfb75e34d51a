package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Retention: what the store deletes after a while, and what it never does.
//
// Deleted once older than the retention period:
//   - the webhook payload (the inbox row) of a message the ledger records as
//     logged: it holds the customer's number and text, and once the message
//     is in Help Scout it serves nothing. Rows of messages not logged yet
//     (waiting, failed, parked, skipped or not seen by a pass) are kept,
//     since a pass or a retry still needs them;
//   - per-pass run records, except the newest of each instance, so that
//     status and /healthz still know the last pass after a long pause.
//
// Never deleted: the ledger (items), which is what makes every pass skip
// what was already logged, the cursors, intents and caches. Deleting an
// inbox row is safe for the message stream: seq is AUTOINCREMENT, never
// reused, and a late webhook about a deleted message makes a new row that
// the pass finds already logged in the ledger.

// Pruned counts what Prune deleted.
type Pruned struct {
	Messages int64 // inbox rows (webhook payloads) of logged messages
	Runs     int64 // run records
}

// Prune deletes what is older than cutoff as described above, in one
// transaction (all or nothing).
func (s *Store) Prune(ctx context.Context, cutoff time.Time) (Pruned, error) {
	var p Pruned
	c := unix(cutoff)
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `
			DELETE FROM inbox WHERE seq IN (
				SELECT i.seq FROM inbox i
				JOIN items it ON it.kind = ? AND it.source_id = i.message_id AND it.state = ?
				WHERE i.updated_at < ?)`, KindMessage, StateLogged, c)
		if err != nil {
			return fmt.Errorf("inbox: %w", err)
		}
		if p.Messages, err = res.RowsAffected(); err != nil {
			return fmt.Errorf("inbox: %w", err)
		}
		res, err = tx.ExecContext(ctx, `
			DELETE FROM runs WHERE started_at < ?
			AND id NOT IN (SELECT max(id) FROM runs GROUP BY instance)`, c)
		if err != nil {
			return fmt.Errorf("runs: %w", err)
		}
		p.Runs, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return Pruned{}, fmt.Errorf("store: prune before %s: %w", cutoff.UTC().Format(time.RFC3339), err)
	}
	return p, nil
}

// Kept says what retention leaves: the oldest run record and the oldest
// stored webhook payload (zero when there is none), for status.
type Kept struct {
	OldestRun     time.Time
	OldestMessage time.Time
	Runs          int
	Messages      int
}

// RetentionInfo reads Kept.
func (s *Store) RetentionInfo(ctx context.Context) (Kept, error) {
	var k Kept
	var oldRun, oldMsg sql.NullInt64
	if err := s.queryRow(ctx, `SELECT min(started_at), count(*) FROM runs`).Scan(&oldRun, &k.Runs); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return Kept{}, fmt.Errorf("store: retention info: %w", err)
	}
	if err := s.queryRow(ctx, `SELECT min(updated_at), count(*) FROM inbox`).Scan(&oldMsg, &k.Messages); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return Kept{}, fmt.Errorf("store: retention info: %w", err)
	}
	k.OldestRun, k.OldestMessage = fromUnix(oldRun.Int64), fromUnix(oldMsg.Int64)
	return k, nil
}
