package reconciler_test

import (
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/aircall-helpscout/aircall-helpscout/clients/aircall"
	"github.com/aircall-helpscout/aircall-helpscout/reconciler/reconcilertest"
	"github.com/aircall-helpscout/aircall-helpscout/store"
)

// TestWaitingCountedOnceForMetrics: a call waiting over several passes is
// one waiting item for the metrics hook (items_total), reported when it
// starts waiting, while each pass's result still says it saw it waiting.
func TestWaitingCountedOnceForMetrics(t *testing.T) {
	is := is.New(t)
	e := reconcilertest.New(t)
	hooked := map[store.Outcome]int{}
	e.Options.OnItem = func(_ string, _ store.Kind, outcome store.Outcome) { hooked[outcome]++ }
	e.AddCall(1, "+34 612 34 56 78", 20*time.Minute, reconcilertest.Status("answered")) // not done yet
	for pass := 1; pass <= 3; pass++ {
		res := e.Pass()
		is.Equal(res.Instances["default"].Counts[store.OutcomeWaiting], 1) // seen waiting by every pass
		e.Clock.Advance(5 * time.Minute)
	}
	is.Equal(hooked[store.OutcomeWaiting], 1) // counted once, when it started waiting

	e.AC.UpdateCall(1, func(c *aircall.Call) { c.Status = "done" })
	e.Pass()
	is.Equal(hooked[store.OutcomeWaiting], 1)
	is.Equal(hooked[store.OutcomeNewConversation], 1) // then its final outcome, once
}
