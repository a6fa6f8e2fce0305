package record

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"golang.org/x/mod/sumdb/tlog"
)

// Source is the record as a verifier reads it: from a server over HTTP, or
// straight from a database or a backup.
type Source interface {
	// Checkpoint returns the latest signed checkpoint (cosignature lines
	// may follow the server's signature).
	Checkpoint(ctx context.Context) ([]byte, error)
	// ReadTile returns the data of hash tile t (t.L >= 0).
	ReadTile(ctx context.Context, t tlog.Tile) ([]byte, error)
	// ReadBundle returns the entry bundle of the leaves of tile t (t.L == 0).
	ReadBundle(ctx context.Context, t tlog.Tile) ([]byte, error)
}

// Seen is a checkpoint a verifier or a witness accepted earlier.
type Seen struct {
	Size int64     `json:"size"`
	Root string    `json:"root"` // base64
	At   time.Time `json:"seen_at"`
}

// SeenOf returns the record of accepting tree t at time at.
func SeenOf(t tlog.Tree, at time.Time) Seen {
	return Seen{Size: t.N, Root: base64.StdEncoding.EncodeToString(t.Hash[:]), At: at.UTC()}
}

// Tree returns the tree s describes.
func (s Seen) Tree() (tlog.Tree, error) {
	h, err := base64.StdEncoding.DecodeString(s.Root)
	if err != nil || len(h) != tlog.HashSize {
		return tlog.Tree{}, fmt.Errorf("record: the root of the checkpoint of size %d seen earlier is not a base64 hash", s.Size)
	}
	t := tlog.Tree{N: s.Size}
	copy(t.Hash[:], h)
	return t, nil
}

// InconsistencyError reports that a log showed a checkpoint that cannot
// describe the same history as one accepted earlier: the log was rewritten,
// truncated, or shows different histories to different readers.
type InconsistencyError struct {
	Size   int64 // the new checkpoint
	Seen   Seen  // the earlier one
	Reason string
}

func (e *InconsistencyError) Error() string {
	return fmt.Sprintf("checkpoint %d is not consistent with checkpoint %d seen on %s: %s",
		e.Size, e.Seen.Size, e.Seen.At.Format("2006-01-02 15:04:05 UTC"), e.Reason)
}

// The reasons an InconsistencyError gives.
const (
	ReasonTruncated = "the log is smaller than before, so it was truncated (for example restored from an older backup)"
	ReasonForked    = "the same size with a different root: the server shows two histories"
	ReasonRewritten = "the log was rewritten"
)

// CheckSizes reports an InconsistencyError if t cannot extend the seen
// checkpoint s without looking at the tree: it is smaller, or of the same
// size with another root.
func CheckSizes(t tlog.Tree, s Seen) error {
	old, err := s.Tree()
	if err != nil {
		return err
	}
	switch {
	case t.N < old.N:
		return &InconsistencyError{Size: t.N, Seen: s, Reason: ReasonTruncated}
	case t.N == old.N && t.Hash != old.Hash:
		return &InconsistencyError{Size: t.N, Seen: s, Reason: ReasonForked}
	}
	return nil
}

// CheckConsistencyProof checks that tree t extends the seen checkpoint s
// with the RFC 6962 consistency proof p.
func CheckConsistencyProof(t tlog.Tree, s Seen, p tlog.TreeProof) error {
	if err := CheckSizes(t, s); err != nil {
		return err
	}
	old, _ := s.Tree()
	if old.N == t.N || old.N == 0 {
		return nil
	}
	if err := tlog.CheckTree(p, t.N, t.Hash, old.N, old.Hash); err != nil {
		return &InconsistencyError{Size: t.N, Seen: s, Reason: ReasonRewritten + " (its consistency proof does not verify)"}
	}
	return nil
}

// CheckSeen checks that every seen checkpoint is a prefix of tree t, whose
// leaves the verifier rebuilt in full.
func CheckSeen(t tlog.Tree, rebuilt *Tree, seen []Seen) error {
	for _, s := range seen {
		if err := CheckSizes(t, s); err != nil {
			return err
		}
		old, _ := s.Tree()
		if old.N == 0 {
			continue
		}
		h, err := rebuilt.Root(old.N)
		if err != nil {
			return err
		}
		if h != old.Hash {
			return &InconsistencyError{Size: t.N, Seen: s, Reason: ReasonRewritten}
		}
	}
	return nil
}

// Report is what a successful verification established.
type Report struct {
	Origin   string
	Tree     tlog.Tree // the checkpoint verified
	Note     []byte    // the signed checkpoint as served
	Readable int64     // entries whose bytes were checked and parsed
	Hidden   int64     // entries of which only the leaf hash was shown
	Tiles    int       // hash tiles compared with the rebuilt tree
	Seen     int       // earlier checkpoints found consistent
	Rebuilt  *Tree
}

// Verify checks the record src serves against the log's verifier key vkey
// and the checkpoints accepted earlier:
//
//   - the latest checkpoint is signed by vkey;
//   - it is consistent with every checkpoint in seen;
//   - the tree rebuilt from the leaf hashes of the level-0 tiles has the
//     checkpoint's root, and every higher tile equals the rebuilt tree's;
//   - each entry of the entry bundles that the caller may read hashes to
//     its leaf and parses as an entry with its own sequence number, and each
//     hidden entry's leaf hash is the tree's.
//
// Rebuilding the whole tree proves the inclusion of every entry at once,
// which is a stronger check than an inclusion proof per entry.
//
// Each readable entry is also given to every check, which may refuse it
// (parley verify checks the passkey signatures of formal acts there).
func Verify(ctx context.Context, src Source, vkey string, seen []Seen, checks ...func(Entry) error) (*Report, error) {
	note, err := src.Checkpoint(ctx)
	if err != nil {
		return nil, err
	}
	origin, t, err := OpenCheckpoint(note, vkey)
	if err != nil {
		return nil, fmt.Errorf("the checkpoint's signature does not verify with the key %s: %w", vkey, err)
	}
	for _, s := range seen {
		if err := CheckSizes(t, s); err != nil {
			return nil, err
		}
	}
	rep := &Report{Origin: origin, Tree: t, Note: note}
	tree, err := rebuild(ctx, src, t.N, rep, checks)
	if err != nil {
		return nil, err
	}
	rep.Rebuilt = tree
	root, err := tree.Root(t.N)
	if err != nil {
		return nil, err
	}
	if root != t.Hash {
		return nil, fmt.Errorf("the tree rebuilt from the tiles has root %s, but checkpoint %d says %s: the tiles do not match the signed checkpoint",
			base64.StdEncoding.EncodeToString(root[:]), t.N, base64.StdEncoding.EncodeToString(t.Hash[:]))
	}
	if err := CheckSeen(t, tree, seen); err != nil {
		return nil, err
	}
	rep.Seen = len(seen)
	return rep, nil
}

// rebuild reads every tile of a tree of size n from src, rebuilds the tree
// from the leaf hashes, and checks the entry bundles and higher tiles with it.
func rebuild(ctx context.Context, src Source, n int64, rep *Report, checks []func(Entry) error) (*Tree, error) {
	tree := NewTree(n)
	tiles := tlog.NewTiles(TileHeight, 0, n)
	for _, tile := range tiles {
		if tile.L != 0 {
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		data, err := src.ReadTile(ctx, tile)
		if err != nil {
			return nil, fmt.Errorf("read hash tile %s: %w", tile.Path(), err)
		}
		if len(data) != tile.W*tlog.HashSize {
			return nil, fmt.Errorf("hash tile %s has %d bytes, want %d", tile.Path(), len(data), tile.W*tlog.HashSize)
		}
		raw, err := src.ReadBundle(ctx, tile)
		if err != nil {
			return nil, fmt.Errorf("read the entries of tile %d: %w", tile.N, err)
		}
		es, err := ParseBundle(raw)
		if err != nil {
			return nil, fmt.Errorf("the entries of tile %d: %w", tile.N, err)
		}
		first := tile.N<<TileHeight + 1 // seq of the tile's first entry
		if len(es) != tile.W {
			return nil, fmt.Errorf("entries %d to %d: the server sent %d of them, want %d (entries are missing)", first, first+int64(tile.W)-1, len(es), tile.W)
		}
		for i, e := range es {
			seq := first + int64(i)
			var leaf Hash
			copy(leaf[:], data[i*tlog.HashSize:])
			if e.Hidden() {
				if e.LeafHash != leaf {
					return nil, fmt.Errorf("entry %d: the leaf hash sent for it is not the leaf in the tree", seq)
				}
				rep.Hidden++
			} else {
				if e.LeafHash != leaf {
					return nil, fmt.Errorf("entry %d: its bytes do not hash to the leaf in the tree", seq)
				}
				ent, err := Unmarshal(e.Bytes)
				if err != nil {
					return nil, fmt.Errorf("entry %d does not parse: %w", seq, err)
				}
				if ent.Seq != seq {
					return nil, fmt.Errorf("entry %d says it is entry %d", seq, ent.Seq)
				}
				for _, check := range checks {
					if err := check(*ent); err != nil {
						return nil, fmt.Errorf("entry %d: %w", seq, err)
					}
				}
				rep.Readable++
			}
			tree.Append(leaf)
		}
	}
	for _, tile := range tiles {
		if tile.L == 0 {
			continue
		}
		data, err := src.ReadTile(ctx, tile)
		if err != nil {
			return nil, fmt.Errorf("read hash tile %s: %w", tile.Path(), err)
		}
		want, err := tlog.ReadTileData(tile, tree)
		if err != nil {
			return nil, err
		}
		if !bytes.Equal(data, want) {
			return nil, fmt.Errorf("hash tile %s differs from the tree rebuilt from the leaves", tile.Path())
		}
	}
	rep.Tiles = len(tiles)
	return tree, nil
}

// ErrNoCheckpoint is returned by a Source that has no checkpoint yet.
var ErrNoCheckpoint = errors.New("the log has no checkpoint yet")
