package main

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/aircall-helpscout/aircall-helpscout/clients/helpscout/helpscouttest"
	"github.com/aircall-helpscout/aircall-helpscout/reconciler/reconcilertest"
	"github.com/aircall-helpscout/aircall-helpscout/store"
)

func openTestStore(t *testing.T, path string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestRunScheduledThenCatchUpNeverTwice(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	f := newFakes(t)
	f.Customer("Marta", "López", 48*time.Hour, "612 34 56 78")
	f.AddCall(1, "+34 612 34 56 78", 30*time.Minute, reconcilertest.Missed("no_available_agent"))
	f.AddCall(2, "+34 699 11 22 33", 40*time.Minute)
	f.AddCall(3, "+34 699 11 22 33", 5*24*time.Hour) // behind the lookback: only a catch-up reads it

	r := runCmd(ctx, f.vars, "run")
	is.NoErr(r.err)
	is.True(strings.Contains(r.stdout, "Summary"))
	is.True(strings.Contains(r.stdout, "default:"))
	exactlyOnce(t, f, 1, 2)
	th, _ := f.PhoneThreads(3)
	is.Equal(len(th), 0) // a scheduled pass does not reach back 5 days

	st := openTestStore(t, f.vars["DATABASE_PATH"])
	before, ok, err := st.Cursor(ctx, "default", store.StreamCalls)
	is.NoErr(err)
	is.True(ok)

	since := time.Now().UTC().Add(-7 * 24 * time.Hour).Format(time.DateOnly)
	r = runCmd(ctx, f.vars, "run", "--since", since)
	is.NoErr(r.err)
	is.True(strings.Contains(r.stdout, "Catching up"))
	is.True(strings.Contains(r.stdout, string(store.OutcomeAlready)+" 2")) // the scheduled pass's calls are not redone
	exactlyOnce(t, f, 1, 2, 3)
	after, _, err := st.Cursor(ctx, "default", store.StreamCalls)
	is.NoErr(err)
	is.Equal(after, before) // a catch-up never moves the scheduled cursor

	r = runCmd(ctx, f.vars, "run", "--instance", "DEFAULT")
	is.NoErr(r.err)
	exactlyOnce(t, f, 1, 2, 3)
}

// TestRunInstanceNameCaseKeepsTheLedger: INSTANCES=Partners then
// INSTANCES=partners is one instance, so the second pass finds the first
// one's ledger and cursor instead of logging everything again.
func TestRunInstanceNameCaseKeepsTheLedger(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	f := newFakes(t)
	f.AddCall(1, "+34 612 34 56 78", 30*time.Minute)
	f.AddCall(2, "+34 699 11 22 33", 40*time.Minute)
	vars := with(f.vars,
		"HELPSCOUT_MAILBOX_ID", "<unset>", "AIRCALL_NUMBERS", "<unset>",
		"PARTNERS_HELPSCOUT_MAILBOX_ID", f.vars["HELPSCOUT_MAILBOX_ID"],
		"PARTNERS_AIRCALL_NUMBERS", f.vars["AIRCALL_NUMBERS"])

	for _, spelling := range []string{"Partners", "partners", "PARTNERS"} {
		r := runCmd(ctx, with(vars, "INSTANCES", spelling), "run")
		is.NoErr(r.err)
		exactlyOnce(t, f, 1, 2)
	}
	st := openTestStore(t, f.vars["DATABASE_PATH"])
	_, ok, err := st.Cursor(ctx, "partners", store.StreamCalls)
	is.NoErr(err)
	is.True(ok) // keyed by the lower-case name
	_, ok, err = st.Cursor(ctx, "Partners", store.StreamCalls)
	is.NoErr(err)
	is.True(!ok) // never by the spelling in INSTANCES
}

func TestRunDryRunWritesNothing(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	f := newFakes(t)
	f.AddCall(7, "+34 612 34 56 78", 30*time.Minute)
	f.HS.ResetRequests()

	since := time.Now().UTC().Add(-400 * 24 * time.Hour).Format(time.DateOnly)
	r := runCmd(ctx, f.vars, "run", "--dry-run", "--since", since)
	is.NoErr(r.err)
	is.True(strings.Contains(r.stderr, "six months"))          // warned about Aircall's retention
	is.True(strings.Contains(r.stdout, "would: default"))      // one line per item
	is.True(strings.Contains(r.stdout, " 7 "))                 // naming the call
	is.True(strings.Contains(r.stdout, "nothing was written")) // and says so
	for _, req := range f.HS.Requests() {
		is.True(req.Method == "GET" || strings.HasSuffix(req.Path, "/oauth2/token")) // no Help Scout write
	}
	for _, req := range f.AC.Requests() {
		is.Equal(req.Method, "GET") // no Aircall write
	}
	_, err := os.Stat(f.vars["DATABASE_PATH"])
	is.True(errors.Is(err, fs.ErrNotExist)) // not even an empty database file
}

// TestRunDryRunDatabase: a dry run never creates DATABASE_PATH (nor its
// directory); without a database it plans a first pass, with one it reads
// its ledger and leaves it as it was.
func TestRunDryRunDatabase(t *testing.T) {
	tests := []struct {
		name         string
		realRunFirst bool
		wantStdout   string // in the summary
		wantStderr   string
	}{
		{name: "no database yet", wantStdout: "would: default", wantStderr: "no database at"},
		{name: "existing database", realRunFirst: true, wantStdout: string(store.OutcomeAlready) + " 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			ctx := context.Background()
			f := newFakes(t)
			f.AddCall(7, "+34 612 34 56 78", 30*time.Minute)
			dir := filepath.Join(t.TempDir(), "state")
			vars := with(f.vars, "DATABASE_PATH", filepath.Join(dir, "ops.db"))
			if tt.realRunFirst {
				is.NoErr(runCmd(ctx, vars, "run").err)
				// As if written by an older release: the latest migration
				// is pending, and a dry run must not apply it.
				db, err := sql.Open("sqlite", vars["DATABASE_PATH"])
				is.NoErr(err)
				_, err = db.Exec(`DROP INDEX intents_by_item; DELETE FROM schema_migrations WHERE version = 2`)
				is.NoErr(err)
				is.NoErr(db.Close())
			}
			f.HS.ResetRequests()
			before := dirSums(t, dir)

			r := runCmd(ctx, vars, "run", "--dry-run")
			is.NoErr(r.err)
			if !strings.Contains(r.stdout, tt.wantStdout) {
				t.Errorf("stdout lacks %q:\n%s", tt.wantStdout, r.stdout)
			}
			if !strings.Contains(r.stderr, tt.wantStderr) {
				t.Errorf("stderr lacks %q:\n%s", tt.wantStderr, r.stderr)
			}
			for _, req := range f.HS.Requests() {
				is.True(req.Method == "GET" || strings.HasSuffix(req.Path, "/oauth2/token")) // no Help Scout write
			}
			exactlyOnce(t, f) // nothing written
			if !tt.realRunFirst {
				_, err := os.Stat(dir)
				is.True(errors.Is(err, fs.ErrNotExist)) // neither the file nor its directory
				return
			}
			after := dirSums(t, dir)
			is.Equal(after["ops.db"], before["ops.db"]) // not one byte of the database changed
			if w, ok := after["ops.db-wal"]; ok {
				is.Equal(w, sha256.Sum256(nil)) // nor is anything waiting in its WAL (a read-only reader leaves it empty)
			}
			st := openTestStore(t, vars["DATABASE_PATH"])
			it, ok, err := st.GetItem(ctx, "default", store.KindCall, "7")
			is.NoErr(err)
			is.True(ok)
			is.Equal(it.State, store.StateLogged) // the real run's row, untouched
			runs, err := st.Runs(ctx, "default", 0)
			is.NoErr(err)
			is.Equal(len(runs), 1) // the dry run recorded no run
		})
	}
}

func TestRunRefusesWhileAnotherProcessRunsPasses(t *testing.T) {
	is := is.New(t)
	saved := lockWait
	lockWait = 30 * time.Millisecond
	t.Cleanup(func() { lockWait = saved })
	f := newFakes(t)
	st := openTestStore(t, f.vars["DATABASE_PATH"])
	unlock, err := st.LockPasses()
	is.NoErr(err)
	defer unlock()

	r := runCmd(context.Background(), f.vars, "run")
	is.True(errors.Is(r.err, store.ErrLocked))
	is.Equal(r.code, 1)
	is.True(strings.Contains(r.err.Error(), f.vars["DATABASE_PATH"])) // names the database
	is.True(strings.Contains(r.stderr, "waiting for another process"))
}

func TestRunExitCodes(t *testing.T) {
	tests := []struct {
		name     string
		vars     map[string]string
		wantCode int
		wantErr  string
	}{
		{name: "bad Aircall credentials", vars: map[string]string{"AIRCALL_API_TOKEN": "wrong-token"}, wantCode: 1, wantErr: "bad credentials"},
		{name: "bad Help Scout credentials", vars: map[string]string{"HELPSCOUT_APP_SECRET": "wrong-secret"}, wantCode: 1, wantErr: "bad credentials"},
		{name: "config error", vars: map[string]string{"LOOKBACK": "soon"}, wantCode: 2, wantErr: "LOOKBACK"},
		{name: "listen port out of range", vars: map[string]string{"LISTEN_ADDR": ":99999"}, wantCode: 2, wantErr: "LISTEN_ADDR"},
		{name: "schedule every 0s", vars: map[string]string{"SCHEDULE": "@every 0s"}, wantCode: 2, wantErr: "SCHEDULE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			f := newFakes(t)
			f.AddCall(1, "+34 612 34 56 78", 30*time.Minute)
			r := runCmd(context.Background(), with(f.vars, flatten(tt.vars)...), "run")
			is.Equal(r.code, tt.wantCode)
			is.True(r.err != nil)
			if !strings.Contains(r.err.Error(), tt.wantErr) {
				t.Errorf("error %q does not contain %q", r.err, tt.wantErr)
			}
		})
	}
}

// TestRunExitCodeSaysWhetherThePassCompleted: an item that failed on its
// own is recorded for a later pass and the pass still completed (exit 0);
// a pass that could not read what it had to (the call listing failed) did
// not complete (exit 1), though nothing is fatal.
func TestRunExitCodeSaysWhetherThePassCompleted(t *testing.T) {
	tests := []struct {
		name       string
		fault      func(f *fakes)
		wantCode   int
		wantErr    string // substring of the error; "" = no error
		wantStdout string // substring of the summary
	}{
		{
			name:       "no fault",
			fault:      func(*fakes) {},
			wantCode:   0,
			wantStdout: string(store.OutcomeNewConversation) + " 1",
		},
		{
			name: "one item failed, recorded for retry",
			fault: func(f *fakes) { // Help Scout refuses the new caller's customer for good
				f.HS.InjectFault(helpscouttest.Fault{Method: "POST", PathPrefix: "/v2/customers", Status: 400, Count: 100})
			},
			wantCode:   0,
			wantStdout: string(store.OutcomeFailed) + " 1",
		},
		{
			name:       "listing calls failed",
			fault:      func(f *fakes) { f.AC.FailNext(20, http.StatusBadRequest) },
			wantCode:   1,
			wantErr:    "listing calls",
			wantStdout: "default: error: listing calls",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			f := newFakes(t)
			f.AddCall(1, "+34 612 34 56 78", 30*time.Minute)
			tt.fault(f)
			r := runCmd(context.Background(), f.vars, "run")
			is.Equal(r.code, tt.wantCode)
			if tt.wantErr == "" {
				is.NoErr(r.err)
			} else {
				is.True(errors.Is(r.err, errPassIncomplete))
				if !strings.Contains(r.err.Error(), tt.wantErr) {
					t.Errorf("error %q does not contain %q", r.err, tt.wantErr)
				}
			}
			if !strings.Contains(r.stdout, tt.wantStdout) {
				t.Errorf("stdout lacks %q:\n%s", tt.wantStdout, r.stdout)
			}
		})
	}
}

// TestBadDatabasePathNamesTheVariable: a DATABASE_PATH the file system
// refuses is an error naming the variable and the path, exit 1 (the value
// is well-formed; opening it failed), before any pass.
func TestBadDatabasePathNamesTheVariable(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "a-file")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	paths := []struct{ name, path string }{
		{"parent is a file", filepath.Join(file, "state.db")},
		{"parent under a file", filepath.Join(file, "sub", "state.db")},
		{"path is a directory", dir},
	}
	for _, p := range paths {
		for _, args := range [][]string{{"run"}, {"run", "--dry-run"}, {"serve"}, {"status"}} {
			t.Run(p.name+" "+strings.Join(args, " "), func(t *testing.T) {
				is := is.New(t)
				f := newFakes(t)
				f.AddCall(1, "+34 612 34 56 78", 30*time.Minute)
				vars := with(f.vars, "DATABASE_PATH", p.path, "LISTEN_ADDR", "127.0.0.1:0")
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				r := runCmd(ctx, vars, args...)
				is.True(r.err != nil)
				is.Equal(r.code, 1)
				if !strings.Contains(r.err.Error(), "DATABASE_PATH="+p.path) {
					t.Errorf("error %q does not name DATABASE_PATH=%s", r.err, p.path)
				}
				th, _ := f.PhoneThreads(1)
				is.Equal(len(th), 0) // no pass ran
			})
		}
	}
}

func flatten(m map[string]string) []string {
	var kv []string
	for k, v := range m {
		kv = append(kv, k, v)
	}
	return kv
}

func TestProgressLine(t *testing.T) {
	tests := []struct {
		done, total int
		elapsed     time.Duration
		want        string
	}{
		{0, 0, 0, "0 items  0.0/s"},
		{10, 0, 2 * time.Second, "10 items  5.0/s"},
		{10, 100, 2 * time.Second, "10/100 items  5.0/s  ETA 18s"},
		{0, 100, time.Second, "0/100 items  0.0/s  ETA ?"},
		{100, 100, 10 * time.Second, "100/100 items  10.0/s  ETA 0s"},
		{135, 130, 10 * time.Second, "135/135 items  13.5/s  ETA 0s"}, // never "135/130" (a retried item beyond the total)
	}
	for _, tt := range tests {
		is := is.New(t)
		is.Equal(progressLine(tt.done, tt.total, tt.elapsed), tt.want)
	}
}

func TestRunDrawsProgressOnATerminal(t *testing.T) {
	is := is.New(t)
	saved := stdoutIsTerminal
	stdoutIsTerminal = func(io.Writer) bool { return true }
	t.Cleanup(func() { stdoutIsTerminal = saved })
	f := newFakes(t)
	for i := range 3 {
		f.AddCall(int64(i+1), "+34 612 34 56 78", time.Duration(30+i)*time.Minute)
	}
	r := runCmd(context.Background(), f.vars, "run", "--since", time.Now().UTC().Add(-24*time.Hour).Format(time.DateOnly))
	is.NoErr(r.err)
	is.True(strings.Contains(r.stdout, "\r\033[K"))    // redraws one line
	is.True(strings.Contains(r.stdout, "3/3 items"))   // done/total
	is.True(strings.Contains(r.stdout, "ETA"))         //
	is.True(strings.Contains(r.stdout, "\nSummary, ")) // the summary starts on its own line
}

// dirSums hashes every file in dir (the database and any -wal/-shm), by
// name; a missing dir gives an empty map.
func dirSums(t *testing.T, dir string) map[string][32]byte {
	t.Helper()
	out := map[string][32]byte{}
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return out
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = sha256.Sum256(b)
	}
	return out
}

// TestRunInterruptedSaysSo: Ctrl-C (or SIGTERM) during run is safe, and the
// error says it was interrupted and what to do, rather than whichever step
// the cancellation hit ("record run start: ... context canceled"). Exit 1.
func TestRunInterruptedSaysSo(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{name: "scheduled pass", args: []string{"run"}},
		{name: "catch-up", args: []string{"run", "--since", time.Now().UTC().Add(-48 * time.Hour).Format(time.DateOnly)}},
		{name: "dry run", args: []string{"run", "--dry-run"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			f := newFakes(t)
			f.AddCall(1, "+34 612 34 56 78", 30*time.Minute)
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			r := runCmd(ctx, f.vars, tt.args...)
			is.Equal(r.code, 1)
			is.True(errors.Is(r.err, errInterrupted)) // says it was interrupted
			is.True(strings.Contains(r.err.Error(), "nothing is lost, run the same command again"))
			is.True(errors.Is(r.err, context.Canceled)) // the cause stays reachable
		})
	}
}
