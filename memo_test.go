package parley

import (
	"testing"
)

// memoFixture is a memorandum in a working group's space, with the two
// parties' heads, a delegate, the mediator and an observer.
type memoFixture struct {
	set                                       MemoSetting
	headA, headB, delegA, delegAuth, mediator Actor
	observer                                  Actor
}

func newMemoFixture(mode MemoMode) memoFixture {
	space := Space{ID: "gs", ProcessID: "p", Kind: SpaceGroup, GroupID: "g"}
	m := func(role Role, party string, authorised ...string) Actor {
		return Actor{AccountID: "acc-" + party + string(role), Members: []Membership{{ProcessID: "p", PartyID: party, Role: role, Groups: []string{"g"}, Authorised: authorised}}}
	}
	return memoFixture{
		set: MemoSetting{Memo: Memorandum{ID: "m", ProcessID: "p", SpaceID: "gs", Mode: mode, Languages: []Lang{English, Ukrainian, Russian}},
			Space: space, Parties: []string{"A", "B"}},
		headA: m(RoleHead, "A"), headB: m(RoleHead, "B"), delegA: m(RoleDelegate, "A"), delegAuth: m(RoleDelegate, "A", "g"),
		mediator: m(RoleMediator, "M"), observer: m(RoleObserver, "O"),
	}
}

func clause(status ClauseStatus) Clause {
	return Clause{ID: "c", MemoID: "m", Kind: KindClause, Texts: Texts{English: "The parties cease fire.", Russian: "Стороны прекращают огонь."},
		Status: status, Version: 3}
}

func TestNumbers(t *testing.T) {
	items := []Clause{
		{ID: "s2", Kind: KindSection, Position: 2},
		{ID: "s1", Kind: KindSection, Position: 1},
		{ID: "c12", ParentID: "s1", Kind: KindClause, Position: 5},
		{ID: "c11", ParentID: "s1", Kind: KindClause, Position: 1},
		{ID: "c21", ParentID: "s2", Kind: KindClause, Position: 0},
	}
	want := map[string]string{"s1": "1", "c11": "1.1", "c12": "1.2", "s2": "2", "c21": "2.1"}
	got := Numbers(items)
	for id, n := range want {
		if got[id] != n {
			t.Errorf("%s numbered %q, want %q", id, got[id], n)
		}
	}
}

// TestChangeTextMarksOthersStale: a change in one language marks every
// other written version out of date, re-opens an agreed clause, and an edit
// from an older version is refused with 409.
func TestChangeTextMarksOthersStale(t *testing.T) {
	f := newMemoFixture(JointDrafting)
	cl := clause(ClauseStatusAgreed)
	evs, err := DecideChangeClauseText(f.delegA, f.set, cl, ChangeClauseText{ClauseID: "c", Lang: English, Text: "The parties cease all fire.", Version: 3}, testEnv())
	if err != nil {
		t.Fatal(err)
	}
	d := evs[0].Data.(*ClauseTextChanged)
	if len(d.Stale) != 1 || d.Stale[0] != Russian {
		t.Errorf("stale %v, want [ru] (uk has no text to go stale)", d.Stale)
	}
	if !d.Reopened || d.Version != 4 {
		t.Errorf("reopened %v version %d", d.Reopened, d.Version)
	}
	_, err = DecideChangeClauseText(f.headB, f.set, cl, ChangeClauseText{ClauseID: "c", Lang: English, Text: "Other.", Version: 2}, testEnv())
	if ErrorCode(err) != ECONFLICT {
		t.Errorf("stale edit: %v, want conflict", err)
	}
	_, err = DecideChangeClauseText(f.headB, f.set, cl, ChangeClauseText{ClauseID: "c", Lang: Turkish, Text: "x", Version: 3}, testEnv())
	if ErrorCode(err) != EINVALID {
		t.Errorf("a language the memorandum lacks: %v", err)
	}
	// Out of date until confirmed; and only then signed off.
	stale := cl
	stale.Stale = []Lang{Russian}
	if _, err := DecideSignOffLanguage(f.headB, f.set, stale, SignOffLanguage{ClauseID: "c", Lang: Russian}, testEnv()); ErrorCode(err) != ECONFLICT {
		t.Errorf("sign off a stale version: %v", err)
	}
	if _, err := DecideConfirmTranslation(f.delegA, f.set, stale, ConfirmTranslation{ClauseID: "c", Lang: Russian}, testEnv()); err != nil {
		t.Errorf("confirm: %v", err)
	}
	if _, err := DecideConfirmTranslation(f.delegA, f.set, cl, ConfirmTranslation{ClauseID: "c", Lang: Russian}, testEnv()); ErrorCode(err) != ECONFLICT {
		t.Errorf("confirm an up-to-date version: %v", err)
	}
	if _, err := DecideSignOffLanguage(f.headB, f.set, cl, SignOffLanguage{ClauseID: "c", Lang: Russian}, testEnv()); err != nil {
		t.Errorf("sign off: %v", err)
	}
}

// TestClauseStatusRules: agreement needs no brackets and no stale version,
// and completes only with every party; initials need agreement; the
// memorandum is initialled only when nothing is left in brackets.
func TestClauseStatusRules(t *testing.T) {
	f := newMemoFixture(JointDrafting)
	env := testEnv()
	bracketed := clause(ClauseStatusBracketed)
	bracketed.Alternatives = []Alternative{{ID: "alt", ClauseID: "c", TabledBy: "B", Stances: map[string]Stance{"B": StanceAccepts}}}
	tests := []struct {
		name string
		do   func() ([]Event, error)
		code string
	}{
		{"agree with alternatives open", func() ([]Event, error) { return DecideAgreeClause(f.headA, f.set, bracketed, env) }, ECONFLICT},
		{"agree with a stale version", func() ([]Event, error) {
			c := clause(ClauseStatusBracketed)
			c.Stale = []Lang{Russian}
			return DecideAgreeClause(f.headA, f.set, c, env)
		}, ECONFLICT},
		{"a delegate without authority agrees", func() ([]Event, error) { return DecideAgreeClause(f.delegA, f.set, clause(ClauseStatusBracketed), env) }, EFORBIDDEN},
		{"an authorised delegate agrees", func() ([]Event, error) {
			return DecideAgreeClause(f.delegAuth, f.set, clause(ClauseStatusBracketed), env)
		}, ""},
		{"the mediator agrees for a party", func() ([]Event, error) {
			return DecideAgreeClause(f.mediator, f.set, clause(ClauseStatusBracketed), env)
		}, EFORBIDDEN},
		{"an observer", func() ([]Event, error) {
			return DecideAgreeClause(f.observer, f.set, clause(ClauseStatusBracketed), env)
		}, EFORBIDDEN},
		{"adopt before both accept", func() ([]Event, error) {
			return DecideAdoptAlternative(f.headB, f.set, bracketed, AdoptAlternative{AlternativeID: "alt"}, env)
		}, ECONFLICT},
		{"initial a bracketed clause", func() ([]Event, error) {
			return DecideInitialClause(f.headA, f.set, clause(ClauseStatusBracketed), env)
		}, ECONFLICT},
		{"a delegate initials", func() ([]Event, error) {
			return DecideInitialClause(f.delegAuth, f.set, clause(ClauseStatusAgreed), env)
		}, EFORBIDDEN},
		{"initial an agreed clause", func() ([]Event, error) { return DecideInitialClause(f.headA, f.set, clause(ClauseStatusAgreed), env) }, ""},
		{"initial the memorandum with a bracket left", func() ([]Event, error) {
			return DecideInitialMemo(f.headA, f.set, []Clause{clause(ClauseStatusAgreed), bracketed}, env)
		}, ECONFLICT},
		{"initial the memorandum when all is agreed", func() ([]Event, error) {
			return DecideInitialMemo(f.headA, f.set, []Clause{clause(ClauseStatusAgreed), clause(ClauseStatusInitialled), {ID: "s", Kind: KindSection, Status: ClauseStatusBracketed}}, env)
		}, ""},
	}
	for _, tt := range tests {
		evs, err := tt.do()
		if ErrorCode(err) != tt.code {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.code)
		}
		if err != nil && evs != nil {
			t.Errorf("%s: events with an error", tt.name)
		}
	}
	// Agreement completes with the second party.
	one := clause(ClauseStatusBracketed)
	evs, _ := DecideAgreeClause(f.headA, f.set, one, env)
	if evs[0].Data.(*ClauseAgreed).Complete {
		t.Error("one party's agreement completed the clause")
	}
	one.Agreed = []string{"A"}
	evs, _ = DecideAgreeClause(f.headB, f.set, one, env)
	if !evs[0].Data.(*ClauseAgreed).Complete {
		t.Error("the second party's agreement did not complete the clause")
	}
	// Adopting an alternative both accept.
	bracketed.Alternatives[0].Stances["A"] = StanceAccepts
	evs, err := DecideAdoptAlternative(f.headA, f.set, bracketed, AdoptAlternative{AlternativeID: "alt"}, env)
	if err != nil || !FormalActs[evs[0].Type()] {
		t.Errorf("adopt: %v", err)
	}
}

// TestSingleNegotiatingText: only the mediator writes the text; parties
// keep their positions.
func TestSingleNegotiatingText(t *testing.T) {
	f := newMemoFixture(SingleText)
	env := testEnv()
	if _, err := DecideAddClause(f.headA, f.set, nil, AddClause{MemoID: "m", Kind: KindClause, Texts: Texts{English: "x"}}, env); ErrorCode(err) != EFORBIDDEN {
		t.Errorf("a party writes a single negotiating text: %v", err)
	}
	if _, err := DecideAddClause(f.mediator, f.set, nil, AddClause{MemoID: "m", Kind: KindClause, Texts: Texts{English: "x"}}, env); err != nil {
		t.Errorf("the mediator writes it: %v", err)
	}
	cl := clause(ClauseStatusBracketed)
	cl.Alternatives = []Alternative{{ID: "alt", Stances: map[string]Stance{}}}
	if _, err := DecideTakeStance(f.headA, f.set, cl, TakeStance{AlternativeID: "alt", Stance: StanceReserves}, env); err != nil {
		t.Errorf("a party's stance: %v", err)
	}
	// Tabling in joint drafting: the tabling party accepts its alternative.
	j := newMemoFixture(JointDrafting)
	evs, err := DecideTableAlternative(j.delegA, j.set, clause(ClauseStatusAgreed), TableAlternative{ClauseID: "c", Kind: BracketContentious, Texts: Texts{English: "[alternative]"}}, env)
	if err != nil || len(evs) != 2 || !evs[0].Data.(*AlternativeTabled).Reopened || evs[1].Data.(*StanceTaken).Stance != StanceAccepts {
		t.Errorf("table: %v %+v", err, evs)
	}
}

func TestSetPrevailing(t *testing.T) {
	f := newMemoFixture(JointDrafting)
	env := testEnv()
	tests := []struct {
		name string
		a    Actor
		lang Lang
		code string
	}{
		{"the mediator sets English", f.mediator, English, ""},
		{"a head may not", f.headA, English, EFORBIDDEN},
		{"a language the memorandum lacks", f.mediator, Turkish, EINVALID},
		{"no change", f.mediator, "", ECONFLICT},
	}
	for _, tt := range tests {
		_, err := DecideSetPrevailing(tt.a, f.set, SetPrevailing{MemoID: "m", Lang: tt.lang}, env)
		if ErrorCode(err) != tt.code {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.code)
		}
	}
	done := f.set
	done.Memo.Initialled = []string{"A"}
	if _, err := DecideSetPrevailing(f.mediator, done, SetPrevailing{MemoID: "m", Lang: Russian}, env); ErrorCode(err) != ECONFLICT {
		t.Errorf("after initials: %v", err)
	}
}

func TestShareMemo(t *testing.T) {
	f := newMemoFixture(JointDrafting)
	caucus := Space{ID: "ca", ProcessID: "p", Kind: SpaceParty, PartyID: "A"}
	draft := f.set
	draft.Space = caucus
	group := f.set.Space
	items := []Clause{
		{ID: "s", Kind: KindSection, Texts: Texts{English: "Ceasefire"}},
		{ID: "c1", ParentID: "s", Kind: KindClause, Texts: Texts{English: "One."}},
		{ID: "c2", ParentID: "s", Kind: KindClause, Texts: Texts{English: "Two."}, Alternatives: []Alternative{{ID: "x"}}},
	}
	evs, err := DecideShareMemo(f.headA, draft, items, group, testEnv())
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 5 || evs[0].Scope.Space.ID != "gs" || !FormalActs[evs[1].Type()] {
		t.Fatalf("events %d, scope %v", len(evs), evs[0].Scope.Space.ID)
	}
	sec := evs[2].Data.(*ClauseAdded)
	c2 := evs[4].Data.(*ClauseAdded)
	if c2.ParentID != sec.ClauseID || c2.Position != 1 || c2.Texts[English] != "Two." {
		t.Errorf("copied clause %+v under %s", c2, sec.ClauseID)
	}
	tests := []struct {
		name string
		a    Actor
		set  MemoSetting
		to   Space
		code string
	}{
		{"a delegate without authority", f.delegA, draft, group, EFORBIDDEN},
		{"the other party", f.headB, draft, group, ENOTFOUND},
		{"a memorandum already shared", f.headA, f.set, group, ECONFLICT},
		{"into the public space", f.headA, draft, Space{ID: "pub", ProcessID: "p", Kind: SpacePublic}, EINVALID},
	}
	for _, tt := range tests {
		if _, err := DecideShareMemo(tt.a, tt.set, items, tt.to, testEnv()); ErrorCode(err) != tt.code {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.code)
		}
	}
}
