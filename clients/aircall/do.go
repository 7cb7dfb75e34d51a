package aircall

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aircall-helpscout/aircall-helpscout/clients/internal/httpcore"
)

// request is one logical API call; do turns it into one or more attempts.
type request struct {
	method   string
	path     string // e.g. "/v1/calls/123"
	endpoint string // templated for metrics, e.g. "/v1/calls/:id"
	query    url.Values
	body     any
	// noRetry5xx is true for writes that may have committed when the
	// answer is a 5xx or a timeout (creates): those are not retried, so a
	// contact or detail is never created twice. 429s are always retried,
	// since Aircall refused them before doing anything.
	noRetry5xx bool
	notFound   error // sentinel for 404; default ErrNotFound
	forbidden  error // sentinel for 403; default ErrBadCredentials
	// priority puts the request in the priority lane (see waitTurn); its
	// waits, 429 ones included, must fit before ctx's deadline.
	priority bool
	// tooLate maps the 4xx answers that mean "the call is over" (see
	// lateStatus) to ErrCallEnded.
	tooLate bool
}

const (
	maxBody       = 32 << 20
	fallbackReset = 60 * time.Second
	maxResetWait  = 5 * time.Minute
)

// do performs req with rate limiting and retries, decoding a 2xx body into
// out (when out is non-nil).
func (c *Client) do(ctx context.Context, req request, out any) error {
	u := c.base + req.path
	if len(req.query) > 0 {
		u += "?" + req.query.Encode()
	}
	var payload []byte
	if req.body != nil {
		var err error
		if payload, err = json.Marshal(req.body); err != nil {
			return fmt.Errorf("aircall: %s %s: encode body: %w", req.method, req.endpoint, err)
		}
	}
	fails, limited := 0, 0
	for {
		if err := c.waitTurn(ctx, req.priority); err != nil {
			return fmt.Errorf("aircall: %s %s: %w", req.method, req.endpoint, err)
		}
		status, hdr, body, err := c.attempt(ctx, req, u, payload)
		if ctx.Err() != nil {
			return fmt.Errorf("aircall: %s %s: %w", req.method, req.endpoint, ctx.Err())
		}
		if hdr != nil {
			c.noteBudget(hdr)
		}
		var retryErr error
		switch {
		case err != nil:
			retryErr = fmt.Errorf("aircall: %s %s: %w", req.method, req.endpoint, err)
		case status == http.StatusTooManyRequests:
			if limited >= c.cfg.Max429Retries {
				return c.apiError(req, status, body)
			}
			limited++
			if err := c.sleepWithin(ctx, c.retryAfter(hdr), req.priority); err != nil {
				return fmt.Errorf("aircall: %s %s: %w", req.method, req.endpoint, err)
			}
			continue
		case status >= 500:
			retryErr = c.apiError(req, status, body)
		case status >= 200 && status < 300:
			if out == nil || len(bytes.TrimSpace(body)) == 0 {
				return nil
			}
			if err := json.Unmarshal(body, out); err != nil {
				return fmt.Errorf("aircall: %s %s: decode: %w", req.method, req.endpoint, err)
			}
			return nil
		default:
			return c.apiError(req, status, body)
		}
		if req.noRetry5xx || fails >= c.cfg.MaxRetries {
			return retryErr
		}
		fails++
		if err := c.sleepWithin(ctx, httpcore.Backoff(c.cfg.BackoffBase, maxBackoff, fails), req.priority); err != nil {
			return fmt.Errorf("aircall: %s %s: %w", req.method, req.endpoint, err)
		}
	}
}

// attempt sends one HTTP request under its own timeout and reads the body.
func (c *Client) attempt(ctx context.Context, req request, u string, payload []byte) (int, http.Header, []byte, error) {
	res, err := httpcore.Do(ctx, c.hc, httpcore.Attempt{
		Method: req.method, URL: u, Body: payload, Timeout: c.cfg.Timeout, MaxBody: maxBody,
		Prepare: func(hr *http.Request) {
			hr.SetBasicAuth(c.cfg.APIID, c.cfg.APIToken)
			hr.Header.Set("Accept", "application/json")
			if payload != nil {
				hr.Header.Set("Content-Type", "application/json")
			}
		},
	})
	c.record(RequestEvent{API: "aircall", Method: req.method, Endpoint: req.endpoint, Status: res.Status, Duration: res.Duration})
	if err != nil {
		return 0, res.Header, nil, err
	}
	return res.Status, res.Header, res.Body, nil
}

// noteBudget reads X-AircallApi-Remaining/-Reset; when the company budget
// is spent it makes every request of this Client wait for the reset instead
// of earning a 429.
func (c *Client) noteBudget(h http.Header) {
	c.mu.Lock()
	ok := c.budget.Note(h, "X-AircallApi-Remaining", "X-AircallApi-Limit", c.cfg.Now())
	rem := c.budget.Remaining
	c.mu.Unlock()
	if !ok || rem > 0 {
		return
	}
	reset, ok := c.resetAt(h)
	if !ok {
		return
	}
	c.mu.Lock()
	if reset.After(c.pauseUntil) {
		c.pauseUntil = reset
	}
	c.mu.Unlock()
}

// resetAt returns X-AircallApi-Reset bounded to (now, now+maxResetWait], so
// a skewed clock can neither skip nor stall us. Aircall does not state the
// unit: old answers carry Unix seconds (10 digits) and one public client
// reads milliseconds, so a value past 10^12 is taken as Unix milliseconds.
// A value too small to be a recent Unix time (under 10^9, i.e. before 2001)
// can only be a delay, and is read as seconds from now.
func (c *Client) resetAt(h http.Header) (time.Time, bool) {
	v, err := strconv.ParseInt(strings.TrimSpace(h.Get("X-AircallApi-Reset")), 10, 64)
	if err != nil || v <= 0 {
		return time.Time{}, false
	}
	now := c.cfg.Now()
	var t time.Time
	switch {
	case v > 1e12:
		t = time.UnixMilli(v)
	case v < 1e9:
		t = now.Add(time.Duration(v) * time.Second)
	default:
		t = time.Unix(v, 0)
	}
	if !t.After(now) {
		t = now.Add(time.Second)
	}
	if t.Sub(now) > maxResetWait {
		t = now.Add(maxResetWait)
	}
	return t, true
}

// retryAfter is how long to wait after a 429: Retry-After if sent, else
// until X-AircallApi-Reset, else a minute (Aircall's window length).
func (c *Client) retryAfter(h http.Header) time.Duration {
	if s, err := strconv.Atoi(h.Get("Retry-After")); err == nil && s > 0 {
		return min(time.Duration(s)*time.Second, maxResetWait)
	}
	if t, ok := c.resetAt(h); ok {
		return t.Sub(c.cfg.Now())
	}
	return fallbackReset
}

// apiError builds the typed error for a non-2xx answer.
func (c *Client) apiError(req request, status int, body []byte) *APIError {
	e := &APIError{Status: status, Endpoint: req.endpoint, Message: errorMessage(body)}
	if req.tooLate && lateStatus(status) {
		e.Err = ErrCallEnded
		return e
	}
	switch status {
	case http.StatusUnauthorized:
		// Aircall answers 403 for bad credentials, but a 401 (seen from
		// some edges and read so by one public client) can mean nothing
		// else, whatever the endpoint.
		e.Err = ErrBadCredentials
	case http.StatusForbidden:
		e.Err = ErrBadCredentials
		if req.forbidden != nil {
			e.Err = req.forbidden
		}
	case http.StatusNotFound:
		e.Err = ErrNotFound
		if req.notFound != nil {
			e.Err = req.notFound
		}
	}
	return e
}

// errorMessage extracts Aircall's explanation from an error body
// ({"error","message","errors","troubleshoot"}), else the body's start.
func errorMessage(body []byte) string {
	var b struct {
		Error   any `json:"error"`
		Message any `json:"message"`
		Errors  any `json:"errors"`
	}
	if json.Unmarshal(body, &b) == nil {
		for _, v := range []any{b.Errors, b.Message, b.Error} {
			switch s := v.(type) {
			case string:
				if s != "" {
					return s
				}
			case nil:
			default:
				if j, err := json.Marshal(s); err == nil {
					return string(j)
				}
			}
		}
	}
	s := string(bytes.TrimSpace(body))
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}
