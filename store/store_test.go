package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/matryer/is"
)

func TestOpenCreatesPrivateFiles(t *testing.T) {
	is := is.New(t)
	dir := filepath.Join(t.TempDir(), "nested", "data")
	path := filepath.Join(dir, "x.db")
	s, _ := openAt(t, path)
	is.NoErr(s.AdvanceCursor(context.Background(), "default", StreamCalls, 1)) // forces WAL files to exist

	st, err := os.Stat(path)
	is.NoErr(err)
	is.Equal(st.Mode().Perm(), os.FileMode(0o600)) // database file
	dst, err := os.Stat(dir)
	is.NoErr(err)
	is.Equal(dst.Mode().Perm(), os.FileMode(0o700)) // parent dir
	for _, side := range []string{"-wal", "-shm"} {
		st, err := os.Stat(path + side)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		is.NoErr(err)
		is.Equal(st.Mode().Perm(), os.FileMode(0o600)) // sidecar
	}
	is.Equal(s.Path(), path)
}

func TestOpenSetsPragmas(t *testing.T) {
	is := is.New(t)
	s, _ := openTemp(t)
	ctx := context.Background()
	for _, db := range []struct {
		name string
		q    func(string) (string, error)
	}{
		{"writer", func(p string) (string, error) { var v string; return v, s.w.QueryRowContext(ctx, "PRAGMA "+p).Scan(&v) }},
		{"reader", func(p string) (string, error) { var v string; return v, s.r.QueryRowContext(ctx, "PRAGMA "+p).Scan(&v) }},
	} {
		for p, want := range map[string]string{"journal_mode": "wal", "foreign_keys": "1", "busy_timeout": "10000", "synchronous": "1"} {
			got, err := db.q(p)
			is.NoErr(err)
			is.Equal(got, want) // pragma on every pool
		}
	}
	// The reader pool must refuse writes.
	_, err := s.r.ExecContext(ctx, `INSERT INTO anonymous_customers (instance, customer_id, updated_at) VALUES ('a', 1, 1)`)
	is.True(err != nil && strings.Contains(err.Error(), "readonly database"))
}

func TestReopenKeepsDataAndSkipsMigrations(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "r.db")

	s, _ := openAt(t, path)
	is.NoErr(s.AdvanceCursor(ctx, "default", StreamCalls, 42))
	is.NoErr(s.PutItem(ctx, item("c1", StateLogged, t0)))
	migrated := migrationRows(t, s)
	is.NoErr(s.Close())

	s2, clock := openAt(t, path)
	clock.Add(time.Hour) // a re-applied migration would carry a new applied_at
	v, ok, err := s2.Cursor(ctx, "default", StreamCalls)
	is.NoErr(err)
	is.True(ok)
	is.Equal(v, int64(42))
	_, ok, err = s2.GetItem(ctx, "default", KindCall, "c1")
	is.NoErr(err)
	is.True(ok)
	is.Equal(migrationRows(t, s2), migrated) // same versions, same applied_at

	ms, err := loadMigrations()
	is.NoErr(err)
	is.Equal(len(migrated), len(ms)) // every embedded migration recorded once
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	is := is.New(t)
	path := filepath.Join(t.TempDir(), "n.db")
	s, _ := openAt(t, path)
	_, err := s.w.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, '9999_future.sql', 0)`)
	is.NoErr(err)
	is.NoErr(s.Close())
	_, err = Open(context.Background(), path, Options{})
	is.True(err != nil && strings.Contains(err.Error(), "schema version 9999 is newer than this program knows")) // a binary must not run on a schema it does not know
}

func migrationRows(t *testing.T, s *Store) map[int]int64 {
	t.Helper()
	rows, err := s.r.Query(`SELECT version, applied_at FROM schema_migrations`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int]int64{}
	for rows.Next() {
		var v int
		var at int64
		if err := rows.Scan(&v, &at); err != nil {
			t.Fatal(err)
		}
		out[v] = at
	}
	return out
}

func TestLockPasses(t *testing.T) {
	is := is.New(t)
	s, _ := openTemp(t)

	unlock, err := s.LockPasses()
	is.NoErr(err)
	_, err = s.LockPasses()
	is.True(errors.Is(err, ErrLocked)) // second holder refused

	st, err := os.Stat(s.Path() + ".lock")
	is.NoErr(err)
	is.Equal(st.Mode().Perm(), os.FileMode(0o600))

	is.NoErr(unlock())
	is.NoErr(unlock()) // idempotent
	unlock2, err := s.LockPasses()
	is.NoErr(err) // free again after unlock
	is.NoErr(unlock2())
}

func TestCursorMonotonic(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	s, _ := openTemp(t)

	_, ok, err := s.Cursor(ctx, "default", StreamCalls)
	is.NoErr(err)
	is.True(!ok) // no cursor before the first pass

	steps := []struct {
		instance, stream string
		advance, want    int64
	}{
		{"default", StreamCalls, 100, 100},
		{"default", StreamCalls, 50, 100}, // never backwards
		{"default", StreamCalls, 200, 200},
		{"default", StreamMessages, 7, 7}, // streams independent
		{"other", StreamCalls, 1, 1},      // instances independent
		{"default", StreamCalls, 200, 200},
	}
	for _, st := range steps {
		is.NoErr(s.AdvanceCursor(ctx, st.instance, st.stream, st.advance))
		v, ok, err := s.Cursor(ctx, st.instance, st.stream)
		is.NoErr(err)
		is.True(ok)
		is.Equal(v, st.want)
	}
}

// A failing migration leaves nothing behind: neither its first statements
// nor its record, so the next start retries it whole.
func TestFailedMigrationRollsBack(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	s, _ := openTemp(t)
	before := migrationRows(t, s)

	bad := migration{version: 900, name: "900_bad.sql", sql: `CREATE TABLE half (x INTEGER); INSERT INTO nowhere VALUES (1);`}
	good := migration{version: 901, name: "901_after.sql", sql: `CREATE TABLE after (x INTEGER);`}
	err := s.applyMigrations(ctx, []migration{bad, good})
	is.True(err != nil && strings.Contains(err.Error(), "apply migration 900_bad.sql") && strings.Contains(err.Error(), "no such table: nowhere"))
	is.True(strings.Contains(err.Error(), "900_bad.sql")) // names the migration

	var n int
	is.NoErr(s.r.QueryRow(`SELECT count(*) FROM sqlite_master WHERE name IN ('half', 'after')`).Scan(&n))
	is.Equal(n, 0)                        // rolled back, and later ones not run
	is.Equal(migrationRows(t, s), before) // not recorded

	fixed := migration{version: 900, name: "900_bad.sql", sql: `CREATE TABLE half (x INTEGER);`}
	is.NoErr(s.applyMigrations(ctx, []migration{fixed, good}))
	is.NoErr(s.applyMigrations(ctx, []migration{fixed, good})) // idempotent
	is.Equal(len(migrationRows(t, s)), len(before)+2)
}

// DATABASE_PATH is free text: relative paths and URI-special characters
// must land in exactly the named file.
func TestOpenOddPaths(t *testing.T) {
	is := is.New(t)
	t.Chdir(t.TempDir())
	for _, p := range []string{"data/rel.db", "./dot/dot.db", "sp ace/a#b?c%20.db"} {
		s, err := Open(context.Background(), p, Options{})
		is.NoErr(err)
		is.NoErr(s.AdvanceCursor(context.Background(), "default", StreamCalls, 1))
		is.NoErr(s.Close())
		st, err := os.Stat(p)
		is.NoErr(err)
		is.True(st.Size() > 0) // schema written to the named file, not a mangled one
		entries, err := os.ReadDir(filepath.Dir(p))
		is.NoErr(err)
		for _, e := range entries {
			name := e.Name()
			is.True(strings.HasPrefix(name, filepath.Base(p))) // no stray files
		}
	}
}
