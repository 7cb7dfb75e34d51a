// Package aircalltest is a stateful, in-process fake of the Aircall Public
// API for tests and the demo command. It enforces what bites in the real
// API (Basic auth answered with 403, exclusive from / inclusive to, the
// per_page clamp, the 400 past the 10,000-result cap, a per-minute budget
// with X-AircallApi-* headers and 429s, webhook registration, insight
// cards) and records every request so tests can assert on what a client
// sent. Its JSON is written by its own types (wire.go), never by the
// client's, and where Aircall's behaviour is undocumented it has a switch
// per plausible answer (SetResetFormat, SetRateHeadersOnlyBelow,
// SetBadCredentialsAnswer, SetEndedCardAnswer, SetCardStatus).
package aircalltest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/aircall-helpscout/aircall-helpscout/clients/aircall"
)

// The credentials the fake accepts.
const (
	APIID    = "test-api-id"
	APIToken = "test-api-token"
)

// Request is one request the fake saw, with the status it answered.
type Request struct {
	Method string
	Path   string
	Query  url.Values
	Body   []byte
	Status int
	At     time.Time // by the server's clock (SetClock)
}

// Server is the fake. All methods are safe for concurrent use.
type Server struct {
	ts *httptest.Server

	mu      sync.Mutex
	calls   map[int64]aircall.Call
	order   []callKey // calls sorted by (started_at, id); rebuilt lazily
	dirty   bool
	numbers map[int64]aircall.Number
	users   map[int64]aircall.User
	// created_at of numbers and users (ISO on the wire, unlike calls).
	numberAt map[int64]time.Time
	userAt   map[int64]time.Time
	contacts map[int64]aircall.Contact
	nextID   int64 // for contacts and their details

	transcriptions map[int64]aircall.Transcription
	summaries      map[int64]aircall.Summary
	topics         map[int64]aircall.Topics
	sentiments     map[int64]aircall.Sentiments
	actionItems    map[int64]aircall.ActionItems
	aiLicensed     bool

	webhooks          []Webhook
	webhookCreateFail int // the next webhook create commits, then answers this status
	cards             []Card
	endedCard         EndedCardAnswer
	cardStatus        int

	budget       int
	resetFormat  ResetFormat
	headersBelow int  // rate headers only when remaining <= this; <0 always
	authStatus   int  // answer to bad credentials: 403 (default) or 401
	authPlain    bool // bad credentials answered by the edge, without JSON
	clock        func() time.Time
	windowStart  time.Time
	used         int

	failN      int
	failed     int // requests failed by FailNext so far
	failStatus int
	latency    time.Duration

	requests []Request
}

type callKey struct{ started, id int64 }

// NewServer starts a fake on a loopback port.
func NewServer() *Server {
	s := NewUnstartedServer()
	s.ts.Start()
	return s
}

// NewUnstartedServer returns a fake whose listener is not started yet:
// call Start (useful to seed before anything can connect).
func NewUnstartedServer() *Server {
	s := &Server{
		calls:          map[int64]aircall.Call{},
		numbers:        map[int64]aircall.Number{},
		users:          map[int64]aircall.User{},
		numberAt:       map[int64]time.Time{},
		userAt:         map[int64]time.Time{},
		contacts:       map[int64]aircall.Contact{},
		nextID:         900000,
		transcriptions: map[int64]aircall.Transcription{},
		summaries:      map[int64]aircall.Summary{},
		topics:         map[int64]aircall.Topics{},
		sentiments:     map[int64]aircall.Sentiments{},
		actionItems:    map[int64]aircall.ActionItems{},
		aiLicensed:     true,
		cardStatus:     http.StatusCreated,
		headersBelow:   -1,
		authStatus:     http.StatusForbidden,
		clock:          time.Now,
	}
	s.ts = httptest.NewUnstartedServer(s.handler())
	return s
}

// Start starts an unstarted server.
func (s *Server) Start() { s.ts.Start() }

// URL is the base URL for aircall.Config.BaseURL.
func (s *Server) URL() string { return s.ts.URL }

// Close shuts the server down.
func (s *Server) Close() { s.ts.Close() }

// Config returns an aircall.Config pointing at the fake with its
// credentials; tests fill in the rest.
func (s *Server) Config() aircall.Config {
	return aircall.Config{BaseURL: s.URL(), APIID: APIID, APIToken: APIToken}
}

// SetBudget sets the per-minute request budget (0 = unlimited). With a
// budget, every response carries X-AircallApi-Limit/-Remaining/-Reset and
// requests past the budget get 429 until the minute (by SetClock) ends.
func (s *Server) SetBudget(perMinute int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.budget, s.used = perMinute, 0
}

// ResetFormat is the unit of X-AircallApi-Reset. Aircall does not state
// it: old answers show Unix seconds, one public client reads milliseconds,
// and a relative delay is the other reading a client may meet.
type ResetFormat int

const (
	ResetUnixSeconds     ResetFormat = iota // e.g. 1767261660 (default)
	ResetUnixMillis                         // e.g. 1767261660000
	ResetRelativeSeconds                    // seconds until the reset, e.g. 30
)

// SetResetFormat picks the unit of X-AircallApi-Reset.
func (s *Server) SetResetFormat(f ResetFormat) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.resetFormat = f
}

// SetRateHeadersOnlyBelow sends the X-AircallApi-* headers only when the
// remaining budget is at most n, as Aircall may do near the limit; n < 0
// (the default) sends them on every answer under a budget.
func (s *Server) SetRateHeadersOnlyBelow(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.headersBelow = n
}

// SetBadCredentialsAnswer sets the answer to wrong credentials: status 403
// (Aircall's usual, the default) or 401, with Aircall's JSON error body or,
// when plain, a bare text body as an edge proxy sends.
func (s *Server) SetBadCredentialsAnswer(status int, plain bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.authStatus, s.authPlain = status, plain
}

// SetClock sets the clock of budget windows, Reset headers and Request.At.
func (s *Server) SetClock(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if now == nil {
		now = time.Now
	}
	s.clock = now
}

// FailuresServed counts the requests FailNext actually failed, so a test can
// prove the failures it queued happened.
func (s *Server) FailuresServed() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.failed
}

// FailNext makes the next n requests answer status before doing anything
// else (no auth, no budget, no state change).
func (s *Server) FailNext(n, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failN, s.failStatus = n, status
}

// SetLatency delays every answer by d (honoring the request's context).
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = d
}

// Requests returns every request seen so far, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// ResetRequests forgets the recorded requests.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
}

// statusWriter remembers the status written, for the request log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// handler applies, in order: recording, latency, injected failures, Basic
// auth, the budget, then the routes.
func (s *Server) handler() http.Handler {
	mux := s.routes()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		sw := &statusWriter{ResponseWriter: w}
		s.mu.Lock()
		idx := len(s.requests)
		s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Body: body, At: s.clock()})
		latency := s.latency
		s.mu.Unlock()
		defer func() {
			s.mu.Lock()
			if idx < len(s.requests) {
				s.requests[idx].Status = sw.status
			}
			s.mu.Unlock()
		}()
		if latency > 0 {
			t := time.NewTimer(latency)
			select {
			case <-r.Context().Done():
				t.Stop()
				return
			case <-t.C:
			}
		}
		if s.admit(sw, r) {
			r.Body = io.NopCloser(bytes.NewReader(body))
			mux.ServeHTTP(sw, r)
		}
	})
}

// admit runs the failure injection, auth and budget checks; false means an
// answer was already written.
func (s *Server) admit(w http.ResponseWriter, r *http.Request) bool {
	s.mu.Lock()
	if s.failN > 0 {
		s.failN--
		s.failed++
		st := s.failStatus
		s.mu.Unlock()
		writeError(w, st, http.StatusText(st), "injected failure")
		return false
	}
	authStatus, authPlain := s.authStatus, s.authPlain
	s.mu.Unlock()
	if id, tok, ok := r.BasicAuth(); !ok || id != APIID || tok != APIToken {
		if authPlain {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(authStatus)
			_, _ = w.Write([]byte(http.StatusText(authStatus)))
			return false
		}
		writeError(w, authStatus, http.StatusText(authStatus), "Invalid API credentials")
		return false
	}
	s.mu.Lock()
	if s.budget <= 0 {
		s.mu.Unlock()
		return true
	}
	ws := s.clock().Truncate(time.Minute)
	if !ws.Equal(s.windowStart) {
		s.windowStart, s.used = ws, 0
	}
	limit, allowed := s.budget, s.used < s.budget
	if allowed {
		s.used++
	}
	remaining := s.budget - s.used
	now, format, below := s.clock(), s.resetFormat, s.headersBelow
	s.mu.Unlock()
	if below < 0 || remaining <= below || !allowed {
		reset := ws.Add(time.Minute)
		var rv int64
		switch format {
		case ResetUnixMillis:
			rv = reset.UnixMilli()
		case ResetRelativeSeconds:
			rv = int64(reset.Sub(now).Round(time.Second) / time.Second)
		default:
			rv = reset.Unix()
		}
		h := w.Header()
		h.Set("X-AircallApi-Limit", strconv.Itoa(limit))
		h.Set("X-AircallApi-Remaining", strconv.Itoa(remaining))
		h.Set("X-AircallApi-Reset", strconv.FormatInt(rv, 10))
	}
	if !allowed {
		writeError(w, http.StatusTooManyRequests, "Too Many Requests", "Rate limit exceeded")
	}
	return allowed
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeError answers in Aircall's error body shape.
func writeError(w http.ResponseWriter, status int, errText, msg string) {
	writeJSON(w, status, map[string]any{
		"error": errText, "data": nil, "message": msg,
		"troubleshoot": errText, "success": false,
	})
}
