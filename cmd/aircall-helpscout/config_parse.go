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

// parseSchedule checks a robfig/cron standard spec or descriptor.
func parseSchedule(p *problems, name, v string) string {
	if _, err := cron.ParseStandard(v); err != nil {
		p.add(name, "%q is not a valid cron spec (e.g. \"@every 5m\" or \"*/5 * * * *\"): %v", v, err)
	} else if d, ok := everyInterval(v); ok && d <= 0 {
		p.add(name, "%q: the interval must be greater than zero (e.g. \"@every 5m\")", v)
	}
	return v
}

// parseRegion reads DEFAULT_REGION: "" (the line's country) or an ISO 3166
// alpha-2 code the phone library knows, returned in upper case.
func parseRegion(p *problems, name, v string) (string, bool) {
	if v == "" {
		return "", true
	}
	region := strings.ToUpper(v)
	if len(region) != 2 || !rules.ValidRegion(region) {
		p.add(name, "%q is not an ISO 3166 alpha-2 country code known to the phone library (e.g. US, ES, FR)", v)
		return "", false
	}
	return region, true
}

// parsePublicURL reads PUBLIC_URL: unset, or an absolute https URL without
// path, query or credentials, because Aircall and Help Scout call
// <PUBLIC_URL>/webhooks/aircall and <PUBLIC_URL>/helpscout/sidebar and both
// refuse plain http for anything carrying customer data.
func parsePublicURL(p *problems, name, v string) string {
	if v == "" {
		return ""
	}
	u, err := url.Parse(v)
	switch {
	case err != nil || u.Host == "" || u.Opaque != "":
		p.add(name, "%q is not an absolute URL (e.g. https://calls.example.com)", v)
	case u.Scheme != "https":
		p.add(name, "%q must start with https:// (Aircall and Help Scout only call https URLs)", v)
	case u.User != nil:
		p.add(name, "must not contain credentials")
	case strings.Trim(u.Path, "/") != "" || u.RawQuery != "" || u.Fragment != "":
		p.add(name, "%q must be the base URL only, without path, query or fragment (e.g. https://calls.example.com)", v)
	default:
		return "https://" + u.Host
	}
	return ""
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
func parseEnum[T ~string](p *problems, variable, value string, allowed ...T) T {
	names := make([]string, len(allowed))
	for i, a := range allowed {
		if strings.EqualFold(value, string(a)) {
			return a
		}
		names[i] = string(a)
	}
	p.add(variable, "%q is not one of %s", value, strings.Join(names, ", "))
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
