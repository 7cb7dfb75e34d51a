package reconciler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aircall-helpscout/aircall-helpscout/clients/aircall"
	"github.com/aircall-helpscout/aircall-helpscout/rules"
	"github.com/aircall-helpscout/aircall-helpscout/store"
)

// This file holds what a pass records for people rather than for
// exactly-once: the decision record of each item (explain and the status
// item page show why it went where it went, as it was true then), the
// sidebar facts of each logged item (the Help Scout sidebar answers from the
// database alone), and the running counts of the pass (a pass killed mid-way
// still shows what it did). None of it may fail an item or the pass: the
// Help Scout writes it describes have landed and the ledger says so; a
// failure is logged.

// recordTimeout bounds each write that must land even when the pass is
// cancelled (a ledger row, a journal outcome, a mirror update, a record for
// people): the Help Scout write it follows already landed.
const recordTimeout = 5 * time.Second

// detached is the context of such a write: it survives the pass's
// cancellation, within recordTimeout.
func detached(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
}

// records writes what a pass records for people: decision records, looks
// at Aircall for insights, sidebar facts and the run records.
type records struct {
	st    State
	log   *slog.Logger
	now   time.Time
	clock func() time.Time // the end of a run is read when it ends
	t     *tally
	// runIDs are the run records of this pass by instance, which
	// runProgress keeps up to date as items land.
	runIDs map[string]int64
}

// customerRule names the rule that chose an item's customer. A customer
// remembered from an earlier item of the same pass keeps the rule that chose
// it (a customer this pass created counts as created).
func customerRule(cust resolvedCustomer, e164 string) store.CustomerRule {
	switch {
	case e164 == "":
		return store.RuleAnonymous
	case cust.Skip:
		return store.RuleSkipDuplicates
	case len(cust.Candidates) > 1:
		return store.RuleMostRecent
	case len(cust.Candidates) == 1:
		return store.RuleOneMatch
	}
	return store.RuleCreated
}

// decideCustomer fills the customer part of a decision record.
func decideCustomer(d *store.Decision, cust resolvedCustomer, e164 string) {
	d.CustomerRule, d.CustomerID = customerRule(cust, e164), cust.ID
	d.Candidates = append([]int64(nil), cust.Candidates...)
	if cust.Skip {
		d.CustomerID = 0
	}
}

// conversationReason is the decision record's name of a conversation action.
var conversationReason = map[rules.Action]store.ConversationReason{
	rules.ActionNew: store.ConversationNew, rules.ActionExisting: store.ConversationExisting, rules.ActionReopen: store.ConversationReopened,
}

// insightStates says, for the decision record, what became of a call's
// transcript and AI insights when it was logged.
func insightStates(pol rules.EnrichmentPolicy, rc rules.Call, addonOff bool, enrichment store.Enrichment) (transcript, ai store.InsightState) {
	state := func(enabled bool) store.InsightState {
		switch {
		case !enabled:
			return store.InsightOff
		case enrichment == store.EnrichmentDone:
			return store.InsightIncluded
		case enrichment == store.EnrichmentPending:
			return store.InsightPending
		case addonOff:
			return store.InsightNotLicensed
		case !rules.ExpectsEnrichment(rc):
			return store.InsightNone
		}
		return store.InsightGaveUp // expected, but the call was past ENRICHMENT_MAX_AGE
	}
	return state(pol.Transcripts), state(pol.AIInsights)
}

// putDecision records an item's decision (best effort).
func (r *records) putDecision(ctx context.Context, d store.Decision) {
	if d.DecidedAt.IsZero() {
		d.DecidedAt = r.now
	}
	wctx, cancel := detached(ctx)
	defer cancel()
	if err := r.st.PutDecision(wctx, d); err != nil {
		r.log.Error("record decision", "instance", d.Instance, "kind", d.Kind, "id", d.SourceID, "err", err)
	}
}

// noteLook records a look at Aircall for a call's transcript/AI and the
// states it left ("" keeps one as it was); best effort.
func (r *records) noteLook(ctx context.Context, inst, src string, look store.InsightLook) {
	wctx, cancel := detached(ctx)
	defer cancel()
	if err := r.st.NoteInsightsLook(wctx, inst, store.KindCall, src, look); err != nil {
		r.log.Warn("record transcript/AI look", "instance", inst, "call", src, "err", err)
	}
}

// putFacts records the sidebar facts of a logged item, after its ledger row
// (best effort: without them the sidebar shows the item with fewer details).
func (r *records) putFacts(ctx context.Context, it store.Item, f store.ItemFacts) {
	if it.State != store.StateLogged {
		return
	}
	wctx, cancel := detached(ctx)
	defer cancel()
	if err := r.st.PutItemFacts(wctx, it.Instance, it.Kind, it.SourceID, f); err != nil {
		r.log.Warn("record sidebar facts", "instance", it.Instance, "kind", it.Kind, "id", it.SourceID, "err", err)
	}
}

// callFacts are the sidebar facts of a call.
func callFacts(rc rules.Call, call aircall.Call) store.ItemFacts {
	f := store.ItemFacts{Direction: rc.Direction, CallOutcome: string(rc.Outcome()), Duration: rc.Duration,
		Agent: rc.AgentName, Line: rc.LineName, ExternalE164: rc.ExternalE164}
	if call.Number != nil {
		f.TimeZone = call.Number.TimeZone
	}
	return f
}

// messageFacts are the sidebar facts of an SMS or WhatsApp message.
func messageFacts(rm rules.Message, m aircall.Message) store.ItemFacts {
	f := store.ItemFacts{Direction: rm.Direction, Channel: string(rm.Channel), Agent: rm.AgentName, Line: rm.LineName,
		ExternalE164: rm.ExternalE164}
	if m.Number != nil {
		f.TimeZone = m.Number.TimeZone
	}
	return f
}

// runProgress writes the running counts of an instance's pass to its run
// record, so that a pass killed before its end still shows what it did. It
// runs after each ledger write, which already costs a write: the items a
// pass merely re-reads (already done) add none.
func (r *records) runProgress(ctx context.Context, inst string) {
	id, ok := r.runIDs[inst]
	if !ok {
		return
	}
	wctx, cancel := detached(ctx)
	defer cancel()
	if err := r.st.RunProgress(wctx, id, r.t.results[inst].Counts); err != nil {
		r.log.Warn("record pass progress", "instance", inst, "err", err)
	}
}

// startRuns records the start of the pass in each instance's history.
func (r *records) startRuns(ctx context.Context, insts []Instance, po PassOptions) error {
	mode := po.Mode
	if mode == "" {
		mode = "scheduled"
		if !po.Since.IsZero() {
			mode = "catchup"
		}
	}
	r.runIDs = map[string]int64{}
	for _, in := range insts {
		id, err := r.st.StartRun(ctx, store.Run{Instance: in.Name, Mode: mode, Since: po.Since, Until: po.Until, StartedAt: r.now})
		if err != nil {
			return fmt.Errorf("record run start: %w", err)
		}
		r.runIDs[in.Name] = id
	}
	return nil
}

// finishRuns records the end of the pass, with its first problem. The
// record must survive a cancelled context (SIGTERM).
func (r *records) finishRuns(ctx context.Context, insts []Instance, passErr error) {
	for _, in := range insts {
		ir := r.t.results[in.Name]
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
		fctx, cancel := detached(ctx)
		if err := r.st.FinishRun(fctx, r.runIDs[in.Name], r.clock().UTC(), ir.Counts, msg); err != nil {
			r.log.Error("record run end", "instance", in.Name, "err", err)
		}
		cancel()
	}
}

// errInterrupted is the run record's error of a pass stopped from outside.
const errInterrupted = "interrupted (the process was stopped): the rest waits for the next pass"
