package helpscout

import (
	"sync"
	"testing"
	"time"

	"github.com/matryer/is"
)

// TestWindowCap: take admits units while the window has room, says how long
// to wait for the oldest spend to expire otherwise, and never admits more
// than the budget when called from many goroutines at once.
func TestWindowCap(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	at := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }
	tests := []struct {
		name  string
		takes []float64 // seconds after t0, 1 unit each unless units set
		units []int
		waits []time.Duration
	}{
		{"fits", []float64{0, 1, 2}, []int{1, 1, 1}, []time.Duration{0, 0, 0}},
		{"full until the first expires", []float64{0, 10, 20, 30}, []int{2, 1, 1, 1}, []time.Duration{0, 0, 0, 30 * time.Second}},
		{"expired at exactly 60 s", []float64{0, 1, 2, 60}, []int{2, 1, 1, 1}, []time.Duration{0, 0, 0, 0}},
		{"write waits for two units", []float64{0, 1, 2, 3}, []int{1, 1, 2, 2}, []time.Duration{0, 0, 0, 58 * time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			w := newWindowCap(4, time.Minute)
			for i, s := range tt.takes {
				is.Equal(w.take(at(s), tt.units[i]), tt.waits[i])
			}
		})
	}

	is := is.New(t)
	w := newWindowCap(50, time.Minute)
	var wg sync.WaitGroup
	var mu sync.Mutex
	admitted := 0
	for range 8 {
		wg.Go(func() {
			for range 20 {
				if w.take(t0, 1) == 0 {
					mu.Lock()
					admitted++
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	is.Equal(admitted, 50)
}
