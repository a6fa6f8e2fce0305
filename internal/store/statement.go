package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/parley-talks/parley"
)

// applyStatement updates the read tables of statements for e; ok says e
// was a statement's event.
func applyStatement(ctx context.Context, tx queryer, e parley.Event) (ok bool, err error) {
	exec := func(q string, args ...any) error {
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("store: apply %s: %w", e.Type(), err)
		}
		return nil
	}
	at := micros(e.At)
	switch d := e.Data.(type) {
	case *parley.StatementDrafted:
		return true, exec(`INSERT INTO statements (id, process_id, space_id, kind, party_id, title, texts, figures, embargo, needs_mediator,
			version, hash, status, published_at, published_seq, created_at, seq)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, $11, 'draft', 0, 0, $12, $13)`,
			d.StatementID, e.Scope.ProcessID, d.SpaceID, string(d.Kind), d.PartyID, mustJSON(d.Title), mustJSON(d.Texts), mustJSON(d.Figures),
			micros(d.Embargo), d.NeedsMediator, d.Hash, at, e.Seq)
	case *parley.StatementEdited:
		if err := exec(`DELETE FROM statement_approvals WHERE statement_id = $1`, d.StatementID); err != nil {
			return true, err
		}
		return true, exec(`UPDATE statements SET title = $2, texts = $3, figures = $4, embargo = $5, needs_mediator = $6, version = $7, hash = $8,
			status = 'draft', seq = $9 WHERE id = $1`,
			d.StatementID, mustJSON(d.Title), mustJSON(d.Texts), mustJSON(d.Figures), micros(d.Embargo), d.NeedsMediator, d.Version, d.Hash, e.Seq)
	case *parley.StatementApproved:
		if err := exec(`INSERT INTO statement_approvals (statement_id, party_id, hash, actor, at, seq) VALUES ($1, $2, $3, $4, $5, $6)`,
			d.StatementID, d.PartyID, d.Hash, e.Actor, at, e.Seq); err != nil {
			return true, err
		}
		status := "draft"
		if d.Complete {
			status = "approved"
		}
		return true, exec(`UPDATE statements SET status = $2, seq = $3 WHERE id = $1`, d.StatementID, status, e.Seq)
	case *parley.StatementRulesSet:
		return true, exec(`INSERT INTO statement_rules (process_id, needs_mediator) VALUES ($1, $2)
			ON CONFLICT (process_id) DO UPDATE SET needs_mediator = excluded.needs_mediator`, d.ProcessID, d.NeedsMediator)
	case *parley.StatementPublished:
		return true, exec(`UPDATE statements SET status = 'published', published_at = $2, published_seq = $3, seq = $3 WHERE id = $1`,
			d.StatementID, at, e.Seq)
	}
	return false, nil
}

const statementSelect = `SELECT st.id, st.process_id, st.space_id, st.kind, st.party_id, st.title, st.texts, st.figures, st.embargo,
	st.needs_mediator, st.version, st.hash, st.status, st.published_at, st.published_seq, st.created_at FROM statements st`

func scanStatement(r scanner) (parley.Statement, error) {
	var s parley.Statement
	var kind, title, texts, figures string
	var embargo, published, created int64
	err := r.Scan(&s.ID, &s.ProcessID, &s.SpaceID, &kind, &s.PartyID, &title, &texts, &figures, &embargo,
		&s.NeedsMediator, &s.Version, &s.Hash, &s.Status, &published, &s.PublishedSeq, &created)
	if err != nil {
		return s, err
	}
	s.Kind = parley.StatementKind(kind)
	s.Embargo, s.PublishedAt, s.CreatedAt = fromMicros(embargo), fromMicros(published), fromMicros(created)
	for _, x := range []struct {
		raw string
		to  any
	}{{title, &s.Title}, {texts, &s.Texts}, {figures, &s.Figures}} {
		if err := json.Unmarshal([]byte(x.raw), x.to); err != nil {
			return s, fmt.Errorf("store: statement %s: %w", s.ID, err)
		}
	}
	return s, nil
}

func statementApprovals(ctx context.Context, q queryer, s *parley.Statement) error {
	rows, err := q.QueryContext(ctx, `SELECT party_id, hash, actor, at, seq FROM statement_approvals WHERE statement_id = $1 ORDER BY seq`, s.ID)
	if err != nil {
		return fmt.Errorf("store: statement approvals: %w", err)
	}
	s.Approvals, err = collect(rows, func(r scanner) (parley.StatementApproval, error) {
		var x parley.StatementApproval
		var at int64
		err := r.Scan(&x.PartyID, &x.Hash, &x.Actor, &at, &x.Seq)
		x.At = fromMicros(at)
		return x, err
	})
	return err
}

// StatementSetting loads statement id with its space, the process's
// negotiating parties and its mediator's party.
func (tx *Tx) StatementSetting(id string) (parley.StatementSetting, error) {
	var set parley.StatementSetting
	s, err := scanStatement(tx.tx.QueryRowContext(tx.ctx, statementSelect+` WHERE st.id = $1`, id))
	if err := one(err, "statement"); err != nil {
		return set, err
	}
	if err := statementApprovals(tx.ctx, tx.tx, &s); err != nil {
		return set, err
	}
	set.Statement = s
	if set.Space, err = tx.Space(s.SpaceID); err != nil {
		return set, err
	}
	if set.NeedsMediator, err = statementRules(tx.ctx, tx.tx, s.ProcessID); err != nil {
		return set, err
	}
	rows, err := tx.tx.QueryContext(tx.ctx, `SELECT id, kind FROM parties WHERE process_id = $1 ORDER BY position`, s.ProcessID)
	if err != nil {
		return set, fmt.Errorf("store: parties: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, kind string
		if err := rows.Scan(&id, &kind); err != nil {
			return set, err
		}
		switch parley.PartyKind(kind) {
		case parley.PartyNegotiating:
			set.Parties = append(set.Parties, id)
		case parley.PartyMediator:
			if set.Mediator == "" {
				set.Mediator = id
			}
		}
	}
	return set, rows.Err()
}

// PublicSpace returns the public space of process.
func (tx *Tx) PublicSpace(process string) (parley.Space, error) {
	s, err := scanSpace(tx.tx.QueryRowContext(tx.ctx, spaceSelect+` WHERE s.process_id = $1 AND s.kind = 'public'`, process))
	return s, one(err, "space")
}

// Statement returns statement id if a may read the space it was drafted
// in.
func (db *DB) Statement(ctx context.Context, a parley.Actor, id string) (parley.Statement, error) {
	q := args{id}
	s, err := scanStatement(db.sql.QueryRowContext(ctx, statementSelect+` JOIN spaces s ON s.id = st.space_id WHERE st.id = $1 AND `+canRead(spaceCols, a, &q), q...))
	if err := one(err, "statement"); err != nil {
		return s, err
	}
	return s, statementApprovals(ctx, db.sql, &s)
}

// Statements returns the statements of process drafted where a may read,
// newest first.
func (db *DB) Statements(ctx context.Context, a parley.Actor, process string) ([]parley.Statement, error) {
	q := args{process}
	rows, err := db.sql.QueryContext(ctx, statementSelect+` JOIN spaces s ON s.id = st.space_id WHERE st.process_id = $1 AND `+
		canRead(spaceCols, a, &q)+` ORDER BY st.created_at DESC, st.id`, q...)
	if err != nil {
		return nil, fmt.Errorf("store: list statements: %w", err)
	}
	ss, err := collect(rows, scanStatement)
	if err != nil {
		return nil, err
	}
	for i := range ss {
		if err := statementApprovals(ctx, db.sql, &ss[i]); err != nil {
			return nil, err
		}
	}
	return ss, nil
}

// PublishedStatements returns what process published, newest first: the
// only statements anyone may read without signing in. Approvals and the
// space they were drafted in are not given.
func (db *DB) PublishedStatements(ctx context.Context, process string) ([]parley.Statement, error) {
	rows, err := db.sql.QueryContext(ctx, statementSelect+` WHERE st.process_id = $1 AND st.status = 'published' ORDER BY st.published_seq DESC`, process)
	if err != nil {
		return nil, fmt.Errorf("store: published statements: %w", err)
	}
	ss, err := collect(rows, scanStatement)
	for i := range ss {
		ss[i].SpaceID, ss[i].Version, ss[i].NeedsMediator = "", 0, false
	}
	return ss, err
}

// DueStatements returns the approved statements whose embargo has passed
// at now, to be published.
func (db *DB) DueStatements(ctx context.Context, now time.Time) ([]string, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT id FROM statements WHERE status = 'approved' AND embargo <= $1 ORDER BY embargo, id`, micros(now))
	if err != nil {
		return nil, fmt.Errorf("store: due statements: %w", err)
	}
	return collect(rows, scanString)
}

// statementRules reports whether process wants the mediator's approval of
// joint statements; a process that set no rule does not.
func statementRules(ctx context.Context, q queryer, process string) (bool, error) {
	var needs bool
	err := q.QueryRowContext(ctx, `SELECT needs_mediator FROM statement_rules WHERE process_id = $1`, process).Scan(&needs)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: statement rules: %w", err)
	}
	return needs, nil
}

// StatementRules reports, to one who may see process, whether it wants the
// mediator's approval of joint statements.
func (db *DB) StatementRules(ctx context.Context, a parley.Actor, process string) (bool, error) {
	if _, err := db.Process(ctx, a, process); err != nil {
		return false, err
	}
	return statementRules(ctx, db.sql, process)
}
