package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/record"
	"github.com/parley-talks/parley/internal/seal"
	"github.com/parley-talks/parley/internal/store"
	"github.com/parley-talks/parley/internal/storetest"
)

// importList puts two people in party A's held list of a new exchange in
// the humanitarian group of w, and returns the exchange's ID.
func importList(t *testing.T, w *storetest.World) string {
	t.Helper()
	id := w.Must(t, w.Mediator, parley.CreateExchange{GroupID: w.Groups[parley.GroupHumanitarian].ID, Parties: []string{w.PartyA.ID, w.PartyB.ID},
		ExchangeTerms: parley.ExchangeTerms{Title: "2 for 2", Total: 2, Stages: 1, Categories: []parley.ExchangeCategoryTerms{{Code: "all", Name: "All", Count: 2}}}},
	)[0].Data.(*parley.ExchangeCreated).ExchangeID
	w.Must(t, w.DelegA, parley.ImportPersons{ExchangeID: id, List: parley.ListHeld, Mode: parley.ImportAll, File: "held.csv", Format: "csv",
		SHA256: strings.Repeat("ab", 32), Rows: 2, Persons: []parley.Person{
			{Ref: "1", FamilyName: "Зюзюкевич", GivenName: "Олександр"}, {Ref: "2", FamilyName: "Qwertyuk", GivenName: "Mykola"}}})
	return id
}

// TestKeysRotate makes a database with a sealed list through the server's
// own opening (which creates the data key), rotates the key with the
// command, drops the old key from the file, and reads the list back; verify
// --replay opens the sealed entries with the key and fails plainly
// without it.
func TestKeysRotate(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	g := &cli{Data: dir}
	db, err := openDB(ctx, g)
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(dir, "data.key")
	if fi, err := os.Stat(keyFile); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the data key file was not created with mode 0600: %v %v", fi, err)
	}
	w := storetest.NewWorld(t, db, nil)
	id := importList(t, w)
	key := recKey(t)
	last := int64(-1)
	if err := record.IntegrateOnce(ctx, db, key, &last, time.Now); err != nil {
		t.Fatal(err)
	}
	w.Writer.Close()
	db.Close()
	// The database file, and its write-ahead log if any, hold no name in
	// plain: not in the record, the tables, or free pages.
	var all strings.Builder
	for _, f := range []string{"parley.db", "parley.db-wal"} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		all.Write(b)
		for _, name := range []string{"Зюзюкевич", "Qwertyuk"} {
			if strings.Contains(string(b), name) {
				t.Errorf("%s holds %q in plain", f, name)
			}
		}
	}
	if !strings.Contains(all.String(), `"title":"2 for 2"`) {
		t.Error("the exchange's title, which is not sealed, is not found in the files: the search does not work")
	}

	out, _, err := runCmd(t, "--data", dir, "keys", "list")
	if err != nil || strings.Count(out, "\n") != 1 || !strings.HasSuffix(out, " current\n") {
		t.Fatalf("keys list: %q %v", out, err)
	}
	old := strings.Fields(out)[0]
	out, _, err = runCmd(t, "--data", dir, "keys", "rotate")
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, "rotate", out, "added data key", "sealed anew: 1 of 1 sealed values")
	out, _, _ = runCmd(t, "--data", dir, "keys", "list")
	if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 2 || lines[0] != old || !strings.HasSuffix(lines[1], " current") {
		t.Fatalf("after rotation: %q", out)
	}

	// The old key may go now: keep only the last line with a key.
	b, err := os.ReadFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	var keep []string
	for _, l := range strings.Split(string(b), "\n") {
		if s := strings.TrimSpace(l); s != "" && !strings.HasPrefix(s, "#") {
			keep = []string{l}
		}
	}
	if err := os.WriteFile(keyFile, []byte(strings.Join(keep, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	db, err = openDB(ctx, g)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got, err := db.ListPersons(ctx, w.DelegB, id, w.PartyA.ID, parley.ListHeld)
	if err != nil || len(got) != 2 || got[0].FamilyName != "Зюзюкевич" {
		t.Fatalf("the list under the new key alone: %+v %v", got, err)
	}
	ring, err := seal.LoadFile(keyFile)
	if err != nil || len(ring.IDs()) != 1 || ring.IDs()[0] == old {
		t.Fatalf("key file %v %v", ring, err)
	}

	// verify --replay reads the sealed entries with the key, and says
	// what is missing without it.
	out, _, err = runCmd(t, "--data", dir, "verify", "--replay", "--state", filepath.Join(t.TempDir(), "state.json"), "--key", key.Verifier)
	if err != nil {
		t.Fatalf("verify --replay with the data key: %v\n%s", err, out)
	}
	mustContain(t, "verify", out, fmt.Sprintf("all %d read tables equal the database's", len(store.ProjectionTables)))
	if err := os.Rename(keyFile, keyFile+".away"); err != nil {
		t.Fatal(err)
	}
	_, _, err = runCmd(t, "--data", dir, "verify", "--replay", "--state", filepath.Join(t.TempDir(), "state.json"), "--key", key.Verifier)
	if err == nil || !strings.Contains(err.Error(), "no data key was given") {
		t.Errorf("verify without the data key: %v", err)
	}
	// rotate refuses plainly without a key file.
	_, _, err = runCmd(t, "--data", dir, "keys", "rotate")
	wantExit(t, "rotate without a key file", err, 2, "no data key file")
}
