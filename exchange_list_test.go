package parley

import (
	"strings"
	"testing"
)

func listFixture() (ListSetting, map[string]Actor) {
	s := Space{ID: "sp-hum", ProcessID: "p1", Kind: SpaceGroup, GroupID: "g-hum"}
	x := Exchange{ID: "x1", ProcessID: "p1", GroupID: "g-hum", SpaceID: s.ID, Parties: []string{"ua", "ru"},
		Terms: ExchangeTerms{Title: "1,200 for 1,200", Total: 1200, Stages: 2,
			Categories: []ExchangeCategoryTerms{{Code: "wounded", Name: "Wounded", Count: 200}, {Code: "other", Name: "Other", Count: 1000}}}}
	member := func(party string, role Role, groups ...string) Actor {
		return Actor{AccountID: party + string(role), Members: []Membership{{ProcessID: "p1", PartyID: party, Role: role, Groups: groups}}}
	}
	actors := map[string]Actor{
		"head.ua":       member("ua", RoleHead),
		"delegate.ua":   member("ua", RoleDelegate, "g-hum"),
		"delegate.ru":   member("ru", RoleDelegate, "g-hum"),
		"outsider.ua":   member("ua", RoleDelegate, "g-mil"), // a delegate of another group
		"mediator":      member("tr", RoleMediator),
		"observer":      member("icrc", RoleObserver, "g-hum"),
		"third.party":   member("xx", RoleHead),
		"operator only": {AccountID: "op", Operator: true},
	}
	return ListSetting{Exchange: ExchangeSetting{Exchange: x, Space: s, Parties: []string{"ua", "ru", "xx"}}, Refs: map[string]bool{"UA-7": true}}, actors
}

func validImport() ImportPersons {
	return ImportPersons{ExchangeID: "x1", List: ListHeld, Mode: ImportAll, File: "held.csv", Format: "CSV",
		SHA256: strings.Repeat("ab", 32), Rows: 2,
		Persons: []Person{
			{Ref: "UA-1", FamilyName: "Шевченко", GivenName: "Олександр", Patronymic: "Миколайович", BirthDate: PartialDate{Year: 1990}, Category: "wounded"},
			{Ref: "UA-2", FamilyName: "Shevchenko", GivenName: "Oleksandr"},
		}}
}

func TestDecideImportPersons(t *testing.T) {
	set, actors := listFixture()
	evs, err := DecideImportPersons(actors["delegate.ua"], set, validImport(), testEnv())
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 2 {
		t.Fatalf("want the import and its access log line, got %d events", len(evs))
	}
	imp, ok := evs[0].Data.(*PersonsImported)
	if !ok || imp.PartyID != "ua" || imp.List != ListHeld || imp.Format != "csv" || len(imp.Persons) != 2 {
		t.Fatalf("import event: %+v", evs[0].Data)
	}
	if !IsPersonal(imp) || evs[0].Scope.Space.ID != "sp-hum" {
		t.Errorf("the import must be personal and in the group's space: %+v", evs[0].Scope)
	}
	if imp.Persons[0].ID == "" || imp.Persons[0].ID == imp.Persons[1].ID {
		t.Errorf("persons need their own identifiers: %+v", imp.Persons)
	}
	if imp.Persons[0].Script != ScriptCyrillic || imp.Persons[1].Script != ScriptLatin {
		t.Errorf("scripts not detected: %q %q", imp.Persons[0].Script, imp.Persons[1].Script)
	}
	log, ok := evs[1].Data.(*PersonalDataAccessed)
	if !ok || log.Access != AccessImport || log.Count != 2 || IsPersonal(log) || evs[1].Scope != (Scope{}) {
		t.Errorf("access log line: %+v in %+v", evs[1].Data, evs[1].Scope)
	}
}

func TestDecideImportPersonsRefused(t *testing.T) {
	set, actors := listFixture()
	for _, tt := range []struct {
		name   string
		actor  string
		edit   func(*ImportPersons)
		code   string
		fields []string
	}{
		{"the other side imports into its own list, not this one's", "mediator", nil, EFORBIDDEN, nil},
		{"an observer reads, does not import", "observer", nil, ENOTFOUND + "|" + EFORBIDDEN, nil},
		{"a delegate of another group does not see the exchange", "outsider.ua", nil, ENOTFOUND, nil},
		{"a party that is not a side", "third.party", nil, EFORBIDDEN, nil},
		{"the operator sees no content", "operator only", nil, ENOTFOUND, nil},
		{"invalid rows refuse an import of all rows", "delegate.ua", func(c *ImportPersons) { c.Invalid = []int{4}; c.Rows = 3 }, EINVALID, []string{"file"}},
		{"unknown mode and list", "delegate.ua", func(c *ImportPersons) { c.Mode = "some"; c.List = "x" }, EINVALID, []string{"mode", "list"}},
		{"format", "delegate.ua", func(c *ImportPersons) { c.Format = "ods" }, EINVALID, []string{"format"}},
		{"hash", "delegate.ua", func(c *ImportPersons) { c.SHA256 = "abc" }, EINVALID, []string{"sha256"}},
		{"no rows", "delegate.ua", func(c *ImportPersons) { c.Persons = nil }, EINVALID, []string{"file"}},
		{"rows fewer than imported", "delegate.ua", func(c *ImportPersons) { c.Rows = 1 }, EINVALID, []string{"rows"}},
		{"a category the agreement lacks", "delegate.ua", func(c *ImportPersons) { c.Persons[1].Category = "young" }, EINVALID, []string{"persons.1.category"}},
		{"a reference already in the list", "delegate.ua", func(c *ImportPersons) { c.Persons[1].Ref = "UA-7" }, EINVALID, []string{"persons.1.ref"}},
		{"a reference twice in the file", "delegate.ua", func(c *ImportPersons) { c.Persons[1].Ref = "UA-1" }, EINVALID, []string{"persons.1.ref"}},
		{"a person without a name", "delegate.ua", func(c *ImportPersons) { c.Persons[0].GivenName = " " }, EINVALID, []string{"persons.0.given_name"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := validImport()
			if tt.edit != nil {
				tt.edit(&c)
			}
			evs, err := DecideImportPersons(actors[tt.actor], set, c, testEnv())
			if err == nil || !strings.Contains(tt.code, ErrorCode(err)) {
				t.Fatalf("got %v (%d events), want %s", err, len(evs), tt.code)
			}
			e, _ := err.(*Error)
			for _, f := range tt.fields {
				if e == nil || e.Fields[f] == "" {
					t.Errorf("field %s not named in %v", f, err)
				}
			}
		})
	}
	// Only the valid rows, when the user chose so.
	c := validImport()
	c.Mode, c.Invalid, c.Rows = ImportValid, []int{3, 5}, 4
	evs, err := DecideImportPersons(actors["head.ua"], set, c, testEnv())
	if err != nil {
		t.Fatal(err)
	}
	if imp := evs[0].Data.(*PersonsImported); len(imp.Left) != 2 || len(imp.Persons) != 2 {
		t.Errorf("valid rows: %+v", imp)
	}
}

func TestDecideLogAccess(t *testing.T) {
	set, actors := listFixture()
	c := LogAccess{ExchangeID: "x1", PartyID: "ru", List: ListAsked, Access: AccessView, Count: 12}
	for _, who := range []string{"delegate.ua", "delegate.ru", "mediator", "observer", "head.ua"} {
		evs, err := DecideLogAccess(actors[who], set.Exchange, c, testEnv())
		if err != nil || len(evs) != 1 {
			t.Fatalf("%s: %v", who, err)
		}
		if d := evs[0].Data.(*PersonalDataAccessed); d.ProcessID != "p1" || d.Count != 12 || evs[0].Actor != actors[who].AccountID {
			t.Errorf("%s: %+v by %q", who, d, evs[0].Actor)
		}
	}
	for _, who := range []string{"outsider.ua", "operator only"} {
		if _, err := DecideLogAccess(actors[who], set.Exchange, c, testEnv()); ErrorCode(err) != ENOTFOUND {
			t.Errorf("%s: %v, want not found", who, err)
		}
	}
	bad := c
	bad.Access = AccessImport // an import is logged by the import itself
	if _, err := DecideLogAccess(actors["mediator"], set.Exchange, bad, testEnv()); err == nil || err.(*Error).Fields["access"] == "" {
		t.Errorf("an import logged by hand: %v", err)
	}
	bad = c
	bad.PartyID = "xx" // a party of the process, not a side of the exchange
	if _, err := DecideLogAccess(actors["mediator"], set.Exchange, bad, testEnv()); err == nil || err.(*Error).Fields["party_id"] == "" {
		t.Errorf("not a side: %v", err)
	}
}

func TestMayReadAccessLog(t *testing.T) {
	_, actors := listFixture()
	for who, want := range map[string]bool{"head.ua": true, "third.party": true, "operator only": true,
		"delegate.ua": false, "mediator": false, "observer": false} {
		if got := MayReadAccessLog(actors[who], "p1"); got != want {
			t.Errorf("%s: %v, want %v", who, got, want)
		}
		if MayReadAccessLog(actors[who], "p2") && !actors[who].Operator {
			t.Errorf("%s reads another process's log", who)
		}
	}
}
