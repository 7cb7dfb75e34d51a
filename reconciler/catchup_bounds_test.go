package reconciler_test

import (
	"context"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/aircall-helpscout/aircall-helpscout/reconciler"
	"github.com/aircall-helpscout/aircall-helpscout/reconciler/reconcilertest"
)

// TestCatchUpBoundsWithFractionsOfASecond: `run --since/--until` take RFC
// 3339, which allows a fraction of a second. Calls start on whole seconds,
// so [since, until) holds a call at second s exactly when ⌈since⌉ ≤ s <
// ⌈until⌉; a window built by truncating the bounds would take the call just
// before since and drop the one just before until.
func TestCatchUpBoundsWithFractionsOfASecond(t *testing.T) {
	half := 500 * time.Millisecond
	tests := []struct {
		name         string
		since, until time.Duration // after the first call's start
		want         map[int64]int // call ID → phone threads
	}{
		{name: "whole seconds", since: 0, until: time.Hour, want: map[int64]int{1: 1, 2: 1, 3: 0, 4: 0}},
		{name: "fractions", since: half, until: time.Hour + half, want: map[int64]int{1: 0, 2: 1, 3: 1, 4: 0}},
		{name: "until just after a call", since: time.Second, until: time.Hour + time.Nanosecond, want: map[int64]int{1: 0, 2: 1, 3: 1, 4: 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			e := reconcilertest.New(t)
			first := e.Clock.Now().Add(-3 * time.Hour).Truncate(time.Second)
			at := func(id int64, d time.Duration, raw string) {
				e.AddCall(id, raw, e.Clock.Now().Sub(first.Add(d)), reconcilertest.Missed(""))
			}
			at(1, 0, "+34 612 34 56 71")
			at(2, time.Second, "+34 612 34 56 72")
			at(3, time.Hour, "+34 612 34 56 73")
			at(4, time.Hour+time.Second, "+34 612 34 56 74")
			_, err := e.Reconciler().RunPass(context.Background(),
				reconciler.PassOptions{Since: first.Add(tt.since), Until: first.Add(tt.until)})
			is.NoErr(err)
			for id, want := range tt.want {
				th, _ := e.PhoneThreads(id)
				if len(th) != want {
					t.Errorf("call %d: %d phone threads, want %d", id, len(th), want)
				}
			}
		})
	}
}
