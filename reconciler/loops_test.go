package reconciler_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/aircall-helpscout/aircall-helpscout/clients/helpscout/helpscouttest"
	"github.com/aircall-helpscout/aircall-helpscout/reconciler"
	"github.com/aircall-helpscout/aircall-helpscout/reconciler/reconcilertest"
	"github.com/aircall-helpscout/aircall-helpscout/store"
)

// TestOutageBreakerStopsEveryLoop: five API failures in a row stop the pass
// whichever loop meets them, leaving the rest for the next pass instead of
// spending the API budget on an outage.
func TestOutageBreakerStopsEveryLoop(t *testing.T) {
	tests := []struct {
		name     string
		setup    func(e *reconcilertest.Env)
		attempts func(e *reconcilertest.Env) int // items the failing loop tried
	}{
		{
			name: "messages",
			setup: func(e *reconcilertest.Env) {
				for i := range 8 {
					saveMessage(e, fmt.Sprintf("m%d", i), fmt.Sprintf("+34 612 00 00 %02d", i), e.Clock.Now().Add(-time.Duration(10-i)*time.Minute))
				}
				e.HS.InjectFault(helpscouttest.Fault{Method: "POST", PathPrefix: "/v2/customers", Status: 503, Count: 1000})
			},
			attempts: func(e *reconcilertest.Env) int {
				items, _ := e.Store.ListItems(context.Background(), store.ItemFilter{Instance: "default", Kind: store.KindMessage})
				return len(items)
			},
		},
		{
			name: "late insights",
			setup: func(e *reconcilertest.Env) {
				for i := range 8 {
					e.AddCall(int64(i+1), fmt.Sprintf("+34 612 00 00 %02d", i), 30*time.Minute)
				}
				e.Instance.LogMessages = false
				e.Pass() // all logged, insights to follow
				for i := range 8 {
					e.ReadyAI(int64(i + 1))
				}
				e.Clock.Advance(5 * time.Minute)
				e.HS.InjectFault(helpscouttest.Fault{Method: "POST", PathPrefix: "/v2/conversations/", Status: 503, Count: 1000})
			},
			attempts: func(e *reconcilertest.Env) int {
				convs := map[string]bool{}
				for _, r := range e.HS.Requests() {
					if r.Method == "POST" && strings.HasSuffix(r.Path, "/notes") {
						convs[r.Path] = true
					}
				}
				return len(convs)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			e := reconcilertest.New(t)
			tt.setup(e)
			_, err := e.Reconciler().RunPass(context.Background(), reconciler.PassOptions{})
			is.True(err != nil && strings.Contains(err.Error(), "the APIs keep failing")) // the pass stops and says why
			is.Equal(tt.attempts(e), 5)                                                   // and tries no more items
		})
	}
}

// failingLedger is a store whose ledger writes fail (a full disk).
type failingLedger struct{ *store.Store }

func (failingLedger) PutItem(context.Context, store.Item) error { return errors.New("disk I/O error") }

// TestLedgerWriteFailureFailsThePass: a call logged in Help Scout whose
// ledger row cannot be written must not be reported as a good pass, and the
// pass must not go on making writes nobody records.
func TestLedgerWriteFailureFailsThePass(t *testing.T) {
	is := is.New(t)
	e := reconcilertest.New(t)
	e.AddCall(1, "+34 612 34 56 78", 40*time.Minute, reconcilertest.Missed(""))
	e.AddCall(2, "+34 612 34 56 79", 30*time.Minute, reconcilertest.Missed(""))
	r := reconciler.New(e.ACC, e.HSC, failingLedger{e.Store}, []reconciler.Instance{e.Instance}, e.Options)
	_, err := r.RunPass(context.Background(), reconciler.PassOptions{})
	is.True(err != nil && strings.Contains(err.Error(), "disk I/O error")) // the pass failed
	is.True(!errors.Is(err, reconciler.ErrFatal))                          // the next pass may fare better
	th1, _ := e.PhoneThreads(1)
	th2, _ := e.PhoneThreads(2)
	is.Equal(len(th1)+len(th2), 1) // stopped after the first call
}
