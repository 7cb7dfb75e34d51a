package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/aircall-helpscout/aircall-helpscout/reconciler"
	"github.com/aircall-helpscout/aircall-helpscout/store"
)

// aircallRetention is about how far back Aircall serves calls; a catch-up
// that starts earlier finds nothing there, which deserves a warning.
const aircallRetention = 180 * 24 * time.Hour

// stdoutIsTerminal decides whether run draws a progress line. A variable so
// tests can force either way.
var stdoutIsTerminal = func(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// errPassIncomplete marks a pass that stopped before reading all it had to
// (listing calls failed, an outage stopped it, the message inbox or ledger
// could not be read): exit 1, so that a cron job or a script notices.
var errPassIncomplete = errors.New("the pass did not complete")

// errInterrupted marks a run stopped by SIGINT or SIGTERM (exit 1).
var errInterrupted = errors.New("run: interrupted")

// cmdRun runs one pass now, or a catch-up of [Since, Until) when Since is
// set. Items that failed one by one are reported and recorded in the ledger
// for a later pass: the pass still completed, so they do not fail the
// command. A pass that could not complete (an instance's pass-level error,
// see errPassIncomplete) and bad credentials (reconciler.ErrFatal) do.
func cmdRun(ctx context.Context, e *env, opts runOptions) (err error) {
	// Ctrl-C or SIGTERM cancels ctx and surfaces as whatever step was
	// running ("record run start: ... context canceled"): say what happened
	// and what to do, as the README promises it is safe.
	defer func() {
		if err != nil && ctx.Err() != nil {
			err = fmt.Errorf("%w: nothing is lost, run the same command again (%w)", errInterrupted, err)
		}
	}()
	catchup := !opts.Since.IsZero()
	if catchup && e.Now().Sub(opts.Since) > aircallRetention {
		fmt.Fprintf(e.Stderr, "warning: --since %s is more than ~6 months ago; Aircall serves about six months of calls, so older ones will not be found\n",
			opts.Since.Format(time.DateOnly))
	}
	cfg := e.Config
	if opts.DryRun {
		var cleanup func()
		var err error
		if cfg, cleanup, err = dryRunDatabase(ctx, cfg, e.Stderr); err != nil {
			return fmt.Errorf("run: %w", err)
		}
		defer cleanup()
	}
	a, err := openApp(ctx, cfg, e.Log, nil, e.Now)
	if err != nil {
		return err
	}
	defer a.close()
	if err := a.preflight(ctx); err != nil {
		return fmt.Errorf("run: %w", err)
	}

	// A dry run writes nothing, so it needs no exclusivity.
	if !opts.DryRun {
		unlock, err := waitLock(ctx, a.st, lockWait, func() {
			fmt.Fprintf(e.Stderr, "waiting for another process to finish its pass on %s ...\n", a.st.Path())
		})
		if err != nil {
			return fmt.Errorf("run: %w", err)
		}
		defer unlock()
	}

	po, prog := runPassOptions(e, opts)
	if catchup {
		fmt.Fprintf(e.Stdout, "Catching up %s → %s (the scheduled cursor is not moved)\n",
			opts.Since.Format(time.RFC3339Nano), opts.Until.Format(time.RFC3339Nano))
	}
	return runAndSummarize(ctx, e, a, po, prog)
}

// runPassOptions turns run's flags into the pass's options: its mode (a
// window given by --since is a catch-up), the dry run's plan printer, and a
// progress line when stdout is a terminal (nil otherwise).
func runPassOptions(e *env, opts runOptions) (reconciler.PassOptions, *progress) {
	catchup := !opts.Since.IsZero()
	po := reconciler.PassOptions{Instance: instanceName(e.Config, opts.Instance), Since: opts.Since, Until: opts.Until, DryRun: opts.DryRun}
	switch {
	case opts.DryRun:
		po.Mode = "dry-run"
		po.Plan = func(p reconciler.PlanEntry) { printPlan(e.Stdout, p) }
	case catchup:
		po.Mode = "catchup"
	default:
		po.Mode = "scheduled"
	}
	var prog *progress
	if stdoutIsTerminal(e.Stdout) && !opts.DryRun {
		prog = newProgress(e.Stdout, time.Now)
		po.Progress, po.CountTotal = prog.update, catchup
	}
	return po, prog
}

// runAndSummarize runs the pass, prints its summary whatever happened, and
// turns a failed or incomplete pass into run's error.
func runAndSummarize(ctx context.Context, e *env, a *app, po reconciler.PassOptions, prog *progress) error {
	start := time.Now()
	res, err := a.runPass(ctx, po, e.Log)
	if prog != nil {
		prog.finish()
	}
	writeSummary(e.Stdout, res, time.Since(start), po.DryRun)
	if err != nil {
		return fmt.Errorf("run: %w", withCredentialHint(err))
	}
	if hasPassErrors(res) {
		return fmt.Errorf("run: %w: %s (nothing is lost: the next pass starts again where this one stopped)",
			errPassIncomplete, passErrorText(res, nil))
	}
	return nil
}

// dryRunDatabase gives a dry run a database of its own, since a dry run
// writes nothing anywhere: not even the migrations a newer binary would apply
// to DATABASE_PATH, nor the file itself (opening the store creates it and its
// directory when absent). With a database, the plan is made against a
// snapshot of it (same ledger, cursors and message inbox, read through a
// read-only connection, so a running serve is not disturbed); without one,
// against an empty database, which plans a first pass. cleanup removes the
// temporary copy.
func dryRunDatabase(ctx context.Context, cfg *Config, stderr io.Writer) (*Config, func(), error) {
	fi, statErr := os.Stat(cfg.DatabasePath)
	switch {
	case statErr != nil && !errors.Is(statErr, fs.ErrNotExist):
		return nil, nil, fmt.Errorf("open database DATABASE_PATH=%s: %w", cfg.DatabasePath, statErr)
	case statErr == nil && fi.IsDir():
		return nil, nil, fmt.Errorf("open database DATABASE_PATH=%s: is a directory, not a database file", cfg.DatabasePath)
	}
	dir, err := os.MkdirTemp("", "aircall-helpscout-dry-run-")
	if err != nil {
		return nil, nil, fmt.Errorf("temporary database for the dry run: %w", err)
	}
	cleanup := func() { _ = os.RemoveAll(dir) }
	c := *cfg
	c.DatabasePath = filepath.Join(dir, "dry-run.db")
	if statErr != nil {
		fmt.Fprintf(stderr, "note: no database at %s (DATABASE_PATH) yet: planning a first pass against an empty temporary database; nothing is created at %s\n",
			cfg.DatabasePath, cfg.DatabasePath)
		return &c, cleanup, nil
	}
	if err := store.Snapshot(ctx, cfg.DatabasePath, c.DatabasePath); err != nil {
		cleanup()
		return nil, nil, fmt.Errorf("open database DATABASE_PATH=%s: copying it for the dry run: %w", cfg.DatabasePath, err)
	}
	return &c, cleanup, nil
}

// instanceName maps --instance to the configured spelling (names compare
// case-insensitively, the reconciler compares exactly).
func instanceName(cfg *Config, name string) string {
	if name == "" {
		return ""
	}
	if in, ok := cfg.Instance(name); ok {
		return in.Name
	}
	return name
}

// printPlan prints one dry-run line: what the item would get.
func printPlan(w io.Writer, p reconciler.PlanEntry) {
	line := fmt.Sprintf("would: %-10s %-7s %-12s %s", p.Instance, p.Kind, p.ID, p.Outcome)
	if p.Detail != "" {
		line += " (" + p.Detail + ")"
	}
	fmt.Fprintln(w, line)
}

// writeSummary prints the counts by outcome per instance, pass-level
// problems and overlaps.
func writeSummary(w io.Writer, res reconciler.Result, d time.Duration, dry bool) {
	title := "Summary"
	if dry {
		title = "Summary (dry run: nothing was written)"
	}
	fmt.Fprintf(w, "%s, %s:\n", title, d.Round(time.Millisecond))
	for _, n := range instanceNames(res) {
		ir := res.Instances[n]
		fmt.Fprintf(w, "  %s: %s\n", n, formatCounts(ir.Counts))
		for _, e := range ir.Errors {
			fmt.Fprintf(w, "  %s: error: %s\n", n, e)
		}
	}
	for _, o := range res.Overlaps {
		fmt.Fprintf(w, "  overlap: %s\n", o)
	}
}

// formatCounts renders "outcome n, ..." sorted by outcome, or "no items".
func formatCounts(c map[store.Outcome]int) string {
	if len(c) == 0 {
		return "no items"
	}
	keys := make([]store.Outcome, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, c[k])
	}
	return strings.Join(parts, ", ")
}

func instanceNames(res reconciler.Result) []string {
	names := make([]string, 0, len(res.Instances))
	for n := range res.Instances {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// totalCounts sums outcomes over instances, for one log line per pass.
func totalCounts(res reconciler.Result) map[store.Outcome]int {
	out := map[store.Outcome]int{}
	for _, ir := range res.Instances {
		for k, v := range ir.Counts {
			out[k] += v
		}
	}
	return out
}
