package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"github.com/parley-talks/parley"

	"github.com/parley-talks/parley/internal/record"
	"golang.org/x/mod/sumdb/tlog"
)

// The record's Merkle tree: each entry's leaf hash and the interior hashes
// it completes are stored in tree_hashes, in the same transaction as the
// entry, at the indexes of tlog.StoredHashIndex.

// hashReader reads stored hashes through q.
func hashReader(ctx context.Context, q queryer) tlog.HashReader {
	return tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			var b []byte
			if err := q.QueryRowContext(ctx, `SELECT hash FROM tree_hashes WHERE idx = $1`, x).Scan(&b); err != nil {
				if errors.Is(err, sql.ErrNoRows) {
					return nil, fmt.Errorf("store: tree hash %d is missing", x)
				}
				return nil, fmt.Errorf("store: read tree hash %d: %w", x, err)
			}
			if len(b) != tlog.HashSize {
				return nil, fmt.Errorf("store: tree hash %d has %d bytes", x, len(b))
			}
			copy(out[i][:], b)
		}
		return out, nil
	})
}

// storeTreeHashes stores the hashes that record index n (entry seq n+1)
// with leaf hash leaf adds to the tree.
func (tx *Tx) storeTreeHashes(n int64, leaf record.Hash) error {
	hs, err := tlog.StoredHashesForRecordHash(n, tlog.Hash(leaf), hashReader(tx.ctx, tx.tx))
	if err != nil {
		return fmt.Errorf("store: tree hashes of entry %d: %w", n+1, err)
	}
	base := tlog.StoredHashIndex(0, n)
	for i, h := range hs {
		if _, err := tx.tx.ExecContext(tx.ctx, `INSERT INTO tree_hashes (idx, hash) VALUES ($1, $2)`, base+int64(i), h[:]); err != nil {
			return fmt.Errorf("store: store tree hash: %w", err)
		}
	}
	return nil
}

// HashReader reads the stored hashes of the record's tree.
func (db *DB) HashReader(ctx context.Context) tlog.HashReader { return hashReader(ctx, db.sql) }

// TreeHead returns the size of the record and its tree hash.
func (db *DB) TreeHead(ctx context.Context) (tlog.Tree, error) {
	n, err := db.LastSeq(ctx)
	if err != nil {
		return tlog.Tree{}, err
	}
	if n == 0 {
		return tlog.Tree{}, nil
	}
	h, err := tlog.TreeHash(n, db.HashReader(ctx))
	if err != nil {
		return tlog.Tree{}, err
	}
	return tlog.Tree{N: n, Hash: h}, nil
}

// SaveCheckpoint stores a signed checkpoint; one of the same size stored
// earlier (e.g. by another instance) wins.
func (db *DB) SaveCheckpoint(ctx context.Context, c record.Checkpoint) error {
	_, err := db.sql.ExecContext(ctx, `INSERT INTO checkpoints (size, root, note, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (size) DO NOTHING`, c.Size, c.Root[:], string(c.Note), micros(c.CreatedAt))
	if err != nil {
		return fmt.Errorf("store: save checkpoint: %w", err)
	}
	return nil
}

func scanCheckpoint(r scanner) (record.Checkpoint, error) {
	var c record.Checkpoint
	var root []byte
	var note string
	var at int64
	err := r.Scan(&c.Size, &root, &note, &at)
	copy(c.Root[:], root)
	c.Note, c.CreatedAt = []byte(note), fromMicros(at)
	return c, err
}

// LatestCheckpoint returns the newest checkpoint.
func (db *DB) LatestCheckpoint(ctx context.Context) (record.Checkpoint, error) {
	c, err := scanCheckpoint(db.sql.QueryRowContext(ctx, `SELECT size, root, note, created_at FROM checkpoints ORDER BY size DESC LIMIT 1`))
	return c, one(err, "checkpoint")
}

// CheckpointCovering returns the oldest checkpoint whose tree includes
// entry seq.
func (db *DB) CheckpointCovering(ctx context.Context, seq int64) (record.Checkpoint, error) {
	c, err := scanCheckpoint(db.sql.QueryRowContext(ctx, `SELECT size, root, note, created_at FROM checkpoints WHERE size >= $1 ORDER BY size LIMIT 1`, seq))
	return c, one(err, "checkpoint")
}

// SaveCosignature stores a witness's cosignature of checkpoint size.
func (db *DB) SaveCosignature(ctx context.Context, c record.Cosignature) error {
	_, err := db.sql.ExecContext(ctx, `INSERT INTO cosignatures (size, witness, signature, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (size, witness) DO UPDATE SET signature = excluded.signature, created_at = excluded.created_at`,
		c.Size, c.Witness, c.Signature, micros(c.CreatedAt))
	if err != nil {
		return fmt.Errorf("store: save cosignature: %w", err)
	}
	return nil
}

// Cosignatures returns the cosignatures of checkpoint size.
func (db *DB) Cosignatures(ctx context.Context, size int64) ([]record.Cosignature, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT size, witness, signature, created_at FROM cosignatures WHERE size = $1 ORDER BY witness`, size)
	if err != nil {
		return nil, fmt.Errorf("store: list cosignatures: %w", err)
	}
	return collect(rows, scanCosignature)
}

func scanCosignature(r scanner) (record.Cosignature, error) {
	var c record.Cosignature
	var at int64
	err := r.Scan(&c.Size, &c.Witness, &c.Signature, &at)
	c.CreatedAt = fromMicros(at)
	return c, err
}

// Witnesses returns, for each witness, its latest cosignature.
func (db *DB) Witnesses(ctx context.Context) ([]record.Cosignature, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT c.size, c.witness, c.signature, c.created_at FROM cosignatures c
		WHERE c.size = (SELECT MAX(size) FROM cosignatures x WHERE x.witness = c.witness) ORDER BY c.witness`)
	if err != nil {
		return nil, fmt.Errorf("store: list witnesses: %w", err)
	}
	return collect(rows, scanCosignature)
}

// EntryBytes returns the canonical bytes of entries [from, to) (by seq).
func (db *DB) EntryBytes(ctx context.Context, from, to int64) ([][]byte, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT entry FROM entries WHERE seq >= $1 AND seq < $2 ORDER BY seq`, from, to)
	if err != nil {
		return nil, fmt.Errorf("store: read entries: %w", err)
	}
	return collect(rows, func(r scanner) ([]byte, error) {
		var b []byte
		return b, r.Scan(&b)
	})
}

// VisibleEntry is a record entry as one caller sees it: its bytes when it
// may read it, only its leaf hash otherwise.
type VisibleEntry struct {
	Seq      int64
	Bytes    []byte // nil when hidden from the caller
	LeafHash record.Hash
}

// EntriesFor returns entries [from, to) (by seq) as a sees them.
func (db *DB) EntriesFor(ctx context.Context, a parley.Actor, from, to int64) ([]VisibleEntry, error) {
	q := args{from, to}
	rows, err := db.sql.QueryContext(ctx, `SELECT e.seq, CASE WHEN `+canSeeEntry(a, &q)+` THEN e.entry ELSE NULL END, e.leaf_hash
		FROM entries e WHERE e.seq >= $1 AND e.seq < $2 ORDER BY e.seq`, q...)
	if err != nil {
		return nil, fmt.Errorf("store: read entries: %w", err)
	}
	return collect(rows, func(r scanner) (VisibleEntry, error) {
		var e VisibleEntry
		var leaf []byte
		err := r.Scan(&e.Seq, &e.Bytes, &leaf)
		copy(e.LeafHash[:], leaf)
		return e, err
	})
}
