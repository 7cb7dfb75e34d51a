package aircall_test

import (
	"testing"
	"time"
)

// BenchmarkListCalls lists 50,000 calls (with a dense burst that forces
// splits) and reports the requests spent per 1,000 calls listed.
func BenchmarkListCalls(b *testing.B) {
	clk := newClock()
	srv, c := newFake(b, clk, nil)
	base := int64(1_790_000_000)
	last := seedCalls(srv, 1, 40_000, base, 2)
	last = seedCalls(srv, 100_000, 10_000, last, 2_500)
	b.ResetTimer()
	var calls, reqs int
	for b.Loop() {
		before := c.Stats().Total
		got := collect(b, c, time.Unix(base, 0), time.Unix(last, 0))
		calls += len(got)
		reqs += c.Stats().Total - before
		if len(got) != 50_000 {
			b.Fatalf("got %d calls", len(got))
		}
	}
	b.ReportMetric(float64(reqs)*1000/float64(calls), "requests/1000calls")
}
