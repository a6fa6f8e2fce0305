package parley

import "testing"

func TestRepatriationStep(t *testing.T) {
	for _, tt := range []struct {
		r    Repatriation
		want Step
	}{
		{Repatriation{}, StepConfirmed},
		{Repatriation{Interviewed: true, Wishes: true}, StepInterviewed},
		{Repatriation{Interviewed: true, Wishes: false, FitRecorded: true, Fit: true}, StepDeclined},
		{Repatriation{Interviewed: true, Wishes: true, FitRecorded: true, Fit: true}, StepFit},
		{Repatriation{Interviewed: true, Wishes: true, FitRecorded: true, Fit: false}, StepInterviewed},
		{Repatriation{Interviewed: true, Wishes: true, Fit: true, FitRecorded: true, Stage: 2}, StepAssigned},
		{Repatriation{Stage: 2, HandedOver: true}, StepHandedOver},
		{Repatriation{Stage: 2, HandedOver: true, Received: true}, StepReceived},
		{Repatriation{Stage: 2, HeldBack: true}, StepHeldBack},
	} {
		if got := tt.r.Step(); got != tt.want {
			t.Errorf("%+v: %s, want %s", tt.r, got, tt.want)
		}
	}
}

func TestParity(t *testing.T) {
	x := Exchange{Parties: []string{"ua", "ru"}, Terms: ExchangeTerms{Categories: []ExchangeCategoryTerms{{Code: "w", Name: "Wounded"}, {Code: "y", Name: "Young"}}}}
	st := ExchangeStage{Number: 1, Counts: []StageCount{{Category: "w", Count: 2}, {Category: "y", Count: 1}}}
	cases := []Repatriation{
		{Receiving: "ua", Category: "w", Received: true}, {Receiving: "ua", Category: "w", Received: true}, {Receiving: "ua", Category: "y", Received: true},
		{Receiving: "ru", Category: "w", Received: true}, {Receiving: "ru", Category: "w", Received: true}, {Receiving: "ru", Category: "y", Received: true},
	}
	if off := Parity(x, st, cases); len(off) != 0 {
		t.Errorf("parity kept, yet %v", off)
	}
	cases[5].Received = false // one not arrived
	cases = append(cases, Repatriation{Receiving: "ru", Category: "w", Received: true})
	off := Parity(x, st, cases)
	if len(off) != 2 || off[0] != "ru: Wounded — 3 received, 2 agreed" || off[1] != "ru: Young — 0 received, 1 agreed" {
		t.Errorf("parity broken: %q", off)
	}
}
