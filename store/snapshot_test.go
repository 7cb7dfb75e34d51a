package store_test

import (
	"context"
	"crypto/sha256"
	"os"
	"path/filepath"
	"testing"

	"github.com/aircall-helpscout/aircall-helpscout/store"
	"github.com/matryer/is"
)

func TestSnapshotCopiesWithoutTouchingTheSource(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	dir := t.TempDir()
	src := filepath.Join(dir, "src.db")
	st, err := store.Open(ctx, src, store.Options{})
	is.NoErr(err)
	is.NoErr(st.AdvanceCursor(ctx, "default", "calls", 1700000000))
	is.NoErr(st.Close())
	before := fileSum(t, src)

	dst := filepath.Join(dir, "copy.db")
	is.NoErr(store.Snapshot(ctx, src, dst))
	is.Equal(fileSum(t, src), before) // the source is byte for byte as it was

	fi, err := os.Stat(dst)
	is.NoErr(err)
	is.Equal(fi.Mode().Perm(), os.FileMode(0o600)) // private, like the original
	cp, err := store.Open(ctx, dst, store.Options{})
	is.NoErr(err)
	defer cp.Close()
	v, ok, err := cp.Cursor(ctx, "default", "calls")
	is.NoErr(err)
	is.True(ok)
	is.Equal(v, int64(1700000000)) // the data came along

	is.True(store.Snapshot(ctx, src, dst) != nil)                                                    // never overwrites
	is.True(store.Snapshot(ctx, filepath.Join(dir, "absent.db"), filepath.Join(dir, "x.db")) != nil) // nor invents a source
}

func fileSum(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}
