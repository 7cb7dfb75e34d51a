package helpscout_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/aircall-helpscout/aircall-helpscout/clients/helpscout"
	"github.com/aircall-helpscout/aircall-helpscout/clients/helpscout/helpscouttest"
)

// replay serves one recorded response body for path (and a token), so the
// client decodes what Help Scout really sent.
func replay(t *testing.T, path, file string) *helpscout.Client {
	t.Helper()
	raw, err := os.ReadFile("testdata/" + file)
	if err != nil {
		t.Fatal(err)
	}
	var rec struct {
		Response struct {
			Headers map[string]string `json:"headers"`
			Body    json.RawMessage   `json:"body"`
		} `json:"response"`
	}
	if err := json.Unmarshal(raw, &rec); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v2/oauth2/token":
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"token_type":"bearer","access_token":"t","expires_in":7200}`))
		case path:
			w.Header().Set("Content-Type", rec.Response.Headers["Content-Type"])
			_, _ = w.Write(rec.Response.Body)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	c, err := helpscout.New(helpscout.Config{BaseURL: srv.URL, AppID: "a", AppSecret: "s", Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCustomersPageDecodesRecording(t *testing.T) {
	is := is.New(t)
	c := replay(t, "/v2/customers", "customers_list_page1.json")
	p, err := c.CustomersPage(t.Context(), helpscout.CustomerQuery{}, 1)
	is.NoErr(err)
	is.Equal(p.Number, 1)
	is.Equal(p.TotalPages, 986)
	is.Equal(p.TotalElements, 49299)
	is.True(p.HasNext)
	is.True(!p.Last(len(p.Customers)))
	is.Equal(len(p.Customers), 5)
	first := p.Customers[0]
	is.Equal(first.ID, int64(260118404))
	is.Equal(first.FirstName, "Jane")
	is.Equal(first.LastName, "Doe")
	is.Equal(first.Organization, "Example Org")
	is.Equal(first.UpdatedAt, time.Date(2019, 6, 2, 13, 46, 21, 0, time.UTC))
	is.Equal(first.CreatedAt, time.Date(2019, 6, 2, 13, 46, 20, 0, time.UTC))
	is.Equal(first.Emails, []helpscout.Entry{{ID: 349911250, Type: "work", Value: "jane@example.com"}})
	is.Equal(len(first.Phones), 0)
}

func TestConversationsPageDecodesRecording(t *testing.T) {
	is := is.New(t)
	c := replay(t, "/v2/conversations", "conversations_list_page1.json")
	p, err := c.ConversationsPage(t.Context(), helpscout.ConversationQuery{MailboxID: 150001}, 1)
	is.NoErr(err)
	is.Equal(p.TotalPages, 1)
	is.True(!p.HasNext)                   // the recording's last page has no next link
	is.True(p.Last(len(p.Conversations))) // so the listing stops
	is.Equal(len(p.Conversations), 5)
	cv := p.Conversations[0]
	is.Equal(cv.ID, int64(868570854))
	is.Equal(cv.Number, int64(191860))
	is.Equal(cv.Status, "active")
	is.Equal(cv.MailboxID, int64(150001))
	is.Equal(cv.Subject, "Hello World!")
	is.Equal(cv.UserUpdatedAt, time.Date(2019, 6, 2, 13, 47, 21, 0, time.UTC))
	is.True(cv.PrimaryCustomer != nil)
	is.Equal(cv.PrimaryCustomer.ID, int64(200000001))

	// The whole listing through the iterator: one request, then done.
	n := 0
	for _, err := range c.ConversationPages(t.Context(), helpscout.ConversationQuery{MailboxID: 150001}, 1) {
		is.NoErr(err)
		n++
	}
	is.Equal(n, 1)
}

func TestCustomerPages(t *testing.T) {
	e := newEnv(t)
	base := e.clk.Now().Add(-100 * time.Hour)
	for i := range 120 {
		id := e.srv.AddCustomer(helpscout.Customer{FirstName: fmt.Sprint("C", i), CreatedAt: base,
			Phones: []helpscout.Entry{{Value: fmt.Sprintf("+1617610%04d", i)}}})
		_ = id
	}
	// 20 of them modified an hour ago.
	for _, c := range e.srv.Customers()[100:] {
		e.srv.EditCustomer(c.ID, func(*helpscout.Customer) {})
	}
	tests := []struct {
		name      string
		q         helpscout.CustomerQuery
		from      int
		wantPages []int // customers per page
	}{
		{"all", helpscout.CustomerQuery{}, 1, []int{50, 50, 20}},
		{"resume at page 2", helpscout.CustomerQuery{}, 2, []int{50, 20}},
		{"page 0 means 1", helpscout.CustomerQuery{}, 0, []int{50, 50, 20}},
		{"modifiedSince", helpscout.CustomerQuery{ModifiedSince: e.clk.Now().Add(-time.Minute), SortField: "modifiedAt", SortOrder: "asc"}, 1, []int{20}},
		{"past the end", helpscout.CustomerQuery{}, 9, []int{0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			e.srv.ResetRequests()
			var got []int
			for p, err := range e.c.CustomerPages(e.ctx, tt.q, tt.from) {
				is.NoErr(err)
				got = append(got, len(p.Customers))
				for _, c := range p.Customers {
					is.Equal(len(c.Phones), 1) // phones come embedded
				}
			}
			is.Equal(got, tt.wantPages)
			is.Equal(len(apiRequests(e.srv)), len(tt.wantPages)) // one request a page, none after the last
			for _, r := range apiRequests(e.srv) {
				if !tt.q.ModifiedSince.IsZero() {
					is.Equal(r.Query.Get("modifiedSince"), helpscout.FormatTime(tt.q.ModifiedSince))
					is.Equal(r.Query.Get("sortField"), "modifiedAt")
					is.Equal(r.Query.Get("sortOrder"), "asc")
				}
			}
		})
	}

	t.Run("break stops the requests", func(t *testing.T) {
		is := is.New(t)
		e.srv.ResetRequests()
		for range e.c.CustomerPages(e.ctx, helpscout.CustomerQuery{}, 1) {
			break
		}
		is.Equal(len(apiRequests(e.srv)), 1)
	})
	t.Run("sorted by modifiedAt ascending", func(t *testing.T) {
		is := is.New(t)
		var last time.Time
		for p, err := range e.c.CustomerPages(e.ctx, helpscout.CustomerQuery{SortField: "modifiedAt", SortOrder: "asc"}, 1) {
			is.NoErr(err)
			for _, c := range p.Customers {
				is.True(!c.UpdatedAt.Before(last))
				last = c.UpdatedAt
			}
		}
	})
}

func TestConversationPages(t *testing.T) {
	is := is.New(t)
	e := newEnv(t)
	e.srv.AddMailbox(helpscout.Mailbox{ID: 6001, Name: "Other"})
	cust := e.newCustomer("A", "+34612345678", time.Time{})
	base := e.clk.Now().Add(-48 * time.Hour)
	for i := range 60 {
		st := "active"
		if i%4 == 0 {
			st = "closed"
		}
		e.srv.AddConversation(helpscouttest.SeedConversation{Subject: "c", MailboxID: e.mbx, CustomerID: cust, Status: st,
			CreatedAt: base.Add(time.Duration(i) * time.Minute)})
	}
	e.srv.AddConversation(helpscouttest.SeedConversation{Subject: "elsewhere", MailboxID: 6001, CustomerID: cust})

	var sizes []int
	var last time.Time
	for p, err := range e.c.ConversationPages(e.ctx, helpscout.ConversationQuery{MailboxID: e.mbx, SortField: "modifiedAt", SortOrder: "asc"}, 1) {
		is.NoErr(err)
		sizes = append(sizes, len(p.Conversations))
		is.Equal(p.HasNext, !p.Last(len(p.Conversations)))
		for _, c := range p.Conversations {
			is.Equal(c.MailboxID, e.mbx)
			is.True(!c.UserUpdatedAt.Before(last))
			last = c.UserUpdatedAt
		}
	}
	is.Equal(sizes, []int{25, 25, 10}) // 25 a page; closed ones too (status=all)
	for _, r := range apiRequests(e.srv) {
		if r.Path == "/v2/conversations" {
			is.Equal(r.Query.Get("status"), "all")
			is.Equal(r.Query.Get("mailbox"), "5001")
		}
	}

	// Modified since: only what changed, one request.
	e.clk.Advance(time.Hour)
	changed := e.srv.Conversations()[3].ID
	e.srv.SetConversationStatus(changed, "closed")
	e.srv.ResetRequests()
	p, err := e.c.ConversationsPage(e.ctx, helpscout.ConversationQuery{MailboxID: e.mbx, ModifiedSince: e.clk.Now().Add(-time.Minute), EmbedThreads: true}, 1)
	is.NoErr(err)
	is.Equal(len(p.Conversations), 1)
	is.Equal(p.Conversations[0].ID, changed)
	is.Equal(p.Conversations[0].Status, "closed")
	is.True(p.Last(1))
	is.Equal(apiRequests(e.srv)[0].Query.Get("embed"), "threads")
}

func TestSearchCustomersV3(t *testing.T) {
	e := newEnv(t)
	want := e.newCustomer("Pat", "(617) 610-5413", time.Time{})
	e.newCustomer("Other", "+34 612 34 56 78", time.Time{})
	tests := []struct {
		name    string
		mode    helpscouttest.V3Search
		wantIDs []int64
		wantErr error
	}{
		{"available", helpscouttest.V3Available, []int64{want}, nil},
		{"no directory permission", helpscouttest.V3Forbidden, nil, helpscout.ErrSearchUnavailable},
		{"no v3 on the account", helpscouttest.V3NotFound, nil, helpscout.ErrSearchUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			e.srv.SetV3Search(tt.mode)
			e.srv.ResetRequests()
			got, err := e.c.FindCustomersByPhoneV3(e.ctx, "+16176105413")
			is.True(errors.Is(err, tt.wantErr))
			var ids []int64
			for _, c := range got {
				ids = append(ids, c.ID)
			}
			is.Equal(ids, tt.wantIDs)
			reqs := apiRequests(e.srv)
			is.Equal(len(reqs), 1) // one unit, whatever the answer
			is.Equal(reqs[0].Path, "/v3/customers/search")
			is.True(len(reqs[0].Query.Get("query")) <= helpscout.MaxSearchQuery)
			is.True(strings.Contains(reqs[0].Query.Get("query"), `phone:"+16176105413"`))
		})
	}
	t.Run("query over 500 characters is refused before sending", func(t *testing.T) {
		is := is.New(t)
		e.srv.SetV3Search(helpscouttest.V3Available)
		e.srv.ResetRequests()
		_, err := e.c.SearchCustomersV3(e.ctx, `phone:"`+strings.Repeat("1", 500)+`"`)
		is.True(err != nil && strings.Contains(err.Error(), "query of 508 characters is over the 500 limit"))
		is.True(strings.Contains(err.Error(), "500"))
		is.Equal(len(apiRequests(e.srv)), 0)
	})
	t.Run("unsupported field is a 400: unavailable, fall back", func(t *testing.T) {
		is := is.New(t)
		_, err := e.c.SearchCustomersV3(e.ctx, `shoeSize:"42"`)
		is.True(errors.Is(err, helpscout.ErrSearchUnavailable))
	})
}

// apiRequests are the requests the fake received, without token fetches.
func apiRequests(srv *helpscouttest.Server) []helpscouttest.Request {
	var out []helpscouttest.Request
	for _, r := range srv.Requests() {
		if r.Path != "/v2/oauth2/token" {
			out = append(out, r)
		}
	}
	return out
}
