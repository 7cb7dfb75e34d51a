package reconciler_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/aircall-helpscout/aircall-helpscout/clients/aircall"
	"github.com/aircall-helpscout/aircall-helpscout/reconciler"
	"github.com/aircall-helpscout/aircall-helpscout/reconciler/reconcilertest"
	"github.com/aircall-helpscout/aircall-helpscout/store"
)

// cardRig is a card sender on the fakes with the real clock (card budgets
// are wall-clock seconds).
type cardRig struct {
	e       *reconcilertest.Env
	ac      *aircall.Client
	mu      sync.Mutex
	results map[string]int
}

func newCardRig(t *testing.T, priorityPerMinute int) *cardRig {
	t.Helper()
	e := reconcilertest.New(t)
	e.AC.SetClock(time.Now)
	cfg := e.AC.Config()
	cfg.RequestsPerMinute, cfg.PriorityPerMinute = 600, priorityPerMinute
	ac, err := aircall.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &cardRig{e: e, ac: ac, results: map[string]int{}}
}

func (r *cardRig) sender(st reconciler.CardStore, timeout time.Duration) *reconciler.CardSender {
	in := r.e.Instance
	in.InsightCards = true
	return reconciler.NewCardSender(r.ac, st, []reconciler.Instance{in}, reconciler.CardOptions{Timeout: timeout,
		OnResult: func(_, result string, _ time.Duration) { r.mu.Lock(); r.results[result]++; r.mu.Unlock() }})
}

func (r *cardRig) count(result string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.results[result]
}

func (r *cardRig) ringing(id int64, raw string) aircall.Call {
	return r.e.AddCall(id, raw, 0, func(c *aircall.Call) { c.Status, c.AnsweredAt, c.EndedAt = "initial", nil, nil })
}

// A spent priority lane cannot send within the timeout: the card is
// dropped at once (no wait in vain) and recorded, never sent later.
func TestCardDroppedWhenPriorityBudgetSpent(t *testing.T) {
	is := is.New(t)
	r := newCardRig(t, 2) // two cards a minute, both at once
	s := r.sender(r.e.Store, 2*time.Second)
	for i := range 3 {
		is.True(s.CallCreated(r.ringing(int64(800+i), fmt.Sprintf("+34 699 00 01 %02d", i)), time.Now()))
	}
	start := time.Now()
	s.Close()
	is.True(time.Since(start) < 2*time.Second) // the third did not wait out the timeout
	is.Equal(r.count(reconciler.CardResultSent), 2)
	is.Equal(r.count(reconciler.CardResultDroppedLate), 1)
	is.Equal(len(r.e.AC.AllCards()), 2)
	dropped := 0
	for i := range 3 {
		c, ok, err := r.e.Store.GetCard(context.Background(), int64(800+i))
		is.NoErr(err)
		is.True(ok)
		if c.State == store.CardDroppedLate {
			dropped++
			is.True(c.Error != "")
		}
	}
	is.Equal(dropped, 1)
}

// A serve killed between the claim and the answer leaves the call at
// "sending": a redelivery after the restart sends nothing, since the first
// card may have gone out.
func TestCardInterruptedNeverSentTwice(t *testing.T) {
	is := is.New(t)
	r := newCardRig(t, 10)
	c := r.ringing(810, "+34 699 00 02 00")
	_, err := r.e.Store.ClaimCard(context.Background(), store.Card{CallID: c.ID, Instance: "default", State: store.CardSending,
		ReceivedAt: time.Now().Add(-time.Second)})
	is.NoErr(err)
	s := r.sender(r.e.Store, time.Second)
	is.True(s.CallCreated(c, time.Now()))
	s.Close()
	is.Equal(len(r.e.AC.AllCards()), 0)
	got, _, err := r.e.Store.GetCard(context.Background(), c.ID)
	is.NoErr(err)
	is.Equal(got.State, store.CardSending)
}

// failingClaims is a store whose card claims fail, as a full disk would.
type failingClaims struct{ *store.Store }

func (failingClaims) ClaimCard(context.Context, store.Card) (bool, error) {
	return false, errors.New("disk I/O error")
}

// Without a record there is no promise of one card: none is sent, and the
// failure is counted.
func TestCardNotSentWithoutRecord(t *testing.T) {
	is := is.New(t)
	r := newCardRig(t, 10)
	s := r.sender(failingClaims{r.e.Store}, time.Second)
	is.True(s.CallCreated(r.ringing(820, "+34 699 00 03 00"), time.Now()))
	s.Close()
	is.Equal(len(r.e.AC.AllCards()), 0)
	is.Equal(r.count(reconciler.CardResultFailed), 1)
}

// Which calls are meant for a card, decided at once on the request path.
func TestCardCallCreatedFilters(t *testing.T) {
	r := newCardRig(t, 10)
	line := &aircall.Number{ID: reconcilertest.LineID, Digits: reconcilertest.LineDigits, Country: "ES"}
	s := r.sender(r.e.Store, time.Second)
	defer s.Close()
	off := r.e.Instance
	offSender := reconciler.NewCardSender(r.ac, r.e.Store, []reconciler.Instance{off}, reconciler.CardOptions{})
	defer offSender.Close()
	tests := []struct {
		name string
		s    *reconciler.CardSender
		call aircall.Call
		want bool
	}{
		{"inbound on the line", s, aircall.Call{ID: 1, Direction: "inbound", Number: line}, true},
		{"outbound", s, aircall.Call{ID: 2, Direction: "outbound", Number: line}, false},
		{"another line", s, aircall.Call{ID: 3, Direction: "inbound", Number: &aircall.Number{ID: 42, Digits: "+34 910 99 99 99"}}, false},
		{"no line", s, aircall.Call{ID: 4, Direction: "inbound"}, false},
		{"no id", s, aircall.Call{Direction: "inbound", Number: line}, false},
		{"cards off", offSender, aircall.Call{ID: 5, Direction: "inbound", Number: line}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			is := is.New(t)
			is.Equal(tc.s.CallCreated(tc.call, time.Now()), tc.want)
		})
	}
}
