package helpscout

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/aircall-helpscout/aircall-helpscout/clients/internal/httpcore"
)

// call is one logical API request; do turns it into as many attempts as the
// retry rules allow.
type call struct {
	method   string
	path     string // real path, e.g. /v2/conversations/12/notes
	endpoint string // templated path for metrics
	query    url.Values
	body     any // marshalled as JSON when non-nil
}

type response struct {
	status int
	header http.Header
	body   []byte
}

// maxBody bounds an answer; a longer one is refused (httpcore.ErrBodyTooLarge)
// rather than cut, since a cut JSON body would only fail later, less clearly.
const maxBody = 32 << 20

func (cl call) write() bool { return cl.method != http.MethodGet && cl.method != http.MethodHead }

func (cl call) units() int {
	if cl.write() {
		return 2
	}
	return 1
}

// do runs cl with the retry rules:
//   - 401: drop the token, fetch a new one, retry once (never committed);
//   - 429: wait X-RateLimit-Retry-After and retry (never committed), bounded;
//   - connection refused/dial errors: retry (never sent);
//   - 5xx, timeouts, resets: reads retry with backoff; writes return ErrAmbiguous.
func (c *Client) do(ctx context.Context, cl call) (*response, error) {
	target, payload, err := c.request(cl)
	if err != nil {
		return nil, err
	}
	what := cl.method + " " + cl.endpoint
	t := &tries{cl: cl, what: what}
	for {
		if err := c.pace(ctx, cl.units()); err != nil {
			return nil, fmt.Errorf("helpscout: %s: %w", what, err)
		}
		tok, err := c.accessToken(ctx)
		if err != nil {
			return nil, err
		}
		resp, err := c.attempt(ctx, cl, target, payload, tok)
		if err != nil {
			if err := c.afterFailure(ctx, t, err); err != nil {
				return nil, err
			}
			continue
		}
		retry, err := c.afterStatus(ctx, t, resp, tok)
		if err != nil {
			return nil, err
		}
		if !retry {
			return resp, nil
		}
	}
}

// tries is one call's retry state: the call, its name for errors, and the
// counts the retry rules bound.
type tries struct {
	cl        call
	what      string // method and endpoint, for errors
	refreshed bool   // the token was refreshed after a 401 (only once)
	waits429  int    // 429 answers waited out
	failures  int    // transport failures and 5xx answers retried
}

// request builds cl's URL and JSON body.
func (c *Client) request(cl call) (target string, payload []byte, err error) {
	if cl.body != nil {
		payload, err = json.Marshal(cl.body)
		if err != nil {
			return "", nil, fmt.Errorf("helpscout: encode %s: %w", cl.endpoint, err)
		}
	}
	target = c.baseURL + cl.path
	if len(cl.query) > 0 {
		target += "?" + cl.query.Encode()
	}
	return target, payload, nil
}

// afterFailure decides on an attempt that got no answer: nil means wait and
// retry (a read, or a write that was surely never sent), otherwise the error
// to return, ErrAmbiguous for a write that may have been committed.
func (c *Client) afterFailure(ctx context.Context, t *tries, err error) error {
	cl, what := t.cl, t.what
	if ctx.Err() != nil && !cl.write() {
		return fmt.Errorf("helpscout: %s: %w", what, ctx.Err())
	}
	if cl.write() && !neverSent(err) {
		return fmt.Errorf("%w: %s: %w", ErrAmbiguous, what, err)
	}
	if ctx.Err() != nil {
		return fmt.Errorf("helpscout: %s: %w", what, ctx.Err())
	}
	t.failures++
	if t.failures > c.maxRetries {
		return fmt.Errorf("helpscout: %s: giving up after %d attempts: %w", what, t.failures, err)
	}
	if err := c.sleep(ctx, backoff(t.failures)); err != nil {
		return fmt.Errorf("helpscout: %s: %w", what, err)
	}
	return nil
}

// afterStatus decides on an answer: retry true means try again (after any
// wait it did), otherwise the call ends with resp (2xx) or with the error.
func (c *Client) afterStatus(ctx context.Context, t *tries, resp *response, tok string) (retry bool, err error) {
	cl, what := t.cl, t.what
	switch s := resp.status; {
	case s >= 200 && s < 300:
		return false, nil
	case s == http.StatusUnauthorized && !t.refreshed:
		t.refreshed = true
		c.invalidate(tok)
		return true, nil
	case s == http.StatusTooManyRequests:
		t.waits429++
		if t.waits429 > c.max429 {
			return false, parseError(s, what, resp.header.Get("Content-Type"), resp.body)
		}
		if err := c.sleep(ctx, retryAfter(resp.header)); err != nil {
			return false, fmt.Errorf("helpscout: %s: %w", what, err)
		}
		c.forgetRemaining() // Retry-After already covered the window
		return true, nil
	case s == http.StatusMovedPermanently || s == http.StatusFound:
		loc := resp.header.Get("Location")
		return false, &MovedError{Location: loc, NewID: lastID(loc)}
	case s >= 500:
		apiErr := parseError(s, what, resp.header.Get("Content-Type"), resp.body)
		if cl.write() {
			return false, fmt.Errorf("%w: %w", ErrAmbiguous, apiErr)
		}
		t.failures++
		if t.failures > c.maxRetries {
			return false, fmt.Errorf("helpscout: giving up after %d attempts: %w", t.failures, apiErr)
		}
		if err := c.sleep(ctx, backoff(t.failures)); err != nil {
			return false, fmt.Errorf("helpscout: %s: %w", what, err)
		}
		return true, nil
	default:
		return false, parseError(s, what, resp.header.Get("Content-Type"), resp.body)
	}
}

// attempt sends one HTTP request under the per-attempt timeout through the
// shared plumbing, which reads the whole body (bounded) before the timeout
// is released; it records the attempt and the budget headers.
func (c *Client) attempt(ctx context.Context, cl call, target string, payload []byte, tok string) (*response, error) {
	res, err := httpcore.Do(ctx, c.http, httpcore.Attempt{
		Method: cl.method, URL: target, Body: payload, Timeout: c.timeout, MaxBody: maxBody,
		Prepare: func(req *http.Request) {
			req.Header.Set("Authorization", "Bearer "+tok)
			req.Header.Set("Accept", "application/hal+json, application/json")
			if payload != nil {
				req.Header.Set("Content-Type", "application/json; charset=UTF-8")
			}
		},
	})
	c.record(RequestEvent{Method: cl.method, Endpoint: cl.endpoint, Units: cl.units(), Status: res.Status, Duration: res.Duration})
	if res.Header != nil {
		c.noteRemaining(res.Header)
	}
	if err != nil {
		return nil, err // do wraps it with the endpoint
	}
	return &response{status: res.Status, header: res.Header, body: res.Body}, nil
}

// pace waits for our own limiter (writes reserve 2 tokens), then for room in
// the 60 s window cap, and, when the last answer said the account budget is
// spent, for the next minute window. Both are driven with the injected clock
// so tests run without real waits.
func (c *Client) pace(ctx context.Context, units int) error {
	c.mu.Lock()
	var wait time.Duration
	if b := &c.budget; b.Remaining >= 0 && b.Remaining < units {
		end := b.At.Truncate(time.Minute).Add(time.Minute)
		wait = end.Sub(c.now())
		b.Remaining = -1
	} else if b.Remaining >= 0 {
		b.Remaining -= units
	}
	c.mu.Unlock()
	if wait > 0 {
		if err := c.sleep(ctx, wait); err != nil {
			return err
		}
	}
	now := c.now()
	r := c.lim.ReserveN(now, units)
	if !r.OK() {
		return fmt.Errorf("helpscout: %d units exceed the limiter burst", units)
	}
	if d := r.DelayFrom(now); d > 0 {
		if err := c.sleep(ctx, d); err != nil {
			r.CancelAt(c.now())
			return err
		}
	}
	for {
		d := c.win.take(c.now(), units)
		if d <= 0 {
			return nil
		}
		if err := c.sleep(ctx, d); err != nil {
			return err
		}
	}
}

func (c *Client) noteRemaining(h http.Header) {
	c.mu.Lock()
	c.budget.Note(h, "X-RateLimit-Remaining-Minute", "X-RateLimit-Limit-Minute", c.now())
	c.mu.Unlock()
}

func (c *Client) forgetRemaining() {
	c.mu.Lock()
	c.budget.Remaining = -1
	c.mu.Unlock()
}

// retryAfter reads X-RateLimit-Retry-After (seconds), then Retry-After, else 60 s.
func retryAfter(h http.Header) time.Duration {
	for _, k := range []string{"X-RateLimit-Retry-After", "Retry-After"} {
		if n, err := strconv.Atoi(strings.TrimSpace(h.Get(k))); err == nil && n >= 0 {
			return time.Duration(max(n, 1)) * time.Second
		}
	}
	return time.Minute
}

// backoff is the wait before retry n of a read or a token fetch: 0.5 s,
// 1 s, 2 s … capped at 30 s, jittered between half and the full step.
func backoff(attempt int) time.Duration {
	return httpcore.Backoff(500*time.Millisecond, 30*time.Second, attempt)
}

// neverSent reports errors that prove the request did not reach the server,
// so even a write may be retried.
func neverSent(err error) bool {
	if errors.Is(err, syscall.ECONNREFUSED) {
		return true
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	return errors.As(err, &dns)
}

// lastID parses the trailing numeric path segment of a Location URL.
func lastID(loc string) int64 {
	if u, err := url.Parse(loc); err == nil {
		loc = u.Path
	}
	loc = strings.TrimRight(loc, "/")
	i := strings.LastIndex(loc, "/")
	n, err := strconv.ParseInt(loc[i+1:], 10, 64)
	if err != nil {
		return 0
	}
	return n
}

// createdID reads the new id from Resource-ID, falling back to Location; 0 if neither.
func createdID(h http.Header) int64 {
	if n, err := strconv.ParseInt(strings.TrimSpace(h.Get("Resource-ID")), 10, 64); err == nil {
		return n
	}
	return lastID(h.Get("Location"))
}
