package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/aircall-helpscout/aircall-helpscout/clients/helpscout/helpscouttest"
	"github.com/aircall-helpscout/aircall-helpscout/reconciler/reconcilertest"
	"github.com/aircall-helpscout/aircall-helpscout/rules"
	"github.com/aircall-helpscout/aircall-helpscout/store"
	"github.com/aircall-helpscout/aircall-helpscout/web/status"
)

// dbOnly keeps only what explain and retry read: they must work without
// any API secret.
func dbOnly(vars map[string]string) map[string]string {
	return map[string]string{"DATABASE_PATH": vars["DATABASE_PATH"], "INSTANCES": vars["INSTANCES"]}
}

// TestRetryParkedCallLogsItOnce is the operator's story: a call parked by a
// permanent Help Scout error stays parked even after the cause is fixed;
// `retry --parked` makes it eligible again and the next pass logs it once;
// `explain` shows the whole history.
func TestRetryParkedCallLogsItOnce(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	f := newFakes(t)
	f.AddCall(1, "+34 612 34 56 78", 30*time.Minute, reconcilertest.Missed("no_available_agent"))
	f.HS.InjectFault(helpscouttest.Fault{Method: "POST", PathPrefix: "/v2/customers", Status: 400, Count: 1000})
	for range 5 { // the default limit of attempts
		r := runCmd(ctx, f.vars, "run")
		is.NoErr(r.err)
	}
	db := dbOnly(f.vars)
	r := runCmd(ctx, db, "explain", "1")
	is.NoErr(r.err)
	t.Log("\n" + r.stdout)
	for _, want := range []string{"call 1 (instance default)", "parked (parked)", "parked after 5 failed attempts",
		"attempt failed; parked (5 counted)", "https://dashboard.aircall.io/calls/1", "400"} {
		is.True(strings.Contains(r.stdout, want)) // explain of a parked call
	}

	f.HS.ClearFaults() // the operator fixed the cause
	is.NoErr(runCmd(ctx, f.vars, "run").err)
	threads, _ := f.PhoneThreads(1)
	is.Equal(len(threads), 0) // parked is final: a pass alone does not retry it

	r = runCmd(ctx, db, "retry", "--parked")
	is.NoErr(r.err)
	t.Log("\n" + r.stdout)
	is.True(strings.Contains(r.stdout, "call 1 (default): eligible again (was parked after 5 attempt(s): "))
	is.True(strings.Contains(r.stdout, "1 item(s) eligible again"))

	is.NoErr(runCmd(ctx, f.vars, "run").err)
	is.NoErr(runCmd(ctx, f.vars, "run").err)
	exactlyOnce(t, f, 1)

	r = runCmd(ctx, db, "explain", "--json", "1")
	is.NoErr(r.err)
	var xs []status.Explanation
	is.NoErr(json.Unmarshal([]byte(r.stdout), &xs))
	is.Equal(len(xs), 1)
	x := xs[0]
	is.Equal(x.State, store.StateLogged)
	is.True(x.Conversation != nil && x.Conversation.ID != 0)
	is.Equal(x.Conversation.URL, rules.ConversationURL(x.Conversation.ID))
	is.True(x.Retry != nil && !x.Retry.Pending)
	var events []string
	for _, h := range x.History {
		events = append(events, string(h.Event)+":"+string(h.State))
	}
	is.Equal(events, []string{"attempt:failed", "attempt:failed", "attempt:failed", "attempt:failed", "attempt:parked",
		"retry:parked", "state:logged"})

	r = runCmd(ctx, db, "retry", "1")
	is.NoErr(r.err)
	is.True(strings.Contains(r.stdout, "not changed: already logged"))
}

func TestExplainRetryErrors(t *testing.T) {
	f := newFakes(t)
	f.AddCall(1, "+34 612 34 56 78", 30*time.Minute)
	if r := runCmd(context.Background(), f.vars, "run"); r.err != nil {
		t.Fatal(r.err)
	}
	db := dbOnly(f.vars)
	missing := map[string]string{"DATABASE_PATH": t.TempDir() + "/none.db"}
	tests := []struct {
		name string
		vars map[string]string
		args []string
		code int
		out  string // in stdout or the error
	}{
		{"unknown id", db, []string{"explain", "4242"}, 1, "no call or message with ID 4242 in the database"},
		{"unknown id json", db, []string{"explain", "4242", "--json"}, 1, `{"error":"explain: no call or message with ID 4242`},
		{"no id", db, []string{"explain"}, 2, "give the Aircall ID"},
		{"two ids", db, []string{"explain", "1", "2"}, 2, "one ID at a time"},
		{"unknown instance", db, []string{"explain", "1", "--instance", "nope"}, 2, `--instance "nope": no such instance (configured: default)`},
		{"no database", missing, []string{"explain", "1"}, 1, "no database at"},
		{"bad INSTANCES", map[string]string{"INSTANCES": "a,,b"}, []string{"explain", "1"}, 2, "INSTANCES: entry 2 is empty"},
		{"found without secrets", db, []string{"explain", "1", "--instance", "DEFAULT"}, 0, "call 1 (instance default)"},
		{"retry neither", db, []string{"retry"}, 2, "give --parked or the IDs"},
		{"retry both", db, []string{"retry", "--parked", "1"}, 2, "not both"},
		{"retry unknown", db, []string{"retry", "77", "1"}, 1, "77: not changed: not in the database"},
		{"retry nothing parked", db, []string{"retry", "--parked"}, 0, "No parked item in instance(s) default"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			r := runCmd(context.Background(), tt.vars, tt.args...)
			is.Equal(r.code, tt.code)
			text := r.stdout
			if r.err != nil {
				text += r.err.Error()
			}
			if !strings.Contains(text, tt.out) {
				t.Errorf("want %q in:\n%s", tt.out, text)
			}
		})
	}
}
