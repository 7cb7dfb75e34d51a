package main

// The contract tests pin what an operator (and any script or acceptance run)
// relies on, written out literally so that renaming a constant or a table
// entry cannot move it silently: every environment variable's name, scope
// and default; every command and flag; the exit codes (0 ok, 1 failure, 2
// usage or configuration); and the HTTP paths serve answers. They do not
// repeat what other tests already pin; those are named where they apply.

import (
	"bytes"
	"context"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/matryer/is"
	"github.com/sethvargo/go-envconfig"
)

// contractVar is one variable of the configuration contract.
type contractVar struct {
	name     string
	instance bool   // per instance: read with the instance's prefix when INSTANCES is set
	def      string // the documented default; "" = none (required or unset)
	required bool
	other    string // a valid non-default value, to show the name is read; "" = not tried here
}

// contractVars is the configuration contract, as documented in README.md.
var contractVars = []contractVar{
	{name: "AIRCALL_API_ID", required: true, other: "zzzz-other-id"},
	{name: "AIRCALL_API_TOKEN", required: true, other: "other-token"},
	{name: "AIRCALL_API_URL", def: "https://api.aircall.io", other: "http://127.0.0.1:9"},
	// Required because LOG_MESSAGES defaults to true; not required without
	// it: TestLoadConfigWebhookTokenOnlyWhenLoggingMessages.
	{name: "AIRCALL_WEBHOOK_TOKEN", required: true, other: "other-hook-token"},
	{name: "AIRCALL_REQUESTS_PER_MINUTE", def: "50", other: "10"},
	{name: "HELPSCOUT_APP_ID", required: true, other: "zzzz-other-app"},
	{name: "HELPSCOUT_APP_SECRET", required: true, other: "other-secret"},
	{name: "HELPSCOUT_API_URL", def: "https://api.helpscout.net", other: "http://127.0.0.1:9"},
	{name: "HELPSCOUT_REQUESTS_PER_MINUTE", def: "200", other: "20"},
	{name: "DATABASE_PATH", def: "./data/aircall-helpscout.db", other: "/tmp/other.db"},
	{name: "SCHEDULE", def: "@every 5m", other: "@every 10m"},
	{name: "LISTEN_ADDR", def: ":8080", other: "127.0.0.1:9090"},
	{name: "LOOKBACK", def: "2h", other: "3h"},
	{name: "ENRICHMENT_WAIT", def: "15m", other: "30m"},
	{name: "ENRICHMENT_MAX_AGE", def: "24h", other: "48h"},
	{name: "INSTANCES"}, // unset = one instance "default", read without prefix: TestContractInstancePrefixes
	{name: "LOG_LEVEL", def: "info", other: "debug"},
	{name: "LOG_FORMAT", def: "json", other: "text"},
	{name: "PUBLIC_URL", other: "https://calls.example.com"},
	{name: "STATUS_PASSWORD", other: "pw"},
	{name: "HELPSCOUT_SIDEBAR_SECRET", other: "sb"},
	{name: "RETENTION", def: "90d", other: "30d"},

	{name: "HELPSCOUT_MAILBOX_ID", instance: true, required: true, other: "777"},
	{name: "AIRCALL_NUMBERS", instance: true, required: true, other: "333"},
	{name: "CONVERSATION_MODE", instance: true, def: "new", other: "existing"},
	{name: "REOPEN_CLOSED", instance: true, def: "false", other: "true"},
	{name: "REASSIGN", instance: true, def: "false", other: "true"},
	{name: "LOG_TRANSCRIPTS", instance: true, def: "true", other: "false"},
	{name: "LOG_AI_INSIGHTS", instance: true, def: "true", other: "false"},
	{name: "LOG_MESSAGES", instance: true, def: "true", other: "false"},
	{name: "DUPLICATES", instance: true, def: "most_recent", other: "skip"},
	{name: "SYNC_CONTACTS", instance: true, def: "true", other: "false"},
	{name: "DEFAULT_REGION", instance: true, other: "FR"}, // unset: the country of the Aircall line
	{name: "INSIGHT_CARDS", instance: true, def: "true", other: "false"},
}

// contractRequired is the smallest valid environment: the required
// variables of one instance, "default", without prefix.
func contractRequired() map[string]string {
	return map[string]string{
		"AIRCALL_API_ID": "aircall-id-0001", "AIRCALL_API_TOKEN": "tok", "AIRCALL_WEBHOOK_TOKEN": "hook",
		"HELPSCOUT_APP_ID": "helpscout-id-0002", "HELPSCOUT_APP_SECRET": "secret",
		"HELPSCOUT_MAILBOX_ID": "1234", "AIRCALL_NUMBERS": "111",
	}
}

// parsedValue is a variable's parsed value for instance i of cfg, as check prints
// it in the effective configuration (before masking secrets).
func parsedValue(t *testing.T, cfg *Config, name string, i int) string {
	t.Helper()
	v, ok := lookupVar(name)
	if !ok {
		t.Fatalf("%s is not read by the configuration loader", name)
	}
	return v.show(cfg, &cfg.Instances[i])
}

func loadContract(m map[string]string) (*Config, error) {
	return LoadConfig(context.Background(), envconfig.MapLookuper(m))
}

// TestContractVariables: every variable of the contract, and no other, is
// read under its exact name; its default is the documented one (the value
// loaded from an environment holding only the required variables equals the
// value loaded with the documented default written out); a required one
// missing is an error naming it. Typed defaults: TestLoadConfigDefaults;
// the README tables and config.example.env: TestConfigDocs.
func TestContractVariables(t *testing.T) {
	var names []string
	for _, v := range variables {
		names = append(names, v.name)
	}
	var want []string
	for _, cv := range contractVars {
		want = append(want, cv.name)
	}
	slices.Sort(names) // the order is the README's, not part of the contract
	slices.Sort(want)
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Errorf("variables read:\n  %s\nthe contract:\n  %s", strings.Join(names, " "), strings.Join(want, " "))
	}

	base, err := loadContract(contractRequired())
	if err != nil {
		t.Fatal(err)
	}
	for _, cv := range contractVars {
		t.Run(cv.name, func(t *testing.T) {
			is := is.New(t)
			v, ok := lookupVar(cv.name)
			is.True(ok)                                     // read under its contract name
			is.Equal(v.scope == scopeInstance, cv.instance) // global or per instance
			if cv.required {
				m := contractRequired()
				delete(m, cv.name)
				_, err := loadContract(m)
				is.True(err != nil)
				is.True(strings.Contains(err.Error(), cv.name+": missing")) // names the missing variable
			}
			got := parsedValue(t, base, cv.name, 0)
			switch {
			case cv.def != "":
				written, err := loadContract(with(contractRequired(), cv.name, cv.def))
				is.NoErr(err)
				is.Equal(got, parsedValue(t, written, cv.name, 0)) // default as documented
			case !cv.required:
				is.Equal(got, "") // unset by default
			}
			if cv.other != "" {
				changed, err := loadContract(with(contractRequired(), cv.name, cv.other))
				is.NoErr(err)
				is.True(parsedValue(t, changed, cv.name, 0) != got) // the variable is read
			}
		})
	}
}

// TestContractInstancePrefixes: with INSTANCES=partners,support_es every
// per-instance variable is read as PARTNERS_<NAME> and SUPPORT_ES_<NAME>,
// the unprefixed name is then ignored, and a missing required one is named
// with its prefix. Name rules (case, duplicates): TestLoadConfigInstances,
// TestLoadConfigInstanceNamesAreLowerCase.
func TestContractInstancePrefixes(t *testing.T) {
	two := func() map[string]string {
		m := contractRequired()
		delete(m, "HELPSCOUT_MAILBOX_ID")
		delete(m, "AIRCALL_NUMBERS")
		for k, v := range map[string]string{"INSTANCES": "partners,support_es",
			"PARTNERS_HELPSCOUT_MAILBOX_ID": "10", "PARTNERS_AIRCALL_NUMBERS": "111",
			"SUPPORT_ES_HELPSCOUT_MAILBOX_ID": "20", "SUPPORT_ES_AIRCALL_NUMBERS": "222"} {
			m[k] = v
		}
		return m
	}
	base, err := loadContract(two())
	if err != nil {
		t.Fatal(err)
	}
	if got := base.InstanceNames(); strings.Join(got, ",") != "partners,support_es" {
		t.Fatalf("instances %v", got)
	}
	for _, cv := range contractVars {
		if !cv.instance {
			continue
		}
		t.Run(cv.name, func(t *testing.T) {
			is := is.New(t)
			if cv.required {
				m := two()
				delete(m, "SUPPORT_ES_"+cv.name)
				_, err := loadContract(m)
				is.True(err != nil)
				is.True(strings.Contains(err.Error(), "SUPPORT_ES_"+cv.name+": missing")) // named with its prefix
			}
			changed, err := loadContract(with(two(), "SUPPORT_ES_"+cv.name, cv.other))
			is.NoErr(err)
			is.True(parsedValue(t, changed, cv.name, 1) != parsedValue(t, base, cv.name, 1)) // SUPPORT_ES_<NAME> is support_es's
			is.Equal(parsedValue(t, changed, cv.name, 0), parsedValue(t, base, cv.name, 0))  // and not partners'
			ignored, err := loadContract(with(two(), cv.name, cv.other))
			is.NoErr(err)
			for i := range 2 {
				is.Equal(parsedValue(t, ignored, cv.name, i), parsedValue(t, base, cv.name, i)) // the unprefixed name is not read
			}
		})
	}
}

// TestContractCommandLine: every command and flag form of the contract
// parses, and each command's --help exits 0 (with no configuration at all)
// printing its usage. The meaning of --since/--until (dates at 00:00 UTC,
// --until defaulting to now, RFC 3339 offsets): TestParseRunFlags; help
// listing every command: TestTopHelpListsEveryCommand.
func TestContractCommandLine(t *testing.T) {
	parses := [][]string{
		{"serve"},
		{"run"},
		{"run", "--instance", "default"},
		{"run", "--since", "2025-01-31"},
		{"run", "--since", "2025-01-31T08:00:00Z"},
		{"run", "--since", "2025-01-31T08:00:00.5+01:00"},
		{"run", "--since", "2025-01-01", "--until", "2025-01-31"},
		{"run", "--dry-run"},
		{"run", "--instance", "default", "--since", "2025-01-01", "--until", "2025-01-31T08:00:00Z", "--dry-run"},
		{"check"},
		{"status"},
		{"demo"},
		{"explain", "123"},
		{"explain", "123", "--instance", "default", "--json"},
		{"explain", "--instance", "default", "--json", "123"},
		{"retry", "--parked"},
		{"retry", "--instance", "default", "--parked"},
		{"retry", "1"},
		{"retry", "--instance", "default", "1", "2", "3"},
		{"register-webhook"},
		{"healthcheck"},
		{"version"},
	}
	for _, args := range parses {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			is := is.New(t)
			cmd, ok := findCommand(args[0])
			is.True(ok) // a command of the contract
			_, err := cmd.parse(args[1:], fixedNow)
			is.NoErr(err)
		})
	}

	usage := map[string]string{ // the synopsis each --help starts with
		"serve":            "Usage: aircall-helpscout serve\n",
		"run":              "Usage: aircall-helpscout run [--instance N] [--since T] [--until T] [--dry-run]\n",
		"check":            "Usage: aircall-helpscout check\n",
		"status":           "Usage: aircall-helpscout status",
		"demo":             "Usage: aircall-helpscout demo",
		"explain":          "Usage: aircall-helpscout explain <id> [--instance N] [--json]\n",
		"retry":            "Usage: aircall-helpscout retry [--instance N] (--parked | <id>...)\n",
		"register-webhook": "Usage: aircall-helpscout register-webhook\n",
		"healthcheck":      "Usage: aircall-helpscout healthcheck\n",
		"version":          "Usage: aircall-helpscout version",
	}
	for name, want := range usage {
		t.Run(name+" --help", func(t *testing.T) {
			is := is.New(t)
			r := runCmd(context.Background(), map[string]string{}, name, "--help")
			is.Equal(r.code, 0)
			is.True(strings.HasPrefix(r.stdout, want)) // usage as documented
		})
	}

	t.Run("--version", func(t *testing.T) {
		is := is.New(t)
		for _, args := range [][]string{{"version"}, {"--version"}} {
			r := runCmd(context.Background(), map[string]string{}, args...)
			is.Equal(r.code, 0)
			is.True(strings.HasPrefix(r.stdout, "aircall-helpscout ")) // version and build information
			is.True(strings.Contains(r.stdout, "go:"))
		}
	})
}

// TestContractExitCodes: 2 for a usage or configuration error, before any
// request to either API; the database-only commands need no API variable
// at all, even wrong ones. Pinned elsewhere: explain of an unknown ID exits
// 1 (TestExplainRetryErrors), healthcheck without a serve answering 200
// exits 1 (TestHealthcheckCommand), run exits 0 with failed items and 1 on
// refused credentials (TestRunExitCodeSaysWhetherThePassCompleted,
// TestRunExitCodes), check exits 1 on a failed finding (TestCheckFindings),
// serve exits 0 on SIGTERM (TestServeSurvivesSIGTERMMidPassWithoutLossOrDoubles).
func TestContractExitCodes(t *testing.T) {
	t.Run("usage", func(t *testing.T) {
		tests := [][]string{
			nil, {"sync"}, {"--nope"},
			{"serve", "--no-such-flag"}, {"run", "--no-such-flag"}, {"check", "--no-such-flag"},
			{"status", "--no-such-flag"}, {"demo", "--no-such-flag"}, {"explain", "1", "--no-such-flag"},
			{"retry", "--parked", "--no-such-flag"}, {"register-webhook", "--no-such-flag"},
			{"healthcheck", "--no-such-flag"}, {"version", "--no-such-flag"},
			{"run", "--since", "yesterday"}, {"explain"}, {"retry"},
		}
		for _, args := range tests {
			t.Run(strings.Join(args, " "), func(t *testing.T) {
				is := is.New(t)
				var out, errb bytes.Buffer
				err := runAt(context.Background(), args, &env{Getenv: func(string) string { return "" }, Stdout: &out, Stderr: &errb, Now: func() time.Time { return fixedNow }})
				is.Equal(exitCode(err), 2)
			})
		}
	})

	t.Run("bad config before any request", func(t *testing.T) {
		f := newFakes(t)
		bad := with(f.vars, "LOOKBACK", "soon", "PUBLIC_URL", "https://calls.example.com", "LISTEN_ADDR", "127.0.0.1:0")
		for _, args := range [][]string{{"serve"}, {"run"}, {"run", "--dry-run"}, {"run", "--since", "2025-01-01"}, {"check"}, {"register-webhook"}} {
			t.Run(strings.Join(args, " "), func(t *testing.T) {
				is := is.New(t)
				f.AC.ResetRequests()
				f.HS.ResetRequests()
				r := runCmd(context.Background(), bad, args...)
				is.Equal(r.code, 2)
				is.True(strings.Contains(r.err.Error(), "LOOKBACK")) // names the variable
				is.Equal(len(f.AC.Requests()), 0)                    // no request to Aircall
				is.Equal(len(f.HS.Requests()), 0)                    // nor to Help Scout
			})
		}
	})

	t.Run("database-only commands ignore the API variables", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "db.db")
		openTestStore(t, path).Close()
		junk := map[string]string{"DATABASE_PATH": path, "LOOKBACK": "soon", "CONVERSATION_MODE": "old",
			"AIRCALL_API_URL": "not a url", "HELPSCOUT_MAILBOX_ID": "x"}
		tests := []struct {
			args []string
			code int
		}{
			{[]string{"status"}, 0},
			{[]string{"explain", "4242"}, 1}, // unknown ID
			{[]string{"retry", "--parked"}, 0},
			{[]string{"retry", "4242"}, 1}, // unknown ID
		}
		for _, tt := range tests {
			t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
				is := is.New(t)
				r := runCmd(context.Background(), junk, tt.args...)
				is.Equal(r.code, tt.code)
			})
		}
	})
}

// TestContractHTTPPaths: serve's answers at the contract's paths. The
// webhook receiver answers 200 to every delivery it stores or refuses on
// purpose (Aircall disables a webhook that fails), 405 to anything but a
// POST. Pinned elsewhere: /status 404 when STATUS_PASSWORD is unset and 401
// with a WWW-Authenticate challenge on a wrong password, /helpscout/sidebar
// 404 unset and 401 on a bad signature (TestServeMountsStatusAndSidebar);
// /metrics' series and /healthz 503 before a pass
// (TestServeSurvivesSIGTERMMidPassWithoutLossOrDoubles); a store failure
// answering 500 (web's TestReceiverStoreFailureIs500).
func TestContractHTTPPaths(t *testing.T) {
	f := newFakes(t)
	base, stop := startServe(t, with(f.vars, "LISTEN_ADDR", "127.0.0.1:0"))
	defer stop()
	waitFor(t, "the start-up pass", func() bool { c, _ := get(t, base+"/healthz"); return c == http.StatusOK })

	tests := []struct {
		name, method, path, body string
		want                     int
		header, value            string
	}{
		{"healthz", "GET", "/healthz", "", 200, "Content-Type", "application/json"},
		{"metrics", "GET", "/metrics", "", 200, "", ""},
		{"webhook stored", "POST", "/webhooks/aircall",
			`{"event":"message.received","resource":"message","timestamp":1,"token":"` + testWebhookToken + `","data":{"id":"m-c1","direction":"inbound","raw_digits":"+34 612 34 56 78","body":"Hola","created_at":1,"number":{"id":1}}}`,
			200, "", ""},
		{"webhook wrong token", "POST", "/webhooks/aircall", `{"event":"message.received","token":"wrong","data":{"id":"m-c2"}}`, 200, "", ""},
		{"webhook no token", "POST", "/webhooks/aircall", `{"event":"message.received","data":{"id":"m-c3"}}`, 200, "", ""},
		{"webhook malformed", "POST", "/webhooks/aircall", `not json`, 200, "", ""},
		{"webhook unknown event", "POST", "/webhooks/aircall", `{"event":"nope.happened","token":"` + testWebhookToken + `","data":{}}`, 200, "", ""},
		{"webhook GET", "GET", "/webhooks/aircall", "", 405, "Allow", "POST"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			req, err := http.NewRequest(tt.method, base+tt.path, strings.NewReader(tt.body))
			is.NoErr(err)
			resp, err := http.DefaultClient.Do(req)
			is.NoErr(err)
			resp.Body.Close()
			is.Equal(resp.StatusCode, tt.want)
			if tt.header != "" {
				is.Equal(resp.Header.Get(tt.header), tt.value)
			}
		})
	}
}
