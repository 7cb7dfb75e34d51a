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

// fetchEnrichment reads what Aircall has generated for a call, asking only
// for what the instance logs, and stopping at the first "not yet": the
// summary and the rest are generated from the transcript, so when it is not
// there they are not either, and each request counts against a small budget.
func (p *pass) fetchEnrichment(ctx context.Context, in Instance, call aircall.Call) (rules.Enrichment, bool, error) {
	var e rules.Enrichment
	pol := in.Enrichment
	notYet := func(err error) (bool, error) {
		switch {
		case errors.Is(err, aircall.ErrNotReady):
			return true, nil
		case errors.Is(err, aircall.ErrNotLicensed):
			p.markAddonOff(ctx)
			return true, errAddonOff
		}
		return false, err
	}
	if pol.Transcripts {
		t, err := p.ac.Transcription(ctx, call.ID)
		if err != nil {
			stop, err := notYet(err)
			if errors.Is(err, errAddonOff) {
				return rules.Enrichment{}, true, nil
			}
			if stop || err != nil {
				return e, false, wrapAI("transcription", err)
			}
		} else {
			e.TranscriptSeen = true
			agent := agentName(call)
			for _, u := range t.Utterances {
				who := "Customer"
				if u.ParticipantType == "internal" {
					who = agent
				}
				e.Transcript = append(e.Transcript, rules.Utterance{Speaker: who, Start: u.StartTime, Text: u.Text})
			}
		}
	}
	if !pol.AIInsights {
		return e, false, nil
	}
	s, err := p.ac.Summary(ctx, call.ID)
	if err != nil {
		stop, err := notYet(err)
		if errors.Is(err, errAddonOff) {
			return rules.Enrichment{}, true, nil
		}
		if stop || err != nil {
			return e, false, wrapAI("summary", err)
		}
	}
	e.SummarySeen, e.Summary = true, s.Content
	// The rest are extras: absent ones are simply not shown.
	if t, err := p.ac.Topics(ctx, call.ID); err == nil {
		e.Topics = t.Content
	} else if _, err := notYet(err); err != nil {
		return e, errors.Is(err, errAddonOff), ignoreAddonOff(wrapAI("topics", err))
	}
	if a, err := p.ac.ActionItems(ctx, call.ID); err == nil {
		e.ActionItems = a.Items
	} else if _, err := notYet(err); err != nil {
		return e, errors.Is(err, errAddonOff), ignoreAddonOff(wrapAI("action items", err))
	}
	if s, err := p.ac.Sentiments(ctx, call.ID); err == nil {
		for _, sp := range s.Participants {
			who := "Customer"
			if sp.ParticipantType == "internal" {
				who = agentName(call)
			}
			e.Sentiments = append(e.Sentiments, rules.Sentiment{Who: who, Value: sp.Value})
		}
	} else if _, err := notYet(err); err != nil {
		return e, errors.Is(err, errAddonOff), ignoreAddonOff(wrapAI("sentiments", err))
	}
	return e, false, nil
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
	if !rules.LateLookDue(in.Enrichment, ended, lc.LookedAt, p.now) {
		return nil // looked recently: spare Aircall's budget
	}
	off, err := p.aiOff(ctx)
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
	// came), and nothing is asked again.
	e, off, err := p.fetchEnrichment(ctx, in, call)
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
