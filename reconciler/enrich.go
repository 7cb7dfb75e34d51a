package reconciler

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aircall-helpscout/aircall-helpscout/clients/aircall"
	"github.com/aircall-helpscout/aircall-helpscout/clients/helpscout"
	"github.com/aircall-helpscout/aircall-helpscout/rules"
	"github.com/aircall-helpscout/aircall-helpscout/store"
)

// aiOff reports whether a recent 403 said the AI add-on is off.
func (p *pass) aiOff(ctx context.Context) (bool, error) {
	if p.addonOff != nil {
		return *p.addonOff, nil
	}
	// The end of the flag is compared with the pass clock, so that a
	// catch-up pass agrees with it.
	until, err := p.st.AddonOffUntil(ctx)
	if err != nil {
		return false, err
	}
	off := p.now.Before(until)
	p.addonOff = &off
	return off, nil
}

func (p *pass) markAddonOff(ctx context.Context) {
	off := true
	p.addonOff = &off
	p.log.Warn("Aircall AI add-on answered 403: logging calls without transcript/AI for a while", "for", p.r.opts.AddonOffFor)
	if err := p.st.PutAddonOffUntil(context.WithoutCancel(ctx), p.now.Add(p.r.opts.AddonOffFor)); err != nil {
		p.log.Error("remember AI add-on off", "err", err)
	}
}

// DefaultInsightWebhookWindow is how recent the last transcript/AI webhook
// must be for passes to trust webhooks alone. A day: Aircall generates
// insights minutes after a call, so a company whose webhook sends them sees
// deliveries every working day, and a quiet weekend costs at most the REST
// reads of Monday's first calls until the next delivery; a company whose
// webhook lacks these events never has a recent one and keeps reading the
// AI endpoints.
const DefaultInsightWebhookWindow = 24 * time.Hour

// insightWebhooksOn reports whether a transcript/AI webhook was received
// within Options.InsightWebhookWindow of the pass clock: then insights not
// delivered yet are waited for instead of read from the AI endpoints, and a
// call whose insights come by webhook costs no Aircall request for them.
// Asked once per pass.
func (p *pass) insightWebhooksOn(ctx context.Context) (bool, error) {
	if p.aiHooks != nil {
		return *p.aiHooks, nil
	}
	at, found, err := p.st.LastInsightDelivery(ctx)
	if err != nil {
		return false, err
	}
	on := found && p.now.Sub(at) < p.r.opts.InsightWebhookWindow
	p.aiHooks = &on
	return on, nil
}

// keptInsights reads the insights delivered by webhook for a call. One that
// cannot be decoded is logged and left out, so that it is read from the AI
// endpoint (or waited for) like one never delivered.
func (p *pass) keptInsights(ctx context.Context, callID int64) (aircall.CallInsights, error) {
	var ci aircall.CallInsights
	evs, err := p.st.CallInsights(ctx, callID)
	if err != nil {
		return ci, err
	}
	for _, ev := range evs {
		if err := ci.Add(ev.Kind, ev.Payload); err != nil {
			p.log.Warn("insight delivered by webhook is unreadable; ignored", "call", callID, "kind", ev.Kind, "err", err)
		}
	}
	return ci, nil
}

// fetchEnrichment gathers what Aircall has generated for a call, only what
// the instance logs: first the insights its webhooks delivered (no request),
// then, when ask is set, the AI endpoints for what is still missing, in the
// order of today's polling and stopping at the first "not yet": the summary
// and the rest are generated from the transcript, so when it is not there
// they are not either, and each request counts against a small budget.
// off says a 403 told that the add-on is off (nothing is returned then).
func (p *pass) fetchEnrichment(ctx context.Context, in Instance, call aircall.Call, ask bool) (rules.Enrichment, bool, error) {
	var e rules.Enrichment
	pol := in.Enrichment
	kept, err := p.keptInsights(ctx, call.ID)
	if err != nil {
		return e, false, err
	}
	// notYet sorts a REST error: stop is a "not yet" (or an add-on
	// answering 403, which err then says), anything else is err.
	notYet := func(err error) (stop bool, _ error) {
		switch {
		case errors.Is(err, aircall.ErrNotReady):
			return true, nil
		case errors.Is(err, aircall.ErrNotLicensed):
			p.markAddonOff(ctx)
			return true, errAddonOff
		}
		return false, err
	}
	agent := agentName(call)
	if pol.Transcripts {
		t := kept.Transcription
		if t == nil && ask {
			got, err := p.ac.Transcription(ctx, call.ID)
			if err != nil {
				_, err := notYet(err)
				if errors.Is(err, errAddonOff) {
					return rules.Enrichment{}, true, nil
				}
				return e, false, wrapAI("transcription", err)
			}
			t = &got
		}
		if t != nil {
			e.TranscriptSeen = true
			for _, u := range t.Utterances {
				e.Transcript = append(e.Transcript, rules.Utterance{Speaker: speakerName(u.SpeakerLabel(), agent), Start: u.StartTime, Text: u.Text})
			}
		}
	}
	if !pol.AIInsights {
		return e, false, nil
	}
	// Without the transcript, no request: the rest is generated from it.
	ask = ask && (e.TranscriptSeen || !pol.Transcripts)
	s := kept.Summary
	if s == nil && ask {
		got, err := p.ac.Summary(ctx, call.ID)
		if err != nil {
			_, err := notYet(err)
			if errors.Is(err, errAddonOff) {
				return rules.Enrichment{}, true, nil
			}
			if err != nil {
				return e, false, wrapAI("summary", err)
			}
			ask = false // not yet: the extras are not there either
		} else {
			s = &got
		}
	}
	if s != nil {
		e.SummarySeen, e.Summary = true, s.Content
	}
	// The rest are extras: absent ones are simply not shown.
	topics := kept.Topics
	if topics == nil && ask {
		if t, err := p.ac.Topics(ctx, call.ID); err == nil {
			topics = &t
		} else if _, err := notYet(err); err != nil {
			return e, errors.Is(err, errAddonOff), ignoreAddonOff(wrapAI("topics", err))
		}
	}
	if topics != nil {
		e.Topics = topics.Content
	}
	items := kept.ActionItems
	if items == nil && ask {
		if a, err := p.ac.ActionItems(ctx, call.ID); err == nil {
			items = &a
		} else if _, err := notYet(err); err != nil {
			return e, errors.Is(err, errAddonOff), ignoreAddonOff(wrapAI("action items", err))
		}
	}
	if items != nil {
		e.ActionItems = items.Items
	}
	sents := kept.Sentiments
	if sents == nil && ask {
		if s, err := p.ac.Sentiments(ctx, call.ID); err == nil {
			sents = &s
		} else if _, err := notYet(err); err != nil {
			return e, errors.Is(err, errAddonOff), ignoreAddonOff(wrapAI("sentiments", err))
		}
	}
	if sents != nil {
		for _, sp := range sents.Participants {
			e.Sentiments = append(e.Sentiments, rules.Sentiment{Who: speakerName(sp.SpeakerLabel(), agent), Value: sp.Value})
		}
	}
	return e, false, nil
}

// speakerName names a transcript or sentiment participant from the label
// the Aircall client gives its participant type.
func speakerName(label, agent string) string {
	switch label {
	case aircall.SpeakerAgent:
		return rules.SpeakerName(rules.RoleAgent, label, agent)
	case aircall.SpeakerCaller:
		return rules.SpeakerName(rules.RoleCustomer, label, agent)
	}
	return rules.SpeakerName(rules.RoleOther, label, agent)
}

// agentName is how the agent's lines are labelled in a note: the Aircall
// user's name, "Agent" when the call does not say.
func agentName(call aircall.Call) string {
	if call.User != nil && strings.TrimSpace(call.User.Name) != "" {
		return call.User.Name
	}
	return "Agent"
}

var errAddonOff = errors.New("AI add-on off")

// lateCallGrace keeps a late-insight record past ENRICHMENT_MAX_AGE, for
// passes that reach the give-up point late (an outage). After it, the late
// path falls back to the call's start and "Agent".
const lateCallGrace = 7 * 24 * time.Hour

// rememberLateCall records, for a call just logged with its enrichment
// pending, what the late path needs and the ledger does not hold: when the
// call ended (the give-up point counts from it, as the wait does) and the
// agent's name (the note's speaker), so that the late note costs no extra
// Aircall request to read the call again. Best effort: without it the late
// path still works, on the call's start time and without the agent's name.
func (p *pass) rememberLateCall(ctx context.Context, in Instance, call aircall.Call, ended time.Time) {
	p.putLateCall(ctx, in, store.LateInsight{Instance: in.Name, CallID: call.ID, EndedAt: ended, Agent: agentName(call)})
}

// putLateCall stores li (best effort), to be kept until a while past the
// give-up age.
func (p *pass) putLateCall(ctx context.Context, in Instance, li store.LateInsight) {
	li.ExpiresAt = p.now.Add(in.Enrichment.MaxAge + lateCallGrace)
	if err := p.st.PutLateInsight(context.WithoutCancel(ctx), li); err != nil {
		p.log.Warn("remember call for late insights", "instance", in.Name, "call", li.CallID, "err", err)
	}
}

// lateCallOf returns what was remembered of a call logged without its
// enrichment; for a call logged before this was kept (or whose record was
// lost or unreadable), when it started, no agent and no earlier look.
func (p *pass) lateCallOf(ctx context.Context, in Instance, it store.Item, callID int64) (ended time.Time, call aircall.Call, li store.LateInsight) {
	call = aircall.Call{ID: callID}
	li = store.LateInsight{Instance: in.Name, CallID: callID, EndedAt: it.OccurredAt}
	got, ok, err := p.st.LateInsight(ctx, in.Name, callID)
	if err != nil || !ok {
		return li.EndedAt, call, li
	}
	li = got
	if li.EndedAt.IsZero() {
		li.EndedAt = it.OccurredAt
	}
	if li.Agent != "" && li.Agent != "Agent" {
		call.User = &aircall.User{Name: li.Agent}
	}
	return li.EndedAt, call, li
}

func ignoreAddonOff(err error) error {
	if errors.Is(err, errAddonOff) {
		return nil
	}
	return err
}

func wrapAI(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("read call %s: %w", what, err)
}

// lateEnrichment adds the transcript/AI note to calls that were logged
// without it, until ENRICHMENT_MAX_AGE after the call ended.
func (p *pass) lateEnrichment(ctx context.Context, in Instance) error {
	if !in.Enrichment.Enabled() {
		return nil
	}
	items, err := p.st.ListItems(ctx, store.ItemFilter{Instance: in.Name, Kind: store.KindCall,
		States: []store.State{store.StateLogged}, Enrichment: store.EnrichmentPending})
	if err != nil {
		return fmt.Errorf("list calls waiting for insights: %w", err)
	}
	for _, it := range items {
		if err := p.lateLook(ctx, in, it); err != nil {
			return err
		}
		if err := p.proceed(ctx); err != nil {
			return err
		}
	}
	return nil
}

// lateLook looks, when one is due, for the insights of one call logged
// without them, and adds the note when they are there or it is the last look.
// It returns only errors that stop the pass.
func (p *pass) lateLook(ctx context.Context, in Instance, it store.Item) error {
	id, _ := strconv.ParseInt(it.SourceID, 10, 64)
	// The give-up point counts from the call's end, as the wait did;
	// speaker names come from the call as it was logged.
	ended, call, lc := p.lateCallOf(ctx, in, it, id)
	expired := rules.LateEnrichmentExpired(in.Enrichment, ended, p.now)
	// The insights delivered by webhook first: looking at them costs no
	// request, so it is done on every pass, and a call whose insights came
	// after it was logged gets its note with no Aircall request at all.
	kept, _, err := p.fetchEnrichment(ctx, in, call, false)
	if err != nil {
		return err
	}
	if in.Enrichment.Ready(kept) {
		p.noteLateLook(ctx, in, it, kept, false, expired)
		return p.addLateNote(ctx, in, it, id, ended, in.Enrichment.Filter(kept))
	}
	if !rules.LateLookDue(in.Enrichment, ended, lc.LookedAt, p.now) {
		return nil // looked recently: spare Aircall's budget
	}
	off, err := p.aiOff(ctx)
	if err != nil {
		return err
	}
	hooks, err := p.insightWebhooksOn(ctx)
	if err != nil {
		return err
	}
	if off {
		// No look is possible while the add-on is off; an expired call
		// will never get one.
		if expired {
			p.lateGiveUp(ctx, it, "")
		}
		return nil
	}
	// The transcript is read first so that a call whose insights are not
	// ready costs one request. Past ENRICHMENT_MAX_AGE this is the last
	// look: what is there then is logged (a transcript whose summary never
	// came), and nothing is asked again. While webhooks deliver insights,
	// nothing is asked: what they delivered is all there is.
	e, off, err := p.fetchEnrichment(ctx, in, call, !hooks)
	if err != nil && !errors.Is(err, aircall.ErrNotReady) {
		if isFatal(err) {
			return err
		}
		p.noteFailure(err, nil)
		p.log.Warn("read late insights", "instance", in.Name, "call", id, "err", err)
		return nil
	}
	p.noteLateLook(ctx, in, it, e, off, expired)
	if off || !in.Enrichment.LateNoteDue(e, expired) {
		p.transientRun = 0 // Aircall answered, and nothing more was asked
		switch {
		case expired:
			p.lateGiveUp(ctx, it, "")
		case !off:
			lc.LookedAt = p.now // not yet: the next look backs off
			p.putLateCall(ctx, in, lc)
		}
		return nil
	}
	return p.addLateNote(ctx, in, it, id, ended, in.Enrichment.Filter(e))
}

// noteLateLook records a late look at Aircall in the call's decision
// record, with the states it leaves: added when the note goes in now, not
// licensed when the add-on answered 403, gave up at the last look.
func (p *pass) noteLateLook(ctx context.Context, in Instance, it store.Item, e rules.Enrichment, off, expired bool) {
	state := func(enabled, seen bool) store.InsightState {
		switch {
		case !enabled:
			return ""
		case off:
			return store.InsightNotLicensed
		case in.Enrichment.LateNoteDue(e, expired):
			if seen {
				return store.InsightAdded
			}
			return store.InsightGaveUp
		case expired:
			return store.InsightGaveUp
		}
		return "" // still pending
	}
	p.noteLook(ctx, in.Name, it.SourceID, state(in.Enrichment.Transcripts, e.TranscriptSeen), state(in.Enrichment.AIInsights, e.SummarySeen))
}

// lateGiveUp records that a call will get no insights note.
func (p *pass) lateGiveUp(ctx context.Context, it store.Item, why string) {
	it.Enrichment = store.EnrichmentGaveUp
	if why != "" {
		it.LastError = why
	}
	p.put(ctx, it)
	p.count(it.Instance, store.KindCall, store.OutcomeNoEnrich)
}

// addLateNote adds the insights note to the call's conversation (following
// it when it was merged into another), unless an earlier pass already did.
func (p *pass) addLateNote(ctx context.Context, in Instance, it store.Item, id int64, ended time.Time, e rules.Enrichment) error {
	if e.Empty() {
		it.Enrichment = store.EnrichmentDone
		p.put(ctx, it)
		return nil
	}
	j, err := p.jr.load(ctx, in.Name, store.KindCall, it.SourceID, rules.CallMarker(id))
	if err != nil {
		p.noteFailure(err, nil)
		p.log.Warn("late insights journal", "call", id, "err", err)
		return nil
	}
	if n, ok := j.landed(actAddNote); ok {
		it.NoteThreadID, it.Enrichment = n.ResultID, store.EnrichmentDone
		p.put(ctx, it)
		return nil
	}
	convID := it.ConversationID
	noteID, err := p.addNote(ctx, in, it.SourceID, convID, id, ended, e)
	var moved *helpscout.MovedError
	if errors.As(err, &moved) && moved.NewID != 0 {
		convID = moved.NewID
		noteID, err = p.addNote(ctx, in, it.SourceID, convID, id, ended, e)
	}
	switch {
	case errors.Is(err, helpscout.ErrThreadLimit) || errors.Is(err, helpscout.ErrNotFound):
		p.lateGiveUp(ctx, it, err.Error())
	case err != nil:
		if isFatal(err) {
			return err
		}
		p.noteFailure(err, nil)
		p.log.Warn("add late insights", "instance", in.Name, "call", id, "err", err)
	default:
		p.transientRun = 0
		it.NoteThreadID, it.ConversationID, it.Enrichment = noteID, convID, store.EnrichmentDone
		p.put(ctx, it)
		p.count(in.Name, store.KindCall, store.OutcomeEnriched)
		p.plan(PlanEntry{Instance: in.Name, Kind: store.KindCall, ID: it.SourceID, Outcome: store.OutcomeEnriched,
			Detail: "transcript/AI note added to " + ref("conversation", convID)})
		// complete=false: the give-up point came with only part of it (a
		// transcript whose summary never came).
		p.log.Info("late insights added", "instance", in.Name, "call", id, "conversation", convID,
			"complete", in.Enrichment.Ready(e))
	}
	return nil
}
