// Package store keeps Parley's record and read tables in SQLite or
// PostgreSQL through database/sql.
//
// One SQL text serves both engines ($n placeholders, times as Unix
// microseconds in UTC, booleans compared as truth values). Migrations are
// embedded per dialect and applied with goose; Open refuses a database whose
// schema is newer than the code knows.
//
// Writes go through a single [Writer] goroutine per process that batches
// concurrent commands into one transaction (group commit), each command in a
// savepoint of its own, so one failing command never undoes its neighbours
// and a command's events and projections commit together or not at all.
// Reads take the actor's visibility into the SQL query.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/parley-talks/parley"
	"github.com/pressly/goose/v3"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	_ "modernc.org/sqlite"             // registers "sqlite"
)

//go:embed migrations
var migrations embed.FS

// Dialect is the SQL engine behind a DB.
type Dialect string

// The supported engines.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is an open Parley database.
type DB struct {
	sql     *sql.DB
	dialect Dialect
	stmts   *stmtCache // the writer's prepared statements; nil on PostgreSQL

	stop      chan struct{} // ends the checkpoint goroutine
	stopped   chan struct{}
	closeOnce sync.Once
	hashes    *hashCache // the tree's upper hashes, which proofs share
	sealer    Sealer     // the data key, for entries with personal data; nil without one
}

// Open opens the database named by dsn: "sqlite:PATH" or a "postgres://" URL.
// It does not migrate; call Migrate, then CheckSchema.
func Open(ctx context.Context, dsn string) (*DB, error) {
	var (
		db      *sql.DB
		dialect Dialect
		err     error
	)
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		path := strings.TrimPrefix(dsn, "sqlite:")
		if path == "" {
			return nil, errors.New("store: empty SQLite path")
		}
		if dir := filepath.Dir(path); dir != "" {
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return nil, fmt.Errorf("store: cannot create the database directory: %w", err)
			}
		}
		dialect = SQLite
		// _txlock=immediate: every transaction takes the write lock at BEGIN,
		// so readers never upgrade into a deadlock with the writer.
		// The WAL is checkpointed by a goroutine of its own (checkpoints
		// below), off the writer's path; the automatic checkpoint stays as
		// a backstop should that one fall behind.
		q := "?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=foreign_keys(ON)&_pragma=busy_timeout(10000)" +
			"&_pragma=wal_autocheckpoint(20000)&_pragma=cache_size(-32768)&_txlock=immediate"
		db, err = sql.Open("sqlite", "file:"+path+q)
		if err == nil {
			db.SetMaxOpenConns(8)
		}
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		dialect = Postgres
		db, err = sql.Open("pgx", dsn)
		if err == nil {
			db.SetMaxOpenConns(16)
		}
	default:
		return nil, fmt.Errorf("store: database %q: want sqlite:PATH or a postgres:// URL", redact(dsn))
	}
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", dialect, err)
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: cannot reach the %s database %s: %w", dialect, redact(dsn), err)
	}
	if dialect == SQLite {
		// Fail now, with a clear message, if the file cannot be written.
		if _, err := db.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS parley_probe (x INTEGER); DROP TABLE parley_probe"); err != nil {
			db.Close()
			return nil, fmt.Errorf("store: the SQLite database %s is not writable: %w", redact(dsn), err)
		}
	}
	d := &DB{sql: db, dialect: dialect, hashes: newHashCache(), stop: make(chan struct{}), stopped: make(chan struct{})}
	if dialect == SQLite {
		d.stmts = newStmtCache(db)
		go d.checkpoints(time.Second)
	} else {
		close(d.stopped)
	}
	return d, nil
}

// checkpoints copies the WAL back into the database file every interval,
// on another connection than the writer's, so that commits rarely pay for
// a checkpoint themselves. PASSIVE never waits for the writer.
func (db *DB) checkpoints(interval time.Duration) {
	defer close(db.stopped)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-db.stop:
			return
		case <-t.C:
			db.sql.Exec("PRAGMA wal_checkpoint(PASSIVE)") // a busy database just waits for the next tick
		}
	}
}

// redact hides a password in a database URL.
func redact(dsn string) string {
	if i := strings.Index(dsn, "://"); i >= 0 {
		if j := strings.Index(dsn[i+3:], "@"); j >= 0 {
			cred := dsn[i+3 : i+3+j]
			if k := strings.Index(cred, ":"); k >= 0 {
				return dsn[:i+3] + cred[:k] + ":***" + dsn[i+3+j:]
			}
		}
	}
	return dsn
}

// Dialect reports the engine of db.
func (db *DB) Dialect() Dialect { return db.dialect }

// SQL returns the underlying handle, for tests and tools that inspect the
// database directly (the tamper tests of the record do).
func (db *DB) SQL() *sql.DB { return db.sql }

// Close closes the database.
func (db *DB) Close() error {
	db.closeOnce.Do(func() { close(db.stop) })
	<-db.stopped
	if db.stmts != nil {
		db.stmts.close()
	}
	return db.sql.Close()
}

func (db *DB) provider() (*goose.Provider, error) {
	sub, err := fs.Sub(migrations, "migrations/"+string(db.dialect))
	if err != nil {
		return nil, err
	}
	d := goose.DialectSQLite3
	if db.dialect == Postgres {
		d = goose.DialectPostgres
	}
	return goose.NewProvider(d, db.sql, sub)
}

// Migrate applies every pending migration and returns the schema version.
func (db *DB) Migrate(ctx context.Context) (int64, error) {
	p, err := db.provider()
	if err != nil {
		return 0, fmt.Errorf("store: migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return 0, fmt.Errorf("store: migrate: %w", err)
	}
	return p.GetDBVersion(ctx)
}

// CheckSchema returns an error unless the database's schema is exactly the
// one this code knows: older means migrations are pending, newer means the
// database was written by a later version of Parley.
func (db *DB) CheckSchema(ctx context.Context) error {
	p, err := db.provider()
	if err != nil {
		return err
	}
	have, err := p.GetDBVersion(ctx)
	if err != nil {
		return fmt.Errorf("store: read schema version: %w", err)
	}
	srcs := p.ListSources()
	want := srcs[len(srcs)-1].Version
	switch {
	case have < want:
		return fmt.Errorf("store: schema version %d is older than %d; run `parley migrate`", have, want)
	case have > want:
		return fmt.Errorf("store: schema version %d is newer than this parley knows (%d); upgrade parley", have, want)
	}
	return nil
}

// micros converts t to the stored form: Unix microseconds, UTC.
func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

// fromMicros converts the stored form back; 0 is the zero time.
func fromMicros(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return time.UnixMicro(us).UTC()
}

// notFound returns an ENOTFOUND error for what.
func notFound(what string) error {
	return parley.Errorf(parley.ENOTFOUND, "No such %s.", what)
}

// queryer is what both *sql.DB and *sql.Tx offer for reading.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}
