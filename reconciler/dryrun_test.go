package reconciler_test

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/aircall-helpscout/aircall-helpscout/clients/helpscout"
	"github.com/aircall-helpscout/aircall-helpscout/clients/helpscout/helpscouttest"
	"github.com/aircall-helpscout/aircall-helpscout/reconciler"
	"github.com/aircall-helpscout/aircall-helpscout/reconciler/reconcilertest"
	"github.com/aircall-helpscout/aircall-helpscout/rules"
	"github.com/aircall-helpscout/aircall-helpscout/store"
)

// TestDryRunAcrossPaths runs a dry pass on every kind of item a real pass
// writes for, and checks that nothing reached either API nor the database
// file, while the plan still says what would happen.
func TestDryRunAcrossPaths(t *testing.T) {
	const caller = "+34 612 34 56 78"
	existingMode := func(e *reconcilertest.Env) {
		e.Instance.Conversation = rules.ConversationPolicy{Mode: rules.ModeExisting, ReopenClosed: true}
	}
	tests := []struct {
		name  string
		setup func(e *reconcilertest.Env) // may run real passes first
		want  reconciler.PlanEntry        // Kind, ID and Outcome of one plan entry
	}{
		{
			name:  "new customer and conversation",
			setup: func(e *reconcilertest.Env) { e.AddCall(1, caller, 30*time.Minute) },
			want:  reconciler.PlanEntry{Kind: store.KindCall, ID: "1", Outcome: store.OutcomeNewConversation},
		},
		{
			name: "existing conversation, contact sync",
			setup: func(e *reconcilertest.Env) {
				existingMode(e)
				cust := e.Customer("Marta", "Ruiz", time.Hour, "+34612345678")
				e.HS.AddConversation(helpscouttest.SeedConversation{Subject: "earlier", MailboxID: reconcilertest.MailboxID,
					CustomerID: cust, CreatedAt: e.Clock.Now().Add(-2 * time.Hour)})
				e.AddCall(1, caller, 30*time.Minute)
			},
			want: reconciler.PlanEntry{Kind: store.KindCall, ID: "1", Outcome: store.OutcomeExistingConversation},
		},
		{
			name: "reopen and reassign",
			setup: func(e *reconcilertest.Env) {
				existingMode(e)
				e.Instance.Reassign = true
				cust := e.Customer("Marta", "Ruiz", 10*24*time.Hour, "+34612345678")
				other := e.HS.AddUser(helpscout.User{FirstName: "Luis", LastName: "Pardo", Email: "luis@example.com"})
				e.HS.AddConversation(helpscouttest.SeedConversation{Subject: "earlier", Status: "closed", MailboxID: reconcilertest.MailboxID,
					CustomerID: cust, AssigneeID: other, CreatedAt: e.Clock.Now().Add(-5 * time.Hour), ClosedAt: e.Clock.Now().Add(-4 * time.Hour)})
				e.AddCall(1, caller, 30*time.Minute)
			},
			want: reconciler.PlanEntry{Kind: store.KindCall, ID: "1", Outcome: store.OutcomeReopened},
		},
		{
			name: "late insights",
			setup: func(e *reconcilertest.Env) {
				e.AddCall(1, caller, 30*time.Minute)
				e.Pass() // logged with its insights pending
				e.ReadyAI(1)
				e.Clock.Advance(5 * time.Minute)
			},
			want: reconciler.PlanEntry{Kind: store.KindCall, ID: "1", Outcome: store.OutcomeEnriched},
		},
		{
			name: "message from a new number",
			setup: func(e *reconcilertest.Env) {
				saveMessage(e, "m1", caller, e.Clock.Now().Add(-10*time.Minute))
				saveMessage(e, "m2", caller, e.Clock.Now().Add(-9*time.Minute))
			},
			want: reconciler.PlanEntry{Kind: store.KindMessage, ID: "m2", Outcome: store.OutcomeExistingConversation},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			e := reconcilertest.New(t)
			tt.setup(e)
			hsBefore, acBefore := len(e.HS.Requests()), len(e.AC.Requests())
			dbBefore := dbDigest(t, e.DBPath)

			var plan []reconciler.PlanEntry
			_, err := e.Reconciler().RunPass(context.Background(), reconciler.PassOptions{DryRun: true,
				Plan: func(p reconciler.PlanEntry) { plan = append(plan, p) }})
			is.NoErr(err)

			for _, r := range e.HS.Requests()[hsBefore:] {
				is.True(r.Method == "GET" || r.Path == "/v2/oauth2/token") // no Help Scout write
			}
			for _, r := range e.AC.Requests()[acBefore:] {
				is.Equal(r.Method, "GET") // no Aircall write
			}
			is.Equal(dbDigest(t, e.DBPath), dbBefore) // no database write
			found := false
			for _, p := range plan {
				if p.Kind == tt.want.Kind && p.ID == tt.want.ID && p.Outcome == tt.want.Outcome {
					found = true
				}
			}
			if !found {
				t.Fatalf("plan %+v has no %s %s %s", plan, tt.want.Kind, tt.want.ID, tt.want.Outcome)
			}
		})
	}
}

// dbDigest hashes the database file and its write-ahead log: any write
// changes one of them.
func dbDigest(t *testing.T, path string) [32]byte {
	t.Helper()
	h := sha256.New()
	for _, p := range []string{path, path + "-wal"} {
		b, err := os.ReadFile(p)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		h.Write(b)
	}
	var d [32]byte
	copy(d[:], h.Sum(nil))
	return d
}

// saveMessage puts an inbound SMS on the sample line into the inbox, as the
// webhook receiver would, in Aircall's wire format.
func saveMessage(e *reconcilertest.Env, id, from string, created time.Time) {
	payload, err := json.Marshal(map[string]any{
		"id": id, "direction": "inbound", "external_number": from, "body": "hello",
		"created_at": created.Format(time.RFC3339),
		"number":     map[string]any{"id": reconcilertest.LineID, "digits": reconcilertest.LineDigits, "country": "ES", "time_zone": "Europe/Madrid"},
	})
	if err != nil {
		e.TB.Fatal(err)
	}
	if _, _, err := e.Store.SaveMessage(context.Background(), store.InboxMessage{MessageID: id, Event: "message.received", Payload: payload}); err != nil {
		e.TB.Fatal(err)
	}
}
