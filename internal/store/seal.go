package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/record"
)

// A Sealer encrypts personal data at rest and decrypts it again
// (internal/seal's Keyring is one). Seal uses the current key; Open any key
// the sealer holds. The additional data binds a sealed value to its place,
// so that a value copied elsewhere does not open.
type Sealer interface {
	Seal(plaintext, aad []byte) []byte
	Open(sealed, aad []byte) ([]byte, error)
	// NeedsReseal reports whether sealed was sealed with a key other
	// than the current one.
	NeedsReseal(sealed []byte) bool
}

// ErrNoDataKey is returned when personal data is to be written or read and
// the database was opened without a data key.
var ErrNoDataKey = errors.New("store: this record holds personal data, sealed at rest, and no data key was given (--data-key-file or PARLEY_DATA_KEY)")

// SetSealer gives db the data key with which it seals the record entries of
// events that carry personal data ([parley.IsPersonal]) and opens them
// again. Call it once, after Open and before any use.
func (db *DB) SetSealer(s Sealer) { db.sealer = s }

// entryAAD binds a sealed value to the entries table. An entry opened from
// another row is caught by its own sequence number and by the leaf and
// chain hashes, which cover its plain bytes.
var entryAAD = []byte("parley/entries/entry")

// keep returns what the entries table keeps of an entry with canonical
// bytes b: b itself, or b sealed when its event carries personal data. The
// leaf hash is always that of b.
func (db *DB) keep(d parley.EventData, b []byte) ([]byte, error) {
	if !parley.IsPersonal(d) {
		return b, nil
	}
	if db.sealer == nil {
		return nil, ErrNoDataKey
	}
	return db.sealer.Seal(b, entryAAD), nil
}

// openEntry returns the canonical bytes of an entry as the entries table
// keeps it: as they are, or opened when sealed. nil stays nil (an entry
// hidden from its reader).
func (db *DB) openEntry(kept []byte) ([]byte, error) {
	if kept == nil || record.IsEntry(kept) {
		return kept, nil
	}
	if db.sealer == nil {
		return nil, ErrNoDataKey
	}
	b, err := db.sealer.Open(kept, entryAAD)
	if err != nil {
		return nil, fmt.Errorf("store: open a sealed record entry: %w", err)
	}
	return b, nil
}

// ResealStats says what Reseal did.
type ResealStats struct {
	Sealed   int // sealed values seen
	Resealed int // of which sealed anew with the current key
}

// Reseal seals anew, with the sealer's current key, every value sealed
// with another key: the second step of a key rotation, after the new key
// was added. The plain bytes, and so every hash of the record, stay what
// they are. It works in batches, each in its own transaction, and may be
// run again after an interruption. Run it with the servers stopped: a
// server started with the old keys cannot open what the new key sealed.
func (db *DB) Reseal(ctx context.Context, progress func(done int)) (ResealStats, error) {
	var st ResealStats
	if db.sealer == nil {
		return st, ErrNoDataKey
	}
	const batch = 500
	var after int64
	for {
		rows, err := db.sql.QueryContext(ctx, `SELECT seq, entry FROM entries WHERE seq > $1 ORDER BY seq LIMIT $2`, after, batch)
		if err != nil {
			return st, fmt.Errorf("store: reseal: %w", err)
		}
		type kept struct {
			seq int64
			b   []byte
		}
		ks, err := collect(rows, func(r scanner) (kept, error) {
			var k kept
			return k, r.Scan(&k.seq, &k.b)
		})
		if err != nil {
			return st, fmt.Errorf("store: reseal: %w", err)
		}
		if len(ks) == 0 {
			return st, nil
		}
		tx, err := db.sql.BeginTx(ctx, nil)
		if err != nil {
			return st, fmt.Errorf("store: reseal: %w", err)
		}
		for _, k := range ks {
			after = k.seq
			if record.IsEntry(k.b) {
				continue
			}
			st.Sealed++
			if !db.sealer.NeedsReseal(k.b) {
				continue
			}
			b, err := db.openEntry(k.b)
			if err != nil {
				tx.Rollback()
				return st, fmt.Errorf("store: reseal entry %d: %w", k.seq, err)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE entries SET entry = $1 WHERE seq = $2`, db.sealer.Seal(b, entryAAD), k.seq); err != nil {
				tx.Rollback()
				return st, fmt.Errorf("store: reseal entry %d: %w", k.seq, err)
			}
			st.Resealed++
		}
		if err := tx.Commit(); err != nil {
			return st, fmt.Errorf("store: reseal: %w", err)
		}
		if progress != nil {
			progress(st.Sealed)
		}
	}
}

// SealValue seals plain with the data key, bound to aad: for values the
// server hands out and takes back, such as an import awaiting the user's
// choice, so that what the browser holds meanwhile is not readable.
func (db *DB) SealValue(plain, aad []byte) ([]byte, error) {
	if db.sealer == nil {
		return nil, ErrNoDataKey
	}
	return db.sealer.Seal(plain, aad), nil
}

// OpenValue opens what SealValue sealed with the same aad.
func (db *DB) OpenValue(sealed, aad []byte) ([]byte, error) {
	if db.sealer == nil {
		return nil, ErrNoDataKey
	}
	return db.sealer.Open(sealed, aad)
}
