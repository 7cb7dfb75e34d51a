package reconciler_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/aircall-helpscout/aircall-helpscout/clients/helpscout"
	"github.com/aircall-helpscout/aircall-helpscout/clients/helpscout/helpscouttest"
	"github.com/aircall-helpscout/aircall-helpscout/reconciler"
	"github.com/aircall-helpscout/aircall-helpscout/reconciler/reconcilertest"
	"github.com/aircall-helpscout/aircall-helpscout/rules"
	"github.com/aircall-helpscout/aircall-helpscout/store"
	"github.com/aircall-helpscout/aircall-helpscout/web/sidebar"
	"github.com/aircall-helpscout/aircall-helpscout/web/status"
)

// explainJSON is what `explain --json` prints for one item: the status
// package's Explanation of its story, through JSON as the command writes it.
func explainJSON(t *testing.T, st *store.Store, kind store.Kind, id string) status.Explanation {
	t.Helper()
	story, ok, err := st.ItemStory(context.Background(), "default", kind, id)
	if err != nil || !ok {
		t.Fatalf("story of %s %s: ok=%v err=%v", kind, id, ok, err)
	}
	b, err := json.Marshal(status.Explain(story))
	if err != nil {
		t.Fatal(err)
	}
	var x status.Explanation
	if err := json.Unmarshal(b, &x); err != nil {
		t.Fatal(err)
	}
	return x
}

// TestDecisionRecordsExplainEachCase runs one pass per case of the customer
// and conversation rules and checks that explain shows which rule chose the
// customer (with the candidates) and why the conversation, as recorded at
// decision time.
func TestDecisionRecordsExplainEachCase(t *testing.T) {
	tests := []struct {
		name       string
		setup      func(e *reconcilertest.Env) (raw string)
		state      store.State
		rule       store.CustomerRule
		candidates int
		reason     store.ConversationReason
		reassigned bool
	}{
		{"unknown caller: created, new conversation", func(e *reconcilertest.Env) string {
			return "+34 612 34 56 78"
		}, store.StateLogged, store.RuleCreated, 0, store.ConversationNew, false},
		{"one match, existing conversation", func(e *reconcilertest.Env) string {
			e.Instance.Conversation = rules.ConversationPolicy{Mode: rules.ModeExisting}
			cust := e.Customer("Marta", "Ruiz", 100*time.Hour, "+34612345678")
			e.HS.AddConversation(helpscouttest.SeedConversation{Subject: "open", Status: "active", MailboxID: reconcilertest.MailboxID,
				CustomerID: cust, AssigneeID: e.AgentHS})
			return "+34 612 34 56 78"
		}, store.StateLogged, store.RuleOneMatch, 1, store.ConversationExisting, false},
		{"reopened", func(e *reconcilertest.Env) string {
			e.Instance.Conversation = rules.ConversationPolicy{Mode: rules.ModeExisting, ReopenClosed: true}
			cust := e.Customer("Marta", "Ruiz", 100*time.Hour, "+34612345678")
			e.HS.AddConversation(helpscouttest.SeedConversation{Subject: "closed", Status: "closed", MailboxID: reconcilertest.MailboxID,
				CustomerID: cust, ClosedAt: e.Clock.Now().Add(-5 * time.Hour)})
			return "+34 612 34 56 78"
		}, store.StateLogged, store.RuleOneMatch, 1, store.ConversationReopened, false},
		{"reassigned", func(e *reconcilertest.Env) string {
			e.Instance.Conversation = rules.ConversationPolicy{Mode: rules.ModeExisting}
			e.Instance.Reassign = true
			other := e.HS.AddUser(helpscout.User{FirstName: "Bo", LastName: "Other", Email: "bo@example.com"})
			cust := e.Customer("Marta", "Ruiz", 100*time.Hour, "+34612345678")
			e.HS.AddConversation(helpscouttest.SeedConversation{Subject: "open", Status: "active", MailboxID: reconcilertest.MailboxID,
				CustomerID: cust, AssigneeID: other})
			return "+34 612 34 56 78"
		}, store.StateLogged, store.RuleOneMatch, 1, store.ConversationExisting, true},
		{"duplicates, most recent", func(e *reconcilertest.Env) string {
			e.Customer("Marta", "Ruiz", 100*time.Hour, "+34612345678")
			e.Customer("Marta", "R.", 10*time.Hour, "+34612345678")
			return "+34 612 34 56 78"
		}, store.StateLogged, store.RuleMostRecent, 2, store.ConversationNew, false},
		{"duplicates, skip", func(e *reconcilertest.Env) string {
			e.Instance.Duplicates = rules.DuplicatesSkip
			e.Customer("Marta", "Ruiz", 100*time.Hour, "+34612345678")
			e.Customer("Marta", "R.", 10*time.Hour, "+34612345678")
			return "+34 612 34 56 78"
		}, store.StateSkipped, store.RuleSkipDuplicates, 2, "", false},
		{"anonymous", func(e *reconcilertest.Env) string {
			return "anonymous"
		}, store.StateLogged, store.RuleAnonymous, 0, store.ConversationNew, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			e := reconcilertest.New(t)
			raw := tt.setup(e)
			e.AddCall(1, raw, 30*time.Minute, reconcilertest.Missed("no_available_agent"))
			e.Pass()
			x := explainJSON(t, e.Store, store.KindCall, "1")
			is.Equal(x.State, tt.state)
			is.True(x.Customer != nil)
			is.Equal(x.Customer.Rule, tt.rule)
			is.True(x.Customer.Why != "")
			is.Equal(len(x.Customer.Candidates), tt.candidates)
			is.True(x.DecidedAt != nil && x.DecidedAt.Equal(reconcilertest.Start))
			if tt.reason == "" {
				is.True(x.Conversation == nil) // skipped: no conversation
				return
			}
			is.True(x.Conversation != nil)
			is.Equal(x.Conversation.Reason, tt.reason)
			is.Equal(x.Conversation.Reassigned, tt.reassigned)
			if tt.reassigned {
				is.Equal(x.Conversation.AssigneeID, e.AgentHS)
				is.True(strings.Contains(x.Conversation.Why, "REASSIGN"))
			}
			_, convs := e.PhoneThreads(1)
			is.Equal(x.Conversation.ID, convs[0]) // the Help Scout IDs as written
			is.True(x.Insights != nil)
			is.Equal(x.Insights.Transcript, store.InsightNone) // a missed call has none
		})
	}
}

// TestDecisionRecordsInsightLooks: a call logged without its transcript/AI
// shows them pending with the look made at decision time, then each late
// look, and "added" once the note went in.
func TestDecisionRecordsInsightLooks(t *testing.T) {
	is := is.New(t)
	e := reconcilertest.New(t)
	e.AddCall(3, "+34 612 34 56 78", 30*time.Minute) // answered, ended past ENRICHMENT_WAIT, nothing ready
	e.Pass()
	x := explainJSON(t, e.Store, store.KindCall, "3")
	is.Equal(x.Insights.Transcript, store.InsightPending)
	is.Equal(x.Insights.AI, store.InsightPending)
	looks := x.Insights.Looks
	is.True(looks >= 1) // at decision time (and the late path may look again)
	is.True(x.Insights.LastLookAt != nil)

	e.Clock.Advance(30 * time.Minute)
	e.Pass() // a late look: still nothing
	x = explainJSON(t, e.Store, store.KindCall, "3")
	is.Equal(x.Insights.Looks, looks+1)
	is.Equal(x.Insights.Transcript, store.InsightPending)

	e.ReadyAI(3)
	e.Clock.Advance(2 * time.Hour)
	e.Pass()
	x = explainJSON(t, e.Store, store.KindCall, "3")
	is.Equal(x.Insights.Enrichment, store.EnrichmentDone)
	is.Equal(x.Insights.Transcript, store.InsightAdded)
	is.Equal(x.Insights.AI, store.InsightAdded)
	is.Equal(x.Insights.Looks, looks+2)
}

// TestRetryRequestedMessage: a message parked by a permanent Help Scout
// error stays parked; once the cause is fixed and a retry requested, the
// next pass logs it once, and explain shows the decision and the history.
func TestRetryRequestedMessage(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	e := reconcilertest.New(t)
	rc := newReceiver(t, e.Store)
	rc.deliver(t, "message.received", msg{ID: "sms-9", Direction: "inbound", External: "+34612345678", Body: "hola",
		Status: "received", Created: e.Clock.Now().Add(-time.Hour)})
	e.HS.InjectFault(helpscouttest.Fault{Method: "POST", PathPrefix: "/v2/customers", Status: 400, Count: 1000})
	for range 5 {
		e.Pass()
		e.Clock.Advance(5 * time.Minute)
	}
	it, _, err := e.Store.GetItem(ctx, "default", store.KindMessage, "sms-9")
	is.NoErr(err)
	is.Equal(it.State, store.StateParked)

	e.HS.ClearFaults()
	e.Pass()
	th, _ := messageThreads(e, "sms-9")
	is.Equal(len(th), 0) // parked is final: a pass alone does not retry it

	res, err := e.Store.Retry(ctx, store.RetryRequest{Instances: []string{"default"}, IDs: []string{"sms-9"}})
	is.NoErr(err)
	is.True(res[0].Changed)
	e.Clock.Advance(72 * time.Hour) // far behind any window: retried by ID whatever its age
	e.Pass()
	e.Pass()
	th, _ = messageThreads(e, "sms-9")
	is.Equal(len(th), 1)
	x := explainJSON(t, e.Store, store.KindMessage, "sms-9")
	is.Equal(x.State, store.StateLogged)
	is.Equal(x.Customer.Rule, store.RuleCreated)
	is.Equal(x.Conversation.Reason, store.ConversationNew)
	is.True(x.Retry != nil && !x.Retry.Pending)
	pending, err := e.Store.RetryRequested(ctx, "default", store.KindMessage)
	is.NoErr(err)
	is.Equal(len(pending), 0)
}

// signSidebar signs a sidebar query as Help Scout's app platform does:
// base64 HMAC-SHA1 of the JSON object of the parameters, in order.
func signSidebar(secret string, kv ...string) string {
	var js strings.Builder
	q := url.Values{}
	var order []string
	js.WriteString("{")
	for i := 0; i < len(kv); i += 2 {
		k, _ := json.Marshal(kv[i])
		v, _ := json.Marshal(kv[i+1])
		if i > 0 {
			js.WriteString(",")
		}
		fmt.Fprintf(&js, "%s:%s", k, v)
		q.Set(kv[i], kv[i+1])
		order = append(order, url.QueryEscape(kv[i])+"="+url.QueryEscape(kv[i+1]))
	}
	js.WriteString("}")
	m := hmac.New(sha1.New, []byte(secret))
	m.Write([]byte(js.String()))
	return strings.Join(order, "&") + "&X-HelpScout-Signature=" + url.QueryEscape(base64.StdEncoding.EncodeToString(m.Sum(nil)))
}

// TestSidebarAfterPass: after a pass against the fakes, the sidebar page of
// the call's customer lists it with its outcome, agent and duration, and a
// message with its channel, from the facts the pass recorded.
func TestSidebarAfterPass(t *testing.T) {
	is := is.New(t)
	e := reconcilertest.New(t)
	cust := e.Customer("Marta", "Ruiz", 100*time.Hour, "+34612345678")
	e.AddCall(4, "+34 612 34 56 78", 30*time.Minute) // answered, 2 min 5 s, agent Ana García
	rc := newReceiver(t, e.Store)
	rc.deliver(t, "message.received", msg{ID: "wa-4", Direction: "inbound", External: "+34612345678", Body: "hola",
		Status: "received", Created: e.Clock.Now().Add(-10 * time.Minute), Channel: "whatsapp"})
	e.Pass()

	h, err := sidebar.New(sidebar.Options{Secret: "sb-secret", Items: e.Store, Numbers: sidebar.NumbersFunc(e.Store.LedgerCustomerNumbers)})
	is.NoErr(err)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, sidebar.Path+"?"+signSidebar("sb-secret",
		"customer-id", fmt.Sprint(cust), "mailbox-id", fmt.Sprint(reconcilertest.MailboxID)), nil))
	is.Equal(rec.Code, http.StatusOK)
	body := rec.Body.String()
	for _, want := range []string{"Inbound call", "<span>Answered</span>", "<span>2 min 05 s</span>", "Agent: Ana García",
		"Line: Support ES", "CET", "WhatsApp received", `href="tel:&#43;34612345678"`} {
		if !strings.Contains(body, want) {
			t.Fatalf("missing %q in\n%s", want, body)
		}
	}
}

// TestCancelledPassBlamesNoItem: a pass stopped (SIGTERM) while writing an
// item's conversation neither spends an attempt of the item nor records an
// error for it; the run says it was interrupted; the next pass logs it once.
func TestCancelledPassBlamesNoItem(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	e := reconcilertest.New(t)
	e.AddCall(5, "+34 612 34 56 78", 30*time.Minute, reconcilertest.Missed(""))
	cctx, cancel := context.WithCancel(ctx)
	k := &killer{HelpScout: e.HSC, at: 2, cancel: cancel} // the conversation create, before it is sent
	_, err := reconciler.New(e.ACC, k, e.Store, []reconciler.Instance{e.Instance}, e.Options).RunPass(cctx, reconciler.PassOptions{})
	is.True(err != nil)
	it, found, err := e.Store.GetItem(ctx, "default", store.KindCall, "5")
	is.NoErr(err)
	is.True(!found || (it.Attempts == 0 && it.LastError == "" && it.State != store.StateFailed))
	runs, err := e.Store.Runs(ctx, "default", 1)
	is.NoErr(err)
	is.True(strings.Contains(runs[0].Error, "interrupted"))
	is.Equal(runs[0].Counts[store.OutcomeFailed], 0)

	e.Clock.Advance(5 * time.Minute)
	e.Pass()
	th, _ := e.PhoneThreads(5)
	is.Equal(len(th), 1)
	it, _, _ = e.Store.GetItem(ctx, "default", store.KindCall, "5")
	is.Equal(it.Attempts, 0)
}

// dying "kills the process" at its n-th conversation create: a panic skips
// everything the pass would do at its end, as SIGKILL would.
type dying struct {
	reconciler.HelpScout
	n, at int
}

func (d *dying) CreateConversation(ctx context.Context, in helpscout.NewConversation) (int64, error) {
	d.n++
	if d.n == d.at {
		panic("killed")
	}
	return d.HelpScout.CreateConversation(ctx, in)
}

// TestKilledPassShowsWhatItLogged: a pass killed mid-way never finishes its
// run record, yet the record counts the items logged before the kill.
func TestKilledPassShowsWhatItLogged(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	e := reconcilertest.New(t)
	for i := int64(1); i <= 4; i++ {
		e.AddCall(i, fmt.Sprintf("+34 612 34 56 0%d", i), time.Duration(60-i)*time.Minute, reconcilertest.Missed(""))
	}
	func() {
		defer func() { _ = recover() }()
		d := &dying{HelpScout: e.HSC, at: 3}
		_, _ = reconciler.New(e.ACC, d, e.Store, []reconciler.Instance{e.Instance}, e.Options).RunPass(ctx, reconciler.PassOptions{})
	}()
	runs, err := e.Store.Runs(ctx, "default", 1)
	is.NoErr(err)
	is.True(runs[0].FinishedAt.IsZero())                      // never finished
	is.Equal(runs[0].Counts[store.OutcomeNewConversation], 2) // but shows the two logged
}

// TestResumedCallWithAddonOffIsNotPending: the AI add-on is off (403), so a
// call is logged without transcript/AI and none is expected; the pass dies
// right after Help Scout committed the conversation. The next pass finishes
// the call from its journal and must not leave it waiting for insights that
// cannot come.
func TestResumedCallWithAddonOffIsNotPending(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	e := reconcilertest.New(t)
	e.AC.SetAILicensed(false)
	e.AddCall(6, "+34 612 34 56 78", 30*time.Minute) // answered: transcript/AI expected
	cctx, cancel := context.WithCancel(ctx)
	k := &killer{HelpScout: e.HSC, at: 2, after: true, cancel: cancel} // customer, then the conversation: committed, then killed
	_, _ = reconciler.New(e.ACC, k, e.Store, []reconciler.Instance{e.Instance}, e.Options).RunPass(cctx, reconciler.PassOptions{})
	th, _ := e.PhoneThreads(6)
	is.Equal(len(th), 1) // the conversation landed

	e.Store = e.OpenStore()
	e.Clock.Advance(5 * time.Minute)
	e.Pass()
	it, _, err := e.Store.GetItem(ctx, "default", store.KindCall, "6")
	is.NoErr(err)
	is.Equal(it.State, store.StateLogged)
	is.Equal(it.Enrichment, store.EnrichmentNone) // not pending for ever
	is.Equal(it.Attempts, 0)
	x := explainJSON(t, e.Store, store.KindCall, "6")
	is.Equal(x.Insights.Transcript, store.InsightNotLicensed)
	th, _ = e.PhoneThreads(6)
	is.Equal(len(th), 1)
}

// TestCatchUpProgressCountsMessages: a catch-up's progress total counts the
// stored messages of the period with the calls, and the last report is
// done == total.
func TestCatchUpProgressCountsMessages(t *testing.T) {
	is := is.New(t)
	e := reconcilertest.New(t)
	for i := int64(1); i <= 3; i++ {
		e.AddCall(i, fmt.Sprintf("+34 612 34 56 0%d", i), time.Duration(i)*time.Hour, reconcilertest.Missed(""))
	}
	rc := newReceiver(t, e.Store)
	for i := range 2 {
		rc.deliver(t, "message.received", msg{ID: fmt.Sprintf("sms-%d", i), Direction: "inbound", External: "+34612345678",
			Body: "hola", Status: "received", Created: e.Clock.Now().Add(-time.Duration(i+1) * time.Hour)})
	}
	// Outside the period: counted by neither.
	rc.deliver(t, "message.received", msg{ID: "sms-old", Direction: "inbound", External: "+34612345678",
		Body: "old", Status: "received", Created: e.Clock.Now().Add(-30 * time.Hour)})
	var last reconciler.Progress
	e.Pass(reconciler.PassOptions{Since: e.Clock.Now().Add(-5 * time.Hour), CountTotal: true,
		Progress: func(p reconciler.Progress) { last = p }})
	is.Equal(last.Total, 5) // 3 calls + 2 messages
	is.Equal(last.Done, 5)
}
