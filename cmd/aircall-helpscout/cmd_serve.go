package main

import (
	"context"
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
	"github.com/aircall-helpscout/aircall-helpscout/web"
	"github.com/aircall-helpscout/aircall-helpscout/web/sidebar"
	"github.com/aircall-helpscout/aircall-helpscout/web/status"
)

// webhookPath is where Aircall posts its events.
const webhookPath = web.WebhookPath

// serveListening, when set, is told the address serve bound: tests listen
// on 127.0.0.1:0 and need the port.
var serveListening func(net.Addr)

// shutdownTimeout bounds how long in-flight HTTP requests get on SIGTERM.
// Requests cannot outlast the server's read bounds (5 s), and docker stop
// allows 10 s in all, which the pass being abandoned shares.
const shutdownTimeout = 7 * time.Second

// retryMin is the first wait before a pass that failed is tried again; it
// doubles up to the schedule period. A variable for tests.
var retryMin = time.Minute

// server is the state of `serve`: one pass at a time, health from the last
// successful pass, retries of a failed one.
type server struct {
	a      *app
	log    *slog.Logger
	period time.Duration
	now    func() time.Time
	health *web.Health

	running   sync.Mutex // held for the whole of a pass; shutdown takes it to wait
	stopped   bool       // guarded by running
	authed    bool       // guarded by running: Help Scout took the credentials since the last refusal
	lastPrune time.Time  // guarded by running: when RETENTION was last applied

	retryMu sync.Mutex
	retry   *time.Timer
	backoff time.Duration
}

// cmdServe runs the scheduler, the webhook receiver, /healthz and /metrics.
// A pass runs at start-up so an outage is caught up at once. Nothing a pass
// meets stops serve: with refused credentials or an API down, /healthz turns
// unhealthy and says why, the pass is retried with backoff, and the receiver
// keeps storing deliveries, since Aircall cannot resend SMS or WhatsApp
// messages that a restart loop made it fail to deliver. On SIGTERM it stops
// scheduling, cancels the running pass (the intent journal makes an
// abandoned item safe to redo), closes the store and returns nil.
func cmdServe(ctx context.Context, e *env) error {
	cfg := e.Config
	sched, err := cron.ParseStandard(cfg.Schedule)
	if err != nil {
		return &configError{err: fmt.Errorf("SCHEDULE: %w", err)}
	}
	m := newMetrics(cfg)
	a, err := openApp(ctx, cfg, e.Log, m, e.Now)
	if err != nil {
		return err
	}
	defer a.close()

	period := schedulePeriod(sched, e.Now())
	s := &server{a: a, log: e.Log, period: period, now: e.Now, health: web.NewHealth(2*period, e.Now)}
	s.restore(ctx)

	ln, err := net.Listen("tcp", cfg.ListenAddr)
	if err != nil {
		return fmt.Errorf("listen on LISTEN_ADDR %s: %w", cfg.ListenAddr, err)
	}
	if serveListening != nil {
		serveListening(ln.Addr())
	}
	statusH, sidebarH, err := s.mounts()
	if err != nil {
		_ = ln.Close()
		return err
	}
	cards := s.cardSender()
	if cards != nil {
		defer cards.Close() // before the store closes: cards in hand are recorded
	}
	srv, err := web.NewServer(web.Options{Store: a.st, WebhookToken: cfg.AircallWebhookToken, Log: e.Log,
		Health: s.health, Metrics: m, Status: statusH, Sidebar: sidebarH, Cards: cardQueue(cards)})
	if err != nil {
		_ = ln.Close()
		return err
	}
	httpErr := make(chan error, 1)
	go func() { httpErr <- srv.Serve(ln) }()
	e.Log.Info("serving", "addr", ln.Addr().String(), "schedule", cfg.Schedule, "database", cfg.DatabasePath)

	s.pass(ctx)
	c := cron.New(cron.WithLogger(cronLogger{e.Log}))
	c.Schedule(sched, cron.NewChain(cron.SkipIfStillRunning(cronLogger{e.Log})).Then(cron.FuncJob(func() { s.pass(ctx) })))
	c.Start()

	var serveErr error
	select {
	case <-ctx.Done():
		e.Log.Info("stopping: no new passes; abandoning the current item safely")
	case serveErr = <-httpErr:
		serveErr = fmt.Errorf("http server: %w", serveErr)
	}
	s.stopRetries()
	cronDone := c.Stop().Done()
	// The HTTP server drains while the pass is abandoned: both must fit in
	// docker stop's 10 s.
	httpDone := make(chan struct{})
	go func() {
		defer close(httpDone)
		sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			e.Log.Warn("http shutdown", "err", err)
		}
	}()
	<-cronDone
	s.running.Lock()
	s.stopped = true
	s.running.Unlock()
	<-httpDone
	e.Log.Info("stopped")
	return serveErr
}

// cardTimeout is how long after the webhook an insight card may still be
// sent. A variable for tests.
var cardTimeout = reconciler.DefaultCardTimeout

// cardSender starts the insight card sender when an instance has
// INSIGHT_CARDS on (nil otherwise). Only serve sends cards: they are only
// useful while a phone rings, and only serve receives call.created.
func (s *server) cardSender() *reconciler.CardSender {
	insts := instances(s.a.cfg)
	on := false
	for _, in := range insts {
		on = on || in.InsightCards
	}
	if !on {
		return nil
	}
	return reconciler.NewCardSender(s.a.ac, s.a.st, insts, reconciler.CardOptions{
		Timeout: cardTimeout, Log: s.log, Routing: s.a.rec.Routing, OnResult: s.a.met.ObserveCard})
}

// cardQueue keeps a nil sender a nil interface, so the receiver sees no
// card queue at all.
func cardQueue(c *reconciler.CardSender) web.CardQueue {
	if c == nil {
		return nil
	}
	return c
}

// restore reads what the store knows of earlier passes, so that /healthz
// and /metrics are right before the first pass here ends.
func (s *server) restore(ctx context.Context) {
	if r, ok, err := s.a.st.LastSuccessfulRun(ctx); err == nil && ok {
		s.health.PassSucceeded(r.FinishedAt)
		s.a.met.SetLastSuccess(r.FinishedAt)
	}
	s.refreshLag(ctx)
}

// refreshLag sets each instance's cursor lag from the store.
func (s *server) refreshLag(ctx context.Context) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	now := s.now()
	for _, in := range s.a.cfg.Instances {
		if c, found, err := s.a.st.Cursor(ctx, in.Name, store.StreamCalls); err == nil && found {
			s.a.met.SetCursorLag(in.Name, now.Sub(time.Unix(c, 0)))
		}
	}
}

// mounts builds the optional parts of serve's HTTP surface: the status pages
// only when STATUS_PASSWORD is set and the Help Scout sidebar only when
// HELPSCOUT_SIDEBAR_SECRET is. A nil handler leaves its path answering 404 as
// if it did not exist.
func (s *server) mounts() (statusH, sidebarH http.Handler, err error) {
	cfg := s.a.cfg
	if cfg.StatusPassword != "" {
		var names []string
		byMailbox := map[int64][]string{}
		for _, in := range cfg.Instances {
			names = append(names, in.Name)
			byMailbox[in.MailboxID] = append(byMailbox[in.MailboxID], in.Name)
		}
		statusH = status.New(s.a.st, status.Options{Password: cfg.StatusPassword, Instances: names, Now: s.now, Log: s.log,
			Mirrors: status.StoreMirrors(s.a.st, byMailbox), Budgets: status.StoreBudgets(s.a.st)})
	}
	if cfg.HelpScoutSidebarSecret != "" {
		// Call-back numbers: the phones on the Help Scout customer (the
		// customers mirror), or the ledger's until the mirror holds it.
		o := sidebar.Options{Secret: cfg.HelpScoutSidebarSecret, Items: s.a.st, Phones: s.a.st,
			Numbers: sidebar.NumbersFunc(s.a.st.LedgerCustomerNumbers), Log: s.log}
		if cfg.StatusPassword != "" {
			// The status pages list every item; the sidebar shows the
			// newest few and links there for the rest.
			more := cfg.PublicURL + "/status"
			o.MoreURL = func(int64) string { return more }
		}
		h, err := sidebar.New(o)
		if err != nil {
			return nil, nil, &configError{err: fmt.Errorf("HELPSCOUT_SIDEBAR_SECRET: %w", err)}
		}
		sidebarH = h
	}
	return statusH, sidebarH, nil
}

// pass runs one scheduled pass, waiting for a running one to end.
func (s *server) pass(ctx context.Context) {
	s.running.Lock()
	defer s.running.Unlock()
	s.passLocked(ctx)
}

// retryPass runs a retry unless a pass is running: that pass's outcome
// decides the next retry.
func (s *server) retryPass(ctx context.Context) {
	if !s.running.TryLock() {
		return
	}
	defer s.running.Unlock()
	s.passLocked(ctx)
}

// passLocked runs one pass unless another runs in another process on the
// same database, and reports its outcome to /healthz, /metrics and the log.
// A failure schedules a retry; nothing here ends serve.
func (s *server) passLocked(ctx context.Context) {
	if s.stopped || ctx.Err() != nil {
		return
	}
	unlock, err := s.a.st.LockPasses()
	if errors.Is(err, store.ErrLocked) {
		s.log.Warn("another process is running passes on this database; skipping this pass", "database", s.a.st.Path())
		s.a.met.ObservePass(web.PassSkippedLocked, 0, s.now())
		return
	}
	if err != nil {
		s.log.Error("pass lock", "err", err)
		s.failed(ctx, fmt.Sprintf("pass lock: %v", err), false)
		return
	}
	defer func() { _ = unlock() }()
	defer s.maybePrune(ctx)

	start := time.Now()
	var res reconciler.Result
	if !s.authed {
		// Refused Help Scout credentials are found with one token request
		// instead of failing every item of the pass one by one.
		if err = s.a.preflight(ctx); err == nil {
			s.authed = true
		}
	}
	if err == nil {
		res, err = s.a.runPass(ctx, reconciler.PassOptions{Mode: "scheduled"}, s.log)
		err = withCredentialHint(err)
	}
	d := time.Since(start)
	attrs := []any{"duration", d, "counts", totalCounts(res)}
	if ctx.Err() != nil {
		s.log.Info("pass interrupted", attrs...)
		return
	}
	ok := err == nil && !hasPassErrors(res)
	now := s.now()
	s.refreshLag(ctx)
	if ok {
		s.a.met.ObservePass(web.PassOK, d, now)
		s.health.PassSucceeded(now)
		s.resetRetries()
		s.log.Info("pass finished", attrs...)
		return
	}
	s.a.met.ObservePass(web.PassError, d, now)
	fatal := errors.Is(err, reconciler.ErrFatal)
	if fatal {
		s.authed = false // check the credentials first next time
	}
	wait := s.failed(ctx, passErrorText(res, err), fatal)
	attrs = append(attrs, "err", passErrorText(res, err), "retry_in", wait)
	if fatal {
		s.log.Error("pass cannot run: check credentials and configuration (aircall-helpscout check); the webhook receiver keeps running", attrs...)
	} else {
		s.log.Error("pass finished with errors", attrs...)
	}
}

// failed reports a pass that failed to /healthz and schedules its retry:
// after retryMin, doubling up to the schedule period (never later than the
// next scheduled pass would come anyway). It returns the wait.
func (s *server) failed(ctx context.Context, reason string, blocking bool) time.Duration {
	s.retryMu.Lock()
	defer s.retryMu.Unlock()
	if s.backoff == 0 {
		s.backoff = min(retryMin, s.period)
	} else {
		s.backoff = min(2*s.backoff, s.period)
	}
	if s.retry != nil {
		s.retry.Stop()
	}
	wait := s.backoff
	s.retry = time.AfterFunc(wait, func() { s.retryPass(ctx) })
	s.health.PassFailed(s.now(), reason, blocking, s.now().Add(wait))
	return wait
}

// resetRetries forgets the backoff after a successful pass.
func (s *server) resetRetries() {
	s.retryMu.Lock()
	defer s.retryMu.Unlock()
	if s.retry != nil {
		s.retry.Stop()
		s.retry = nil
	}
	s.backoff = 0
}

// stopRetries cancels a planned retry at shutdown.
func (s *server) stopRetries() { s.resetRetries() }

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
