package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/auth"
	"github.com/parley-talks/parley/internal/live"
	"github.com/parley-talks/parley/internal/record"
	"github.com/parley-talks/parley/internal/service"
	"github.com/parley-talks/parley/internal/store"
	"github.com/parley-talks/parley/internal/storetest"
	"github.com/parley-talks/parley/internal/web"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// recLog is a Parley database on SQLite written by the real write path,
// with the record's key, and a server in front of it once served.
type recLog struct {
	path  string
	db    *store.DB
	w     *storetest.World
	key   *record.Key
	token string // an API token of head A's account
	url   string
}

func recKey(t *testing.T) *record.Key {
	t.Helper()
	skey, _, err := note.GenerateKey(rand.Reader, "test.example/parley-record")
	if err != nil {
		t.Fatal(err)
	}
	k, err := record.ParseKey(skey)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func recOpen(t *testing.T, path string) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}

// newRecLog makes a process with messages in head A's caucus and in a
// working group, an API token for head A, and a signed checkpoint.
func newRecLog(t *testing.T, key *record.Key) *recLog {
	t.Helper()
	ctx := context.Background()
	l := &recLog{path: filepath.Join(t.TempDir(), "parley.db"), key: key}
	l.db = recOpen(t, l.path)
	l.w = storetest.NewWorld(t, l.db, nil)
	l.post(t, 3, "hello")
	secret, hash, err := auth.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	if err := l.db.CreateToken(ctx, store.Token{ID: service.NewID(), AccountID: l.w.HeadA.AccountID, ProcessID: l.w.Process.ID, Name: "verify", CreatedAt: time.Now()}, hash); err != nil {
		t.Fatal(err)
	}
	l.token = secret
	l.sign(t)
	return l
}

// post adds n messages in head A's caucus and n in the humanitarian group,
// which head A may not read.
func (l *recLog) post(t *testing.T, n int, text string) {
	t.Helper()
	caucus := l.w.SpaceOf(parley.SpaceParty, l.w.PartyA.ID)
	for i := range n {
		l.w.Must(t, l.w.HeadA, parley.StartThread{SpaceID: caucus.ID, Title: "t", Body: fmt.Sprintf("%s %d", text, i)})
		l.w.Must(t, l.w.DelegB, parley.StartThread{SpaceID: l.w.Groups[parley.GroupHumanitarian].SpaceID, Title: "t", Body: fmt.Sprintf("%s %d", text, i)})
	}
}

// sign signs a checkpoint of the tree as it is.
func (l *recLog) sign(t *testing.T) tlog.Tree {
	t.Helper()
	last := int64(-1)
	if err := record.IntegrateOnce(context.Background(), l.db, l.key, &last, time.Now); err != nil {
		t.Fatal(err)
	}
	head, err := l.db.TreeHead(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return head
}

// serve starts the real web server on l's database.
func (l *recLog) serve(t *testing.T) string {
	t.Helper()
	reg := prometheus.NewRegistry()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := web.New(web.Config{Version: "test", LogKey: l.key}, l.db, l.w.Service, live.NewHub(16, reg), log, reg, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler(reg))
	t.Cleanup(hs.Close)
	l.url = hs.URL
	return hs.URL
}

// backup copies l's database, as an operator's backup would, and returns
// a log on the copy that the same key signs and the same actors write.
func (l *recLog) backup(t *testing.T) *recLog {
	t.Helper()
	path := filepath.Join(t.TempDir(), "backup.db")
	if _, err := l.db.SQL().Exec("VACUUM INTO '" + path + "'"); err != nil {
		t.Fatal(err)
	}
	b := &recLog{path: path, key: l.key, token: l.token}
	b.db = recOpen(t, path)
	w := *l.w
	w.DB = b.db
	w.Writer = store.NewWriter(b.db, nil)
	t.Cleanup(w.Writer.Close)
	w.Service = service.New(b.db, w.Writer, time.Now, nil)
	b.w = &w
	return b
}

// seqOf returns the record sequence number of the first entry of type typ
// whose JSON contains text.
func (l *recLog) seqOf(t *testing.T, typ, text string) int64 {
	t.Helper()
	var seq int64
	err := l.db.SQL().QueryRow(`SELECT seq FROM entries WHERE type = $1 AND CAST(entry AS TEXT) LIKE $2 ORDER BY seq LIMIT 1`, typ, "%"+text+"%").Scan(&seq)
	if err != nil {
		t.Fatal(err)
	}
	return seq
}

func (l *recLog) exec(t *testing.T, q string, args ...any) {
	t.Helper()
	if _, err := l.db.SQL().Exec(q, args...); err != nil {
		t.Fatal(err)
	}
}

// runCmd runs the real program with args and no environment.
func runCmd(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var o, e bytes.Buffer
	err = run(context.Background(), args, func(string) string { return "" }, strings.NewReader(""), &o, &e)
	return o.String(), e.String(), err
}

func mustContain(t *testing.T, what, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, got)
		}
	}
}

func TestVerifyURL(t *testing.T) {
	l := newRecLog(t, recKey(t))
	url := l.serve(t)
	state := filepath.Join(t.TempDir(), "state.json")
	size := l.sign(t).N

	// Without a token: hashes only.
	out, _, err := runCmd(t, "verify", url, "--key", l.key.Verifier, "--state", state)
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, "output", out, fmt.Sprintf("checkpoint %d of test.example/parley-record: signed by the log's key", size),
		fmt.Sprintf("entries: %d checked: 0 read", size), "consistent with the 0 checkpoints")

	// With head A's token, after the log grew: head A's entries in full,
	// and consistency with the checkpoint seen before.
	l.post(t, 2, "more")
	size2 := l.sign(t).N
	out, _, err = runCmd(t, "verify", url, "--key", l.key.Verifier, "--state", state, "--token", l.token)
	if err != nil {
		t.Fatal(err)
	}
	var readable, hidden int64
	if _, err := fmt.Sscanf(out[strings.Index(out, "entries:"):], "entries: %d checked: %d read, hashed and parsed; %d shown", new(int64), &readable, &hidden); err != nil {
		t.Fatalf("%v in %q", err, out)
	}
	if readable == 0 || hidden == 0 || readable+hidden != size2 {
		t.Errorf("head A read %d and saw %d as hashes of %d entries", readable, hidden, size2)
	}
	mustContain(t, "output", out, "consistent with the 1 checkpoints")
	var st verifyState
	if b, err := os.ReadFile(state); err != nil || json.Unmarshal(b, &st) != nil {
		t.Fatalf("state file: %v", err)
	}
	if len(st.Checkpoints) != 2 || st.Checkpoints[0].Size != size || st.Checkpoints[1].Size != size2 || st.Key != l.key.Verifier {
		t.Errorf("state %+v", st)
	}
}

func TestVerifyTrustOnFirstUse(t *testing.T) {
	l := newRecLog(t, recKey(t))
	url := l.serve(t)
	state := filepath.Join(t.TempDir(), "state.json")
	_, errOut, err := runCmd(t, "verify", url, "--state", state)
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, "first run's warning", errOut, "warning: trusting the log's key on first use: "+l.key.Verifier)
	_, errOut, err = runCmd(t, "verify", url, "--state", state)
	if err != nil || errOut != "" {
		t.Fatalf("second run: %v, stderr %q", err, errOut)
	}
	// A key given later that is not the one trusted is refused.
	_, _, err = runCmd(t, "verify", url, "--state", state, "--key", recKey(t).Verifier)
	if err == nil || !strings.Contains(err.Error(), "is not the key this verifier trusted since") {
		t.Fatalf("another key: %v", err)
	}
	// A server that signs with another key than the one trusted fails.
	other := newRecLog(t, recKey(t))
	_, _, err = runCmd(t, "verify", other.serve(t), "--state", state)
	if err == nil {
		t.Fatal("a server with another key verified against the trusted key")
	}
}

func TestVerifyDatabaseAndReplay(t *testing.T) {
	l := newRecLog(t, recKey(t))
	state := filepath.Join(t.TempDir(), "state.json")
	out, _, err := runCmd(t, "--db", "sqlite:"+l.path, "verify", "--key", l.key.Verifier, "--state", state, "--replay")
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, "output", out, "with an unbroken hash chain", "stored tree hashes match the entries",
		"every one signed by the log's key", "replay: ", fmt.Sprintf("all %d read tables equal the database's", len(store.ProjectionTables)))
	// --replay needs the database.
	if _, _, err := runCmd(t, "verify", "http://127.0.0.1:1", "--replay"); err == nil {
		t.Error("--replay with a URL was accepted")
	}
}

// TestVerifyTamper changes a real database behind the server's back in
// the ways a dishonest or careless host could, and checks that `parley
// verify` says what happened.
func TestVerifyTamper(t *testing.T) {
	key := recKey(t)
	tests := []struct {
		name   string
		url    bool // verify through the server, with head A's token
		replay bool
		tamper func(t *testing.T, l *recLog) string // returns the expected message
	}{
		{"projection row edited", false, true, func(t *testing.T, l *recLog) string {
			var id string
			if err := l.db.SQL().QueryRow(`SELECT id FROM messages WHERE body = 'hello 1'`).Scan(&id); err != nil {
				t.Fatal(err)
			}
			l.exec(t, `UPDATE messages SET body = 'forged' WHERE id = $1`, id)
			return fmt.Sprintf(`messages %s: body is "forged" in the database but "hello 1" in the record`, id)
		}},
		{"projection row added", false, true, func(t *testing.T, l *recLog) string {
			l.exec(t, `INSERT INTO group_members (group_id, member_id) SELECT $1, id FROM members WHERE account_id = $2`,
				l.w.Groups[parley.GroupMilitary].ID, l.w.HeadB.AccountID)
			return "group_members " + l.w.Groups[parley.GroupMilitary].ID + "/"
		}},
		{"event bytes changed", false, false, func(t *testing.T, l *recLog) string {
			seq := l.seqOf(t, "message.posted", "hello 2")
			l.exec(t, `UPDATE entries SET entry = CAST(REPLACE(CAST(entry AS TEXT), 'hello 2', 'HELLO 2') AS BLOB) WHERE seq = $1`, seq)
			return fmt.Sprintf("entry %d: its bytes do not hash to its stored leaf hash", seq)
		}},
		{"event bytes changed, seen through the server", true, false, func(t *testing.T, l *recLog) string {
			seq := l.seqOf(t, "message.posted", "hello 2")
			l.exec(t, `UPDATE entries SET entry = CAST(REPLACE(CAST(entry AS TEXT), 'hello 2', 'HELLO 2') AS BLOB) WHERE seq = $1`, seq)
			return fmt.Sprintf("entry %d: its bytes do not hash to the leaf in the tree", seq)
		}},
		{"event bytes changed with every hash recomputed", false, false, func(t *testing.T, l *recLog) string {
			seq := l.seqOf(t, "message.posted", "hello 2")
			l.exec(t, `UPDATE entries SET entry = CAST(REPLACE(CAST(entry AS TEXT), 'hello 2', 'HELLO 2') AS BLOB) WHERE seq = $1`, seq)
			rehash(t, l)
			return "the entries make root"
		}},
		{"event deleted", false, false, func(t *testing.T, l *recLog) string {
			seq := l.seqOf(t, "message.posted", "hello 1")
			l.exec(t, `DELETE FROM entries WHERE seq = $1`, seq)
			return fmt.Sprintf("entry %d is missing: the record goes from entry %d to entry %d", seq, seq-1, seq+1)
		}},
		{"event deleted, seen through the server", true, false, func(t *testing.T, l *recLog) string {
			seq := l.seqOf(t, "message.posted", "hello 1")
			l.exec(t, `DELETE FROM entries WHERE seq = $1`, seq)
			return "the server sent"
		}},
		{"last events deleted", false, false, func(t *testing.T, l *recLog) string {
			n, _ := l.db.LastSeq(context.Background())
			l.exec(t, `DELETE FROM entries WHERE seq >= $1`, n-1)
			l.exec(t, `DELETE FROM tree_hashes WHERE idx >= $1`, tlog.StoredHashIndex(0, n-2))
			return fmt.Sprintf("checkpoint %d covers %d entries, but the database holds only %d", n, n, n-2)
		}},
		{"tree hash changed", false, false, func(t *testing.T, l *recLog) string {
			l.exec(t, `UPDATE tree_hashes SET hash = zeroblob(32) WHERE idx = 2`)
			return "tree hash 2 (level 1, node 0) does not match the entries"
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newRecLog(t, key)
			want := tt.tamper(t, l)
			state := filepath.Join(t.TempDir(), "state.json")
			args := []string{"--db", "sqlite:" + l.path, "verify", "--key", key.Verifier, "--state", state}
			if tt.url {
				args = []string{"verify", l.serve(t), "--token", l.token, "--key", key.Verifier, "--state", state}
			}
			if tt.replay {
				args = append(args, "--replay")
			}
			_, _, err := runCmd(t, args...)
			if err == nil {
				t.Fatalf("verify passed a tampered record; want %q", want)
			}
			mustContain(t, "the error", err.Error(), "verification failed", want)
		})
	}
}

// rehash recomputes every leaf, chain and tree hash of l's entries, as a
// host covering its tracks would; only the signed checkpoint stays.
func rehash(t *testing.T, l *recLog) {
	t.Helper()
	ctx := context.Background()
	tree := record.NewTree(0)
	var chain record.Hash
	type row struct {
		seq          int64
		leaf, chain_ record.Hash
	}
	var rows []row
	err := l.db.ScanEntries(ctx, func(seq int64, entry, _, _ []byte) error {
		h := record.LeafHash(entry)
		chain = record.ChainHash(chain, h)
		tree.Append(h)
		rows = append(rows, row{seq, h, chain})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		l.exec(t, `UPDATE entries SET leaf_hash = $1, chain_hash = $2 WHERE seq = $3`, r.leaf[:], r.chain_[:], r.seq)
	}
	for i, h := range tree.StoredHashes() {
		l.exec(t, `UPDATE tree_hashes SET hash = $1 WHERE idx = $2`, h[:], i)
	}
}

// TestVerifyTruncatedAndRegrown restarts a server from an older backup and
// lets it write new entries: the tree is larger than the one a party
// verified, but its beginning is another history, and the party's state
// file shows it.
func TestVerifyTruncatedAndRegrown(t *testing.T) {
	l := newRecLog(t, recKey(t))
	old := l.backup(t) // the backup, taken now
	l.post(t, 2, "later")
	seen := l.sign(t)
	state := filepath.Join(t.TempDir(), "state.json")
	if _, _, err := runCmd(t, "verify", l.serve(t), "--key", l.key.Verifier, "--state", state); err != nil {
		t.Fatal(err)
	}
	today := time.Now().UTC().Format("2006-01-02")

	// Restored, before it grows again: smaller than what the party saw.
	restored := old.serve(t)
	_, _, err := runCmd(t, "verify", restored, "--key", l.key.Verifier, "--state", state)
	if err == nil {
		t.Fatal("a truncated log verified")
	}
	mustContain(t, "the error", err.Error(), fmt.Sprintf("is not consistent with checkpoint %d seen on %s", seen.N, today), "the log is smaller than before")

	// Regrown past it, with other entries.
	old.post(t, 4, "rewritten")
	regrown := old.sign(t)
	if regrown.N <= seen.N {
		t.Fatalf("regrown to %d, not past %d", regrown.N, seen.N)
	}
	_, _, err = runCmd(t, "verify", restored, "--key", l.key.Verifier, "--state", state)
	if err == nil {
		t.Fatal("a rewritten log verified")
	}
	mustContain(t, "the error", err.Error(), fmt.Sprintf("checkpoint %d is not consistent with checkpoint %d seen on %s ", regrown.N, seen.N, today), "UTC: the log was rewritten")

	// The same from the backup's database directly.
	_, _, err = runCmd(t, "--db", "sqlite:"+old.path, "verify", "--key", l.key.Verifier, "--state", state)
	if err == nil || !strings.Contains(err.Error(), "the log was rewritten") {
		t.Fatalf("verify of the database: %v", err)
	}
}

// recGet fetches a path of a server and returns the body.
func recGet(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %s %s", url, resp.Status, b)
	}
	return string(b)
}
