// Package store keeps the reconciler's state in one SQLite file: cursors, the
// ledger of processed items, write intents, caches, the webhook inbox and pass
// history. No SQL lives outside this package.
//
// Concurrency model (as in litestream): the database runs in WAL mode and the
// Store holds two connection pools on the same file. All writes go through a
// single-connection pool whose transactions begin IMMEDIATE, so writers in this
// process queue in Go instead of failing with SQLITE_BUSY, and writers in other
// processes wait on busy_timeout. Reads go through a multi-connection,
// query-only pool and never block on, nor are blocked by, the writer.
//
// Times are stored as Unix seconds in UTC and come back as UTC time.Time
// truncated to the second; the zero time.Time is stored as 0 and comes back as
// the zero value.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// ErrLocked is returned by LockPasses when another process holds the pass lock.
var ErrLocked = errors.New("store: another process is running passes on this database")

// Store is the SQLite-backed state. It is safe for concurrent use.
type Store struct {
	path string
	w    *sql.DB // writer: one connection, BEGIN IMMEDIATE
	r    *sql.DB // readers: several connections, query_only
	ws   *stmtCache
	rs   *stmtCache

	// clock stamps CreatedAt/UpdatedAt and decides expiry (late insights).
	clock func() time.Time
}

// Options tune Open. The zero value is what production uses.
type Options struct {
	// Now is the one clock of the process: the store stamps rows and decides
	// expiry with it, and the reconciler is given the same function, so that
	// a fake clock in tests (or a catch-up) moves both together. Default
	// time.Now.
	Now func() time.Time
}

// Open creates (if needed) and opens the database at path, applying any
// pending migrations. The parent directory is created 0700 and the file 0600,
// because the ledger holds customer phone numbers.
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	if path == "" {
		return nil, errors.New("store: empty database path")
	}
	if err := ensureFile(path); err != nil {
		return nil, err
	}
	w, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		return nil, fmt.Errorf("store: open writer: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxIdleTime(0)
	w.SetConnMaxLifetime(0)

	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Store{path: path, w: w, ws: newStmtCache(w), clock: opts.Now}
	if err := w.PingContext(ctx); err != nil {
		_ = w.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	if err := s.migrate(ctx); err != nil {
		_ = w.Close()
		return nil, err
	}
	if err := s.ws.warm(ctx, txQueries...); err != nil {
		_ = w.Close()
		return nil, fmt.Errorf("store: prepare: %w", err)
	}
	restrictSidecars(path)

	n := max(4, runtime.NumCPU())
	r, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		_ = w.Close()
		return nil, fmt.Errorf("store: open readers: %w", err)
	}
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	s.r, s.rs = r, newStmtCache(r)
	return s, nil
}

// Close closes both pools. It does not release a pass lock.
func (s *Store) Close() error {
	var errs []error
	for _, c := range []*stmtCache{s.rs, s.ws} {
		if c != nil {
			c.close()
		}
	}
	if s.r != nil {
		errs = append(errs, s.r.Close())
	}
	if s.w != nil {
		// Cheap, and keeps query plans good for long-lived databases.
		_, _ = s.w.Exec("PRAGMA optimize")
		errs = append(errs, s.w.Close())
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("store: close: %w", err)
	}
	return nil
}

// Path is the database file path given to Open.
func (s *Store) Path() string { return s.path }

// dsn builds the modernc.org/sqlite URI. Pragmas go in the DSN so that every
// pooled connection gets them, not just the first.
func dsn(path string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Set("_txlock", "immediate")
	}
	u := url.URL{Scheme: "file", OmitHost: true, Path: path, RawQuery: q.Encode()}
	return u.String()
}

// ensureFile creates the parent directory (0700) and an empty database file
// (0600) so that SQLite never creates it with the process umask.
func ensureFile(path string) error {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("store: create directory: %w", err)
		}
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	switch {
	case errors.Is(err, os.ErrExist):
		return nil
	case err != nil:
		return fmt.Errorf("store: create database file: %w", err)
	}
	if err := f.Chmod(0o600); err != nil { // umask may have narrowed nothing, but be explicit
		_ = f.Close()
		return fmt.Errorf("store: chmod database file: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("store: create database file: %w", err)
	}
	return nil
}

// restrictSidecars narrows the WAL and shared-memory files to 0600. SQLite
// already copies the main file's mode; this is belt and braces, best effort.
func restrictSidecars(path string) {
	for _, suffix := range []string{"-wal", "-shm"} {
		_ = os.Chmod(path+suffix, 0o600)
	}
}

// now is the store's clock, in UTC.
func (s *Store) now() time.Time {
	if s.clock == nil {
		return time.Now().UTC()
	}
	return s.clock().UTC()
}

// unix converts a time to stored seconds; the zero time is 0.
func unix(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

// fromUnix is the inverse of unix.
func fromUnix(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.Unix(v, 0).UTC()
}

// inTx runs fn in a write transaction (BEGIN IMMEDIATE via the DSN).
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}
