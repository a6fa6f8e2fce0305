package service

import (
	"context"
	"fmt"
	"math"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/reconcile"
	"github.com/parley-talks/parley/internal/store"
)

// decideExchange decides the commands about exchange agreements.
func decideExchange(tx *store.Tx, a parley.Actor, cmd parley.Command, env parley.Env) ([]parley.Event, error) {
	switch c := cmd.(type) {
	case parley.CreateExchange:
		g, err := tx.Group(c.GroupID)
		if err != nil {
			return nil, err
		}
		sp, err := tx.Space(g.SpaceID)
		if err != nil {
			return nil, err
		}
		parties, err := tx.NegotiatingParties(g.ProcessID)
		if err != nil {
			return nil, err
		}
		return parley.DecideCreateExchange(a, sp, parties, c, env)
	case parley.EditExchangeTerms:
		set, err := tx.ExchangeSetting(c.ExchangeID)
		if err != nil {
			return nil, err
		}
		return parley.DecideEditExchangeTerms(a, set, c, env)
	case parley.PlanStage:
		set, err := tx.ExchangeSetting(c.ExchangeID)
		if err != nil {
			return nil, err
		}
		return parley.DecidePlanStage(a, set, c, env)
	case parley.EditStage:
		set, err := tx.ExchangeSetting(c.ExchangeID)
		if err != nil {
			return nil, err
		}
		return parley.DecideEditStage(a, set, c, env)
	case parley.ImportPersons:
		set, err := tx.ListSetting(a, c.ExchangeID, c.List)
		if err != nil {
			return nil, err
		}
		return parley.DecideImportPersons(a, set, c, env)
	case parley.Reconcile:
		set, err := tx.ReconcileSetting(c.ExchangeID, c.AskingParty)
		if err != nil {
			return nil, err
		}
		return parley.DecideReconcile(a, set, c, env)
	case parley.AnswerPair:
		set, err := tx.PairSetting(c.PairID)
		if err != nil {
			return nil, err
		}
		return parley.DecideAnswerPair(a, set, c, env)
	case parley.RecordStep:
		set, err := tx.StepSetting(c.PairID)
		if err != nil {
			return nil, err
		}
		return parley.DecideStep(a, set, c, env)
	case parley.AgreeStageException:
		set, err := tx.StageSetting(c.ExchangeID, c.Number)
		if err != nil {
			return nil, err
		}
		return parley.DecideAgreeException(a, set, c, env)
	case parley.FinaliseStage:
		set, err := tx.StageSetting(c.ExchangeID, c.Number)
		if err != nil {
			return nil, err
		}
		return parley.DecideFinaliseStage(a, set, c, env)
	case parley.LogAccess:
		set, err := tx.ExchangeSetting(c.ExchangeID)
		if err != nil {
			return nil, err
		}
		return parley.DecideLogAccess(a, set, c, env)
	}
	return decideStatement(tx, a, cmd, env)
}

// Reconcile runs the reconciliation engine over asking's asked list and
// the other side's held list of exchange id, and records the run. The
// engine runs here, outside the writer; the command carries the versions
// of the lists it read, and if either changed meanwhile the run is made
// again. People in pairs a side has answered are left out: the answer
// stands.
func (s *Service) Reconcile(ctx context.Context, a parley.Actor, id, asking string) ([]parley.Event, error) {
	var err error
	for range 3 {
		var evs []parley.Event
		evs, err = s.reconcileOnce(ctx, a, id, asking)
		if parley.ErrorCode(err) != parley.ECONFLICT {
			return evs, err
		}
	}
	return nil, err
}

func (s *Service) reconcileOnce(ctx context.Context, a parley.Actor, id, asking string) ([]parley.Event, error) {
	x, err := s.db.Exchange(ctx, a, id)
	if err != nil {
		return nil, err
	}
	sp, err := s.db.Space(ctx, a, x.SpaceID)
	if err != nil {
		return nil, err
	}
	if err := parley.MayReconcile(a, x, sp); err != nil {
		return nil, err
	}
	holding := parley.OtherSide(x, asking)
	if holding == "" {
		var v parley.Invalid
		v.Add("asking_party", "must be a side of the exchange")
		return nil, v.Err()
	}
	askedV, err := s.db.ListVersion(ctx, id, asking, parley.ListAsked)
	if err != nil {
		return nil, err
	}
	heldV, err := s.db.ListVersion(ctx, id, holding, parley.ListHeld)
	if err != nil {
		return nil, err
	}
	asked, err := s.db.ListPersons(ctx, a, id, asking, parley.ListAsked)
	if err != nil {
		return nil, err
	}
	held, err := s.db.ListPersons(ctx, a, id, holding, parley.ListHeld)
	if err != nil {
		return nil, err
	}
	pairs, _, err := s.db.Pairs(ctx, a, id, asking)
	if err != nil {
		return nil, err
	}
	settled := map[string]bool{}
	for _, p := range pairs {
		if len(p.Answers) > 0 {
			settled[p.AskedID], settled[p.HeldID] = true, true
		}
	}
	left, right := enginePeople(asked, settled), enginePeople(held, settled)
	res, err := reconcile.NewMatcher(left, right, reconcile.Options{}).Run(ctx)
	if err != nil {
		return nil, err
	}
	cmd := parley.Reconcile{ExchangeID: id, AskingParty: asking, AskedVersion: askedV, HeldVersion: heldV}
	candidate := map[string]bool{}
	add := func(p reconcile.Pair, kind parley.PairKind) {
		reasons := make([]string, len(p.Reasons))
		for i, r := range p.Reasons {
			reasons[i] = fmt.Sprintf("%s: %s %+.1f", r.Field, r.Outcome, r.Weight)
		}
		cmd.Pairs = append(cmd.Pairs, parley.ListPair{AskedID: left[p.Left].ID, HeldID: right[p.Right].ID, Kind: kind,
			Score: math.Round(p.Score*10) / 10, Reasons: reasons})
		candidate[left[p.Left].ID] = true
	}
	for _, p := range res.Matches {
		add(p, parley.PairMatch)
	}
	for _, p := range res.Possible {
		add(p, parley.PairPossible)
	}
	for _, p := range left {
		if !candidate[p.ID] {
			cmd.Unknown = append(cmd.Unknown, p.ID)
		}
	}
	return s.Do(ctx, a, cmd)
}

// enginePeople gives the engine the people of a list not settled already.
func enginePeople(ps []parley.ListedPerson, settled map[string]bool) []reconcile.Person {
	out := make([]reconcile.Person, 0, len(ps))
	for _, p := range ps {
		if settled[p.ID] {
			continue
		}
		d := reconcile.Date{Year: p.BirthDate.Year}
		if p.BirthDate.Day != 0 {
			d.Month, d.Day = p.BirthDate.Month, p.BirthDate.Day
		}
		out = append(out, reconcile.Person{ID: p.ID, FamilyName: p.FamilyName, GivenName: p.GivenName, Patronymic: p.Patronymic, BirthDate: d})
	}
	return out
}
