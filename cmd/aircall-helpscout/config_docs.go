package main

import (
	"fmt"
	"strings"
)

// The README's variable tables and config.example.env are generated from
// the variables table, so that a variable, its default and its meaning are
// written once. TestConfigDocs fails when the files differ from what these
// functions produce; `go test ./cmd/aircall-helpscout -run TestConfigDocs
// -update` rewrites them.

const exampleEnvHeader = `# aircall-helpscout configuration (environment variables).
# Generated from the variables table in cmd/aircall-helpscout/config_vars.go:
# edit it there, then run go test ./cmd/aircall-helpscout -run TestConfigDocs -update
#
# Copy to config.env, fill in the secrets, and pass it with
#   docker run --env-file config.env ...   (or docker compose: docker-compose.yml reads config.env)
# (Docker takes each value verbatim: no quotes. If you source the file from
# a shell instead, quote values that contain spaces, e.g. SCHEDULE="@every 5m".)
# Empty values count as unset: the default applies.
# ` + "`aircall-helpscout check`" + ` validates everything and prints it with secrets masked.
`

// exampleSectionIntro is written under a section's heading.
var exampleSectionIntro = map[string]string{
	"Per instance (prefix if INSTANCES)": "Read as written only when INSTANCES is unset. With INSTANCES set, the lines\n" +
		"below are not read at all (not even as defaults): write each setting with\n" +
		"its instance prefix, as in the example at the end (`check` warns about an\n" +
		"unprefixed one set to anything but its default).",
}

const exampleEnvFooter = `
# Booleans accept true/false, 1/0, yes/no, on/off.

# Example of two instances, partners and support_es (uncomment together with
# INSTANCES above; the unprefixed per-instance lines are then ignored):
#PARTNERS_HELPSCOUT_MAILBOX_ID=123456
#PARTNERS_AIRCALL_NUMBERS=111111,+33 1 23 45 67 89
#PARTNERS_CONVERSATION_MODE=existing
#SUPPORT_ES_HELPSCOUT_MAILBOX_ID=654321
#SUPPORT_ES_AIRCALL_NUMBERS=612 34 56 78
#SUPPORT_ES_DEFAULT_REGION=ES
`

// exampleEnv renders config.example.env.
func exampleEnv() string {
	var b strings.Builder
	b.WriteString(exampleEnvHeader)
	for _, v := range variables {
		if v.section != "" {
			title := " " + v.section
			fmt.Fprintf(&b, "\n# %s%s\n", strings.Repeat("-", max(3, 73-len(title))), title)
			writeComment(&b, exampleSectionIntro[v.section])
		}
		writeComment(&b, v.comment)
		val := v.example
		if val == "" {
			val = v.def
		}
		if v.commented {
			b.WriteString("#")
		}
		fmt.Fprintf(&b, "%s=%s\n", v.name, val)
	}
	b.WriteString(exampleEnvFooter)
	return b.String()
}

func writeComment(b *strings.Builder, text string) {
	if text == "" {
		return
	}
	for _, line := range strings.Split(text, "\n") {
		fmt.Fprintf(b, "# %s\n", line)
	}
}

// readmeTable renders the README's table of one scope's variables.
func readmeTable(s varScope) string {
	var b strings.Builder
	b.WriteString("| variable | default | meaning |\n|---|---|---|\n")
	for _, v := range varsOf(s) {
		def := v.defDoc
		if def == "" {
			def = "`" + v.def + "`"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", v.name, def, v.doc)
	}
	return b.String()
}

// readmeMarkers delimit the generated tables in README.md.
func readmeMarkers(s varScope) (begin, end string) {
	name := "global"
	if s == scopeInstance {
		name = "instance"
	}
	return "<!-- variables:" + name + " (generated: edit cmd/aircall-helpscout/config_vars.go) -->\n",
		"<!-- /variables:" + name + " -->\n"
}

// replaceBetween returns doc with the text between begin and end replaced
// by body, and false when a marker is missing.
func replaceBetween(doc, begin, end, body string) (string, bool) {
	i := strings.Index(doc, begin)
	j := strings.Index(doc, end)
	if i < 0 || j < i {
		return doc, false
	}
	return doc[:i+len(begin)] + body + doc[j:], true
}
