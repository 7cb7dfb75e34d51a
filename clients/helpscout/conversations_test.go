package helpscout_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/aircall-helpscout/aircall-helpscout/clients/helpscout"
	"github.com/aircall-helpscout/aircall-helpscout/clients/helpscout/helpscouttest"
)

func phoneConv(e *env, cust int64) helpscout.NewConversation {
	return helpscout.NewConversation{
		Subject: "Missed call from +34 612 34 56 78", Type: "phone", MailboxID: e.mbx, Status: "closed",
		Customer: helpscout.CustomerRef{ID: cust}, Tags: []string{"aircall"}, Imported: true,
		CreatedAt: time.Date(2026, 3, 1, 9, 0, 0, 123456789, time.FixedZone("CET", 3600)),
		ClosedAt:  time.Date(2026, 3, 1, 9, 5, 0, 0, time.UTC),
		Threads: []helpscout.NewThread{{Type: "phone", Text: "<p>Missed call [aircall:call:1]</p>",
			Customer: &helpscout.CustomerRef{ID: cust}, Imported: true,
			CreatedAt: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}},
	}
}

func TestCreateAndGetConversation(t *testing.T) {
	is := is.New(t)
	e := newEnv(t)
	cust := e.newCustomer("Lucía", "+34612345678", time.Time{})
	id, err := e.c.CreateConversation(e.ctx, phoneConv(e, cust))
	is.NoErr(err)

	// The wire body: timestamps in Help Scout's one format, assignTo null when 0.
	var body map[string]any
	for _, r := range e.srv.Requests() {
		if r.Method == "POST" && r.Path == "/v2/conversations" {
			is.NoErr(json.Unmarshal(r.Body, &body))
		}
	}
	is.Equal(body["createdAt"], "2026-03-01T08:00:00Z")
	is.Equal(body["closedAt"], "2026-03-01T09:05:00Z")
	v, present := body["assignTo"]
	is.True(present)
	is.Equal(v, nil)
	is.Equal(body["imported"], true)
	is.Equal(body["threads"].([]any)[0].(map[string]any)["type"], "phone")

	c, err := e.c.GetConversation(e.ctx, id)
	is.NoErr(err)
	is.Equal(c.ID, id)
	is.Equal(c.Status, "closed")
	is.Equal(c.Type, "phone")
	is.Equal(c.MailboxID, e.mbx)
	is.Equal(c.ThreadCount, 1)
	is.Equal(len(c.Threads), 1)
	is.Equal(c.Threads[0].Body, "<p>Missed call [aircall:call:1]</p>")
	is.Equal(c.Threads[0].Customer.ID, cust)
	is.Equal(c.Tags, []string{"aircall"})
	is.Equal(c.PrimaryCustomer.ID, cust)
	is.True(c.Assignee == nil)
	is.Equal(c.CreatedAt, time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC))
	is.Equal(c.ClosedAt, time.Date(2026, 3, 1, 9, 5, 0, 0, time.UTC))

	// Assigned on create.
	in := phoneConv(e, cust)
	in.AssignTo, in.Status = e.agent, "active"
	id2, err := e.c.CreateConversation(e.ctx, in)
	is.NoErr(err)
	c2, err := e.c.GetConversation(e.ctx, id2)
	is.NoErr(err)
	is.Equal(c2.Assignee.ID, e.agent)
	is.Equal(c2.Assignee.Email, "ana@example.test")
	is.True(c2.ClosedAt.IsZero())
}

func TestCreateConversationValidation(t *testing.T) {
	tests := []struct {
		name  string
		mod   func(*helpscout.NewConversation)
		paths []string
	}{
		{"no subject", func(n *helpscout.NewConversation) { n.Subject = "" }, []string{"subject"}},
		{"no mailbox", func(n *helpscout.NewConversation) { n.MailboxID = 0 }, []string{"mailboxId"}},
		{"bad status", func(n *helpscout.NewConversation) { n.Status = "open" }, []string{"status"}},
		{"no threads", func(n *helpscout.NewConversation) { n.Threads = nil }, []string{"threads"}},
		{"no customer", func(n *helpscout.NewConversation) { n.Customer.ID = 0 }, []string{"customer"}},
		{"bad thread type", func(n *helpscout.NewConversation) { n.Threads[0].Type = "sms" }, []string{"threads[0].type"}},
		{"two problems", func(n *helpscout.NewConversation) { n.Subject, n.Status = "", "x" }, []string{"subject", "status"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			e := newEnv(t)
			in := phoneConv(e, e.newCustomer("A", "+34612345678", time.Time{}))
			tt.mod(&in)
			_, err := e.c.CreateConversation(e.ctx, in)
			var ve *helpscout.ValidationError
			is.True(errors.As(err, &ve))
			is.Equal(ve.Status, 400)
			is.True(ve.LogRef != "")
			var paths []string
			for _, f := range ve.Fields {
				paths = append(paths, f.Path)
				is.True(contains(err.Error(), f.Path)) // Error() names every field
			}
			is.Equal(paths, tt.paths)
			is.Equal(len(e.srv.Conversations()), 0)
			is.True(!errors.Is(err, helpscout.ErrAmbiguous)) // a 400 is a definite "no"
		})
	}
}

func TestCreateThreadAllTypesAndStatusEffects(t *testing.T) {
	tests := []struct {
		name       string
		start      string
		in         helpscout.NewThread
		wantStatus string
		wantPath   string
	}{
		{"phone keeps closed", "closed", helpscout.NewThread{Type: "phone", Imported: true}, "closed", "/v2/conversations/:id/phones"},
		{"chat keeps closed", "closed", helpscout.NewThread{Type: "chat"}, "closed", "/v2/conversations/:id/chats"},
		{"note keeps closed", "closed", helpscout.NewThread{Type: "note"}, "closed", "/v2/conversations/:id/notes"},
		{"note with status reopens", "closed", helpscout.NewThread{Type: "note", Status: "active"}, "active", "/v2/conversations/:id/notes"},
		{"customer reopens", "closed", helpscout.NewThread{Type: "customer"}, "active", "/v2/conversations/:id/customer"},
		{"imported customer keeps closed", "closed", helpscout.NewThread{Type: "customer", Imported: true}, "closed", "/v2/conversations/:id/customer"},
		{"reply reactivates", "pending", helpscout.NewThread{Type: "reply"}, "active", "/v2/conversations/:id/reply"},
		{"reply with status", "active", helpscout.NewThread{Type: "reply", Status: "closed"}, "closed", "/v2/conversations/:id/reply"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			e := newEnv(t)
			cust := e.newCustomer("A", "+34612345678", time.Time{})
			conv := e.srv.AddConversation(helpscouttest.SeedConversation{Subject: "s", MailboxID: e.mbx, CustomerID: cust,
				Status: tt.start, CreatedAt: e.clk.Now().Add(-time.Hour), Threads: []helpscout.Thread{{Type: "phone", Body: "first"}}})
			in := tt.in
			in.Text = "<p>" + tt.name + "</p>"
			if in.Type != "note" {
				in.Customer = &helpscout.CustomerRef{ID: cust}
			}
			e.clk.Advance(time.Minute)
			tid, err := e.c.CreateThread(e.ctx, conv, in)
			is.NoErr(err)
			is.True(tid > 0)
			is.Equal(e.c.Stats().Requests["POST "+tt.wantPath+" 201"], 1)
			c, _ := e.srv.Conversation(conv)
			is.Equal(c.Status, tt.wantStatus)
			is.Equal(c.ThreadCount, 2)
			is.Equal(c.UserUpdatedAt, e.clk.Now()) // modifiedAt bumps on each write

			threads, err := e.c.ListThreads(e.ctx, conv)
			is.NoErr(err)
			is.Equal(len(threads), 2)
			is.Equal(threads[0].ID, tid) // newest first
			is.Equal(threads[0].Type, in.Type)
		})
	}
}

func TestCreateThreadWithoutResourceID(t *testing.T) {
	is := is.New(t)
	e := newEnv(t)
	conv := e.srv.AddConversation(helpscouttest.SeedConversation{Subject: "s", MailboxID: e.mbx, Threads: []helpscout.Thread{{Type: "note", Body: "x"}}})
	e.srv.SetOmitThreadIDs(true)
	id, err := e.c.CreateThread(e.ctx, conv, helpscout.NewThread{Type: "note", Text: "no id"})
	is.NoErr(err)
	is.Equal(id, int64(0))
	_, err = e.c.CreateThread(e.ctx, conv, helpscout.NewThread{Type: "fax", Text: "x"})
	is.True(err != nil && strings.Contains(err.Error(), `unknown thread type "fax"`))
}

func TestThreadLimitAndMerge(t *testing.T) {
	is := is.New(t)
	e := newEnv(t)
	cust := e.newCustomer("A", "+34612345678", time.Time{})
	full := e.srv.AddConversation(helpscouttest.SeedConversation{Subject: "full", MailboxID: e.mbx, CustomerID: cust, PadThreads: 99})
	_, err := e.c.CreateThread(e.ctx, full, helpscout.NewThread{Type: "phone", Text: "x", Customer: &helpscout.CustomerRef{ID: cust}})
	is.True(errors.Is(err, helpscout.ErrThreadLimit))
	var apiErr *helpscout.APIError
	is.True(errors.As(err, &apiErr))
	is.Equal(apiErr.Status, 412)

	in := phoneConv(e, cust)
	for range 100 {
		in.Threads = append(in.Threads, in.Threads[0])
	}
	_, err = e.c.CreateConversation(e.ctx, in)
	is.True(errors.Is(err, helpscout.ErrThreadLimit))

	from := e.srv.AddConversation(helpscouttest.SeedConversation{Subject: "a", MailboxID: e.mbx, CustomerID: cust, PadThreads: 1})
	to := e.srv.AddConversation(helpscouttest.SeedConversation{Subject: "b", MailboxID: e.mbx, CustomerID: cust, PadThreads: 1})
	e.srv.MergeConversation(from, to)
	_, err = e.c.GetConversation(e.ctx, from)
	var moved *helpscout.MovedError
	is.True(errors.As(err, &moved))
	is.Equal(moved.NewID, to)
	_, err = e.c.CreateThread(e.ctx, from, helpscout.NewThread{Type: "note", Text: "x"})
	is.True(errors.Is(err, helpscout.ErrNotFound))
	_, err = e.c.GetConversation(e.ctx, 1)
	is.True(errors.Is(err, helpscout.ErrNotFound))
}

func TestUpdateConversation(t *testing.T) {
	is := is.New(t)
	e := newEnv(t)
	conv := e.srv.AddConversation(helpscouttest.SeedConversation{Subject: "s", MailboxID: e.mbx, Status: "closed",
		Tags: []string{"vip"}, PadThreads: 1})

	is.NoErr(e.c.SetStatus(e.ctx, conv, "active"))
	is.NoErr(e.c.Assign(e.ctx, conv, e.agent))
	c, _ := e.srv.Conversation(conv)
	is.Equal(c.Status, "active")
	is.Equal(c.Assignee.ID, e.agent)
	is.NoErr(e.c.Unassign(e.ctx, conv))
	is.NoErr(e.c.UpdateConversation(e.ctx, conv, helpscout.Patch{Op: "replace", Path: "/subject", Value: "new"}))
	c, _ = e.srv.Conversation(conv)
	is.True(c.Assignee == nil)
	is.Equal(c.Subject, "new")

	// One op object per PATCH, value omitted for remove.
	var patches []string
	for _, r := range e.srv.Requests() {
		if r.Method == "PATCH" {
			patches = append(patches, string(r.Body))
		}
	}
	is.Equal(patches, []string{
		`{"op":"replace","path":"/status","value":"active"}`,
		`{"op":"replace","path":"/assignTo","value":` + itoa(e.agent) + `}`,
		`{"op":"remove","path":"/assignTo"}`,
		`{"op":"replace","path":"/subject","value":"new"}`,
	})

	err := e.c.SetStatus(e.ctx, conv, "bogus")
	var ve *helpscout.ValidationError
	is.True(errors.As(err, &ve))

	// Tags: read, merge, write; no PUT when nothing is new.
	is.NoErr(e.c.AddTags(e.ctx, conv, "aircall", "vip"))
	c, _ = e.srv.Conversation(conv)
	is.Equal(c.Tags, []string{"vip", "aircall"})
	e.srv.ResetRequests()
	is.NoErr(e.c.AddTags(e.ctx, conv, "aircall"))
	is.Equal(count(e.srv.Requests(), "PUT", "/v2/conversations/"+itoa(conv)+"/tags"), 0)
	is.Equal(len(e.srv.Requests()), 1)
}

func TestListConversations(t *testing.T) {
	is := is.New(t)
	e := newEnv(t)
	e.srv.AddMailbox(helpscout.Mailbox{ID: 6001, Name: "Other"})
	cust := e.newCustomer("A", "+34612345678", time.Time{})
	other := e.newCustomer("B", "+34612345679", time.Time{})
	base := e.clk.Now().Add(-48 * time.Hour)
	for i := range 60 {
		st := "active"
		if i%3 == 0 {
			st = "closed"
		}
		e.srv.AddConversation(helpscouttest.SeedConversation{Subject: "c", MailboxID: e.mbx, CustomerID: cust, Status: st,
			CreatedAt: base.Add(time.Duration(i) * time.Minute), PadThreads: 1})
	}
	spam := e.srv.AddConversation(helpscouttest.SeedConversation{Subject: "s", MailboxID: e.mbx, CustomerID: cust, Tags: []string{"spam"},
		CreatedAt: base, UserUpdatedAt: base.Add(-time.Hour), PadThreads: 1})
	e.srv.AddConversation(helpscouttest.SeedConversation{Subject: "o", MailboxID: e.mbx, CustomerID: other, PadThreads: 1})
	e.srv.AddConversation(helpscouttest.SeedConversation{Subject: "m", MailboxID: 6001, CustomerID: cust, PadThreads: 1})

	tests := []struct {
		name  string
		f     helpscout.ConversationFilter
		want  int
		check func(t *testing.T, got []helpscout.Conversation)
	}{
		{"status defaults to all", helpscout.ConversationFilter{MailboxID: e.mbx, CustomerID: cust}, 61, nil},
		{"active only", helpscout.ConversationFilter{MailboxID: e.mbx, CustomerID: cust, Status: "active"}, 41, nil},
		{"closed", helpscout.ConversationFilter{MailboxID: e.mbx, Status: "closed"}, 20, nil},
		{"by tag", helpscout.ConversationFilter{Tag: "spam"}, 1, func(t *testing.T, got []helpscout.Conversation) {
			is := is.New(t)
			is.Equal(got[0].ID, spam)
		}},
		{"customer AND query", helpscout.ConversationFilter{CustomerID: cust, Query: `tag:"spam"`}, 1, nil},
		{"other customer", helpscout.ConversationFilter{CustomerID: other}, 1, nil},
		{"max pages (conversations come 25 a page)", helpscout.ConversationFilter{MaxPages: 1}, 25, nil},
		{"sorted by modifiedAt asc with threads", helpscout.ConversationFilter{MailboxID: e.mbx, CustomerID: cust, SortField: "modifiedAt", SortOrder: "asc", EmbedThreads: true}, 61,
			func(t *testing.T, got []helpscout.Conversation) {
				is := is.New(t)
				is.Equal(got[0].ID, spam)
				is.Equal(len(got[1].Threads), 1)
				for i := 1; i < len(got); i++ {
					is.True(!got[i].UserUpdatedAt.Before(got[i-1].UserUpdatedAt))
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			got, err := e.c.ListConversations(e.ctx, tt.f)
			is.NoErr(err)
			is.Equal(len(got), tt.want)
			if tt.check != nil {
				tt.check(t, got)
			}
		})
	}
	// Every page request carried status explicitly.
	for _, r := range e.srv.Requests() {
		if r.Path == "/v2/conversations" {
			is.True(r.Query.Get("status") != "")
		}
	}
}

func TestUsersAndMailboxes(t *testing.T) {
	is := is.New(t)
	e := newEnv(t)
	u, err := e.c.FindUserByEmail(e.ctx, "ANA@example.test")
	is.NoErr(err)
	is.Equal(u.ID, e.agent)
	is.Equal(u.FirstName, "Ana")
	none, err := e.c.FindUserByEmail(e.ctx, "nobody@example.test")
	is.NoErr(err)
	is.True(none == nil)
	users, err := e.c.ListUsers(e.ctx)
	is.NoErr(err)
	is.Equal(len(users), 1)

	m, err := e.c.GetMailbox(e.ctx, e.mbx)
	is.NoErr(err)
	is.Equal(m, helpscout.Mailbox{ID: e.mbx, Name: "Support", Email: "support@example.test"})
	_, err = e.c.GetMailbox(e.ctx, 999)
	is.True(errors.Is(err, helpscout.ErrNotFound))
	ms, err := e.c.ListMailboxes(e.ctx)
	is.NoErr(err)
	is.Equal(len(ms), 1)
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }
