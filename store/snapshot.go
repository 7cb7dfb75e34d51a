package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
)

// Snapshot copies the database at src into a new file dst (which must not
// exist) with VACUUM INTO, reading src through a read-only connection: src is
// neither migrated nor written, and a process writing it meanwhile is not
// disturbed (the copy is one consistent read transaction). A dry run plans
// against such a copy so that it can apply pending migrations and read the
// ledger without writing anything to the real database.
func Snapshot(ctx context.Context, src, dst string) error {
	if _, err := os.Stat(src); err != nil {
		return fmt.Errorf("store: snapshot %s: %w", src, err)
	}
	q := url.Values{}
	q.Set("mode", "ro")
	q.Add("_pragma", "busy_timeout(10000)")
	u := url.URL{Scheme: "file", OmitHost: true, Path: src, RawQuery: q.Encode()}
	db, err := sql.Open("sqlite", u.String())
	if err != nil {
		return fmt.Errorf("store: snapshot %s: %w", src, err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	// The copy holds customer phone numbers like the original: create it
	// 0600 first (VACUUM INTO writes into an existing empty file).
	f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("store: snapshot into %s: %w", dst, err)
	}
	_ = f.Close()
	if _, err := db.ExecContext(ctx, "VACUUM INTO ?", dst); err != nil {
		return errors.Join(fmt.Errorf("store: snapshot %s into %s: %w", src, dst, err), os.Remove(dst))
	}
	return nil
}
