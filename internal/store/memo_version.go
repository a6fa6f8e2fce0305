package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/parley-talks/parley"
)

// MemoVersions returns the named versions of memorandum memo, oldest first,
// without their snapshots, if a may read its space.
func (db *DB) MemoVersions(ctx context.Context, a parley.Actor, memo string) ([]parley.MemoVersion, error) {
	q := args{memo}
	rows, err := db.sql.QueryContext(ctx, `SELECT v.id, v.memo_id, v.name, v.draft, v.seq, v.at FROM memo_versions v
		JOIN memos m ON m.id = v.memo_id JOIN spaces s ON s.id = m.space_id
		WHERE v.memo_id = $1 AND `+canRead(spaceCols, a, &q)+` ORDER BY v.seq, v.id`, q...)
	if err != nil {
		return nil, fmt.Errorf("store: memo versions: %w", err)
	}
	return collect(rows, func(r scanner) (parley.MemoVersion, error) {
		var v parley.MemoVersion
		var at int64
		err := r.Scan(&v.ID, &v.MemoID, &v.Name, &v.Draft, &v.Seq, &at)
		v.At = fromMicros(at)
		return v, err
	})
}

// MemoVersion returns named version id with its snapshot, if a may read
// its memorandum's space.
func (db *DB) MemoVersion(ctx context.Context, a parley.Actor, id string) (parley.MemoVersion, error) {
	q := args{id}
	var v parley.MemoVersion
	var at int64
	var snapshot string
	err := db.sql.QueryRowContext(ctx, `SELECT v.id, v.memo_id, v.name, v.draft, v.seq, v.at, v.snapshot FROM memo_versions v
		JOIN memos m ON m.id = v.memo_id JOIN spaces s ON s.id = m.space_id
		WHERE v.id = $1 AND `+canRead(spaceCols, a, &q), q...).Scan(&v.ID, &v.MemoID, &v.Name, &v.Draft, &v.Seq, &at, &snapshot)
	if err := one(err, "version"); err != nil {
		return v, err
	}
	v.At = fromMicros(at)
	if err := json.Unmarshal([]byte(snapshot), &v.Clauses); err != nil {
		return v, fmt.Errorf("store: memo version %s: %w", id, err)
	}
	return v, nil
}
