package main

import (
	"bufio"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/matryer/is"
)

// TestConfigExampleEnv keeps config.example.env honest: it must mention
// every variable LoadConfig reads, and, once the secrets and required values
// are filled in, load without problems and with the documented defaults.
func TestConfigExampleEnv(t *testing.T) {
	is := is.New(t)
	f, err := os.Open("../../config.example.env")
	is.NoErr(err)
	defer f.Close()

	active := map[string]string{}
	mentioned := map[string]bool{}
	varRE := regexp.MustCompile(`^#?([A-Z][A-Z0-9_]*)=(.*)$`)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		m := varRE.FindStringSubmatch(strings.TrimSpace(sc.Text()))
		if m == nil {
			continue
		}
		mentioned[m[1]] = true
		if !strings.HasPrefix(sc.Text(), "#") {
			active[m[1]] = m[2]
		}
	}
	is.NoErr(sc.Err())

	// The README's container recipe passes this file with --env-file: an
	// active DATABASE_PATH would override the image's /data path, and a
	// relative one lands outside the volume (the image's working directory
	// is /home/nonroot), losing the ledger with the container.
	if v, set := active["DATABASE_PATH"]; set && v != "" {
		t.Errorf("config.example.env sets DATABASE_PATH=%s; leave it commented out so the container's /data path applies", v)
	}

	full := with(baseEnv(), "LOOKBACK", "1h")
	cfg, err := load(t, full)
	is.NoErr(err)
	for name := range cfg.Redacted() {
		if !mentioned[name] {
			t.Errorf("config.example.env does not document %s", name)
		}
	}

	filled := with(active,
		"AIRCALL_API_ID", "id", "AIRCALL_API_TOKEN", "tok", "AIRCALL_WEBHOOK_TOKEN", "whk",
		"HELPSCOUT_APP_ID", "id", "HELPSCOUT_APP_SECRET", "sec",
		"HELPSCOUT_MAILBOX_ID", "1", "AIRCALL_NUMBERS", "12")
	got, err := load(t, filled)
	is.NoErr(err)
	def, err := load(t, baseEnv())
	is.NoErr(err)
	is.Equal(got.Schedule, def.Schedule) // example shows the defaults
	is.Equal(got.Lookback, def.Lookback)
	is.Equal(got.DatabasePath, def.DatabasePath)
	is.Equal(got.Instances[0].ConversationMode, def.Instances[0].ConversationMode)
	is.Equal(got.Instances[0].LogMessages, def.Instances[0].LogMessages)
}

// TestConfigExampleEnvComments pins the comments whose wording the
// configuration contract (README.md tables) fixes, so that the example cannot promise a different scope than the
// product has (REASSIGN once read "existing mode; also messages").
func TestConfigExampleEnvComments(t *testing.T) {
	tests := []struct {
		variable string
		want     []string // each must appear in the comment just above the variable
	}{
		{"REOPEN_CLOSED", []string{"(existing only) reopen a conversation closed less than 48 h before the call"}},
		{"REASSIGN", []string{
			"(existing only) assign the conversation to the Help Scout user whose email matches the Aircall agent",
			"applies to SMS and WhatsApp messages too", // REASSIGN applies to messages: docs/rules.md#reassign
		}},
	}
	data, err := os.ReadFile("../../config.example.env")
	if err != nil {
		t.Fatal(err)
	}
	comments := map[string]string{} // variable → its comment block, joined
	var block []string
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "# "):
			block = append(block, strings.TrimPrefix(line, "# "))
		case strings.Contains(line, "=") && !strings.HasPrefix(line, "#"):
			comments[strings.SplitN(line, "=", 2)[0]] = strings.Join(block, " ")
			block = nil
		default:
			block = nil
		}
	}
	for _, tt := range tests {
		t.Run(tt.variable, func(t *testing.T) {
			for _, w := range tt.want {
				if !strings.Contains(comments[tt.variable], w) {
					t.Errorf("comment of %s is %q, lacks %q", tt.variable, comments[tt.variable], w)
				}
			}
		})
	}
}
