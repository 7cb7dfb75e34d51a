package reconciler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aircall-helpscout/aircall-helpscout/clients/aircall"
	"github.com/aircall-helpscout/aircall-helpscout/clients/helpscout"
	"github.com/aircall-helpscout/aircall-helpscout/store"
)

// PassOptions describe one pass.
type PassOptions struct {
	// Instance limits the pass to one instance ("" = all).
	Instance string
	// Since/Until make the pass a manual catch-up of [Since, Until): the
	// scheduled cursor is neither read nor moved. Zero Since = scheduled pass.
	Since, Until time.Time
	// DryRun decides everything and writes nothing anywhere: no Help Scout
	// or Aircall write, no ledger, cursor, cache or run record.
	DryRun bool
	// Plan receives one entry per item in a dry run (and, if set, in a real
	// run too): what the item got or would get.
	Plan func(PlanEntry)
	// Progress is called after each call handled; Total is filled when
	// CountTotal is set (one extra Aircall request per pass).
	Progress   func(Progress)
	CountTotal bool
	// Mode labels the run in the history ("scheduled", "catchup", "dry-run").
	Mode string
}

// PlanEntry says what happened, or would happen, to one item.
type PlanEntry struct {
	Instance string
	Kind     store.Kind
	ID       string
	Outcome  store.Outcome
	Detail   string
}

// Progress of a pass.
type Progress struct {
	Done, Total int
}

// Result of a pass.
type Result struct {
	Instances map[string]*InstanceResult
	Overlaps  []string
}

// InstanceResult is what a pass did for one instance.
type InstanceResult struct {
	Counts map[store.Outcome]int // outcome → items
	Errors []string              // pass-level problems (the listing failed, ...)
	Cursor time.Time             // the calls cursor after the pass (scheduled passes)
}

// Fatal errors end a pass at once: retrying items cannot help.
var ErrFatal = errors.New("fatal")

// pass is the state of one pass: memos that spare API requests for items of
// the same customer or agent, counters and options.
type pass struct {
	deps    // the clients and store, behind the write guard in a dry run
	jr      journaler
	r       *Reconciler
	po      PassOptions
	now     time.Time
	log     *slog.Logger
	onItem  func(instance string, kind store.Kind, outcome store.Outcome)
	results map[string]*InstanceResult
	// memo of customer resolution by instance+E.164, and of agent users
	customers map[string]resolvedCustomer
	// wasWaiting holds the items (itemKey) whose ledger row this pass read
	// in state waiting: waiting again is no new outcome for the metrics.
	wasWaiting map[string]bool
	users      map[string]int64
	addonOff   *bool
	// aiHooks memoises insightWebhooksOn for the pass.
	aiHooks *bool
	// mirror normalises phones for the mirrors; customersReady and
	// convsReady (by mailbox) say which mirrors are complete this pass, and
	// v3Off that the v3 search refused this pass.
	mirror         *MirrorSyncer
	customersReady bool
	convsReady     map[int64]bool
	v3Off          bool
	// closedConvs holds, for a catch-up older than the reopen window, the
	// conversations closed in its period, by mailbox and customer.
	closedConvs map[int64]map[int64][]store.MirrorConversation
	// readFrom is, per instance, the exclusive lower bound of the window
	// this pass listed: older items are retried by ID (retryOutsideWindow).
	readFrom map[string]time.Time
	done     int
	total    int
	// runIDs are the run records of this pass by instance, which
	// runProgress keeps up to date as items land.
	runIDs map[string]int64
	// transientRun counts items in a row that failed for API reasons.
	transientRun int
	// stop is set when the pass cannot go on after the current item:
	// credentials went bad (no retry can fix that), or the ledger could not
	// be written (going on would make writes nobody records).
	stop error
}

// newPass prepares a pass. This is the one place that knows about dry runs:
// it puts the clients and the store behind the write guard, and keeps the
// metrics hook out of it (nothing happened).
func (r *Reconciler) newPass(po PassOptions) *pass {
	p := &pass{deps: r.live, r: r, po: po, now: r.opts.Now().UTC().Truncate(time.Second), log: r.log,
		onItem: r.opts.OnItem, results: map[string]*InstanceResult{},
		customers: map[string]resolvedCustomer{}, users: map[string]int64{}, wasWaiting: map[string]bool{}}
	if po.DryRun {
		p.log = r.log.With("dry_run", true)
		p.deps = newWriteGuard(p.log).guard(r.live)
		p.onItem = nil
	}
	p.jr = journaler{hs: p.hs, st: p.st, log: p.log, overlap: r.opts.MirrorOverlap, mailboxes: map[string]int64{}}
	for _, in := range r.instances {
		p.jr.mailboxes[in.Name] = in.MailboxID
	}
	return p
}

// RunPass runs one pass over the selected instances. It returns an error
// wrapping ErrFatal for problems no retry can fix (bad credentials, unknown
// instance); per-item failures are recorded and counted, not returned.
func (r *Reconciler) RunPass(ctx context.Context, po PassOptions) (Result, error) {
	p := r.newPass(po)
	var insts []Instance
	for _, in := range r.instances {
		if po.Instance == "" || po.Instance == in.Name {
			insts = append(insts, in)
			p.results[in.Name] = &InstanceResult{Counts: map[store.Outcome]int{}}
		}
	}
	if len(insts) == 0 {
		return Result{}, fmt.Errorf("%w: unknown instance %q", ErrFatal, po.Instance)
	}
	res := Result{Instances: p.results}

	rt, err := r.routing(ctx)
	if err != nil {
		if isFatal(err) {
			return res, fmt.Errorf("%w: %w", ErrFatal, err)
		}
		r.log.Warn("routing without Aircall's number list", "err", err)
	}
	res.Overlaps = rt.OverlapProblems()
	for _, o := range res.Overlaps {
		r.log.Error("number overlap", "problem", o)
	}

	runIDs, err := p.startRuns(ctx, insts)
	if err != nil {
		return res, err
	}
	p.runIDs = runIDs
	p.mirror = r.mirrorSyncer(p.deps, insts, rt)
	p.mirror.Log = p.log
	if err := p.syncMirrors(ctx, insts); err != nil {
		p.finishRuns(ctx, insts, runIDs, err)
		if isFatal(err) {
			return res, fmt.Errorf("%w: %w", ErrFatal, err)
		}
		return res, err
	}
	passErr := p.items(ctx, insts, rt)
	p.finishRuns(ctx, insts, runIDs, passErr)
	if passErr != nil && isFatal(passErr) {
		return res, fmt.Errorf("%w: %w", ErrFatal, passErr)
	}
	return res, passErr
}

// items runs the item loops in order: the calls listed in the window, then
// (scheduled passes) the calls retried by ID and the late insights, then the
// messages. The first loop that stops the pass stops the rest.
func (p *pass) items(ctx context.Context, insts []Instance, rt Routing) error {
	if p.po.CountTotal {
		p.total = p.countMessages(ctx, insts, rt)
	}
	if err := p.calls(ctx, insts, rt); err != nil {
		return err
	}
	if p.po.Since.IsZero() {
		for _, in := range insts {
			if err := p.retryOutsideWindow(ctx, in, rt); err != nil {
				return err
			}
			if err := p.lateEnrichment(ctx, in); err != nil {
				return err
			}
		}
	}
	for _, in := range insts {
		if err := p.messages(ctx, in, rt); err != nil {
			return err
		}
	}
	return p.stop
}

// startRuns records the start of the pass in each instance's history.
func (p *pass) startRuns(ctx context.Context, insts []Instance) (map[string]int64, error) {
	mode := p.po.Mode
	if mode == "" {
		mode = "scheduled"
		if !p.po.Since.IsZero() {
			mode = "catchup"
		}
	}
	ids := map[string]int64{}
	for _, in := range insts {
		id, err := p.st.StartRun(ctx, store.Run{Instance: in.Name, Mode: mode, Since: p.po.Since, Until: p.po.Until, StartedAt: p.now})
		if err != nil {
			return nil, fmt.Errorf("record run start: %w", err)
		}
		ids[in.Name] = id
	}
	return ids, nil
}

// finishRuns records the end of the pass, with its first problem. The
// record must survive a cancelled context (SIGTERM).
func (p *pass) finishRuns(ctx context.Context, insts []Instance, ids map[string]int64, passErr error) {
	for _, in := range insts {
		ir := p.results[in.Name]
		msg := ""
		if errors.Is(passErr, context.Canceled) {
			// Stopped from outside (SIGTERM): no item failed, and the
			// item in hand is taken again by the next pass.
			msg = errInterrupted
		} else if passErr != nil {
			msg = passErr.Error()
		} else if len(ir.Errors) > 0 {
			msg = ir.Errors[0]
		}
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		if err := p.st.FinishRun(fctx, ids[in.Name], p.r.opts.Now().UTC(), ir.Counts, msg); err != nil {
			p.log.Error("record run end", "instance", in.Name, "err", err)
		}
		cancel()
	}
}

// errInterrupted is the run record's error of a pass stopped from outside.
const errInterrupted = "interrupted (the process was stopped): the rest waits for the next pass"

// halt stops the pass after the current item; the first reason wins.
func (p *pass) halt(err error) {
	if p.stop == nil {
		p.stop = err
	}
}

// noteFailure counts an item's failure towards the outage breaker: failures
// about the APIs (outage, timeouts, rate limits) count in a row; any other
// resets the run and, through itemFault, is held against the item.
func (p *pass) noteFailure(err error, itemFault func()) {
	if transient(err) {
		p.transientRun++
		return
	}
	p.transientRun = 0
	if itemFault != nil {
		itemFault()
	}
}

// proceed is asked after each item of every loop (calls, calls retried by
// ID, late insights, messages) and says whether the pass goes on: not once
// it was halted or cancelled, nor after maxTransientInARow API failures in a
// row, which leave the rest, cursors unmoved, for the next pass.
func (p *pass) proceed(ctx context.Context) error {
	if p.stop != nil {
		return p.stop
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if p.transientRun >= maxTransientInARow {
		for _, ir := range p.results {
			ir.Errors = append(ir.Errors, errOutage.Error())
		}
		p.log.Error("stopping pass", "err", errOutage)
		return errOutage
	}
	return nil
}

// isFatal reports errors that no retry of the same pass can fix.
func isFatal(err error) bool {
	return errors.Is(err, aircall.ErrBadCredentials) || errors.Is(err, helpscout.ErrBadCredentials) || errors.Is(err, ErrFatal)
}

// count records an item outcome in the result, the metrics hook and the
// progress callback.
func (p *pass) count(inst string, kind store.Kind, outcome store.Outcome) {
	p.results[inst].Counts[outcome]++
	if p.onItem != nil {
		p.onItem(inst, kind, outcome)
	}
}

// countWaiting records an item that waits (for status done, or for its
// transcript/AI). The pass's result counts it every pass, since it says what
// the pass saw; the metrics hook only when the item starts waiting, since a
// call waiting ten passes is one item waiting, not ten, and
// items_total{outcome="waiting"} must not grow with the schedule.
func (p *pass) countWaiting(inst string, kind store.Kind, src string) {
	if !p.wasWaiting[itemKey(inst, kind, src)] {
		p.count(inst, kind, store.OutcomeWaiting)
		return
	}
	p.results[inst].Counts[store.OutcomeWaiting]++
}

// itemKey names an item across instances and kinds.
func itemKey(inst string, kind store.Kind, src string) string {
	return inst + "\x00" + string(kind) + "\x00" + src
}

func (p *pass) plan(e PlanEntry) {
	if p.po.Plan != nil {
		p.po.Plan(e)
	}
}

func (p *pass) progress() {
	p.done++
	if p.po.Progress != nil {
		p.po.Progress(Progress{Done: p.done, Total: p.total})
	}
}
