package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parley-talks/parley/internal/record"
)

func TestWitnessKeygen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w", "witness.key")
	out, _, err := runCmd(t, "witness", "keygen", "--name", "party-a", "--key-file", path)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v, mode %v", err, fi.Mode())
	}
	b, _ := os.ReadFile(path)
	k, err := record.ParseWitnessKey(string(b))
	if err != nil || strings.TrimSpace(out) != k.Verifier() || !strings.HasPrefix(out, "party-a+") {
		t.Fatalf("printed %q for a key of verifier %q (%v)", out, k.Verifier(), err)
	}
	if _, _, err := runCmd(t, "witness", "keygen", "--name", "party-a", "--key-file", path); err == nil {
		t.Error("keygen overwrote an existing key")
	}
}

// witnessOnce runs `parley witness --once` against url.
func witnessOnce(t *testing.T, url, keyFile, token, vkey, state string) (string, error) {
	t.Helper()
	out, _, err := runCmd(t, "witness", "--url", url, "--key-file", keyFile, "--token", token, "--log-key", vkey, "--state", state, "--once")
	return out, err
}

// TestWitness runs a party's witness against a growing log, then shows it
// a fork — a second server with the same key and a shared beginning whose
// checkpoint of the same size has another root — and a truncated log.
func TestWitness(t *testing.T) {
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "a.key")
	wvkey, _, err := runCmd(t, "witness", "keygen", "--name", "party-a", "--key-file", keyFile)
	if err != nil {
		t.Fatal(err)
	}
	wvkey = strings.TrimSpace(wvkey)
	state := filepath.Join(dir, "state.json")

	s1 := newRecLog(t, recKey(t))
	vkey := s1.key.Verifier
	url1 := s1.serve(t)
	first := s1.sign(t)
	out, err := witnessOnce(t, url1, keyFile, s1.token, vkey, state)
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, "output", out, fmt.Sprintf("cosigned checkpoint %d", first.N))
	// The server shows the cosignature with its checkpoint, and it verifies.
	cp := recGet(t, url1+"/log/checkpoint")
	line := ""
	for _, l := range strings.Split(cp, "\n") {
		if strings.HasPrefix(l, "— party-a ") {
			line = l
		}
	}
	if name, err := record.VerifyCosignature([]byte(cp), wvkey, line); err != nil || name != "party-a" {
		t.Fatalf("the checkpoint's cosignature %q: %v", line, err)
	}
	var ws struct {
		Witnesses []struct {
			Name string `json:"name"`
			Size int64  `json:"size"`
		} `json:"witnesses"`
	}
	if err := json.Unmarshal([]byte(recGet(t, url1+"/log/witnesses")), &ws); err != nil || len(ws.Witnesses) != 1 ||
		ws.Witnesses[0].Name != "party-a" || ws.Witnesses[0].Size != first.N {
		t.Fatalf("/log/witnesses: %+v, %v", ws, err)
	}

	// Nothing new: nothing to do.
	out, err = witnessOnce(t, url1, keyFile, s1.token, vkey, state)
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, "output", out, "unchanged and already cosigned")

	// The log grows: the witness checks the consistency proof and cosigns.
	old := s1.backup(t) // a backup at the first checkpoint
	s1.post(t, 1, "grown")
	grown := s1.sign(t)
	out, err = witnessOnce(t, url1, keyFile, s1.token, vkey, state)
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, "output", out, fmt.Sprintf("cosigned checkpoint %d (consistent with checkpoint %d", grown.N, first.N))

	// A fork: server 2 starts from a copy of server 1 and, like server 1,
	// takes as many commands, but other ones; both sign with the key.
	s2 := s1.backup(t)
	url2 := s2.serve(t)
	s1.post(t, 1, "on server 1")
	s2.post(t, 1, "on server 2")
	c1, c2 := s1.sign(t), s2.sign(t)
	if c1.N != c2.N || c1.Hash == c2.Hash {
		t.Fatalf("not a fork: %d %v and %d %v", c1.N, c1.Hash, c2.N, c2.Hash)
	}
	if _, err := witnessOnce(t, url1, keyFile, s1.token, vkey, state); err != nil {
		t.Fatal(err)
	}
	_, err = witnessOnce(t, url2, keyFile, s1.token, vkey, state)
	if err == nil {
		t.Fatal("the witness cosigned both sides of a fork")
	}
	mustContain(t, "the error", err.Error(), fmt.Sprintf("checkpoint %d is not consistent with checkpoint %d seen on", c2.N, c1.N),
		"the same size with a different root: the server shows two histories")
	if strings.Contains(recGet(t, url2+"/log/checkpoint"), "— party-a ") {
		t.Error("server 2 holds the witness's cosignature")
	}

	// Server 2 grows further: its tree is larger, but no consistency proof
	// can link it to what the witness accepted.
	s2.post(t, 1, "further")
	s2.sign(t)
	_, err = witnessOnce(t, url2, keyFile, s1.token, vkey, state)
	if err == nil || !strings.Contains(err.Error(), "the log was rewritten (its consistency proof does not verify)") {
		t.Fatalf("a diverged, larger log: %v", err)
	}

	// A server restored from the old backup shows a smaller tree.
	_, err = witnessOnce(t, old.serve(t), keyFile, s1.token, vkey, state)
	if err == nil || !strings.Contains(err.Error(), "the log is smaller than before") {
		t.Fatalf("a truncated log: %v", err)
	}

	// A checkpoint not signed by the log's key is refused.
	other := newRecLog(t, recKey(t))
	other.sign(t)
	if _, err = witnessOnce(t, other.serve(t), keyFile, other.token, vkey, state); err == nil || !strings.Contains(err.Error(), "not signed by the log's key") {
		t.Fatalf("another key: %v", err)
	}

	// After all the refusals the witness still holds server 1's checkpoint.
	var st witnessState
	b, _ := os.ReadFile(state)
	if err := json.Unmarshal(b, &st); err != nil || st.Accepted.Size != c1.N || st.LogKey != vkey {
		t.Fatalf("state %+v, %v", st, err)
	}
}
