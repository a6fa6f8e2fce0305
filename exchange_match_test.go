package parley

import (
	"strings"
	"testing"
)

func reconcileFixture() (ReconcileSetting, map[string]Actor) {
	ls, actors := listFixture()
	set := ReconcileSetting{Exchange: ls.Exchange, AskedVersion: 10, HeldVersion: 12,
		Asked: map[string]bool{"a1": true, "a2": true, "a3": true}, Held: map[string]bool{"h1": true, "h2": true, "h3": true},
		Pairs: []Pair{
			{ListPair: ListPair{ID: "old-open", AskedID: "a3", HeldID: "h3", Kind: PairPossible}},
			{ListPair: ListPair{ID: "old-answered", AskedID: "a2", HeldID: "h2", Kind: PairMatch}, Answers: []PairAnswer{{PartyID: "ua", Confirmed: true}}},
		}}
	return set, actors
}

func TestDecideReconcile(t *testing.T) {
	set, actors := reconcileFixture()
	c := Reconcile{ExchangeID: "x1", AskingParty: "ua", AskedVersion: 10, HeldVersion: 12, Unknown: []string{"a3"},
		Pairs: []ListPair{
			{AskedID: "a1", HeldID: "h1", Kind: PairMatch, Score: 9.5, Reasons: []string{"family name: same key"}},
			{AskedID: "a1", HeldID: "h3", Kind: PairPossible, Score: -2},
			{AskedID: "a2", HeldID: "h3", Kind: PairPossible, Score: -3}, // a2 is settled for one side: its answer stands
		}}
	for _, who := range []string{"delegate.ua", "delegate.ru", "mediator"} {
		evs, err := DecideReconcile(actors[who], set, c, testEnv())
		if err != nil {
			t.Fatalf("%s: %v", who, err)
		}
		d := evs[0].Data.(*ListsReconciled)
		if d.HoldingParty != "ru" || len(d.Pairs) != 2 || d.Pairs[0].ID == "" || d.Pairs[0].ID == d.Pairs[1].ID ||
			strings.Join(d.Dropped, ",") != "old-open" || strings.Join(d.Unknown, ",") != "a3" || !IsPersonal(d) {
			t.Errorf("%s: %+v", who, d)
		}
	}
	for _, tt := range []struct {
		name  string
		actor string
		edit  func(*Reconcile)
		code  string
	}{
		{"an observer reads, does not run", "observer", nil, EFORBIDDEN},
		{"outside the group", "outsider.ua", nil, ENOTFOUND},
		{"a list changed meanwhile", "delegate.ua", func(c *Reconcile) { c.HeldVersion = 11 }, ECONFLICT},
		{"not a side", "delegate.ua", func(c *Reconcile) { c.AskingParty = "xx" }, EINVALID},
		{"a stranger in a pair", "delegate.ua", func(c *Reconcile) { c.Pairs[0].HeldID = "h9" }, EINVALID},
		{"a person matched twice", "delegate.ua", func(c *Reconcile) { c.Pairs[1].Kind = PairMatch; c.Pairs[1].HeldID = "h1" }, EINVALID},
		{"an unknown stranger", "delegate.ua", func(c *Reconcile) { c.Unknown = []string{"h1"} }, EINVALID},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := c
			c.Pairs = append([]ListPair(nil), c.Pairs...)
			if tt.edit != nil {
				tt.edit(&c)
			}
			if _, err := DecideReconcile(actors[tt.actor], set, c, testEnv()); ErrorCode(err) != tt.code {
				t.Errorf("got %v, want %s", err, tt.code)
			}
		})
	}
}

func TestDecideAnswerPair(t *testing.T) {
	set, actors := reconcileFixture()
	ps := PairSetting{Exchange: set.Exchange, Pair: Pair{ListPair: ListPair{ID: "p1", AskedID: "a1", HeldID: "h1", Kind: PairPossible}}}
	evs, err := DecideAnswerPair(actors["delegate.ru"], ps, AnswerPair{PairID: "p1", Confirmed: true}, testEnv())
	if err != nil {
		t.Fatal(err)
	}
	d := evs[0].Data.(*PairAnswered)
	if d.PartyID != "ru" || !d.Confirmed {
		t.Errorf("%+v", d)
	}
	ps.Pair.Answers = []PairAnswer{{PartyID: "ru", Confirmed: true}}
	if ps.Pair.Status() != PairOpen {
		t.Errorf("one side: %s", ps.Pair.Status())
	}
	if _, err := DecideAnswerPair(actors["delegate.ru"], ps, AnswerPair{PairID: "p1", Confirmed: true}, testEnv()); ErrorCode(err) != ECONFLICT {
		t.Errorf("a second answer of one side: %v", err)
	}
	for who, code := range map[string]string{"mediator": EFORBIDDEN, "observer": EFORBIDDEN, "outsider.ua": ENOTFOUND, "operator only": ENOTFOUND} {
		if _, err := DecideAnswerPair(actors[who], ps, AnswerPair{PairID: "p1", Confirmed: true}, testEnv()); ErrorCode(err) != code {
			t.Errorf("%s: %v, want %s", who, err, code)
		}
	}
	if err := (AnswerPair{PairID: "p1"}).Validate(); err == nil || err.(*Error).Fields["reason"] == "" {
		t.Errorf("a rejection without a reason: %v", err)
	}
	ps.Pair.Answers = append(ps.Pair.Answers, PairAnswer{PartyID: "ua", Confirmed: true})
	if ps.Pair.Status() != PairConfirmed {
		t.Errorf("both sides: %s", ps.Pair.Status())
	}
	ps.Pair.Answers = []PairAnswer{{PartyID: "ru", Confirmed: false, Reason: "born elsewhere"}}
	if ps.Pair.Status() != PairDisputed {
		t.Errorf("rejected: %s", ps.Pair.Status())
	}
	if _, err := DecideAnswerPair(actors["head.ua"], ps, AnswerPair{PairID: "p1", Confirmed: true}, testEnv()); ErrorCode(err) != ECONFLICT {
		t.Errorf("answer on a disputed pair: %v", err)
	}
}
