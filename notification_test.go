package parley

import (
	"strings"
	"testing"
	"time"
)

// noticeWorld is a humanitarian group's space between parties pa and pb,
// with the mediator, each side's head and a delegate of each in the group,
// a delegate of pa outside it, and an observer.
func noticeWorld() (set NoticeSetting, med, headA, delegA, delegOut, headB, delegB, observer Actor) {
	sp := Space{ID: "s", ProcessID: "p", Kind: SpaceGroup, GroupID: "g"}
	member := func(id string, role Role, party string, groups ...string) Actor {
		return Actor{AccountID: id, Members: []Membership{{MemberID: "m-" + id, ProcessID: "p", PartyID: party, Role: role, Groups: groups}}}
	}
	set = NoticeSetting{Space: sp, Parties: []string{"pa", "pb"}, NoticeHours: 24, Region: DefaultRegion}
	return set, member("med", RoleMediator, "pm"), member("ha", RoleHead, "pa"), member("da", RoleDelegate, "pa", "g"),
		member("dx", RoleDelegate, "pa", "other"), member("hb", RoleHead, "pb"), member("db", RoleDelegate, "pb", "g"),
		member("ob", RoleObserver, "po", "g")
}

var noticeNow = time.Date(2025, 7, 23, 9, 0, 0, 0, time.UTC)

func noticeEnv() Env { return Env{Now: noticeNow, NewID: func() string { return "n1" }} }

func evacuation(starts time.Time) Notify {
	return Notify{GroupID: "g", NotificationTerms: NotificationTerms{Kind: NotifyEvacuation, Route: " Road from A to B ",
		Points: []Point{{37.5, 47.1}, {37.8, 47.3}}, Starts: starts, Ends: starts.Add(6 * time.Hour), TimeZone: "Europe/Kyiv",
		Purpose: "Evacuation of 40 wounded", Vehicles: 6, People: 40}}
}

func TestNotifyValidate(t *testing.T) {
	start := noticeNow.Add(48 * time.Hour)
	with := func(f func(*Notify)) Notify {
		c := evacuation(start)
		f(&c)
		return c
	}
	tests := []struct {
		name   string
		cmd    Notify
		fields []string
	}{
		{"good", evacuation(start), nil},
		{"no kind", with(func(c *Notify) { c.Kind = "parade" }), []string{"kind"}},
		{"no route, no purpose", with(func(c *Notify) { c.Route, c.Purpose = " ", "" }), []string{"purpose", "route"}},
		{"no start", with(func(c *Notify) { c.Starts = time.Time{} }), []string{"starts"}},
		{"end before start", with(func(c *Notify) { c.Ends = c.Starts.Add(-time.Hour) }), []string{"ends"}},
		{"window too long", with(func(c *Notify) { c.Ends = c.Starts.Add(31 * 24 * time.Hour) }), []string{"ends"}},
		{"no zone", with(func(c *Notify) { c.TimeZone = "" }), []string{"time_zone"}},
		{"unknown zone", with(func(c *Notify) { c.TimeZone = "Mars/Olympus" }), []string{"time_zone"}},
		{"bad point", with(func(c *Notify) { c.Points = []Point{{200, 47}} }), []string{"points"}},
		{"negative counts", with(func(c *Notify) { c.Vehicles, c.People = -1, -2 }), []string{"people", "vehicles"}},
		{"bad party", with(func(c *Notify) { c.ToParty = "Party B" }), []string{"to_party"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkFields(t, tt.cmd.Validate(), tt.fields)
		})
	}
	for _, c := range []Command{SetNoticePeriod{GroupID: "g", Hours: -1}, SetNoticePeriod{GroupID: "g", Hours: MaxNoticeHours + 1},
		QuestionNotification{NotificationID: "n1"}, AnswerNotification{NotificationID: "n1", Text: " "}, AcknowledgeNotification{}} {
		if ErrorCode(c.Validate()) != EINVALID {
			t.Errorf("%#v: valid", c)
		}
	}
}

// checkFields checks that err is EINVALID naming exactly fields, or nil
// when fields is nil.
func checkFields(t *testing.T, err error, fields []string) {
	t.Helper()
	if fields == nil {
		if err != nil {
			t.Fatalf("refused: %v", err)
		}
		return
	}
	e, ok := err.(*Error)
	if !ok || e.Code != EINVALID {
		t.Fatalf("got %v, want EINVALID on %v", err, fields)
	}
	for _, f := range fields {
		if e.Fields[f] == "" {
			t.Errorf("field %s not named: %v", f, e.Fields)
		}
	}
	if len(e.Fields) != len(fields) {
		t.Errorf("fields %v, want %v", e.Fields, fields)
	}
}

// TestNotifyNoticePeriod checks the notice the group requires at its
// boundary: a start exactly the notice after now is accepted, a second
// sooner is refused on the start (naming the notice and the earliest
// start) unless marked short notice with a reason.
func TestNotifyNoticePeriod(t *testing.T) {
	set, _, headA, _, _, _, _, _ := noticeWorld()
	boundary := noticeNow.Add(24 * time.Hour)
	tests := []struct {
		name      string
		hours     int
		starts    time.Time
		short     bool
		reason    string
		fields    []string
		wantShort bool
	}{
		{"exactly the notice", 24, boundary, false, "", nil, false},
		{"more than the notice", 24, boundary.Add(time.Minute), false, "", nil, false},
		{"a second short", 24, boundary.Add(-time.Second), false, "", []string{"starts"}, false},
		{"an hour from now", 24, noticeNow.Add(time.Hour), false, "", []string{"starts"}, false},
		{"short, marked, no reason", 24, noticeNow.Add(time.Hour), true, " ", []string{"short_notice_reason"}, false},
		{"short, marked, with reason", 24, noticeNow.Add(time.Hour), true, "The wounded cannot wait a day.", nil, true},
		{"marked, but not short", 24, boundary, true, "Just in case.", nil, false},
		{"in the past, even marked", 24, noticeNow.Add(-time.Minute), true, "Late.", []string{"starts"}, false},
		{"no notice required, starting now", 0, noticeNow, false, "", nil, false},
		{"a week required", 168, noticeNow.Add(167 * time.Hour), false, "", []string{"starts"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := set
			s.NoticeHours = tt.hours
			c := evacuation(tt.starts)
			c.ShortNotice, c.ShortNoticeReason = tt.short, tt.reason
			evs, err := DecideNotify(headA, s, c, noticeEnv())
			checkFields(t, err, tt.fields)
			if err != nil {
				if tt.fields[0] == "starts" && tt.starts.After(noticeNow) {
					msg := err.(*Error).Fields["starts"]
					earliest := noticeNow.Add(time.Duration(tt.hours) * time.Hour).Format("2006-01-02 15:04")
					if !strings.Contains(msg, earliest) || !strings.Contains(msg, "hours' notice") {
						t.Errorf("message %q names no notice or earliest start %s", msg, earliest)
					}
				}
				return
			}
			d := evs[0].Data.(*NotificationSent)
			if d.ShortNotice != tt.wantShort || d.NoticeHours != tt.hours || (d.ShortNoticeReason != "") != tt.wantShort {
				t.Errorf("recorded %+v", d)
			}
		})
	}
}

func TestDecideNotify(t *testing.T) {
	set, med, headA, delegA, delegOut, headB, _, observer := noticeWorld()
	good := evacuation(noticeNow.Add(48 * time.Hour))
	tests := []struct {
		name string
		a    Actor
		set  func(*NoticeSetting)
		cmd  func(*Notify)
		code string
		to   string
	}{
		{"head of a side", headA, nil, nil, "", "pb"},
		{"delegate in the group", delegA, nil, nil, "", "pb"},
		{"the other side", headB, nil, nil, "", "pa"},
		{"to a named party", headA, nil, func(c *Notify) { c.ToParty = "pb" }, "", "pb"},
		{"to itself", headA, nil, func(c *Notify) { c.ToParty = "pa" }, EINVALID, ""},
		{"three parties, none named", headA, func(s *NoticeSetting) { s.Parties = []string{"pa", "pb", "pc"} }, nil, EINVALID, ""},
		{"outside the region", headA, nil, func(c *Notify) { c.Points = []Point{{100, 10}} }, EINVALID, ""},
		{"the mediator", med, nil, nil, EFORBIDDEN, ""},
		{"an observer", observer, nil, nil, EFORBIDDEN, ""},
		{"a delegate outside the group", delegOut, nil, nil, ENOTFOUND, ""},
		{"a stranger", Actor{AccountID: "x"}, nil, nil, ENOTFOUND, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, c := set, good
			if tt.set != nil {
				tt.set(&s)
			}
			if tt.cmd != nil {
				tt.cmd(&c)
			}
			evs, err := DecideNotify(tt.a, s, c, noticeEnv())
			if ErrorCode(err) != tt.code {
				t.Fatalf("got %v, want %q", err, tt.code)
			}
			if err == nil {
				d := evs[0].Data.(*NotificationSent)
				if d.ToParty != tt.to || d.Route != "Road from A to B" || d.GroupID != "g" || len(d.Points) != 2 || evs[0].Scope.Space.ID != "s" {
					t.Errorf("recorded %+v", d)
				}
			}
		})
	}
}

func TestDecideNotificationActs(t *testing.T) {
	set, med, headA, delegA, _, headB, delegB, observer := noticeWorld()
	base := Notification{ID: "n1", ProcessID: "p", GroupID: "g", SpaceID: "s", FromParty: "pa", ToParty: "pb",
		NotificationTerms: evacuation(noticeNow.Add(48 * time.Hour)).NotificationTerms, Status: NoticeNotified}
	at := func(st NotificationStatus) NotificationSetting {
		n := base
		n.Status = st
		return NotificationSetting{Notification: n, Space: set.Space}
	}
	later := func(d time.Duration) Env { e := noticeEnv(); e.Now = e.Now.Add(d); return e }
	type act func(Actor, NotificationSetting, Env) ([]Event, error)
	ack := func(a Actor, s NotificationSetting, e Env) ([]Event, error) {
		return DecideAcknowledgeNotification(a, s, e)
	}
	question := func(a Actor, s NotificationSetting, e Env) ([]Event, error) {
		return DecideQuestionNotification(a, s, QuestionNotification{NotificationID: "n1", Text: "Which road?"}, e)
	}
	answer := func(a Actor, s NotificationSetting, e Env) ([]Event, error) {
		return DecideAnswerNotification(a, s, AnswerNotification{NotificationID: "n1", Text: "The M-14."}, e)
	}
	cancel := func(a Actor, s NotificationSetting, e Env) ([]Event, error) {
		return DecideCancelNotification(a, s, CancelNotification{NotificationID: "n1"}, e)
	}
	tests := []struct {
		name string
		act  act
		a    Actor
		set  NotificationSetting
		env  Env
		code string
	}{
		{"receiver acknowledges", ack, headB, at(NoticeNotified), noticeEnv(), ""},
		{"receiver's delegate acknowledges", ack, delegB, at(NoticeNotified), noticeEnv(), ""},
		{"acknowledged after an answer", ack, headB, at(NoticeAnswered), noticeEnv(), ""},
		{"acknowledged with a question open", ack, headB, at(NoticeQuestioned), noticeEnv(), ""},
		{"acknowledged during the window", ack, headB, at(NoticeNotified), later(50 * time.Hour), ""},
		{"not acknowledged twice", ack, headB, at(NoticeAcknowledged), noticeEnv(), ECONFLICT},
		{"the notifier does not acknowledge", ack, headA, at(NoticeNotified), noticeEnv(), EFORBIDDEN},
		{"the mediator does not acknowledge", ack, med, at(NoticeNotified), noticeEnv(), EFORBIDDEN},
		{"an observer does not acknowledge", ack, observer, at(NoticeNotified), noticeEnv(), EFORBIDDEN},
		{"a stranger learns nothing", ack, Actor{AccountID: "x"}, at(NoticeNotified), noticeEnv(), ENOTFOUND},
		{"not acknowledged once cancelled", ack, headB, at(NoticeCancelled), noticeEnv(), ECONFLICT},
		{"not acknowledged when done", ack, headB, at(NoticeNotified), later(54 * time.Hour), ECONFLICT},

		{"receiver questions", question, delegB, at(NoticeNotified), noticeEnv(), ""},
		{"questions again after an answer", question, headB, at(NoticeAnswered), noticeEnv(), ""},
		{"one open question at a time", question, headB, at(NoticeQuestioned), noticeEnv(), ECONFLICT},
		{"no question once acknowledged", question, headB, at(NoticeAcknowledged), noticeEnv(), ECONFLICT},
		{"the notifier does not question", question, delegA, at(NoticeNotified), noticeEnv(), EFORBIDDEN},

		{"notifier answers", answer, delegA, at(NoticeQuestioned), noticeEnv(), ""},
		{"nothing to answer", answer, headA, at(NoticeNotified), noticeEnv(), ECONFLICT},
		{"the receiver does not answer", answer, headB, at(NoticeQuestioned), noticeEnv(), EFORBIDDEN},

		{"notifier cancels before the start", cancel, headA, at(NoticeAcknowledged), later(48*time.Hour - time.Second), ""},
		{"not at the start", cancel, headA, at(NoticeNotified), later(48 * time.Hour), ECONFLICT},
		{"not twice", cancel, headA, at(NoticeCancelled), noticeEnv(), ECONFLICT},
		{"the receiver does not cancel", cancel, headB, at(NoticeNotified), noticeEnv(), EFORBIDDEN},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			evs, err := tt.act(tt.a, tt.set, tt.env)
			if ErrorCode(err) != tt.code {
				t.Fatalf("got %v, want %q", err, tt.code)
			}
			if err == nil && (len(evs) != 1 || evs[0].Scope.Space.ID != "s") {
				t.Errorf("events %+v", evs)
			}
		})
	}
}

func TestNotificationStatusAt(t *testing.T) {
	n := Notification{NotificationTerms: NotificationTerms{Starts: noticeNow, Ends: noticeNow.Add(time.Hour)}, Status: NoticeAcknowledged}
	for _, tt := range []struct {
		status NotificationStatus
		now    time.Time
		want   NotificationStatus
	}{
		{NoticeAcknowledged, noticeNow.Add(59 * time.Minute), NoticeAcknowledged},
		{NoticeAcknowledged, noticeNow.Add(time.Hour), NoticeDone},
		{NoticeQuestioned, noticeNow.Add(2 * time.Hour), NoticeDone},
		{NoticeCancelled, noticeNow.Add(2 * time.Hour), NoticeCancelled},
	} {
		n.Status = tt.status
		if got := n.StatusAt(tt.now); got != tt.want {
			t.Errorf("%s at %v: %s, want %s", tt.status, tt.now, got, tt.want)
		}
	}
}

func TestDecideSetNoticePeriod(t *testing.T) {
	set, med, headA, _, _, _, _, observer := noticeWorld()
	for _, tt := range []struct {
		name string
		a    Actor
		code string
	}{
		{"the mediator", med, ""},
		{"a head", headA, EFORBIDDEN},
		{"an observer", observer, EFORBIDDEN},
		{"a stranger", Actor{AccountID: "x"}, ENOTFOUND},
	} {
		evs, err := DecideSetNoticePeriod(tt.a, set.Space, SetNoticePeriod{GroupID: "g", Hours: 12}, noticeEnv())
		if ErrorCode(err) != tt.code {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.code)
		}
		if err == nil && evs[0].Data.(*NoticePeriodSet).Hours != 12 {
			t.Errorf("%s: %+v", tt.name, evs[0].Data)
		}
	}
}
