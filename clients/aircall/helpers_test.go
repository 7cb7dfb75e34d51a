package aircall_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/aircall-helpscout/aircall-helpscout/clients/aircall"
	"github.com/aircall-helpscout/aircall-helpscout/clients/aircall/aircalltest"
)

// fakeClock is shared by the client (Now/Sleep) and the fake server
// (SetClock), so minutes of rate limiting run instantly and deterministically.
type fakeClock struct {
	mu     sync.Mutex
	t      time.Time
	slept  []time.Duration
	sleeps int
}

func newClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if d > 0 {
		c.t = c.t.Add(d)
	}
	c.slept = append(c.slept, d)
	c.sleeps++
	return nil
}

func (c *fakeClock) Slept() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.slept...)
}

// newFake starts a fake server wired to clk and a client for it. The
// client's own limit is high unless a test sets one via mod.
func newFake(t testing.TB, clk *fakeClock, mod func(*aircall.Config)) (*aircalltest.Server, *aircall.Client) {
	t.Helper()
	srv := aircalltest.NewServer()
	t.Cleanup(srv.Close)
	srv.SetClock(clk.Now)
	cfg := srv.Config()
	cfg.RequestsPerMinute = 1_000_000
	cfg.Now = clk.Now
	cfg.Sleep = clk.Sleep
	cfg.Timeout = 5 * time.Second
	if mod != nil {
		mod(&cfg)
	}
	c, err := aircall.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return srv, c
}

// seedCalls adds n calls starting after base, perSecond of them per second,
// with IDs from firstID; it returns the last started_at.
func seedCalls(srv *aircalltest.Server, firstID int64, n int, base int64, perSecond int) int64 {
	calls := make([]aircall.Call, n)
	var last int64
	for i := range calls {
		last = base + 1 + int64(i/perSecond)
		calls[i] = aircall.Call{ID: firstID + int64(i), StartedAt: last, Status: "done", Direction: "inbound",
			RawDigits: "+1 617-610-5413", Number: &aircall.Number{ID: 42, Digits: "+1 984-314-0278"}}
	}
	srv.AddCalls(calls...)
	return last
}

// collect drains ListCalls, failing on errors.
func collect(t testing.TB, c *aircall.Client, from, to time.Time) []aircall.Call {
	t.Helper()
	var out []aircall.Call
	for call, err := range c.ListCalls(context.Background(), from, to) {
		if err != nil {
			t.Fatalf("ListCalls: %v", err)
		}
		out = append(out, call)
	}
	return out
}

// checkOnceAscending asserts each ID appears once and started_at never decreases.
func checkOnceAscending(t testing.TB, calls []aircall.Call) {
	t.Helper()
	seen := map[int64]bool{}
	var prev int64
	for _, c := range calls {
		if seen[c.ID] {
			t.Fatalf("call %d yielded twice", c.ID)
		}
		seen[c.ID] = true
		if c.StartedAt < prev {
			t.Fatalf("call %d out of order: %d after %d", c.ID, c.StartedAt, prev)
		}
		prev = c.StartedAt
	}
}

// checkNoPastCap asserts no list request asked for page*per_page > 10000.
func checkNoPastCap(t testing.TB, srv *aircalltest.Server) {
	t.Helper()
	for _, r := range srv.Requests() {
		if r.Status == 400 {
			t.Fatalf("request got 400: %s %v", r.Path, r.Query)
		}
		page, per := atoi(r.Query.Get("page"), 1), atoi(r.Query.Get("per_page"), 20)
		if page*per > 10000 {
			t.Fatalf("request past the cap: %s %v", r.Path, r.Query)
		}
	}
}

func atoi(s string, def int) int {
	n := 0
	if s == "" {
		return def
	}
	for _, r := range s {
		n = n*10 + int(r-'0')
	}
	return n
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }
