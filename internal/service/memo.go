package service

import (
	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/store"
)

// decideMemo decides the commands about memoranda.
func decideMemo(tx *store.Tx, a parley.Actor, cmd parley.Command, env parley.Env) ([]parley.Event, error) {
	// clause loads a clause with its memorandum's setting.
	clause := func(id string) (parley.Clause, parley.MemoSetting, error) {
		c, err := tx.Clause(id)
		if err != nil {
			return c, parley.MemoSetting{}, err
		}
		set, err := tx.MemoSetting(c.MemoID)
		return c, set, err
	}
	byAlt := func(id string) (parley.Clause, parley.MemoSetting, error) {
		c, err := tx.ClauseOfAlternative(id)
		if err != nil {
			return c, parley.MemoSetting{}, err
		}
		set, err := tx.MemoSetting(c.MemoID)
		return c, set, err
	}
	// whole loads a memorandum's setting with all its items, for decisions
	// about the text as a whole.
	whole := func(id string) (parley.MemoSetting, []parley.Clause, error) {
		set, err := tx.MemoSetting(id)
		if err != nil {
			return set, nil, err
		}
		items, err := tx.Clauses(id)
		return set, items, err
	}
	switch c := cmd.(type) {
	case parley.CreateMemo:
		s, err := tx.Space(c.SpaceID)
		if err != nil {
			return nil, err
		}
		return parley.DecideCreateMemo(a, s, c, env)
	case parley.AddClause:
		set, err := tx.MemoSetting(c.MemoID)
		if err != nil {
			return nil, err
		}
		var parent *parley.Clause
		if c.ParentID != "" {
			p, err := tx.Clause(c.ParentID)
			if err != nil {
				return nil, err
			}
			parent = &p
		}
		return parley.DecideAddClause(a, set, parent, c, env)
	case parley.ChangeClauseText:
		cl, set, err := clause(c.ClauseID)
		if err != nil {
			return nil, err
		}
		return parley.DecideChangeClauseText(a, set, cl, c, env)
	case parley.ConfirmTranslation:
		cl, set, err := clause(c.ClauseID)
		if err != nil {
			return nil, err
		}
		return parley.DecideConfirmTranslation(a, set, cl, c, env)
	case parley.SignOffLanguage:
		cl, set, err := clause(c.ClauseID)
		if err != nil {
			return nil, err
		}
		return parley.DecideSignOffLanguage(a, set, cl, c, env)
	case parley.TableAlternative:
		cl, set, err := clause(c.ClauseID)
		if err != nil {
			return nil, err
		}
		return parley.DecideTableAlternative(a, set, cl, c, env)
	case parley.TakeStance:
		cl, set, err := byAlt(c.AlternativeID)
		if err != nil {
			return nil, err
		}
		return parley.DecideTakeStance(a, set, cl, c, env)
	case parley.WithdrawAlternative:
		cl, set, err := byAlt(c.AlternativeID)
		if err != nil {
			return nil, err
		}
		return parley.DecideWithdrawAlternative(a, set, cl, c, env)
	case parley.AdoptAlternative:
		cl, set, err := byAlt(c.AlternativeID)
		if err != nil {
			return nil, err
		}
		return parley.DecideAdoptAlternative(a, set, cl, c, env)
	case parley.AgreeClause:
		cl, set, err := clause(c.ClauseID)
		if err != nil {
			return nil, err
		}
		return parley.DecideAgreeClause(a, set, cl, env)
	case parley.InitialClause:
		cl, set, err := clause(c.ClauseID)
		if err != nil {
			return nil, err
		}
		return parley.DecideInitialClause(a, set, cl, env)
	case parley.LinkClause:
		cl, set, err := clause(c.ClauseID)
		if err != nil {
			return nil, err
		}
		var space string
		if c.ProposalID != "" {
			p, err := tx.Proposal(c.ProposalID)
			if err != nil {
				return nil, err
			}
			space = p.SpaceID
		} else {
			th, err := tx.Thread(c.ThreadID)
			if err != nil {
				return nil, err
			}
			space = th.SpaceID
		}
		return parley.DecideLinkClause(a, set, cl, space, c, env)
	case parley.ShareMemo:
		set, items, err := whole(c.MemoID)
		if err != nil {
			return nil, err
		}
		to, err := tx.Space(c.SpaceID)
		if err != nil {
			return nil, err
		}
		return parley.DecideShareMemo(a, set, items, to, env)
	case parley.SetPrevailing:
		set, err := tx.MemoSetting(c.MemoID)
		if err != nil {
			return nil, err
		}
		return parley.DecideSetPrevailing(a, set, c, env)
	case parley.InitialMemo:
		set, items, err := whole(c.MemoID)
		if err != nil {
			return nil, err
		}
		return parley.DecideInitialMemo(a, set, items, env)
	case parley.NameVersion:
		set, items, err := whole(c.MemoID)
		if err != nil {
			return nil, err
		}
		return parley.DecideNameVersion(a, set, items, c, env)
	}
	return decideMeeting(tx, a, cmd, env)
}
