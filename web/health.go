package web

import (
	"encoding/json"
	"net/http"
	"sync"
	"time"
)

// Health is what /healthz reports: passes are healthy while the last one
// that succeeded is recent (within maxAge, two schedule periods) and no
// blocking problem (refused credentials) is known. The receiver's own state
// is not part of it: it answers whatever passes do.
type Health struct {
	mu       sync.Mutex
	maxAge   time.Duration
	now      func() time.Time
	lastOK   time.Time
	problem  string    // the last failed attempt's reason, until a success
	blocking bool      // problem needs the operator: unhealthy at once
	failedAt time.Time // when problem was seen
	next     time.Time // next attempt planned after a failure
}

// NewHealth returns a Health that wants a successful pass every maxAge;
// now is the clock (time.Now when nil).
func NewHealth(maxAge time.Duration, now func() time.Time) *Health {
	if now == nil {
		now = time.Now
	}
	return &Health{maxAge: maxAge, now: now}
}

// PassSucceeded records a successful pass at t and clears any problem.
func (h *Health) PassSucceeded(t time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if t.After(h.lastOK) {
		h.lastOK = t
	}
	h.problem, h.blocking, h.failedAt, h.next = "", false, time.Time{}, time.Time{}
}

// PassFailed records why a pass could not run or failed. A blocking problem
// (bad credentials: no retry fixes it until the operator does) makes
// /healthz unhealthy at once; any other stays healthy until the last
// success is older than maxAge. next is when the next attempt is planned
// (zero when unknown). reason is shown in /healthz: it must hold no secret.
func (h *Health) PassFailed(t time.Time, reason string, blocking bool, next time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.problem, h.blocking, h.failedAt, h.next = reason, blocking, t, next
}

// Status says whether passes are healthy, and the JSON body /healthz
// answers with.
func (h *Health) Status() (healthy bool, body map[string]any) {
	h.mu.Lock()
	defer h.mu.Unlock()
	now := h.now()
	body = map[string]any{"max_age": h.maxAge.String()}
	healthy = false
	switch {
	case h.blocking:
		body["status"] = "passes cannot run"
	case h.lastOK.IsZero():
		body["status"] = "no successful pass yet"
	case now.Sub(h.lastOK) > h.maxAge:
		body["status"] = "last successful pass is too old"
	default:
		healthy = true
		body["status"] = "ok"
	}
	if !h.lastOK.IsZero() {
		body["last_successful_pass"] = h.lastOK.UTC().Format(time.RFC3339)
	}
	if h.problem != "" {
		body["reason"] = h.problem
		body["failed_at"] = h.failedAt.UTC().Format(time.RFC3339)
		if !h.next.IsZero() {
			body["next_attempt"] = h.next.UTC().Format(time.RFC3339)
		}
	}
	return healthy, body
}

// ServeHTTP answers 200 when healthy, 503 otherwise, with a small JSON body
// saying why.
func (h *Health) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	ok, body := h.Status()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	if ok {
		w.WriteHeader(http.StatusOK)
	} else {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	_ = json.NewEncoder(w).Encode(body)
}
