package store

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"
)

// benchItem is a realistic logged call: numeric Aircall id, real-sized Help
// Scout ids, a short outcome and detail.
func benchItem(i int) Item {
	return Item{
		Instance: "default", Kind: KindCall, SourceID: fmt.Sprint(1_800_000_000 + i), State: StateLogged,
		Outcome: "new_conversation", Detail: "customer 712345678 (matched by phone)",
		OccurredAt: t0.Add(time.Duration(i) * time.Second), CustomerID: 712_345_678 + int64(i),
		ConversationID: 2_900_000_000 + int64(i), ThreadID: 8_100_000_000 + int64(i), Enrichment: EnrichmentDone, Attempts: 1,
	}
}

// BenchmarkPutItem measures single-row ledger upserts, one commit each, as a
// pass records its items.
func BenchmarkPutItem(b *testing.B) {
	s, _ := openTemp(b)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if err := s.PutItem(ctx, benchItem(i)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "writes/s")
}

// BenchmarkPutItemUpdate measures rewriting an existing row (retries,
// enrichment), which touches the secondary indexes.
func BenchmarkPutItemUpdate(b *testing.B) {
	s, _ := openTemp(b)
	ctx := context.Background()
	const rows = 1000
	for i := range rows {
		if err := s.PutItem(ctx, benchItem(i)); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		it := benchItem(i % rows)
		it.Attempts = i
		if err := s.PutItem(ctx, it); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "writes/s")
}

// BenchmarkGetItem measures the ledger lookup every pass does per call.
func BenchmarkGetItem(b *testing.B) {
	s, _ := openTemp(b)
	ctx := context.Background()
	const rows = 10_000
	fillItems(b, s, rows)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, ok, err := s.GetItem(ctx, "default", KindCall, benchItem(i%rows).SourceID); err != nil || !ok {
			b.Fatal(ok, err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reads/s")
}

// BenchmarkSaveMessage measures webhook inbox inserts.
func BenchmarkSaveMessage(b *testing.B) {
	s, _ := openTemp(b)
	ctx := context.Background()
	payload := []byte(`{"id":"1234567","direction":"inbound","external_number":"+33612345678","body":"Hello, I would like to know about my order","status":"received"}`)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, _, err := s.SaveMessage(ctx, InboxMessage{MessageID: fmt.Sprint(i), Event: "message.received", Payload: payload}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "writes/s")
}

// BenchmarkSizePer100kItems fills a fresh ledger with 100,000 logged calls
// (batched with PutItems) and reports the database size. Run with
// -benchtime=1x; each iteration is a whole fill.
func BenchmarkSizePer100kItems(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		s, _ := openTemp(b)
		b.StartTimer()
		fillItems(b, s, 100_000)
		b.StopTimer()
		size := dbSize(b, s)
		b.ReportMetric(float64(size), "bytes/100k_items")
		b.ReportMetric(float64(size)/100_000, "bytes/item")
		_ = s.Close()
		b.StartTimer()
	}
}

// fillItems writes n bench items in batches of 1,000.
func fillItems(tb testing.TB, s *Store, n int) {
	tb.Helper()
	const batch = 1000
	for lo := 0; lo < n; lo += batch {
		items := make([]Item, 0, batch)
		for i := lo; i < min(lo+batch, n); i++ {
			items = append(items, benchItem(i))
		}
		if err := s.PutItems(context.Background(), items); err != nil {
			tb.Fatal(err)
		}
	}
}

// dbSize checkpoints the WAL into the main file and returns the bytes on
// disk for the database and its sidecars.
func dbSize(tb testing.TB, s *Store) int64 {
	tb.Helper()
	if _, err := s.w.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		tb.Fatal(err)
	}
	var total int64
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if st, err := os.Stat(s.Path() + suffix); err == nil {
			total += st.Size()
		}
	}
	return total
}

// TestSizePerItem keeps the size benchmark honest in ordinary test runs on a
// smaller fill, and guards against a schema change that bloats the ledger.
func TestSizePerItem(t *testing.T) {
	s, _ := openTemp(t)
	const n = 5000
	fillItems(t, s, n)
	size := dbSize(t, s)
	perItem := float64(size) / n
	t.Logf("%d items: %d bytes (%.0f bytes/item, ~%.1f MB per 100k)", n, size, perItem, perItem*100_000/1e6)
	if perItem > 600 {
		t.Errorf("ledger uses %.0f bytes per item, want <= 600", perItem)
	}
}
