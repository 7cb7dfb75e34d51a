package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/aircall-helpscout/aircall-helpscout/clients/aircall"
	"github.com/aircall-helpscout/aircall-helpscout/clients/helpscout"
	"github.com/aircall-helpscout/aircall-helpscout/reconciler"
	"github.com/aircall-helpscout/aircall-helpscout/store"
)

// runPass runs one pass and records what each API client spent on it, so
// the status pages (served by serve, perhaps while `run` did the pass)
// can show the budget use. A dry run records nothing, like the rest of it.
// Failing to record is logged, never the pass's failure: the ledger is
// what matters, this is a view of it.
func (a *app) runPass(ctx context.Context, po reconciler.PassOptions, log *slog.Logger) (reconciler.Result, error) {
	before := clientStats{ac: a.ac.Stats(), hs: a.hs.Stats(), at: time.Now()}
	res, err := a.rec.RunPass(ctx, po)
	if po.DryRun {
		return res, err
	}
	after := clientStats{at: time.Now(), ac: a.ac.Stats(), hs: a.hs.Stats()}
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	for _, b := range passBudgets(a.cfg, before, after) {
		if perr := a.st.PutAPIBudget(wctx, b); perr != nil && log != nil {
			log.Warn("could not record the pass's API budget use for the status pages", "api", b.API, "err", perr)
		}
	}
	return res, err
}

// clientStats is both API clients' counters at one moment (the start or the
// end of a pass).
type clientStats struct {
	ac aircall.Stats
	hs helpscout.Stats
	at time.Time
}

// passBudgets is what the pass spent, per API: the difference of the
// clients' counters before and after it, and the budget the APIs last
// stated. An API the pass did not call is left as the last pass that did
// call it recorded it.
func passBudgets(cfg *Config, before, after clientStats) []store.APIBudget {
	acBefore, acAfter, hsBefore, hsAfter := before.ac, after.ac, before.hs, after.hs
	started, ended := before.at, after.at
	var out []store.APIBudget
	if n := acAfter.Total - acBefore.Total; n > 0 {
		out = append(out, store.APIBudget{API: store.APIAircall, PassStarted: started, PassEnded: ended,
			Requests: n, Units: n, RateLimited: acAfter.RateLimited - acBefore.RateLimited,
			Ceiling: cfg.AircallRequestsPerMinute, Remaining: acAfter.Remaining, Limit: acAfter.Limit, SeenAt: acAfter.RemainingAt})
	}
	if n := hsAfter.Total - hsBefore.Total; n > 0 {
		out = append(out, store.APIBudget{API: store.APIHelpScout, PassStarted: started, PassEnded: ended,
			Requests: n, Units: hsAfter.Units - hsBefore.Units, RateLimited: hsAfter.RateLimited - hsBefore.RateLimited,
			Ceiling: cfg.HelpScoutRequestsPerMinute, Remaining: hsAfter.Remaining, Limit: hsAfter.Limit, SeenAt: hsAfter.RemainingAt})
	}
	return out
}
