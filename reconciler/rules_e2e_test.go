package reconciler_test

import (
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

// The customer rule, end to end: which customer the conversation gets.
func TestCustomerRuleEndToEnd(t *testing.T) {
	tests := []struct {
		name       string
		duplicates rules.Duplicates
		seed       func(e *reconcilertest.Env) (want int64)
		raw        string
		wantLogged bool
		wantNewCus bool
	}{
		{"stored in US local format", rules.DuplicatesMostRecent, func(e *reconcilertest.Env) int64 {
			return e.Customer("Ann", "Lee", time.Hour, "(617) 610-5413")
		}, "+1 617-610-5413", true, false},
		{"stored spaced, called compact", rules.DuplicatesMostRecent, func(e *reconcilertest.Env) int64 {
			return e.Customer("Marta", "Ruiz", time.Hour, "+34 612 34 56 78")
		}, "+34612345678", true, false},
		{"duplicates: most recent wins", rules.DuplicatesMostRecent, func(e *reconcilertest.Env) int64 {
			e.Customer("Old", "Dup", 72*time.Hour, "+34 612 34 56 78")
			return e.Customer("New", "Dup", 24*time.Hour, "612345678")
		}, "+34 612 34 56 78", true, false},
		{"duplicates: skip logs nothing", rules.DuplicatesSkip, func(e *reconcilertest.Env) int64 {
			e.Customer("A", "Dup", 72*time.Hour, "+34 612 34 56 78")
			e.Customer("B", "Dup", 24*time.Hour, "612345678")
			return 0
		}, "+34 612 34 56 78", false, false},
		{"unknown number creates a customer", rules.DuplicatesMostRecent, func(e *reconcilertest.Env) int64 {
			e.Customer("Other", "Person", time.Hour, "+34 699 99 99 99")
			return 0
		}, "+34 612 34 56 78", true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			e := reconcilertest.New(t)
			e.Instance.Duplicates = tt.duplicates
			want := tt.seed(e)
			before := len(e.HS.Customers())
			e.AddCall(10, tt.raw, 20*time.Minute, reconcilertest.Missed("no_available_agent"))
			e.AddCall(11, tt.raw, 10*time.Minute, reconcilertest.Missed("no_available_agent"))
			e.Pass()

			t1, c1 := e.PhoneThreads(10)
			t2, c2 := e.PhoneThreads(11)
			if !tt.wantLogged {
				is.Equal(len(t1)+len(t2), 0)
				it, ok, err := e.Store.GetItem(t.Context(), "default", "call", "10")
				is.NoErr(err)
				is.True(ok)
				is.Equal(it.State, store.StateSkipped)
				is.Equal(it.Outcome, store.OutcomeDuplicateCustomers)
				is.True(strings.HasPrefix(it.Detail, "candidates: "))
				return
			}
			is.Equal(len(t1), 1)
			is.Equal(len(t2), 1)
			conv1, _ := e.HS.Conversation(c1[0])
			conv2, _ := e.HS.Conversation(c2[0])
			is.Equal(conv1.PrimaryCustomer.ID, conv2.PrimaryCustomer.ID) // the next call finds the same customer
			if tt.wantNewCus {
				is.Equal(len(e.HS.Customers()), before+1) // exactly one customer created for two calls
				var created helpscout.Customer
				for _, c := range e.HS.Customers() {
					if c.ID == conv1.PrimaryCustomer.ID {
						created = c
					}
				}
				is.Equal(len(created.Phones), 1)
				is.Equal(created.Phones[0].Value, "+34612345678") // carries the number in E.164
				return
			}
			is.Equal(conv1.PrimaryCustomer.ID, want)
			is.Equal(len(e.HS.Customers()), before)
		})
	}
}

func TestAnonymousCallersShareOneCustomerPerInstance(t *testing.T) {
	is := is.New(t)
	e := reconcilertest.New(t)
	e.AddCall(1, "anonymous", 30*time.Minute, reconcilertest.Missed(""))
	e.AddCall(2, "anonymous", 20*time.Minute, reconcilertest.Missed(""))
	e.AddCall(3, "12", 10*time.Minute, reconcilertest.Missed("")) // unparseable
	e.Pass()
	var custs []int64
	for _, id := range []int64{1, 2, 3} {
		th, cv := e.PhoneThreads(id)
		is.Equal(len(th), 1)
		c, _ := e.HS.Conversation(cv[0])
		custs = append(custs, c.PrimaryCustomer.ID)
	}
	is.Equal(custs[0], custs[1])
	is.Equal(custs[0], custs[2])
	is.Equal(len(e.HS.Customers()), 1)
	th, _ := e.PhoneThreads(3)
	is.True(strings.Contains(th[0].Body, "Caller: 12")) // the raw number still goes into the thread
}

// The conversation rule, end to end.
func TestConversationRuleEndToEnd(t *testing.T) {
	type seed struct {
		status string
		tags   []string
		closed time.Duration // before the call started
		other  bool          // other mailbox
	}
	tests := []struct {
		name       string
		mode       rules.Mode
		reopen     bool
		seeds      []seed
		wantIn     int // index of the seed conversation that gets the call, -1 = a new one
		wantStatus string
		wantOut    store.Outcome
	}{
		{"new mode ignores open", rules.ModeNew, false, []seed{{status: "active"}}, -1, "active", "new_conversation"},
		{"existing: active one", rules.ModeExisting, false, []seed{{status: "active"}}, 0, "active", "existing_conversation"},
		{"existing: pending one", rules.ModeExisting, false, []seed{{status: "pending"}}, 0, "pending", "existing_conversation"},
		{"existing: spam tag excluded", rules.ModeExisting, false, []seed{{status: "active", tags: []string{"spam"}}}, -1, "active", "new_conversation"},
		{"existing: spam status excluded", rules.ModeExisting, false, []seed{{status: "spam"}}, -1, "active", "new_conversation"},
		{"existing: other mailbox excluded", rules.ModeExisting, false, []seed{{status: "active", other: true}}, -1, "active", "new_conversation"},
		{"existing: closed, no reopen", rules.ModeExisting, false, []seed{{status: "closed", closed: time.Hour}}, -1, "active", "new_conversation"},
		{"reopen: closed 3h before", rules.ModeExisting, true, []seed{{status: "closed", closed: 3 * time.Hour}}, 0, "active", "reopened_conversation"},
		{"reopen: closed 49h before", rules.ModeExisting, true, []seed{{status: "closed", closed: 49 * time.Hour}}, -1, "active", "new_conversation"},
		{"reopen: spam-tagged closed", rules.ModeExisting, true, []seed{{status: "closed", closed: time.Hour, tags: []string{"spam"}}}, -1, "active", "new_conversation"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			e := reconcilertest.New(t)
			e.Instance.Conversation = rules.ConversationPolicy{Mode: tt.mode, ReopenClosed: tt.reopen}
			e.HS.AddMailbox(helpscout.Mailbox{ID: 999, Name: "Other"})
			cust := e.Customer("Marta", "Ruiz", 100*time.Hour, "+34612345678")
			callStart := e.Clock.Now().Add(-30 * time.Minute)
			var ids []int64
			for _, s := range tt.seeds {
				sc := helpscouttest.SeedConversation{Subject: "earlier", Status: s.status, MailboxID: reconcilertest.MailboxID,
					CustomerID: cust, Tags: s.tags, CreatedAt: callStart.Add(-100 * time.Hour)}
				if s.other {
					sc.MailboxID = 999
				}
				if s.closed > 0 {
					sc.ClosedAt = callStart.Add(-s.closed)
				}
				ids = append(ids, e.HS.AddConversation(sc))
			}
			e.AddCall(7, "+34 612 34 56 78", 30*time.Minute)
			res := e.Pass()
			is.Equal(res.Instances["default"].Counts[tt.wantOut], 1)
			th, cv := e.PhoneThreads(7)
			is.Equal(len(th), 1)
			if tt.wantIn >= 0 {
				is.Equal(cv[0], ids[tt.wantIn])
			} else {
				for _, id := range ids {
					is.True(cv[0] != id) // a new conversation
				}
			}
			conv, _ := e.HS.Conversation(cv[0])
			is.Equal(conv.Status, tt.wantStatus)
			is.Equal(conv.PrimaryCustomer.ID, cust)
		})
	}
}

func TestMostRecentlyUpdatedOpenConversationWins(t *testing.T) {
	is := is.New(t)
	e := reconcilertest.New(t)
	e.Instance.Conversation = rules.ConversationPolicy{Mode: rules.ModeExisting}
	cust := e.Customer("Marta", "Ruiz", 100*time.Hour, "+34612345678")
	now := e.Clock.Now()
	older := e.HS.AddConversation(helpscouttest.SeedConversation{Subject: "a", Status: "active", MailboxID: reconcilertest.MailboxID, CustomerID: cust, CreatedAt: now.Add(-50 * time.Hour), UserUpdatedAt: now.Add(-40 * time.Hour)})
	newer := e.HS.AddConversation(helpscouttest.SeedConversation{Subject: "b", Status: "active", MailboxID: reconcilertest.MailboxID, CustomerID: cust, CreatedAt: now.Add(-60 * time.Hour), UserUpdatedAt: now.Add(-2 * time.Hour)})
	e.AddCall(7, "+34 612 34 56 78", 30*time.Minute)
	e.Pass()
	_, cv := e.PhoneThreads(7)
	is.Equal(cv[0], newer)
	is.True(cv[0] != older)
}

func TestAssignment(t *testing.T) {
	tests := []struct {
		name      string
		mode      rules.Mode
		reassign  bool
		agentMail string
		seedOwner bool   // the existing conversation is assigned to someone else
		want      string // "agent", "other", "none"
	}{
		{"new conversation gets the agent", rules.ModeNew, false, reconcilertest.AgentEmail, false, "agent"},
		{"new conversation, unknown agent: unassigned", rules.ModeNew, true, "stranger@example.com", false, "none"},
		{"existing, reassign: agent", rules.ModeExisting, true, reconcilertest.AgentEmail, true, "agent"},
		{"existing, no reassign: unchanged", rules.ModeExisting, false, reconcilertest.AgentEmail, true, "other"},
		{"existing, reassign, unknown agent: unchanged", rules.ModeExisting, true, "stranger@example.com", true, "other"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			e := reconcilertest.New(t)
			e.Instance.Conversation = rules.ConversationPolicy{Mode: tt.mode}
			e.Instance.Reassign = tt.reassign
			other := e.HS.AddUser(helpscout.User{FirstName: "Bo", LastName: "Other", Email: "bo@example.com"})
			cust := e.Customer("Marta", "Ruiz", 100*time.Hour, "+34612345678")
			if tt.seedOwner {
				e.HS.AddConversation(helpscouttest.SeedConversation{Subject: "a", Status: "active", MailboxID: reconcilertest.MailboxID, CustomerID: cust, AssigneeID: other})
			}
			e.AddCall(7, "+34 612 34 56 78", 30*time.Minute, func(c *aircall.Call) { c.User.Email = tt.agentMail })
			e.Pass()
			_, cv := e.PhoneThreads(7)
			is.Equal(len(cv), 1)
			conv, _ := e.HS.Conversation(cv[0])
			switch tt.want {
			case "agent":
				is.True(conv.Assignee != nil)
				is.Equal(conv.Assignee.ID, e.AgentHS)
			case "other":
				is.True(conv.Assignee != nil)
				is.Equal(conv.Assignee.ID, other)
			default:
				is.True(conv.Assignee == nil || conv.Assignee.ID == 0)
			}
		})
	}
}

func TestFullConversationStartsANewOne(t *testing.T) {
	is := is.New(t)
	e := reconcilertest.New(t)
	e.Instance.Conversation = rules.ConversationPolicy{Mode: rules.ModeExisting}
	cust := e.Customer("Marta", "Ruiz", 100*time.Hour, "+34612345678")
	full := e.HS.AddConversation(helpscouttest.SeedConversation{Subject: "a", Status: "active", MailboxID: reconcilertest.MailboxID, CustomerID: cust, PadThreads: 99})
	e.AddCall(7, "+34 612 34 56 78", 30*time.Minute)
	e.Pass()
	th, cv := e.PhoneThreads(7)
	is.Equal(len(th), 1)
	is.True(cv[0] != full)
}

func TestExistingModeUnknownCallerTwiceInOnePass(t *testing.T) {
	is := is.New(t)
	e := reconcilertest.New(t)
	e.Instance.Conversation = rules.ConversationPolicy{Mode: rules.ModeExisting}
	e.AddCall(1, "+34 612 34 56 78", 40*time.Minute, reconcilertest.Missed(""))
	e.AddCall(2, "+34 612 34 56 78", 30*time.Minute, reconcilertest.Missed(""))
	e.Pass()
	_, c1 := e.PhoneThreads(1)
	_, c2 := e.PhoneThreads(2)
	is.Equal(c1[0], c2[0]) // the second call joins the conversation the first one opened
	is.Equal(len(e.HS.Customers()), 1)
	lists := 0
	for _, r := range e.HS.Requests() {
		if r.Method == "GET" && r.Path == "/v2/conversations" && r.Query.Get("query") != "" {
			lists++
		}
	}
	is.Equal(lists, 0) // conversations are chosen on the mirror: no customer query
}

// The instance's anonymous customer is remembered by ID; if an agent deletes
// or merges it away in Help Scout, the next anonymous call must not fail (and
// end up parked) on the stale ID: it is checked once per pass and re-created.
func TestAnonymousCustomerDeletedInHelpScout(t *testing.T) {
	is := is.New(t)
	e := reconcilertest.New(t)
	e.AddCall(1, "anonymous", 30*time.Minute, reconcilertest.Missed(""))
	e.Pass()
	_, cv := e.PhoneThreads(1)
	is.Equal(len(cv), 1)
	c, _ := e.HS.Conversation(cv[0])
	first := c.PrimaryCustomer.ID
	e.HS.DeleteCustomer(first)

	e.AddCall(2, "anonymous", 10*time.Minute, reconcilertest.Missed(""))
	e.Clock.Advance(5 * time.Minute)
	res := e.Pass()
	is.Equal(res.Instances["default"].Counts["failed"], 0)
	th, cv := e.PhoneThreads(2)
	is.Equal(len(th), 1)
	c, _ = e.HS.Conversation(cv[0])
	is.True(c.PrimaryCustomer.ID != first) // a new anonymous customer
	is.Equal(len(e.HS.Customers()), 1)

	e.AddCall(3, "anonymous", 5*time.Minute, reconcilertest.Missed(""))
	e.Clock.Advance(5 * time.Minute)
	e.Pass()
	_, cv3 := e.PhoneThreads(3)
	c3, _ := e.HS.Conversation(cv3[0])
	is.Equal(c3.PrimaryCustomer.ID, c.PrimaryCustomer.ID) // and it is remembered in turn
}
