package service

import (
	"context"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/store"
)

// decideStatement decides the commands about public statements.
func decideStatement(tx *store.Tx, a parley.Actor, cmd parley.Command, env parley.Env) ([]parley.Event, error) {
	switch c := cmd.(type) {
	case parley.SetStatementRules:
		if _, err := tx.Process(c.ProcessID); err != nil {
			return nil, err
		}
		return parley.DecideSetStatementRules(a, c, env)
	case parley.DraftStatement:
		s, err := visibleSpace(tx, a, c.SpaceID)
		if err != nil {
			return nil, err
		}
		return parley.DecideDraftStatement(a, s, c, env)
	case parley.EditStatement:
		set, err := tx.StatementSetting(c.StatementID)
		if err != nil {
			return nil, err
		}
		return parley.DecideEditStatement(a, set, c, env)
	case parley.ApproveStatement:
		set, err := tx.StatementSetting(c.StatementID)
		if err != nil {
			return nil, err
		}
		return parley.DecideApproveStatement(a, set, c, env)
	case parley.PublishStatement:
		set, err := tx.StatementSetting(c.StatementID)
		if err != nil {
			return nil, err
		}
		public, err := tx.PublicSpace(set.Statement.ProcessID)
		if err != nil {
			return nil, err
		}
		return parley.DecidePublishStatement(a, set, public, env)
	}
	return decideRemains(tx, a, cmd, env)
}

// PublishDue publishes every approved statement whose embargo has passed,
// by the service's clock: never before, and within the deadlines loop's
// interval after.
func (s *Service) PublishDue(ctx context.Context) (int, error) {
	due, err := s.db.DueStatements(ctx, s.now())
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range due {
		_, err := s.Do(ctx, parley.SystemActor, parley.PublishStatement{StatementID: id})
		switch parley.ErrorCode(err) {
		case "":
			n++
		case parley.ECONFLICT:
		default:
			return n, err
		}
	}
	return n, nil
}
