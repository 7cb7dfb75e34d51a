package reconciler_test

import (
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/aircall-helpscout/aircall-helpscout/clients/helpscout/helpscouttest"
	"github.com/aircall-helpscout/aircall-helpscout/reconciler"
	"github.com/aircall-helpscout/aircall-helpscout/reconciler/reconcilertest"
)

// TestSettleFindsBackfilledConversationPastFirstPage: a catch-up creates an
// imported conversation dated at the call (or message), the server commits it
// and the answer is lost. The customer already has more conversations created
// after that date than fit on one page, so the landed conversation sorts past
// the first page of the crash check. It must still be found: no call is
// ever logged twice, even after a timeout once Help Scout committed
// (docs/exactly-once.md#settling-an-interrupted-write).
func TestSettleFindsBackfilledConversationPastFirstPage(t *testing.T) {
	const newer = 60 // more than one page (50) of newer conversations
	tests := []struct {
		name string
		// run seeds the item, pads its customer's conversations with pad,
		// and returns how many threads carry the item's marker afterwards.
		run func(is *is.I, e *reconcilertest.Env, pad func(customerID int64)) int
	}{
		{"call from a known customer", func(is *is.I, e *reconcilertest.Env, pad func(int64)) int {
			pad(e.Customer("Marta", "Ruiz", 1000*time.Hour, "+34612345678"))
			e.AddCall(5, "+34 612 34 56 78", 10*24*time.Hour, reconcilertest.Missed("no_available_agent"))
			return catchUpTwice(e, func() int { th, _ := e.PhoneThreads(5); return len(th) })
		}},
		{"anonymous call", func(is *is.I, e *reconcilertest.Env, pad func(int64)) int {
			e.AddCall(1, "anonymous", 11*24*time.Hour, reconcilertest.Missed("no_available_agent"))
			e.Pass(reconciler.PassOptions{Since: e.Clock.Now().Add(-12 * 24 * time.Hour), Until: e.Clock.Now().Add(-10*24*time.Hour - time.Hour)})
			th, cv := e.PhoneThreads(1)
			is.Equal(len(th), 1)
			conv, _ := e.HS.Conversation(cv[0])
			pad(conv.PrimaryCustomer.ID) // the instance's anonymous customer
			e.AddCall(5, "anonymous", 10*24*time.Hour, reconcilertest.Missed("no_available_agent"))
			return catchUpTwice(e, func() int { th, _ := e.PhoneThreads(5); return len(th) })
		}},
		{"message", func(is *is.I, e *reconcilertest.Env, pad func(int64)) int {
			pad(e.Customer("Marta", "Ruiz", 1000*time.Hour, "+34612345678"))
			rc := newReceiver(e.TB, e.Store)
			rc.deliver(e.TB, "message.received", msg{ID: "m5", Direction: "inbound", External: "+34612345678", Body: "hola",
				Status: "received", Created: e.Clock.Now().Add(-10 * 24 * time.Hour)})
			return catchUpTwice(e, func() int { th, _ := messageThreads(e, "m5"); return len(th) })
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			e := reconcilertest.New(t)
			pad := func(customerID int64) {
				for i := 0; i < newer; i++ {
					e.HS.AddConversation(helpscouttest.SeedConversation{Subject: "later", Status: "closed", MailboxID: reconcilertest.MailboxID,
						CustomerID: customerID, CreatedAt: e.Clock.Now().Add(-time.Duration(i+1) * time.Hour)})
				}
			}
			is.Equal(tt.run(is, e, pad), 1) // logged exactly once
		})
	}
}

// catchUpTwice back-fills the last 11 days with the conversation create
// committed on the server but answered with a 500, then runs the same
// catch-up again, and returns count().
func catchUpTwice(e *reconcilertest.Env, count func() int) int {
	e.HS.InjectFault(helpscouttest.Fault{Method: "POST", PathPrefix: "/v2/conversations", AfterCommit: true, Status: 500})
	po := reconciler.PassOptions{Since: e.Clock.Now().Add(-11 * 24 * time.Hour)}
	e.Pass(po)
	e.Pass(po)
	return count()
}
