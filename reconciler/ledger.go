package reconciler

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/aircall-helpscout/aircall-helpscout/store"
)

// ledger reads and writes the items' ledger rows for a pass, and reports
// each outcome it records.
type ledger struct {
	st          State
	log         *slog.Logger
	t           *tally
	rec         *records
	brk         *breaker
	maxAttempts int
}

// row reads an item's ledger row; done means it is already final, which is
// counted and planned here. A new item gets a fresh row.
func (l *ledger) row(ctx context.Context, ref itemRef) (it store.Item, done bool, err error) {
	it, found, err := l.st.GetItem(ctx, ref.inst, ref.kind, ref.src)
	if err != nil {
		return it, false, err
	}
	if !found {
		return store.Item{Instance: ref.inst, Kind: ref.kind, SourceID: ref.src}, false, nil
	}
	if !it.Final() {
		if it.State == store.StateWaiting {
			l.t.wasWaiting[ref.key()] = true
		}
		return it, false, nil
	}
	l.t.count(ref.inst, ref.kind, store.OutcomeAlready)
	l.t.plan(PlanEntry{Instance: ref.inst, Kind: ref.kind, ID: ref.src, Outcome: store.OutcomeAlready, Detail: string(it.State) + ": " + string(it.Outcome)})
	// Debug: every pass re-reads its lookback, so this is most items.
	l.log.Debug(string(ref.kind)+" already done", "instance", ref.inst, string(ref.kind), ref.src, "state", it.State, "outcome", it.Outcome)
	return it, true, nil
}

// fail records a failed attempt; past maxAttempts the item is parked.
func (l *ledger) fail(ctx context.Context, it *store.Item, err error) {
	l.brk.noteFailure(err, func() { it.Attempts++ })
	it.LastError = err.Error()
	it.State, it.Outcome = store.StateFailed, store.OutcomeFailed
	if it.Attempts >= l.maxAttempts {
		it.State, it.Outcome = store.StateParked, store.OutcomeParked
	}
	l.record(ctx, *it, it.LastError)
	l.log.Warn("item failed", "instance", it.Instance, "kind", it.Kind, "id", it.SourceID,
		"attempts", it.Attempts, "state", it.State, "err", err)
}

// record writes an item's ledger row and reports its outcome (a waiting
// item counts as waiting, whatever it waits for) with detail for the plan. The write must land even
// when the pass is being cancelled: the Help Scout write it records did. A
// row that cannot be written stops the pass: going on would make writes
// nobody records, and the pass would report success.
func (l *ledger) record(ctx context.Context, it store.Item, detail string) {
	outcome := it.Outcome
	if it.State == store.StateWaiting {
		outcome = store.OutcomeWaiting
		l.t.countWaiting(itemRef{it.Instance, it.Kind, it.SourceID})
	} else {
		l.t.count(it.Instance, it.Kind, outcome)
	}
	l.t.plan(PlanEntry{Instance: it.Instance, Kind: it.Kind, ID: it.SourceID, Outcome: outcome, Detail: detail})
	l.put(ctx, it)
	l.rec.runProgress(ctx, it.Instance)
}

// put writes a ledger row without reporting an outcome; see record.
func (l *ledger) put(ctx context.Context, it store.Item) {
	wctx, cancel := detached(ctx)
	defer cancel()
	if err := l.st.PutItem(wctx, it); err != nil {
		l.log.Error("write ledger", "instance", it.Instance, "kind", it.Kind, "id", it.SourceID, "err", err)
		l.brk.halt(fmt.Errorf("record %s %s in the ledger: %w", it.Kind, it.SourceID, err))
	}
}

// withRetryRequested adds to items those of the kind whose retry an
// operator requested and that no pass has acted on, whatever their age or
// window (once each).
func (l *ledger) withRetryRequested(ctx context.Context, in Instance, kind store.Kind, items []store.Item) ([]store.Item, error) {
	asked, err := l.st.RetryRequested(ctx, in.Name, kind)
	if err != nil {
		return nil, fmt.Errorf("list %ss to retry: %w", kind, err)
	}
	seen := make(map[string]bool, len(items))
	for _, it := range items {
		seen[it.SourceID] = true
	}
	for _, it := range asked {
		if !seen[it.SourceID] {
			seen[it.SourceID] = true
			items = append(items, it)
		}
	}
	return items, nil
}
