package sidebar

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aircall-helpscout/aircall-helpscout/store"
)

// BenchmarkSidebar5000 measures one agent view of a customer with 5,000
// logged items (and as many of other customers) end to end through the
// handler: signature, ledger reads on a real SQLite file, rendering. It
// reports the median and 99th percentile of the per-view times, the figure
// that matters to an agent waiting for the sidebar (goal: p99 < 20 ms).
//
//	go test -run '^$' -bench Sidebar5000 -benchtime 2000x ./web/sidebar/
func BenchmarkSidebar5000(b *testing.B) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(b.TempDir(), "ledger.db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	const n = 5000
	start := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	var items []store.Item
	for i := range 2 * n {
		cust := int64(678)
		if i%2 == 1 {
			cust = int64(1000 + i%97) // other customers interleaved
		}
		kind := store.KindCall
		if i%5 == 0 {
			kind = store.KindMessage
		}
		items = append(items, store.Item{Instance: "default", Kind: kind, SourceID: fmt.Sprint(4186000000 + i),
			State: store.StateLogged, OccurredAt: start.Add(time.Duration(i) * 30 * time.Minute),
			CustomerID: cust, ConversationID: int64(5000000 + i/3), Enrichment: store.EnrichmentDone})
	}
	if err := st.PutItems(ctx, items); err != nil {
		b.Fatal(err)
	}
	for i, it := range items {
		f := store.ItemFacts{Direction: "inbound", CallOutcome: "answered", Duration: time.Duration(i%600) * time.Second,
			Agent: "Ana Lopez", Line: "Support FR", TimeZone: "Europe/Paris", ExternalE164: fmt.Sprintf("+3361234%04d", i%3)}
		if err := st.PutItemFacts(ctx, it.Instance, it.Kind, it.SourceID, f); err != nil {
			b.Fatal(err)
		}
	}
	h, err := New(Options{Secret: testSecret, Items: st, Numbers: NumbersFunc(st.LedgerCustomerNumbers),
		MoreURL: func(id int64) string { return fmt.Sprintf("https://ops.example.com/status/items?customer=%d", id) }})
	if err != nil {
		b.Fatal(err)
	}
	target := Path + "?" + helpScoutQuery("678")
	check := get(h, helpScoutQuery("678"))
	if check.Code != http.StatusOK || strings.Count(check.Body.String(), `<li class="item`) != DefaultLimit ||
		!strings.Contains(check.Body.String(), "More on the status page") {
		b.Fatalf("unexpected page: %d\n%s", check.Code, check.Body.String())
	}

	times := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	for b.Loop() {
		t0 := time.Now()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
		times = append(times, time.Since(t0))
		if rec.Code != http.StatusOK {
			b.Fatal(rec.Code)
		}
	}
	slices.Sort(times)
	pct := func(p float64) float64 {
		return float64(times[min(len(times)-1, int(p*float64(len(times))))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}
