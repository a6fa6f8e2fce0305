package storetest

import (
	"context"
	"sync"
	"testing"

	"github.com/parley-talks/parley"
)

// testMemoLifecycle negotiates a memorandum through the store: clauses,
// a bracket resolved by an alternative both accept, a translation out of
// date and confirmed, concurrent edits from one version, and initials
// refused until nothing is left in brackets.
func testMemoLifecycle(t *testing.T, open Open) {
	w := NewWorld(t, open(t), nil)
	ctx := context.Background()
	space := w.GroupSpace(parley.GroupPolitical)
	evs := w.Must(t, w.Mediator, parley.CreateMemo{SpaceID: space.ID, Title: "Memorandum on a ceasefire", Mode: parley.JointDrafting,
		Languages: []parley.Lang{parley.English, parley.Russian}})
	memo := evs[0].Data.(*parley.MemoCreated).MemoID
	evs = w.Must(t, w.HeadA, parley.AddClause{MemoID: memo, Kind: parley.KindSection, Texts: parley.Texts{parley.English: "Ceasefire"}})
	section := evs[0].Data.(*parley.ClauseAdded).ClauseID
	evs = w.Must(t, w.HeadA, parley.AddClause{MemoID: memo, ParentID: section, Kind: parley.KindClause,
		Texts: parley.Texts{parley.English: "The parties cease fire along the line of contact.", parley.Russian: "Стороны прекращают огонь на линии соприкосновения."}})
	c1 := evs[0].Data.(*parley.ClauseAdded).ClauseID
	evs = w.Must(t, w.HeadB, parley.AddClause{MemoID: memo, ParentID: section, Kind: parley.KindClause, Position: 1,
		Texts: parley.Texts{parley.English: "Monitors verify the ceasefire."}})
	c2 := evs[0].Data.(*parley.ClauseAdded).ClauseID

	if _, _, err := w.DB.Memo(ctx, w.Observer, memo); parley.ErrorCode(err) != parley.ENOTFOUND {
		t.Errorf("an observer outside the group reads the memorandum: %v", err)
	}
	_, items, err := w.DB.Memo(ctx, w.HeadB, memo)
	if err != nil || len(items) != 3 || items[0].Number != "1" || items[1].Number != "1.1" || items[2].Number != "1.2" {
		t.Fatalf("memo %v items %+v", err, items)
	}
	if items[1].ID != c1 || items[2].ID != c2 {
		t.Errorf("document order %s %s, want %s %s", items[1].ID, items[2].ID, c1, c2)
	}

	// Clause 1 links to the proposal that shaped it, in the same group; a
	// thread of A's caucus may not be linked (B would see its title).
	pevs := w.Must(t, w.HeadA, parley.DraftProposal{GroupID: w.Groups[parley.GroupPolitical].ID, ToParty: w.PartyB.ID, ProposalInput: Truce("Ceasefire terms")})
	prop := pevs[0].Data.(*parley.ProposalDrafted).ProposalID
	w.Must(t, w.HeadA, parley.SubmitProposal{ProposalID: prop})
	w.Must(t, w.HeadA, parley.LinkClause{ClauseID: c1, ProposalID: prop})
	tevs := w.Must(t, w.HeadA, parley.StartThread{SpaceID: w.SpaceOf(parley.SpaceParty, w.PartyA.ID).ID, Title: "Our red lines", Body: "None to give."})
	if _, err := w.Service.Do(ctx, w.HeadA, parley.LinkClause{ClauseID: c1, ThreadID: tevs[0].Data.(*parley.ThreadStarted).ThreadID}); parley.ErrorCode(err) != parley.EINVALID {
		t.Errorf("linking a caucus thread to a group memorandum: %v", err)
	}
	_, items, _ = w.DB.Memo(ctx, w.HeadB, memo)
	if l := items[1].Links; len(l) != 1 || l[0].ProposalID != prop || l[0].Title != "Ceasefire terms" {
		t.Errorf("links of clause 1: %+v", l)
	}

	// B brackets clause 1 with an alternative; A reserves, then accepts; adopted.
	evs = w.Must(t, w.HeadB, parley.TableAlternative{ClauseID: c1, Kind: parley.BracketContentious,
		Texts: parley.Texts{parley.English: "The parties cease fire along the whole line of contact, verified by monitors."}})
	alt := evs[0].Data.(*parley.AlternativeTabled).AlternativeID
	if _, err := w.Service.Do(ctx, w.HeadB, parley.AdoptAlternative{AlternativeID: alt}); parley.ErrorCode(err) != parley.ECONFLICT {
		t.Errorf("adopt before A accepts: %v", err)
	}
	w.Must(t, w.DelegA, parley.TakeStance{AlternativeID: alt, Stance: parley.StanceReserves})
	w.Must(t, w.HeadA, parley.TakeStance{AlternativeID: alt, Stance: parley.StanceAccepts})
	w.Must(t, w.HeadB, parley.AdoptAlternative{AlternativeID: alt})
	_, items, _ = w.DB.Memo(ctx, w.HeadA, memo)
	cl := items[1]
	if cl.Status != parley.ClauseStatusAgreed || len(cl.Alternatives) != 0 || len(cl.Agreed) != 2 {
		t.Errorf("after adoption: %+v", cl)
	}
	if len(cl.Stale) != 1 || cl.Stale[0] != parley.Russian {
		t.Errorf("the Russian version should be out of date after adoption: %v", cl.Stale)
	}

	// Initialling the memorandum is refused while anything is bracketed or stale.
	if _, err := w.Service.Do(ctx, w.HeadA, parley.InitialMemo{MemoID: memo}); parley.ErrorCode(err) != parley.ECONFLICT {
		t.Errorf("initial with brackets left: %v", err)
	}
	w.Must(t, w.DelegA, parley.ChangeClauseText{ClauseID: c1, Lang: parley.Russian, Version: cl.Version,
		Text: "Стороны прекращают огонь на всей линии соприкосновения под контролем наблюдателей."})
	_, items, _ = w.DB.Memo(ctx, w.HeadA, memo)
	if cl = items[1]; cl.Status != parley.ClauseStatusBracketed || len(cl.Stale) != 1 || cl.Stale[0] != parley.English {
		t.Errorf("a change re-opens the clause and marks English out of date: %s %v", cl.Status, cl.Stale)
	}
	w.Must(t, w.HeadB, parley.ConfirmTranslation{ClauseID: c1, Lang: parley.English})

	// Two edits from the same version: one wins, the other gets 409.
	_, items, _ = w.DB.Memo(ctx, w.HeadA, memo)
	v := items[2].Version
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, a := range []parley.Actor{w.HeadA, w.HeadB} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = w.Service.Do(ctx, a, parley.ChangeClauseText{ClauseID: c2, Lang: parley.English, Version: v, Text: "Monitors of " + a.Name + " verify."})
		}()
	}
	wg.Wait()
	if (errs[0] == nil) == (errs[1] == nil) || parley.ErrorCode(errs[0])+parley.ErrorCode(errs[1]) != parley.ECONFLICT {
		t.Errorf("concurrent edits: %v / %v", errs[0], errs[1])
	}

	// Both parties agree everything; the heads initial; the memorandum is initialled.
	for _, c := range []string{c1, c2} {
		w.Must(t, w.HeadA, parley.AgreeClause{ClauseID: c})
		w.Must(t, w.HeadB, parley.AgreeClause{ClauseID: c})
	}
	w.Must(t, w.HeadA, parley.InitialMemo{MemoID: memo})
	evs = w.Must(t, w.HeadB, parley.InitialMemo{MemoID: memo})
	if !evs[0].Data.(*parley.MemoInitialled).Complete {
		t.Error("the second head's initials did not complete the memorandum")
	}
	m, _, _ := w.DB.Memo(ctx, w.Mediator, memo)
	if len(m.Initialled) != 2 {
		t.Errorf("initialled by %v", m.Initialled)
	}
	// Any change now re-opens the clause and voids the initials.
	_, items, _ = w.DB.Memo(ctx, w.HeadA, memo)
	w.Must(t, w.HeadA, parley.ChangeClauseText{ClauseID: c2, Lang: parley.English, Version: items[2].Version, Text: "Monitors verify it daily."})
	m, _, _ = w.DB.Memo(ctx, w.Mediator, memo)
	if len(m.Initialled) != 0 {
		t.Errorf("initials survived a change: %v", m.Initialled)
	}
}
