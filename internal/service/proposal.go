package service

import (
	"context"
	"log/slog"
	"time"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/store"
)

// decideProposal decides the commands about proposals and the authority to
// perform formal acts.
func decideProposal(tx *store.Tx, a parley.Actor, cmd parley.Command, env parley.Env) ([]parley.Event, error) {
	// load reads a proposal with its setting.
	load := func(id string) (parley.Proposal, parley.ProposalSetting, error) {
		p, err := tx.Proposal(id)
		if err != nil {
			return p, parley.ProposalSetting{}, err
		}
		set, err := tx.ProposalSetting(p.GroupID)
		return p, set, err
	}
	switch c := cmd.(type) {
	case parley.DraftProposal:
		set, err := tx.ProposalSetting(c.GroupID)
		if err != nil {
			return nil, err
		}
		return parley.DecideDraftProposal(a, set, c, env)
	case parley.EditDraft:
		p, set, err := load(c.ProposalID)
		if err != nil {
			return nil, err
		}
		return parley.DecideEditDraft(a, set, p, c, env)
	case parley.SubmitProposal:
		p, set, err := load(c.ProposalID)
		if err != nil {
			return nil, err
		}
		return parley.DecideSubmitProposal(a, set, p, env)
	case parley.AcknowledgeProposal:
		p, set, err := load(c.ProposalID)
		if err != nil {
			return nil, err
		}
		return parley.DecideAcknowledge(a, set, p, env)
	case parley.AskClarification:
		p, set, err := load(c.ProposalID)
		if err != nil {
			return nil, err
		}
		return parley.DecideAskClarification(a, set, p, c, env)
	case parley.AnswerClarification:
		p, set, err := load(c.ProposalID)
		if err != nil {
			return nil, err
		}
		q, err := tx.Question(c.QuestionID)
		if err != nil {
			return nil, err
		}
		return parley.DecideAnswerClarification(a, set, p, q, c, env)
	case parley.CounterProposal:
		p, set, err := load(c.ProposalID)
		if err != nil {
			return nil, err
		}
		return parley.DecideCounter(a, set, p, c, env)
	case parley.AcceptProposal:
		p, set, err := load(c.ProposalID)
		if err != nil {
			return nil, err
		}
		return parley.DecideAccept(a, set, p, c, env)
	case parley.RejectProposal:
		p, set, err := load(c.ProposalID)
		if err != nil {
			return nil, err
		}
		return parley.DecideReject(a, set, p, c, env)
	case parley.WithdrawProposal:
		p, set, err := load(c.ProposalID)
		if err != nil {
			return nil, err
		}
		return parley.DecideWithdraw(a, set, p, c, env)
	case parley.ExpireProposal:
		p, set, err := load(c.ProposalID)
		if err != nil {
			return nil, err
		}
		return parley.DecideExpire(a, set, p, env)
	case parley.CommentProposal:
		p, set, err := load(c.ProposalID)
		if err != nil {
			return nil, err
		}
		return parley.DecideComment(a, set, p, c, env)
	case parley.AuthoriseDelegate, parley.RevokeAuthorisation:
		var group, member string
		if x, ok := c.(parley.AuthoriseDelegate); ok {
			group, member = x.GroupID, x.MemberID
		} else {
			x := c.(parley.RevokeAuthorisation)
			group, member = x.GroupID, x.MemberID
		}
		g, m, err := groupAndMember(tx, group, member)
		if err != nil {
			return nil, err
		}
		gs, err := tx.Space(g.SpaceID)
		if err != nil {
			return nil, err
		}
		if _, ok := c.(parley.AuthoriseDelegate); ok {
			return parley.DecideAuthorise(a, g, gs, m, env)
		}
		return parley.DecideRevoke(a, g, gs, m, env)
	}
	return decideMemo(tx, a, cmd, env)
}

// Deadlines expires open proposals when their deadline passes, begins and
// ends truces on time, and publishes approved statements at their embargo,
// until ctx ends. It keeps no state of its own: deadlines live in the database, so
// they fire after a restart too, and the state machine makes each fire
// once however many instances run this.
func (s *Service) Deadlines(ctx context.Context, log *slog.Logger, poll time.Duration) {
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		if _, err := s.ExpireDue(ctx); err != nil && ctx.Err() == nil {
			log.WarnContext(ctx, "expire proposals", "err", err)
		}
		if _, err := s.TimeTruces(ctx); err != nil && ctx.Err() == nil {
			log.WarnContext(ctx, "time truces", "err", err)
		}
		if _, err := s.PublishDue(ctx); err != nil && ctx.Err() == nil {
			log.WarnContext(ctx, "publish statements", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// ExpireDue expires every open proposal whose deadline has passed by the
// service's clock, and returns how many it expired.
func (s *Service) ExpireDue(ctx context.Context) (int, error) {
	due, err := s.db.DueProposals(ctx, s.now())
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range due {
		_, err := s.Do(ctx, parley.SystemActor, parley.ExpireProposal{ProposalID: id})
		switch parley.ErrorCode(err) {
		case "":
			n++
		case parley.ECONFLICT:
			// Closed meanwhile, or expired by another instance.
		default:
			return n, err
		}
	}
	return n, nil
}
