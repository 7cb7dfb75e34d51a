package main

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/aircall-helpscout/aircall-helpscout/rules"
	"github.com/robfig/cron/v3"
)

// problems collects every configuration problem so that the operator fixes
// them all in one round instead of one restart per typo.
type problems []error

// problem is one variable's problem, "VARIABLE: what is wrong".
type problem struct{ variable, msg string }

func (e *problem) Error() string { return e.variable + ": " + e.msg }

func (p *problems) add(variable, format string, args ...any) {
	*p = append(*p, &problem{variable: variable, msg: fmt.Sprintf(format, args...)})
}

func (p problems) err() error { return errors.Join(p...) }

// quoteHint is added to the problem of a value written in quotes: Docker's
// --env-file (which the README uses) keeps them as part of the value, so
// SCHEDULE="@every 5m" reaches us as a 2-field cron spec with quotes.
const quoteHint = "; the value is in quotes, which --env-file keeps as part of it: remove them"

// hintQuotes appends quoteHint to every problem whose variable holds a
// quoted value. The value itself is never added (it may be a secret).
func (p problems) hintQuotes(lookup func(string) (string, bool)) {
	for _, e := range p {
		pr, ok := e.(*problem)
		if !ok {
			continue
		}
		if v, set := lookup(pr.variable); set && isQuoted(v) {
			pr.msg += quoteHint
		}
	}
}

// hintDefaults marks the problems of variables that are not set, so that
// the value in the message is not mistaken for one the operator wrote:
// ENRICHMENT_WAIT=30h alone fails on ENRICHMENT_MAX_AGE's default "24h".
func (p problems) hintDefaults(lookup func(string) (string, bool)) {
	for _, e := range p {
		pr, ok := e.(*problem)
		if !ok || strings.HasPrefix(pr.msg, "missing") {
			continue
		}
		if _, set := lookup(pr.variable); !set {
			pr.msg += fmt.Sprintf(" (%s is not set: that is its default)", pr.variable)
		}
	}
}

func isQuoted(v string) bool {
	return len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0]
}

// parseGlobal validates the variables that are not per instance. Secrets are
// only checked for presence: their values never reach an error message.
func parseGlobal(p *problems, r rawGlobal) *Config {
	c := &Config{
		AircallAPIID:        r.AircallAPIID,
		AircallAPIToken:     r.AircallAPIToken,
		AircallWebhookToken: r.AircallWebhookToken,
		HelpScoutAppID:      r.HelpScoutAppID,
		HelpScoutAppSecret:  r.HelpScoutAppSecret,
		DatabasePath:        r.DatabasePath,
		Schedule:            r.Schedule,
		ListenAddr:          r.ListenAddr,
	}
	required(p, "AIRCALL_API_ID", r.AircallAPIID)
	required(p, "AIRCALL_API_TOKEN", r.AircallAPIToken)
	required(p, "HELPSCOUT_APP_ID", r.HelpScoutAppID)
	required(p, "HELPSCOUT_APP_SECRET", r.HelpScoutAppSecret)

	c.AircallAPIURL = parseBaseURL(p, "AIRCALL_API_URL", r.AircallAPIURL)
	c.HelpScoutAPIURL = parseBaseURL(p, "HELPSCOUT_API_URL", r.HelpScoutAPIURL)
	c.AircallRequestsPerMinute = parsePositiveInt(p, "AIRCALL_REQUESTS_PER_MINUTE", r.AircallRPM)
	c.HelpScoutRequestsPerMinute = parsePositiveInt(p, "HELPSCOUT_REQUESTS_PER_MINUTE", r.HelpScoutRPM)

	if _, err := cron.ParseStandard(r.Schedule); err != nil {
		p.add("SCHEDULE", "%q is not a valid cron spec (e.g. \"@every 5m\" or \"*/5 * * * *\"): %v", r.Schedule, err)
	} else if d, ok := everyInterval(r.Schedule); ok && d <= 0 {
		p.add("SCHEDULE", "%q: the interval must be greater than zero (e.g. \"@every 5m\")", r.Schedule)
	}
	parseListenAddr(p, "LISTEN_ADDR", r.ListenAddr)

	var lookbackOK, waitOK, maxAgeOK bool
	c.Lookback, lookbackOK = parseDuration(p, "LOOKBACK", r.Lookback)
	c.EnrichmentWait, waitOK = parseDuration(p, "ENRICHMENT_WAIT", r.EnrichmentWait)
	c.EnrichmentMaxAge, maxAgeOK = parseDuration(p, "ENRICHMENT_MAX_AGE", r.EnrichmentMaxAge)
	if lookbackOK && c.Lookback <= 0 {
		p.add("LOOKBACK", "%q must be greater than zero", r.Lookback)
	}
	if waitOK && c.EnrichmentWait < 0 {
		p.add("ENRICHMENT_WAIT", "%q must not be negative", r.EnrichmentWait)
	}
	if waitOK && maxAgeOK && c.EnrichmentMaxAge < c.EnrichmentWait {
		p.add("ENRICHMENT_MAX_AGE", "%q must be at least ENRICHMENT_WAIT (%s)", r.EnrichmentMaxAge, c.EnrichmentWait)
	}

	c.LogLevel = parseEnum(p, "LOG_LEVEL", r.LogLevel, "debug", "info", "warn", "error")
	c.LogFormat = parseEnum(p, "LOG_FORMAT", r.LogFormat, "json", "text")
	return c
}

var instanceNameRE = regexp.MustCompile(`^[A-Za-z0-9_]+$`)

// parseInstanceNames splits INSTANCES. Unset means one instance, "default",
// read without prefix. Names are case-insensitive (their prefix is the
// upper-cased name), so each one is normalised to lower case here: the
// ledger and cursors are keyed by name, and "Partners" today and "partners"
// tomorrow must be the same instance, not a fresh one that logs everything
// again. Two names with the same upper-cased prefix would read the same
// variables, so they are duplicates.
func parseInstanceNames(p *problems, list string) (names, prefixes []string) {
	if strings.TrimSpace(list) == "" {
		return []string{defaultInstanceName}, []string{""}
	}
	seen := map[string]string{}
	for i, raw := range strings.Split(list, ",") {
		name := strings.TrimSpace(raw)
		switch {
		case name == "":
			p.add("INSTANCES", "entry %d is empty", i+1)
			continue
		case !instanceNameRE.MatchString(name):
			p.add("INSTANCES", "%q is not a valid instance name (letters, digits and _ only)", name)
			continue
		}
		prefix := strings.ToUpper(name) + "_"
		if first, dup := seen[prefix]; dup {
			p.add("INSTANCES", "%q is listed twice (as %q and %q; names are case-insensitive)", name, first, name)
			continue
		}
		seen[prefix] = name
		names = append(names, strings.ToLower(name))
		prefixes = append(prefixes, prefix)
	}
	return names, prefixes
}

// parseInstance validates one instance's variables; every problem names the
// variable with the instance's prefix, exactly as the operator must write it.
func parseInstance(p *problems, name, prefix string, r rawInstance) InstanceConfig {
	v := func(s string) string { return prefix + s }
	in := InstanceConfig{Name: name, Prefix: prefix}

	if r.MailboxID == "" {
		p.add(v("HELPSCOUT_MAILBOX_ID"), "missing (required: the Help Scout mailbox this instance writes to)")
	} else if id, err := strconv.ParseInt(r.MailboxID, 10, 64); err != nil || id <= 0 {
		p.add(v("HELPSCOUT_MAILBOX_ID"), "%q is not a positive integer", r.MailboxID)
	} else {
		in.MailboxID = id
	}

	in.ConversationMode = parseEnum(p, v("CONVERSATION_MODE"), r.ConversationMode, ModeNew, ModeExisting)
	in.Duplicates = parseEnum(p, v("DUPLICATES"), r.Duplicates, DuplicatesMostRecent, DuplicatesSkip)
	in.ReopenClosed = parseBool(p, v("REOPEN_CLOSED"), r.ReopenClosed, false)
	in.Reassign = parseBool(p, v("REASSIGN"), r.Reassign, false)
	in.LogTranscripts = parseBool(p, v("LOG_TRANSCRIPTS"), r.LogTranscripts, true)
	in.LogAIInsights = parseBool(p, v("LOG_AI_INSIGHTS"), r.LogAIInsights, true)
	in.LogMessages = parseBool(p, v("LOG_MESSAGES"), r.LogMessages, true)
	in.SyncContacts = parseBool(p, v("SYNC_CONTACTS"), r.SyncContacts, true)

	regionOK := true
	if r.DefaultRegion != "" {
		region := strings.ToUpper(r.DefaultRegion)
		if len(region) != 2 || !rules.ValidRegion(region) {
			p.add(v("DEFAULT_REGION"), "%q is not an ISO 3166 alpha-2 country code known to the phone library (e.g. US, ES, FR)", r.DefaultRegion)
			regionOK = false
		} else {
			in.DefaultRegion = region
		}
	}
	if regionOK {
		in.Numbers, in.AllNumbers = parseNumbers(p, v("AIRCALL_NUMBERS"), r.Numbers, in.DefaultRegion)
	}
	return in
}

// everyInterval returns the interval of an "@every <duration>" spec (after
// an optional TZ=/CRON_TZ= prefix, as robfig/cron reads it). cron accepts
// "@every 0s" and "@every -5m" and silently runs them every second, so the
// caller checks the sign itself.
func everyInterval(spec string) (time.Duration, bool) {
	s := strings.TrimSpace(spec)
	if strings.HasPrefix(s, "TZ=") || strings.HasPrefix(s, "CRON_TZ=") {
		i := strings.Index(s, " ")
		if i < 0 {
			return 0, false
		}
		s = strings.TrimSpace(s[i:])
	}
	const every = "@every "
	if !strings.HasPrefix(s, every) {
		return 0, false
	}
	d, err := time.ParseDuration(s[len(every):])
	return d, err == nil
}

// parseListenAddr wants host:port with a numeric port in 0–65535 (0 = any
// free port). net.Listen would only refuse ":99999" at serve time, after the
// configuration was declared valid.
func parseListenAddr(p *problems, variable, value string) {
	_, port, err := net.SplitHostPort(value)
	if err != nil || port == "" {
		p.add(variable, "%q is not a host:port address (e.g. \":8080\")", value)
		return
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		p.add(variable, "%q: port %q is not a number from 0 to 65535", value, port)
	}
}

func required(p *problems, variable, value string) {
	if value == "" {
		p.add(variable, "missing (required)")
	}
}

// parseBaseURL accepts an absolute http(s) URL and drops trailing slashes so
// that clients can append paths. The value is not quoted in errors because a
// URL may carry userinfo.
func parseBaseURL(p *problems, variable, value string) string {
	u, err := url.Parse(value)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		p.add(variable, "not an absolute http(s) URL (e.g. https://api.example.com)")
		return ""
	}
	return strings.TrimRight(value, "/")
}

func parsePositiveInt(p *problems, variable, value string) int {
	n, err := strconv.Atoi(value)
	if err != nil {
		p.add(variable, "%q is not an integer", value)
		return 0
	}
	if n <= 0 {
		p.add(variable, "%q must be greater than zero", value)
		return 0
	}
	return n
}

func parseDuration(p *problems, variable, value string) (time.Duration, bool) {
	d, err := time.ParseDuration(value)
	if err != nil {
		p.add(variable, "%q is not a duration (e.g. 90s, 15m, 2h)", value)
		return 0, false
	}
	return d, true
}

// parseEnum accepts one of allowed, case-insensitively, and returns it in
// its canonical lower-case spelling.
func parseEnum(p *problems, variable, value string, allowed ...string) string {
	for _, a := range allowed {
		if strings.EqualFold(value, a) {
			return a
		}
	}
	p.add(variable, "%q is not one of %s", value, strings.Join(allowed, ", "))
	return ""
}

// parseBool is stricter than strconv.ParseBool: "t" or "maybe" in an env
// file is more likely a mistake than a decision, so only the common
// spellings pass. On error the default is returned alongside the problem.
func parseBool(p *problems, variable, value string, def bool) bool {
	switch strings.ToLower(value) {
	case "true", "1", "yes", "on":
		return true
	case "false", "0", "no", "off":
		return false
	}
	p.add(variable, "%q is not a boolean (true, false, 1, 0, yes, no, on, off)", value)
	return def
}
