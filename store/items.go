package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Item kinds.
const (
	KindCall    = "call"
	KindMessage = "message"
)

// Ledger states.
const (
	StateWaiting = "waiting" // seen, not final yet (call not done, or waiting for transcript/AI)
	StateFailed  = "failed"  // last attempt failed; retried on later passes
	StateLogged  = "logged"  // final
	StateSkipped = "skipped" // final (e.g. duplicate customers, overlap)
	StateParked  = "parked"  // final: failed too many times, visible in status
)

// Enrichment values.
const (
	EnrichmentNone    = ""
	EnrichmentPending = "pending" // logged without transcript/AI, look again
	EnrichmentDone    = "done"
	EnrichmentGaveUp  = "gave_up"
)

// Item is one ledger row: what happened to one Aircall call or message for one
// instance.
type Item struct {
	Instance, Kind, SourceID string
	State                    string
	Outcome                  string    // short label, e.g. "new_conversation", "skipped: duplicate customers"
	Detail                   string    // human detail (candidate ids, reasons)
	OccurredAt               time.Time // call started_at / message created_at
	CustomerID               int64
	ConversationID           int64
	ThreadID                 int64
	NoteThreadID             int64
	Enrichment               string // "", "pending", "done", "gave_up"
	Attempts                 int
	LastError                string
	CreatedAt, UpdatedAt     time.Time // set by the store
}

// Final reports whether the item reached a state no pass will change.
func (it Item) Final() bool {
	return it.State == StateLogged || it.State == StateSkipped || it.State == StateParked
}

func (it Item) validate() error {
	switch {
	case it.Instance == "" || it.SourceID == "":
		return errors.New("empty instance or source id")
	case it.Kind != KindCall && it.Kind != KindMessage:
		return fmt.Errorf("unknown kind %q", it.Kind)
	}
	switch it.State {
	case StateWaiting, StateFailed, StateLogged, StateSkipped, StateParked:
	default:
		return fmt.Errorf("unknown state %q", it.State)
	}
	switch it.Enrichment {
	case EnrichmentNone, EnrichmentPending, EnrichmentDone, EnrichmentGaveUp:
	default:
		return fmt.Errorf("unknown enrichment %q", it.Enrichment)
	}
	return nil
}

const itemColumns = `instance, kind, source_id, state, outcome, detail, occurred_at, customer_id,
	conversation_id, thread_id, note_thread_id, enrichment, attempts, last_error, created_at, updated_at`

const upsertItem = `INSERT INTO items (` + itemColumns + `)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (instance, kind, source_id) DO UPDATE SET
		state = excluded.state, outcome = excluded.outcome, detail = excluded.detail,
		occurred_at = excluded.occurred_at, customer_id = excluded.customer_id,
		conversation_id = excluded.conversation_id, thread_id = excluded.thread_id,
		note_thread_id = excluded.note_thread_id, enrichment = excluded.enrichment,
		attempts = excluded.attempts, last_error = excluded.last_error,
		updated_at = excluded.updated_at`

// scanner is *sql.Row, *sql.Rows or errRow.
type scanner interface{ Scan(dest ...any) error }

func scanItem(sc scanner) (Item, error) {
	var it Item
	var occ, created, updated int64
	err := sc.Scan(&it.Instance, &it.Kind, &it.SourceID, &it.State, &it.Outcome, &it.Detail, &occ,
		&it.CustomerID, &it.ConversationID, &it.ThreadID, &it.NoteThreadID, &it.Enrichment,
		&it.Attempts, &it.LastError, &created, &updated)
	it.OccurredAt, it.CreatedAt, it.UpdatedAt = fromUnix(occ), fromUnix(created), fromUnix(updated)
	return it, err
}

// GetItem returns the ledger row of one item, ok=false if it was never seen.
func (s *Store) GetItem(ctx context.Context, instance, kind, sourceID string) (Item, bool, error) {
	it, err := scanItem(s.queryRow(ctx,
		`SELECT `+itemColumns+` FROM items WHERE instance = ? AND kind = ? AND source_id = ?`,
		instance, kind, sourceID))
	if errors.Is(err, sql.ErrNoRows) {
		return Item{}, false, nil
	}
	if err != nil {
		return Item{}, false, fmt.Errorf("store: get item %s/%s/%s: %w", instance, kind, sourceID, err)
	}
	return it, true, nil
}

// PutItem inserts or replaces the ledger row of (Instance, Kind, SourceID).
// CreatedAt is kept from the first insert; UpdatedAt is set to now.
func (s *Store) PutItem(ctx context.Context, it Item) error {
	if err := it.validate(); err != nil {
		return fmt.Errorf("store: put item: %w", err)
	}
	if _, err := s.exec(ctx, upsertItem, s.itemArgs(it, s.now().Unix())...); err != nil {
		return fmt.Errorf("store: put item %s/%s/%s: %w", it.Instance, it.Kind, it.SourceID, err)
	}
	return nil
}

// PutItems upserts many items in one transaction, as PutItem does for each.
// Catch-up and back-fill use it: one commit instead of one per row.
func (s *Store) PutItems(ctx context.Context, items []Item) error {
	for _, it := range items {
		if err := it.validate(); err != nil {
			return fmt.Errorf("store: put items: %s/%s/%s: %w", it.Instance, it.Kind, it.SourceID, err)
		}
	}
	now := s.now().Unix()
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		st, err := tx.PrepareContext(ctx, upsertItem)
		if err != nil {
			return err
		}
		defer st.Close()
		for _, it := range items {
			if _, err := st.ExecContext(ctx, s.itemArgs(it, now)...); err != nil {
				return fmt.Errorf("%s/%s/%s: %w", it.Instance, it.Kind, it.SourceID, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: put items: %w", err)
	}
	return nil
}

func (s *Store) itemArgs(it Item, now int64) []any {
	return []any{it.Instance, it.Kind, it.SourceID, it.State, it.Outcome, it.Detail, unix(it.OccurredAt),
		it.CustomerID, it.ConversationID, it.ThreadID, it.NoteThreadID, it.Enrichment, it.Attempts,
		it.LastError, now, now}
}

// ItemFilter selects ledger rows. Empty fields match anything.
type ItemFilter struct {
	Instance, Kind string
	States         []string  // empty = any
	Enrichment     string    // "" = any
	Since, Until   time.Time // on OccurredAt; zero = unbounded (Since inclusive, Until exclusive)
	Limit          int       // 0 = no limit
}

// itemQuery builds the ListItems query for f.
func itemQuery(f ItemFilter) (string, []any) {
	var where []string
	var args []any
	add := func(cond string, a ...any) { where = append(where, cond); args = append(args, a...) }
	if f.Instance != "" {
		add("instance = ?", f.Instance)
	}
	hint := itemIndexHint(f)
	switch {
	case f.Kind != "":
		add("kind = ?", f.Kind)
	case hint != "":
		// Every kind, spelled out, so the (instance, kind, ...) index still
		// applies (PutItem only accepts these kinds).
		add("kind IN (?, ?)", KindCall, KindMessage)
	}
	if states := slices.Compact(slices.Sorted(slices.Values(f.States))); len(states) > 0 {
		ph := strings.TrimSuffix(strings.Repeat("?,", len(states)), ",")
		a := make([]any, len(states))
		for i, st := range states {
			a[i] = st
		}
		add("state IN ("+ph+")", a...)
	}
	if f.Enrichment != "" {
		add("enrichment = ?", f.Enrichment)
	}
	if !f.Since.IsZero() {
		add("occurred_at >= ?", f.Since.Unix())
	}
	if !f.Until.IsZero() {
		add("occurred_at < ?", f.Until.Unix())
	}
	q := `SELECT ` + itemColumns + ` FROM items` + hint
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	q += ` ORDER BY occurred_at, source_id`
	if f.Limit > 0 {
		q += ` LIMIT ?`
		args = append(args, f.Limit)
	}
	return q, args
}

// ListItems returns matching items ordered by OccurredAt, then SourceID.
func (s *Store) ListItems(ctx context.Context, f ItemFilter) ([]Item, error) {
	q, args := itemQuery(f)
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list items: %w", err)
	}
	defer rows.Close()
	var out []Item
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list items: %w", err)
		}
		out = append(out, it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list items: %w", err)
	}
	return out, nil
}

// itemIndexHint forces the secondary index that fits the filter. Without
// statistics SQLite's planner prefers the primary key prefix (instance, kind)
// and scans every row of an instance to find its few failed or pending items;
// the hint keeps those lookups proportional to what they return.
func itemIndexHint(f ItemFilter) string {
	if f.Instance == "" {
		return ""
	}
	switch {
	case f.Enrichment != "":
		return ` INDEXED BY items_by_enrichment`
	case len(f.States) > 0:
		return ` INDEXED BY items_by_state`
	}
	return ""
}

// CountItems counts an instance's ledger rows by "kind/state/outcome", for
// status and metrics.
func (s *Store) CountItems(ctx context.Context, instance string) (map[string]int, error) {
	rows, err := s.query(ctx, `
		SELECT kind, state, outcome, count(*) FROM items WHERE instance = ?
		GROUP BY kind, state, outcome`, instance)
	if err != nil {
		return nil, fmt.Errorf("store: count items: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var kind, state, outcome string
		var n int
		if err := rows.Scan(&kind, &state, &outcome, &n); err != nil {
			return nil, fmt.Errorf("store: count items: %w", err)
		}
		out[kind+"/"+state+"/"+outcome] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: count items: %w", err)
	}
	return out, nil
}
