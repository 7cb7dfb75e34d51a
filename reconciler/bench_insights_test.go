package reconciler_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aircall-helpscout/aircall-helpscout/clients/aircall"
	"github.com/aircall-helpscout/aircall-helpscout/rules"
)

// defaultAircallRPM is AIRCALL_REQUESTS_PER_MINUTE's default: the ceiling a
// catch-up with transcripts and AI on is bound by.
const defaultAircallRPM = 50

// insightsScenario is one way a call's transcript and AI insights reach the
// service.
type insightsScenario struct {
	byWebhook bool // delivered to the receiver (else: ready on the AI endpoints only)
	known     bool // the caller is a Help Scout customer, and the call carries a matching Aircall contact
}

func (s insightsScenario) String() string {
	how, cust := "rest", "unknown"
	if s.byWebhook {
		how = "webhook"
	}
	if s.known {
		cust = "known_contact_matches"
	}
	return how + "/" + cust
}

// seedInsights stores n finished calls (transcripts and AI on) spread over
// span, the newest ending 20 minutes ago, with their insights delivered by
// webhook through the real receiver or ready on the AI endpoints.
func (r *rig) seedInsights(b *testing.B, n int, span time.Duration, sc insightsScenario, firstID int64) {
	e := r.e
	var rc *receiver
	if sc.byWebhook {
		rc = newReceiver(b, e.Store)
	}
	step := span / time.Duration(max(n, 1))
	for i := range n {
		id := firstID + int64(i)
		c := e.Call(id, callerDigits(i), 25*time.Minute+time.Duration(i)*step)
		if sc.known {
			e.Customer("Caller", strconv.Itoa(i), 30*24*time.Hour, callerE164(i))
			c.Contact = &aircall.Contact{ID: 9_000_000 + int64(i), FirstName: "Caller", LastName: strconv.Itoa(i),
				PhoneNumbers: []aircall.ContactDetail{{Label: "Work", Value: callerE164(i)}}}
		}
		e.AC.AddCall(c)
		if !sc.byWebhook {
			e.ReadyAI(id)
			continue
		}
		for _, ev := range insightEvents(id) {
			rc.sendInsight(b, ev.event, ev.data)
		}
	}
}

// BenchmarkInsightsByWebhook measures, with transcripts and AI on, the
// Aircall requests per logged call when the insights came by webhook (the
// listing only) and when they did not (the AI endpoints, as before), and
// the catch-up throughput against AIRCALL_REQUESTS_PER_MINUTE's default of
// 50 and Help Scout's 400 units: before, 5–6 Aircall requests a call bound
// it at about 10 calls a minute.
//
//	BENCH_CALLS=1000 go test -run '^$' -bench InsightsByWebhook -benchtime=1x ./reconciler/
func BenchmarkInsightsByWebhook(b *testing.B) {
	n := envInt("BENCH_CALLS", 200)
	var table []string
	for _, sc := range []insightsScenario{{false, false}, {true, false}, {false, true}, {true, true}} {
		b.Run(strings.ReplaceAll(sc.String(), "/", "_"), func(b *testing.B) {
			var m measure
			for b.Loop() {
				r := newRig(b, scenario{mode: rules.ModeNew, ai: true, known: sc.known}, defaultAircallRPM, helpscoutBudget)
				r.seedInsights(b, n, 12*time.Hour, sc, 7_000_000_000)
				m = r.catchUp(b, 12*time.Hour, false)
			}
			if got := m.counts["new_conversation"]; got != n {
				b.Fatalf("%s: %d of %d calls logged: %v", sc, got, n, m.counts)
			}
			bound := float64(helpscoutBudget) / m.hsPerCall()
			if a := m.acPerCall(); a > 0 {
				bound = min(bound, defaultAircallRPM/a)
			}
			b.ReportMetric(m.acPerCall(), "aircall_req/call")
			b.ReportMetric(m.hsPerCall(), "hs_units/call")
			b.ReportMetric(m.perMinute(), "calls/min")
			b.ReportMetric(bound, "bound_calls/min")
			b.Logf("%s over %d calls, per call:\n    aircall:%s\n    helpscout:%s", sc, m.calls,
				endpoints(m.acByEndpoint, m.calls), endpoints(m.hsByEndpoint, m.calls))
			table = append(table, fmt.Sprintf("| %-29s | %5d | %6.3f | %6.3f | %6.1f | %6.1f | %5.1f |",
				sc, m.calls, m.acPerCall(), m.hsPerCall(), bound, m.perMinute(), m.simulated.Minutes()))
		})
	}
	fmt.Printf("\n| scenario (AI on, %d/min AC) | calls | AC req/call | HS units/call | bound calls/min | achieved calls/min | simulated min |\n%s\n\n",
		defaultAircallRPM, strings.Join(table, "\n"))
}
