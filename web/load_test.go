package web_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/aircall-helpscout/aircall-helpscout/web"
)

// loadDeliveries builds n deliveries over distinct message ids: each id
// once as message.received, the rest repeats of earlier ones (the same body
// again, or a status update). Deterministic, in an order that interleaves
// first deliveries, repeats and updates.
func loadDeliveries(distinct, n int) [][]byte {
	base := start.Add(-time.Hour)
	out := make([][]byte, 0, n)
	for i := range distinct {
		m := msg{ID: fmt.Sprintf("load-%d", i), Direction: "inbound", External: fmt.Sprintf("+346%08d", i%50),
			Body: "message body", Status: "received", Created: base.Add(time.Duration(i) * time.Second)}
		out = append(out, envelope("message.received", hookToken, m.data()))
	}
	for j := 0; len(out) < n; j++ {
		i := (j * 7) % distinct
		m := msg{ID: fmt.Sprintf("load-%d", i), Direction: "inbound", External: fmt.Sprintf("+346%08d", i%50),
			Body: "message body", Status: "received", Created: base.Add(time.Duration(i) * time.Second)}
		if j%2 == 0 {
			out = append(out, envelope("message.received", hookToken, m.data()))
		} else {
			m.Status, m.Updated = "read", m.Created.Add(time.Minute)
			out = append(out, envelope("message.status_updated", hookToken, m.data()))
		}
	}
	// Mix them: repeats among first deliveries, some status updates even
	// before the first delivery of their message.
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// loadClient keeps one connection per worker, as Aircall's senders would.
func loadClient(workers int) *http.Client {
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: workers, MaxConnsPerHost: workers}}
}

// blast posts every body over loopback HTTP with workers concurrent clients
// and returns the non-200 answers.
func blast(url string, client *http.Client, bodies [][]byte, workers int) []string {
	var mu sync.Mutex
	var bad []string
	ch := make(chan []byte)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for b := range ch {
				resp, err := client.Post(url, "application/json", bytes.NewReader(b))
				if err != nil {
					mu.Lock()
					bad = append(bad, err.Error())
					mu.Unlock()
					continue
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					mu.Lock()
					bad = append(bad, resp.Status)
					mu.Unlock()
				}
			}
		})
	}
	for _, b := range bodies {
		ch <- b
	}
	close(ch)
	wg.Wait()
	return bad
}

// TestWebhookLoad: 1,000 deliveries of 600 messages (duplicates and status
// updates among them, some arriving before the first delivery of their
// message) from 16 concurrent clients over real loopback HTTP: the inbox
// holds exactly the 600, none lost, none doubled.
func TestWebhookLoad(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	st := openStore(t)
	rc := newReceiver(t, st)
	const distinct, n, workers = 600, 1000, 16
	bodies := loadDeliveries(distinct, n)
	is.Equal(len(bodies), n)

	t0 := time.Now()
	bad := blast(rc.srv.URL+web.WebhookPath, loadClient(workers), bodies, workers)
	took := time.Since(t0)
	is.Equal(len(bad), 0)

	count, err := st.CountMessages(ctx)
	is.NoErr(err)
	is.Equal(count, distinct)
	rows, err := st.MessagesAfter(ctx, 0, 0)
	is.NoErr(err)
	is.Equal(len(rows), distinct)
	seen := map[string]bool{}
	for _, r := range rows {
		is.True(!seen[r.MessageID]) // one row per message
		seen[r.MessageID] = true
	}
	total := 0
	rc.mu.Lock()
	for _, v := range rc.results {
		total += v
	}
	rc.mu.Unlock()
	is.Equal(total, n)
	t.Logf("%d deliveries (%d messages) from %d clients in %v: %.0f deliveries/s; results %v",
		n, distinct, workers, took.Round(time.Millisecond), float64(n)/took.Seconds(), rc.results)
}

// BenchmarkWebhookReceiver measures deliveries per second over loopback
// HTTP with 16 concurrent clients, 40% of them repeats.
func BenchmarkWebhookReceiver(b *testing.B) {
	st := openStore(b)
	rc := newReceiver(b, st)
	bodies := loadDeliveries(600, 1000)
	client := loadClient(16)
	b.ResetTimer()
	t0 := time.Now()
	for b.Loop() {
		if bad := blast(rc.srv.URL+web.WebhookPath, client, bodies, 16); len(bad) > 0 {
			b.Fatalf("%d failed deliveries: %v", len(bad), bad[0])
		}
	}
	b.ReportMetric(float64(b.N*len(bodies))/time.Since(t0).Seconds(), "deliveries/s")
}
