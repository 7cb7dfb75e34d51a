package main

import (
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/matryer/is"
)

var update = flag.Bool("update", false, "rewrite README.md's variable tables and config.example.env from the variables table")

// TestConfigDocs: README's variable tables and config.example.env are
// exactly what the variables table generates, so a variable added, renamed
// or given another default cannot be documented differently from how it is
// read.
func TestConfigDocs(t *testing.T) {
	is := is.New(t)
	example := filepath.Join("..", "..", "config.example.env")
	readme := filepath.Join("..", "..", "README.md")
	rd, err := os.ReadFile(readme)
	is.NoErr(err)
	doc := string(rd)
	for _, s := range []varScope{scopeGlobal, scopeInstance} {
		begin, end := readmeMarkers(s)
		var ok bool
		doc, ok = replaceBetween(doc, begin, end, readmeTable(s))
		is.True(ok) // README has the markers of both tables
	}
	if *update {
		is.NoErr(os.WriteFile(example, []byte(exampleEnv()), 0o644))
		is.NoErr(os.WriteFile(readme, []byte(doc), 0o644))
	}
	ex, err := os.ReadFile(example)
	is.NoErr(err)
	if string(ex) != exampleEnv() {
		t.Errorf("config.example.env differs from the variables table: run go test ./cmd/aircall-helpscout -run TestConfigDocs -update")
	}
	if string(rd) != doc && !*update {
		t.Errorf("README.md's variable tables differ from the variables table: run go test ./cmd/aircall-helpscout -run TestConfigDocs -update")
	}
}

// TestVariablesTable: every variable parses and shows, names are unique,
// and the Config struct's documented variables are all in the table.
func TestVariablesTable(t *testing.T) {
	is := is.New(t)
	var names []string
	for _, v := range variables {
		is.True(v.show != nil)
		is.True((v.scope == scopeGlobal) == (v.global != nil))
		is.True((v.scope == scopeInstance) == (v.instance != nil))
		is.True(v.doc != "")
		is.True(v.def == "" || v.defDoc == "") // one default column
		names = append(names, v.name)
	}
	slices.Sort(names)
	is.Equal(len(slices.Compact(names)), len(variables)) // no name twice
	for _, want := range []string{"PUBLIC_URL", "STATUS_PASSWORD", "HELPSCOUT_SIDEBAR_SECRET", "RETENTION", "INSIGHT_CARDS"} {
		_, ok := lookupVar(want)
		is.True(ok)
	}
	for _, secret := range []string{"AIRCALL_API_TOKEN", "HELPSCOUT_APP_SECRET", "AIRCALL_WEBHOOK_TOKEN", "STATUS_PASSWORD", "HELPSCOUT_SIDEBAR_SECRET"} {
		v, _ := lookupVar(secret)
		is.True(v.secret) // never printed
	}
	is.True(strings.Contains(exampleEnv(), "\nRETENTION=90d\n"))
}
