package main

import (
	"fmt"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// redactedValue stands in for every secret that is set: `check` and logs
// show that a secret is present, never what it is.
const redactedValue = "<redacted>"

// Redacted returns the effective configuration keyed by environment
// variable name (instance variables with their prefix), with secrets masked
// and account identifiers shortened, so that `check` can print it and an
// operator can paste it into a bug report.
func (c *Config) Redacted() map[string]string {
	m := map[string]string{
		"AIRCALL_API_ID":                maskID(c.AircallAPIID),
		"AIRCALL_API_TOKEN":             maskSecret(c.AircallAPIToken),
		"AIRCALL_API_URL":               redactURL(c.AircallAPIURL),
		"AIRCALL_WEBHOOK_TOKEN":         maskSecret(c.AircallWebhookToken),
		"AIRCALL_REQUESTS_PER_MINUTE":   strconv.Itoa(c.AircallRequestsPerMinute),
		"HELPSCOUT_APP_ID":              maskID(c.HelpScoutAppID),
		"HELPSCOUT_APP_SECRET":          maskSecret(c.HelpScoutAppSecret),
		"HELPSCOUT_API_URL":             redactURL(c.HelpScoutAPIURL),
		"HELPSCOUT_REQUESTS_PER_MINUTE": strconv.Itoa(c.HelpScoutRequestsPerMinute),
		"DATABASE_PATH":                 c.DatabasePath,
		"SCHEDULE":                      c.Schedule,
		"LISTEN_ADDR":                   c.ListenAddr,
		"LOOKBACK":                      c.Lookback.String(),
		"ENRICHMENT_WAIT":               c.EnrichmentWait.String(),
		"ENRICHMENT_MAX_AGE":            c.EnrichmentMaxAge.String(),
		"LOG_LEVEL":                     c.LogLevel,
		"LOG_FORMAT":                    c.LogFormat,
	}
	var names []string
	for _, in := range c.Instances {
		if in.Prefix != "" {
			names = append(names, in.Name)
		}
		v := func(s string) string { return in.Prefix + s }
		m[v("HELPSCOUT_MAILBOX_ID")] = strconv.FormatInt(in.MailboxID, 10)
		m[v("AIRCALL_NUMBERS")] = numbersString(in)
		m[v("CONVERSATION_MODE")] = in.ConversationMode
		m[v("REOPEN_CLOSED")] = strconv.FormatBool(in.ReopenClosed)
		m[v("REASSIGN")] = strconv.FormatBool(in.Reassign)
		m[v("LOG_TRANSCRIPTS")] = strconv.FormatBool(in.LogTranscripts)
		m[v("LOG_AI_INSIGHTS")] = strconv.FormatBool(in.LogAIInsights)
		m[v("LOG_MESSAGES")] = strconv.FormatBool(in.LogMessages)
		m[v("DUPLICATES")] = in.Duplicates
		m[v("SYNC_CONTACTS")] = strconv.FormatBool(in.SyncContacts)
		m[v("DEFAULT_REGION")] = in.DefaultRegion
	}
	m["INSTANCES"] = strings.Join(names, ",")
	return m
}

// numbersString renders an instance's numbers canonically (IDs as written,
// phones in E.164).
func numbersString(in InstanceConfig) string {
	if in.AllNumbers {
		return "*"
	}
	parts := make([]string, len(in.Numbers))
	for i, n := range in.Numbers {
		if n.E164 != "" {
			parts[i] = n.E164
		} else {
			parts[i] = strconv.FormatInt(n.ID, 10)
		}
	}
	return strings.Join(parts, ",")
}

func maskSecret(s string) string {
	if s == "" {
		return ""
	}
	return redactedValue
}

// maskID keeps a short head of an account identifier: enough to tell two
// accounts apart, not enough to be half of a credential.
func maskID(s string) string {
	const keep = 4
	if s == "" {
		return ""
	}
	if len(s) <= 2*keep {
		return redactedValue
	}
	return s[:keep] + "…"
}

func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return redactedValue
	}
	return u.Redacted()
}

// WriteRedacted prints Redacted as sorted VAR=value lines, the form `check`
// shows and an operator can compare with their env file.
func (c *Config) WriteRedacted(w io.Writer) error {
	m := c.Redacted()
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if _, err := fmt.Fprintf(w, "%s=%s\n", k, m[k]); err != nil {
			return fmt.Errorf("write config: %w", err)
		}
	}
	return nil
}
