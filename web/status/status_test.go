package status_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/aircall-helpscout/aircall-helpscout/store"
	"github.com/aircall-helpscout/aircall-helpscout/web/status"
)

var _ status.Reader = (*store.Store)(nil)

// hostile is caller/agent text trying to break out of every HTML context.
const hostile = `<script>alert(1)</script>"'></style><img src=x onerror=alert(2)>`

var now = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

// fixture fills a store with a logged call, a parked call, a waiting call
// and a failed message whose ID, errors and details are hostile.
func fixture(t testing.TB) *store.Store {
	t.Helper()
	ctx := context.Background()
	clock := now.Add(-3 * time.Hour)
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "status.db"), store.Options{Now: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	put := func(it store.Item) {
		t.Helper()
		if err := st.PutItem(ctx, it); err != nil {
			t.Fatal(err)
		}
	}
	put(store.Item{Instance: "default", Kind: store.KindCall, SourceID: "1001", State: store.StateLogged,
		Outcome: "new_conversation", OccurredAt: now.Add(-5 * time.Hour), CustomerID: 12, ConversationID: 5001, ThreadID: 6001,
		Detail: "customer 12, conversation 5001 " + hostile})
	if err := st.PutDecision(ctx, store.Decision{Instance: "default", Kind: store.KindCall, SourceID: "1001",
		Candidates: []int64{11, 12}, CustomerRule: store.RuleMostRecent, CustomerID: 12,
		ConversationReason: store.ConversationNew, ConversationID: 5001, ThreadID: 6001,
		Transcript: store.InsightIncluded, AI: store.InsightIncluded, Note: hostile}); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 5; i++ {
		clock = clock.Add(10 * time.Minute)
		state := store.StateFailed
		if i == 5 {
			state = store.StateParked
		}
		put(store.Item{Instance: "default", Kind: store.KindCall, SourceID: "1002", State: state, Outcome: store.Outcome(state),
			OccurredAt: now.Add(-2 * time.Hour), Attempts: i,
			LastError: "create customer: helpscout: 400 Bad Request: phone " + hostile})
	}
	put(store.Item{Instance: "default", Kind: store.KindCall, SourceID: "1003", State: store.StateWaiting,
		Outcome: "waiting_for_insights", OccurredAt: now.Add(-10 * time.Minute)})
	put(store.Item{Instance: "default", Kind: store.KindMessage, SourceID: hostile, State: store.StateFailed,
		Outcome: "failed", OccurredAt: now.Add(-time.Hour), Attempts: 1, LastError: hostile})
	// Insight cards: sent for the logged call, failed with a hostile error
	// for the parked one, and one for a call that rang but that no pass
	// has read yet (it is in no ledger).
	card := func(c store.Card) {
		t.Helper()
		if _, err := st.ClaimCard(ctx, store.Card{CallID: c.CallID, Instance: c.Instance, State: store.CardSending, ReceivedAt: c.ReceivedAt}); err != nil {
			t.Fatal(err)
		}
		if err := st.FinishCard(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	rang := now.Add(-5 * time.Hour)
	card(store.Card{CallID: 1001, Instance: "default", State: store.CardSent, ReceivedAt: rang, FinishedAt: rang.Add(87 * time.Millisecond), CustomerID: 12})
	card(store.Card{CallID: 1002, Instance: "default", State: store.CardFailed, ReceivedAt: rang, FinishedAt: rang.Add(time.Second), Error: hostile})
	card(store.Card{CallID: 1004, Instance: "default", State: store.CardDroppedLate, ReceivedAt: now.Add(-time.Minute), FinishedAt: now.Add(-time.Minute + 5*time.Second)})
	id, err := st.StartRun(ctx, store.Run{Instance: "default", Mode: "scheduled", StartedAt: now.Add(-6 * time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.FinishRun(ctx, id, now.Add(-5*time.Minute), map[store.Outcome]int{"new_conversation": 1, hostile: 2}, "list calls: "+hostile); err != nil {
		t.Fatal(err)
	}
	if err := st.AdvanceCursor(ctx, "default", store.StreamCalls, now.Add(-7*time.Minute).Unix()); err != nil {
		t.Fatal(err)
	}
	return st
}

type mirrors struct{}

func (mirrors) MirrorStates(context.Context) ([]status.MirrorState, error) {
	return []status.MirrorState{{Name: "customers", Items: 1234, RefreshedAt: now.Add(-time.Minute), Complete: true, Note: hostile}}, nil
}

type budgets struct{}

func (budgets) BudgetUse(context.Context) ([]status.BudgetUse, error) {
	return []status.BudgetUse{{API: "Aircall", PassRequests: 12, PassUnits: 12, PassAt: now, PerMinute: 50, Remaining: -1, Limit: -1, At: now}}, nil
}

func newServer(t testing.TB, password string) *httptest.Server {
	h := status.New(fixture(t), status.Options{Password: password, Now: func() time.Time { return now },
		Mirrors: mirrors{}, Budgets: budgets{}})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, srv *httptest.Server, path, user, pass string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest("GET", srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if user != "" || pass != "" {
		req.SetBasicAuth(user, pass)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

const pw = `s3cret "pass"`

func TestAuth(t *testing.T) {
	srv := newServer(t, pw)
	tests := []struct {
		name, user, pass string
		code             int
	}{
		{"no credentials", "", "", 401},
		{"wrong password", "admin", "guess", 401},
		{"password prefix", "admin", "s3cret", 401},
		{"wrong user", "root", pw, 401},
		{"right", "admin", pw, 200},
	}
	for _, tt := range tests {
		for _, path := range []string{"/status", "/status/item/default/call/1002"} {
			t.Run(tt.name+" "+path, func(t *testing.T) {
				is := is.New(t)
				resp, body := get(t, srv, path, tt.user, tt.pass)
				is.Equal(resp.StatusCode, tt.code)
				if tt.code == 401 {
					is.Equal(resp.Header.Get("WWW-Authenticate"), `Basic realm="aircall-helpscout status", charset="UTF-8"`)
					is.True(!strings.Contains(body, "1002")) // no data before login
				}
			})
		}
	}
}

func TestNoPasswordIs404(t *testing.T) {
	is := is.New(t)
	srv := newServer(t, "")
	for _, path := range []string{"/status", "/status/", "/status/item/default/call/1002"} {
		resp, _ := get(t, srv, path, "admin", "")
		is.Equal(resp.StatusCode, 404)
		is.Equal(resp.Header.Get("WWW-Authenticate"), "")
	}
}

// TestPagesEscapeHostileText: every page escapes caller text in every
// context (text, attributes, URLs, the SVG, the style element), and carries
// a CSP that would stop a script anyway.
func TestPagesEscapeHostileText(t *testing.T) {
	srv := newServer(t, pw)
	pages := []struct {
		path string
		code int
		want []string
	}{
		{"/status", 200, []string{"Instance default", "lag 7m00s", "scheduled", "1m00s", "Needs attention",
			"call 1002", "parked", "message ", "waiting for transcript/AI", "<svg class=\"chart\"", "Aircall", "customers"}},
		{"/status/", 200, []string{"Instance default"}},
		{"/status/item/default/call/1001", 200, []string{"call 1001", "https://secure.helpscout.net/conversation/5001",
			"candidates 11, 12", "DUPLICATES=most_recent", "https://dashboard.aircall.io/calls/1001"}},
		{"/status/item/default/call/1002", 200, []string{"parked after 5 failed attempts", "attempt failed; parked (5 counted)"}},
		{status.ItemPath("default", "message", hostile), 200, []string{"Help Scout writes"}},
		{"/status/item/default/call/404", 404, []string{"No call 404 in instance default"}},
		{"/status/item/default/" + "%3Cscript%3E" + "/1", 404, []string{"There is no item kind &lt;script&gt;"}},
	}
	nonceRE := regexp.MustCompile(`<style nonce="([^"]+)">`)
	for _, p := range pages {
		t.Run(p.path, func(t *testing.T) {
			is := is.New(t)
			resp, body := get(t, srv, p.path, "admin", pw)
			is.Equal(resp.StatusCode, p.code)
			for _, w := range p.want {
				if !strings.Contains(body, w) {
					t.Errorf("page lacks %q", w)
				}
			}
			is.True(!strings.Contains(body, "<script"))  // no raw hostile tag
			is.True(!strings.Contains(body, "<img"))     // nor any image element
			is.Equal(strings.Count(body, "</style>"), 1) // only our own
			is.Equal(strings.Count(body, "<style"), 1)   // and one style element
			is.True(!strings.Contains(body, ` style="`)) // no inline style attribute the CSP would block
			csp := resp.Header.Get("Content-Security-Policy")
			m := nonceRE.FindStringSubmatch(body)
			is.True(m != nil)
			is.Equal(csp, "default-src 'none'; style-src 'nonce-"+m[1]+"'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
			is.Equal(resp.Header.Get("Content-Type"), "text/html; charset=utf-8")
			is.Equal(resp.Header.Get("X-Content-Type-Options"), "nosniff")
			is.True(strings.Contains(body, `<meta name="viewport" content="width=device-width, initial-scale=1">`))
		})
	}
	// A fresh nonce per answer.
	r1, _ := get(t, srv, "/status", "admin", pw)
	r2, _ := get(t, srv, "/status", "admin", pw)
	if r1.Header.Get("Content-Security-Policy") == r2.Header.Get("Content-Security-Policy") {
		t.Error("the CSP nonce is reused")
	}
}

func TestChartCountsByOutcome(t *testing.T) {
	is := is.New(t)
	srv := newServer(t, pw)
	_, body := get(t, srv, "/status", "admin", pw)
	if !strings.Contains(body, "Items per hour over the last 48 hours: 4 in all (1 logged, 1 waiting, 1 failed, 1 parked)") {
		i := strings.Index(body, "<svg")
		t.Fatal(body[i : i+600])
	}
	is.True(strings.Contains(body, `<rect class="s-parked"`))
	is.Equal(strings.Count(body, "<g><title>"), 48) // one bar per hour
}

// TestItemPageShowsInsightCard: the item page says what explain says about
// the call's insight card, also for a call only its card knows, and not for
// a call that had none.
func TestItemPageShowsInsightCard(t *testing.T) {
	srv := newServer(t, pw)
	tests := []struct {
		path     string
		want     []string
		wantNone bool
	}{
		{path: "/status/item/default/call/1001", want: []string{"insight card", "sent to the Aircall app, 87ms after the webhook",
			"call.created received 2026-11-30 07:00:00 UTC"}},
		{path: "/status/item/default/call/1002", want: []string{"insight card", "not sent: it failed, 1s after the webhook (&lt;script&gt;"}},
		{path: "/status/item/default/call/1004", want: []string{"not in the ledger", "no pass has read this call yet",
			"dropped: too late to be useful, 5s after the webhook"}},
		{path: "/status/item/default/call/1003", wantNone: true},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			is := is.New(t)
			resp, body := get(t, srv, tt.path, "admin", pw)
			is.Equal(resp.StatusCode, http.StatusOK)
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("page lacks %q", w)
				}
			}
			is.Equal(strings.Contains(body, `id="insight-card"`), !tt.wantNone)
		})
	}
	is := is.New(t)
	resp, _ := get(t, srv, "/status/item/other/call/1004", "admin", pw)
	is.Equal(resp.StatusCode, http.StatusNotFound) // a card of another instance is not this instance's call
}
