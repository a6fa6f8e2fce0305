package parley

import (
	"testing"
	"time"
)

func statementFixture() (StatementSetting, memoFixture) {
	mf := newMemoFixture(JointDrafting)
	in := StatementInput{Title: Texts{English: "Joint statement"}, Texts: Texts{English: "The parties agreed three online working groups."}}
	in = in.clean()
	st := Statement{ID: "st", ProcessID: "p", SpaceID: "gs", Kind: JointStatement, Title: in.Title, Texts: in.Texts, Version: 1,
		Hash: StatementHash(in.Title, in.Texts, nil, time.Time{}), Status: StatementStatusDraft}
	return StatementSetting{Statement: st, Space: mf.set.Space, Parties: []string{"A", "B"}, Mediator: "M"}, mf
}

// TestStatementApproval: each head approves the exact words; an edit voids
// every approval; the statement is published only when every approval
// binds its present words and its embargo has passed.
func TestStatementApproval(t *testing.T) {
	set, f := statementFixture()
	public := Space{ID: "pub", ProcessID: "p", Kind: SpacePublic}
	env := testEnv()
	h := set.Statement.Hash
	for name, a := range map[string]Actor{"delegate": f.delegAuth, "observer": f.observer, "mediator (not needed)": f.mediator} {
		if _, err := DecideApproveStatement(a, set, ApproveStatement{StatementID: "st", Hash: h}, env); ErrorCode(err) != EFORBIDDEN {
			t.Errorf("%s approves: %v", name, err)
		}
	}
	if _, err := DecideApproveStatement(f.headA, set, ApproveStatement{StatementID: "st", Hash: StatementHash(Texts{}, Texts{English: "Other"}, nil, time.Time{})}, env); ErrorCode(err) != ECONFLICT {
		t.Errorf("a stale hash: %v", err)
	}
	evs, err := DecideApproveStatement(f.headA, set, ApproveStatement{StatementID: "st", Hash: h}, env)
	if err != nil || evs[0].Data.(*StatementApproved).Complete {
		t.Fatalf("A approves: %v", err)
	}
	set.Statement.Approvals = []StatementApproval{{PartyID: "A", Hash: h}}
	if _, err := DecidePublishStatement(SystemActor, set, public, env); ErrorCode(err) != ECONFLICT {
		t.Errorf("published with B's approval missing: %v", err)
	}
	evs, err = DecideApproveStatement(f.headB, set, ApproveStatement{StatementID: "st", Hash: h}, env)
	if err != nil || !evs[0].Data.(*StatementApproved).Complete {
		t.Fatalf("B approves: %v", err)
	}
	set.Statement.Approvals = append(set.Statement.Approvals, StatementApproval{PartyID: "B", Hash: h})
	edit := EditStatement{StatementID: "st", Version: 1, StatementInput: StatementInput{Title: Texts{English: "Joint statement"},
		Texts: Texts{English: "The parties agreed three online working groups, meeting weekly."}}}
	evs, err = DecideEditStatement(f.mediator, set, edit, env)
	if err != nil || !evs[0].Data.(*StatementEdited).Reset {
		t.Fatalf("edit: %v", err)
	}
	stale := set
	stale.Statement.Hash = evs[0].Data.(*StatementEdited).Hash
	if _, err := DecidePublishStatement(SystemActor, stale, public, env); ErrorCode(err) != ECONFLICT {
		t.Errorf("published with stale approvals: %v", err)
	}
	if _, err := DecideEditStatement(f.mediator, set, EditStatement{StatementID: "st", Version: 0, StatementInput: edit.StatementInput}, env); ErrorCode(err) != ECONFLICT {
		t.Errorf("an edit from an old version: %v", err)
	}
	embargoed := set
	embargoed.Statement.Embargo = env.Now.Add(time.Hour)
	if _, err := DecidePublishStatement(SystemActor, embargoed, public, env); ErrorCode(err) != ECONFLICT {
		t.Errorf("published before its embargo: %v", err)
	}
	evs, err = DecidePublishStatement(SystemActor, set, public, env)
	if err != nil || evs[0].Scope.Space.Kind != SpacePublic || evs[0].Data.(*StatementPublished).Texts[English] == "" {
		t.Fatalf("publish: %v %+v", err, evs)
	}
	if _, err := DecidePublishStatement(f.headA, set, public, env); ErrorCode(err) != EFORBIDDEN {
		t.Errorf("a person publishes: %v", err)
	}
	set.NeedsMediator = true // the process wants the mediator's approval
	if _, err := DecidePublishStatement(SystemActor, set, public, env); ErrorCode(err) != ECONFLICT {
		t.Errorf("published without the mediator's approval: %v", err)
	}
	if _, err := DecideApproveStatement(f.mediator, set, ApproveStatement{StatementID: "st", Hash: h}, env); err != nil {
		t.Errorf("the mediator approves: %v", err)
	}
}

func TestStatementHashBindsEveryLanguage(t *testing.T) {
	title, texts := Texts{English: "T", Ukrainian: "Т"}, Texts{English: "Text", Ukrainian: "Текст"}
	base := StatementHash(title, texts, nil, time.Time{})
	for name, h := range map[string]string{
		"uk":      StatementHash(title, Texts{English: "Text", Ukrainian: "Текст."}, nil, time.Time{}),
		"figure":  StatementHash(title, texts, []Figure{{Label: Texts{English: "Exchanged"}, Value: 390, AsOf: "2026-06-02"}}, time.Time{}),
		"embargo": StatementHash(title, texts, nil, time.Date(2026, 6, 2, 10, 0, 0, 0, time.UTC)),
		"title":   StatementHash(Texts{English: "T2", Ukrainian: "Т"}, texts, nil, time.Time{}),
	} {
		if h == base {
			t.Errorf("changing the %s keeps the hash", name)
		}
	}
}

// TestUnilateralStatement: drafted in a caucus, it is the party's own and
// needs only its head.
func TestUnilateralStatement(t *testing.T) {
	_, f := statementFixture()
	caucus := Space{ID: "ca", ProcessID: "p", Kind: SpaceParty, PartyID: "A"}
	evs, err := DecideDraftStatement(f.delegA, caucus, DraftStatement{SpaceID: "ca", StatementInput: StatementInput{
		Title: Texts{English: "Statement of A"}, Texts: Texts{English: "A is ready for the next round."}, NeedsMediator: true}}, testEnv())
	if err != nil {
		t.Fatal(err)
	}
	d := evs[0].Data.(*StatementDrafted)
	if d.Kind != UnilateralStatement || d.PartyID != "A" || d.NeedsMediator {
		t.Errorf("drafted %+v", d)
	}
	set := StatementSetting{Statement: Statement{ID: "u", Kind: UnilateralStatement, PartyID: "A", Hash: d.Hash}, Space: caucus, Parties: []string{"A", "B"}, Mediator: "M"}
	if a := set.Approvers(); len(a) != 1 || a[0] != "A" {
		t.Errorf("approvers %v", a)
	}
	if _, err := DecideApproveStatement(f.headB, set, ApproveStatement{StatementID: "u", Hash: d.Hash}, testEnv()); ErrorCode(err) != ENOTFOUND {
		t.Errorf("B's head approves A's statement: %v", err)
	}
	bad := DraftStatement{SpaceID: "ca", StatementInput: StatementInput{Title: Texts{English: "T"}, Texts: Texts{English: "x", Ukrainian: "х"}}}
	if ErrorCode(bad.Validate()) != EINVALID {
		t.Error("a text without its title was accepted")
	}
}

func TestStatementRules(t *testing.T) {
	_, f := statementFixture()
	if _, err := DecideSetStatementRules(f.headA, SetStatementRules{ProcessID: "p", NeedsMediator: true}, testEnv()); ErrorCode(err) != EFORBIDDEN {
		t.Errorf("a head sets the rules: %v", err)
	}
	if _, err := DecideSetStatementRules(f.mediator, SetStatementRules{ProcessID: "p", NeedsMediator: true}, testEnv()); err != nil {
		t.Errorf("the mediator sets the rules: %v", err)
	}
}
