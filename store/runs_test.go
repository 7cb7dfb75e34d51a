package store

import (
	"context"
	"testing"
	"time"

	"github.com/matryer/is"
)

func TestRuns(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	s, clock := openTemp(t)

	_, ok, err := s.LastSuccessfulRun(ctx)
	is.NoErr(err)
	is.True(!ok)

	a, err := s.StartRun(ctx, Run{Instance: "default", Mode: "scheduled", Since: t0.Add(-2 * time.Hour), Until: t0})
	is.NoErr(err)
	clock.Add(time.Minute)
	is.NoErr(s.FinishRun(ctx, a, clock.Now(), map[Outcome]int{"new_conversation": 3, "skipped: duplicate customers": 1}, ""))

	clock.Add(time.Minute)
	b, err := s.StartRun(ctx, Run{Instance: "default", Mode: "scheduled"})
	is.NoErr(err)
	is.NoErr(s.FinishRun(ctx, b, clock.Now(), nil, "helpscout: 401"))

	c, err := s.StartRun(ctx, Run{Instance: "other", Mode: "catchup"}) // never finished
	is.NoErr(err)
	is.True(s.FinishRun(ctx, 999, clock.Now(), nil, "") != nil)

	runs, err := s.Runs(ctx, "default", 10)
	is.NoErr(err)
	is.Equal(len(runs), 2)
	is.Equal(runs[0].ID, b) // newest first
	is.Equal(runs[0].Error, "helpscout: 401")
	is.Equal(runs[0].Counts, map[Outcome]int{})
	is.Equal(runs[1], Run{
		ID: a, Instance: "default", Mode: "scheduled", Since: t0.Add(-2 * time.Hour), Until: t0,
		StartedAt: t0, FinishedAt: t0.Add(time.Minute),
		Counts: map[Outcome]int{"new_conversation": 3, "skipped: duplicate customers": 1},
	})

	runs, err = s.Runs(ctx, "default", 1)
	is.NoErr(err)
	is.Equal(len(runs), 1)

	runs, err = s.Runs(ctx, "other", 0)
	is.NoErr(err)
	is.Equal(len(runs), 1)
	is.Equal(runs[0].ID, c)
	is.True(runs[0].FinishedAt.IsZero())

	last, ok, err := s.LastSuccessfulRun(ctx)
	is.NoErr(err)
	is.True(ok)
	is.Equal(last.ID, a) // failed and unfinished runs do not count
}

// TestRunProgress: a running pass's counts are readable before it finishes
// (a pass killed mid-way still shows what it did), and progress written
// after the end cannot overwrite the final counts.
func TestRunProgress(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	s, clock := openTemp(t)
	id, err := s.StartRun(ctx, Run{Instance: "default", Mode: "scheduled"})
	is.NoErr(err)
	is.NoErr(s.RunProgress(ctx, id, map[Outcome]int{"new_conversation": 2}))
	runs, err := s.Runs(ctx, "default", 1)
	is.NoErr(err)
	is.Equal(runs[0].Counts, map[Outcome]int{"new_conversation": 2})
	is.True(runs[0].FinishedAt.IsZero()) // still running (or died)

	is.NoErr(s.FinishRun(ctx, id, clock.Now(), map[Outcome]int{"new_conversation": 3}, ""))
	is.NoErr(s.RunProgress(ctx, id, map[Outcome]int{"new_conversation": 1}))
	runs, err = s.Runs(ctx, "default", 1)
	is.NoErr(err)
	is.Equal(runs[0].Counts, map[Outcome]int{"new_conversation": 3})
}
