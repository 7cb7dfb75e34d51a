package web_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/aircall-helpscout/aircall-helpscout/store"
	"github.com/aircall-helpscout/aircall-helpscout/web"
)

// serveWeb runs web.NewServer on loopback and returns its address and the
// server (closed at the end of the test).
func serveWeb(t *testing.T, o web.Options) (string, *web.Server) {
	t.Helper()
	srv, err := web.NewServer(o)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return ln.Addr().String(), srv
}

func baseOptions(st *store.Store) web.Options {
	return web.Options{Store: st, WebhookToken: hookToken, Health: web.NewHealth(10*time.Minute, nil),
		Metrics: web.NewMetrics(web.MetricLabels{Instances: []string{"default"}, Kinds: []store.Kind{"call", "message"}, Outcomes: []store.Outcome{"new_conversation"}})}
}

// trickle writes s one byte every gap until s is written or the peer is gone.
func trickle(conn net.Conn, s string, gap time.Duration) {
	for i := range len(s) {
		if _, err := conn.Write([]byte{s[i]}); err != nil {
			return
		}
		time.Sleep(gap)
	}
}

// TestSlowSenderIsCut: a sender that trickles its body is answered 408 when
// the body deadline passes, nothing is stored, the refusal is counted, and
// a shutdown meanwhile waits no longer than that deadline.
func TestSlowSenderIsCut(t *testing.T) {
	is := is.New(t)
	st := openStore(t)
	o := baseOptions(st)
	o.BodyTimeout = 300 * time.Millisecond
	o.ReadTimeout = 10 * time.Second // the receiver's own deadline must act alone
	addr, _ := serveWeb(t, o)

	conn, err := net.Dial("tcp", addr)
	is.NoErr(err)
	defer conn.Close()
	body := string(envelope("message.received", hookToken, msg{ID: "slow", Created: start}.data()))
	head := "POST " + web.WebhookPath + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " +
		strconv.Itoa(len(body)) + "\r\n\r\n"
	_, err = conn.Write([]byte(head))
	is.NoErr(err)
	t0 := time.Now()
	go trickle(conn, body, 50*time.Millisecond) // would take ~len(body)×50 ms

	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	is.NoErr(err)
	resp.Body.Close()
	took := time.Since(t0)
	is.Equal(resp.StatusCode, http.StatusRequestTimeout)
	is.True(took < 2*time.Second) // cut at the deadline, not after the whole trickle
	n, err := st.CountMessages(context.Background())
	is.NoErr(err)
	is.Equal(n, 0)
	is.True(strings.Contains(scrape(t, addr), `aircall_helpscout_webhook_refusals_total{reason="timeout"} 1`))
}

// TestShutdownNotHeldBySlowSenders: a shutdown while one sender trickles
// its headers and another its body returns within the read bounds, far
// inside the 10 s docker stop allows.
func TestShutdownNotHeldBySlowSenders(t *testing.T) {
	is := is.New(t)
	st := openStore(t)
	o := baseOptions(st)
	o.BodyTimeout = 400 * time.Millisecond
	o.ReadHeaderTimeout = 400 * time.Millisecond
	o.ReadTimeout = 800 * time.Millisecond
	srv, err := web.NewServer(o)
	is.NoErr(err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	is.NoErr(err)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	body := string(envelope("message.received", hookToken, msg{ID: "slow", Created: start}.data()))
	headers, err := net.Dial("tcp", ln.Addr().String())
	is.NoErr(err)
	defer headers.Close()
	go trickle(headers, "POST "+web.WebhookPath+" HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n0123456789", 50*time.Millisecond)
	bodies, err := net.Dial("tcp", ln.Addr().String())
	is.NoErr(err)
	defer bodies.Close()
	_, err = bodies.Write([]byte("POST " + web.WebhookPath + " HTTP/1.1\r\nHost: x\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n"))
	is.NoErr(err)
	go trickle(bodies, body, 50*time.Millisecond)
	time.Sleep(150 * time.Millisecond) // both mid-request

	t0 := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Second)
	defer cancel()
	is.NoErr(srv.Shutdown(ctx))
	is.NoErr(<-served)
	took := time.Since(t0)
	t.Logf("shutdown with two slow senders took %v", took.Round(time.Millisecond))
	is.True(took < 2*time.Second)
	for _, c := range []net.Conn{headers, bodies} { // both connections are closed
		_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
		_, err := io.ReadAll(c)
		// A close while the sender still trickles bytes the server will
		// never read makes the kernel answer with a reset instead of a
		// FIN: that is closed too. A timeout would mean still open.
		if err != nil && !errors.Is(err, syscall.ECONNRESET) {
			t.Fatalf("connection not closed by shutdown: %v", err)
		}
	}
	n, err := st.CountMessages(context.Background())
	is.NoErr(err)
	is.Equal(n, 0)
}

// scrape returns the /metrics text of the server at addr.
func scrape(t *testing.T, addr string) string {
	t.Helper()
	_, body := get(t, "http://"+addr+"/metrics")
	return body
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestRoutes: what is mounted, and what answers 404 while its handler is
// not configured.
func TestRoutes(t *testing.T) {
	marker := func(name string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, name+" "+r.URL.Path) })
	}
	tests := []struct {
		name            string
		status, sidebar bool
		path            string
		want            int
		body            string
	}{
		{"healthz", false, false, "/healthz", http.StatusServiceUnavailable, "no successful pass yet"},
		{"metrics", false, false, "/metrics", http.StatusOK, "aircall_helpscout_"},
		{"status unset", false, false, "/status", http.StatusNotFound, ""},
		{"status page unset", false, false, "/status/item/1", http.StatusNotFound, ""},
		{"status set", true, false, "/status", http.StatusOK, "status /status"},
		{"status page set", true, false, "/status/item/1", http.StatusOK, "status /status/item/1"},
		{"sidebar unset", false, false, "/helpscout/sidebar", http.StatusNotFound, ""},
		{"sidebar set", false, true, "/helpscout/sidebar?customer-id=1", http.StatusOK, "sidebar /helpscout/sidebar"},
		{"webhook GET", false, false, web.WebhookPath, http.StatusMethodNotAllowed, ""},
		{"elsewhere", true, true, "/", http.StatusNotFound, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			o := baseOptions(openStore(t))
			if tt.status {
				o.Status = marker("status")
			}
			if tt.sidebar {
				o.Sidebar = marker("sidebar")
			}
			addr, _ := serveWeb(t, o)
			code, body := get(t, "http://"+addr+tt.path)
			is.Equal(code, tt.want)
			is.True(strings.Contains(body, tt.body))
		})
	}
}

func TestNewHandlerNeedsItsParts(t *testing.T) {
	is := is.New(t)
	_, err := web.NewHandler(web.Options{})
	is.True(err != nil)
	is.True(strings.Contains(err.Error(), "Store, Health and Metrics"))
}
