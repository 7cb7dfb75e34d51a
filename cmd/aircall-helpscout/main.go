// Command aircall-helpscout logs Aircall calls, SMS and WhatsApp messages
// into Help Scout exactly once. main only wires the process to run.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "aircall-helpscout: %v\n", err)
	}
	os.Exit(exitCode(err))
}

// exitCode maps run's error to the process status: 0 ok, 2 usage or
// configuration error (nothing was attempted), 1 anything else.
func exitCode(err error) int {
	var ue *usageError
	var ce *configError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ue), errors.As(err, &ce):
		return 2
	default:
		return 1
	}
}
