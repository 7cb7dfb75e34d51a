package helpscout

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
	"golang.org/x/time/rate"

	"github.com/aircall-helpscout/aircall-helpscout/clients/internal/httpcore"
)

// Config configures a Client. Zero values get the defaults documented per field.
type Config struct {
	BaseURL           string // e.g. "https://api.helpscout.net"; token URL = BaseURL + "/v2/oauth2/token"
	AppID, AppSecret  string
	RequestsPerMinute int           // our ceiling (default 200) in any 60 s window; writes cost 2 units
	HTTPClient        *http.Client  // optional base transport
	Timeout           time.Duration // per attempt, default 30s
	MaxRetries        int           // default 4 (reads on 5xx/network; token fetches)
	Observer          func(RequestEvent)
	Sleep             func(ctx context.Context, d time.Duration) error // injectable
	Now               func() time.Time

	// MaxRateLimitWaits bounds how many 429s one request sits out before giving
	// up with ErrRateLimited (default 20).
	MaxRateLimitWaits int
	// TokenEarlyExpiry is how long before expires_in a token is replaced (default 60s,
	// capped at a tenth of the token's lifetime).
	TokenEarlyExpiry time.Duration
}

// RequestEvent describes one HTTP attempt, for metrics.
type RequestEvent struct {
	API      string // "helpscout"
	Method   string
	Endpoint string // templated: "/v2/customers", "/v2/conversations/:id/phones", "/v2/oauth2/token", ...
	Status   int    // 0 on network error
	Units    int    // 1 for reads, 2 for writes (0 for the token endpoint, outside the API budget)
	Duration time.Duration
}

// Stats are cumulative counters since New.
type Stats struct {
	Requests    map[string]int // keyed "METHOD endpoint status"
	Units       int            // rate-limit units sent
	Total       int            // HTTP attempts, token endpoint included
	RateLimited int            // 429 answers
	// Remaining and Limit are the account's budget as Help Scout's last
	// answer stated it (X-RateLimit-Remaining-Minute, X-RateLimit-Limit-Minute),
	// -1 when no answer carried them; RemainingAt is when it was seen. The
	// budget is the account's, shared with every other app on it, so it can
	// be lower than our own ceiling suggests.
	Remaining, Limit int
	RemainingAt      time.Time
}

// Client talks to Help Scout. It is safe for concurrent use.
type Client struct {
	base       *url.URL
	baseURL    string
	http       *http.Client
	tokenHTTP  *http.Client
	cc         *clientcredentials.Config
	lim        *rate.Limiter
	win        *windowCap
	timeout    time.Duration
	maxRetries int
	max429     int
	early      time.Duration
	observer   func(RequestEvent)
	sleep      func(context.Context, time.Duration) error
	now        func() time.Time

	tokMu     sync.Mutex
	token     string
	tokExpiry time.Time

	counts httpcore.Counters

	mu    sync.Mutex
	units int // rate-limit units sent
	// budget is the last X-RateLimit-Remaining-Minute / -Limit-Minute;
	// pace debits Remaining per request until the next answer restates it.
	budget httpcore.Budget
}

// New validates cfg and builds a Client. It makes no request.
func New(cfg Config) (*Client, error) {
	if cfg.BaseURL == "" {
		cfg.BaseURL = "https://api.helpscout.net"
	}
	u, err := url.Parse(strings.TrimRight(cfg.BaseURL, "/"))
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("helpscout: invalid BaseURL %q", cfg.BaseURL)
	}
	if cfg.AppID == "" || cfg.AppSecret == "" {
		return nil, errors.New("helpscout: AppID and AppSecret are required")
	}
	if cfg.RequestsPerMinute <= 0 {
		cfg.RequestsPerMinute = 200
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.MaxRetries <= 0 {
		cfg.MaxRetries = 4
	}
	if cfg.MaxRateLimitWaits <= 0 {
		cfg.MaxRateLimitWaits = 20
	}
	if cfg.TokenEarlyExpiry <= 0 {
		cfg.TokenEarlyExpiry = time.Minute
	}
	if cfg.Sleep == nil {
		cfg.Sleep = httpcore.Sleep
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	base := cfg.HTTPClient
	if base == nil {
		base = &http.Client{}
	}
	rt := base.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	c := &Client{
		base:       u,
		baseURL:    u.String(),
		timeout:    cfg.Timeout,
		maxRetries: cfg.MaxRetries,
		max429:     cfg.MaxRateLimitWaits,
		early:      cfg.TokenEarlyExpiry,
		observer:   cfg.Observer,
		sleep:      cfg.Sleep,
		now:        cfg.Now,
		budget:     httpcore.UnknownBudget(),
	}
	// Redirects are answers (301 = merged conversation), never followed.
	c.http = &http.Client{Transport: rt, Jar: base.Jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
	c.tokenHTTP = &http.Client{Transport: &observingTransport{c: c, next: rt}, Timeout: cfg.Timeout}
	c.cc = &clientcredentials.Config{
		ClientID:     cfg.AppID,
		ClientSecret: cfg.AppSecret,
		TokenURL:     c.baseURL + tokenPath,
		AuthStyle:    oauth2.AuthStyleInParams, // one request, the body Help Scout documents
	}
	// A burst of ten seconds' worth lets short passes go at once; the window
	// cap keeps any 60 s window at or under the ceiling even so (a bucket
	// alone would allow burst + ceiling in the first minute). Both hold at
	// least one write (2 units).
	burst := max(2, cfg.RequestsPerMinute/6)
	c.lim = rate.NewLimiter(rate.Limit(float64(cfg.RequestsPerMinute)/60), burst)
	c.win = newWindowCap(max(2, cfg.RequestsPerMinute), time.Minute)
	return c, nil
}

// Stats returns a copy of the counters.
func (c *Client) Stats() Stats {
	var s Stats
	s.Requests, s.Total, s.RateLimited = c.counts.Snapshot()
	c.mu.Lock()
	s.Units = c.units
	s.Remaining, s.Limit, s.RemainingAt = c.budget.Remaining, c.budget.Limit, c.budget.At
	c.mu.Unlock()
	return s
}

// record counts one attempt (token endpoint included) and tells the observer.
func (c *Client) record(ev RequestEvent) {
	ev.API = "helpscout"
	c.counts.Add(ev.Method, ev.Endpoint, ev.Status)
	c.mu.Lock()
	c.units += ev.Units
	c.mu.Unlock()
	if c.observer != nil {
		c.observer(ev)
	}
}

// observingTransport records token-endpoint attempts, which x/oauth2 performs.
type observingTransport struct {
	c    *Client
	next http.RoundTripper
}

func (t *observingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := t.next.RoundTrip(r)
	status := 0
	if err == nil {
		status = resp.StatusCode
	}
	t.c.record(RequestEvent{Method: r.Method, Endpoint: tokenPath, Status: status, Duration: time.Since(start)})
	return resp, err
}
