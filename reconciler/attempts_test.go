package reconciler_test

import (
	"context"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/aircall-helpscout/aircall-helpscout/clients/helpscout/helpscouttest"
	"github.com/aircall-helpscout/aircall-helpscout/reconciler/reconcilertest"
	"github.com/aircall-helpscout/aircall-helpscout/store"
)

// TestOneAttemptPerPass: a failing item is retried on later passes up to
// a limit (docs/exactly-once.md#retries-then-parked). A pass lists its window and then retries, by ID, what lies
// before it; a call the listing just tried, that the advanced cursor puts
// before the next window, must not be tried (and counted) a second time in
// the same pass, nor read again from Aircall.
func TestOneAttemptPerPass(t *testing.T) {
	tests := []struct {
		name string
		ago  time.Duration // call start before the first pass
		step time.Duration // between passes
		want []int         // attempts after each pass
	}{
		{"failing call leaving the window on the second pass", 115 * time.Minute, 10 * time.Minute, []int{1, 2, 3}},
		{"failing call well inside the window", 30 * time.Minute, 10 * time.Minute, []int{1, 2, 3}},
		{"failing call retried by ID once out of the window", 30 * time.Minute, 3 * time.Hour, []int{1, 2, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			e := reconcilertest.New(t)
			e.Options.MaxAttempts = 10
			e.AddCall(1, "+34 612 34 56 78", tt.ago, reconcilertest.Missed(""))
			e.HS.InjectFault(helpscouttest.Fault{Method: "POST", PathPrefix: "/v2/customers", Status: 400, Count: 100})
			var got []int
			for range tt.want {
				e.Pass()
				it, _, _ := e.Store.GetItem(context.Background(), "default", "call", "1")
				got = append(got, it.Attempts)
				e.Clock.Advance(tt.step)
			}
			is.Equal(got, tt.want)
		})
	}

	// A call still in progress when it leaves the window is read once per
	// pass: by the listing, or by ID once it is out of the window.
	is := is.New(t)
	e := reconcilertest.New(t)
	e.AddCall(2, "+34 612 34 56 78", 115*time.Minute, reconcilertest.Status("answered"))
	e.Pass()
	e.Clock.Advance(10 * time.Minute)
	before := len(e.AC.Requests())
	e.Pass()
	gets := 0
	for _, r := range e.AC.Requests()[before:] {
		if r.Path == "/v1/calls/2" {
			gets++
		}
	}
	is.Equal(gets, 0) // listed in this pass's window: no second read by ID
	it, _, _ := e.Store.GetItem(context.Background(), "default", "call", "2")
	is.Equal(it.State, store.StateWaiting)
}
