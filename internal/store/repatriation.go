package store

import (
	"context"
	"fmt"

	"github.com/parley-talks/parley"
)

// applyRepatriation applies the events of the persons' life cycle and of
// stages' finalisation, reporting whether e was one.
func applyRepatriation(ctx context.Context, tx queryer, e parley.Event) (bool, error) {
	exec := func(q string, args ...any) error {
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("store: apply %s: %w", e.Type(), err)
		}
		return nil
	}
	// step makes sure the pair has its row, then sets what the event says.
	step := func(exchange, pair, set string, args ...any) (bool, error) {
		if err := exec(`INSERT INTO repatriations (pair_id, exchange_id, interviewed, wishes, fit_recorded, fit, stage, handed_over, no_active, received, held_back, held_seq, seq)
			VALUES ($1, $2, FALSE, FALSE, FALSE, FALSE, 0, FALSE, FALSE, FALSE, FALSE, 0, $3) ON CONFLICT (pair_id) DO NOTHING`, pair, exchange, e.Seq); err != nil {
			return true, err
		}
		return true, exec(`UPDATE repatriations SET `+set+`, seq = $1 WHERE pair_id = $2`, append([]any{e.Seq, pair}, args...)...)
	}
	switch d := e.Data.(type) {
	case *parley.InterviewRecorded:
		return step(d.ExchangeID, d.PairID, `interviewed = TRUE, wishes = $3`, d.Wishes)
	case *parley.FitnessRecorded:
		return step(d.ExchangeID, d.PairID, `fit_recorded = TRUE, fit = $3`, d.Fit)
	case *parley.AssignedToStage:
		return step(d.ExchangeID, d.PairID, `stage = $3`, d.Stage)
	case *parley.PersonHeldBack:
		return step(d.ExchangeID, d.PairID, `held_back = TRUE, held_seq = $3, stage = 0`, e.Seq)
	case *parley.PersonHandedOver:
		return step(d.ExchangeID, d.PairID, `handed_over = TRUE, no_active = $3`, d.NoActiveService)
	case *parley.PersonReceived:
		return step(d.ExchangeID, d.PairID, `received = TRUE`)
	case *parley.StageExceptionAgreed:
		return true, exec(`INSERT INTO stage_exceptions (exchange_id, number, party_id, seq) VALUES ($1, $2, $3, $4)`, d.ExchangeID, d.Number, d.PartyID, e.Seq)
	case *parley.StageFinalised:
		return true, exec(`UPDATE exchange_stages SET finalised = TRUE, seq = $1 WHERE exchange_id = $2 AND number = $3`, e.Seq, d.ExchangeID, d.Number)
	}
	return false, nil
}

// repatriationSelect reads cases with the category of the person asked
// back (or, without one, as the holding side listed them).
const repatriationSelect = `SELECT r.pair_id, r.exchange_id, p.asking_party, p.holding_party,
	COALESCE(NULLIF(a.category, ''), h.category, ''), r.interviewed, r.wishes, r.fit, r.fit_recorded, r.stage,
	r.handed_over, r.no_active, r.received, r.held_back, r.held_seq, r.seq
	FROM repatriations r JOIN exchange_pairs p ON p.id = r.pair_id
	LEFT JOIN exchange_persons a ON a.id = p.asked_id LEFT JOIN exchange_persons h ON h.id = p.held_id `

func scanRepatriation(r scanner) (parley.Repatriation, error) {
	var x parley.Repatriation
	var held int64
	err := r.Scan(&x.PairID, &x.ExchangeID, &x.Receiving, &x.Holding, &x.Category, &x.Interviewed, &x.Wishes, &x.Fit, &x.FitRecorded,
		&x.Stage, &x.HandedOver, &x.NoActive, &x.Received, &x.HeldBack, &held, &x.Seq)
	return x, err
}

// StepSetting returns what deciding a step on pair id needs.
func (tx *Tx) StepSetting(id string) (parley.StepSetting, error) {
	var set parley.StepSetting
	ps, err := tx.PairSetting(id)
	if err != nil {
		return set, err
	}
	set.Exchange, set.Pair = ps.Exchange, ps.Pair
	rows, err := tx.tx.QueryContext(tx.ctx, repatriationSelect+`WHERE r.pair_id = $1`, id)
	if err != nil {
		return set, fmt.Errorf("store: repatriation: %w", err)
	}
	cs, err := collect(rows, scanRepatriation)
	if err != nil {
		return set, err
	}
	if len(cs) > 0 {
		set.Case = cs[0]
	}
	return set, nil
}

// StageSetting returns what finalising stage number of exchange id needs.
func (tx *Tx) StageSetting(id string, number int) (parley.StageSetting, error) {
	var set parley.StageSetting
	var err error
	if set.Exchange, err = tx.ExchangeSetting(id); err != nil {
		return set, err
	}
	rows, err := tx.tx.QueryContext(tx.ctx, repatriationSelect+`WHERE r.exchange_id = $1 AND r.stage = $2 AND r.held_back = FALSE`, id, number)
	if err != nil {
		return set, fmt.Errorf("store: stage: %w", err)
	}
	if set.Cases, err = collect(rows, scanRepatriation); err != nil {
		return set, err
	}
	rows, err = tx.tx.QueryContext(tx.ctx, `SELECT party_id FROM stage_exceptions WHERE exchange_id = $1 AND number = $2 ORDER BY party_id`, id, number)
	if err != nil {
		return set, fmt.Errorf("store: stage exceptions: %w", err)
	}
	set.Exceptions, err = collect(rows, scanString)
	return set, err
}

// Repatriations returns the life cycle of every confirmed pair of
// exchange id that has begun one, by pair, if a may read the exchange;
// the reasons for holding people back are read from the sealed entries.
func (db *DB) Repatriations(ctx context.Context, a parley.Actor, id string) (map[string]parley.Repatriation, error) {
	if _, err := db.Exchange(ctx, a, id); err != nil {
		return nil, err
	}
	rows, err := db.sql.QueryContext(ctx, repatriationSelect+`WHERE r.exchange_id = $1`, id)
	if err != nil {
		return nil, fmt.Errorf("store: repatriations: %w", err)
	}
	type row struct {
		r    parley.Repatriation
		held int64
	}
	rs, err := collect(rows, func(r scanner) (row, error) {
		var x row
		err := r.Scan(&x.r.PairID, &x.r.ExchangeID, &x.r.Receiving, &x.r.Holding, &x.r.Category, &x.r.Interviewed, &x.r.Wishes, &x.r.Fit,
			&x.r.FitRecorded, &x.r.Stage, &x.r.HandedOver, &x.r.NoActive, &x.r.Received, &x.r.HeldBack, &x.held, &x.r.Seq)
		return x, err
	})
	if err != nil {
		return nil, err
	}
	out := make(map[string]parley.Repatriation, len(rs))
	for _, x := range rs {
		if x.r.HeldBack && x.held > 0 {
			d, err := db.personalEvent(ctx, a, x.held)
			if err != nil {
				return nil, err
			}
			if h, ok := d.(*parley.PersonHeldBack); ok {
				x.r.HeldReason = h.Reason
			}
		}
		out[x.r.PairID] = x.r
	}
	return out, nil
}

// StageExceptions returns, for each stage of exchange id, the parties
// whose head agreed an exception, if a may read the exchange.
func (db *DB) StageExceptions(ctx context.Context, a parley.Actor, id string) (map[int][]string, error) {
	if _, err := db.Exchange(ctx, a, id); err != nil {
		return nil, err
	}
	rows, err := db.sql.QueryContext(ctx, `SELECT number, party_id FROM stage_exceptions WHERE exchange_id = $1 ORDER BY number, party_id`, id)
	if err != nil {
		return nil, fmt.Errorf("store: stage exceptions: %w", err)
	}
	type row struct {
		n     int
		party string
	}
	rs, err := collect(rows, func(r scanner) (row, error) {
		var x row
		return x, r.Scan(&x.n, &x.party)
	})
	out := map[int][]string{}
	for _, x := range rs {
		out[x.n] = append(out[x.n], x.party)
	}
	return out, err
}
