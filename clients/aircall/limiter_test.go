package aircall_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/aircall-helpscout/aircall-helpscout/clients/aircall"
	"github.com/aircall-helpscout/aircall-helpscout/clients/aircall/aircalltest"
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

// TestLimiterSharedAcrossGoroutines uses the real clock at 60,000/min (one
// request per ms): 40 requests from 4 goroutines cannot finish in under
// 39 ms if they share one limiter.
func TestLimiterSharedAcrossGoroutines(t *testing.T) {
	is := is.New(t)
	srv := aircalltest.NewServer()
	defer srv.Close()
	cfg := srv.Config()
	cfg.RequestsPerMinute = 60_000
	c, err := aircall.New(cfg)
	is.NoErr(err)
	start := time.Now()
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 10 {
				if err := c.Ping(context.Background()); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	is.True(time.Since(start) >= 39*time.Millisecond)
	is.Equal(c.Stats().Requests["GET /v1/ping 200"], 40)
}
