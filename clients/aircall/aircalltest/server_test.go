package aircalltest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aircall-helpscout/aircall-helpscout/clients/aircall"
	"github.com/aircall-helpscout/aircall-helpscout/clients/aircall/aircalltest"
	"github.com/matryer/is"
)

func get(t *testing.T, s *aircalltest.Server, path string, auth bool) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.URL()+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if auth {
		req.SetBasicAuth(aircalltest.APIID, aircalltest.APIToken)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

type listBody struct {
	Calls []aircall.Call `json:"calls"`
	Meta  struct {
		Count   int     `json:"count"`
		Total   int     `json:"total"`
		PerPage int     `json:"per_page"`
		Next    *string `json:"next_page_link"`
		Prev    *string `json:"previous_page_link"`
	} `json:"meta"`
}

func TestCallsListing(t *testing.T) {
	s := aircalltest.NewServer()
	defer s.Close()
	for i := int64(1); i <= 120; i++ {
		s.AddCall(aircall.Call{ID: i, StartedAt: 1000 + i})
	}
	tests := []struct {
		name                 string
		query                string
		status               int
		count, total, perPge int
		first                int64
		next                 bool
	}{
		{"default per_page 20", "", 200, 20, 120, 20, 1, true},
		{"clamped to 50", "?per_page=500", 200, 50, 120, 50, 1, true},
		{"from exclusive to inclusive", "?from=1010&to=1020", 200, 10, 10, 20, 11, false},
		{"desc", "?order=desc&per_page=50", 200, 50, 120, 50, 120, true},
		{"last page", "?per_page=50&page=3", 200, 20, 120, 50, 101, false},
		{"past the cap even if empty", "?per_page=50&page=201&from=99999", 400, 0, 0, 0, 0, false},
		{"cap with default per_page", "?page=501", 400, 0, 0, 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			resp, b := get(t, s, "/v1/calls"+tt.query, true)
			is.Equal(resp.StatusCode, tt.status)
			if tt.status == 400 {
				is.True(strings.Contains(string(b), "Your query is limited to 10k results and pagination is out of bound"))
				return
			}
			var lb listBody
			is.NoErr(json.Unmarshal(b, &lb))
			is.Equal(len(lb.Calls), tt.count)
			is.Equal(lb.Meta.Total, tt.total)
			is.Equal(lb.Meta.PerPage, tt.perPge)
			is.Equal(lb.Calls[0].ID, tt.first)
			is.Equal(lb.Meta.Next != nil, tt.next)
			if tt.next {
				is.True(strings.HasPrefix(*lb.Meta.Next, s.URL()+"/v1/calls?"))
			}
		})
	}
}

func TestAuthBudgetAndFaults(t *testing.T) {
	is := is.New(t)
	s := aircalltest.NewServer()
	defer s.Close()
	now := time.Date(2026, 1, 1, 10, 0, 30, 0, time.UTC)
	s.SetClock(func() time.Time { return now })

	resp, _ := get(t, s, "/v1/ping", false)
	is.Equal(resp.StatusCode, 403)

	s.SetBudget(2)
	resp, _ = get(t, s, "/v1/ping", true)
	is.Equal(resp.Header.Get("X-AircallApi-Remaining"), "1")
	is.Equal(resp.Header.Get("X-AircallApi-Limit"), "2")
	is.Equal(resp.Header.Get("X-AircallApi-Reset"), "1767261660") // 10:01:00
	get(t, s, "/v1/ping", true)
	resp, _ = get(t, s, "/v1/ping", true)
	is.Equal(resp.StatusCode, 429)
	now = now.Add(30 * time.Second) // next minute
	resp, _ = get(t, s, "/v1/ping", true)
	is.Equal(resp.StatusCode, 200)

	s.FailNext(2, 502)
	resp, _ = get(t, s, "/v1/ping", true)
	is.Equal(resp.StatusCode, 502)

	reqs := s.Requests()
	is.Equal(len(reqs), 6)
	is.Equal(reqs[0].Status, 403)
	is.Equal(reqs[3].Status, 429)
	is.Equal(reqs[5].Status, 502)
	s.ResetRequests()
	is.Equal(len(s.Requests()), 0)
}

// TestCallContactOnlyWhenFetched: Aircall adds the contact to a call only
// with fetch_contact=true; the fake applies that to the list and to one call.
func TestCallContactOnlyWhenFetched(t *testing.T) {
	s := aircalltest.NewServer()
	defer s.Close()
	s.AddCall(aircall.Call{ID: 7, StartedAt: 1000, Contact: &aircall.Contact{ID: 5, FirstName: "Ann"}})
	tests := []struct {
		path        string
		wantContact bool
	}{
		{"/v1/calls", false},
		{"/v1/calls?fetch_contact=false", false},
		{"/v1/calls?fetch_contact=true", true},
		{"/v1/calls/7", false},
		{"/v1/calls/7?fetch_contact=true", true},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			is := is.New(t)
			resp, b := get(t, s, tt.path, true)
			is.Equal(resp.StatusCode, 200)
			var body struct {
				Calls []aircall.Call `json:"calls"`
				Call  *aircall.Call  `json:"call"`
			}
			is.NoErr(json.Unmarshal(b, &body))
			call := body.Call
			if call == nil {
				is.Equal(len(body.Calls), 1)
				call = &body.Calls[0]
			}
			is.Equal(call.Contact != nil, tt.wantContact)
			if tt.wantContact {
				is.Equal(call.Contact.FirstName, "Ann")
			}
		})
	}
	c, _ := s.Call(7)
	is.New(t).True(c.Contact != nil) // stored contact untouched
}

// TestWireDatesAndUsersSunset: calls carry Unix seconds while users and
// numbers carry created_at as an ISO string, nested in calls too
// (the API mixes both formats); GET /v1/users is sunset (2026-09-30) in
// favour of /v2/users.
func TestWireDatesAndUsersSunset(t *testing.T) {
	s := aircalltest.NewServer()
	defer s.Close()
	s.SetClock(func() time.Time { return time.Date(2026, 9, 28, 10, 21, 9, 0, time.UTC) })
	s.AddNumber(aircall.Number{ID: 5, Name: "Support", Digits: "+1 984-314-0278"})
	s.AddUser(aircall.User{ID: 1, Name: "Jo", Email: "jo@example.com"})
	s.AddCall(aircall.Call{ID: 7, StartedAt: 1790603050,
		Number: &aircall.Number{ID: 5}, User: &aircall.User{ID: 1}, AssignedTo: &aircall.User{ID: 99}})
	const seeded = "2026-09-28T10:21:09.000Z"
	tests := []struct {
		path   string
		status int
		dates  map[string]string // JSON pointer-ish path -> ISO created_at
	}{
		{"/v1/users", http.StatusGone, nil},
		{"/v2/users", 200, map[string]string{"users.0": seeded}},
		{"/v1/users/1", 200, map[string]string{"user": seeded}},
		{"/v1/numbers", 200, map[string]string{"numbers.0": seeded}},
		{"/v1/numbers/5", 200, map[string]string{"number": seeded}},
		{"/v1/calls", 200, map[string]string{"calls.0.number": seeded, "calls.0.user": seeded, "calls.0.assigned_to": "2026-09-28T10:21:51.000Z"}},
		{"/v1/calls/7", 200, map[string]string{"call.number": seeded, "call.user": seeded}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			is := is.New(t)
			resp, b := get(t, s, tt.path, true)
			is.Equal(resp.StatusCode, tt.status)
			var doc any
			is.NoErr(json.Unmarshal(b, &doc))
			for path, want := range tt.dates {
				obj := dig(doc, path)
				is.Equal(obj["created_at"], want) // an ISO string, not Unix seconds
			}
			if strings.HasPrefix(tt.path, "/v1/calls") {
				call := dig(doc, "calls.0")
				if tt.path == "/v1/calls/7" {
					call = dig(doc, "call")
				}
				is.Equal(call["started_at"], float64(1790603050)) // a number
			}
		})
	}
}

// dig walks "a.0.b" through decoded JSON to an object.
func dig(v any, path string) map[string]any {
	for _, k := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[k]
		case []any:
			i := int(k[0] - '0')
			if i >= len(x) {
				return nil
			}
			v = x[i]
		}
	}
	m, _ := v.(map[string]any)
	return m
}

// TestCallsEmptyWindows: windows holding no call answer 200 with an empty
// page and meta.total 0, including a "to" before "from".
func TestCallsEmptyWindows(t *testing.T) {
	s := aircalltest.NewServer()
	defer s.Close()
	for i := int64(1); i <= 30; i++ {
		s.AddCall(aircall.Call{ID: i, StartedAt: 1000 + i})
	}
	tests := []struct{ name, query string }{
		{"to before from", "?from=1020&to=1010"},
		{"from equals to", "?from=1010&to=1010"},
		{"after the last call", "?from=1030&to=2000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			resp, b := get(t, s, "/v1/calls"+tt.query, true)
			is.Equal(resp.StatusCode, 200)
			var lb listBody
			is.NoErr(json.Unmarshal(b, &lb))
			is.Equal(len(lb.Calls), 0)
			is.Equal(lb.Meta.Count, 0)
			is.Equal(lb.Meta.Total, 0)
			is.True(lb.Meta.Next == nil)
		})
	}
}

// TestWireShapes checks the raw JSON the fake writes, independently of
// the client: nulls where Aircall sends null, webhook listings without
// next_page_link, and the Reset header in each unit.
func TestWireShapes(t *testing.T) {
	is := is.New(t)
	s := aircalltest.NewServer()
	defer s.Close()
	now := time.Date(2026, 1, 1, 10, 0, 30, 0, time.UTC)
	s.SetClock(func() time.Time { return now })
	s.AddCall(aircall.Call{ID: 7, StartedAt: 1000, Status: "done"})
	s.AddWebhook(aircalltest.Webhook{URL: "https://x.example.com/", Events: []string{"call.ended"}, Active: true})

	_, b := get(t, s, "/v1/calls/7", true)
	var doc map[string]map[string]any
	is.NoErr(json.Unmarshal(b, &doc))
	for _, k := range []string{"missed_call_reason", "voicemail", "recording", "contact", "answered_at", "ended_at", "user", "number"} {
		v, present := doc["call"][k]
		is.True(present)
		is.Equal(v, nil) // null, not "" or 0
	}

	_, b = get(t, s, "/v1/webhooks", true)
	var hooks map[string]any
	is.NoErr(json.Unmarshal(b, &hooks))
	is.Equal(dig(hooks, "meta")["next_page_link"], nil)
	h := dig(hooks, "webhooks.0")
	is.True(h["webhook_id"] != "")
	is.True(h["token"] != "")
	is.Equal(h["active"], true)

	s.SetBudget(5)
	for _, tt := range []struct {
		f    aircalltest.ResetFormat
		want string
	}{
		{aircalltest.ResetUnixSeconds, "1767261660"},
		{aircalltest.ResetUnixMillis, "1767261660000"},
		{aircalltest.ResetRelativeSeconds, "30"},
	} {
		s.SetResetFormat(tt.f)
		resp, _ := get(t, s, "/v1/ping", true)
		is.Equal(resp.Header.Get("X-AircallApi-Reset"), tt.want)
	}
	s.SetRateHeadersOnlyBelow(0)
	resp, _ := get(t, s, "/v1/ping", true)
	is.Equal(resp.Header.Get("X-AircallApi-Remaining"), "") // 1 left: not near the limit
	resp, _ = get(t, s, "/v1/ping", true)
	is.Equal(resp.Header.Get("X-AircallApi-Remaining"), "0")
}
