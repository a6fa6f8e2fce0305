package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/auth"
	"github.com/parley-talks/parley/internal/ical"
)

// meetingsPage lists a process's meetings and convenes new ones.
type meetingsPage struct {
	*processView
	Upcoming, Past []meetingRow
	Spaces         []spaceView // where the reader may convene a meeting
	Zones          []string
	FeedURL        string // shown once, when just made
	HasFeed        bool
}

type meetingRow struct {
	parley.Meeting
	Where    string
	Approved bool
}

// meetingPage is one meeting: its invitation, the live session and the
// minutes.
type meetingPage struct {
	*processView
	Meeting  parley.Meeting
	Space    spaceView
	Parties  []parley.Party // whose approval the minutes need
	Can      map[string]bool
	CanDone  map[string]bool // the follow-up actions the reader may mark done
	Present  []parley.Attendance
	Notes    []itemNotes
	Messages []parley.Message
	Refs     []place // what an agenda item may be about
	Approved map[string]bool
	// ApprovalSeq is the record entry of each party's current approval.
	ApprovalSeq map[string]int64
	Complete    bool
	Here        bool // the reader is recorded as present
	Zones       []string
}

type itemNotes struct {
	Item  parley.AgendaItem
	Notes []parley.MeetingNote
}

// timeZones offered when convening; any IANA name is accepted.
var timeZones = []string{"Europe/Kyiv", "Europe/Moscow", "Europe/Istanbul", "Europe/Berlin", "Europe/Geneva", "Europe/London", "America/New_York", "Asia/Dubai", "UTC"}

func (s *Server) meetingsPage(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.member(w, r); !ok {
		return
	}
	s.showMeetings(w, r, s.page(r, "meetings.title"), http.StatusOK, "")
}

func (s *Server) showMeetings(w http.ResponseWriter, r *http.Request, p *page, status int, feed string) {
	ctx := r.Context()
	v, err := s.loadProcess(ctx, p.Actor, r.PathValue("process"), p.Lang)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.withNav(v)
	mp := meetingsPage{processView: v, Zones: timeZones, FeedURL: feed}
	ms, err := s.db.Meetings(ctx, p.Actor, v.Process.ID, "")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	now := s.now()
	for _, m := range ms {
		row := meetingRow{Meeting: m, Where: spaceName(p, v, m.SpaceID)}
		if m.Minutes.Version > 0 {
			if full, err := s.db.Meeting(ctx, p.Actor, m.ID); err == nil {
				row.Approved = full.Approved(partyIDs(negotiating(v)))
			}
		}
		if m.Status == parley.MeetingStatusLive || m.Status == parley.MeetingStatusScheduled && m.End().After(now) {
			mp.Upcoming = append(mp.Upcoming, row)
		} else {
			mp.Past = append([]meetingRow{row}, mp.Past...) // most recent first
		}
	}
	for _, sp := range v.Spaces {
		if parley.CanConvene(p.Actor, sp.Space) {
			mp.Spaces = append(mp.Spaces, sp)
		}
	}
	if p.Account != nil {
		mp.HasFeed, _ = s.db.HasCalendarFeed(ctx, p.Account.ID)
	}
	if p.Form == nil {
		p.Form = url.Values{"time_zone": {p.Loc.String()}, "duration": {"60"}}
	}
	p.Data = mp
	s.render(w, r, status, "meetings.html", p)
}

func partyIDs(ps []parley.Party) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.ID
	}
	return out
}

// readStart reads a local date and time in the named zone, and names the
// field that is wrong, if one is. A start read in an unknown zone is read
// in UTC, so that it is not also called missing: only the zone is wrong.
func readStart(f url.Values) (time.Time, string) {
	bad := ""
	tz := strings.TrimSpace(f.Get("time_zone"))
	loc, err := time.LoadLocation(tz)
	if err != nil || tz == "" || tz == "Local" {
		loc, bad = time.UTC, "time_zone"
	}
	t, err := time.ParseInLocation("2006-01-02T15:04", f.Get("start"), loc)
	if err != nil {
		return time.Time{}, "start"
	}
	return t, bad
}

func (s *Server) scheduleMeeting(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.member(w, r); !ok {
		return
	}
	if err := parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	f := r.PostForm
	start, bad := readStart(f)
	var agenda []string
	for _, l := range strings.Split(f.Get("agenda"), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			agenda = append(agenda, l)
		}
	}
	cmd := parley.ScheduleMeeting{SpaceID: f.Get("space"), Title: f.Get("title"), Start: start, Duration: atoi(f.Get("duration")),
		TimeZone: strings.TrimSpace(f.Get("time_zone")), CallURL: strings.TrimSpace(f.Get("call_url")), Agenda: agenda}
	evs, err := s.svc.Do(r.Context(), requestActor(r.Context()), cmd)
	if bad != "" && (err == nil || parley.ErrorCode(err) == parley.EINVALID) {
		// A date the browser sent in a form we cannot read is the form's
		// fault, not the domain's: say which field.
		err = fieldError(err, bad)
	}
	if code := parley.ErrorCode(err); code == parley.EINVALID || code == parley.ECONFLICT || code == parley.EFORBIDDEN {
		p := s.page(r, "meetings.title")
		p.Form, p.Errors = f, fields(err)
		s.showMeetings(w, r, p, status(code), "")
		return
	} else if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/meetings/"+evs[0].Data.(*parley.MeetingScheduled).MeetingID, http.StatusSeeOther)
}

// fieldError adds a complaint about field to err (an EINVALID error, or nil).
func fieldError(err error, field string) error {
	why := "is not a valid date and time"
	if field == "time_zone" {
		why = "is not a known time zone (e.g. Europe/Istanbul)"
	}
	out := &parley.Error{Code: parley.EINVALID, Message: "The input is not valid.", Fields: map[string]string{}}
	for k, v := range fields(err) {
		if k != "" {
			out.Fields[k] = v
		}
	}
	out.Fields[field] = why
	return out
}

func (s *Server) loadMeeting(ctx context.Context, p *page, id string) (*meetingPage, error) {
	m, err := s.db.Meeting(ctx, p.Actor, id)
	if err != nil {
		return nil, err
	}
	v, err := s.loadProcess(ctx, p.Actor, m.ProcessID, p.Lang)
	if err != nil {
		return nil, err
	}
	p.withNav(v)
	mp := &meetingPage{processView: v, Meeting: m, Parties: negotiating(v), Approved: map[string]bool{}, Zones: timeZones}
	for _, sp := range v.Spaces {
		if sp.ID == m.SpaceID {
			mp.Space = sp
		}
	}
	a := p.Actor
	mp.ApprovalSeq = map[string]int64{}
	for _, pt := range mp.Parties {
		mp.Approved[pt.ID] = m.ApprovedBy(pt.ID)
	}
	for _, x := range m.Approvals {
		if x.Hash == m.Minutes.Hash {
			mp.ApprovalSeq[x.PartyID] = x.Seq
		}
	}
	mp.Complete = m.Approved(partyIDs(mp.Parties))
	mp.Present = m.Present()
	for _, x := range mp.Present {
		if x.AccountID == a.AccountID {
			mp.Here = true
		}
	}
	for _, it := range m.Agenda {
		in := itemNotes{Item: it}
		for _, n := range m.Notes {
			if n.ItemID == it.ID {
				in.Notes = append(in.Notes, n)
			}
		}
		mp.Notes = append(mp.Notes, in)
	}
	var loose []parley.MeetingNote
	for _, n := range m.Notes {
		if _, ok := findItem(m.Agenda, n.ItemID); !ok {
			loose = append(loose, n)
		}
	}
	if len(loose) > 0 {
		mp.Notes = append(mp.Notes, itemNotes{Notes: loose})
	}
	if mp.Messages, err = s.db.Messages(ctx, a, m.ThreadID); err != nil {
		return nil, err
	}
	if n := len(mp.Messages); n > 30 {
		mp.Messages = mp.Messages[n-30:]
	}

	// What the reader may do now, decided by the domain itself with a probe
	// (nothing is written).
	set := parley.MeetingSetting{Meeting: m, Space: mp.Space.Space, Parties: partyIDs(mp.Parties)}
	env := probeEnv()
	ok := func(_ []parley.Event, err error) bool { return err == nil }
	mp.Can = map[string]bool{
		"change": ok(parley.DecideChangeMeeting(a, set, parley.ChangeMeeting{MeetingID: m.ID, Title: m.Title + " ", Start: m.Start, Duration: m.Duration, TimeZone: m.TimeZone}, env)),
		"cancel": ok(parley.DecideCancelMeeting(a, set, parley.CancelMeeting{MeetingID: m.ID}, env)),
		"agenda": ok(parley.DecideAddAgendaItem(a, set, parley.AddAgendaItem{MeetingID: m.ID, Title: "x"}, env)),
		"start":  ok(parley.DecideStartMeeting(a, set, env)),
		"end":    ok(parley.DecideEndMeeting(a, set, env)),
		"join":   ok(parley.DecideJoinMeeting(a, set, env)),
		"leave":  ok(parley.DecideLeaveMeeting(a, set, env)),
		"note":   ok(parley.DecideTakeNote(a, set, parley.TakeNote{MeetingID: m.ID, Body: "x"}, env)),
		"take":   m.Status == parley.MeetingStatusLive && parley.CanConvene(a, mp.Space.Space),
		"post":   parley.Allowed(a, parley.ActPost, mp.Space.Space),
	}
	mp.Can["minutes"] = ok(parley.DecideDraftMinutes(a, set, parley.DraftMinutes{MeetingID: m.ID, Text: m.Minutes.Text + " x", Version: m.Minutes.Version}, env))
	mp.Can["actions"] = mp.Can["minutes"] && m.Minutes.Version > 0
	mp.Can["approve"] = ok(parley.DecideApproveMinutes(a, set, parley.ApproveMinutes{MeetingID: m.ID, Hash: m.Minutes.Hash}, env))
	mp.CanDone = map[string]bool{}
	for _, x := range m.Actions {
		mp.CanDone[x.ID] = ok(parley.DecideCompleteAction(a, set, parley.CompleteAction{MeetingID: m.ID, ActionID: x.ID}, env))
	}
	if mp.Can["agenda"] {
		mp.Refs = s.agendaRefs(ctx, p, v, m.SpaceID)
	}
	return mp, nil
}

func findItem(items []parley.AgendaItem, id string) (parley.AgendaItem, bool) {
	for _, it := range items {
		if it.ID == id {
			return it, true
		}
	}
	return parley.AgendaItem{}, false
}

// agendaRefs lists what an agenda item may be about: the proposals,
// memoranda's clauses and discussions of the meeting's space.
func (s *Server) agendaRefs(ctx context.Context, p *page, v *processView, space string) []place {
	var out []place
	if open, closed, err := s.loadProposals(ctx, p.Actor, v, ""); err == nil {
		for _, x := range append(open, closed...) {
			if x.SpaceID == space {
				out = append(out, place{Value: "proposal:" + x.ID, Label: p.T("proposal.title") + ": " + x.Title})
			}
		}
	}
	if memos, err := s.db.Memos(ctx, p.Actor, v.Process.ID); err == nil {
		for _, m := range memos {
			if m.SpaceID != space {
				continue
			}
			_, items, err := s.db.Memo(ctx, p.Actor, m.ID)
			if err != nil {
				continue
			}
			for _, c := range items {
				if c.Kind == parley.KindClause {
					out = append(out, place{Value: "clause:" + c.ID, Label: m.Title + " " + c.Number})
				}
			}
		}
	}
	if threads, err := s.db.Threads(ctx, p.Actor, space); err == nil {
		for _, t := range threads {
			out = append(out, place{Value: "thread:" + t.ID, Label: p.T("thread.title") + ": " + t.Title})
		}
	}
	return out
}

func (s *Server) meetingPage(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.member(w, r); !ok {
		return
	}
	s.showMeeting(w, r, s.page(r, "meeting.title"), http.StatusOK)
}

func (s *Server) showMeeting(w http.ResponseWriter, r *http.Request, p *page, status int) {
	mp, err := s.loadMeeting(r.Context(), p, r.PathValue("meeting"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Data = mp
	if err := s.signing(r, p, r.PathValue("meeting")); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, status, "meeting.html", p)
}

// meetingBody is the live part of the meeting page, fetched again when the
// stream says something happened.
func (s *Server) meetingBody(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.member(w, r); !ok {
		return
	}
	p := s.page(r, "meeting.title")
	mp, err := s.loadMeeting(r.Context(), p, r.PathValue("meeting"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Data = mp
	if err := s.signing(r, p, r.PathValue("meeting")); err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderFragment(w, r, "meeting.html", "meeting-body", p)
}

func (s *Server) meetingAct(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.member(w, r); !ok {
		return
	}
	if err := parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	id, f, act := r.PathValue("meeting"), r.PostForm, r.PathValue("act")
	var cmd parley.Command
	bad := ""
	anchor := ""
	switch act {
	case "change":
		var start time.Time
		start, bad = readStart(f)
		cmd = parley.ChangeMeeting{MeetingID: id, Title: f.Get("title"), Start: start, Duration: atoi(f.Get("duration")),
			TimeZone: strings.TrimSpace(f.Get("time_zone")), CallURL: strings.TrimSpace(f.Get("call_url"))}
	case "cancel":
		cmd = parley.CancelMeeting{MeetingID: id, Reason: f.Get("reason")}
	case "agenda":
		cmd, anchor = parley.AddAgendaItem{MeetingID: id, Title: f.Get("title"), Ref: f.Get("ref")}, "#agenda"
	case "remove-item":
		cmd, anchor = parley.RemoveAgendaItem{MeetingID: id, ItemID: f.Get("item")}, "#agenda"
	case "start":
		cmd = parley.StartMeeting{MeetingID: id}
	case "take":
		cmd, anchor = parley.TakeAgendaItem{MeetingID: id, ItemID: f.Get("item")}, "#agenda"
	case "end":
		cmd = parley.EndMeeting{MeetingID: id}
	case "join":
		cmd = parley.JoinMeeting{MeetingID: id}
	case "leave":
		cmd = parley.LeaveMeeting{MeetingID: id}
	case "note":
		cmd, anchor = parley.TakeNote{MeetingID: id, ItemID: f.Get("item"), Body: f.Get("body")}, "#notes"
	case "minutes":
		cmd, anchor = parley.DraftMinutes{MeetingID: id, Text: f.Get("text"), Version: atoi(f.Get("version"))}, "#minutes"
	case "action":
		cmd, anchor = parley.AssignAction{MeetingID: id, Text: f.Get("text"), PartyID: f.Get("party"), Due: f.Get("due")}, "#minutes"
	case "done":
		cmd, anchor = parley.CompleteAction{MeetingID: id, ActionID: f.Get("action")}, "#minutes"
	case "approve":
		cmd, anchor = parley.ApproveMinutes{MeetingID: id, Hash: f.Get("hash")}, "#minutes"
	default:
		s.fail(w, r, parley.Errorf(parley.ENOTFOUND, "No such act."))
		return
	}
	_, done, err := s.formalAct(w, r, cmd)
	if done {
		return
	}
	if bad != "" && (err == nil || parley.ErrorCode(err) == parley.EINVALID) {
		err = fieldError(err, bad)
	}
	if code := parley.ErrorCode(err); code == parley.EINVALID || code == parley.ECONFLICT {
		p := s.page(r, "meeting.title")
		p.Form, p.Errors = f, fields(err)
		if p.Errors == nil {
			p.Errors = map[string]string{}
		}
		p.Errors["act"] = act
		s.showMeeting(w, r, p, status(code))
		return
	} else if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/meetings/"+id+anchor, http.StatusSeeOther)
}

// meetingICS is one meeting as a calendar file, to add to one's calendar.
func (s *Server) meetingICS(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.member(w, r); !ok {
		return
	}
	p := s.page(r, "meeting.title")
	m, err := s.db.Meeting(r.Context(), p.Actor, r.PathValue("meeting"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	b := ical.Calendar("", ical.Publish, s.host(r), s.now(), []ical.Event{s.calendarEvent(p, m)})
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="meeting-`+m.ID+`.ics"`)
	w.Header().Set("Cache-Control", "private, no-store")
	w.Write(b)
}

// host names the server in calendar UIDs.
func (s *Server) host(r *http.Request) string {
	if s.cfg.BaseURL != "" {
		if u, err := url.Parse(s.cfg.BaseURL); err == nil && u.Host != "" {
			return u.Hostname()
		}
	}
	h := r.Host
	if i := strings.LastIndex(h, ":"); i > 0 && !strings.Contains(h[i:], "]") {
		h = h[:i]
	}
	if h == "" {
		h = "parley"
	}
	return h
}

// calendarEvent describes m for a calendar, in p's language: the agenda,
// the call and where to find the meeting.
func (s *Server) calendarEvent(p *page, m parley.Meeting) ical.Event {
	var b strings.Builder
	if len(m.Agenda) > 0 {
		b.WriteString(p.T("meeting.agenda") + ":\n")
		for i, it := range m.Agenda {
			fmt.Fprintf(&b, "%d. %s\n", i+1, it.Title)
		}
	}
	if m.CallURL != "" {
		fmt.Fprintf(&b, "\n%s: %s\n", p.T("meeting.call"), m.CallURL)
	}
	link := p.BaseURL() + "/meetings/" + m.ID
	fmt.Fprintf(&b, "\nParley: %s", link)
	return ical.Event{Meeting: m, URL: link, Description: strings.TrimSpace(b.String())}
}

// makeCalendarFeed gives the reader a new secret address for their
// calendar feed, which replaces any earlier one, and shows it once.
func (s *Server) makeCalendarFeed(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.member(w, r); !ok {
		return
	}
	if err := parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	p := s.page(r, "meetings.title")
	if p.Account == nil {
		s.fail(w, r, parley.Errorf(parley.EUNAUTHORIZED, "Sign in first."))
		return
	}
	if r.PostForm.Get("stop") != "" {
		if err := s.db.DeleteCalendarFeed(r.Context(), p.Account.ID); err != nil {
			s.fail(w, r, err)
			return
		}
		http.Redirect(w, r, "/p/"+r.PathValue("process")+"/meetings#calendar", http.StatusSeeOther)
		return
	}
	secret, _, err := auth.NewToken()
	if err == nil {
		err = s.db.SetCalendarFeed(r.Context(), p.Account.ID, secret, s.now())
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.showMeetings(w, r, p, http.StatusOK, p.BaseURL()+"/calendar/"+secret+".ics")
}

// calendarFeed is a reader's meetings as a calendar: from a month ago on,
// of every process, as they may read them. The secret in its address is
// its only credential: calendar programs cannot sign in.
func (s *Server) calendarFeed(w http.ResponseWriter, r *http.Request) {
	secret, ok := strings.CutSuffix(r.PathValue("feed"), ".ics")
	if !ok || secret == "" {
		s.fail(w, r, parley.Errorf(parley.ENOTFOUND, "No such calendar."))
		return
	}
	ctx := r.Context()
	account, err := s.db.CalendarFeedAccount(ctx, secret)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	a, err := s.db.Actor(ctx, account, "")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	acc, err := s.db.Account(ctx, account)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := s.page(r, "meetings.title")
	p.Actor, p.Lang = a, parley.English
	if l, ok := parley.ParseLang(string(acc.Locale)); ok {
		p.Lang = l
	}
	p.tcache = nil
	ms, err := s.db.MeetingsFrom(ctx, a, s.now().AddDate(0, -1, 0))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	events := make([]ical.Event, 0, len(ms))
	for _, m := range ms {
		full, err := s.db.Meeting(ctx, a, m.ID)
		if err != nil {
			continue
		}
		events = append(events, s.calendarEvent(p, full))
	}
	b := ical.Calendar("Parley — "+acc.DisplayName, ical.Publish, s.host(r), s.now(), events)
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Cache-Control", "private, no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Write(b)
}

// TimeIn shows t in the time zone tz, for a meeting set in another zone
// than the reader's.
func (p *page) TimeIn(t time.Time, tz string) string {
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return p.Time(t)
	}
	return t.In(loc).Format("2006-01-02 15:04 MST")
}

// SameZone reports whether tz shows the same clock as the reader's zone at t.
func (p *page) SameZone(t time.Time, tz string) bool {
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return true
	}
	_, a := t.In(loc).Zone()
	_, b := t.In(p.Loc).Zone()
	return a == b
}

// ErrFor returns the complaint about field when the form sent back was the
// one for act: a page with several forms shows an error beside the field of
// the form that caused it, not beside a namesake in another.
func (p *page) ErrFor(act, field string) string {
	if p.Errors["act"] != act {
		return ""
	}
	return p.Err(field)
}

// ValueFor returns what the user sent in field, if the form sent back was
// the one for act.
func (p *page) ValueFor(act, field string) string {
	if p.Errors["act"] != act {
		return ""
	}
	return p.Value(field)
}

// Clock shows the time of day of t in the reader's time zone: when someone
// came and went, under a meeting whose date is shown above.
func (p *page) Clock(t time.Time) string { return t.In(p.Loc).Format("15:04") }

// LocalInput is t as a datetime-local input shows it, in zone tz.
func (p *page) LocalInput(t time.Time, tz string) string {
	loc, err := time.LoadLocation(tz)
	if err != nil {
		loc = time.UTC
	}
	return t.In(loc).Format("2006-01-02T15:04")
}
