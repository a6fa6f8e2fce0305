package web_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	goical "github.com/emersion/go-ical"
	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/storetest"
)

// convene schedules a meeting of the political group as the mediator, with
// two agenda items, and returns its ID.
func convene(t *testing.T, s *site) string {
	t.Helper()
	evs := s.Must(t, s.Mediator, parley.ScheduleMeeting{SpaceID: s.GroupSpace(parley.GroupPolitical).ID, Title: "Political group, session 3",
		Start: time.Date(2026, 6, 2, 7, 0, 0, 0, time.UTC), Duration: 40, TimeZone: "Europe/Istanbul", CallURL: "https://call.example.org/p3",
		Agenda: []string{"Opening", "The memorandum"}})
	return evs[0].Data.(*parley.MeetingScheduled).MeetingID
}

// TestMeetingFormErrors: a meeting convened with a time zone nobody knows
// and a call link that is not https comes back with each complaint beside
// its field, and nothing is convened.
func TestMeetingFormErrors(t *testing.T) {
	s := newSite(t)
	c := s.signedIn(t, "mediator")
	path := "/p/" + s.Process.ID + "/meetings"
	form := url.Values{"space": {s.GroupSpace(parley.GroupPolitical).ID}, "title": {"Session"}, "start": {"2026-06-02T10:00"},
		"time_zone": {"Mars/Olympus"}, "duration": {"40"}, "call_url": {"javascript:alert(1)"}}
	resp := s.post(t, c, path, form)
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("status %d", resp.StatusCode)
	}
	for _, field := range []string{"time_zone", "call_url"} {
		if !regexp.MustCompile(`id="err-` + field + `"`).Match(body) {
			t.Errorf("no error beside %s", field)
		}
	}
	if strings.Contains(string(body), `id="err-start"`) {
		t.Error("the start is called wrong when only the time zone is")
	}
	if !strings.Contains(string(body), `value="Mars/Olympus"`) {
		t.Error("the form lost what was typed")
	}
	if ms, _ := s.DB.Meetings(t.Context(), s.Mediator, s.Process.ID, ""); len(ms) != 0 {
		t.Fatalf("a meeting was convened from a bad form: %+v", ms)
	}
	form.Set("time_zone", "Europe/Istanbul")
	form.Set("call_url", "https://call.example.org/x")
	form.Set("start", "2 June")
	if resp := s.post(t, c, path, form); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("an unreadable start: %d", resp.StatusCode)
	}
	form.Set("start", "2026-06-02T10:00")
	resp = s.post(t, c, path, form)
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/meetings/") {
		t.Fatalf("convene: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	ms, _ := s.DB.Meetings(t.Context(), s.Mediator, s.Process.ID, "")
	if len(ms) != 1 || !ms[0].Start.Equal(time.Date(2026, 6, 2, 7, 0, 0, 0, time.UTC)) {
		t.Errorf("convened %+v: want 10:00 in Istanbul, 07:00 UTC", ms)
	}
	// A delegate does not convene.
	d := s.signedIn(t, "delega")
	if resp := s.post(t, d, path, form); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a delegate convenes: %d", resp.StatusCode)
	}
}

// TestMeetingMinutesInPages runs a meeting through its page: attendance,
// a note, minutes approved by one head, voided by an edit, and a stale
// approval refused with the reason beside the minutes.
func TestMeetingMinutesInPages(t *testing.T) {
	s := newSite(t)
	id := convene(t, s)
	med, headA, headB := s.signedIn(t, "mediator"), s.signedIn(t, "heada"), s.signedIn(t, "headb")
	act := func(c *http.Client, name string, form url.Values, want int) string {
		t.Helper()
		resp := s.post(t, c, "/meetings/"+id+"/"+name, form)
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != want {
			t.Fatalf("%s: %d, want %d\n%.400s", name, resp.StatusCode, want, b)
		}
		return string(b)
	}
	act(med, "start", nil, http.StatusSeeOther)
	act(headA, "join", nil, http.StatusSeeOther)
	act(headB, "join", nil, http.StatusSeeOther)
	act(headB, "note", url.Values{"body": {"Russia asks for the annex first."}}, http.StatusSeeOther)
	_, page := s.get(t, headA, "/meetings/"+id)
	for _, want := range []string{"Russia asks for the annex first.", `aria-current="step"`, "heada", "headb"} {
		if !strings.Contains(page, want) {
			t.Errorf("the live page lacks %q", want)
		}
	}
	act(med, "end", nil, http.StatusSeeOther)
	act(med, "minutes", url.Values{"text": {"The group discussed the annex."}, "version": {"0"}}, http.StatusSeeOther)
	hash := func() string {
		m, err := s.DB.Meeting(t.Context(), s.HeadA, id)
		if err != nil {
			t.Fatal(err)
		}
		return m.Minutes.Hash
	}
	first := hash()
	act(headA, "approve", url.Values{"hash": {first}}, http.StatusSeeOther)
	_, page = s.get(t, headB, "/meetings/"+id)
	if strings.Count(page, `class="status status-accepted"`) != 1 {
		t.Error("head B does not see A's approval")
	}
	// An edit by the mediator voids it; approving the old text is refused
	// with the reason beside the minutes.
	act(med, "minutes", url.Values{"text": {"The group discussed the annex at length."}, "version": {"1"}}, http.StatusSeeOther)
	body := act(headB, "approve", url.Values{"hash": {first}}, http.StatusConflict)
	if !strings.Contains(body, "The minutes were changed since you read them") {
		t.Error("no reason for the refused approval")
	}
	// A stale edit of the minutes is refused and keeps what was typed.
	body = act(headA, "minutes", url.Values{"text": {"My version"}, "version": {"1"}}, http.StatusConflict)
	if !strings.Contains(body, "My version") || !strings.Contains(body, "reload and merge") {
		t.Error("a stale edit lost the text or the reason")
	}
	act(headA, "approve", url.Values{"hash": {hash()}}, http.StatusSeeOther)
	act(headB, "approve", url.Values{"hash": {hash()}}, http.StatusSeeOther)
	_, page = s.get(t, med, "/meetings/"+id)
	if !strings.Contains(page, "Minutes approved by every party") {
		t.Error("the page does not say the minutes are approved")
	}
	// An action of party B is marked done by B, not offered to A.
	act(med, "action", url.Values{"text": {"Send the annex."}, "party": {s.PartyB.ID}}, http.StatusSeeOther)
	for _, c := range []struct {
		who  string
		c    *http.Client
		want bool
	}{{"head A", headA, false}, {"head B", headB, true}} {
		if _, page := s.get(t, c.c, "/meetings/"+id); strings.Contains(page, `/done"`) != c.want {
			t.Errorf("%s is offered to mark B's action done: %v, want %v", c.who, !c.want, c.want)
		}
	}
	// A meeting of a group is none of an outsider's business.
	obs := s.signedIn(t, "observer")
	if resp, _ := s.get(t, obs, "/meetings/"+id); resp.StatusCode != http.StatusNotFound {
		t.Errorf("an observer outside the group reads the meeting: %d", resp.StatusCode)
	}
	if resp := s.post(t, obs, "/meetings/"+id+"/join", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("an observer outside the group joins: %d", resp.StatusCode)
	}
}

// TestMeetingCalendar: the invitation file and the calendar feed are read
// by a parser this project did not write; the feed needs no session, holds
// only the meetings its owner may read, and a new address ends the old.
func TestMeetingCalendar(t *testing.T) {
	s := newSite(t)
	id := convene(t, s)
	heads := s.Must(t, s.HeadA, parley.ScheduleMeeting{SpaceID: s.SpaceOf(parley.SpaceHeads, "").ID, Title: "Heads alone",
		Start: time.Date(2026, 6, 3, 7, 0, 0, 0, time.UTC), Duration: 30, TimeZone: "UTC"})[0].Data.(*parley.MeetingScheduled).MeetingID
	s.now = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

	parse := func(b []byte) []*goical.Event {
		t.Helper()
		cal, err := goical.NewDecoder(bytes.NewReader(b)).Decode()
		if err != nil {
			t.Fatalf("not iCalendar: %v\n%s", err, b)
		}
		evs := cal.Events()
		out := make([]*goical.Event, len(evs))
		for i := range evs {
			out[i] = &evs[i]
		}
		return out
	}
	d := s.signedIn(t, "delega")
	resp, body := s.get(t, d, "/meetings/"+id+"/invite.ics")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/calendar") {
		t.Fatalf("invitation: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	evs := parse([]byte(body))
	if len(evs) != 1 {
		t.Fatalf("%d events", len(evs))
	}
	if got, _ := evs[0].Props.Text(goical.PropSummary); got != "Political group, session 3" {
		t.Errorf("summary %q", got)
	}
	if desc, _ := evs[0].Props.Text(goical.PropDescription); !strings.Contains(desc, "1. Opening") || !strings.Contains(desc, "/meetings/"+id) {
		t.Errorf("description %q", desc)
	}
	if resp, _ := s.get(t, d, "/meetings/"+heads+"/invite.ics"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a delegate downloads the heads' invitation: %d", resp.StatusCode)
	}

	// The delegate's feed: the group's meeting, not the heads'.
	resp = s.post(t, d, "/p/"+s.Process.ID+"/calendar", nil)
	page, _ := io.ReadAll(resp.Body)
	feed := regexp.MustCompile(`/calendar/[^"<\s]+\.ics`).FindString(string(page))
	if feed == "" {
		t.Fatalf("no feed address shown:\n%.600s", page)
	}
	anon := s.browser(t)
	resp, body = s.get(t, anon, feed)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("feed without a session: %d", resp.StatusCode)
	}
	evs = parse([]byte(body))
	if len(evs) != 1 {
		t.Fatalf("the feed holds %d meetings, want the group's only", len(evs))
	}
	if uid, _ := evs[0].Props.Text(goical.PropUID); !strings.HasPrefix(uid, id+"@") {
		t.Errorf("uid %q", uid)
	}
	// A cancelled meeting stays in the feed, marked so, with a new sequence.
	s.Must(t, s.Mediator, parley.CancelMeeting{MeetingID: id, Reason: "The round moved."})
	_, body = s.get(t, anon, feed)
	evs = parse([]byte(body))
	if st := evs[0].Props.Get(goical.PropStatus); st == nil || st.Value != "CANCELLED" || evs[0].Props.Get(goical.PropSequence).Value != "1" {
		t.Errorf("cancelled: %+v", evs[0].Props)
	}
	// A new address ends the old one.
	s.post(t, d, "/p/"+s.Process.ID+"/calendar", nil)
	if resp, _ := s.get(t, anon, feed); resp.StatusCode != http.StatusNotFound {
		t.Errorf("the old feed address still works: %d", resp.StatusCode)
	}
	if resp, _ := s.get(t, anon, "/calendar/nonsense.ics"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a made-up feed: %d", resp.StatusCode)
	}
}

// TestMeetingAPI runs a meeting through the JSON API: convene, agenda with a
// proposal, minutes, an approval and a stale one (409).
func TestMeetingAPI(t *testing.T) {
	s := newSite(t)
	call := func(c *http.Client, method, path string, in, out any) int {
		t.Helper()
		var r io.Reader
		if in != nil {
			b, _ := json.Marshal(in)
			r = bytes.NewReader(b)
		}
		req, _ := http.NewRequest(method, s.srv.URL+"/api/v1"+path, r)
		req.Header.Set("Content-Type", "application/json")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		if out != nil && resp.StatusCode < 300 {
			if err := json.Unmarshal(raw, out); err != nil {
				t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, raw)
			}
		}
		if resp.StatusCode >= 300 && out != nil {
			t.Logf("%s %s: %d %s", method, path, resp.StatusCode, raw)
		}
		return resp.StatusCode
	}
	med, headA := s.signedIn(t, "mediator"), s.signedIn(t, "heada")
	space := s.GroupSpace(parley.GroupPolitical).ID
	var created struct{ ID string }
	if code := call(med, "POST", "/spaces/"+space+"/meetings", map[string]any{"title": "Session", "start": "2026-06-02T07:00:00Z",
		"duration_minutes": 40, "time_zone": "Europe/Istanbul", "agenda": []string{"Opening"}}, &created); code != http.StatusCreated {
		t.Fatalf("schedule: %d", code)
	}
	id := created.ID
	if code := call(med, "POST", "/spaces/"+space+"/meetings", map[string]any{"title": "Session", "start": "2026-06-02T07:00:00Z",
		"duration_minutes": 40, "time_zone": "Nowhere/City"}, nil); code != http.StatusUnprocessableEntity && code != http.StatusBadRequest {
		t.Errorf("a bad time zone: %d", code)
	}
	prop := s.Must(t, s.HeadA, parley.DraftProposal{GroupID: s.Groups[parley.GroupPolitical].ID, ToParty: s.PartyB.ID,
		ProposalInput: storetest.Truce("Ceasefire terms")})[0].Data.(*parley.ProposalDrafted).ProposalID
	s.Must(t, s.HeadA, parley.SubmitProposal{ProposalID: prop})
	if code := call(med, "POST", "/meetings/"+id+"/agenda", map[string]any{"title": "Terms", "ref": "proposal:" + prop}, &created); code != http.StatusCreated {
		t.Fatalf("agenda item: %d", code)
	}
	item := created.ID
	for _, step := range []string{"start", "join"} {
		if code := call(med, "POST", "/meetings/"+id+"/"+step, nil, nil); code != http.StatusCreated {
			t.Fatalf("%s: %d", step, code)
		}
	}
	if code := call(med, "PUT", "/meetings/"+id+"/agenda/"+item+"/current", nil, nil); code != http.StatusOK {
		t.Fatalf("take the item: %d", code)
	}
	if code := call(headA, "POST", "/meetings/"+id+"/notes", map[string]any{"body": "Noted."}, &created); code != http.StatusCreated {
		t.Fatalf("note: %d", code)
	}
	if code := call(med, "POST", "/meetings/"+id+"/end", nil, nil); code != http.StatusCreated {
		t.Fatalf("end: %d", code)
	}
	if code := call(med, "PUT", "/meetings/"+id+"/minutes", map[string]any{"text": "Minutes.", "version": 0}, nil); code != http.StatusOK {
		t.Fatalf("minutes: %d", code)
	}
	if code := call(med, "POST", "/meetings/"+id+"/actions", map[string]any{"text": "Answer", "party_id": s.PartyB.ID, "due": "2026-06-09"}, &created); code != http.StatusCreated {
		t.Fatalf("action: %d", code)
	}
	var m parley.Meeting
	if code := call(headA, "GET", "/meetings/"+id, nil, &m); code != http.StatusOK {
		t.Fatalf("get: %d", code)
	}
	if m.Status != parley.MeetingStatusEnded || len(m.Agenda) != 2 || m.Agenda[1].RefTitle != "Ceasefire terms" || len(m.Notes) != 1 ||
		m.Notes[0].ItemID != item || len(m.Actions) != 1 || m.Minutes.Hash != parley.MinutesHash("Minutes.", m.Actions) {
		t.Fatalf("meeting %+v", m)
	}
	if code := call(headA, "POST", "/meetings/"+id+"/approve", map[string]any{"hash": parley.MinutesHash("Minutes.", nil)}, nil); code != http.StatusConflict {
		t.Errorf("approving the text without its action: %d", code)
	}
	if code := call(headA, "POST", "/meetings/"+id+"/approve", map[string]any{"hash": m.Minutes.Hash}, nil); code != http.StatusCreated {
		t.Errorf("approve: %d", code)
	}
	var list []parley.Meeting
	if code := call(headA, "GET", "/processes/"+s.Process.ID+"/meetings", nil, &list); code != http.StatusOK || len(list) != 1 {
		t.Errorf("list: %d %d", code, len(list))
	}
}
