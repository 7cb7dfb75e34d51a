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

// pass is one pass: it runs the item loops and takes each item through its
// life (ledger row, resume or decide, write, record). The rest is held by
// small parts with one job each, which the pass wires at its start.
type pass struct {
	deps // the clients and store, behind the write guard in a dry run
	jr   journaler
	r    *Reconciler
	po   PassOptions
	now  time.Time
	log  *slog.Logger

	tally    *tally         // counts, problems, plan and progress
	brk      *breaker       // whether the pass goes on
	ledger   *ledger        // the items' ledger rows
	rec      *records       // decision records, sidebar facts, run records
	cust     *customers     // the customer rule and agent users
	convs    *conversations // the conversation rule and the conversations mirror
	contacts *contacts      // contact sync to Aircall
	ins      *insights      // transcripts and AI insights
	late     *lateNotes     // the late insights note
	w        *writer        // the journaled Help Scout writes of an item
	mirror   *MirrorSyncer

	// readFrom is, per instance, the exclusive lower bound of the window
	// this pass listed: older items are retried by ID (retryOutsideWindow).
	readFrom map[string]time.Time
}

// newPass prepares a pass. This is the one place that knows about dry runs:
// it puts the clients and the store behind the write guard, and keeps the
// metrics hook out of it (nothing happened).
func (r *Reconciler) newPass(po PassOptions) *pass {
	p := &pass{deps: r.live, r: r, po: po, now: r.opts.Now().UTC().Truncate(time.Second), log: r.log}
	onItem := r.opts.OnItem
	if po.DryRun {
		p.log = r.log.With("dry_run", true)
		p.deps = newWriteGuard(p.log).guard(r.live)
		onItem = nil
	}
	p.jr = journaler{hs: p.hs, st: p.st, log: p.log, overlap: r.opts.MirrorOverlap, mailboxes: map[string]int64{}}
	for _, in := range r.instances {
		p.jr.mailboxes[in.Name] = in.MailboxID
	}
	p.tally = &tally{results: map[string]*InstanceResult{}, onItem: onItem, onPlan: po.Plan, onProgress: po.Progress,
		wasWaiting: map[string]bool{}}
	p.brk = &breaker{log: p.log, t: p.tally}
	p.rec = &records{st: p.st, log: p.log, now: p.now, clock: r.opts.Now, t: p.tally}
	p.ledger = &ledger{st: p.st, log: p.log, t: p.tally, rec: p.rec, brk: p.brk, maxAttempts: r.opts.MaxAttempts}
	p.cust = &customers{hs: p.hs, st: p.st, jr: p.jr, log: p.log, now: p.now, userTTL: r.opts.UserCacheTTL,
		memo: map[string]resolvedCustomer{}, users: map[string]int64{}}
	p.convs = &conversations{hs: p.hs, st: p.st, now: p.now, overlap: r.opts.MirrorOverlap}
	p.contacts = &contacts{ac: p.ac, st: p.st, log: p.log}
	p.ins = &insights{ac: p.ac, st: p.st, log: p.log, now: p.now, addonOffFor: r.opts.AddonOffFor,
		webhookWindow: r.opts.InsightWebhookWindow}
	p.w = &writer{hs: p.hs, st: p.st, jr: p.jr, convs: p.convs}
	p.late = &lateNotes{ins: p.ins, ledger: p.ledger, t: p.tally, brk: p.brk, rec: p.rec, jr: p.jr, w: p.w, log: p.log, now: p.now}
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
			p.tally.results[in.Name] = &InstanceResult{Counts: map[store.Outcome]int{}}
		}
	}
	if len(insts) == 0 {
		return Result{}, fmt.Errorf("%w: unknown instance %q", ErrFatal, po.Instance)
	}
	res := Result{Instances: p.tally.results}

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

	if err := p.rec.startRuns(ctx, insts, po); err != nil {
		return res, err
	}
	p.mirror = r.mirrorSyncer(p.deps, insts, rt)
	p.mirror.Log = p.log
	p.cust.mirror = p.mirror
	passErr := p.syncMirrors(ctx, insts)
	if passErr == nil {
		passErr = p.items(ctx, insts, rt)
	}
	p.rec.finishRuns(ctx, insts, passErr)
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
		p.tally.total = p.countMessages(ctx, insts, rt)
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
	return p.brk.stop
}

// isFatal reports errors that no retry of the same pass can fix.
func isFatal(err error) bool {
	return errors.Is(err, aircall.ErrBadCredentials) || errors.Is(err, helpscout.ErrBadCredentials) || errors.Is(err, ErrFatal)
}
