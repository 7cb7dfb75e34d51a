package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/matryer/is"
)

// TestCommandsNeverPrintSecrets runs every command at debug level, with the
// credentials the fakes accept and with wrong ones (whose errors are the
// likeliest place for a secret to slip into a message), and greps all output.
func TestCommandsNeverPrintSecrets(t *testing.T) {
	f := newFakes(t)
	f.Customer("Marta", "López", 48*time.Hour, "612 34 56 78")
	f.AddCall(1, "+34 612 34 56 78", 30*time.Minute)
	f.AddCall(2, "anonymous", 40*time.Minute)
	good := with(f.vars, "LOG_FORMAT", "json")
	wrong := with(f.vars, "AIRCALL_API_TOKEN", secretToken, "HELPSCOUT_APP_SECRET", secretApp, "AIRCALL_WEBHOOK_TOKEN", secretWebhook)
	wrongHS := with(f.vars, "HELPSCOUT_APP_SECRET", secretApp, "AIRCALL_WEBHOOK_TOKEN", secretWebhook)
	since := time.Now().UTC().Add(-24 * time.Hour).Format(time.DateOnly)
	tests := []struct {
		name string
		vars map[string]string
		args []string
	}{
		{"run", good, []string{"run"}},
		{"catch-up", good, []string{"run", "--since", since}},
		{"dry run", good, []string{"run", "--dry-run"}},
		{"check", good, []string{"check"}},
		{"status", good, []string{"status", "--json"}},
		{"run wrong secrets", wrong, []string{"run"}},
		{"run wrong Help Scout secret", wrongHS, []string{"run"}},
		{"check wrong secrets", wrong, []string{"check"}},
		{"check wrong Help Scout secret", wrongHS, []string{"check"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			r := runCmd(context.Background(), tt.vars, tt.args...)
			out := r.stdout + r.stderr
			if r.err != nil {
				out += r.err.Error()
			}
			if tt.name == "run" {
				is.True(strings.Contains(r.stderr, `"msg":"call"`)) // item lines were logged, so there was something to leak
			}
			assertNoSecrets(t, out)
			assertNoSecretsIn(t, out)
		})
	}
	// serve does not exit on refused credentials: it reports them in
	// /healthz and its logs, which must not leak them either.
	t.Run("serve wrong secrets", func(t *testing.T) {
		base, stop := startServe(t, with(wrong, "LISTEN_ADDR", "127.0.0.1:0"))
		var health string
		waitFor(t, "/healthz to report the refused credentials", func() bool {
			code, body := get(t, base+"/healthz")
			health = body
			return code == http.StatusServiceUnavailable && strings.Contains(body, "bad credentials")
		})
		r := stop()
		out := health + r.stdout + r.stderr
		assertNoSecrets(t, out)
		assertNoSecretsIn(t, out)
	})
}
