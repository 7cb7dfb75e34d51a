//go:build unix

package store

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"syscall"
)

// LockPasses takes an exclusive, non-blocking flock on path+".lock" so that
// only one process runs passes on a database. The kernel drops the lock when
// the process dies, so a crash never leaves a stale lock behind. A lock held
// elsewhere (another process, or another LockPasses in this one) → ErrLocked.
// unlock is idempotent.
func (s *Store) LockPasses() (unlock func() error, err error) {
	f, err := os.OpenFile(s.path+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("store: open lock file: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		_ = f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, ErrLocked
		}
		return nil, fmt.Errorf("store: lock %s.lock: %w", s.path, err)
	}
	var once sync.Once
	var uerr error
	return func() error {
		once.Do(func() {
			err := syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
			uerr = errors.Join(err, f.Close())
			if uerr != nil {
				uerr = fmt.Errorf("store: unlock: %w", uerr)
			}
		})
		return uerr
	}, nil
}
