package aircall_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aircall-helpscout/aircall-helpscout/clients/aircall"
	"github.com/matryer/is"
)

// TestListCallsSurvivesFaults injects 429 storms and 5xx bursts in the
// middle of a listing: nothing is lost or read twice.
func TestListCallsSurvivesFaults(t *testing.T) {
	tests := []struct {
		name   string
		n      int
		status int
	}{
		{"429 storm", 8, http.StatusTooManyRequests},
		{"500 burst", 3, http.StatusInternalServerError},
		{"502 burst", 4, http.StatusBadGateway},
		{"503 burst", 2, http.StatusServiceUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			clk := newClock()
			srv, c := newFake(t, clk, nil)
			base := int64(1_790_000_000)
			last := seedCalls(srv, 1, 1_000, base, 2)
			var got []aircall.Call
			for call, err := range c.ListCalls(context.Background(), time.Unix(base, 0), time.Unix(last, 0)) {
				is.NoErr(err)
				if len(got)%300 == 0 { // three storms during the run
					srv.FailNext(tt.n, tt.status)
				}
				got = append(got, call)
			}
			is.Equal(len(got), 1_000)
			checkOnceAscending(t, got)
			st := c.Stats()
			is.Equal(st.Requests["GET /v1/calls "+itoa(tt.status)], 4*tt.n)
			if tt.status == 429 {
				is.Equal(st.RateLimited, 4*tt.n)
			}
		})
	}
}

// TestBudgetStorm: the server's budget (20/min) is far under what the
// client would send; the client waits for X-AircallApi-Reset and finishes.
func TestBudgetStorm(t *testing.T) {
	is := is.New(t)
	clk := newClock()
	srv, c := newFake(t, clk, nil)
	srv.SetBudget(20)
	base := int64(1_790_000_000)
	last := seedCalls(srv, 1, 3_000, base, 2) // 60 pages = 3 minutes of budget
	got := collect(t, c, time.Unix(base, 0), time.Unix(last, 0))
	is.Equal(len(got), 3_000)
	checkOnceAscending(t, got)
	// Remaining hits 0 on the 20th request of each minute, so the client
	// pauses until the reset instead of collecting 429s.
	is.Equal(c.Stats().RateLimited, 0)
	is.True(clk.Now().Sub(newClock().Now()) >= 2*time.Minute)
}

// Test429WaitsForReset: 429 with a Reset header waits until it; without
// one, a minute.
func Test429WaitsForReset(t *testing.T) {
	is := is.New(t)
	clk := newClock()
	srv, c := newFake(t, clk, nil)
	srv.SetBudget(1)
	ctx := context.Background()
	is.NoErr(c.Ping(ctx)) // uses the minute's only request; Remaining 0 -> pause
	start := clk.Now()
	is.NoErr(c.Ping(ctx))
	is.Equal(clk.Now().Sub(start), time.Minute) // window started at a whole minute

	srv.SetBudget(0)
	srv.FailNext(1, http.StatusTooManyRequests) // no headers at all
	start = clk.Now()
	is.NoErr(c.Ping(ctx))
	is.True(clk.Now().Sub(start) >= time.Minute)
}

func TestBadCredentialsNotRetried(t *testing.T) {
	is := is.New(t)
	clk := newClock()
	srv, _ := newFake(t, clk, nil)
	cfg := srv.Config()
	cfg.APIToken = "wrong"
	cfg.Now, cfg.Sleep = clk.Now, clk.Sleep
	c, err := aircall.New(cfg)
	is.NoErr(err)
	err = c.Ping(context.Background())
	is.True(errors.Is(err, aircall.ErrBadCredentials))
	is.True(!errors.Is(err, aircall.ErrNotLicensed))
	is.Equal(len(srv.Requests()), 1)
	for _, err := range c.ListCalls(context.Background(), time.Unix(0, 0), time.Unix(10, 0)) {
		is.True(errors.Is(err, aircall.ErrBadCredentials))
	}
	is.Equal(len(srv.Requests()), 2)
}

func TestRetriesExhausted(t *testing.T) {
	is := is.New(t)
	clk := newClock()
	srv, c := newFake(t, clk, func(cfg *aircall.Config) { cfg.MaxRetries = 3 })
	srv.FailNext(100, http.StatusServiceUnavailable)
	_, err := c.GetCall(context.Background(), 1)
	var apiErr *aircall.APIError
	is.True(errors.As(err, &apiErr))
	is.Equal(apiErr.Status, 503)
	is.Equal(len(srv.Requests()), 4) // 1 + MaxRetries
	// Backoff grows with jitter: each wait in [step/2, step].
	var waits []time.Duration
	for _, d := range clk.Slept() {
		if d >= 100*time.Millisecond {
			waits = append(waits, d)
		}
	}
	is.Equal(len(waits), 3)
	for i, d := range waits {
		step := 500 * time.Millisecond << i
		is.True(d >= step/2 && d <= step)
	}
}

// TestWritesAndRetries: contact creates are not retried on 5xx (they may
// have committed) but are retried on 429; updates are retried on 5xx.
func TestWritesAndRetries(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		call     func(*aircall.Client) error
		wantErr  bool
		wantReqs int
	}{
		{"create 502 not retried", 502, func(c *aircall.Client) error {
			_, err := c.CreateContact(context.Background(), aircall.ContactInput{FirstName: "A"})
			return err
		}, true, 1},
		{"create 429 retried", 429, func(c *aircall.Client) error {
			_, err := c.CreateContact(context.Background(), aircall.ContactInput{FirstName: "A"})
			return err
		}, false, 2},
		{"add phone 500 not retried", 500, func(c *aircall.Client) error {
			return c.AddContactPhone(context.Background(), 1, "Work", "+33 1 23 45 67 89")
		}, true, 1},
		{"update 503 retried", 503, func(c *aircall.Client) error {
			_, err := c.UpdateContact(context.Background(), 1, aircall.ContactInput{FirstName: "B"})
			return err
		}, false, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			clk := newClock()
			srv, c := newFake(t, clk, nil)
			srv.AddContact(aircall.Contact{ID: 1, FirstName: "A"})
			srv.FailNext(1, tt.status)
			err := tt.call(c)
			is.Equal(err != nil, tt.wantErr)
			is.Equal(len(srv.Requests()), tt.wantReqs)
		})
	}
}

// TestAttemptTimeout: a hung answer is cut by the per-attempt timeout and
// retried; the retry succeeds.
func TestAttemptTimeout(t *testing.T) {
	is := is.New(t)
	clk := newClock()
	srv, c := newFake(t, clk, func(cfg *aircall.Config) { cfg.Timeout = 20 * time.Millisecond; cfg.MaxRetries = 1 })
	srv.SetLatency(200 * time.Millisecond)
	err := c.Ping(context.Background())
	is.True(errors.Is(err, context.DeadlineExceeded))
	is.Equal(c.Stats().Requests["GET /v1/ping 0"], 2)
	srv.SetLatency(0)
	is.NoErr(c.Ping(context.Background()))
}

func TestCanceledContextStops(t *testing.T) {
	is := is.New(t)
	clk := newClock()
	_, c := newFake(t, clk, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := c.Ping(ctx)
	is.True(errors.Is(err, context.Canceled))
}

func TestObserverAndStats(t *testing.T) {
	is := is.New(t)
	clk := newClock()
	var events []aircall.RequestEvent
	srv, c := newFake(t, clk, func(cfg *aircall.Config) {
		cfg.Observer = func(e aircall.RequestEvent) { events = append(events, e) }
	})
	srv.AddCall(aircall.Call{ID: 9, StartedAt: 5})
	srv.FailNext(1, 500)
	_, err := c.GetCall(context.Background(), 9)
	is.NoErr(err)
	is.Equal(len(events), 2)
	is.Equal(events[0].API, "aircall")
	is.Equal(events[0].Endpoint, "/v1/calls/:id")
	is.Equal(events[0].Status, 500)
	is.Equal(events[1].Status, 200)
	st := c.Stats()
	is.Equal(st.Total, 2)
	is.Equal(st.Requests, map[string]int{"GET /v1/calls/:id 500": 1, "GET /v1/calls/:id 200": 1})
}

func TestNewValidates(t *testing.T) {
	tests := []struct {
		name    string
		cfg     aircall.Config
		wantErr string
	}{
		{"no url", aircall.Config{APIID: "a", APIToken: "b"}, "BaseURL must not be empty"},
		{"no id", aircall.Config{BaseURL: "http://x", APIToken: "b"}, "APIID must not be empty"},
		{"no token", aircall.Config{BaseURL: "http://x", APIID: "a"}, "APIToken must not be empty"},
		{"bad scheme", aircall.Config{BaseURL: "api.aircall.io", APIID: "a", APIToken: "b"}, `BaseURL "api.aircall.io" must start with http:// or https://`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			_, err := aircall.New(tt.cfg)
			is.True(err != nil && strings.Contains(err.Error(), tt.wantErr)) // names the field
		})
	}
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	s := ""
	for ; n > 0; n /= 10 {
		s = string(rune('0'+n%10)) + s
	}
	return s
}
