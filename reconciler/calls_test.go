package reconciler_test

import (
	"strings"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/aircall-helpscout/aircall-helpscout/reconciler/reconcilertest"
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
