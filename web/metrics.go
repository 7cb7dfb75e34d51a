package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/aircall-helpscout/aircall-helpscout/clients/aircall"
	"github.com/aircall-helpscout/aircall-helpscout/clients/helpscout"
	"github.com/aircall-helpscout/aircall-helpscout/store"
)

// MetricPrefix starts every series name.
const MetricPrefix = "aircall_helpscout_"

// Pass results counted in passes_total (and pass_duration_seconds for the
// first two).
const (
	PassOK            = "ok"
	PassError         = "error"
	PassSkippedLocked = "skipped_locked"
)

// APIs are the api label values.
var APIs = []string{"aircall", "helpscout"}

// MetricLabels are the label values known at start, so that every series
// exists at zero from the first scrape: a dashboard or an alert on
// rate(...) sees 0, not "no data", until something happens.
type MetricLabels struct {
	Instances []string // configured instance names
	Kinds     []store.Kind
	Outcomes  []store.Outcome // item outcomes counted in items_total
	// CardResults are the insight card results (sent, dropped_late,
	// failed, skipped) counted per instance in insight_cards_total.
	CardResults []string
}

// Metrics are the Prometheus series of `serve`. Each serve builds its own
// registry (not the global one) so tests can run several side by side.
type Metrics struct {
	reg          *prometheus.Registry
	items        *prometheus.CounterVec
	rereads      *prometheus.CounterVec
	requests     *prometheus.CounterVec
	units        *prometheus.CounterVec
	rateLimited  *prometheus.CounterVec
	passDuration *prometheus.HistogramVec
	passes       *prometheus.CounterVec
	cursorLag    *prometheus.GaugeVec
	lastSuccess  prometheus.Gauge
	webhooks     *prometheus.CounterVec
	refusals     *prometheus.CounterVec
	cards        *prometheus.CounterVec
	cardLatency  *prometheus.HistogramVec
}

// NewMetrics builds the registry with every known label combination at 0.
func NewMetrics(l MetricLabels) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		items: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: MetricPrefix + "items_total", Help: "Items (calls, messages) handled for the first time or settled, by instance, kind and outcome.",
		}, []string{"instance", "kind", "outcome"}),
		rereads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: MetricPrefix + "items_reread_total", Help: "Items read again by a pass and found already done (the look-back re-reads recent calls every pass), by instance and kind.",
		}, []string{"instance", "kind"}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: MetricPrefix + "api_requests_total", Help: "HTTP attempts to Aircall and Help Scout, by API, endpoint and status (0 = network error).",
		}, []string{"api", "endpoint", "status"}),
		units: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: MetricPrefix + "api_rate_limit_units_total", Help: "Rate-limit units spent (Help Scout writes cost 2), by API and status.",
		}, []string{"api", "status"}),
		rateLimited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: MetricPrefix + "api_rate_limited_total", Help: "429 answers, by API.",
		}, []string{"api"}),
		passDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: MetricPrefix + "pass_duration_seconds", Help: "Duration of passes, by result (ok, error).",
			Buckets: []float64{0.5, 1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600},
		}, []string{"result"}),
		passes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: MetricPrefix + "passes_total", Help: "Passes run, by result (ok, error, skipped_locked).",
		}, []string{"result"}),
		cursorLag: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: MetricPrefix + "cursor_lag_seconds", Help: "Now minus the calls cursor, by instance, after the last pass.",
		}, []string{"instance"}),
		lastSuccess: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: MetricPrefix + "last_successful_pass_timestamp_seconds", Help: "Unix time the last successful pass ended (0: none yet).",
		}),
		webhooks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: MetricPrefix + "webhooks_total", Help: "Aircall webhook deliveries accepted, by event and result (stored, updated, duplicate, ignored, error).",
		}, []string{"event", "result"}),
		refusals: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: MetricPrefix + "webhook_refusals_total", Help: "Aircall webhook deliveries refused, by reason (unauthorized, malformed, unknown_event, too_large, timeout, ...). Nothing is stored for them.",
		}, []string{"reason"}),
		cards: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: MetricPrefix + "insight_cards_total", Help: "Insight cards for ringing inbound calls, by instance and result (sent, dropped_late: not sent in time or the call was over, failed, skipped: anonymous caller).",
		}, []string{"instance", "result"}),
		cardLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: MetricPrefix + "insight_card_seconds", Help: "Time from the call.created webhook to the card's outcome, by result.",
			Buckets: []float64{0.05, 0.1, 0.2, 0.3, 0.5, 1, 2, 3, 5, 10},
		}, []string{"result"}),
	}
	m.reg.MustRegister(m.cards, m.cardLatency, m.webhooks, m.refusals, m.items, m.rereads, m.requests, m.units, m.rateLimited, m.passDuration, m.passes,
		m.cursorLag, m.lastSuccess, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.zero(l)
	return m
}

// zero creates every series whose labels are known at start.
func (m *Metrics) zero(l MetricLabels) {
	for _, in := range l.Instances {
		for _, k := range l.Kinds {
			m.rereads.WithLabelValues(in, string(k))
			for _, o := range l.Outcomes {
				m.items.WithLabelValues(in, string(k), string(o))
			}
		}
	}
	for _, api := range APIs {
		m.rateLimited.WithLabelValues(api)
	}
	for _, r := range []string{PassOK, PassError} {
		m.passDuration.WithLabelValues(r)
	}
	for _, r := range []string{PassOK, PassError, PassSkippedLocked} {
		m.passes.WithLabelValues(r)
	}
	for _, e := range StoredEvents() {
		for _, r := range []string{ResultStored, ResultUpdated, ResultDuplicate, ResultError} {
			m.webhooks.WithLabelValues(e, r)
		}
	}
	for _, e := range IgnoredEvents() {
		m.webhooks.WithLabelValues(e, ResultIgnored)
	}
	if len(l.CardResults) > 0 {
		m.webhooks.WithLabelValues("call.created", ResultQueued)
	}
	for _, r := range l.CardResults {
		m.cardLatency.WithLabelValues(r)
		for _, in := range l.Instances {
			m.cards.WithLabelValues(in, r)
		}
	}
	for _, r := range RefusalReasons() {
		m.refusals.WithLabelValues(r)
	}
}

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// ObserveItem counts an item outcome.
func (m *Metrics) ObserveItem(instance string, kind store.Kind, outcome store.Outcome) {
	m.items.WithLabelValues(instance, string(kind), string(outcome)).Inc()
}

// ObserveReread counts an item a pass read again and found already done.
// These are apart from items_total, where they would grow with every pass
// (the look-back re-reads the same recent calls each time) and drown the
// outcomes that say what was written.
func (m *Metrics) ObserveReread(instance string, kind store.Kind) {
	m.rereads.WithLabelValues(instance, string(kind)).Inc()
}

// ObserveAircall counts a request to Aircall (the client's observer).
func (m *Metrics) ObserveAircall(ev aircall.RequestEvent) {
	m.observeRequest("aircall", ev.Endpoint, ev.Status, 1)
}

// ObserveHelpScout counts a request to Help Scout (the client's observer).
func (m *Metrics) ObserveHelpScout(ev helpscout.RequestEvent) {
	m.observeRequest("helpscout", ev.Endpoint, ev.Status, ev.Units)
}

func (m *Metrics) observeRequest(api, endpoint string, status, units int) {
	s := strconv.Itoa(status)
	m.requests.WithLabelValues(api, endpoint, s).Inc()
	if units > 0 {
		m.units.WithLabelValues(api, s).Add(float64(units))
	}
	if status == http.StatusTooManyRequests {
		m.rateLimited.WithLabelValues(api).Inc()
	}
}

// ObservePass records a pass: result is PassOK or PassError (with its
// duration), or PassSkippedLocked; end is when it ended.
func (m *Metrics) ObservePass(result string, d time.Duration, end time.Time) {
	m.passes.WithLabelValues(result).Inc()
	if result == PassSkippedLocked {
		return
	}
	m.passDuration.WithLabelValues(result).Observe(d.Seconds())
	if result == PassOK {
		m.lastSuccess.Set(float64(end.Unix()))
	}
}

// SetLastSuccess sets the time of the last successful pass (at start, from
// the store, so the gauge is right before the first pass here).
func (m *Metrics) SetLastSuccess(t time.Time) {
	m.lastSuccess.Set(float64(t.Unix()))
}

// SetCursorLag sets how far an instance's calls cursor is behind now.
func (m *Metrics) SetCursorLag(instance string, lag time.Duration) {
	m.cursorLag.WithLabelValues(instance).Set(lag.Seconds())
}

// ObserveCard counts an insight card's result and how long after the
// webhook it came (the card sender's hook).
func (m *Metrics) ObserveCard(instance, result string, latency time.Duration) {
	m.cards.WithLabelValues(instance, result).Inc()
	m.cardLatency.WithLabelValues(result).Observe(latency.Seconds())
}

// ObserveDelivery counts a webhook delivery (the receiver's hook).
func (m *Metrics) ObserveDelivery(d Delivery) {
	if d.Result == ResultRefused {
		m.refusals.WithLabelValues(d.Reason).Inc()
		return
	}
	m.webhooks.WithLabelValues(d.Event, d.Result).Inc()
}
