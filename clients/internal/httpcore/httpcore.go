// Package httpcore is the HTTP plumbing the API clients share: waiting that
// honours a context, jittered exponential backoff, one bounded request
// attempt, and per-endpoint request counters. It holds no retry policy: each
// API decides what to retry (Aircall and Help Scout differ on 401, 429 and
// writes), and calls these pieces to do it.
package httpcore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Sleep waits d or until ctx is done, whichever comes first; it returns
// ctx.Err() when the context ended first (also when d <= 0 and ctx is
// already done), so a retry loop never outlives its caller.
func Sleep(ctx context.Context, d time.Duration) error {
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

// Backoff is the wait before retry n (1-based): base doubled per attempt,
// capped at ceiling, with jitter between half and the full step so clients
// that failed together do not retry together.
func Backoff(base, ceiling time.Duration, n int) time.Duration {
	if n < 1 {
		n = 1
	}
	d := base
	for i := 1; i < n && d < ceiling; i++ {
		d *= 2
	}
	if d > ceiling || d <= 0 {
		d = ceiling
	}
	half := d / 2
	return half + rand.N(half+1)
}

// ErrBodyTooLarge means an answer was longer than the attempt's MaxBody: it
// is refused rather than truncated, since a cut JSON body would only fail
// later with a less useful decode error.
var ErrBodyTooLarge = errors.New("httpcore: response body too large")

// ReadBody reads all of r up to limit bytes, failing with ErrBodyTooLarge
// when there is more.
func ReadBody(r io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%w (over %d bytes)", ErrBodyTooLarge, limit)
	}
	return b, nil
}

// Attempt is one HTTP request to send.
type Attempt struct {
	Method  string
	URL     string
	Body    []byte // sent as is; nil means no body
	Timeout time.Duration
	MaxBody int64 // answers longer than this fail with ErrBodyTooLarge
	// Prepare sets headers (auth, Accept, Content-Type) on the request.
	Prepare func(*http.Request)
}

// Response is what one attempt got back.
type Response struct {
	Status   int // 0 when no answer came (network error)
	Header   http.Header
	Body     []byte
	Duration time.Duration // from sending to the end of the body
}

// Do sends a under its own timeout (derived from ctx) and reads the whole
// body before the timeout is released, so a slow body counts against the
// attempt. The Response carries Status and Duration even when err is set
// after an answer arrived (body read failed), for metrics.
func Do(ctx context.Context, hc *http.Client, a Attempt) (Response, error) {
	actx := ctx
	if a.Timeout > 0 {
		var cancel context.CancelFunc
		actx, cancel = context.WithTimeout(ctx, a.Timeout)
		defer cancel()
	}
	var rd io.Reader
	if a.Body != nil {
		rd = bytes.NewReader(a.Body)
	}
	req, err := http.NewRequestWithContext(actx, a.Method, a.URL, rd)
	if err != nil {
		return Response{}, fmt.Errorf("build request: %w", err)
	}
	if a.Prepare != nil {
		a.Prepare(req)
	}
	start := time.Now()
	res, err := hc.Do(req)
	if err != nil {
		return Response{Duration: time.Since(start)}, err
	}
	defer res.Body.Close()
	limit := a.MaxBody
	if limit <= 0 {
		limit = 32 << 20
	}
	body, err := ReadBody(res.Body, limit)
	out := Response{Status: res.StatusCode, Header: res.Header, Body: body, Duration: time.Since(start)}
	if err != nil {
		return out, fmt.Errorf("read body: %w", err)
	}
	return out, nil
}

// Counters counts attempts per "METHOD endpoint status" (endpoint templated,
// e.g. "/v1/calls/:id"), for Stats and for tests that prove request costs.
// The zero value is ready; it is safe for concurrent use.
type Counters struct {
	mu      sync.Mutex
	byKey   map[string]int
	total   int
	limited int
}

// Add counts one attempt; status 0 is a network error, 429 is also counted
// as rate-limited.
func (c *Counters) Add(method, endpoint string, status int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byKey == nil {
		c.byKey = map[string]int{}
	}
	c.byKey[fmt.Sprintf("%s %s %d", method, endpoint, status)]++
	c.total++
	if status == http.StatusTooManyRequests {
		c.limited++
	}
}

// Snapshot returns a copy of the counts, the total and the 429 count.
func (c *Counters) Snapshot() (byKey map[string]int, total, rateLimited int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	byKey = make(map[string]int, len(c.byKey))
	for k, v := range c.byKey {
		byKey[k] = v
	}
	return byKey, c.total, c.limited
}

// Budget is the API's own request budget as the last answer carrying it
// stated it: both APIs send a remaining count and a limit in headers, maybe
// not on every answer, so an old value can be all there is. It is not
// locked: each client keeps it under the mutex that also guards what it
// derives from it (Aircall's pause, Help Scout's per-request debit).
type Budget struct {
	Remaining, Limit int // -1 = unknown
	At               time.Time
}

// UnknownBudget is a Budget no answer has stated yet.
func UnknownBudget() Budget { return Budget{Remaining: -1, Limit: -1} }

// Note reads the remaining and limit headers of an answer seen at now. It
// reports false, changing nothing, when the remaining count is absent or
// unreadable; a missing limit keeps the last one.
func (b *Budget) Note(h http.Header, remainingKey, limitKey string, now time.Time) bool {
	rem, err := strconv.Atoi(strings.TrimSpace(h.Get(remainingKey)))
	if err != nil {
		return false
	}
	b.Remaining, b.At = rem, now
	if l, err := strconv.Atoi(strings.TrimSpace(h.Get(limitKey))); err == nil {
		b.Limit = l
	}
	return true
}
