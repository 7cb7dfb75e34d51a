package reconciler_test

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/aircall-helpscout/aircall-helpscout/reconciler"
	"github.com/aircall-helpscout/aircall-helpscout/reconciler/reconcilertest"
)

// syncBuf is a bytes.Buffer safe for the logger's concurrent writes.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// TestEveryCallOutcomeIsLogged: an operator reading the logs must see why a
// call was not logged, not only the calls that were: waiting (not done yet)
// at info, parked (never reached done) at warn, already done at debug.
func TestEveryCallOutcomeIsLogged(t *testing.T) {
	is := is.New(t)
	e := reconcilertest.New(t)
	var buf syncBuf
	e.Options.Logger = slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))

	e.AddCall(1, "+34 612 34 56 78", 30*time.Minute)                                    // done
	e.AddCall(2, "+34 612 34 56 79", 20*time.Minute, reconcilertest.Status("answered")) // still going
	e.AddCall(3, "+34 612 34 56 70", 30*time.Hour, reconcilertest.Status("answered"))   // stuck past max age

	e.Pass(reconciler.PassOptions{Since: reconcilertest.Start.Add(-48 * time.Hour), Until: reconcilertest.Start})
	e.Pass(reconciler.PassOptions{Since: reconcilertest.Start.Add(-48 * time.Hour), Until: reconcilertest.Start})
	out := buf.String()

	line := func(msg, call string) string {
		for _, l := range strings.Split(out, "\n") {
			if strings.Contains(l, `msg="`+msg) && strings.Contains(l, "call="+call+" ") {
				return l
			}
		}
		return ""
	}
	is.True(strings.Contains(line("call waiting", "2"), "level=INFO")) // waiting call logged
	is.True(strings.Contains(line("call waiting", "2"), "status=answered"))
	is.True(strings.Contains(line("call parked", "3"), "level=WARN"))        // parked call logged
	is.True(strings.Contains(line("call already done", "1"), "level=DEBUG")) // second pass says why nothing happened
}
