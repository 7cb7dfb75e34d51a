package main

import (
	"errors"
	"flag"
	"io"
	"strings"
	"time"
)

// runOptions are the flags of `run`. Since is zero for a normal pass; when
// set, Until is set too (default: now) and the pass is a manual catch-up of
// [Since, Until).
type runOptions struct {
	Instance     string
	Since, Until time.Time
	DryRun       bool
}

// statusOptions are the flags of `status`.
type statusOptions struct {
	Instance string
	JSON     bool
}

func (o statusOptions) wantsJSON() bool { return o.JSON }

// demoOptions are the flags of `demo`.
type demoOptions struct {
	Quiet bool
}

// newFlagSet returns a FlagSet that reports instead of printing or exiting:
// run decides where help and errors go. Both -flag and --flag work.
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// parseFlags runs fs over args and refuses positional arguments, which no
// command takes.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usagef("%s: %v", fs.Name(), err)
	}
	if fs.NArg() > 0 {
		return usagef("%s: unexpected argument %q", fs.Name(), fs.Arg(0))
	}
	return nil
}

func noFlags(name string) func([]string, time.Time) (any, error) {
	return func(args []string, _ time.Time) (any, error) {
		return struct{}{}, parseFlags(newFlagSet(name), args)
	}
}

func parseRunFlags(args []string, now time.Time) (runOptions, error) {
	var o runOptions
	var since, until string
	fs := newFlagSet("run")
	fs.StringVar(&o.Instance, "instance", "", "")
	fs.StringVar(&since, "since", "", "")
	fs.StringVar(&until, "until", "", "")
	fs.BoolVar(&o.DryRun, "dry-run", false, "")
	if err := parseFlags(fs, args); err != nil {
		return runOptions{}, err
	}
	o.Instance = strings.TrimSpace(o.Instance)
	if isSet(fs, "instance") && o.Instance == "" {
		return runOptions{}, usagef("run: --instance needs a name")
	}
	if until != "" && since == "" {
		return runOptions{}, usagef("run: --until needs --since")
	}
	if since == "" {
		return o, nil
	}
	var err error
	if o.Since, err = parseTimeFlag("since", since); err != nil {
		return runOptions{}, err
	}
	if o.Since.After(now) {
		return runOptions{}, usagef("run: --since %s is in the future (now is %s): a catch-up covers a past period",
			o.Since.Format(time.RFC3339Nano), now.UTC().Truncate(time.Second).Format(time.RFC3339))
	}
	o.Until = now.UTC().Truncate(time.Second)
	if until != "" {
		if o.Until, err = parseTimeFlag("until", until); err != nil {
			return runOptions{}, err
		}
	}
	if !o.Since.Before(o.Until) {
		return runOptions{}, usagef("run: --since (%s) must be before --until (%s)",
			o.Since.Format(time.RFC3339Nano), o.Until.Format(time.RFC3339Nano))
	}
	return o, nil
}

// parseTimeFlag accepts RFC 3339 (a fraction of a second included, as RFC
// 3339 allows) or a date YYYY-MM-DD meaning 00:00 UTC. The time is kept
// exact: the pass rounds it for calls, which Aircall lists in whole seconds,
// and compares messages' exact times with it.
func parseTimeFlag(name, value string) (time.Time, error) {
	if t, err := time.Parse(time.DateOnly, value); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse(time.RFC3339, value); err == nil {
		return t.UTC(), nil
	}
	return time.Time{}, usagef("run: --%s %q is neither RFC 3339 (2025-01-31T08:00:00Z) nor a date (2025-01-31)", name, value)
}

func parseStatusFlags(args []string) (statusOptions, error) {
	var o statusOptions
	fs := newFlagSet("status")
	fs.StringVar(&o.Instance, "instance", "", "")
	fs.BoolVar(&o.JSON, "json", false, "")
	if err := parseFlags(fs, args); err != nil {
		return statusOptions{}, err
	}
	o.Instance = strings.TrimSpace(o.Instance)
	if isSet(fs, "instance") && o.Instance == "" {
		return statusOptions{}, usagef("status: --instance needs a name")
	}
	return o, nil
}

func parseDemoFlags(args []string) (demoOptions, error) {
	var o demoOptions
	fs := newFlagSet("demo")
	fs.BoolVar(&o.Quiet, "quiet", false, "")
	if err := parseFlags(fs, args); err != nil {
		return demoOptions{}, err
	}
	return o, nil
}

func isSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) {
		if f.Name == name {
			set = true
		}
	})
	return set
}
