package main

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/sethvargo/go-envconfig"

	"github.com/aircall-helpscout/aircall-helpscout/rules"
)

// Config is the whole validated configuration. It is built once by
// LoadConfig before any command touches an API, so that a typo fails fast
// with exit 2 instead of half a pass. The variables, their defaults and
// their rules are in the variables table (config_vars.go).
type Config struct {
	AircallAPIID, AircallAPIToken      string        // AIRCALL_API_ID, AIRCALL_API_TOKEN (required)
	AircallAPIURL                      string        // AIRCALL_API_URL
	AircallWebhookToken                string        // AIRCALL_WEBHOOK_TOKEN, required when any instance has LOG_MESSAGES=true
	AircallRequestsPerMinute           int           // AIRCALL_REQUESTS_PER_MINUTE, > 0
	HelpScoutAppID, HelpScoutAppSecret string        // HELPSCOUT_APP_ID, HELPSCOUT_APP_SECRET (required)
	HelpScoutAPIURL                    string        // HELPSCOUT_API_URL
	HelpScoutRequestsPerMinute         int           // HELPSCOUT_REQUESTS_PER_MINUTE, > 0
	DatabasePath                       string        // DATABASE_PATH
	Schedule                           string        // SCHEDULE (robfig/cron standard spec or descriptor)
	ListenAddr                         string        // LISTEN_ADDR
	Lookback                           time.Duration // LOOKBACK, > 0
	EnrichmentWait                     time.Duration // ENRICHMENT_WAIT, >= 0
	EnrichmentMaxAge                   time.Duration // ENRICHMENT_MAX_AGE, >= EnrichmentWait
	Retention                          time.Duration // RETENTION, > 0: webhook payloads of logged messages and pass records
	LogLevel                           string        // LOG_LEVEL debug|info|warn|error
	LogFormat                          string        // LOG_FORMAT json|text
	PublicURL                          string        // PUBLIC_URL: "" or https://host[:port], no trailing slash
	StatusPassword                     string        // STATUS_PASSWORD: "" = no /status pages; a secret
	HelpScoutSidebarSecret             string        // HELPSCOUT_SIDEBAR_SECRET: "" = no sidebar; a secret
	Instances                          []InstanceConfig

	instancesRaw     string // INSTANCES as written, split after the globals
	enrichmentWaitOK bool   // ENRICHMENT_WAIT parsed, so ENRICHMENT_MAX_AGE can be compared with it
}

// InstanceConfig is one Aircall-numbers → Help Scout-mailbox mapping. Its
// Name keys the ledger, so renaming an instance is a new instance (changing
// only its case is not: names are lower-cased).
type InstanceConfig struct {
	Name             string           // "default", or the INSTANCES entry in lower case
	Prefix           string           // "" or upper-cased name + "_", e.g. "PARTNERS_"
	MailboxID        int64            // HELPSCOUT_MAILBOX_ID, required, > 0
	Numbers          []NumberRef      // AIRCALL_NUMBERS, required; empty when AllNumbers
	AllNumbers       bool             // AIRCALL_NUMBERS=*
	ConversationMode rules.Mode       // CONVERSATION_MODE new|existing
	ReopenClosed     bool             // REOPEN_CLOSED
	Reassign         bool             // REASSIGN
	LogTranscripts   bool             // LOG_TRANSCRIPTS
	LogAIInsights    bool             // LOG_AI_INSIGHTS
	LogMessages      bool             // LOG_MESSAGES
	Duplicates       rules.Duplicates // DUPLICATES most_recent|skip
	SyncContacts     bool             // SYNC_CONTACTS
	DefaultRegion    string           // DEFAULT_REGION, "" = country of the Aircall number; else upper-case ISO 3166 alpha-2
	InsightCards     bool             // INSIGHT_CARDS: caller context in the Aircall app while a call rings

	numbersRaw string // AIRCALL_NUMBERS as written, parsed once DEFAULT_REGION is known
	regionOK   bool   // DEFAULT_REGION valid (or unset)
}

// NumberRef is one AIRCALL_NUMBERS entry: either an Aircall number ID or a
// phone number, which only the API can tie to each other.
type NumberRef struct {
	Raw  string // as written
	ID   int64  // set when the entry is an Aircall number ID
	E164 string // set when the entry is a phone number
}

const defaultInstanceName = "default"

// LoadConfig reads the global variables and every instance from lookup and
// validates them, driven by the variables table. It returns all problems
// joined with errors.Join, each one naming the variable (with its instance
// prefix) and what is wrong, and never quoting a secret. Empty or blank
// values count as unset, so an env file line "LOOKBACK=" falls back to the
// default instead of failing.
func LoadConfig(_ context.Context, lookup envconfig.Lookuper) (*Config, error) {
	if lookup == nil {
		return nil, errors.New("load config: nil lookuper")
	}
	l := trimmedLookuper{l: lookup}

	var p problems
	cfg := &Config{}
	for _, v := range varsOf(scopeGlobal) {
		v.global(&p, v.name, valueOf(l, v.name, v.def), cfg)
	}

	names, prefixes := parseInstanceNames(&p, cfg.instancesRaw)
	for i, name := range names {
		in := InstanceConfig{Name: name, Prefix: prefixes[i], regionOK: true}
		pl := envconfig.PrefixLookuper(prefixes[i], l)
		for _, v := range varsOf(scopeInstance) {
			v.instance(&p, prefixes[i]+v.name, valueOf(pl, v.name, v.def), &in)
		}
		if in.regionOK {
			in.Numbers, in.AllNumbers = parseNumbers(&p, in.Prefix+"AIRCALL_NUMBERS", in.numbersRaw, in.DefaultRegion)
		}
		cfg.Instances = append(cfg.Instances, in)
	}

	checkAcrossInstances(&p, cfg.Instances)
	checkWebhookToken(&p, cfg)
	p.hintQuotes(l.Lookup)
	p.hintDefaults(l.Lookup)

	if err := p.err(); err != nil {
		return nil, err
	}
	return cfg, nil
}

// valueOf is the variable's value, or its default when unset.
func valueOf(l envconfig.Lookuper, name, def string) string {
	if v, ok := l.Lookup(name); ok {
		return v
	}
	return def
}

// Instance finds an instance by name. Names are compared case-insensitively
// because their prefixes are upper-cased, so "Partners" and "partners" are
// the same instance (whose Name is "partners").
func (c *Config) Instance(name string) (InstanceConfig, bool) {
	for _, in := range c.Instances {
		if strings.EqualFold(in.Name, name) {
			return in, true
		}
	}
	return InstanceConfig{}, false
}

// InstanceNames lists the configured instance names in INSTANCES order, for
// error messages and help output.
func (c *Config) InstanceNames() []string {
	names := make([]string, len(c.Instances))
	for i, in := range c.Instances {
		names[i] = in.Name
	}
	return names
}

// trimmedLookuper trims values and reports blank ones as unset, so that
// defaults apply to "VAR=" lines and stray spaces in env files do not leak
// into values.
type trimmedLookuper struct{ l envconfig.Lookuper }

func (t trimmedLookuper) Lookup(key string) (string, bool) {
	v, ok := t.l.Lookup(key)
	v = strings.TrimSpace(v)
	if !ok || v == "" {
		return "", false
	}
	return v, true
}
