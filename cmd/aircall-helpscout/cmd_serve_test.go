package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/aircall-helpscout/aircall-helpscout/clients/helpscout/helpscouttest"
	"github.com/robfig/cron/v3"
)

// startServe runs serve in the background and returns its base URL and a
// function that cancels it (SIGTERM) and returns its result.
func startServe(t *testing.T, vars map[string]string) (string, func() result) {
	t.Helper()
	addrs := make(chan net.Addr, 1)
	serveListening = func(a net.Addr) { addrs <- a }
	t.Cleanup(func() { serveListening = nil })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan result, 1)
	go func() { done <- runCmd(ctx, vars, "serve") }()
	select {
	case a := <-addrs:
		stop := func() result {
			cancel()
			select {
			case r := <-done:
				return r
			case <-time.After(20 * time.Second):
				t.Fatal("serve did not stop after SIGTERM")
				return result{}
			}
		}
		return "http://" + a.String(), stop
	case r := <-done:
		cancel()
		t.Fatalf("serve ended before listening: %v\n%s", r.err, r.stderr)
	case <-time.After(10 * time.Second):
		cancel()
		t.Fatal("serve did not start listening")
	}
	return "", nil
}

// waitFor polls cond every few ms until it holds or 15 s pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
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

func postWebhook(t *testing.T, base, token, id, raw string, at time.Time) int {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"event": "message.received", "resource": "message", "timestamp": at.Unix(), "token": token,
		"data": map[string]any{"id": id, "direction": "inbound", "raw_digits": raw, "external_number": raw, "body": "Hola",
			"status": "received", "created_at": at.Unix(), "updated_at": at.Unix(), "number": demoLine}})
	resp, err := http.Post(base+webhookPath, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestServeSurvivesSIGTERMMidPassWithoutLossOrDoubles is the done
// criterion: serve against the fakes, scrape /metrics and /healthz, SIGTERM
// in the middle of a pass, restart, and every call is logged exactly once.
func TestServeSurvivesSIGTERMMidPassWithoutLossOrDoubles(t *testing.T) {
	for _, after := range []int{1, 3, 6} {
		t.Run(fmt.Sprintf("stop after %d logged", after), func(t *testing.T) { serveStopRestart(t, after) })
	}
}

func serveStopRestart(t *testing.T, after int) {
	is := is.New(t)
	f := newFakes(t)
	vars := with(f.vars, "SCHEDULE", "@every 1s", "LISTEN_ADDR", "127.0.0.1:0")
	f.Customer("Marta", "López", 48*time.Hour, "612 34 56 78")
	var ids []int64
	for i := range 8 {
		id := int64(100 + i)
		f.AddCall(id, fmt.Sprintf("+34 612 00 00 %02d", i), time.Duration(20+5*i)*time.Minute)
		ids = append(ids, id)
	}
	f.HS.SetLatency(25 * time.Millisecond) // long enough to be mid-pass when stopped

	base, stop := startServe(t, vars)
	// A refused delivery is answered 200 too: Aircall disables a webhook
	// that fails, and retrying a wrong token cannot help.
	is.Equal(postWebhook(t, base, "wrong-token", "m-1", "+34 612 34 56 78", time.Now().Add(-time.Minute)), http.StatusOK)
	is.Equal(postWebhook(t, base, testWebhookToken, "m-1", "+34 612 34 56 78", time.Now().Add(-time.Minute)), http.StatusOK)
	logged := func() int {
		n := 0
		for _, id := range ids {
			if th, _ := f.PhoneThreads(id); len(th) > 0 {
				n++
			}
		}
		return n
	}
	waitFor(t, "calls to be logged", func() bool { return logged() >= after })
	code, body := get(t, base+"/metrics")
	is.Equal(code, http.StatusOK)
	is.True(strings.Contains(body, `aircall_helpscout_api_requests_total{api="helpscout"`))
	is.True(strings.Contains(body, `aircall_helpscout_webhooks_total{event="message.received",result="stored"} 1`))
	is.True(strings.Contains(body, `aircall_helpscout_webhook_refusals_total{reason="unauthorized"} 1`))
	code, _ = get(t, base+"/healthz")
	is.Equal(code, http.StatusServiceUnavailable) // no pass has finished yet

	r := stop() // SIGTERM mid-pass
	is.NoErr(r.err)
	is.Equal(r.code, 0)
	is.True(strings.Contains(r.stderr, "stopping"))
	mid := logged()
	t.Logf("logged before SIGTERM: %d of %d", mid, len(ids))
	is.True(mid < len(ids)) // the pass really was interrupted

	f.HS.SetLatency(0)
	base, stop = startServe(t, vars)
	waitFor(t, "a healthy pass after restart", func() bool { c, _ := get(t, base+"/healthz"); return c == http.StatusOK })
	code, body = get(t, base+"/metrics")
	is.Equal(code, http.StatusOK)
	for _, want := range []string{
		`aircall_helpscout_items_total{instance="default",kind="call",outcome=`,
		`aircall_helpscout_items_total{instance="default",kind="message",outcome=`,
		`aircall_helpscout_pass_duration_seconds_count{result="ok"}`,
		`aircall_helpscout_cursor_lag_seconds{instance="default"}`,
		`aircall_helpscout_api_rate_limit_units_total{api="helpscout",status="201"}`,
		`aircall_helpscout_passes_total{result="ok"}`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	r = stop()
	is.NoErr(r.err)
	is.Equal(r.code, 0)

	exactlyOnce(t, f, ids...)
	sms := 0
	for _, c := range f.HS.Conversations() {
		for _, th := range c.Threads {
			if th.Type == "customer" && strings.Contains(th.Body, "Hola") {
				sms++
			}
		}
	}
	is.Equal(sms, 1) // the message received before SIGTERM, logged once
	assertNoSecretsIn(t, r.stdout+r.stderr)
}

// TestServeSurvivesRefusedCredentials: serve never exits on pass trouble.
// With Help Scout refusing the credentials from the start, the receiver
// keeps storing deliveries and answering 200, /healthz is 503 and says why,
// passes are retried with backoff, and once the credentials are accepted
// the next attempt logs everything and /healthz turns 200.
func TestServeSurvivesRefusedCredentials(t *testing.T) {
	is := is.New(t)
	f := newFakes(t)
	old := retryMin
	retryMin = 50 * time.Millisecond
	t.Cleanup(func() { retryMin = old })
	// An hourly schedule: only the retries can bring the pass back.
	vars := with(f.vars, "SCHEDULE", "@every 1h", "LISTEN_ADDR", "127.0.0.1:0")
	f.Customer("Marta", "López", 48*time.Hour, "612 34 56 78")
	f.AddCall(200, "+34 612 34 56 78", 30*time.Minute)
	f.HS.InjectFault(helpscouttest.Fault{PathPrefix: "/v2/oauth2/token", Status: http.StatusUnauthorized, Count: 1 << 30})

	base, stop := startServe(t, vars)
	var health map[string]string
	waitFor(t, "/healthz to report the refused credentials", func() bool {
		code, body := get(t, base+"/healthz")
		_ = json.Unmarshal([]byte(body), &health)
		return code == http.StatusServiceUnavailable && strings.Contains(health["reason"], "bad credentials")
	})
	is.Equal(health["status"], "passes cannot run")
	is.True(health["next_attempt"] != "")
	is.Equal(postWebhook(t, base, testWebhookToken, "m-9", "+34 612 34 56 78", time.Now().Add(-time.Minute)), http.StatusOK)
	tokenAsks := func() int {
		n := 0
		for _, r := range f.HS.Requests() {
			if r.Path == "/v2/oauth2/token" {
				n++
			}
		}
		return n
	}
	waitFor(t, "passes to be retried", func() bool { return tokenAsks() >= 3 })
	_, metrics := get(t, base+"/metrics")
	is.True(strings.Contains(metrics, `aircall_helpscout_webhooks_total{event="message.received",result="stored"} 1`))
	is.True(!strings.Contains(metrics, `aircall_helpscout_passes_total{result="error"} 0`))
	code, _ := get(t, base+"/healthz")
	is.Equal(code, http.StatusServiceUnavailable)

	f.HS.ClearFaults() // the operator fixes the credentials
	waitFor(t, "a healthy pass", func() bool { c, _ := get(t, base+"/healthz"); return c == http.StatusOK })
	r := stop()
	is.NoErr(r.err)
	is.Equal(r.code, 0)
	is.True(strings.Contains(r.stderr, "the webhook receiver keeps running"))
	exactlyOnce(t, f, 200)
	sms := 0
	for _, c := range f.HS.Conversations() {
		for _, th := range c.Threads {
			if th.Type == "customer" && strings.Contains(th.Body, "Hola") {
				sms++
			}
		}
	}
	is.Equal(sms, 1) // the message received while passes could not run
	assertNoSecretsIn(t, r.stdout+r.stderr)
}

// TestServeSurvivesAnOutageAtStart: Aircall down when serve starts makes
// /healthz 503 with the reason; the retry after it comes back succeeds.
func TestServeSurvivesAnOutageAtStart(t *testing.T) {
	is := is.New(t)
	f := newFakes(t)
	old := retryMin
	retryMin = 50 * time.Millisecond
	t.Cleanup(func() { retryMin = old })
	vars := with(f.vars, "SCHEDULE", "@every 1h", "LISTEN_ADDR", "127.0.0.1:0")
	f.AddCall(300, "+34 612 34 56 78", 30*time.Minute)
	f.AC.FailNext(1<<30, http.StatusBadGateway)
	aircallBackoff = time.Millisecond
	t.Cleanup(func() { aircallBackoff = 0 })

	base, stop := startServe(t, vars)
	var health map[string]string
	waitFor(t, "/healthz to report the outage", func() bool {
		code, body := get(t, base+"/healthz")
		_ = json.Unmarshal([]byte(body), &health)
		return code == http.StatusServiceUnavailable && health["reason"] != ""
	})
	is.Equal(health["status"], "no successful pass yet")
	is.Equal(postWebhook(t, base, testWebhookToken, "m-8", "+34 612 34 56 78", time.Now().Add(-time.Minute)), http.StatusOK)
	f.AC.FailNext(0, 0)
	waitFor(t, "a healthy pass", func() bool { c, _ := get(t, base+"/healthz"); return c == http.StatusOK })
	r := stop()
	is.NoErr(r.err)
	is.Equal(r.code, 0)
	exactlyOnce(t, f, 300)
}

func TestSchedulePeriod(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		spec string
		want time.Duration
	}{
		{"@every 5m", 5 * time.Minute},
		{"@every 1s", time.Second},
		{"*/10 * * * *", 10 * time.Minute},
		{"@hourly", time.Hour},
	}
	for _, tt := range tests {
		is := is.New(t)
		s, err := cron.ParseStandard(tt.spec)
		is.NoErr(err)
		is.Equal(schedulePeriod(s, now), tt.want)
	}
}

// assertNoSecretsIn fails if s holds any credential the fakes accept or the
// webhook token the tests configure.
func assertNoSecretsIn(t *testing.T, s string) {
	t.Helper()
	for _, secret := range fakeSecrets() {
		if strings.Contains(s, secret) {
			t.Errorf("output leaks secret %q", secret)
		}
	}
}
