package parley

import (
	"fmt"
	"reflect"
	"testing"
	"time"
)

func testEnv() Env {
	n := 0
	return Env{Now: time.Date(2025, 7, 23, 9, 0, 0, 0, time.UTC), NewID: func() string { n++; return fmt.Sprintf("id%d", n) }}
}

func TestDecideAddMember(t *testing.T) {
	op := Actor{AccountID: "op", Operator: true}
	partyA := Party{ID: "pa", ProcessID: "p", Kind: PartyNegotiating}
	med := Party{ID: "pm", ProcessID: "p", Kind: PartyMediator}
	existing := []Member{{ID: "m1", ProcessID: "p", AccountID: "acc1", PartyID: "pa", Role: RoleHead}}
	tests := []struct {
		name  string
		a     Actor
		party Party
		cmd   AddMember
		code  string
	}{
		{"delegate to a party", op, partyA, AddMember{ProcessID: "p", AccountID: "acc2", PartyID: "pa", Role: RoleDelegate}, ""},
		{"second head", op, partyA, AddMember{ProcessID: "p", AccountID: "acc2", PartyID: "pa", Role: RoleHead}, ECONFLICT},
		{"account twice", op, partyA, AddMember{ProcessID: "p", AccountID: "acc1", PartyID: "pa", Role: RoleDelegate}, ECONFLICT},
		{"mediator role in a party", op, partyA, AddMember{ProcessID: "p", AccountID: "acc2", PartyID: "pa", Role: RoleMediator}, EINVALID},
		{"head in the mediator", op, med, AddMember{ProcessID: "p", AccountID: "acc2", PartyID: "pm", Role: RoleHead}, EINVALID},
		{"party of another process", op, partyA, AddMember{ProcessID: "q", AccountID: "acc2", PartyID: "pa", Role: RoleDelegate}, ENOTFOUND},
		{"not the operator", Actor{AccountID: "h", Members: []Membership{{ProcessID: "p", PartyID: "pa", Role: RoleHead}}}, partyA,
			AddMember{ProcessID: "p", AccountID: "acc2", PartyID: "pa", Role: RoleDelegate}, EFORBIDDEN},
	}
	for _, tt := range tests {
		evs, err := DecideAddMember(tt.a, tt.party, existing, tt.cmd, testEnv())
		if got := ErrorCode(err); got != tt.code {
			t.Errorf("%s: code %q (%v), want %q", tt.name, got, err, tt.code)
		}
		if err == nil && (len(evs) != 1 || evs[0].Scope != ProcessScope("p") || evs[0].Actor != "op") {
			t.Errorf("%s: events %+v", tt.name, evs)
		}
		if err != nil && evs != nil {
			t.Errorf("%s: events returned with an error", tt.name)
		}
	}
}

func TestDecideCreateProcessOpensSpaces(t *testing.T) {
	evs, err := DecideCreateProcess(Actor{AccountID: "op", Operator: true}, CreateProcess{Title: " Talks ", Languages: []Lang{English}}, testEnv())
	if err != nil {
		t.Fatal(err)
	}
	var kinds []SpaceKind
	for _, e := range evs[1:] {
		kinds = append(kinds, e.Data.(*SpaceOpened).Kind)
	}
	if got := evs[0].Data.(*ProcessCreated).Title; got != "Talks" {
		t.Errorf("title %q, want trimmed", got)
	}
	if !reflect.DeepEqual(kinds, []SpaceKind{SpacePublic, SpaceHeads}) {
		t.Errorf("spaces opened: %v", kinds)
	}
	if _, err := DecideCreateProcess(Actor{AccountID: "x"}, CreateProcess{Title: "T"}, testEnv()); ErrorCode(err) != EFORBIDDEN {
		t.Errorf("non-operator creates a process: %v", err)
	}
}

func TestDecideEditProcessConflict(t *testing.T) {
	op := Actor{AccountID: "op", Operator: true}
	p := Process{ID: "p", Version: 3}
	if _, err := DecideEditProcess(op, p, EditProcess{ProcessID: "p", Title: "T", Languages: []Lang{English}, Version: 2}, testEnv()); ErrorCode(err) != ECONFLICT {
		t.Errorf("stale edit: %v", err)
	}
	evs, err := DecideEditProcess(op, p, EditProcess{ProcessID: "p", Title: "T", Languages: []Lang{English}, Version: 3}, testEnv())
	if err != nil || evs[0].Data.(*ProcessEdited).Version != 4 {
		t.Errorf("edit: %v %+v", err, evs)
	}
}

func TestValidateNamesFields(t *testing.T) {
	tests := []struct {
		name   string
		cmd    Command
		fields []string
	}{
		{"empty process", CreateProcess{}, []string{"title", "languages"}},
		{"bad language", CreateProcess{Title: "T", Languages: []Lang{"xx"}}, []string{"languages"}},
		{"bad dates", ScheduleRound{ProcessID: "p", Title: "R", StartsOn: "2025-13-01", EndsOn: "x"}, []string{"starts_on", "ends_on"}},
		{"end before start", ScheduleRound{ProcessID: "p", Title: "R", StartsOn: "2025-07-23", EndsOn: "2025-07-22"}, []string{"ends_on"}},
		{"bad id", PostMessage{ThreadID: "DROP TABLE", Body: "x"}, []string{"thread_id"}},
		{"empty body", PostMessage{ThreadID: "t1", Body: "  "}, []string{"body"}},
		{"no names", CreateGroup{ProcessID: "p", Kind: "x"}, []string{"kind", "names"}},
		{"no role", AddMember{ProcessID: "p", AccountID: "a", PartyID: "b", Role: "king"}, []string{"role"}},
		{"fine", StartThread{SpaceID: "s", Title: "t", Body: "b"}, nil},
	}
	for _, tt := range tests {
		err := tt.cmd.Validate()
		if e, ok := err.(*Error); ok {
			if e.Code != EINVALID {
				t.Errorf("%s: code %s", tt.name, e.Code)
			}
			for _, f := range tt.fields {
				if _, ok := e.Fields[f]; !ok {
					t.Errorf("%s: field %s not named in %v", tt.name, f, e.Fields)
				}
			}
		} else if err != nil {
			t.Errorf("%s: %T %v", tt.name, err, err)
		}
		if (len(tt.fields) == 0) != (err == nil) {
			t.Errorf("%s: err = %v, want fields %v", tt.name, err, tt.fields)
		}
	}
}

func TestDecideEditMessage(t *testing.T) {
	sp := Space{ID: "s", ProcessID: "p", Kind: SpaceParty, PartyID: "A"}
	author := Actor{AccountID: "a1", Members: []Membership{{ProcessID: "p", PartyID: "A", Role: RoleDelegate}}}
	other := Actor{AccountID: "a2", Members: []Membership{{ProcessID: "p", PartyID: "A", Role: RoleHead}}}
	m := Message{ID: "m", ThreadID: "t", SpaceID: "s", AuthorID: "a1", Body: "old", Version: 1}
	tests := []struct {
		name string
		a    Actor
		cmd  EditMessage
		code string
	}{
		{"author edits", author, EditMessage{MessageID: "m", Body: "new\r\n", Version: 1}, ""},
		{"someone else", other, EditMessage{MessageID: "m", Body: "new", Version: 1}, EFORBIDDEN},
		{"stale version", author, EditMessage{MessageID: "m", Body: "new", Version: 2}, ECONFLICT},
		{"unchanged", author, EditMessage{MessageID: "m", Body: " old ", Version: 1}, EINVALID},
	}
	for _, tt := range tests {
		evs, err := DecideEditMessage(tt.a, sp, m, tt.cmd, testEnv())
		if ErrorCode(err) != tt.code {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.code)
		}
		if err == nil {
			if d := evs[0].Data.(*MessageEdited); d.Body != "new" || d.Version != 2 {
				t.Errorf("%s: %+v", tt.name, d)
			}
		}
	}
}

// TestEventsRoundTrip checks that every registered event type encodes
// deterministically and decodes to the same value.
func TestEventsRoundTrip(t *testing.T) {
	for _, typ := range EventTypes() {
		d := eventTypes[typ]()
		fillStrings(reflect.ValueOf(d).Elem())
		b1, err := MarshalEventData(d)
		if err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		got, err := UnmarshalEventData(typ, b1)
		if err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		if !reflect.DeepEqual(got, d) {
			t.Errorf("%s: round trip gave %+v, want %+v", typ, got, d)
		}
		b2, _ := MarshalEventData(got)
		if string(b1) != string(b2) {
			t.Errorf("%s: encoding not deterministic: %s vs %s", typ, b1, b2)
		}
	}
	if _, err := UnmarshalEventData("no.such", []byte("{}")); err == nil {
		t.Error("unknown event type decoded")
	}
}

// fillStrings sets every string field of v to a distinct value, so a field
// lost in the round trip shows.
func fillStrings(v reflect.Value) {
	for i := 0; i < v.NumField(); i++ {
		f := v.Field(i)
		switch f.Kind() {
		case reflect.String:
			f.SetString(v.Type().Field(i).Name + "-x")
		case reflect.Int:
			f.SetInt(int64(i + 7))
		case reflect.Bool:
			f.SetBool(true)
		case reflect.Map:
			f.Set(reflect.ValueOf(map[Lang]string{English: "e", Ukrainian: "у"}).Convert(f.Type()))
		case reflect.Slice:
			if f.Type().Elem().Kind() == reflect.String {
				sl := reflect.MakeSlice(f.Type(), 2, 2)
				sl.Index(0).SetString("en")
				sl.Index(1).SetString("tr")
				f.Set(sl)
			}
		case reflect.Struct:
			if f.Type() == reflect.TypeOf(time.Time{}) {
				f.Set(reflect.ValueOf(time.Date(2025, 7, 23, 9, 30, 0, 0, time.UTC)))
			} else {
				fillStrings(f)
			}
		case reflect.Pointer:
			f.Set(reflect.New(f.Type().Elem()))
			fillStrings(f.Elem())
		}
	}
}

func TestDecideChangeRole(t *testing.T) {
	op := Actor{AccountID: "op", Operator: true}
	party := Party{ID: "pa", ProcessID: "p", Kind: PartyNegotiating}
	head := Member{ID: "m1", ProcessID: "p", PartyID: "pa", Role: RoleHead}
	deleg := Member{ID: "m2", ProcessID: "p", PartyID: "pa", Role: RoleDelegate}
	tests := []struct {
		name     string
		existing []Member
		m        Member
		role     Role
		code     string
	}{
		{"delegate to head while a head exists", []Member{head, deleg}, deleg, RoleHead, ECONFLICT},
		{"head steps down", []Member{head, deleg}, head, RoleDelegate, ""},
		{"delegate to head once no head", []Member{{ID: "m1", PartyID: "pa", Role: RoleDelegate}, deleg}, deleg, RoleHead, ""},
		{"mediator role in a party", []Member{head, deleg}, deleg, RoleMediator, EINVALID},
		{"unchanged", []Member{head, deleg}, deleg, RoleDelegate, EINVALID},
	}
	for _, tt := range tests {
		_, err := DecideChangeRole(op, party, tt.existing, tt.m, ChangeRole{MemberID: tt.m.ID, Role: tt.role}, testEnv())
		if ErrorCode(err) != tt.code {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.code)
		}
	}
	if _, err := DecideChangeRole(Actor{AccountID: "x"}, party, nil, deleg, ChangeRole{MemberID: "m2", Role: RoleHead}, testEnv()); ErrorCode(err) != EFORBIDDEN {
		t.Errorf("non-operator: %v", err)
	}
}
