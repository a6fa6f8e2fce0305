package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/parley-talks/parley/internal/auth"
	"github.com/parley-talks/parley/internal/record"
	"github.com/parley-talks/parley/internal/store"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// verifyCmd is `parley verify`: a party's own check of a server's record,
// from the server's URL or straight from its database or a backup.
type verifyCmd struct {
	URL     string `arg:"" optional:"" placeholder:"URL" help:"The server's URL, e.g. https://parley.example.org. Without it, the database given by --db or --data is verified directly."`
	Token   string `name:"token" env:"PARLEY_TOKEN" placeholder:"TOKEN" help:"API token: the entries it may read are checked in full. Without one only hashes are checked."`
	Key     string `name:"key" env:"PARLEY_VERIFY_KEY" placeholder:"VKEY" help:"The log's verifier key, from the server's operator. Without it the key kept in the state file is used, or the one the server publishes is trusted on first use (with a warning)."`
	KeyFile string `name:"key-file" placeholder:"PATH" help:"File holding the log's verifier key."`
	State   string `name:"state" placeholder:"FILE" help:"File of the checkpoints this verifier saw before (default ~/.config/parley/verify-<origin>.json)."`
	Replay  bool   `name:"replay" help:"With direct database access: rebuild the read tables from the record in a temporary database and compare them with the database's, row by row."`
}

// verifyState is what a verifier keeps between runs: the log's key it
// trusts and every checkpoint it accepted.
type verifyState struct {
	Origin      string        `json:"origin"`
	Key         string        `json:"key"`
	KeySince    time.Time     `json:"key_trusted_since"`
	Checkpoints []record.Seen `json:"checkpoints"`
}

func (c *verifyCmd) Run(e *env, g *cli) error {
	ctx := e.ctx
	if c.Replay && c.URL != "" {
		return &exitError{code: 2, err: errors.New("--replay needs direct access to the database (--db or --data), not a URL")}
	}
	vkey, err := c.givenKey()
	if err != nil {
		return err
	}
	if c.URL != "" {
		return c.verifyURL(ctx, e, vkey)
	}
	return c.verifyDB(ctx, e, g, vkey)
}

// givenKey returns the verifier key given by --key or --key-file, if any.
func (c *verifyCmd) givenKey() (string, error) { return verifierKey(c.Key, c.KeyFile) }

// verifierKey returns the verifier key given as key or in keyFile, if any.
func verifierKey(key, keyFile string) (string, error) {
	k := strings.TrimSpace(key)
	if k == "" && keyFile != "" {
		b, err := os.ReadFile(keyFile)
		if err != nil {
			return "", fmt.Errorf("read the log's key: %w", err)
		}
		k = strings.TrimSpace(string(b))
	}
	if k == "" {
		return "", nil
	}
	if _, err := note.NewVerifier(k); err != nil {
		return "", fmt.Errorf("the log's key %q is not a signed-note verifier key: %w", k, err)
	}
	return k, nil
}

// keyName returns the name of a verifier key: the log's origin.
func keyName(vkey string) string {
	name, _, _ := strings.Cut(vkey, "+")
	return name
}

// stateFile returns the state file path for a log named origin.
func stateFile(given, prefix, origin string) string {
	if given != "" {
		return given
	}
	name := prefix + "-" + strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' {
			return r
		}
		return '_'
	}, origin) + ".json"
	if dir, err := os.UserConfigDir(); err == nil {
		return filepath.Join(dir, "parley", name)
	}
	return name
}

// loadJSON reads a state file into v; a missing file leaves v as it is.
func loadJSON(path string, v any) (bool, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read the state file: %w", err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return false, fmt.Errorf("the state file %s is damaged: %w", path, err)
	}
	return true, nil
}

// saveJSON writes a state file atomically: a crash leaves the old one.
func saveJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("create the state directory: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".state-*")
	if err != nil {
		return fmt.Errorf("write the state file: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// trustKey settles which verifier key to check the log with: the one given,
// else the one in the state file, else the one the server publishes,
// trusted on first use with a warning. It records the key in st.
func trustKey(ctx context.Context, e *env, given string, st *verifyState, path string, fetch func(context.Context) (string, error)) (string, error) {
	switch {
	case given != "" && st.Key != "" && given != st.Key:
		return "", fmt.Errorf("the key given (%s) is not the key this verifier trusted since %s (%s); if the server really changed its key, remove %s and verify again",
			given, st.KeySince.Format(time.DateOnly), st.Key, path)
	case given != "":
		if st.Key == "" {
			st.Key, st.KeySince = given, time.Now().UTC()
		}
		return given, nil
	case st.Key != "":
		return st.Key, nil
	}
	if fetch == nil {
		return "", errors.New("give the log's verifier key with --key or --key-file")
	}
	k, err := fetch(ctx)
	if err != nil {
		return "", err
	}
	fmt.Fprintf(e.stderr, "warning: trusting the log's key on first use: %s\n"+
		"  Compare it with the key the server's operator gave you; it is kept in %s and required from now on.\n", k, path)
	st.Key, st.KeySince = k, time.Now().UTC()
	return k, nil
}

func (c *verifyCmd) verifyURL(ctx context.Context, e *env, given string) error {
	src, err := newHTTPLog(c.URL, c.Token)
	if err != nil {
		return err
	}
	origin := keyName(given)
	if origin == "" {
		k, err := src.key(ctx)
		if err != nil {
			return err
		}
		origin = keyName(k)
	}
	path := stateFile(c.State, "verify", origin)
	var st verifyState
	if _, err := loadJSON(path, &st); err != nil {
		return err
	}
	vkey, err := trustKey(ctx, e, given, &st, path, src.key)
	if err != nil {
		return err
	}
	var signed signedActs
	rep, err := record.Verify(ctx, src, vkey, st.Checkpoints, signed.check)
	if err != nil {
		return fmt.Errorf("verification failed: %w", err)
	}
	fmt.Fprintf(e.stdout, "checkpoint %d of %s: signed by the log's key\n", rep.Tree.N, rep.Origin)
	fmt.Fprintf(e.stdout, "tree: rebuilt from %d tiles; its root is the checkpoint's\n", rep.Tiles)
	fmt.Fprintf(e.stdout, "entries: %d checked: %d read, hashed and parsed; %d shown as leaf hashes only\n", rep.Tree.N, rep.Readable, rep.Hidden)
	signed.report(e.stdout)
	return c.accept(e, &st, path, rep.Origin, rep.Tree)
}

// accept reports the earlier checkpoints found consistent and keeps the new
// one in the state file.
func (c *verifyCmd) accept(e *env, st *verifyState, path, origin string, t tlog.Tree) error {
	fmt.Fprintf(e.stdout, "consistent with the %d checkpoints this verifier saw before (%s)\n", len(st.Checkpoints), path)
	st.Origin = origin
	if !slices.ContainsFunc(st.Checkpoints, func(s record.Seen) bool { return s.Size == t.N }) {
		st.Checkpoints = append(st.Checkpoints, record.SeenOf(t, time.Now()))
		slices.SortFunc(st.Checkpoints, func(a, b record.Seen) int { return int(a.Size - b.Size) })
	}
	return saveJSON(path, st)
}

// httpLog reads a server's record over HTTP.
type httpLog struct {
	base   string
	token  string
	client *http.Client
}

func newHTTPLog(base, token string) (*httpLog, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%q is not a server URL (http:// or https://)", base)
	}
	return &httpLog{base: strings.TrimSuffix(base, "/"), token: token, client: &http.Client{Timeout: time.Minute}}, nil
}

// errNotFound is a 404 from the server.
var errNotFound = errors.New("not found")

func (h *httpLog) do(ctx context.Context, method, path string, body io.Reader) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, h.base+path, body)
	if err != nil {
		return nil, err
	}
	if h.token != "" {
		req.Header.Set("Authorization", "Bearer "+h.token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := h.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return nil, fmt.Errorf("%s %s: %w", method, path, errNotFound)
	case resp.StatusCode >= 300:
		return nil, fmt.Errorf("%s %s: the server answered %s: %s", method, path, resp.Status, strings.TrimSpace(string(b)))
	}
	return b, nil
}

func (h *httpLog) key(ctx context.Context) (string, error) {
	b, err := h.do(ctx, "GET", "/log/key", nil)
	if err != nil {
		return "", fmt.Errorf("fetch the log's key: %w", err)
	}
	k := strings.TrimSpace(string(b))
	if _, err := note.NewVerifier(k); err != nil {
		return "", fmt.Errorf("the server's /log/key is not a verifier key: %w", err)
	}
	return k, nil
}

func (h *httpLog) Checkpoint(ctx context.Context) ([]byte, error) {
	b, err := h.do(ctx, "GET", "/log/checkpoint", nil)
	if errors.Is(err, errNotFound) {
		return nil, record.ErrNoCheckpoint
	}
	return b, err
}

func (h *httpLog) ReadTile(ctx context.Context, t tlog.Tile) ([]byte, error) {
	return h.do(ctx, "GET", "/log/tile/"+strings.TrimPrefix(t.Path(), fmt.Sprintf("tile/%d/", t.H)), nil)
}

func (h *httpLog) ReadBundle(ctx context.Context, t tlog.Tile) ([]byte, error) {
	t.L = -1
	return h.do(ctx, "GET", "/log/tile/entries/"+strings.TrimPrefix(t.Path(), fmt.Sprintf("tile/%d/data/", t.H)), nil)
}

// consistency fetches the proof that the tree of size from is a prefix of
// the tree of size to.
func (h *httpLog) consistency(ctx context.Context, from, to int64) (tlog.TreeProof, error) {
	b, err := h.do(ctx, "GET", fmt.Sprintf("/log/proof/consistency?from=%d&to=%d", from, to), nil)
	if err != nil {
		return nil, err
	}
	var p struct {
		Proof []string `json:"proof"`
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("the consistency proof is not JSON: %w", err)
	}
	out := make(tlog.TreeProof, len(p.Proof))
	for i, s := range p.Proof {
		h, err := base64.StdEncoding.DecodeString(s)
		if err != nil || len(h) != tlog.HashSize {
			return nil, errors.New("the consistency proof holds a hash that is not 32 bytes of base64")
		}
		copy(out[i][:], h)
	}
	return out, nil
}

// verifyDB checks a database directly: every entry against its stored leaf
// and chain hash, the whole tree against the entries, every stored
// checkpoint against the tree and the key, and with --replay the read
// tables against the record.
func (c *verifyCmd) verifyDB(ctx context.Context, e *env, g *cli, given string) error {
	dsn := g.dsn()
	if p, ok := strings.CutPrefix(dsn, "sqlite:"); ok {
		if _, err := os.Stat(p); err != nil {
			return fmt.Errorf("no database at %s (give --db, --data or a server URL)", p)
		}
	}
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.CheckSchema(ctx); err != nil {
		return err
	}
	ring, _, err := g.dataKey(false)
	if err != nil {
		return err
	}
	if ring != nil {
		db.SetSealer(ring)
	}
	if given == "" {
		given, err = serverKey(e, g)
		if err != nil {
			return err
		}
	}
	path := stateFile(c.State, "verify", keyName(given))
	var st verifyState
	if _, err := loadJSON(path, &st); err != nil {
		return err
	}
	vkey, err := trustKey(ctx, e, given, &st, path, nil)
	if err != nil {
		return err
	}

	tree, latest, err := checkDatabase(ctx, e, db, vkey)
	if err != nil {
		return err
	}
	if latest.N > 0 {
		if err := record.CheckSeen(latest, tree, st.Checkpoints); err != nil {
			return &verifyError{err}
		}
	}
	if c.Replay {
		if err := verifyReplay(ctx, e, db); err != nil {
			return err
		}
	}
	if latest.N == 0 {
		return saveJSON(path, st)
	}
	return c.accept(e, &st, path, keyName(vkey), latest)
}

// verifyError is a check of the record that failed, as opposed to an
// error that kept it from being checked.
type verifyError struct{ err error }

func (e *verifyError) Error() string { return "verification failed: " + e.err.Error() }
func (e *verifyError) Unwrap() error { return e.err }

// checkDatabase checks a database's record as `parley verify` does from a
// database, and `parley restore` before it accepts a backup: every entry
// against its stored leaf and chain hash, every stored tree hash against
// the entries, every stored checkpoint against the tree and the key vkey.
// It reports each step on e.stdout and returns the tree and the latest
// checkpoint.
func checkDatabase(ctx context.Context, e *env, db *store.DB, vkey string) (*record.Tree, tlog.Tree, error) {
	var signed signedActs
	tree, err := checkEntries(ctx, db, signed.check)
	if err != nil {
		return nil, tlog.Tree{}, &verifyError{err}
	}
	fmt.Fprintf(e.stdout, "entries: %d, each hashing to its stored leaf hash, with an unbroken hash chain, each parsing with its own sequence number\n", tree.Size())
	signed.report(e.stdout)
	if err := checkTreeHashes(ctx, db, tree); err != nil {
		return nil, tlog.Tree{}, &verifyError{err}
	}
	fmt.Fprintf(e.stdout, "tree: all %d stored tree hashes match the entries\n", len(tree.StoredHashes()))
	latest, err := checkCheckpoints(ctx, db, tree, vkey)
	if err != nil {
		return nil, tlog.Tree{}, &verifyError{err}
	}
	if latest.N == 0 {
		fmt.Fprintln(e.stdout, "checkpoints: none signed yet")
	} else {
		fmt.Fprintf(e.stdout, "checkpoints: every one signed by the log's key and matching the entries; the latest is %d\n", latest.N)
	}
	return tree, latest, nil
}

// signedActs counts the signed formal acts a verification checked and
// the keys that signed them, by account.
type signedActs struct {
	n    int
	keys map[string]map[string]bool // account → key fingerprints
}

// check verifies the passkey signature of a readable entry, if it is a
// signed formal act.
func (s *signedActs) check(ent record.Entry) error {
	fp, err := auth.CheckSignedEntry(ent.Type, ent.Actor, ent.Data)
	if err != nil || fp == "" {
		return err
	}
	s.n++
	if s.keys == nil {
		s.keys = map[string]map[string]bool{}
	}
	if s.keys[ent.Actor] == nil {
		s.keys[ent.Actor] = map[string]bool{}
	}
	s.keys[ent.Actor][fp] = true
	return nil
}

// report says how many signed acts were checked and lists the keys that
// signed them, so a party can compare each head's keys with the
// fingerprints it was given in person: a key the head does not know is
// one the host added.
func (s *signedActs) report(w io.Writer) {
	fmt.Fprintf(w, "signed acts: %d, each passkey signature verified against the public key it carries\n", s.n)
	for _, acc := range slices.Sorted(maps.Keys(s.keys)) {
		fmt.Fprintf(w, "  keys of account %s: %s\n", acc, strings.Join(slices.Sorted(maps.Keys(s.keys[acc])), ", "))
	}
}

// serverKey returns the verifier key of the signing key in the data
// directory, for a verifier that runs beside the server.
func serverKey(e *env, g *cli) (string, error) {
	skey := g.LogKey
	if skey == "" {
		b, err := os.ReadFile(g.logKeyFile())
		if err != nil {
			return "", errors.New("give the log's verifier key with --key or --key-file (no signing key found in the data directory)")
		}
		skey = string(b)
	}
	k, err := record.ParseKey(skey)
	if err != nil {
		return "", err
	}
	fmt.Fprintf(e.stderr, "note: checking with the server's own key %s; a party should pass the key it was given with --key\n", k.Verifier)
	return k.Verifier, nil
}

// checkEntries reads every entry of db and rebuilds the tree from them.
func checkEntries(ctx context.Context, db *store.DB, check func(record.Entry) error) (*record.Tree, error) {
	n, err := db.LastSeq(ctx)
	if err != nil {
		return nil, err
	}
	tree := record.NewTree(n)
	var chain record.Hash
	var last int64
	err = db.ScanEntries(ctx, func(seq int64, entry, leaf, chainHash []byte) error {
		if seq != last+1 {
			if seq-last == 2 {
				return fmt.Errorf("entry %d is missing: the record goes from entry %d to entry %d", last+1, last, seq)
			}
			return fmt.Errorf("entries %d to %d are missing: the record goes from entry %d to entry %d", last+1, seq-1, last, seq)
		}
		last = seq
		h := record.LeafHash(entry)
		if string(h[:]) != string(leaf) {
			return fmt.Errorf("entry %d: its bytes do not hash to its stored leaf hash: the entry was changed after it was written", seq)
		}
		ent, err := record.Unmarshal(entry)
		if err != nil {
			return fmt.Errorf("entry %d does not parse: %w", seq, err)
		}
		if ent.Seq != seq {
			return fmt.Errorf("entry %d says it is entry %d", seq, ent.Seq)
		}
		if err := check(*ent); err != nil {
			return fmt.Errorf("entry %d: %w", seq, err)
		}
		chain = record.ChainHash(chain, h)
		if string(chain[:]) != string(chainHash) {
			return fmt.Errorf("entry %d: its chain hash does not follow from the entries before it", seq)
		}
		tree.Append(h)
		return nil
	})
	return tree, err
}

// checkTreeHashes compares every stored tree hash with the tree rebuilt
// from the entries.
func checkTreeHashes(ctx context.Context, db *store.DB, tree *record.Tree) error {
	want := tree.StoredHashes()
	var i int64
	err := db.ScanTreeHashes(ctx, func(idx int64, h []byte) error {
		if idx != i {
			if idx > i && i < int64(len(want)) {
				return fmt.Errorf("tree hash %d is missing", i)
			}
			return fmt.Errorf("the database holds tree hash %d, but its %d entries make only %d hashes", idx, tree.Size(), len(want))
		}
		if idx >= int64(len(want)) {
			return fmt.Errorf("the database holds tree hash %d, but its %d entries make only %d hashes", idx, tree.Size(), len(want))
		}
		if string(want[idx][:]) != string(h) {
			level, n := tlog.SplitStoredHashIndex(idx)
			return fmt.Errorf("tree hash %d (level %d, node %d) does not match the entries", idx, level, n)
		}
		i++
		return nil
	})
	if err != nil {
		return err
	}
	if i != int64(len(want)) {
		return fmt.Errorf("the database holds %d tree hashes, but its %d entries make %d", i, tree.Size(), len(want))
	}
	return nil
}

// checkCheckpoints checks every stored checkpoint's signature and root
// against the tree, and returns the latest.
func checkCheckpoints(ctx context.Context, db *store.DB, tree *record.Tree, vkey string) (tlog.Tree, error) {
	cs, err := db.Checkpoints(ctx)
	if err != nil {
		return tlog.Tree{}, err
	}
	var latest tlog.Tree
	for _, c := range cs {
		_, t, err := record.OpenCheckpoint(c.Note, vkey)
		if err != nil {
			return latest, fmt.Errorf("stored checkpoint %d: its signature does not verify with the key %s: %w", c.Size, vkey, err)
		}
		if t.N != c.Size {
			return latest, fmt.Errorf("stored checkpoint %d is signed for size %d", c.Size, t.N)
		}
		if t.N > tree.Size() {
			return latest, fmt.Errorf("checkpoint %d covers %d entries, but the database holds only %d: entries were removed after they were signed", t.N, t.N, tree.Size())
		}
		root, err := tree.Root(t.N)
		if err != nil {
			return latest, err
		}
		if root != t.Hash {
			return latest, fmt.Errorf("checkpoint %d: the entries make root %s, but the signed checkpoint says %s: the record was changed after it was signed",
				t.N, base64.StdEncoding.EncodeToString(root[:]), base64.StdEncoding.EncodeToString(t.Hash[:]))
		}
		latest = t
	}
	return latest, nil
}

// maxDifferences is how many differences --replay lists before it counts.
const maxDifferences = 20

// verifyReplay rebuilds the read tables from db's record in a temporary
// database and compares them with db's.
func verifyReplay(ctx context.Context, e *env, db *store.DB) error {
	dir, err := os.MkdirTemp("", "parley-replay-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	fresh, err := store.Open(ctx, "sqlite:"+filepath.Join(dir, "replay.db"))
	if err != nil {
		return err
	}
	defer fresh.Close()
	if _, err := fresh.Migrate(ctx); err != nil {
		return err
	}
	n, err := store.Replay(ctx, db, fresh)
	if err != nil {
		return &verifyError{fmt.Errorf("the record's events cannot be replayed in order: %w", err)}
	}
	diffs, err := store.CompareProjections(ctx, db, fresh)
	if err != nil {
		return err
	}
	if len(diffs) > 0 {
		for i, d := range diffs {
			if i == maxDifferences {
				fmt.Fprintf(e.stderr, "  … and %d more\n", len(diffs)-maxDifferences)
				break
			}
			fmt.Fprintf(e.stderr, "  %s\n", d)
		}
		return &verifyError{fmt.Errorf("the read tables differ from the record in %d places; the first: %s", len(diffs), diffs[0])}
	}
	fmt.Fprintf(e.stdout, "replay: %d events applied to fresh tables; all %d read tables equal the database's\n", n, len(store.ProjectionTables))
	return nil
}
