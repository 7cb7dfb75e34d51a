package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/aircall-helpscout/aircall-helpscout/store"
)

// openExistingStore opens the database for explain/retry, refusing to create
// an empty one where the operator mistyped DATABASE_PATH.
func openExistingStore(ctx context.Context, cmd, path string) (*store.Store, error) {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: no database at %s (check DATABASE_PATH; 'run' or 'serve' creates it)", cmd, path)
	}
	st, err := openStore(ctx, path, nil)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cmd, err)
	}
	return st, nil
}
