package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sethvargo/go-envconfig"
)

// Config is the whole validated configuration (SPEC §3). It is built once by
// LoadConfig before any command touches an API, so that a typo fails fast
// with exit 2 instead of half a pass.
type Config struct {
	AircallAPIID, AircallAPIToken      string        // AIRCALL_API_ID, AIRCALL_API_TOKEN (required)
	AircallAPIURL                      string        // AIRCALL_API_URL, default https://api.aircall.io
	AircallWebhookToken                string        // AIRCALL_WEBHOOK_TOKEN, required when any instance has LOG_MESSAGES=true
	AircallRequestsPerMinute           int           // AIRCALL_REQUESTS_PER_MINUTE, default 50, >0
	HelpScoutAppID, HelpScoutAppSecret string        // HELPSCOUT_APP_ID, HELPSCOUT_APP_SECRET (required)
	HelpScoutAPIURL                    string        // HELPSCOUT_API_URL default https://api.helpscout.net
	HelpScoutRequestsPerMinute         int           // HELPSCOUT_REQUESTS_PER_MINUTE default 200, >0
	DatabasePath                       string        // DATABASE_PATH default ./data/aircall-helpscout.db
	Schedule                           string        // SCHEDULE default "@every 5m" (robfig/cron standard spec or descriptor)
	ListenAddr                         string        // LISTEN_ADDR default ":8080"
	Lookback                           time.Duration // LOOKBACK default 2h, >0
	EnrichmentWait                     time.Duration // ENRICHMENT_WAIT default 15m, >=0
	EnrichmentMaxAge                   time.Duration // ENRICHMENT_MAX_AGE default 24h, >= EnrichmentWait
	LogLevel                           string        // LOG_LEVEL default info (debug|info|warn|error)
	LogFormat                          string        // LOG_FORMAT default json (json|text)
	Instances                          []InstanceConfig
}

// InstanceConfig is one Aircall-numbers → Help Scout-mailbox mapping. Its
// Name keys the ledger, so renaming an instance is a new instance (changing
// only its case is not: names are lower-cased).
type InstanceConfig struct {
	Name             string      // "default", or the INSTANCES entry in lower case
	Prefix           string      // "" or upper-cased name + "_", e.g. "PARTNERS_"
	MailboxID        int64       // HELPSCOUT_MAILBOX_ID, required, > 0
	Numbers          []NumberRef // AIRCALL_NUMBERS, required; empty when AllNumbers
	AllNumbers       bool        // AIRCALL_NUMBERS=*
	ConversationMode string      // CONVERSATION_MODE new|existing, default new
	ReopenClosed     bool        // REOPEN_CLOSED default false
	Reassign         bool        // REASSIGN default false
	LogTranscripts   bool        // LOG_TRANSCRIPTS default true
	LogAIInsights    bool        // LOG_AI_INSIGHTS default true
	LogMessages      bool        // LOG_MESSAGES default true
	Duplicates       string      // DUPLICATES most_recent|skip, default most_recent
	SyncContacts     bool        // SYNC_CONTACTS default true
	DefaultRegion    string      // DEFAULT_REGION, "" = country of the Aircall number; else upper-case ISO 3166 alpha-2
}

// NumberRef is one AIRCALL_NUMBERS entry: either an Aircall number ID or a
// phone number, which only the API can tie to each other.
type NumberRef struct {
	Raw  string // as written
	ID   int64  // set when the entry is an Aircall number ID
	E164 string // set when the entry is a phone number
}

// Conversation modes and duplicate policies accepted in the configuration.
const (
	ModeNew      = "new"
	ModeExisting = "existing"

	DuplicatesMostRecent = "most_recent"
	DuplicatesSkip       = "skip"

	defaultInstanceName = "default"
)

// rawGlobal and rawInstance receive every variable as a string so that
// envconfig never stops at the first bad value: LoadConfig then parses and
// validates each one itself and reports all problems together.
type rawGlobal struct {
	AircallAPIID        string `env:"AIRCALL_API_ID"`
	AircallAPIToken     string `env:"AIRCALL_API_TOKEN"`
	AircallAPIURL       string `env:"AIRCALL_API_URL, default=https://api.aircall.io"`
	AircallWebhookToken string `env:"AIRCALL_WEBHOOK_TOKEN"`
	AircallRPM          string `env:"AIRCALL_REQUESTS_PER_MINUTE, default=50"`
	HelpScoutAppID      string `env:"HELPSCOUT_APP_ID"`
	HelpScoutAppSecret  string `env:"HELPSCOUT_APP_SECRET"`
	HelpScoutAPIURL     string `env:"HELPSCOUT_API_URL, default=https://api.helpscout.net"`
	HelpScoutRPM        string `env:"HELPSCOUT_REQUESTS_PER_MINUTE, default=200"`
	DatabasePath        string `env:"DATABASE_PATH, default=./data/aircall-helpscout.db"`
	Schedule            string `env:"SCHEDULE, default=@every 5m"`
	ListenAddr          string `env:"LISTEN_ADDR, default=:8080"`
	Lookback            string `env:"LOOKBACK, default=2h"`
	EnrichmentWait      string `env:"ENRICHMENT_WAIT, default=15m"`
	EnrichmentMaxAge    string `env:"ENRICHMENT_MAX_AGE, default=24h"`
	LogLevel            string `env:"LOG_LEVEL, default=info"`
	LogFormat           string `env:"LOG_FORMAT, default=json"`
	Instances           string `env:"INSTANCES"`
}

type rawInstance struct {
	MailboxID        string `env:"HELPSCOUT_MAILBOX_ID"`
	Numbers          string `env:"AIRCALL_NUMBERS"`
	ConversationMode string `env:"CONVERSATION_MODE, default=new"`
	ReopenClosed     string `env:"REOPEN_CLOSED, default=false"`
	Reassign         string `env:"REASSIGN, default=false"`
	LogTranscripts   string `env:"LOG_TRANSCRIPTS, default=true"`
	LogAIInsights    string `env:"LOG_AI_INSIGHTS, default=true"`
	LogMessages      string `env:"LOG_MESSAGES, default=true"`
	Duplicates       string `env:"DUPLICATES, default=most_recent"`
	SyncContacts     string `env:"SYNC_CONTACTS, default=true"`
	DefaultRegion    string `env:"DEFAULT_REGION"`
}

// LoadConfig reads the global variables and every instance from lookup and
// validates them. It returns all problems joined with errors.Join, each one
// naming the variable (with its instance prefix) and what is wrong, and never
// quoting a secret. Empty or blank values count as unset, so an env file line
// "LOOKBACK=" falls back to the default instead of failing.
func LoadConfig(ctx context.Context, lookup envconfig.Lookuper) (*Config, error) {
	if lookup == nil {
		return nil, errors.New("load config: nil lookuper")
	}
	l := trimmedLookuper{l: lookup}

	var rg rawGlobal
	if err := envconfig.ProcessWith(ctx, &envconfig.Config{Target: &rg, Lookuper: l}); err != nil {
		return nil, fmt.Errorf("load config: %w", err)
	}
	var p problems
	cfg := parseGlobal(&p, rg)

	names, prefixes := parseInstanceNames(&p, rg.Instances)
	for i, name := range names {
		var ri rawInstance
		err := envconfig.ProcessWith(ctx, &envconfig.Config{
			Target:   &ri,
			Lookuper: envconfig.PrefixLookuper(prefixes[i], l),
		})
		if err != nil {
			return nil, fmt.Errorf("load config: instance %q: %w", name, err)
		}
		cfg.Instances = append(cfg.Instances, parseInstance(&p, name, prefixes[i], ri))
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
