package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// healthcheckTimeout bounds the request so that a hung serve counts as
// unhealthy instead of piling up health probes.
const healthcheckTimeout = 5 * time.Second

// errUnhealthy is what healthcheck returns when serve did not answer 200
// (exit 1, which Docker reads as unhealthy).
var errUnhealthy = errors.New("unhealthy")

// cmdHealthcheck asks the local serve for /healthz and succeeds only on 200.
// It exists because the container image (distroless) has no shell and no
// curl for a HEALTHCHECK. It reads only LISTEN_ADDR, so it works with any
// environment and never needs a secret.
func cmdHealthcheck(ctx context.Context, e *env) error {
	addr := strings.TrimSpace(e.Getenv("LISTEN_ADDR"))
	if addr == "" {
		// serve's default, from the one table of variables, so that the
		// probe cannot drift from where serve listens.
		addr = defaultOf("LISTEN_ADDR")
	}
	u, err := healthzURL(addr)
	if err != nil {
		return fmt.Errorf("healthcheck: LISTEN_ADDR: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, healthcheckTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w: %w", errUnhealthy, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	fmt.Fprintf(e.Stdout, "%s %s\n", resp.Status, strings.TrimSpace(string(body)))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: %w: %s answered %s", errUnhealthy, u, resp.Status)
	}
	return nil
}

// healthzURL turns a listen address into the URL to probe: an empty or
// wildcard host (":8080", "0.0.0.0:8080", "[::]:8080") means this machine.
func healthzURL(listenAddr string) (string, error) {
	host, port, err := net.SplitHostPort(listenAddr)
	if err != nil || port == "" {
		return "", fmt.Errorf("%q is not a host:port address", listenAddr)
	}
	if port == "0" {
		return "", fmt.Errorf("%q: port 0 is a random port that cannot be probed", listenAddr)
	}
	switch host {
	case "", "0.0.0.0", "::":
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/healthz", nil
}
