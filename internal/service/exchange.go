package service

import (
	"github.com/parley-talks/parley"
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
	case parley.LogAccess:
		set, err := tx.ExchangeSetting(c.ExchangeID)
		if err != nil {
			return nil, err
		}
		return parley.DecideLogAccess(a, set, c, env)
	}
	return decideStatement(tx, a, cmd, env)
}
