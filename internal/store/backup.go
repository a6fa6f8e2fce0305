package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ErrExists is returned by Backup when the file it is to write exists and
// may not be replaced.
var ErrExists = errors.New("store: the file exists")

// Backup writes a consistent copy of a SQLite database to path while the
// database may be in use. The copy is made by VACUUM INTO, which reads one
// snapshot of the database in a single read transaction, so writers go on
// and the copy holds every commit before that snapshot and none after it.
// It is written to a temporary file beside path, synced to disk, and only
// then put in place, so that path never holds a partial copy. Unless
// replace is true, an existing file at path is left alone and ErrExists
// returned.
//
// PostgreSQL databases are backed up with pg_dump instead.
func (db *DB) Backup(ctx context.Context, path string, replace bool) (err error) {
	if db.dialect != SQLite {
		return errors.New("store: a PostgreSQL database is backed up with pg_dump, not by Parley (see docs/deploy.md)")
	}
	if !replace {
		if _, err := os.Lstat(path); err == nil {
			return fmt.Errorf("%w: %s", ErrExists, path)
		}
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	name := tmp.Name()
	tmp.Close()
	defer func() {
		if err != nil {
			os.Remove(name)
		}
	}()
	// VACUUM INTO wants a file that does not exist or is empty: this one is
	// empty, and being ours no one else writes to it.
	if _, err := db.sql.ExecContext(ctx, "VACUUM INTO $1", name); err != nil {
		return fmt.Errorf("store: backup: copy the database: %w", err)
	}
	if err := syncFile(name); err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	if replace {
		err = os.Rename(name, path)
	} else {
		// A hard link, unlike a rename, fails rather than replace a file
		// that appeared meanwhile.
		err = os.Link(name, path)
		if errors.Is(err, os.ErrExist) {
			return fmt.Errorf("%w: %s", ErrExists, path)
		}
		if err == nil {
			os.Remove(name)
		}
	}
	if err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	if err := SyncDir(dir); err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	return nil
}

// syncFile flushes a file's contents to disk.
func syncFile(name string) error {
	f, err := os.OpenFile(name, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// SyncDir flushes a directory's entries to disk, so that a file created or
// renamed in it survives a crash.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	if err := d.Sync(); err != nil {
		d.Close()
		return err
	}
	return d.Close()
}

// CheckIntegrity runs SQLite's quick_check on the database file: every
// page, index and record well formed. It says nothing of whether the
// content is what the record says; that is parley verify's. On PostgreSQL
// it does nothing.
func (db *DB) CheckIntegrity(ctx context.Context) error {
	if db.dialect != SQLite {
		return nil
	}
	rows, err := db.sql.QueryContext(ctx, "PRAGMA quick_check")
	if err != nil {
		return fmt.Errorf("store: the database file is damaged: %w", err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return err
		}
		if s != "ok" {
			problems = append(problems, s)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: the database file is damaged: %w", err)
	}
	if len(problems) > 0 {
		return fmt.Errorf("store: the database file is damaged: %s", strings.Join(problems, "; "))
	}
	return nil
}
