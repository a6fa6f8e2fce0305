package record_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/record"
	"github.com/parley-talks/parley/internal/storetest"
	"github.com/transparency-dev/merkle/proof"
	"golang.org/x/mod/sumdb/tlog"
	"pgregory.net/rapid"
)

// TestStoreProofsProperty is the proof property through the store: entries
// written by the real write path, in batches of random size from
// concurrent commands, make a tree whose stored hashes give proofs that
// transparency-dev/merkle verifies against the root it computes itself.
func TestStoreProofsProperty(t *testing.T) {
	db := storetest.OpenSQLite(t)
	w := storetest.NewWorld(t, db, nil)
	ctx := context.Background()
	space := w.SpaceOf(parley.SpaceParty, w.PartyA.ID).ID
	rapid.Check(t, func(rt *rapid.T) {
		// Some commands at once, so that the writer batches them.
		// Some commands at once, so that the writer batches them, and some
		// refused among them, whose savepoints roll back.
		n := rapid.IntRange(1, 20).Draw(rt, "commands")
		refused := rapid.SliceOfN(rapid.Bool(), n, n).Draw(rt, "refused")
		errs := make(chan error, n)
		for i := range n {
			go func() {
				a := w.HeadA
				if refused[i] {
					a = w.DelegB // may not post in party A's caucus
				}
				_, err := w.Service.Do(ctx, a, parley.StartThread{SpaceID: space, Title: "t", Body: fmt.Sprint(i)})
				if (err != nil) != refused[i] {
					err = fmt.Errorf("command %d (refused: %v): %v", i, refused[i], err)
				} else {
					err = nil
				}
				errs <- err
			}()
		}
		for range n {
			if err := <-errs; err != nil {
				rt.Fatal(err)
			}
		}
		size, err := db.LastSeq(ctx)
		if err != nil {
			rt.Fatal(err)
		}
		var leaves [][]byte
		if err := db.ScanEntries(ctx, func(_ int64, entry, leaf, _ []byte) error {
			if h := record.LeafHash(entry); !bytes.Equal(h[:], leaf) {
				return fmt.Errorf("a stored leaf hash is not the entry's")
			}
			leaves = append(leaves, bytes.Clone(leaf))
			return nil
		}); err != nil {
			rt.Fatal(err)
		}
		root := independentRoot(rt, leaves)
		hr := db.HashReader(ctx)
		if got, err := tlog.TreeHash(size, hr); err != nil || !bytes.Equal(got[:], root) {
			rt.Fatalf("stored tree hash of %d: %x, %v; transparency-dev/merkle says %x", size, got, err, root)
		}
		i := rapid.Int64Range(0, size-1).Draw(rt, "index")
		p, err := tlog.ProveRecord(size, i, hr)
		if err != nil {
			rt.Fatal(err)
		}
		if err := proof.VerifyInclusion(hasher, uint64(i), uint64(size), leaves[i], proofBytes(p), root); err != nil {
			rt.Fatalf("inclusion of %d in %d: %v", i, size, err)
		}
		from := rapid.Int64Range(1, size).Draw(rt, "from")
		cp, err := tlog.ProveTree(size, from, hr)
		if err != nil {
			rt.Fatal(err)
		}
		if err := proof.VerifyConsistency(hasher, uint64(from), uint64(size), proofBytes(cp), independentRoot(rt, leaves[:from]), root); err != nil {
			rt.Fatalf("consistency %d→%d: %v", from, size, err)
		}
	})
}
