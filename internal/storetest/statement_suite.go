package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/parley-talks/parley"
)

// testStatementRelease takes a joint statement through the store: drafted
// in a working group, approved by both heads, voided by an edit, approved
// again, held by its embargo and then published, by the service's own loop,
// as a copy that the public (an anonymous reader) sees in the record.
func testStatementRelease(t *testing.T, open Open) {
	w := NewWorld(t, open(t), nil)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Minute)
	svc := w.WithClock(func() time.Time { return now })
	do := func(a parley.Actor, cmd parley.Command) []parley.Event {
		t.Helper()
		evs, err := svc.Do(ctx, a, cmd)
		if err != nil {
			t.Fatalf("%T: %v", cmd, err)
		}
		return evs
	}
	embargo := now.Add(2 * time.Hour)
	in := parley.StatementInput{Title: parley.Texts{parley.English: "Joint statement", parley.Ukrainian: "Спільна заява"},
		Texts:   parley.Texts{parley.English: "The parties agreed three online working groups.", parley.Ukrainian: "Сторони домовилися про три онлайн-групи."},
		Figures: []parley.Figure{{Label: parley.Texts{parley.English: "Prisoners exchanged"}, Value: 390, AsOf: "2026-06-02"}},
		Embargo: embargo}
	id := do(w.Mediator, parley.DraftStatement{SpaceID: w.GroupSpace(parley.GroupPolitical).ID, StatementInput: in})[0].Data.(*parley.StatementDrafted).StatementID
	st, err := w.DB.Statement(ctx, w.HeadA, id)
	if err != nil || st.Hash != parley.StatementHash(st.Title, st.Texts, st.Figures, embargo) {
		t.Fatalf("statement %+v %v", st, err)
	}
	if _, err := w.DB.Statement(ctx, w.Observer, id); parley.ErrorCode(err) != parley.ENOTFOUND {
		t.Errorf("an observer outside the group reads the draft: %v", err)
	}
	do(w.HeadA, parley.ApproveStatement{StatementID: id, Hash: st.Hash})
	in.Texts[parley.Russian], in.Title[parley.Russian] = "Стороны договорились о трёх онлайн-группах.", "Совместное заявление"
	do(w.Mediator, parley.EditStatement{StatementID: id, Version: 1, StatementInput: in})
	st, _ = w.DB.Statement(ctx, w.HeadA, id)
	if len(st.Approvals) != 0 || st.Version != 2 {
		t.Fatalf("approvals survived an edit: %+v", st.Approvals)
	}
	do(w.HeadA, parley.ApproveStatement{StatementID: id, Hash: st.Hash})
	do(w.HeadB, parley.ApproveStatement{StatementID: id, Hash: st.Hash})
	if n, err := svc.PublishDue(ctx); n != 0 || err != nil {
		t.Errorf("before the embargo: published %d (%v)", n, err)
	}
	if ps, _ := w.DB.PublishedStatements(ctx, w.Process.ID); len(ps) != 0 {
		t.Fatalf("published before its embargo: %+v", ps)
	}
	now = embargo
	if n, err := svc.PublishDue(ctx); n != 1 || err != nil {
		t.Fatalf("at the embargo: published %d (%v)", n, err)
	}
	ps, err := w.DB.PublishedStatements(ctx, w.Process.ID)
	if err != nil || len(ps) != 1 || ps[0].Texts[parley.Russian] == "" || ps[0].PublishedSeq == 0 || ps[0].SpaceID != "" {
		t.Fatalf("published %+v %v", ps, err)
	}
	// The public sees the published copy in the record, and nothing of the
	// drafting.
	evs, err := w.DB.Events(ctx, parley.Actor{}, 0, 10000)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, e := range evs {
		seen[e.Type()]++
	}
	if seen["statement.published"] != 1 || seen["statement.drafted"] != 0 || seen["statement.approved"] != 0 {
		t.Errorf("the public sees %v", seen)
	}
	if _, err := svc.Do(ctx, w.Mediator, parley.EditStatement{StatementID: id, Version: 2, StatementInput: in}); parley.ErrorCode(err) != parley.ECONFLICT {
		t.Errorf("a published statement edited: %v", err)
	}
}

// testStatementRules: where the process wants the mediator's approval, a
// joint statement approved by both heads waits for it.
func testStatementRules(t *testing.T, open Open) {
	w := NewWorld(t, open(t), nil)
	ctx := context.Background()
	if _, err := w.Service.Do(ctx, w.HeadA, parley.SetStatementRules{ProcessID: w.Process.ID, NeedsMediator: true}); parley.ErrorCode(err) != parley.EFORBIDDEN {
		t.Errorf("a head sets the rule: %v", err)
	}
	w.Must(t, w.Mediator, parley.SetStatementRules{ProcessID: w.Process.ID, NeedsMediator: true})
	d := w.Must(t, w.Mediator, parley.DraftStatement{SpaceID: w.GroupSpace(parley.GroupPolitical).ID, StatementInput: parley.StatementInput{
		Title: parley.Texts{parley.English: "Joint statement"}, Texts: parley.Texts{parley.English: "Agreed."}}})[0].Data.(*parley.StatementDrafted)
	w.Must(t, w.HeadA, parley.ApproveStatement{StatementID: d.StatementID, Hash: d.Hash})
	evs := w.Must(t, w.HeadB, parley.ApproveStatement{StatementID: d.StatementID, Hash: d.Hash})
	if evs[0].Data.(*parley.StatementApproved).Complete {
		t.Error("complete without the mediator")
	}
	if n, _ := w.Service.PublishDue(ctx); n != 0 {
		t.Errorf("published without the mediator's approval")
	}
	w.Must(t, w.Mediator, parley.ApproveStatement{StatementID: d.StatementID, Hash: d.Hash})
	if n, err := w.Service.PublishDue(ctx); n != 1 || err != nil {
		t.Errorf("after the mediator's approval: %d %v", n, err)
	}
}
