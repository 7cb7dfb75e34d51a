package reconciler

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aircall-helpscout/aircall-helpscout/clients/aircall"
	"github.com/aircall-helpscout/aircall-helpscout/store"
)

// window is the (from, to] range of started_at an instance reads this pass.
type window struct{ from, to time.Time }

// windows computes each instance's read window (docs/exactly-once.md#calls):
// a scheduled pass reads (cursor − LOOKBACK, now], a first pass
// (now − LOOKBACK, now], and a
// catch-up exactly [Since, Until) — as Aircall's from is exclusive and to
// inclusive, that is (Since−1s, Until−1s].
func (p *pass) windows(ctx context.Context, insts []Instance) (map[string]window, error) {
	out := map[string]window{}
	for _, in := range insts {
		if !p.po.Since.IsZero() {
			until := p.po.Until
			if until.IsZero() || until.After(p.now) {
				until = p.now.Add(time.Second)
			}
			out[in.Name] = window{from: p.po.Since.Add(-time.Second), to: until.Add(-time.Second)}
			continue
		}
		from := p.now.Add(-p.r.opts.Lookback)
		if c, ok, err := p.st.Cursor(ctx, in.Name, store.StreamCalls); err != nil {
			return nil, fmt.Errorf("read cursor of %s: %w", in.Name, err)
		} else if ok {
			from = time.Unix(c, 0).UTC().Add(-p.r.opts.Lookback)
		} else {
			// A first pass records where it started before reading: if it
			// stops early (outage, SIGTERM), the next pass still reads
			// from here instead of sliding past calls never recorded.
			if err := p.st.AdvanceCursor(ctx, in.Name, store.StreamCalls, p.now.Unix()); err != nil {
				return nil, fmt.Errorf("record first cursor of %s: %w", in.Name, err)
			}
		}
		out[in.Name] = window{from: from, to: p.now}
	}
	return out, nil
}

// calls reads the union of the instances' windows once, routes every call to
// its instance and handles it. Reading once keeps Aircall requests flat in the
// number of instances: the Aircall budget is company-wide and small.
func (p *pass) calls(ctx context.Context, insts []Instance, rt Routing) error {
	wins, err := p.windows(ctx, insts)
	if err != nil {
		return err
	}
	byName := map[string]Instance{}
	p.readFrom = map[string]time.Time{}
	for _, in := range insts {
		byName[in.Name] = in
		p.readFrom[in.Name] = wins[in.Name].from
	}
	from, to := union(wins)
	if p.po.CountTotal {
		if n, err := p.ac.CountCalls(ctx, from, to); err == nil {
			p.total += n // the messages counted before
		}
	}
	// earliest started_at of a call that is not final yet, per instance:
	// the cursor does not pass it (docs/exactly-once.md#calls).
	holds := map[string]int64{}
	listed := true
	for call, err := range p.ac.ListCalls(ctx, from, to) {
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			listed = false
			for _, in := range insts {
				p.results[in.Name].Errors = append(p.results[in.Name].Errors, "listing calls: "+err.Error())
			}
			if isFatal(err) {
				return err
			}
			p.log.Error("listing calls failed; cursor not advanced", "err", err)
			break
		}
		name, overlap := rt.InstanceFor(call.Number)
		in, mine := byName[name]
		if overlap {
			p.progress()
			continue // counted once per pass in Result.Overlaps, logged for nobody
		}
		w := wins[name]
		if !mine || call.StartedAt <= w.from.Unix() || call.StartedAt > w.to.Unix() {
			p.progress() // in the counted total, though not this pass's
			continue
		}
		state := p.handleCall(ctx, in, call)
		p.progress()
		if state == stateUnread || (state == store.StateWaiting && p.now.Sub(call.Started()) < p.r.opts.Lookback) {
			if h, ok := holds[name]; !ok || call.StartedAt < h {
				holds[name] = call.StartedAt
			}
		}
		if err := p.proceed(ctx); err != nil {
			return err
		}
	}
	if !p.po.Since.IsZero() || !listed {
		return nil
	}
	return p.advanceCalls(ctx, insts, holds)
}

// union is the smallest range that covers every window.
func union(wins map[string]window) (from, to time.Time) {
	first := true
	for _, w := range wins {
		if first || w.from.Before(from) {
			from = w.from
		}
		if first || w.to.After(to) {
			to = w.to
		}
		first = false
	}
	return from, to
}

// advanceCalls moves each instance's calls cursor to now, or to just before
// its earliest call that is not final yet (holds), so that it is read again.
func (p *pass) advanceCalls(ctx context.Context, insts []Instance, holds map[string]int64) error {
	for _, in := range insts {
		cur := p.now.Unix()
		if h, ok := holds[in.Name]; ok && h-1 < cur {
			cur = h - 1
		}
		if err := p.st.AdvanceCursor(ctx, in.Name, store.StreamCalls, cur); err != nil {
			return fmt.Errorf("advance cursor of %s: %w", in.Name, err)
		}
		p.results[in.Name].Cursor = time.Unix(cur, 0).UTC()
	}
	return nil
}

// retryOutsideWindow re-reads, by ID, the calls that failed or are still not
// final and have fallen out of the read window, so that one bad item never
// holds the cursor and is never forgotten either. The window is the one this
// pass listed, not the one the advanced cursor gives: a call the listing just
// tried is not tried again in the same pass (one attempt per pass).
func (p *pass) retryOutsideWindow(ctx context.Context, in Instance, rt Routing) error {
	from, ok := p.readFrom[in.Name]
	if !ok {
		wins, err := p.windows(ctx, []Instance{in})
		if err != nil {
			return err
		}
		from = wins[in.Name].from
	}
	items, err := p.st.ListItems(ctx, store.ItemFilter{Instance: in.Name, Kind: store.KindCall,
		States: []store.State{store.StateFailed, store.StateWaiting}, Until: from.Add(time.Second)})
	if err != nil {
		return fmt.Errorf("list items to retry: %w", err)
	}
	if items, err = p.withRetryRequested(ctx, in, store.KindCall, items); err != nil {
		return err
	}
	for _, it := range items {
		id, err := strconv.ParseInt(it.SourceID, 10, 64)
		if err != nil {
			continue
		}
		call, err := p.ac.GetCall(ctx, id)
		if err != nil {
			if isFatal(err) || ctx.Err() != nil {
				return err
			}
			if errors.Is(err, aircall.ErrNotFound) {
				it.State, it.Outcome, it.LastError = store.StateParked, store.OutcomeParked, "call no longer exists in Aircall"
				p.record(ctx, it, it.LastError)
			} else {
				p.fail(ctx, in, &it, err)
			}
		} else if name, overlap := rt.InstanceFor(call.Number); !overlap && name == in.Name {
			p.handleCall(ctx, in, call)
		} // else moved to another instance or overlapping: leave it
		if err := p.proceed(ctx); err != nil {
			return err
		}
	}
	return nil
}

// withRetryRequested adds to items those of the kind whose retry an
// operator requested and that no pass has acted on, whatever their age or
// window (once each).
func (p *pass) withRetryRequested(ctx context.Context, in Instance, kind store.Kind, items []store.Item) ([]store.Item, error) {
	asked, err := p.st.RetryRequested(ctx, in.Name, kind)
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

// decided records a call's decision once it has one (a customer was chosen
// or skipped), even when a later write failed: explain shows how far it got.
func (p *pass) decided(ctx context.Context, c *callItem) {
	if c.dec.CustomerRule != "" {
		p.putDecision(ctx, c.dec)
	}
}

// stateUnread is handleCall's answer when the ledger could not be read: the
// call was neither handled nor recorded, so the cursor must not pass it
// (a failed item is retried by ID; this one has no row to retry from).
const stateUnread store.State = "unread"

// handleCall takes one call to a final outcome if it can, and records what
// happened. It returns the item's resulting state.
func (p *pass) handleCall(ctx context.Context, in Instance, call aircall.Call) store.State {
	src := strconv.FormatInt(call.ID, 10)
	it, done, err := p.ledgerRow(ctx, in, store.KindCall, src)
	if err != nil {
		p.log.Error("read ledger", "instance", in.Name, "call", call.ID, "err", err)
		return stateUnread
	}
	if done {
		return it.State
	}
	it.OccurredAt = call.Started()
	if call.Status != "done" {
		p.notDone(ctx, in, call, &it)
		return it.State
	}
	c := &callItem{in: in, call: call, rc: p.r.rulesCall(in, call), src: src, it: &it,
		dec: store.Decision{Instance: in.Name, Kind: store.KindCall, SourceID: src}}
	if err := p.logCall(ctx, c); err != nil {
		if isFatal(err) {
			// Credentials went bad mid-pass: nothing about this item is
			// wrong, so do not spend one of its attempts.
			p.log.Error("fatal error while logging call", "instance", in.Name, "call", call.ID, "err", err)
			p.halt(err)
			return store.StateFailed
		}
		if ctx.Err() != nil {
			// The pass is being stopped (SIGTERM): the item was
			// abandoned, not failed. Its journal lets the next pass
			// carry on; no attempt is spent and no error recorded.
			p.log.Info("call abandoned: the pass is stopping", "instance", in.Name, "call", call.ID)
			return stateUnread
		}
		p.fail(ctx, in, &it, err)
		p.decided(ctx, c)
		return it.State
	}
	p.transientRun = 0
	p.record(ctx, it, it.Detail)
	p.decided(ctx, c)
	p.putFacts(ctx, it, callFacts(c.rc, call))
	p.log.Info("call", "instance", in.Name, "call", call.ID, "state", it.State, "outcome", it.Outcome,
		"customer", it.CustomerID, "conversation", it.ConversationID)
	return it.State
}

// ledgerRow reads an item's ledger row; done means it is already final,
// which is counted and planned here. A new item gets a fresh row.
func (p *pass) ledgerRow(ctx context.Context, in Instance, kind store.Kind, src string) (it store.Item, done bool, err error) {
	it, found, err := p.st.GetItem(ctx, in.Name, kind, src)
	if err != nil {
		return it, false, err
	}
	if !found {
		return store.Item{Instance: in.Name, Kind: kind, SourceID: src}, false, nil
	}
	if !it.Final() {
		if it.State == store.StateWaiting {
			p.wasWaiting[itemKey(in.Name, kind, src)] = true
		}
		return it, false, nil
	}
	p.count(in.Name, kind, store.OutcomeAlready)
	p.plan(PlanEntry{Instance: in.Name, Kind: kind, ID: src, Outcome: store.OutcomeAlready, Detail: string(it.State) + ": " + string(it.Outcome)})
	// Debug: every pass re-reads its lookback, so this is most items.
	p.log.Debug(string(kind)+" already done", "instance", in.Name, string(kind), src, "state", it.State, "outcome", it.Outcome)
	return it, true, nil
}

// notDone records a call that has not reached status done: it waits, until
// ENRICHMENT_MAX_AGE after which it is parked (it never will).
func (p *pass) notDone(ctx context.Context, in Instance, call aircall.Call, it *store.Item) {
	if p.now.Sub(call.Started()) >= in.Enrichment.MaxAge && in.Enrichment.MaxAge > 0 {
		it.State, it.Outcome, it.LastError = store.StateParked, store.OutcomeParked, "call never reached status done"
		p.record(ctx, *it, it.LastError)
		p.log.Warn("call parked: it never reached status done", "instance", in.Name, "call", call.ID,
			"status", call.Status, "started", call.Started())
		return
	}
	it.State, it.Outcome = store.StateWaiting, store.OutcomeInProgress
	p.record(ctx, *it, "call status "+call.Status)
	p.log.Info("call waiting: not done yet", "instance", in.Name, "call", call.ID, "status", call.Status)
}

// fail records a failed attempt; past MaxAttempts the item is parked.
func (p *pass) fail(ctx context.Context, in Instance, it *store.Item, err error) {
	p.noteFailure(err, func() { it.Attempts++ })
	it.LastError = err.Error()
	it.State, it.Outcome = store.StateFailed, store.OutcomeFailed
	if it.Attempts >= p.r.opts.MaxAttempts {
		it.State, it.Outcome = store.StateParked, store.OutcomeParked
	}
	p.record(ctx, *it, it.LastError)
	p.log.Warn("item failed", "instance", in.Name, "kind", it.Kind, "id", it.SourceID,
		"attempts", it.Attempts, "state", it.State, "err", err)
}

// record writes an item's ledger row and reports its outcome (a waiting
// item counts as waiting, whatever it waits for) with detail for the plan. The write must land even
// when the pass is being cancelled: the Help Scout write it records did. A
// row that cannot be written stops the pass: going on would make writes
// nobody records, and the pass would report success.
func (p *pass) record(ctx context.Context, it store.Item, detail string) {
	outcome := it.Outcome
	if it.State == store.StateWaiting {
		outcome = store.OutcomeWaiting
		p.countWaiting(it.Instance, it.Kind, it.SourceID)
	} else {
		p.count(it.Instance, it.Kind, outcome)
	}
	p.plan(PlanEntry{Instance: it.Instance, Kind: it.Kind, ID: it.SourceID, Outcome: outcome, Detail: detail})
	p.put(ctx, it)
	p.runProgress(ctx, it.Instance)
}

// put writes a ledger row without reporting an outcome; see record.
func (p *pass) put(ctx context.Context, it store.Item) {
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := p.st.PutItem(wctx, it); err != nil {
		p.log.Error("write ledger", "instance", it.Instance, "kind", it.Kind, "id", it.SourceID, "err", err)
		p.halt(fmt.Errorf("record %s %s in the ledger: %w", it.Kind, it.SourceID, err))
	}
}
