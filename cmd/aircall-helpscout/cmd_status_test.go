package main

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/aircall-helpscout/aircall-helpscout/reconciler/reconcilertest"
	"github.com/aircall-helpscout/aircall-helpscout/store"
)

// statusFixture runs one pass over a logged call, a call in progress and a
// call waiting for AI, then records a failed item, and returns the vars.
func statusFixture(t *testing.T) map[string]string {
	t.Helper()
	f := newFakes(t)
	f.AddCall(1, "+34 612 34 56 78", 40*time.Minute)
	f.AddCall(2, "+34 612 34 56 78", 3*time.Minute, reconcilertest.Status("answered"))
	f.AddCall(3, "+34 699 11 22 33", 5*time.Minute) // ended 3 min ago: waits for transcript/AI
	r := runCmd(context.Background(), f.vars, "run")
	if r.err != nil {
		t.Fatal(r.err)
	}
	st := openTestStore(t, f.vars["DATABASE_PATH"])
	err := st.PutItem(context.Background(), store.Item{Instance: "default", Kind: "call", SourceID: "99", State: store.StateFailed,
		Outcome: "failed", OccurredAt: time.Now().Add(-time.Hour), Attempts: 2, LastError: "helpscout: 400 Bad Request: customer.email invalid"})
	if err != nil {
		t.Fatal(err)
	}
	err = st.PutItem(context.Background(), store.Item{Instance: "default", Kind: "call", SourceID: "98", State: store.StateParked,
		Outcome: "parked", OccurredAt: time.Now().Add(-2 * time.Hour), Attempts: 5, LastError: "helpscout: 400 Bad Request: phone invalid"})
	if err != nil {
		t.Fatal(err)
	}
	return f.vars
}

func TestStatusText(t *testing.T) {
	is := is.New(t)
	vars := statusFixture(t)
	r := runCmd(context.Background(), vars, "status")
	is.NoErr(r.err)
	t.Log("\n" + r.stdout)
	for _, want := range []string{
		"Instance default",
		"calls cursor:    20", // a date, then the lag
		"(lag ",
		"call/logged/new_conversation",
		"scheduled",
		"waiting: ",
		"call 2 ",
		"failed: 2",
		"call 99 ",
		") failed, 2 attempt(s): helpscout: 400 Bad Request: customer.email invalid",
		") parked, 5 attempt(s): helpscout: 400 Bad Request: phone invalid", // the state once, not "parked parked"
		"1 parked: no pass retries them; once the cause is fixed, 'aircall-helpscout retry --parked' (or retry <id>)",
		"Help Scout mirrors",
		"customers ", // the customers mirror: size, state, freshness
		"conversations:",
		"; ready; last refresh ",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("status lacks %q:\n%s", want, r.stdout)
		}
	}
}

func TestStatusJSON(t *testing.T) {
	is := is.New(t)
	vars := statusFixture(t)
	r := runCmd(context.Background(), vars, "status", "--json", "--instance", "default")
	is.NoErr(r.err)
	var rep statusReport
	is.NoErr(json.Unmarshal([]byte(r.stdout), &rep))
	is.Equal(len(rep.Instances), 1)
	in := rep.Instances[0]
	is.Equal(in.Name, "default")
	is.True(in.CallsCursor != nil)
	is.Equal(in.Counts["call/logged/new_conversation"], 1)
	is.Equal(len(in.Runs), 1)
	is.Equal(in.Runs[0].Mode, "scheduled")
	is.Equal(len(in.Failed), 2) // failed and parked, oldest first
	is.Equal(in.Failed[0].ID, "98")
	is.Equal(in.Failed[0].State, store.StateParked)
	is.Equal(in.Failed[1].ID, "99")
	is.True(len(in.Waiting) >= 1)
	is.Equal(len(rep.Mirrors), 2) // customers, and the instance's mailbox
	for _, m := range rep.Mirrors {
		is.Equal(m.State, "ready")
		is.True(m.Ready)
		is.True(m.LastFullList != nil)
	}
	is.True(rep.Mirrors[0].Name == "conversations:"+strconv.FormatInt(*rep.Mirrors[0].MailboxID, 10))
	is.Equal(rep.Mirrors[1].Name, "customers")
	is.True(rep.Mirrors[1].Size >= 1) // the customer created for call 1
}

// TestStatusShowsFirstSyncProgress: a first sync cut short by the pass's
// page allowance shows where it is, in text and JSON.
func TestStatusShowsFirstSyncProgress(t *testing.T) {
	is := is.New(t)
	st := openTestStore(t, t.TempDir()+"/s.db")
	is.NoErr(st.PutMirrorSyncState(t.Context(), store.MirrorSync{Name: "customers", Phase: store.MirrorPhaseFirstSync, Page: 41,
		SeenTotal: 2000, ExpectedTotal: 100000, ListingStartedAt: time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)}))
	ms, err := readMirrorStatus(t.Context(), st)
	is.NoErr(err)
	is.Equal(len(ms), 1)
	is.Equal(ms[0].State, "first sync")
	is.True(!ms[0].Ready)
	is.Equal(ms[0].Page, 41)
	var b strings.Builder
	writeMirrors(&b, ms)
	is.True(strings.Contains(b.String(), "first sync at page 41, 2000 of ~100000 read, since 2026-11-30T08:00:00Z"))
	is.True(strings.Contains(b.String(), "live check"))
}

func TestStatusWithoutDatabase(t *testing.T) {
	is := is.New(t)
	f := newFakes(t)
	r := runCmd(context.Background(), f.vars, "status")
	is.Equal(r.code, 1)
	is.True(strings.Contains(r.err.Error(), "no database at"))
}

// TestStatusNeedsOnlyTheDatabase is `env -i DATABASE_PATH=… status`: no
// secret, no mailbox, no number. It says what retention keeps.
func TestStatusNeedsOnlyTheDatabase(t *testing.T) {
	is := is.New(t)
	vars := statusFixture(t)
	only := map[string]string{"DATABASE_PATH": vars["DATABASE_PATH"]}
	r := runCmd(context.Background(), only, "status")
	is.NoErr(r.err)
	is.True(strings.Contains(r.stdout, "Instance default"))
	is.True(strings.Contains(r.stdout, "Retention 90d (RETENTION)"))
	is.True(strings.Contains(r.stdout, "kept: 1 pass record(s), oldest 20"))

	r = runCmd(context.Background(), with(only, "RETENTION", "30d"), "status", "--json")
	is.NoErr(r.err)
	var rep statusReport
	is.NoErr(json.Unmarshal([]byte(r.stdout), &rep))
	is.Equal(rep.Retention.Retention, "30d")
	is.Equal(rep.Retention.Runs, 1)
	is.True(rep.Retention.OldestRun != nil)
	is.True(rep.Retention.OldestMessagePayload == nil) // no webhook stored: null
}

// TestStatusJSONFieldsAlwaysPresent: before any pass moved a cursor, the
// cursor and lag fields are null, not missing.
func TestStatusJSONFieldsAlwaysPresent(t *testing.T) {
	is := is.New(t)
	f := newFakes(t)
	openTestStore(t, f.vars["DATABASE_PATH"]) // creates an empty database
	r := runCmd(context.Background(), map[string]string{"DATABASE_PATH": f.vars["DATABASE_PATH"]}, "status", "--json")
	is.NoErr(r.err)
	var raw map[string]any
	is.NoErr(json.Unmarshal([]byte(r.stdout), &raw))
	in := raw["instances"].([]any)[0].(map[string]any)
	for _, k := range []string{"calls_cursor", "calls_lag_seconds", "messages_cursor"} {
		v, present := in[k]
		is.True(present) // always present
		is.Equal(v, nil) // null when unknown
	}
	ret := raw["retention"].(map[string]any)
	for _, k := range []string{"oldest_run", "oldest_message_payload"} {
		_, present := ret[k]
		is.True(present)
	}
}

// TestStatusJSONErrors: with --json, failures are JSON on stdout too, with
// the usual exit status.
func TestStatusJSONErrors(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		args []string
		code int
		want string
	}{
		{"no database", map[string]string{"DATABASE_PATH": "/nonexistent/x.db"}, []string{"status", "--json"}, 1, "no database at /nonexistent/x.db"},
		{"bad config", map[string]string{"RETENTION": "soon"}, []string{"status", "--json"}, 2, "RETENTION"},
		{"unknown instance", map[string]string{}, []string{"status", "--json", "--instance", "sales"}, 2, "no such instance"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			r := runCmd(context.Background(), tt.env, tt.args...)
			is.Equal(r.code, tt.code)
			var out map[string]string
			is.NoErr(json.Unmarshal([]byte(r.stdout), &out)) // stdout is JSON
			is.True(strings.Contains(out["error"], tt.want))
		})
	}
}
