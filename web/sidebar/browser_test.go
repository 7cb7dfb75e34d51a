package sidebar

import (
	"context"
	"flag"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
	"github.com/matryer/is"
)

// updateDocs rewrites docs/sidebar.png, the README's screenshot:
//
//	go test -run TestBrowser ./web/sidebar/ -args -update-docs
var updateDocs = flag.Bool("update-docs", false, "write the README screenshot docs/sidebar.png")

// chromium finds Debian's headless-capable Chromium. Without it the browser
// test is skipped on a developer machine but fails in CI, where a silently
// skipped test would prove nothing.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium not found, and CI is set: install Debian's chromium package")
	}
	t.Skip("chromium not found (install Debian's chromium package to run the browser test)")
	return ""
}

// helpScoutPage stands in for Help Scout's conversation screen: it frames the
// sidebar in a 300-pixel column, as Help Scout does with an app.
func helpScoutPage(frameURL string) string {
	return `<!doctype html><html><head><meta charset="utf-8"><title>Conversation #45</title>
<style>body{margin:0;font:14px sans-serif;display:flex;background:#f1f3f5}
main{flex:1;padding:24px;color:#314351}aside{width:300px;background:#fff;border-left:1px solid #d6dde3}
iframe{border:0;width:300px;height:560px;display:block}h1{font-size:18px}.note{color:#8a99a8}</style></head>
<body><main><h1>Re: my order #4411 (conversation #45)</h1><p>Hello, I tried to call you twice this morning…</p>
<p class="note">Test page standing in for Help Scout's conversation screen.</p></main>
<aside><iframe id="app" src="` + html.EscapeString(frameURL) + `"></iframe></aside></body></html>`
}

// TestBrowserAgentSeesTheSidebar loads, in headless Chromium, a page from
// another site framing the sidebar exactly as Help Scout does, and reads what
// an agent sees inside the frame.
func TestBrowserAgentSeesTheSidebar(t *testing.T) {
	exe := chromium(t)

	// The "Help Scout" page and the product are on different sites
	// (127.0.0.1 vs localhost), so Chrome isolates the frame as it would
	// for secure.helpscout.net framing our server.
	var parentHTML string
	parent := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, parentHTML)
	}))
	defer parent.Close()
	h := newHandler(t, fixture(), func(o *Options) { o.FrameAncestors = parent.URL })
	product := httptest.NewServer(h)
	defer product.Close()
	productURL := strings.Replace(product.URL, "127.0.0.1", "localhost", 1)

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	actx, cancelA := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(exe),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(900, 600),
	)
	defer cancelA()
	bctx, cancelB := chromedp.NewContext(actx)
	defer cancelB()

	// frame loads the parent page framing query and returns the frame's
	// visible text and its links.
	frame := func(t *testing.T, query string) (text string, hrefs []string, frameCtx context.Context) {
		t.Helper()
		parentHTML = helpScoutPage(productURL + Path + "?" + query)
		if err := chromedp.Do(bctx, chromedp.Navigate(parent.URL), chromedp.WaitReady(chromedp.CSS("#app"))); err != nil {
			t.Fatal(err)
		}
		id := frameTarget(t, bctx, productURL+Path)
		fctx, cancelF := chromedp.NewContext(bctx, chromedp.WithTargetID(id), chromedp.WithDetachOnCancel())
		t.Cleanup(cancelF)
		if err := chromedp.Do(fctx, chromedp.WaitReady(chromedp.CSS("body"))); err != nil {
			t.Fatal(err)
		}
		text = evaluate[string](t, fctx, `document.body.innerText`)
		hrefs = evaluate[[]string](t, fctx, `Array.from(document.links, a => a.href)`)
		return text, hrefs, fctx
	}

	t.Run("signed", func(t *testing.T) {
		is := is.New(t)
		text, hrefs, fctx := frame(t, helpScoutQuery("678"))
		for _, want := range []string{
			"CALL BACK", "+33 6 12 34 56 78", "+1 202-555-0143", "AIRCALL HISTORY",
			"Inbound call", "Mon 30 Nov 2026, 09:14 CET", "Answered", "1 min 35 s", "Agent: Ana Lopez",
			"Transcript/AI: in the conversation", "This conversation", "WhatsApp sent", "Voicemail",
			"Not in Help Scout yet: retrying", "Open in Aircall", "Open conversation",
		} {
			if !strings.Contains(text, want) {
				t.Fatalf("the frame does not show %q:\n%s", want, text)
			}
		}
		for _, want := range []string{
			"tel:+33612345678", "tel:+12025550143",
			"https://dashboard.aircall.io/calls/4186780376",
			"https://secure.helpscout.net/conversation/555", "https://secure.helpscout.net/conversation/777",
		} {
			is.True(contains(hrefs, want)) // link in the frame
		}

		// The stylesheet applied (its CSP hash is right) and nothing
		// overflows the 300-pixel column.
		border := evaluate[string](t, fctx, `getComputedStyle(document.querySelector('.tel')).borderTopStyle`)
		width := evaluate[int](t, fctx, `window.innerWidth`)
		scrollWidth := evaluate[int](t, fctx, `document.documentElement.scrollWidth`)
		is.Equal(border, "solid")
		is.Equal(width, 300)
		is.True(scrollWidth <= width) // no horizontal scrolling

		png, err := chromedp.Run(bctx, chromedp.CaptureScreenshot())
		is.NoErr(err)
		is.NoErr(os.WriteFile(filepath.Join(t.TempDir(), "sidebar.png"), png, 0o644))
		if *updateDocs {
			is.NoErr(os.WriteFile(filepath.Join("..", "..", "docs", "sidebar.png"), png, 0o644))
		}
	})

	t.Run("framed by another site", func(t *testing.T) {
		is := is.New(t)
		// The production policy names only Help Scout: the test page may
		// not frame the sidebar, signed or not.
		strict := httptest.NewServer(newHandler(t, fixture()))
		defer strict.Close()
		strictURL := strings.Replace(strict.URL, "127.0.0.1", "localhost", 1)
		parentHTML = helpScoutPage(strictURL + Path + "?" + helpScoutQuery("678"))
		is.NoErr(chromedp.Do(bctx, chromedp.Navigate(parent.URL), chromedp.WaitReady(chromedp.CSS("#app"))))
		time.Sleep(time.Second) // let the frame load, or fail to
		infos, err := chromedp.Targets(bctx)
		is.NoErr(err)
		frames := 0
		for _, info := range infos {
			if info.Type != "iframe" {
				continue
			}
			frames++
			fctx, cancelF := chromedp.NewContext(bctx, chromedp.WithTargetID(info.TargetID), chromedp.WithDetachOnCancel())
			text, err := chromedp.Run(fctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
			cancelF()
			is.NoErr(err)
			is.True(!strings.Contains(text, "Ana Lopez")) // Chrome's "refused to connect" instead
		}
		is.Equal(frames, 1) // the frame was there, showing nothing of the data
	})

	t.Run("wrong signature", func(t *testing.T) {
		is := is.New(t)
		bad := strings.Replace(helpScoutQuery("678"), "customer-id=678", "customer-id=679", 1)
		text, hrefs, _ := frame(t, bad)
		is.Equal(strings.TrimSpace(text), "unauthorized")
		is.Equal(len(hrefs), 0)
	})
}

// evaluate runs a script in ctx's page or frame and decodes its result.
func evaluate[T any](t *testing.T, ctx context.Context, script string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](script))
	if err != nil {
		t.Fatalf("%s: %v", script, err)
	}
	return v
}

// frameTarget waits for the cross-site frame whose URL starts with prefix.
func frameTarget(t *testing.T, ctx context.Context, prefix string) target.ID {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		infos, err := chromedp.Targets(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, info := range infos {
			if info.Type == "iframe" && strings.HasPrefix(info.URL, prefix) {
				return info.TargetID
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no frame loaded from %s", prefix)
	return ""
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
