package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// EventKind is what an entry of an item's history records.
type EventKind string

// History events. The ledger's triggers write state, attempt and enrichment
// events whenever an item's row changes; Retry writes retry events.
const (
	EventState      EventKind = "state"      // the item reached State (Outcome)
	EventAttempt    EventKind = "attempt"    // an attempt failed with Error (State failed or parked)
	EventRetry      EventKind = "retry"      // an operator asked for a retry; State/Attempts are what it was before
	EventEnrichment EventKind = "enrichment" // transcript/AI state became Outcome (pending, done, gave_up)
)

// Event is one entry of an item's history.
type Event struct {
	At       time.Time
	Event    EventKind
	State    State
	Outcome  string // an Outcome; for enrichment events the Enrichment reached
	Attempts int
	Error    string
}

// History returns an item's events, oldest first.
func (s *Store) History(ctx context.Context, instance string, kind Kind, sourceID string) ([]Event, error) {
	rows, err := s.query(ctx, `SELECT at, event, state, outcome, attempts, error FROM item_history
		WHERE instance = ? AND kind = ? AND source_id = ? ORDER BY id`, instance, kind, sourceID)
	if err != nil {
		return nil, fmt.Errorf("store: history %s/%s/%s: %w", instance, kind, sourceID, err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		var at int64
		if err := rows.Scan(&at, &e.Event, &e.State, &e.Outcome, &e.Attempts, &e.Error); err != nil {
			return nil, fmt.Errorf("store: history %s/%s/%s: %w", instance, kind, sourceID, err)
		}
		e.At = fromUnix(at)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: history %s/%s/%s: %w", instance, kind, sourceID, err)
	}
	return out, nil
}

// RetryState is an item's latest retry request.
type RetryState struct {
	RequestedAt time.Time
	DoneAt      time.Time // zero while pending: no pass has acted on the item since
}

// Pending reports whether no pass has acted on the retry request yet.
func (r RetryState) Pending() bool { return r.DoneAt.IsZero() }

// Story is everything the database knows about one item: what explain and
// the status item page show.
type Story struct {
	Item     Item
	Decision *Decision   // nil: no decision recorded (not decided yet, or decided by an older version)
	History  []Event     // oldest first
	Writes   []Intent    // the Help Scout write journal, oldest first
	Retry    *RetryState // nil: never retried
	Card     *Card       // calls: the insight card record; nil when none was handled
}

// ItemStory gathers the story of one item; ok=false when the ledger has no
// such item.
func (s *Store) ItemStory(ctx context.Context, instance string, kind Kind, sourceID string) (Story, bool, error) {
	it, ok, err := s.GetItem(ctx, instance, kind, sourceID)
	if err != nil || !ok {
		return Story{}, ok, err
	}
	st := Story{Item: it}
	if d, ok, err := s.GetDecision(ctx, instance, kind, sourceID); err != nil {
		return Story{}, false, err
	} else if ok {
		st.Decision = &d
	}
	if st.History, err = s.History(ctx, instance, kind, sourceID); err != nil {
		return Story{}, false, err
	}
	if st.Writes, err = s.Intents(ctx, instance, kind, sourceID); err != nil {
		return Story{}, false, err
	}
	var req, done int64
	err = s.queryRow(ctx, `SELECT requested_at, done_at FROM item_retries
		WHERE instance = ? AND kind = ? AND source_id = ?`, instance, kind, sourceID).Scan(&req, &done)
	switch {
	case err == nil:
		st.Retry = &RetryState{RequestedAt: fromUnix(req), DoneAt: fromUnix(done)}
	case !errors.Is(err, sql.ErrNoRows):
		return Story{}, false, fmt.Errorf("store: retry state %s/%s/%s: %w", instance, kind, sourceID, err)
	}
	if kind == KindCall {
		if id, perr := strconv.ParseInt(sourceID, 10, 64); perr == nil {
			c, ok, err := s.GetCard(ctx, id)
			if err != nil {
				return Story{}, false, err
			}
			if ok {
				st.Card = &c
			}
		}
	}
	return st, true, nil
}

// KnownInstances lists the instances that have a cursor or a recorded pass,
// sorted: the instances a database-only reader can show without the
// configuration (an instance removed from INSTANCES keeps its history).
func (s *Store) KnownInstances(ctx context.Context) ([]string, error) {
	rows, err := s.query(ctx, `SELECT instance FROM cursors UNION SELECT instance FROM runs ORDER BY 1`)
	if err != nil {
		return nil, fmt.Errorf("store: known instances: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, fmt.Errorf("store: known instances: %w", err)
		}
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: known instances: %w", err)
	}
	return out, nil
}

// FindItems returns the ledger rows of an Aircall ID in the given instances,
// of either kind (a call and a message could share an ID), in instance order.
// Each lookup is a primary-key read.
func (s *Store) FindItems(ctx context.Context, sourceID string, instances []string) ([]Item, error) {
	var out []Item
	for _, in := range instances {
		for _, kind := range []Kind{KindCall, KindMessage} {
			it, ok, err := s.GetItem(ctx, in, kind, sourceID)
			if err != nil {
				return nil, err
			}
			if ok {
				out = append(out, it)
			}
		}
	}
	return out, nil
}

// RetryRequest says what Retry should make eligible again: the given IDs
// (any kind), or every parked item, in Instances (required).
type RetryRequest struct {
	Instances []string
	IDs       []string
	Parked    bool
}

// RetryResult is what Retry did (or did not do) to one item.
type RetryResult struct {
	Instance string
	Kind     Kind
	ID       string
	Before   Item   // the ledger row before (zero when not found)
	Changed  bool   // the item is now eligible for the next pass
	Reason   string // why it was not changed
}

// Retry makes parked or failed items eligible again: state failed, outcome
// retry_requested, attempt count back to zero so that they get the full
// number of attempts before being parked again. Their history, decision and
// last error are kept, and a retry event is added. Items in any other state
// are left alone with a reason (logged and skipped are final outcomes, not
// failures; waiting items are taken by the next pass anyway). All changes are
// made in one transaction.
func (s *Store) Retry(ctx context.Context, req RetryRequest) ([]RetryResult, error) {
	if len(req.Instances) == 0 {
		return nil, errors.New("store: retry: no instance given")
	}
	if req.Parked == (len(req.IDs) > 0) {
		return nil, errors.New("store: retry: give either IDs or parked, not both or neither")
	}
	targets, err := s.retryTargets(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("store: retry: %w", err)
	}
	for i, t := range targets {
		if t.Instance != "" {
			targets[i].Reason = retryRefusal(t.Before)
		}
	}
	if err := s.requestRetries(ctx, targets); err != nil {
		return nil, fmt.Errorf("store: retry: %w", err)
	}
	return targets, nil
}

// retryTargets finds the items a retry request names: every parked item of
// its instances, or each ID's items, with a result saying "not in the
// database" for an ID that matches none.
func (s *Store) retryTargets(ctx context.Context, req RetryRequest) ([]RetryResult, error) {
	var targets []RetryResult
	found := func(items []Item) {
		for _, it := range items {
			targets = append(targets, RetryResult{Instance: it.Instance, Kind: it.Kind, ID: it.SourceID, Before: it})
		}
	}
	if req.Parked {
		for _, in := range req.Instances {
			items, err := s.ListItems(ctx, ItemFilter{Instance: in, States: []State{StateParked}})
			if err != nil {
				return nil, err
			}
			found(items)
		}
		return targets, nil
	}
	for _, id := range req.IDs {
		items, err := s.FindItems(ctx, id, req.Instances)
		if err != nil {
			return nil, err
		}
		if len(items) == 0 {
			targets = append(targets, RetryResult{ID: id, Reason: "not in the database"})
		}
		found(items)
	}
	return targets, nil
}

// retryRefusal says why an item cannot be retried, or "" when it can: only
// a failed or parked item whose retry is not already requested can.
func retryRefusal(it Item) string {
	switch it.State {
	case StateFailed, StateParked:
		if it.Outcome == OutcomeRetryRequested {
			return "retry already requested: the next pass takes it"
		}
		return ""
	case StateLogged:
		return "already logged: nothing to retry"
	case StateSkipped:
		return "skipped by a rule (" + string(it.Outcome) + "), not failed: nothing to retry"
	case StateWaiting:
		return "waiting, not failed: the next pass takes it anyway"
	default:
		return "state " + string(it.State) + " cannot be retried"
	}
}

// requestRetries marks, in one transaction, every retryable target failed
// with a retry requested, and records the request in its history and in
// item_retries for the next pass. A target whose state changed since it was
// read is left alone with a reason saying so.
func (s *Store) requestRetries(ctx context.Context, targets []RetryResult) error {
	now := s.now().Unix()
	return s.inTx(ctx, func(tx *sql.Tx) error {
		for i, t := range targets {
			if t.Instance == "" || t.Reason != "" {
				continue
			}
			changed, err := requestRetry(ctx, tx, t, now)
			if err != nil {
				return err
			}
			if !changed {
				targets[i].Reason = "changed meanwhile (a pass is running?): look again"
				continue
			}
			targets[i].Changed = true
		}
		return nil
	})
}

// requestRetry writes one target's retry request; false means the item is
// no longer failed or parked and nothing was written.
func requestRetry(ctx context.Context, tx *sql.Tx, t RetryResult, now int64) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE items SET state = ?, outcome = ?, attempts = 0, updated_at = ?
		WHERE instance = ? AND kind = ? AND source_id = ? AND state IN (?, ?)`,
		StateFailed, OutcomeRetryRequested, now, t.Instance, t.Kind, t.ID, StateFailed, StateParked)
	if err != nil {
		return false, fmt.Errorf("%s/%s/%s: %w", t.Instance, t.Kind, t.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO item_history
		(instance, kind, source_id, at, event, state, outcome, attempts, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, '')`,
		t.Instance, t.Kind, t.ID, now, EventRetry, t.Before.State, t.Before.Outcome, t.Before.Attempts); err != nil {
		return false, fmt.Errorf("%s/%s/%s: history: %w", t.Instance, t.Kind, t.ID, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO item_retries (instance, kind, source_id, requested_at, done_at)
		VALUES (?, ?, ?, ?, 0) ON CONFLICT (instance, kind, source_id) DO UPDATE
		SET requested_at = excluded.requested_at, done_at = 0`, t.Instance, t.Kind, t.ID, now); err != nil {
		return false, fmt.Errorf("%s/%s/%s: retry request: %w", t.Instance, t.Kind, t.ID, err)
	}
	return true, nil
}

// RetryRequested lists an instance's items of a kind whose retry was
// requested and that no pass has acted on yet, oldest first, whatever their
// age: the next pass reads these by ID even when they are far behind its
// read window.
func (s *Store) RetryRequested(ctx context.Context, instance string, kind Kind) ([]Item, error) {
	rows, err := s.query(ctx, `SELECT `+prefixed("i.", itemColumns)+` FROM item_retries r
		JOIN items i ON i.instance = r.instance AND i.kind = r.kind AND i.source_id = r.source_id
		WHERE r.instance = ? AND r.kind = ? AND r.done_at = 0
		ORDER BY i.occurred_at, i.source_id`, instance, kind)
	if err != nil {
		return nil, fmt.Errorf("store: retry requested: %w", err)
	}
	defer rows.Close()
	var out []Item
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			return nil, fmt.Errorf("store: retry requested: %w", err)
		}
		out = append(out, it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: retry requested: %w", err)
	}
	return out, nil
}

// Attention lists an instance's items that need a look: parked first, then
// failed, then waiting, each oldest first and at most limit of each (0 = no
// limit). Their reasons are in LastError (failed, parked) and Outcome
// (waiting: in_progress, waiting_for_insights).
func (s *Store) Attention(ctx context.Context, instance string, limit int) ([]Item, error) {
	var out []Item
	for _, state := range []State{StateParked, StateFailed, StateWaiting} {
		items, err := s.ListItems(ctx, ItemFilter{Instance: instance, States: []State{state}, Limit: limit})
		if err != nil {
			return nil, fmt.Errorf("store: attention: %w", err)
		}
		out = append(out, items...)
	}
	return out, nil
}

// HourBucket counts the items that occurred in one hour, by ledger state
// (logged, skipped, waiting, failed, parked).
type HourBucket struct {
	Start   time.Time
	ByState map[State]int
}

// ItemsPerHour counts items by the hour they occurred in (call start,
// message creation) and state, for every hour in [from, to) truncated to
// whole hours, empty hours included. instance "" counts every instance.
func (s *Store) ItemsPerHour(ctx context.Context, instance string, from, to time.Time) ([]HourBucket, error) {
	from, to = from.UTC().Truncate(time.Hour), to.UTC()
	if !from.Before(to) {
		return nil, nil
	}
	rows, err := s.query(ctx, `SELECT occurred_at / 3600, state, count(*) FROM items INDEXED BY items_by_time
		WHERE occurred_at >= ? AND occurred_at < ? AND (? = '' OR instance = ?)
		GROUP BY 1, 2`, from.Unix(), to.Unix(), instance, instance)
	if err != nil {
		return nil, fmt.Errorf("store: items per hour: %w", err)
	}
	defer rows.Close()
	var out []HourBucket
	for h := from; h.Before(to); h = h.Add(time.Hour) {
		out = append(out, HourBucket{Start: h, ByState: map[State]int{}})
	}
	first := from.Unix() / 3600
	for rows.Next() {
		var hour int64
		var state State
		var n int
		if err := rows.Scan(&hour, &state, &n); err != nil {
			return nil, fmt.Errorf("store: items per hour: %w", err)
		}
		if i := int(hour - first); i >= 0 && i < len(out) {
			out[i].ByState[state] += n
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: items per hour: %w", err)
	}
	return out, nil
}

// prefixed qualifies each column of a column list with p.
func prefixed(p, cols string) string {
	var out []byte
	start := true
	for i := 0; i < len(cols); i++ {
		c := cols[i]
		if start && c != ' ' && c != '\t' && c != '\n' {
			out = append(out, p...)
			start = false
		}
		out = append(out, c)
		if c == ',' {
			start = true
		}
	}
	return string(out)
}
