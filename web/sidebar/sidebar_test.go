package sidebar

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/aircall-helpscout/aircall-helpscout/store"
)

// signedQuery signs kv (key, value, key, value, ...) as Help Scout does. The
// JSON is built with encoding/json per string, not with the verifier's
// encoder; callers avoid <, > and & (which encoding/json escapes).
func signedQuery(secret string, kv ...string) string {
	var js, q strings.Builder
	js.WriteString("{")
	for i := 0; i < len(kv); i += 2 {
		k, _ := json.Marshal(kv[i])
		v, _ := json.Marshal(kv[i+1])
		if i > 0 {
			js.WriteString(",")
			q.WriteString("&")
		}
		js.Write(k)
		js.WriteString(":")
		js.Write(v)
		q.WriteString(url.QueryEscape(kv[i]) + "=" + url.QueryEscape(kv[i+1]))
	}
	js.WriteString("}")
	return q.String() + "&X-HelpScout-Signature=" + url.QueryEscape(hmacB64(secret, js.String()))
}

// fakeItems is an ItemSource (and NumberSource) in memory.
type fakeItems struct {
	items   map[int64][]store.CustomerItem // newest first
	numbers map[int64][]string
	err     error
}

func (f *fakeItems) CustomerItems(_ context.Context, id int64, limit int) ([]store.CustomerItem, bool, error) {
	if f.err != nil {
		return nil, false, f.err
	}
	its := f.items[id]
	if len(its) > limit {
		return its[:limit], true, nil
	}
	return its, false, nil
}

func (f *fakeItems) CustomerNumbers(_ context.Context, id int64) ([]string, error) {
	return f.numbers[id], f.err
}

// at is 2026-11-30 08:14 UTC (09:14 in Paris).
var at = time.Date(2026, 11, 30, 8, 14, 0, 0, time.UTC)

func call(id string, conv int64, occ time.Time, f store.ItemFacts, state store.State, enrichment store.Enrichment) store.CustomerItem {
	return store.CustomerItem{
		Item: store.Item{Instance: "default", Kind: store.KindCall, SourceID: id, State: state, OccurredAt: occ,
			CustomerID: 678, ConversationID: conv, Enrichment: enrichment},
		ItemFacts: f,
	}
}

func fixture() *fakeItems {
	return &fakeItems{
		items: map[int64][]store.CustomerItem{678: {
			call("4186780376", 123, at, store.ItemFacts{Direction: "inbound", CallOutcome: "answered",
				Duration: 95 * time.Second, Agent: "Ana Lopez", Line: "Support FR", TimeZone: "Europe/Paris",
				ExternalE164: "+33612345678"}, store.StateLogged, store.EnrichmentDone),
			{Item: store.Item{Instance: "default", Kind: store.KindMessage, SourceID: "msg-1", State: store.StateLogged,
				OccurredAt: at.Add(-time.Hour), CustomerID: 678, ConversationID: 555},
				ItemFacts: store.ItemFacts{Direction: "outbound", Channel: "whatsapp", Agent: "Ben", TimeZone: "Europe/Paris"}},
			call("4186780001", 777, at.Add(-24*time.Hour), store.ItemFacts{Direction: "inbound", CallOutcome: "voicemail",
				Line: "Support FR", TimeZone: "America/New_York"}, store.StateLogged, store.EnrichmentPending),
			call("4186780000", 0, at.Add(-48*time.Hour), store.ItemFacts{}, store.StateFailed, ""), // facts never recorded
		}},
		numbers: map[int64][]string{678: {"+33612345678", "+12025550143"}},
	}
}

func newHandler(t *testing.T, src *fakeItems, mut ...func(*Options)) *Handler {
	t.Helper()
	o := Options{Secret: testSecret, Items: src, Numbers: src}
	for _, m := range mut {
		m(&o)
	}
	h, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func get(h http.Handler, query string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, Path+"?"+query, nil))
	return rec
}

func helpScoutQuery(customer string) string {
	return signedQuery(testSecret, "conversation-id", "123", "conversation-number", "45", "customer-id", customer,
		"mailbox-id", "9", "user-id", "10", "installation-ids", "1,2")
}

func TestPageShowsTheCustomersHistory(t *testing.T) {
	is := is.New(t)
	rec := get(newHandler(t, fixture()), helpScoutQuery("678"))
	is.Equal(rec.Code, http.StatusOK)
	body := rec.Body.String()
	for _, want := range []string{
		// html/template writes "+" as &#43;, which browsers read as "+"
		`<a class="tel" href="tel:&#43;33612345678">&#43;33 6 12 34 56 78</a>`,
		`href="tel:&#43;12025550143"`,
		"Inbound call", "Mon 30 Nov 2026, 09:14 CET", `datetime="2026-11-30T09:14:00&#43;01:00"`,
		"<span>Answered</span>", "<span>1 min 35 s</span>", "<span>Agent: Ana Lopez</span>", "<span>Line: Support FR</span>",
		`href="https://dashboard.aircall.io/calls/4186780376"`,
		"This conversation", // conversation 123 is the one open
		"Transcript/AI: in the conversation",
		"WhatsApp sent", "<span>Agent: Ben</span>", `href="https://secure.helpscout.net/conversation/555"`,
		`class="item voicemail"`, "Sun 29 Nov 2026, 03:14 EST", // the line's own zone
		"Transcript/AI: not ready yet",
		// no facts recorded: still listed, in the default zone, with its state
		"Call</span> <time datetime=\"2026-11-28T08:14:00Z\">Sat 28 Nov 2026, 08:14 UTC</time>",
		"Not in Help Scout yet: retrying",
	} {
		if !strings.Contains(body, want) {
			t.Fatalf("missing %q in\n%s", want, body)
		}
	}
	// Newest first.
	is.True(strings.Index(body, "4186780376") < strings.Index(body, "WhatsApp sent"))
	is.True(strings.Index(body, "WhatsApp sent") < strings.Index(body, "4186780001"))
	is.True(!strings.Contains(body, "More on the status page")) // nothing more
	is.True(!strings.Contains(body, `/conversation/123"`))      // the open one is not linked
	is.True(!strings.Contains(body, "calls/msg-1"))             // messages have no Aircall page
}

func TestPageHeaders(t *testing.T) {
	is := is.New(t)
	rec := get(newHandler(t, fixture()), helpScoutQuery("678"))
	is.Equal(rec.Code, http.StatusOK)
	h := rec.Header()
	is.Equal(h.Get("Content-Type"), "text/html; charset=utf-8")
	is.Equal(h.Get("X-Frame-Options"), "") // it would forbid Help Scout's frame
	is.Equal(h.Get("Cache-Control"), "no-store")
	is.Equal(h.Get("Referrer-Policy"), "no-referrer")

	// The style element's text is the only thing the policy allows, by hash.
	body := rec.Body.String()
	m := regexp.MustCompile(`(?s)<style>(.*?)</style>`).FindStringSubmatch(body)
	is.True(m != nil)
	sum := sha256.Sum256([]byte(m[1]))
	is.Equal(h.Get("Content-Security-Policy"), "default-src 'none'; style-src 'sha256-"+
		base64.StdEncoding.EncodeToString(sum[:])+"'; base-uri 'none'; form-action 'none'; frame-ancestors https://secure.helpscout.net")
	is.Equal(strings.Count(body, "<style"), 1)
	// No external asset of any kind.
	for _, bad := range []string{"<script", "<link", "<img", "src=", "@import", "url("} {
		is.True(!strings.Contains(body, bad))
	}
	is.Equal(h.Get("Content-Length"), strconv.Itoa(len(body)))

	other := get(newHandler(t, fixture(), func(o *Options) { o.FrameAncestors = "http://127.0.0.1:1234" }), helpScoutQuery("678"))
	is.True(strings.HasSuffix(other.Header().Get("Content-Security-Policy"), "; frame-ancestors http://127.0.0.1:1234"))
}

func TestUnsignedRequestsGetNothing(t *testing.T) {
	good := helpScoutQuery("678")
	cases := []struct{ name, query string }{
		{"no signature", "customer-id=678&conversation-id=123"},
		{"wrong secret", signedQuery("not-the-secret", "customer-id", "678")},
		{"customer changed", strings.Replace(good, "customer-id=678", "customer-id=679", 1)},
		{"empty", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			is := is.New(t)
			rec := get(newHandler(t, fixture()), c.query)
			is.Equal(rec.Code, http.StatusUnauthorized)
			body := rec.Body.String()
			is.Equal(strings.TrimSpace(body), "unauthorized")
			is.Equal(rec.Header().Get("Content-Security-Policy"), "")
		})
	}
}

func TestMethodNotAllowed(t *testing.T) {
	is := is.New(t)
	rec := httptest.NewRecorder()
	newHandler(t, fixture()).ServeHTTP(rec, httptest.NewRequest(http.MethodPost, Path+"?"+helpScoutQuery("678"), nil))
	is.Equal(rec.Code, http.StatusMethodNotAllowed)
	is.True(!strings.Contains(rec.Body.String(), "Ana"))
}

func TestHostileTextIsEscaped(t *testing.T) {
	is := is.New(t)
	evil := `<script>alert(1)</script>"'><img src=x onerror=alert(2)></style>`
	src := &fakeItems{
		items: map[int64][]store.CustomerItem{9: {
			call("1", 5, at, store.ItemFacts{Direction: evil, CallOutcome: evil, Agent: evil, Line: evil,
				TimeZone: "../../../etc/passwd", Channel: evil}, store.StateSkipped, store.Enrichment(evil)),
			{Item: store.Item{Kind: store.KindMessage, SourceID: evil, State: store.StateLogged, OccurredAt: at, CustomerID: 9},
				ItemFacts: store.ItemFacts{Channel: evil, Direction: evil, Agent: evil}},
			call("javascript:alert(3)", 0, at, store.ItemFacts{}, store.StateSkipped, ""),
		}},
		numbers: map[int64][]string{9: {evil, "javascript:alert(1)", "+1 (202) 555-0143", "+12025550143"}},
	}
	src.items[9][0].Outcome = store.Outcome(evil)
	rec := get(newHandler(t, src), signedQuery(testSecret, "customer-id", "9", "conversation-id", "1"))
	is.Equal(rec.Code, http.StatusOK)
	body := rec.Body.String()
	is.True(!strings.Contains(body, "<script"))
	is.True(!strings.Contains(body, "<img"))
	is.True(!strings.Contains(body, "javascript:"))
	is.Equal(strings.Count(body, "</style>"), 1)
	is.True(strings.Contains(body, "Agent: &lt;script&gt;alert(1)&lt;/script&gt;&#34;&#39;&gt;&lt;img src=x onerror=alert(2)&gt;&lt;/style&gt;"))
	is.True(strings.Contains(body, "Not logged: &lt;script&gt;"))
	is.Equal(strings.Count(body, `href="tel:`), 1) // only the well-formed number is dialable
	is.True(strings.Contains(body, `href="tel:&#43;12025550143"`))
	is.True(strings.Contains(body, `class="item call"`)) // an unknown outcome is no class
	is.True(strings.Contains(body, "UTC"))               // a bad zone falls back
}

func TestEmptyStates(t *testing.T) {
	cases := []struct {
		name  string
		query string
		want  string
	}{
		{"customer without history", signedQuery(testSecret, "customer-id", "1000", "conversation-id", "1"),
			"No Aircall call or message logged for this customer yet."},
		{"conversation without customer", signedQuery(testSecret, "conversation-id", "1", "mailbox-id", "9"),
			"This conversation has no customer yet"},
		{"customer id not a number", signedQuery(testSecret, "customer-id", "abc"), "This conversation has no customer yet"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			is := is.New(t)
			rec := get(newHandler(t, fixture()), c.query)
			is.Equal(rec.Code, http.StatusOK)
			is.True(strings.Contains(rec.Body.String(), c.want))
			is.True(!strings.Contains(rec.Body.String(), "Ana Lopez"))
		})
	}
	is := is.New(t)
	body := get(newHandler(t, fixture()), signedQuery(testSecret, "customer-id", "1000")).Body.String()
	is.True(strings.Contains(body, "No phone number known for this customer."))
}

func TestMoreLink(t *testing.T) {
	is := is.New(t)
	more := func(o *Options) {
		o.Limit = 2
		o.MoreURL = func(id int64) string {
			return "https://ops.example.com/status/items?customer=" + strconv.FormatInt(id, 10)
		}
	}
	body := get(newHandler(t, fixture(), more), helpScoutQuery("678")).Body.String()
	is.True(strings.Contains(body, `<a href="https://ops.example.com/status/items?customer=678" target="_blank" rel="noopener noreferrer">More on the status page</a>`))
	is.Equal(strings.Count(body, `<li class="item`), 2)

	// Without a status page there is no link, even with more items.
	body = get(newHandler(t, fixture(), func(o *Options) { o.Limit = 2 }), helpScoutQuery("678")).Body.String()
	is.True(!strings.Contains(body, "More on the status page"))
}

func TestLedgerErrorShowsNoData(t *testing.T) {
	is := is.New(t)
	src := fixture()
	src.err = errors.New("disk on fire")
	rec := get(newHandler(t, src, func(o *Options) { o.Log = slog.New(slog.DiscardHandler) }), helpScoutQuery("678"))
	is.Equal(rec.Code, http.StatusInternalServerError)
	is.True(!strings.Contains(rec.Body.String(), "disk on fire"))
}

func TestNewChecksOptions(t *testing.T) {
	cases := []struct {
		name string
		o    Options
		want string
	}{
		{"no secret", Options{Items: &fakeItems{}}, "HELPSCOUT_SIDEBAR_SECRET"},
		{"no items", Options{Secret: "s"}, "no item source"},
		{"directive injection", Options{Secret: "s", Items: &fakeItems{}, FrameAncestors: "https://a; script-src *"}, "frame ancestors"},
		{"header injection", Options{Secret: "s", Items: &fakeItems{}, FrameAncestors: "https://a\r\nX: y"}, "frame ancestors"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			is := is.New(t)
			_, err := New(c.o)
			is.True(err != nil)
			is.True(strings.Contains(err.Error(), c.want))
		})
	}
}

func TestDuration(t *testing.T) {
	is := is.New(t)
	for d, want := range map[time.Duration]string{
		0: "0 s", 45 * time.Second: "45 s", 185 * time.Second: "3 min 05 s", 3720 * time.Second: "1 h 02 min",
	} {
		is.Equal(duration(d), want)
	}
}

// TestPageFromTheStore renders from a real ledger: the store's methods are
// what serve wires in.
func TestPageFromTheStore(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "ledger.db"), store.Options{})
	is.NoErr(err)
	defer st.Close()
	is.NoErr(st.PutItem(ctx, store.Item{Instance: "default", Kind: store.KindCall, SourceID: "42", State: store.StateLogged,
		OccurredAt: at, CustomerID: 678, ConversationID: 555, Enrichment: store.EnrichmentGaveUp}))
	is.NoErr(st.PutItemFacts(ctx, "default", store.KindCall, "42", store.ItemFacts{Direction: "outbound",
		CallOutcome: "missed", Agent: "Ana Lopez", TimeZone: "Europe/Paris", ExternalE164: "+33612345678"}))
	is.NoErr(st.PutItem(ctx, store.Item{Instance: "default", Kind: store.KindCall, SourceID: "43", State: store.StateLogged,
		OccurredAt: at, CustomerID: 999, ConversationID: 556}))

	h, err := New(Options{Secret: testSecret, Items: st, Numbers: NumbersFunc(st.LedgerCustomerNumbers)})
	is.NoErr(err)
	rec := get(h, helpScoutQuery("678"))
	is.Equal(rec.Code, http.StatusOK)
	body := rec.Body.String()
	for _, want := range []string{"Outbound call", "Mon 30 Nov 2026, 09:14 CET", "<span>Missed</span>", "Agent: Ana Lopez",
		"Transcript/AI: none came", `href="tel:&#43;33612345678"`, "/calls/42", "/conversation/555"} {
		if !strings.Contains(body, want) {
			t.Fatalf("missing %q in\n%s", want, body)
		}
	}
	is.True(!strings.Contains(body, "/conversation/556")) // another customer's
}

// TestNumbersFromTheMirror: the call-back links are the phones stored on
// the customer in Help Scout, as the agent wrote them, when the customers
// mirror holds the customer; the ledger's numbers otherwise.
func TestNumbersFromTheMirror(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "ledger.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, c := range []int64{678, 700, 999} { // each called once from +33612345678
		if err := st.PutItem(ctx, store.Item{Instance: "default", Kind: store.KindCall, SourceID: strconv.FormatInt(c, 10), State: store.StateLogged,
			OccurredAt: at, CustomerID: c}); err != nil {
			t.Fatal(err)
		}
		if err := st.PutItemFacts(ctx, "default", store.KindCall, strconv.FormatInt(c, 10), store.ItemFacts{ExternalE164: "+33612345678"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.UpsertMirrorCustomers(ctx, at, []store.MirrorCustomer{
		{ID: 678, Phones: []store.MirrorPhone{{Raw: "06 12 34 56 78", E164: "+33612345678"},
			{Raw: "+1.617.610.5413", E164: "+16176105413"}, {Raw: "<b>ext</b> 12"}}},
		{ID: 700}, // in Help Scout without a phone
	}); err != nil {
		t.Fatal(err)
	}
	h, err := New(Options{Secret: testSecret, Items: st, Phones: st, Numbers: NumbersFunc(st.LedgerCustomerNumbers)})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		customer string
		want     []string
		not      []string
	}{
		{"every phone on the customer, as written", "678",
			[]string{`<a class="tel" href="tel:&#43;33612345678">06 12 34 56 78</a>`,
				`<a class="tel" href="tel:&#43;16176105413">&#43;1.617.610.5413</a>`,
				`<span class="tel">&lt;b&gt;ext&lt;/b&gt; 12</span>`}, // no link for what does not parse, escaped
			[]string{"<b>ext"}},
		{"in the mirror without a phone: the ledger's", "700",
			[]string{`href="tel:&#43;33612345678"`}, []string{"No phone number known"}},
		{"not in the mirror yet: the ledger's", "999",
			[]string{`href="tel:&#43;33612345678"`}, []string{"617"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			rec := get(h, helpScoutQuery(tt.customer))
			is.Equal(rec.Code, http.StatusOK)
			body := rec.Body.String()
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("missing %s in\n%s", w, body)
				}
			}
			for _, n := range tt.not {
				is.True(!strings.Contains(body, n))
			}
		})
	}
}
