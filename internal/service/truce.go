package service

import (
	"context"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/store"
)

// decideTruce decides the commands about truces and their violations.
func decideTruce(tx *store.Tx, a parley.Actor, cmd parley.Command, env parley.Env) ([]parley.Event, error) {
	byViolation := func(id string) (parley.TruceSetting, parley.Violation, error) {
		v, err := tx.Violation(id)
		if err != nil {
			return parley.TruceSetting{}, v, err
		}
		set, err := tx.TruceSetting(v.TruceID)
		return set, v, err
	}
	switch c := cmd.(type) {
	case parley.SetTruceRules:
		if _, err := tx.Process(c.ProcessID); err != nil {
			return nil, err
		}
		return parley.DecideSetTruceRules(a, c, env)
	case parley.ConfirmNotified:
		set, err := tx.TruceSetting(c.TruceID)
		if err != nil {
			return nil, err
		}
		return parley.DecideConfirmNotified(a, set, env)
	case parley.ActivateTruce:
		set, err := tx.TruceSetting(c.TruceID)
		if err != nil {
			return nil, err
		}
		return parley.DecideActivateTruce(a, set, env)
	case parley.ExpireTruce:
		set, err := tx.TruceSetting(c.TruceID)
		if err != nil {
			return nil, err
		}
		return parley.DecideExpireTruce(a, set, env)
	case parley.EndTruce:
		set, err := tx.TruceSetting(c.TruceID)
		if err != nil {
			return nil, err
		}
		return parley.DecideEndTruce(a, set, c, env)
	case parley.ReportViolation:
		set, err := tx.TruceSetting(c.TruceID)
		if err != nil {
			return nil, err
		}
		return parley.DecideReportViolation(a, set, c, env)
	case parley.AnswerViolation:
		set, v, err := byViolation(c.ViolationID)
		if err != nil {
			return nil, err
		}
		return parley.DecideAnswerViolation(a, set, v, c, env)
	case parley.RecordFinding:
		set, v, err := byViolation(c.ViolationID)
		if err != nil {
			return nil, err
		}
		return parley.DecideRecordFinding(a, set, v, c, env)
	}
	return decideExchange(tx, a, cmd, env)
}

// TimeTruces begins every notified truce whose start has come and ends
// every truce whose window has passed, by the service's clock, and returns
// how many it moved. Like proposal deadlines, the times live in the
// database, so they fire after a restart, and the state machine makes each
// fire once however many instances run this.
func (s *Service) TimeTruces(ctx context.Context) (int, error) {
	begin, end, err := s.db.DueTruces(ctx, s.now())
	if err != nil {
		return 0, err
	}
	n := 0
	for _, batch := range []struct {
		ids []string
		cmd func(string) parley.Command
	}{
		{begin, func(id string) parley.Command { return parley.ActivateTruce{TruceID: id} }},
		{end, func(id string) parley.Command { return parley.ExpireTruce{TruceID: id} }},
	} {
		for _, id := range batch.ids {
			_, err := s.Do(ctx, parley.SystemActor, batch.cmd(id))
			switch parley.ErrorCode(err) {
			case "":
				n++
			case parley.ECONFLICT:
				// Moved meanwhile, by another instance.
			default:
				return n, err
			}
		}
	}
	return n, nil
}
