package helpscout

import (
	"sync"
	"time"
)

// windowCap is a hard cap on the units spent in any 60-second window. The
// token bucket in front of it smooths traffic but, with a burst b, lets a
// minute hold b + RequestsPerMinute units; this cap takes that back without
// slowing a long run: it only delays units that would overflow the window,
// so a catch-up still spends exactly RequestsPerMinute units a minute.
//
// Windows are half-open, (t-60s, t]: a unit spent at t has left the window
// at t+60s. That also bounds every fixed clock minute, which is how the
// server counts its budget.
type windowCap struct {
	mu     sync.Mutex
	budget int
	span   time.Duration
	log    []spend // oldest first
	sum    int     // units in log
}

type spend struct {
	at    time.Time
	units int
}

func newWindowCap(budget int, span time.Duration) *windowCap {
	return &windowCap{budget: budget, span: span}
}

// take records units spent at now and returns 0 when they fit in the window
// ending at now; otherwise it records nothing and returns how long to wait
// until enough of the window has expired (then call take again).
func (w *windowCap) take(now time.Time, units int) time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	drop := 0
	for drop < len(w.log) && !w.log[drop].at.Add(w.span).After(now) {
		w.sum -= w.log[drop].units
		drop++
	}
	w.log = w.log[drop:]
	if w.sum+units <= w.budget {
		w.log = append(w.log, spend{now, units})
		w.sum += units
		return 0
	}
	need, freed := w.sum+units-w.budget, 0
	for _, s := range w.log {
		freed += s.units
		if freed >= need {
			return s.at.Add(w.span).Sub(now)
		}
	}
	return w.span // units > budget: New makes the budget hold a write
}
