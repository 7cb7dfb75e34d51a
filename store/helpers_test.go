package store

import (
	"context"
	"database/sql"
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
	c := newClock()
	s, err := Open(context.Background(), path, Options{Now: c.Now})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s, c
}

func item(id string, state State, occ time.Time) Item {
	return Item{Instance: "default", Kind: KindCall, SourceID: id, State: state, OccurredAt: occ}
}

// buildAtVersion creates a database at path with the embedded migrations up
// to and including version, lets fill write rows as that version's code
// would have, and closes it, ready to be opened (and upgraded) by Open.
func buildAtVersion(t testing.TB, path string, version int, fill func(db *sql.DB)) {
	t.Helper()
	if err := ensureFile(path); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		t.Fatal(err)
	}
	old := &Store{path: path, w: db, ws: newStmtCache(db), clock: newClock().Now}
	ms, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	var upTo []migration
	for _, m := range ms {
		if m.version <= version {
			upTo = append(upTo, m)
		}
	}
	if err := old.applyMigrations(context.Background(), upTo); err != nil {
		t.Fatal(err)
	}
	fill(db)
	old.ws.close()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}
