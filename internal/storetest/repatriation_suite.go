package storetest

import (
	"context"
	"strings"
	"testing"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/store"
)

// testStageLifecycle takes people through their life cycle to a finalised
// stage: a hand-over before both sides confirmed is refused, the observer
// interviews (a person who does not wish to go is not assigned), the
// mediator assigns, a person cannot be in two stages, the holding side
// holds one back with a reason the other side reads, hands the others
// over, the receiving side receives them; the stage is not finalised
// without parity until both heads agree an exception, and not twice.
func testStageLifecycle(t *testing.T, open Open) {
	ctx := context.Background()
	w := NewWorld(t, open(t), nil)
	group := w.Groups[parley.GroupHumanitarian]
	id := w.Must(t, w.Mediator, parley.CreateExchange{GroupID: group.ID, Parties: []string{w.PartyA.ID, w.PartyB.ID},
		ExchangeTerms: parley.ExchangeTerms{Title: "10 for 10", Total: 2, Stages: 2, Categories: []parley.ExchangeCategoryTerms{{Code: "wounded", Name: "Wounded", Count: 2}}}},
	)[0].Data.(*parley.ExchangeCreated).ExchangeID
	w.Must(t, w.Mediator, parley.PlanStage{ExchangeID: id, Date: "2026-12-01", Counts: []parley.StageCount{{Category: "wounded", Count: 1}}})
	w.Must(t, w.Mediator, parley.PlanStage{ExchangeID: id, Date: "2026-12-15", Counts: []parley.StageCount{{Category: "wounded", Count: 1}}})
	imp := func(a parley.Actor, list parley.ListKind, ps ...parley.Person) {
		t.Helper()
		w.Must(t, a, parley.ImportPersons{ExchangeID: id, List: list, Mode: parley.ImportAll, File: "l.csv", Format: "csv",
			SHA256: strings.Repeat("ef", 32), Rows: len(ps), Persons: ps})
	}
	// A asks back two; B holds them. B asks back one; A holds him.
	imp(w.DelegA, parley.ListAsked,
		parley.Person{Ref: "1", FamilyName: "Зюзюкевич", GivenName: "Олександр", Patronymic: "Миколайович", BirthDate: parley.PartialDate{Year: 1990, Month: 7, Day: 2}, Category: "wounded"},
		parley.Person{Ref: "2", FamilyName: "Квітчастий", GivenName: "Орест", Patronymic: "Іванович", BirthDate: parley.PartialDate{Year: 1971, Month: 3, Day: 4}, Category: "wounded"})
	imp(w.DelegB, parley.ListHeld,
		parley.Person{Ref: "R1", FamilyName: "Зюзюкевич", GivenName: "Александр", Patronymic: "Николаевич", BirthDate: parley.PartialDate{Year: 1990, Month: 7, Day: 2}},
		parley.Person{Ref: "R2", FamilyName: "Квитчастый", GivenName: "Орест", Patronymic: "Иванович", BirthDate: parley.PartialDate{Year: 1971, Month: 3, Day: 4}})
	imp(w.DelegB, parley.ListAsked,
		parley.Person{Ref: "B1", FamilyName: "Петров", GivenName: "Пётр", Patronymic: "Петрович", BirthDate: parley.PartialDate{Year: 1980, Month: 1, Day: 5}, Category: "wounded"})
	imp(w.DelegA, parley.ListHeld,
		parley.Person{Ref: "A1", FamilyName: "PETROV", GivenName: "Petr", Patronymic: "Petrovich", BirthDate: parley.PartialDate{Year: 1980, Month: 1, Day: 5}})
	for _, asking := range []string{w.PartyA.ID, w.PartyB.ID} {
		if _, err := w.Service.Reconcile(ctx, w.Mediator, id, asking); err != nil {
			t.Fatal(err)
		}
	}
	pairs, _, err := w.DB.Pairs(ctx, w.Mediator, id, w.PartyA.ID)
	if err != nil || len(pairs) != 2 {
		t.Fatalf("A's pairs: %+v %v", pairs, err)
	}
	bPairs, _, err := w.DB.Pairs(ctx, w.Mediator, id, w.PartyB.ID)
	if err != nil || len(bPairs) != 1 {
		t.Fatalf("B's pairs: %+v %v", bPairs, err)
	}
	p1, p2, p3 := pairs[0].ID, pairs[1].ID, bPairs[0].ID
	refused := func(a parley.Actor, cmd parley.Command, code string) {
		t.Helper()
		before, _ := w.DB.LastSeq(ctx)
		if _, err := w.Service.Do(ctx, a, cmd); parley.ErrorCode(err) != code {
			t.Errorf("%T %+v: %v, want %s", cmd, cmd, err, code)
		}
		if after, _ := w.DB.LastSeq(ctx); after != before {
			t.Errorf("%T refused, yet the record grew", cmd)
		}
	}
	step := func(a parley.Actor, pair, act string, yes bool, stage int, note string) parley.RecordStep {
		return parley.RecordStep{PairID: pair, Act: act, Yes: yes, Stage: stage, Note: note}
	}
	// Nothing happens to a person both sides have not confirmed.
	refused(w.Observer, step(w.Observer, p1, "interview", true, 0, ""), parley.ECONFLICT)
	for _, p := range []string{p1, p2} {
		w.Must(t, w.DelegA, parley.AnswerPair{PairID: p, Confirmed: true})
		w.Must(t, w.DelegB, parley.AnswerPair{PairID: p, Confirmed: true})
	}
	w.Must(t, w.DelegA, parley.AnswerPair{PairID: p3, Confirmed: true})
	w.Must(t, w.HeadB, parley.AnswerPair{PairID: p3, Confirmed: true})

	// Who does what.
	refused(w.DelegA, step(w.DelegA, p1, "interview", true, 0, ""), parley.EFORBIDDEN)
	refused(w.Mediator, step(w.Mediator, p1, "interview", true, 0, ""), parley.EFORBIDDEN)
	refused(w.Outsider, step(w.Outsider, p1, "interview", true, 0, ""), parley.ENOTFOUND)
	refused(w.Mediator, step(w.Mediator, p1, "assign", false, 1, ""), parley.ECONFLICT) // not interviewed
	w.Must(t, w.Observer, step(w.Observer, p1, "interview", true, 0, "Wishes to go home; asked to tell his mother."))
	w.Must(t, w.Observer, step(w.Observer, p2, "interview", false, 0, "Does not wish to return."))
	refused(w.Mediator, step(w.Mediator, p1, "assign", false, 1, ""), parley.ECONFLICT) // not fit yet
	refused(w.DelegA, step(w.DelegA, p1, "fitness", true, 0, ""), parley.EFORBIDDEN)    // A does not hold him
	w.Must(t, w.DelegB, step(w.DelegB, p1, "fitness", true, 0, ""))
	w.Must(t, w.Observer, step(w.Observer, p2, "fitness", true, 0, ""))
	refused(w.Mediator, step(w.Mediator, p2, "assign", false, 1, ""), parley.ECONFLICT) // against his will
	refused(w.DelegB, step(w.DelegB, p1, "assign", false, 1, ""), parley.EFORBIDDEN)
	refused(w.Mediator, step(w.Mediator, p1, "assign", false, 9, ""), parley.EINVALID)
	w.Must(t, w.Mediator, step(w.Mediator, p1, "assign", false, 1, ""))
	refused(w.Mediator, step(w.Mediator, p1, "assign", false, 2, ""), parley.ECONFLICT) // not in two stages
	refused(w.DelegB, step(w.DelegB, p3, "handover", false, 0, ""), parley.EFORBIDDEN)  // B does not hold p3's person
	refused(w.DelegA, step(w.DelegA, p3, "handover", false, 0, ""), parley.ECONFLICT)   // in no stage
	w.Must(t, w.Observer, step(w.Observer, p3, "interview", true, 0, ""))
	w.Must(t, w.DelegA, step(w.DelegA, p3, "fitness", true, 0, ""))
	w.Must(t, w.Mediator, step(w.Mediator, p3, "assign", false, 1, ""))
	refused(w.DelegB, step(w.DelegB, p3, "hold", false, 0, ""), parley.EINVALID) // a hold needs its reason

	// Hand-over and arrival.
	refused(w.DelegA, step(w.DelegA, p1, "receive", false, 0, ""), parley.ECONFLICT) // not handed over
	w.Must(t, w.DelegB, parley.RecordStep{PairID: p1, Act: "handover", NoActiveService: true})
	refused(w.DelegB, step(w.DelegB, p1, "handover", false, 0, ""), parley.ECONFLICT)
	refused(w.DelegB, step(w.DelegB, p1, "receive", false, 0, ""), parley.EFORBIDDEN)
	w.Must(t, w.DelegA, step(w.DelegA, p1, "receive", false, 0, ""))
	// A holds back B's man, with a reason B reads.
	w.Must(t, w.HeadA, step(w.HeadA, p3, "hold", false, 0, "Under investigation for a crime against civilians."))
	cases, err := w.DB.Repatriations(ctx, w.DelegB, id)
	if err != nil {
		t.Fatal(err)
	}
	if c := cases[p1]; c.Step() != parley.StepReceived || !c.NoActive || c.Category != "wounded" || c.Receiving != w.PartyA.ID {
		t.Errorf("p1: %+v", c)
	}
	if c := cases[p2]; c.Step() != parley.StepDeclined {
		t.Errorf("p2: %s", c.Step())
	}
	if c := cases[p3]; c.Step() != parley.StepHeldBack || c.HeldReason != "Under investigation for a crime against civilians." {
		t.Errorf("p3: %+v", c)
	}

	// Stage 1 carried one to A and none to B: parity fails until both
	// heads agree an exception.
	refused(w.Mediator, parley.FinaliseStage{ExchangeID: id, Number: 1}, parley.ECONFLICT)
	refused(w.DelegA, parley.AgreeStageException{ExchangeID: id, Number: 1, Reason: "x"}, parley.EFORBIDDEN)
	w.Must(t, w.HeadA, parley.AgreeStageException{ExchangeID: id, Number: 1, Reason: "B's man is held back; the next stage makes up for it."})
	refused(w.HeadA, parley.AgreeStageException{ExchangeID: id, Number: 1, Reason: "again"}, parley.ECONFLICT)
	refused(w.Mediator, parley.FinaliseStage{ExchangeID: id, Number: 1}, parley.ECONFLICT)
	w.Must(t, w.HeadB, parley.AgreeStageException{ExchangeID: id, Number: 1, Reason: "Agreed."})
	refused(w.HeadA, parley.FinaliseStage{ExchangeID: id, Number: 1}, parley.EFORBIDDEN)
	evs := w.Must(t, w.Mediator, parley.FinaliseStage{ExchangeID: id, Number: 1})
	if d := evs[0].Data.(*parley.StageFinalised); !d.Exception || len(d.Received) != 2 || d.Received[0].PartyID != w.PartyA.ID ||
		len(d.Received[0].Counts) != 1 || d.Received[0].Counts[0].Count != 1 || len(d.Received[1].Counts) != 0 {
		t.Errorf("finalised %+v", d)
	}
	refused(w.Mediator, parley.FinaliseStage{ExchangeID: id, Number: 1}, parley.ECONFLICT)
	refused(w.Mediator, parley.EditStage{ExchangeID: id, Number: 1, Date: "2026-12-02", Counts: []parley.StageCount{{Category: "wounded", Count: 1}}}, parley.ECONFLICT)
	x, _ := w.DB.Exchange(ctx, w.HeadA, id)
	if !x.Stages[0].Finalised || x.Stages[1].Finalised {
		t.Errorf("stages %+v", x.Stages)
	}
	// An empty stage without parity is not finalised either.
	refused(w.Mediator, parley.FinaliseStage{ExchangeID: id, Number: 2}, parley.ECONFLICT)

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
	checkNoPlain(t, w.DB, []string{"tell his mother", "crime against civilians"})
}
