package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"

	"github.com/aircall-helpscout/aircall-helpscout/store"
)

// defaultDatabasePath is DATABASE_PATH's default, as LoadConfig has it.
const defaultDatabasePath = "./data/aircall-helpscout.db"

// opsConfig is all that explain and retry read: they work on the database
// alone, so they must run where no API secret is set (an operator's shell,
// `docker exec`), and validate nothing else.
type opsConfig struct {
	DatabasePath string
	Instances    []string // from INSTANCES, lower case; "default" when unset
}

// loadOpsConfig reads DATABASE_PATH and INSTANCES only.
func loadOpsConfig(getenv func(string) string) (opsConfig, error) {
	var p problems
	c := opsConfig{DatabasePath: strings.TrimSpace(getenv("DATABASE_PATH"))}
	if c.DatabasePath == "" {
		c.DatabasePath = defaultDatabasePath
	}
	c.Instances, _ = parseInstanceNames(&p, getenv("INSTANCES"))
	if err := p.err(); err != nil {
		return opsConfig{}, &configError{err: err}
	}
	return c, nil
}

// instancesFor narrows the configured instances to --instance (case-
// insensitive, as INSTANCES is). An unknown name is a usage error listing
// the configured ones.
func (c opsConfig) instancesFor(cmd, flagValue string) ([]string, error) {
	if flagValue == "" {
		return c.Instances, nil
	}
	name := strings.ToLower(flagValue)
	if !slices.Contains(c.Instances, name) {
		return nil, usagef("%s: --instance %q: no such instance (configured: %s)", cmd, flagValue, strings.Join(c.Instances, ", "))
	}
	return []string{name}, nil
}

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
