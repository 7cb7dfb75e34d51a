package reconciler_test

// Insight card latency under load (issue 17): the time from a call.created
// webhook to the card request reaching the Aircall fake, while a catch-up
// pass keeps the same Aircall client's batch budget saturated. Real clock
// (the card budget is wall-clock), loopback fakes, the real receiver.
//
//	go test -run '^$' -bench CardLatency -benchtime=100x ./reconciler/

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aircall-helpscout/aircall-helpscout/clients/aircall"
	"github.com/aircall-helpscout/aircall-helpscout/reconciler"
	"github.com/aircall-helpscout/aircall-helpscout/reconciler/reconcilertest"
	"github.com/aircall-helpscout/aircall-helpscout/web"
)

func BenchmarkCardLatencyUnderCatchUp(b *testing.B) {
	const (
		rpm       = 3000                   // 50 requests/s, below what the catch-up asks on loopback (~70/s): the batch lane is saturated
		catchUp   = 3000                   // calls with transcript and AI: 5 Aircall reads each, far more than the run needs
		cardEvery = 100 * time.Millisecond // each card also debits the batch lane, which then slows by as much
		token     = "bench-token"
	)
	e := reconcilertest.New(b)
	e.AC.SetClock(time.Now)
	for i := range catchUp {
		id := int64(100000 + i)
		e.AddCall(id, "+34 612 00 "+pad4(i), time.Duration(i%1400)*time.Minute)
		e.ReadyAI(id)
	}
	cfg := e.AC.Config()
	// The priority lane is sized for the benchmark's burst of cards (real
	// cards are a few a minute): what is measured is whether a saturated
	// batch lane delays them, not the lane's own ceiling.
	cfg.RequestsPerMinute, cfg.PriorityPerMinute = rpm, 1200
	ac, err := aircall.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	in := e.Instance
	in.InsightCards, in.SyncContacts = true, false
	in.Enrichment.Wait = 0
	rec := reconciler.New(ac, e.HSC, e.Store, []reconciler.Instance{in}, e.Options)
	cards := reconciler.NewCardSender(ac, e.Store, []reconciler.Instance{in}, reconciler.CardOptions{})
	defer cards.Close()
	h, err := web.NewHandler(web.Options{Store: e.Store, WebhookToken: token, Health: web.NewHealth(time.Hour, time.Now),
		Metrics: web.NewMetrics(web.MetricLabels{}), Cards: cards})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()

	ctx, cancel := context.WithCancel(context.Background())
	passDone := make(chan error, 1)
	go func() {
		_, err := rec.RunPass(ctx, reconciler.PassOptions{Since: reconcilertest.Start.Add(-24 * time.Hour), Until: reconcilertest.Start})
		passDone <- err
	}()
	// Let the catch-up reach full speed first.
	time.Sleep(time.Second)
	batchBefore, t0 := batchRequests(e), time.Now()

	sent := map[int64]time.Time{}
	b.ResetTimer()
	for i := range b.N {
		id := int64(900000 + i)
		c := e.AddCall(id, "+34 699 00 "+pad4(i), 0, func(c *aircall.Call) { c.Status, c.AnsweredAt, c.EndedAt = "initial", nil, nil })
		body, _ := json.Marshal(map[string]any{"event": "call.created", "resource": "call", "token": token, "timestamp": time.Now().Unix(),
			"data": map[string]any{"id": c.ID, "direction": "inbound", "status": "initial", "raw_digits": c.RawDigits,
				"number": map[string]any{"id": c.Number.ID, "digits": c.Number.Digits, "country": c.Number.Country}}})
		sent[id] = time.Now()
		resp, err := http.Post(srv.URL+web.WebhookPath, "application/json", bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		time.Sleep(cardEvery)
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(e.AC.AllCards()) < b.N && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	b.StopTimer()
	elapsed, batch := time.Since(t0), batchRequests(e)-batchBefore
	cancel()
	<-passDone

	var lat []time.Duration
	for _, r := range e.AC.Requests() {
		if !strings.HasSuffix(r.Path, "/insight_cards") {
			continue
		}
		var id int64
		for _, p := range strings.Split(r.Path, "/") {
			if n, err := strconv.ParseInt(p, 10, 64); err == nil {
				id = n
			}
		}
		if at, ok := sent[id]; ok {
			lat = append(lat, r.At.Sub(at))
		}
	}
	if len(lat) < b.N {
		b.Fatalf("%d of %d cards reached the fake", len(lat), b.N)
	}
	slices.Sort(lat)
	p := func(q float64) float64 { return float64(lat[int(q*float64(len(lat)-1))]) / float64(time.Millisecond) }
	b.ReportMetric(p(0.5), "p50_ms")
	b.ReportMetric(p(0.99), "p99_ms")
	b.ReportMetric(float64(batch)/elapsed.Seconds(), "batch_req/s")
	b.ReportMetric(0, "ns/op")
	if p(0.99) >= 300 {
		b.Errorf("p99 %.1f ms, goal < 300 ms", p(0.99))
	}
}

// batchRequests counts the fake's requests other than cards.
func batchRequests(e *reconcilertest.Env) int {
	n := 0
	for _, r := range e.AC.Requests() {
		if !strings.HasSuffix(r.Path, "/insight_cards") {
			n++
		}
	}
	return n
}

func pad4(i int) string { return fmt.Sprintf("%04d", i%10000) }
