package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/parley-talks/parley"
)

// applyExchange updates the read tables of exchange agreements for e; ok
// says e was an exchange's event.
func applyExchange(ctx context.Context, tx queryer, e parley.Event) (ok bool, err error) {
	exec := func(q string, args ...any) error {
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("store: apply %s: %w", e.Type(), err)
		}
		return nil
	}
	switch d := e.Data.(type) {
	case *parley.ExchangeCreated:
		return true, openExchange(ctx, tx, e, d.ExchangeID, "", d.GroupID, d.Parties, d.ExchangeTerms)
	case *parley.ExchangeTermsEdited:
		if err := exec(`UPDATE exchanges SET title = $2, all_for_all = $3, total = $4, stages = $5, seq = $6 WHERE id = $1`,
			d.ExchangeID, d.Title, d.AllForAll, d.Total, d.Stages, e.Seq); err != nil {
			return true, err
		}
		if err := exec(`DELETE FROM exchange_categories WHERE exchange_id = $1`, d.ExchangeID); err != nil {
			return true, err
		}
		return true, insertCategories(ctx, tx, d.ExchangeID, d.Categories)
	case *parley.StagePlanned:
		if err := exec(`INSERT INTO exchange_stages (exchange_id, number, date, finalised, seq) VALUES ($1, $2, $3, $4, $5)`,
			d.ExchangeID, d.Number, d.Date, false, e.Seq); err != nil {
			return true, err
		}
		if err := insertStageCounts(ctx, tx, d.ExchangeID, d.Number, d.Counts); err != nil {
			return true, err
		}
		return true, exec(`UPDATE exchanges SET seq = $2 WHERE id = $1`, d.ExchangeID, e.Seq)
	case *parley.StageEdited:
		if err := exec(`UPDATE exchange_stages SET date = $3, seq = $4 WHERE exchange_id = $1 AND number = $2`,
			d.ExchangeID, d.Number, d.Date, e.Seq); err != nil {
			return true, err
		}
		if err := exec(`DELETE FROM exchange_stage_counts WHERE exchange_id = $1 AND number = $2`, d.ExchangeID, d.Number); err != nil {
			return true, err
		}
		if err := insertStageCounts(ctx, tx, d.ExchangeID, d.Number, d.Counts); err != nil {
			return true, err
		}
		return true, exec(`UPDATE exchanges SET seq = $2 WHERE id = $1`, d.ExchangeID, e.Seq)
	}
	return false, nil
}

func openExchange(ctx context.Context, tx queryer, e parley.Event, id, proposal, group string, parties []string, t parley.ExchangeTerms) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO exchanges (id, process_id, group_id, space_id, proposal_id, title, parties, all_for_all, total, stages, created_at, seq)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		id, e.Scope.ProcessID, group, e.Scope.Space.ID, proposal, t.Title, strings.Join(parties, ","), t.AllForAll, t.Total, t.Stages, micros(e.At), e.Seq)
	if err != nil {
		return fmt.Errorf("store: open exchange %s: %w", id, err)
	}
	return insertCategories(ctx, tx, id, t.Categories)
}

func insertCategories(ctx context.Context, tx queryer, id string, cs []parley.ExchangeCategoryTerms) error {
	for i, c := range cs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO exchange_categories (exchange_id, code, position, name, count) VALUES ($1, $2, $3, $4, $5)`,
			id, c.Code, i, c.Name, c.Count); err != nil {
			return fmt.Errorf("store: exchange category: %w", err)
		}
	}
	return nil
}

func insertStageCounts(ctx context.Context, tx queryer, id string, number int, cs []parley.StageCount) error {
	for _, c := range cs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO exchange_stage_counts (exchange_id, number, category, count) VALUES ($1, $2, $3, $4)`,
			id, number, c.Category, c.Count); err != nil {
			return fmt.Errorf("store: stage count: %w", err)
		}
	}
	return nil
}

// exchangeBorn opens the exchange agreement of an accepted exchange
// proposal, with the terms parley.ExchangeFromProposal makes of it.
func exchangeBorn(ctx context.Context, tx queryer, e parley.Event, d *parley.ProposalAccepted) error {
	var kind, title, details, group, from, to string
	err := tx.QueryRowContext(ctx, `SELECT kind, title, details, group_id, from_party, to_party FROM proposals WHERE id = $1`, d.ProposalID).
		Scan(&kind, &title, &details, &group, &from, &to)
	if err != nil {
		return fmt.Errorf("store: exchange of %s: %w", d.ProposalID, err)
	}
	if kind != string(parley.ProposalExchange) {
		return nil
	}
	var det parley.Details
	if err := json.Unmarshal([]byte(details), &det); err != nil || det.Exchange == nil {
		return fmt.Errorf("store: exchange terms of %s: %v", d.ProposalID, err)
	}
	return openExchange(ctx, tx, e, d.ProposalID, d.ProposalID, group, []string{from, to}, parley.ExchangeFromProposal(title, *det.Exchange))
}

const exchangeSelect = `SELECT x.id, x.process_id, x.group_id, x.space_id, x.proposal_id, x.title, x.parties, x.all_for_all, x.total, x.stages,
	x.created_at, x.seq FROM exchanges x`

func scanExchange(r scanner) (parley.Exchange, error) {
	var x parley.Exchange
	var parties string
	var created int64
	err := r.Scan(&x.ID, &x.ProcessID, &x.GroupID, &x.SpaceID, &x.ProposalID, &x.Terms.Title, &parties, &x.Terms.AllForAll,
		&x.Terms.Total, &x.Terms.Stages, &created, &x.Seq)
	x.Parties, x.CreatedAt = strings.Split(parties, ","), fromMicros(created)
	return x, err
}

// exchangeDetails reads an exchange's categories and stages.
func exchangeDetails(ctx context.Context, q queryer, x *parley.Exchange) error {
	rows, err := q.QueryContext(ctx, `SELECT code, name, count FROM exchange_categories WHERE exchange_id = $1 ORDER BY position`, x.ID)
	if err != nil {
		return fmt.Errorf("store: exchange categories: %w", err)
	}
	if x.Terms.Categories, err = collect(rows, func(r scanner) (parley.ExchangeCategoryTerms, error) {
		var c parley.ExchangeCategoryTerms
		return c, r.Scan(&c.Code, &c.Name, &c.Count)
	}); err != nil {
		return err
	}
	rows, err = q.QueryContext(ctx, `SELECT number, date, finalised, seq FROM exchange_stages WHERE exchange_id = $1 ORDER BY number`, x.ID)
	if err != nil {
		return fmt.Errorf("store: exchange stages: %w", err)
	}
	if x.Stages, err = collect(rows, func(r scanner) (parley.ExchangeStage, error) {
		s := parley.ExchangeStage{Counts: []parley.StageCount{}}
		return s, r.Scan(&s.Number, &s.Date, &s.Finalised, &s.Seq)
	}); err != nil {
		return err
	}
	rows, err = q.QueryContext(ctx, `SELECT n.number, n.category, n.count FROM exchange_stage_counts n
		JOIN exchange_categories c ON c.exchange_id = n.exchange_id AND c.code = n.category
		WHERE n.exchange_id = $1 ORDER BY n.number, c.position`, x.ID)
	if err != nil {
		return fmt.Errorf("store: stage counts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var n int
		var c parley.StageCount
		if err := rows.Scan(&n, &c.Category, &c.Count); err != nil {
			return err
		}
		for i := range x.Stages {
			if x.Stages[i].Number == n {
				x.Stages[i].Counts = append(x.Stages[i].Counts, c)
			}
		}
	}
	if x.Stages == nil {
		x.Stages = []parley.ExchangeStage{}
	}
	return rows.Err()
}

func readExchange(ctx context.Context, q queryer, where string, args ...any) (parley.Exchange, error) {
	x, err := scanExchange(q.QueryRowContext(ctx, exchangeSelect+` `+where, args...))
	if err := one(err, "exchange"); err != nil {
		return x, err
	}
	return x, exchangeDetails(ctx, q, &x)
}

// ExchangeSetting loads exchange id with its space and the process's
// negotiating parties, for a decision.
func (tx *Tx) ExchangeSetting(id string) (parley.ExchangeSetting, error) {
	var set parley.ExchangeSetting
	var err error
	if set.Exchange, err = readExchange(tx.ctx, tx.tx, `WHERE x.id = $1`, id); err != nil {
		return set, err
	}
	if set.Space, err = tx.Space(set.Exchange.SpaceID); err != nil {
		return set, err
	}
	set.Parties, err = tx.NegotiatingParties(set.Exchange.ProcessID)
	return set, err
}

// NegotiatingParties returns the negotiating parties of process, in the
// order they were added.
func (tx *Tx) NegotiatingParties(process string) ([]string, error) {
	rows, err := tx.tx.QueryContext(tx.ctx, `SELECT id FROM parties WHERE process_id = $1 AND kind = 'party' ORDER BY position`, process)
	if err != nil {
		return nil, fmt.Errorf("store: parties: %w", err)
	}
	return collect(rows, scanString)
}

// Exchange returns exchange id if a may read its space.
func (db *DB) Exchange(ctx context.Context, a parley.Actor, id string) (parley.Exchange, error) {
	q := args{id}
	return readExchange(ctx, db.sql, `JOIN spaces s ON s.id = x.space_id WHERE x.id = $1 AND `+canRead(spaceCols, a, &q), q...)
}

// Exchanges returns the exchange agreements of working group group that a
// may read, oldest first.
func (db *DB) Exchanges(ctx context.Context, a parley.Actor, group string) ([]parley.Exchange, error) {
	q := args{group}
	rows, err := db.sql.QueryContext(ctx, exchangeSelect+` JOIN spaces s ON s.id = x.space_id WHERE x.group_id = $1 AND `+
		canRead(spaceCols, a, &q)+` ORDER BY x.created_at, x.id`, q...)
	if err != nil {
		return nil, fmt.Errorf("store: list exchanges: %w", err)
	}
	xs, err := collect(rows, scanExchange)
	if err != nil {
		return nil, err
	}
	for i := range xs {
		if err := exchangeDetails(ctx, db.sql, &xs[i]); err != nil {
			return nil, err
		}
	}
	if xs == nil {
		xs = []parley.Exchange{}
	}
	return xs, nil
}
