package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/aircall-helpscout/aircall-helpscout/reconciler"
	"github.com/aircall-helpscout/aircall-helpscout/store"
	"github.com/aircall-helpscout/aircall-helpscout/web/sidebar"
	"github.com/aircall-helpscout/aircall-helpscout/web/status"
)

// webhookPath is where Aircall posts message.* events (SPEC §4).
const webhookPath = reconciler.WebhookPath

// serveListening, when set, is told the address serve bound: tests listen
// on 127.0.0.1:0 and need the port.
var serveListening func(net.Addr)

// shutdownTimeout bounds how long in-flight HTTP requests get on SIGTERM.
const shutdownTimeout = 10 * time.Second

// server is the state of `serve`: one pass at a time, health from the last
// successful pass.
type server struct {
	a      *app
	log    *slog.Logger
	period time.Duration
	now    func() time.Time

	running   sync.Mutex // held for the whole of a pass; shutdown takes it to wait
	stopped   bool       // guarded by running
	lastPrune time.Time  // guarded by running: when RETENTION was last applied

	mu     sync.Mutex
	lastOK time.Time
}

// cmdServe runs the scheduler, the webhook receiver, /healthz and /metrics.
// A pass runs at start-up so an outage is caught up at once. On SIGTERM it
// stops scheduling, cancels the running pass (the intent journal makes an
// abandoned item safe to redo), closes the store and returns nil.
func cmdServe(ctx context.Context, e *env) error {
	cfg := e.Config
	sched, err := cron.ParseStandard(cfg.Schedule)
	if err != nil {
		return &configError{err: fmt.Errorf("SCHEDULE: %w", err)}
	}
	m := newMetrics()
	a, err := openApp(ctx, cfg, e.Log, m, e.Now)
	if err != nil {
		return err
	}
	defer a.close()
	if err := a.preflight(ctx); err != nil {
		return err
	}

	s := &server{a: a, log: e.Log, period: schedulePeriod(sched, e.Now()), now: e.Now}
	if r, ok, err := a.st.LastSuccessfulRun(ctx); err == nil && ok {
		s.lastOK = r.FinishedAt
	}

	ln, err := net.Listen("tcp", cfg.ListenAddr)
	if err != nil {
		return fmt.Errorf("listen on LISTEN_ADDR %s: %w", cfg.ListenAddr, err)
	}
	if serveListening != nil {
		serveListening(ln.Addr())
	}
	routes, err := s.routes(m)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: routes, ReadHeaderTimeout: 10 * time.Second}
	httpErr := make(chan error, 1)
	go func() { httpErr <- srv.Serve(ln) }()
	e.Log.Info("serving", "addr", ln.Addr().String(), "schedule", cfg.Schedule, "database", cfg.DatabasePath)

	// The start-up pass runs before the scheduler so that bad credentials
	// stop the process with a clear error instead of an unhealthy loop.
	if err := s.pass(ctx); err != nil && errors.Is(err, reconciler.ErrFatal) {
		shutdownHTTP(srv, e.Log)
		return err
	}

	c := cron.New(cron.WithLogger(cronLogger{e.Log}))
	c.Schedule(sched, cron.NewChain(cron.SkipIfStillRunning(cronLogger{e.Log})).Then(cron.FuncJob(func() { _ = s.pass(ctx) })))
	c.Start()

	var serveErr error
	select {
	case <-ctx.Done():
		e.Log.Info("stopping: no new passes; abandoning the current item safely")
	case serveErr = <-httpErr:
		serveErr = fmt.Errorf("http server: %w", serveErr)
	}
	<-c.Stop().Done()
	s.running.Lock()
	s.stopped = true
	s.running.Unlock()
	shutdownHTTP(srv, e.Log)
	e.Log.Info("stopped")
	return serveErr
}

func shutdownHTTP(srv *http.Server, log *slog.Logger) {
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		log.Warn("http shutdown", "err", err)
	}
}

// routes are serve's HTTP surface. The status pages are mounted only when
// STATUS_PASSWORD is set and the Help Scout sidebar only when
// HELPSCOUT_SIDEBAR_SECRET is: unset, their paths answer 404 as if they did
// not exist.
func (s *server) routes(m *metrics) (http.Handler, error) {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.handler())
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.Handle("POST "+webhookPath, webhookHandler(s.a, s.log))
	cfg := s.a.cfg
	if cfg.StatusPassword != "" {
		var names []string
		for _, in := range cfg.Instances {
			names = append(names, in.Name)
		}
		h := status.New(s.a.st, status.Options{Password: cfg.StatusPassword, Instances: names, Now: s.now, Log: s.log})
		mux.Handle("GET /status", h)
		mux.Handle("GET /status/", h)
	}
	if cfg.HelpScoutSidebarSecret != "" {
		o := sidebar.Options{Secret: cfg.HelpScoutSidebarSecret, Items: s.a.st,
			Numbers: sidebar.NumbersFunc(s.a.st.LedgerCustomerNumbers), Log: s.log}
		if cfg.StatusPassword != "" {
			// The status pages list every item; the sidebar shows the
			// newest few and links there for the rest.
			more := cfg.PublicURL + "/status"
			o.MoreURL = func(int64) string { return more }
		}
		h, err := sidebar.New(o)
		if err != nil {
			return nil, &configError{err: fmt.Errorf("HELPSCOUT_SIDEBAR_SECRET: %w", err)}
		}
		mux.Handle("GET "+sidebar.Path, h)
	}
	return mux, nil
}

// pass runs one scheduled pass unless another is running here or in another
// process on the same database, and records its outcome for /healthz and
// /metrics. Only ErrFatal matters to the caller.
func (s *server) pass(ctx context.Context) error {
	s.running.Lock()
	defer s.running.Unlock()
	if s.stopped || ctx.Err() != nil {
		return nil
	}
	unlock, err := s.a.st.LockPasses()
	if errors.Is(err, store.ErrLocked) {
		s.log.Warn("another process is running passes on this database; skipping this pass", "database", s.a.st.Path())
		s.a.met.passes.WithLabelValues("skipped_locked").Inc()
		return nil
	}
	if err != nil {
		s.log.Error("pass lock", "err", err)
		return nil
	}
	defer unlock()

	start := time.Now()
	res, err := s.a.rec.RunPass(ctx, reconciler.PassOptions{Mode: "scheduled"})
	err = withCredentialHint(err)
	d := time.Since(start)
	ok := err == nil && !hasPassErrors(res)
	now := s.now()
	mctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	s.a.met.observePass(mctx, s.a.st, instanceNames(res), d, ok, now)
	cancel()
	attrs := []any{"duration", d.Round(time.Millisecond).String(), "counts", totalCounts(res)}
	switch {
	case ok:
		s.mu.Lock()
		s.lastOK = now
		s.mu.Unlock()
		s.log.Info("pass finished", attrs...)
	case errors.Is(err, reconciler.ErrFatal):
		s.log.Error("pass failed: check credentials and configuration (aircall-helpscout check)", append(attrs, "err", err)...)
	case ctx.Err() != nil:
		s.log.Info("pass interrupted", attrs...)
	default:
		s.log.Error("pass finished with errors", append(attrs, "err", passErrorText(res, err))...)
	}
	s.maybePrune(ctx)
	return err
}

// healthz answers 200 while the last pass succeeded within two schedule
// periods, 503 otherwise, with a small JSON body saying why.
func (s *server) healthz(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	last := s.lastOK
	s.mu.Unlock()
	now := s.now()
	body := map[string]any{"max_age": (2 * s.period).String()}
	status := http.StatusOK
	switch {
	case last.IsZero():
		status, body["status"] = http.StatusServiceUnavailable, "no successful pass yet"
	case now.Sub(last) > 2*s.period:
		status, body["status"] = http.StatusServiceUnavailable, "last successful pass is too old"
	default:
		body["status"] = "ok"
	}
	if !last.IsZero() {
		body["last_successful_pass"] = last.UTC().Format(time.RFC3339)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

// schedulePeriod is the gap between two consecutive runs of sched after now
// (for "@every 5m", 5m; for cron specs, the next gap).
func schedulePeriod(sched cron.Schedule, now time.Time) time.Duration {
	n1 := sched.Next(now)
	d := sched.Next(n1).Sub(n1)
	if d <= 0 {
		d = 5 * time.Minute
	}
	return d
}

func hasPassErrors(res reconciler.Result) bool {
	for _, ir := range res.Instances {
		if len(ir.Errors) > 0 {
			return true
		}
	}
	return false
}

func passErrorText(res reconciler.Result, err error) string {
	if err != nil {
		return err.Error()
	}
	for _, n := range instanceNames(res) {
		if errs := res.Instances[n].Errors; len(errs) > 0 {
			return n + ": " + errs[0]
		}
	}
	return ""
}

// cronLogger sends robfig/cron's messages to slog.
type cronLogger struct{ log *slog.Logger }

func (l cronLogger) Info(msg string, kv ...any) { l.log.Debug("cron: "+msg, kv...) }
func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.log.Error("cron: "+msg, append(kv, "err", err)...)
}
