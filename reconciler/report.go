package reconciler

import (
	"context"
	"errors"
	"log/slog"

	"github.com/aircall-helpscout/aircall-helpscout/store"
)

// itemRef names one item of the ledger: the key of its row, its journal
// and its records.
type itemRef struct {
	inst string
	kind store.Kind
	src  string
}

// key names the item across instances and kinds.
func (r itemRef) key() string {
	return r.inst + "\x00" + string(r.kind) + "\x00" + r.src
}

// tally is what a pass reports as items land: the outcome counts and
// problems of each instance (the Result), the metrics hook, the plan and
// the progress callback.
type tally struct {
	results    map[string]*InstanceResult
	onItem     func(instance string, kind store.Kind, outcome store.Outcome)
	onPlan     func(PlanEntry)
	onProgress func(Progress)
	// wasWaiting holds the items (itemRef.key) whose ledger row this pass
	// read in state waiting: waiting again is no new outcome for the metrics.
	wasWaiting  map[string]bool
	done, total int
}

// count records an item outcome in the result, the metrics hook and the
// progress callback.
func (t *tally) count(inst string, kind store.Kind, outcome store.Outcome) {
	t.results[inst].Counts[outcome]++
	if t.onItem != nil {
		t.onItem(inst, kind, outcome)
	}
}

// countWaiting records an item that waits (for status done, or for its
// transcript/AI). The pass's result counts it every pass, since it says what
// the pass saw; the metrics hook only when the item starts waiting, since a
// call waiting ten passes is one item waiting, not ten, and
// items_total{outcome="waiting"} must not grow with the schedule.
func (t *tally) countWaiting(ref itemRef) {
	if !t.wasWaiting[ref.key()] {
		t.count(ref.inst, ref.kind, store.OutcomeWaiting)
		return
	}
	t.results[ref.inst].Counts[store.OutcomeWaiting]++
}

// problem records a pass-level problem of the instances named.
func (t *tally) problem(msg string, insts ...Instance) {
	for _, in := range insts {
		t.results[in.Name].Errors = append(t.results[in.Name].Errors, msg)
	}
}

func (t *tally) plan(e PlanEntry) {
	if t.onPlan != nil {
		t.onPlan(e)
	}
}

func (t *tally) progress() {
	t.done++
	if t.onProgress != nil {
		t.onProgress(Progress{Done: t.done, Total: t.total})
	}
}

// breaker says whether the pass goes on after an item: it holds the reason
// the pass was halted and the run of API failures in a row (the outage
// breaker).
type breaker struct {
	log *slog.Logger
	t   *tally
	// inARow counts items in a row that failed for API reasons.
	inARow int
	// stop is set when the pass cannot go on after the current item:
	// credentials went bad (no retry can fix that), or the ledger could not
	// be written (going on would make writes nobody records).
	stop error
}

// halt stops the pass after the current item; the first reason wins.
func (b *breaker) halt(err error) {
	if b.stop == nil {
		b.stop = err
	}
}

// answered notes that an API answered: the run of failures is over.
func (b *breaker) answered() { b.inARow = 0 }

// noteFailure counts an item's failure towards the outage breaker: failures
// about the APIs (outage, timeouts, rate limits) count in a row; any other
// resets the run and, through itemFault, is held against the item.
func (b *breaker) noteFailure(err error, itemFault func()) {
	if errors.Is(err, errCreateUnsettled) {
		// The item waits for another item's create to be settled: not an
		// API failure, so it neither trips the breaker (many calls of one
		// customer, the anonymous one above all, would stop the whole pass)
		// nor resets a run of real failures, nor counts against the item.
		return
	}
	if transient(err) {
		b.inARow++
		return
	}
	b.inARow = 0
	if itemFault != nil {
		itemFault()
	}
}

// proceed is asked after each item of every loop (calls, calls retried by
// ID, late insights, messages) and says whether the pass goes on: not once
// it was halted or cancelled, nor after maxTransientInARow API failures in a
// row, which leave the rest, cursors unmoved, for the next pass.
func (b *breaker) proceed(ctx context.Context) error {
	if b.stop != nil {
		return b.stop
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if b.inARow >= maxTransientInARow {
		for _, ir := range b.t.results {
			ir.Errors = append(ir.Errors, errOutage.Error())
		}
		b.log.Error("stopping pass", "err", errOutage)
		return errOutage
	}
	return nil
}
