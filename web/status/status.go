// Package status serves the read-only status pages of `serve` under
// /status: an overview per instance (cursor and lag, last passes, API budget
// use, mirrors), a chart of items per hour over 48 h by outcome, the items
// needing attention, and one page per item with what `explain` prints.
//
// The pages are server-rendered with html/template (every value escaped),
// need no script and load nothing external: the Content-Security-Policy
// allows only the page's own nonce-tagged <style> and data: images, so even
// an escaping bug could not run a caller's text as script. They sit behind
// HTTP basic auth (user admin) because they show phone numbers' calls and
// customers' IDs.
package status

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"log/slog"
	"net/http"
	"time"

	"github.com/aircall-helpscout/aircall-helpscout/store"
)

// Reader is what the pages read; *store.Store implements it.
type Reader interface {
	KnownInstances(ctx context.Context) ([]string, error)
	Cursor(ctx context.Context, instance, stream string) (int64, bool, error)
	Runs(ctx context.Context, instance string, limit int) ([]store.Run, error)
	Attention(ctx context.Context, instance string, limit int) ([]store.Item, error)
	ItemsPerHour(ctx context.Context, instance string, from, to time.Time) ([]store.HourBucket, error)
	ItemStory(ctx context.Context, instance string, kind store.Kind, sourceID string) (store.Story, bool, error)
}

// MirrorState is the state of one local mirror of Help Scout data.
type MirrorState struct {
	Instance    string    // "" for a mirror shared by every instance
	Name        string    // e.g. "customers", "conversations"
	Items       int       // rows held
	RefreshedAt time.Time // last successful refresh (zero: never)
	Complete    bool      // the first full sync has finished
	Note        string    // e.g. an error of the last refresh
}

// Mirrors reports the mirrors' state (optional).
type Mirrors interface {
	MirrorStates(ctx context.Context) ([]MirrorState, error)
}

// BudgetUse is what one API's client spent in the last pass that called
// it, and the budget the API last stated.
type BudgetUse struct {
	API          string    // "Aircall", "Help Scout"
	PassRequests int       // requests the last pass sent
	PassUnits    int       // their rate-limit units (a Help Scout write costs 2)
	RateLimited  int       // 429 answers in the last pass
	PassAt       time.Time // when that pass ended
	PerMinute    int       // our ceiling
	Remaining    int       // what the API's headers last said remains this minute (-1: unknown)
	Limit        int       // the API's own budget per minute as its headers state it (-1: unknown)
	At           time.Time // when Remaining was seen (zero: never)
}

// Budgets reports API budget use (optional).
type Budgets interface {
	BudgetUse(ctx context.Context) ([]BudgetUse, error)
}

// Options configure the pages.
type Options struct {
	// Password of user admin. Empty: every path answers 404, as if the
	// pages did not exist (STATUS_PASSWORD unset).
	Password string
	// Instances to show, in this order; empty: every instance the database
	// knows (a cursor or a recorded pass).
	Instances []string
	Mirrors   Mirrors // optional
	Budgets   Budgets // optional
	// Realm of the basic-auth challenge; default "aircall-helpscout status".
	Realm string
	Now   func() time.Time // default time.Now
	Log   *slog.Logger     // default slog.Default()
}

// Limits of what the overview lists per instance.
const (
	overviewRuns      = 8
	overviewAttention = 25
	chartHours        = 48
)

type handler struct {
	r    Reader
	o    Options
	hash [sha256.Size]byte
	mux  *http.ServeMux
}

// New returns the handler of /status and everything under it. Mount it at
// "/status" and "/status/" of the serve mux.
func New(r Reader, o Options) http.Handler {
	if o.Realm == "" {
		o.Realm = "aircall-helpscout status"
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	h := &handler{r: r, o: o, hash: sha256.Sum256([]byte(o.Password)), mux: http.NewServeMux()}
	h.mux.HandleFunc("GET /status", h.overview)
	h.mux.HandleFunc("GET /status/{$}", h.overview)
	h.mux.HandleFunc("GET /status/item/{instance}/{kind}/{id}", h.item)
	return h
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.o.Password == "" {
		http.NotFound(w, r)
		return
	}
	if !h.authorized(r) {
		w.Header().Set("WWW-Authenticate", `Basic realm="`+h.o.Realm+`", charset="UTF-8"`)
		w.Header().Set("Cache-Control", "no-store")
		http.Error(w, "401 unauthorized: log in as admin with STATUS_PASSWORD", http.StatusUnauthorized)
		return
	}
	h.mux.ServeHTTP(w, r)
}

// authorized compares user and password in constant time. Comparing the
// SHA-256 of the password keeps the comparison's time independent of the
// password's length too.
func (h *handler) authorized(r *http.Request) bool {
	user, pass, ok := r.BasicAuth()
	if !ok {
		return false
	}
	got := sha256.Sum256([]byte(pass))
	userOK := subtle.ConstantTimeCompare([]byte(user), []byte("admin"))
	passOK := subtle.ConstantTimeCompare(got[:], h.hash[:])
	return userOK&passOK == 1
}

// NewNonce returns a fresh random nonce for a Content-Security-Policy.
func NewNonce() string {
	var b [16]byte
	_, _ = rand.Read(b[:])                            // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b[:]) // no + or =, which html/template would entity-encode
}

// CSP is the pages' Content-Security-Policy: nothing external, no script,
// no form, no framing; only the nonce-tagged inline <style> and data:
// images. The sidebar can reuse it with its own frame-ancestors.
func CSP(nonce string) string {
	return "default-src 'none'; style-src 'nonce-" + nonce + "'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
}

// setHeaders sets the security headers of an HTML answer.
func setHeaders(w http.ResponseWriter, nonce string) {
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Content-Security-Policy", CSP(nonce))
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Referrer-Policy", "no-referrer") // links to Help Scout must not carry our URL
	hd.Set("Cache-Control", "no-store")
}
