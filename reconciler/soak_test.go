package reconciler_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strconv"
	"sync"
	"sync/atomic"
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
	"github.com/aircall-helpscout/aircall-helpscout/web"
)

// soakTally is what the soak did, for BENCHMARKS.md.
type soakTally struct {
	calls, rounds, restarts, kills        int
	faults5xx, faultsCommit, faultsDrop   int
	aircall5xx, tokenExpiries, latencyOn  int
	hs429, ac429, storms429               int
	duplicates, lost, wrongConv, dupNotes int
	dupCustomers                          int
	// messages
	messages, whatsapp, outbound           int
	deliveries, dupDeliveries, statusUpds  int
	liveDeliveries, refusedDeliveries      int
	msgDuplicates, msgLost, msgWrongLedger int
	scheduledPasses                        int
}

// soakReceiver is the real webhook handler served over loopback; a restart
// points it at the reopened store.
type soakReceiver struct {
	h       atomic.Pointer[http.Handler]
	srv     *httptest.Server
	mu      sync.Mutex
	results map[string]int
	refused atomic.Int64 // non-200 answers (Aircall retries those)
}

func newSoakReceiver(tb testing.TB) *soakReceiver {
	rc := &soakReceiver{results: map[string]int{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+web.WebhookPath, func(w http.ResponseWriter, r *http.Request) { (*rc.h.Load()).ServeHTTP(w, r) })
	rc.srv = httptest.NewServer(mux)
	tb.Cleanup(rc.srv.Close)
	return rc
}

func (rc *soakReceiver) setStore(st *store.Store) {
	h := web.NewReceiver(st, hookToken, nil, web.WithDeliveryHook(func(d web.Delivery) {
		rc.mu.Lock()
		rc.results[d.Result+d.Reason]++
		rc.mu.Unlock()
	}))
	rc.h.Store(&h)
}

// deliver posts one event like Aircall does: retried until answered 200.
func (rc *soakReceiver) deliver(event string, m msg) error {
	body := envelope(event, hookToken, m.data())
	for range 10 {
		resp, err := rc.srv.Client().Post(rc.srv.URL+web.WebhookPath, "application/json", bytes.NewReader(body))
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			return nil
		}
		rc.refused.Add(1)
	}
	return fmt.Errorf("delivery of %s %s refused 10 times", event, m.ID)
}

// delivery is one webhook event of the soak.
type delivery struct {
	event string
	m     msg
}

// markerRE finds the call, insights and message markers in thread bodies.
var markerRE = regexp.MustCompile(`\[aircall:(call|message):([^\]]+)\]`)

// TestSoak logs calls while both fakes inject 429 storms (budgets below what
// the clients are allowed to send), 5xx bursts, latency, token expiry and
// commit-then-fail or dropped connections on every kind of Help Scout write,
// and while the process is "killed" at random requests (the pass context is
// cancelled right after a response arrived, so the write landed but its
// result was never recorded) and restarted (new clients, a reopened store, a
// new reconciler). SMS and WhatsApp messages arrive through the real webhook
// handler over loopback between and during the passes, with duplicate
// deliveries and status updates. At the end every call and every message
// must be in Help Scout exactly once and the ledger must agree with Help
// Scout.
//
// The default run is bounded for CI (300 calls, 100 messages); SOAK=1 runs
// 3,000 calls and 1,000 messages; SOAK_CALLS=n and SOAK_MESSAGES=n any size.
// SOAK_SEED fixes the random choices.
func TestSoak(t *testing.T) {
	n := 300
	if os.Getenv("SOAK") != "" {
		n = 3000
	}
	n = envInt("SOAK_CALLS", n)
	nMsgs := envInt("SOAK_MESSAGES", max(n/3, 1))
	if testing.Short() {
		n, nMsgs = min(n, 120), min(nMsgs, 40)
	}
	seed := uint64(envInt("SOAK_SEED", 8))
	rng := rand.New(rand.NewPCG(seed, seed^0x50a4))
	is := is.New(t)

	e := reconcilertest.New(t)
	e.Instance.Conversation = rules.ConversationPolicy{Mode: rules.ModeExisting, ReopenClosed: true}
	e.Instance.Reassign = true
	e.Options.MaxAttempts = 1_000_000 // a final call must end logged, never parked
	// Budgets below what the clients may send: 429 storms by design.
	e.AC.SetBudget(40)
	e.HS.SetBudget(120)

	// Calls over the last 20 hours from a pool of callers, a third of them
	// known customers with an open conversation, some anonymous, half
	// with insights ready.
	pool := max(n/3, 1)
	known := map[int]int64{}
	for i := range pool / 3 {
		cust := e.Customer("Known", strconv.Itoa(i), 90*24*time.Hour, callerE164(i))
		known[i] = cust
		e.HS.AddConversation(helpscouttest.SeedConversation{Subject: "Order", MailboxID: reconcilertest.MailboxID,
			CustomerID: cust, CreatedAt: e.Clock.Now().Add(-30 * 24 * time.Hour)})
	}
	ids := make([]int64, n)
	for i := range n {
		id := int64(8_000_000_000 + i)
		ids[i] = id
		raw := callerDigits(rng.IntN(pool))
		if rng.IntN(40) == 0 {
			raw = "anonymous"
		}
		var opts []reconcilertest.CallOpt
		if rng.IntN(5) == 0 {
			opts = append(opts, reconcilertest.Missed("no_available_agent"))
		}
		e.AddCall(id, raw, 30*time.Minute+time.Duration(rng.IntN(20*3600))*time.Second, opts...)
		if rng.IntN(2) == 0 {
			e.ReadyAI(id)
		}
	}
	var tally soakTally
	tally.calls = n
	rc := newSoakReceiver(t)

	// killAfter, when > 0, cancels the running pass right after that many
	// more Help Scout answers: the "process" dies between a write landing
	// and its result being recorded.
	var killAfter atomic.Int64
	var killsFired atomic.Int64 // passes actually cancelled mid-way
	var cancelPass atomic.Value // context.CancelFunc
	var hs429, ac429 atomic.Int64
	restart := func() {
		e.Store.Close()
		e.Store = e.OpenStore()
		rc.setStore(e.Store)
		acfg := e.AC.Config()
		acfg.RequestsPerMinute, acfg.Sleep, acfg.Now = 1_000_000, e.Clock.Sleep, e.Clock.Now
		acfg.Observer = func(ev aircall.RequestEvent) {
			if ev.Status == http.StatusTooManyRequests {
				ac429.Add(1)
			}
		}
		var err error
		if e.ACC, err = aircall.New(acfg); err != nil {
			t.Fatal(err)
		}
		if e.HSC, err = helpscout.New(helpscout.Config{BaseURL: e.HS.URL(), AppID: helpscouttest.AppID, AppSecret: helpscouttest.AppSecret,
			RequestsPerMinute: 1_000_000, Sleep: e.Clock.Sleep, Now: e.Clock.Now, MaxRetries: 3,
			Observer: func(ev helpscout.RequestEvent) {
				if ev.Status == http.StatusTooManyRequests {
					hs429.Add(1)
				}
				if killAfter.Load() > 0 && killAfter.Add(-1) == 0 {
					if c, ok := cancelPass.Load().(context.CancelFunc); ok {
						c()
						killsFired.Add(1)
					}
				}
			}}); err != nil {
			t.Fatal(err)
		}
	}
	restart()

	writes := []struct{ method, prefix string }{
		{"POST", "/v2/customers"}, {"POST", "/v2/conversations"}, {"PATCH", "/v2/conversations"}, {"PUT", "/v2/conversations"},
	}
	// pass runs a catch-up over the whole period, or with scheduled a
	// scheduled pass (calls since the cursor, messages since theirs, failed
	// messages retried), while live is delivered concurrently.
	pass := func(scheduled bool, live []delivery) (reconciler.Result, error) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		cancelPass.Store(context.CancelFunc(cancel))
		var wg sync.WaitGroup
		var derr error
		wg.Go(func() {
			for _, d := range live {
				if err := rc.deliver(d.event, d.m); err != nil {
					derr = err
					return
				}
			}
		})
		po := reconciler.PassOptions{Since: reconcilertest.Start.Add(-24 * time.Hour), Until: e.Clock.Now()}
		if scheduled {
			po = reconciler.PassOptions{}
		}
		res, err := e.Reconciler().RunPass(ctx, po)
		wg.Wait()
		if derr != nil {
			t.Fatal(derr)
		}
		return res, err
	}

	// Messages: new ones each round from the callers' pool (a third
	// WhatsApp, a third outbound by the agent), plus duplicate deliveries
	// of earlier ones and status updates of outbound ones.
	var sent []delivery
	var msgIDs []string
	updated := map[string]bool{}
	nextMsg := 0
	newMessages := func(k int) []delivery {
		var out []delivery
		for range k {
			if nextMsg >= nMsgs {
				break
			}
			m := msg{ID: fmt.Sprintf("soak-%d", nextMsg), Direction: "inbound", External: callerE164(rng.IntN(pool)),
				Body: fmt.Sprintf("message %d <b>&amp;</b>", nextMsg), Status: "received",
				Created: e.Clock.Now().Add(-time.Duration(1+rng.IntN(180)) * time.Minute).Truncate(time.Second)}
			nextMsg++
			if rng.IntN(3) == 0 {
				m.Channel = "whatsapp"
				tally.whatsapp++
			}
			ev := "message.received"
			if rng.IntN(3) == 0 {
				m.Direction, m.Status, m.Agent, ev = "outbound", "sent", true, "message.sent"
				tally.outbound++
			}
			msgIDs = append(msgIDs, m.ID)
			out = append(out, delivery{ev, m})
		}
		tally.messages += len(out)
		for range rng.IntN(len(out)/2 + 2) {
			if len(sent) == 0 {
				break
			}
			out = append(out, sent[rng.IntN(len(sent))]) // the same event again
			tally.dupDeliveries++
		}
		for range 1 + len(out)/2 {
			if len(sent) == 0 {
				break
			}
			d := sent[rng.IntN(len(sent))]
			if d.m.Direction != "outbound" || updated[d.m.ID] {
				continue
			}
			updated[d.m.ID] = true
			d.event, d.m.Status, d.m.Updated = "message.status_updated", "delivered", d.m.Created.Add(time.Minute)
			out = append(out, d)
			tally.statusUpds++
		}
		for _, d := range out {
			if d.event != "message.status_updated" {
				sent = append(sent, d)
			}
		}
		rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
		tally.deliveries += len(out)
		return out
	}

	// Faulty rounds.
	faultRounds := 12 + n/25
	perRound := (nMsgs + faultRounds - 1) / faultRounds
	for round := range faultRounds {
		tally.rounds++
		// Half the round's deliveries before the pass, half during it.
		batch := newMessages(perRound)
		half := len(batch) / 2
		for _, d := range batch[:half] {
			if err := rc.deliver(d.event, d.m); err != nil {
				t.Fatal(err)
			}
		}
		live := batch[half:]
		tally.liveDeliveries += len(live)
		for range 1 + rng.IntN(3) {
			w := writes[rng.IntN(len(writes))]
			f := helpscouttest.Fault{Method: w.method, PathPrefix: w.prefix, Count: 1 + rng.IntN(2)}
			switch rng.IntN(3) {
			case 0:
				f.Status = []int{500, 502, 503}[rng.IntN(3)]
				tally.faults5xx += f.Count
			case 1:
				f.AfterCommit, f.Status = true, 503
				tally.faultsCommit += f.Count
			default:
				f.AfterCommit, f.Drop = true, true
				tally.faultsDrop += f.Count
			}
			e.HS.InjectFault(f)
		}
		if rng.IntN(3) == 0 {
			e.HS.InjectFault(helpscouttest.Fault{Method: "GET", Status: 503, Count: 1 + rng.IntN(3)})
			tally.faults5xx++
		}
		if rng.IntN(3) == 0 { // a 429 storm on either API
			k := 3 + rng.IntN(8)
			e.HS.InjectFault(helpscouttest.Fault{Status: http.StatusTooManyRequests, Count: k})
			tally.storms429 += k
		}
		switch rng.IntN(6) {
		case 0:
			k := 1 + rng.IntN(3)
			e.AC.FailNext(k, 503)
			tally.aircall5xx += k
		case 1:
			k := 3 + rng.IntN(6)
			e.AC.FailNext(k, http.StatusTooManyRequests)
			tally.storms429 += k
		}
		if rng.IntN(4) == 0 {
			e.HS.ExpireTokens()
			tally.tokenExpiries++
		}
		lat := time.Duration(0)
		if rng.IntN(4) == 0 {
			lat = time.Millisecond
			tally.latencyOn++
		}
		e.HS.SetLatency(lat)
		e.AC.SetLatency(lat)
		if rng.IntN(3) > 0 {
			killAfter.Store(int64(1 + rng.IntN(60)))
			tally.kills++
		}
		scheduled := rng.IntN(3) == 0
		if scheduled {
			tally.scheduledPasses++
		}
		_, _ = pass(scheduled, live) // errors are expected here
		killAfter.Store(0)
		if rng.IntN(2) == 0 || round == faultRounds-1 {
			restart()
			tally.restarts++
		}
		e.Clock.Advance(time.Duration(1+rng.IntN(5)) * time.Minute)
	}

	// Clean rounds until every call is final (the queued faults drain).
	e.HS.SetLatency(0)
	e.AC.SetLatency(0)
	for range 50 {
		tally.rounds++
		res, err := pass(false, nil)
		c := res.Instances["default"]
		if err == nil && c != nil && len(c.Errors) == 0 && c.Counts[store.OutcomeFailed] == 0 && c.Counts[store.OutcomeWaiting] == 0 {
			break
		}
		e.Clock.Advance(time.Minute)
	}
	tally.hs429, tally.ac429 = int(hs429.Load()), int(ac429.Load())
	tally.refusedDeliveries = int(rc.refused.Load())

	// The soak proves something only if its faults happened: a queued
	// fault no request matched, or a kill scheduled after the pass had
	// ended, would leave a green run that tested nothing. Count what the
	// fakes and the kill switch actually did, not what was queued.
	fired := e.HS.FaultsFired()
	for _, k := range []struct {
		what string
		n    int
	}{
		{"passes killed mid-way", int(killsFired.Load())},
		{"store restarts", tally.restarts},
		{"Help Scout 5xx answered", fired[helpscouttest.FaultStatus]},
		{"Help Scout writes committed then 5xx", fired[helpscouttest.FaultCommitStatus]},
		{"Help Scout writes committed then connection dropped", fired[helpscouttest.FaultCommitDropped]},
		{"Aircall failures answered", e.AC.FailuresServed()},
		{"429s seen by the Help Scout client", tally.hs429},
	} {
		if k.n == 0 {
			t.Errorf("soak injected no %s: the run proves nothing about them", k.what)
		}
	}
	tally.kills = int(killsFired.Load())
	// Report what fired rather than what was queued.
	tally.faults5xx, tally.faultsCommit, tally.faultsDrop = fired[helpscouttest.FaultStatus], fired[helpscouttest.FaultCommitStatus], fired[helpscouttest.FaultCommitDropped]
	tally.aircall5xx = e.AC.FailuresServed()

	// One read of Help Scout: every marker, where it is.
	type place struct {
		conv int64
		typ  string
	}
	markers := map[string][]place{}
	for _, c := range e.HS.Conversations() {
		for _, th := range c.Threads {
			for _, m := range markerRE.FindAllStringSubmatch(th.Body, -1) {
				markers[m[0]] = append(markers[m[0]], place{c.ID, th.Type})
			}
		}
	}

	// Exactly once, and the ledger agrees with Help Scout.
	ctx := context.Background()
	for _, id := range ids {
		var convs []int64
		for _, p := range markers[rules.CallMarker(id)] {
			if p.typ == "phone" {
				convs = append(convs, p.conv)
			}
		}
		notes := 0
		for _, p := range markers[rules.InsightsMarker(id)] {
			if p.typ == "note" {
				notes++
			}
		}
		switch {
		case len(convs) == 0:
			tally.lost++
			t.Errorf("call %d: not in Help Scout", id)
			continue
		case len(convs) > 1:
			tally.duplicates += len(convs) - 1
			t.Errorf("call %d: %d phone threads in %v", id, len(convs), convs)
		}
		if notes > 1 {
			tally.dupNotes++
			t.Errorf("call %d: %d insights notes", id, notes)
		}
		it, ok, err := e.Store.GetItem(ctx, "default", store.KindCall, strconv.FormatInt(id, 10))
		is.NoErr(err)
		if !ok || it.State != store.StateLogged || it.ConversationID != convs[0] {
			tally.wrongConv++
			t.Errorf("call %d: ledger %+v (found %v) but thread in conversation %d", id, it, ok, convs[0])
		}
	}
	for _, id := range msgIDs {
		ps := markers[rules.MessageMarker(id)]
		switch {
		case len(ps) == 0:
			tally.msgLost++
			t.Errorf("message %s: not in Help Scout", id)
			continue
		case len(ps) > 1:
			tally.msgDuplicates += len(ps) - 1
			t.Errorf("message %s: %d threads %v", id, len(ps), ps)
		}
		it, ok, err := e.Store.GetItem(ctx, "default", store.KindMessage, id)
		is.NoErr(err)
		if !ok || it.State != store.StateLogged || it.ConversationID != ps[0].conv {
			tally.msgWrongLedger++
			t.Errorf("message %s: ledger %+v (found %v) but thread in conversation %d", id, it, ok, ps[0].conv)
		}
	}
	inbox, err := e.Store.CountMessages(ctx)
	is.NoErr(err)
	is.Equal(inbox, len(msgIDs)) // duplicates and status updates kept one row each
	seen := map[string]int{}
	for _, c := range e.HS.Customers() {
		for _, p := range c.Phones {
			if e164, ok := rules.NormalizePhone(p.Value, "ES"); ok {
				seen[e164]++
			}
		}
	}
	for _, v := range seen {
		if v > 1 {
			tally.dupCustomers += v - 1
		}
	}
	if tally.dupCustomers > 0 {
		t.Errorf("%d duplicate customers created", tally.dupCustomers)
	}
	t.Logf("soak (seed %d): %d calls, %d rounds, %d kills, %d restarts; faults fired: HS error answers (5xx or 429) %d, HS commit-then-5xx %d, HS commit-then-drop %d, "+
		"Aircall 5xx %d, injected 429s %d, token expiries %d, latency rounds %d; 429s seen: Help Scout %d, Aircall %d; "+
		"duplicates %d, lost %d, ledger mismatches %d, duplicate notes %d, duplicate customers %d",
		seed, tally.calls, tally.rounds, tally.kills, tally.restarts, tally.faults5xx, tally.faultsCommit, tally.faultsDrop,
		tally.aircall5xx, tally.storms429, tally.tokenExpiries, tally.latencyOn, tally.hs429, tally.ac429,
		tally.duplicates, tally.lost, tally.wrongConv, tally.dupNotes, tally.dupCustomers)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	t.Logf("soak messages: %d (%d WhatsApp, %d outbound) in %d deliveries (%d during a pass, %d duplicate deliveries, %d status updates, %d answered non-200 and retried); "+
		"receiver results %v; %d scheduled passes; message duplicates %d, lost %d, ledger mismatches %d",
		tally.messages, tally.whatsapp, tally.outbound, tally.deliveries, tally.liveDeliveries, tally.dupDeliveries, tally.statusUpds, tally.refusedDeliveries,
		rc.results, tally.scheduledPasses, tally.msgDuplicates, tally.msgLost, tally.msgWrongLedger)
}
