package record_test

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parley-talks/parley/internal/record"
	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/ instead of comparing with them")

// fixtureEntries are the entries of the golden files: every field set, some
// empty, one with a multi-byte payload, each with a fixed salt.
func fixtureEntries() []record.Entry {
	salt := func(b byte) (s [32]byte) {
		for i := range s {
			s[i] = b + byte(i)
		}
		return s
	}
	at := time.Date(2026, 11, 20, 9, 0, 0, 123456000, time.UTC)
	return []record.Entry{
		{Seq: 1, At: at, Type: "process.created", Actor: "aaaaaaaaaaaaaaaaaaaaaaaaaa", Process: "pppppppppppppppppppppppppp",
			Salt: salt(0x00), Data: []byte(`{"process_id":"pppppppppppppppppppppppppp","title":"Talks","languages":["en","uk"]}`)},
		{Seq: 2, At: at.Add(time.Second), Type: "party.added", Actor: "aaaaaaaaaaaaaaaaaaaaaaaaaa", Process: "pppppppppppppppppppppppppp",
			Salt: salt(0x20), Data: []byte(`{"party_id":"qqqqqqqqqqqqqqqqqqqqqqqqqq","process_id":"pppppppppppppppppppppppppp","kind":"negotiating","names":{"en":"A"}}`)},
		{Seq: 3, At: at.Add(2 * time.Second), Type: "message.posted", Actor: "bbbbbbbbbbbbbbbbbbbbbbbbbb", Process: "pppppppppppppppppppppppppp", Space: "ssssssssssssssssssssssssss",
			Salt: salt(0x40), Data: []byte(`{"message_id":"mmmmmmmmmmmmmmmmmmmmmmmmmm","thread_id":"tttttttttttttttttttttttttt","body":"Перемир'я з 06:00"}`)},
		{Seq: 4, At: at.Add(3*time.Second + 7), Type: "account.note", Salt: salt(0x60), Data: []byte(`{}`)},
		{Seq: 5, At: at.Add(4 * time.Second), Type: "message.edited", Actor: "bbbbbbbbbbbbbbbbbbbbbbbbbb", Process: "pppppppppppppppppppppppppp", Space: "ssssssssssssssssssssssssss",
			Salt: salt(0x80), Data: []byte(`{"message_id":"mmmmmmmmmmmmmmmmmmmmmmmmmm","body":"Ceasefire from 06:00","version":2}`)},
	}
}

// golden compares got with the file testdata/name, or writes it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s changed:\n got %q\nwant %q\nA format change needs a new version (parley-entry/2), not a new golden file.", path, got, want)
	}
}

// fixtureKey reads a key file of testdata, making it with -update if absent.
func fixtureKey(t *testing.T, name string, gen func() (string, error)) string {
	t.Helper()
	path := filepath.Join("testdata", name)
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) && *update {
		k, err := gen()
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(k+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return k
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

func TestGoldenEntries(t *testing.T) {
	var chain record.Hash
	var hashes strings.Builder
	hashes.WriteString("# seq leaf-hash chain-hash (hex)\n")
	for _, e := range fixtureEntries() {
		b := e.Marshal()
		golden(t, fmt.Sprintf("entry-%d.bin", e.Seq), b)
		back, err := record.Unmarshal(b)
		if err != nil {
			t.Fatalf("entry %d: %v", e.Seq, err)
		}
		if !bytes.Equal(back.Marshal(), b) || back.Seq != e.Seq || !back.At.Equal(e.At) || back.Salt != e.Salt {
			t.Errorf("entry %d does not round-trip: %+v", e.Seq, back)
		}
		leaf := record.LeafHash(b)
		// The leaf hash is RFC 6962's, as an independent implementation computes it.
		if want := rfc6962.DefaultHasher.HashLeaf(b); !bytes.Equal(leaf[:], want) {
			t.Errorf("entry %d: leaf hash %x, rfc6962 says %x", e.Seq, leaf, want)
		}
		chain = record.ChainHash(chain, leaf)
		fmt.Fprintf(&hashes, "%d %s %s\n", e.Seq, hex.EncodeToString(leaf[:]), hex.EncodeToString(chain[:]))
	}
	golden(t, "hashes.txt", []byte(hashes.String()))
}

func TestGoldenCheckpoint(t *testing.T) {
	skey := fixtureKey(t, "log.key", func() (string, error) {
		s, _, err := note.GenerateKey(rand.Reader, "test.example/parley-record")
		return s, err
	})
	k, err := record.ParseKey(skey)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "log.vkey", []byte(k.Verifier+"\n"))

	tree := record.NewTree(5)
	rf := compact.RangeFactory{Hash: rfc6962.DefaultHasher.HashChildren}
	cr := rf.NewEmptyRange(0)
	for _, e := range fixtureEntries() {
		leaf := record.LeafHash(e.Marshal())
		tree.Append(leaf)
		if err := cr.Append(leaf[:], nil); err != nil {
			t.Fatal(err)
		}
	}
	root, err := tree.Root(5)
	if err != nil {
		t.Fatal(err)
	}
	// The tree hash is RFC 6962's, as transparency-dev/merkle computes it.
	if want, _ := cr.GetRootHash(nil); !bytes.Equal(root[:], want) {
		t.Fatalf("root %x, transparency-dev/merkle says %x", root, want)
	}
	msg, err := k.Sign(tlog.Tree{N: 5, Hash: root})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "checkpoint-5.txt", msg) // Ed25519 signatures are deterministic

	// Open it with golang.org/x/mod/sumdb/note alone.
	v, err := note.NewVerifier(k.Verifier)
	if err != nil {
		t.Fatal(err)
	}
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("test.example/parley-record\n5\n%s\n", tlog.Hash(root).String())
	if n.Text != want {
		t.Errorf("checkpoint text %q, want %q", n.Text, want)
	}

	// A witness's cosignature at a fixed time, also deterministic.
	wkey := fixtureKey(t, "witness.key", func() (string, error) {
		s, _, err := record.GenerateWitnessKey("witness.test.example")
		return s, err
	})
	wk, err := record.ParseWitnessKey(wkey)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "witness.vkey", []byte(wk.Verifier()+"\n"))
	body, _ := record.NoteText(msg)
	line := wk.Cosign(body, time.Date(2026, 11, 20, 9, 0, 5, 0, time.UTC))
	cosigned := record.WithCosignatures(msg, []record.Cosignature{{Signature: line}})
	golden(t, "checkpoint-5-cosigned.txt", cosigned)
	if name, err := record.VerifyCosignature(cosigned, wk.Verifier(), line); err != nil || name != "witness.test.example" {
		t.Errorf("VerifyCosignature = %q, %v", name, err)
	}
	// The log's signature still opens with the cosignature line present.
	if _, _, err := record.OpenCheckpoint(cosigned, k.Verifier); err != nil {
		t.Errorf("OpenCheckpoint with a cosignature: %v", err)
	}

	// The hash tile and an entry bundle in which entry 3 is hidden.
	tile := tlog.Tile{H: record.TileHeight, L: 0, N: 0, W: 5}
	data, err := tlog.ReadTileData(tile, tree)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "tile-0-000.p.5", data)
	var bundle []byte
	for _, e := range fixtureEntries() {
		b := e.Marshal()
		be := record.BundleEntry{Bytes: b, LeafHash: record.LeafHash(b)}
		if e.Seq == 3 {
			be.Bytes = nil
		}
		bundle = record.AppendBundleEntry(bundle, be)
	}
	golden(t, "bundle-000.p.5", bundle)
	es, err := record.ParseBundle(bundle)
	if err != nil || len(es) != 5 || !es[2].Hidden() || es[3].Hidden() || es[2].LeafHash != tree.LeafHash(3) {
		t.Errorf("ParseBundle = %d entries, %v", len(es), err)
	}
}
