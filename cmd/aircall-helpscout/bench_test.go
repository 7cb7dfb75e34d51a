package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// BenchmarkRunCatchUp measures a catch-up of 200 new calls through the
// whole command (config, clients, store, reconciler) against the fakes with
// the rate ceilings lifted, and reports what each call costs in requests:
// with real ceilings, those numbers set the speed.
func BenchmarkRunCatchUp(b *testing.B) {
	const calls = 200
	var hsUnits, acReqs, hsReqs float64
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		f := newFakesTB(b)
		for c := range calls {
			f.AddCall(int64(c+1), fmt.Sprintf("+34 612 %03d %03d", c/1000, c%1000), time.Duration(30+c)*time.Minute)
		}
		vars := with(f.vars, "DATABASE_PATH", filepath.Join(b.TempDir(), fmt.Sprintf("b%d.db", i)), "LOG_LEVEL", "error")
		since := time.Now().UTC().Add(-24 * time.Hour).Format(time.DateOnly)
		b.StartTimer()
		r := runCmd(context.Background(), vars, "run", "--since", since)
		b.StopTimer()
		if r.err != nil || !strings.Contains(r.stdout, fmt.Sprintf("new_conversation %d", calls)) {
			b.Fatalf("run: %v\n%s", r.err, r.stdout)
		}
		hsUnits, hsReqs, acReqs = float64(f.HS.Units()), float64(len(f.HS.Requests())), float64(len(f.AC.Requests()))
		b.StartTimer()
	}
	b.ReportMetric(hsUnits/calls, "hs-units/call")
	b.ReportMetric(hsReqs/calls, "hs-req/call")
	b.ReportMetric(acReqs/calls, "aircall-req/call")
}
