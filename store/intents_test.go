package store

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/matryer/is"
)

func TestIntentLifecycle(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	s, clock := openTemp(t)

	begin := func(instance, source, action string, target int64) int64 {
		id, err := s.BeginIntent(ctx, Intent{Instance: instance, Kind: KindCall, SourceID: source, Action: action, TargetID: target})
		is.NoErr(err)
		return id
	}
	a := begin("default", "c1", "create_customer", 0)
	clock.Add(time.Second)
	b := begin("default", "c1", "create_conversation", 0)
	c := begin("default", "c2", "add_phone_thread", 77)
	d := begin("other", "c1", "add_note", 5)

	open, err := s.OpenIntents(ctx, "default", KindCall, "c1")
	is.NoErr(err)
	is.Equal(len(open), 2)
	is.Equal(open[0].ID, a) // oldest first
	is.Equal(open[1].ID, b)
	is.Equal(open[0].Action, "create_customer")
	is.Equal(open[0].CreatedAt, t0)
	is.True(!open[0].Done)

	clock.Add(time.Second)
	is.NoErr(s.FinishIntent(ctx, a, 1234))
	is.NoErr(s.FinishIntent(ctx, a, 1234)) // finishing twice is harmless
	is.True(s.FinishIntent(ctx, 999999, 1) != nil)

	open, err = s.OpenIntents(ctx, "default", KindCall, "c1")
	is.NoErr(err)
	is.Equal(len(open), 1)
	is.Equal(open[0].ID, b)

	all, err := s.AllOpenIntents(ctx, "default")
	is.NoErr(err)
	is.Equal(len(all), 2)
	is.Equal(all[0].ID, b)
	is.Equal(all[1].ID, c)
	is.Equal(all[1].TargetID, int64(77))

	other, err := s.AllOpenIntents(ctx, "other")
	is.NoErr(err)
	is.Equal(len(other), 1)
	is.Equal(other[0].ID, d)

	// The journal keeps finished entries, with their results.
	journal, err := s.Intents(ctx, "default", KindCall, "c1")
	is.NoErr(err)
	is.Equal(len(journal), 2)
	is.Equal(journal[0].ID, a)
	is.True(journal[0].Done)
	is.Equal(journal[0].ResultID, int64(1234))
	is.Equal(journal[0].DoneAt, t0.Add(2*time.Second))
	is.True(!journal[1].Done)

	is.NoErr(s.FinishIntent(ctx, c, IntentNotLanded))
	journal, err = s.Intents(ctx, "default", KindCall, "c2")
	is.NoErr(err)
	is.Equal(journal[0].ResultID, IntentNotLanded)

	// Pruning removes only finished intents older than the cut-off.
	n, err := s.PruneIntents(ctx, clock.Now())
	is.NoErr(err)
	is.Equal(n, int64(0)) // finished at the cut-off: kept
	n, err = s.PruneIntents(ctx, clock.Now().Add(time.Second))
	is.NoErr(err)
	is.Equal(n, int64(2)) // a and c
	all, err = s.AllOpenIntents(ctx, "default")
	is.NoErr(err)
	is.Equal(len(all), 1)
	is.Equal(all[0].ID, b)

	_, err = s.BeginIntent(ctx, Intent{Instance: "default"})
	is.True(err != nil && strings.Contains(err.Error(), "empty instance, kind, source id or action")) // incomplete intent rejected
}
