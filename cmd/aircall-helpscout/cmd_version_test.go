package main

import (
	"context"
	"runtime"
	"strings"
	"testing"

	"github.com/matryer/is"
)

// TestVersion: `version` and `--version` print the same build information
// and need no configuration (the environment is empty).
func TestVersion(t *testing.T) {
	is := is.New(t)
	noEnv := func(string) string { return "" }
	var a, b, errb strings.Builder
	is.NoErr(run(context.Background(), []string{"version"}, noEnv, &a, &errb))
	is.NoErr(run(context.Background(), []string{"--version"}, noEnv, &b, &errb))
	is.Equal(a.String(), b.String())
	is.True(strings.HasPrefix(a.String(), "aircall-helpscout "))
	is.True(strings.Contains(a.String(), "go:       "+runtime.Version()))
	is.True(strings.Contains(a.String(), "platform: "+runtime.GOOS+"/"+runtime.GOARCH))
}

func TestVersionLinkTime(t *testing.T) {
	is := is.New(t)
	old := version
	t.Cleanup(func() { version = old })
	version = "v9.8.7"
	is.True(strings.HasPrefix(readBuildInfo().String(), "aircall-helpscout v9.8.7\n"))
}
