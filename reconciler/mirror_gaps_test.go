package reconciler_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/aircall-helpscout/aircall-helpscout/clients/aircall"
	"github.com/aircall-helpscout/aircall-helpscout/clients/helpscout"
	"github.com/aircall-helpscout/aircall-helpscout/clients/helpscout/helpscouttest"
	"github.com/aircall-helpscout/aircall-helpscout/reconciler/reconcilertest"
	"github.com/aircall-helpscout/aircall-helpscout/rules"
	"github.com/aircall-helpscout/aircall-helpscout/store"
)

// conversationReads counts GET /v2/conversations/{id} in the fake's log.
func conversationReads(e *reconcilertest.Env) int {
	n := 0
	for _, r := range e.HS.Requests() {
		if r.Method == "GET" && strings.HasPrefix(r.Path, "/v2/conversations/") {
			n++
		}
	}
	return n
}

// TestReassignReadsTheMirror: with REASSIGN in existing mode, the current
// assignee comes from the conversations mirror, so a call costs no read of
// the conversation; our own assignments update the mirror at once, so a
// second call of the same pass by the previous assignee assigns it back.
func TestReassignReadsTheMirror(t *testing.T) {
	is := is.New(t)
	e := reconcilertest.New(t)
	e.Instance.Conversation = rules.ConversationPolicy{Mode: rules.ModeExisting}
	e.Instance.Reassign = true
	bo := e.HS.AddUser(helpscout.User{FirstName: "Bo", LastName: "Other", Email: "bo@example.com"})
	cust := e.Customer("Marta", "Ruiz", 100*time.Hour, "+34612345678")
	conv := e.HS.AddConversation(helpscouttest.SeedConversation{Subject: "a", Status: "active", MailboxID: reconcilertest.MailboxID,
		CustomerID: cust, AssigneeID: bo, CreatedAt: e.Clock.Now().Add(-5 * time.Hour)})
	e.Pass() // the mirror learns the conversation and that Bo has it

	e.HS.ResetRequests()
	e.Clock.Advance(time.Minute)
	e.AddCall(7, "+34 612 34 56 78", 30*time.Minute)                                                            // the agent's call: assigned to the agent
	e.AddCall(8, "+34 612 34 56 78", 29*time.Minute, func(c *aircall.Call) { c.User.Email = "bo@example.com" }) // Bo's: back to Bo
	res := e.Pass()
	is.Equal(res.Instances["default"].Counts[store.OutcomeExistingConversation], 2)

	is.Equal(conversationReads(e), 0) // no read of the conversation for its assignee
	var assigns []string
	for _, r := range e.HS.Requests() {
		if r.Method == "PATCH" && r.Path == fmt.Sprintf("/v2/conversations/%d", conv) {
			assigns = append(assigns, string(r.Body))
		}
	}
	is.Equal(len(assigns), 2) // to the agent, then back to Bo, each seen by the mirror
	got, _ := e.HS.Conversation(conv)
	is.True(got.Assignee != nil)
	is.Equal(got.Assignee.ID, bo)

	convs, err := e.Store.MirrorConversationsFor(t.Context(), reconcilertest.MailboxID, cust)
	is.NoErr(err)
	is.Equal(len(convs), 1)
	is.True(convs[0].AssigneeKnown)
	is.Equal(convs[0].AssigneeID, bo)
}

// TestMessageThreadUpdatesTheMirror: a message added to the customer's
// conversation of the day makes it the most recently updated one in the
// mirror at once, as Help Scout now has it, so existing mode picks it
// rather than an older conversation the mirror still thinks more recent.
func TestMessageThreadUpdatesTheMirror(t *testing.T) {
	is := is.New(t)
	e := reconcilertest.New(t)
	e.Instance.Conversation = rules.ConversationPolicy{Mode: rules.ModeExisting}
	rc := newReceiver(t, e.Store)
	marta := e.Customer("Marta", "Ruiz", 100*time.Hour, "+34612345678")
	now := e.Clock.Now()
	rc.deliver(t, "message.received", msg{ID: "sms-1", Direction: "inbound", External: "+34612345678", Body: "hola", Status: "received", Created: now.Add(-time.Minute)})
	e.Pass() // the SMS conversation of the day, mirrored
	_, day := messageThreads(e, "sms-1")
	is.Equal(len(day), 1)

	e.Clock.Advance(time.Minute)
	other := e.HS.AddConversation(helpscouttest.SeedConversation{Subject: "email", Status: "active", MailboxID: reconcilertest.MailboxID,
		CustomerID: marta, CreatedAt: e.Clock.Now()})
	e.Clock.Advance(time.Minute)
	rc.deliver(t, "message.received", msg{ID: "sms-2", Direction: "inbound", External: "+34612345678", Body: "otra", Status: "received", Created: e.Clock.Now()})
	e.Pass() // the refresh learns the email conversation, then sms-2 joins the day's

	convs, err := e.Store.MirrorConversationsFor(t.Context(), reconcilertest.MailboxID, marta)
	is.NoErr(err)
	is.Equal(len(convs), 2)
	is.Equal(convs[0].ID, day[0].ID) // most recently updated first: the thread just added
	is.Equal(convs[1].ID, other)
	is.True(convs[0].ModifiedAt.After(convs[1].ModifiedAt))
}

// TestMessageToAGoneCustomer: a message whose customer the mirror still
// holds but Help Scout deleted or merged is not failed: the refused write
// corrects the mirror and the message is decided again in the same pass.
func TestMessageToAGoneCustomer(t *testing.T) {
	tests := []struct {
		name   string
		change func(e *reconcilertest.Env, marta, other int64)
		want   func(marta, other, got int64) bool
	}{
		{"deleted", func(e *reconcilertest.Env, marta, _ int64) { e.HS.DeleteCustomer(marta) },
			func(marta, _, got int64) bool { return got != marta }},
		{"merged away", func(e *reconcilertest.Env, marta, other int64) { e.HS.MergeCustomers(marta, other) },
			func(_, other, got int64) bool { return got == other }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			e := reconcilertest.New(t)
			rc := newReceiver(t, e.Store)
			marta := e.Customer("Marta", "Ruiz", 100*time.Hour, "+34 612 34 56 78")
			other := e.Customer("Marta", "Ruiz (old)", 500*time.Hour)
			e.Pass() // the mirror knows Marta
			tt.change(e, marta, other)
			e.HS.ResetRequests()
			e.Clock.Advance(time.Minute)
			rc.deliver(t, "message.received", msg{ID: "sms-1", Direction: "inbound", External: "+34612345678", Body: "hola", Status: "received", Created: e.Clock.Now()})
			res := e.Pass()
			c := res.Instances["default"].Counts
			is.Equal(c[store.OutcomeFailed]+c[store.OutcomeParked], 0)
			is.Equal(c[store.OutcomeNewConversation], 1)
			threads, convs := messageThreads(e, "sms-1")
			is.Equal(len(threads), 1) // logged once
			is.True(tt.want(marta, other, convs[0].PrimaryCustomer.ID))
			refused := 0
			for _, r := range e.HS.Requests() {
				if r.Method == "POST" && (r.Status == 400 || r.Status == 404) {
					refused++
				}
			}
			is.Equal(refused, 1) // the write named the gone customer once; then decided again
			found, err := e.Store.MirrorCustomersByE164(t.Context(), "+34612345678")
			is.NoErr(err)
			for _, m := range found {
				is.True(m.ID != marta) // the mirror was corrected
			}
		})
	}
}
