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

// Kind is what an item is: an Aircall call or an Aircall message (SMS or
// WhatsApp). It is part of every ledger key, since a call and a message can
// share an ID.
type Kind string

// Item kinds.
const (
	KindCall    Kind = "call"
	KindMessage Kind = "message"
)

// State is an item's ledger state (docs/exactly-once.md#ledger-states).
type State string

// Ledger states.
const (
	StateWaiting State = "waiting" // seen, not final yet (call not done, or waiting for transcript/AI)
	StateFailed  State = "failed"  // last attempt failed; retried on later passes
	StateLogged  State = "logged"  // final
	StateSkipped State = "skipped" // final (e.g. duplicate customers, overlap)
	StateParked  State = "parked"  // final: failed too many times, visible in status
)

// Enrichment is the late-insight work state of a logged call: whether a
// pass must still look for its transcript/AI to add them as a note. It is
// not the per-insight state an operator reads (InsightState): one item has
// one Enrichment, its decision one InsightState for the transcript and one
// for the AI insights.
type Enrichment string

// Enrichment values.
const (
	EnrichmentNone    Enrichment = ""
	EnrichmentPending Enrichment = "pending" // logged without transcript/AI, look again
	EnrichmentDone    Enrichment = "done"
	EnrichmentGaveUp  Enrichment = "gave_up"
)

// Outcome is the short label of what happened to an item, kept in the ledger
// and counted per pass and in /metrics (items_total).
type Outcome string

// Item outcomes.
const (
	OutcomeNewConversation      Outcome = "new_conversation"      // logged into a new conversation
	OutcomeExistingConversation Outcome = "existing_conversation" // logged into an open conversation
	OutcomeReopened             Outcome = "reopened_conversation" // logged into a conversation reopened for it
	OutcomeWaitingEnrichment    Outcome = "waiting_for_insights"  // waiting for transcript/AI before logging
	OutcomeInProgress           Outcome = "in_progress"           // the call is not finished in Aircall yet
	OutcomeDuplicateCustomers   Outcome = "skipped: duplicate customers"
	OutcomeOverlap              Outcome = "skipped: number overlap"
	OutcomeWaiting              Outcome = "waiting"         // not final yet (call in progress)
	OutcomeFailed               Outcome = "failed"          // the attempt failed; retried later
	OutcomeParked               Outcome = "parked"          // failed too often; waits for an operator
	OutcomeRetryRequested       Outcome = "retry_requested" // an operator made it eligible again (Retry), until the next pass acts
	// Counted in a pass's results, never stored as an item's outcome.
	OutcomeAlready  Outcome = "already_done"          // final in the ledger: re-read, nothing done
	OutcomeEnriched Outcome = "late_insights_added"   // the late transcript/AI note was added
	OutcomeNoEnrich Outcome = "late_insights_gave_up" // they never came before ENRICHMENT_MAX_AGE
)

// Item is one ledger row: what happened to one Aircall call or message for one
// instance.
type Item struct {
	Instance string
	Kind     Kind
	SourceID string
	State    State
	Outcome  Outcome

	Detail               string    // human detail (candidate ids, reasons)
	OccurredAt           time.Time // call started_at / message created_at
	CustomerID           int64
	ConversationID       int64
	ThreadID             int64
	NoteThreadID         int64
	Enrichment           Enrichment
	Attempts             int
	LastError            string
	CreatedAt, UpdatedAt time.Time // set by the store
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
func (s *Store) GetItem(ctx context.Context, instance string, kind Kind, sourceID string) (Item, bool, error) {
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
	Instance     string
	Kind         Kind
	States       []State    // empty = any
	Enrichment   Enrichment // "" = any
	Since, Until time.Time  // on OccurredAt; zero = unbounded (Since inclusive, Until exclusive)
	Limit        int        // 0 = no limit
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
