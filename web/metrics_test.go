package web_test

import (
	"github.com/aircall-helpscout/aircall-helpscout/store"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/aircall-helpscout/aircall-helpscout/clients/aircall"
	"github.com/aircall-helpscout/aircall-helpscout/web"
)

func metricsText(t *testing.T, m *web.Metrics) string {
	t.Helper()
	w := httptest.NewRecorder()
	m.Handler().ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	return w.Body.String()
}

// TestMetricsStartAtZero: every series whose labels are known at start is
// there at 0 before anything happens, so dashboards show 0, not "no data".
func TestMetricsStartAtZero(t *testing.T) {
	m := web.NewMetrics(web.MetricLabels{Instances: []string{"partners", "support_es"}, Kinds: []store.Kind{"call", "message"},
		Outcomes: []store.Outcome{"new_conversation", "failed"}})
	body := metricsText(t, m)
	want := []string{
		`aircall_helpscout_items_total{instance="partners",kind="call",outcome="new_conversation"} 0`,
		`aircall_helpscout_items_total{instance="support_es",kind="message",outcome="failed"} 0`,
		`aircall_helpscout_items_reread_total{instance="support_es",kind="call"} 0`,
		`aircall_helpscout_api_rate_limited_total{api="aircall"} 0`,
		`aircall_helpscout_api_rate_limited_total{api="helpscout"} 0`,
		`aircall_helpscout_passes_total{result="ok"} 0`,
		`aircall_helpscout_passes_total{result="error"} 0`,
		`aircall_helpscout_passes_total{result="skipped_locked"} 0`,
		`aircall_helpscout_pass_duration_seconds_count{result="ok"} 0`,
		`aircall_helpscout_last_successful_pass_timestamp_seconds 0`,
		`aircall_helpscout_webhooks_total{event="message.received",result="stored"} 0`,
		`aircall_helpscout_webhooks_total{event="transcription.created",result="duplicate"} 0`,
		`aircall_helpscout_webhooks_total{event="action_item.created",result="error"} 0`,
		`aircall_helpscout_webhooks_total{event="call.created",result="ignored"} 0`,
	}
	for _, r := range web.RefusalReasons() {
		want = append(want, `aircall_helpscout_webhook_refusals_total{reason="`+r+`"} 0`)
	}
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("/metrics lacks %s", w)
		}
	}
}

// TestMetricsObserve: what each observer moves; re-reads stay out of
// items_total.
func TestMetricsObserve(t *testing.T) {
	is := is.New(t)
	m := web.NewMetrics(web.MetricLabels{Instances: []string{"default"}, Kinds: []store.Kind{"call"}, Outcomes: []store.Outcome{"new_conversation"}})
	m.ObserveItem("default", "call", "new_conversation")
	m.ObserveReread("default", "call")
	m.ObserveReread("default", "call")
	m.ObserveAircall(aircall.RequestEvent{Endpoint: "/v1/calls", Status: 429})
	m.ObservePass(web.PassOK, 1500*time.Millisecond, time.Unix(1_800_000_000, 0))
	m.ObservePass(web.PassSkippedLocked, 0, time.Unix(1_800_000_100, 0))
	m.SetCursorLag("default", 90*time.Second)
	m.ObserveDelivery(web.Delivery{Event: "summary.created", Result: web.ResultStored})
	m.ObserveDelivery(web.Delivery{Result: web.ResultRefused, Reason: web.ReasonUnauthorized})
	body := metricsText(t, m)
	for _, w := range []string{
		`aircall_helpscout_items_total{instance="default",kind="call",outcome="new_conversation"} 1`,
		`aircall_helpscout_items_reread_total{instance="default",kind="call"} 2`,
		`aircall_helpscout_api_requests_total{api="aircall",endpoint="/v1/calls",status="429"} 1`,
		`aircall_helpscout_api_rate_limited_total{api="aircall"} 1`,
		`aircall_helpscout_passes_total{result="ok"} 1`,
		`aircall_helpscout_passes_total{result="skipped_locked"} 1`,
		`aircall_helpscout_pass_duration_seconds_sum{result="ok"} 1.5`,
		`aircall_helpscout_last_successful_pass_timestamp_seconds 1.8e+09`,
		`aircall_helpscout_cursor_lag_seconds{instance="default"} 90`,
		`aircall_helpscout_webhooks_total{event="summary.created",result="stored"} 1`,
		`aircall_helpscout_webhook_refusals_total{reason="unauthorized"} 1`,
	} {
		if !strings.Contains(body, w) {
			t.Errorf("/metrics lacks %s", w)
		}
	}
	is.True(!strings.Contains(body, `outcome="already_done"`))
}
