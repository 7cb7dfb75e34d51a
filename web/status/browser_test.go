package status_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/matryer/is"

	"github.com/aircall-helpscout/aircall-helpscout/store"
	"github.com/aircall-helpscout/aircall-helpscout/web/status"
)

// chromiumPath is Debian's chromium package, which CI installs.
const chromiumPath = "/usr/bin/chromium"

// browser starts a fresh headless Chromium for the test. Without Chromium
// the test is skipped on a developer's machine, but fails in CI (CI set), so
// that a CI image without the browser cannot pass silently.
func browser(t *testing.T) context.Context {
	t.Helper()
	if _, err := exec.LookPath(chromiumPath); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is missing and CI is set: the browser tests must run in CI (apt-get install -y chromium)", chromiumPath)
		}
		t.Skipf("%s not found: skipping the real-browser test (apt-get install -y chromium to run it; it is required when CI is set)", chromiumPath)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1100, 900),
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelA)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// demoStore is a plausible day and a half of one instance, for what a
// person sees and the README's screenshot.
func demoStore(t *testing.T) *store.Store {
	t.Helper()
	ctx := context.Background()
	clock := now.Add(-48 * time.Hour)
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "demo.db"), store.Options{Now: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	var items []store.Item
	id := 4186780000
	for h := 47; h >= 0; h-- {
		hourStart := now.Truncate(time.Hour).Add(-time.Duration(h) * time.Hour)
		n := 2 + (h*7)%9 // a few calls an hour, more in the day
		if hr := hourStart.Hour(); hr < 7 || hr > 19 {
			n = h % 2
		}
		for i := 0; i < n; i++ {
			id++
			it := store.Item{Instance: "default", Kind: store.KindCall, SourceID: fmt.Sprint(id), State: store.StateLogged,
				Outcome: "new_conversation", OccurredAt: hourStart.Add(time.Duration(i*6) * time.Minute),
				CustomerID: int64(900 + i), ConversationID: int64(77000 + id%1000), ThreadID: int64(88000 + id%1000)}
			if i%5 == 3 {
				it.Outcome = "existing_conversation"
			}
			if i == 4 && h%3 == 0 {
				it.State, it.Outcome, it.Detail = store.StateSkipped, "skipped: duplicate customers", "candidates 901, 902"
			}
			items = append(items, it)
		}
	}
	items = append(items, store.Item{Instance: "default", Kind: store.KindCall, SourceID: "4186790001", State: store.StateWaiting,
		Outcome: "waiting_for_insights", OccurredAt: now.Add(-4 * time.Minute)})
	// The logged call the explain page shows (the README's item
	// screenshot): read by the pass after it ended, in a conversation
	// reopened for it.
	first := items[0]
	items = items[1:]
	if err := st.PutItems(ctx, items); err != nil {
		t.Fatal(err)
	}
	first.Outcome = "reopened_conversation"
	clock = first.OccurredAt.Add(7 * time.Minute)
	if err := st.PutItem(ctx, first); err != nil {
		t.Fatal(err)
	}
	// The parked call: five attempts at a customer Help Scout refused.
	for i := 1; i <= 5; i++ {
		clock = now.Add(-time.Duration(6-i) * 25 * time.Minute)
		state := store.StateFailed
		if i == 5 {
			state = store.StateParked
		}
		if err := st.PutItem(ctx, store.Item{Instance: "default", Kind: store.KindCall, SourceID: "4186780777", State: state,
			Outcome: store.Outcome(state), OccurredAt: now.Add(-150 * time.Minute), Attempts: i,
			LastError: `create customer for +34612345678: helpscout: POST /v2/customers: status 400: emails[0].value: "marta@example" is not a valid email`}); err != nil {
			t.Fatal(err)
		}
	}
	// The logged call the explain page links to Help Scout, decided when
	// the pass read it.
	clock = first.OccurredAt.Add(7 * time.Minute)
	if err := st.PutDecision(ctx, store.Decision{Instance: "default", Kind: store.KindCall, SourceID: "4186780001",
		Candidates: []int64{900, 907}, CustomerRule: store.RuleMostRecent, CustomerID: 907,
		ConversationReason: store.ConversationReopened, ConversationID: 77001, ThreadID: 88001,
		Transcript: store.InsightIncluded, AI: store.InsightIncluded}); err != nil {
		t.Fatal(err)
	}
	// Its insight card, sent while it rang.
	rang := first.OccurredAt
	if _, err := st.ClaimCard(ctx, store.Card{CallID: 4186780001, Instance: "default", State: store.CardSending, ReceivedAt: rang}); err != nil {
		t.Fatal(err)
	}
	if err := st.FinishCard(ctx, store.Card{CallID: 4186780001, State: store.CardSent, FinishedAt: rang.Add(87 * time.Millisecond), CustomerID: 907}); err != nil {
		t.Fatal(err)
	}
	for _, r := range []struct {
		ago, took time.Duration
		counts    map[store.Outcome]int
		err       string
	}{
		{50 * time.Minute, 14 * time.Second, map[store.Outcome]int{"new_conversation": 3, "already_done": 41}, ""},
		{25 * time.Minute, 9 * time.Second, map[store.Outcome]int{"new_conversation": 2, "failed": 1, "already_done": 38}, ""},
		{20 * time.Minute, 3 * time.Second, nil, "list calls: aircall: GET /v1/calls: status 503"},
		{5 * time.Minute, 11 * time.Second, map[store.Outcome]int{"existing_conversation": 1, "parked": 1, "waiting": 1, "already_done": 40}, ""},
	} {
		id, err := st.StartRun(ctx, store.Run{Instance: "default", Mode: "scheduled", StartedAt: now.Add(-r.ago)})
		if err != nil {
			t.Fatal(err)
		}
		if err := st.FinishRun(ctx, id, now.Add(-r.ago+r.took), r.counts, r.err); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.AdvanceCursor(ctx, "default", store.StreamCalls, now.Add(-6*time.Minute).Unix()); err != nil {
		t.Fatal(err)
	}
	// The mirrors as a pass leaves them: customers complete, the
	// mailbox's conversations half-way through their first sync; and what
	// the last pass spent of each API's budget.
	if err := st.UpsertMirrorCustomers(ctx, now, []store.MirrorCustomer{
		{ID: 900, FirstName: "Marta", Phones: []store.MirrorPhone{{Raw: "612 34 56 78", E164: "+34612345678"}}},
		{ID: 901, FirstName: "Luis", Phones: []store.MirrorPhone{{Raw: "+34 699 00 11 22", E164: "+34699001122"}}}}); err != nil {
		t.Fatal(err)
	}
	if err := st.UpsertMirrorConversations(ctx, now, []store.MirrorConversation{{MailboxID: 1, ID: 77001, CustomerID: 900, Status: "active"}}); err != nil {
		t.Fatal(err)
	}
	for _, m := range []store.MirrorSync{
		{Name: "customers", Phase: store.MirrorPhaseReady, LastFullAt: now.Add(-20 * time.Hour), LastRefreshAt: now.Add(-5 * time.Minute)},
		{Name: "conversations:1", Phase: store.MirrorPhaseFirstSync, Page: 3, SeenTotal: 50, ExpectedTotal: 140, ListingStartedAt: now.Add(-10 * time.Minute)},
	} {
		if err := st.PutMirrorSyncState(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	for _, b := range []store.APIBudget{
		{API: store.APIAircall, PassStarted: now.Add(-6 * time.Minute), PassEnded: now.Add(-5 * time.Minute), Requests: 37, Units: 37,
			Ceiling: 50, Remaining: 3541, Limit: 3600, SeenAt: now.Add(-5 * time.Minute)},
		{API: store.APIHelpScout, PassStarted: now.Add(-6 * time.Minute), PassEnded: now.Add(-5 * time.Minute), Requests: 12, Units: 19,
			RateLimited: 1, Ceiling: 200, Remaining: -1, Limit: -1},
	} {
		if err := st.PutAPIBudget(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	return st
}

// TestBrowserOperatorJourney drives a real Chromium the way an operator
// would: the challenge, log in, the overview with its chart, the parked call
// in the attention list, its explain page; then a logged call's link to Help
// Scout, a phone-sized screen, and no script ever running.
func TestBrowserOperatorJourney(t *testing.T) {
	is := is.New(t)
	ctx := browser(t)
	st := demoStore(t)
	srv := httptest.NewServer(status.New(st, status.Options{Password: pw, Now: func() time.Time { return now },
		Budgets: status.StoreBudgets(st), Mirrors: status.StoreMirrors(st, map[int64][]string{1: {"default"}})}))
	t.Cleanup(srv.Close)

	var dialogs atomic.Int32
	go func() {
		for _, err := range chromedp.Events(ctx, page.JavascriptDialogOpening) {
			if err != nil {
				return
			}
			dialogs.Add(1)
			_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		}
	}()

	// No credentials: headless Chromium gets the basic-auth challenge and,
	// having no one to ask for a password, refuses the page.
	_, err := chromedp.Run(ctx, chromedp.NavigateResponse(srv.URL+"/status"))
	if err == nil || !strings.Contains(err.Error(), "ERR_INVALID_AUTH_CREDENTIALS") {
		t.Fatalf("without credentials: want the browser to meet a challenge, got %v", err)
	}

	// Log in: the Authorization header on every request of the tab.
	auth := "Basic " + base64.StdEncoding.EncodeToString([]byte("admin:"+pw))
	_, err = chromedp.Call(ctx, network.Enable, network.EnableParams{})
	is.NoErr(err)
	_, err = chromedp.Call(ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Authorization": auth}})
	is.NoErr(err)

	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(srv.URL+"/status"))
	is.NoErr(err)
	is.Equal(resp.Status, int64(200))
	body := text(t, ctx, "body")
	for _, want := range []string{"aircall-helpscout status", "Instance default", "lag 6m00s", "Items per hour, last 48 h, by outcome",
		"Last passes", "list calls: aircall: GET /v1/calls: status 503", "Needs attention", "call 4186780777", "parked",
		"waiting for transcript/AI", "logged ",
		// The API budget the last pass used and the mirrors' state, as serve feeds them from the store.
		"API budget", "Aircall\t37\t37\t0", "3541 / 3600", "Help Scout\t12\t19\t1", "— / —",
		"Help Scout mirrors", "customers\tall\t2", "complete: 2 phones",
		"conversations\tdefault\t1", "first sync running: page 3, 50 of ~140 read"} {
		if !strings.Contains(body, want) {
			t.Errorf("overview lacks %q; it shows:\n%s", want, body)
		}
	}
	bars := count(t, ctx, "svg.chart rect")
	is.True(bars > 40) // the chart is there, with a bar per busy hour
	// The stylesheet applied under the CSP (a blocked <style> would leave
	// the badge without its colour).
	bg, err := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector('.badge.b-parked')).backgroundColor`))
	is.NoErr(err)
	is.Equal(bg, "rgb(198, 40, 40)")
	shot(t, ctx, "overview.png", "status-page.png")

	// The parked call, from the attention list, to its explain page.
	_, err = chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`a[href="/status/item/default/call/4186780777"]`)))
	is.NoErr(err)
	loc, err := chromedp.Run(ctx, chromedp.Location())
	is.NoErr(err)
	is.Equal(loc, srv.URL+"/status/item/default/call/4186780777")
	body = text(t, ctx, "body")
	for _, want := range []string{"call 4186780777", "parked after 5 failed attempts", "aircall-helpscout retry 4186780777",
		`"marta@example" is not a valid email`, "attempt failed; parked (5 counted)", "History",
		"https://dashboard.aircall.io/calls/4186780777"} {
		if !strings.Contains(body, want) {
			t.Errorf("item page lacks %q; it shows:\n%s", want, body)
		}
	}
	is.Equal(count(t, ctx, "table tr"), 1+5) // history: header + five attempts; no write was made
	shot(t, ctx, "parked-item.png", "")

	// A logged call links to its Help Scout conversation.
	_, err = chromedp.Run(ctx, chromedp.NavigateResponse(srv.URL+"/status/item/default/call/4186780001"))
	is.NoErr(err)
	href, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(`a[href^="https://secure.helpscout.net/"]`), "href"))
	is.NoErr(err)
	is.Equal(href.Value, "https://secure.helpscout.net/conversation/77001")
	body = text(t, ctx, "body")
	is.True(strings.Contains(body, "Open conversation 77001 in Help Scout"))
	is.True(strings.Contains(body, "reopened: the customer's conversation closed less than 48 h before the call"))
	is.True(strings.Contains(body, "candidates 900, 907"))
	// What explain prints about the insight card the agent saw while it rang.
	card := text(t, ctx, "#insight-card")
	is.True(strings.Contains(card, "sent to the Aircall app, 87ms after the webhook"))
	is.True(strings.Contains(card, "call.created received 2026-11-28 13:00:00 UTC"))
	shot(t, ctx, "logged-item.png", "status-item.png")

	// On a phone: nothing wider than the screen but the scrollable tables.
	is.NoErr(chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateScale(2))))
	for _, path := range []string{"/status", "/status/item/default/call/4186780777"} {
		_, err = chromedp.Run(ctx, chromedp.NavigateResponse(srv.URL+path))
		is.NoErr(err)
		overflow, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > document.documentElement.clientWidth + 1`))
		is.NoErr(err)
		if overflow {
			t.Errorf("%s is wider than a 390 px phone screen", path)
		}
	}
	shot(t, ctx, "phone.png", "")
	is.Equal(dialogs.Load(), int32(0))
}

// TestBrowserHostileTextNeverRuns loads every page of the hostile fixture in
// Chromium: no script runs, whatever the caller wrote.
func TestBrowserHostileTextNeverRuns(t *testing.T) {
	is := is.New(t)
	ctx := browser(t)
	srv := newServer(t, pw)
	var dialogs atomic.Int32
	go func() {
		for _, err := range chromedp.Events(ctx, page.JavascriptDialogOpening) {
			if err != nil {
				return
			}
			dialogs.Add(1)
			_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		}
	}()
	_, err := chromedp.Call(ctx, network.Enable, network.EnableParams{})
	is.NoErr(err)
	_, err = chromedp.Call(ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers{
		"Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte("admin:"+pw))}})
	is.NoErr(err)
	for _, path := range []string{"/status", "/status/item/default/call/1001", "/status/item/default/call/1002",
		status.ItemPath("default", "message", hostile)} {
		resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(srv.URL+path))
		is.NoErr(err)
		is.Equal(resp.Status, int64(200))
		is.Equal(count(t, ctx, "script"), 0)
		is.Equal(count(t, ctx, "img"), 0)
		body := text(t, ctx, "body")
		is.True(strings.Contains(body, "<script>alert(1)</script>")) // shown as text
	}
	time.Sleep(100 * time.Millisecond) // let a dialog event arrive, if any
	is.Equal(dialogs.Load(), int32(0))
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	// Evaluated in the page rather than through DOM node IDs: a node ID
	// taken just after a navigation can belong to the previous document
	// ("No node with given id found"), a flake seen under load.
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`(document.querySelector(%q) || {}).innerText || ""`, sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

func count(t *testing.T, ctx context.Context, sel string) int {
	t.Helper()
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll(%q).length`, sel)))
	if err != nil {
		t.Fatalf("count %s: %v", sel, err)
	}
	return n
}

// shot writes a full-page screenshot to the test's temp dir. With
// STATUS_SCREENSHOT=1 the ones README shows (docs set: status-page.png,
// status-item.png) are also written to docs/, so that regenerating them is
// one command:
//
//	STATUS_SCREENSHOT=1 go test -run TestBrowserOperatorJourney ./web/status/
func shot(t *testing.T, ctx context.Context, name, docs string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if len(png) < 1000 || string(png[1:4]) != "PNG" {
		t.Fatalf("screenshot %s: not a PNG (%d bytes)", name, len(png))
	}
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", p)
	if docs != "" && os.Getenv("STATUS_SCREENSHOT") == "1" {
		if err := os.WriteFile(filepath.Join("..", "..", "docs", docs), png, 0o644); err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
	}
}
