package reconciler_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
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

// armedAfterCreate wraps the Help Scout client: once a conversation create
// has been answered, it arms the store wrapper's kill switch, so the
// process dies while our own write is being recorded in the mirror.
type armedAfterCreate struct {
	reconciler.HelpScout
	armed *atomic.Bool
}

func (a armedAfterCreate) CreateConversation(ctx context.Context, in helpscout.NewConversation) (int64, error) {
	id, err := a.HelpScout.CreateConversation(ctx, in)
	if err == nil {
		a.armed.Store(true)
	}
	return id, err
}

// dyingMirror is the store of a process that dies (its pass context is
// cancelled, the transaction never commits) in the first conversations
// mirror write after the switch is armed.
type dyingMirror struct {
	*store.Store
	armed  *atomic.Bool
	cancel context.CancelFunc
	fired  atomic.Int32
}

func (d *dyingMirror) UpsertMirrorConversations(ctx context.Context, seenAt time.Time, cs []store.MirrorConversation) error {
	if d.armed.Load() && d.fired.Add(1) == 1 {
		d.cancel()
		return errors.New("process killed while recording the conversation in the mirror")
	}
	return d.Store.UpsertMirrorConversations(ctx, seenAt, cs)
}

// TestExistingModeCreateInterruptedAroundTheMirror: in existing mode a
// caller without an open conversation gets one created; two more calls of
// the same caller must land in it. The create is interrupted half-way in
// two ways: Help Scout commits it and the connection drops (the outcome is
// unknown), or Help Scout answers and the process dies while recording the
// conversation in the mirror. Either way later passes never create a
// second conversation, every call is logged once into the one conversation,
// and the mirror ends holding it for the customer.
func TestExistingModeCreateInterruptedAroundTheMirror(t *testing.T) {
	tests := []struct {
		name string
		// run runs the interrupted first pass.
		run func(t *testing.T, e *reconcilertest.Env)
	}{
		{"committed, then the connection dropped", func(t *testing.T, e *reconcilertest.Env) {
			e.HS.InjectFault(helpscouttest.Fault{Method: "POST", PathPrefix: "/v2/conversations", AfterCommit: true, Drop: true})
			_, _ = e.Reconciler().RunPass(context.Background(), reconciler.PassOptions{})
			if e.HS.FaultsFired()[helpscouttest.FaultCommitDropped] != 1 {
				t.Fatal("the fault never fired")
			}
		}},
		{"answered, then killed while recording the mirror", func(t *testing.T, e *reconcilertest.Env) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var armed atomic.Bool
			st := &dyingMirror{Store: e.Store, armed: &armed, cancel: cancel}
			_, _ = reconciler.New(e.ACC, armedAfterCreate{HelpScout: e.HSC, armed: &armed}, st,
				[]reconciler.Instance{e.Instance}, e.Options).RunPass(ctx, reconciler.PassOptions{})
			if st.fired.Load() == 0 {
				t.Fatal("the kill switch never fired")
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			e := reconcilertest.New(t)
			e.Instance.Conversation = rules.ConversationPolicy{Mode: rules.ModeExisting}
			marta := e.Customer("Marta", "Ruiz", 100*time.Hour, "+34612345678")
			e.Pass() // the mirrors are complete and know Marta, who has no conversation
			e.Clock.Advance(time.Minute)
			e.AddCall(1, "+34 612 34 56 78", 40*time.Minute, reconcilertest.Missed("no_available_agent"))
			e.AddCall(2, "+34 612 34 56 78", 35*time.Minute, reconcilertest.Missed("no_available_agent"))
			tt.run(t, e)
			// Restart: a new process runs the next passes; one more call comes in.
			e.Store = e.OpenStore()
			e.HSC = e.NewHelpScoutClient()
			e.AddCall(3, "+34 612 34 56 78", 10*time.Minute, reconcilertest.Missed("no_available_agent"))
			for i := 0; i < 3; i++ {
				e.Clock.Advance(5 * time.Minute)
				e.Pass()
			}
			var convs []int64
			for _, c := range e.HS.Conversations() {
				if c.PrimaryCustomer != nil && c.PrimaryCustomer.ID == marta {
					convs = append(convs, c.ID)
				}
			}
			is.Equal(len(convs), 1) // never a second conversation for the caller
			for _, id := range []int64{1, 2, 3} {
				th, cv := e.PhoneThreads(id)
				is.Equal(len(th), 1)      // each call logged once...
				is.Equal(cv[0], convs[0]) // ...into the one conversation
				it, ok, err := e.Store.GetItem(context.Background(), "default", store.KindCall, fmt.Sprint(id))
				is.NoErr(err)
				is.True(ok)
				is.Equal(it.State, store.StateLogged)
				is.Equal(it.ConversationID, convs[0]) // the ledger agrees with Help Scout
			}
			mirrored, err := e.Store.MirrorConversationsFor(context.Background(), reconcilertest.MailboxID, marta)
			is.NoErr(err)
			is.Equal(len(mirrored), 1) // the mirror ends holding the one conversation
			is.Equal(mirrored[0].ID, convs[0])
		})
	}
}

// parkTwoCalls parks two calls of different callers by a permanent Help
// Scout refusal of their conversation creates, then clears the cause and
// requests their retry, as an operator's `retry --parked` does; the clock
// goes far past any read window, so only the retry request brings them back.
func parkTwoCalls(t *testing.T, e *reconcilertest.Env) {
	t.Helper()
	is := is.New(t)
	e.AddCall(41, "+34 612 34 56 41", 30*time.Minute, reconcilertest.Missed("no_available_agent"))
	e.AddCall(42, "+34 612 34 56 42", 25*time.Minute, reconcilertest.Missed("no_available_agent"))
	e.HS.InjectFault(helpscouttest.Fault{Method: "POST", PathPrefix: "/v2/conversations", Status: 400, Count: 1000})
	for range 5 {
		e.Pass()
		e.Clock.Advance(5 * time.Minute)
	}
	e.HS.ClearFaults()
	for _, id := range []string{"41", "42"} {
		it, _, err := e.Store.GetItem(context.Background(), "default", store.KindCall, id)
		is.NoErr(err)
		is.Equal(it.State, store.StateParked)
	}
	res, err := e.Store.Retry(context.Background(), store.RetryRequest{Instances: []string{"default"}, Parked: true})
	is.NoErr(err)
	is.Equal(len(res), 2)
	e.Clock.Advance(72 * time.Hour)
}

// TestRetryInterruptedMidPass: the pass that takes an operator's retry of
// two parked calls is killed at each of its Help Scout writes, before the
// write is sent and after Help Scout committed it. Whatever was cut, the
// following passes log each call exactly once, the ledger agrees with Help
// Scout, no retry request is left pending and no attempt was spent on the
// kill.
func TestRetryInterruptedMidPass(t *testing.T) {
	clean := reconcilertest.New(t)
	parkTwoCalls(t, clean)
	k := &killer{HelpScout: clean.HSC, cancel: func() {}}
	if _, err := reconciler.New(clean.ACC, k, clean.Store, []reconciler.Instance{clean.Instance}, clean.Options).RunPass(context.Background(), reconciler.PassOptions{}); err != nil {
		t.Fatal(err)
	}
	writes := k.n
	if writes < 2 {
		t.Fatalf("only %d writes in the retrying pass", writes)
	}
	for at := 1; at <= writes; at++ {
		for _, after := range []bool{false, true} {
			t.Run(fmt.Sprintf("write %d of %d/committed=%v", at, writes, after), func(t *testing.T) {
				is := is.New(t)
				ctx := context.Background()
				e := reconcilertest.New(t)
				parkTwoCalls(t, e)
				cctx, cancel := context.WithCancel(ctx)
				k := &killer{HelpScout: e.HSC, at: at, after: after, cancel: cancel}
				_, _ = reconciler.New(e.ACC, k, e.Store, []reconciler.Instance{e.Instance}, e.Options).RunPass(cctx, reconciler.PassOptions{})
				cancel()
				e.Store = e.OpenStore()
				e.HSC = e.NewHelpScoutClient()
				for range 2 {
					e.Clock.Advance(5 * time.Minute)
					e.Pass()
				}
				for _, id := range []int64{41, 42} {
					th, cv := e.PhoneThreads(id)
					is.Equal(len(th), 1) // logged exactly once
					it, _, err := e.Store.GetItem(ctx, "default", store.KindCall, fmt.Sprint(id))
					is.NoErr(err)
					is.Equal(it.State, store.StateLogged)
					is.Equal(it.ConversationID, cv[0])
					is.Equal(it.Attempts, 0) // the kill is not held against the item
				}
				is.Equal(len(e.HS.Customers()), 2) // no second customer either
				pending, err := e.Store.RetryRequested(ctx, "default", store.KindCall)
				is.NoErr(err)
				is.Equal(len(pending), 0)
			})
		}
	}
}

// TestMirrorRelistInterruptedSweepsOnlyTheGone: the daily re-list of the
// customers mirror is cut twice, once by the pass's page budget and once by
// Help Scout failing, with a restart in between. Nothing is swept until the
// listing reached its end, and then only the customer deleted in Help Scout
// goes: those read before the restart are not taken for gone.
func TestMirrorRelistInterruptedSweepsOnlyTheGone(t *testing.T) {
	is := is.New(t)
	e := newMirrorEnv(t)
	ids := e.seedCustomers(320) // 7 pages of 50
	rep, err := e.syncer("US").Sync(e.ctx, 0)
	is.NoErr(err)
	is.True(rep.Ready)
	e.srv.DeleteCustomer(ids[100])
	size := func() int {
		sizes, err := e.st.MirrorSizes(e.ctx)
		is.NoErr(err)
		return sizes.Customers
	}

	e.clk.Add(25 * time.Hour)
	_, err = e.syncer("US").Sync(e.ctx, 6) // refreshes, then part of the re-list
	is.NoErr(err)
	st, _, err := e.st.MirrorSyncState(e.ctx, reconciler.CustomersMirror)
	is.NoErr(err)
	is.Equal(st.Phase, store.MirrorPhaseRelist)
	is.True(st.SeenTotal > 0 && st.SeenTotal < 319) // cut half-way
	is.Equal(size(), 320)                           // nothing swept yet

	e.open(t) // restart
	e.clk.Add(time.Minute)
	e.srv.InjectFault(helpscouttest.Fault{Method: "GET", PathPrefix: "/v2/customers", Status: 503, Count: 40})
	_, err = e.syncer("US").Sync(e.ctx, 0)
	is.True(err != nil)   // Help Scout fails mid-listing
	is.Equal(size(), 320) // still nothing swept
	e.srv.ClearFaults()

	e.clk.Add(time.Minute)
	rep, err = e.syncer("US").Sync(e.ctx, 0)
	is.NoErr(err)
	is.True(rep.Ready)
	is.Equal(rep.Removed, 1) // only the deleted customer
	is.Equal(size(), 319)
	is.Equal(len(e.byPhone(t, "+16175550100")), 0)
	is.Equal(e.byPhone(t, "+16175550000"), []int64{ids[0]}) // read before the restart, kept
	is.Equal(e.byPhone(t, "+16175550319"), []int64{ids[319]})
	st, _, err = e.st.MirrorSyncState(e.ctx, reconciler.CustomersMirror)
	is.NoErr(err)
	is.Equal(st.Phase, store.MirrorPhaseReady)
}

// TestWaitingOnUnsettledCreateDoesNotStopThePass: in existing mode, calls of
// a customer whose conversation create has an unknown outcome wait for it to
// be settled. Waiting is not an API failure: eight such calls in a row must
// not trip the outage breaker, so a later call of another caller is still
// logged in the same pass, and the next pass logs the waiting ones once.
func TestWaitingOnUnsettledCreateDoesNotStopThePass(t *testing.T) {
	is := is.New(t)
	e := reconcilertest.New(t)
	e.Instance.Conversation = rules.ConversationPolicy{Mode: rules.ModeExisting}
	marta := e.Customer("Marta", "Ruiz", 100*time.Hour, "+34612345678")
	e.Pass()
	e.Clock.Advance(time.Minute)
	for id := int64(1); id <= 9; id++ { // the first create drops; eight more calls wait
		e.AddCall(id, "+34 612 34 56 78", time.Duration(60-id)*time.Minute, reconcilertest.Missed("no_available_agent"))
	}
	e.AddCall(20, "+34 699 11 22 33", 5*time.Minute, reconcilertest.Missed("no_available_agent"))
	e.HS.InjectFault(helpscouttest.Fault{Method: "POST", PathPrefix: "/v2/conversations", AfterCommit: true, Drop: true})
	res := e.Pass()
	is.Equal(e.HS.FaultsFired()[helpscouttest.FaultCommitDropped], 1)
	for _, msg := range res.Instances["default"].Errors {
		is.True(!strings.Contains(msg, "stopped the pass")) // the breaker did not trip
	}
	th, _ := e.PhoneThreads(20)
	is.Equal(len(th), 1) // the other caller was logged in the same pass

	e.Clock.Advance(5 * time.Minute)
	e.Pass()
	var convs []int64
	for _, c := range e.HS.Conversations() {
		if c.PrimaryCustomer != nil && c.PrimaryCustomer.ID == marta {
			convs = append(convs, c.ID)
		}
	}
	is.Equal(len(convs), 1) // one conversation for Marta...
	for id := int64(1); id <= 9; id++ {
		th, cv := e.PhoneThreads(id)
		is.Equal(len(th), 1) // ...with each of her calls once
		is.Equal(cv[0], convs[0])
	}
}
