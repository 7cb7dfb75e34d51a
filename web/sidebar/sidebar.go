// Package sidebar serves the Help Scout sidebar app: beside every
// conversation, the customer's recent Aircall calls and messages from the
// ledger and a tel: link per number to call back.
//
// Help Scout's App Developer Platform loads the app's callback URL in an
// iframe with the conversation's context as query parameters (customer-id,
// conversation-id, mailbox-id, user-id, ...) and a signature over them. The
// page answers from the local database only: no Help Scout or Aircall request
// per view, so an agent browsing conversations costs no API budget.
package sidebar

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aircall-helpscout/aircall-helpscout/store"
)

// Path is where serve mounts the handler; the app's callback URL is
// <PUBLIC_URL>/helpscout/sidebar.
const Path = "/helpscout/sidebar"

// DefaultFrameAncestor is the only page allowed to frame the sidebar: Help
// Scout's web app.
const DefaultFrameAncestor = "https://secure.helpscout.net"

// DefaultLimit is how many items the page lists before "more".
const DefaultLimit = 20

// ItemSource reads a customer's ledger items newest first (store.Store).
type ItemSource interface {
	CustomerItems(ctx context.Context, customerID int64, limit int) (items []store.CustomerItem, more bool, err error)
}

// NumberSource gives a Help Scout customer's phone numbers in E.164.
type NumberSource interface {
	CustomerNumbers(ctx context.Context, customerID int64) ([]string, error)
}

// NumbersFunc adapts a function to NumberSource, e.g.
// sidebar.NumbersFunc(st.LedgerCustomerNumbers).
type NumbersFunc func(ctx context.Context, customerID int64) ([]string, error)

// CustomerNumbers calls f.
func (f NumbersFunc) CustomerNumbers(ctx context.Context, customerID int64) ([]string, error) {
	return f(ctx, customerID)
}

// PhoneSource gives the phones stored on a Help Scout customer, as the
// customers mirror holds them (store.Store). found is false when the mirror
// does not hold the customer.
type PhoneSource interface {
	MirrorCustomerPhones(ctx context.Context, customerID int64) (phones []store.MirrorPhone, found bool, err error)
}

// Options configure the handler.
type Options struct {
	// Secret is the app's secret key in Help Scout (HELPSCOUT_SIDEBAR_SECRET).
	// Required: without it any caller could read any customer's history.
	Secret string
	// Items is the ledger. Required.
	Items ItemSource
	// Phones gives the phones stored on the customer in Help Scout (the
	// customers mirror), each shown as the agent wrote it with a tel: link
	// to its E.164 form. They are what agents see on the customer, and
	// include numbers the customer never called from. When the mirror does
	// not hold the customer (first sync still running) or holds no phone
	// for it, Numbers is asked instead. nil: Numbers only.
	Phones PhoneSource
	// Numbers gives the customer's numbers in E.164 known locally (the
	// ledger: the numbers it called from or was called on); nil shows none
	// beyond Phones.
	Numbers NumberSource
	// Limit is how many items to list (default DefaultLimit).
	Limit int
	// Location shows the time of items whose line time zone is not recorded
	// (default UTC; the zone's name is always shown beside the time).
	Location *time.Location
	// FrameAncestors is the CSP frame-ancestors source list (default
	// DefaultFrameAncestor). Tests that frame the page from their own origin
	// set it; production leaves it alone.
	FrameAncestors string
	// MoreURL, when set, links "more" to the full list of a customer's items
	// (the status pages); nil shows no link.
	MoreURL func(customerID int64) string
	// Log receives store errors (never the query, which carries the
	// signature). Default slog.Default().
	Log *slog.Logger
}

// Handler serves GET /helpscout/sidebar.
type Handler struct {
	o      Options
	secret []byte
	csp    string
	zones  zoneCache
}

// sourceList is a CSP source list: space-separated tokens without the
// characters that would end the directive or the header.
var sourceList = regexp.MustCompile(`^[A-Za-z0-9*:/.\-' ]+$`)

// New checks o and returns the handler.
func New(o Options) (*Handler, error) {
	switch {
	case o.Secret == "":
		return nil, errors.New("sidebar: empty secret (HELPSCOUT_SIDEBAR_SECRET)")
	case o.Items == nil:
		return nil, errors.New("sidebar: no item source")
	}
	if o.Limit <= 0 {
		o.Limit = DefaultLimit
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.FrameAncestors == "" {
		o.FrameAncestors = DefaultFrameAncestor
	}
	if !sourceList.MatchString(o.FrameAncestors) {
		return nil, fmt.Errorf("sidebar: frame ancestors %q: not a CSP source list", o.FrameAncestors)
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	h := &Handler{o: o, secret: []byte(o.Secret), csp: csp(o.FrameAncestors)}
	return h, nil
}

// csp allows nothing but our one inline stylesheet (by its hash, so an
// injected <style> or script would not run even if escaping failed) and
// framing by Help Scout.
func csp(frameAncestors string) string {
	sum := sha256.Sum256([]byte(pageCSS))
	return "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) +
		"'; base-uri 'none'; form-action 'none'; frame-ancestors " + frameAncestors
}

// ServeHTTP verifies the signature, then renders the customer's page.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	params, err := verify(h.secret, r.URL.RawQuery)
	if err != nil {
		w.Header().Set("Cache-Control", "no-store")
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	var customerID, conversationID int64
	for _, p := range params {
		switch p.key {
		case "customer-id":
			customerID, _ = strconv.ParseInt(p.value, 10, 64)
		case "conversation-id":
			conversationID, _ = strconv.ParseInt(p.value, 10, 64)
		}
	}
	page, err := h.page(r.Context(), customerID, conversationID)
	if err != nil {
		h.o.Log.ErrorContext(r.Context(), "sidebar: read ledger", "customer_id", customerID, "err", err)
		w.Header().Set("Cache-Control", "no-store")
		http.Error(w, "The Aircall history is unavailable right now.", http.StatusInternalServerError)
		return
	}
	var b strings.Builder
	if err := pageTmpl.Execute(&b, page); err != nil {
		h.o.Log.ErrorContext(r.Context(), "sidebar: render", "customer_id", customerID, "err", err)
		http.Error(w, "The Aircall history is unavailable right now.", http.StatusInternalServerError)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Content-Security-Policy", h.csp)
	hd.Set("Cache-Control", "no-store")         // customer data
	hd.Set("Referrer-Policy", "no-referrer")    // the URL carries the customer and signature
	hd.Set("X-Content-Type-Options", "nosniff") //
	hd.Set("Content-Length", strconv.Itoa(b.Len()))
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write([]byte(b.String()))
}

// zoneCache keeps loaded time zones: time.LoadLocation reads the zone
// database on every call, far too slow per row.
type zoneCache struct {
	mu sync.Mutex
	m  map[string]*time.Location // nil value: unknown zone
}

func (c *zoneCache) get(name string) *time.Location {
	c.mu.Lock()
	defer c.mu.Unlock()
	if loc, ok := c.m[name]; ok {
		return loc
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		loc = nil
	}
	if c.m == nil || len(c.m) > 1000 { // names come from our ledger: few
		c.m = map[string]*time.Location{}
	}
	c.m[name] = loc
	return loc
}
