package reconciler_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/aircall-helpscout/aircall-helpscout/reconciler/reconcilertest"
	"github.com/aircall-helpscout/aircall-helpscout/store"
)

func TestNewModeLogsOnceWithCustomerAndAssignee(t *testing.T) {
	is := is.New(t)
	e := reconcilertest.New(t)
	cust := e.Customer("Marta", "López", 48*time.Hour, "612 34 56 78") // stored without country code
	e.AddCall(1, "+34 612 34 56 78", 30*time.Minute, reconcilertest.Missed("no_available_agent"))

	res := e.Pass()
	is.Equal(res.Instances["default"].Counts["new_conversation"], 1)

	threads, convs := e.PhoneThreads(1)
	is.Equal(len(threads), 1) // one phone thread
	conv, ok := e.HS.Conversation(convs[0])
	is.True(ok)
	is.Equal(conv.PrimaryCustomer.ID, cust)
	is.Equal(conv.MailboxID, reconcilertest.MailboxID)
	is.Equal(conv.Type, "phone")
	is.Equal(conv.Subject, "Missed call from +34 612 34 56 78")
	is.True(conv.Assignee != nil && conv.Assignee.ID == e.AgentHS)
	body := threads[0].Body
	is.True(strings.Contains(body, "Missed (no available agent)"))
	is.True(strings.Contains(body, "https://dashboard.aircall.io/calls/1"))

	// A second pass writes nothing.
	before := len(e.HS.Requests())
	e.Clock.Advance(5 * time.Minute)
	res = e.Pass()
	is.Equal(res.Instances["default"].Counts["already_done"], 1)
	for _, r := range e.HS.Requests()[before:] {
		is.True(r.Method == "GET" || strings.HasSuffix(r.Path, "/oauth2/token")) // no write on the second pass
	}
	threads, _ = e.PhoneThreads(1)
	is.Equal(len(threads), 1)
}

// A call whose ledger row cannot be read was neither handled nor recorded,
// so the cursor must not move past it (a failed item is retried by ID from
// its row; this one has none to retry from) and a later pass logs it, even
// after the read failed for longer than LOOKBACK.
func TestUnreadableLedgerRowHoldsTheCursor(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	e := reconcilertest.New(t)
	e.Customer("Marta", "Ruiz", time.Hour, "+34612345678")
	e.Pass() // a cursor exists
	e.Clock.Advance(time.Hour)
	e.AddCall(1, "+34 612 34 56 78", 40*time.Minute)
	bad := e.AddCall(2, "+34 612 34 56 78", 30*time.Minute)
	e.AddCall(3, "+34 612 34 56 78", 20*time.Minute)

	// A row the store cannot scan (a text where a number belongs), as a
	// failing read would be.
	db, err := sql.Open("sqlite", e.Store.Path())
	is.NoErr(err)
	defer db.Close()
	_, err = db.Exec(`INSERT INTO items (instance, kind, source_id, state, attempts, created_at, updated_at)
		VALUES ('default', 'call', '2', 'logged', 'not a number', 0, 0)`)
	is.NoErr(err)

	for range 2 { // the read keeps failing for longer than LOOKBACK (2h)
		e.Pass()
		cur, ok, err := e.Store.Cursor(ctx, "default", store.StreamCalls)
		is.NoErr(err)
		is.True(ok)
		is.True(cur < bad.StartedAt) // held before the unread call
		e.Clock.Advance(3 * time.Hour)
	}
	th, _ := e.PhoneThreads(3)
	is.Equal(len(th), 1) // the others are logged meanwhile

	_, err = db.Exec(`DELETE FROM items WHERE source_id = '2'`) // the read works again
	is.NoErr(err)
	e.Pass()
	th, _ = e.PhoneThreads(2)
	is.Equal(len(th), 1) // not lost
}
