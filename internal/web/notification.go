package web

import (
	"context"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/parley-talks/parley"
)

// The page of a working group's humanitarian notifications: each with its
// status and window, the form to notify one, the other side's
// acknowledgement or question, the notifier's answer and cancellation, and
// the mediator's notice period. Every act checks who may do it before
// reading what was sent, so that a refusal is the policy's.

// notificationsPage lists a working group's notifications.
type notificationsPage struct {
	*processView
	Group        groupView
	Space        spaceView
	Rows         []notificationRow
	NoticeHours  int
	Earliest     time.Time // the earliest start a notification sent now may have
	CanNotify    bool
	CanSetNotice bool
	Others       []parley.Party // the sides the reader's party may notify
	Kinds        []parley.NotificationKind
	Zones        []string
	Region       parley.BBox
}

// notificationRow is one notification with its status now and what the
// reader may do with it.
type notificationRow struct {
	parley.Notification
	Now parley.NotificationStatus
	Can map[string]bool
	Map template.JS // its route, for the map
}

// Message IDs of kinds and statuses, written out so that the catalogue
// check finds each.
var (
	notificationKindKeys = map[parley.NotificationKind]string{
		parley.NotifyEvacuation: "notification.kind_evacuation",
		parley.NotifyConvoy:     "notification.kind_convoy",
		parley.NotifyCorridor:   "notification.kind_corridor",
	}
	notificationStatusKeys = map[parley.NotificationStatus]string{
		parley.NoticeNotified:     "notification.status_notified",
		parley.NoticeAcknowledged: "notification.status_acknowledged",
		parley.NoticeQuestioned:   "notification.status_questioned",
		parley.NoticeAnswered:     "notification.status_answered",
		parley.NoticeCancelled:    "notification.status_cancelled",
		parley.NoticeDone:         "notification.status_done",
	}
)

// KindName is the name of a notification's kind in the reader's language.
func (p *page) KindName(k parley.NotificationKind) string { return p.T(notificationKindKeys[k]) }

// NoticeStatus is a notification's status in the reader's language.
func (p *page) NoticeStatus(s parley.NotificationStatus) string {
	return p.T(notificationStatusKeys[s])
}

// noticeGroup reads working group id, its space and its negotiating
// parties, as a may see them.
func (s *Server) noticeGroup(ctx context.Context, a parley.Actor, id string) (parley.Space, []string, error) {
	g, err := s.db.Group(ctx, a, id)
	if err != nil {
		return parley.Space{}, nil, err
	}
	sp, err := s.db.Space(ctx, a, g.SpaceID)
	if err != nil || g.SpaceID == "" {
		return parley.Space{}, nil, parley.Errorf(parley.ENOTFOUND, "No such working group.")
	}
	ps, err := s.db.Parties(ctx, a, g.ProcessID)
	if err != nil {
		return sp, nil, err
	}
	var parties []string
	for _, p := range ps {
		if p.Kind == parley.PartyNegotiating {
			parties = append(parties, p.ID)
		}
	}
	return sp, parties, nil
}

// mayNotify checks the policy of sending a notification in group id (or,
// with setNotice, of setting its notice period) before any input is read.
func (s *Server) mayNotify(ctx context.Context, a parley.Actor, id string, setNotice bool) error {
	sp, parties, err := s.noticeGroup(ctx, a, id)
	if err != nil {
		return err
	}
	if setNotice {
		return parley.MaySetNoticePeriod(a, sp)
	}
	return parley.MayNotify(a, sp, parties)
}

// mayActOnNotification checks the policy of act on notification id before
// any input is read.
func (s *Server) mayActOnNotification(ctx context.Context, a parley.Actor, id, act string) (parley.Notification, error) {
	n, err := s.db.Notification(ctx, a, id)
	if err != nil {
		return n, err
	}
	sp, err := s.db.Space(ctx, a, n.SpaceID)
	if err != nil {
		return n, err
	}
	return n, parley.MayActOnNotification(a, parley.NotificationSetting{Notification: n, Space: sp}, act)
}

func (s *Server) notificationsPage(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.member(w, r); !ok {
		return
	}
	s.showNotifications(w, r, s.page(r, "notifications.title"), http.StatusOK)
}

func (s *Server) loadNotifications(ctx context.Context, p *page, group string) (*notificationsPage, error) {
	v, g, sp, err := s.loadGroupSpace(ctx, p, group)
	if err != nil {
		return nil, err
	}
	a := p.Actor
	np := &notificationsPage{processView: v, Group: g, Space: sp, Kinds: parley.NotificationKinds, Zones: timeZones,
		CanSetNotice: parley.MaySetNoticePeriod(a, sp.Space) == nil}
	if np.NoticeHours, err = s.db.NoticeHours(ctx, a, g.ID); err != nil {
		return nil, err
	}
	rules, err := s.db.TruceRules(ctx, a, g.ProcessID)
	if err != nil {
		return nil, err
	}
	np.Region = rules.Region
	now := p.Now()
	np.Earliest = parley.EarliestStart(now, np.NoticeHours)
	var parties []string
	m, _ := a.In(g.ProcessID)
	for _, party := range negotiating(v) {
		parties = append(parties, party.ID)
		if party.ID != m.PartyID {
			np.Others = append(np.Others, party)
		}
	}
	np.CanNotify = parley.MayNotify(a, sp.Space, parties) == nil
	ns, err := s.db.Notifications(ctx, a, g.ID)
	if err != nil {
		return nil, err
	}
	env := parley.Env{Now: now, NewID: func() string { return "probe" }}
	ok := func(_ []parley.Event, err error) bool { return err == nil }
	for _, n := range ns {
		set := parley.NotificationSetting{Notification: n, Space: sp.Space}
		row := notificationRow{Notification: n, Now: n.StatusAt(now), Can: map[string]bool{
			"acknowledge": ok(parley.DecideAcknowledgeNotification(a, set, env)),
			"question":    ok(parley.DecideQuestionNotification(a, set, parley.QuestionNotification{NotificationID: n.ID, Text: "x"}, env)),
			"answer":      ok(parley.DecideAnswerNotification(a, set, parley.AnswerNotification{NotificationID: n.ID, Text: "x"}, env)),
			"cancel":      ok(parley.DecideCancelNotification(a, set, parley.CancelNotification{NotificationID: n.ID}, env)),
		}}
		if len(n.Points) > 0 {
			row.Map = template.JS(parley.ShapesGeoJSON([]parley.Shape{routeShape(n.Points)}))
		}
		np.Rows = append(np.Rows, row)
	}
	return np, nil
}

// routeShape is a route's points as a shape of the map: a line, or a
// crossing for a single point.
func routeShape(ps []parley.Point) parley.Shape {
	if len(ps) == 1 {
		at := ps[0]
		return parley.Shape{Kind: parley.ShapeCrossing, Name: "route", At: &at}
	}
	return parley.Shape{Kind: parley.ShapeSegment, Name: "route", Line: ps}
}

func (s *Server) showNotifications(w http.ResponseWriter, r *http.Request, p *page, status int) {
	np, err := s.loadNotifications(r.Context(), p, r.PathValue("group"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Map = true // the route map and the countdowns
	p.Data = np
	s.render(w, r, status, "notifications.html", p)
}

// notificationsBody is the live part of the page.
func (s *Server) notificationsBody(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.member(w, r); !ok {
		return
	}
	p := s.page(r, "notifications.title")
	np, err := s.loadNotifications(r.Context(), p, r.PathValue("group"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Data = np
	s.renderFragment(w, r, "notifications.html", "notifications-body", p)
}

// readNotify reads the notification form. Its times are in the zone the
// form names, else the reader's; the route's points come from the map's
// shapes, in their order.
func readNotify(f url.Values, group string, loc *time.Location, bad map[string]string) parley.Notify {
	c := parley.Notify{GroupID: group, ToParty: strings.TrimSpace(f.Get("to_party")), NotificationTerms: parley.NotificationTerms{
		Kind: parley.NotificationKind(f.Get("kind")), Route: f.Get("route"), Purpose: f.Get("purpose"), TimeZone: strings.TrimSpace(f.Get("time_zone"))},
		ShortNotice: f.Get("short_notice") != "", ShortNoticeReason: f.Get("short_notice_reason")}
	if c.TimeZone == "" {
		c.TimeZone = loc.String()
	}
	if l, err := time.LoadLocation(c.TimeZone); err == nil && c.TimeZone != "Local" {
		loc = l
	}
	when := func(field string) time.Time {
		v := strings.TrimSpace(f.Get(field))
		if v == "" {
			return time.Time{}
		}
		x, err := time.ParseInLocation("2006-01-02T15:04", v, loc)
		if err != nil {
			bad[field] = "is not a date and time"
		}
		return x
	}
	c.Starts, c.Ends = when("starts"), when("ends")
	num := func(field string) int {
		v := strings.TrimSpace(f.Get(field))
		if v == "" {
			return 0
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			bad[field] = "must be a whole number"
		}
		return n
	}
	c.Vehicles, c.People = num("vehicles"), num("people")
	if g := strings.TrimSpace(f.Get("route_shapes")); g != "" {
		shapes, err := parley.ParseShapes([]byte(g), world)
		if err != nil {
			bad["points"] = err.(*parley.ShapeError).Problem
		}
		for _, sh := range shapes {
			c.Points = append(c.Points, sh.Points()...)
		}
	}
	return c
}

func (s *Server) notify(w http.ResponseWriter, r *http.Request) {
	a, ok := s.member(w, r)
	if !ok {
		return
	}
	ctx, group := r.Context(), r.PathValue("group")
	if err := s.mayNotify(ctx, a, group, false); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	p := s.page(r, "notifications.title")
	bad := map[string]string{}
	cmd := readNotify(r.PostForm, group, p.Loc, bad)
	var err error
	if len(bad) > 0 {
		err = withFormErrors(bad, cmd.Validate())
	} else {
		_, err = s.svc.Do(ctx, a, cmd)
	}
	if s.notificationFormError(w, r, p, "notify", err) {
		return
	}
	http.Redirect(w, r, "/g/"+group+"/notifications", http.StatusSeeOther)
}

// notificationFormError shows the page again with err beside the fields
// of the form act, and reports whether there was an error to show.
func (s *Server) notificationFormError(w http.ResponseWriter, r *http.Request, p *page, act string, err error) bool {
	code := parley.ErrorCode(err)
	switch code {
	case "":
		return false
	case parley.EINVALID, parley.ECONFLICT:
	default:
		s.fail(w, r, err)
		return true
	}
	p.Form, p.Errors = r.PostForm, fields(err)
	p.Errors["act"] = act
	if strings.Contains(p.Errors["starts"], "hours' notice") {
		// The domain's sentence names the earliest start in UTC; the
		// reader gets it in their language and zone.
		if h, herr := s.db.NoticeHours(r.Context(), p.Actor, r.PathValue("group")); herr == nil {
			p.Errors["starts"] = p.T("notification.too_soon", "Hours", h, "Earliest", p.Time(parley.EarliestStart(p.Now(), h)))
		}
	}
	s.showNotifications(w, r, p, status(code))
	return true
}

func (s *Server) setNoticePeriod(w http.ResponseWriter, r *http.Request) {
	a, ok := s.member(w, r)
	if !ok {
		return
	}
	ctx, group := r.Context(), r.PathValue("group")
	if err := s.mayNotify(ctx, a, group, true); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	var err error
	h, convErr := strconv.Atoi(strings.TrimSpace(r.PostForm.Get("hours")))
	if convErr != nil {
		err = withFormErrors(map[string]string{"hours": "must be a whole number"}, nil)
	} else {
		_, err = s.svc.Do(ctx, a, parley.SetNoticePeriod{GroupID: group, Hours: h})
	}
	if s.notificationFormError(w, r, s.page(r, "notifications.title"), "notice", err) {
		return
	}
	http.Redirect(w, r, "/g/"+group+"/notifications#notice", http.StatusSeeOther)
}

// notificationAct acknowledges, questions, answers or cancels a
// notification.
func (s *Server) notificationAct(w http.ResponseWriter, r *http.Request) {
	a, ok := s.member(w, r)
	if !ok {
		return
	}
	ctx, id, act := r.Context(), r.PathValue("notification"), r.PathValue("act")
	if !slices.Contains([]string{parley.NotificationAcknowledge, parley.NotificationQuestion, parley.NotificationAnswer, parley.NotificationCancel}, act) {
		s.fail(w, r, parley.Errorf(parley.ENOTFOUND, "No such act."))
		return
	}
	n, err := s.mayActOnNotification(ctx, a, id, act)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	f := r.PostForm
	var cmd parley.Command
	switch act {
	case parley.NotificationAcknowledge:
		cmd = parley.AcknowledgeNotification{NotificationID: id}
	case parley.NotificationQuestion:
		cmd = parley.QuestionNotification{NotificationID: id, Text: f.Get("text")}
	case parley.NotificationAnswer:
		cmd = parley.AnswerNotification{NotificationID: id, Text: f.Get("text")}
	case parley.NotificationCancel:
		cmd = parley.CancelNotification{NotificationID: id, Reason: f.Get("reason")}
	}
	_, err = s.svc.Do(ctx, a, cmd)
	r.SetPathValue("group", n.GroupID)
	if s.notificationFormError(w, r, s.page(r, "notifications.title"), act+":"+id, err) {
		return
	}
	http.Redirect(w, r, "/g/"+n.GroupID+"/notifications#n-"+id, http.StatusSeeOther)
}

// NoticeAct is the act name of the form act on notification id.
func (p *page) NoticeAct(act, id string) string { return act + ":" + id }
