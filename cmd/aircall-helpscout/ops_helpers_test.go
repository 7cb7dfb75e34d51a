package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aircall-helpscout/aircall-helpscout/clients/aircall/aircalltest"
	"github.com/aircall-helpscout/aircall-helpscout/clients/helpscout/helpscouttest"
	"github.com/aircall-helpscout/aircall-helpscout/reconciler/reconcilertest"
)

// testWebhookToken is the webhook secret the command tests configure.
const testWebhookToken = "hook-secret-7f3a9c"

// fakes is a reconcilertest environment on the real clock (the commands
// use time.Now) plus the variables that point a command at it.
type fakes struct {
	*reconcilertest.Env
	vars map[string]string
}

func newFakes(t *testing.T) *fakes { return newFakesTB(t) }

func newFakesTB(t testing.TB) *fakes {
	t.Helper()
	e := reconcilertest.New(t)
	e.Clock.Set(time.Now().UTC())
	e.AC.SetClock(time.Now)
	e.HS.SetClock(time.Now)
	return &fakes{Env: e, vars: map[string]string{
		"AIRCALL_API_URL": e.AC.URL(), "AIRCALL_API_ID": aircalltest.APIID, "AIRCALL_API_TOKEN": aircalltest.APIToken,
		"AIRCALL_REQUESTS_PER_MINUTE": "600000", "AIRCALL_WEBHOOK_TOKEN": testWebhookToken,
		"HELPSCOUT_API_URL": e.HS.URL(), "HELPSCOUT_APP_ID": helpscouttest.AppID, "HELPSCOUT_APP_SECRET": helpscouttest.AppSecret,
		"HELPSCOUT_REQUESTS_PER_MINUTE": "600000",
		"DATABASE_PATH":                 filepath.Join(t.TempDir(), "ops.db"),
		"HELPSCOUT_MAILBOX_ID":          strconv.FormatInt(reconcilertest.MailboxID, 10),
		"AIRCALL_NUMBERS":               strconv.FormatInt(reconcilertest.LineID, 10),
		"LOG_LEVEL":                     "debug", "LOG_FORMAT": "text",
	}}
}

// syncBuffer is a bytes.Buffer safe for the concurrent writes of serve.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// result is what one command invocation produced.
type result struct {
	err            error
	code           int
	stdout, stderr string
}

// runCmd runs the program with vars as its environment.
func runCmd(ctx context.Context, vars map[string]string, args ...string) result {
	var out, errb syncBuffer
	err := run(ctx, args, func(k string) string { return vars[k] }, &out, &errb)
	return result{err: err, code: exitCode(err), stdout: out.String(), stderr: errb.String()}
}

// exactlyOnce fails the test unless each call has exactly one phone thread
// in (fake) Help Scout.
func exactlyOnce(t *testing.T, f *fakes, ids ...int64) {
	t.Helper()
	for _, id := range ids {
		if th, _ := f.PhoneThreads(id); len(th) != 1 {
			t.Errorf("call %d has %d phone threads, want exactly 1", id, len(th))
		}
	}
}

// fakeSecrets are the secrets newFakes configures.
func fakeSecrets() []string {
	return []string{aircalltest.APIToken, helpscouttest.AppSecret, testWebhookToken}
}
