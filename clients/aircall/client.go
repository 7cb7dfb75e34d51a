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
}

// Client talks to Aircall. It is safe for concurrent use; all goroutines
// share its limiter and its view of the server's budget.
type Client struct {
	cfg     Config
	base    string
	hc      *http.Client
	limiter *rate.Limiter

	mu         sync.Mutex
	stats      Stats
	pauseUntil time.Time // set when X-AircallApi-Remaining says the budget is spent
}

const (
	defaultRPM        = 50
	defaultTimeout    = 30 * time.Second
	defaultMaxRetries = 4
	default429Retries = 10
	defaultBackoff    = 500 * time.Millisecond
	maxBackoff        = 30 * time.Second
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
	if cfg.Sleep == nil {
		cfg.Sleep = sleepCtx
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
	return &Client{
		cfg:     cfg,
		base:    strings.TrimRight(cfg.BaseURL, "/"),
		hc:      hc,
		limiter: lim,
		stats:   Stats{Requests: map[string]int{}},
	}, nil
}

// Stats returns a snapshot of the request counters.
func (c *Client) Stats() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := Stats{Requests: make(map[string]int, len(c.stats.Requests)), Total: c.stats.Total, RateLimited: c.stats.RateLimited}
	for k, v := range c.stats.Requests {
		s.Requests[k] = v
	}
	return s
}

// Ping checks the credentials with GET /v1/ping.
func (c *Client) Ping(ctx context.Context) error {
	return c.do(ctx, request{method: http.MethodGet, path: "/v1/ping", endpoint: "/v1/ping"}, nil)
}

// sleepCtx waits d or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// waitTurn blocks until both our limiter and the server's advertised budget
// allow one more request. The limiter is driven through ReserveN with the
// injected clock (equivalent to limiter.Wait with the real clock) so tests
// can run minutes of traffic instantly and deterministically.
func (c *Client) waitTurn(ctx context.Context) error {
	c.mu.Lock()
	until := c.pauseUntil
	c.mu.Unlock()
	if now := c.cfg.Now(); until.After(now) {
		if err := c.cfg.Sleep(ctx, until.Sub(now)); err != nil {
			return err
		}
	}
	now := c.cfg.Now()
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

func (c *Client) record(ev RequestEvent) {
	c.mu.Lock()
	c.stats.Requests[fmt.Sprintf("%s %s %d", ev.Method, ev.Endpoint, ev.Status)]++
	c.stats.Total++
	if ev.Status == http.StatusTooManyRequests {
		c.stats.RateLimited++
	}
	c.mu.Unlock()
	if c.cfg.Observer != nil {
		c.cfg.Observer(ev)
	}
}
