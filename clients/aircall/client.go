// Package aircall is a client for the Aircall Public API (v1, plus /v2/users)
// built for a polling reconciler: one shared rate limiter per Client, obedience
// to Aircall's X-AircallApi-* budget headers, bounded retries, and listings
// that never ask past the 10,000-result pagination cap.
package aircall

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/aircall-helpscout/aircall-helpscout/clients/internal/httpcore"
	"golang.org/x/time/rate"
)

// Config configures a Client. Zero values get the documented defaults.
type Config struct {
	BaseURL           string        // e.g. "https://api.aircall.io" (paths /v1/... and /v2/... appended)
	APIID, APIToken   string        // Basic auth
	RequestsPerMinute int           // our ceiling (default 50); one limiter per Client, shared by all its requests
	HTTPClient        *http.Client  // optional
	Timeout           time.Duration // per request attempt, default 30s
	MaxRetries        int           // for 5xx/network errors, default 4
	// Observer is called once per HTTP attempt (metrics). It must be fast.
	Observer func(RequestEvent)
	// Sleep waits d or until ctx ends; default: a timer honoring ctx.
	// Tests and benchmarks inject a fake that advances a fake clock.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now is the clock used by the limiter and X-AircallApi-Reset; default time.Now.
	Now func() time.Time
	// Max429Retries bounds retries after 429 answers (default 10).
	Max429Retries int
	// BackoffBase is the first 5xx/network backoff step (default 500ms),
	// doubled per attempt up to 30s, with jitter.
	BackoffBase time.Duration
	// PriorityPerMinute is the priority lane (insight cards): requests that
	// must go out while a phone rings. They draw on a bucket of their own
	// (this many per minute, the same number at once) checked before the
	// batch limiter, so a catch-up running at full budget never delays
	// them; each one also debits the batch limiter, which then waits that
	// much longer, so the average stays within RequestsPerMinute (a burst of
	// cards can exceed it by at most PriorityPerMinute within one minute).
	// Default: a tenth of RequestsPerMinute, at least 2.
	PriorityPerMinute int
	// CardTimeout bounds an insight card request whose context has no
	// deadline (default 5s): a card is useless once the call is over, so it
	// is dropped rather than queued.
	CardTimeout time.Duration
}

// RequestEvent describes one HTTP attempt.
type RequestEvent struct {
	API      string // always "aircall"
	Method   string
	Endpoint string // templated, low-cardinality: "/v1/calls", "/v1/calls/:id", ...
	Status   int    // 0 on network error
	Duration time.Duration
}

// Stats is a snapshot of the requests a Client made.
type Stats struct {
	Requests    map[string]int // "METHOD endpoint status", e.g. "GET /v1/calls 200"
	Total       int
	RateLimited int // 429 answers
	// Remaining and Limit are the company's budget as Aircall's last answer
	// carrying them stated it (X-AircallApi-Remaining, X-AircallApi-Limit),
	// -1 when none did; RemainingAt is when. Aircall may send them only
	// when the budget runs low, so an old value can be all there is.
	Remaining, Limit int
	RemainingAt      time.Time
}

// Client talks to Aircall. It is safe for concurrent use; all goroutines
// share its limiter and its view of the server's budget.
type Client struct {
	cfg      Config
	base     string
	hc       *http.Client
	limiter  *rate.Limiter // batch lane; every request debits it
	priority *rate.Limiter // priority lane, checked first for cards
	counts   httpcore.Counters

	mu         sync.Mutex
	pauseUntil time.Time       // set when X-AircallApi-Remaining says the budget is spent
	budget     httpcore.Budget // last X-AircallApi-Remaining / -Limit
}

const (
	defaultRPM        = 50
	defaultTimeout    = 30 * time.Second
	defaultMaxRetries = 4
	default429Retries = 10
	defaultBackoff    = 500 * time.Millisecond
	maxBackoff        = 30 * time.Second
	defaultCardWait   = 5 * time.Second
)

// New validates cfg and returns a Client.
func New(cfg Config) (*Client, error) {
	var missing []string
	if strings.TrimSpace(cfg.BaseURL) == "" {
		missing = append(missing, "BaseURL")
	}
	if cfg.APIID == "" {
		missing = append(missing, "APIID")
	}
	if cfg.APIToken == "" {
		missing = append(missing, "APIToken")
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("aircall: config: %s must not be empty", strings.Join(missing, ", "))
	}
	if !strings.HasPrefix(cfg.BaseURL, "http://") && !strings.HasPrefix(cfg.BaseURL, "https://") {
		return nil, fmt.Errorf("aircall: config: BaseURL %q must start with http:// or https://", cfg.BaseURL)
	}
	if cfg.RequestsPerMinute <= 0 {
		cfg.RequestsPerMinute = defaultRPM
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = defaultTimeout
	}
	if cfg.MaxRetries <= 0 {
		cfg.MaxRetries = defaultMaxRetries
	}
	if cfg.Max429Retries <= 0 {
		cfg.Max429Retries = default429Retries
	}
	if cfg.BackoffBase <= 0 {
		cfg.BackoffBase = defaultBackoff
	}
	if cfg.PriorityPerMinute <= 0 {
		cfg.PriorityPerMinute = max(cfg.RequestsPerMinute/10, 2)
	}
	if cfg.CardTimeout <= 0 {
		cfg.CardTimeout = defaultCardWait
	}
	if cfg.Sleep == nil {
		cfg.Sleep = httpcore.Sleep
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{}
	}
	// Burst 1 at exactly RequestsPerMinute/60 per second: requests are at
	// least 60s/RPM apart, so no 60-second window ever holds more than RPM
	// requests, and a long run still goes at the full budget.
	lim := rate.NewLimiter(rate.Limit(float64(cfg.RequestsPerMinute)/60), 1)
	prio := rate.NewLimiter(rate.Limit(float64(cfg.PriorityPerMinute)/60), cfg.PriorityPerMinute)
	return &Client{
		cfg:      cfg,
		base:     strings.TrimRight(cfg.BaseURL, "/"),
		hc:       hc,
		limiter:  lim,
		priority: prio,
		budget:   httpcore.UnknownBudget(),
	}, nil
}

// Stats returns a snapshot of the request counters.
func (c *Client) Stats() Stats {
	m, total, limited := c.counts.Snapshot()
	c.mu.Lock()
	defer c.mu.Unlock()
	return Stats{Requests: m, Total: total, RateLimited: limited,
		Remaining: c.budget.Remaining, Limit: c.budget.Limit, RemainingAt: c.budget.At}
}

// Ping checks the credentials with GET /v1/ping.
func (c *Client) Ping(ctx context.Context) error {
	return c.do(ctx, request{method: http.MethodGet, path: "/v1/ping", endpoint: "/v1/ping"}, nil)
}

// waitTurn blocks until both our limiter and the server's advertised budget
// allow one more request. The limiters are driven through ReserveN with the
// injected clock (equivalent to limiter.Wait with the real clock) so tests
// can run minutes of traffic instantly and deterministically.
//
// A priority request (an insight card) never queues behind batch work: it
// takes a token from its own bucket and debits the batch limiter without
// waiting on it. A wait it cannot finish before its context's deadline
// fails at once with context.DeadlineExceeded instead of sleeping in vain.
func (c *Client) waitTurn(ctx context.Context, priority bool) error {
	c.mu.Lock()
	until := c.pauseUntil
	c.mu.Unlock()
	if now := c.cfg.Now(); until.After(now) {
		if err := c.sleepWithin(ctx, until.Sub(now), priority); err != nil {
			return err
		}
	}
	now := c.cfg.Now()
	if priority {
		r := c.priority.ReserveN(now, 1)
		if !r.OK() {
			return errors.New("aircall: priority limiter refused reservation")
		}
		if d := r.DelayFrom(now); d > 0 {
			if err := c.sleepWithin(ctx, d, true); err != nil {
				r.CancelAt(c.cfg.Now())
				return err
			}
		}
		// Kept, not waited for: the batch lane pays for this request.
		c.limiter.ReserveN(c.cfg.Now(), 1)
		return nil
	}
	r := c.limiter.ReserveN(now, 1)
	if !r.OK() {
		return errors.New("aircall: rate limiter refused reservation")
	}
	if d := r.DelayFrom(now); d > 0 {
		if err := c.cfg.Sleep(ctx, d); err != nil {
			r.CancelAt(c.cfg.Now())
			return err
		}
	}
	return nil
}

// sleepWithin sleeps d; with deadlineBound it first checks that d fits
// before ctx's deadline and fails with context.DeadlineExceeded if not.
// The deadline is wall-clock time while d comes from the injected clock
// (the same clock in production; a fake one in tests, where this keeps a
// card from "waiting" a simulated minute).
func (c *Client) sleepWithin(ctx context.Context, d time.Duration, deadlineBound bool) error {
	if deadlineBound {
		if dl, ok := ctx.Deadline(); ok && d >= time.Until(dl) {
			return fmt.Errorf("waiting %v would pass the deadline: %w", d.Round(time.Millisecond), context.DeadlineExceeded)
		}
	}
	return c.cfg.Sleep(ctx, d)
}

func (c *Client) record(ev RequestEvent) {
	c.counts.Add(ev.Method, ev.Endpoint, ev.Status)
	if c.cfg.Observer != nil {
		c.cfg.Observer(ev)
	}
}
