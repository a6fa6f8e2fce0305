package store

import (
	"context"
	"database/sql"
	"sync"
)

// stmtCache keeps the writer's statements prepared for the life of the
// database. The SQLite driver otherwise compiles every statement anew on
// each call, and on the write path compiling SQL cost more than running it.
// (pgx caches prepared statements per connection by itself, so PostgreSQL
// does without.)
type stmtCache struct {
	db *sql.DB
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

// maxCachedStmts bounds the cache; the writer's statements are a few dozen
// constant texts, so the bound only guards against a future caller that
// builds SQL text from data.
const maxCachedStmts = 256

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, m: map[string]*sql.Stmt{}}
}

// get returns the statement for query, preparing it on first use, or nil
// when the cache is full.
func (c *stmtCache) get(ctx context.Context, query string) (*sql.Stmt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.m[query]; ok {
		return s, nil
	}
	if len(c.m) >= maxCachedStmts {
		return nil, nil
	}
	s, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	c.m[query] = s
	return s, nil
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for q, s := range c.m {
		s.Close()
		delete(c.m, q)
	}
}

// writeTx is the writer's transaction. It runs each statement as a
// prepared statement from the cache when there is one; database/sql
// prepares a statement once per connection and reuses it after.
type writeTx struct {
	tx    *sql.Tx
	cache *stmtCache           // nil: run statements unprepared
	stmts map[string]*sql.Stmt // the cache's statements bound to tx
}

func (t *writeTx) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if t.cache == nil {
		return nil, nil
	}
	if s, ok := t.stmts[query]; ok {
		return s, nil
	}
	s, err := t.cache.get(ctx, query)
	if s == nil || err != nil {
		return nil, err
	}
	s = t.tx.StmtContext(ctx, s) // closed with the transaction
	if t.stmts == nil {
		t.stmts = map[string]*sql.Stmt{}
	}
	t.stmts[query] = s
	return s, nil
}

func (t *writeTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	s, err := t.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return t.tx.ExecContext(ctx, query, args...)
	}
	return s.ExecContext(ctx, args...)
}

func (t *writeTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	s, err := t.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return t.tx.QueryContext(ctx, query, args...)
	}
	return s.QueryContext(ctx, args...)
}

func (t *writeTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	s, err := t.stmt(ctx, query)
	if s == nil || err != nil {
		// An error to prepare shows up again, and is reported, when the
		// statement runs unprepared.
		return t.tx.QueryRowContext(ctx, query, args...)
	}
	return s.QueryRowContext(ctx, args...)
}
