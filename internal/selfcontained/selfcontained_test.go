package selfcontained

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/matryer/is"
)

// outside matches a reference to a document that is not in the repository:
// the specification by name or section sign, the API notes (the api folder's
// markdown files, by path or by name) and the shared folder beside the
// repository.
// The pattern is assembled from pieces so that this file does not match it.
var outside = regexp.MustCompile(strings.Join([]string{
	`\b` + "SP" + `EC\b`,
	"\u00a7",
	`\bapi/[a-z]+\.` + "md",
	`\b(aircall|helpscout)\.` + "md",
	`\.\./` + "shared",
	`/work/` + "shared",
}, "|"))

// TestNothingPointsOutsideTheRepository reads every tracked file (every file
// under the module root when git is not available) and fails on each line
// that cites a document outside the repository, naming file and line.
func TestNothingPointsOutsideTheRepository(t *testing.T) {
	is := is.New(t)
	root, err := filepath.Abs("../..")
	is.NoErr(err)
	_, err = os.Stat(filepath.Join(root, "go.mod"))
	is.NoErr(err) // the test runs two levels below the module root

	files := tracked(t, root)
	is.True(len(files) > 50) // the listing found the repository
	for _, rel := range files {
		b, err := os.ReadFile(filepath.Join(root, rel))
		if err != nil {
			if os.IsNotExist(err) {
				continue // deleted in the work tree, not yet committed
			}
			t.Fatalf("read %s: %v", rel, err)
		}
		if bytes.IndexByte(b, 0) >= 0 {
			continue // binary (images, fuzz corpora)
		}
		for i, line := range strings.Split(string(b), "\n") {
			if m := outside.FindString(line); m != "" {
				t.Errorf("%s:%d cites %q, which is outside the repository: state the reason here or point into docs/\n\t%s",
					rel, i+1, m, strings.TrimSpace(line))
			}
		}
	}
}

// tracked lists the repository's files relative to root: git's index when
// git can read it, else a walk that skips .git and the ignored data folder.
func tracked(t *testing.T, root string) []string {
	t.Helper()
	if _, err := exec.LookPath("git"); err == nil {
		cmd := exec.Command("git", "ls-files", "-z")
		cmd.Dir = root
		if out, err := cmd.Output(); err == nil && len(out) > 0 {
			return strings.Split(strings.TrimRight(string(out), "\x00"), "\x00")
		}
	}
	var files []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "data") {
			return filepath.SkipDir
		}
		if d.Type().IsRegular() {
			rel, _ := filepath.Rel(root, p)
			files = append(files, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walk %s: %v", root, err)
	}
	return files
}

// TestPatternCatchesEachForm keeps the pattern honest: each way the project
// used to cite outside documents is caught, ordinary words are not.
func TestPatternCatchesEachForm(t *testing.T) {
	cases := []struct {
		line string
		want bool
	}{
		{"// applies " + "SP" + "EC \u00a76 REASSIGN", true},
		{"// see \u00a75", true},
		{"// literally (api/help" + "scout.md)", true},
		{"// (air" + "call.md \u00a76.3 sources)", true},
		{"// copied from ../" + "shared/api/samples", true},
		{"// see docs/rules.md#reassign", false},
		{"// see docs/api-facts.md#aircall-calls", false},
		{"// SPECIAL offers and spectral analysis", false},
	}
	for _, c := range cases {
		t.Run(c.line, func(t *testing.T) {
			is := is.New(t)
			is.Equal(outside.MatchString(c.line), c.want)
		})
	}
}
