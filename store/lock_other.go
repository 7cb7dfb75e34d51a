//go:build !unix

package store

import "errors"

// LockPasses is only implemented on Unix (flock); the product ships as a
// Linux container.
func (s *Store) LockPasses() (unlock func() error, err error) {
	return nil, errors.New("store: pass lock not supported on this platform")
}
