package reconciler_test

import (
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/aircall-helpscout/aircall-helpscout/clients/helpscout/helpscouttest"
	"github.com/aircall-helpscout/aircall-helpscout/reconciler"
	"github.com/aircall-helpscout/aircall-helpscout/reconciler/reconcilertest"
	"github.com/aircall-helpscout/aircall-helpscout/rules"
	"github.com/aircall-helpscout/aircall-helpscout/store"
)

// REOPEN_CLOSED (docs/rules.md#reopen-closed): a conversation closed less
// than 48 hours before the call started is reopened; one closed after a back-filled call started is not.
func TestBackfillDoesNotReopenConversationClosedAfterTheCall(t *testing.T) {
	tests := []struct {
		name      string
		closedAgo time.Duration // before now; the call started 3 days ago
		wantOut   store.Outcome
	}{
		{"closed yesterday, after the call", 24 * time.Hour, "new_conversation"},
		{"closed the day before the call", 4 * 24 * time.Hour, "reopened_conversation"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			e := reconcilertest.New(t)
			e.Instance.Conversation = rules.ConversationPolicy{Mode: rules.ModeExisting, ReopenClosed: true}
			cust := e.Customer("Marta", "Ruiz", 10*24*time.Hour, "+34612345678")
			now := e.Clock.Now()
			seeded := e.HS.AddConversation(helpscouttest.SeedConversation{Subject: "earlier", Status: "closed", MailboxID: reconcilertest.MailboxID,
				CustomerID: cust, CreatedAt: now.Add(-6 * 24 * time.Hour), ClosedAt: now.Add(-tt.closedAgo)})
			e.AddCall(1, "+34 612 34 56 78", 3*24*time.Hour, reconcilertest.Missed(""))
			res := e.Pass(reconciler.PassOptions{Since: now.Add(-5 * 24 * time.Hour), Until: now.Add(-2 * 24 * time.Hour)})
			is.Equal(res.Instances["default"].Counts[tt.wantOut], 1)
			_, cv := e.PhoneThreads(1)
			is.Equal(len(cv), 1)
			is.Equal(cv[0] == seeded, tt.wantOut == "reopened_conversation")
			conv, _ := e.HS.Conversation(seeded)
			is.Equal(conv.Status, map[bool]string{true: "active", false: "closed"}[tt.wantOut == "reopened_conversation"])
		})
	}
}
