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
// inclusive, on whole seconds, that is (⌈Since⌉−1s, ⌈Until⌉−1s]. Rounding
// both bounds up keeps a bound with a fraction of a second (RFC 3339
// allows one) exact for calls, whose started_at is whole seconds: a call
// at 08:00:00 is before a since of 08:00:00.5 and before an until of
// 08:00:00.5 alike. Messages compare their exact times against the
// unrounded bounds.
func (p *pass) windows(ctx context.Context, insts []Instance) (map[string]window, error) {
	out := map[string]window{}
	for _, in := range insts {
		if !p.po.Since.IsZero() {
			to := p.now // until now, now included
			if u := p.po.Until; !u.IsZero() && !u.After(p.now) {
				to = ceilSecond(u).Add(-time.Second)
			}
			out[in.Name] = window{from: ceilSecond(p.po.Since).Add(-time.Second), to: to}
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

// ceilSecond rounds t up to a whole second.
func ceilSecond(t time.Time) time.Time {
	if r := t.Truncate(time.Second); r.Before(t) {
		return r.Add(time.Second)
	}
	return t
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
			p.tally.total += n // the messages counted before
		}
	}
	// earliest started_at of a call that is not final yet, per instance:
	// the cursor does not pass it (docs/exactly-once.md#calls).
	holds := map[string]int64{}
	for call, err := range p.ac.ListCalls(ctx, from, to) {
		if err != nil {
			return p.listingFailed(ctx, insts, err)
		}
		name, overlap := rt.InstanceFor(call.Number)
		in, mine := byName[name]
		w := wins[name]
		if overlap || !mine || call.StartedAt <= w.from.Unix() || call.StartedAt > w.to.Unix() {
			// An overlapping line is counted once per pass in
			// Result.Overlaps and logged for nobody; another window's call
			// is in the counted total, though not this pass's.
			p.tally.progress()
			continue
		}
		state := p.handleCall(ctx, in, call)
		p.tally.progress()
		if state == stateUnread || (state == store.StateWaiting && p.now.Sub(call.Started()) < p.r.opts.Lookback) {
			if h, ok := holds[name]; !ok || call.StartedAt < h {
				holds[name] = call.StartedAt
			}
		}
		if err := p.brk.proceed(ctx); err != nil {
			return err
		}
	}
	if !p.po.Since.IsZero() {
		return nil
	}
	return p.advanceCalls(ctx, insts, holds)
}

// listingFailed handles a call listing that failed part-way: the calls
// cursors stay where they are (the rest is read next pass). Cancellation
// and bad credentials stop the pass; anything else is a problem of the pass
// reported for every instance, and the pass goes on with its other loops.
func (p *pass) listingFailed(ctx context.Context, insts []Instance, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	p.tally.problem("listing calls: "+err.Error(), insts...)
	if isFatal(err) {
		return err
	}
	p.log.Error("listing calls failed; cursor not advanced", "err", err)
	return nil
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
		p.tally.results[in.Name].Cursor = time.Unix(cur, 0).UTC()
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
	if items, err = p.ledger.withRetryRequested(ctx, in, store.KindCall, items); err != nil {
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
				p.ledger.record(ctx, it, it.LastError)
			} else {
				p.ledger.fail(ctx, &it, err)
			}
		} else if name, overlap := rt.InstanceFor(call.Number); !overlap && name == in.Name {
			p.handleCall(ctx, in, call)
		} // else moved to another instance or overlapping: leave it
		if err := p.brk.proceed(ctx); err != nil {
			return err
		}
	}
	return nil
}

// stateUnread is handleCall's answer when the ledger could not be read: the
// call was neither handled nor recorded, so the cursor must not pass it
// (a failed item is retried by ID; this one has no row to retry from).
const stateUnread store.State = "unread"

// handleCall takes one call to a final outcome if it can, and records what
// happened. It returns the item's resulting state.
func (p *pass) handleCall(ctx context.Context, in Instance, call aircall.Call) store.State {
	src := strconv.FormatInt(call.ID, 10)
	it, done, err := p.ledger.row(ctx, itemRef{in.Name, store.KindCall, src})
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
	err = p.logCall(ctx, c)
	if err != nil && isFatal(err) {
		// Credentials went bad mid-pass: nothing about this item is
		// wrong, so do not spend one of its attempts.
		p.log.Error("fatal error while logging call", "instance", in.Name, "call", call.ID, "err", err)
		p.brk.halt(err)
		return store.StateFailed
	}
	if err != nil && ctx.Err() != nil {
		// The pass is being stopped (SIGTERM): the item was abandoned, not
		// failed. Its journal lets the next pass carry on; no attempt is
		// spent and no error recorded.
		p.log.Info("call abandoned: the pass is stopping", "instance", in.Name, "call", call.ID)
		return stateUnread
	}
	if err != nil {
		p.ledger.fail(ctx, &it, err)
	} else {
		p.brk.answered()
		p.ledger.record(ctx, it, it.Detail)
	}
	// The decision is recorded once there is one (a customer was chosen or
	// skipped), even when a later write failed: explain shows how far it got.
	if c.dec.CustomerRule != "" {
		p.rec.putDecision(ctx, c.dec)
	}
	if err != nil {
		return it.State
	}
	p.rec.putFacts(ctx, it, callFacts(c.rc, call))
	p.log.Info("call", "instance", in.Name, "call", call.ID, "state", it.State, "outcome", it.Outcome,
		"customer", it.CustomerID, "conversation", it.ConversationID)
	return it.State
}

// notDone records a call that has not reached status done: it waits, until
// ENRICHMENT_MAX_AGE after which it is parked (it never will).
func (p *pass) notDone(ctx context.Context, in Instance, call aircall.Call, it *store.Item) {
	if p.now.Sub(call.Started()) >= in.Enrichment.MaxAge && in.Enrichment.MaxAge > 0 {
		it.State, it.Outcome, it.LastError = store.StateParked, store.OutcomeParked, "call never reached status done"
		p.ledger.record(ctx, *it, it.LastError)
		p.log.Warn("call parked: it never reached status done", "instance", in.Name, "call", call.ID,
			"status", call.Status, "started", call.Started())
		return
	}
	it.State, it.Outcome = store.StateWaiting, store.OutcomeInProgress
	p.ledger.record(ctx, *it, "call status "+call.Status)
	p.log.Info("call waiting: not done yet", "instance", in.Name, "call", call.ID, "status", call.Status)
}
