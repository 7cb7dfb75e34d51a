package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Run is one pass of one instance, for status and /healthz.
type Run struct {
	ID                    int64
	Instance              string
	Mode                  string          // "scheduled" | "catchup" | "dry-run"
	Since, Until          time.Time       // window read (zero if n/a)
	StartedAt, FinishedAt time.Time       // FinishedAt zero: still running, or the process died
	Counts                map[Outcome]int // outcome -> n
	Error                 string
}

// StartRun records the start of a pass and returns its id. StartedAt
// defaults to now.
func (s *Store) StartRun(ctx context.Context, r Run) (int64, error) {
	if r.Instance == "" || r.Mode == "" {
		return 0, errors.New("store: start run: empty instance or mode")
	}
	if r.StartedAt.IsZero() {
		r.StartedAt = s.now()
	}
	counts, err := marshalCounts(r.Counts)
	if err != nil {
		return 0, fmt.Errorf("store: start run: %w", err)
	}
	var id int64
	err = s.writeRow(ctx, `
		INSERT INTO runs (instance, mode, since, until, started_at, finished_at, counts, error)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		r.Instance, r.Mode, unix(r.Since), unix(r.Until), unix(r.StartedAt), unix(r.FinishedAt), counts, r.Error).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("store: start run: %w", err)
	}
	return id, nil
}

// FinishRun records the end of a pass; errMsg "" means it succeeded.
func (s *Store) FinishRun(ctx context.Context, id int64, finishedAt time.Time, counts map[Outcome]int, errMsg string) error {
	if finishedAt.IsZero() {
		finishedAt = s.now()
	}
	c, err := marshalCounts(counts)
	if err != nil {
		return fmt.Errorf("store: finish run %d: %w", id, err)
	}
	res, err := s.exec(ctx, `UPDATE runs SET finished_at = ?, counts = ?, error = ? WHERE id = ?`,
		unix(finishedAt), c, errMsg, id)
	if err != nil {
		return fmt.Errorf("store: finish run %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return fmt.Errorf("store: finish run %d: no such run", id)
	}
	return nil
}

// RunProgress records the counts of a pass still running, so that a pass
// killed before FinishRun (SIGKILL, power loss) still shows what it did. It
// leaves finished_at alone: the run stays unfinished until FinishRun.
func (s *Store) RunProgress(ctx context.Context, id int64, counts map[Outcome]int) error {
	c, err := marshalCounts(counts)
	if err != nil {
		return fmt.Errorf("store: run progress %d: %w", id, err)
	}
	if _, err := s.exec(ctx, `UPDATE runs SET counts = ? WHERE id = ? AND finished_at = 0`, c, id); err != nil {
		return fmt.Errorf("store: run progress %d: %w", id, err)
	}
	return nil
}

const runColumns = `id, instance, mode, since, until, started_at, finished_at, counts, error`

func scanRun(sc scanner) (Run, error) {
	var r Run
	var since, until, started, finished int64
	var counts string
	if err := sc.Scan(&r.ID, &r.Instance, &r.Mode, &since, &until, &started, &finished, &counts, &r.Error); err != nil {
		return Run{}, err
	}
	r.Since, r.Until, r.StartedAt, r.FinishedAt = fromUnix(since), fromUnix(until), fromUnix(started), fromUnix(finished)
	r.Counts = map[Outcome]int{}
	if err := json.Unmarshal([]byte(counts), &r.Counts); err != nil {
		return Run{}, fmt.Errorf("run %d counts: %w", r.ID, err)
	}
	return r, nil
}

// Runs returns an instance's most recent passes, newest first (limit 0 = all).
func (s *Store) Runs(ctx context.Context, instance string, limit int) ([]Run, error) {
	if limit <= 0 {
		limit = -1
	}
	rows, err := s.query(ctx, `SELECT `+runColumns+` FROM runs WHERE instance = ? ORDER BY id DESC LIMIT ?`,
		instance, limit)
	if err != nil {
		return nil, fmt.Errorf("store: runs: %w", err)
	}
	defer rows.Close()
	var out []Run
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, fmt.Errorf("store: runs: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: runs: %w", err)
	}
	return out, nil
}

// LastSuccessfulRun returns the most recently finished pass of any instance
// that ended without error (for /healthz). Unfinished runs do not count.
func (s *Store) LastSuccessfulRun(ctx context.Context) (Run, bool, error) {
	r, err := scanRun(s.queryRow(ctx, `SELECT `+runColumns+` FROM runs
		WHERE finished_at <> 0 AND error = '' ORDER BY finished_at DESC, id DESC LIMIT 1`))
	if errors.Is(err, sql.ErrNoRows) {
		return Run{}, false, nil
	}
	if err != nil {
		return Run{}, false, fmt.Errorf("store: last successful run: %w", err)
	}
	return r, true, nil
}

func marshalCounts(c map[Outcome]int) (string, error) {
	if c == nil {
		return "{}", nil
	}
	b, err := json.Marshal(c)
	return string(b), err
}
