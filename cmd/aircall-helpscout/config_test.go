package main

import (
	"context"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/aircall-helpscout/aircall-helpscout/rules"
	"github.com/matryer/is"
	"github.com/sethvargo/go-envconfig"
)

// Secret values that must never appear in errors or output.
const (
	secretToken   = "tok-SECRET-aircall-123"
	secretApp     = "app-SECRET-helpscout-456"
	secretWebhook = "whk-SECRET-789"
)

// baseEnv is the smallest valid configuration: one default instance.
func baseEnv() map[string]string {
	return map[string]string{
		"AIRCALL_API_ID":        "aircall-id-0001",
		"AIRCALL_API_TOKEN":     secretToken,
		"AIRCALL_WEBHOOK_TOKEN": secretWebhook,
		"HELPSCOUT_APP_ID":      "helpscout-id-0002",
		"HELPSCOUT_APP_SECRET":  secretApp,
		"HELPSCOUT_MAILBOX_ID":  "1234",
		"AIRCALL_NUMBERS":       "123,+1 617-610-5413",
	}
}

// twoInstances is a valid configuration with two prefixed instances.
func twoInstances() map[string]string {
	m := baseEnv()
	delete(m, "HELPSCOUT_MAILBOX_ID")
	delete(m, "AIRCALL_NUMBERS")
	maps.Copy(m, map[string]string{
		"INSTANCES":                       "partners, support_es",
		"PARTNERS_HELPSCOUT_MAILBOX_ID":   "10",
		"PARTNERS_AIRCALL_NUMBERS":        "111",
		"SUPPORT_ES_HELPSCOUT_MAILBOX_ID": "20",
		"SUPPORT_ES_AIRCALL_NUMBERS":      "612 34 56 78",
		"SUPPORT_ES_DEFAULT_REGION":       "es",
		"SUPPORT_ES_CONVERSATION_MODE":    "existing",
	})
	return m
}

func with(m map[string]string, kv ...string) map[string]string {
	out := maps.Clone(m)
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "<unset>" {
			delete(out, kv[i])
			continue
		}
		out[kv[i]] = kv[i+1]
	}
	return out
}

func load(t *testing.T, m map[string]string) (*Config, error) {
	t.Helper()
	return LoadConfig(context.Background(), envconfig.MapLookuper(m))
}

func TestLoadConfigDefaults(t *testing.T) {
	is := is.New(t)
	cfg, err := load(t, baseEnv())
	is.NoErr(err)
	is.Equal(cfg.AircallAPIURL, "https://api.aircall.io")
	is.Equal(cfg.HelpScoutAPIURL, "https://api.helpscout.net")
	is.Equal(cfg.AircallRequestsPerMinute, 50)
	is.Equal(cfg.HelpScoutRequestsPerMinute, 200)
	is.Equal(cfg.DatabasePath, "./data/aircall-helpscout.db")
	is.Equal(cfg.Schedule, "@every 5m")
	is.Equal(cfg.ListenAddr, ":8080")
	is.Equal(cfg.Lookback, 2*time.Hour)
	is.Equal(cfg.EnrichmentWait, 15*time.Minute)
	is.Equal(cfg.EnrichmentMaxAge, 24*time.Hour)
	is.Equal(cfg.LogLevel, "info")
	is.Equal(cfg.LogFormat, "json")
	is.Equal(cfg.AircallAPIToken, secretToken)
	is.Equal(cfg.HelpScoutAppSecret, secretApp)

	is.Equal(len(cfg.Instances), 1)
	in := cfg.Instances[0]
	is.Equal(in.Name, "default")
	is.Equal(in.Prefix, "")
	is.Equal(in.MailboxID, int64(1234))
	is.Equal(in.Numbers, []NumberRef{{Raw: "123", ID: 123}, {Raw: "+1 617-610-5413", E164: "+16176105413"}})
	is.True(!in.AllNumbers)
	is.Equal(in.ConversationMode, rules.ModeNew)
	is.Equal(in.ReopenClosed, false)
	is.Equal(in.Reassign, false)
	is.Equal(in.LogTranscripts, true)
	is.Equal(in.LogAIInsights, true)
	is.Equal(in.LogMessages, true)
	is.Equal(in.Duplicates, rules.DuplicatesMostRecent)
	is.Equal(in.SyncContacts, true)
	is.Equal(in.DefaultRegion, "")
}

func TestLoadConfigOverrides(t *testing.T) {
	is := is.New(t)
	cfg, err := load(t, with(baseEnv(),
		"AIRCALL_API_URL", "http://127.0.0.1:9000/",
		"HELPSCOUT_API_URL", "http://127.0.0.1:9001",
		"AIRCALL_REQUESTS_PER_MINUTE", "10",
		"HELPSCOUT_REQUESTS_PER_MINUTE", "400",
		"DATABASE_PATH", "/data/x.db",
		"SCHEDULE", "*/10 * * * *",
		"LISTEN_ADDR", "127.0.0.1:0",
		"LOOKBACK", "30m",
		"ENRICHMENT_WAIT", "0s",
		"ENRICHMENT_MAX_AGE", "1h",
		"LOG_LEVEL", "DEBUG",
		"LOG_FORMAT", "text",
		"CONVERSATION_MODE", "Existing",
		"REOPEN_CLOSED", "yes",
		"REASSIGN", "1",
		"LOG_TRANSCRIPTS", "false",
		"LOG_AI_INSIGHTS", "no",
		"LOG_MESSAGES", "0",
		"DUPLICATES", "skip",
		"SYNC_CONTACTS", "FALSE",
		"DEFAULT_REGION", "fr",
		"AIRCALL_NUMBERS", " 01 23 45 67 89 , 42 ,42",
		"LOOKBACK_UNUSED", "ignored",
	))
	is.NoErr(err)
	is.Equal(cfg.AircallAPIURL, "http://127.0.0.1:9000") // trailing slash dropped
	is.Equal(cfg.HelpScoutAPIURL, "http://127.0.0.1:9001")
	is.Equal(cfg.AircallRequestsPerMinute, 10)
	is.Equal(cfg.HelpScoutRequestsPerMinute, 400)
	is.Equal(cfg.DatabasePath, "/data/x.db")
	is.Equal(cfg.Schedule, "*/10 * * * *")
	is.Equal(cfg.ListenAddr, "127.0.0.1:0")
	is.Equal(cfg.Lookback, 30*time.Minute)
	is.Equal(cfg.EnrichmentWait, time.Duration(0))
	is.Equal(cfg.EnrichmentMaxAge, time.Hour)
	is.Equal(cfg.LogLevel, "debug")
	is.Equal(cfg.LogFormat, "text")
	in := cfg.Instances[0]
	is.Equal(in.ConversationMode, rules.ModeExisting)
	is.True(in.ReopenClosed)
	is.True(in.Reassign)
	is.True(!in.LogTranscripts)
	is.True(!in.LogAIInsights)
	is.True(!in.LogMessages)
	is.Equal(in.Duplicates, rules.DuplicatesSkip)
	is.True(!in.SyncContacts)
	is.Equal(in.DefaultRegion, "FR")
	is.Equal(in.Numbers, []NumberRef{{Raw: "01 23 45 67 89", E164: "+33123456789"}, {Raw: "42", ID: 42}})
}

// TestLoadConfigAcceptsValidScheduleAndListenAddr is the other side of the
// SCHEDULE and LISTEN_ADDR checks in TestLoadConfigErrors.
func TestLoadConfigAcceptsValidScheduleAndListenAddr(t *testing.T) {
	tests := []struct{ schedule, listen string }{
		{"@every 5m", ":8080"},
		{"@every 1s", ":0"},
		{"CRON_TZ=Europe/Madrid @every 90s", "127.0.0.1:65535"},
		{"TZ=UTC */5 * * * *", "[::1]:1"},
		{"@hourly", "localhost:8080"},
	}
	for _, tt := range tests {
		t.Run(tt.schedule+" "+tt.listen, func(t *testing.T) {
			is := is.New(t)
			cfg, err := load(t, with(baseEnv(), "SCHEDULE", tt.schedule, "LISTEN_ADDR", tt.listen))
			is.NoErr(err)
			is.Equal(cfg.Schedule, tt.schedule)
			is.Equal(cfg.ListenAddr, tt.listen)
		})
	}
}

func TestLoadConfigBlankMeansDefault(t *testing.T) {
	is := is.New(t)
	cfg, err := load(t, with(baseEnv(), "LOOKBACK", "", "SCHEDULE", "  ", "INSTANCES", " ", "CONVERSATION_MODE", ""))
	is.NoErr(err)
	is.Equal(cfg.Lookback, 2*time.Hour)
	is.Equal(cfg.Schedule, "@every 5m")
	is.Equal(cfg.Instances[0].Name, "default")
	is.Equal(cfg.Instances[0].ConversationMode, rules.ModeNew)
}

func TestLoadConfigInstances(t *testing.T) {
	is := is.New(t)
	cfg, err := load(t, with(twoInstances(),
		// Unprefixed per-instance variables are ignored once INSTANCES is set.
		"CONVERSATION_MODE", "bogus",
		"PARTNERS_LOG_MESSAGES", "false",
	))
	is.NoErr(err)
	is.Equal(cfg.InstanceNames(), []string{"partners", "support_es"})
	p, s := cfg.Instances[0], cfg.Instances[1]
	is.Equal(p.Prefix, "PARTNERS_")
	is.Equal(p.MailboxID, int64(10))
	is.Equal(p.Numbers, []NumberRef{{Raw: "111", ID: 111}})
	is.Equal(p.ConversationMode, rules.ModeNew)
	is.True(!p.LogMessages)
	is.Equal(s.Prefix, "SUPPORT_ES_")
	is.Equal(s.MailboxID, int64(20))
	is.Equal(s.ConversationMode, rules.ModeExisting)
	is.Equal(s.DefaultRegion, "ES")
	is.Equal(s.Numbers, []NumberRef{{Raw: "612 34 56 78", E164: "+34612345678"}})
	is.True(s.LogMessages)

	got, ok := cfg.Instance("SUPPORT_ES")
	is.True(ok)
	is.Equal(got.Name, "support_es")
	_, ok = cfg.Instance("nope")
	is.True(!ok)
}

// TestLoadConfigInstanceNamesAreLowerCase: names key the ledger and the
// cursors, and are case-insensitive (prefixes are upper-cased), so however
// INSTANCES spells them they come out in lower case.
func TestLoadConfigInstanceNamesAreLowerCase(t *testing.T) {
	tests := []struct {
		instances    string
		wantNames    []string
		wantPrefixes []string
	}{
		{"partners,support_es", []string{"partners", "support_es"}, []string{"PARTNERS_", "SUPPORT_ES_"}},
		{"Partners,Support_ES", []string{"partners", "support_es"}, []string{"PARTNERS_", "SUPPORT_ES_"}},
		{"PARTNERS, SUPPORT_ES", []string{"partners", "support_es"}, []string{"PARTNERS_", "SUPPORT_ES_"}},
	}
	for _, tt := range tests {
		t.Run(tt.instances, func(t *testing.T) {
			is := is.New(t)
			cfg, err := load(t, with(twoInstances(), "INSTANCES", tt.instances))
			is.NoErr(err)
			is.Equal(cfg.InstanceNames(), tt.wantNames)
			for i, in := range cfg.Instances {
				is.Equal(in.Prefix, tt.wantPrefixes[i])
			}
			is.Equal(instances(cfg)[0].Name, tt.wantNames[0]) // what the reconciler keys the ledger by
		})
	}
}

func TestLoadConfigWebhookTokenOnlyWhenLoggingMessages(t *testing.T) {
	is := is.New(t)
	_, err := load(t, with(baseEnv(), "AIRCALL_WEBHOOK_TOKEN", "<unset>", "LOG_MESSAGES", "false"))
	is.NoErr(err)
}

func TestLoadConfigAllNumbers(t *testing.T) {
	is := is.New(t)
	cfg, err := load(t, with(baseEnv(), "AIRCALL_NUMBERS", " * "))
	is.NoErr(err)
	is.True(cfg.Instances[0].AllNumbers)
	is.Equal(len(cfg.Instances[0].Numbers), 0)
}

// TestLoadConfigErrors feeds one mistake at a time and expects a problem that
// names the variable and what is wrong.
func TestLoadConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want []string // substrings of the error, each one expected
	}{
		{"missing aircall id", with(baseEnv(), "AIRCALL_API_ID", "<unset>"), []string{"AIRCALL_API_ID: missing"}},
		{"missing aircall token", with(baseEnv(), "AIRCALL_API_TOKEN", "<unset>"), []string{"AIRCALL_API_TOKEN: missing"}},
		{"missing helpscout id", with(baseEnv(), "HELPSCOUT_APP_ID", ""), []string{"HELPSCOUT_APP_ID: missing"}},
		{"missing helpscout secret", with(baseEnv(), "HELPSCOUT_APP_SECRET", "<unset>"), []string{"HELPSCOUT_APP_SECRET: missing"}},
		{"missing webhook token", with(baseEnv(), "AIRCALL_WEBHOOK_TOKEN", "<unset>"), []string{"AIRCALL_WEBHOOK_TOKEN: missing", `"default"`}},
		{"bad aircall url", with(baseEnv(), "AIRCALL_API_URL", "api.aircall.io"), []string{"AIRCALL_API_URL: not an absolute http(s) URL"}},
		{"bad helpscout url", with(baseEnv(), "HELPSCOUT_API_URL", "ftp://x"), []string{"HELPSCOUT_API_URL: not an absolute"}},
		{"rate not a number", with(baseEnv(), "AIRCALL_REQUESTS_PER_MINUTE", "fast"), []string{`AIRCALL_REQUESTS_PER_MINUTE: "fast" is not an integer`}},
		{"rate zero", with(baseEnv(), "AIRCALL_REQUESTS_PER_MINUTE", "0"), []string{`AIRCALL_REQUESTS_PER_MINUTE: "0" must be greater than zero`}},
		{"rate negative", with(baseEnv(), "HELPSCOUT_REQUESTS_PER_MINUTE", "-5"), []string{`HELPSCOUT_REQUESTS_PER_MINUTE: "-5" must be greater than zero`}},
		{"bad cron", with(baseEnv(), "SCHEDULE", "every five minutes"), []string{`SCHEDULE: "every five minutes" is not a valid cron spec`}},
		{"bad cron descriptor", with(baseEnv(), "SCHEDULE", "@every banana"), []string{"SCHEDULE:"}},
		{"zero every", with(baseEnv(), "SCHEDULE", "@every 0s"), []string{`SCHEDULE: "@every 0s": the interval must be greater than zero`}},
		{"negative every", with(baseEnv(), "SCHEDULE", "@every -5m"), []string{`SCHEDULE: "@every -5m": the interval must be greater than zero`}},
		{"zero every with time zone", with(baseEnv(), "SCHEDULE", "CRON_TZ=Europe/Madrid @every 0m"), []string{`SCHEDULE: "CRON_TZ=Europe/Madrid @every 0m": the interval must be`}},
		{"bad listen addr", with(baseEnv(), "LISTEN_ADDR", "8080"), []string{`LISTEN_ADDR: "8080" is not a host:port`}},
		{"listen port too big", with(baseEnv(), "LISTEN_ADDR", ":99999"), []string{`LISTEN_ADDR: ":99999": port "99999" is not a number from 0 to 65535`}},
		{"listen port 65536", with(baseEnv(), "LISTEN_ADDR", "127.0.0.1:65536"), []string{`LISTEN_ADDR: "127.0.0.1:65536": port "65536"`}},
		{"listen port negative", with(baseEnv(), "LISTEN_ADDR", ":-1"), []string{`LISTEN_ADDR: ":-1": port "-1"`}},
		{"listen port name", with(baseEnv(), "LISTEN_ADDR", ":http"), []string{`LISTEN_ADDR: ":http": port "http" is not a number`}},
		{"bad lookback", with(baseEnv(), "LOOKBACK", "2 hours"), []string{`LOOKBACK: "2 hours" is not a duration`}},
		{"zero lookback", with(baseEnv(), "LOOKBACK", "0s"), []string{`LOOKBACK: "0s" must be greater than zero`}},
		{"negative wait", with(baseEnv(), "ENRICHMENT_WAIT", "-1m"), []string{`ENRICHMENT_WAIT: "-1m" must not be negative`}},
		{"bad max age", with(baseEnv(), "ENRICHMENT_MAX_AGE", "1d"), []string{`ENRICHMENT_MAX_AGE: "1d" is not a duration`}},
		{"max age below wait", with(baseEnv(), "ENRICHMENT_WAIT", "2h", "ENRICHMENT_MAX_AGE", "1h"), []string{`ENRICHMENT_MAX_AGE: "1h" must be at least ENRICHMENT_WAIT (2h0m0s)`}},
		{"default max age below wait", with(baseEnv(), "ENRICHMENT_WAIT", "30h"), []string{`ENRICHMENT_MAX_AGE: "24h" must be at least ENRICHMENT_WAIT (30h0m0s) (ENRICHMENT_MAX_AGE is not set: that is its default)`}},
		{"bad log level", with(baseEnv(), "LOG_LEVEL", "verbose"), []string{`LOG_LEVEL: "verbose" is not one of debug, info, warn, error`}},
		{"bad log format", with(baseEnv(), "LOG_FORMAT", "xml"), []string{`LOG_FORMAT: "xml" is not one of json, text`}},
		{"missing mailbox", with(baseEnv(), "HELPSCOUT_MAILBOX_ID", "<unset>"), []string{"HELPSCOUT_MAILBOX_ID: missing"}},
		{"bad mailbox", with(baseEnv(), "HELPSCOUT_MAILBOX_ID", "inbox"), []string{`HELPSCOUT_MAILBOX_ID: "inbox" is not a positive integer`}},
		{"zero mailbox", with(baseEnv(), "HELPSCOUT_MAILBOX_ID", "0"), []string{`HELPSCOUT_MAILBOX_ID: "0" is not a positive integer`}},
		{"missing numbers", with(baseEnv(), "AIRCALL_NUMBERS", "<unset>"), []string{"AIRCALL_NUMBERS: missing"}},
		{"empty number entry", with(baseEnv(), "AIRCALL_NUMBERS", "1,,2"), []string{"AIRCALL_NUMBERS: entry 2 is empty"}},
		{"star with others", with(baseEnv(), "AIRCALL_NUMBERS", "*,12"), []string{`AIRCALL_NUMBERS: "*" (all numbers) cannot be combined`}},
		{"garbage number", with(baseEnv(), "AIRCALL_NUMBERS", "main-line"), []string{`AIRCALL_NUMBERS: "main-line" is neither`}},
		{"too short phone", with(baseEnv(), "AIRCALL_NUMBERS", "+1 2"), []string{`AIRCALL_NUMBERS: "+1 2" is not a valid phone number`}},
		{"letters", with(baseEnv(), "AIRCALL_NUMBERS", "abc"), []string{`AIRCALL_NUMBERS: "abc" is neither an Aircall number ID nor a phone number`}},
		{"zero id", with(baseEnv(), "AIRCALL_NUMBERS", "0"), []string{`AIRCALL_NUMBERS: "0" is not a valid Aircall number ID`}},
		{"phone without country", with(baseEnv(), "AIRCALL_NUMBERS", "(617) 610-5413"), []string{`AIRCALL_NUMBERS: "(617) 610-5413" has no country code`, "DEFAULT_REGION"}},
		{"long digits without country", with(baseEnv(), "AIRCALL_NUMBERS", "6176105413"), []string{`AIRCALL_NUMBERS: "6176105413" has no country code`}},
		{"unknown mode", with(baseEnv(), "CONVERSATION_MODE", "old"), []string{`CONVERSATION_MODE: "old" is not one of new, existing`}},
		{"unknown duplicates", with(baseEnv(), "DUPLICATES", "oldest"), []string{`DUPLICATES: "oldest" is not one of most_recent, skip`}},
		{"bad bool", with(baseEnv(), "REOPEN_CLOSED", "maybe"), []string{`REOPEN_CLOSED: "maybe" is not a boolean`}},
		{"bad bool t", with(baseEnv(), "SYNC_CONTACTS", "t"), []string{`SYNC_CONTACTS: "t" is not a boolean`}},
		{"bad region", with(baseEnv(), "DEFAULT_REGION", "XX"), []string{`DEFAULT_REGION: "XX" is not an ISO 3166 alpha-2`}},
		{"alpha-3 region", with(baseEnv(), "DEFAULT_REGION", "ESP"), []string{`DEFAULT_REGION: "ESP"`}},

		{"quoted schedule from an env file", with(baseEnv(), "SCHEDULE", `"@every 5m"`), []string{`SCHEDULE: "\"@every 5m\"" is not a valid cron spec`, "the value is in quotes, which --env-file keeps as part of it: remove them"}},
		{"single-quoted numbers", with(twoInstances(), "SUPPORT_ES_AIRCALL_NUMBERS", `'612 34 56 78'`), []string{"SUPPORT_ES_AIRCALL_NUMBERS: ", "in quotes"}},
		{"quoted duration", with(baseEnv(), "LOOKBACK", `"2h"`), []string{`LOOKBACK: "\"2h\"" is not a duration (e.g. 90s, 15m, 2h); the value is in quotes`}},
		{"prefixed mode", with(twoInstances(), "PARTNERS_CONVERSATION_MODE", "old"), []string{`PARTNERS_CONVERSATION_MODE: "old" is not one of new, existing`}},
		{"prefixed missing mailbox", with(twoInstances(), "SUPPORT_ES_HELPSCOUT_MAILBOX_ID", "<unset>"), []string{"SUPPORT_ES_HELPSCOUT_MAILBOX_ID: missing"}},
		{"prefixed bool", with(twoInstances(), "PARTNERS_REASSIGN", "si"), []string{`PARTNERS_REASSIGN: "si" is not a boolean`}},
		{"prefixed missing numbers", with(twoInstances(), "PARTNERS_AIRCALL_NUMBERS", "<unset>"), []string{"PARTNERS_AIRCALL_NUMBERS: missing"}},
		{"bad instance name", with(twoInstances(), "INSTANCES", "partners,support-es"), []string{`INSTANCES: "support-es" is not a valid instance name`}},
		{"empty instance entry", with(twoInstances(), "INSTANCES", "partners,,support_es"), []string{"INSTANCES: entry 2 is empty"}},
		{"duplicate instance", with(twoInstances(), "INSTANCES", "partners,support_es,PARTNERS"), []string{`INSTANCES: "PARTNERS" is listed twice`}},
		{"same id twice", with(twoInstances(), "SUPPORT_ES_AIRCALL_NUMBERS", "111"), []string{`SUPPORT_ES_AIRCALL_NUMBERS: "111" is also listed by instance "partners" (PARTNERS_AIRCALL_NUMBERS)`}},
		{"same phone two formats", with(twoInstances(), "PARTNERS_AIRCALL_NUMBERS", "+34 612-345-678"), []string{`SUPPORT_ES_AIRCALL_NUMBERS: "612 34 56 78" (+34612345678) is also listed by instance "partners"`}},
		{"star with several", with(twoInstances(), "PARTNERS_AIRCALL_NUMBERS", "*"), []string{`PARTNERS_AIRCALL_NUMBERS: "*" (all numbers) is not allowed when INSTANCES lists several`}},
		{"webhook token for prefixed", with(twoInstances(), "AIRCALL_WEBHOOK_TOKEN", "<unset>", "PARTNERS_LOG_MESSAGES", "false"), []string{`AIRCALL_WEBHOOK_TOKEN: missing (required because instance "support_es"`, "or set SUPPORT_ES_LOG_MESSAGES=false)"}},
		{"webhook token names the prefixed switches", with(twoInstances(), "AIRCALL_WEBHOOK_TOKEN", "<unset>", "LOG_MESSAGES", "false"), []string{`AIRCALL_WEBHOOK_TOKEN: missing (required because instances "partners", "support_es" log SMS/WhatsApp messages; set it, or set PARTNERS_LOG_MESSAGES=false and SUPPORT_ES_LOG_MESSAGES=false)`}},
		{"webhook token default instance", with(baseEnv(), "AIRCALL_WEBHOOK_TOKEN", "<unset>"), []string{`AIRCALL_WEBHOOK_TOKEN: missing (required because instance "default" logs SMS/WhatsApp messages; set it, or set LOG_MESSAGES=false)`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			cfg, err := load(t, tt.env)
			is.True(err != nil) // want an error
			is.Equal(cfg, (*Config)(nil))
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\ndoes not contain %q", err, w)
				}
			}
			assertNoSecrets(t, err.Error())
		})
	}
}

// TestLoadConfigReportsAllProblems checks that problems are joined, not
// reported one per restart.
func TestLoadConfigReportsAllProblems(t *testing.T) {
	is := is.New(t)
	_, err := load(t, with(twoInstances(),
		"AIRCALL_API_TOKEN", "<unset>",
		"LOOKBACK", "soon",
		"PARTNERS_CONVERSATION_MODE", "old",
		"SUPPORT_ES_DUPLICATES", "all",
	))
	is.True(err != nil)
	lines := strings.Split(err.Error(), "\n")
	is.Equal(len(lines), 4)
	for i, prefix := range []string{"AIRCALL_API_TOKEN:", "LOOKBACK:", "PARTNERS_CONVERSATION_MODE:", "SUPPORT_ES_DUPLICATES:"} {
		is.True(strings.HasPrefix(lines[i], prefix)) // each problem on its own line, in a stable order
	}
}

// TestLoadConfigQuoteHintOnlyForQuotedValues: the "remove the quotes" hint
// is for values written in quotes, not for every bad value.
func TestLoadConfigQuoteHintOnlyForQuotedValues(t *testing.T) {
	tests := []struct {
		name, variable, value string
		hint                  bool
	}{
		{"plain bad schedule", "SCHEDULE", "every 5m", false},
		{"one quote only", "SCHEDULE", `"@every 5m`, false},
		{"double quotes", "SCHEDULE", `"@every 5m"`, true},
		{"single quotes", "LOG_LEVEL", `'info'`, true},
		{"mismatched quotes", "LOG_LEVEL", `"info'`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			_, err := load(t, with(baseEnv(), tt.variable, tt.value))
			is.True(err != nil)
			is.True(strings.HasPrefix(err.Error(), tt.variable+": "))
			is.Equal(strings.Contains(err.Error(), "the value is in quotes"), tt.hint)
		})
	}
}

// TestLoadConfigDefaultHint: a problem with a value the operator did not
// write says it is the default; one with a written value does not.
func TestLoadConfigDefaultHint(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string // the whole error
	}{
		{"default", with(baseEnv(), "ENRICHMENT_WAIT", "30h"),
			`ENRICHMENT_MAX_AGE: "24h" must be at least ENRICHMENT_WAIT (30h0m0s) (ENRICHMENT_MAX_AGE is not set: that is its default)`},
		{"written", with(baseEnv(), "ENRICHMENT_WAIT", "30h", "ENRICHMENT_MAX_AGE", "24h"),
			`ENRICHMENT_MAX_AGE: "24h" must be at least ENRICHMENT_WAIT (30h0m0s)`},
		{"missing is not a default", with(baseEnv(), "HELPSCOUT_MAILBOX_ID", "<unset>"),
			"HELPSCOUT_MAILBOX_ID: missing (required: the Help Scout mailbox this instance writes to)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			_, err := load(t, tt.env)
			is.True(err != nil)
			is.Equal(err.Error(), tt.want)
		})
	}
}

func TestLoadConfigEmptyEnvironment(t *testing.T) {
	is := is.New(t)
	_, err := load(t, map[string]string{})
	is.True(err != nil)
	for _, v := range []string{"AIRCALL_API_ID", "AIRCALL_API_TOKEN", "HELPSCOUT_APP_ID", "HELPSCOUT_APP_SECRET", "HELPSCOUT_MAILBOX_ID", "AIRCALL_NUMBERS", "AIRCALL_WEBHOOK_TOKEN"} {
		is.True(strings.Contains(err.Error(), v+": missing")) // every required variable named
	}
}

func TestRedacted(t *testing.T) {
	is := is.New(t)
	cfg, err := load(t, with(twoInstances(), "AIRCALL_API_URL", "https://user:pw@api.example.com"))
	is.NoErr(err)
	r := cfg.Redacted()
	is.Equal(r["AIRCALL_API_TOKEN"], "<redacted>")
	is.Equal(r["HELPSCOUT_APP_SECRET"], "<redacted>")
	is.Equal(r["AIRCALL_WEBHOOK_TOKEN"], "<redacted>")
	is.Equal(r["AIRCALL_API_ID"], "airc…")
	is.Equal(r["AIRCALL_API_URL"], "https://user:xxxxx@api.example.com")
	is.Equal(r["INSTANCES"], "partners,support_es")
	is.Equal(r["PARTNERS_AIRCALL_NUMBERS"], "111")
	is.Equal(r["SUPPORT_ES_AIRCALL_NUMBERS"], "+34612345678")
	is.Equal(r["SUPPORT_ES_CONVERSATION_MODE"], "existing")
	is.Equal(r["LOOKBACK"], "2h0m0s")
	for k, v := range r {
		assertNoSecrets(t, k+"="+v)
	}

	var b strings.Builder
	is.NoErr(cfg.WriteRedacted(&b))
	out := b.String()
	is.True(strings.HasPrefix(out, "AIRCALL_API_ID=airc…\n")) // sorted
	is.True(strings.Contains(out, "\nPARTNERS_HELPSCOUT_MAILBOX_ID=10\n"))
	assertNoSecrets(t, out)
}

func BenchmarkLoadConfig(b *testing.B) {
	m := twoInstances()
	l := envconfig.MapLookuper(m)
	ctx := context.Background()
	for b.Loop() {
		if _, err := LoadConfig(ctx, l); err != nil {
			b.Fatal(err)
		}
	}
}

func assertNoSecrets(t *testing.T, s string) {
	t.Helper()
	for _, secret := range []string{secretToken, secretApp, secretWebhook} {
		if strings.Contains(s, secret) {
			t.Errorf("output leaks a secret: %q", s)
		}
	}
}
