package record_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parley-talks/parley/internal/record"
	"golang.org/x/mod/sumdb/tlog"
)

// fixture reads a file of testdata, made by TestGoldenCheckpoint.
func fixture(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// FuzzParseCheckpoint: a checkpoint body the parser accepts begins with
// the three lines FormatCheckpoint writes for what it read (the rest being
// extension lines), and those lines read back the same; a body it refuses
// gives no origin and no tree.
func FuzzParseCheckpoint(f *testing.F) {
	body, err := record.NoteText(fixture(f, "checkpoint-5.txt"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(body)
	f.Add(append(bytes.Clone(body), "extension line\n"...))
	f.Add([]byte("origin\n0\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"))
	f.Add([]byte("origin\n99999999999999999999\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"))
	f.Add([]byte("origin\n7\nnot base64\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		origin, tree, err := record.ParseCheckpoint(b)
		if err != nil {
			if origin != "" || tree != (tlog.Tree{}) {
				t.Fatalf("refused with %v, yet gave %q and %+v", err, origin, tree)
			}
			return
		}
		if origin == "" || strings.Contains(origin, "\n") || tree.N < 0 {
			t.Fatalf("accepted origin %q, size %d", origin, tree.N)
		}
		again := record.FormatCheckpoint(origin, tree)
		if !bytes.HasPrefix(b, again) {
			t.Fatalf("accepted %q, which does not begin with its canonical form %q", b, again)
		}
		o2, t2, err := record.ParseCheckpoint(again)
		if err != nil || o2 != origin || t2 != tree {
			t.Fatalf("round trip: %q %+v %v, want %q %+v", o2, t2, err, origin, tree)
		}
	})
}

// FuzzOpenCheckpoint: a signed note opens with the log's verifier key only
// if the key signed it; what it opens to is the note's text as
// ParseCheckpoint reads it, under the key's name; a refused note gives
// nothing.
func FuzzOpenCheckpoint(f *testing.F) {
	vkey := strings.TrimSpace(string(fixture(f, "log.vkey")))
	f.Add(fixture(f, "checkpoint-5.txt"))
	f.Add(fixture(f, "checkpoint-5-cosigned.txt"))
	f.Add([]byte("test.example/parley-record\n5\n\n— test.example/parley-record AAAA\n"))
	f.Fuzz(func(t *testing.T, msg []byte) {
		origin, tree, err := record.OpenCheckpoint(msg, vkey)
		if err != nil {
			if origin != "" || tree != (tlog.Tree{}) {
				t.Fatalf("refused with %v, yet gave %q and %+v", err, origin, tree)
			}
			return
		}
		if origin != "test.example/parley-record" {
			t.Fatalf("opened under origin %q", origin)
		}
		text, err := record.NoteText(msg)
		if err != nil {
			t.Fatalf("opened a note without text: %v", err)
		}
		o2, t2, err := record.ParseCheckpoint(text)
		if err != nil || o2 != origin || t2 != tree {
			t.Fatalf("opened to %q %+v, its text reads %q %+v (%v)", origin, tree, o2, t2, err)
		}
	})
}
