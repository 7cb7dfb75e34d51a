package main

import (
	"context"
	"time"
)

// pruneEvery is how often serve applies RETENTION: daily is plenty for a
// period counted in days, and the delete is one short transaction.
const pruneEvery = 24 * time.Hour

// maybePrune deletes, at the end of a pass and at most once a day, the
// webhook payloads of logged messages and the pass records older than
// RETENTION (the ledger is kept for ever). The caller holds s.running, so
// it never overlaps a pass. A failure is logged and retried next pass: it
// loses nothing, it only keeps data a little longer.
func (s *server) maybePrune(ctx context.Context) {
	now := s.now()
	if !s.lastPrune.IsZero() && now.Sub(s.lastPrune) < pruneEvery {
		return
	}
	ret := s.a.cfg.Retention
	if ret <= 0 || ctx.Err() != nil {
		return
	}
	p, err := s.a.st.Prune(ctx, now.Add(-ret))
	if err != nil {
		s.log.Error("retention: prune failed; retried after the next pass", "err", err)
		return
	}
	s.lastPrune = now
	s.log.Info("retention: pruned", "retention", formatRetention(ret),
		"message_payloads", p.Messages, "pass_records", p.Runs)
}
