// Package helpscouttest is a stateful in-process fake of the Help Scout Mailbox
// API 2.0 on loopback, for tests, the soak test and `demo`. It behaves like the
// facts in docs/api-facts.md: OAuth tokens that expire, HAL pagination, a
// per-minute budget where writes cost 2, vnd.error validation, the 412 thread
// limit, literal phone search, merged conversations, and injectable faults,
// including "commit, then fail". It records every request.
package helpscouttest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aircall-helpscout/aircall-helpscout/clients/helpscout"
)

// Credentials the fake accepts at /v2/oauth2/token.
const (
	AppID     = "test-app-id"
	AppSecret = "test-app-secret"
)

// Fault makes matching requests fail. Faults are consumed in the order added.
type Fault struct {
	Method      string // "" = any
	PathPrefix  string // "" = any, e.g. "/v2/conversations"
	Status      int    // e.g. 500, 502 (default 500)
	AfterCommit bool   // apply the write first, then fail (status, or drop the connection)
	Drop        bool   // hijack and close the connection without answering
	Count       int    // how many requests to hit (<= 0 means 1)
}

// Request is one request the fake received.
type Request struct {
	Method string
	Path   string
	Query  url.Values
	Body   []byte
	Status int // 0 when the connection was dropped
	Units  int // rate-limit units charged
}

// Server is the fake. All methods are safe for concurrent use.
type Server struct {
	ts  *httptest.Server
	mux *http.ServeMux

	mu            sync.Mutex
	now           func() time.Time
	tokens        map[string]time.Time
	tokenSeq      int
	tokenTTL      time.Duration
	budget        int
	window        time.Time
	used          int
	units         int
	fired         map[string]int // injected faults hit, by kind
	faults        []Fault
	latency       time.Duration
	omitThreadIDs bool
	phoneMatch    PhoneMatch
	v3Search      V3Search
	// ignoreUndocumented: the v2 phone query and customerIds filter match
	// everything (see SetIgnoreUndocumentedFilters).
	ignoreUndocumented bool
	requests           []Request
	// logged is closed (and replaced) each time a request is logged, so a
	// test can wait for a handler to finish instead of sleeping.
	logged chan struct{}
	logSeq int

	mailboxes map[int64]helpscout.Mailbox
	users     map[int64]helpscout.User
	customers map[int64]*helpscout.Customer
	byPhone   phoneIndex // phone digit runs → customers, for searches
	// custGen counts changes to customers; custOrders caches the listing's
	// sort per key for one generation (custorder.go).
	custGen           uint64
	custOrders        map[string]*custOrder
	convs             map[int64]*conv
	merged            map[int64]int64
	mergedWritesMoved bool // writes to a merged conversation answer 301, not 404
	tagIDs            map[string]int64
	nextCust          int64
	nextConv          int64
	nextThread        int64
	nextEntry         int64
	nextUser          int64
}

// NewServer starts a fake on a loopback port. Close it when done.
func NewServer() *Server {
	s := &Server{
		now:        time.Now,
		logged:     make(chan struct{}),
		fired:      map[string]int{},
		tokens:     map[string]time.Time{},
		tokenTTL:   2 * time.Hour,
		mailboxes:  map[int64]helpscout.Mailbox{},
		users:      map[int64]helpscout.User{},
		customers:  map[int64]*helpscout.Customer{},
		convs:      map[int64]*conv{},
		merged:     map[int64]int64{},
		tagIDs:     map[string]int64{},
		nextCust:   200000001,
		nextConv:   700000001,
		nextThread: 2500000001,
		nextEntry:  340000001,
		nextUser:   300001,
	}
	s.routes()
	s.ts = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// PhoneMatch is how the fake's customer phone search compares a query term
// with a stored phone. Help Scout does not document it (it appears to be literal; exact, token or
// substring is unknown: docs/api-facts.md#help-scout-phone-search), so the fake
// offers the two literal readings and the client is tested against both.
type PhoneMatch int

const (
	// PhoneDigitsEqual, the default, is our assumption
	// (docs/api-facts.md#help-scout-phone-search): a phone
	// matches when the digits of the query equal the digits of the stored
	// number, so "6176105413" finds "(617) 610-5413" but "+16176105413"
	// does not.
	PhoneDigitsEqual PhoneMatch = iota
	// PhoneContainsText matches when the stored text contains the query
	// text as is, with no normalisation: "+1 617-610-5413" finds
	// "+1 617-610-5413 ext. 12", and "6176105413" does not find
	// "(617) 610-5413".
	PhoneContainsText
)

func (m PhoneMatch) String() string {
	if m == PhoneContainsText {
		return "contains-text"
	}
	return "digits-equal"
}

// SetPhoneMatch chooses how phone searches match (PhoneDigitsEqual unless
// set).
func (s *Server) SetPhoneMatch(m PhoneMatch) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.phoneMatch = m
}

// URL is the base URL to give helpscout.Config.BaseURL.
func (s *Server) URL() string { return s.ts.URL }

// Close shuts the server down.
func (s *Server) Close() { s.ts.Close() }

// SetClock replaces the clock used for tokens, the budget window and timestamps.
func (s *Server) SetClock(now func() time.Time) {
	s.mu.Lock()
	s.now = now
	s.mu.Unlock()
}

// SetTokenTTL sets expires_in for tokens issued from now on (default 2h).
func (s *Server) SetTokenTTL(d time.Duration) {
	s.mu.Lock()
	s.tokenTTL = d
	s.mu.Unlock()
}

// ExpireTokens makes every issued token expired: resource calls answer 401.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	s.tokens = map[string]time.Time{}
	s.mu.Unlock()
}

// SetBudget sets the per-minute account budget (0 = unlimited, no headers).
// Reads cost 1, writes 2; windows are aligned to clock minutes.
func (s *Server) SetBudget(perMinute int) {
	s.mu.Lock()
	s.budget = perMinute
	s.used = 0
	s.window = time.Time{}
	s.mu.Unlock()
}

// InjectFault queues a fault.
func (s *Server) InjectFault(f Fault) {
	if f.Count <= 0 {
		f.Count = 1
	}
	if f.Status == 0 {
		f.Status = http.StatusInternalServerError
	}
	s.mu.Lock()
	s.faults = append(s.faults, f)
	s.mu.Unlock()
}

// Fault kinds counted by FaultsFired.
const (
	FaultStatus        = "status"         // answered an error, nothing applied
	FaultCommitStatus  = "commit_status"  // applied, then answered an error
	FaultCommitDropped = "commit_dropped" // applied, then the connection dropped
	FaultDropped       = "dropped"        // connection dropped, nothing applied
)

func faultKind(f Fault) string {
	switch {
	case f.AfterCommit && f.Drop:
		return FaultCommitDropped
	case f.AfterCommit:
		return FaultCommitStatus
	case f.Drop:
		return FaultDropped
	}
	return FaultStatus
}

// FaultsFired counts, by kind, the injected faults that requests actually
// hit (a queued fault no request matched is not counted), so a test can
// prove the failures it meant to provoke happened.
func (s *Server) FaultsFired() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.fired))
	for k, v := range s.fired {
		out[k] = v
	}
	return out
}

// ClearFaults drops every queued fault: the outage is over.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	s.faults = nil
	s.mu.Unlock()
}

// SetLatency delays every answer by d (real time; keep it to a few ms).
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	s.latency = d
	s.mu.Unlock()
}

// SetOmitThreadIDs makes thread creates answer 201 without Resource-ID, as a
// 2019 recording of POST …/notes did.
func (s *Server) SetOmitThreadIDs(omit bool) {
	s.mu.Lock()
	s.omitThreadIDs = omit
	s.mu.Unlock()
}

// Requests returns a copy of every request received since the last reset.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// ResetRequests forgets the recorded requests (not the units).
func (s *Server) ResetRequests() {
	s.mu.Lock()
	s.requests = nil
	s.mu.Unlock()
}

// Units is the number of rate-limit units charged so far.
func (s *Server) Units() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.units
}

func isWrite(method string) bool { return method != http.MethodGet && method != http.MethodHead }

// serve is the outer handler: record, authenticate, charge the budget, apply
// faults, then route.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 4<<20))
	r.Body = io.NopCloser(bytes.NewReader(body))
	rec := Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Body: body}

	s.mu.Lock()
	latency := s.latency
	s.mu.Unlock()
	if latency > 0 {
		select {
		case <-time.After(latency):
		case <-r.Context().Done():
		}
	}

	status, fault := s.admit(w, r, &rec)
	if status != 0 {
		rec.Status = status
		s.log(rec)
		return
	}
	if fault != nil && !fault.AfterCommit {
		s.failAndLog(w, fault, rec)
		return
	}
	out := httptest.NewRecorder()
	s.mux.ServeHTTP(out, r)
	if fault != nil {
		s.failAndLog(w, fault, rec)
		return
	}
	for k, v := range out.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(out.Code)
	_, _ = w.Write(out.Body.Bytes())
	rec.Status = out.Code
	s.log(rec)
}

func (s *Server) log(rec Request) {
	s.mu.Lock()
	s.requests = append(s.requests, rec)
	close(s.logged)
	s.logged = make(chan struct{})
	s.mu.Unlock()
}

// AwaitRequests waits until at least n requests have been handled to the end
// (answered, failed or dropped, and recorded) since the last reset, or ctx is
// done. A test whose client gave up early (a timeout) uses it to know the
// slow handler has finished, and so committed or not, without sleeping.
func (s *Server) AwaitRequests(ctx context.Context, n int) error {
	for {
		s.mu.Lock()
		got, ch := len(s.requests), s.logged
		s.mu.Unlock()
		if got >= n {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("helpscouttest: %d of %d requests handled: %w", got, n, ctx.Err())
		}
	}
}

// admit checks the bearer token and the budget. It answers and returns the
// status itself when the request stops here; else it returns the fault to apply.
func (s *Server) admit(w http.ResponseWriter, r *http.Request, rec *Request) (int, *Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.URL.Path == "/v2/oauth2/token" {
		return 0, s.takeFault(r)
	}
	now := s.now()
	tok := strings.TrimSpace(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
	if exp, ok := s.tokens[tok]; !ok || !now.Before(exp) {
		writeJSON(w, http.StatusUnauthorized, "application/json", map[string]string{
			"error": "invalid_token", "error_description": "The access token is invalid or has expired",
		})
		return http.StatusUnauthorized, nil
	}
	cost := 1
	if isWrite(r.Method) {
		cost = 2
	}
	if s.budget > 0 {
		win := now.Truncate(time.Minute)
		if !win.Equal(s.window) {
			s.window, s.used = win, 0
		}
		w.Header().Set("X-RateLimit-Limit-Minute", strconv.Itoa(s.budget))
		if s.used+cost > s.budget {
			wait := int((win.Add(time.Minute).Sub(now) + time.Second - 1) / time.Second)
			w.Header().Set("X-RateLimit-Remaining-Minute", strconv.Itoa(s.budget-s.used))
			w.Header().Set("X-RateLimit-Retry-After", strconv.Itoa(max(wait, 1)))
			writeJSON(w, http.StatusTooManyRequests, "application/json", map[string]string{"message": "API rate limit exceeded"})
			return http.StatusTooManyRequests, nil
		}
		s.used += cost
		w.Header().Set("X-RateLimit-Remaining-Minute", strconv.Itoa(s.budget-s.used))
	}
	s.units += cost
	rec.Units = cost
	return 0, s.takeFault(r)
}

func (s *Server) takeFault(r *http.Request) *Fault {
	for i := range s.faults {
		f := &s.faults[i]
		if f.Count <= 0 || (f.Method != "" && f.Method != r.Method) || !strings.HasPrefix(r.URL.Path, f.PathPrefix) {
			continue
		}
		f.Count--
		cp := *f
		s.fired[faultKind(cp)]++
		if f.Count == 0 {
			s.faults = append(s.faults[:i], s.faults[i+1:]...)
		}
		return &cp
	}
	return nil
}

// failAndLog answers the fault's status or drops the connection (status 0).
// The request is recorded before the connection closes: a client sees a
// drop at once, and a test reading Requests() right after must find it.
func (s *Server) failAndLog(w http.ResponseWriter, f *Fault, rec Request) {
	if f.Drop {
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				rec.Status = 0
				s.log(rec)
				_ = conn.Close()
				return
			}
		}
	}
	rec.Status = s.fail(w, f)
	s.log(rec)
}

// fail answers the fault's status; the response leaves when the handler returns.
func (s *Server) fail(w http.ResponseWriter, f *Fault) int {
	for k := range w.Header() {
		if !strings.HasPrefix(k, "X-Ratelimit") {
			w.Header().Del(k)
		}
	}
	writeJSON(w, f.Status, "application/json", map[string]string{"message": "injected fault"})
	return f.Status
}
