package main

import (
	"context"
	"encoding/json"
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
		"failed: 1",
		"call 99 ",
		"2 attempt(s): helpscout: 400 Bad Request: customer.email invalid",
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
	is.Equal(len(in.Failed), 1)
	is.Equal(in.Failed[0].ID, "99")
	is.True(len(in.Waiting) >= 1)
}

func TestStatusWithoutDatabase(t *testing.T) {
	is := is.New(t)
	f := newFakes(t)
	r := runCmd(context.Background(), f.vars, "status")
	is.Equal(r.code, 1)
	is.True(strings.Contains(r.err.Error(), "no database at"))
}
