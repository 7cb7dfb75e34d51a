package store

import (
	"context"
	"database/sql"
	"sync"
)

// stmtCache keeps prepared statements per pool and query text. Preparing is a
// large share of a query's cost with modernc.org/sqlite (prepared: ~3x faster
// point reads, ~2x faster upserts), and the set of query texts is small and
// fixed, so the cache never needs eviction.
type stmtCache struct {
	db *sql.DB
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, m: map[string]*sql.Stmt{}}
}

// get returns the prepared statement for q, preparing it on first use.
// Preparing happens outside the lock: on the writer pool it waits for the
// one connection, and a transaction holding that connection may itself need
// the lock (lookup), which would deadlock.
func (c *stmtCache) get(ctx context.Context, q string) (*sql.Stmt, error) {
	if st := c.lookup(q); st != nil {
		return st, nil
	}
	st, err := c.db.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if prev, ok := c.m[q]; ok { // lost a race: keep the first
		_ = st.Close()
		return prev, nil
	}
	c.m[q] = st
	return st, nil
}

// lookup returns the cached statement for q, or nil; it never prepares.
func (c *stmtCache) lookup(q string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[q]
}

// warm prepares qs up front, outside any transaction.
func (c *stmtCache) warm(ctx context.Context, qs ...string) error {
	for _, q := range qs {
		if _, err := c.get(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for q, st := range c.m {
		_ = st.Close()
		delete(c.m, q)
	}
}

// txQueries are the hot statements run inside write transactions; Open
// prepares them before any transaction can hold the writer connection.
var txQueries = []string{inboxSeqQuery, inboxInsertQuery, inboxUpdateQuery}

// exec runs a write statement on the writer pool.
func (s *Store) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	st, err := s.ws.get(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

// writeRow runs a write statement with RETURNING on the writer pool.
func (s *Store) writeRow(ctx context.Context, q string, args ...any) scanner {
	st, err := s.ws.get(ctx, q)
	if err != nil {
		return errRow{err}
	}
	return st.QueryRowContext(ctx, args...)
}

// txExec runs q inside tx, through the cached statement when there is one.
// It never prepares: preparing on the writer pool needs its only connection,
// which tx holds, so it would deadlock. Queries used in transactions are
// warmed at Open instead (txQueries).
func (s *Store) txExec(ctx context.Context, tx *sql.Tx, q string, args ...any) (sql.Result, error) {
	if st := s.ws.lookup(q); st != nil {
		return tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return tx.ExecContext(ctx, q, args...)
}

// txRow is txExec for single-row statements.
func (s *Store) txRow(ctx context.Context, tx *sql.Tx, q string, args ...any) scanner {
	if st := s.ws.lookup(q); st != nil {
		return tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return tx.QueryRowContext(ctx, q, args...)
}

// query runs a read on the reader pool.
func (s *Store) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	st, err := s.rs.get(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// queryRow runs a single-row read on the reader pool.
func (s *Store) queryRow(ctx context.Context, q string, args ...any) scanner {
	st, err := s.rs.get(ctx, q)
	if err != nil {
		return errRow{err}
	}
	return st.QueryRowContext(ctx, args...)
}

// errRow is a scanner that reports a prepare error.
type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }
