package helpscout_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/aircall-helpscout/aircall-helpscout/clients/helpscout"
	"github.com/aircall-helpscout/aircall-helpscout/clients/helpscout/helpscouttest"
)

// TestWritesThatMayHaveLanded: every way a write can reach the server and then
// fail surfaces as ErrAmbiguous, and nothing is retried behind the caller's back.
func TestWritesThatMayHaveLanded(t *testing.T) {
	tests := []struct {
		name      string
		fault     helpscouttest.Fault
		latency   time.Duration
		committed bool
	}{
		{"500 before commit", helpscouttest.Fault{Method: "POST", PathPrefix: "/v2/conversations", Status: 500}, 0, false},
		{"502 after commit", helpscouttest.Fault{Method: "POST", PathPrefix: "/v2/conversations", Status: 502, AfterCommit: true}, 0, true},
		{"dropped after commit", helpscouttest.Fault{Method: "POST", PathPrefix: "/v2/conversations", Drop: true, AfterCommit: true}, 0, true},
		{"dropped before commit", helpscouttest.Fault{Method: "POST", PathPrefix: "/v2/conversations", Drop: true}, 0, false},
		{"timeout", helpscouttest.Fault{}, 80 * time.Millisecond, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			e := newEnv(t, func(c *helpscout.Config) { c.Timeout = 40 * time.Millisecond })
			cust := e.newCustomer("A", "+34612345678", time.Time{})
			is.NoErr(e.c.Authenticate(e.ctx))
			if tt.fault.Count == 0 && tt.latency == 0 {
				tt.fault.Count = 1
			}
			if tt.latency == 0 {
				e.srv.InjectFault(tt.fault)
			}
			e.srv.SetLatency(tt.latency)
			before := len(e.srv.Requests())
			_, err := e.c.CreateConversation(e.ctx, phoneConv(e, cust))
			is.True(errors.Is(err, helpscout.ErrAmbiguous))
			// The client may give up before the slow handler commits:
			// wait for the fake to finish it, whatever the timing.
			wctx, cancel := context.WithTimeout(e.ctx, 10*time.Second)
			defer cancel()
			is.NoErr(e.srv.AwaitRequests(wctx, before+1))
			is.Equal(count(e.srv.Requests(), "POST", "/v2/conversations"), 1) // never retried
			is.Equal(len(e.srv.Conversations()) == 1, tt.committed)
		})
	}
}

func TestWriteRetriedWhenNeverSent(t *testing.T) {
	is := is.New(t)
	rt := &refusingTransport{n: 2, method: "POST", next: http.DefaultTransport}
	e := newEnv(t, func(c *helpscout.Config) { c.HTTPClient = &http.Client{Transport: rt} })
	is.NoErr(e.c.Authenticate(e.ctx)) // GET-free: token is a POST too, so fetch it first
	rt.mu.Lock()
	rt.n = 2
	rt.mu.Unlock()
	id, err := e.c.CreateCustomer(e.ctx, helpscout.NewCustomer{FirstName: "A"})
	is.NoErr(err)
	is.True(id > 0)
	is.Equal(len(e.srv.Customers()), 1)
	is.Equal(e.c.Stats().Requests["POST /v2/customers 0"], 2)
}

func TestReadsRetryOn5xxAndDrops(t *testing.T) {
	tests := []struct {
		name   string
		faults []helpscouttest.Fault
		ok     bool
	}{
		{"two 500s", []helpscouttest.Fault{{PathPrefix: "/v2/mailboxes", Status: 500, Count: 2}}, true},
		{"503 then drop", []helpscouttest.Fault{{PathPrefix: "/v2/mailboxes", Status: 503}, {PathPrefix: "/v2/mailboxes", Drop: true}}, true},
		{"more than MaxRetries", []helpscouttest.Fault{{PathPrefix: "/v2/mailboxes", Status: 500, Count: 5}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			e := newEnv(t)
			for _, f := range tt.faults {
				e.srv.InjectFault(f)
			}
			_, err := e.c.ListMailboxes(e.ctx)
			is.Equal(err == nil, tt.ok)
			is.True(e.clk.Slept() > 0) // backed off between attempts
			if !tt.ok {
				var apiErr *helpscout.APIError
				is.True(errors.As(err, &apiErr))
				is.Equal(apiErr.Status, 500)
				is.Equal(count(e.srv.Requests(), "GET", "/v2/mailboxes"), 5) // 1 + MaxRetries(4)
			}
		})
	}
}

func TestRateLimit429Storm(t *testing.T) {
	is := is.New(t)
	e := newEnv(t)
	e.srv.InjectFault(helpscouttest.Fault{PathPrefix: "/v2/customers", Status: 429, Count: 6})
	id, err := e.c.CreateCustomer(e.ctx, helpscout.NewCustomer{FirstName: "A"}) // writes are retried on 429
	is.NoErr(err)
	is.True(id > 0)
	is.Equal(len(e.srv.Customers()), 1)
	st := e.c.Stats()
	is.Equal(st.RateLimited, 6)
	is.Equal(st.Requests["POST /v2/customers 429"], 6)
	is.True(e.clk.Slept() >= 6*time.Minute) // no Retry-After header → 60 s each

	// Endless storm: bounded, typed error.
	e2 := newEnv(t, func(c *helpscout.Config) { c.MaxRateLimitWaits = 3 })
	e2.srv.InjectFault(helpscouttest.Fault{PathPrefix: "/v2/users", Status: 429, Count: 100})
	_, err = e2.c.ListUsers(e2.ctx)
	is.True(errors.Is(err, helpscout.ErrRateLimited))
	is.Equal(count(e2.srv.Requests(), "GET", "/v2/users"), 4) // 1 + 3 waits

	// Even the token endpoint: retried with backoff, then a typed error.
	e3 := newEnv(t)
	e3.srv.InjectFault(helpscouttest.Fault{Status: 429, Count: 100})
	_, err = e3.c.ListUsers(e3.ctx)
	is.True(errors.Is(err, helpscout.ErrRateLimited))
}

// TestSharedBudget: another app on the account spends the budget; our client
// gets real 429s with X-RateLimit-Retry-After, waits exactly that, and the
// fake's per-minute ledger is never exceeded.
func TestSharedBudget(t *testing.T) {
	is := is.New(t)
	e := newEnv(t)
	e.srv.SetBudget(10)
	other, err := helpscout.New(helpscout.Config{BaseURL: e.srv.URL(), AppID: helpscouttest.AppID, AppSecret: helpscouttest.AppSecret,
		RequestsPerMinute: 6000, Now: e.clk.Now, Sleep: e.clk.Sleep})
	is.NoErr(err)
	is.NoErr(e.c.Authenticate(e.ctx))
	e.clk.Advance(5 * time.Second)
	for range 4 { // other integration: 8 units + 1
		_, err := other.CreateCustomer(e.ctx, helpscout.NewCustomer{FirstName: "X"})
		is.NoErr(err)
	}
	_, err = other.ListMailboxes(e.ctx)
	is.NoErr(err)
	start := e.clk.Now()
	for range 3 { // ours: 1 unit left, so a 429 until the next minute, then all fit
		_, err := e.c.CreateCustomer(e.ctx, helpscout.NewCustomer{FirstName: "Y"})
		is.NoErr(err)
	}
	st := e.c.Stats()
	is.Equal(st.RateLimited, 1)
	is.Equal(e.clk.Now().Sub(start), 55*time.Second) // waited X-RateLimit-Retry-After
	is.Equal(len(e.srv.Customers()), 7)
	is.Equal(e.c.Stats().Requests["POST /v2/customers 429"], 1)
}

// TestPacesOnRemainingHeader: once X-RateLimit-Remaining-Minute says the
// budget is spent, the client waits for the next window instead of earning a 429.
func TestPacesOnRemainingHeader(t *testing.T) {
	is := is.New(t)
	e := newEnv(t)
	e.srv.SetBudget(5)
	for range 12 {
		_, err := e.c.ListMailboxes(e.ctx)
		is.NoErr(err)
	}
	is.Equal(e.c.Stats().RateLimited, 0)
	is.True(e.clk.Now().Sub(newClock().Now()) >= 2*time.Minute) // 12 reads at 5/min span 3 windows
}

// TestOwnLimiter: RequestsPerMinute caps us even when the account has room;
// writes cost twice as much as reads.
func TestOwnLimiter(t *testing.T) {
	tests := []struct {
		name  string
		write bool
		n     int
		want  time.Duration
	}{
		{"reads", false, 60, 50 * time.Second}, // burst 10, then 1/s
		{"writes", true, 30, 50 * time.Second}, // 2 units each
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			e := newEnv(t, func(c *helpscout.Config) { c.RequestsPerMinute = 60 })
			is.NoErr(e.c.Authenticate(e.ctx))
			start := e.clk.Now()
			for range tt.n {
				var err error
				if tt.write {
					_, err = e.c.CreateCustomer(e.ctx, helpscout.NewCustomer{FirstName: "A"})
				} else {
					_, err = e.c.ListMailboxes(e.ctx)
				}
				is.NoErr(err)
			}
			elapsed := e.clk.Now().Sub(start)
			is.True(elapsed >= tt.want-time.Second && elapsed <= tt.want+time.Second)
			is.Equal(e.c.Stats().Units, tt.n*map[bool]int{false: 1, true: 2}[tt.write])
		})
	}
}

func TestObserverAndStats(t *testing.T) {
	is := is.New(t)
	var mu sync.Mutex
	var events []helpscout.RequestEvent
	e := newEnv(t, func(c *helpscout.Config) {
		c.Observer = func(ev helpscout.RequestEvent) { mu.Lock(); events = append(events, ev); mu.Unlock() }
	})
	cust := e.newCustomer("A", "+34612345678", time.Time{})
	_, err := e.c.GetCustomer(e.ctx, cust)
	is.NoErr(err)
	_, err = e.c.CreateCustomer(e.ctx, helpscout.NewCustomer{FirstName: "B"})
	is.NoErr(err)
	is.Equal(len(events), 3)
	is.Equal(events[0].Endpoint, "/v2/oauth2/token")
	is.Equal(events[0].Units, 0)
	is.Equal(events[1], helpscout.RequestEvent{API: "helpscout", Method: "GET", Endpoint: "/v2/customers/:id", Status: 200, Units: 1, Duration: events[1].Duration})
	is.Equal(events[2].Units, 2)
	st := e.c.Stats()
	is.Equal(st.Total, 3)
	is.Equal(st.Units, 3)
	is.Equal(st.Requests, map[string]int{"POST /v2/oauth2/token 200": 1, "GET /v2/customers/:id 200": 1, "POST /v2/customers 201": 1})
	is.Equal(e.srv.Units(), 3)
}

func TestContextCancelStopsWaiting(t *testing.T) {
	is := is.New(t)
	e := newEnv(t)
	e.srv.InjectFault(helpscouttest.Fault{PathPrefix: "/v2/users", Status: 429, Count: 1})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := e.c.ListUsers(ctx)
	is.True(errors.Is(err, context.Canceled))
}
