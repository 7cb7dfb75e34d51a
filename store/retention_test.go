package store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/matryer/is"
)

// TestPrune: past the retention, the payloads of logged messages and the
// run records go (the newest run of each instance stays); messages not
// logged, recent ones, and the ledger itself are kept. The store's clock is
// injected, so "old" is 100 days of fake time.
func TestPrune(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	s, clock := openTemp(t)
	day := 24 * time.Hour

	save := func(id string) {
		_, _, err := s.SaveMessage(ctx, InboxMessage{MessageID: id, Event: "message.received", Payload: []byte(`{"id":"` + id + `"}`)})
		is.NoErr(err)
	}
	msgItem := func(id string, state State) {
		is.NoErr(s.PutItem(ctx, Item{Instance: "default", Kind: KindMessage, SourceID: id, State: state, OccurredAt: clock.Now()}))
	}
	run := func(instance string) {
		id, err := s.StartRun(ctx, Run{Instance: instance, Mode: "scheduled"})
		is.NoErr(err)
		is.NoErr(s.FinishRun(ctx, id, time.Time{}, nil, ""))
	}

	// 100 days ago: two logged messages, one failed, one never handled, runs.
	save("old-logged-1")
	save("old-logged-2")
	save("old-failed")
	save("old-unseen")
	msgItem("old-logged-1", StateLogged)
	msgItem("old-logged-2", StateLogged)
	msgItem("old-failed", StateFailed)
	run("default")
	run("default")
	run("partners") // partners' only run: kept although old
	clock.Add(100 * day)
	// Today: a logged message and a run.
	save("new-logged")
	msgItem("new-logged", StateLogged)
	run("default")

	before, err := s.CountItems(ctx, "default")
	is.NoErr(err)
	p, err := s.Prune(ctx, clock.Now().Add(-90*day))
	is.NoErr(err)
	is.Equal(p.Messages, int64(2)) // the two old logged payloads
	is.Equal(p.Runs, int64(2))     // default's two old runs

	for id, want := range map[string]bool{"old-logged-1": false, "old-logged-2": false, "old-failed": true, "old-unseen": true, "new-logged": true} {
		_, found, err := s.GetMessage(ctx, id)
		is.NoErr(err)
		is.Equal(found, want) // only old logged payloads are gone
	}
	after, err := s.CountItems(ctx, "default")
	is.NoErr(err)
	is.Equal(after, before) // the ledger is kept for ever
	runs, err := s.Runs(ctx, "default", 10)
	is.NoErr(err)
	is.Equal(len(runs), 1)
	runs, err = s.Runs(ctx, "partners", 10)
	is.NoErr(err)
	is.Equal(len(runs), 1) // the newest run of an instance stays

	k, err := s.RetentionInfo(ctx)
	is.NoErr(err)
	is.Equal(k.Messages, 3)
	is.Equal(k.Runs, 2)
	is.Equal(k.OldestMessage, t0) // old-failed and old-unseen
	is.Equal(k.OldestRun, t0)     // partners' run

	// Pruning again deletes nothing more.
	p, err = s.Prune(ctx, clock.Now().Add(-90*day))
	is.NoErr(err)
	is.Equal(p, Pruned{})

	// A late webhook about a pruned message makes a new row (new seq).
	seq, inserted, err := s.SaveMessage(ctx, InboxMessage{MessageID: "old-logged-1", Payload: []byte(`{}`)})
	is.NoErr(err)
	is.True(inserted)
	is.True(seq > 5)
}

func TestRetentionInfoEmpty(t *testing.T) {
	is := is.New(t)
	s, _ := openTemp(t)
	k, err := s.RetentionInfo(context.Background())
	is.NoErr(err)
	is.Equal(k, Kept{})
}

// TestPruneInterruptedKeepsAllOrNothing: a prune that fails after deleting
// the old message payloads but before the old run records (here a trigger
// aborts the second delete, as a full disk or a kill would) leaves the file
// exactly as before, read again after a restart; the next prune does it all.
func TestPruneInterruptedKeepsAllOrNothing(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "prune.db")
	s, clock := openAt(t, path)
	day := 24 * time.Hour
	for _, id := range []string{"m1", "m2"} {
		_, _, err := s.SaveMessage(ctx, InboxMessage{MessageID: id, Event: "message.received", Payload: []byte(`{}`)})
		is.NoErr(err)
		is.NoErr(s.PutItem(ctx, Item{Instance: "default", Kind: KindMessage, SourceID: id, State: StateLogged, OccurredAt: clock.Now()}))
	}
	for range 3 {
		id, err := s.StartRun(ctx, Run{Instance: "default", Mode: "scheduled"})
		is.NoErr(err)
		is.NoErr(s.FinishRun(ctx, id, time.Time{}, nil, ""))
	}
	clock.Add(100 * day)
	before, err := s.RetentionInfo(ctx)
	is.NoErr(err)
	is.Equal(before.Messages, 2)
	is.Equal(before.Runs, 3)

	_, err = s.w.ExecContext(ctx, `CREATE TRIGGER prune_dies BEFORE DELETE ON runs BEGIN SELECT RAISE(ABORT, 'killed half-way'); END`)
	is.NoErr(err)
	_, err = s.Prune(ctx, clock.Now().Add(-90*day))
	is.True(err != nil && strings.Contains(err.Error(), "killed half-way")) // the runs delete failed...
	is.NoErr(s.Close())

	s, _ = openAt(t, path) // restart on the same file
	after, err := s.RetentionInfo(ctx)
	is.NoErr(err)
	is.Equal(after, before) // ...and the payloads deleted before it were kept: nothing, not half
	_, err = s.w.ExecContext(ctx, `DROP TRIGGER prune_dies`)
	is.NoErr(err)
	s.clock = clock.Now
	p, err := s.Prune(ctx, clock.Now().Add(-90*day))
	is.NoErr(err)
	is.Equal(p, Pruned{Messages: 2, Runs: 2}) // all of it, the newest run kept
}
