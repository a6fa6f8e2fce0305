package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/record"
	"github.com/parley-talks/parley/internal/store"
	"golang.org/x/mod/sumdb/note"
)

// wantExit checks that err is an exit with status code whose message
// contains each of wants.
func wantExit(t *testing.T, what string, err error, code int, wants ...string) {
	t.Helper()
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != code {
		t.Fatalf("%s: error %v, want exit status %d", what, err, code)
	}
	mustContain(t, what+"'s error", err.Error(), wants...)
}

// entryCount returns the size of the record in the SQLite database at path.
func entryCount(t *testing.T, path string) int64 {
	t.Helper()
	db, err := store.Open(context.Background(), "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	n, err := db.LastSeq(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestBackupWhileWriting takes backups of a database while writers append
// to its record and the tree is signed, as on a running server, and
// restores each: every one is a consistent snapshot, whose entries, tree,
// checkpoints and read tables verify.
func TestBackupWhileWriting(t *testing.T) {
	l := newRecLog(t, recKey(t))
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var written atomic.Int64
	errs := make(chan error, 16)
	caucus := l.w.SpaceOf(parley.SpaceParty, l.w.PartyA.ID)
	for i := range 4 {
		wg.Go(func() {
			for n := 0; ctx.Err() == nil; n++ {
				a, space := l.w.HeadA, caucus.ID
				if i%2 == 1 {
					a, space = l.w.DelegB, l.w.Groups[parley.GroupHumanitarian].SpaceID
				}
				if _, err := l.w.Service.Do(context.Background(), a, parley.StartThread{SpaceID: space, Title: "w", Body: fmt.Sprintf("writer %d, %d", i, n)}); err != nil {
					errs <- err
					return
				}
				written.Add(1)
			}
		})
	}
	wg.Go(func() { // the server signs checkpoints as the record grows
		last := int64(-1)
		for ctx.Err() == nil {
			if err := record.IntegrateOnce(context.Background(), l.db, l.key, &last, time.Now); err != nil {
				errs <- err
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
	dir := t.TempDir()
	var backups []string
	var sizes [][2]int64
	for i := range 3 {
		for start := written.Load(); written.Load() < start+20; {
			time.Sleep(5 * time.Millisecond)
		}
		before := entryCount(t, l.path)
		file := filepath.Join(dir, fmt.Sprintf("backup-%d.db", i))
		out, _, err := runCmd(t, "--db", "sqlite:"+l.path, "backup", file)
		if err != nil {
			t.Fatal(err)
		}
		mustContain(t, "backup's output", out, "backed up "+l.path+" to "+file, "is not in the backup")
		backups = append(backups, file)
		sizes = append(sizes, [2]int64{before, entryCount(t, l.path)})
	}
	cancel()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	during := 0 // backups during which the record grew
	for i, file := range backups {
		n := entryCount(t, file)
		if n < sizes[i][0] || n > sizes[i][1] {
			t.Errorf("backup %d holds %d entries; the database held %d before and %d after", i, n, sizes[i][0], sizes[i][1])
		}
		if sizes[i][0] < sizes[i][1] {
			during++
		}
		t.Logf("backup %d: %d entries; the database held %d before and %d after", i, n, sizes[i][0], sizes[i][1])
		data := t.TempDir()
		out, _, err := runCmd(t, "--data", data, "restore", file, "--key", l.key.Verifier)
		if err != nil {
			t.Fatalf("restore of backup %d (%d entries, taken while writing): %v", i, n, err)
		}
		mustContain(t, "restore's output", out, fmt.Sprintf("entries: %d, each hashing", n), "stored tree hashes match",
			"replay: ", "read tables equal the database's", "restored "+file+" to "+filepath.Join(data, "parley.db"))
		if got := entryCount(t, filepath.Join(data, "parley.db")); got != n {
			t.Errorf("restored %d entries from a backup of %d", got, n)
		}
	}
	if during == 0 {
		t.Error("the record did not grow during any backup: the writers were not writing")
	}
}

// TestBackupRefusesToOverwrite checks that backup keeps an existing file
// unless --force, and that a PostgreSQL database is sent to pg_dump.
func TestBackupRefusesToOverwrite(t *testing.T) {
	l := newRecLog(t, recKey(t))
	file := filepath.Join(t.TempDir(), "backup.db")
	if err := os.WriteFile(file, []byte("precious"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, _, err := runCmd(t, "--db", "sqlite:"+l.path, "backup", file)
	wantExit(t, "backup over a file", err, 2, file+" exists; give --force")
	if b, _ := os.ReadFile(file); string(b) != "precious" {
		t.Fatalf("the file was changed to %d bytes", len(b))
	}
	if _, _, err := runCmd(t, "--db", "sqlite:"+l.path, "backup", "--force", file); err != nil {
		t.Fatal(err)
	}
	if got, want := entryCount(t, file), entryCount(t, l.path); got != want {
		t.Errorf("the backup holds %d entries, the database %d", got, want)
	}
	leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(file), ".backup.db.tmp-*"))
	if len(leftovers) > 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
	_, _, err = runCmd(t, "--db", "postgres://parley@127.0.0.1:1/parley", "backup", file)
	wantExit(t, "backup of PostgreSQL", err, 2, "pg_dump", "docs/deploy.md")
}

// TestRestoreReplaces restores over an existing database: refused without
// --force; with it, the old database and its write-ahead log are kept as
// <name>.before-restore and the backup is in place.
func TestRestoreReplaces(t *testing.T) {
	l := newRecLog(t, recKey(t))
	file := filepath.Join(t.TempDir(), "backup.db")
	if _, _, err := runCmd(t, "--db", "sqlite:"+l.path, "backup", file); err != nil {
		t.Fatal(err)
	}
	l.post(t, 2, "after the backup")
	live := entryCount(t, l.path)
	backedUp := entryCount(t, file)

	_, _, err := runCmd(t, "--db", "sqlite:"+l.path, "restore", file, "--key", l.key.Verifier)
	wantExit(t, "restore over a database", err, 2, "restore refused", l.path+" exists; give --force")

	// The server is stopped before a restore; here, its database is closed.
	l.db.Close()
	out, _, err := runCmd(t, "--db", "sqlite:"+l.path, "restore", "--force", file, "--key", l.key.Verifier)
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, "output", out, "kept as "+l.path+".before-restore")
	if got := entryCount(t, l.path); got != backedUp {
		t.Errorf("restored database holds %d entries, want the backup's %d", got, backedUp)
	}
	if got := entryCount(t, l.path+".before-restore"); got != live {
		t.Errorf("the old database kept holds %d entries, want %d", got, live)
	}
	// A second restore would have nowhere to keep the database it replaces.
	_, _, err = runCmd(t, "--db", "sqlite:"+l.path, "restore", "--force", file, "--key", l.key.Verifier)
	wantExit(t, "second restore", err, 2, ".before-restore is left from an earlier restore")
}

// TestRestoreTampered changes a backup in the ways a damaged disk or a
// dishonest host could, and checks that restore refuses it with exit
// status 2, says what is wrong, and leaves the database it was to replace
// as it was, with nothing of the backup beside it.
func TestRestoreTampered(t *testing.T) {
	key := recKey(t)
	tests := []struct {
		name   string
		key    string                                                // the verifier key given; default key's
		tamper func(t *testing.T, l *recLog, backup string) []string // returns the expected messages
	}{
		{"one byte of an event", "", func(t *testing.T, l *recLog, backup string) []string {
			seq := l.seqOf(t, "message.posted", "hello 2")
			var b []byte
			if err := l.db.SQL().QueryRow(`SELECT entry FROM entries WHERE seq = $1`, seq).Scan(&b); err != nil {
				t.Fatal(err)
			}
			ent, err := record.Unmarshal(b)
			if err != nil {
				t.Fatal(err)
			}
			// The salt is in the entry and nowhere else in the file.
			salt := []byte(hex.EncodeToString(ent.Salt[:]))
			raw, err := os.ReadFile(backup)
			if err != nil {
				t.Fatal(err)
			}
			if n := bytes.Count(raw, salt); n != 1 {
				t.Fatalf("the entry's salt is %d times in the file", n)
			}
			i := bytes.Index(raw, salt)
			if raw[i] == '0' {
				raw[i] = '1'
			} else {
				raw[i] = '0'
			}
			if err := os.WriteFile(backup, raw, 0o600); err != nil {
				t.Fatal(err)
			}
			return []string{fmt.Sprintf("entry %d: its bytes do not hash to its stored leaf hash", seq)}
		}},
		{"one row of a projection table", "", func(t *testing.T, l *recLog, backup string) []string {
			db := recOpen(t, backup)
			var id string
			if err := db.SQL().QueryRow(`SELECT id FROM messages WHERE body = 'hello 1'`).Scan(&id); err != nil {
				t.Fatal(err)
			}
			if _, err := db.SQL().Exec(`UPDATE messages SET body = 'forged' WHERE id = $1`, id); err != nil {
				t.Fatal(err)
			}
			db.Close()
			return []string{"the read tables differ from the record in 1 places",
				fmt.Sprintf(`messages %s: body is "forged" in the database but "hello 1" in the record`, id)}
		}},
		{"an event removed", "", func(t *testing.T, l *recLog, backup string) []string {
			db := recOpen(t, backup)
			seq := l.seqOf(t, "message.posted", "hello 1")
			if _, err := db.SQL().Exec(`DELETE FROM entries WHERE seq = $1`, seq); err != nil {
				t.Fatal(err)
			}
			db.Close()
			return []string{fmt.Sprintf("entry %d is missing", seq)}
		}},
		{"signed by another key", recKey(t).Verifier, func(t *testing.T, l *recLog, backup string) []string {
			return []string{"its signature does not verify with the key"}
		}},
		{"not a database", "", func(t *testing.T, l *recLog, backup string) []string {
			if err := os.WriteFile(backup, bytes.Repeat([]byte("not sqlite "), 1000), 0o600); err != nil {
				t.Fatal(err)
			}
			return []string{"is not a database Parley can open"}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newRecLog(t, key)
			backup := filepath.Join(t.TempDir(), "backup.db")
			if _, _, err := runCmd(t, "--db", "sqlite:"+l.path, "backup", backup); err != nil {
				t.Fatal(err)
			}
			wants := tt.tamper(t, l, backup)
			vkey := tt.key
			if vkey == "" {
				vkey = key.Verifier
			}
			// The database to be replaced: another server's, closed.
			data := t.TempDir()
			target := filepath.Join(data, "parley.db")
			other := newRecLog(t, key)
			other.db.Close()
			if err := os.Rename(other.path, target); err != nil {
				t.Fatal(err)
			}
			old, err := os.ReadFile(target)
			if err != nil {
				t.Fatal(err)
			}
			_, _, err = runCmd(t, "--data", data, "restore", "--force", backup, "--key", vkey)
			wantExit(t, "restore", err, 2, append([]string{"restore refused: " + backup}, wants...)...)
			if now, _ := os.ReadFile(target); !bytes.Equal(now, old) {
				t.Error("a refused restore changed the database")
			}
			names, _ := filepath.Glob(filepath.Join(data, "*"))
			hidden, _ := filepath.Glob(filepath.Join(data, ".*"))
			if names = append(names, hidden...); len(names) != 1 {
				t.Errorf("after a refused restore the data directory holds %v, want only parley.db", names)
			}
		})
	}
}

// TestRestoreNeedsKey checks that restore will not accept a backup whose
// signed checkpoints it cannot check, and takes the server's own key from
// the data directory.
func TestRestoreNeedsKey(t *testing.T) {
	skey, _, err := note.GenerateKey(rand.Reader, "test.example/parley-record")
	if err != nil {
		t.Fatal(err)
	}
	k, err := record.ParseKey(skey)
	if err != nil {
		t.Fatal(err)
	}
	l := newRecLog(t, k)
	backup := filepath.Join(t.TempDir(), "backup.db")
	if _, _, err := runCmd(t, "--db", "sqlite:"+l.path, "backup", backup); err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	_, _, err = runCmd(t, "--data", data, "restore", backup)
	wantExit(t, "restore without a key", err, 2, "give --key or --key-file, or put the server's record.key in the data directory")
	if err := os.WriteFile(filepath.Join(data, "record.key"), []byte(skey), 0o600); err != nil {
		t.Fatal(err)
	}
	out, _, err := runCmd(t, "--data", data, "restore", backup)
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, "output", out, "every one signed by the log's key", "restored ")
	if strings.Contains(out, "before-restore") {
		t.Errorf("nothing was replaced, yet: %s", out)
	}
}
