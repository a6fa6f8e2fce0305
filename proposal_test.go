package parley

import (
	"testing"
	"time"
)

// TestProposalActsPolicy covers every act × role × party: what each member
// may do to a submitted proposal from party A to party B in group g1.
func TestProposalActsPolicy(t *testing.T) {
	const proc, g = "p", "g1"
	group := Space{ID: "gs", ProcessID: proc, Kind: SpaceGroup, GroupID: g}
	set := ProposalSetting{
		Group:      WorkingGroup{ID: g, ProcessID: proc, SpaceID: "gs"},
		GroupSpace: group,
		Caucus: map[string]Space{
			"A": {ID: "ca", ProcessID: proc, Kind: SpaceParty, PartyID: "A"},
			"B": {ID: "cb", ProcessID: proc, Kind: SpaceParty, PartyID: "B"},
		},
	}
	member := func(role Role, party string, groups, authorised []string) Actor {
		return Actor{AccountID: "x", Members: []Membership{{ProcessID: proc, PartyID: party, Role: role, Groups: groups, Authorised: authorised}}}
	}
	in := []string{g}
	actors := []struct {
		name string
		a    Actor
	}{
		{"head A", member(RoleHead, "A", nil, nil)},
		{"delegate A", member(RoleDelegate, "A", in, nil)},
		{"delegate A authorised", member(RoleDelegate, "A", in, in)},
		{"delegate A authorised elsewhere", member(RoleDelegate, "A", in, []string{"g2"})},
		{"head B", member(RoleHead, "B", nil, nil)},
		{"delegate B", member(RoleDelegate, "B", in, nil)},
		{"delegate B authorised", member(RoleDelegate, "B", in, in)},
		{"delegate B outside the group", member(RoleDelegate, "B", nil, nil)},
		{"mediator", member(RoleMediator, "M", in, nil)},
		{"observer", member(RoleObserver, "O", in, nil)},
		{"operator", Actor{AccountID: "op", Operator: true}},
	}
	now := time.Date(2025, 7, 23, 9, 0, 0, 0, time.UTC)
	p := Proposal{ID: "pr", ProcessID: proc, GroupID: g, SpaceID: "gs", FromParty: "A", ToParty: "B", Kind: ProposalOther,
		Title: "T", Texts: Texts{English: "x"}, Status: StatusConsidering, Awaiting: "B", Since: now}
	q := Question{ID: "q", ProposalID: "pr", Text: "?"}
	clar := p
	clar.Status, clar.Awaiting, clar.OpenQuestions = StatusClarification, "A", 1
	draft := p
	draft.Status, draft.SpaceID, draft.Awaiting = StatusDraft, "ca", ""
	acts := []struct {
		name string
		do   func(a Actor) error
	}{
		{"submit", func(a Actor) error { _, err := DecideSubmitProposal(a, set, draft, testEnvAt(now)); return err }},
		{"acknowledge", func(a Actor) error {
			x := p
			x.Status = StatusSubmitted
			_, err := DecideAcknowledge(a, set, x, testEnvAt(now))
			return err
		}},
		{"ask", func(a Actor) error {
			_, err := DecideAskClarification(a, set, p, AskClarification{ProposalID: "pr", Text: "?"}, testEnvAt(now))
			return err
		}},
		{"answer", func(a Actor) error {
			_, err := DecideAnswerClarification(a, set, clar, q, AnswerClarification{ProposalID: "pr", QuestionID: "q", Text: "!"}, testEnvAt(now))
			return err
		}},
		{"counter", func(a Actor) error {
			_, err := DecideCounter(a, set, p, CounterProposal{ProposalID: "pr", ProposalInput: ProposalInput{Kind: ProposalOther, Title: "C", Texts: Texts{English: "y"}}}, testEnvAt(now))
			return err
		}},
		{"accept", func(a Actor) error {
			_, err := DecideAccept(a, set, p, AcceptProposal{ProposalID: "pr"}, testEnvAt(now))
			return err
		}},
		{"reject", func(a Actor) error {
			_, err := DecideReject(a, set, p, RejectProposal{ProposalID: "pr", Reason: "no"}, testEnvAt(now))
			return err
		}},
		{"withdraw", func(a Actor) error {
			_, err := DecideWithdraw(a, set, p, WithdrawProposal{ProposalID: "pr"}, testEnvAt(now))
			return err
		}},
		{"comment", func(a Actor) error {
			_, err := DecideComment(a, set, p, CommentProposal{ProposalID: "pr", Text: "hm"}, testEnvAt(now))
			return err
		}},
		{"expire", func(a Actor) error { _, err := DecideExpire(a, set, p, testEnvAt(now)); return err }},
	}
	// Each row: the outcome of every act, in the order of acts above:
	// "+" done, "F" forbidden, "N" not found (may not even see it).
	want := map[string]string{
		//                                 sub ack ask ans cou acc rej wdr com exp
		"head A":                          "+   F   F   +   F   F   F   +   +   F",
		"delegate A":                      "F   F   F   +   F   F   F   F   +   F",
		"delegate A authorised":           "+   F   F   +   F   F   F   +   +   F",
		"delegate A authorised elsewhere": "F   F   F   +   F   F   F   F   +   F",
		"head B":                          "N   +   +   F   +   +   +   F   +   F",
		"delegate B":                      "N   +   +   F   F   F   F   F   +   F",
		"delegate B authorised":           "N   +   +   F   +   +   +   F   +   F",
		"delegate B outside the group":    "N   N   N   N   N   N   N   N   N   F",
		"mediator":                        "N   F   F   F   F   F   F   F   +   F",
		"observer":                        "N   F   F   F   F   F   F   F   F   F",
		"operator":                        "N   N   N   N   N   N   N   N   N   F",
	}
	code := map[string]string{"": "+", EFORBIDDEN: "F", ENOTFOUND: "N"}
	for _, ac := range actors {
		var got []string
		for _, act := range acts {
			c, ok := code[ErrorCode(act.do(ac.a))]
			if !ok {
				c = "?"
			}
			got = append(got, c)
		}
		row := splitCells(want[ac.name])
		for i, act := range acts {
			if got[i] != row[i] {
				t.Errorf("%s %s: %s, want %s", ac.name, act.name, got[i], row[i])
			}
		}
	}
	if _, err := DecideExpire(SystemActor, set, p, testEnvAt(now)); ErrorCode(err) != ECONFLICT {
		t.Errorf("system expiring before the deadline: %v", err)
	}
	late := p
	late.Deadline = now
	if _, err := DecideExpire(SystemActor, set, late, testEnvAt(now)); err != nil {
		t.Errorf("system expiring at the deadline: %v", err)
	}
}

func splitCells(s string) []string {
	var out []string
	for _, f := range s {
		if f != ' ' {
			out = append(out, string(f))
		}
	}
	return out
}

func testEnvAt(now time.Time) Env {
	e := testEnv()
	e.Now = now
	return e
}

// TestProposalTransitions checks the refusals of the state machine, each
// with a clear message and no events.
func TestProposalTransitions(t *testing.T) {
	now := time.Date(2025, 7, 23, 9, 0, 0, 0, time.UTC)
	set := ProposalSetting{GroupSpace: Space{ID: "gs", ProcessID: "p", Kind: SpaceGroup, GroupID: "g"},
		Caucus: map[string]Space{"A": {ID: "ca", ProcessID: "p", Kind: SpaceParty, PartyID: "A"}, "B": {ID: "cb", ProcessID: "p", Kind: SpaceParty, PartyID: "B"}}}
	headB := Actor{AccountID: "b", Members: []Membership{{ProcessID: "p", PartyID: "B", Role: RoleHead}}}
	headA := Actor{AccountID: "a", Members: []Membership{{ProcessID: "p", PartyID: "A", Role: RoleHead}}}
	base := Proposal{ID: "pr", ProcessID: "p", GroupID: "g", FromParty: "A", ToParty: "B", Status: StatusConsidering, Awaiting: "B"}
	with := func(f func(*Proposal)) Proposal { p := base; f(&p); return p }
	tests := []struct {
		name string
		do   func() ([]Event, error)
		want string
	}{
		{"accept a withdrawn proposal", func() ([]Event, error) {
			return DecideAccept(headB, set, with(func(p *Proposal) { p.Status = StatusWithdrawn }), AcceptProposal{}, testEnvAt(now))
		}, ECONFLICT},
		{"act after the deadline", func() ([]Event, error) {
			return DecideAccept(headB, set, with(func(p *Proposal) { p.Deadline = now.Add(-time.Minute) }), AcceptProposal{}, testEnvAt(now))
		}, ECONFLICT},
		{"withdraw an accepted proposal", func() ([]Event, error) {
			return DecideWithdraw(headA, set, with(func(p *Proposal) { p.Status = StatusAccepted }), WithdrawProposal{}, testEnvAt(now))
		}, ECONFLICT},
		{"submit twice", func() ([]Event, error) { return DecideSubmitProposal(headA, set, base, testEnvAt(now)) }, ECONFLICT},
		{"answer an answered question", func() ([]Event, error) {
			return DecideAnswerClarification(headA, set, with(func(p *Proposal) { p.Status = StatusClarification }),
				Question{ID: "q", ProposalID: "pr", Answer: "done"}, AnswerClarification{}, testEnvAt(now))
		}, ECONFLICT},
		{"acknowledge twice", func() ([]Event, error) { return DecideAcknowledge(headB, set, base, testEnvAt(now)) }, ECONFLICT},
		{"expire as a user", func() ([]Event, error) {
			return DecideExpire(headB, set, with(func(p *Proposal) { p.Deadline = now }), testEnvAt(now))
		}, EFORBIDDEN},
	}
	for _, tt := range tests {
		evs, err := tt.do()
		if ErrorCode(err) != tt.want || evs != nil {
			t.Errorf("%s: %v (%d events), want %s", tt.name, err, len(evs), tt.want)
		}
		if err != nil && ErrorMessage(err) == "" {
			t.Errorf("%s: no message", tt.name)
		}
	}
}
