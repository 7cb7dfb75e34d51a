package main

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/aircall-helpscout/aircall-helpscout/clients/aircall"
	"github.com/aircall-helpscout/aircall-helpscout/clients/helpscout"
	"github.com/aircall-helpscout/aircall-helpscout/reconciler"
	"github.com/aircall-helpscout/aircall-helpscout/store"
)

// metrics are the Prometheus series of SPEC §10. Each serve builds its own
// registry (not the global one) so tests can run several side by side.
type metrics struct {
	reg          *prometheus.Registry
	items        *prometheus.CounterVec
	requests     *prometheus.CounterVec
	units        *prometheus.CounterVec
	rateLimited  *prometheus.CounterVec
	passDuration *prometheus.HistogramVec
	passes       *prometheus.CounterVec
	cursorLag    *prometheus.GaugeVec
	lastSuccess  prometheus.Gauge
	webhooks     *prometheus.CounterVec
}

const metricPrefix = "aircall_helpscout_"

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		items: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: metricPrefix + "items_total", Help: "Items (calls, messages) handled, by instance, kind and outcome.",
		}, []string{"instance", "kind", "outcome"}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: metricPrefix + "api_requests_total", Help: "HTTP attempts to Aircall and Help Scout, by API, endpoint and status (0 = network error).",
		}, []string{"api", "endpoint", "status"}),
		units: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: metricPrefix + "api_rate_limit_units_total", Help: "Rate-limit units spent (Help Scout writes cost 2), by API and status.",
		}, []string{"api", "status"}),
		rateLimited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: metricPrefix + "api_rate_limited_total", Help: "429 answers, by API.",
		}, []string{"api"}),
		passDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: metricPrefix + "pass_duration_seconds", Help: "Duration of passes, by result (ok, error).",
			Buckets: []float64{0.5, 1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600},
		}, []string{"result"}),
		passes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: metricPrefix + "passes_total", Help: "Passes run, by result (ok, error, skipped_locked).",
		}, []string{"result"}),
		cursorLag: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: metricPrefix + "cursor_lag_seconds", Help: "Now minus the calls cursor, by instance, after the last pass.",
		}, []string{"instance"}),
		lastSuccess: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: metricPrefix + "last_successful_pass_timestamp_seconds", Help: "Unix time the last successful pass ended.",
		}),
		webhooks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: metricPrefix + "webhooks_total", Help: "Aircall webhook deliveries, by event and result (stored, duplicate, unauthorized, ...).",
		}, []string{"event", "result"}),
	}
	m.reg.MustRegister(m.webhooks, m.items, m.requests, m.units, m.rateLimited, m.passDuration, m.passes, m.cursorLag, m.lastSuccess,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// handler serves the registry in the Prometheus text format.
func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

func (m *metrics) observeItem(instance, kind, outcome string) {
	m.items.WithLabelValues(instance, kind, outcome).Inc()
}

func (m *metrics) observeAircall(ev aircall.RequestEvent) {
	m.observeRequest("aircall", ev.Endpoint, ev.Status, 1)
}

func (m *metrics) observeHelpScout(ev helpscout.RequestEvent) {
	m.observeRequest("helpscout", ev.Endpoint, ev.Status, ev.Units)
}

func (m *metrics) observeRequest(api, endpoint string, status, units int) {
	s := strconv.Itoa(status)
	m.requests.WithLabelValues(api, endpoint, s).Inc()
	if units > 0 {
		m.units.WithLabelValues(api, s).Add(float64(units))
	}
	if status == http.StatusTooManyRequests {
		m.rateLimited.WithLabelValues(api).Inc()
	}
}

// observePass records a pass's duration and outcome, and refreshes the
// cursor lag of every instance from the store.
func (m *metrics) observePass(ctx context.Context, st *store.Store, names []string, d time.Duration, ok bool, now time.Time) {
	result := "error"
	if ok {
		result = "ok"
		m.lastSuccess.Set(float64(now.Unix()))
	}
	m.passDuration.WithLabelValues(result).Observe(d.Seconds())
	m.passes.WithLabelValues(result).Inc()
	for _, n := range names {
		if c, found, err := st.Cursor(ctx, n, reconciler.StreamCalls); err == nil && found {
			m.cursorLag.WithLabelValues(n).Set(now.Sub(time.Unix(c, 0)).Seconds())
		}
	}
}

func (m *metrics) observeWebhook(event, result string) {
	m.webhooks.WithLabelValues(event, result).Inc()
}
