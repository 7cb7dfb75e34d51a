package store

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/matryer/is"
)

// Readers (status, metrics, the next pass's lookups) must keep working while
// a pass writes, without SQLITE_BUSY.
func TestConcurrentReadersWithWriter(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	s, _ := openTemp(t)

	const writes, readers = 400, 8
	done := make(chan struct{})
	var reads atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, readers+1)
	for range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				if _, err := s.ListItems(ctx, ItemFilter{Instance: "default", Kind: KindCall, States: []State{StateLogged}, Limit: 50}); err != nil {
					errs <- err
					return
				}
				if _, err := s.CountItems(ctx, "default"); err != nil {
					errs <- err
					return
				}
				reads.Add(1)
			}
		}()
	}
	for i := range writes {
		if err := s.PutItem(ctx, item(fmt.Sprintf("c%05d", i), StateLogged, t0.Add(time.Duration(i)*time.Second))); err != nil {
			errs <- err
			break
		}
	}
	close(done)
	wg.Wait()
	close(errs)
	for err := range errs {
		is.NoErr(err) // no SQLITE_BUSY, no error at all
	}
	is.True(reads.Load() > 0)
	counts, err := s.CountItems(ctx, "default")
	is.NoErr(err)
	is.Equal(counts["call/logged/"], writes)
}

// Two Stores on one file stand for two processes (serve's webhook receiver
// and a manual `run`): concurrent writers wait on each other, none fails.
func TestTwoStoresWriteConcurrently(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "two.db")
	a, _ := openAt(t, path)
	b, _ := openAt(t, path)

	const n = 200
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for i, s := range []*Store{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range n {
				if _, _, err := s.SaveMessage(ctx, InboxMessage{MessageID: fmt.Sprintf("m%d", j), Event: fmt.Sprint(i)}); err != nil {
					errs <- err
					return
				}
				if err := s.AdvanceCursor(ctx, "default", StreamMessages, int64(j)); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		is.NoErr(err)
	}
	c, err := a.CountMessages(ctx)
	is.NoErr(err)
	is.Equal(c, n)
	v, _, err := b.Cursor(ctx, "default", StreamMessages)
	is.NoErr(err)
	is.Equal(v, int64(n-1))
}

// Every write method at once on a fresh Store (cold statement cache), so that
// first-use preparation races with transactions holding the writer
// connection. A deadlock here hangs the whole package, hence the guard.
func TestMixedWritersColdCache(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	s, clock := openTemp(t)

	ops := []func(i int) error{
		func(i int) error {
			_, _, err := s.SaveMessage(ctx, InboxMessage{MessageID: fmt.Sprint(i % 7)})
			return err
		},
		func(i int) error {
			return s.PutLateInsight(ctx, LateInsight{Instance: "default", CallID: int64(i%3 + 1), ExpiresAt: clock.Now().Add(time.Hour)})
		},
		func(i int) error { return s.PutItem(ctx, item(fmt.Sprint(i), StateLogged, t0)) },
		func(i int) error { return s.PutItems(ctx, []Item{item(fmt.Sprint(i), StateFailed, t0)}) },
		func(i int) error { return s.AdvanceCursor(ctx, "default", StreamCalls, int64(i)) },
		func(i int) error { return s.PutCustomerForPhone(ctx, fmt.Sprint(i), int64(i)) },
		func(i int) error {
			id, err := s.BeginIntent(ctx, Intent{Instance: "default", Kind: KindCall, SourceID: fmt.Sprint(i), Action: "add_note"})
			if err != nil {
				return err
			}
			return s.FinishIntent(ctx, id, 1)
		},
		func(i int) error {
			_, err := s.ListItems(ctx, ItemFilter{Instance: "default", Kind: KindCall})
			return err
		},
	}
	finished := make(chan struct{})
	errs := make(chan error, len(ops)*4)
	go func() {
		defer close(finished)
		var wg sync.WaitGroup
		for g := range len(ops) * 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 20 {
					if err := ops[g%len(ops)](i); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
	}()
	select {
	case <-finished:
	case <-time.After(20 * time.Second):
		t.Fatal("writers deadlocked")
	}
	for err := range errs {
		is.NoErr(err)
	}
}
