package parley

import (
	"testing"
)

func remainsWorld() (sp Space, parties []string, who map[string]Actor) {
	sp = Space{ID: "s", ProcessID: "p", Kind: SpaceGroup, GroupID: "g"}
	member := func(id string, role Role, party string, groups ...string) Actor {
		return Actor{AccountID: id, Members: []Membership{{MemberID: "m-" + id, ProcessID: "p", PartyID: party, Role: role, Groups: groups}}}
	}
	return sp, []string{"pa", "pb"}, map[string]Actor{
		"mediator":              member("med", RoleMediator, "pm"),
		"head of A":             member("ha", RoleHead, "pa"),
		"delegate of A":         member("da", RoleDelegate, "pa", "g"),
		"delegate of A outside": member("dx", RoleDelegate, "pa", "other"),
		"head of B":             member("hb", RoleHead, "pb"),
		"delegate of B":         member("db", RoleDelegate, "pb", "g"),
		"observer":              member("ob", RoleObserver, "po", "g"),
		"outsider":              {AccountID: "x"},
	}
}

func goodRemains() RecordRemains {
	return RecordRemains{GroupID: "g", Date: "2025-07-20", Crossing: "Checkpoint north", FromParty: "pa", ToParty: "pb", Bodies: 1000,
		RemainsIdentification: RemainsIdentification{Identified: 10, Partial: 40, Unidentified: 950}}
}

// TestRemainsValidate: every bad field of a transfer or an
// acknowledgement is named.
func TestRemainsValidate(t *testing.T) {
	with := func(f func(*RecordRemains)) RecordRemains {
		c := goodRemains()
		f(&c)
		return c
	}
	tests := []struct {
		name   string
		cmd    Command
		fields []string
	}{
		{"good", goodRemains(), nil},
		{"no group, no date, no crossing", with(func(c *RecordRemains) { c.GroupID, c.Date, c.Crossing = "", "", " " }), []string{"group_id", "date", "crossing"}},
		{"a date that is none", with(func(c *RecordRemains) { c.Date = "2025-02-30" }), []string{"date"}},
		{"from one side to itself", with(func(c *RecordRemains) { c.ToParty = "pa" }), []string{"to_party"}},
		{"no sides", with(func(c *RecordRemains) { c.FromParty, c.ToParty = "", "" }), []string{"from_party", "to_party"}},
		{"no bodies", with(func(c *RecordRemains) { c.Bodies, c.Unidentified = 0, 0; c.Identified, c.Partial = 0, 0 }), []string{"bodies"}},
		{"too many bodies", with(func(c *RecordRemains) { c.Bodies = MaxRemains + 1 }), []string{"bodies"}},
		{"negative count", with(func(c *RecordRemains) { c.Partial = -1 }), []string{"partially_identified"}},
		{"counts do not add up", with(func(c *RecordRemains) { c.Unidentified = 949 }), []string{"identification"}},
		{"note too long", with(func(c *RecordRemains) { c.Note = string(make([]byte, maxRemainsNote+1)) }), []string{"note"}},
		{"acknowledge", AcknowledgeRemains{TransferID: "t", Received: 757, Note: "757, not 758"}, nil},
		{"acknowledge as recorded", AcknowledgeRemains{TransferID: "t"}, nil},
		{"acknowledge nothing", AcknowledgeRemains{Received: -1}, []string{"transfer_id", "received"}},
	}
	for _, tt := range tests {
		err := tt.cmd.Validate()
		if (len(tt.fields) == 0) != (err == nil) {
			t.Errorf("%s: err = %v, want fields %v", tt.name, err, tt.fields)
			continue
		}
		if err == nil {
			continue
		}
		e, _ := err.(*Error)
		if e == nil || e.Code != EINVALID {
			t.Errorf("%s: %v, want EINVALID", tt.name, err)
			continue
		}
		for _, f := range tt.fields {
			if e.Fields[f] == "" {
				t.Errorf("%s: field %s not named in %v", tt.name, f, e.Fields)
			}
		}
	}
}

// TestDecideRecordRemains: the handing-over side's delegation in the
// group, or the mediator, records a transfer; the other side, observers
// and delegates outside the group are refused, outsiders learn nothing;
// sides must be the process's parties, the date not ahead.
func TestDecideRecordRemains(t *testing.T) {
	sp, parties, who := remainsWorld()
	with := func(f func(*RecordRemains)) RecordRemains {
		c := goodRemains()
		f(&c)
		return c
	}
	tests := []struct {
		name  string
		a     string
		cmd   RecordRemains
		code  string
		field string
	}{
		{"the head of the side handing over", "head of A", goodRemains(), "", ""},
		{"a delegate of it in the group", "delegate of A", goodRemains(), "", ""},
		{"the mediator on A's behalf", "mediator", goodRemains(), "", ""},
		{"the mediator on B's behalf", "mediator", with(func(c *RecordRemains) { c.FromParty, c.ToParty = "pb", "pa" }), "", ""},
		{"the receiving side", "head of B", goodRemains(), EFORBIDDEN, ""},
		{"a delegate of the receiving side", "delegate of B", goodRemains(), EFORBIDDEN, ""},
		{"a delegate outside the group", "delegate of A outside", goodRemains(), ENOTFOUND, ""},
		{"the observer", "observer", goodRemains(), EFORBIDDEN, ""},
		{"an outsider", "outsider", goodRemains(), ENOTFOUND, ""},
		{"a party not of the process", "mediator", with(func(c *RecordRemains) { c.ToParty = "pz" }), EINVALID, "to_party"},
		{"the mediator's own party", "mediator", with(func(c *RecordRemains) { c.FromParty = "pm" }), EINVALID, "from_party"},
		{"in the future", "head of A", with(func(c *RecordRemains) { c.Date = "2025-07-25" }), EINVALID, "date"},
		{"tomorrow, in another time zone", "head of A", with(func(c *RecordRemains) { c.Date = "2025-07-24" }), "", ""},
	}
	for _, tt := range tests {
		evs, err := DecideRecordRemains(who[tt.a], RemainsSetting{Space: sp, Parties: parties}, tt.cmd, testEnv())
		if ErrorCode(err) != tt.code {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.code)
			continue
		}
		if tt.field != "" && err.(*Error).Fields[tt.field] == "" {
			t.Errorf("%s: %v does not name %s", tt.name, err, tt.field)
		}
		if err != nil {
			if evs != nil {
				t.Errorf("%s: refused with events", tt.name)
			}
			continue
		}
		d := evs[0].Data.(*RemainsRecorded)
		if len(evs) != 1 || d.TransferID != "id1" || d.GroupID != "g" || d.Bodies != tt.cmd.Bodies || d.FromParty != tt.cmd.FromParty ||
			d.RemainsIdentification != tt.cmd.RemainsIdentification || evs[0].Scope.Space != sp || evs[0].Actor != who[tt.a].AccountID {
			t.Errorf("%s: %+v", tt.name, evs)
		}
	}
	if _, err := DecideRecordRemains(who["head of A"], RemainsSetting{Space: Space{ID: "c", ProcessID: "p", Kind: SpaceParty, PartyID: "pa"}, Parties: parties},
		goodRemains(), testEnv()); ErrorCode(err) != EINVALID {
		t.Errorf("a transfer in a caucus: %v", err)
	}
}

// TestDecideAcknowledgeRemains: only the receiving side acknowledges, once;
// the number received may differ from the number recorded, with a note.
func TestDecideAcknowledgeRemains(t *testing.T) {
	sp, parties, who := remainsWorld()
	open := RemainsTransfer{ID: "t", SpaceID: "s", GroupID: "g", FromParty: "pa", ToParty: "pb", Bodies: 758}
	done := open
	done.Ack = &RemainsAcknowledgement{By: "hb", Party: "pb", Received: 758}
	tests := []struct {
		name     string
		a        string
		t        RemainsTransfer
		cmd      AcknowledgeRemains
		code     string
		received int
	}{
		{"the receiving head, as recorded", "head of B", open, AcknowledgeRemains{TransferID: "t"}, "", 758},
		{"a receiving delegate, with a discrepancy", "delegate of B", open, AcknowledgeRemains{TransferID: "t", Received: 757, Note: " received 757, not 758 "}, "", 757},
		{"the side that sent it", "head of A", open, AcknowledgeRemains{TransferID: "t"}, EFORBIDDEN, 0},
		{"a delegate of the side that sent it", "delegate of A", open, AcknowledgeRemains{TransferID: "t"}, EFORBIDDEN, 0},
		{"the mediator", "mediator", open, AcknowledgeRemains{TransferID: "t"}, EFORBIDDEN, 0},
		{"the observer", "observer", open, AcknowledgeRemains{TransferID: "t"}, EFORBIDDEN, 0},
		{"an outsider", "outsider", open, AcknowledgeRemains{TransferID: "t"}, ENOTFOUND, 0},
		{"twice", "head of B", done, AcknowledgeRemains{TransferID: "t"}, ECONFLICT, 0},
		{"twice, by the sender", "head of A", done, AcknowledgeRemains{TransferID: "t"}, EFORBIDDEN, 0},
	}
	for _, tt := range tests {
		evs, err := DecideAcknowledgeRemains(who[tt.a], RemainsSetting{Transfer: tt.t, Space: sp, Parties: parties}, tt.cmd, testEnv())
		if ErrorCode(err) != tt.code {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.code)
			continue
		}
		if err != nil {
			continue
		}
		d := evs[0].Data.(*RemainsAcknowledged)
		if d.TransferID != "t" || d.Party != "pb" || d.Received != tt.received || d.Note != trimmed(tt.cmd.Note) {
			t.Errorf("%s: %+v", tt.name, d)
		}
	}
}

func trimmed(s string) string {
	for len(s) > 0 && s[0] == ' ' {
		s = s[1:]
	}
	for len(s) > 0 && s[len(s)-1] == ' ' {
		s = s[:len(s)-1]
	}
	return s
}

// TestRemainsLedger: totals per side add up what each handed over, what
// each acknowledged receiving by its own count, and what awaits it.
func TestRemainsLedger(t *testing.T) {
	ack := func(n int) *RemainsAcknowledgement { return &RemainsAcknowledgement{Received: n} }
	ts := []RemainsTransfer{
		{FromParty: "pa", ToParty: "pb", Bodies: 1000, RemainsIdentification: RemainsIdentification{Identified: 10, Unidentified: 990}},
		{FromParty: "pb", ToParty: "pa", Bodies: 19, RemainsIdentification: RemainsIdentification{Partial: 19}, Ack: ack(19)},
		{FromParty: "pa", ToParty: "pb", Bodies: 758, RemainsIdentification: RemainsIdentification{Unidentified: 758}, Ack: ack(757)},
		{FromParty: "pa", ToParty: "pb", Bodies: 900, RemainsIdentification: RemainsIdentification{Identified: 900}, Ack: ack(900)},
	}
	l := NewRemainsLedger("g", []string{"pa", "pb"}, ts)
	a, b := l.Side("pa"), l.Side("pb")
	want := RemainsSide{Party: "pa", HandedOver: 2658, Transfers: 3, RemainsIdentification: RemainsIdentification{Identified: 910, Unidentified: 1748}, Received: 19}
	if a != want {
		t.Errorf("side A %+v, want %+v", a, want)
	}
	want = RemainsSide{Party: "pb", HandedOver: 19, Transfers: 1, RemainsIdentification: RemainsIdentification{Partial: 19}, Received: 1657, Awaiting: 1000}
	if b != want {
		t.Errorf("side B %+v, want %+v", b, want)
	}
	if len(l.Sides) != 2 || l.Sides[0].Party != "pa" {
		t.Errorf("sides %+v", l.Sides)
	}
	if d := ts[2].Discrepancy(); d != -1 {
		t.Errorf("discrepancy %d", d)
	}
	if e := NewRemainsLedger("g", []string{"pa", "pb"}, nil); e.Transfers == nil || len(e.Sides) != 2 || e.Side("pb").HandedOver != 0 {
		t.Errorf("empty ledger %+v", e)
	}
}
