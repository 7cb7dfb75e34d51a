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
		wantCode int
		want     []string
	}{
		{name: "all good", wantCode: 0, want: []string{
			"ok    configuration: valid, 1 instance(s)",
			"ok    Aircall credentials: accepted",
			"ok    Help Scout credentials: accepted",
			"ok    instance default: mailbox 501 (Support) found",
			"ok    Aircall numbers: every configured number exists",
			"ok    Aircall transcripts: the add-on answers",
			"ok    Aircall AI insights: the add-on answers",
			"AIRCALL_API_TOKEN=<redacted>",
		}},
		{name: "AI add-ons off is a warning", noAI: true, wantCode: 0, want: []string{
			"warn  Aircall transcripts: add-on not enabled (403)",
			"warn  Aircall AI insights: add-on not enabled (403)",
		}},
		{name: "bad Aircall token", vars: []string{"AIRCALL_API_TOKEN", "nope"}, wantCode: 1, want: []string{
			"FAIL  Aircall credentials: refused (403)",
			"skip  numbers and AI add-ons: not checked",
			"ok    instance default: mailbox 501",
		}},
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
			is := is.New(t)
			f := newFakes(t)
			f.AddCall(1, "+34 612 34 56 78", 3*time.Hour)
			if tt.noAI {
				f.AC.SetAILicensed(false)
			}
			r := runCmd(context.Background(), with(f.vars, tt.vars...), "check")
			is.Equal(r.code, tt.wantCode)
			if tt.wantCode != 0 {
				is.True(errors.Is(r.err, errCheckFailed))
			}
			for _, w := range tt.want {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("check output lacks %q:\n%s", w, r.stdout)
				}
			}
			assertNoSecretsIn(t, r.stdout+r.stderr)
		})
	}
}
