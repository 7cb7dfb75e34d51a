package main

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/aircall-helpscout/aircall-helpscout/reconciler"
)

// progress draws one self-overwriting line (items done/total, rate, ETA)
// on a terminal, at most a few times a second.
type progress struct {
	w     io.Writer
	now   func() time.Time
	start time.Time

	mu    sync.Mutex
	last  time.Time
	drawn bool
}

func newProgress(w io.Writer, now func() time.Time) *progress {
	return &progress{w: w, now: now, start: now()}
}

const progressEvery = 200 * time.Millisecond

func (p *progress) update(pr reconciler.Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	if p.drawn && now.Sub(p.last) < progressEvery && (pr.Total == 0 || pr.Done < pr.Total) {
		return
	}
	p.last, p.drawn = now, true
	fmt.Fprintf(p.w, "\r\033[K%s", progressLine(pr.Done, pr.Total, now.Sub(p.start)))
}

// finish ends the progress line so the summary starts on a fresh one.
func (p *progress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprintln(p.w)
	}
}

// progressLine formats "123/4000 items  5.2/s  ETA 12m24s"; without a
// total it shows done and rate only.
func progressLine(done, total int, elapsed time.Duration) string {
	rate := 0.0
	if elapsed > 0 {
		rate = float64(done) / elapsed.Seconds()
	}
	// The total counts the calls listed and the stored messages of the
	// period. Messages retried by ID are not in it: never show more done
	// than the total.
	if total > 0 && done > total {
		total = done
	}
	if total <= 0 {
		return fmt.Sprintf("%d items  %.1f/s", done, rate)
	}
	eta := "?"
	if rate > 0 && done <= total {
		eta = time.Duration(float64(total-done) / rate * float64(time.Second)).Round(time.Second).String()
	}
	return fmt.Sprintf("%d/%d items  %.1f/s  ETA %s", done, total, rate, eta)
}
