package parley

import (
	"reflect"
	"strings"
	"testing"
)

// exchangeWorld is a working group's space with its readers and the
// mediator.
func exchangeWorld() (sp Space, med, headA, delegIn, delegOut, observer, outsider Actor) {
	sp = Space{ID: "s", ProcessID: "p", Kind: SpaceGroup, GroupID: "g"}
	member := func(id string, role Role, party string, groups ...string) Actor {
		return Actor{AccountID: id, Members: []Membership{{MemberID: "m-" + id, ProcessID: "p", PartyID: party, Role: role, Groups: groups}}}
	}
	return sp, member("med", RoleMediator, "pm"), member("ha", RoleHead, "pa"), member("da", RoleDelegate, "pa", "g"),
		member("dx", RoleDelegate, "pa", "other"), member("ob", RoleObserver, "po", "g"), Actor{AccountID: "x"}
}

func terms1200() ExchangeTerms {
	return ExchangeTerms{Title: "1,200 for 1,200", Total: 1200, Stages: 4, Categories: []ExchangeCategoryTerms{
		{Code: "wounded", Name: "Seriously wounded and sick", Count: 120},
		{Code: "young", Name: "Young, under 21", Count: 300},
		{Code: "long_held", Name: "Long in captivity", Count: 280},
		{Code: "others", Name: "Others", Count: 500},
	}}
}

func TestExchangeValidate(t *testing.T) {
	good := terms1200()
	with := func(f func(*ExchangeTerms)) ExchangeTerms {
		x := terms1200()
		x.Categories = append([]ExchangeCategoryTerms(nil), x.Categories...)
		f(&x)
		return x
	}
	parties := []string{"pa", "pb"}
	tests := []struct {
		name   string
		cmd    Command
		fields []string
	}{
		{"good", CreateExchange{GroupID: "g", Parties: parties, ExchangeTerms: good}, nil},
		{"all for all, no counts", CreateExchange{GroupID: "g", Parties: parties, ExchangeTerms: with(func(x *ExchangeTerms) {
			x.AllForAll, x.Total = true, 0
			for i := range x.Categories {
				x.Categories[i].Count = 0
			}
		})}, nil},
		{"all for all with a total", CreateExchange{GroupID: "g", Parties: parties, ExchangeTerms: with(func(x *ExchangeTerms) { x.AllForAll = true })}, []string{"total"}},
		{"no categories", CreateExchange{GroupID: "g", Parties: parties, ExchangeTerms: with(func(x *ExchangeTerms) { x.Categories = nil })}, []string{"categories"}},
		{"duplicate codes", CreateExchange{GroupID: "g", Parties: parties, ExchangeTerms: with(func(x *ExchangeTerms) { x.Categories[1].Code = "wounded" })},
			[]string{"categories.1.code"}},
		{"bad code", CreateExchange{GroupID: "g", Parties: parties, ExchangeTerms: with(func(x *ExchangeTerms) { x.Categories[2].Code = "Long held" })}, []string{"categories.2.code"}},
		{"negative count", CreateExchange{GroupID: "g", Parties: parties, ExchangeTerms: with(func(x *ExchangeTerms) { x.Categories[0].Count = -1 })},
			[]string{"categories.0.count", "total"}},
		{"absurd count", CreateExchange{GroupID: "g", Parties: parties, ExchangeTerms: with(func(x *ExchangeTerms) {
			x.Categories[3].Count = 1000000
			x.Total = 1000700
		})}, []string{"categories.3.count", "total"}},
		{"zero count without all for all", CreateExchange{GroupID: "g", Parties: parties, ExchangeTerms: with(func(x *ExchangeTerms) {
			x.Categories[3].Count, x.Total = 0, 700
		})}, []string{"categories.3.count"}},
		{"total not the sum", CreateExchange{GroupID: "g", Parties: parties, ExchangeTerms: with(func(x *ExchangeTerms) { x.Total = 1000 })}, []string{"total"}},
		{"no name, no title, no stages", CreateExchange{GroupID: "g", Parties: parties, ExchangeTerms: with(func(x *ExchangeTerms) {
			x.Title, x.Categories[0].Name, x.Stages = " ", "", 0
		})}, []string{"title", "categories.0.name", "stages"}},
		{"one party", CreateExchange{GroupID: "g", Parties: []string{"pa"}, ExchangeTerms: good}, []string{"parties"}},
		{"the same party twice", CreateExchange{GroupID: "g", Parties: []string{"pa", "pa"}, ExchangeTerms: good}, []string{"parties"}},
		{"no group", CreateExchange{Parties: parties, ExchangeTerms: good}, []string{"group_id"}},
		{"edit: bad terms", EditExchangeTerms{ExchangeID: "x", ExchangeTerms: with(func(x *ExchangeTerms) { x.Stages = 101 })}, []string{"stages"}},
		{"stage", PlanStage{ExchangeID: "x", Date: "2025-08-01", Counts: []StageCount{{"wounded", 120}}}, nil},
		{"stage date not a date", PlanStage{ExchangeID: "x", Date: "1 August", Counts: []StageCount{{"wounded", 120}}}, []string{"date"}},
		{"stage date impossible", PlanStage{ExchangeID: "x", Date: "2025-02-30", Counts: []StageCount{{"wounded", 120}}}, []string{"date"}},
		{"stage carries nobody", PlanStage{ExchangeID: "x", Date: "2025-08-01", Counts: []StageCount{{"wounded", 0}}}, []string{"counts"}},
		{"stage negative", PlanStage{ExchangeID: "x", Date: "2025-08-01", Counts: []StageCount{{"wounded", -5}, {"young", 10}}}, []string{"counts.wounded"}},
		{"stage absurd", PlanStage{ExchangeID: "x", Date: "2025-08-01", Counts: []StageCount{{"wounded", 100001}}}, []string{"counts.wounded", "counts"}},
		{"stage category twice", PlanStage{ExchangeID: "x", Date: "2025-08-01", Counts: []StageCount{{"young", 1}, {"young", 2}}}, []string{"counts.young"}},
		{"edit stage without number", EditStage{ExchangeID: "x", Date: "2025-08-01", Counts: []StageCount{{"young", 1}}}, []string{"number"}},
	}
	for _, tt := range tests {
		err := tt.cmd.Validate()
		e, _ := err.(*Error)
		if (len(tt.fields) == 0) != (err == nil) {
			t.Errorf("%s: err = %v, want fields %v", tt.name, err, tt.fields)
			continue
		}
		if err == nil {
			continue
		}
		if e == nil || e.Code != EINVALID {
			t.Errorf("%s: %T %v, want EINVALID", tt.name, err, err)
			continue
		}
		for _, f := range tt.fields {
			if e.Fields[f] == "" {
				t.Errorf("%s: field %s not named in %v", tt.name, f, e.Fields)
			}
		}
	}
}

func TestDecideCreateExchange(t *testing.T) {
	sp, med, headA, delegIn, delegOut, observer, outsider := exchangeWorld()
	parties := []string{"pa", "pb"}
	c := CreateExchange{GroupID: "g", Parties: parties, ExchangeTerms: terms1200()}
	c.Title = "  1,200 for 1,200 "
	tests := []struct {
		name  string
		a     Actor
		s     Space
		cmd   CreateExchange
		code  string
		field string
	}{
		{"the mediator", med, sp, c, "", ""},
		{"a head", headA, sp, c, EFORBIDDEN, ""},
		{"a delegate of the group", delegIn, sp, c, EFORBIDDEN, ""},
		{"the group's observer", observer, sp, c, EFORBIDDEN, ""},
		{"a delegate outside the group", delegOut, sp, c, ENOTFOUND, ""},
		{"an outsider", outsider, sp, c, ENOTFOUND, ""},
		{"a party not negotiating", med, sp, CreateExchange{GroupID: "g", Parties: []string{"pa", "pm"}, ExchangeTerms: terms1200()}, EINVALID, "parties"},
		{"the heads' channel", med, Space{ID: "h", ProcessID: "p", Kind: SpaceHeads, WithMediator: true}, c, EINVALID, "group_id"},
	}
	for _, tt := range tests {
		evs, err := DecideCreateExchange(tt.a, tt.s, parties, tt.cmd, testEnv())
		if ErrorCode(err) != tt.code {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.code)
			continue
		}
		if tt.field != "" && err.(*Error).Fields[tt.field] == "" {
			t.Errorf("%s: %v does not name %s", tt.name, err, tt.field)
		}
		if err != nil {
			continue
		}
		d := evs[0].Data.(*ExchangeCreated)
		if d.Title != "1,200 for 1,200" || d.Total != 1200 || len(d.Categories) != 4 || evs[0].Scope != SpaceScope(sp) || !reflect.DeepEqual(d.Parties, parties) {
			t.Errorf("%s: %+v %+v", tt.name, evs[0], d)
		}
	}
}

func exchange1200() Exchange {
	return Exchange{ID: "x", ProcessID: "p", GroupID: "g", SpaceID: "s", Parties: []string{"pa", "pb"}, Terms: terms1200(),
		Stages: []ExchangeStage{{Number: 1, Date: "2025-08-01", Counts: []StageCount{{"wounded", 120}, {"young", 90}, {"long_held", 80}, {"others", 100}}}}}
}

func TestDecideEditExchangeTerms(t *testing.T) {
	sp, med, headA, _, _, observer, _ := exchangeWorld()
	x := exchange1200()
	finalised := exchange1200()
	finalised.Stages[0].Finalised = true
	edit := func(f func(*ExchangeTerms)) EditExchangeTerms {
		t := terms1200()
		t.Categories = append([]ExchangeCategoryTerms(nil), t.Categories...)
		f(&t)
		return EditExchangeTerms{ExchangeID: "x", ExchangeTerms: t}
	}
	tests := []struct {
		name  string
		a     Actor
		x     Exchange
		cmd   EditExchangeTerms
		code  string
		field string
	}{
		{"the mediator renames it", med, x, edit(func(t *ExchangeTerms) { t.Title = "First exchange" }), "", ""},
		{"the mediator adds civilians", med, x, edit(func(t *ExchangeTerms) {
			t.Categories = append(t.Categories, ExchangeCategoryTerms{Code: "civilians", Name: "Civilians", Count: 50})
			t.Total = 1250
		}), "", ""},
		{"all for all", med, x, edit(func(t *ExchangeTerms) { t.AllForAll, t.Total = true, 0 }), "", ""},
		{"a head", headA, x, edit(func(*ExchangeTerms) {}), EFORBIDDEN, ""},
		{"the observer", observer, x, edit(func(*ExchangeTerms) {}), EFORBIDDEN, ""},
		{"once a stage is finalised", med, finalised, edit(func(t *ExchangeTerms) { t.Title = "x" }), ECONFLICT, ""},
		{"a category below what the stages carry", med, x, edit(func(t *ExchangeTerms) {
			t.Categories[0].Count, t.Categories[3].Count = 100, 520
		}), EINVALID, "categories.0.count"},
		{"a category a stage carries removed", med, x, edit(func(t *ExchangeTerms) {
			t.Categories, t.Total = t.Categories[1:], 1080
		}), EINVALID, "categories"},
		{"fewer stages than planned", med, exchangeWith2Stages(), edit(func(t *ExchangeTerms) { t.Stages = 1 }), EINVALID, "stages"},
	}
	for _, tt := range tests {
		evs, err := DecideEditExchangeTerms(tt.a, ExchangeSetting{Exchange: tt.x, Space: sp, Parties: []string{"pa", "pb"}}, tt.cmd, testEnv())
		if ErrorCode(err) != tt.code {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.code)
			continue
		}
		if tt.field != "" && err.(*Error).Fields[tt.field] == "" {
			t.Errorf("%s: %v does not name %s", tt.name, err, tt.field)
		}
		if err == nil {
			if d := evs[0].Data.(*ExchangeTermsEdited); d.ExchangeID != "x" {
				t.Errorf("%s: %+v", tt.name, d)
			}
		}
	}
}

func exchangeWith2Stages() Exchange {
	x := exchange1200()
	x.Stages = append(x.Stages, ExchangeStage{Number: 2, Date: "2025-08-15", Counts: []StageCount{{"others", 10}}})
	return x
}

func TestDecideStages(t *testing.T) {
	sp, med, headA, delegIn, _, _, outsider := exchangeWorld()
	x := exchange1200()
	full := exchange1200()
	full.Terms.Stages = 1
	all := exchange1200()
	all.Terms.AllForAll, all.Terms.Total = true, 0
	finalised := exchange1200()
	finalised.Stages[0].Finalised = true
	set := func(x Exchange) ExchangeSetting {
		return ExchangeSetting{Exchange: x, Space: sp, Parties: []string{"pa", "pb"}}
	}
	tests := []struct {
		name  string
		a     Actor
		x     Exchange
		cmd   Command
		code  string
		field string
	}{
		{"plan the second stage", med, x, PlanStage{ExchangeID: "x", Date: "2025-08-15", Counts: []StageCount{{"young", 210}, {"others", 400}}}, "", ""},
		{"plan up to the totals", med, x, PlanStage{ExchangeID: "x", Date: "2025-08-15", Counts: []StageCount{{"young", 210}, {"long_held", 200}, {"others", 400}}}, "", ""},
		{"a category exceeded", med, x, PlanStage{ExchangeID: "x", Date: "2025-08-15", Counts: []StageCount{{"wounded", 1}}}, EINVALID, "counts.wounded"},
		{"an unknown category", med, x, PlanStage{ExchangeID: "x", Date: "2025-08-15", Counts: []StageCount{{"civilians", 5}}}, EINVALID, "counts.civilians"},
		{"all for all: no category exceeded", med, all, PlanStage{ExchangeID: "x", Date: "2025-08-15", Counts: []StageCount{{"wounded", 500}}}, "", ""},
		{"all for all: still no unknown category", med, all, PlanStage{ExchangeID: "x", Date: "2025-08-15", Counts: []StageCount{{"civilians", 5}}}, EINVALID, "counts.civilians"},
		{"every agreed stage planned", med, full, PlanStage{ExchangeID: "x", Date: "2025-08-15", Counts: []StageCount{{"young", 1}}}, ECONFLICT, ""},
		{"a head plans", headA, x, PlanStage{ExchangeID: "x", Date: "2025-08-15", Counts: []StageCount{{"young", 1}}}, EFORBIDDEN, ""},
		{"a delegate plans", delegIn, x, PlanStage{ExchangeID: "x", Date: "2025-08-15", Counts: []StageCount{{"young", 1}}}, EFORBIDDEN, ""},
		{"an outsider plans", outsider, x, PlanStage{ExchangeID: "x", Date: "2025-08-15", Counts: []StageCount{{"young", 1}}}, ENOTFOUND, ""},
		{"edit the first stage", med, x, EditStage{ExchangeID: "x", Number: 1, Date: "2025-08-02", Counts: []StageCount{{"wounded", 100}, {"others", 300}}}, "", ""},
		{"edit: its own numbers do not count twice", med, x, EditStage{ExchangeID: "x", Number: 1, Date: "2025-08-02", Counts: []StageCount{{"wounded", 120}}}, "", ""},
		{"edit: a category exceeded", med, exchangeWith2Stages(), EditStage{ExchangeID: "x", Number: 1, Date: "2025-08-02", Counts: []StageCount{{"others", 495}}}, EINVALID, "counts.others"},
		{"edit: no such stage", med, x, EditStage{ExchangeID: "x", Number: 3, Date: "2025-08-02", Counts: []StageCount{{"others", 1}}}, ENOTFOUND, ""},
		{"edit: a finalised stage", med, finalised, EditStage{ExchangeID: "x", Number: 1, Date: "2025-08-02", Counts: []StageCount{{"others", 1}}}, ECONFLICT, ""},
		{"edit: a head", headA, x, EditStage{ExchangeID: "x", Number: 1, Date: "2025-08-02", Counts: []StageCount{{"others", 1}}}, EFORBIDDEN, ""},
	}
	for _, tt := range tests {
		var evs []Event
		var err error
		switch c := tt.cmd.(type) {
		case PlanStage:
			evs, err = DecidePlanStage(tt.a, set(tt.x), c, testEnv())
		case EditStage:
			evs, err = DecideEditStage(tt.a, set(tt.x), c, testEnv())
		}
		if ErrorCode(err) != tt.code {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.code)
			continue
		}
		if tt.field != "" && err.(*Error).Fields[tt.field] == "" {
			t.Errorf("%s: %v does not name %s", tt.name, err, tt.field)
		}
		if err != nil && evs != nil {
			t.Errorf("%s: events with an error", tt.name)
		}
	}
	// The stage planned is numbered after the last, its counts in the
	// order of the categories, without zeros.
	evs, err := DecidePlanStage(med, set(x), PlanStage{ExchangeID: "x", Date: " 2025-08-15 ", Counts: []StageCount{{"others", 400}, {"long_held", 0}, {"young", 210}}}, testEnv())
	if err != nil {
		t.Fatal(err)
	}
	d := evs[0].Data.(*StagePlanned)
	if d.Number != 2 || d.Date != "2025-08-15" || !reflect.DeepEqual(d.Counts, []StageCount{{"young", 210}, {"others", 400}}) {
		t.Errorf("planned %+v", d)
	}
}

func TestExchangeFromProposal(t *testing.T) {
	got := ExchangeFromProposal(" Exchange ", ExchangeDetails{Stages: 3, Categories: []ExchangeCategory{
		{Name: "Seriously wounded and sick", Count: 120}, {Name: "Молодые", Count: 300}, {Name: "Under 21 (young)", Count: 280},
		{Name: "seriously wounded and sick!", Count: 500}}})
	want := ExchangeTerms{Title: "Exchange", Total: 1200, Stages: 3, Categories: []ExchangeCategoryTerms{
		{Code: "seriously_wounded_and_sick", Name: "Seriously wounded and sick", Count: 120},
		{Code: "c2", Name: "Молодые", Count: 300},
		{Code: "under_21_young", Name: "Under 21 (young)", Count: 280},
		{Code: "c4", Name: "seriously wounded and sick!", Count: 500}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
	var v Invalid
	got.validate(&v)
	if err := v.Err(); err != nil {
		t.Errorf("the terms of a proposal do not validate: %v", err)
	}
	if c := categoryCode(strings.Repeat("long ", 20)); len(c) > 32 || !validCode(c) {
		t.Errorf("long code %q", c)
	}
	if c := categoryCode("21 and over"); c != "" {
		t.Errorf("a code starting with a digit: %q", c)
	}
}

func TestMediates(t *testing.T) {
	sp, med, headA, delegIn, _, observer, outsider := exchangeWorld()
	for _, tt := range []struct {
		name string
		a    Actor
		s    Space
		want bool
	}{
		{"mediator in a group", med, sp, true},
		{"mediator in the heads' channel", med, Space{ID: "h", ProcessID: "p", Kind: SpaceHeads, WithMediator: true}, false},
		{"mediator of another process", med, Space{ID: "s2", ProcessID: "q", Kind: SpaceGroup, GroupID: "g"}, false},
		{"head", headA, sp, false},
		{"delegate", delegIn, sp, false},
		{"observer", observer, sp, false},
		{"outsider", outsider, sp, false},
	} {
		if got := Mediates(tt.a, tt.s); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}
