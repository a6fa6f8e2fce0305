package record_test

import (
	"bytes"
	"testing"

	"github.com/parley-talks/parley/internal/record"
	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/tlog"
	"pgregory.net/rapid"
)

var hasher = rfc6962.DefaultHasher

// proofBytes converts a tlog proof to transparency-dev/merkle's form.
func proofBytes(p []tlog.Hash) [][]byte {
	out := make([][]byte, len(p))
	for i, h := range p {
		out[i] = bytes.Clone(h[:])
	}
	return out
}

// independentRoot computes the tree hash of leaves with transparency-dev's
// compact ranges, sharing no code with tlog.
func independentRoot(t interface{ Fatal(...any) }, leaves [][]byte) []byte {
	cr := (&compact.RangeFactory{Hash: hasher.HashChildren}).NewEmptyRange(0)
	for _, l := range leaves {
		if err := cr.Append(l, nil); err != nil {
			t.Fatal(err)
		}
	}
	root, err := cr.GetRootHash(nil)
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// TestProofsProperty: for any sequence of appends, the tree Parley builds
// has the RFC 6962 root, every inclusion and consistency proof it makes
// verifies with transparency-dev/merkle's verifier, and every tampered
// proof — a flipped byte, a wrong index, a wrong size — fails.
func TestProofsProperty(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		n := rapid.IntRange(1, 300).Draw(rt, "entries")
		tree := record.NewTree(int64(n))
		var leaves [][]byte
		for i := range n {
			b := rapid.SliceOfN(rapid.Byte(), 0, 64).Draw(rt, "entry")
			b = append(b, byte(i), byte(i>>8)) // distinct entries
			h := record.LeafHash(b)
			tree.Append(h)
			leaves = append(leaves, bytes.Clone(h[:]))
		}
		roots := make([][]byte, n+1)
		for m := 1; m <= n; m++ {
			r, err := tree.Root(int64(m))
			if err != nil {
				rt.Fatal(err)
			}
			roots[m] = r[:]
		}
		if want := independentRoot(rt, leaves); !bytes.Equal(roots[n], want) {
			rt.Fatalf("root of %d leaves %x, transparency-dev/merkle says %x", n, roots[n], want)
		}

		// Inclusion.
		size := rapid.IntRange(1, n).Draw(rt, "size")
		for i := range size {
			p, err := tlog.ProveRecord(int64(size), int64(i), tree)
			if err != nil {
				rt.Fatal(err)
			}
			pb := proofBytes(p)
			if err := proof.VerifyInclusion(hasher, uint64(i), uint64(size), leaves[i], pb, roots[size]); err != nil {
				rt.Fatalf("inclusion of %d in %d: %v", i, size, err)
			}
			if err := tlog.CheckRecord(p, int64(size), tlog.Hash(roots[size]), int64(i), tlog.Hash(leaves[i])); err != nil {
				rt.Fatalf("tlog.CheckRecord of %d in %d: %v", i, size, err)
			}
			if len(pb) > 0 {
				bad := proofBytes(p)
				j := rapid.IntRange(0, len(bad)-1).Draw(rt, "hash")
				bad[j][rapid.IntRange(0, 31).Draw(rt, "byte")] ^= 1 << rapid.IntRange(0, 7).Draw(rt, "bit")
				if proof.VerifyInclusion(hasher, uint64(i), uint64(size), leaves[i], bad, roots[size]) == nil {
					rt.Fatalf("a flipped bit in the inclusion proof of %d in %d verified", i, size)
				}
			}
			if size > 1 {
				other := (i + rapid.IntRange(1, size-1).Draw(rt, "shift")) % size
				if proof.VerifyInclusion(hasher, uint64(other), uint64(size), leaves[i], pb, roots[size]) == nil {
					rt.Fatalf("the inclusion proof of %d verified at index %d", i, other)
				}
			}
			if size < n {
				if proof.VerifyInclusion(hasher, uint64(i), uint64(size+1), leaves[i], pb, roots[size+1]) == nil {
					rt.Fatalf("the inclusion proof of %d in %d verified for size %d", i, size, size+1)
				}
			}
		}

		// Consistency.
		a := rapid.IntRange(1, n).Draw(rt, "from")
		b := rapid.IntRange(a, n).Draw(rt, "to")
		p, err := tlog.ProveTree(int64(b), int64(a), tree)
		if err != nil {
			rt.Fatal(err)
		}
		pb := proofBytes(p)
		if err := proof.VerifyConsistency(hasher, uint64(a), uint64(b), pb, roots[a], roots[b]); err != nil {
			rt.Fatalf("consistency %d→%d: %v", a, b, err)
		}
		if len(pb) > 0 {
			bad := proofBytes(p)
			j := rapid.IntRange(0, len(bad)-1).Draw(rt, "hash")
			bad[j][rapid.IntRange(0, 31).Draw(rt, "byte")] ^= 0x80
			if proof.VerifyConsistency(hasher, uint64(a), uint64(b), bad, roots[a], roots[b]) == nil {
				rt.Fatalf("a flipped bit in the consistency proof %d→%d verified", a, b)
			}
		}
		if a < b {
			if proof.VerifyConsistency(hasher, uint64(a), uint64(b-1), pb, roots[a], roots[b-1]) == nil && len(pb) > 0 {
				rt.Fatalf("the consistency proof %d→%d verified for %d→%d", a, b, a, b-1)
			}
			if a > 1 && proof.VerifyConsistency(hasher, uint64(a-1), uint64(b), pb, roots[a-1], roots[b]) == nil {
				rt.Fatalf("the consistency proof %d→%d verified for %d→%d", a, b, a-1, b)
			}
			// A different history of the same size is not consistent.
			forged := bytes.Clone(roots[a])
			forged[0] ^= 1
			if proof.VerifyConsistency(hasher, uint64(a), uint64(b), pb, forged, roots[b]) == nil {
				rt.Fatalf("the consistency proof %d→%d verified from a forged root", a, b)
			}
			// Parley's own check agrees.
			s := record.Seen{Size: int64(a), Root: tlog.Hash(forged).String()}
			if err := record.CheckConsistencyProof(tlog.Tree{N: int64(b), Hash: tlog.Hash(roots[b])}, s, p); err == nil {
				rt.Fatalf("CheckConsistencyProof accepted a forged root %d→%d", a, b)
			}
		}
	})
}
