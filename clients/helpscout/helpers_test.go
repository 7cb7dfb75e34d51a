package helpscout_test

import (
	"context"
	"net"
	"net/http"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aircall-helpscout/aircall-helpscout/clients/helpscout"
	"github.com/aircall-helpscout/aircall-helpscout/clients/helpscout/helpscouttest"
)

// fakeClock is shared by client and fake server; Sleep advances it, so rate
// limits and backoffs take no real time.
type fakeClock struct {
	mu     sync.Mutex
	t      time.Time
	slept  time.Duration
	sleeps int
}

func newClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)}
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
	c.Advance(d)
	c.mu.Lock()
	c.slept += d
	c.sleeps++
	c.mu.Unlock()
	return nil
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	if d > 0 {
		c.t = c.t.Add(d)
	}
	c.mu.Unlock()
}

func (c *fakeClock) Slept() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.slept
}

type env struct {
	srv   *helpscouttest.Server
	clk   *fakeClock
	c     *helpscout.Client
	ctx   context.Context
	mbx   int64
	agent int64
}

// newEnv starts a fake with one mailbox and one user and a client on a shared
// fake clock. mod may adjust the config.
func newEnv(t testing.TB, mod ...func(*helpscout.Config)) *env {
	t.Helper()
	srv := helpscouttest.NewServer()
	t.Cleanup(srv.Close)
	clk := newClock()
	srv.SetClock(clk.Now)
	srv.AddMailbox(helpscout.Mailbox{ID: 5001, Name: "Support", Email: "support@example.test"})
	agent := srv.AddUser(helpscout.User{FirstName: "Ana", LastName: "Agent", Email: "ana@example.test"})
	cfg := helpscout.Config{
		BaseURL: srv.URL(), AppID: helpscouttest.AppID, AppSecret: helpscouttest.AppSecret,
		RequestsPerMinute: 6000, Timeout: 2 * time.Second, Sleep: clk.Sleep, Now: clk.Now,
	}
	for _, m := range mod {
		m(&cfg)
	}
	c, err := helpscout.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &env{srv: srv, clk: clk, c: c, ctx: context.Background(), mbx: 5001, agent: agent}
}

// newCustomer seeds a customer with one phone.
func (e *env) newCustomer(first, phone string, created time.Time) int64 {
	return e.srv.AddCustomer(helpscout.Customer{FirstName: first, CreatedAt: created,
		Phones: []helpscout.Entry{{Type: "work", Value: phone}}})
}

func count(reqs []helpscouttest.Request, method, path string) int {
	n := 0
	for _, r := range reqs {
		if r.Method == method && r.Path == path {
			n++
		}
	}
	return n
}

// refusingTransport fails the first n matching requests with a dial error,
// which proves the request never left the machine.
type refusingTransport struct {
	mu     sync.Mutex
	n      int
	method string
	next   http.RoundTripper
}

func (rt *refusingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	rt.mu.Lock()
	hit := rt.n > 0 && r.Method == rt.method
	if hit {
		rt.n--
	}
	rt.mu.Unlock()
	if hit {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	}
	return rt.next.RoundTrip(r)
}
