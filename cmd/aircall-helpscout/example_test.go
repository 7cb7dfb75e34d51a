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
