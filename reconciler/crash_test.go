package reconciler_test

import (
	"context"
	"errors"
	"fmt"
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

// killer wraps the Help Scout client and "kills the process" at its n-th
// write: the pass context is cancelled either before the write is sent, or
// after the server committed it but before the reconciler could record the
// result — the two crash points of every write path.
type killer struct {
	reconciler.HelpScout
	n, at  int
	after  bool
	cancel context.CancelFunc
}

func (k *killer) do(ctx context.Context, write func(context.Context) (int64, error)) (int64, error) {
	k.n++
	if k.n != k.at {
		return write(ctx)
	}
	if !k.after {
		k.cancel()
		return 0, context.Canceled
	}
	_, _ = write(context.WithoutCancel(ctx)) // committed on the server...
	k.cancel()                               // ...and the process died before hearing back
	return 0, context.Canceled
}

func (k *killer) CreateCustomer(ctx context.Context, in helpscout.NewCustomer) (int64, error) {
	return k.do(ctx, func(ctx context.Context) (int64, error) { return k.HelpScout.CreateCustomer(ctx, in) })
}
func (k *killer) CreateConversation(ctx context.Context, in helpscout.NewConversation) (int64, error) {
	return k.do(ctx, func(ctx context.Context) (int64, error) { return k.HelpScout.CreateConversation(ctx, in) })
}
func (k *killer) CreateThread(ctx context.Context, id int64, in helpscout.NewThread) (int64, error) {
	return k.do(ctx, func(ctx context.Context) (int64, error) { return k.HelpScout.CreateThread(ctx, id, in) })
}
func (k *killer) SetStatus(ctx context.Context, id int64, s string) error {
	_, err := k.do(ctx, func(ctx context.Context) (int64, error) { return 0, k.HelpScout.SetStatus(ctx, id, s) })
	return err
}
func (k *killer) Assign(ctx context.Context, id, user int64) error {
	_, err := k.do(ctx, func(ctx context.Context) (int64, error) { return 0, k.HelpScout.Assign(ctx, id, user) })
	return err
}

// crashScenario seeds an environment for one write path.
type crashScenario struct {
	name      string
	setup     func(e *reconcilertest.Env) (callID int64)
	wantNote  bool
	wantState func(is *is.I, e *reconcilertest.Env, conv helpscout.Conversation)
}

var crashScenarios = []crashScenario{
	{
		name: "new mode, unknown caller, AI ready (create customer, create conversation with note)",
		setup: func(e *reconcilertest.Env) int64 {
			e.AddCall(1, "+34 612 34 56 78", 30*time.Minute)
			e.ReadyAI(1)
			return 1
		},
		wantNote: true,
		wantState: func(is *is.I, e *reconcilertest.Env, conv helpscout.Conversation) {
			is.Equal(len(e.HS.Customers()), 1) // never a second customer
			is.Equal(conv.Assignee.ID, e.AgentHS)
		},
	},
	{
		name: "existing mode, reopen + reassign, AI ready (phone thread, note, status, assignee)",
		setup: func(e *reconcilertest.Env) int64 {
			e.Instance.Conversation = rules.ConversationPolicy{Mode: rules.ModeExisting, ReopenClosed: true}
			e.Instance.Reassign = true
			cust := e.Customer("Marta", "Ruiz", 100*time.Hour, "+34612345678")
			e.HS.AddConversation(helpscouttest.SeedConversation{Subject: "earlier", Status: "closed", MailboxID: reconcilertest.MailboxID,
				CustomerID: cust, ClosedAt: e.Clock.Now().Add(-5 * time.Hour)})
			e.AddCall(2, "+34 612 34 56 78", 30*time.Minute)
			e.ReadyAI(2)
			return 2
		},
		wantNote: true,
		wantState: func(is *is.I, e *reconcilertest.Env, conv helpscout.Conversation) {
			is.Equal(conv.Status, "active")
			is.Equal(conv.Assignee.ID, e.AgentHS)
			is.Equal(len(e.HS.Conversations()), 1) // reopened, not a new one
		},
	},
}

// TestKilledAtEveryWriteStep kills the pass at each Help Scout write of each
// write path, before and after the server committed, then lets later passes
// run: every call ends logged exactly once with the state the rules say.
func TestKilledAtEveryWriteStep(t *testing.T) {
	for _, sc := range crashScenarios {
		// A clean run tells how many writes the path makes.
		clean := reconcilertest.New(t)
		sc.setup(clean)
		k := &killer{HelpScout: clean.HSC, cancel: func() {}}
		if _, err := reconciler.New(clean.ACC, k, clean.Store, []reconciler.Instance{clean.Instance}, clean.Options).RunPass(context.Background(), reconciler.PassOptions{}); err != nil {
			t.Fatal(err)
		}
		writes := k.n
		if writes < 2 {
			t.Fatalf("%s: only %d writes", sc.name, writes)
		}
		for at := 1; at <= writes; at++ {
			for _, after := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s/write %d of %d/committed=%v", sc.name, at, writes, after), func(t *testing.T) {
					is := is.New(t)
					e := reconcilertest.New(t)
					callID := sc.setup(e)
					ctx, cancel := context.WithCancel(context.Background())
					k := &killer{HelpScout: e.HSC, at: at, after: after, cancel: cancel}
					_, _ = reconciler.New(e.ACC, k, e.Store, []reconciler.Instance{e.Instance}, e.Options).RunPass(ctx, reconciler.PassOptions{})
					// Restart: a new process (new store handle, new clients) runs the next passes.
					e.Store = e.OpenStore()
					e.HSC = e.NewHelpScoutClient()
					for i := 0; i < 2; i++ {
						e.Clock.Advance(5 * time.Minute)
						e.Pass()
					}
					th, cv := e.PhoneThreads(callID)
					is.Equal(len(th), 1) // exactly one phone thread
					if sc.wantNote {
						is.Equal(len(e.Notes(callID)), 1) // exactly one insights note
					}
					it, ok, err := e.Store.GetItem(context.Background(), "default", "call", fmt.Sprint(callID))
					is.NoErr(err)
					is.True(ok)
					is.Equal(it.State, store.StateLogged)
					is.Equal(it.ConversationID, cv[0]) // the ledger agrees with Help Scout
					conv, _ := e.HS.Conversation(cv[0])
					sc.wantState(is, e, conv)
				})
			}
		}
	}
}

// TestServerCommittedThenFailed uses the fake's own "commit, then fail"
// faults on every kind of write: a 500 or a dropped connection after the
// write was applied. The next pass finds the write by its marker.
func TestServerCommittedThenFailed(t *testing.T) {
	tests := []struct {
		name  string
		fault helpscouttest.Fault
		mode  rules.Mode
	}{
		{"conversation create, 500 after commit", helpscouttest.Fault{Method: "POST", PathPrefix: "/v2/conversations", AfterCommit: true, Status: 500}, rules.ModeNew},
		{"conversation create, dropped after commit", helpscouttest.Fault{Method: "POST", PathPrefix: "/v2/conversations", AfterCommit: true, Drop: true}, rules.ModeNew},
		{"conversation create, 500 before commit", helpscouttest.Fault{Method: "POST", PathPrefix: "/v2/conversations", Status: 503}, rules.ModeNew},
		{"customer create, dropped after commit", helpscouttest.Fault{Method: "POST", PathPrefix: "/v2/customers", AfterCommit: true, Drop: true}, rules.ModeNew},
		{"phone thread, 502 after commit", helpscouttest.Fault{Method: "POST", PathPrefix: "/v2/conversations/", AfterCommit: true, Status: 502}, rules.ModeExisting},
		{"phone thread, dropped after commit", helpscouttest.Fault{Method: "POST", PathPrefix: "/v2/conversations/", AfterCommit: true, Drop: true}, rules.ModeExisting},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			e := reconcilertest.New(t)
			e.Instance.Conversation = rules.ConversationPolicy{Mode: tt.mode}
			if tt.mode == rules.ModeExisting {
				cust := e.Customer("Marta", "Ruiz", 100*time.Hour, "+34612345678")
				e.HS.AddConversation(helpscouttest.SeedConversation{Subject: "open", Status: "active", MailboxID: reconcilertest.MailboxID, CustomerID: cust})
			}
			e.AddCall(5, "+34 612 34 56 78", 30*time.Minute, reconcilertest.Missed("no_available_agent"))
			e.HS.InjectFault(tt.fault)
			res := e.Pass()
			is.Equal(res.Instances["default"].Counts["failed"], 1) // the outcome was unknown: not recorded as logged
			for i := 0; i < 2; i++ {
				e.Clock.Advance(5 * time.Minute)
				e.Pass()
			}
			th, _ := e.PhoneThreads(5)
			is.Equal(len(th), 1)
			is.Equal(len(e.HS.Customers()), 1)
			it, _, _ := e.Store.GetItem(context.Background(), "default", "call", "5")
			is.Equal(it.State, store.StateLogged)
			is.Equal(it.Attempts, 0) // an unknown outcome is not held against the item
		})
	}
}

// TestPassTwiceWritesNothing: overlapping lookback windows and repeated
// passes make zero writes once everything is logged.
func TestPassTwiceWritesNothing(t *testing.T) {
	is := is.New(t)
	e := reconcilertest.New(t)
	for i := int64(1); i <= 30; i++ {
		e.AddCall(i, fmt.Sprintf("+34 612 34 56 %02d", i), time.Duration(i)*time.Minute+20*time.Minute, reconcilertest.Missed("no_available_agent"))
	}
	e.Pass()
	writes := func() int {
		n := 0
		for _, r := range e.HS.Requests() {
			if r.Method != "GET" && r.Path != "/v2/oauth2/token" {
				n++
			}
		}
		return n
	}
	first := writes()
	is.Equal(first, 60) // 30 customers + 30 conversations
	e.Clock.Advance(5 * time.Minute)
	e.Pass()
	e.Clock.Advance(time.Hour)
	e.Pass()
	is.Equal(writes(), first) // zero writes on later passes
	for i := int64(1); i <= 30; i++ {
		th, _ := e.PhoneThreads(i)
		is.Equal(len(th), 1)
	}
}

// revoking returns "bad credentials" from the n-th conversation create on,
// as when the app's secret is rotated while a pass runs.
type revoking struct {
	reconciler.HelpScout
	n, from int
}

func (r *revoking) CreateConversation(ctx context.Context, in helpscout.NewConversation) (int64, error) {
	r.n++
	if r.n >= r.from {
		return 0, fmt.Errorf("token: %w", helpscout.ErrBadCredentials)
	}
	return r.HelpScout.CreateConversation(ctx, in)
}

func TestBadCredentialsMidPassIsFatal(t *testing.T) {
	is := is.New(t)
	e := reconcilertest.New(t)
	for i := int64(1); i <= 4; i++ {
		e.AddCall(i, fmt.Sprintf("+34 612 34 56 0%d", i), time.Duration(50-i)*time.Minute, reconcilertest.Missed(""))
	}
	rv := &revoking{HelpScout: e.HSC, from: 2}
	_, err := reconciler.New(e.ACC, rv, e.Store, []reconciler.Instance{e.Instance}, e.Options).RunPass(context.Background(), reconciler.PassOptions{})
	is.True(errors.Is(err, reconciler.ErrFatal))         // the pass stops and says so
	is.True(errors.Is(err, helpscout.ErrBadCredentials)) // naming the cause
	is.Equal(rv.n, 2)                                    // no further item was tried
	it, _, _ := e.Store.GetItem(context.Background(), "default", "call", "2")
	is.Equal(it.Attempts, 0) // not held against the item
	e.Clock.Advance(5 * time.Minute)
	e.Pass() // credentials fixed: everything goes through once
	for i := int64(1); i <= 4; i++ {
		th, _ := e.PhoneThreads(i)
		is.Equal(len(th), 1)
	}
}
