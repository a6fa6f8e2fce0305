package storetest

import (
	"context"
	"reflect"
	"testing"

	"github.com/parley-talks/parley"
	"pgregory.net/rapid"
)

// TestProposalStateMachine gives random commands by random members to
// proposals and checks after each that no sequence reaches an invalid
// state and that every refused command changed nothing.
func TestProposalStateMachine(t *testing.T) {
	w := NewWorld(t, OpenSQLite(t), nil)
	hum := w.Groups[parley.GroupHumanitarian].ID
	w.Must(t, w.HeadA, parley.AuthoriseDelegate{GroupID: hum, MemberID: memberID(t, w, w.DelegA)})
	w.Reload(t)
	actors := []parley.Actor{w.HeadA, w.DelegA, w.HeadB, w.DelegB, w.Mediator, w.Observer, w.Operator}
	names := []string{"headA", "delegA", "headB", "delegB", "mediator", "observer", "operator"}
	seen := map[string]int{}
	want := []string{"proposal.submitted", "proposal.acknowledged", "proposal.clarification_asked",
		"proposal.clarification_answered", "proposal.countered", "proposal.accepted", "proposal.rejected",
		"proposal.withdrawn", "proposal.commented"}
	reachedAll := func() bool {
		for _, typ := range want {
			if seen[typ] == 0 {
				return false
			}
		}
		return true
	}
	// Each round is 100 random walks; rounds go on until the walks reached
	// every act, or prove too little.
	for round := 0; round < 10 && !reachedAll(); round++ {
		walk(t, w, actors, names, hum, seen)
	}
	for _, typ := range want {
		if seen[typ] == 0 {
			t.Errorf("no random walk reached %s (seen: %v)", typ, seen)
		}
	}
}

func walk(t *testing.T, w *World, actors []parley.Actor, names []string, hum string, seen map[string]int) {
	ctx := context.Background()
	rapid.Check(t, func(rt *rapid.T) {
		evs, err := w.Service.Do(ctx, w.DelegA, parley.DraftProposal{GroupID: hum, ToParty: w.PartyB.ID, ProposalInput: Truce("p")})
		if err != nil {
			rt.Fatal(err)
		}
		id := evs[0].Data.(*parley.ProposalDrafted).ProposalID
		ids := []string{id}
		closed := map[string]parley.ProposalStatus{}
		steps := rapid.IntRange(1, 30).Draw(rt, "steps")
		for i := 0; i < steps; i++ {
			who := rapid.IntRange(0, len(actors)-1).Draw(rt, "actor")
			a := actors[who]
			target := ids[rapid.IntRange(0, len(ids)-1).Draw(rt, "target")]
			var cmd parley.Command
			switch rapid.IntRange(0, 9).Draw(rt, "command") {
			case 0:
				cmd = parley.SubmitProposal{ProposalID: target}
			case 1:
				cmd = parley.AcknowledgeProposal{ProposalID: target}
			case 2:
				cmd = parley.AskClarification{ProposalID: target, Text: "why?"}
			case 3:
				qs, _ := w.DB.Questions(ctx, w.HeadA, target)
				q := "no-such-question"
				for _, x := range qs {
					if x.Answer == "" {
						q = x.ID
					}
				}
				cmd = parley.AnswerClarification{ProposalID: target, QuestionID: q, Text: "because"}
			case 4:
				cmd = parley.CounterProposal{ProposalID: target, ProposalInput: Truce("counter")}
			case 5:
				cmd = parley.AcceptProposal{ProposalID: target}
			case 6:
				cmd = parley.RejectProposal{ProposalID: target, Reason: "no"}
			case 7:
				cmd = parley.WithdrawProposal{ProposalID: target}
			case 8:
				cmd = parley.CommentProposal{ProposalID: target, Text: "a remark"}
			case 9:
				cmd = parley.ExpireProposal{ProposalID: target}
			}
			before := snapshot(rt, w, ids)
			seqBefore, _ := w.DB.LastSeq(ctx)
			evs, err := w.Service.Do(ctx, a, cmd)
			if err != nil {
				if parley.ErrorCode(err) == parley.EINTERNAL {
					rt.Fatalf("%s %T: internal error %v", names[who], cmd, err)
				}
				if after := snapshot(rt, w, ids); !reflect.DeepEqual(before, after) {
					rt.Fatalf("%s %T was refused (%v) but changed a proposal", names[who], cmd, err)
				}
				if seq, _ := w.DB.LastSeq(ctx); seq != seqBefore {
					rt.Fatalf("%s %T was refused (%v) but wrote %d entries", names[who], cmd, err, seq-seqBefore)
				}
				continue
			}
			for _, e := range evs {
				seen[e.Type()]++
				if parley.FormalActs[e.Type()] {
					m, _ := a.In(w.Process.ID)
					if m.Role != parley.RoleHead && !(m.Role == parley.RoleDelegate && len(m.Authorised) > 0) {
						rt.Fatalf("%s performed the formal act %s", names[who], e.Type())
					}
				}
				if s, ok := e.Data.(*parley.ProposalSubmitted); ok && s.CounterOf != "" {
					ids = append(ids, s.ProposalID)
				}
			}
			for _, p := range snapshot(rt, w, ids) {
				checkInvariants(rt, w, p)
				if st, ok := closed[p.ID]; ok && st != p.Status {
					rt.Fatalf("closed proposal %s changed from %s to %s", p.ID, st, p.Status)
				}
				if !p.Status.Open() && p.Status != parley.StatusDraft {
					closed[p.ID] = p.Status
				}
			}
		}
	})
}

// snapshot reads every proposal as its proposer's head sees it.
func snapshot(rt *rapid.T, w *World, ids []string) []parley.Proposal {
	var out []parley.Proposal
	for _, id := range ids {
		p, err := w.DB.Proposal(context.Background(), w.HeadA, id)
		if err != nil {
			if p, err = w.DB.Proposal(context.Background(), w.HeadB, id); err != nil {
				rt.Fatalf("proposal %s: %v", id, err)
			}
		}
		out = append(out, p)
	}
	return out
}

func checkInvariants(rt *rapid.T, w *World, p parley.Proposal) {
	switch {
	case p.Status == parley.StatusDraft:
		if p.Awaiting != "" || !p.SubmittedAt.IsZero() {
			rt.Fatalf("draft %+v", p)
		}
		if _, err := w.DB.Proposal(context.Background(), w.HeadB, p.ID); err == nil {
			rt.Fatalf("the other party sees a draft")
		}
	case p.Status.Open():
		if p.Awaiting != p.FromParty && p.Awaiting != p.ToParty {
			rt.Fatalf("open proposal awaits %q", p.Awaiting)
		}
		inClarification := p.Status == parley.StatusClarification
		if inClarification != (p.OpenQuestions > 0) || inClarification != (p.Awaiting == p.FromParty) {
			rt.Fatalf("status %s with %d open questions awaiting %s", p.Status, p.OpenQuestions, p.Awaiting)
		}
	default:
		switch p.Status {
		case parley.StatusCountered, parley.StatusAccepted, parley.StatusRejected, parley.StatusWithdrawn, parley.StatusExpired:
		default:
			rt.Fatalf("unknown status %q", p.Status)
		}
		if p.Awaiting != "" || p.ClosedAt.IsZero() {
			rt.Fatalf("closed proposal %+v", p)
		}
		if (p.Status == parley.StatusCountered) != (p.CounteredBy != "") {
			rt.Fatalf("status %s countered by %q", p.Status, p.CounteredBy)
		}
	}
	if p.OpenQuestions < 0 {
		rt.Fatalf("%d open questions", p.OpenQuestions)
	}
}
