package store

import (
	"context"
	"fmt"

	"github.com/parley-talks/parley"
)

// applyRemains updates the table of transfers of remains for e; ok says
// e was a transfer's event.
func applyRemains(ctx context.Context, tx queryer, e parley.Event) (ok bool, err error) {
	exec := func(q string, args ...any) error {
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("store: apply %s: %w", e.Type(), err)
		}
		return nil
	}
	switch d := e.Data.(type) {
	case *parley.RemainsRecorded:
		return true, exec(`INSERT INTO remains_transfers (id, process_id, group_id, space_id, date, crossing, from_party, to_party,
			bodies, identified, partial, unidentified, note, recorded_by, recorded_at, seq)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
			d.TransferID, e.Scope.ProcessID, d.GroupID, e.Scope.Space.ID, d.Date, d.Crossing, d.FromParty, d.ToParty,
			d.Bodies, d.Identified, d.Partial, d.Unidentified, d.Note, e.Actor, micros(e.At), e.Seq)
	case *parley.RemainsAcknowledged:
		return true, exec(`UPDATE remains_transfers SET ack_by = $2, ack_party = $3, received = $4, ack_note = $5, ack_at = $6, ack_seq = $7
			WHERE id = $1`, d.TransferID, e.Actor, d.Party, d.Received, d.Note, micros(e.At), e.Seq)
	}
	return false, nil
}

const remainsSelect = `SELECT r.id, r.process_id, r.group_id, r.space_id, r.date, r.crossing, r.from_party, r.to_party,
	r.bodies, r.identified, r.partial, r.unidentified, r.note, r.recorded_by, r.recorded_at, r.seq,
	r.ack_by, r.ack_party, r.received, r.ack_note, r.ack_at, r.ack_seq FROM remains_transfers r`

func scanRemains(r scanner) (parley.RemainsTransfer, error) {
	var t parley.RemainsTransfer
	var ack parley.RemainsAcknowledgement
	var recorded, acked int64
	err := r.Scan(&t.ID, &t.ProcessID, &t.GroupID, &t.SpaceID, &t.Date, &t.Crossing, &t.FromParty, &t.ToParty,
		&t.Bodies, &t.Identified, &t.Partial, &t.Unidentified, &t.Note, &t.RecordedBy, &recorded, &t.Seq,
		&ack.By, &ack.Party, &ack.Received, &ack.Note, &acked, &ack.Seq)
	t.RecordedAt = fromMicros(recorded)
	if ack.Seq != 0 {
		ack.At = fromMicros(acked)
		t.Ack = &ack
	}
	return t, err
}

// RemainsSetting loads transfer id with its space and the process's
// negotiating parties, for a decision.
func (tx *Tx) RemainsSetting(id string) (parley.RemainsSetting, error) {
	var set parley.RemainsSetting
	t, err := scanRemains(tx.tx.QueryRowContext(tx.ctx, remainsSelect+` WHERE r.id = $1`, id))
	if err := one(err, "transfer"); err != nil {
		return set, err
	}
	set.Transfer = t
	if set.Space, err = tx.Space(t.SpaceID); err != nil {
		return set, err
	}
	set.Parties, err = tx.NegotiatingParties(t.ProcessID)
	return set, err
}

// GroupRemainsSetting loads working group id's space and the process's
// negotiating parties, for recording a transfer in it.
func (tx *Tx) GroupRemainsSetting(group string) (parley.RemainsSetting, error) {
	var set parley.RemainsSetting
	g, err := tx.Group(group)
	if err != nil {
		return set, err
	}
	if set.Space, err = tx.Space(g.SpaceID); err != nil {
		return set, err
	}
	set.Parties, err = tx.NegotiatingParties(g.ProcessID)
	return set, err
}

// RemainsTransfer returns transfer id if a may read its space.
func (db *DB) RemainsTransfer(ctx context.Context, a parley.Actor, id string) (parley.RemainsTransfer, error) {
	q := args{id}
	t, err := scanRemains(db.sql.QueryRowContext(ctx, remainsSelect+` JOIN spaces s ON s.id = r.space_id WHERE r.id = $1 AND `+
		canRead(spaceCols, a, &q), q...))
	return t, one(err, "transfer")
}

// RemainsTransfers returns the transfers of remains of working group group
// that a may read, newest first: by date, then by when they were recorded.
func (db *DB) RemainsTransfers(ctx context.Context, a parley.Actor, group string) ([]parley.RemainsTransfer, error) {
	q := args{group}
	rows, err := db.sql.QueryContext(ctx, remainsSelect+` JOIN spaces s ON s.id = r.space_id WHERE r.group_id = $1 AND `+
		canRead(spaceCols, a, &q)+` ORDER BY r.date DESC, r.seq DESC`, q...)
	if err != nil {
		return nil, fmt.Errorf("store: list transfers of remains: %w", err)
	}
	ts, err := collect(rows, scanRemains)
	if ts == nil {
		ts = []parley.RemainsTransfer{}
	}
	return ts, err
}

// RemainsLedger returns the ledger of working group group's transfers of
// remains that a may read, with the totals of each of the process's
// negotiating parties.
func (db *DB) RemainsLedger(ctx context.Context, a parley.Actor, group string) (parley.RemainsLedger, error) {
	g, err := db.Group(ctx, a, group)
	if err != nil {
		return parley.RemainsLedger{}, err
	}
	if _, err := db.Space(ctx, a, g.SpaceID); err != nil {
		return parley.RemainsLedger{}, notFound("working group")
	}
	ts, err := db.RemainsTransfers(ctx, a, group)
	if err != nil {
		return parley.RemainsLedger{}, err
	}
	rows, err := db.sql.QueryContext(ctx, `SELECT id FROM parties WHERE process_id = $1 AND kind = 'party' ORDER BY position`, g.ProcessID)
	if err != nil {
		return parley.RemainsLedger{}, fmt.Errorf("store: parties: %w", err)
	}
	parties, err := collect(rows, scanString)
	if err != nil {
		return parley.RemainsLedger{}, err
	}
	return parley.NewRemainsLedger(group, parties, ts), nil
}
