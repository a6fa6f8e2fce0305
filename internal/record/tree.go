package record

import (
	"encoding/binary"
	"errors"
	"fmt"

	"golang.org/x/mod/sumdb/tlog"
)

// TileHeight is the height of the record's tiles: each tile holds up to
// 2^8 = 256 hashes, or the entries of 256 leaves.
const TileHeight = 8

// Tree is a Merkle tree held in memory, in the stored-hash layout of
// golang.org/x/mod/sumdb/tlog. A verifier rebuilds the record's tree in one
// from the leaf hashes it was shown, then compares the tree hash, every
// tile, and earlier checkpoints with it. Tree implements tlog.HashReader.
type Tree struct {
	n      int64
	hashes []tlog.Hash
}

// NewTree returns an empty tree with room for n leaves.
func NewTree(n int64) *Tree {
	return &Tree{hashes: make([]tlog.Hash, 0, 2*n+64)}
}

// Size returns the number of leaves of t.
func (t *Tree) Size() int64 { return t.n }

// Append adds a leaf hash to t.
func (t *Tree) Append(leaf Hash) {
	// The hashes record n completes are its leaf hash, then one more for
	// each trailing 1 bit of n: the node over it and its left neighbour,
	// whose hash is the last one stored at that level.
	n := t.n
	h := tlog.Hash(leaf)
	t.hashes = append(t.hashes, h)
	for i := 0; n>>uint(i)&1 == 1; i++ {
		h = tlog.NodeHash(t.hashes[tlog.StoredHashIndex(i, n>>uint(i)-1)], h)
		t.hashes = append(t.hashes, h)
	}
	t.n++
}

// ReadHashes returns the stored hashes at the given indexes.
func (t *Tree) ReadHashes(idx []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(idx))
	for i, x := range idx {
		if x < 0 || x >= int64(len(t.hashes)) {
			return nil, fmt.Errorf("record: the tree of %d leaves has no hash %d", t.n, x)
		}
		out[i] = t.hashes[x]
	}
	return out, nil
}

// StoredHashes returns every stored hash of t, in index order.
func (t *Tree) StoredHashes() []tlog.Hash { return t.hashes }

// Root returns the tree hash of the first n leaves of t.
func (t *Tree) Root(n int64) (tlog.Hash, error) {
	if n > t.n {
		return tlog.Hash{}, fmt.Errorf("record: the tree has %d leaves, not %d", t.n, n)
	}
	return tlog.TreeHash(n, t)
}

// LeafHash returns the leaf hash of entry seq (from 1).
func (t *Tree) LeafHash(seq int64) Hash {
	return Hash(t.hashes[tlog.StoredHashIndex(0, seq-1)])
}

// An entry bundle carries the entries of one tile of leaves, in order, as
// one caller may see them. Each entry is either
//
//	0x00, its length (4 bytes, big-endian), its canonical bytes
//
// when the caller may read it, or
//
//	0x01, its 32-byte leaf hash
//
// when it may not. Either way the caller learns the leaf hash, and so can
// check the tree.
const (
	bundleEntry  = 0x00
	bundleHidden = 0x01
)

// BundleEntry is one entry of an entry bundle: its bytes, or only its leaf
// hash when it is hidden from the reader.
type BundleEntry struct {
	Bytes    []byte // nil when hidden
	LeafHash Hash   // of Bytes when they are given
}

// Hidden reports whether the bundle gave only the entry's leaf hash.
func (e BundleEntry) Hidden() bool { return e.Bytes == nil }

// AppendBundleEntry appends e to an entry bundle b: its bytes if it has
// them, else its leaf hash.
func AppendBundleEntry(b []byte, e BundleEntry) []byte {
	if e.Bytes != nil {
		b = append(b, bundleEntry)
		b = binary.BigEndian.AppendUint32(b, uint32(len(e.Bytes)))
		return append(b, e.Bytes...)
	}
	b = append(b, bundleHidden)
	return append(b, e.LeafHash[:]...)
}

// maxEntrySize bounds an entry in a bundle, so that a hostile server cannot
// make a verifier allocate without limit.
const maxEntrySize = 16 << 20

// ParseBundle parses an entry bundle. The leaf hash of each readable entry
// is computed from its bytes.
func ParseBundle(b []byte) ([]BundleEntry, error) {
	var out []BundleEntry
	for len(b) > 0 {
		switch b[0] {
		case bundleEntry:
			if len(b) < 5 {
				return nil, errors.New("record: entry bundle ends inside a length")
			}
			n := binary.BigEndian.Uint32(b[1:5])
			if n > maxEntrySize || int64(n) > int64(len(b)-5) {
				return nil, errors.New("record: entry bundle ends inside an entry")
			}
			e := b[5 : 5+n : 5+n]
			out = append(out, BundleEntry{Bytes: e, LeafHash: LeafHash(e)})
			b = b[5+n:]
		case bundleHidden:
			if len(b) < 1+32 {
				return nil, errors.New("record: entry bundle ends inside a leaf hash")
			}
			var h Hash
			copy(h[:], b[1:33])
			out = append(out, BundleEntry{LeafHash: h})
			b = b[33:]
		default:
			return nil, fmt.Errorf("record: entry bundle has an entry of kind %#x", b[0])
		}
	}
	return out, nil
}
