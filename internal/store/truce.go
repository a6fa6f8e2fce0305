package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/parley-talks/parley"
)

// applyTruce updates the read tables of truces for e; ok says e was a
// truce's event.
func applyTruce(ctx context.Context, tx queryer, e parley.Event) (ok bool, err error) {
	exec := func(q string, args ...any) error {
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("store: apply %s: %w", e.Type(), err)
		}
		return nil
	}
	at := micros(e.At)
	switch d := e.Data.(type) {
	case *parley.TruceRulesSet:
		region, _ := json.Marshal(d.Region) // four numbers
		return true, exec(`INSERT INTO truce_rules (process_id, region, max_hours) VALUES ($1, $2, $3)
			ON CONFLICT (process_id) DO UPDATE SET region = excluded.region, max_hours = excluded.max_hours`,
			d.ProcessID, string(region), d.MaxHours)
	case *parley.TruceNotifiedEvent:
		if err := exec(`INSERT INTO truce_notices (truce_id, party_id, at, seq) VALUES ($1, $2, $3, $4)`, d.TruceID, d.PartyID, at, e.Seq); err != nil {
			return true, err
		}
		if d.Complete {
			return true, exec(`UPDATE truces SET status = 'notified', seq = $2 WHERE id = $1`, d.TruceID, e.Seq)
		}
		return true, exec(`UPDATE truces SET seq = $2 WHERE id = $1`, d.TruceID, e.Seq)
	case *parley.TruceActivated:
		return true, exec(`UPDATE truces SET status = 'active', active_at = $2, seq = $3 WHERE id = $1`, d.TruceID, at, e.Seq)
	case *parley.TruceEndedEvent:
		return true, exec(`UPDATE truces SET status = 'ended', ended_at = $2, end_cause = $3, end_reason = $4, ended_by = $5, seq = $6 WHERE id = $1`,
			d.TruceID, at, d.Cause, d.Reason, d.PartyID, e.Seq)
	case *parley.ViolationReported:
		if err := exec(`INSERT INTO violations (id, truce_id, space_id, party_id, at, lon, lat, segment, description, reported_by, reported_at, status, seq)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'reported', $12)`,
			d.ViolationID, d.TruceID, e.Scope.Space.ID, d.PartyID, micros(d.At), d.Where.Lon(), d.Where.Lat(), d.Segment, d.Description,
			e.Actor, at, e.Seq); err != nil {
			return true, err
		}
		for i, a := range d.Attachments {
			if err := exec(`INSERT INTO violation_attachments (violation_id, position, hash, name, type, size) VALUES ($1, $2, $3, $4, $5, $6)`,
				d.ViolationID, i, a.Hash, a.Name, a.Type, a.Size); err != nil {
				return true, err
			}
		}
		return true, exec(`UPDATE truces SET seq = $2 WHERE id = $1`, d.TruceID, e.Seq)
	case *parley.ViolationAnswered:
		if err := exec(`INSERT INTO violation_notes (violation_id, seq, class, party_id, author_id, kind, text, at) VALUES ($1, $2, 'answer', $3, $4, $5, $6, $7)`,
			d.ViolationID, e.Seq, d.PartyID, e.Actor, d.Answer, d.Text, at); err != nil {
			return true, err
		}
		return true, exec(`UPDATE violations SET status = $2 WHERE id = $1`, d.ViolationID, d.Answer)
	case *parley.FindingRecorded:
		if err := exec(`INSERT INTO violation_notes (violation_id, seq, class, party_id, author_id, kind, text, at) VALUES ($1, $2, 'finding', '', $3, $4, $5, $6)`,
			d.ViolationID, e.Seq, e.Actor, d.Finding, d.Text, at); err != nil {
			return true, err
		}
		return true, exec(`UPDATE violations SET status = $2 WHERE id = $1`, d.ViolationID, d.Finding)
	}
	return false, nil
}

// truceBorn opens the truce of an accepted truce proposal.
func truceBorn(ctx context.Context, tx queryer, e parley.Event, d *parley.ProposalAccepted) error {
	var kind, title, details, group, space, from, to string
	err := tx.QueryRowContext(ctx, `SELECT kind, title, details, group_id, space_id, from_party, to_party FROM proposals WHERE id = $1`, d.ProposalID).
		Scan(&kind, &title, &details, &group, &space, &from, &to)
	if err != nil {
		return fmt.Errorf("store: truce of %s: %w", d.ProposalID, err)
	}
	if kind != string(parley.ProposalTruce) {
		return nil
	}
	var det parley.Details
	if err := json.Unmarshal([]byte(details), &det); err != nil || det.Truce == nil {
		return fmt.Errorf("store: truce terms of %s: %v", d.ProposalID, err)
	}
	terms := mustJSON(det.Truce)
	_, err = tx.ExecContext(ctx, `INSERT INTO truces (id, process_id, group_id, space_id, title, parties, terms, starts_at, ends_at, accepted_at,
		status, active_at, ended_at, end_cause, end_reason, ended_by, seq)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'accepted', 0, 0, '', '', '', $11)`,
		d.ProposalID, e.Scope.ProcessID, group, space, title, from+","+to, terms, micros(det.Truce.Starts), micros(det.Truce.End()), micros(e.At), e.Seq)
	if err != nil {
		return fmt.Errorf("store: open truce %s: %w", d.ProposalID, err)
	}
	return nil
}

const truceSelect = `SELECT t.id, t.process_id, t.group_id, t.space_id, t.title, t.parties, t.terms, t.accepted_at, t.status,
	t.active_at, t.ended_at, t.end_cause, t.end_reason, t.ended_by,
	(SELECT COUNT(*) FROM violations v WHERE v.truce_id = t.id) FROM truces t`

func scanTruce(r scanner) (parley.Truce, error) {
	var t parley.Truce
	var parties, terms, status string
	var accepted, active, ended int64
	err := r.Scan(&t.ID, &t.ProcessID, &t.GroupID, &t.SpaceID, &t.Title, &parties, &terms, &accepted, &status,
		&active, &ended, &t.EndCause, &t.EndReason, &t.EndedBy, &t.Violations)
	if err != nil {
		return t, err
	}
	t.Parties = strings.Split(parties, ",")
	t.Status = parley.TruceStatus(status)
	t.AcceptedAt, t.ActiveAt, t.EndedAt = fromMicros(accepted), fromMicros(active), fromMicros(ended)
	if err := json.Unmarshal([]byte(terms), &t.Terms); err != nil {
		return t, fmt.Errorf("store: truce terms: %w", err)
	}
	return t, nil
}

func readTruce(ctx context.Context, q queryer, where string, args ...any) (parley.Truce, error) {
	t, err := scanTruce(q.QueryRowContext(ctx, truceSelect+` `+where, args...))
	if err := one(err, "truce"); err != nil {
		return t, err
	}
	return t, truceDetails(ctx, q, &t)
}

func truceDetails(ctx context.Context, q queryer, t *parley.Truce) error {
	rows, err := q.QueryContext(ctx, `SELECT party_id, at, seq FROM truce_notices WHERE truce_id = $1 ORDER BY seq`, t.ID)
	if err != nil {
		return fmt.Errorf("store: truce notices: %w", err)
	}
	if t.Notices, err = collect(rows, func(r scanner) (parley.TruceNotice, error) {
		var n parley.TruceNotice
		var at int64
		err := r.Scan(&n.PartyID, &at, &n.Seq)
		n.At = fromMicros(at)
		return n, err
	}); err != nil {
		return err
	}
	rows, err = q.QueryContext(ctx, `SELECT segment, COUNT(*) FROM violations WHERE truce_id = $1 GROUP BY segment ORDER BY segment`, t.ID)
	if err != nil {
		return fmt.Errorf("store: violations by segment: %w", err)
	}
	defer rows.Close()
	t.Counts = map[string]int{}
	for rows.Next() {
		var seg string
		var n int
		if err := rows.Scan(&seg, &n); err != nil {
			return err
		}
		t.Counts[seg] = n
	}
	return rows.Err()
}

// TruceRules returns the truce rules of process, the defaults filled in.
func truceRules(ctx context.Context, q queryer, process string) (parley.TruceRules, error) {
	var region string
	var r parley.TruceRules
	err := q.QueryRowContext(ctx, `SELECT region, max_hours FROM truce_rules WHERE process_id = $1`, process).Scan(&region, &r.MaxHours)
	if errors.Is(err, sql.ErrNoRows) {
		return parley.DefaultTruceRules, nil
	}
	if err != nil {
		return r, fmt.Errorf("store: truce rules: %w", err)
	}
	if err := json.Unmarshal([]byte(region), &r.Region); err != nil {
		return r, fmt.Errorf("store: truce region: %w", err)
	}
	return r.OrDefault(), nil
}

// TruceRules returns the truce rules of process, the defaults filled in.
func (tx *Tx) TruceRules(process string) (parley.TruceRules, error) {
	return truceRules(tx.ctx, tx.tx, process)
}

// TruceRules returns the truce rules of process for one who may see it.
func (db *DB) TruceRules(ctx context.Context, a parley.Actor, process string) (parley.TruceRules, error) {
	if _, err := db.Process(ctx, a, process); err != nil {
		return parley.TruceRules{}, err
	}
	return truceRules(ctx, db.sql, process)
}

// TruceSetting loads truce id with its space and its process's rules.
func (tx *Tx) TruceSetting(id string) (parley.TruceSetting, error) {
	var set parley.TruceSetting
	var err error
	if set.Truce, err = readTruce(tx.ctx, tx.tx, `WHERE t.id = $1`, id); err != nil {
		return set, err
	}
	if set.Space, err = tx.Space(set.Truce.SpaceID); err != nil {
		return set, err
	}
	set.Rules, err = tx.TruceRules(set.Truce.ProcessID)
	return set, err
}

const violationSelect = `SELECT v.id, v.truce_id, v.space_id, v.party_id, v.at, v.lon, v.lat, v.segment, v.description,
	v.reported_at, v.status, v.seq FROM violations v`

func scanViolation(r scanner) (parley.Violation, error) {
	var v parley.Violation
	var at, reported int64
	err := r.Scan(&v.ID, &v.TruceID, &v.SpaceID, &v.PartyID, &at, &v.Where[0], &v.Where[1], &v.Segment, &v.Description, &reported, &v.Status, &v.Seq)
	v.At, v.ReportedAt = fromMicros(at), fromMicros(reported)
	return v, err
}

func violationDetails(ctx context.Context, q queryer, v *parley.Violation) error {
	rows, err := q.QueryContext(ctx, `SELECT hash, name, type, size FROM violation_attachments WHERE violation_id = $1 ORDER BY position`, v.ID)
	if err != nil {
		return fmt.Errorf("store: attachments: %w", err)
	}
	if v.Attachments, err = collect(rows, func(r scanner) (parley.Attachment, error) {
		var a parley.Attachment
		return a, r.Scan(&a.Hash, &a.Name, &a.Type, &a.Size)
	}); err != nil {
		return err
	}
	rows, err = q.QueryContext(ctx, `SELECT n.class, n.party_id, n.author_id, COALESCE(a.display_name, ''), n.kind, n.text, n.at, n.seq
		FROM violation_notes n LEFT JOIN accounts a ON a.id = n.author_id WHERE n.violation_id = $1 ORDER BY n.seq`, v.ID)
	if err != nil {
		return fmt.Errorf("store: violation notes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var class string
		var n parley.ViolationNote
		var at int64
		if err := rows.Scan(&class, &n.PartyID, &n.By, &n.Name, &n.Kind, &n.Text, &at, &n.Seq); err != nil {
			return err
		}
		n.At = fromMicros(at)
		if class == "answer" {
			v.Answers = append(v.Answers, n)
		} else {
			v.Findings = append(v.Findings, n)
		}
	}
	return rows.Err()
}

// Violation loads a violation, for a decision.
func (tx *Tx) Violation(id string) (parley.Violation, error) {
	v, err := scanViolation(tx.tx.QueryRowContext(tx.ctx, violationSelect+` WHERE v.id = $1`, id))
	if err := one(err, "violation"); err != nil {
		return v, err
	}
	return v, violationDetails(tx.ctx, tx.tx, &v)
}

// Truce returns truce id if a may read its space.
func (db *DB) Truce(ctx context.Context, a parley.Actor, id string) (parley.Truce, error) {
	q := args{id}
	return readTruce(ctx, db.sql, `JOIN spaces s ON s.id = t.space_id WHERE t.id = $1 AND `+canRead(spaceCols, a, &q), q...)
}

// Truces returns the truces of process that a may read, latest start first.
func (db *DB) Truces(ctx context.Context, a parley.Actor, process string) ([]parley.Truce, error) {
	q := args{process}
	rows, err := db.sql.QueryContext(ctx, truceSelect+` JOIN spaces s ON s.id = t.space_id WHERE t.process_id = $1 AND `+
		canRead(spaceCols, a, &q)+` ORDER BY t.starts_at DESC, t.id`, q...)
	if err != nil {
		return nil, fmt.Errorf("store: list truces: %w", err)
	}
	ts, err := collect(rows, scanTruce)
	if err != nil {
		return nil, err
	}
	for i := range ts {
		if err := truceDetails(ctx, db.sql, &ts[i]); err != nil {
			return nil, err
		}
	}
	return ts, nil
}

// Violations returns the violations reported of truce, in the order they
// happened, if a may read it.
func (db *DB) Violations(ctx context.Context, a parley.Actor, truce string) ([]parley.Violation, error) {
	q := args{truce}
	rows, err := db.sql.QueryContext(ctx, violationSelect+` JOIN spaces s ON s.id = v.space_id WHERE v.truce_id = $1 AND `+
		canRead(spaceCols, a, &q)+` ORDER BY v.at, v.id`, q...)
	if err != nil {
		return nil, fmt.Errorf("store: list violations: %w", err)
	}
	vs, err := collect(rows, scanViolation)
	if err != nil {
		return nil, err
	}
	for i := range vs {
		if err := violationDetails(ctx, db.sql, &vs[i]); err != nil {
			return nil, err
		}
	}
	return vs, nil
}

// Violation returns violation id if a may read its space.
func (db *DB) Violation(ctx context.Context, a parley.Actor, id string) (parley.Violation, error) {
	q := args{id}
	v, err := scanViolation(db.sql.QueryRowContext(ctx, violationSelect+` JOIN spaces s ON s.id = v.space_id WHERE v.id = $1 AND `+canRead(spaceCols, a, &q), q...))
	if err := one(err, "violation"); err != nil {
		return v, err
	}
	return v, violationDetails(ctx, db.sql, &v)
}

// Attachment returns the attachment with hash if a may read a violation
// that carries it, or ENOTFOUND.
func (db *DB) Attachment(ctx context.Context, a parley.Actor, hash string) (parley.Attachment, error) {
	q := args{hash}
	var x parley.Attachment
	err := db.sql.QueryRowContext(ctx, `SELECT x.hash, x.name, x.type, x.size FROM violation_attachments x
		JOIN violations v ON v.id = x.violation_id JOIN spaces s ON s.id = v.space_id
		WHERE x.hash = $1 AND `+canRead(spaceCols, a, &q)+` LIMIT 1`, q...).Scan(&x.Hash, &x.Name, &x.Type, &x.Size)
	return x, one(err, "file")
}

// DueTruces returns the truces whose time has come at now: those to begin
// (notified, their start passed, their end not) and those to end (not
// ended, their end passed).
func (db *DB) DueTruces(ctx context.Context, now time.Time) (begin, end []string, err error) {
	n := micros(now)
	rows, err := db.sql.QueryContext(ctx, `SELECT id FROM truces WHERE status = 'notified' AND starts_at <= $1 AND ends_at > $1 ORDER BY starts_at`, n)
	if err != nil {
		return nil, nil, fmt.Errorf("store: truces to begin: %w", err)
	}
	if begin, err = collect(rows, scanString); err != nil {
		return nil, nil, err
	}
	rows, err = db.sql.QueryContext(ctx, `SELECT id FROM truces WHERE status <> 'ended' AND ends_at <= $1 ORDER BY ends_at`, n)
	if err != nil {
		return nil, nil, fmt.Errorf("store: truces to end: %w", err)
	}
	end, err = collect(rows, scanString)
	return begin, end, err
}
