package storetest

import (
	"context"
	"testing"

	"github.com/parley-talks/parley"
)

// testMemoVersions names versions of a jointly drafted memorandum and
// issues the drafts of a single negotiating text: each version keeps the
// text as it was, whatever changed after, and only the readers of the
// memorandum see them.
func testMemoVersions(t *testing.T, open Open) {
	w := NewWorld(t, open(t), nil)
	ctx := context.Background()
	space := w.GroupSpace(parley.GroupPolitical)
	evs := w.Must(t, w.HeadA, parley.CreateMemo{SpaceID: space.ID, Title: "Memorandum on a ceasefire", Mode: parley.JointDrafting,
		Languages: []parley.Lang{parley.English, parley.Russian}})
	memo := evs[0].Data.(*parley.MemoCreated).MemoID
	evs = w.Must(t, w.HeadA, parley.AddClause{MemoID: memo, Kind: parley.KindClause, Texts: parley.Texts{parley.English: "The parties cease fire."}})
	c1 := evs[0].Data.(*parley.ClauseAdded).ClauseID
	w.Must(t, w.HeadB, parley.TableAlternative{ClauseID: c1, Kind: parley.BracketWording, Texts: parley.Texts{parley.English: "The parties cease all fire."}})
	evs = w.Must(t, w.DelegA, parley.NameVersion{MemoID: memo, Name: "Draft of 2 June"})
	v1 := evs[0].Data.(*parley.MemoVersionNamed).VersionID

	_, items, _ := w.DB.Memo(ctx, w.HeadA, memo)
	w.Must(t, w.HeadA, parley.ChangeClauseText{ClauseID: c1, Lang: parley.English, Version: items[0].Version, Text: "The parties cease fire at once."})
	w.Must(t, w.HeadB, parley.NameVersion{MemoID: memo, Name: "After the plenary"})

	vs, err := w.DB.MemoVersions(ctx, w.Mediator, memo)
	if err != nil || len(vs) != 2 || vs[0].Name != "Draft of 2 June" || vs[1].Name != "After the plenary" || vs[0].At.IsZero() || vs[0].Seq >= vs[1].Seq {
		t.Fatalf("versions %+v %v", vs, err)
	}
	v, err := w.DB.MemoVersion(ctx, w.HeadB, v1)
	if err != nil || len(v.Clauses) != 1 || v.Clauses[0].Texts[parley.English] != "The parties cease fire." || v.Clauses[0].Number != "1" ||
		len(v.Clauses[0].Alternatives) != 1 || v.Clauses[0].Alternatives[0].Texts[parley.English] != "The parties cease all fire." {
		t.Errorf("version %+v %v", v, err)
	}
	if _, err := w.DB.MemoVersion(ctx, w.Observer, v1); parley.ErrorCode(err) != parley.ENOTFOUND {
		t.Errorf("an observer outside the group reads a version: %v", err)
	}
	if vs, err := w.DB.MemoVersions(ctx, w.Observer, memo); err != nil || len(vs) != 0 {
		t.Errorf("an observer outside the group lists versions: %v %v", vs, err)
	}
	if m, _, _ := w.DB.Memo(ctx, w.HeadA, memo); m.Draft != 0 {
		t.Errorf("a joint text has no drafts: %d", m.Draft)
	}

	// A single negotiating text: the mediator issues drafts 1 and 2; a
	// party cannot.
	evs = w.Must(t, w.Mediator, parley.CreateMemo{SpaceID: space.ID, Title: "Single text", Mode: parley.SingleText, Languages: []parley.Lang{parley.English}})
	single := evs[0].Data.(*parley.MemoCreated).MemoID
	w.Must(t, w.Mediator, parley.AddClause{MemoID: single, Kind: parley.KindClause, Texts: parley.Texts{parley.English: "Exchange all for all."}})
	if _, err := w.Service.Do(ctx, w.HeadA, parley.NameVersion{MemoID: single, Name: "Ours"}); parley.ErrorCode(err) != parley.EFORBIDDEN {
		t.Errorf("a party issues a draft: %v", err)
	}
	w.Must(t, w.Mediator, parley.NameVersion{MemoID: single})
	evs = w.Must(t, w.Mediator, parley.NameVersion{MemoID: single, Name: "Draft of 3 June"})
	if d := evs[0].Data.(*parley.MemoVersionNamed); d.Draft != 2 {
		t.Errorf("second draft numbered %d", d.Draft)
	}
	m, _, _ := w.DB.Memo(ctx, w.HeadA, single)
	vs, _ = w.DB.MemoVersions(ctx, w.HeadA, single)
	if m.Draft != 2 || len(vs) != 2 || vs[0].Name != "Draft 1" || vs[0].Draft != 1 || vs[1].Draft != 2 {
		t.Errorf("memo draft %d, versions %+v", m.Draft, vs)
	}
}
