package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/parley-talks/parley"
)

// testMeetingLifecycle runs a meeting of a working group through the store:
// invitation and agenda, a live session with attendance and notes, minutes
// with an action, approvals voided by an edit, and the calendar feed.
func testMeetingLifecycle(t *testing.T, open Open) {
	w := NewWorld(t, open(t), nil)
	ctx := context.Background()
	space := w.GroupSpace(parley.GroupPolitical)
	start := time.Date(2026, 6, 2, 10, 0, 0, 0, time.UTC)
	evs := w.Must(t, w.Mediator, parley.ScheduleMeeting{SpaceID: space.ID, Title: "Political group, third session", Start: start,
		Duration: 40, TimeZone: "Europe/Istanbul", CallURL: "https://call.example.org/pol-3", Agenda: []string{"Opening", "Memorandum"}})
	id := evs[0].Data.(*parley.MeetingScheduled).MeetingID

	pevs := w.Must(t, w.HeadA, parley.DraftProposal{GroupID: w.Groups[parley.GroupPolitical].ID, ToParty: w.PartyB.ID, ProposalInput: Truce("Ceasefire terms")})
	prop := pevs[0].Data.(*parley.ProposalDrafted).ProposalID
	w.Must(t, w.HeadA, parley.SubmitProposal{ProposalID: prop})
	w.Must(t, w.Mediator, parley.AddAgendaItem{MeetingID: id, Title: "Ceasefire terms", Ref: "proposal:" + prop})
	tevs := w.Must(t, w.HeadA, parley.StartThread{SpaceID: w.SpaceOf(parley.SpaceParty, w.PartyA.ID).ID, Title: "Our red lines", Body: "None."})
	caucusThread := tevs[0].Data.(*parley.ThreadStarted).ThreadID
	if _, err := w.Service.Do(ctx, w.HeadA, parley.AddAgendaItem{MeetingID: id, Title: "x", Ref: "thread:" + caucusThread}); parley.ErrorCode(err) != parley.EINVALID {
		t.Errorf("a caucus thread on a group's agenda: %v", err)
	}
	if _, err := w.DB.Meeting(ctx, w.Observer, id); parley.ErrorCode(err) != parley.ENOTFOUND {
		t.Errorf("an observer outside the group reads the meeting: %v", err)
	}
	if _, err := w.Service.Do(ctx, w.Observer, parley.JoinMeeting{MeetingID: id}); parley.ErrorCode(err) != parley.ENOTFOUND {
		t.Errorf("an observer outside the group joins: %v", err)
	}

	w.Must(t, w.HeadB, parley.StartMeeting{MeetingID: id})
	w.Must(t, w.HeadA, parley.JoinMeeting{MeetingID: id})
	w.Must(t, w.DelegA, parley.JoinMeeting{MeetingID: id})
	w.Must(t, w.HeadB, parley.JoinMeeting{MeetingID: id})
	w.Must(t, w.DelegA, parley.LeaveMeeting{MeetingID: id})
	w.Must(t, w.DelegA, parley.TakeNote{MeetingID: id, Body: "Opened at 10:02."})
	m, err := w.DB.Meeting(ctx, w.HeadB, id)
	if err != nil {
		t.Fatal(err)
	}
	if m.Status != parley.MeetingStatusLive || len(m.Agenda) != 3 || m.CurrentItem != m.Agenda[0].ID {
		t.Fatalf("live meeting %+v", m)
	}
	if it := m.Agenda[2]; it.Ref.Kind != "proposal" || it.RefTitle != "Ceasefire terms" || it.RefStatus == "" {
		t.Errorf("agenda item with a proposal %+v", it)
	}
	if len(m.Present()) != 2 || len(m.Attendance) != 3 || len(m.Notes) != 1 || m.Notes[0].ItemID != m.Agenda[0].ID {
		t.Errorf("attendance %+v notes %+v", m.Attendance, m.Notes)
	}
	w.Must(t, w.Mediator, parley.TakeAgendaItem{MeetingID: id, ItemID: m.Agenda[2].ID})
	w.Must(t, w.Mediator, parley.EndMeeting{MeetingID: id})

	w.Must(t, w.Mediator, parley.DraftMinutes{MeetingID: id, Text: "The group discussed the ceasefire terms."})
	w.Must(t, w.Mediator, parley.AssignAction{MeetingID: id, Text: "Answer the proposal", PartyID: w.PartyB.ID, Due: "2026-06-09"})
	m, _ = w.DB.Meeting(ctx, w.HeadA, id)
	if m.Status != parley.MeetingStatusEnded || len(m.Present()) != 0 || len(m.Actions) != 1 ||
		m.Minutes.Hash != parley.MinutesHash(m.Minutes.Text, m.Actions) {
		t.Fatalf("ended meeting %+v", m)
	}
	w.Must(t, w.HeadA, parley.ApproveMinutes{MeetingID: id, Hash: m.Minutes.Hash})
	w.Must(t, w.Mediator, parley.DraftMinutes{MeetingID: id, Text: "The group discussed the ceasefire terms at length.", Version: 1})
	m, _ = w.DB.Meeting(ctx, w.HeadA, id)
	if len(m.Approvals) != 0 || m.Minutes.Version != 2 {
		t.Errorf("an edit kept the approvals: %+v", m.Approvals)
	}
	if _, err := w.Service.Do(ctx, w.HeadB, parley.ApproveMinutes{MeetingID: id, Hash: parley.MinutesHash("The group discussed the ceasefire terms.", m.Actions)}); parley.ErrorCode(err) != parley.ECONFLICT {
		t.Errorf("approval of the old text: %v", err)
	}
	w.Must(t, w.HeadA, parley.ApproveMinutes{MeetingID: id, Hash: m.Minutes.Hash})
	evs = w.Must(t, w.HeadB, parley.ApproveMinutes{MeetingID: id, Hash: m.Minutes.Hash})
	if !evs[0].Data.(*parley.MinutesApproved).Complete {
		t.Error("the second approval does not complete")
	}
	if _, err := w.Service.Do(ctx, w.HeadB, parley.JoinMeeting{MeetingID: id}); parley.ErrorCode(err) != parley.ECONFLICT {
		t.Errorf("joining an ended meeting: %v", err)
	}
	m, _ = w.DB.Meeting(ctx, w.HeadB, id)
	if !m.Approved([]string{w.PartyA.ID, w.PartyB.ID}) {
		t.Errorf("approvals %+v", m.Approvals)
	}

	// Lists and the calendar see what each may read.
	w.Must(t, w.HeadA, parley.ScheduleMeeting{SpaceID: w.SpaceOf(parley.SpaceHeads, "").ID, Title: "Heads", Start: start.Add(48 * time.Hour),
		Duration: 30, TimeZone: "UTC"})
	for name, c := range map[string]struct {
		a         parley.Actor
		all, next int // all meetings, and those after the first
	}{"mediator": {w.Mediator, 2, 1}, "headB": {w.HeadB, 2, 1}, "delegA": {w.DelegA, 1, 0}, "observer": {w.Observer, 0, 0}} {
		ms, err := w.DB.Meetings(ctx, c.a, w.Process.ID, "")
		if err != nil || len(ms) != c.all {
			t.Errorf("%s sees %d meetings (%v), want %d", name, len(ms), err, c.all)
		}
		cal, err := w.DB.MeetingsFrom(ctx, c.a, start.Add(time.Hour))
		if err != nil || len(cal) != c.next {
			t.Errorf("%s's calendar from after the first: %d (%v), want %d", name, len(cal), err, c.next)
		}
	}
	if err := w.DB.SetCalendarFeed(ctx, w.HeadA.AccountID, "s3cret", start); err != nil {
		t.Fatal(err)
	}
	if acc, err := w.DB.CalendarFeedAccount(ctx, "s3cret"); err != nil || acc != w.HeadA.AccountID {
		t.Errorf("feed account %q %v", acc, err)
	}
	w.DB.SetCalendarFeed(ctx, w.HeadA.AccountID, "other", start)
	if _, err := w.DB.CalendarFeedAccount(ctx, "s3cret"); parley.ErrorCode(err) != parley.ENOTFOUND {
		t.Errorf("a replaced feed secret still works: %v", err)
	}
}
