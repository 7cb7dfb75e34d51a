package aircall_test

import (
	"context"
	"testing"
	"time"

	"github.com/aircall-helpscout/aircall-helpscout/clients/aircall"
	"github.com/matryer/is"
)

// TestLimiterKeepsMinuteUnderBudget runs five minutes of traffic on a fake
// clock (instant, deterministic): no 60-second window ever holds more than
// RequestsPerMinute requests, and the run is not slower than the budget.
func TestLimiterKeepsMinuteUnderBudget(t *testing.T) {
	tests := []struct {
		name string
		rpm  int
	}{
		{"default-ish 50", 50},
		{"small 7", 7},
		{"large 600", 600},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			clk := newClock()
			srv, c := newFake(t, clk, func(cfg *aircall.Config) { cfg.RequestsPerMinute = tt.rpm })
			srv.AddCall(aircall.Call{ID: 1, StartedAt: 1})
			ctx := context.Background()
			start := clk.Now()
			n := tt.rpm * 5
			for i := range n {
				var err error
				if i%2 == 0 { // different endpoints share one limiter
					err = c.Ping(ctx)
				} else {
					_, err = c.GetCall(ctx, 1)
				}
				is.NoErr(err)
			}
			reqs := srv.Requests()
			is.Equal(len(reqs), n)
			for i := 0; i+tt.rpm < len(reqs); i++ {
				span := reqs[i+tt.rpm].At.Sub(reqs[i].At)
				if span < time.Minute {
					t.Fatalf("%d requests within %v (budget %d/min)", tt.rpm+1, span, tt.rpm)
				}
			}
			elapsed := clk.Now().Sub(start)
			is.True(elapsed <= 5*time.Minute) // full budget speed, not slower
			is.True(elapsed >= 5*time.Minute-2*time.Minute/time.Duration(tt.rpm))
		})
	}
}
