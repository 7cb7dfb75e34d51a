package reconciler_test

// Benchmarks of issue 8: requests per logged call, catch-up throughput
// against the rate-limit bound, and memory over a long catch-up. They run on
// the loopback fakes with a shared fake clock: the clients' limiters sleep on
// that clock, so a simulated hour of paced traffic passes in seconds and the
// simulated minutes are what "calls per minute" is measured in.
//
//	go test -run '^$' -bench . -benchtime=1x ./reconciler/            # short: 200 calls
//	BENCH_CALLS=5000 go test -run '^$' -bench . -benchtime=1x -timeout 30m ./reconciler/

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aircall-helpscout/aircall-helpscout/clients/aircall"
	"github.com/aircall-helpscout/aircall-helpscout/clients/helpscout"
	"github.com/aircall-helpscout/aircall-helpscout/clients/helpscout/helpscouttest"
	"github.com/aircall-helpscout/aircall-helpscout/reconciler"
	"github.com/aircall-helpscout/aircall-helpscout/reconciler/reconcilertest"
	"github.com/aircall-helpscout/aircall-helpscout/rules"
	"github.com/aircall-helpscout/aircall-helpscout/store"
)

// The default budgets, AIRCALL_REQUESTS_PER_MINUTE=50 and
// HELPSCOUT_REQUESTS_PER_MINUTE=200 (Help Scout units: reads 1, writes 2),
// below the APIs' own limits (docs/api-facts.md#aircall-rate-limits,
// #help-scout-rate-limits: Aircall 60 a minute per company, Help Scout 400
// units), since both budgets are shared with the company's other tools.
const (
	aircallBudget   = 50
	helpscoutBudget = 200
)

// envInt reads a positive integer from the environment, else def.
func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// scenario is one mix of settings the per-call cost depends on.
type scenario struct {
	mode rules.Mode // rules.ModeNew or rules.ModeExisting
	ai   bool       // transcripts + AI insights on, and ready for every call
	// webhook: with ai, every insight was delivered to the receiver before
	// the pass (insights by webhook); else they are ready on the AI
	// endpoints only, as for a company whose webhook lacks those events.
	webhook bool
	known   bool // every caller is already a Help Scout customer
	// contact: a known caller's call carries an Aircall contact that already
	// says what Help Scout says, so contact sync writes nothing (its steady
	// state: it writes once per customer version). Without it, every call
	// from a distinct known caller costs one contact write.
	contact bool
}

func (s scenario) String() string {
	ai, cust := "ai_off", "unknown"
	if s.ai {
		ai = "ai_rest"
		if s.webhook {
			ai = "ai_webhook"
		}
	}
	if s.known {
		cust = "known"
		if !s.contact {
			cust = "known_contact_write"
		}
	}
	return string(s.mode) + "/" + ai + "/" + cust
}

// everyScenario is new/existing × AI off / AI by REST / AI by webhook ×
// unknown / known caller (contact already matching).
func everyScenario() []scenario {
	var out []scenario
	for _, mode := range []rules.Mode{rules.ModeNew, rules.ModeExisting} {
		for _, ai := range []struct{ on, webhook bool }{{false, false}, {true, false}, {true, true}} {
			for _, known := range []bool{false, true} {
				out = append(out, scenario{mode: mode, ai: ai.on, webhook: ai.webhook, known: known, contact: known})
			}
		}
	}
	return out
}

// sleepMeter wraps the shared clock's Sleep and adds up, per API, the
// simulated time spent waiting (limiters, budget resets, 429 backoff).
type sleepMeter struct {
	clock *reconcilertest.Clock
	total atomic.Int64
}

func (m *sleepMeter) Sleep(ctx context.Context, d time.Duration) error {
	if d > 0 {
		m.total.Add(int64(d))
	}
	return m.clock.Sleep(ctx, d)
}

func (m *sleepMeter) Waited() time.Duration { return time.Duration(m.total.Load()) }

// rig is an environment whose clients are paced at given budgets, with the
// fakes enforcing the same budgets.
type rig struct {
	e      *reconcilertest.Env
	acWait *sleepMeter
	hsWait *sleepMeter
}

// newRig builds the environment; acRPM/hsRPM of 0 mean unlimited (counting
// runs, where only the request counts matter).
func newRig(tb testing.TB, sc scenario, acRPM, hsRPM int) *rig {
	tb.Helper()
	e := reconcilertest.New(tb)
	r := &rig{e: e, acWait: &sleepMeter{clock: e.Clock}, hsWait: &sleepMeter{clock: e.Clock}}
	acfg := e.AC.Config()
	acfg.RequestsPerMinute = 1_000_000
	if acRPM > 0 {
		acfg.RequestsPerMinute = acRPM
		e.AC.SetBudget(acRPM)
	}
	acfg.Sleep, acfg.Now = r.acWait.Sleep, e.Clock.Now
	var err error
	if e.ACC, err = aircall.New(acfg); err != nil {
		tb.Fatal(err)
	}
	hcfg := helpscout.Config{BaseURL: e.HS.URL(), AppID: helpscouttest.AppID, AppSecret: helpscouttest.AppSecret,
		RequestsPerMinute: 1_000_000, Sleep: r.hsWait.Sleep, Now: e.Clock.Now, MaxRetries: 3}
	if hsRPM > 0 {
		hcfg.RequestsPerMinute = hsRPM
		e.HS.SetBudget(hsRPM)
	}
	if e.HSC, err = helpscout.New(hcfg); err != nil {
		tb.Fatal(err)
	}
	e.Instance.Conversation.Mode = sc.mode
	e.Instance.Enrichment.Transcripts, e.Instance.Enrichment.AIInsights = sc.ai, sc.ai
	return r
}

// callerDigits is caller i's number as Aircall shows it: a distinct Spanish
// mobile per call, so no pass memo hides a per-call cost.
func callerDigits(i int) string { return fmt.Sprintf("+34 6%08d", 10_000_000+i) }

func callerE164(i int) string { return strings.ReplaceAll(callerDigits(i), " ", "") }

// seed stores n finished calls spread evenly over span, the newest ending
// 20 minutes ago (past ENRICHMENT_WAIT), with the scenario's customers,
// conversations, Aircall contacts and insights (on the AI endpoints, or
// delivered to the real receiver over loopback HTTP).
func (r *rig) seed(n int, span time.Duration, sc scenario, firstID int64) {
	e := r.e
	var rc *receiver
	if sc.ai && sc.webhook {
		rc = newReceiver(e.TB, e.Store)
	}
	step := span / time.Duration(max(n, 1))
	calls := make([]aircall.Call, 0, min(n, 1000))
	flush := func() { e.AC.AddCalls(calls...); calls = calls[:0] }
	for i := range n {
		id := firstID + int64(i)
		c := e.Call(id, callerDigits(i), 25*time.Minute+time.Duration(i)*step)
		if sc.known && sc.contact {
			c.Contact = &aircall.Contact{ID: 9_000_000 + int64(i), FirstName: "Caller", LastName: strconv.Itoa(i),
				PhoneNumbers: []aircall.ContactDetail{{Label: "Work", Value: callerE164(i)}}}
		}
		calls = append(calls, c)
		if len(calls) == cap(calls) {
			flush()
		}
		switch {
		case sc.ai && sc.webhook:
			for _, ev := range insightEvents(id) {
				rc.sendInsight(e.TB, ev.event, ev.data)
			}
		case sc.ai:
			e.ReadyAI(id)
		}
		if sc.known {
			cust := e.Customer("Caller", strconv.Itoa(i), 30*24*time.Hour, callerE164(i))
			if sc.mode == rules.ModeExisting {
				e.HS.AddConversation(helpscouttest.SeedConversation{Subject: "Earlier question", MailboxID: reconcilertest.MailboxID,
					CustomerID: cust, CreatedAt: e.Clock.Now().Add(-72 * time.Hour)})
			}
		}
	}
	flush()
}

// measure is what one catch-up cost.
type measure struct {
	calls              int
	acReq, hsUnits     int
	hsReq              int
	simulated          time.Duration
	acWait, hsWait     time.Duration
	ac429, hs429       int
	real               time.Duration
	counts             map[store.Outcome]int
	acByEndpoint       map[string]int
	hsByEndpoint       map[string]int
	peakLive, baseLive uint64
	finalLive          uint64
}

func (m measure) acPerCall() float64 { return float64(m.acReq) / float64(m.calls) }
func (m measure) hsPerCall() float64 { return float64(m.hsUnits) / float64(m.calls) }

// bound is the best calls/min the budgets allow at the measured per-call
// costs: min(aircall_budget / aircall_req_per_call, helpscout_budget /
// helpscout_units_per_call).
func (m measure) bound() float64 {
	b := float64(helpscoutBudget) / m.hsPerCall()
	if a := m.acPerCall(); a > 0 {
		b = min(b, float64(aircallBudget)/a)
	}
	return b
}

func (m measure) perMinute() float64 { return float64(m.calls) / m.simulated.Minutes() }

// catchUp runs one manual catch-up over [now−span−1h, now) and measures it.
func (r *rig) catchUp(tb testing.TB, span time.Duration, sample bool) measure {
	tb.Helper()
	e := r.e
	// The mirrors' first sync is a one-off of the installation, measured
	// by BenchmarkMirrorRefresh: here they are complete, as in steady state.
	if _, err := e.Reconciler().SyncMirrors(context.Background(), 0); err != nil {
		tb.Fatalf("mirror sync: %v", err)
	}
	acBefore, hsBefore := e.ACC.Stats(), e.HSC.Stats()
	unitsBefore := e.HS.Units()
	start := e.Clock.Now()
	var m measure
	var stop func()
	if sample {
		stop = r.sampleHeap(&m)
	}
	t0 := time.Now()
	res, err := e.Reconciler().RunPass(context.Background(), reconciler.PassOptions{
		Since: start.Add(-span - time.Hour), Until: start})
	m.real = time.Since(t0)
	if stop != nil {
		stop()
	}
	if err != nil {
		tb.Fatalf("catch-up: %v", err)
	}
	ac, hs := e.ACC.Stats(), e.HSC.Stats()
	m.counts = res.Instances["default"].Counts
	for _, k := range []store.Outcome{store.OutcomeNewConversation, store.OutcomeExistingConversation} {
		m.calls += m.counts[k]
	}
	if m.calls == 0 {
		tb.Fatalf("no call logged: %v %v", m.counts, res.Instances["default"].Errors)
	}
	m.acReq, m.ac429 = ac.Total-acBefore.Total, ac.RateLimited-acBefore.RateLimited
	m.hsUnits, m.hs429 = e.HS.Units()-unitsBefore, hs.RateLimited-hsBefore.RateLimited
	m.hsReq = hs.Total - hsBefore.Total
	m.simulated = e.Clock.Now().Sub(start)
	m.acWait, m.hsWait = r.acWait.Waited(), r.hsWait.Waited()
	m.acByEndpoint, m.hsByEndpoint = diff(ac.Requests, acBefore.Requests), diff(hs.Requests, hsBefore.Requests)
	return m
}

func diff(after, before map[string]int) map[string]int {
	out := map[string]int{}
	for k, v := range after {
		if d := v - before[k]; d > 0 {
			out[k] = d
		}
	}
	return out
}

// sampleHeap records the live heap (after a forced GC) every 200 ms until
// stop is called: the peak working set, garbage excluded. The fakes' request
// logs are dropped at every sample, since they grow with the run by design;
// what the fakes keep (conversations, customers) is in final, so peak −
// final is what the pass itself held at its worst.
func (r *rig) sampleHeap(m *measure) (stop func()) {
	live := func() uint64 {
		r.e.AC.ResetRequests()
		r.e.HS.ResetRequests()
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	m.baseLive = live()
	m.peakLive = m.baseLive
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if v := live(); v > m.peakLive {
					m.peakLive = v
					writeHeapProfile("peak")
				}
			}
		}
	})
	return func() {
		close(done)
		wg.Wait()
		m.finalLive = live()
		writeHeapProfile("final")
		m.peakLive = max(m.peakLive, m.finalLive)
	}
}

func endpoints(by map[string]int, calls int) string {
	keys := make([]string, 0, len(by))
	for k := range by {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var sb strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&sb, " %s=%.3f", strings.TrimSuffix(strings.TrimSuffix(k, " 200"), " 201"), float64(by[k])/float64(calls))
	}
	return sb.String()
}

// BenchmarkRequestsPerCall counts Aircall requests and Help Scout units per
// logged call for every mode × AI (off, by REST, by webhook) × caller mix,
// without budgets, plus the known caller whose Aircall contact must be
// written (contact sync's first sight of each customer version).
func BenchmarkRequestsPerCall(b *testing.B) {
	n := envInt("BENCH_CALLS", 200)
	scs := everyScenario()
	scs = append(scs, scenario{mode: rules.ModeNew, known: true}, scenario{mode: rules.ModeExisting, known: true})
	var table []string
	for _, sc := range scs {
		b.Run(strings.ReplaceAll(sc.String(), "/", "_"), func(b *testing.B) {
			var m measure
			for b.Loop() {
				r := newRig(b, sc, 0, 0)
				r.seed(n, 12*time.Hour, sc, 5_000_000_000)
				m = r.catchUp(b, 12*time.Hour, false)
			}
			if m.calls != n {
				b.Fatalf("%s: %d of %d calls logged: %v", sc, m.calls, n, m.counts)
			}
			b.ReportMetric(m.acPerCall(), "aircall_req/call")
			b.ReportMetric(m.hsPerCall(), "hs_units/call")
			b.ReportMetric(float64(m.hsReq)/float64(m.calls), "hs_req/call")
			b.Logf("%s over %d calls, per call:\n    aircall:%s\n    helpscout:%s", sc, m.calls,
				endpoints(m.acByEndpoint, m.calls), endpoints(m.hsByEndpoint, m.calls))
			table = append(table, fmt.Sprintf("| %-38s | %5d | %6.3f | %6.3f | %6.1f |", sc, m.calls, m.acPerCall(), m.hsPerCall(), m.bound()))
		})
	}
	fmt.Printf("\n| scenario | calls | AC req/call | HS units/call | bound calls/min (%d AC, %d HS) |\n%s\n\n",
		aircallBudget, helpscoutBudget, strings.Join(table, "\n"))
}

// BenchmarkCatchUp catches up calls spread over the past 12 hours (inside
// ENRICHMENT_MAX_AGE, so AI on means AI read or delivered) against fakes
// that enforce the default budgets, 50 Aircall requests and 200 Help Scout
// units a minute, with the clients paced at the same budgets, and reports
// calls per simulated minute against the bound the measured per-call costs
// allow, for every scenario: before insights by webhook (ai_rest) and after
// (ai_webhook).
func BenchmarkCatchUp(b *testing.B) {
	n := envInt("BENCH_CALLS", 200)
	var table []string
	for _, sc := range everyScenario() {
		b.Run(strings.ReplaceAll(sc.String(), "/", "_"), func(b *testing.B) {
			var m measure
			for b.Loop() {
				r := newRig(b, sc, aircallBudget, helpscoutBudget)
				r.seed(n, 12*time.Hour, sc, 6_000_000_000)
				m = r.catchUp(b, 12*time.Hour, false)
			}
			if m.calls != n {
				b.Fatalf("%s: %d of %d calls logged: %v", sc, m.calls, n, m.counts)
			}
			pct := 100 * m.perMinute() / m.bound()
			by := "HS"
			if aircallBudget/max(m.acPerCall(), 1e-9) < helpscoutBudget/m.hsPerCall() {
				by = "AC"
			}
			b.ReportMetric(m.perMinute(), "calls/min")
			b.ReportMetric(m.bound(), "bound_calls/min")
			b.ReportMetric(pct, "pct_of_bound")
			b.ReportMetric(m.acPerCall(), "aircall_req/call")
			b.ReportMetric(m.hsPerCall(), "hs_units/call")
			b.Logf("%s: %d calls in %.1f simulated min (%.1fs real) = %.1f calls/min; bound %.1f (AC %.1f, HS %.1f) → %.1f%%\n"+
				"    waited: aircall %.1f min, helpscout %.1f min; 429s: aircall %d, helpscout %d",
				sc, m.calls, m.simulated.Minutes(), m.real.Seconds(), m.perMinute(), m.bound(),
				aircallBudget/max(m.acPerCall(), 1e-9), helpscoutBudget/m.hsPerCall(), pct,
				m.acWait.Minutes(), m.hsWait.Minutes(), m.ac429, m.hs429)
			table = append(table, fmt.Sprintf("| %-30s | %6.3f | %6.3f | %6.1f (%s) | %6.1f | %5.1f%% | %6.1f | %5.1f / %5.1f | %d | %.1f s |",
				sc, m.acPerCall(), m.hsPerCall(), m.bound(), by, m.perMinute(), pct, m.simulated.Minutes(),
				m.acWait.Minutes(), m.hsWait.Minutes(), m.ac429+m.hs429, m.real.Seconds()))
		})
	}
	fmt.Printf("\n| scenario (%d calls) | AC req/call | HS units/call | bound calls/min | achieved calls/min | %% of bound | simulated min | waited AC / HS (min) | 429s | real time |\n%s\n\n",
		n, strings.Join(table, "\n"))
}

// BenchmarkCatchUpMemory catches up 5,000 calls (and 50,000 with
// BENCH_MEMORY=1) and reports the peak live heap above the heap the fakes
// and the seed data already held: it must not grow with the period.
func BenchmarkCatchUpMemory(b *testing.B) {
	sizes := []int{500, 5000}
	if os.Getenv("BENCH_MEMORY") != "" {
		sizes = append(sizes, 50_000)
	}
	sc := scenario{mode: rules.ModeNew}
	if os.Getenv("BENCH_HEAPPROFILE") != "" {
		// Every allocation sampled, so peak − final is exact (and the run slower).
		runtime.MemProfileRate = 256
	}
	for _, n := range sizes {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			var m measure
			for b.Loop() {
				r := newRig(b, sc, 0, 0)
				r.seed(n, 7*24*time.Hour, sc, 7_000_000_000)
				m = r.catchUp(b, 7*24*time.Hour, true)
			}
			mib := func(v uint64) float64 { return float64(v) / (1 << 20) }
			work := mib(m.peakLive) - mib(m.finalLive)
			b.ReportMetric(work, "pass_peak_MiB")
			b.ReportMetric(mib(m.finalLive)-mib(m.baseLive), "fakes_growth_MiB")
			b.ReportMetric(mib(maxRSS()), "process_maxRSS_MiB")
			b.Logf("%d calls in %.1fs: live heap base %.1f MiB, peak %.1f MiB, after %.1f MiB → pass working set %.1f MiB; process max RSS %.0f MiB (fakes included)",
				m.calls, m.real.Seconds(), mib(m.baseLive), mib(m.peakLive), mib(m.finalLive), work, mib(maxRSS()))
		})
	}
}

// writeHeapProfile saves the live heap to $BENCH_HEAPPROFILE/heap_<name>.pprof
// when that variable names a directory, so the peak's composition can be
// read with: go tool pprof -top -base heap_final.pprof heap_peak.pprof
func writeHeapProfile(name string) {
	dir := os.Getenv("BENCH_HEAPPROFILE")
	if dir == "" {
		return
	}
	f, err := os.Create(filepath.Join(dir, "heap_"+name+".pprof"))
	if err != nil {
		return
	}
	defer f.Close()
	_ = pprof.WriteHeapProfile(f)
}

// maxRSS reads the process high-water RSS from /proc (0 where there is none).
func maxRSS() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// BenchmarkMirrorFirstSyncWhileLogging measures the customers mirror's first
// sync as an installation on a large account lives it: BENCH_CUSTOMERS
// customers (default 2,000; 100,000 for the figure in BENCHMARKS.md) in Help
// Scout, a pass every 5 minutes (SCHEDULE's default) with the default page
// allowance (Options.MirrorPages unset: DefaultMirrorPages), both clients
// and fakes at the default budgets (50 Aircall requests, 200 Help Scout
// units a minute), and BENCH_CALLS_PER_PASS calls (default 10, half from
// customers, half from new numbers, AI off) ending before each pass, which
// must all be logged while the sync runs (through the live check). Time is
// the shared fake clock: the clients' limiter waits advance it, the
// schedule advances it between passes, so the first-sync duration is the
// simulated wall-clock, not the run's real time. Then the Help Scout units
// of an idle pass (nothing changed, one mailbox).
//
//	BENCH_CUSTOMERS=100000 go test -run '^$' -bench MirrorFirstSyncWhileLogging -benchtime=1x -timeout 30m ./reconciler/
func BenchmarkMirrorFirstSyncWhileLogging(b *testing.B) {
	n := envInt("BENCH_CUSTOMERS", envInt("BENCH_MIRROR_CUSTOMERS", 2000))
	perPass := envInt("BENCH_CALLS_PER_PASS", 10)
	const schedule = 5 * time.Minute // SCHEDULE's default
	type result struct {
		passes, listPages, syncUnits, callUnits, afterUnits, idleUnits, logged, calls int
		simulated, real                                                               time.Duration
	}
	var res result
	for b.Loop() {
		res = result{}
		r := newRig(b, scenario{mode: rules.ModeNew}, aircallBudget, helpscoutBudget)
		e := r.e
		t0 := e.Clock.Now()
		for i := range n {
			at := t0.Add(-time.Duration(n-i) * time.Minute) // an account grown over time: one customer a minute
			e.HS.AddCustomer(helpscout.Customer{FirstName: "C", LastName: strconv.Itoa(i), CreatedAt: at, UpdatedAt: at,
				Phones: []helpscout.Entry{{Type: "work", Value: callerDigits(i)}}})
		}
		rec := e.Reconciler()
		hsBefore, unitsBefore := e.HSC.Stats(), e.HS.Units()
		start, real0 := e.Clock.Now(), time.Now()
		next := int64(8_000_000_000)
		for res.passes < 10_000 {
			passStart := e.Clock.Now()
			// Calls that started after the previous pass and ended before
			// this one: half from customers (known, not yet in the mirror),
			// half from numbers Help Scout has never seen.
			for j := range perPass {
				caller := callerDigits(n + int(next%1_000_000)) // unknown
				if j%2 == 0 {
					caller = callerDigits(int(next) % n) // a customer
				}
				e.AC.AddCall(e.Call(next, caller, 150*time.Second+time.Duration(j)*time.Second))
				next++
				res.calls++
			}
			pr, err := rec.RunPass(context.Background(), reconciler.PassOptions{})
			if err != nil {
				b.Fatalf("pass %d: %v", res.passes, err)
			}
			res.passes++
			in := pr.Instances["default"]
			res.logged += in.Counts[store.OutcomeNewConversation] + in.Counts[store.OutcomeExistingConversation]
			st, _, err := e.Store.MirrorSyncState(context.Background(), reconciler.CustomersMirror)
			if err != nil {
				b.Fatal(err)
			}
			if st.Phase == store.MirrorPhaseReady {
				break
			}
			// The next scheduled tick (at once if the pass overran it).
			if d := passStart.Add(schedule).Sub(e.Clock.Now()); d > 0 {
				e.Clock.Advance(d)
			}
		}
		res.simulated, res.real = e.Clock.Now().Sub(start), time.Since(real0)
		hs := diff(e.HSC.Stats().Requests, hsBefore.Requests)
		for k, v := range hs {
			if strings.HasPrefix(k, "GET /v2/customers ") || strings.HasPrefix(k, "GET /v2/conversations ") {
				res.listPages += v
			}
		}
		total := e.HS.Units() - unitsBefore
		res.syncUnits, res.callUnits = res.listPages, total-res.listPages
		if res.logged != res.calls {
			b.Fatalf("%d of %d calls logged during the first sync", res.logged, res.calls)
		}
		b.Logf("Help Scout requests during the first sync: %v", hs)
		// The first pass after the sync refreshes from where the sync
		// began: it reads again what changed meanwhile (the customers the
		// calls created), once. Then a quiet hour and an idle pass: nothing
		// changed, but a refresh starts 10 minutes (the overlap) below the
		// newest modification mirrored, so it re-reads the conversations
		// the last passes' calls created: 2 pages once they are over 25.
		e.Clock.Advance(schedule)
		before := e.HS.Units()
		e.Pass()
		res.afterUnits = e.HS.Units() - before
		e.Clock.Advance(time.Hour)
		e.Pass()
		e.Clock.Advance(schedule)
		e.HS.ResetRequests()
		before = e.HS.Units()
		e.Pass()
		res.idleUnits = e.HS.Units() - before
		for _, rq := range e.HS.Requests() {
			b.Logf("idle pass: %s %s %v", rq.Method, rq.Path, rq.Query)
		}
	}
	b.ReportMetric(float64(res.passes), "passes")
	b.ReportMetric(float64(res.listPages), "listing_pages")
	b.ReportMetric(res.simulated.Minutes(), "first_sync_min")
	b.ReportMetric(float64(res.syncUnits)/helpscoutBudget, "min_if_whole_budget")
	b.ReportMetric(float64(res.callUnits)/float64(max(res.logged, 1)), "call_hs_units/call")
	b.ReportMetric(float64(res.afterUnits), "first_refresh_units")
	b.ReportMetric(float64(res.idleUnits), "idle_pass_units")
	b.Logf("%d customers: first sync in %d passes, %.1f simulated min (%.1fs real); %d listing pages (1 unit each); "+
		"%d calls logged meanwhile at %.2f Help Scout units each; first pass after it %d units, idle pass %d units (1 mailbox)",
		n, res.passes, res.simulated.Minutes(), res.real.Seconds(), res.listPages, res.logged,
		float64(res.callUnits)/float64(max(res.logged, 1)), res.afterUnits, res.idleUnits)
}
