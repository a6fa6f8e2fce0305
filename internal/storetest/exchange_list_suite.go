package storetest

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/seal"
	"github.com/parley-talks/parley/internal/store"
)

// testExchangeLists imports people into the sides' lists and reads them
// back as each reader may; checks that no personal field is stored in
// plain anywhere in the database, that nothing is written or read without
// the data key, that a rotation of the key keeps every list readable under
// the new key alone, and that the access log records every access.
func testExchangeLists(t *testing.T, open Open) {
	ctx := context.Background()
	w := NewWorld(t, open(t), nil)
	key1 := mustKey(t)
	ring1, err := seal.NewKeyring(key1)
	if err != nil {
		t.Fatal(err)
	}
	w.DB.SetSealer(ring1)
	group := w.Groups[parley.GroupHumanitarian]
	id := w.Must(t, w.Mediator, parley.CreateExchange{GroupID: group.ID, Parties: []string{w.PartyA.ID, w.PartyB.ID},
		ExchangeTerms: parley.ExchangeTerms{Title: "10 for 10", Total: 10, Stages: 1,
			Categories: []parley.ExchangeCategoryTerms{{Code: "wounded", Name: "Wounded", Count: 4}, {Code: "other", Name: "Other", Count: 6}}}},
	)[0].Data.(*parley.ExchangeCreated).ExchangeID
	refused := func(a parley.Actor, cmd parley.Command, code string) {
		t.Helper()
		before, _ := w.DB.LastSeq(ctx)
		if _, err := w.Service.Do(ctx, a, cmd); parley.ErrorCode(err) != code {
			t.Errorf("%T: %v, want %s", cmd, err, code)
		}
		if after, _ := w.DB.LastSeq(ctx); after != before {
			t.Errorf("%T refused, yet the record grew from %d to %d", cmd, before, after)
		}
	}

	// Rare strings, to look for in the raw database afterwards.
	persons := []parley.Person{
		{Ref: "A-1", FamilyName: "Зюзюкевич", GivenName: "Олександр", Patronymic: "Миколайович", BirthDate: parley.PartialDate{Year: 1990, Month: 7, Day: 2},
			Rank: "сержант", ServiceNumber: "SN-77123", Unit: "в/ч А0000", Category: "wounded", MedicalNeeds: "Ампутація, потребує ношів"},
		{Ref: "A-2", FamilyName: "Qwertyuk", GivenName: "Mykola", MotherMaidenName: "Плюмбумова"},
		{Ref: "A-3", FamilyName: "Шевченко", GivenName: "Тарас", Category: "other"},
	}
	imp := parley.ImportPersons{ExchangeID: id, List: parley.ListHeld, Mode: parley.ImportAll, File: "held.csv", Format: "csv",
		SHA256: strings.Repeat("0f", 32), Rows: 3, Persons: persons}
	refused(w.Mediator, imp, parley.EFORBIDDEN)
	refused(w.Observer, imp, parley.EFORBIDDEN)
	refused(w.Outsider, imp, parley.ENOTFOUND)
	bad := imp
	bad.Persons = append([]parley.Person{{Ref: "A-0", FamilyName: "X", GivenName: "Y", Category: "civilians"}}, persons...)
	bad.Rows = 4
	refused(w.DelegA, bad, parley.EINVALID)

	// Without the data key, nothing personal is written.
	w.DB.SetSealer(nil)
	before, _ := w.DB.LastSeq(ctx)
	if _, err := w.Service.Do(ctx, w.DelegA, imp); !errors.Is(err, store.ErrNoDataKey) {
		t.Errorf("import without a data key: %v", err)
	}
	if after, _ := w.DB.LastSeq(ctx); after != before {
		t.Errorf("an import without a data key wrote entries %d..%d", before+1, after)
	}
	w.DB.SetSealer(ring1)

	evs := w.Must(t, w.DelegA, imp)
	if len(evs) != 2 {
		t.Fatalf("import: %d events", len(evs))
	}
	refused(w.HeadA, imp, parley.EINVALID) // the references are in the list now
	w.Must(t, w.HeadB, parley.ImportPersons{ExchangeID: id, List: parley.ListAsked, Mode: parley.ImportValid, File: "asked.xlsx", Format: "xlsx",
		SHA256: strings.Repeat("1e", 32), Rows: 3, Invalid: []int{3}, Persons: []parley.Person{
			{Ref: "B-1", FamilyName: "Зюзюкевич", GivenName: "Александр", Patronymic: "Николаевич"},
			{Ref: "B-2", FamilyName: "Шевченко", GivenName: "Тарас"}}})

	// Each reader of the group's space reads the lists; nobody else.
	space := parley.Space{ID: group.SpaceID, ProcessID: w.Process.ID, Kind: parley.SpaceGroup, GroupID: group.ID}
	for name, a := range w.Actors() {
		got, err := w.DB.ListPersons(ctx, a, id, w.PartyA.ID, parley.ListHeld)
		if !parley.Allowed(a, parley.ActRead, space) {
			if err == nil && len(got) > 0 {
				t.Errorf("%s reads %d people of a list it may not see", name, len(got))
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(got) != 3 {
			t.Fatalf("%s reads %d people", name, len(got))
		}
		for i, p := range got {
			want := persons[i]
			want.Script = parley.DetectScript(want.FamilyName, want.GivenName, want.Patronymic)
			if p.ID == "" || !reflect.DeepEqual(p.Person, want) {
				t.Errorf("%s reads %+v, want %+v", name, p, want)
			}
		}
	}
	counts, err := w.DB.ListCounts(ctx, w.Observer, id)
	if err != nil {
		t.Fatal(err)
	}
	gotCounts := map[string]int{}
	for _, c := range counts {
		gotCounts[c.PartyID+"/"+string(c.List)+"/"+c.Category] = c.Count
	}
	wantCounts := map[string]int{
		w.PartyA.ID + "/held/": 1, w.PartyA.ID + "/held/other": 1, w.PartyA.ID + "/held/wounded": 1, w.PartyB.ID + "/asked/": 2,
	}
	if !reflect.DeepEqual(gotCounts, wantCounts) {
		t.Errorf("counts %v, want %v", gotCounts, wantCounts)
	}
	imports, err := w.DB.ListImports(ctx, w.DelegB, id)
	if err != nil || len(imports) != 2 || imports[0].LeftOut != 1 || imports[0].Imported != 2 || imports[1].Rows != 3 || imports[1].SHA256 != strings.Repeat("0f", 32) {
		t.Errorf("imports %+v %v", imports, err)
	}

	// No personal field in plain anywhere in the database.
	secrets := []string{"Зюзюкевич", "Qwertyuk", "Плюмбумова", "SN-77123", "Ампутація", "в/ч А0000"}
	checkNoPlain(t, w.DB, secrets)

	// Nor read without the key.
	w.DB.SetSealer(nil)
	if _, err := w.DB.ListPersons(ctx, w.DelegB, id, w.PartyA.ID, parley.ListHeld); !errors.Is(err, store.ErrNoDataKey) {
		t.Errorf("read without a data key: %v", err)
	}

	// Rotation: a new key is added and made current, everything is sealed
	// anew with it, and the old key is no longer needed.
	key2 := mustKey(t)
	ring12, err := seal.NewKeyring(key1, key2)
	if err != nil {
		t.Fatal(err)
	}
	w.DB.SetSealer(ring12)
	st, err := w.DB.Reseal(ctx, nil)
	if err != nil || st.Sealed != 2 || st.Resealed != 2 {
		t.Errorf("reseal: %+v %v", st, err)
	}
	if st, err := w.DB.Reseal(ctx, nil); err != nil || st.Resealed != 0 {
		t.Errorf("a second reseal: %+v %v", st, err)
	}
	ring2, _ := seal.NewKeyring(key2)
	w.DB.SetSealer(ring2)
	if got, err := w.DB.ListPersons(ctx, w.Mediator, id, w.PartyB.ID, parley.ListAsked); err != nil || len(got) != 2 || got[0].FamilyName != "Зюзюкевич" {
		t.Errorf("after rotation: %+v %v", got, err)
	}
	w.DB.SetSealer(ring1)
	if _, err := w.DB.ListPersons(ctx, w.Mediator, id, w.PartyB.ID, parley.ListAsked); err == nil {
		t.Error("the old key alone still opens the lists after rotation")
	}
	w.DB.SetSealer(ring2)
	checkNoPlain(t, w.DB, secrets)

	// Views and exports are logged; the log is the operator's and the
	// heads'.
	w.Must(t, w.Observer, parley.LogAccess{ExchangeID: id, PartyID: w.PartyA.ID, List: parley.ListHeld, Access: parley.AccessView, Count: 3})
	w.Must(t, w.DelegB, parley.LogAccess{ExchangeID: id, PartyID: w.PartyA.ID, List: parley.ListHeld, Access: parley.AccessExport, Format: "hxl", Count: 3})
	refused(w.Outsider, parley.LogAccess{ExchangeID: id, PartyID: w.PartyA.ID, List: parley.ListHeld, Access: parley.AccessView}, parley.ENOTFOUND)
	for name, a := range w.Actors() {
		log, err := w.DB.AccessLog(ctx, a, w.Process.ID, 100)
		if !parley.MayReadAccessLog(a, w.Process.ID) {
			if err == nil {
				t.Errorf("%s reads the access log", name)
			}
			continue
		}
		if err != nil || len(log) != 4 {
			t.Fatalf("%s: access log %+v %v", name, log, err)
		}
		if log[0].Access != parley.AccessExport || log[0].Format != "hxl" || log[1].Access != parley.AccessView ||
			log[2].Access != parley.AccessImport || log[2].Count != 2 || log[3].PartyID != w.PartyA.ID || log[3].Count != 3 {
			t.Errorf("%s: access log %+v", name, log)
		}
	}

	// The tables are what the record says, the sealed entries included.
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

func mustKey(t *testing.T) seal.Key {
	t.Helper()
	k, err := seal.Generate()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// checkNoPlain fails t if any of secrets appears in any column of any row
// of the record or of the read tables, as the database returns them raw.
// The exchange's title, which is not personal, must be found: the search
// itself works.
func checkNoPlain(t *testing.T, db *store.DB, secrets []string) {
	t.Helper()
	if found := plainIn(t, db, []string{"10 for 10"}); len(found) == 0 {
		t.Error("the search for plain text does not find the exchange's title")
	}
	for _, f := range plainIn(t, db, secrets) {
		t.Errorf("%s in plain", f)
	}
}

// plainIn returns where in the database any of ss appears.
func plainIn(t *testing.T, db *store.DB, ss []string) []string {
	t.Helper()
	var found []string
	tables := []string{"entries"}
	for _, p := range store.ProjectionTables {
		tables = append(tables, p.Name)
	}
	for _, table := range tables {
		rows, err := db.SQL().Query(`SELECT * FROM ` + table)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, v := range vals {
				var b []byte
				switch x := v.(type) {
				case []byte:
					b = x
				case string:
					b = []byte(x)
				default:
					continue
				}
				for _, s := range ss {
					if bytes.Contains(b, []byte(s)) {
						found = append(found, table+"."+cols[i]+" holds "+s)
					}
				}
			}
		}
		rows.Close()
	}
	return found
}

// testExchangeReconcile runs the engine over side A's asked list and side
// B's held list: a clear match, a pair for review, a person unknown to
// the other side; both sides answer; a second run keeps the answered pairs
// and replaces the others; the reasons stay sealed, and the tables replay.
func testExchangeReconcile(t *testing.T, open Open) {
	ctx := context.Background()
	w := NewWorld(t, open(t), nil)
	ring, err := seal.NewKeyring(mustKey(t))
	if err != nil {
		t.Fatal(err)
	}
	w.DB.SetSealer(ring)
	group := w.Groups[parley.GroupHumanitarian]
	id := w.Must(t, w.Mediator, parley.CreateExchange{GroupID: group.ID, Parties: []string{w.PartyA.ID, w.PartyB.ID},
		ExchangeTerms: parley.ExchangeTerms{Title: "10 for 10", Total: 10, Stages: 1, Categories: []parley.ExchangeCategoryTerms{{Code: "all", Name: "All", Count: 10}}}},
	)[0].Data.(*parley.ExchangeCreated).ExchangeID
	imp := func(a parley.Actor, list parley.ListKind, ps ...parley.Person) {
		t.Helper()
		w.Must(t, a, parley.ImportPersons{ExchangeID: id, List: list, Mode: parley.ImportAll, File: "list.csv", Format: "csv",
			SHA256: strings.Repeat("cd", 32), Rows: len(ps), Persons: ps})
	}
	imp(w.DelegA, parley.ListAsked,
		parley.Person{Ref: "1", FamilyName: "Зюзюкевич", GivenName: "Олександр", Patronymic: "Миколайович", BirthDate: parley.PartialDate{Year: 1990, Month: 7, Day: 2}},
		parley.Person{Ref: "2", FamilyName: "Шевченко", GivenName: "Тарас"},
		parley.Person{Ref: "3", FamilyName: "Квітчастий", GivenName: "Орест", BirthDate: parley.PartialDate{Year: 1971}})
	imp(w.DelegB, parley.ListHeld,
		parley.Person{Ref: "R1", FamilyName: "Зюзюкевич", GivenName: "Александр", Patronymic: "Николаевич", BirthDate: parley.PartialDate{Year: 1990, Month: 7, Day: 2}},
		parley.Person{Ref: "R2", FamilyName: "Шевченко", GivenName: "Тарас", Patronymic: "Петрович", BirthDate: parley.PartialDate{Year: 1985, Month: 1, Day: 3}},
		parley.Person{Ref: "R3", FamilyName: "Шевченко", GivenName: "Тарас", Patronymic: "Иванович", BirthDate: parley.PartialDate{Year: 1979, Month: 5, Day: 6}})
	asked, _ := w.DB.ListPersons(ctx, w.DelegA, id, w.PartyA.ID, parley.ListAsked)
	held, _ := w.DB.ListPersons(ctx, w.DelegA, id, w.PartyB.ID, parley.ListHeld)
	if len(asked) != 3 || len(held) != 3 {
		t.Fatalf("lists: %d, %d", len(asked), len(held))
	}

	if _, err := w.Service.Reconcile(ctx, w.Observer, id, w.PartyA.ID); parley.ErrorCode(err) != parley.EFORBIDDEN {
		t.Errorf("an observer runs the engine: %v", err)
	}
	if _, err := w.Service.Reconcile(ctx, w.Outsider, id, w.PartyA.ID); parley.ErrorCode(err) != parley.ENOTFOUND {
		t.Errorf("an outsider runs the engine: %v", err)
	}
	if _, err := w.Service.Reconcile(ctx, w.Mediator, id, w.PartyA.ID); err != nil {
		t.Fatal(err)
	}
	pairs, unknown, err := w.DB.Pairs(ctx, w.Observer, id, w.PartyA.ID)
	if err != nil {
		t.Fatal(err)
	}
	var match *parley.Pair
	possible := 0
	for i, p := range pairs {
		if len(p.Reasons) == 0 || p.AskingParty != w.PartyA.ID || p.HoldingParty != w.PartyB.ID {
			t.Errorf("pair without its reasons or sides: %+v", p)
		}
		switch {
		case p.Kind == parley.PairMatch:
			match = &pairs[i]
		case p.AskedID == asked[1].ID:
			possible++
		}
	}
	if match == nil || match.AskedID != asked[0].ID || match.HeldID != held[0].ID || possible != 2 || len(pairs) != 3 {
		t.Fatalf("pairs %+v", pairs)
	}
	if len(unknown) != 1 || unknown[0] != asked[2].ID {
		t.Errorf("unknown %v", unknown)
	}

	// Both sides confirm the match; B rejects one possible pair.
	w.Must(t, w.DelegA, parley.AnswerPair{PairID: match.ID, Confirmed: true})
	if _, err := w.Service.Do(ctx, w.HeadA, parley.AnswerPair{PairID: match.ID, Confirmed: true}); parley.ErrorCode(err) != parley.ECONFLICT {
		t.Errorf("a side's second answer: %v", err)
	}
	if _, err := w.Service.Do(ctx, w.Mediator, parley.AnswerPair{PairID: match.ID, Confirmed: true}); parley.ErrorCode(err) != parley.EFORBIDDEN {
		t.Errorf("the mediator answers: %v", err)
	}
	w.Must(t, w.HeadB, parley.AnswerPair{PairID: match.ID, Confirmed: true})
	var rejected string
	for _, p := range pairs {
		if p.Kind == parley.PairPossible {
			rejected = p.ID
			break
		}
	}
	w.Must(t, w.DelegB, parley.AnswerPair{PairID: rejected, Reason: "Шевченко Тарас Петрович is held elsewhere"})

	// A second run keeps what was answered and replaces the rest.
	if _, err := w.Service.Reconcile(ctx, w.DelegB, id, w.PartyA.ID); err != nil {
		t.Fatal(err)
	}
	again, _, err := w.DB.Pairs(ctx, w.DelegA, id, w.PartyA.ID)
	if err != nil {
		t.Fatal(err)
	}
	status := map[string]parley.PairStatus{}
	for _, p := range again {
		status[p.ID] = p.Status()
	}
	if len(again) != 2 || status[match.ID] != parley.PairConfirmed || status[rejected] != parley.PairDisputed {
		t.Errorf("after a second run: %+v", again)
	}
	for _, p := range again {
		if p.ID == rejected && (len(p.Answers) != 1 || p.Answers[0].Reason == "" || p.Answers[0].Confirmed) {
			t.Errorf("the rejection's reason: %+v", p.Answers)
		}
	}
	checkNoPlain(t, w.DB, []string{"Зюзюкевич", "Квітчастий", "held elsewhere", "Петрович"})

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
