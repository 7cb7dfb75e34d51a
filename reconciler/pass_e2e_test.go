package reconciler_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/aircall-helpscout/aircall-helpscout/clients/aircall"
	"github.com/aircall-helpscout/aircall-helpscout/clients/helpscout"
	"github.com/aircall-helpscout/aircall-helpscout/clients/helpscout/helpscouttest"
	"github.com/aircall-helpscout/aircall-helpscout/reconciler"
	"github.com/aircall-helpscout/aircall-helpscout/reconciler/reconcilertest"
	"github.com/aircall-helpscout/aircall-helpscout/rules"
	"github.com/aircall-helpscout/aircall-helpscout/store"
)

func countReq(reqs []helpscouttest.Request, method, prefix string) int {
	n := 0
	for _, r := range reqs {
		if r.Method == method && strings.HasPrefix(r.Path, prefix) {
			n++
		}
	}
	return n
}

func aiRequests(e *reconcilertest.Env) int {
	n := 0
	for _, r := range e.AC.Requests() {
		for _, s := range []string{"/transcription", "/summary", "/topics", "/sentiments", "/action_items"} {
			if strings.HasSuffix(r.Path, s) {
				n++
			}
		}
	}
	return n
}

func TestInsightsReadyLoggedInOneWrite(t *testing.T) {
	is := is.New(t)
	e := reconcilertest.New(t)
	e.Customer("Marta", "Ruiz", time.Hour, "+34612345678")
	e.AddCall(1, "+34 612 34 56 78", 10*time.Minute)
	e.ReadyAI(1)
	e.Pass()
	reqs := e.HS.Requests()
	is.Equal(countReq(reqs, "POST", "/v2/conversations"), 1) // conversation, phone thread and note in one write
	notes := e.Notes(1)
	is.Equal(len(notes), 1)
	for _, s := range []string{"Customer wants to cancel an order.", "cancellation", "Cancel order 42", "Quiero &lt;b&gt;cancelar&lt;/b&gt;", "Ana García"} {
		is.True(strings.Contains(notes[0].Body, s))
	}
	it, _, _ := e.Store.GetItem(context.Background(), "default", "call", "1")
	is.Equal(it.Enrichment, store.EnrichmentDone)
}

func TestLateInsights(t *testing.T) {
	is := is.New(t)
	e := reconcilertest.New(t)
	e.Customer("Marta", "Ruiz", time.Hour, "+34612345678")
	e.AddCall(1, "+34 612 34 56 78", 5*time.Minute) // ended ~3 min ago

	res := e.Pass() // within ENRICHMENT_WAIT: wait
	is.Equal(res.Instances["default"].Counts["waiting"], 1)
	th, _ := e.PhoneThreads(1)
	is.Equal(len(th), 0)

	e.Clock.Advance(15 * time.Minute) // past ENRICHMENT_WAIT: log without
	e.Pass()
	th, _ = e.PhoneThreads(1)
	is.Equal(len(th), 1)
	is.Equal(len(e.Notes(1)), 0)
	it, _, _ := e.Store.GetItem(context.Background(), "default", "call", "1")
	is.Equal(it.Enrichment, store.EnrichmentPending)

	e.Clock.Advance(10 * time.Minute)
	e.Pass() // still nothing
	is.Equal(len(e.Notes(1)), 0)

	e.ReadyAI(1) // Aircall generated it late
	e.Clock.Advance(5 * time.Minute)
	res = e.Pass()
	is.Equal(res.Instances["default"].Counts["late_insights_added"], 1)
	is.Equal(len(e.Notes(1)), 1)
	th, cv := e.PhoneThreads(1)
	is.Equal(len(th), 1)
	is.Equal(len(e.HS.Conversations()), 1)
	is.True(cv[0] == e.HS.Conversations()[0].ID) // the note is in the same conversation

	before := aiRequests(e)
	e.Clock.Advance(5 * time.Minute)
	e.Pass()
	is.Equal(aiRequests(e), before) // done: not asked again
	is.Equal(len(e.Notes(1)), 1)
}

func TestInsightsGiveUpAfterMaxAge(t *testing.T) {
	is := is.New(t)
	e := reconcilertest.New(t)
	e.AddCall(1, "+34 612 34 56 78", 30*time.Minute)
	e.Pass() // logged without (past wait)
	e.Clock.Advance(25 * time.Hour)
	e.Pass()
	it, _, _ := e.Store.GetItem(context.Background(), "default", "call", "1")
	is.Equal(it.Enrichment, store.EnrichmentGaveUp)
	e.ReadyAI(1)
	before := aiRequests(e)
	e.Clock.Advance(5 * time.Minute)
	e.Pass()
	is.Equal(aiRequests(e), before)
	is.Equal(len(e.Notes(1)), 0)
}

func TestAddonOffStopsAsking(t *testing.T) {
	is := is.New(t)
	e := reconcilertest.New(t)
	e.AC.SetAILicensed(false)
	e.AddCall(1, "+34 612 34 56 78", 5*time.Minute)
	e.Pass()
	th, _ := e.PhoneThreads(1) // logged at once: no point waiting
	is.Equal(len(th), 1)
	first := aiRequests(e)
	is.Equal(first, 1)
	e.AddCall(2, "+34 612 34 56 79", 3*time.Minute)
	e.Clock.Advance(5 * time.Minute)
	e.Pass()
	is.Equal(aiRequests(e), first) // within the hour: not asked again
	th, _ = e.PhoneThreads(2)
	is.Equal(len(th), 1)
}

func TestInsightsDisabledNeverFetched(t *testing.T) {
	is := is.New(t)
	e := reconcilertest.New(t)
	e.Instance.Enrichment.Transcripts, e.Instance.Enrichment.AIInsights = false, false
	e.AddCall(1, "+34 612 34 56 78", 5*time.Minute)
	e.ReadyAI(1)
	e.Pass()
	is.Equal(aiRequests(e), 0)
	th, _ := e.PhoneThreads(1)
	is.Equal(len(th), 1)
	is.Equal(len(e.Notes(1)), 0)
}

func TestOnlyAIInsightsNoTranscript(t *testing.T) {
	is := is.New(t)
	e := reconcilertest.New(t)
	e.Instance.Enrichment.Transcripts = false
	e.AddCall(1, "+34 612 34 56 78", 5*time.Minute)
	e.ReadyAI(1)
	e.Pass()
	notes := e.Notes(1)
	is.Equal(len(notes), 1)
	is.True(strings.Contains(notes[0].Body, "Customer wants to cancel"))
	is.True(!strings.Contains(notes[0].Body, "Transcript"))
	for _, r := range e.AC.Requests() {
		is.True(!strings.HasSuffix(r.Path, "/transcription"))
	}
}

func TestContactSync(t *testing.T) {
	is := is.New(t)
	e := reconcilertest.New(t)
	e.HS.AddCustomer(helpscout.Customer{FirstName: "Marta", LastName: "Ruiz", Organization: "ACME",
		Phones: []helpscout.Entry{{Type: "work", Value: "+34 612 34 56 78"}}, Emails: []helpscout.Entry{{Type: "work", Value: "marta@acme.test"}}})
	e.AddCall(1, "+34 612 34 56 78", 30*time.Minute, reconcilertest.Missed(""))
	e.Pass()
	cs := e.AC.Contacts()
	is.Equal(len(cs), 1)
	is.Equal(cs[0].FirstName, "Marta")
	is.Equal(cs[0].CompanyName, "ACME")
	is.Equal(cs[0].Emails[0].Value, "marta@acme.test")

	// Once per customer until it changes.
	n := len(e.AC.Requests())
	e.AddCall(2, "+34 612 34 56 78", 20*time.Minute, reconcilertest.Missed(""))
	e.Clock.Advance(5 * time.Minute)
	e.Pass()
	for _, r := range e.AC.Requests()[n:] {
		is.True(!strings.HasPrefix(r.Path, "/v1/contacts"))
	}

	// An existing Aircall contact for the number is overwritten in place.
	e2 := reconcilertest.New(t)
	e2.AC.AddContact(aircall.Contact{FirstName: "Old", LastName: "Name", PhoneNumbers: []aircall.ContactDetail{{Label: "Main", Value: "+34612345678"}}})
	e2.HS.AddCustomer(helpscout.Customer{FirstName: "Marta", LastName: "Ruiz", Phones: []helpscout.Entry{{Type: "work", Value: "612345678"}},
		Emails: []helpscout.Entry{{Type: "work", Value: "marta@acme.test"}}})
	e2.AddCall(3, "+34 612 34 56 78", 30*time.Minute, reconcilertest.Missed(""))
	e2.Pass()
	cs = e2.AC.Contacts()
	is.Equal(len(cs), 1)
	is.Equal(cs[0].FirstName, "Marta")
	is.Equal(len(cs[0].Emails), 1)
}

func TestContactSyncOff(t *testing.T) {
	is := is.New(t)
	e := reconcilertest.New(t)
	e.Instance.SyncContacts = false
	e.HS.AddCustomer(helpscout.Customer{FirstName: "Marta", LastName: "Ruiz", Phones: []helpscout.Entry{{Type: "work", Value: "+34612345678"}}})
	e.AddCall(1, "+34 612 34 56 78", 30*time.Minute, reconcilertest.Missed(""))
	e.Pass()
	is.Equal(len(e.AC.Contacts()), 0)
}

func TestCallInProgressHoldsCursor(t *testing.T) {
	is := is.New(t)
	e := reconcilertest.New(t)
	c := e.AddCall(1, "+34 612 34 56 78", 50*time.Minute, reconcilertest.Status("answered"))
	e.AddCall(2, "+34 612 34 56 79", 10*time.Minute, reconcilertest.Missed(""))
	res := e.Pass()
	is.Equal(res.Instances["default"].Counts["waiting"], 1)
	is.Equal(res.Instances["default"].Cursor.Unix(), c.StartedAt-1) // not past the call that is not final
	th, _ := e.PhoneThreads(2)
	is.Equal(len(th), 1)

	e.AC.UpdateCall(1, func(c *aircall.Call) { c.Status = "done" })
	e.Clock.Advance(5 * time.Hour) // far beyond LOOKBACK: the held cursor still covers it
	res = e.Pass()
	th, _ = e.PhoneThreads(1)
	is.Equal(len(th), 1)
	is.Equal(res.Instances["default"].Cursor, e.Clock.Now().UTC().Truncate(time.Second))
}

func TestFailingItemRetriedThenParkedWithoutBlocking(t *testing.T) {
	is := is.New(t)
	e := reconcilertest.New(t)
	e.Options.MaxAttempts = 3
	// Call 1 always fails: its customer create is refused with a validation error.
	e.AddCall(1, "+34 612 34 56 78", 30*time.Minute, reconcilertest.Missed(""))
	e.HS.InjectFault(helpscouttest.Fault{Method: "POST", PathPrefix: "/v2/customers", Status: 400, Count: 100})
	e.Customer("Known", "Caller", time.Hour, "+34699999999")
	e.AddCall(2, "+34 699 99 99 99", 20*time.Minute, reconcilertest.Missed(""))
	e.Pass()
	th, _ := e.PhoneThreads(2)
	is.Equal(len(th), 1) // the other call went through
	it, _, _ := e.Store.GetItem(context.Background(), "default", "call", "1")
	is.Equal(it.State, store.StateFailed)
	is.Equal(it.Attempts, 1)
	is.True(it.LastError != "")
	for i := 0; i < 5; i++ {
		e.Clock.Advance(3 * time.Hour) // out of the window: retried by ID
		e.Pass()
	}
	it, _, _ = e.Store.GetItem(context.Background(), "default", "call", "1")
	is.Equal(it.State, store.StateParked)
	is.Equal(it.Attempts, 3)
	cur, _, _ := e.Store.Cursor(context.Background(), "default", "calls")
	is.Equal(cur, e.Clock.Now().Unix()) // never held by the failing item
}

func TestCatchUpDoesNotMoveCursorAndIsIdempotent(t *testing.T) {
	is := is.New(t)
	e := reconcilertest.New(t)
	e.AddCall(1, "+34 612 34 56 78", 10*24*time.Hour, reconcilertest.Missed("")) // 10 days ago
	e.AddCall(2, "+34 612 34 56 79", 3*24*time.Hour, reconcilertest.Missed(""))
	e.AddCall(3, "+34 612 34 56 70", 30*time.Minute, reconcilertest.Missed(""))
	e.Pass() // scheduled: only call 3
	cur, _, _ := e.Store.Cursor(context.Background(), "default", "calls")
	th, _ := e.PhoneThreads(1)
	is.Equal(len(th), 0)

	since := e.Clock.Now().Add(-11 * 24 * time.Hour)
	until := e.Clock.Now().Add(-5 * 24 * time.Hour)
	_, err := e.Reconciler().RunPass(context.Background(), reconciler.PassOptions{Since: since, Until: until})
	is.NoErr(err)
	th, _ = e.PhoneThreads(1)
	is.Equal(len(th), 1)
	th, _ = e.PhoneThreads(2)
	is.Equal(len(th), 0) // --until is exclusive of later calls
	cur2, _, _ := e.Store.Cursor(context.Background(), "default", "calls")
	is.Equal(cur2, cur)

	// A catch-up over everything overlapping scheduled work logs nothing twice.
	_, err = e.Reconciler().RunPass(context.Background(), reconciler.PassOptions{Since: since})
	is.NoErr(err)
	for _, id := range []int64{1, 2, 3} {
		th, _ = e.PhoneThreads(id)
		is.Equal(len(th), 1)
	}
}

func TestDryRunWritesNothing(t *testing.T) {
	is := is.New(t)
	e := reconcilertest.New(t)
	e.Customer("Marta", "Ruiz", time.Hour, "+34612345678")
	e.AddCall(1, "+34 612 34 56 78", 30*time.Minute)
	e.AddCall(2, "+34 600 00 00 01", 30*time.Minute, reconcilertest.Missed(""))
	var plan []reconciler.PlanEntry
	_, err := e.Reconciler().RunPass(context.Background(), reconciler.PassOptions{DryRun: true, Plan: func(p reconciler.PlanEntry) { plan = append(plan, p) }})
	is.NoErr(err)
	for _, r := range e.HS.Requests() {
		is.True(r.Method == "GET" || r.Path == "/v2/oauth2/token") // no Help Scout write
	}
	for _, r := range e.AC.Requests() {
		is.Equal(r.Method, "GET") // no Aircall write
	}
	items, _ := e.Store.ListItems(context.Background(), store.ItemFilter{Instance: "default"})
	is.Equal(len(items), 0) // no ledger
	_, ok, _ := e.Store.Cursor(context.Background(), "default", "calls")
	is.True(!ok) // no cursor
	runs, _ := e.Store.Runs(context.Background(), "default", 10)
	is.Equal(len(runs), 0)
	is.Equal(len(plan), 2)
	joined := plan[0].Detail + " | " + plan[1].Detail
	is.True(strings.Contains(joined, "a new customer"))
	is.True(strings.Contains(joined, "a new phone conversation"))
}

func TestNumberOverlapLogsForNeither(t *testing.T) {
	is := is.New(t)
	e := reconcilertest.New(t)
	e.HS.AddMailbox(helpscout.Mailbox{ID: 777, Name: "Partners"})
	a := e.Instance
	a.Name = "support"
	b := e.Instance
	b.Name, b.MailboxID, b.NumberIDs, b.NumberE164s = "partners", 777, nil, []string{"+34910000000"} // the same line by its number
	e.AddCall(1, "+34 612 34 56 78", 30*time.Minute, reconcilertest.Missed(""))
	res, err := e.Reconciler(a, b).RunPass(context.Background(), reconciler.PassOptions{})
	is.NoErr(err)
	is.Equal(len(res.Overlaps), 1)
	is.True(strings.Contains(res.Overlaps[0], "partners and support"))
	th, _ := e.PhoneThreads(1)
	is.Equal(len(th), 0)
}

func TestInstancesRouteByLine(t *testing.T) {
	is := is.New(t)
	e := reconcilertest.New(t)
	e.AC.AddNumber(aircall.Number{ID: 42, Name: "Partners FR", Digits: "+33 1 23 45 67 89", Country: "FR", TimeZone: "Europe/Paris"})
	e.HS.AddMailbox(helpscout.Mailbox{ID: 777, Name: "Partners"})
	a := e.Instance
	b := e.Instance
	b.Name, b.MailboxID, b.NumberIDs, b.NumberE164s = "partners", 777, nil, []string{"+33123456789"}
	b.Conversation = rules.ConversationPolicy{Mode: rules.ModeNew}
	e.AddCall(1, "+34 612 34 56 78", 30*time.Minute, reconcilertest.Missed(""))
	e.AddCall(2, "06 12 34 56 78", 30*time.Minute, reconcilertest.Missed(""), func(c *aircall.Call) {
		c.Number = &aircall.Number{ID: 42, Name: "Partners FR", Digits: "+33 1 23 45 67 89", Country: "FR", TimeZone: "Europe/Paris"}
	})
	e.AddCall(3, "+34 612 34 56 70", 30*time.Minute, reconcilertest.Missed(""), func(c *aircall.Call) {
		c.Number = &aircall.Number{ID: 99, Name: "Not ours", Digits: "+1 555 0100"}
	})
	_, err := e.Reconciler(a, b).RunPass(context.Background(), reconciler.PassOptions{})
	is.NoErr(err)
	_, cv1 := e.PhoneThreads(1)
	_, cv2 := e.PhoneThreads(2)
	th3, _ := e.PhoneThreads(3)
	c1, _ := e.HS.Conversation(cv1[0])
	c2, _ := e.HS.Conversation(cv2[0])
	is.Equal(c1.MailboxID, reconcilertest.MailboxID)
	is.Equal(c2.MailboxID, int64(777))
	is.Equal(len(th3), 0)                                      // a line no instance lists is not logged
	is.Equal(c2.Subject, "Missed call from +33 6 12 34 56 78") // national number read with the line's country
}

// TestOutageNeverLosesCalls: Help Scout down for hours must not park (lose)
// calls nor move the cursor past them; once it is back, every call is logged
// once.
func TestOutageNeverLosesCalls(t *testing.T) {
	is := is.New(t)
	e := reconcilertest.New(t)
	e.Options.MaxAttempts = 2
	for i := int64(1); i <= 12; i++ {
		e.Customer("C", "X", time.Hour, "+3461234560"+string(rune('0'+i%10)))
		e.AddCall(i, "+34 612 34 56 0"+string(rune('0'+i%10)), time.Duration(60-i)*time.Minute, reconcilertest.Missed(""))
	}
	cur0 := e.Clock.Now().Unix()
	e.HS.InjectFault(helpscouttest.Fault{Method: "POST", Status: 503, Count: 1000})
	for i := 0; i < 6; i++ { // hours of outage
		_, err := e.Reconciler().RunPass(context.Background(), reconciler.PassOptions{})
		is.True(err != nil) // the pass stops early and says why
		e.Clock.Advance(time.Hour)
	}
	items, _ := e.Store.ListItems(context.Background(), store.ItemFilter{Instance: "default", States: []store.State{store.StateParked}})
	is.Equal(len(items), 0) // nothing parked
	cur, ok, _ := e.Store.Cursor(context.Background(), "default", "calls")
	is.True(!ok || cur <= cur0) // the cursor did not move past unlogged calls

	e.HS.ClearFaults() // Help Scout is back
	for i := 0; i < 3; i++ {
		e.Clock.Advance(5 * time.Minute)
		e.Pass()
	}
	for i := int64(1); i <= 12; i++ {
		th, _ := e.PhoneThreads(i)
		is.Equal(len(th), 1)
	}
}

func TestContactSyncUsesTheCallsContactWithoutSearching(t *testing.T) {
	is := is.New(t)
	e := reconcilertest.New(t)
	id := e.AC.AddContact(aircall.Contact{FirstName: "Old", PhoneNumbers: []aircall.ContactDetail{{Label: "Main", Value: "+34612345678"}}})
	e.HS.AddCustomer(helpscout.Customer{FirstName: "Marta", LastName: "Ruiz", Phones: []helpscout.Entry{{Type: "work", Value: "612345678"}}})
	e.AddCall(1, "+34 612 34 56 78", 30*time.Minute, reconcilertest.Missed(""), func(c *aircall.Call) {
		c.Contact = &aircall.Contact{ID: id, FirstName: "Old"}
	})
	e.Pass()
	var contactReqs []string
	for _, r := range e.AC.Requests() {
		if strings.HasPrefix(r.Path, "/v1/contacts") {
			contactReqs = append(contactReqs, r.Method+" "+r.Path)
		}
	}
	is.Equal(contactReqs, []string{"POST /v1/contacts/" + strconvI(id)}) // one update, no search
	is.Equal(e.AC.Contacts()[0].FirstName, "Marta")
}

func strconvI(v int64) string { return fmt.Sprint(v) }
