package reconciler

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aircall-helpscout/aircall-helpscout/clients/aircall"
	"github.com/aircall-helpscout/aircall-helpscout/clients/helpscout"
	"github.com/aircall-helpscout/aircall-helpscout/rules"
	"github.com/aircall-helpscout/aircall-helpscout/store"
)

// messageBatch is how many inbox rows a pass reads at a time.
const messageBatch = 500

// messages logs the SMS/WhatsApp messages stored by the webhook receiver
// since the instance's message cursor (docs/exactly-once.md#messages). A scheduled pass first
// retries the messages that failed before, by id, then reads the inbox in
// Seq order; the cursor moves over every message that reached a final state
// or failed (failed ones are retried by id, so one bad message never holds
// the others). A catch-up re-reads the inbox rows created in its period and
// leaves the cursor alone.
func (p *pass) messages(ctx context.Context, in Instance, rt Routing) error {
	if !in.LogMessages {
		return nil
	}
	if !p.po.Since.IsZero() {
		return p.catchUpMessages(ctx, in, rt)
	}
	if err := p.retryMessages(ctx, in, rt); err != nil {
		return err
	}
	cursor, _, err := p.st.Cursor(ctx, in.Name, store.StreamMessages)
	if err != nil {
		return fmt.Errorf("read message cursor of %s: %w", in.Name, err)
	}
	for {
		rows, err := p.st.MessagesAfter(ctx, cursor, messageBatch)
		if err != nil {
			return fmt.Errorf("read message inbox: %w", err)
		}
		next, stop, err := p.messageRows(ctx, in, rt, rows, cursor)
		if next > cursor {
			if aerr := p.st.AdvanceCursor(context.WithoutCancel(ctx), in.Name, store.StreamMessages, next); aerr != nil {
				return errors.Join(err, fmt.Errorf("advance message cursor of %s: %w", in.Name, aerr))
			}
		}
		cursor = next
		if err != nil || stop || len(rows) < messageBatch {
			return err
		}
	}
}

// messageRows handles one batch of inbox rows in order and returns the Seq
// the cursor may move to. It stops at the first message that could not be
// taken to a final or failed state (the ledger could not be read): that one
// is read again next pass.
func (p *pass) messageRows(ctx context.Context, in Instance, rt Routing, rows []store.InboxMessage, cursor int64) (next int64, stop bool, err error) {
	next = cursor
	for _, row := range rows {
		if m, ok := decodeInbox(p.log, row); ok {
			if name, overlap := rt.InstanceFor(m.Number); !overlap && name == in.Name {
				err := p.handleMessage(ctx, in, m, row.ReceivedAt)
				p.tally.progress()
				if err != nil {
					return next, true, p.unstarted(ctx, in, err)
				}
			}
		}
		next = row.Seq
		if err := p.brk.proceed(ctx); err != nil {
			return next, true, err
		}
	}
	return next, false, nil
}

// unstarted handles a message that could not even be started: the loop
// stops there so that it is read again. Bad credentials and cancellation
// stop the pass; anything else (the ledger unreadable) is reported.
func (p *pass) unstarted(ctx context.Context, in Instance, err error) error {
	if isFatal(err) || ctx.Err() != nil {
		return err
	}
	p.tally.problem("messages: "+err.Error(), in)
	return nil
}

// decodeInbox reads an inbox row's message. The receiver only stores rows
// that decode, so a failure here is logged and the row passed over.
func decodeInbox(log *slog.Logger, row store.InboxMessage) (aircall.Message, bool) {
	var m aircall.Message
	if err := json.Unmarshal(row.Payload, &m); err != nil || m.ID == "" {
		log.Error("unreadable inbox message; passed over", "seq", row.Seq, "message", row.MessageID, "err", err)
		return m, false
	}
	return m, true
}

// retryMessages takes the messages that failed on earlier passes through
// again, by id.
func (p *pass) retryMessages(ctx context.Context, in Instance, rt Routing) error {
	items, err := p.st.ListItems(ctx, store.ItemFilter{Instance: in.Name, Kind: store.KindMessage, States: []store.State{store.StateFailed}})
	if err != nil {
		return fmt.Errorf("list messages to retry: %w", err)
	}
	if items, err = p.ledger.withRetryRequested(ctx, in, store.KindMessage, items); err != nil {
		return err
	}
	for _, it := range items {
		row, found, err := p.st.GetMessage(ctx, it.SourceID)
		if err != nil {
			return fmt.Errorf("read inbox message %s: %w", it.SourceID, err)
		}
		m, ok := decodeInbox(p.log, row)
		if !found || !ok {
			it.State, it.Outcome, it.LastError = store.StateParked, store.OutcomeParked, "message no longer in the inbox"
			p.ledger.record(ctx, it, it.LastError)
		} else if name, overlap := rt.InstanceFor(m.Number); !overlap && name == in.Name {
			if err := p.handleMessage(ctx, in, m, row.ReceivedAt); err != nil {
				return p.unstarted(ctx, in, err)
			}
		} // else moved to another instance or overlapping: leave it
		if err := p.brk.proceed(ctx); err != nil {
			return err
		}
	}
	return nil
}

// catchUpMessages handles the inbox messages created in [Since, Until).
// The inbox has no index on created_at (it lives in the payload), so it is
// read whole, in batches; it only holds what the receiver got.
func (p *pass) catchUpMessages(ctx context.Context, in Instance, rt Routing) error {
	until := p.catchUpUntil()
	var after int64
	for {
		rows, err := p.st.MessagesAfter(ctx, after, messageBatch)
		if err != nil {
			return fmt.Errorf("read message inbox: %w", err)
		}
		for _, row := range rows {
			after = row.Seq
			m, ok := decodeInbox(p.log, row)
			if !ok {
				continue
			}
			created := messageCreated(m, row.ReceivedAt)
			if created.Before(p.po.Since) || !created.Before(until) {
				continue
			}
			if name, overlap := rt.InstanceFor(m.Number); overlap || name != in.Name {
				continue
			}
			err := p.handleMessage(ctx, in, m, row.ReceivedAt)
			p.tally.progress()
			if err != nil {
				return p.unstarted(ctx, in, err)
			}
			if err := p.brk.proceed(ctx); err != nil {
				return err
			}
		}
		if len(rows) < messageBatch {
			return nil
		}
	}
}

// catchUpUntil is the (exclusive) end of a catch-up's messages: Until, or
// now included when it has none or it is in the future.
func (p *pass) catchUpUntil() time.Time {
	if u := p.po.Until; !u.IsZero() && !u.After(p.now) {
		return u
	}
	return p.now.Add(time.Second)
}

// messageCreated is when a message was written: created_at, else when it
// reached us.
func messageCreated(m aircall.Message, received time.Time) time.Time {
	if !m.CreatedAt.IsZero() {
		return m.CreatedAt.UTC()
	}
	return received.UTC()
}

// handleMessage takes one message to a final outcome if it can and records
// what happened. A returned error means the message could not even be
// started (ledger unreadable, credentials bad, pass cancelled): the caller
// stops there so it is read again.
func (p *pass) handleMessage(ctx context.Context, in Instance, m aircall.Message, received time.Time) error {
	it, done, err := p.ledger.row(ctx, itemRef{in.Name, store.KindMessage, m.ID})
	if err != nil {
		return fmt.Errorf("read ledger of message %s: %w", m.ID, err)
	}
	if done {
		return nil
	}
	it.OccurredAt = messageCreated(m, received)
	rm := p.r.rulesMessage(in, m, it.OccurredAt)
	dec := store.Decision{Instance: in.Name, Kind: store.KindMessage, SourceID: m.ID}
	mi := &msgItem{in: in, m: m, rm: rm, day: rules.MessageDay(rm.CreatedAt, rm.Location), it: &it, dec: &dec}
	err = p.logMessage(ctx, mi)
	if err != nil && (isFatal(err) || ctx.Err() != nil) {
		return err // not the message's fault: no attempt spent
	}
	if err != nil {
		p.ledger.fail(ctx, &it, err)
	} else {
		p.brk.answered()
		p.ledger.record(ctx, it, it.Detail)
		p.rec.putFacts(ctx, it, messageFacts(rm, m))
	}
	if dec.CustomerRule != "" || dec.ConversationReason != "" {
		p.rec.putDecision(ctx, dec)
	}
	if err != nil {
		return nil
	}
	p.log.Info("message", "instance", in.Name, "message", m.ID, "state", it.State, "outcome", it.Outcome,
		"customer", it.CustomerID, "conversation", it.ConversationID)
	return nil
}

// rulesMessage builds the rules' view of an Aircall message. The customer's
// number is external_number, else raw_digits.
func (r *Reconciler) rulesMessage(in Instance, m aircall.Message, created time.Time) rules.Message {
	rm := rules.Message{ID: m.ID, Direction: m.Direction, Channel: rules.ChannelOf(m.Channel), Body: m.Body,
		CreatedAt: created, ExternalRaw: m.ExternalNumber, Location: time.UTC}
	if rm.ExternalRaw == "" {
		rm.ExternalRaw = m.RawDigits
	}
	region := in.region(m.Number)
	for _, raw := range []string{m.ExternalNumber, m.RawDigits} {
		if e, ok := rules.NormalizePhone(raw, region); ok {
			rm.ExternalE164 = e
			break
		}
	}
	if m.Number != nil {
		rm.LineName, rm.LineDigits = m.Number.Name, m.Number.Digits
		rm.Location = r.location(m.Number.TimeZone)
	}
	if m.User != nil {
		rm.AgentName = m.User.Name
	}
	seen := map[string]bool{}
	for _, d := range m.MediaDetails {
		if d.PresignedURL != "" && !seen[d.PresignedURL] {
			seen[d.PresignedURL] = true
			rm.Media = append(rm.Media, rules.Media{Name: d.FileName, URL: d.PresignedURL})
		}
	}
	for _, u := range m.MediaURL {
		if u != "" && !seen[u] {
			seen[u] = true
			rm.Media = append(rm.Media, rules.Media{URL: u})
		}
	}
	return rm
}

// msgItem is one message on its way through a pass: whose it is, the
// rules' view of it, its ledger row and decision record, which the steps
// fill in.
type msgItem struct {
	in      Instance
	m       aircall.Message
	rm      rules.Message
	day     string // the line's local day, which names its conversation
	agentID int64  // the agent's Help Scout user, 0 when none
	it      *store.Item
	dec     *store.Decision
}

// ref names the message in the ledger and the journal.
func (mi *msgItem) ref() itemRef { return itemRef{mi.in.Name, store.KindMessage, mi.m.ID} }

// messageThread is the thread of one message. Inbound: a customer thread.
// Outbound: a reply by the agent's Help Scout user, or, when the agent has
// none (a reply needs a user), a note naming the Aircall agent. All are
// imported, so nothing is emailed and a closed conversation stays closed.
func messageThread(rm rules.Message, customerID, agentID int64) helpscout.NewThread {
	th := helpscout.NewThread{Text: rules.RenderMessageThread(rm), Customer: &helpscout.CustomerRef{ID: customerID},
		Imported: true, CreatedAt: hsTime(rm.CreatedAt)}
	switch {
	case rm.Direction != "outbound":
		th.Type = "customer"
	case agentID != 0:
		th.Type, th.User = "reply", agentID
	default:
		th.Type, th.Customer = "note", nil
	}
	return th
}

// logMessage applies the message rule
// (docs/rules.md#sms-and-whatsapp-messages) to one message, resuming from its journal: the
// customer as for calls, then one conversation per customer, channel and
// local day of the line, the message a thread in it. It fills it (state,
// outcome, IDs); the caller records it.
func (p *pass) logMessage(ctx context.Context, mi *msgItem) error {
	j, err := p.jr.load(ctx, mi.ref(), rules.MessageMarker(mi.m.ID))
	if err != nil {
		return err
	}
	if mi.agentID, err = p.cust.agentUser(ctx, mi.m.User); err != nil {
		return err
	}
	// The thread already landed (a previous pass died after it): finish
	// from there without deciding anything again.
	if w, ok := j.landed(actCreateMsgConv, actAddMessageThread); ok {
		return p.resumeMessage(ctx, mi, w)
	}

	for try := 0; ; try++ {
		err := p.placeMessage(ctx, mi)
		// The customer the mirror gave is gone (deleted or merged since
		// the refresh): nothing landed, so correct the mirror and decide
		// again, in this pass, as for calls.
		var g *goneError
		if errors.As(err, &g) && try < maxRedecide {
			if ferr := p.forgetGone(ctx, mi.in, g); ferr != nil {
				return errors.Join(err, ferr)
			}
			continue
		}
		return err
	}
}

// placeMessage decides the message's customer and conversation and writes
// its thread: into the customer's conversation of the day for the channel,
// or a new one.
func (p *pass) placeMessage(ctx context.Context, mi *msgItem) error {
	in, rm, day, it, dec := mi.in, mi.rm, mi.day, mi.it, mi.dec
	cust, err := p.cust.resolve(ctx, in, mi.ref(), rm.ExternalE164, in.region(mi.m.Number))
	if err != nil {
		return err
	}
	decideCustomer(dec, cust, rm.ExternalE164)
	if cust.Skip {
		it.State, it.Outcome, it.Detail = store.StateSkipped, store.OutcomeDuplicateCustomers, rules.DuplicateDetail(cust.Candidates)
		return nil
	}
	it.CustomerID = cust.ID
	key := store.DayConversation{Instance: in.Name, CustomerID: cust.ID, Channel: string(rm.Channel), Day: day}
	th := messageThread(rm, cust.ID, mi.agentID)

	dc, ok, err := p.w.dayConversation(ctx, key)
	if err != nil {
		return err
	}
	if ok && dc.Threads < rules.MaxThreads {
		convID, threadID, added, err := p.w.addToDayConversation(ctx, mi, dc, th)
		if err != nil {
			return err
		}
		if added {
			it.State, it.Outcome = store.StateLogged, store.OutcomeExistingConversation
			it.ConversationID, it.ThreadID, it.LastError = convID, threadID, ""
			it.Detail = messageDetail(cust.ID, rm.Channel, convID, day)
			dec.ConversationReason, dec.ConversationID, dec.ThreadID = store.ConversationDay, convID, threadID
			return nil
		}
	}
	// No day conversation known: one an unsettled create of another message
	// may have made is that conversation, so wait for it to be settled
	// rather than open a second one for the same day.
	if err := p.convs.noUnsettledCreate(ctx, mi.ref(), cust.ID, actCreateMsgConv); err != nil {
		return err
	}
	convID, err := p.w.createMessageConversation(ctx, mi, key, th)
	if err != nil {
		return gone(err, cust.ID, 0)
	}
	it.State, it.Outcome = store.StateLogged, store.OutcomeNewConversation
	it.ConversationID, it.ThreadID, it.LastError = convID, 0, ""
	it.Detail = messageDetail(cust.ID, rm.Channel, convID, day)
	dec.ConversationReason, dec.ConversationID = store.ConversationNew, convID
	dec.Reassigned, dec.AssigneeID = false, rules.NewConversationAssignee(mi.agentID)
	return nil
}

// messageDetail says where a message went (or, in a dry run, would go).
func messageDetail(customerID int64, channel rules.Channel, convID int64, day string) string {
	return fmt.Sprintf("%s, %s of %s", ref("customer", customerID), ref(rules.ChannelName(channel)+" conversation", convID), day)
}

// dayConversation returns the conversation that collects the key's messages,
// if there is one.
func (w *writer) dayConversation(ctx context.Context, key store.DayConversation) (store.DayConversation, bool, error) {
	dc, ok, err := w.st.DayConversation(ctx, key.Instance, key.CustomerID, key.Channel, key.Day)
	if err != nil {
		return dc, false, fmt.Errorf("read day conversation: %w", err)
	}
	return dc, ok, nil
}

// addToDayConversation adds the message's thread to the day conversation.
// added=false means the conversation cannot take it (full or gone) and a new
// one must be started.
func (w *writer) addToDayConversation(ctx context.Context, mi *msgItem, dc store.DayConversation, th helpscout.NewThread) (convID, threadID int64, added bool, err error) {
	convID = dc.ConversationID
	a := assignment{convID: convID, agentID: mi.agentID}
	if th.Type == "reply" || (mi.in.Reassign && mi.agentID != 0) {
		if ok, err := w.readDay(ctx, &dc, &th, &a); !ok || err != nil {
			return 0, 0, false, err
		}
	}
	threadID, err = w.jr.write(ctx, mi.ref(), actAddMessageThread, convID, func(ctx context.Context) (int64, error) {
		return w.hs.CreateThread(ctx, convID, th)
	})
	if errors.Is(err, helpscout.ErrThreadLimit) || conversationGone(err) {
		// Full (412) or gone (merged, moved or deleted): start a new conversation,
		// as an agent would expect.
		return 0, 0, false, w.putDay(ctx, dc, rules.MaxThreads)
	}
	if customerRefused(err) {
		// The thread names a customer Help Scout no longer has.
		return 0, 0, false, &goneError{customerID: dc.CustomerID, err: err}
	}
	if err != nil {
		return 0, 0, false, fmt.Errorf("add message thread to conversation %d: %w", convID, err)
	}
	if err := w.putDay(ctx, dc, dc.Threads+1); err != nil {
		return convID, threadID, true, err
	}
	return convID, threadID, true, w.afterDayThread(ctx, mi, a)
}

// readDay reads the day conversation before adding a thread, which is
// needed only for REASSIGN (its assignee, into a) or for a reply (its
// status, which the reply then restates so that it neither reopens nor
// closes anything). ok=false means the conversation cannot take the thread
// (full, or gone): it is recorded as full, and a new one must be started.
func (w *writer) readDay(ctx context.Context, dc *store.DayConversation, th *helpscout.NewThread, a *assignment) (ok bool, err error) {
	conv, err := w.hs.GetConversation(ctx, dc.ConversationID)
	if conversationGone(err) || (err == nil && conv.ThreadCount >= rules.MaxThreads) {
		return false, w.putDay(ctx, *dc, rules.MaxThreads)
	}
	if err != nil {
		return false, fmt.Errorf("read conversation %d: %w", dc.ConversationID, err)
	}
	if conv.Assignee != nil {
		a.current = conv.Assignee.ID
	}
	a.known = true
	if th.Type == "reply" {
		th.Status = conv.Status
	}
	if conv.ThreadCount > dc.Threads {
		dc.Threads = conv.ThreadCount
	}
	return true, nil
}

// afterDayThread records a thread just added to the day conversation in
// the mirror (existing mode, choosing the customer's most recently updated
// conversation, must see it so) and applies REASSIGN.
func (w *writer) afterDayThread(ctx context.Context, mi *msgItem, a assignment) error {
	if err := w.convs.touch(ctx, a.convID, a.current, a.known); err != nil {
		return err
	}
	assigned, err := w.reassign(ctx, mi.in, a)
	if err != nil {
		return err
	}
	mi.dec.Reassigned, mi.dec.AssigneeID = assigned != 0, assigned
	if assigned != 0 {
		return w.convs.touch(ctx, a.convID, assigned, true)
	}
	return nil
}

// putDay records the day conversation's thread count; it must survive a
// cancelled pass, since the write it follows landed.
func (w *writer) putDay(ctx context.Context, dc store.DayConversation, threads int) error {
	dc.Threads = threads
	wctx, cancel := detached(ctx)
	defer cancel()
	if err := w.st.PutDayConversation(wctx, dc); err != nil {
		return fmt.Errorf("record day conversation: %w", err)
	}
	return nil
}

// createMessageConversation starts the day conversation with the message's
// thread inline (one write). Type phone: Help Scout has no SMS type, and
// chat conversations are Beacon chats whose threads come back truncated when
// embedded, which would hide the marker from the crash check.
func (w *writer) createMessageConversation(ctx context.Context, mi *msgItem, key store.DayConversation, th helpscout.NewThread) (int64, error) {
	in, rm := mi.in, mi.rm
	nc := helpscout.NewConversation{
		Subject: rules.MessageSubject(rm.Channel, rm.External(), key.Day), Type: "phone", MailboxID: in.MailboxID,
		Status: "active", Customer: helpscout.CustomerRef{ID: key.CustomerID}, AssignTo: rules.NewConversationAssignee(mi.agentID),
		Imported: true, CreatedAt: hsTime(rm.CreatedAt), Threads: []helpscout.NewThread{th},
	}
	id, err := w.jr.write(ctx, mi.ref(), actCreateMsgConv, key.CustomerID, func(ctx context.Context) (int64, error) {
		return w.hs.CreateConversation(ctx, nc)
	})
	if err != nil {
		return 0, fmt.Errorf("create %s conversation: %w", rules.ChannelName(rm.Channel), err)
	}
	key.ConversationID = id
	if err := w.putDay(ctx, key, 1); err != nil {
		return id, err
	}
	// Existing mode may log a call of the same customer into it.
	return id, w.convs.record(ctx, store.MirrorConversation{MailboxID: in.MailboxID, ID: id, CustomerID: key.CustomerID,
		Status: "active", Subject: nc.Subject, CreatedAt: rm.CreatedAt, AssigneeID: nc.AssignTo, AssigneeKnown: true})
}

// resumeMessage finishes a message whose thread landed on an earlier pass
// that died before recording it: it records the day conversation (read back
// for its customer and true thread count) and applies REASSIGN.
func (p *pass) resumeMessage(ctx context.Context, mi *msgItem, w store.Intent) error {
	in, rm, day, it, dec := mi.in, mi.rm, mi.day, mi.it, mi.dec
	convID, threadID := w.ResultID, int64(0)
	it.Outcome = store.OutcomeNewConversation
	if w.Action == actAddMessageThread {
		convID, threadID = w.TargetID, w.ResultID
		it.Outcome = store.OutcomeExistingConversation
	}
	conv, err := p.hs.GetConversation(ctx, convID)
	if err != nil {
		return fmt.Errorf("read conversation %d of a landed message: %w", convID, err)
	}
	if conv.PrimaryCustomer != nil {
		it.CustomerID = conv.PrimaryCustomer.ID
		dc := store.DayConversation{Instance: in.Name, CustomerID: conv.PrimaryCustomer.ID, Channel: string(rm.Channel), Day: day, ConversationID: convID}
		if err := p.w.putDay(ctx, dc, max(conv.ThreadCount, 1)); err != nil {
			return err
		}
	}
	if w.Action == actAddMessageThread {
		var current int64
		if conv.Assignee != nil {
			current = conv.Assignee.ID
		}
		assigned, err := p.w.reassign(ctx, in, assignment{convID, mi.agentID, current, true})
		if err != nil {
			return err
		}
		dec.Reassigned, dec.AssigneeID = assigned != 0, assigned
	}
	it.State, it.ConversationID, it.ThreadID, it.LastError = store.StateLogged, convID, threadID, ""
	// The customer rule ran on the pass that died; what is known now is
	// where the message went.
	dec.CustomerID, dec.ConversationID, dec.ThreadID = it.CustomerID, convID, threadID
	dec.ConversationReason = store.ConversationDay
	if w.Action == actCreateMsgConv {
		dec.ConversationReason = store.ConversationNew
	}
	dec.Note = "finished after an interrupted pass: the customer was chosen then"
	it.Detail = messageDetail(it.CustomerID, rm.Channel, convID, day) + " (resumed)"
	return nil
}

// countMessages counts the stored messages this pass will take, for the
// progress total (PassOptions.CountTotal): those after each instance's
// message cursor, or, in a catch-up, those created in the period, routed to
// an instance of the pass that logs messages. It reads the inbox once more
// (the local database, no API request); a failure leaves them out of the
// total.
func (p *pass) countMessages(ctx context.Context, insts []Instance, rt Routing) int {
	from := map[string]int64{} // instance → cursor (0 in a catch-up)
	start := int64(-1)
	for _, in := range insts {
		if !in.LogMessages {
			continue
		}
		var c int64
		if p.po.Since.IsZero() {
			var err error
			if c, _, err = p.st.Cursor(ctx, in.Name, store.StreamMessages); err != nil {
				return 0
			}
		}
		from[in.Name] = c
		if start < 0 || c < start {
			start = c
		}
	}
	if start < 0 {
		return 0
	}
	until := p.catchUpUntil()
	n := 0
	for after := start; ; {
		rows, err := p.st.MessagesAfter(ctx, after, messageBatch)
		if err != nil {
			return n
		}
		for _, row := range rows {
			after = row.Seq
			var m aircall.Message
			if json.Unmarshal(row.Payload, &m) != nil || m.ID == "" {
				continue
			}
			name, overlap := rt.InstanceFor(m.Number)
			cursor, mine := from[name]
			if overlap || !mine || row.Seq <= cursor {
				continue
			}
			if !p.po.Since.IsZero() {
				if created := messageCreated(m, row.ReceivedAt); created.Before(p.po.Since) || !created.Before(until) {
					continue
				}
			}
			n++
		}
		if len(rows) < messageBatch {
			return n
		}
	}
}
