package reconciler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/aircall-helpscout/aircall-helpscout/clients/aircall"
	"github.com/aircall-helpscout/aircall-helpscout/clients/helpscout"
	"github.com/aircall-helpscout/aircall-helpscout/rules"
	"github.com/aircall-helpscout/aircall-helpscout/store"
)

// insights gathers calls' transcripts and AI insights for a pass: those
// stored from webhooks, the AI endpoints' answers, and the AI add-on's state
// (a 403 pauses the endpoints for a while). It also keeps what the late
// note of a call logged without them needs.
type insights struct {
	ac            Aircall
	st            State
	log           *slog.Logger
	now           time.Time
	addonOffFor   time.Duration
	webhookWindow time.Duration
	// addonOff and hooks memoise aiOff and webhooksOn for the pass.
	addonOff, hooks *bool
}

// aiOff reports whether a recent 403 said the AI add-on is off.
func (s *insights) aiOff(ctx context.Context) (bool, error) {
	if s.addonOff != nil {
		return *s.addonOff, nil
	}
	// The end of the flag is compared with the pass clock, so that a
	// catch-up pass agrees with it.
	until, err := s.st.AddonOffUntil(ctx)
	if err != nil {
		return false, err
	}
	off := s.now.Before(until)
	s.addonOff = &off
	return off, nil
}

func (s *insights) markAddonOff(ctx context.Context) {
	off := true
	s.addonOff = &off
	s.log.Warn("Aircall AI add-on answered 403: logging calls without transcript/AI for a while", "for", s.addonOffFor)
	if err := s.st.PutAddonOffUntil(context.WithoutCancel(ctx), s.now.Add(s.addonOffFor)); err != nil {
		s.log.Error("remember AI add-on off", "err", err)
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

// webhooksOn reports whether a transcript/AI webhook was received within
// Options.InsightWebhookWindow of the pass clock: then insights not
// delivered yet are waited for instead of read from the AI endpoints, and a
// call whose insights come by webhook costs no Aircall request for them.
// Asked once per pass.
func (s *insights) webhooksOn(ctx context.Context) (bool, error) {
	if s.hooks != nil {
		return *s.hooks, nil
	}
	at, found, err := s.st.LastInsightDelivery(ctx)
	if err != nil {
		return false, err
	}
	on := found && s.now.Sub(at) < s.webhookWindow
	s.hooks = &on
	return on, nil
}

// kept reads the insights delivered by webhook for a call. One that cannot
// be decoded is logged and left out, so that it is read from the AI
// endpoint (or waited for) like one never delivered.
func (s *insights) kept(ctx context.Context, callID int64) (aircall.CallInsights, error) {
	var ci aircall.CallInsights
	evs, err := s.st.CallInsights(ctx, callID)
	if err != nil {
		return ci, err
	}
	for _, ev := range evs {
		if err := ci.Add(ev.Kind, ev.Payload); err != nil {
			s.log.Warn("insight delivered by webhook is unreadable; ignored", "call", callID, "kind", ev.Kind, "err", err)
		}
	}
	return ci, nil
}

// fetch gathers what Aircall has generated for a call, only what the policy
// logs: first the insights its webhooks delivered (no request), then, when
// ask is set, the AI endpoints for what is still missing, in the order of
// today's polling and stopping at the first "not yet": the summary and the
// rest are generated from the transcript, so when it is not there they are
// not either, and each request counts against a small budget. off says a
// 403 told that the add-on is off (then nothing is returned, or only what
// came before the extras).
func (s *insights) fetch(ctx context.Context, pol rules.EnrichmentPolicy, call aircall.Call, ask bool) (rules.Enrichment, bool, error) {
	e, err := s.gather(ctx, pol, call, ask)
	if errors.Is(err, errAddonOff) {
		s.markAddonOff(ctx)
		return e, true, nil
	}
	return e, false, err
}

// gather is fetch without the add-on's state: a 403 is errAddonOff.
func (s *insights) gather(ctx context.Context, pol rules.EnrichmentPolicy, call aircall.Call, ask bool) (rules.Enrichment, error) {
	var e rules.Enrichment
	kept, err := s.kept(ctx, call.ID)
	if err != nil {
		return e, err
	}
	agent := agentName(call)
	if pol.Transcripts {
		t, err := pick(kept.Transcription, ask, "transcription", func() (aircall.Transcription, error) { return s.ac.Transcription(ctx, call.ID) })
		if err != nil || (t == nil && ask) {
			return e, err // an error, or not yet: nothing else is there either
		}
		if t != nil {
			e.TranscriptSeen = true
			for _, u := range t.Utterances {
				e.Transcript = append(e.Transcript, rules.Utterance{Speaker: speakerName(u.SpeakerLabel(), agent), Start: u.StartTime, Text: u.Text})
			}
		}
	}
	if !pol.AIInsights {
		return e, nil
	}
	// Without the transcript, no request: the rest is generated from it.
	ask = ask && (e.TranscriptSeen || !pol.Transcripts)
	sum, err := pick(kept.Summary, ask, "summary", func() (aircall.Summary, error) { return s.ac.Summary(ctx, call.ID) })
	if errors.Is(err, errAddonOff) {
		return rules.Enrichment{}, err
	} else if err != nil {
		return e, err
	}
	if sum == nil && ask {
		ask = false // not yet: the extras are not there either
	}
	if sum != nil {
		e.SummarySeen, e.Summary = true, sum.Content
	}
	err = s.extras(ctx, &e, kept, call, ask)
	return e, err
}

// extras adds the topics, action items and sentiments to e: absent ones
// are simply not shown.
func (s *insights) extras(ctx context.Context, e *rules.Enrichment, kept aircall.CallInsights, call aircall.Call, ask bool) error {
	topics, err := pick(kept.Topics, ask, "topics", func() (aircall.Topics, error) { return s.ac.Topics(ctx, call.ID) })
	if err != nil {
		return err
	}
	if topics != nil {
		e.Topics = topics.Content
	}
	items, err := pick(kept.ActionItems, ask, "action items", func() (aircall.ActionItems, error) { return s.ac.ActionItems(ctx, call.ID) })
	if err != nil {
		return err
	}
	if items != nil {
		e.ActionItems = items.Items
	}
	sents, err := pick(kept.Sentiments, ask, "sentiments", func() (aircall.Sentiments, error) { return s.ac.Sentiments(ctx, call.ID) })
	if err != nil {
		return err
	}
	if sents != nil {
		agent := agentName(call)
		for _, sp := range sents.Participants {
			e.Sentiments = append(e.Sentiments, rules.Sentiment{Who: speakerName(sp.SpeakerLabel(), agent), Value: sp.Value})
		}
	}
	return nil
}

// pick returns the piece delivered by webhook (have) or, when it is missing
// and asking is set, what the AI endpoint answers now: nil when Aircall has
// not generated it yet, errAddonOff on a 403 (the add-on is off), any other
// error wrapped with what was read.
func pick[T any](have *T, asking bool, what string, get func() (T, error)) (*T, error) {
	if have != nil || !asking {
		return have, nil
	}
	got, err := get()
	switch {
	case err == nil:
		return &got, nil
	case errors.Is(err, aircall.ErrNotReady):
		return nil, nil
	case errors.Is(err, aircall.ErrNotLicensed):
		return nil, errAddonOff
	}
	return nil, fmt.Errorf("read call %s: %w", what, err)
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
func (s *insights) rememberLateCall(ctx context.Context, in Instance, call aircall.Call, ended time.Time) {
	s.putLateCall(ctx, in, store.LateInsight{Instance: in.Name, CallID: call.ID, EndedAt: ended, Agent: agentName(call)})
}

// putLateCall stores li (best effort), to be kept until a while past the
// give-up age.
func (s *insights) putLateCall(ctx context.Context, in Instance, li store.LateInsight) {
	li.ExpiresAt = s.now.Add(in.Enrichment.MaxAge + lateCallGrace)
	if err := s.st.PutLateInsight(context.WithoutCancel(ctx), li); err != nil {
		s.log.Warn("remember call for late insights", "instance", in.Name, "call", li.CallID, "err", err)
	}
}

// lateCall is a call logged without its transcript/AI on its way through
// the late path: its ledger row, and what was remembered of it.
type lateCall struct {
	in   Instance
	it   store.Item
	id   int64
	call aircall.Call // the call as logged, for the speakers' names
	// li is what was remembered of the call; its EndedAt is where the
	// give-up point counts from, as the wait did.
	li store.LateInsight
	// expired: past ENRICHMENT_MAX_AGE, this is the last look.
	expired bool
}

// note is the late note of the call with e.
func (lc *lateCall) note(e rules.Enrichment) insightsNote {
	return insightsNote{ref: itemRef{lc.in.Name, store.KindCall, lc.it.SourceID}, callID: lc.id, ended: lc.li.EndedAt, enr: e}
}

// lateCallOf returns what was remembered of a call logged without its
// enrichment; for a call logged before this was kept (or whose record was
// lost or unreadable), when it started, no agent and no earlier look.
func (s *insights) lateCallOf(ctx context.Context, in Instance, it store.Item) *lateCall {
	id, _ := strconv.ParseInt(it.SourceID, 10, 64)
	lc := &lateCall{in: in, it: it, id: id, call: aircall.Call{ID: id},
		li: store.LateInsight{Instance: in.Name, CallID: id, EndedAt: it.OccurredAt}}
	if got, ok, err := s.st.LateInsight(ctx, in.Name, id); err == nil && ok {
		lc.li = got
		if lc.li.EndedAt.IsZero() {
			lc.li.EndedAt = it.OccurredAt
		}
		if lc.li.Agent != "" && lc.li.Agent != "Agent" {
			lc.call.User = &aircall.User{Name: lc.li.Agent}
		}
	}
	lc.expired = rules.LateEnrichmentExpired(in.Enrichment, lc.li.EndedAt, s.now)
	return lc
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
		if err := p.late.look(ctx, p.ins.lateCallOf(ctx, in, it)); err != nil {
			return err
		}
		if err := p.brk.proceed(ctx); err != nil {
			return err
		}
	}
	return nil
}

// lateNotes takes a call logged without its transcript/AI through the late
// path: a look at the insights when one is due, then the note, or giving up.
type lateNotes struct {
	ins    *insights
	ledger *ledger
	t      *tally
	brk    *breaker
	rec    *records
	jr     journaler
	w      *writer
	log    *slog.Logger
	now    time.Time
}

// look looks, when one is due, for the insights of one call logged without
// them, and adds the note when they are there or it is the last look. It
// returns only errors that stop the pass.
func (ln *lateNotes) look(ctx context.Context, lc *lateCall) error {
	pol := lc.in.Enrichment
	// The insights delivered by webhook first: looking at them costs no
	// request, so it is done on every pass, and a call whose insights came
	// after it was logged gets its note with no Aircall request at all.
	kept, _, err := ln.ins.fetch(ctx, pol, lc.call, false)
	if err != nil {
		return err
	}
	if pol.Ready(kept) {
		ln.noteLook(ctx, lc, kept, false)
		return ln.addNote(ctx, lc, pol.Filter(kept))
	}
	if !rules.LateLookDue(pol, lc.li.EndedAt, lc.li.LookedAt, ln.now) {
		return nil // looked recently: spare Aircall's budget
	}
	off, err := ln.ins.aiOff(ctx)
	if err != nil {
		return err
	}
	hooks, err := ln.ins.webhooksOn(ctx)
	if err != nil {
		return err
	}
	if off {
		// No look is possible while the add-on is off; an expired call
		// will never get one.
		if lc.expired {
			ln.giveUp(ctx, lc.it, "")
		}
		return nil
	}
	return ln.askAircall(ctx, lc, !hooks)
}

// askAircall is a due look at Aircall's AI endpoints for a late call (none
// while webhooks deliver insights: what they delivered is all there is).
// The transcript is read first so that a call whose insights are not ready
// costs one request. Past ENRICHMENT_MAX_AGE this is the last look: what is
// there then is logged (a transcript whose summary never came), and nothing
// is asked again.
func (ln *lateNotes) askAircall(ctx context.Context, lc *lateCall, ask bool) error {
	pol := lc.in.Enrichment
	e, off, err := ln.ins.fetch(ctx, pol, lc.call, ask)
	if err != nil && !errors.Is(err, aircall.ErrNotReady) {
		if isFatal(err) {
			return err
		}
		ln.brk.noteFailure(err, nil)
		ln.log.Warn("read late insights", "instance", lc.in.Name, "call", lc.id, "err", err)
		return nil
	}
	ln.noteLook(ctx, lc, e, off)
	if off || !pol.LateNoteDue(e, lc.expired) {
		ln.brk.answered() // Aircall answered, and nothing more was asked
		switch {
		case lc.expired:
			ln.giveUp(ctx, lc.it, "")
		case !off:
			lc.li.LookedAt = ln.now // not yet: the next look backs off
			ln.ins.putLateCall(ctx, lc.in, lc.li)
		}
		return nil
	}
	return ln.addNote(ctx, lc, pol.Filter(e))
}

// noteLook records a late look at Aircall in the call's decision record,
// with the states it leaves: added when the note goes in now, not licensed
// when the add-on answered 403, gave up at the last look.
func (ln *lateNotes) noteLook(ctx context.Context, lc *lateCall, e rules.Enrichment, off bool) {
	pol := lc.in.Enrichment
	state := func(enabled, seen bool) store.InsightState {
		switch {
		case !enabled:
			return ""
		case off:
			return store.InsightNotLicensed
		case pol.LateNoteDue(e, lc.expired):
			if seen {
				return store.InsightAdded
			}
			return store.InsightGaveUp
		case lc.expired:
			return store.InsightGaveUp
		}
		return "" // still pending
	}
	ln.rec.noteLook(ctx, lc.in.Name, lc.it.SourceID,
		store.InsightLook{Transcript: state(pol.Transcripts, e.TranscriptSeen), AI: state(pol.AIInsights, e.SummarySeen)})
}

// giveUp records that a call will get no insights note.
func (ln *lateNotes) giveUp(ctx context.Context, it store.Item, why string) {
	it.Enrichment = store.EnrichmentGaveUp
	if why != "" {
		it.LastError = why
	}
	ln.ledger.put(ctx, it)
	ln.t.count(it.Instance, store.KindCall, store.OutcomeNoEnrich)
}

// addNote adds the insights note to the call's conversation (following it
// when it was merged into another), unless an earlier pass already did.
func (ln *lateNotes) addNote(ctx context.Context, lc *lateCall, e rules.Enrichment) error {
	it := lc.it
	if e.Empty() {
		it.Enrichment = store.EnrichmentDone
		ln.ledger.put(ctx, it)
		return nil
	}
	j, err := ln.jr.load(ctx, itemRef{lc.in.Name, store.KindCall, it.SourceID}, rules.CallMarker(lc.id))
	if err != nil {
		ln.brk.noteFailure(err, nil)
		ln.log.Warn("late insights journal", "call", lc.id, "err", err)
		return nil
	}
	if n, ok := j.landed(actAddNote); ok {
		it.NoteThreadID, it.Enrichment = n.ResultID, store.EnrichmentDone
		ln.ledger.put(ctx, it)
		return nil
	}
	convID := it.ConversationID
	noteID, err := ln.w.addNote(ctx, lc.note(e), convID)
	var moved *helpscout.MovedError
	if errors.As(err, &moved) && moved.NewID != 0 {
		convID = moved.NewID
		noteID, err = ln.w.addNote(ctx, lc.note(e), convID)
	}
	switch {
	case errors.Is(err, helpscout.ErrThreadLimit) || errors.Is(err, helpscout.ErrNotFound):
		ln.giveUp(ctx, it, err.Error())
	case err != nil:
		if isFatal(err) {
			return err
		}
		ln.brk.noteFailure(err, nil)
		ln.log.Warn("add late insights", "instance", lc.in.Name, "call", lc.id, "err", err)
	default:
		ln.brk.answered()
		it.NoteThreadID, it.ConversationID, it.Enrichment = noteID, convID, store.EnrichmentDone
		ln.ledger.put(ctx, it)
		ln.t.count(lc.in.Name, store.KindCall, store.OutcomeEnriched)
		ln.t.plan(PlanEntry{Instance: lc.in.Name, Kind: store.KindCall, ID: it.SourceID, Outcome: store.OutcomeEnriched,
			Detail: "transcript/AI note added to " + ref("conversation", convID)})
		// complete=false: the give-up point came with only part of it (a
		// transcript whose summary never came).
		ln.log.Info("late insights added", "instance", lc.in.Name, "call", lc.id, "conversation", convID,
			"complete", lc.in.Enrichment.Ready(e))
	}
	return nil
}
