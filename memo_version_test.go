package parley

import "testing"

func TestDecideNameVersion(t *testing.T) {
	joint := newMemoFixture(JointDrafting)
	single := newMemoFixture(SingleText)
	single.set.Memo.Draft = 2
	items := []Clause{
		{ID: "s", Kind: KindSection, Number: "1", Texts: Texts{English: "Ceasefire"}},
		{ID: "c", ParentID: "s", Kind: KindClause, Number: "1.1", Texts: Texts{English: "The parties cease fire."},
			Alternatives: []Alternative{{ID: "alt", TabledBy: "B", Kind: BracketContentious, Texts: Texts{English: "The parties cease fire at once."},
				Stances: map[string]Stance{"B": StanceAccepts}}}},
	}
	tests := []struct {
		name      string
		set       MemoSetting
		a         Actor
		items     []Clause
		cmd       NameVersion
		code      string
		wantName  string
		wantDraft int
	}{
		{"a delegate names a version of a joint text", joint.set, joint.delegA, items, NameVersion{MemoID: "m", Name: " Draft of 2 June "}, "", "Draft of 2 June", 0},
		{"the mediator too", joint.set, joint.mediator, items, NameVersion{MemoID: "m", Name: "Mediator's reading"}, "", "Mediator's reading", 0},
		{"a name is needed in a joint text", joint.set, joint.headA, items, NameVersion{MemoID: "m", Name: "  "}, EINVALID, "", 0},
		{"an observer cannot", joint.set, joint.observer, items, NameVersion{MemoID: "m", Name: "x"}, EFORBIDDEN, "", 0},
		{"nothing to name", joint.set, joint.headA, nil, NameVersion{MemoID: "m", Name: "x"}, ECONFLICT, "", 0},
		{"the mediator issues the next draft", single.set, single.mediator, items, NameVersion{MemoID: "m"}, "", "Draft 3", 3},
		{"with a name of its own", single.set, single.mediator, items, NameVersion{MemoID: "m", Name: "Draft of 2 June"}, "", "Draft of 2 June", 3},
		{"a party does not issue drafts", single.set, single.headA, items, NameVersion{MemoID: "m", Name: "x"}, EFORBIDDEN, "", 0},
	}
	for _, tt := range tests {
		evs, err := DecideNameVersion(tt.a, tt.set, tt.items, tt.cmd, testEnv())
		if ErrorCode(err) != tt.code {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.code)
			continue
		}
		if err != nil {
			continue
		}
		d := evs[0].Data.(*MemoVersionNamed)
		if d.Name != tt.wantName || d.Draft != tt.wantDraft || d.MemoID != "m" || d.VersionID == "" {
			t.Errorf("%s: %+v", tt.name, d)
		}
		if len(d.Clauses) != 2 || d.Clauses[1].Number != "1.1" || len(d.Clauses[1].Alternatives) != 1 ||
			d.Clauses[1].Alternatives[0].TabledBy != "B" || d.Clauses[1].Alternatives[0].Texts[English] == "" {
			t.Errorf("%s: snapshot %+v", tt.name, d.Clauses)
		}
	}
	// The snapshot is a copy: a later change to the clauses does not reach it.
	evs, _ := DecideNameVersion(joint.headA, joint.set, items, NameVersion{MemoID: "m", Name: "x"}, testEnv())
	items[1].Texts[English] = "changed"
	if got := evs[0].Data.(*MemoVersionNamed).Clauses[1].Texts[English]; got != "The parties cease fire." {
		t.Errorf("snapshot shares its texts: %q", got)
	}
}

func TestNameVersionValidate(t *testing.T) {
	if err := (NameVersion{MemoID: "m", Name: "Draft of 2 June"}).Validate(); err != nil {
		t.Error(err)
	}
	if err := (NameVersion{Name: "x"}).Validate(); ErrorCode(err) != EINVALID {
		t.Errorf("no memo: %v", err)
	}
	long := make([]byte, maxTitle+1)
	for i := range long {
		long[i] = 'a'
	}
	if err := (NameVersion{MemoID: "m", Name: string(long)}).Validate(); ErrorCode(err) != EINVALID {
		t.Errorf("long name: %v", err)
	}
}
