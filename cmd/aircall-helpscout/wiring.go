package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/aircall-helpscout/aircall-helpscout/clients/aircall"
	"github.com/aircall-helpscout/aircall-helpscout/clients/helpscout"
	"github.com/aircall-helpscout/aircall-helpscout/reconciler"
	"github.com/aircall-helpscout/aircall-helpscout/rules"
	"github.com/aircall-helpscout/aircall-helpscout/store"
	"github.com/aircall-helpscout/aircall-helpscout/web"
)

// app is everything a command that talks to the APIs needs, wired from the
// configuration in one place so that serve, run and check cannot drift.
type app struct {
	cfg *Config
	ac  *aircall.Client
	hs  *helpscout.Client
	st  *store.Store
	rec *reconciler.Reconciler
	met *web.Metrics
}

// itemOutcomes are the outcomes items_total starts at zero with, for every
// instance and kind. already_done is not among them: re-reads are counted
// apart (items_reread_total).
var itemOutcomes = []store.Outcome{
	store.OutcomeNewConversation, store.OutcomeExistingConversation, store.OutcomeReopened,
	store.OutcomeWaitingEnrichment, store.OutcomeWaiting, store.OutcomeFailed, store.OutcomeParked,
	store.OutcomeOverlap, store.OutcomeEnriched, store.OutcomeNoEnrich, store.OutcomeDuplicateCustomers,
}

// newMetrics builds serve's metrics with every series known from the
// configuration already at zero.
func newMetrics(cfg *Config) *web.Metrics {
	names := make([]string, 0, len(cfg.Instances))
	for _, in := range cfg.Instances {
		names = append(names, in.Name)
	}
	return web.NewMetrics(web.MetricLabels{Instances: names,
		Kinds: []store.Kind{store.KindCall, store.KindMessage}, Outcomes: itemOutcomes,
		CardResults: reconciler.CardResults()})
}

// observeItem sends an item outcome to the metrics: items a pass found
// already done go to the re-read counter, since the look-back reads the
// same recent calls every pass.
func observeItem(m *web.Metrics) func(instance string, kind store.Kind, outcome store.Outcome) {
	return func(instance string, kind store.Kind, outcome store.Outcome) {
		if outcome == store.OutcomeAlready {
			m.ObserveReread(instance, kind)
			return
		}
		m.ObserveItem(instance, kind, outcome)
	}
}

// aircallBackoff, when set, replaces the Aircall client's first retry step
// (tests of outages would otherwise wait seconds per failed pass).
var aircallBackoff time.Duration

// newClients builds both API clients from the configuration, reporting every
// request to m (which may be nil).
func newClients(cfg *Config, m *web.Metrics) (*aircall.Client, *helpscout.Client, error) {
	acfg := aircall.Config{
		BaseURL: cfg.AircallAPIURL, APIID: cfg.AircallAPIID, APIToken: cfg.AircallAPIToken,
		RequestsPerMinute: cfg.AircallRequestsPerMinute, BackoffBase: aircallBackoff,
	}
	hcfg := helpscout.Config{
		BaseURL: cfg.HelpScoutAPIURL, AppID: cfg.HelpScoutAppID, AppSecret: cfg.HelpScoutAppSecret,
		RequestsPerMinute: cfg.HelpScoutRequestsPerMinute,
	}
	if m != nil {
		acfg.Observer = m.ObserveAircall
		hcfg.Observer = m.ObserveHelpScout
	}
	ac, err := aircall.New(acfg)
	if err != nil {
		return nil, nil, fmt.Errorf("aircall client: %w", err)
	}
	hs, err := helpscout.New(hcfg)
	if err != nil {
		return nil, nil, fmt.Errorf("help scout client: %w", err)
	}
	return ac, hs, nil
}

// openApp builds clients, opens the store and builds the reconciler. now is
// the one clock of both the store and the reconciler. The caller must call
// close.
func openApp(ctx context.Context, cfg *Config, log *slog.Logger, m *web.Metrics, now func() time.Time) (*app, error) {
	ac, hs, err := newClients(cfg, m)
	if err != nil {
		return nil, err
	}
	st, err := openStore(ctx, cfg.DatabasePath, now)
	if err != nil {
		return nil, err
	}
	opts := reconciler.Options{Lookback: cfg.Lookback, Logger: log, Now: now}
	if m != nil {
		opts.OnItem = observeItem(m)
	}
	rec := reconciler.New(ac, hs, st, instances(cfg), opts)
	return &app{cfg: cfg, ac: ac, hs: hs, st: st, rec: rec, met: m}, nil
}

// openStore opens (creating if needed) the SQLite file. Its errors name
// DATABASE_PATH and the path, so that a path whose parent is a file or
// cannot be created points the operator at the variable to fix. They exit
// 1, not 2: the value is well-formed, the file system refused it. now is
// the store's clock (nil: time.Now).
func openStore(ctx context.Context, path string, now func() time.Time) (*store.Store, error) {
	st, err := store.Open(ctx, path, store.Options{Now: now})
	if err != nil {
		return nil, fmt.Errorf("open database DATABASE_PATH=%s: %w", path, err)
	}
	return st, nil
}

func (a *app) close() error {
	if err := a.st.Close(); err != nil {
		return fmt.Errorf("close database: %w", err)
	}
	return nil
}

// instances maps the validated configuration onto the reconciler's view.
func instances(cfg *Config) []reconciler.Instance {
	out := make([]reconciler.Instance, 0, len(cfg.Instances))
	for _, in := range cfg.Instances {
		ri := reconciler.Instance{
			Name: in.Name, MailboxID: in.MailboxID, AllNumbers: in.AllNumbers,
			Conversation: rules.ConversationPolicy{Mode: in.ConversationMode, ReopenClosed: in.ReopenClosed, MailboxID: in.MailboxID},
			Reassign:     in.Reassign,
			Enrichment: rules.EnrichmentPolicy{Transcripts: in.LogTranscripts, AIInsights: in.LogAIInsights,
				Wait: cfg.EnrichmentWait, MaxAge: cfg.EnrichmentMaxAge},
			LogMessages: in.LogMessages, Duplicates: in.Duplicates, SyncContacts: in.SyncContacts,
			DefaultRegion: in.DefaultRegion, InsightCards: in.InsightCards,
		}
		for _, n := range in.Numbers {
			if n.E164 != "" {
				ri.NumberE164s = append(ri.NumberE164s, n.E164)
			} else {
				ri.NumberIDs = append(ri.NumberIDs, n.ID)
			}
		}
		out = append(out, ri)
	}
	return out
}

// lockWait bounds how long run waits for another process's pass to end
// before refusing; lockPoll is how often it tries. Variables for tests.
var (
	lockWait = 2 * time.Minute
	lockPoll = 250 * time.Millisecond
)

// lockedError says which database is busy and what to do about it.
func lockedError(path string) error {
	return fmt.Errorf("%w: %s (another serve or run is using it; wait for it or stop it)", store.ErrLocked, path)
}

// waitLock takes the pass lock, waiting up to wait for another process to
// finish its pass, and telling the operator once that it waits.
func waitLock(ctx context.Context, st *store.Store, wait time.Duration, notify func()) (func() error, error) {
	deadline := time.Now().Add(wait)
	told := false
	for {
		unlock, err := st.LockPasses()
		if err == nil {
			return unlock, nil
		}
		if !errors.Is(err, store.ErrLocked) {
			return nil, err
		}
		if time.Now().After(deadline) {
			return nil, lockedError(st.Path())
		}
		if !told && notify != nil {
			notify()
			told = true
		}
		t := time.NewTimer(lockPoll)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
	}
}

// preflight fetches the Help Scout token before a pass, so that refused
// credentials stop run and serve with ErrFatal (exit 1) instead of failing
// every item one by one. The token is cached, so the pass does not pay twice.
// Other errors are left to the pass, which records and retries them.
func (a *app) preflight(ctx context.Context) error {
	if err := a.hs.Authenticate(ctx); errors.Is(err, helpscout.ErrBadCredentials) {
		return fmt.Errorf("%w: %w (check HELPSCOUT_APP_ID and HELPSCOUT_APP_SECRET)", reconciler.ErrFatal, err)
	}
	return nil
}

// withCredentialHint names the variables to fix when an API refused our
// credentials, for Aircall as check and preflight already do for Help
// Scout: "403 Forbidden" alone does not say which key is wrong.
func withCredentialHint(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, aircall.ErrBadCredentials) && !strings.Contains(err.Error(), "AIRCALL_API_ID"):
		return fmt.Errorf("%w (check AIRCALL_API_ID and AIRCALL_API_TOKEN)", err)
	case errors.Is(err, helpscout.ErrBadCredentials) && !strings.Contains(err.Error(), "HELPSCOUT_APP_ID"):
		return fmt.Errorf("%w (check HELPSCOUT_APP_ID and HELPSCOUT_APP_SECRET)", err)
	}
	return err
}
