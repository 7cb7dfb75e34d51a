package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/matryer/is"
)

func TestAircallNumbersEntries(t *testing.T) {
	tests := []struct {
		entry, region string
		wantID        int64
		wantE164      string
		wantErr       string
	}{
		{entry: "123456", wantID: 123456},
		{entry: "1389850", wantID: 1389850},
		{entry: "id:12345678", wantID: 12345678},
		{entry: "ID: 612345678", wantID: 612345678},
		{entry: "+34 612 34 56 78", wantE164: "+34612345678"},
		{entry: "(+34) 612-345-678", wantE164: "+34612345678"},
		{entry: "0034612345678", wantE164: "+34612345678"},
		{entry: "0034 612 345 678", wantE164: "+34612345678"},
		{entry: "+1 617-610-5413", wantE164: "+16176105413"},
		{entry: "tel:+34612345678", wantE164: "+34612345678"},
		{entry: "tel:612345678", region: "ES", wantE164: "+34612345678"},
		{entry: "612 34 56 78", region: "ES", wantE164: "+34612345678"},
		{entry: "0612345678", region: "FR", wantE164: "+33612345678"},
		{entry: "612345678", wantErr: `"612345678" is ambiguous: write id:612345678 for an Aircall number ID, or the phone number with its country code`},
		{entry: "61234567", region: "ES", wantErr: "ambiguous"},
		{entry: "tel:612345678", wantErr: "has no country code"},
		{entry: "612 34 56 78", wantErr: "has no country code"},
		{entry: "id:abc", wantErr: "an id: entry must be a positive integer"},
		{entry: "id:0", wantErr: "an id: entry must be a positive integer"},
		{entry: "0", wantErr: "not a valid Aircall number ID"},
		{entry: "12a4", wantErr: "neither an Aircall number ID nor a phone number"},
	}
	for _, tt := range tests {
		t.Run(tt.entry+"/"+tt.region, func(t *testing.T) {
			is := is.New(t)
			var p problems
			ref, ok := parseNumberRef(&p, "AIRCALL_NUMBERS", tt.entry, tt.region)
			if tt.wantErr != "" {
				is.True(!ok)
				is.True(p.err() != nil && strings.Contains(p.err().Error(), tt.wantErr)) // the error says how to write it
				return
			}
			is.NoErr(p.err())
			is.True(ok)
			is.Equal(ref.ID, tt.wantID)
			is.Equal(ref.E164, tt.wantE164)
		})
	}
}

func TestUnknownVariables(t *testing.T) {
	tests := []struct {
		name  string
		env   map[string]string
		extra []string // names in the environment besides those of env
		want  []string
		none  bool
	}{
		{name: "typo after a known prefix", env: twoInstances(), extra: []string{"PARTNERS_CONVERSATON_MODE"},
			want: []string{"PARTNERS_CONVERSATON_MODE is not a variable of instance partners and is not read (did you mean PARTNERS_CONVERSATION_MODE?)"}},
		{name: "unknown suffix after a known prefix", env: twoInstances(), extra: []string{"PARTNERS_COLOUR"},
			want: []string{"PARTNERS_COLOUR is not a variable of instance partners and is not read"}},
		{name: "prefix not in INSTANCES", env: twoInstances(), extra: []string{"SALES_AIRCALL_NUMBERS"},
			want: []string{"SALES_AIRCALL_NUMBERS is not read: sales is not in INSTANCES (partners,support_es)"}},
		{name: "prefixed with INSTANCES unset", env: baseEnv(), extra: []string{"PARTNERS_HELPSCOUT_MAILBOX_ID"},
			want: []string{"PARTNERS_HELPSCOUT_MAILBOX_ID is not read: INSTANCES is unset"}},
		{name: "near miss of a global", env: baseEnv(), extra: []string{"HELPSCOUT_APP_SECRT"},
			want: []string{"HELPSCOUT_APP_SECRT is not a known variable and is not read (did you mean HELPSCOUT_APP_SECRET?)"}},
		{name: "unrelated variables are not ours", env: twoInstances(),
			extra: []string{"HOME", "PATH", "LANG", "GOPATH", "KUBERNETES_SERVICE_HOST", "HOSTNAME", "PARTNERSHIP_ID", "TZ", "SSL_CERT_FILE"}, none: true},
		{name: "a valid configuration", env: twoInstances(), none: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			cfg, err := load(t, tt.env)
			is.NoErr(err)
			var names []string
			for k := range tt.env {
				names = append(names, k)
			}
			ws := unknownVariables(cfg, append(names, tt.extra...))
			if tt.none {
				is.Equal(len(ws), 0) // no false positive
				return
			}
			got := strings.Join(ws, "\n")
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("warnings %q lack %q", got, w)
				}
			}
		})
	}
}

// TestStartupWarnsAboutUnknownVariables: run logs the warning (check
// prints it too, through the same function).
func TestStartupWarnsAboutUnknownVariables(t *testing.T) {
	is := is.New(t)
	f := newFakes(t)
	vars := with(f.vars, "CONVERSATON_MODE_TYPO_HELPSCOUT_MAILBOX_ID", "1")
	old := environNames
	t.Cleanup(func() { environNames = old })
	environNames = func() []string {
		var ns []string
		for k := range vars {
			ns = append(ns, k)
		}
		return ns
	}
	r := runCmd(context.Background(), vars, "run")
	is.Equal(r.code, 0)
	is.True(strings.Contains(r.stderr, "CONVERSATON_MODE_TYPO_HELPSCOUT_MAILBOX_ID is not read: INSTANCES is unset"))
}

func TestNewVariables(t *testing.T) {
	is := is.New(t)
	cfg, err := load(t, baseEnv())
	is.NoErr(err)
	is.Equal(cfg.Retention, 90*24*time.Hour)
	is.Equal(cfg.PublicURL, "")
	is.Equal(cfg.StatusPassword, "")
	is.Equal(cfg.HelpScoutSidebarSecret, "")
	is.True(cfg.Instances[0].InsightCards)

	cfg, err = load(t, with(baseEnv(), "RETENTION", "720h", "PUBLIC_URL", "https://calls.example.com/",
		"STATUS_PASSWORD", "pw-SECRET-1", "HELPSCOUT_SIDEBAR_SECRET", "sb-SECRET-2", "INSIGHT_CARDS", "false"))
	is.NoErr(err)
	is.Equal(cfg.Retention, 30*24*time.Hour)
	is.Equal(cfg.PublicURL, "https://calls.example.com")
	is.Equal(cfg.StatusPassword, "pw-SECRET-1")
	is.Equal(cfg.HelpScoutSidebarSecret, "sb-SECRET-2")
	is.True(!cfg.Instances[0].InsightCards)
	var b strings.Builder
	is.NoErr(cfg.WriteRedacted(&b))
	if strings.Contains(b.String(), "-SECRET") {
		t.Fatalf("secret printed: %s", b.String())
	}

	is.True(strings.Contains(b.String(), "STATUS_PASSWORD=<redacted>\n"))
	is.True(strings.Contains(b.String(), "RETENTION=30d\n"))

	bad := []struct{ name, value, want string }{
		{"RETENTION", "0d", "must be greater than zero"},
		{"RETENTION", "3 months", "neither a number of days"},
		{"PUBLIC_URL", "http://calls.example.com", "must start with https://"},
		{"PUBLIC_URL", "https://calls.example.com/aircall", "without path"},
		{"PUBLIC_URL", "calls.example.com", "not an absolute URL"},
		{"PUBLIC_URL", "https://u:pw-SECRET@calls.example.com", "must not contain credentials"},
		{"INSIGHT_CARDS", "maybe", "is not a boolean"},
	}
	for _, tt := range bad {
		_, err := load(t, with(baseEnv(), tt.name, tt.value))
		is.True(err != nil && strings.Contains(err.Error(), tt.name+": ") && strings.Contains(err.Error(), tt.want))
		is.True(!strings.Contains(err.Error(), "-SECRET"))
	}
}
