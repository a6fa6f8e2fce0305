package record_test

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/parley-talks/parley/internal/record"
	"github.com/parley-talks/parley/internal/storetest"
	"golang.org/x/mod/sumdb/tlog"
)

// benchLeaves returns n distinct leaf hashes.
func benchLeaves(n int) []record.Hash {
	ls := make([]record.Hash, n)
	var b [8]byte
	for i := range ls {
		binary.BigEndian.PutUint64(b[:], uint64(i))
		ls[i] = record.Hash(sha256.Sum256(b[:]))
	}
	return ls
}

// BenchmarkVerify measures what `parley verify` does with a log of a
// million entries once it has the tiles: check the checkpoint's
// signature, rebuild the tree from the leaf hashes of every level-0 tile
// and compare every higher tile with it, check the root and consistency
// with an earlier checkpoint. The entries are hidden from the reader, as
// they are from a party that sees only hashes. See docs/benchmarks.md.
func BenchmarkVerify(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprintf("entries=%d", n), func(b *testing.B) {
			key := testKey(b)
			ls := benchLeaves(n)
			m := newMemLog(b, key, nil, ls)
			m.freeze(b)
			mid, _ := m.tree.Root(int64(n / 2))
			seen := []record.Seen{record.SeenOf(tlog.Tree{N: int64(n / 2), Hash: mid}, time.Now())}
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				rep, err := record.Verify(ctx, m, key.Verifier, seen)
				if err != nil {
					b.Fatal(err)
				}
				if rep.Hidden != int64(n) {
					b.Fatalf("checked %d entries", rep.Hidden)
				}
			}
			b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/verify")
			b.ReportMetric(0, "ns/op")
		})
	}
	// Entries the reader may read: each is hashed and parsed as well.
	b.Run("entries=100000/readable", func(b *testing.B) {
		key := testKey(b)
		bs, ls := make([][]byte, 100_000), make([]record.Hash, 100_000)
		for i := range bs {
			e := record.Entry{Seq: int64(i + 1), At: time.Unix(int64(i), 0), Type: "message.posted", Actor: "aaaaaaaaaaaaaaaaaaaaaaaaaa",
				Process: "pppppppppppppppppppppppppp", Space: "ssssssssssssssssssssssssss",
				Data: []byte(`{"message_id":"mmmmmmmmmmmmmmmmmmmmmmmmmm","thread_id":"tttttttttttttttttttttttttt","body":"` + strings.Repeat("x", 100) + `"}`)}
			bs[i] = e.Marshal()
			ls[i] = record.LeafHash(bs[i])
		}
		m := newMemLog(b, key, bs, ls)
		m.freeze(b)
		ctx := context.Background()
		b.ResetTimer()
		for b.Loop() {
			if _, err := record.Verify(ctx, m, key.Verifier, nil); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/verify")
		b.ReportMetric(0, "ns/op")
	})
}

// BenchmarkInclusionProof measures inclusion proofs made for a random
// entry of a million-entry tree, in memory and from the store's
// tree_hashes table on SQLite (as /log/proof/inclusion makes them), with
// as many concurrent callers as GOMAXPROCS.
func BenchmarkInclusionProof(b *testing.B) {
	const n = 1_000_000
	ls := benchLeaves(n)
	tree := record.NewTree(n)
	for _, l := range ls {
		tree.Append(l)
	}
	b.Run("memory", func(b *testing.B) {
		benchProofs(b, tree)
	})
	b.Run("sqlite", func(b *testing.B) {
		db := storetest.OpenSQLite(b)
		tx, err := db.SQL().Begin()
		if err != nil {
			b.Fatal(err)
		}
		hs := tree.StoredHashes()
		const rows = 250
		q := "INSERT INTO tree_hashes (idx, hash) VALUES " + strings.TrimSuffix(strings.Repeat("(?, ?),", rows), ",")
		stmt, err := tx.Prepare(q)
		if err != nil {
			b.Fatal(err)
		}
		args := make([]any, 0, 2*rows)
		i := 0
		for ; i+rows <= len(hs); i += rows {
			args = args[:0]
			for j := i; j < i+rows; j++ {
				args = append(args, j, hs[j][:])
			}
			if _, err := stmt.Exec(args...); err != nil {
				b.Fatal(err)
			}
		}
		for ; i < len(hs); i++ {
			if _, err := tx.Exec("INSERT INTO tree_hashes (idx, hash) VALUES (?, ?)", i, hs[i][:]); err != nil {
				b.Fatal(err)
			}
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
		benchProofs(b, db.HashReader(context.Background()))
	})
}

func benchProofs(b *testing.B, hr tlog.HashReader) {
	const n = 1_000_000
	root, err := tlog.TreeHash(n, hr)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		r := rand.New(rand.NewPCG(rand.Uint64(), 1))
		for pb.Next() {
			i := r.Int64N(n)
			p, err := tlog.ProveRecord(n, i, hr)
			if err != nil {
				b.Fatal(err)
			}
			if len(p) == 0 || root == (tlog.Hash{}) {
				b.Fatal("empty proof")
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "proofs/s")
	b.ReportMetric(0, "ns/op")
}
