package parley

import (
	"testing"
	"time"
)

// meetingFixture is a live meeting of a working group, with the two
// parties' heads, a delegate (authorised and not), the mediator and an
// observer of the group.
type meetingFixture struct {
	set                                       MeetingSetting
	headA, headB, delegA, delegAuth, mediator Actor
	observer                                  Actor
}

func newMeetingFixture() meetingFixture {
	mf := newMemoFixture(JointDrafting)
	return meetingFixture{
		set: MeetingSetting{Meeting: Meeting{ID: "mt", ProcessID: "p", SpaceID: "gs", GroupID: "g", Title: "Exchange",
			Start: time.Date(2026, 6, 2, 10, 0, 0, 0, time.UTC), Duration: 40, TimeZone: "Europe/Istanbul", Status: MeetingStatusLive,
			Agenda: []AgendaItem{{ID: "i1", Title: "Lists"}, {ID: "i2", Title: "Next stage"}}, CurrentItem: "i1"},
			Space: mf.set.Space, Parties: []string{"A", "B"}},
		headA: mf.headA, headB: mf.headB, delegA: mf.delegA, delegAuth: mf.delegAuth, mediator: mf.mediator, observer: mf.observer,
	}
}

// apply plays the minutes events onto the fixture's meeting, as the store
// does, so that a sequence of decisions can be followed.
func (f *meetingFixture) apply(t *testing.T) func([]Event, error) {
	return func(evs []Event, err error) { f.play(t, evs, err) }
}

func (f *meetingFixture) play(t *testing.T, evs []Event, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	m := &f.set.Meeting
	for _, e := range evs {
		switch d := e.Data.(type) {
		case *MinutesDrafted:
			m.Minutes = Minutes{Text: d.Text, Version: d.Version, Hash: d.Hash}
			m.Approvals = nil
		case *ActionAssigned:
			m.Actions = append(m.Actions, FollowUp{ID: d.ActionID, Text: d.Text, PartyID: d.PartyID, Due: d.Due})
			m.Minutes.Hash = d.Hash
			m.Approvals = nil
		case *MinutesApproved:
			m.Approvals = append(m.Approvals, MinutesApproval{PartyID: d.PartyID, Hash: d.Hash})
		case *MeetingEnded:
			m.Status = MeetingStatusEnded
		}
	}
}

// TestMinutesApproval: the minutes are approved by every negotiating party,
// each approval binds the hash of the exact text and actions, and any edit
// after it resets every approval.
func TestMinutesApproval(t *testing.T) {
	f := newMeetingFixture()
	env := testEnv()
	f.apply(t)(DecideEndMeeting(f.mediator, f.set, env))
	if _, err := DecideDraftMinutes(f.observer, f.set, DraftMinutes{MeetingID: "mt", Text: "x"}, env); ErrorCode(err) != EFORBIDDEN {
		t.Errorf("observer drafts: %v", err)
	}
	f.apply(t)(DecideDraftMinutes(f.mediator, f.set, DraftMinutes{MeetingID: "mt", Text: "The group agreed the lists.\r\n"}, env))
	m := f.set.Meeting
	if m.Minutes.Text != "The group agreed the lists." || m.Minutes.Hash != MinutesHash(m.Minutes.Text, nil) {
		t.Fatalf("minutes %+v", m.Minutes)
	}
	// A stale version is refused: nothing is overwritten.
	if _, err := DecideDraftMinutes(f.headA, f.set, DraftMinutes{MeetingID: "mt", Text: "Other", Version: 0}, env); ErrorCode(err) != ECONFLICT {
		t.Errorf("stale draft: %v", err)
	}
	// Only a party's formal voice approves.
	h := m.Minutes.Hash
	for name, a := range map[string]Actor{"mediator": f.mediator, "observer": f.observer, "unauthorised delegate": f.delegA} {
		if _, err := DecideApproveMinutes(a, f.set, ApproveMinutes{MeetingID: "mt", Hash: h}, env); ErrorCode(err) != EFORBIDDEN {
			t.Errorf("%s approves: %v", name, err)
		}
	}
	// An approval of another text (a stale hash) is refused.
	if _, err := DecideApproveMinutes(f.headA, f.set, ApproveMinutes{MeetingID: "mt", Hash: MinutesHash("Other", nil)}, env); ErrorCode(err) != ECONFLICT {
		t.Errorf("stale hash: %v", err)
	}
	evs, err := DecideApproveMinutes(f.delegAuth, f.set, ApproveMinutes{MeetingID: "mt", Hash: h}, env)
	f.play(t, evs, err)
	if d := evs[0].Data.(*MinutesApproved); d.PartyID != "A" || d.Complete {
		t.Errorf("first approval %+v", d)
	}
	if _, err := DecideApproveMinutes(f.headA, f.set, ApproveMinutes{MeetingID: "mt", Hash: h}, env); ErrorCode(err) != ECONFLICT {
		t.Errorf("second approval by A: %v", err)
	}
	// An action added after A approved changes the hash and voids A's approval.
	evs, err = DecideAssignAction(f.mediator, f.set, AssignAction{MeetingID: "mt", Text: "Send the corrected list", PartyID: "B", Due: "2026-06-05"}, env)
	f.play(t, evs, err)
	if d := evs[0].Data.(*ActionAssigned); !d.Reset || d.Hash == h {
		t.Errorf("action %+v: want a new hash and a reset", d)
	}
	if f.set.Meeting.ApprovedBy("A") {
		t.Error("A's approval survived a change")
	}
	h = f.set.Meeting.Minutes.Hash
	f.apply(t)(DecideApproveMinutes(f.headA, f.set, ApproveMinutes{MeetingID: "mt", Hash: h}, env))
	evs, err = DecideApproveMinutes(f.headB, f.set, ApproveMinutes{MeetingID: "mt", Hash: h}, env)
	f.play(t, evs, err)
	if d := evs[0].Data.(*MinutesApproved); !d.Complete || !f.set.Meeting.Approved(f.set.Parties) {
		t.Errorf("both approved: %+v", d)
	}
	// An edit after full approval resets it and says so.
	evs, err = DecideDraftMinutes(f.headB, f.set, DraftMinutes{MeetingID: "mt", Text: "The group agreed the lists, with one correction.", Version: 1}, env)
	f.play(t, evs, err)
	if d := evs[0].Data.(*MinutesDrafted); !d.Reset || d.Version != 2 {
		t.Errorf("edit after approval %+v", d)
	}
	if f.set.Meeting.Approved(f.set.Parties) {
		t.Error("still approved after an edit")
	}
	// Unchanged text is not a new version.
	if _, err := DecideDraftMinutes(f.headB, f.set, DraftMinutes{MeetingID: "mt", Text: f.set.Meeting.Minutes.Text, Version: 2}, env); ErrorCode(err) != EINVALID {
		t.Errorf("unchanged: %v", err)
	}
	// An action is completed by its party or the mediator, not the other side.
	act := f.set.Meeting.Actions[0].ID
	if _, err := DecideCompleteAction(f.headA, f.set, CompleteAction{MeetingID: "mt", ActionID: act}, env); ErrorCode(err) != EFORBIDDEN {
		t.Errorf("other side completes: %v", err)
	}
	if _, err := DecideCompleteAction(f.headB, f.set, CompleteAction{MeetingID: "mt", ActionID: act}, env); err != nil {
		t.Errorf("own party completes: %v", err)
	}
}

func TestMinutesHashBindsEverything(t *testing.T) {
	a := []FollowUp{{ID: "x", Text: "Send list", PartyID: "A", Due: "2026-06-05"}}
	base := MinutesHash("Text", a)
	for name, h := range map[string]string{
		"text":  MinutesHash("Text.", a),
		"none":  MinutesHash("Text", nil),
		"party": MinutesHash("Text", []FollowUp{{ID: "x", Text: "Send list", PartyID: "B", Due: "2026-06-05"}}),
		"due":   MinutesHash("Text", []FollowUp{{ID: "x", Text: "Send list", PartyID: "A", Due: "2026-06-06"}}),
		"shift": MinutesHash("TextSend list", []FollowUp{{ID: "x", PartyID: "A", Due: "2026-06-05"}}),
	} {
		if h == base {
			t.Errorf("changing %s keeps the hash", name)
		}
	}
	if MinutesHash("Text", a) != base {
		t.Error("hash not deterministic")
	}
}

// TestMeetingLifecycle: who convenes and runs a meeting, and in which
// states each step is allowed.
func TestMeetingLifecycle(t *testing.T) {
	f := newMeetingFixture()
	env := testEnv()
	start := time.Date(2026, 6, 2, 10, 0, 0, 0, time.UTC)
	sched := ScheduleMeeting{SpaceID: "gs", Title: "Exchange", Start: start, Duration: 40, TimeZone: "Europe/Istanbul",
		CallURL: "https://call.example.org/x", Agenda: []string{"Lists", " ", "Stages"}}
	if err := sched.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]ScheduleMeeting{
		"zone":     {SpaceID: "gs", Title: "x", Start: start, Duration: 40, TimeZone: "Mars/Olympus"},
		"call":     {SpaceID: "gs", Title: "x", Start: start, Duration: 40, TimeZone: "UTC", CallURL: "javascript:alert(1)"},
		"duration": {SpaceID: "gs", Title: "x", Start: start, Duration: 0, TimeZone: "UTC"},
		"start":    {SpaceID: "gs", Title: "x", Duration: 40, TimeZone: "UTC"},
	} {
		if ErrorCode(c.Validate()) != EINVALID {
			t.Errorf("%s: %v", name, c.Validate())
		}
	}
	for name, a := range map[string]Actor{"delegate": f.delegA, "observer": f.observer} {
		if _, err := DecideScheduleMeeting(a, f.set.Space, sched, env); ErrorCode(err) != EFORBIDDEN {
			t.Errorf("%s convenes: %v", name, err)
		}
	}
	evs, err := DecideScheduleMeeting(f.mediator, f.set.Space, sched, env)
	if err != nil {
		t.Fatal(err)
	}
	d := evs[0].Data.(*MeetingScheduled)
	if len(d.Agenda) != 2 || evs[1].Data.(*ThreadStarted).ThreadID != d.ThreadID {
		t.Errorf("scheduled %+v", d)
	}
	caucus := Space{ID: "ca", ProcessID: "p", Kind: SpaceParty, PartyID: "A"}
	if _, err := DecideScheduleMeeting(f.headA, caucus, sched, env); ErrorCode(err) != EINVALID {
		t.Errorf("meeting in a caucus: %v", err)
	}

	f.set.Meeting.Status = MeetingStatusScheduled
	if _, err := DecideTakeNote(f.delegA, f.set, TakeNote{MeetingID: "mt", Body: "x"}, env); ErrorCode(err) != ECONFLICT {
		t.Errorf("note before start: %v", err)
	}
	if _, err := DecideDraftMinutes(f.mediator, f.set, DraftMinutes{MeetingID: "mt", Text: "x"}, env); ErrorCode(err) != ECONFLICT {
		t.Errorf("minutes before start: %v", err)
	}
	evs, err = DecideStartMeeting(f.headB, f.set, env)
	if err != nil || evs[0].Data.(*MeetingStarted).ItemID != "i1" {
		t.Fatalf("start: %v %+v", err, evs)
	}
	f.set.Meeting.Status = MeetingStatusLive
	if _, err := DecideStartMeeting(f.mediator, f.set, env); ErrorCode(err) != ECONFLICT {
		t.Errorf("start twice: %v", err)
	}
	if _, err := DecideCancelMeeting(f.mediator, f.set, CancelMeeting{MeetingID: "mt"}, env); ErrorCode(err) != ECONFLICT {
		t.Errorf("cancel a live meeting: %v", err)
	}
	if _, err := DecideTakeAgendaItem(f.delegA, f.set, TakeAgendaItem{MeetingID: "mt", ItemID: "i2"}, env); ErrorCode(err) != EFORBIDDEN {
		t.Errorf("delegate moves the agenda: %v", err)
	}
	if _, err := DecideTakeAgendaItem(f.mediator, f.set, TakeAgendaItem{MeetingID: "mt", ItemID: "nope"}, env); ErrorCode(err) != ENOTFOUND {
		t.Errorf("unknown item: %v", err)
	}
	evs, err = DecideTakeNote(f.delegA, f.set, TakeNote{MeetingID: "mt", Body: "List B has 3 new names."}, env)
	if err != nil || evs[0].Data.(*MeetingNoteTaken).ItemID != "i1" {
		t.Errorf("note under the current item: %v %+v", err, evs)
	}
	if _, err := DecideTakeNote(f.observer, f.set, TakeNote{MeetingID: "mt", Body: "x"}, env); ErrorCode(err) != EFORBIDDEN {
		t.Errorf("observer takes a note: %v", err)
	}
	// Attendance: the observer may attend; twice is refused.
	f.set.Meeting.Attendance = []Attendance{{AccountID: f.observer.AccountID}}
	if _, err := DecideJoinMeeting(f.observer, f.set, env); ErrorCode(err) != ECONFLICT {
		t.Errorf("join twice: %v", err)
	}
	if _, err := DecideJoinMeeting(f.headA, f.set, env); err != nil {
		t.Errorf("head joins: %v", err)
	}
	if _, err := DecideRemoveAgendaItem(f.mediator, f.set, RemoveAgendaItem{MeetingID: "mt", ItemID: "i1"}, env); ErrorCode(err) != ECONFLICT {
		t.Errorf("remove the current item: %v", err)
	}
	// Outsiders learn nothing.
	outsider := Actor{AccountID: "x", Members: []Membership{{ProcessID: "p", PartyID: "B", Role: RoleDelegate}}}
	if _, err := DecideJoinMeeting(outsider, f.set, env); ErrorCode(err) != ENOTFOUND {
		t.Errorf("outsider joins: %v", err)
	}
	f.set.Meeting.Status = MeetingStatusEnded
	if _, err := DecideJoinMeeting(f.headB, f.set, env); ErrorCode(err) != ECONFLICT {
		t.Errorf("join after the end: %v", err)
	}
	if _, err := DecideChangeMeeting(f.mediator, f.set, ChangeMeeting{MeetingID: "mt", Title: "x", Start: start, Duration: 30, TimeZone: "UTC"}, env); ErrorCode(err) != ECONFLICT {
		t.Errorf("change after the end: %v", err)
	}
}

// FuzzParseItemRef: an agenda item's reference, as forms and the API send
// it, is read only in the form String writes; a refused one is no
// reference.
func FuzzParseItemRef(f *testing.F) {
	f.Add("proposal:abc123")
	f.Add("clause:")
	f.Add("thread:ABC")
	f.Add("memo:x:y")
	f.Fuzz(func(t *testing.T, s string) {
		r, ok := ParseItemRef(s)
		if !ok {
			if r != (ItemRef{}) {
				t.Fatalf("refused %q, yet read %+v", s, r)
			}
			return
		}
		if r.String() != s {
			t.Fatalf("read %q as %+v, written back as %q", s, r, r.String())
		}
	})
}
