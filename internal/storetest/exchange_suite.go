package storetest

import (
	"context"
	"reflect"
	"testing"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/store"
)

// testExchangeLifecycle runs exchange agreements through the store: one
// born of an accepted exchange proposal, one recorded by the mediator,
// their terms edited and their stages planned, each read with its
// readers' visibility; refused commands write nothing, and the tables
// replay from the record.
func testExchangeLifecycle(t *testing.T, open Open) {
	w := NewWorld(t, open(t), nil)
	ctx := context.Background()
	group := w.Groups[parley.GroupHumanitarian]
	refused := func(a parley.Actor, cmd parley.Command, code string) {
		t.Helper()
		before, err := w.DB.LastSeq(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Service.Do(ctx, a, cmd); parley.ErrorCode(err) != code {
			t.Errorf("%T: %v, want %s", cmd, err, code)
		}
		if after, _ := w.DB.LastSeq(ctx); after != before {
			t.Errorf("%T refused, yet the record grew from %d to %d", cmd, before, after)
		}
	}

	// Born of an accepted proposal.
	in := parley.ProposalInput{Kind: parley.ProposalExchange, Title: "1,200 for 1,200", Texts: parley.Texts{parley.English: "Each side returns 1,200."},
		Details: parley.Details{Exchange: &parley.ExchangeDetails{Stages: 4, Categories: []parley.ExchangeCategory{
			{Name: "Seriously wounded and sick", Count: 120}, {Name: "Young, under 21", Count: 300},
			{Name: "Long in captivity", Count: 280}, {Name: "Others", Count: 500}}}}}
	id := w.Must(t, w.DelegA, parley.DraftProposal{GroupID: group.ID, ToParty: w.PartyB.ID, ProposalInput: in})[0].Data.(*parley.ProposalDrafted).ProposalID
	w.Must(t, w.HeadA, parley.SubmitProposal{ProposalID: id})
	if _, err := w.DB.Exchange(ctx, w.HeadB, id); parley.ErrorCode(err) != parley.ENOTFOUND {
		t.Errorf("an exchange before acceptance: %v", err)
	}
	w.Must(t, w.HeadB, parley.AcceptProposal{ProposalID: id})
	x, err := w.DB.Exchange(ctx, w.DelegB, id)
	if err != nil {
		t.Fatal(err)
	}
	if x.ProposalID != id || x.Terms.Total != 1200 || x.Terms.Stages != 4 || len(x.Terms.Categories) != 4 ||
		x.Terms.Categories[0].Code != "seriously_wounded_and_sick" || !reflect.DeepEqual(x.Parties, []string{w.PartyA.ID, w.PartyB.ID}) ||
		x.SpaceID != group.SpaceID || len(x.Stages) != 0 {
		t.Errorf("born %+v", x)
	}
	for name, a := range w.Actors() {
		_, err := w.DB.Exchange(ctx, a, id)
		want := parley.Allowed(a, parley.ActRead, parley.Space{ID: group.SpaceID, ProcessID: w.Process.ID, Kind: parley.SpaceGroup, GroupID: group.ID})
		if (err == nil) != want {
			t.Errorf("%s reads the exchange: %v, the policy says %v", name, err, want)
		}
		xs, err := w.DB.Exchanges(ctx, a, group.ID)
		if err != nil || (len(xs) == 1) != want {
			t.Errorf("%s lists %d exchanges (%v), the policy says %v", name, len(xs), err, want)
		}
	}

	// The mediator plans the stages; the parties do not.
	wounded, young, long, others := "seriously_wounded_and_sick", "young_under_21", "long_in_captivity", "others"
	stage := func(counts ...int) []parley.StageCount {
		return []parley.StageCount{{Category: wounded, Count: counts[0]}, {Category: young, Count: counts[1]}, {Category: long, Count: counts[2]}, {Category: others, Count: counts[3]}}
	}
	refused(w.HeadA, parley.PlanStage{ExchangeID: id, Date: "2025-08-01", Counts: stage(120, 90, 80, 100)}, parley.EFORBIDDEN)
	refused(w.Observer, parley.PlanStage{ExchangeID: id, Date: "2025-08-01", Counts: stage(120, 90, 80, 100)}, parley.EFORBIDDEN)
	refused(w.Outsider, parley.PlanStage{ExchangeID: id, Date: "2025-08-01", Counts: stage(120, 90, 80, 100)}, parley.ENOTFOUND)
	refused(w.Mediator, parley.PlanStage{ExchangeID: id, Date: "2025-08-01", Counts: stage(121, 90, 80, 100)}, parley.EINVALID)
	refused(w.Mediator, parley.PlanStage{ExchangeID: id, Date: "2025-08-01", Counts: []parley.StageCount{{Category: "civilians", Count: 3}}}, parley.EINVALID)
	refused(w.Mediator, parley.PlanStage{ExchangeID: id, Date: "in August", Counts: stage(120, 90, 80, 100)}, parley.EINVALID)
	w.Must(t, w.Mediator, parley.PlanStage{ExchangeID: id, Date: "2025-08-01", Counts: stage(120, 90, 80, 100)})
	w.Must(t, w.Mediator, parley.PlanStage{ExchangeID: id, Date: "2025-08-15", Counts: stage(0, 70, 70, 120)})
	w.Must(t, w.Mediator, parley.EditStage{ExchangeID: id, Number: 2, Date: "2025-08-16", Counts: stage(0, 70, 70, 130)})
	refused(w.Mediator, parley.EditStage{ExchangeID: id, Number: 2, Date: "2025-08-16", Counts: stage(0, 211, 70, 130)}, parley.EINVALID)
	refused(w.Mediator, parley.EditStage{ExchangeID: id, Number: 3, Date: "2025-08-16", Counts: stage(0, 1, 1, 1)}, parley.ENOTFOUND)
	x, err = w.DB.Exchange(ctx, w.HeadA, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(x.Stages) != 2 || x.Stages[1].Date != "2025-08-16" || x.Stages[1].Size() != 270 || x.Stages[0].Size() != 390 ||
		x.Planned(young) != 160 || x.Stages[1].Count(wounded) != 0 || len(x.Stages[1].Counts) != 3 || x.Stages[0].Finalised {
		t.Errorf("stages %+v", x.Stages)
	}

	// The terms: a category the stages carry may not fall below what they
	// carry, nor go.
	terms := x.Terms
	terms.Categories = append([]parley.ExchangeCategoryTerms(nil), terms.Categories...)
	terms.Categories[1].Count, terms.Categories[3].Count = 100, 700
	refused(w.Mediator, parley.EditExchangeTerms{ExchangeID: id, ExchangeTerms: terms}, parley.EINVALID)
	refused(w.HeadB, parley.EditExchangeTerms{ExchangeID: id, ExchangeTerms: x.Terms}, parley.EFORBIDDEN)
	terms = x.Terms
	terms.Title = "First exchange: 1,200 for 1,200"
	terms.Categories = append(append([]parley.ExchangeCategoryTerms(nil), terms.Categories...), parley.ExchangeCategoryTerms{Code: "civilians", Name: "Civilians", Count: 40})
	terms.Total, terms.Stages = 1240, 5
	w.Must(t, w.Mediator, parley.EditExchangeTerms{ExchangeID: id, ExchangeTerms: terms})
	x, _ = w.DB.Exchange(ctx, w.Mediator, id)
	if x.Terms.Title != terms.Title || x.Terms.Total != 1240 || len(x.Terms.Categories) != 5 || x.Terms.Categories[4].Code != "civilians" || len(x.Stages) != 2 {
		t.Errorf("edited %+v", x)
	}

	// Recorded by the mediator, all for all.
	aff := parley.ExchangeTerms{Title: "All for all", AllForAll: true, Stages: 2, Categories: parley.DefaultExchangeCategories}
	refused(w.HeadA, parley.CreateExchange{GroupID: group.ID, Parties: []string{w.PartyA.ID, w.PartyB.ID}, ExchangeTerms: aff}, parley.EFORBIDDEN)
	refused(w.Mediator, parley.CreateExchange{GroupID: group.ID, Parties: []string{w.PartyA.ID, w.Process.ID}, ExchangeTerms: aff}, parley.EINVALID)
	refused(w.Mediator, parley.CreateExchange{GroupID: group.ID, Parties: []string{w.PartyA.ID, w.PartyB.ID}, ExchangeTerms: parley.ExchangeTerms{Title: "x", Total: 5, Stages: 1}}, parley.EINVALID)
	evs := w.Must(t, w.Mediator, parley.CreateExchange{GroupID: group.ID, Parties: []string{w.PartyB.ID, w.PartyA.ID}, ExchangeTerms: aff})
	id2 := evs[0].Data.(*parley.ExchangeCreated).ExchangeID
	w.Must(t, w.Mediator, parley.PlanStage{ExchangeID: id2, Date: "2025-09-01", Counts: []parley.StageCount{{Category: "wounded", Count: 5000}}})
	xs, err := w.DB.Exchanges(ctx, w.DelegA, group.ID)
	if err != nil || len(xs) != 2 || xs[1].ID != id2 || !xs[1].Terms.AllForAll || xs[1].ProposalID != "" || xs[1].Stages[0].Count("wounded") != 5000 {
		t.Errorf("list %+v %v", xs, err)
	}
	if xs, err := w.DB.Exchanges(ctx, w.HeadA, w.Groups[parley.GroupMilitary].ID); err != nil || len(xs) != 0 {
		t.Errorf("exchanges of the military group: %+v %v", xs, err)
	}

	// The tables are what the record says.
	fresh := open(t)
	if _, err := store.Replay(ctx, w.DB, fresh); err != nil {
		t.Fatal(err)
	}
	diffs, err := store.CompareProjections(ctx, w.DB, fresh)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range diffs {
		t.Errorf("replay: %s", d)
	}
}
