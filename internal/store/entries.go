package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/record"
)

// Events returns up to limit events after record entry seq that a may see,
// in record order. A live stream uses it to resume after a reconnect.
func (db *DB) Events(ctx context.Context, a parley.Actor, after int64, limit int) ([]parley.Event, error) {
	q := args{after, limit}
	rows, err := db.sql.QueryContext(ctx, `SELECT e.entry, e.space_kind, e.party_id, e.group_id, e.with_mediator FROM entries e
		WHERE e.seq > $1 AND `+canSeeEntry(a, &q)+` ORDER BY e.seq LIMIT $2`, q...)
	if err != nil {
		return nil, fmt.Errorf("store: read events: %w", err)
	}
	return collect(rows, db.scanEvent)
}

func (db *DB) scanEvent(r scanner) (parley.Event, error) {
	var b []byte
	var sp parley.Space
	var kind string
	if err := r.Scan(&b, &kind, &sp.PartyID, &sp.GroupID, &sp.WithMediator); err != nil {
		return parley.Event{}, err
	}
	b, err := db.openEntry(b)
	if err != nil {
		return parley.Event{}, err
	}
	ent, err := record.Unmarshal(b)
	if err != nil {
		return parley.Event{}, err
	}
	data, err := parley.UnmarshalEventData(ent.Type, ent.Data)
	if err != nil {
		return parley.Event{}, err
	}
	if ent.Space != "" {
		sp.ID, sp.ProcessID, sp.Kind = ent.Space, ent.Process, parley.SpaceKind(kind)
	} else {
		sp = parley.Space{}
	}
	return parley.Event{
		Seq: ent.Seq, At: ent.At, Actor: ent.Actor,
		Scope: parley.Scope{ProcessID: ent.Process, Space: sp},
		Data:  data,
	}, nil
}

// LastSeq returns the sequence number of the newest record entry, 0 when
// the record is empty.
func (db *DB) LastSeq(ctx context.Context) (int64, error) {
	var n int64
	err := db.sql.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM entries`).Scan(&n)
	return n, err
}

// notifyChannel must equal live.Channel; the store cannot import live.
const notifyChannel = "parley_record"

// notify announces on PostgreSQL, inside the committing transaction, that
// the record grew; PostgreSQL delivers it to every listening instance when,
// and only if, the transaction commits. SQLite serves one instance, whose
// writer publishes directly.
func (w *Writer) notify(ctx context.Context, tx *sql.Tx, events []parley.Event) error {
	if w.db.dialect != Postgres || len(events) == 0 {
		return nil
	}
	last := events[len(events)-1].Seq
	if _, err := tx.ExecContext(ctx, "SELECT pg_notify($1, $2)", notifyChannel, strconv.FormatInt(last, 10)); err != nil {
		return fmt.Errorf("store: notify: %w", err)
	}
	return nil
}

// AllEvents returns up to limit events after seq whatever their scope. Only
// the live hub uses it, to filter per subscriber; no reader sees its result
// unfiltered.
func (db *DB) AllEvents(ctx context.Context, after int64, limit int) ([]parley.Event, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT e.entry, e.space_kind, e.party_id, e.group_id, e.with_mediator FROM entries e
		WHERE e.seq > $1 ORDER BY e.seq LIMIT $2`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("store: read events: %w", err)
	}
	return collect(rows, db.scanEvent)
}

// ScanEntries calls fn with every record entry in order: its sequence
// number, canonical bytes (opened, when the entry is sealed), and stored
// leaf and chain hashes. A verifier
// with direct access to the database checks them against each other.
func (db *DB) ScanEntries(ctx context.Context, fn func(seq int64, entry, leaf, chain []byte) error) error {
	rows, err := db.sql.QueryContext(ctx, `SELECT seq, entry, leaf_hash, chain_hash FROM entries ORDER BY seq`)
	if err != nil {
		return fmt.Errorf("store: read entries: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var seq int64
		var entry, leaf, chain []byte
		if err := rows.Scan(&seq, &entry, &leaf, &chain); err != nil {
			return fmt.Errorf("store: read entries: %w", err)
		}
		entry, err := db.openEntry(entry)
		if err != nil {
			return fmt.Errorf("store: entry %d: %w", seq, err)
		}
		if err := fn(seq, entry, leaf, chain); err != nil {
			return err
		}
	}
	return rows.Err()
}
