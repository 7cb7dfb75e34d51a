package main

import (
	"github.com/aircall-helpscout/aircall-helpscout/rules"
	"strconv"
	"strings"
	"time"
)

// varScope says whether a variable is read once (global) or once per
// instance, with the instance prefix.
type varScope int

const (
	scopeGlobal varScope = iota
	scopeInstance
)

// varSpec is one environment variable: the single place where its name,
// default, documentation and parsing live. LoadConfig parses from it, check
// warns about unknown names from it, and the README's variable tables and
// config.example.env are generated from it (a test fails when they differ).
type varSpec struct {
	name  string
	scope varScope
	def   string // default value; "" = unset
	// defDoc is the README's default column when it is not the literal
	// default ("required", "(unset)", "country of the Aircall line").
	defDoc string
	secret bool   // never printed: check shows <redacted>
	doc    string // README meaning (Markdown, one line)
	// comment is config.example.env's comment above the variable (plain
	// text, lines separated by \n).
	comment   string
	example   string // value written in config.example.env; "" = def
	commented bool   // written "#NAME=value" in config.example.env
	section   string // config.example.env heading written before this variable

	global   func(p *problems, name, v string, c *Config)
	instance func(p *problems, name, v string, in *InstanceConfig)
	// show renders the parsed value for check's effective configuration
	// (secrets masked there by secret).
	show func(c *Config, in *InstanceConfig) string
}

// variables is the whole configuration contract, in README order.
var variables = []varSpec{
	{
		name: "AIRCALL_API_ID", defDoc: "required", secret: false, section: "Aircall",
		doc:     "Aircall API key ID (Basic auth user)",
		comment: "API ID and token (Aircall dashboard > Integrations & API > API keys). Required.",
		global: func(p *problems, n, v string, c *Config) {
			required(p, n, v)
			c.AircallAPIID = v
		},
		show: func(c *Config, _ *InstanceConfig) string { return maskID(c.AircallAPIID) },
	},
	{
		name: "AIRCALL_API_TOKEN", defDoc: "required", secret: true,
		doc: "Aircall API token (Basic auth password)",
		global: func(p *problems, n, v string, c *Config) {
			required(p, n, v)
			c.AircallAPIToken = v
		},
		show: func(c *Config, _ *InstanceConfig) string { return c.AircallAPIToken },
	},
	{
		name: "AIRCALL_API_URL", def: "https://api.aircall.io",
		doc:     "base URL (tests point it at a fake)",
		comment: "Base URL of the Aircall Public API (tests and the demo point it at a fake).",
		global: func(p *problems, n, v string, c *Config) {
			c.AircallAPIURL = parseBaseURL(p, n, v)
		},
		show: func(c *Config, _ *InstanceConfig) string { return redactURL(c.AircallAPIURL) },
	},
	{
		name: "AIRCALL_WEBHOOK_TOKEN", defDoc: "required when any instance logs messages", secret: true,
		doc: "token Aircall puts in each webhook body",
		comment: "Token Aircall puts in each webhook body (shown when you create the webhook).\n" +
			"Required when any instance has LOG_MESSAGES=true (the default): SMS and\n" +
			"WhatsApp only reach us through webhooks at POST /webhooks/aircall.",
		global: func(_ *problems, _, v string, c *Config) { c.AircallWebhookToken = v },
		show:   func(c *Config, _ *InstanceConfig) string { return c.AircallWebhookToken },
	},
	{
		name: "AIRCALL_REQUESTS_PER_MINUTE", def: "50",
		doc: "our own ceiling, > 0; Aircall's budget is shared company-wide",
		comment: "Our own request ceiling. Aircall's budget (60/min is widely cited) is shared company-wide,\n" +
			"so leave room for other integrations.",
		global: func(p *problems, n, v string, c *Config) { c.AircallRequestsPerMinute = parsePositiveInt(p, n, v) },
		show:   func(c *Config, _ *InstanceConfig) string { return strconv.Itoa(c.AircallRequestsPerMinute) },
	},
	{
		name: "HELPSCOUT_APP_ID", defDoc: "required", section: "Help Scout",
		doc:     "Help Scout OAuth2 client ID (Your Profile → My Apps)",
		comment: "OAuth2 client credentials (Help Scout > Your Profile > My Apps). Required.",
		global: func(p *problems, n, v string, c *Config) {
			required(p, n, v)
			c.HelpScoutAppID = v
		},
		show: func(c *Config, _ *InstanceConfig) string { return maskID(c.HelpScoutAppID) },
	},
	{
		name: "HELPSCOUT_APP_SECRET", defDoc: "required", secret: true,
		doc: "Help Scout OAuth2 client secret",
		global: func(p *problems, n, v string, c *Config) {
			required(p, n, v)
			c.HelpScoutAppSecret = v
		},
		show: func(c *Config, _ *InstanceConfig) string { return c.HelpScoutAppSecret },
	},
	{
		name: "HELPSCOUT_API_URL", def: "https://api.helpscout.net",
		doc:     "base URL; token at `<url>/v2/oauth2/token`",
		comment: "Base URL of the Help Scout Mailbox API; the token comes from <url>/v2/oauth2/token.",
		global: func(p *problems, n, v string, c *Config) {
			c.HelpScoutAPIURL = parseBaseURL(p, n, v)
		},
		show: func(c *Config, _ *InstanceConfig) string { return redactURL(c.HelpScoutAPIURL) },
	},
	{
		name: "HELPSCOUT_REQUESTS_PER_MINUTE", def: "200",
		doc: "our own ceiling, > 0; writes cost 2",
		comment: "Our own request ceiling; every write costs 2. The budget is per Help Scout\n" +
			"account (shared with every other app) and depends on the plan.",
		global: func(p *problems, n, v string, c *Config) { c.HelpScoutRequestsPerMinute = parsePositiveInt(p, n, v) },
		show:   func(c *Config, _ *InstanceConfig) string { return strconv.Itoa(c.HelpScoutRequestsPerMinute) },
	},
	{
		name: "DATABASE_PATH", def: "./data/aircall-helpscout.db", commented: true, section: "Runtime",
		doc: "SQLite file (`/data/aircall-helpscout.db` in the container)",
		comment: "SQLite state file (created 0600). Default ./data/aircall-helpscout.db,\n" +
			"relative to the working directory. Leave it commented out with Docker: the\n" +
			"image sets DATABASE_PATH=/data/aircall-helpscout.db (the /data volume), and\n" +
			"a value here would override it; the image's working directory is not /, so\n" +
			"./data would then be outside the volume and the ledger lost with the container.",
		global: func(_ *problems, _, v string, c *Config) { c.DatabasePath = v },
		show:   func(c *Config, _ *InstanceConfig) string { return c.DatabasePath },
	},
	{
		name: "SCHEDULE", def: "@every 5m",
		doc: "when `serve` runs a pass: 5-field cron spec or descriptor (`@hourly`, `@every 10m`)",
		comment: "When `serve` runs a pass: a 5-field cron spec (\"*/5 * * * *\") or a\n" +
			"descriptor (\"@every 5m\", \"@hourly\"; an @every interval must be > 0).",
		global: func(p *problems, n, v string, c *Config) { c.Schedule = parseSchedule(p, n, v) },
		show:   func(c *Config, _ *InstanceConfig) string { return c.Schedule },
	},
	{
		name: "LISTEN_ADDR", def: ":8080",
		doc:     "`serve`: webhook receiver, `/healthz`, `/metrics`, and when configured `/status` and `/helpscout/sidebar` (`healthcheck` probes it)",
		comment: "`serve` listens here for webhooks, /healthz, /metrics, /status and /helpscout/sidebar (host:port, port 0-65535).",
		global: func(p *problems, n, v string, c *Config) {
			parseListenAddr(p, n, v)
			c.ListenAddr = v
		},
		show: func(c *Config, _ *InstanceConfig) string { return c.ListenAddr },
	},
	{
		name: "LOOKBACK", def: "2h",
		doc:     "how far behind the cursor each pass re-reads (> 0)",
		comment: "How far behind the cursor each pass re-reads, to catch calls that ended late (Go duration, > 0).",
		global: func(p *problems, n, v string, c *Config) {
			if d, ok := parseDuration(p, n, v); ok && d <= 0 {
				p.add(n, "%q must be greater than zero", v)
			} else {
				c.Lookback = d
			}
		},
		show: func(c *Config, _ *InstanceConfig) string { return c.Lookback.String() },
	},
	{
		name: "ENRICHMENT_WAIT", def: "15m",
		doc: "how long after a call ends to wait for transcript/AI before logging without them (≥ 0)",
		comment: "How long after a call ends to wait for its transcript/AI insights before\n" +
			"logging it without them (>= 0; 0 = never wait).",
		global: func(p *problems, n, v string, c *Config) {
			d, ok := parseDuration(p, n, v)
			if ok && d < 0 {
				p.add(n, "%q must not be negative", v)
				ok = false
			}
			c.EnrichmentWait, c.enrichmentWaitOK = d, ok
		},
		show: func(c *Config, _ *InstanceConfig) string { return c.EnrichmentWait.String() },
	},
	{
		name: "ENRICHMENT_MAX_AGE", def: "24h",
		doc:     "after this, stop looking for late transcript/AI (≥ `ENRICHMENT_WAIT`)",
		comment: "After this age, stop looking for late transcripts/AI insights (>= ENRICHMENT_WAIT).",
		global: func(p *problems, n, v string, c *Config) {
			d, ok := parseDuration(p, n, v)
			if ok && c.enrichmentWaitOK && d < c.EnrichmentWait {
				p.add(n, "%q must be at least ENRICHMENT_WAIT (%s)", v, c.EnrichmentWait)
			}
			c.EnrichmentMaxAge = d
		},
		show: func(c *Config, _ *InstanceConfig) string { return c.EnrichmentMaxAge.String() },
	},
	{
		name: "RETENTION", def: "90d",
		doc: "how long stored webhook payloads of logged messages and per-pass records are kept (`d` for days, or a Go duration); the ledger of processed IDs is kept for ever",
		comment: "How long the webhook payloads of logged messages (customer data) and the\n" +
			"per-pass records are kept: days (90d) or a Go duration (720h), > 0.\n" +
			"The ledger of processed IDs is kept for ever (it is what prevents re-logging).",
		global: func(p *problems, n, v string, c *Config) { c.Retention = parseRetention(p, n, v) },
		show:   func(c *Config, _ *InstanceConfig) string { return formatRetention(c.Retention) },
	},
	{
		name: "LOG_LEVEL", def: "info",
		doc: "`debug`, `info`, `warn`, `error`", comment: "debug | info | warn | error",
		global: func(p *problems, n, v string, c *Config) {
			c.LogLevel = parseEnum(p, n, v, "debug", "info", "warn", "error")
		},
		show: func(c *Config, _ *InstanceConfig) string { return c.LogLevel },
	},
	{
		name: "LOG_FORMAT", def: "json",
		doc: "`json` or `text`", comment: "json | text",
		global: func(p *problems, n, v string, c *Config) { c.LogFormat = parseEnum(p, n, v, "json", "text") },
		show:   func(c *Config, _ *InstanceConfig) string { return c.LogFormat },
	},
	{
		name: "PUBLIC_URL", defDoc: "(unset)", commented: true, example: "https://calls.example.com",
		section: "Public address and web pages",
		doc:     "the https base URL at which Aircall reaches this service, e.g. `https://calls.example.com` (no path); `check` then verifies the Aircall webhook pointing at `<PUBLIC_URL>/webhooks/aircall`, and `register-webhook` creates it",
		comment: "The https base URL at which Aircall reaches this service (no path), e.g.\n" +
			"https://calls.example.com: the webhook is <PUBLIC_URL>/webhooks/aircall\n" +
			"('register-webhook' creates it, 'check' verifies it).",
		global: func(p *problems, n, v string, c *Config) { c.PublicURL = parsePublicURL(p, n, v) },
		show:   func(c *Config, _ *InstanceConfig) string { return c.PublicURL },
	},
	{
		name: "STATUS_PASSWORD", defDoc: "(unset)", secret: true,
		doc: "when set, `serve` serves read-only status pages under `/status` behind HTTP basic auth, user `admin`; unset → `/status` answers 404",
		comment: "When set, `serve` serves read-only status pages under /status behind HTTP\n" +
			"basic auth (user admin). Unset: /status answers 404.",
		global: func(_ *problems, _, v string, c *Config) { c.StatusPassword = v },
		show:   func(c *Config, _ *InstanceConfig) string { return c.StatusPassword },
	},
	{
		name: "HELPSCOUT_SIDEBAR_SECRET", defDoc: "(unset)", secret: true,
		doc: "secret key of a Help Scout app pointing at `<PUBLIC_URL>/helpscout/sidebar`; when set, `serve` serves that sidebar",
		comment: "Secret key of a Help Scout app whose callback URL is <PUBLIC_URL>/helpscout/sidebar:\n" +
			"when set, `serve` shows each customer's Aircall history in the conversation sidebar.",
		global: func(_ *problems, _, v string, c *Config) { c.HelpScoutSidebarSecret = v },
		show:   func(c *Config, _ *InstanceConfig) string { return c.HelpScoutSidebarSecret },
	},
	{
		name: "INSTANCES", defDoc: "(unset)", commented: true, example: "partners,support_es", section: "Instances",
		doc: "comma list of instance names; unset = one instance, `default`, read without prefix",
		comment: "Comma list of instance names ([A-Za-z0-9_]+, case-insensitive: kept in lower\n" +
			"case, so Partners and partners are the same instance). Unset: a single\n" +
			"instance named \"default\" that reads the per-instance variables below WITHOUT prefix.\n" +
			"With INSTANCES=partners,support_es, each variable below is read with the\n" +
			"upper-cased name as prefix: PARTNERS_HELPSCOUT_MAILBOX_ID,\n" +
			"SUPPORT_ES_AIRCALL_NUMBERS, ... A number may belong to one instance only.\n" +
			"Removing an instance stops its logging and deletes nothing.",
		global: func(_ *problems, _, v string, c *Config) { c.instancesRaw = v },
		show: func(c *Config, _ *InstanceConfig) string {
			var names []string
			for _, in := range c.Instances {
				if in.Prefix != "" {
					names = append(names, in.Name)
				}
			}
			return strings.Join(names, ",")
		},
	},

	// Per instance.
	{
		name: "HELPSCOUT_MAILBOX_ID", scope: scopeInstance, defDoc: "required",
		section: "Per instance (prefix if INSTANCES)",
		doc:     "the one mailbox this instance writes to",
		comment: "The Help Scout mailbox this instance writes to (number in the mailbox URL). Required.",
		instance: func(p *problems, n, v string, in *InstanceConfig) {
			if v == "" {
				p.add(n, "missing (required: the Help Scout mailbox this instance writes to)")
			} else if id, err := strconv.ParseInt(v, 10, 64); err != nil || id <= 0 {
				p.add(n, "%q is not a positive integer", v)
			} else {
				in.MailboxID = id
			}
		},
		show: func(_ *Config, in *InstanceConfig) string { return strconv.FormatInt(in.MailboxID, 10) },
	},
	{
		name: "AIRCALL_NUMBERS", scope: scopeInstance, defDoc: "required",
		doc: "comma list of Aircall number IDs or phone numbers (any format, see below); `*` = all",
		comment: "Aircall lines of this instance, comma-separated: phone numbers in any\n" +
			"format (+34 612 34 56 78, 0034 612 345 678, (+34) 612-345-678), Aircall\n" +
			"number IDs (up to 7 digits, e.g. 123456, or id:12345678), tel:612345678 for\n" +
			"a national number with DEFAULT_REGION; * = all lines (only when there is a\n" +
			"single instance). A bare 8-9 digit string is refused as ambiguous. Required.",
		instance: func(_ *problems, _, v string, in *InstanceConfig) { in.numbersRaw = v },
		show:     func(_ *Config, in *InstanceConfig) string { return numbersString(*in) },
	},
	{
		name: "CONVERSATION_MODE", scope: scopeInstance, def: string(rules.ModeNew),
		doc: "`new`: every call opens a new conversation; `existing`: log into the customer's open conversation",
		comment: "new: every call opens a new conversation; existing: log into the customer's\n" +
			"open conversation in the mailbox when there is one.",
		instance: func(p *problems, n, v string, in *InstanceConfig) {
			in.ConversationMode = parseEnum(p, n, v, rules.ModeNew, rules.ModeExisting)
		},
		show: func(_ *Config, in *InstanceConfig) string { return string(in.ConversationMode) },
	},
	boolVar("REOPEN_CLOSED", false,
		"(`existing` only) reopen a conversation closed less than 48 h before the call started (one closed after the call started is not reopened)",
		"(existing only) reopen a conversation closed less than 48 h before the call.",
		func(in *InstanceConfig) *bool { return &in.ReopenClosed }),
	boolVar("REASSIGN", false,
		"(`existing` only) assign the conversation to the Help Scout user whose email matches the Aircall agent",
		"(existing only) assign the conversation to the Help Scout user whose email\n"+
			"matches the Aircall agent. It applies to SMS and WhatsApp messages too, whose\n"+
			"conversations (one per customer, channel and day) do not depend on CONVERSATION_MODE.",
		func(in *InstanceConfig) *bool { return &in.Reassign }),
	boolVar("LOG_TRANSCRIPTS", true,
		"add the call transcript",
		"Add the call transcript as a note (needs the Aircall add-on).",
		func(in *InstanceConfig) *bool { return &in.LogTranscripts }),
	boolVar("LOG_AI_INSIGHTS", true,
		"add summary, key topics, action items, sentiment",
		"Add summary, key topics, action items and sentiment (needs the Aircall add-on).",
		func(in *InstanceConfig) *bool { return &in.LogAIInsights }),
	boolVar("LOG_MESSAGES", true,
		"log SMS and WhatsApp messages of the instance's lines (needs `AIRCALL_WEBHOOK_TOKEN`)",
		"Log SMS and WhatsApp messages of this instance's lines (needs AIRCALL_WEBHOOK_TOKEN).",
		func(in *InstanceConfig) *bool { return &in.LogMessages }),
	{
		name: "DUPLICATES", scope: scopeInstance, def: string(rules.DuplicatesMostRecent),
		doc: "several Help Scout customers share the number: `most_recent` or `skip`",
		comment: "Several Help Scout customers share the caller's number: most_recent (use the\n" +
			"newest customer) or skip (log nothing for that call).",
		instance: func(p *problems, n, v string, in *InstanceConfig) {
			in.Duplicates = parseEnum(p, n, v, rules.DuplicatesMostRecent, rules.DuplicatesSkip)
		},
		show: func(_ *Config, in *InstanceConfig) string { return string(in.Duplicates) },
	},
	boolVar("SYNC_CONTACTS", true,
		"create/overwrite the Aircall contact from the matched Help Scout customer",
		"Create/overwrite the Aircall contact from the matched Help Scout customer.",
		func(in *InstanceConfig) *bool { return &in.SyncContacts }),
	{
		name: "DEFAULT_REGION", scope: scopeInstance, defDoc: "country of the Aircall line",
		doc: "ISO 3166 alpha-2 region for numbers written without a country code",
		comment: "ISO 3166 alpha-2 region (US, ES, FR, ...) for numbers written without a\n" +
			"country code. Empty: the country of the Aircall line.",
		instance: func(p *problems, n, v string, in *InstanceConfig) {
			in.DefaultRegion, in.regionOK = parseRegion(p, n, v)
		},
		show: func(_ *Config, in *InstanceConfig) string { return in.DefaultRegion },
	},
	boolVar("INSIGHT_CARDS", true,
		"while an inbound call rings, show the caller's Help Scout context in the Aircall app (insight card)",
		"While an inbound call rings, show the caller's Help Scout context in the\n"+
			"Aircall app (an insight card).",
		func(in *InstanceConfig) *bool { return &in.InsightCards }),
}

// boolVar is a per-instance boolean variable.
func boolVar(name string, def bool, doc, comment string, field func(*InstanceConfig) *bool) varSpec {
	return varSpec{
		name: name, scope: scopeInstance, def: strconv.FormatBool(def), doc: doc, comment: comment,
		instance: func(p *problems, n, v string, in *InstanceConfig) { *field(in) = parseBool(p, n, v, def) },
		show:     func(_ *Config, in *InstanceConfig) string { return strconv.FormatBool(*field(in)) },
	}
}

// lookupVar finds a variable of the table by name.
func lookupVar(name string) (varSpec, bool) {
	for _, v := range variables {
		if v.name == name {
			return v, true
		}
	}
	return varSpec{}, false
}

// defaultOf is a variable's default value ("" when it has none).
func defaultOf(name string) string {
	v, _ := lookupVar(name)
	return v.def
}

// varsOf lists the variables of one scope in table order.
func varsOf(s varScope) []varSpec {
	var out []varSpec
	for _, v := range variables {
		if v.scope == s {
			out = append(out, v)
		}
	}
	return out
}

// parseRetention reads RETENTION: whole days written "90d" (Go durations
// have no day unit, and retention is thought of in days) or a Go duration.
func parseRetention(p *problems, name, v string) time.Duration {
	var d time.Duration
	if days, ok := strings.CutSuffix(v, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil {
			p.add(name, "%q is neither a number of days (90d) nor a duration (720h)", v)
			return 0
		}
		d = time.Duration(n) * 24 * time.Hour
	} else {
		var err error
		if d, err = time.ParseDuration(v); err != nil {
			p.add(name, "%q is neither a number of days (90d) nor a duration (720h)", v)
			return 0
		}
	}
	if d <= 0 {
		p.add(name, "%q must be greater than zero (the ledger is kept for ever anyway)", v)
		return 0
	}
	return d
}

// formatRetention writes whole days as "90d", anything else as a duration.
func formatRetention(d time.Duration) string {
	if d > 0 && d%(24*time.Hour) == 0 {
		return strconv.FormatInt(int64(d/(24*time.Hour)), 10) + "d"
	}
	return d.String()
}
