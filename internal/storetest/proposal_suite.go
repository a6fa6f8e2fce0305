package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/parley-talks/parley"
)

// testProposalLifecycle walks a proposal through question, answer, counter
// and acceptance, checking who sees what and whose move it is.
func testProposalLifecycle(t *testing.T, open Open) {
	w := NewWorld(t, open(t), nil)
	ctx := context.Background()
	hum := w.Groups[parley.GroupHumanitarian].ID
	evs := w.Must(t, w.DelegA, parley.DraftProposal{GroupID: hum, ToParty: w.PartyB.ID, ProposalInput: Truce("Short truce")})
	id := evs[0].Data.(*parley.ProposalDrafted).ProposalID
	// A draft is A's alone.
	for name, a := range map[string]parley.Actor{"headB": w.HeadB, "delegB": w.DelegB, "mediator": w.Mediator, "observer": w.Observer} {
		if _, err := w.DB.Proposal(ctx, a, id); parley.ErrorCode(err) != parley.ENOTFOUND {
			t.Errorf("%s sees A's draft: %v", name, err)
		}
	}
	// A delegate without authority may not submit; the head may.
	if _, err := w.Service.Do(ctx, w.DelegA, parley.SubmitProposal{ProposalID: id}); parley.ErrorCode(err) != parley.EFORBIDDEN {
		t.Errorf("unauthorised delegate submits: %v", err)
	}
	w.Must(t, w.HeadA, parley.SubmitProposal{ProposalID: id})
	p := proposalOf(t, w, w.Observer, id) // the group sees it now
	if p.Status != parley.StatusSubmitted || p.Awaiting != w.PartyB.ID || p.Since.IsZero() {
		t.Fatalf("after submit: %+v", p)
	}
	// B asks; the move passes to A.
	evs = w.Must(t, w.DelegB, parley.AskClarification{ProposalID: id, Text: "Which segments exactly?"})
	q := evs[0].Data.(*parley.ClarificationAsked).QuestionID
	if p = proposalOf(t, w, w.HeadB, id); p.Status != parley.StatusClarification || p.Awaiting != w.PartyA.ID {
		t.Errorf("after question: status %s awaiting %s", p.Status, p.Awaiting)
	}
	// B may not answer its own question; A does.
	if _, err := w.Service.Do(ctx, w.HeadB, parley.AnswerClarification{ProposalID: id, QuestionID: q, Text: "x"}); parley.ErrorCode(err) != parley.EFORBIDDEN {
		t.Errorf("B answers: %v", err)
	}
	w.Must(t, w.HeadA, parley.AnswerClarification{ProposalID: id, QuestionID: q, Text: "Segments 3 and 4, as on the map."})
	if p = proposalOf(t, w, w.HeadB, id); p.Status != parley.StatusConsidering || p.Awaiting != w.PartyB.ID || p.OpenQuestions != 0 {
		t.Errorf("after answer: %+v", p)
	}
	// A party does not answer its own proposal.
	if _, err := w.Service.Do(ctx, w.HeadA, parley.AcceptProposal{ProposalID: id}); parley.ErrorCode(err) != parley.EFORBIDDEN {
		t.Errorf("A accepts its own proposal: %v", err)
	}
	// B counters: a new proposal from B to A, linked.
	counter := Truce("Truce of 72 hours")
	counter.Details.Truce.Hours = 72
	evs = w.Must(t, w.HeadB, parley.CounterProposal{ProposalID: id, ProposalInput: counter})
	cid := evs[1].Data.(*parley.ProposalSubmitted).ProposalID
	if p = proposalOf(t, w, w.HeadA, id); p.Status != parley.StatusCountered || p.CounteredBy != cid || p.Awaiting != "" {
		t.Errorf("countered: %+v", p)
	}
	c := proposalOf(t, w, w.HeadA, cid)
	if c.FromParty != w.PartyB.ID || c.ToParty != w.PartyA.ID || c.CounterOf != id || c.Awaiting != w.PartyA.ID {
		t.Errorf("counter: %+v", c)
	}
	// Accepting the countered original is refused and writes nothing.
	before, _ := w.DB.LastSeq(ctx)
	if _, err := w.Service.Do(ctx, w.HeadB, parley.AcceptProposal{ProposalID: id}); parley.ErrorCode(err) != parley.ECONFLICT {
		t.Errorf("accept a countered proposal: %v", err)
	}
	if after, _ := w.DB.LastSeq(ctx); after != before {
		t.Errorf("a refused act wrote %d entries", after-before)
	}
	// Two heads... here: A's head and an authorised delegate of A act at once; exactly one wins.
	w.Must(t, w.HeadA, parley.AuthoriseDelegate{GroupID: hum, MemberID: memberID(t, w, w.DelegA)})
	w.Reload(t)
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, a := range []parley.Actor{w.HeadA, w.DelegA} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i == 0 {
				_, errs[i] = w.Service.Do(ctx, a, parley.AcceptProposal{ProposalID: cid, Reason: "Agreed."})
			} else {
				_, errs[i] = w.Service.Do(ctx, a, parley.RejectProposal{ProposalID: cid, Reason: "Too long."})
			}
		}()
	}
	wg.Wait()
	wins, conflicts := 0, 0
	for _, err := range errs {
		switch parley.ErrorCode(err) {
		case "":
			wins++
		case parley.ECONFLICT:
			conflicts++
		}
	}
	if wins != 1 || conflicts != 1 {
		t.Errorf("concurrent acts: %v", errs)
	}
	chain, err := w.DB.Chain(ctx, w.Observer, cid)
	if err != nil || len(chain) != 2 || chain[0].ID != id || chain[1].ID != cid {
		t.Errorf("chain: %v %v", chain, err)
	}
	tl, err := w.DB.Timeline(ctx, w.HeadB, id)
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, x := range tl {
		types = append(types, x.Type)
	}
	// B does not see A's drafting, only what happened in the group.
	want := "[proposal.submitted proposal.clarification_asked proposal.clarification_answered proposal.countered]"
	if fmtList(types) != want {
		t.Errorf("B's timeline %v, want %s", types, want)
	}
	tlA, _ := w.DB.Timeline(ctx, w.HeadA, id)
	if len(tlA) != len(tl)+1 || tlA[0].Type != "proposal.drafted" {
		t.Errorf("A's timeline lacks the draft: %d entries", len(tlA))
	}
}

func memberID(t *testing.T, w *World, a parley.Actor) string {
	t.Helper()
	m, ok := a.In(w.Process.ID)
	if !ok {
		t.Fatalf("%s is not a member", a.Name)
	}
	return m.MemberID
}

func fmtList(s []string) string {
	out := "["
	for i, x := range s {
		if i > 0 {
			out += " "
		}
		out += x
	}
	return out + "]"
}

// testProposalDeadline checks that a deadline expires the proposal exactly
// once, by the service's clock, even when the expiry runs again (as after
// a restart or on a second instance), and that acting after the deadline
// is refused.
func testProposalDeadline(t *testing.T, open Open) {
	db := open(t)
	w := NewWorld(t, db, nil)
	ctx := context.Background()
	in := Truce("With a deadline")
	in.Deadline = time.Now().Add(48 * time.Hour)
	id := w.Submitted(t, in)
	clock := time.Now()
	svc := w.WithClock(func() time.Time { return clock })
	if n, err := svc.ExpireDue(ctx); err != nil || n != 0 {
		t.Fatalf("before the deadline: expired %d, %v", n, err)
	}
	clock = in.Deadline.Add(-time.Second)
	if n, _ := svc.ExpireDue(ctx); n != 0 {
		t.Fatalf("a second early: expired %d", n)
	}
	clock = in.Deadline
	// An act at the deadline is refused even before the expiry ran.
	if _, err := svc.Do(ctx, w.HeadB, parley.AcceptProposal{ProposalID: id}); parley.ErrorCode(err) != parley.ECONFLICT {
		t.Errorf("accept at the deadline: %v", err)
	}
	if n, err := svc.ExpireDue(ctx); err != nil || n != 1 {
		t.Fatalf("at the deadline: expired %d, %v", n, err)
	}
	// "Restart": a new writer and service on the same database.
	w.Writer.Close()
	w2 := NewWriterWorld(t, w)
	svc2 := w2.WithClock(func() time.Time { return clock.Add(time.Hour) })
	if n, err := svc2.ExpireDue(ctx); err != nil || n != 0 {
		t.Errorf("after restart: expired %d, %v", n, err)
	}
	tl, _ := w.DB.Timeline(ctx, w.HeadA, id)
	expired := 0
	for _, x := range tl {
		if x.Type == "proposal.expired" {
			expired++
		}
	}
	if p := proposalOf(t, w, w.HeadA, id); p.Status != parley.StatusExpired || expired != 1 {
		t.Errorf("status %s, %d expiries", p.Status, expired)
	}
}
