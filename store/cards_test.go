package store

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/matryer/is"
)

func TestCardClaimedOnce(t *testing.T) {
	is := is.New(t)
	s, _ := openTemp(t)
	ctx := context.Background()
	recv := time.Date(2026, 11, 30, 9, 0, 0, 123e6, time.UTC)

	ok, err := s.ClaimCard(ctx, Card{CallID: 42, Instance: "default", State: CardSending, ReceivedAt: recv})
	is.NoErr(err)
	is.True(ok)
	// A redelivery claims nothing, whatever state it would record.
	ok, err = s.ClaimCard(ctx, Card{CallID: 42, Instance: "default", State: CardSkippedAnonymous, ReceivedAt: recv})
	is.NoErr(err)
	is.True(!ok)

	c, found, err := s.GetCard(ctx, 42)
	is.NoErr(err)
	is.True(found)
	is.Equal(c.State, CardSending)
	is.Equal(c.ReceivedAt, recv) // milliseconds kept
	is.Equal(c.Latency(), time.Duration(0))

	is.NoErr(s.FinishCard(ctx, Card{CallID: 42, State: CardSent, FinishedAt: recv.Add(87 * time.Millisecond), CustomerID: 7}))
	c, _, err = s.GetCard(ctx, 42)
	is.NoErr(err)
	is.Equal(c.State, CardSent)
	is.Equal(c.CustomerID, int64(7))
	is.Equal(c.Latency(), 87*time.Millisecond)

	// A final state is never overwritten (a late finish after a drop).
	err = s.FinishCard(ctx, Card{CallID: 42, State: CardFailed, FinishedAt: recv.Add(time.Second), Error: "boom"})
	is.True(err != nil)
	is.True(strings.Contains(err.Error(), "call 42"))
	c, _, _ = s.GetCard(ctx, 42)
	is.Equal(c.State, CardSent)

	_, found, err = s.GetCard(ctx, 43)
	is.NoErr(err)
	is.True(!found)
}

func TestCardClaimRejectsBadInput(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		card Card
		want string
	}{
		{"no call", Card{Instance: "a", State: CardSending}, "call 0"},
		{"no instance", Card{CallID: 1, State: CardSending}, `instance ""`},
		{"no state", Card{CallID: 1, Instance: "a"}, `state ""`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			is := is.New(t)
			_, err := s.ClaimCard(ctx, tc.card)
			is.True(err != nil)
			is.True(strings.Contains(err.Error(), tc.want))
		})
	}
	is := is.New(t)
	err := s.FinishCard(ctx, Card{CallID: 1, State: CardSending})
	is.True(err != nil && strings.Contains(err.Error(), "not final"))
}

// Deliveries racing each other: exactly one wins the claim.
func TestCardClaimRace(t *testing.T) {
	is := is.New(t)
	s, _ := openTemp(t)
	var won atomic.Int32
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := s.ClaimCard(context.Background(), Card{CallID: 9, Instance: "default", State: CardSending})
			if err != nil {
				t.Error(err)
			}
			if ok {
				won.Add(1)
			}
		}()
	}
	wg.Wait()
	is.Equal(won.Load(), int32(1))
}

func TestStoryCarriesTheCard(t *testing.T) {
	is := is.New(t)
	s, _ := openTemp(t)
	ctx := context.Background()
	is.NoErr(s.PutItem(ctx, item("77", StateWaiting, t0)))
	st, ok, err := s.ItemStory(ctx, "default", KindCall, "77")
	is.NoErr(err)
	is.True(ok)
	is.True(st.Card == nil)
	_, err = s.ClaimCard(ctx, Card{CallID: 77, Instance: "default", State: CardSending, ReceivedAt: t0})
	is.NoErr(err)
	st, _, err = s.ItemStory(ctx, "default", KindCall, "77")
	is.NoErr(err)
	is.Equal(st.Card.State, CardSending)
}
