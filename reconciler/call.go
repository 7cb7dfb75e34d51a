package reconciler

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/aircall-helpscout/aircall-helpscout/clients/aircall"
	"github.com/aircall-helpscout/aircall-helpscout/clients/helpscout"
	"github.com/aircall-helpscout/aircall-helpscout/rules"
	"github.com/aircall-helpscout/aircall-helpscout/store"
)

var actionOutcome = map[rules.Action]store.Outcome{
	rules.ActionNew: store.OutcomeNewConversation, rules.ActionExisting: store.OutcomeExistingConversation, rules.ActionReopen: store.OutcomeReopened,
}

// callItem is one finished call on its way through a pass: whose it is,
// the rules' view of it, and its ledger row, which the steps fill in.
type callItem struct {
	in   Instance
	call aircall.Call
	rc   rules.Call
	src  string
	it   *store.Item
	// dec is the item's decision record, filled as it is decided and
	// recorded by handleCall with the ledger row.
	dec store.Decision
	// addonOff: the AI add-on was off when the call was decided.
	addonOff bool
}

// ref names the call in the ledger and the journal.
func (c *callItem) ref() itemRef { return itemRef{c.in.Name, store.KindCall, c.src} }

// landing is where a call's phone thread went (or goes): what the decide
// step chose, or what a resumed item's journal says was written.
type landing struct {
	action        rules.Action
	convID        int64
	threadID      int64
	assignee      int64 // the conversation's assignee when it was chosen
	assigneeKnown bool  // false for a resumed item: reassign reads it
	noteInline    bool  // the insights note went in with the conversation
	timing        rules.Timing
	customerID    int64
	agentID       int64
	// mirrored is the chosen conversation as the mirror has it, to record
	// our writes to it there (nil for a new or resumed conversation).
	mirrored *store.MirrorConversation
}

// logCall takes a finished call through the rules and its writes, resuming
// from the item's journal, and fills its ledger row; the caller records it.
func (p *pass) logCall(ctx context.Context, c *callItem) error {
	j, err := p.jr.load(ctx, c.ref(), rules.CallMarker(c.call.ID))
	if err != nil {
		return err
	}
	// Where the phone thread already landed (a previous pass died after
	// it), carry on from there without deciding anything again.
	if phone, ok := j.landed(actCreateConversation, actCreateConvWithNote, actAddPhoneExisting, actAddPhoneReopen); ok {
		return p.resumeCall(ctx, c, j, phone)
	}
	enr, timing, err := p.callInsights(ctx, c)
	if err != nil {
		return err
	}
	if timing == rules.EnrichWait {
		c.it.State, c.it.Outcome = store.StateWaiting, store.OutcomeWaitingEnrichment
		c.it.Detail = "transcript/AI not ready yet; logged at the latest " + c.in.Enrichment.Wait.String() + " after the call"
		return nil
	}
	for try := 0; ; try++ {
		cust, agentID, err := p.callParties(ctx, c)
		if err != nil || cust.Skip {
			return err
		}
		l, err := p.decideConversation(ctx, c, cust)
		if err != nil {
			return err
		}
		l.timing, l.agentID = timing, agentID
		err = p.writeCall(ctx, c, &l, enr)
		// The customer or conversation the mirror gave is gone (deleted or
		// merged since the refresh): no thread landed, so correct the
		// mirror and decide again, in this pass.
		var g *goneError
		if errors.As(err, &g) && try < maxRedecide {
			if ferr := p.forgetGone(ctx, c.in, g); ferr != nil {
				return errors.Join(err, ferr)
			}
			continue
		}
		if err != nil {
			return err
		}
		return p.finishCall(ctx, c, l, cust)
	}
}

// callInsights gathers the call's transcript and AI insights when the
// instance logs them (those delivered by webhook first, the AI endpoints
// only while no such webhook arrives), and says when to log: now with
// them, now without, or wait.
func (p *pass) callInsights(ctx context.Context, c *callItem) (rules.Enrichment, rules.Timing, error) {
	var enr rules.Enrichment
	addonOff, err := p.ins.aiOff(ctx)
	if err != nil {
		return enr, "", err
	}
	ended := c.rc.EndedAt
	if c.in.Enrichment.Enabled() && rules.ExpectsEnrichment(c.rc) && p.now.Sub(ended) < c.in.Enrichment.MaxAge {
		ask := false
		if !addonOff {
			hooks, err := p.ins.webhooksOn(ctx)
			if err != nil {
				return enr, "", err
			}
			ask = !hooks
		}
		var off bool
		enr, off, err = p.ins.fetch(ctx, c.in.Enrichment, c.call, ask)
		if err != nil {
			return enr, "", err
		}
		// Insights delivered by webhook are logged even while a recent 403
		// holds the AI endpoints off: they cost nothing and are there.
		addonOff = off || (addonOff && !c.in.Enrichment.Ready(enr))
		c.dec.Looks, c.dec.LastLookAt = 1, p.now
	}
	c.addonOff = addonOff
	return enr, rules.EnrichmentTiming(c.in.Enrichment, rules.CallEnrichment{Call: c.rc, AddonOff: addonOff, Ended: ended, Got: enr}, p.now), nil
}

// callParties resolves the call's customer and agent. A customer the
// duplicates rule skips marks the item skipped.
func (p *pass) callParties(ctx context.Context, c *callItem) (resolvedCustomer, int64, error) {
	cust, err := p.cust.resolve(ctx, c.in, c.ref(), c.rc.ExternalE164, c.in.region(c.call.Number))
	if err != nil {
		return cust, 0, err
	}
	decideCustomer(&c.dec, cust, c.rc.ExternalE164)
	if cust.Skip {
		c.it.State, c.it.Outcome, c.it.Detail = store.StateSkipped, store.OutcomeDuplicateCustomers, rules.DuplicateDetail(cust.Candidates)
		return cust, 0, nil
	}
	c.it.CustomerID = cust.ID
	agentID, err := p.cust.agentUser(ctx, c.call.User)
	return cust, agentID, err
}

// decideConversation applies the conversation rule: a new conversation, or
// an existing one, reopened or not.
func (p *pass) decideConversation(ctx context.Context, c *callItem, cust resolvedCustomer) (landing, error) {
	l := landing{action: rules.ActionNew, assigneeKnown: true, customerID: cust.ID}
	if cust.Created {
		// A customer created for this very call has no conversation to
		// find: spare the listing (one unit).
		return l, nil
	}
	if c.in.Conversation.Mode == rules.ModeExisting {
		if err := p.convs.noUnsettledCreate(ctx, c.ref(), cust.ID, actCreateConversation, actCreateConvWithNote, actCreateMsgConv); err != nil {
			return l, err
		}
	}
	choice, current, known, mirrored, err := p.convs.choose(ctx, c.in, cust.ID, c.rc)
	if err != nil {
		return l, err
	}
	l.action, l.convID, l.assignee, l.assigneeKnown, l.mirrored = choice.Action, choice.ConversationID, current, known, mirrored
	return l, nil
}

// writeCall writes the phone thread where l says, falling back to a new
// conversation when the chosen one cannot take it, and the insights note
// when it is ready.
func (p *pass) writeCall(ctx context.Context, c *callItem, l *landing, enr rules.Enrichment) error {
	note := c.in.Enrichment.Filter(enr)
	wantNote := l.timing == rules.EnrichLogWith && !note.Empty()
	if l.action != rules.ActionNew {
		var err error
		l.threadID, err = p.w.addPhoneThread(ctx, c, l)
		if errors.Is(err, helpscout.ErrThreadLimit) {
			// Full (412): a new conversation is what an agent would expect.
			// The mirror does not count threads, so it may pick a full one.
			l.action, l.convID, l.mirrored = rules.ActionNew, 0, nil
		} else if err != nil {
			return gone(err, l.customerID, l.convID)
		} else if l.mirrored != nil {
			if err := p.convs.record(ctx, *l.mirrored); err != nil {
				return err
			}
		}
	}
	if l.action == rules.ActionNew {
		var err error
		l.noteInline = wantNote
		if l.convID, err = p.w.createCallConversation(ctx, c, l, enr); err != nil {
			return gone(err, l.customerID, 0)
		}
	}
	if wantNote && !l.noteInline {
		var err error
		n := insightsNote{ref: c.ref(), callID: c.call.ID, ended: c.rc.EndedAt, enr: note}
		if c.it.NoteThreadID, err = p.w.addNote(ctx, n, l.convID); err != nil {
			return err
		}
	}
	switch l.timing {
	case rules.EnrichLogWith:
		c.it.Enrichment = store.EnrichmentDone
	case rules.EnrichLogWithout:
		c.it.Enrichment = store.EnrichmentPending
	}
	return nil
}

// resumeCall finishes a call whose phone thread landed on an earlier pass
// that died before recording it, from what its journal says was written.
func (p *pass) resumeCall(ctx context.Context, c *callItem, j journal, phone store.Intent) error {
	cust, agentID, err := p.callParties(ctx, c)
	if err != nil || cust.Skip {
		return err
	}
	l := landing{action: rules.ActionNew, convID: phone.ResultID, customerID: cust.ID, agentID: agentID}
	switch phone.Action {
	case actAddPhoneExisting:
		l.action, l.convID, l.threadID = rules.ActionExisting, phone.TargetID, phone.ResultID
	case actAddPhoneReopen:
		l.action, l.convID, l.threadID = rules.ActionReopen, phone.TargetID, phone.ResultID
	default:
		l.noteInline = phone.Action == actCreateConvWithNote
	}
	// Keep the enrichment state the item would have had: pending only
	// when a late note can still come. With the AI add-on off, or past
	// ENRICHMENT_MAX_AGE, none will, and a pending state would show the
	// call as waiting for its transcript/AI for ever.
	addonOff, err := p.ins.aiOff(ctx)
	if err != nil {
		return err
	}
	c.addonOff = addonOff
	if n, ok := j.landed(actAddNote); ok || l.noteInline {
		c.it.Enrichment = store.EnrichmentDone
		c.it.NoteThreadID = n.ResultID
	} else if c.in.Enrichment.Enabled() && rules.ExpectsEnrichment(c.rc) && c.it.Enrichment == store.EnrichmentNone &&
		!addonOff && p.now.Sub(c.rc.EndedAt) < c.in.Enrichment.MaxAge {
		c.it.Enrichment = store.EnrichmentPending
	}
	return p.finishCall(ctx, c, l, cust)
}

// finishCall does what follows the phone thread: reopen and reassign an
// existing conversation, remember what the late note needs, fill the ledger
// row and sync the contact.
func (p *pass) finishCall(ctx context.Context, c *callItem, l landing, cust resolvedCustomer) error {
	if l.action == rules.ActionReopen {
		// A phone thread does not reopen a conversation; the rule says it
		// must end active, so say it explicitly (idempotent).
		if err := p.hs.SetStatus(ctx, l.convID, "active"); err != nil {
			return fmt.Errorf("reopen conversation %d: %w", l.convID, err)
		}
		if l.mirrored != nil {
			l.mirrored.Status, l.mirrored.ClosedAt = "active", time.Time{}
			if err := p.convs.record(ctx, *l.mirrored); err != nil {
				return err
			}
		}
	}
	c.dec.AssigneeID = rules.NewConversationAssignee(l.agentID)
	if l.action != rules.ActionNew {
		assigned, err := p.w.reassign(ctx, c.in, assignment{l.convID, l.agentID, l.assignee, l.assigneeKnown})
		if err != nil {
			return err
		}
		c.dec.Reassigned, c.dec.AssigneeID = assigned != 0, assigned
		if assigned != 0 {
			if err := p.convs.touch(ctx, l.convID, assigned, true); err != nil {
				return err
			}
		}
	}
	if c.it.Enrichment == store.EnrichmentPending {
		p.ins.rememberLateCall(ctx, c.in, c.call, c.rc.EndedAt) // end time and agent for the late note
	}
	c.it.State, c.it.Outcome = store.StateLogged, actionOutcome[l.action]
	c.it.ConversationID, c.it.ThreadID, c.it.LastError = l.convID, l.threadID, ""
	c.it.Detail = callDetail(l.action, cust.ID, l.convID, l.agentID, l.timing)
	c.dec.ConversationReason, c.dec.ConversationID = conversationReason[l.action], l.convID
	c.dec.ThreadID, c.dec.NoteThreadID = l.threadID, c.it.NoteThreadID
	c.dec.Transcript, c.dec.AI = insightStates(c.in.Enrichment, c.rc, c.addonOff, c.it.Enrichment)
	if cust.Existing {
		p.contacts.sync(ctx, c.in, c.rc.ExternalE164, cust.Customer, c.call.Contact)
	}
	return nil
}

// callDetail says where a call went (or, in a dry run, would go).
func callDetail(action rules.Action, customerID, convID, agentID int64, timing rules.Timing) string {
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

// chooseConversation applies the conversation rule to the customer's
// conversations in the instance's mailbox, read from the conversations
// mirror. It also returns the chosen conversation's current assignee when
// known (the mirror keeps it, except on rows mirrored before it did: reassign
// then reads it), and the chosen conversation as mirrored.
func (cv *conversations) choose(ctx context.Context, in Instance, customerID int64, rc rules.Call) (choice rules.ConversationChoice, assignee int64, known bool, mirrored *store.MirrorConversation, err error) {
	pol := in.Conversation
	pol.MailboxID = in.MailboxID
	if pol.Mode != rules.ModeExisting || customerID == 0 || placeholder(customerID) {
		return rules.ConversationChoice{Action: rules.ActionNew}, 0, true, nil, nil
	}
	if !cv.ready[in.MailboxID] {
		choice, assignee, err := cv.chooseLive(ctx, in, pol, customerID, rc)
		return choice, assignee, true, nil, err
	}
	ms, convs, err := cv.mirrored(ctx, in.MailboxID, customerID)
	if err != nil {
		return choice, 0, false, nil, err
	}
	choice = rules.ChooseConversation(pol, customerID, rc.StartedAt, convs)
	for i := range ms {
		if ms[i].ID == choice.ConversationID {
			return choice, ms[i].AssigneeID, ms[i].AssigneeKnown, &ms[i], nil
		}
	}
	return choice, 0, true, nil, nil
}

// chooseConversationLive is the conversation rule while the mailbox's
// mirror has not completed its first listing (a mailbox with more open
// conversations than a pass's page allowance): one page of the customer's
// conversations, newest first. Help Scout does not document this customer
// filter, so every answer is checked to be the customer's and the
// mailbox's: an ignored filter then costs a new conversation, never a
// wrong one.
func (cv *conversations) chooseLive(ctx context.Context, in Instance, pol rules.ConversationPolicy, customerID int64, rc rules.Call) (rules.ConversationChoice, int64, error) {
	convs, err := cv.hs.ListConversations(ctx, helpscout.ConversationFilter{
		MailboxID: in.MailboxID, CustomerID: customerID, Status: "all",
		SortField: "modifiedAt", SortOrder: "desc", MaxPages: 1})
	if err != nil {
		return rules.ConversationChoice{}, 0, fmt.Errorf("list conversations of customer %d: %w", customerID, err)
	}
	convs = slices.DeleteFunc(convs, func(c helpscout.Conversation) bool {
		return c.PrimaryCustomer == nil || c.PrimaryCustomer.ID != customerID || (c.MailboxID != 0 && c.MailboxID != in.MailboxID)
	})
	choice := rules.ChooseConversation(pol, customerID, rc.StartedAt, rulesConversations(convs))
	for _, c := range convs {
		if c.ID == choice.ConversationID && c.Assignee != nil {
			return choice, c.Assignee.ID, nil
		}
	}
	return choice, 0, nil
}

// writer makes an item's journaled Help Scout writes (threads, notes,
// conversations, assignments) and records them in the conversations mirror.
type writer struct {
	hs    HelpScout
	st    State
	jr    journaler
	convs *conversations
}

// createCallConversation creates a phone conversation carrying the call's
// phone thread (and the insights note when ready) in one write.
func (w *writer) createCallConversation(ctx context.Context, c *callItem, l *landing, enr rules.Enrichment) (int64, error) {
	in, rc, customerID := c.in, c.rc, l.customerID
	threads := []helpscout.NewThread{{
		Type: "phone", Text: rules.RenderCallThread(rc), Customer: &helpscout.CustomerRef{ID: customerID},
		Imported: true, CreatedAt: hsTime(rc.StartedAt),
	}}
	action := actCreateConversation
	if l.noteInline {
		action = actCreateConvWithNote
		threads = append(threads, helpscout.NewThread{Type: "note", Text: rules.RenderEnrichmentNote(rc.ID, in.Enrichment.Filter(enr)),
			Imported: true, CreatedAt: hsTime(rc.EndedAt)})
	}
	nc := helpscout.NewConversation{
		Subject: rules.CallSubject(rc), Type: "phone", MailboxID: in.MailboxID, Status: "active",
		Customer: helpscout.CustomerRef{ID: customerID}, AssignTo: rules.NewConversationAssignee(l.agentID),
		Imported: true, CreatedAt: hsTime(rc.StartedAt), Threads: threads,
	}
	id, err := w.jr.write(ctx, c.ref(), action, customerID, func(ctx context.Context) (int64, error) {
		return w.hs.CreateConversation(ctx, nc)
	})
	if err != nil {
		return 0, fmt.Errorf("create conversation: %w", err)
	}
	return id, w.convs.record(ctx, store.MirrorConversation{MailboxID: in.MailboxID, ID: id, CustomerID: customerID,
		Status: "active", Subject: nc.Subject, CreatedAt: rc.StartedAt, AssigneeID: nc.AssignTo, AssigneeKnown: true})
}

// addPhoneThread logs the call into an existing conversation.
func (w *writer) addPhoneThread(ctx context.Context, c *callItem, l *landing) (int64, error) {
	rc, convID, customerID := c.rc, l.convID, l.customerID
	act := actAddPhoneExisting
	if l.action == rules.ActionReopen {
		act = actAddPhoneReopen
	}
	th := helpscout.NewThread{Type: "phone", Text: rules.RenderCallThread(rc), Customer: &helpscout.CustomerRef{ID: customerID},
		Imported: true, CreatedAt: hsTime(rc.StartedAt)}
	id, err := w.jr.write(ctx, c.ref(), act, convID, func(ctx context.Context) (int64, error) {
		return w.hs.CreateThread(ctx, convID, th)
	})
	if err != nil {
		return 0, fmt.Errorf("add phone thread to conversation %d: %w", convID, err)
	}
	return id, nil
}

// insightsNote is a call's transcript/AI note on its way to Help Scout.
type insightsNote struct {
	ref    itemRef
	callID int64
	ended  time.Time
	enr    rules.Enrichment
}

// addNote adds the transcript/AI note to a conversation, dated at the
// call's end like the inline note, so that a back-filled or late note sits
// right after its phone thread instead of at the day it was written.
func (w *writer) addNote(ctx context.Context, n insightsNote, convID int64) (int64, error) {
	th := helpscout.NewThread{Type: "note", Text: rules.RenderEnrichmentNote(n.callID, n.enr), Imported: true}
	if !n.ended.IsZero() {
		th.CreatedAt = hsTime(n.ended)
	}
	id, err := w.jr.write(ctx, n.ref, actAddNote, convID, func(ctx context.Context) (int64, error) {
		return w.hs.CreateThread(ctx, convID, th)
	})
	if err != nil {
		return 0, fmt.Errorf("add insights note to conversation %d: %w", convID, err)
	}
	return id, nil
}

// reassign applies REASSIGN to an existing or reopened conversation and
// returns the user it assigned it to (0: left as it was). The assignee is
// known from the listing that chose the conversation; a resumed item reads it
// (a GET costs one unit, a needless PATCH two).
func (w *writer) reassign(ctx context.Context, in Instance, a assignment) (int64, error) {
	convID, agentID, current := a.convID, a.agentID, a.current
	if !in.Reassign || agentID == 0 {
		return 0, nil
	}
	if !a.known {
		conv, err := w.hs.GetConversation(ctx, convID)
		if err != nil {
			return 0, fmt.Errorf("read conversation %d before reassigning: %w", convID, err)
		}
		if conv.Assignee != nil {
			current = conv.Assignee.ID
		}
	}
	ch := rules.ChooseAssignee(in.Reassign, rules.ActionExisting, agentID, current)
	if !ch.Change {
		return 0, nil
	}
	if err := w.hs.Assign(ctx, convID, ch.UserID); err != nil {
		return 0, fmt.Errorf("assign conversation %d to user %d: %w", convID, ch.UserID, err)
	}
	return ch.UserID, nil
}

// assignment is what reassign decides on: the conversation, the call's or
// message's agent user, and the conversation's current assignee when known.
type assignment struct {
	convID, agentID, current int64
	known                    bool
}

// ref names a Help Scout object in a detail; a placeholder (a dry run's
// object that was not created) reads as "a new ...".
func ref(what string, id int64) string {
	if placeholder(id) {
		return "a new " + what
	}
	return fmt.Sprintf("%s %d", what, id)
}
