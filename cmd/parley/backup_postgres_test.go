package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/record"
	"github.com/parley-talks/parley/internal/store"
	"github.com/parley-talks/parley/internal/storetest"
)

// freshDatabase creates an empty database on the test PostgreSQL server,
// dropped when t ends, and returns its URL.
func freshDatabase(t *testing.T, admin *sql.DB, base *url.URL) string {
	t.Helper()
	var b [6]byte
	rand.Read(b[:])
	name := "parley_backup_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() { admin.Exec("DROP DATABASE " + name + " WITH (FORCE)") })
	u := *base
	u.Path = "/" + name
	return u.String()
}

// TestBackupPostgres runs the commands "Backups" in docs/deploy.md gives
// for PostgreSQL — pg_dump of a database being written, pg_restore into an
// empty one — and checks the copy with parley verify --replay; parley
// backup and restore themselves send a PostgreSQL database to those tools.
func TestBackupPostgres(t *testing.T) {
	base, err := url.Parse(storetest.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, tool := range []string{"pg_dump", "pg_restore"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed", tool)
		}
	}
	admin, err := sql.Open("pgx", base.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	src, dst := freshDatabase(t, admin, base), freshDatabase(t, admin, base)

	ctx, cancel := context.WithCancel(context.Background())
	db, err := store.Open(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	w := storetest.NewWorld(t, db, nil)
	key := recKey(t)
	caucus := w.SpaceOf(parley.SpaceParty, w.PartyA.ID)
	post := func(i int) error {
		_, err := w.Service.Do(context.Background(), w.HeadA, parley.StartThread{SpaceID: caucus.ID, Title: "t", Body: fmt.Sprintf("message %d", i)})
		return err
	}
	for i := range 5 {
		if err := post(i); err != nil {
			t.Fatal(err)
		}
	}
	last := int64(-1)
	if err := record.IntegrateOnce(ctx, db, key, &last, time.Now); err != nil {
		t.Fatal(err)
	}
	// The server goes on writing while pg_dump reads its snapshot.
	done := make(chan error, 1)
	go func() {
		for i := 5; ctx.Err() == nil; i++ {
			if err := post(i); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()

	dump := filepath.Join(t.TempDir(), "parley.dump")
	for _, args := range [][]string{
		{"pg_dump", "--format=custom", "--file=" + dump, src},
		{"pg_restore", "--no-owner", "--exit-on-error", "--single-transaction", "--dbname=" + dst, dump},
	} {
		if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", args[0], err, out)
		}
	}
	cancel()
	if err := <-done; err != nil && ctx.Err() == nil {
		t.Fatal(err)
	}
	out, _, err := runCmd(t, "--db", dst, "verify", "--replay", "--key", key.Verifier, "--state", filepath.Join(t.TempDir(), "state.json"))
	if err != nil {
		t.Fatalf("the restored database does not verify: %v\n%s", err, out)
	}
	mustContain(t, "verify's output", out, "every one signed by the log's key", "read tables equal the database's")

	_, _, err = runCmd(t, "--db", src, "backup", filepath.Join(t.TempDir(), "x.db"))
	wantExit(t, "backup of PostgreSQL", err, 2, "pg_dump")
	_, _, err = runCmd(t, "--db", dst, "restore", dump, "--key", key.Verifier)
	wantExit(t, "restore to PostgreSQL", err, 2, "pg_restore", "docs/deploy.md")
}
