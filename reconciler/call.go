package reconciler

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aircall-helpscout/aircall-helpscout/clients/aircall"
	"github.com/aircall-helpscout/aircall-helpscout/clients/helpscout"
	"github.com/aircall-helpscout/aircall-helpscout/rules"
	"github.com/aircall-helpscout/aircall-helpscout/store"
)

// Item outcomes of calls.
const (
	OutcomeNewConversation      = "new_conversation"
	OutcomeExistingConversation = "existing_conversation"
	OutcomeReopened             = "reopened_conversation"
	OutcomeWaitingEnrichment    = "waiting_for_insights"
)

var actionOutcome = map[string]string{
	rules.ActionNew: OutcomeNewConversation, rules.ActionExisting: OutcomeExistingConversation, rules.ActionReopen: OutcomeReopened,
}

// logCall takes a finished call through the rules and the writes of SPEC §6,
// resuming from the item's journal. It fills it (state, outcome, IDs); the
// caller records it.
func (p *pass) logCall(ctx context.Context, in Instance, call aircall.Call, it *store.Item) error {
	src := strconv.FormatInt(call.ID, 10)
	rc := p.r.rulesCall(in, call)
	j, err := p.loadJournal(ctx, in.Name, KindCall, src, rules.CallMarker(call.ID))
	if err != nil {
		return err
	}

	// Where the phone thread already landed (a previous pass died after
	// it), carry on from there without deciding anything again.
	phone, phoneLanded := j.landed(actCreateConversation, actCreateConvWithNote, actAddPhoneExisting, actAddPhoneReopen)

	var enr rules.Enrichment
	timing := rules.EnrichLogNever
	if !phoneLanded {
		addonOff, err := p.aiOff(ctx)
		if err != nil {
			return err
		}
		ended := rc.EndedAt
		if in.Enrichment.Enabled() && rules.ExpectsEnrichment(rc) && !addonOff && p.now.Sub(ended) < in.Enrichment.MaxAge {
			enr, addonOff, err = p.fetchEnrichment(ctx, in, call)
			if err != nil {
				return err
			}
		}
		timing = rules.EnrichmentTiming(in.Enrichment, rc, addonOff, ended, p.now, enr)
		if timing == rules.EnrichWait {
			it.State, it.Outcome = store.StateWaiting, OutcomeWaitingEnrichment
			it.Detail = "transcript/AI not ready yet; logged at the latest " + in.Enrichment.Wait.String() + " after the call"
			return nil
		}
	}

	cust, err := p.resolveCustomer(ctx, in, KindCall, src, rc.ExternalE164, in.region(call.Number))
	if err != nil {
		return err
	}
	if cust.Skip {
		it.State, it.Outcome, it.Detail = store.StateSkipped, rules.OutcomeDuplicateCustomers, rules.DuplicateDetail(cust.Candidates)
		return nil
	}
	it.CustomerID = cust.ID

	agentID, err := p.agentUser(ctx, call.User)
	if err != nil {
		return err
	}

	var convID, threadID int64
	var assignee int64
	assigneeKnown := false
	action := rules.ActionNew
	noteInline := false
	if phoneLanded {
		switch phone.Action {
		case actAddPhoneExisting:
			action, convID, threadID = rules.ActionExisting, phone.TargetID, phone.ResultID
		case actAddPhoneReopen:
			action, convID, threadID = rules.ActionReopen, phone.TargetID, phone.ResultID
		default:
			convID, noteInline = phone.ResultID, phone.Action == actCreateConvWithNote
		}
	} else {
		var choice rules.ConversationChoice
		var current int64
		if cust.Created {
			// A customer created for this very call has no conversation
			// to find: spare the listing (one unit).
			choice = rules.ConversationChoice{Action: rules.ActionNew}
		} else if choice, current, err = p.chooseConversation(ctx, in, cust.ID, rc); err != nil {
			return err
		}
		action, assignee, assigneeKnown = choice.Action, current, true
		wantNote := timing == rules.EnrichLogWith && !in.Enrichment.Filter(enr).Empty()
		if action != rules.ActionNew {
			convID = choice.ConversationID
			threadID, err = p.addPhoneThread(ctx, in, src, action, convID, cust.ID, rc)
			if errors.Is(err, helpscout.ErrThreadLimit) || errors.Is(err, helpscout.ErrNotFound) {
				// Full (412) or gone (merged/deleted): a new conversation
				// is what an agent would expect.
				action, convID = rules.ActionNew, 0
			} else if err != nil {
				return err
			}
		}
		if action == rules.ActionNew {
			convID, err = p.createCallConversation(ctx, in, src, cust.ID, agentID, rc, enr, wantNote)
			if err != nil {
				return err
			}
			noteInline = wantNote
		}
		if wantNote && !noteInline {
			if _, err := p.addNote(ctx, in, src, convID, call.ID, rc.EndedAt, in.Enrichment.Filter(enr)); err != nil {
				return err
			}
		}
		if timing == rules.EnrichLogWith {
			it.Enrichment = "done"
		} else if timing == rules.EnrichLogWithout {
			it.Enrichment = "pending"
		}
	}
	if phoneLanded {
		// A resumed item: keep the enrichment state it would have had.
		if _, ok := j.landed(actAddNote); ok || noteInline {
			it.Enrichment = "done"
		} else if in.Enrichment.Enabled() && rules.ExpectsEnrichment(rc) && it.Enrichment == "" {
			it.Enrichment = "pending"
		}
	}

	if action == rules.ActionReopen {
		// A phone thread does not reopen a conversation; the rule says it
		// must end active, so say it explicitly (idempotent).
		if err := p.hs.SetStatus(ctx, convID, "active"); err != nil {
			return fmt.Errorf("reopen conversation %d: %w", convID, err)
		}
	}
	if action != rules.ActionNew {
		if err := p.reassign(ctx, in, convID, agentID, assignee, assigneeKnown); err != nil {
			return err
		}
	}

	if it.Enrichment == "pending" {
		p.rememberLateCall(ctx, in, call, rc.EndedAt) // end time and agent for the late note
	}
	it.State, it.Outcome = store.StateLogged, actionOutcome[action]
	it.ConversationID, it.ThreadID, it.LastError = convID, threadID, ""
	it.Detail = callDetail(action, cust.ID, convID, agentID, timing)
	if cust.Existing {
		p.syncContact(ctx, in, rc.ExternalE164, cust.Customer, call.Contact)
	}
	return nil
}

// callDetail says where a call went (or, in a dry run, would go).
func callDetail(action string, customerID, convID, agentID int64, timing string) string {
	where := ref("conversation", convID)
	switch action {
	case rules.ActionNew:
		where = ref("phone conversation", convID)
	case rules.ActionReopen:
		where += " (reopened)"
	}
	s := ref("customer", customerID) + ", " + where
	if agentID != 0 {
		s += fmt.Sprintf(", agent user %d", agentID)
	}
	switch timing {
	case rules.EnrichLogWith:
		s += ", with transcript/AI note"
	case rules.EnrichLogWithout:
		s += ", transcript/AI to follow"
	}
	return s
}

// chooseConversation lists the customer's conversations when the mode needs
// them and applies the conversation rule. It also returns the chosen
// conversation's current assignee (0 if none).
func (p *pass) chooseConversation(ctx context.Context, in Instance, customerID int64, rc rules.Call) (rules.ConversationChoice, int64, error) {
	pol := in.Conversation
	pol.MailboxID = in.MailboxID
	if pol.Mode != rules.ModeExisting || customerID == 0 {
		return rules.ConversationChoice{Action: rules.ActionNew}, 0, nil
	}
	convs, err := p.hs.ListConversations(ctx, helpscout.ConversationFilter{
		MailboxID: in.MailboxID, CustomerID: customerID, Status: "all",
		SortField: "modifiedAt", SortOrder: "desc", MaxPages: 1})
	if err != nil {
		return rules.ConversationChoice{}, 0, fmt.Errorf("list conversations of customer %d: %w", customerID, err)
	}
	choice := rules.ChooseConversation(pol, customerID, rc.StartedAt, rulesConversations(convs))
	for _, c := range convs {
		if c.ID == choice.ConversationID && c.Assignee != nil {
			return choice, c.Assignee.ID, nil
		}
	}
	return choice, 0, nil
}

// createCallConversation creates a phone conversation carrying the call's
// phone thread (and the insights note when ready) in one write.
func (p *pass) createCallConversation(ctx context.Context, in Instance, src string, customerID, agentID int64, rc rules.Call, enr rules.Enrichment, withNote bool) (int64, error) {
	threads := []helpscout.NewThread{{
		Type: "phone", Text: rules.RenderCallThread(rc), Customer: &helpscout.CustomerRef{ID: customerID},
		Imported: true, CreatedAt: hsTime(rc.StartedAt),
	}}
	action := actCreateConversation
	if withNote {
		action = actCreateConvWithNote
		threads = append(threads, helpscout.NewThread{Type: "note", Text: rules.RenderEnrichmentNote(rc.ID, in.Enrichment.Filter(enr)),
			Imported: true, CreatedAt: hsTime(rc.EndedAt)})
	}
	nc := helpscout.NewConversation{
		Subject: rules.CallSubject(rc), Type: "phone", MailboxID: in.MailboxID, Status: "active",
		Customer: helpscout.CustomerRef{ID: customerID}, AssignTo: rules.NewConversationAssignee(agentID),
		Imported: true, CreatedAt: hsTime(rc.StartedAt), Threads: threads,
	}
	id, err := p.write(ctx, in.Name, KindCall, src, action, customerID, func(ctx context.Context) (int64, error) {
		return p.hs.CreateConversation(ctx, nc)
	})
	if err != nil {
		return 0, fmt.Errorf("create conversation: %w", err)
	}
	return id, nil
}

// addPhoneThread logs the call into an existing conversation.
func (p *pass) addPhoneThread(ctx context.Context, in Instance, src, action string, convID, customerID int64, rc rules.Call) (int64, error) {
	act := actAddPhoneExisting
	if action == rules.ActionReopen {
		act = actAddPhoneReopen
	}
	th := helpscout.NewThread{Type: "phone", Text: rules.RenderCallThread(rc), Customer: &helpscout.CustomerRef{ID: customerID},
		Imported: true, CreatedAt: hsTime(rc.StartedAt)}
	id, err := p.write(ctx, in.Name, KindCall, src, act, convID, func(ctx context.Context) (int64, error) {
		return p.hs.CreateThread(ctx, convID, th)
	})
	if err != nil {
		return 0, fmt.Errorf("add phone thread to conversation %d: %w", convID, err)
	}
	return id, nil
}

// addNote adds the transcript/AI note to a conversation, dated at the
// call's end (ended) like the inline note, so that a back-filled or late note
// sits right after its phone thread instead of at the day it was written.
func (p *pass) addNote(ctx context.Context, in Instance, src string, convID, callID int64, ended time.Time, enr rules.Enrichment) (int64, error) {
	th := helpscout.NewThread{Type: "note", Text: rules.RenderEnrichmentNote(callID, enr), Imported: true}
	if !ended.IsZero() {
		th.CreatedAt = hsTime(ended)
	}
	id, err := p.write(ctx, in.Name, KindCall, src, actAddNote, convID, func(ctx context.Context) (int64, error) {
		return p.hs.CreateThread(ctx, convID, th)
	})
	if err != nil {
		return 0, fmt.Errorf("add insights note to conversation %d: %w", convID, err)
	}
	return id, nil
}

// reassign applies REASSIGN to an existing or reopened conversation. The
// assignee is known from the listing that chose the conversation; a resumed
// item reads it (a GET costs one unit, a needless PATCH two).
func (p *pass) reassign(ctx context.Context, in Instance, convID, agentID, current int64, known bool) error {
	if !in.Reassign || agentID == 0 {
		return nil
	}
	if !known {
		conv, err := p.hs.GetConversation(ctx, convID)
		if err != nil {
			return fmt.Errorf("read conversation %d before reassigning: %w", convID, err)
		}
		if conv.Assignee != nil {
			current = conv.Assignee.ID
		}
	}
	ch := rules.ChooseAssignee(in.Reassign, rules.ActionExisting, agentID, current)
	if !ch.Change {
		return nil
	}
	if err := p.hs.Assign(ctx, convID, ch.UserID); err != nil {
		return fmt.Errorf("assign conversation %d to user %d: %w", convID, ch.UserID, err)
	}
	return nil
}

// ref names a Help Scout object in a detail; a placeholder (a dry run's
// object that was not created) reads as "a new ...".
func ref(what string, id int64) string {
	if placeholder(id) {
		return "a new " + what
	}
	return fmt.Sprintf("%s %d", what, id)
}
