package main

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/aircall-helpscout/aircall-helpscout/store"
)

// TestServePrunesOnceADay: at the end of a pass serve applies RETENTION,
// then not again for a day (fake clock shared by the store and serve).
func TestServePrunesOnceADay(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "r.db"), store.Options{Now: clock})
	is.NoErr(err)
	defer st.Close()
	s := &server{a: &app{cfg: &Config{Retention: 10 * 24 * time.Hour}, st: st}, log: slog.New(slog.NewTextHandler(io.Discard, nil)), now: clock}

	oldRun := func() {
		id, err := st.StartRun(ctx, store.Run{Instance: "default", Mode: "scheduled"})
		is.NoErr(err)
		is.NoErr(st.FinishRun(ctx, id, time.Time{}, nil, ""))
	}
	runs := func() int {
		k, err := st.RetentionInfo(ctx)
		is.NoErr(err)
		return k.Runs
	}
	oldRun()
	oldRun()
	now = now.Add(11 * 24 * time.Hour)
	oldRun() // today's
	s.maybePrune(ctx)
	is.Equal(runs(), 1) // the two runs older than 10 days are gone

	now = now.Add(-10 * 24 * time.Hour) // put an old run back...
	oldRun()
	now = now.Add(10*24*time.Hour + time.Hour)
	oldRun() // (and a newer one: the newest of an instance is always kept)
	s.maybePrune(ctx)
	is.Equal(runs(), 3) // ...not pruned: the last prune was an hour ago

	now = now.Add(pruneEvery)
	s.maybePrune(ctx)
	is.Equal(runs(), 2) // a day later the old one goes
}
