package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/record"
	"golang.org/x/mod/sumdb/tlog"
)

// The record's Merkle tree: each entry's leaf hash and the interior hashes
// it completes are stored in tree_hashes, in the same transaction as the
// entry, at the indexes of tlog.StoredHashIndex.

// The hash reader's queries; their texts are few, so they stay prepared.
const (
	oneHashQuery   = `SELECT hash FROM tree_hashes WHERE idx = $1`
	hashRangeQuery = `SELECT idx, hash FROM tree_hashes WHERE idx >= $1 AND idx <= $2`
	hashesInQuery  = `SELECT idx, hash FROM tree_hashes WHERE idx IN (`
)

// readHashes reads stored hashes through q, in as few queries as it can:
// tlog asks for all the hashes a proof, a tile or an append needs at once.
func readHashes(ctx context.Context, q queryer, idx []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(idx))
	switch len(idx) {
	case 0:
		return out, nil
	case 1:
		var b []byte
		if err := q.QueryRowContext(ctx, oneHashQuery, idx[0]).Scan(&b); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return nil, fmt.Errorf("store: tree hash %d is missing", idx[0])
			}
			return nil, fmt.Errorf("store: read tree hash %d: %w", idx[0], err)
		}
		if len(b) != tlog.HashSize {
			return nil, fmt.Errorf("store: tree hash %d has %d bytes", idx[0], len(b))
		}
		copy(out[0][:], b)
		return out, nil
	}
	lo, hi := idx[0], idx[0]
	for _, x := range idx {
		lo, hi = min(lo, x), max(hi, x)
	}
	want := make(map[int64][]int, len(idx))
	for i, x := range idx {
		want[x] = append(want[x], i)
	}
	var rows *sql.Rows
	var err error
	if hi-lo < int64(2*len(idx)+2) {
		// A tile or a run of appends: one range scan.
		rows, err = q.QueryContext(ctx, hashRangeQuery, lo, hi)
	} else {
		// A proof: hashes scattered over the levels of the tree.
		var b strings.Builder
		b.WriteString(hashesInQuery)
		a := make([]any, 0, len(want))
		for _, x := range idx {
			if len(want[x]) == 0 || want[x][0] != slices.Index(idx, x) {
				continue // a repeated index, asked for once
			}
			if len(a) > 0 {
				b.WriteByte(',')
			}
			a = append(a, x)
			fmt.Fprintf(&b, "$%d", len(a))
		}
		b.WriteByte(')')
		rows, err = q.QueryContext(ctx, b.String(), a...)
	}
	if err != nil {
		return nil, fmt.Errorf("store: read tree hashes: %w", err)
	}
	defer rows.Close()
	found := 0
	for rows.Next() {
		var x int64
		var h []byte
		if err := rows.Scan(&x, &h); err != nil {
			return nil, fmt.Errorf("store: read tree hashes: %w", err)
		}
		is, ok := want[x]
		if !ok {
			continue
		}
		if len(h) != tlog.HashSize {
			return nil, fmt.Errorf("store: tree hash %d has %d bytes", x, len(h))
		}
		for _, i := range is {
			copy(out[i][:], h)
		}
		found++
		delete(want, x)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: read tree hashes: %w", err)
	}
	for x := range want {
		return nil, fmt.Errorf("store: tree hash %d is missing", x)
	}
	return out, nil
}

// treeBatch holds the tree hashes that one batch of the writer adds: they
// are computed as each entry is appended and written together at the end of
// the batch's transaction (flush), so they commit with the entries or not at
// all. The hashes an append needs from earlier batches are the right edge of
// the tree — for each level, the last hash stored — which the writer keeps
// from one commit to the next (treeEdge) instead of reading it back.
type treeBatch struct {
	base    int64 // stored-hash index of the batch's first hash
	pending []tlog.Hash
	edge    treeEdge
}

// treeEdge is, for a tree of size size, the last stored hash of each level:
// exactly the hashes the next appends read.
type treeEdge struct {
	size int64
	idx  []int64
	hash []tlog.Hash
}

func (e *treeEdge) clone() treeEdge {
	return treeEdge{size: e.size, idx: slices.Clone(e.idx), hash: slices.Clone(e.hash)}
}

func (e *treeEdge) set(level int, idx int64, h tlog.Hash) {
	for len(e.idx) <= level {
		e.idx = append(e.idx, -1)
		e.hash = append(e.hash, tlog.Hash{})
	}
	e.idx[level], e.hash[level] = idx, h
}

// newTreeBatch starts the tree hashes of a batch that appends after entry
// seq, reusing edge if it describes that tree.
func newTreeBatch(seq int64, edge treeEdge) *treeBatch {
	if edge.size != seq {
		edge = treeEdge{size: seq}
	}
	return &treeBatch{base: tlog.StoredHashIndex(0, seq), edge: edge.clone()}
}

// ReadHashes serves the hashes an append asks for: from the batch, from the
// right edge, or else from the database.
func (b *treeBatch) read(ctx context.Context, q queryer, idx []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(idx))
	var miss []int64
	for i, x := range idx {
		if x >= b.base && x < b.base+int64(len(b.pending)) {
			out[i] = b.pending[x-b.base]
			continue
		}
		if j := slices.Index(b.edge.idx, x); j >= 0 {
			out[i] = b.edge.hash[j]
			continue
		}
		miss = append(miss, x)
	}
	if len(miss) == 0 {
		return out, nil
	}
	hs, err := readHashes(ctx, q, miss)
	if err != nil {
		return nil, err
	}
	for i, x := range idx {
		if j := slices.Index(miss, x); j >= 0 {
			out[i] = hs[j]
		}
	}
	return out, nil
}

// truncate forgets the hashes of entries after seq, when a command's
// savepoint is rolled back.
func (b *treeBatch) truncate(seq int64) {
	end := tlog.StoredHashIndex(0, seq)
	if n := end - b.base; n >= 0 && n < int64(len(b.pending)) {
		b.pending = b.pending[:n]
	}
	for i, x := range b.edge.idx {
		if x >= end {
			b.edge.idx[i] = -1
		}
	}
	b.edge.size = min(b.edge.size, seq)
}

// storeTreeHashes computes the hashes that record index n (entry seq n+1)
// with leaf hash leaf adds to the tree, to be written by flush.
func (tx *Tx) storeTreeHashes(n int64, leaf record.Hash) error {
	b := tx.tree
	hs, err := tlog.StoredHashesForRecordHash(n, tlog.Hash(leaf), tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		return b.read(tx.ctx, tx.tx, idx)
	}))
	if err != nil {
		return fmt.Errorf("store: tree hashes of entry %d: %w", n+1, err)
	}
	base := tlog.StoredHashIndex(0, n)
	if base != b.base+int64(len(b.pending)) {
		return fmt.Errorf("store: tree hashes of entry %d out of order", n+1)
	}
	b.pending = append(b.pending, hs...)
	for level, h := range hs {
		b.edge.set(level, base+int64(level), h)
	}
	b.edge.size = n + 1
	return nil
}

// flushSizes are the numbers of rows per INSERT statement flush uses: a few
// fixed statement texts, so that each stays prepared.
var flushSizes = []int{128, 32, 8, 1}

// flush writes the batch's tree hashes.
func (tx *Tx) flush() error {
	b := tx.tree
	rest, idx := b.pending, b.base
	for _, n := range flushSizes {
		for len(rest) >= n {
			var q strings.Builder
			q.WriteString(`INSERT INTO tree_hashes (idx, hash) VALUES `)
			a := make([]any, 0, 2*n)
			for i := range n {
				if i > 0 {
					q.WriteByte(',')
				}
				fmt.Fprintf(&q, "($%d, $%d)", 2*i+1, 2*i+2)
				a = append(a, idx+int64(i), rest[i][:])
			}
			if _, err := tx.tx.ExecContext(tx.ctx, q.String(), a...); err != nil {
				return fmt.Errorf("store: store tree hashes: %w", err)
			}
			rest, idx = rest[n:], idx+int64(n)
		}
	}
	return nil
}

// HashReader reads the stored hashes of the record's tree. It reads only
// committed hashes, which never change, so it keeps the upper levels' in
// memory: every proof needs some of them.
func (db *DB) HashReader(ctx context.Context) tlog.HashReader {
	return tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		return db.hashes.read(idx, func(miss []int64) ([]tlog.Hash, error) { return db.loadBlocks(ctx, miss) })
	})
}

// hashBlock is how many consecutive stored hashes a cache miss loads at
// once: the neighbourhood of a hash (about 256 entries and the hashes
// above them) is what the next proofs of nearby entries need, and one
// range query costs about what one point query does.
const hashBlock = 512

// loadBlocks reads the hashes idx, loading into the cache the whole block of
// each while the cache has room.
func (db *DB) loadBlocks(ctx context.Context, idx []int64) ([]tlog.Hash, error) {
	if db.hashes.full() {
		return readHashes(ctx, preparedReads{db}, idx)
	}
	got := map[int64]tlog.Hash{}
	seen := map[int64]bool{}
	q := preparedReads{db}
	for _, x := range idx {
		block := x / hashBlock
		if seen[block] {
			continue
		}
		seen[block] = true
		rows, err := q.QueryContext(ctx, hashRangeQuery, block*hashBlock, block*hashBlock+hashBlock-1)
		if err != nil {
			return nil, fmt.Errorf("store: read tree hashes: %w", err)
		}
		for rows.Next() {
			var i int64
			var b []byte
			if err := rows.Scan(&i, &b); err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: read tree hashes: %w", err)
			}
			var h tlog.Hash
			copy(h[:], b)
			got[i] = h
		}
		if err := rows.Close(); err != nil {
			return nil, fmt.Errorf("store: read tree hashes: %w", err)
		}
	}
	db.hashes.putAll(got)
	out := make([]tlog.Hash, len(idx))
	for i, x := range idx {
		h, ok := got[x]
		if !ok {
			return nil, fmt.Errorf("store: tree hash %d is missing", x)
		}
		out[i] = h
	}
	return out, nil
}

// preparedReads runs the hash reader's two constant queries as statements
// prepared once (on SQLite, which otherwise compiles each anew), and any
// other query as it comes.
type preparedReads struct{ db *DB }

func (p preparedReads) stmt(ctx context.Context, q string) *sql.Stmt {
	if p.db.stmts == nil || (q != oneHashQuery && q != hashRangeQuery && !(strings.HasPrefix(q, hashesInQuery) && len(q) < len(hashesInQuery)+64)) {
		return nil // only a few texts, so that the cache never fills
	}
	s, err := p.db.stmts.get(ctx, q)
	if err != nil {
		return nil // the query runs unprepared, and reports the error then
	}
	return s
}

func (p preparedReads) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if s := p.stmt(ctx, q); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return p.db.sql.QueryContext(ctx, q, args...)
}

func (p preparedReads) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	if s := p.stmt(ctx, q); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return p.db.sql.QueryRowContext(ctx, q, args...)
}

func (p preparedReads) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return p.db.sql.ExecContext(ctx, q, args...)
}

// hashCache keeps committed stored hashes in memory, in one dense slice per
// level of the tree, up to hashCacheMax hashes (64 MiB): the whole tree of
// a record of a million entries. Stored hashes never change once
// committed, so the cache is never invalidated; an inclusion proof within
// the cached part reads nothing from the database. Beyond the bound, hashes
// are read and not kept. (Measured on a million-entry SQLite table: 21,000
// proofs/s without a cache, about 45,000 with the levels above 4 cached;
// see docs/benchmarks.md for the figures with the whole tree.)
type hashCache struct {
	mu     sync.RWMutex
	levels [64][]tlog.Hash // by level, then by index within the level; the zero hash is absent
	size   int             // hashes kept
}

const hashCacheMax = 1 << 21 // 2,097,152 hashes of 32 bytes

func newHashCache() *hashCache { return &hashCache{} }

func (c *hashCache) get(idx int64) (tlog.Hash, bool) {
	level, n := tlog.SplitStoredHashIndex(idx)
	if n >= int64(len(c.levels[level])) {
		return tlog.Hash{}, false
	}
	h := c.levels[level][n]
	return h, h != tlog.Hash{}
}

func (c *hashCache) put(idx int64, h tlog.Hash) {
	level, n := tlog.SplitStoredHashIndex(idx)
	if c.size >= hashCacheMax {
		return
	}
	l := c.levels[level]
	if n >= int64(len(l)) {
		if n >= hashCacheMax {
			return
		}
		grown := make([]tlog.Hash, min(max(n+1, int64(2*len(l))), hashCacheMax))
		copy(grown, l)
		l = grown
		c.levels[level] = l
	}
	if l[n] == (tlog.Hash{}) {
		c.size++
	}
	l[n] = h
}

func (c *hashCache) full() bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.size >= hashCacheMax
}

func (c *hashCache) putAll(hs map[int64]tlog.Hash) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, h := range hs {
		c.put(i, h)
	}
}

func (c *hashCache) read(idx []int64, load func([]int64) ([]tlog.Hash, error)) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(idx))
	var miss []int64
	var at []int
	c.mu.RLock()
	for i, x := range idx {
		if h, ok := c.get(x); ok {
			out[i] = h
		} else {
			miss, at = append(miss, x), append(at, i)
		}
	}
	c.mu.RUnlock()
	if len(miss) == 0 {
		return out, nil
	}
	hs, err := load(miss)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for j, i := range at {
		out[i] = hs[j]
		c.put(miss[j], hs[j])
	}
	return out, nil
}

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
		if err := r.Scan(&b); err != nil {
			return nil, err
		}
		return db.openEntry(b)
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
		if err := r.Scan(&e.Seq, &e.Bytes, &leaf); err != nil {
			return e, err
		}
		copy(e.LeafHash[:], leaf)
		var err error
		e.Bytes, err = db.openEntry(e.Bytes)
		return e, err
	})
}

// ScanTreeHashes calls fn with every stored tree hash in index order.
func (db *DB) ScanTreeHashes(ctx context.Context, fn func(idx int64, hash []byte) error) error {
	rows, err := db.sql.QueryContext(ctx, `SELECT idx, hash FROM tree_hashes ORDER BY idx`)
	if err != nil {
		return fmt.Errorf("store: read tree hashes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var idx int64
		var h []byte
		if err := rows.Scan(&idx, &h); err != nil {
			return fmt.Errorf("store: read tree hashes: %w", err)
		}
		if err := fn(idx, h); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Checkpoints returns every stored checkpoint, smallest first.
func (db *DB) Checkpoints(ctx context.Context) ([]record.Checkpoint, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT size, root, note, created_at FROM checkpoints ORDER BY size`)
	if err != nil {
		return nil, fmt.Errorf("store: list checkpoints: %w", err)
	}
	return collect(rows, scanCheckpoint)
}
