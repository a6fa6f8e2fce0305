package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/parley-talks/parley/internal/seal"
	"github.com/parley-talks/parley/internal/store"
)

// backupCmd is `parley backup`: a consistent copy of a SQLite database,
// taken while the server runs.
type backupCmd struct {
	File  string `arg:"" placeholder:"FILE" help:"Where to write the copy: a new file, unless --force."`
	Force bool   `name:"force" help:"Replace FILE if it exists."`
}

func (c *backupCmd) Run(e *env, g *cli) error {
	dsn := g.dsn()
	path, ok := strings.CutPrefix(dsn, "sqlite:")
	if !ok {
		return &exitError{code: 2, err: errors.New("back up a PostgreSQL database with pg_dump (see \"Backups\" in docs/deploy.md); parley backup copies SQLite databases")}
	}
	if _, err := os.Stat(path); err != nil {
		return &exitError{code: 2, err: fmt.Errorf("no database at %s (give --db or --data)", path)}
	}
	db, err := store.Open(e.ctx, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Backup(e.ctx, c.File, c.Force); err != nil {
		if errors.Is(err, store.ErrExists) {
			return &exitError{code: 2, err: fmt.Errorf("%s exists; give --force to replace it", c.File)}
		}
		return err
	}
	fi, err := os.Stat(c.File)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "backed up %s to %s (%d bytes)\n", path, c.File, fi.Size())
	fmt.Fprintf(e.stdout, "The record's signing key (%s) is not in the backup: keep a copy of it apart, as a secret.\n", g.logKeyFile())
	fmt.Fprintf(e.stdout, "Nor is the data key (%s), without which the backup's personal data cannot be read: keep a copy of it apart too.\n", g.dataKeyFile())
	return nil
}

// restoreCmd is `parley restore`: a backup put in place of a server's
// database, after its record was verified.
type restoreCmd struct {
	Backup  string `arg:"" type:"existingfile" placeholder:"BACKUP" help:"The backup file, written by parley backup."`
	Force   bool   `name:"force" help:"Replace an existing database; it is kept as <name>.before-restore."`
	Key     string `name:"key" env:"PARLEY_VERIFY_KEY" placeholder:"VKEY" help:"The log's verifier key, to check the backup's signed checkpoints (default: the key of the server's signing key, --log-key or <data>/record.key)."`
	KeyFile string `name:"key-file" placeholder:"PATH" help:"File holding the log's verifier key."`

	ring *seal.Keyring // the data key, to open sealed entries; nil without one
}

// refuse is an error of restore: the backup was not accepted.
func refuse(format string, args ...any) error {
	return &exitError{code: 2, err: fmt.Errorf("restore refused: "+format, args...)}
}

// Run copies the backup into a temporary file beside the database, checks
// it there as `parley verify --replay` would, and only then renames it into
// place: the database is either the old one or the whole verified backup,
// never a part of it.
func (c *restoreCmd) Run(e *env, g *cli) error {
	ring, _, err := g.dataKey(false)
	if err != nil {
		return err
	}
	c.ring = ring
	target, ok := strings.CutPrefix(g.dsn(), "sqlite:")
	if !ok {
		return refuse("parley restore writes SQLite databases; restore a PostgreSQL database with pg_restore and check it with `parley verify --replay` (see \"Backups\" in docs/deploy.md)")
	}
	before := target + ".before-restore"
	if _, err := os.Lstat(target); err == nil {
		if !c.Force {
			return refuse("%s exists; give --force to replace it (the old database is then kept as %s)", target, before)
		}
		if _, err := os.Lstat(before); err == nil {
			return refuse("%s is left from an earlier restore; move it away first", before)
		}
	}
	vkey, err := verifierKey(c.Key, c.KeyFile)
	if err != nil {
		return refuse("%v", err)
	}
	if vkey == "" {
		if vkey, err = serverKey(e, g); err != nil {
			return refuse("the backup's checkpoints are checked with the log's key: give --key or --key-file, or put the server's record.key in the data directory (%v)", err)
		}
	}

	dir := filepath.Dir(target)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tmp, err := copyToTemp(c.Backup, dir, "."+filepath.Base(target)+".restore-*")
	if err != nil {
		return err
	}
	keep := false
	defer func() {
		if !keep {
			removeDB(tmp)
		}
	}()
	if err := c.check(e, tmp, vkey); err != nil {
		return err
	}
	if err := syncFile(tmp); err != nil {
		return err
	}

	// The old database, with its write-ahead log, becomes <name>.before-restore:
	// a log left beside the new database would be replayed into it.
	replaced := false
	if _, err := os.Lstat(target); err == nil {
		if err := os.Rename(target, before); err != nil {
			return err
		}
		replaced = true
		for _, suffix := range []string{"-wal", "-shm"} {
			if err := os.Rename(target+suffix, before+suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
				return err
			}
		}
	}
	if err := os.Rename(tmp, target); err != nil {
		return err
	}
	keep = true
	if err := store.SyncDir(dir); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "restored %s to %s\n", c.Backup, target)
	if replaced {
		fmt.Fprintf(e.stdout, "the database it replaced is kept as %s\n", before)
	}
	return nil
}

// check opens the copy at path, brings its schema up to this version's,
// verifies its record, tree, checkpoints and read tables, and closes it,
// which folds its write-ahead log back into the file.
func (c *restoreCmd) check(e *env, path, vkey string) error {
	ctx := e.ctx
	db, err := store.Open(ctx, "sqlite:"+path)
	if err != nil {
		return refuse("%s is not a database Parley can open: %v", c.Backup, err)
	}
	err = c.verify(e, db, vkey)
	if cerr := db.Close(); err == nil && cerr != nil {
		return cerr
	}
	if err != nil {
		return err
	}
	if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() > 0 {
		return fmt.Errorf("the write-ahead log of %s was not folded back into it", path)
	}
	return nil
}

func (c *restoreCmd) verify(e *env, db *store.DB, vkey string) error {
	ctx := e.ctx
	if err := db.CheckIntegrity(ctx); err != nil {
		return refuse("%s: %v", c.Backup, err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		return refuse("%s: %v", c.Backup, err)
	}
	if err := db.CheckSchema(ctx); err != nil {
		return refuse("%s: %v", c.Backup, err)
	}
	if c.ring != nil {
		db.SetSealer(c.ring)
	}
	fail := func(err error) error {
		var ve *verifyError
		if errors.As(err, &ve) {
			return refuse("%s does not verify: %v", c.Backup, ve.err)
		}
		return err
	}
	if _, _, err := checkDatabase(ctx, e, db, vkey); err != nil {
		return fail(err)
	}
	if err := verifyReplay(ctx, e, db); err != nil {
		return fail(err)
	}
	return nil
}

// copyToTemp copies the file src to a new temporary file in dir named
// after pattern, synced to disk, and returns its name.
func copyToTemp(src, dir, pattern string) (string, error) {
	in, err := os.Open(src)
	if err != nil {
		return "", err
	}
	defer in.Close()
	out, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return "", err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		os.Remove(out.Name())
		return "", fmt.Errorf("copy %s: %w", src, err)
	}
	if err := out.Sync(); err != nil {
		out.Close()
		os.Remove(out.Name())
		return "", err
	}
	if err := out.Close(); err != nil {
		os.Remove(out.Name())
		return "", err
	}
	return out.Name(), nil
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

// removeDB removes a SQLite database file and its write-ahead log.
func removeDB(path string) {
	for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
		os.Remove(path + suffix)
	}
}
