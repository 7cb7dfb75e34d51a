package main

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/matryer/is"
)

func TestCheckFindings(t *testing.T) {
	tests := []struct {
		name     string
		vars     []string // overrides, key value ...
		noAI     bool     // the fake answers 403 on the AI endpoints
		badAuth  int      // the fake's answer to bad credentials: 401 (403 when 0)
		wantCode int
		want     []string
		notWant  []string
	}{
		{name: "all good", wantCode: 0, want: []string{
			"ok    configuration: valid, 1 instance(s)",
			"ok    instance default: AIRCALL_NUMBERS \"1389850\" → Aircall number ID 1389850",
			"ok    Aircall credentials: accepted",
			"ok    Help Scout credentials: accepted",
			"ok    instance default: mailbox 501 (Support) found",
			"ok    Aircall numbers: every configured number exists",
			"ok    Aircall transcripts: the add-on answers",
			"ok    Aircall AI insights: the add-on answers",
			"AIRCALL_API_TOKEN=<redacted>",
		}},
		{name: "AI add-ons off is a warning", noAI: true, wantCode: 0, want: []string{
			"warn  Aircall transcripts: add-on not enabled (403): calls are logged without; set LOG_TRANSCRIPTS=false to stop asking",
			"warn  Aircall AI insights: add-on not enabled (403): calls are logged without; set LOG_AI_INSIGHTS=false to stop asking",
		}, notWant: []string{"is set but not read", "has no effect", "in quotes"}},
		{name: "AI add-ons off names the prefixed switches", noAI: true, wantCode: 1, // number 42 is not in Aircall
			vars: []string{
				"INSTANCES", "sales,support", "HELPSCOUT_MAILBOX_ID", "<unset>", "AIRCALL_NUMBERS", "<unset>",
				"SALES_HELPSCOUT_MAILBOX_ID", "501", "SALES_AIRCALL_NUMBERS", "1389850",
				"SUPPORT_HELPSCOUT_MAILBOX_ID", "501", "SUPPORT_AIRCALL_NUMBERS", "42", "SUPPORT_LOG_TRANSCRIPTS", "false",
			}, want: []string{
				"set SALES_LOG_TRANSCRIPTS=false to stop asking",
				"set SALES_LOG_AI_INSIGHTS=false / SUPPORT_LOG_AI_INSIGHTS=false to stop asking",
			}},
		{name: "unprefixed per-instance settings are not read with INSTANCES", wantCode: 0, vars: []string{
			"INSTANCES", "sales", "HELPSCOUT_MAILBOX_ID", "<unset>", "AIRCALL_NUMBERS", "<unset>",
			"SALES_HELPSCOUT_MAILBOX_ID", "501", "SALES_AIRCALL_NUMBERS", "1389850",
			"CONVERSATION_MODE", "existing", "DUPLICATES", "most_recent", "LOG_MESSAGES", "true",
		}, want: []string{
			"warn  CONVERSATION_MODE is set but not read: with INSTANCES set, per-instance variables take the instance prefix (e.g. SALES_CONVERSATION_MODE)",
		}, notWant: []string{"DUPLICATES is set", "LOG_MESSAGES is set"}},
		{name: "reopen closed in new mode", wantCode: 0, vars: []string{"REOPEN_CLOSED", "true"}, want: []string{
			"warn  instance default: REOPEN_CLOSED=true has no effect with CONVERSATION_MODE=new",
		}},
		{name: "reopen closed in existing mode", wantCode: 0, vars: []string{"REOPEN_CLOSED", "true", "CONVERSATION_MODE", "existing"},
			notWant: []string{"has no effect"}},
		{name: "quoted secret", wantCode: 1, vars: []string{"HELPSCOUT_APP_SECRET", `"quoted"`}, want: []string{
			"warn  HELPSCOUT_APP_SECRET is in quotes, which --env-file keeps as part of the value: remove them",
			"FAIL  Help Scout credentials: refused",
		}},
		{name: "bad Aircall token", vars: []string{"AIRCALL_API_TOKEN", "nope"}, wantCode: 1, want: []string{
			"FAIL  Aircall credentials: refused: check AIRCALL_API_ID and AIRCALL_API_TOKEN",
			"skip  numbers, AI add-ons and webhook: not checked",
			"ok    instance default: mailbox 501",
		}},
		{name: "bad Aircall token answered 401", vars: []string{"AIRCALL_API_TOKEN", "nope"}, badAuth: 401, wantCode: 1, want: []string{
			"FAIL  Aircall credentials: refused: check AIRCALL_API_ID and AIRCALL_API_TOKEN",
		}, notWant: []string{"(403)"}},
		{name: "bad Help Scout secret", vars: []string{"HELPSCOUT_APP_SECRET", "nope"}, wantCode: 1, want: []string{
			"FAIL  Help Scout credentials: refused",
			"skip  mailboxes: not checked",
		}},
		{name: "unknown mailbox", vars: []string{"HELPSCOUT_MAILBOX_ID", "999"}, wantCode: 1, want: []string{
			"FAIL  instance default: HELPSCOUT_MAILBOX_ID=999: no such mailbox",
		}},
		{name: "unknown number", vars: []string{"AIRCALL_NUMBERS", "42,+34 910 00 00 00"}, wantCode: 1, want: []string{
			"FAIL  number not found in Aircall: default: number ID 42",
		}},
		{name: "overlap only the API sees", wantCode: 1, vars: []string{
			"INSTANCES", "sales,support", "SALES_HELPSCOUT_MAILBOX_ID", "501", "SALES_AIRCALL_NUMBERS", "1389850",
			"SUPPORT_HELPSCOUT_MAILBOX_ID", "501", "SUPPORT_AIRCALL_NUMBERS", "+34 910 00 00 00",
		}, want: []string{
			"FAIL  Aircall number 1389850 is claimed by instances sales and support",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakes(t)
			f.AddCall(1, "+34 612 34 56 78", 3*time.Hour)
			if tt.noAI {
				f.AC.SetAILicensed(false)
			}
			if tt.badAuth != 0 {
				f.AC.SetBadCredentialsAnswer(tt.badAuth, false)
			}
			r := runCmd(context.Background(), with(f.vars, tt.vars...), "check")
			assertCheckRun(t, r, tt.wantCode, tt.want, tt.notWant)
		})
	}
}

// assertCheckRun checks a `check` run as printed: its exit code (and the
// failed-check error behind a non-zero one), the findings it must and must
// not print, and that no secret is in its output.
func assertCheckRun(t *testing.T, r result, wantCode int, want, notWant []string) {
	t.Helper()
	is := is.New(t)
	is.Equal(r.code, wantCode)
	if wantCode != 0 {
		is.True(errors.Is(r.err, errCheckFailed))
	}
	for _, w := range want {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("check output lacks %q:\n%s", w, r.stdout)
		}
	}
	for _, w := range notWant {
		if strings.Contains(r.stdout, w) {
			t.Errorf("check output has %q:\n%s", w, r.stdout)
		}
	}
	assertNoSecretsIn(t, r.stdout+r.stderr)
}
