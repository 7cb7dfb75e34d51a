package main

import (
	"context"
	"errors"
)

// errNotImplemented is what the command stubs return until their real
// implementations replace this file; it exits 1, not 2, because the
// configuration was fine.
var errNotImplemented = errors.New("not implemented yet")

// cmdServe runs the scheduler, the webhook receiver, /healthz and /metrics.
func cmdServe(ctx context.Context, e *env) error { return errNotImplemented }

// cmdRun runs one pass, or a catch-up when opts.Since is set.
func cmdRun(ctx context.Context, e *env, opts runOptions) error { return errNotImplemented }

// cmdCheck verifies credentials, mailboxes and numbers against the APIs.
func cmdCheck(ctx context.Context, e *env) error { return errNotImplemented }

// cmdStatus prints per-instance state from the store.
func cmdStatus(ctx context.Context, e *env, opts statusOptions) error { return errNotImplemented }

// cmdDemo runs a pass against the in-process fakes.
func cmdDemo(ctx context.Context, e *env, opts demoOptions) error { return errNotImplemented }
