package reconciler_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/aircall-helpscout/aircall-helpscout/clients/helpscout"
	"github.com/aircall-helpscout/aircall-helpscout/clients/helpscout/helpscouttest"
	"github.com/aircall-helpscout/aircall-helpscout/reconciler"
	"github.com/aircall-helpscout/aircall-helpscout/reconciler/reconcilertest"
	"github.com/aircall-helpscout/aircall-helpscout/rules"
	"github.com/aircall-helpscout/aircall-helpscout/store"
	"github.com/aircall-helpscout/aircall-helpscout/web"
)

// messageThreads returns every thread carrying the message's marker, with
// the conversation holding it: the exactly-once check.
func messageThreads(e *reconcilertest.Env, id string) (threads []helpscout.Thread, convs []helpscout.Conversation) {
	for _, c := range e.HS.Conversations() {
		full, _ := e.HS.Conversation(c.ID)
		for _, t := range full.Threads {
			if rules.HasMarker(t.Body, rules.MessageMarker(id)) {
				threads = append(threads, t)
				convs = append(convs, full)
			}
		}
	}
	return threads, convs
}

func onlyReads(e *reconcilertest.Env, from int) bool {
	for _, r := range e.HS.Requests()[from:] {
		if r.Method != "GET" && !strings.HasSuffix(r.Path, "/oauth2/token") {
			return false
		}
	}
	return true
}

// TestMessagesEndToEnd drives real HTTP deliveries at the receiver (good
// and bad token, oversized, malformed, duplicates, status update), runs a
// pass and checks Help Scout: grouped by customer, channel and local day,
// each body once, nothing unescaped.
func TestMessagesEndToEnd(t *testing.T) {
	is := is.New(t)
	e := reconcilertest.New(t)
	rc := newReceiver(t, e.Store)
	marta := e.Customer("Marta", "López", 48*time.Hour, "612 34 56 78")
	now := e.Clock.Now() // 12:00 UTC = 13:00 Madrid
	day := now.Add(-2 * time.Hour)

	in1 := msg{ID: "sms-1", Direction: "inbound", External: "+34612345678", Body: "Hola,\nmy order?", Status: "received", Created: day}
	out1 := msg{ID: "sms-2", Direction: "outbound", External: "+34612345678", Body: "Arrives tomorrow", Status: "sent", Created: day.Add(time.Minute), Agent: true}
	xss := msg{ID: "sms-3", Direction: "inbound", External: "+34612345678", Body: `<script>alert(1)</script> & "q"`, Status: "received", Created: day.Add(2 * time.Minute),
		Media: []string{"https://media.example/a.jpg"}}
	wa := msg{ID: "wa-1", Direction: "inbound", External: "+34612345678", Body: "por WhatsApp", Status: "received", Created: day.Add(3 * time.Minute), Channel: "whatsapp"}
	// 23:30 UTC the day before is 00:30 in Madrid: the same local day as the others.
	late := msg{ID: "sms-4", Direction: "inbound", External: "+34612345678", Body: "late night", Status: "received", Created: time.Date(2026, 11, 19, 23, 30, 0, 0, time.UTC)}
	// 22:30 UTC the day before is 23:30 in Madrid: the previous local day.
	prev := msg{ID: "sms-5", Direction: "inbound", External: "+34612345678", Body: "yesterday", Status: "received", Created: time.Date(2026, 11, 19, 22, 30, 0, 0, time.UTC)}
	other := msg{ID: "sms-6", Direction: "inbound", External: "+34699999999", Body: "someone else", Status: "received", Created: day}

	for _, m := range []msg{in1, out1, xss, wa, late, prev, other} {
		ev := "message.received"
		if m.Direction == "outbound" {
			ev = "message.sent"
		}
		rc.deliver(t, ev, m)
	}
	rc.deliver(t, "message.received", in1) // duplicate delivery
	upd := out1
	upd.Status, upd.Updated = "delivered", out1.Created.Add(time.Minute)
	rc.deliver(t, "message.status_updated", upd)
	// Refused deliveries are answered 200 and store nothing.
	is.Equal(rc.post(t, envelope("message.received", "bad", msg{ID: "evil", External: "+34612345678", Body: "x", Created: day}.data())), 200)
	is.Equal(rc.post(t, append(envelope("message.received", hookToken, in1.data()), make([]byte, web.MaxWebhookBody)...)), 200)
	is.Equal(rc.post(t, []byte(`{"token":"`+hookToken+`","event":"message.received","data":{"id":"x"`)), 200)

	res := e.Pass()
	counts := res.Instances["default"].Counts
	is.Equal(counts[store.OutcomeNewConversation], 4)      // SMS today, WhatsApp today, SMS yesterday, other customer
	is.Equal(counts[store.OutcomeExistingConversation], 3) // sms-2, sms-3, sms-4

	for _, id := range []string{"sms-1", "sms-2", "sms-3", "sms-4", "sms-5", "sms-6", "wa-1"} {
		threads, _ := messageThreads(e, id)
		is.Equal(len(threads), 1) // every message exactly once
	}
	_, c1 := messageThreads(e, "sms-1")
	sms := c1[0]
	is.Equal(sms.PrimaryCustomer.ID, marta)
	is.Equal(sms.Subject, "SMS with +34 612 34 56 78 on 2026-11-20")
	is.Equal(sms.Type, "phone")
	is.Equal(sms.MailboxID, reconcilertest.MailboxID)
	is.Equal(len(sms.Threads), 4) // sms-1..4: one local day
	for _, id := range []string{"sms-2", "sms-3", "sms-4"} {
		_, c := messageThreads(e, id)
		is.Equal(c[0].ID, sms.ID)
	}
	_, cw := messageThreads(e, "wa-1")
	is.True(cw[0].ID != sms.ID)
	is.Equal(cw[0].Subject, "WhatsApp with +34 612 34 56 78 on 2026-11-20")
	_, cp := messageThreads(e, "sms-5")
	is.True(cp[0].ID != sms.ID)
	is.Equal(cp[0].Subject, "SMS with +34 612 34 56 78 on 2026-11-19")
	_, co := messageThreads(e, "sms-6")
	is.True(co[0].PrimaryCustomer.ID != marta)

	// inbound from the customer, outbound a reply by the agent's user
	th1, _ := messageThreads(e, "sms-1")
	is.Equal(th1[0].Type, "customer")
	is.Equal(th1[0].Customer.ID, marta)
	is.True(strings.Contains(th1[0].Body, "Hola,<br>"))
	th2, _ := messageThreads(e, "sms-2")
	is.Equal(th2[0].Type, "reply")
	is.Equal(th2[0].CreatedBy.ID, e.AgentHS)
	is.True(strings.Contains(th2[0].Body, "Arrives tomorrow"))
	th3, _ := messageThreads(e, "sms-3")
	is.True(!strings.Contains(th3[0].Body, "<script>"))
	is.True(strings.Contains(th3[0].Body, "&lt;script&gt;alert(1)&lt;/script&gt;"))
	is.True(strings.Contains(th3[0].Body, `href="https://media.example/a.jpg"`))
	for _, c := range e.HS.Conversations() {
		full, _ := e.HS.Conversation(c.ID)
		for _, th := range full.Threads {
			is.True(!strings.Contains(th.Body, "<script"))
			is.True(!strings.Contains(th.Body, "evil"))
		}
	}
	is.Equal(strings.Count(allBodies(e), "Arrives tomorrow"), 1) // the status update did not log it twice

	// A second pass writes nothing, even after another status update.
	upd.Status, upd.Updated = "read", upd.Updated.Add(time.Minute)
	rc.deliver(t, "message.status_updated", upd)
	before := len(e.HS.Requests())
	e.Clock.Advance(5 * time.Minute)
	res = e.Pass()
	is.Equal(res.Instances["default"].Counts[store.OutcomeNewConversation]+res.Instances["default"].Counts[store.OutcomeExistingConversation], 0)
	is.True(onlyReads(e, before))
	is.Equal(strings.Count(allBodies(e), "Arrives tomorrow"), 1)
}

func allBodies(e *reconcilertest.Env) string {
	var b strings.Builder
	for _, c := range e.HS.Conversations() {
		full, _ := e.HS.Conversation(c.ID)
		for _, th := range full.Threads {
			b.WriteString(th.Body)
		}
	}
	return b.String()
}

// TestMessagesOptions covers LOG_MESSAGES=false, dry run, unmatched agents,
// duplicate customers, REASSIGN and routing.
func TestMessagesOptions(t *testing.T) {
	type check func(is *is.I, e *reconcilertest.Env, res reconciler.Result, plan []reconciler.PlanEntry)
	now := reconcilertest.Start
	base := msg{Direction: "inbound", External: "+34612345678", Body: "hi", Status: "received", Created: now.Add(-time.Hour)}
	with := func(id string, f func(*msg)) msg { m := base; m.ID = id; f(&m); return m }
	tests := []struct {
		name  string
		setup func(e *reconcilertest.Env)
		inst  func(in *reconciler.Instance)
		msgs  []msg
		po    reconciler.PassOptions
		check check
	}{
		{
			name: "LOG_MESSAGES=false logs nothing and keeps the inbox for later",
			inst: func(in *reconciler.Instance) { in.LogMessages = false },
			msgs: []msg{with("a", func(*msg) {})},
			check: func(is *is.I, e *reconcilertest.Env, res reconciler.Result, _ []reconciler.PlanEntry) {
				is.Equal(len(e.HS.Conversations()), 0)
				_, ok, _ := e.Store.Cursor(context.Background(), "default", store.StreamMessages)
				is.True(!ok)
			},
		},
		{
			name: "dry run writes nothing and plans one conversation for the day",
			msgs: []msg{with("a", func(*msg) {}), with("b", func(m *msg) { m.Created = m.Created.Add(time.Minute) })},
			po:   reconciler.PassOptions{DryRun: true},
			check: func(is *is.I, e *reconcilertest.Env, res reconciler.Result, plan []reconciler.PlanEntry) {
				is.Equal(len(e.HS.Conversations()), 0)
				is.Equal(len(plan), 2)
				// The second message goes into the conversation the first would
				// have created, as in a real pass.
				is.Equal(plan[0].Outcome, store.OutcomeNewConversation)
				is.Equal(plan[1].Outcome, store.OutcomeExistingConversation)
				is.True(strings.Contains(plan[0].Detail, "a new customer, a new SMS conversation of"))
				_, ok, _ := e.Store.GetItem(context.Background(), "default", store.KindMessage, "a")
				is.True(!ok)
				for _, r := range e.HS.Requests() {
					is.True(r.Method == "GET" || strings.HasSuffix(r.Path, "/oauth2/token"))
				}
			},
		},
		{
			name: "outbound by an agent with no Help Scout user is a note naming the agent",
			msgs: []msg{with("a", func(m *msg) { m.Direction = "outbound"; m.AgentEmail = "nobody@example.com" })},
			check: func(is *is.I, e *reconcilertest.Env, res reconciler.Result, _ []reconciler.PlanEntry) {
				th, c := messageThreads(e, "a")
				is.Equal(len(th), 1)
				is.Equal(th[0].Type, "note")
				is.True(strings.Contains(th[0].Body, "by Ana García"))
				is.True(c[0].Assignee == nil)
			},
		},
		{
			name: "duplicate customers with DUPLICATES=skip",
			setup: func(e *reconcilertest.Env) {
				e.Customer("A", "One", time.Hour, "+34 612 34 56 78")
				e.Customer("B", "Two", 2*time.Hour, "612345678")
			},
			inst: func(in *reconciler.Instance) { in.Duplicates = rules.DuplicatesSkip },
			msgs: []msg{with("a", func(*msg) {})},
			check: func(is *is.I, e *reconcilertest.Env, res reconciler.Result, _ []reconciler.PlanEntry) {
				is.Equal(len(e.HS.Conversations()), 0)
				it, _, _ := e.Store.GetItem(context.Background(), "default", store.KindMessage, "a")
				is.Equal(it.State, store.StateSkipped)
				is.Equal(it.Outcome, store.OutcomeDuplicateCustomers)
			},
		},
		{
			name: "REASSIGN gives the day conversation to the agent who answered",
			inst: func(in *reconciler.Instance) { in.Reassign = true },
			msgs: []msg{with("a", func(*msg) {}), with("b", func(m *msg) { m.Direction = "outbound"; m.Agent = true; m.Created = m.Created.Add(time.Minute) })},
			check: func(is *is.I, e *reconcilertest.Env, res reconciler.Result, _ []reconciler.PlanEntry) {
				_, c := messageThreads(e, "b")
				is.Equal(len(c), 1)
				is.True(c[0].Assignee != nil && c[0].Assignee.ID == e.AgentHS)
				is.Equal(c[0].Status, "active")
			},
		},
		{
			name: "a closed day conversation is not reopened by later messages",
			msgs: []msg{with("a", func(*msg) {})},
			check: func(is *is.I, e *reconcilertest.Env, res reconciler.Result, _ []reconciler.PlanEntry) {
				_, c := messageThreads(e, "a")
				is.NoErr(e.HSC.SetStatus(context.Background(), c[0].ID, "closed"))
				rc := newReceiver(e.TB, e.Store)
				rc.deliver(e.TB, "message.received", with("b", func(m *msg) { m.Created = m.Created.Add(time.Minute) }))
				rc.deliver(e.TB, "message.sent", with("c", func(m *msg) { m.Direction = "outbound"; m.Agent = true; m.Created = m.Created.Add(2 * time.Minute) }))
				e.Pass()
				conv, _ := e.HS.Conversation(c[0].ID)
				is.Equal(len(conv.Threads), 3)
				is.Equal(conv.Status, "closed")
			},
		},
		{
			name: "messages of other lines and without a line are not this instance's",
			msgs: []msg{with("a", func(m *msg) { m.NoNumber = true })},
			check: func(is *is.I, e *reconcilertest.Env, res reconciler.Result, _ []reconciler.PlanEntry) {
				is.Equal(len(e.HS.Conversations()), 0)
				c, ok, _ := e.Store.Cursor(context.Background(), "default", store.StreamMessages)
				is.True(ok)
				is.Equal(c, int64(1)) // moved past it all the same
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			e := reconcilertest.New(t)
			if tt.setup != nil {
				tt.setup(e)
			}
			if tt.inst != nil {
				tt.inst(&e.Instance)
			}
			rc := newReceiver(t, e.Store)
			for _, m := range tt.msgs {
				rc.deliver(t, "message.received", m)
			}
			var plan []reconciler.PlanEntry
			po := tt.po
			po.Plan = func(p reconciler.PlanEntry) { plan = append(plan, p) }
			res := e.Pass(po)
			tt.check(is, e, res, plan)
		})
	}
}

// TestMessagesExactlyOnce: writes that time out after Help Scout committed,
// and writes that never reached it after the intent was recorded, end with
// each message logged once.
func TestMessagesExactlyOnce(t *testing.T) {
	tests := []struct {
		name  string
		fault helpscouttest.Fault
		// first is delivered and logged before the fault, so that the
		// faulty write is a thread add rather than a create
		first bool
	}{
		{"create lands, answer lost", helpscouttest.Fault{Method: "POST", PathPrefix: "/v2/conversations", AfterCommit: true, Status: 503}, false},
		{"create lands, connection dropped", helpscouttest.Fault{Method: "POST", PathPrefix: "/v2/conversations", AfterCommit: true, Drop: true}, false},
		{"create never sent after the intent", helpscouttest.Fault{Method: "POST", PathPrefix: "/v2/conversations", Drop: true}, false},
		{"thread lands, answer lost", helpscouttest.Fault{Method: "POST", PathPrefix: "/v2/conversations/", AfterCommit: true, Status: 503}, true},
		{"thread never sent after the intent", helpscouttest.Fault{Method: "POST", PathPrefix: "/v2/conversations/", Drop: true}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			ctx := context.Background()
			e := reconcilertest.New(t)
			e.Customer("Marta", "López", 48*time.Hour, "+34612345678")
			rc := newReceiver(t, e.Store)
			now := e.Clock.Now()
			m1 := msg{ID: "m1", Direction: "inbound", External: "+34612345678", Body: "one", Created: now.Add(-time.Hour)}
			m2 := msg{ID: "m2", Direction: "inbound", External: "+34612345678", Body: "two", Created: now.Add(-50 * time.Minute)}
			target, ids := "m2", []string{"m2"}
			if tt.first {
				rc.deliver(t, "message.received", m1)
				e.Pass()
				ids = []string{"m1", "m2"}
			}
			rc.deliver(t, "message.received", m2)
			e.HS.InjectFault(tt.fault)
			e.Pass()
			it, _, err := e.Store.GetItem(ctx, "default", store.KindMessage, target)
			is.NoErr(err)
			is.Equal(it.State, store.StateFailed) // the outcome was unknown

			e.Clock.Advance(5 * time.Minute)
			e.Pass()
			for _, id := range ids {
				th, _ := messageThreads(e, id)
				is.Equal(len(th), 1) // once, whatever happened
				it, _, _ := e.Store.GetItem(ctx, "default", store.KindMessage, id)
				is.Equal(it.State, store.StateLogged)
			}
			is.Equal(len(e.HS.Conversations()), 1) // one day conversation

			// The day conversation is known: the next message joins it.
			rc.deliver(t, "message.received", msg{ID: "m3", Direction: "inbound", External: "+34612345678", Body: "three", Created: now.Add(-40 * time.Minute)})
			e.Pass()
			th, _ := messageThreads(e, "m3")
			is.Equal(len(th), 1)
			is.Equal(len(e.HS.Conversations()), 1)
		})
	}
}

// TestMessagesThreadLimit: a day conversation never grows past the limit; a
// 412 from one that filled up behind our back starts a new one.
func TestMessagesThreadLimit(t *testing.T) {
	for _, tt := range []struct {
		name    string
		pad     int // threads already in the conversation
		counted int // threads we recorded
	}{
		{"our count reaches the limit", 10, rules.MaxThreads},
		{"Help Scout says 412", 99, 5},
	} {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			ctx := context.Background()
			e := reconcilertest.New(t)
			cust := e.Customer("Marta", "López", 48*time.Hour, "+34612345678")
			full := e.HS.AddConversation(helpscouttest.SeedConversation{MailboxID: reconcilertest.MailboxID, CustomerID: cust,
				Subject: "SMS", PadThreads: tt.pad})
			is.NoErr(e.Store.PutDayConversation(ctx, store.DayConversation{Instance: "default", CustomerID: cust,
				Channel: string(rules.ChannelSMS), Day: "2026-11-20", ConversationID: full, Threads: tt.counted}))
			rc := newReceiver(t, e.Store)
			rc.deliver(t, "message.received", msg{ID: "m1", Direction: "inbound", External: "+34612345678", Body: "x", Created: e.Clock.Now().Add(-time.Hour)})
			rc.deliver(t, "message.received", msg{ID: "m2", Direction: "inbound", External: "+34612345678", Body: "y", Created: e.Clock.Now().Add(-time.Minute)})
			e.Pass()
			old, _ := e.HS.Conversation(full)
			is.Equal(len(old.Threads), tt.pad) // nothing added to the full one
			_, c1 := messageThreads(e, "m1")
			_, c2 := messageThreads(e, "m2")
			is.Equal(len(c1), 1)
			is.True(c1[0].ID != full)
			is.Equal(c2[0].ID, c1[0].ID) // and the next message follows into the new one
		})
	}
}

// TestMessagesCatchUpAndRetry: a catch-up re-reads the inbox for its period
// without moving the cursor; a failed message is retried by id on the next
// pass although the cursor moved past it.
func TestMessagesCatchUpAndRetry(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	e := reconcilertest.New(t)
	e.Instance.LogMessages = false
	rc := newReceiver(t, e.Store)
	now := e.Clock.Now()
	for i, ago := range []time.Duration{50 * time.Hour, 30 * time.Hour, time.Hour} {
		rc.deliver(t, "message.received", msg{ID: string(rune('a' + i)), Direction: "inbound", External: "+34612345678", Body: "x", Created: now.Add(-ago)})
	}
	e.Instance.LogMessages = true
	res := e.Pass(reconciler.PassOptions{Since: now.Add(-40 * time.Hour), Until: now.Add(-2 * time.Hour)})
	is.Equal(res.Instances["default"].Counts[store.OutcomeNewConversation], 1)
	th, _ := messageThreads(e, "b")
	is.Equal(len(th), 1)
	_, ok, _ := e.Store.Cursor(ctx, "default", store.StreamMessages)
	is.True(!ok) // catch-up leaves the cursor alone

	// A scheduled pass in which Help Scout refuses one write for good.
	e.HS.InjectFault(helpscouttest.Fault{Method: "POST", PathPrefix: "/v2/conversations", Status: 400})
	e.Pass()
	var states []store.State
	for _, id := range []string{"a", "b", "c"} {
		it, _, _ := e.Store.GetItem(ctx, "default", store.KindMessage, id)
		states = append(states, it.State)
	}
	slices.Sort(states)
	is.Equal(states, []store.State{store.StateFailed, store.StateLogged, store.StateLogged})
	c, _, _ := e.Store.Cursor(ctx, "default", store.StreamMessages)
	is.Equal(c, int64(3)) // past the failed one too

	e.Pass()
	for _, id := range []string{"a", "b", "c"} {
		th, _ := messageThreads(e, id)
		is.Equal(len(th), 1)
	}
}

// TestMessagesWaitForAnUnsettledDayCreate: the create of a customer's day
// conversation commits in Help Scout but the connection drops, so its
// outcome is unknown. A second message of that customer and day, in the
// same pass, must not open a second day conversation: it waits until the
// first create is settled, then joins the one conversation.
func TestMessagesWaitForAnUnsettledDayCreate(t *testing.T) {
	is := is.New(t)
	e := reconcilertest.New(t)
	e.Customer("Marta", "López", 48*time.Hour, "+34612345678")
	rc := newReceiver(t, e.Store)
	now := e.Clock.Now()
	rc.deliver(t, "message.received", msg{ID: "d1", Direction: "inbound", External: "+34612345678", Body: "one", Created: now.Add(-time.Hour)})
	rc.deliver(t, "message.received", msg{ID: "d2", Direction: "inbound", External: "+34612345678", Body: "two", Created: now.Add(-50 * time.Minute)})
	e.HS.InjectFault(helpscouttest.Fault{Method: "POST", PathPrefix: "/v2/conversations", AfterCommit: true, Drop: true})
	e.Pass()
	is.Equal(e.HS.FaultsFired()[helpscouttest.FaultCommitDropped], 1)
	is.Equal(len(e.HS.Conversations()), 1) // the second message did not open another

	e.Clock.Advance(5 * time.Minute)
	e.Pass()
	for _, id := range []string{"d1", "d2"} {
		th, _ := messageThreads(e, id)
		is.Equal(len(th), 1) // each message once
		it, _, err := e.Store.GetItem(context.Background(), "default", store.KindMessage, id)
		is.NoErr(err)
		is.Equal(it.State, store.StateLogged)
	}
	is.Equal(len(e.HS.Conversations()), 1) // one day conversation
}

// TestMessagesDayConversationMergedAway: an agent merged the customer's day
// conversation into another. Help Scout documents no answer for a write to
// a merged conversation (404 like a deleted one, or 301 like GET), so under
// either the next message starts a new day conversation, logged once,
// instead of failing until parked.
func TestMessagesDayConversationMergedAway(t *testing.T) {
	for _, moved := range []bool{false, true} {
		t.Run(fmt.Sprintf("writes answer 301: %v", moved), func(t *testing.T) {
			is := is.New(t)
			e := reconcilertest.New(t)
			e.HS.SetMergedWritesMoved(moved)
			e.Customer("Marta", "López", 48*time.Hour, "+34612345678")
			rc := newReceiver(t, e.Store)
			now := e.Clock.Now()
			rc.deliver(t, "message.received", msg{ID: "g1", Direction: "inbound", External: "+34612345678", Body: "one", Created: now.Add(-time.Hour)})
			e.Pass()
			_, convs := messageThreads(e, "g1")
			is.Equal(len(convs), 1)
			other := e.HS.AddConversation(helpscouttest.SeedConversation{Subject: "elsewhere", MailboxID: reconcilertest.MailboxID})
			e.HS.MergeConversation(convs[0].ID, other)

			rc.deliver(t, "message.received", msg{ID: "g2", Direction: "inbound", External: "+34612345678", Body: "two", Created: now.Add(-30 * time.Minute)})
			e.Clock.Advance(time.Minute)
			e.Pass()
			th, in := messageThreads(e, "g2")
			is.Equal(len(th), 1)                                  // logged once...
			is.True(in[0].ID != convs[0].ID && in[0].ID != other) // ...in a new day conversation
			it, _, err := e.Store.GetItem(context.Background(), "default", store.KindMessage, "g2")
			is.NoErr(err)
			is.Equal(it.State, store.StateLogged)
		})
	}
}
