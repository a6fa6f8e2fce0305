// Package storetest is the conformance suite of internal/store: the same
// tests run against SQLite always and against PostgreSQL when the
// environment variable PARLEY_TEST_POSTGRES holds a connection URL.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/parley-talks/parley/internal/seal"
	"github.com/parley-talks/parley/internal/store"
)

// Open is how a suite opens a fresh, migrated, empty database.
type Open func(tb testing.TB) *store.DB

// OpenSQLite opens a fresh SQLite database in a temporary directory.
func OpenSQLite(tb testing.TB) *store.DB {
	tb.Helper()
	return openDSN(tb, "sqlite:"+filepath.Join(tb.TempDir(), "parley.db"))
}

// PostgresURL returns the URL of the test PostgreSQL server. When none is
// configured it skips tb, or fails it in CI, where PostgreSQL is required.
func PostgresURL(tb testing.TB) string {
	tb.Helper()
	u := os.Getenv("PARLEY_TEST_POSTGRES")
	if u == "" {
		if os.Getenv("CI") != "" {
			tb.Fatal("PARLEY_TEST_POSTGRES is not set; CI requires the PostgreSQL suite")
		}
		tb.Skip("PostgreSQL tests skipped: set PARLEY_TEST_POSTGRES=postgres://... to run them")
	}
	return u
}

// OpenPostgres opens a fresh schema of its own on the test PostgreSQL
// server, dropped when tb ends.
func OpenPostgres(tb testing.TB) *store.DB {
	tb.Helper()
	return openDSN(tb, FreshPostgres(tb))
}

// FreshPostgres creates an empty schema on the test server and returns a URL
// that uses it; the schema is dropped when tb ends.
func FreshPostgres(tb testing.TB) string {
	tb.Helper()
	base := PostgresURL(tb)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { admin.Close() })
	var b [6]byte
	rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		tb.Fatalf("create schema: %v", err)
	}
	tb.Cleanup(func() { admin.Exec("DROP SCHEMA " + schema + " CASCADE") })
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("PARLEY_TEST_POSTGRES: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func openDSN(tb testing.TB, dsn string) *store.DB {
	tb.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		tb.Fatal(err)
	}
	if err := db.CheckSchema(ctx); err != nil {
		tb.Fatal(err)
	}
	// As a server has, a data key to seal personal data with.
	k, err := seal.Generate()
	if err != nil {
		tb.Fatal(err)
	}
	ring, err := seal.NewKeyring(k)
	if err != nil {
		tb.Fatal(err)
	}
	db.SetSealer(ring)
	return db
}
