package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"strings"
	"testing"
	"time"

	"github.com/matryer/is"
)

var fixedNow = time.Date(2025, 3, 10, 12, 30, 45, 0, time.UTC)

func TestParseRunFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		want    runOptions
		wantErr string
	}{
		{name: "no flags", args: nil, want: runOptions{}},
		{name: "instance and dry run", args: []string{"--instance", "partners", "--dry-run"}, want: runOptions{Instance: "partners", DryRun: true}},
		{name: "single dash and equals", args: []string{"-instance=partners"}, want: runOptions{Instance: "partners"}},
		{name: "since date until now", args: []string{"--since", "2025-03-01"},
			want: runOptions{Since: time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC), Until: fixedNow}},
		{name: "since and until dates", args: []string{"--since=2025-01-01", "--until=2025-02-01"},
			want: runOptions{Since: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), Until: time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC)}},
		{name: "rfc3339 with offset is normalised to UTC", args: []string{"--since", "2025-01-01T09:00:00+01:00", "--until", "2025-01-01T10:00:00Z"},
			want: runOptions{Since: time.Date(2025, 1, 1, 8, 0, 0, 0, time.UTC), Until: time.Date(2025, 1, 1, 10, 0, 0, 0, time.UTC)}},
		{name: "zero fraction is whole seconds", args: []string{"--since", "2025-01-01T08:00:00.000Z", "--until", "2025-01-01T09:00:00Z"},
			want: runOptions{Since: time.Date(2025, 1, 1, 8, 0, 0, 0, time.UTC), Until: time.Date(2025, 1, 1, 9, 0, 0, 0, time.UTC)}},
		// RFC 3339 allows a fraction of a second: kept exact (the pass
		// rounds it for calls, reconciler's TestCatchUpBoundsWithFractionsOfASecond).
		{name: "fractional since", args: []string{"--since", "2025-01-01T08:00:00.5Z"},
			want: runOptions{Since: time.Date(2025, 1, 1, 8, 0, 0, 5e8, time.UTC), Until: fixedNow}},
		{name: "fractional until with offset", args: []string{"--since", "2025-01-01", "--until", "2025-01-01T08:00:00.999+01:00"},
			want: runOptions{Since: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), Until: time.Date(2025, 1, 1, 7, 0, 0, 999e6, time.UTC)}},
		{name: "nanosecond since", args: []string{"--since", "2025-01-01T08:00:00.000000001Z"},
			want: runOptions{Since: time.Date(2025, 1, 1, 8, 0, 0, 1, time.UTC), Until: fixedNow}},
		{name: "help", args: []string{"--help"}, wantErr: flag.ErrHelp.Error()},
		{name: "short help", args: []string{"-h"}, wantErr: flag.ErrHelp.Error()},
		{name: "bad since", args: []string{"--since", "yesterday"}, wantErr: `--since "yesterday" is neither RFC 3339`},
		{name: "bad until", args: []string{"--since", "2025-01-01", "--until", "2025/02/01"}, wantErr: `--until "2025/02/01"`},
		{name: "until without since", args: []string{"--until", "2025-01-01"}, wantErr: "--until needs --since"},
		{name: "since equals until", args: []string{"--since", "2025-01-01", "--until", "2025-01-01"}, wantErr: "must be before --until"},
		{name: "since after until", args: []string{"--since", "2025-02-01", "--until", "2025-01-01"}, wantErr: "must be before --until"},
		{name: "since in the future", args: []string{"--since", "2099-01-01"}, wantErr: "--since 2099-01-01T00:00:00Z is in the future (now is 2025-03-10T12:30:45Z)"},
		{name: "since in the future with until", args: []string{"--since", "2099-01-01", "--until", "2099-02-01"}, wantErr: "is in the future"},
		{name: "unknown flag", args: []string{"--force"}, wantErr: "flag provided but not defined: -force"},
		{name: "missing value", args: []string{"--since"}, wantErr: "flag needs an argument"},
		{name: "positional", args: []string{"partners"}, wantErr: `unexpected argument "partners"`},
		{name: "empty instance", args: []string{"--instance", " "}, wantErr: "--instance needs a name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			got, err := parseRunFlags(tt.args, fixedNow)
			if tt.wantErr != "" {
				is.True(err != nil)
				is.True(strings.Contains(err.Error(), tt.wantErr)) // error names the problem
				return
			}
			is.NoErr(err)
			is.Equal(got, tt.want)
		})
	}
}

func TestParseStatusAndDemoFlags(t *testing.T) {
	is := is.New(t)
	s, err := parseStatusFlags([]string{"--instance", "support_es", "--json"})
	is.NoErr(err)
	is.Equal(s, statusOptions{Instance: "support_es", JSON: true})
	_, err = parseStatusFlags([]string{"--since", "2025-01-01"})
	is.True(err != nil)

	d, err := parseDemoFlags([]string{"--quiet"})
	is.NoErr(err)
	is.Equal(d, demoOptions{Quiet: true})
	_, err = parseDemoFlags([]string{"--json"})
	is.True(err != nil)
}

// TestRun drives the whole CLI the way main does and checks the exit code
// and where output goes.
func TestRun(t *testing.T) {
	valid := baseEnv()
	invalid := with(baseEnv(), "CONVERSATION_MODE", "old", "AIRCALL_API_ID", "<unset>")
	tests := []struct {
		name       string
		args       []string
		env        map[string]string
		wantCode   int
		wantStdout string
		wantErr    string
	}{
		{name: "no command", args: nil, wantCode: 2, wantErr: "no command given"},
		{name: "help", args: []string{"help"}, wantCode: 0, wantStdout: "Commands:"},
		{name: "--help", args: []string{"--help"}, wantCode: 0, wantStdout: "Commands:"},
		{name: "-h", args: []string{"-h"}, wantCode: 0, wantStdout: "Commands:"},
		{name: "help run", args: []string{"help", "run"}, wantCode: 0, wantStdout: "Usage: aircall-helpscout run"},
		{name: "help help", args: []string{"help", "help"}, wantCode: 0, wantStdout: "Commands:"},
		{name: "help --help", args: []string{"help", "--help"}, wantCode: 0, wantStdout: "Commands:"},
		{name: "help unknown", args: []string{"help", "nope"}, wantCode: 2, wantErr: `unknown command "nope"`},
		{name: "unknown command", args: []string{"sync"}, wantCode: 2, wantErr: `unknown command "sync"`},
		{name: "serve --help", args: []string{"serve", "--help"}, wantCode: 0, wantStdout: "Usage: aircall-helpscout serve"},
		{name: "run --help needs no config", args: []string{"run", "--help"}, env: map[string]string{}, wantCode: 0, wantStdout: "--dry-run"},
		{name: "check -h", args: []string{"check", "-h"}, wantCode: 0, wantStdout: "Usage: aircall-helpscout check"},
		{name: "status --help", args: []string{"status", "--help"}, wantCode: 0, wantStdout: "--json"},
		{name: "demo --help", args: []string{"demo", "--help"}, wantCode: 0, wantStdout: "--quiet"},
		{name: "serve takes no flags", args: []string{"serve", "--port", "1"}, env: valid, wantCode: 2, wantErr: "flag provided but not defined"},
		{name: "check takes no args", args: []string{"check", "now"}, env: valid, wantCode: 2, wantErr: "unexpected argument"},
		{name: "bad date", args: []string{"run", "--since", "01/02/2025"}, env: valid, wantCode: 2, wantErr: "--since"},
		{name: "until not a time", args: []string{"run", "--since", "2025-03-01", "--until", "2025-03-02 10:00"}, env: valid, wantCode: 2, wantErr: "--until"},

		{name: "serve bad config", args: []string{"serve"}, env: invalid, wantCode: 2, wantErr: `CONVERSATION_MODE: "old" is not one of new, existing`},
		{name: "run bad config", args: []string{"run"}, env: invalid, wantCode: 2, wantErr: "AIRCALL_API_ID: missing"},
		{name: "check bad config", args: []string{"check"}, env: invalid, wantCode: 2, wantErr: "invalid configuration"},
		{name: "status bad config", args: []string{"status"}, env: with(invalid, "RETENTION", "3 months", "INSTANCES", "a,,b"), wantCode: 2, wantErr: `RETENTION: "3 months" is neither`},
		{name: "status needs no secret", args: []string{"status"}, env: map[string]string{"DATABASE_PATH": "/nonexistent/x.db"}, wantCode: 1, wantErr: "no database at /nonexistent/x.db"},
		{name: "unknown instance", args: []string{"run", "--instance", "sales"}, env: valid, wantCode: 2, wantErr: `run: --instance "sales": no such instance (configured: default)`},
		{name: "unknown instance status", args: []string{"status", "--instance", "sales"}, env: twoInstances(), wantCode: 2, wantErr: `status: --instance "sales": no such instance (configured: partners, support_es)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			var stdout, stderr bytes.Buffer
			getenv := func(k string) string { return tt.env[k] }
			err := runAt(context.Background(), tt.args, &env{Getenv: getenv, Stdout: &stdout, Stderr: &stderr, Now: func() time.Time { return fixedNow }})
			is.Equal(exitCode(err), tt.wantCode)
			if tt.wantStdout != "" {
				is.True(strings.Contains(stdout.String(), tt.wantStdout)) // help goes to stdout
			}
			if tt.wantErr != "" {
				is.True(err != nil)
				if !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("error %q\ndoes not contain %q", err, tt.wantErr)
				}
				assertNoSecrets(t, err.Error())
			}
			assertNoSecrets(t, stdout.String())
			assertNoSecrets(t, stderr.String())
		})
	}
}

// TestRunPassesOptions checks that run hands the parsed options and the
// loaded configuration to the command.
func TestRunPassesOptions(t *testing.T) {
	is := is.New(t)
	var got runOptions
	var gotEnv *env
	saved := commands
	t.Cleanup(func() { commands = saved })
	commands = append([]command(nil), saved...)
	for i := range commands {
		if commands[i].name == "run" {
			commands[i].exec = func(_ context.Context, e *env, o any) error {
				got, gotEnv = o.(runOptions), e
				return nil
			}
		}
	}
	vars := twoInstances()
	err := runAt(context.Background(), []string{"run", "--instance", "support_es", "--since", "2025-03-01", "--dry-run"},
		&env{Getenv: func(k string) string { return vars[k] }, Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}, Now: func() time.Time { return fixedNow }})
	is.NoErr(err)
	is.Equal(got, runOptions{Instance: "support_es", Since: time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC), Until: fixedNow, DryRun: true})
	is.True(gotEnv.Config != nil)
	is.Equal(len(gotEnv.Config.Instances), 2)
	is.True(gotEnv.Log != nil)
}

func TestExitCode(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"nil", nil, 0},
		{"usage", usagef("bad"), 2},
		{"config", &configError{err: errors.New("X: missing")}, 2},
		{"wrapped config", errors.Join(errors.New("ctx"), &configError{err: errors.New("X")}), 2},
		{"other", errors.New("boom"), 1},
		{"canceled", context.Canceled, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			is.Equal(exitCode(tt.err), tt.want)
		})
	}
}

func TestConfigErrorFormat(t *testing.T) {
	is := is.New(t)
	inner := errors.Join(errors.New("A: one"), errors.New("B: two"))
	err := &configError{err: inner}
	is.Equal(err.Error(), "invalid configuration:\n  A: one\n  B: two")
	is.True(errors.Is(err, inner))
}

// TestTopHelpListsEveryCommand checks `help` as printed: one aligned line per
// command of the contract, and which commands need no API secret.
func TestTopHelpListsEveryCommand(t *testing.T) {
	is := is.New(t)
	r := runCmd(context.Background(), map[string]string{}, "help")
	is.NoErr(r.err)
	lines := strings.Split(r.stdout, "\n")
	summaryCol := -1
	for _, name := range []string{"serve", "run", "check", "status", "explain", "retry", "demo",
		"register-webhook", "healthcheck", "version", "help"} {
		var found []string
		for _, l := range lines {
			if strings.HasPrefix(l, "  "+name+" ") {
				found = append(found, l)
			}
		}
		is.Equal(len(found), 1) // one line per command
		// every summary starts in the same column, after two spaces at least
		rest := strings.TrimLeft(found[0][2+len(name):], " ")
		col := len(found[0]) - len(rest)
		is.True(col >= 2+len(name)+2)
		if summaryCol == -1 {
			summaryCol = col
		}
		is.Equal(col, summaryCol) // summaries aligned
	}
	for _, want := range []string{
		"Commands needing configuration (serve, run, check, register-webhook)",
		"status, explain, retry need no API secret: they read only DATABASE_PATH and INSTANCES",
		"healthcheck reads only LISTEN_ADDR",
		"Exit status: 0 ok, 1 failure, 2 usage or configuration error.",
	} {
		is.True(strings.Contains(r.stdout, want)) // top help says what each command needs
	}
	is.True(!strings.Contains(r.stdout, "Every command but demo validates"))
}
