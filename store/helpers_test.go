package store

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"
)

// t0 is the fixed start of the fake clock.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// fakeClock is a settable clock safe for concurrent readers.
type fakeClock struct{ unix atomic.Int64 }

func newClock() *fakeClock               { c := &fakeClock{}; c.unix.Store(t0.Unix()); return c }
func (c *fakeClock) Now() time.Time      { return time.Unix(c.unix.Load(), 0).UTC() }
func (c *fakeClock) Add(d time.Duration) { c.unix.Add(int64(d / time.Second)) }

// openTemp opens a fresh store in a temp dir with a fake clock.
func openTemp(t testing.TB) (*Store, *fakeClock) {
	t.Helper()
	return openAt(t, filepath.Join(t.TempDir(), "data", "test.db"))
}

func openAt(t testing.TB, path string) (*Store, *fakeClock) {
	t.Helper()
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	c := newClock()
	s.Now = c.Now
	t.Cleanup(func() { _ = s.Close() })
	return s, c
}

func item(id string, state string, occ time.Time) Item {
	return Item{Instance: "default", Kind: KindCall, SourceID: id, State: state, OccurredAt: occ}
}
