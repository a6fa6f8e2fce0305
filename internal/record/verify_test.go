package record_test

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/parley-talks/parley/internal/record"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// memLog is a record held in memory, served as a verifier reads it: a
// stand-in for a server, which tests tamper with.
type memLog struct {
	tree    *record.Tree
	entries [][]byte // nil: hidden from the reader
	note    []byte
	tiles   map[string][]byte // by tile path; precomputed for benchmarks
	bundles map[int64][]byte
}

func newMemLog(tb testing.TB, key *record.Key, entries [][]byte, leaves []record.Hash) *memLog {
	tb.Helper()
	m := &memLog{tree: record.NewTree(int64(len(leaves))), entries: entries}
	for _, l := range leaves {
		m.tree.Append(l)
	}
	root, err := m.tree.Root(m.tree.Size())
	if err != nil {
		tb.Fatal(err)
	}
	if m.note, err = key.Sign(tlog.Tree{N: m.tree.Size(), Hash: root}); err != nil {
		tb.Fatal(err)
	}
	return m
}

// freeze precomputes every tile and bundle, so that reading them costs
// nothing but the copy a network read would also make.
func (m *memLog) freeze(tb testing.TB) {
	m.tiles, m.bundles = map[string][]byte{}, map[int64][]byte{}
	for _, t := range tlog.NewTiles(record.TileHeight, 0, m.tree.Size()) {
		d, err := tlog.ReadTileData(t, m.tree)
		if err != nil {
			tb.Fatal(err)
		}
		m.tiles[t.Path()] = d
		if t.L == 0 {
			m.bundles[t.N] = m.bundle(t)
		}
	}
}

func (m *memLog) Checkpoint(context.Context) ([]byte, error) { return m.note, nil }

func (m *memLog) ReadTile(_ context.Context, t tlog.Tile) ([]byte, error) {
	if d, ok := m.tiles[t.Path()]; ok {
		return d, nil
	}
	return tlog.ReadTileData(t, m.tree)
}

func (m *memLog) ReadBundle(_ context.Context, t tlog.Tile) ([]byte, error) {
	if b, ok := m.bundles[t.N]; ok {
		return b, nil
	}
	return m.bundle(t), nil
}

func (m *memLog) bundle(t tlog.Tile) []byte {
	var b []byte
	for i := range t.W {
		seq := t.N<<record.TileHeight + int64(i) + 1
		e := record.BundleEntry{LeafHash: m.tree.LeafHash(seq)}
		if int(seq) <= len(m.entries) {
			e.Bytes = m.entries[seq-1]
		}
		b = record.AppendBundleEntry(b, e)
	}
	return b
}

func testKey(tb testing.TB) *record.Key {
	tb.Helper()
	skey, _, err := note.GenerateKey(rand.Reader, "test.example/parley-record")
	if err != nil {
		tb.Fatal(err)
	}
	k, err := record.ParseKey(skey)
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

// entriesOf makes n entries; every third is hidden from the reader.
func entriesOf(n int) ([][]byte, []record.Hash) {
	var bs [][]byte
	var ls []record.Hash
	for i := 1; i <= n; i++ {
		e := record.Entry{Seq: int64(i), At: time.Unix(int64(i), 0), Type: "message.posted", Data: []byte(fmt.Sprintf(`{"n":%d}`, i))}
		rand.Read(e.Salt[:])
		b := e.Marshal()
		ls = append(ls, record.LeafHash(b))
		if i%3 == 0 {
			b = nil
		}
		bs = append(bs, b)
	}
	return bs, ls
}

func TestVerify(t *testing.T) {
	ctx := context.Background()
	key := testKey(t)
	bs, ls := entriesOf(600)
	seenAt := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	goodSeen := func() []record.Seen {
		root, _ := newMemLog(t, key, nil, ls[:300]).tree.Root(300)
		return []record.Seen{record.SeenOf(tlog.Tree{N: 300, Hash: root}, seenAt)}
	}
	tests := []struct {
		name   string
		tamper func(m *memLog) []record.Seen
		want   string // "" for success
	}{
		{"intact", func(*memLog) []record.Seen { return goodSeen() }, ""},
		{"changed entry bytes", func(m *memLog) []record.Seen {
			m.entries[16] = []byte(strings.Replace(string(m.entries[16]), `"n":17`, `"n":71`, 1))
			return nil
		}, "entry 17: its bytes do not hash to the leaf in the tree"},
		{"entry that does not parse", func(m *memLog) []record.Seen {
			m.entries[1] = []byte("parley-entry/1\nnonsense")
			old := m.tree
			m.tree = record.NewTree(600)
			for i := range 600 {
				l := old.LeafHash(int64(i + 1))
				if i == 1 {
					l = record.LeafHash(m.entries[1])
				}
				m.tree.Append(l)
			}
			root, _ := m.tree.Root(600)
			m.note, _ = key.Sign(tlog.Tree{N: 600, Hash: root})
			return nil
		}, "entry 2 does not parse"},
		{"hidden entry's leaf hash replaced", func(m *memLog) []record.Seen {
			es, _ := record.ParseBundle(m.bundle(tlog.Tile{H: 8, N: 0, W: 256}))
			es[254].LeafHash[0] ^= 1 // entry 255, hidden
			var b []byte
			for _, e := range es {
				b = record.AppendBundleEntry(b, e)
			}
			m.bundles = map[int64][]byte{0: b}
			return nil
		}, "entry 255: the leaf hash sent for it is not the leaf in the tree"},
		{"entry missing from a bundle", func(m *memLog) []record.Seen {
			es, _ := record.ParseBundle(m.bundle(tlog.Tile{H: 8, N: 1, W: 256}))
			var b []byte
			for _, e := range append(es[:9:9], es[10:]...) {
				b = record.AppendBundleEntry(b, e)
			}
			m.bundles = map[int64][]byte{1: b}
			return nil
		}, "entries 257 to 512: the server sent 255 of them, want 256"},
		{"checkpoint by another key", func(m *memLog) []record.Seen {
			m.note, _ = testKey(t).Sign(tlog.Tree{N: 600})
			return nil
		}, "signature does not verify"},
		{"tiles of another tree", func(m *memLog) []record.Seen {
			m.note, _ = key.Sign(tlog.Tree{N: 600, Hash: tlog.Hash{7}})
			return nil
		}, "the tree rebuilt from the tiles has root"},
		{"forked", func(m *memLog) []record.Seen {
			s := goodSeen()
			s[0].Size = 600
			return s
		}, "checkpoint 600 is not consistent with checkpoint 600 seen on 2026-11-20 08:00:00 UTC: the same size with a different root"},
		{"truncated", func(m *memLog) []record.Seen {
			return []record.Seen{{Size: 700, Root: tlog.Hash{}.String(), At: seenAt}}
		}, "the log is smaller than before"},
		{"rewritten", func(m *memLog) []record.Seen {
			s := goodSeen()
			s[0].Root = tlog.Hash{1}.String()
			return s
		}, "checkpoint 600 is not consistent with checkpoint 300 seen on 2026-11-20 08:00:00 UTC: the log was rewritten"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newMemLog(t, key, append([][]byte(nil), bs...), ls)
			seen := tt.tamper(m)
			rep, err := record.Verify(ctx, m, key.Verifier, seen)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if rep.Tree.N != 600 || rep.Readable != 400 || rep.Hidden != 200 || rep.Tiles != 4 || rep.Seen != 1 {
					t.Errorf("report %+v", rep)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Verify = %v, want an error with %q", err, tt.want)
			}
			var ie *record.InconsistencyError
			if strings.Contains(tt.want, "not consistent") && !errors.As(err, &ie) {
				t.Errorf("%v is not an InconsistencyError", err)
			}
		})
	}
}

func FuzzParseBundle(f *testing.F) {
	bs, ls := entriesOf(5)
	var b []byte
	for i := range bs {
		b = record.AppendBundleEntry(b, record.BundleEntry{Bytes: bs[i], LeafHash: ls[i]})
	}
	f.Add(b)
	f.Add([]byte{0, 0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		es, err := record.ParseBundle(b)
		if err != nil {
			return
		}
		var again []byte
		for _, e := range es {
			again = record.AppendBundleEntry(again, e)
		}
		if string(again) != string(b) {
			t.Fatalf("a parsed bundle re-encodes differently")
		}
	})
}

func FuzzUnmarshal(f *testing.F) {
	for _, e := range fixtureEntries() {
		f.Add(e.Marshal())
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := record.Unmarshal(b)
		if err != nil {
			return
		}
		if string(e.Marshal()) != string(b) {
			t.Fatalf("Unmarshal accepted non-canonical bytes")
		}
	})
}
