package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/matryer/is"
)

// TestUsageErrorsPointToCommandHelp: a mistake on a command's line points
// at that command's help, not the top help.
func TestUsageErrorsPointToCommandHelp(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"run", "--force"}, "(run 'aircall-helpscout help run' for usage)"},
		{[]string{"run", "--since", "2099-01-01"}, "is in the future"},
		{[]string{"status", "extra"}, "(run 'aircall-helpscout help status' for usage)"},
		{[]string{"demo", "--loud"}, "(run 'aircall-helpscout help demo' for usage)"},
		{[]string{"frobnicate"}, "(run 'aircall-helpscout help' for usage)"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			is := is.New(t)
			r := runCmd(context.Background(), baseEnv(), tt.args...)
			is.Equal(r.code, 2)
			is.True(strings.Contains(r.err.Error(), tt.want))
		})
	}
}

// TestRunRefusedAircallKeyNamesTheVariables: a refused Aircall key says
// which variables to fix, as a refused Help Scout one does.
func TestRunRefusedAircallKeyNamesTheVariables(t *testing.T) {
	is := is.New(t)
	f := newFakes(t)
	f.AddCall(1, "+34 612 34 56 78", 30*time.Minute)
	r := runCmd(context.Background(), with(f.vars, "AIRCALL_API_TOKEN", secretToken), "run")
	is.Equal(r.code, 1)
	is.True(strings.Contains(r.err.Error(), "check AIRCALL_API_ID and AIRCALL_API_TOKEN"))
	assertNoSecrets(t, r.err.Error()+r.stdout+r.stderr)
}
