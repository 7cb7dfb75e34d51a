package main

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/matryer/is"
)

// repoFile reads a file at the repository root (two levels up from the
// command's package, where go test runs).
func repoFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", name))
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	return string(b)
}

// dockerInstructions returns the Dockerfile's instructions with line
// continuations joined and comments dropped.
func dockerInstructions(src string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(src, "\n") {
		t := strings.TrimSpace(line)
		if cur.Len() == 0 && (t == "" || strings.HasPrefix(t, "#")) {
			continue
		}
		if c, ok := strings.CutSuffix(t, "\\"); ok {
			cur.WriteString(c + " ")
			continue
		}
		cur.WriteString(t)
		out = append(out, cur.String())
		cur.Reset()
	}
	return out
}

var digestRE = regexp.MustCompile(`@sha256:[0-9a-f]{64}(\s|$)`)

// TestDockerfileRules checks what a wrong Dockerfile would get wrong
// silently: a TARGETARCH default (an amd64 binary in an arm64 image), a
// floating base image, a health check needing a shell distroless lacks, a
// root user, the database outside the volume.
func TestDockerfileRules(t *testing.T) {
	is := is.New(t)
	ins := dockerInstructions(repoFile(t, "Dockerfile"))
	var froms []string
	var healthcheck, user, volume, dbEnv, build string
	for _, in := range ins {
		word, rest, _ := strings.Cut(in, " ")
		switch strings.ToUpper(word) {
		case "FROM":
			froms = append(froms, rest)
		case "ARG":
			name, _, hasDefault := strings.Cut(rest, "=")
			if name == "TARGETARCH" || name == "TARGETOS" || name == "TARGETPLATFORM" {
				is.True(!hasDefault) // BuildKit's platform args must not get a default: it overrides --platform
			}
		case "HEALTHCHECK":
			healthcheck = rest
		case "USER":
			user = rest
		case "VOLUME":
			volume = rest
		case "ENV":
			if strings.HasPrefix(rest, "DATABASE_PATH=") {
				dbEnv = rest
			}
		case "RUN":
			if strings.Contains(rest, "go build") {
				build = rest
			}
		}
	}
	is.Equal(len(froms), 2) // a build stage and a runtime stage
	for _, f := range froms {
		is.True(digestRE.MatchString(f)) // every base image pinned by digest
	}
	is.True(strings.HasPrefix(froms[0], "--platform=$BUILDPLATFORM ")) // compile on the builder's platform...
	is.True(strings.Contains(build, "GOARCH=$TARGETARCH"))             // ...for the target's
	is.True(strings.Contains(build, "GOOS=$TARGETOS"))
	is.True(strings.Contains(build, "CGO_ENABLED=0")) // static: distroless/static has no libc
	is.True(strings.Contains(froms[1], "distroless/static"))
	is.True(strings.Contains(froms[1], ":nonroot@"))
	is.True(user == "65532:65532" || user == "nonroot") // not root
	is.Equal(volume, "/data")
	is.True(strings.HasPrefix(dbEnv, "DATABASE_PATH=/data/")) // the ledger lives in the volume
	// Exec form (distroless has no shell), through our own command.
	is.True(strings.Contains(healthcheck, `CMD ["/usr/local/bin/aircall-helpscout", "healthcheck"]`))
	_, ok := findCommand("healthcheck")
	is.True(ok) // the command the HEALTHCHECK runs exists
}

// TestComposeFile checks the one-container deployment's essentials; .ci/run
// also validates the file with docker-compose config.
func TestComposeFile(t *testing.T) {
	is := is.New(t)
	src := repoFile(t, "docker-compose.yml")
	for _, want := range []string{
		"env_file: config.env",
		"- data:/data",
		`test: ["CMD", "/usr/local/bin/aircall-helpscout", "healthcheck"]`,
		"stop_grace_period:",
		"restart: unless-stopped",
	} {
		if !strings.Contains(src, want) {
			t.Errorf("docker-compose.yml lacks %q", want)
		}
	}
	for _, line := range strings.Split(src, "\n") {
		if t := strings.TrimSpace(line); !strings.HasPrefix(t, "#") {
			is.True(!strings.Contains(t, "DATABASE_PATH")) // the image's /data path must not be overridden
		}
	}
}

func TestHealthzURL(t *testing.T) {
	tests := []struct{ addr, want, wantErr string }{
		{addr: ":8080", want: "http://127.0.0.1:8080/healthz"},
		{addr: "0.0.0.0:9000", want: "http://127.0.0.1:9000/healthz"},
		{addr: "[::]:9000", want: "http://127.0.0.1:9000/healthz"},
		{addr: "localhost:8081", want: "http://localhost:8081/healthz"},
		{addr: "[::1]:8081", want: "http://[::1]:8081/healthz"},
		{addr: "8080", wantErr: "not a host:port"},
		{addr: ":0", wantErr: "port 0"},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			is := is.New(t)
			got, err := healthzURL(tt.addr)
			if tt.wantErr != "" {
				is.True(err != nil && strings.Contains(err.Error(), tt.wantErr))
				return
			}
			is.NoErr(err)
			is.Equal(got, tt.want)
		})
	}
}

// TestHealthcheckCommand runs the command against a stand-in /healthz: 200
// is exit 0, 503 and nobody listening are exit 1. No other variable is set:
// the command must not need the configuration.
func TestHealthcheckCommand(t *testing.T) {
	status := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" {
			http.NotFound(w, r)
			return
		}
		w.WriteHeader(status)
	}))
	defer srv.Close()
	addr := srv.Listener.Addr().String()
	// A port nobody listens on: bind one and close it.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()

	tests := []struct {
		name   string
		addr   string
		status int
		exit   int
	}{
		{"healthy", addr, http.StatusOK, 0},
		{"unhealthy", addr, http.StatusServiceUnavailable, 1},
		{"not listening", closed, http.StatusOK, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			status = tt.status
			env := map[string]string{"LISTEN_ADDR": tt.addr}
			var out, errb strings.Builder
			err := run(context.Background(), []string{"healthcheck"}, func(k string) string { return env[k] }, &out, &errb)
			is.Equal(exitCode(err), tt.exit)
		})
	}
}

// TestReadmeTestCommandIsCIs: the test command README gives a newcomer is
// the one CI runs, character for character.
func TestReadmeTestCommandIsCIs(t *testing.T) {
	is := is.New(t)
	ci := repoFile(t, ".ci/run")
	_, rest, ok := strings.Cut(ci, "test_command='")
	is.True(ok) // .ci/run names its test command
	cmd, _, ok := strings.Cut(rest, "'")
	is.True(ok)
	is.True(strings.Contains(repoFile(t, "README.md"), "```sh\n"+cmd+"\n```")) // README shows CI's command as a block of its own
}
