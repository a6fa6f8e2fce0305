package parley

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// A humanitarian notification is one side telling the other, in a working
// group, of an evacuation, a convoy or a corridor it is about to run: the
// route (in words, and as points on the map if it likes), the time window
// in a named time zone, the purpose or cargo, and how many vehicles and
// people. The other side acknowledges it, or questions it; the notifying
// side answers a question and may cancel before the start. Its window
// over, a notification is done.
//
// The working group's mediator sets the notice required: how long before
// its start a notification must be sent, so that the other side can tell
// its units on the route. A notification with less notice is refused,
// naming the earliest start allowed, unless the sender marks it an
// emergency and says why; then it is recorded, and shown to everyone, as
// short notice. Refusing outright would push the urgent cases — the
// wounded who cannot wait a day — out of Parley and onto the telephone,
// where nothing is recorded and nobody can later show who knew what when;
// accepting silently would make the notice period meaningless. The record
// keeps how much notice was given against how much was required, and the
// other side's acknowledgement, or its question, stays its own to give.

// NotificationKind is what is notified.
type NotificationKind string

// Kinds of notification.
const (
	NotifyEvacuation NotificationKind = "evacuation"
	NotifyConvoy     NotificationKind = "convoy"
	NotifyCorridor   NotificationKind = "corridor"
)

// NotificationKinds lists every kind.
var NotificationKinds = []NotificationKind{NotifyEvacuation, NotifyConvoy, NotifyCorridor}

// NotificationStatus is where a notification stands.
type NotificationStatus string

// Statuses of a notification. Done is not recorded: a notification not
// cancelled is done once its window is over (see StatusAt).
const (
	NoticeNotified     NotificationStatus = "notified"
	NoticeAcknowledged NotificationStatus = "acknowledged"
	NoticeQuestioned   NotificationStatus = "questioned"
	NoticeAnswered     NotificationStatus = "answered"
	NoticeCancelled    NotificationStatus = "cancelled"
	NoticeDone         NotificationStatus = "done"
)

// Limits of a notification.
const (
	DefaultNoticeHours = 24      // notice required where the mediator set none
	MaxNoticeHours     = 24 * 30 // the longest notice the mediator may require
	MaxWindowHours     = 24 * 30 // the longest window of one notification
	MaxRoutePoints     = 100
	MaxNotifiedCount   = 100000 // vehicles or people
)

// NotificationTerms are what the notifying side tells: everything but who
// and when.
type NotificationTerms struct {
	Kind     NotificationKind `json:"kind"`
	Route    string           `json:"route"`            // in words
	Points   []Point          `json:"points,omitempty"` // the route on the map, in order
	Starts   time.Time        `json:"starts"`
	Ends     time.Time        `json:"ends"`
	TimeZone string           `json:"time_zone"` // the zone the window is given in, for showing it as notified
	Purpose  string           `json:"purpose"`   // purpose or cargo
	Vehicles int              `json:"vehicles,omitempty"`
	People   int              `json:"people,omitempty"`
}

// Notification is a humanitarian notification with what followed it.
type Notification struct {
	ID        string `json:"id"`
	ProcessID string `json:"process_id"`
	GroupID   string `json:"group_id"`
	SpaceID   string `json:"space_id"`
	FromParty string `json:"from_party"`
	ToParty   string `json:"to_party"`
	NotificationTerms
	NoticeHours       int                `json:"notice_hours"` // the notice required when it was sent
	ShortNotice       bool               `json:"short_notice"`
	ShortNoticeReason string             `json:"short_notice_reason,omitempty"`
	SentAt            time.Time          `json:"sent_at"`
	SentBy            string             `json:"sent_by"`
	Status            NotificationStatus `json:"status"` // as recorded: never done
	AcknowledgedAt    time.Time          `json:"acknowledged_at,omitzero"`
	CancelledAt       time.Time          `json:"cancelled_at,omitzero"`
	CancelReason      string             `json:"cancel_reason,omitempty"`
	Notes             []NotificationNote `json:"notes"`
	Seq               int64              `json:"seq"` // record entry of its latest event
}

// NotificationNote is a question of the receiving side or an answer of the
// notifying side.
type NotificationNote struct {
	Kind    string    `json:"kind"` // question or answer
	PartyID string    `json:"party_id"`
	By      string    `json:"by"` // account
	Text    string    `json:"text"`
	At      time.Time `json:"at"`
	Seq     int64     `json:"seq"`
}

// StatusAt is n's status at now: done once its window is over, unless it
// was cancelled.
func (n Notification) StatusAt(now time.Time) NotificationStatus {
	if n.Status != NoticeCancelled && !now.Before(n.Ends) {
		return NoticeDone
	}
	return n.Status
}

// Notice is how long before its start n was sent.
func (n Notification) Notice() time.Duration { return n.Starts.Sub(n.SentAt) }

// Events of notifications.
type (
	// NoticePeriodSet records the notice a working group requires.
	NoticePeriodSet struct {
		GroupID string `json:"group_id"`
		Hours   int    `json:"hours"`
	}
	// NotificationSent records a notification: ShortNotice says it was
	// sent with less notice than Required, as an emergency, for Reason.
	NotificationSent struct {
		NotificationID string `json:"notification_id"`
		GroupID        string `json:"group_id"`
		FromParty      string `json:"from_party"`
		ToParty        string `json:"to_party"`
		NotificationTerms
		NoticeHours       int    `json:"notice_hours"`
		ShortNotice       bool   `json:"short_notice,omitempty"`
		ShortNoticeReason string `json:"short_notice_reason,omitempty"`
	}
	// NotificationAcknowledged records the receiving side's acknowledgement.
	NotificationAcknowledged struct {
		NotificationID string `json:"notification_id"`
		PartyID        string `json:"party_id"`
	}
	// NotificationQuestioned records the receiving side's question.
	NotificationQuestioned struct {
		NotificationID string `json:"notification_id"`
		PartyID        string `json:"party_id"`
		Text           string `json:"text"`
	}
	// NotificationAnswered records the notifying side's answer.
	NotificationAnswered struct {
		NotificationID string `json:"notification_id"`
		PartyID        string `json:"party_id"`
		Text           string `json:"text"`
	}
	// NotificationCancelled records the notifying side's cancellation.
	NotificationCancelled struct {
		NotificationID string `json:"notification_id"`
		PartyID        string `json:"party_id"`
		Reason         string `json:"reason,omitempty"`
	}
)

func (*NoticePeriodSet) EventType() string          { return "notification.notice_period_set" }
func (*NotificationSent) EventType() string         { return "notification.sent" }
func (*NotificationAcknowledged) EventType() string { return "notification.acknowledged" }
func (*NotificationQuestioned) EventType() string   { return "notification.questioned" }
func (*NotificationAnswered) EventType() string     { return "notification.answered" }
func (*NotificationCancelled) EventType() string    { return "notification.cancelled" }

func init() {
	register(
		func() EventData { return new(NoticePeriodSet) },
		func() EventData { return new(NotificationSent) },
		func() EventData { return new(NotificationAcknowledged) },
		func() EventData { return new(NotificationQuestioned) },
		func() EventData { return new(NotificationAnswered) },
		func() EventData { return new(NotificationCancelled) },
	)
}

// Commands of notifications.
type (
	// SetNoticePeriod sets the notice a working group requires, in hours
	// (0: none): the mediator's.
	SetNoticePeriod struct {
		GroupID string `json:"group_id"`
		Hours   int    `json:"hours"`
	}
	// Notify sends a notification in a working group to the other side
	// (ToParty may be left empty where there is only one). ShortNotice
	// marks an emergency sent with less notice than required, and needs a
	// reason.
	Notify struct {
		GroupID string `json:"group_id"`
		ToParty string `json:"to_party,omitempty"`
		NotificationTerms
		ShortNotice       bool   `json:"short_notice,omitempty"`
		ShortNoticeReason string `json:"short_notice_reason,omitempty"`
	}
	// AcknowledgeNotification is the receiving side's acknowledgement.
	AcknowledgeNotification struct {
		NotificationID string `json:"notification_id"`
	}
	// QuestionNotification is the receiving side's question.
	QuestionNotification struct {
		NotificationID string `json:"notification_id"`
		Text           string `json:"text"`
	}
	// AnswerNotification is the notifying side's answer to a question.
	AnswerNotification struct {
		NotificationID string `json:"notification_id"`
		Text           string `json:"text"`
	}
	// CancelNotification is the notifying side's cancellation, before the
	// start.
	CancelNotification struct {
		NotificationID string `json:"notification_id"`
		Reason         string `json:"reason,omitempty"`
	}
)

// Validate implements Command.
func (c SetNoticePeriod) Validate() error {
	var v Invalid
	v.requireID("group_id", c.GroupID)
	if c.Hours < 0 || c.Hours > MaxNoticeHours {
		v.Add("hours", fmt.Sprintf("must be between 0 and %d", MaxNoticeHours))
	}
	return v.Err()
}

// Validate implements Command.
func (c Notify) Validate() error {
	var v Invalid
	v.requireID("group_id", c.GroupID)
	if c.ToParty != "" && !validID(c.ToParty) {
		v.Add("to_party", "is not a valid identifier")
	}
	if !contains(kindNames(), string(c.Kind)) {
		v.Add("kind", "must be evacuation, convoy or corridor")
	}
	v.Require("route", c.Route)
	v.MaxLen("route", c.Route, maxText)
	v.Require("purpose", c.Purpose)
	v.MaxLen("purpose", c.Purpose, maxText)
	if len(c.Points) > MaxRoutePoints {
		v.Add("points", fmt.Sprintf("at most %d points", MaxRoutePoints))
	}
	for _, p := range c.Points {
		if math.IsNaN(p[0]) || math.IsNaN(p[1]) || math.IsInf(p[0], 0) || math.IsInf(p[1], 0) || !world.Contains(p) {
			v.Add("points", "every point needs a longitude and a latitude in degrees")
			break
		}
	}
	switch {
	case c.Starts.IsZero():
		v.Add("starts", "is required")
	case c.Ends.IsZero():
		v.Add("ends", "is required")
	case !c.Ends.After(c.Starts):
		v.Add("ends", "must be after the start")
	case c.Ends.Sub(c.Starts) > MaxWindowHours*time.Hour:
		v.Add("ends", fmt.Sprintf("a window lasts at most %d days", MaxWindowHours/24))
	}
	if tz := strings.TrimSpace(c.TimeZone); tz == "" {
		v.Add("time_zone", "is required")
	} else if _, err := time.LoadLocation(tz); err != nil || tz == "Local" {
		v.Add("time_zone", "is not a known time zone (e.g. Europe/Istanbul)")
	}
	if c.Vehicles < 0 || c.Vehicles > MaxNotifiedCount {
		v.Add("vehicles", fmt.Sprintf("must be between 0 and %d", MaxNotifiedCount))
	}
	if c.People < 0 || c.People > MaxNotifiedCount {
		v.Add("people", fmt.Sprintf("must be between 0 and %d", MaxNotifiedCount))
	}
	v.MaxLen("short_notice_reason", c.ShortNoticeReason, maxText)
	return v.Err()
}

var world = BBox{West: -180, South: -90, East: 180, North: 90}

func kindNames() []string {
	out := make([]string, len(NotificationKinds))
	for i, k := range NotificationKinds {
		out[i] = string(k)
	}
	return out
}

func notificationOnly(id string) error {
	var v Invalid
	v.requireID("notification_id", id)
	return v.Err()
}

// Validate implements Command.
func (c AcknowledgeNotification) Validate() error { return notificationOnly(c.NotificationID) }

func notificationText(id, field, text string) error {
	var v Invalid
	v.requireID("notification_id", id)
	v.Require(field, text)
	v.MaxLen(field, text, maxText)
	return v.Err()
}

// Validate implements Command.
func (c QuestionNotification) Validate() error {
	return notificationText(c.NotificationID, "text", c.Text)
}

// Validate implements Command.
func (c AnswerNotification) Validate() error {
	return notificationText(c.NotificationID, "text", c.Text)
}

// Validate implements Command.
func (c CancelNotification) Validate() error {
	var v Invalid
	v.requireID("notification_id", c.NotificationID)
	v.MaxLen("reason", c.Reason, maxText)
	return v.Err()
}

// NoticeSetting is what deciding about a new notification needs: the
// working group's space, the process's negotiating parties, the notice the
// group requires, and the region of the process (its truce rules').
type NoticeSetting struct {
	Space       Space
	Parties     []string
	NoticeHours int
	Region      BBox
}

// NotificationSetting is what deciding about a notification needs besides
// the notification: its space.
type NotificationSetting struct {
	Notification Notification
	Space        Space
}

func notificationConflict(msg string) error { return Errorf(ECONFLICT, "%s", msg) }

// MayNotify checks that a may send notifications in the working group's
// space s: a head or delegate of a negotiating party who may write there.
// Who may not read the space does not learn that it exists.
func MayNotify(a Actor, s Space, parties []string) error {
	if !Allowed(a, ActRead, s) {
		return Errorf(ENOTFOUND, "No such working group.")
	}
	m, _ := a.In(s.ProcessID)
	if s.Kind != SpaceGroup || !contains(parties, m.PartyID) || !speaksFor(a, s, m.PartyID) {
		return Errorf(EFORBIDDEN, "Notifications are sent by the parties' delegations in the working group.")
	}
	return nil
}

// MaySetNoticePeriod checks that a sets the notice of the group's space s:
// its mediator.
func MaySetNoticePeriod(a Actor, s Space) error {
	if !Allowed(a, ActRead, s) {
		return Errorf(ENOTFOUND, "No such working group.")
	}
	if !Mediates(a, s) {
		return Errorf(EFORBIDDEN, "The mediator sets the notice a working group requires.")
	}
	return nil
}

// Acts on a notification, for MayActOnNotification.
const (
	NotificationAcknowledge = "acknowledge"
	NotificationQuestion    = "question"
	NotificationAnswer      = "answer"
	NotificationCancel      = "cancel"
)

// MayActOnNotification checks that a may perform act on the notification
// of set, whatever its state: the receiving side acknowledges and
// questions, the notifying side answers and cancels, each by a head or
// delegate who may write in the group.
func MayActOnNotification(a Actor, set NotificationSetting, act string) error {
	if !Allowed(a, ActRead, set.Space) {
		return Errorf(ENOTFOUND, "No such notification.")
	}
	n := set.Notification
	side, msg := n.ToParty, "Only the side notified acknowledges or questions a notification."
	if act == NotificationAnswer || act == NotificationCancel {
		side, msg = n.FromParty, "Only the notifying side answers questions on a notification or cancels it."
	}
	if !speaksFor(a, set.Space, side) {
		return Errorf(EFORBIDDEN, "%s", msg)
	}
	return nil
}

// EarliestStart is the earliest start a notification sent at now may have
// with hours of notice.
func EarliestStart(now time.Time, hours int) time.Time {
	return now.Add(time.Duration(hours) * time.Hour)
}

// DecideSetNoticePeriod sets the notice the working group of s requires.
func DecideSetNoticePeriod(a Actor, s Space, c SetNoticePeriod, env Env) ([]Event, error) {
	if err := MaySetNoticePeriod(a, s); err != nil {
		return nil, err
	}
	return events(a, env, ev(SpaceScope(s), &NoticePeriodSet{GroupID: s.GroupID, Hours: c.Hours})), nil
}

// DecideNotify records a notification to the other side. Its start must
// be at least the group's notice after now; one with less notice is
// refused on the start, with the earliest start allowed, unless it is
// marked short notice with a reason. It must not start in the past.
func DecideNotify(a Actor, set NoticeSetting, c Notify, env Env) ([]Event, error) {
	if err := MayNotify(a, set.Space, set.Parties); err != nil {
		return nil, err
	}
	m, _ := a.In(set.Space.ProcessID)
	var v Invalid
	to := c.ToParty
	if to == "" {
		var others []string
		for _, p := range set.Parties {
			if p != m.PartyID {
				others = append(others, p)
			}
		}
		if len(others) == 1 {
			to = others[0]
		} else {
			v.Add("to_party", "name the side notified")
		}
	} else if to == m.PartyID || !contains(set.Parties, to) {
		v.Add("to_party", "must be another negotiating party of the process")
	}
	region := set.Region
	if region.IsZero() {
		region = DefaultRegion
	}
	for _, p := range c.Points {
		if !region.Contains(p) {
			v.Add("points", "a point lies outside the region of the process")
			break
		}
	}
	earliest := EarliestStart(env.Now, set.NoticeHours)
	short := c.Starts.Before(earliest)
	switch {
	case c.Starts.Before(env.Now):
		v.Add("starts", "is already past")
	case short && !c.ShortNotice:
		v.Add("starts", fmt.Sprintf("this working group requires %d hours' notice: start at %s UTC or later, or mark it short notice in an emergency and say why",
			set.NoticeHours, earliest.UTC().Format("2006-01-02 15:04")))
	case short && strings.TrimSpace(c.ShortNoticeReason) == "":
		v.Add("short_notice_reason", "say why this cannot wait for the notice required")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	t := c.NotificationTerms
	t.Route, t.Purpose, t.TimeZone = normalizeBody(t.Route), normalizeBody(t.Purpose), strings.TrimSpace(t.TimeZone)
	t.Starts, t.Ends = t.Starts.UTC(), t.Ends.UTC()
	t.Points = append([]Point(nil), t.Points...)
	reason := ""
	if short {
		reason = normalizeBody(c.ShortNoticeReason)
	}
	return events(a, env, ev(SpaceScope(set.Space), &NotificationSent{NotificationID: env.NewID(), GroupID: set.Space.GroupID,
		FromParty: m.PartyID, ToParty: to, NotificationTerms: t, NoticeHours: set.NoticeHours, ShortNotice: short, ShortNoticeReason: reason})), nil
}

// live refuses acts on a notification cancelled or done.
func (n Notification) live(now time.Time) error {
	switch n.StatusAt(now) {
	case NoticeCancelled:
		return notificationConflict("The notification was cancelled.")
	case NoticeDone:
		return notificationConflict("The notification's window is over.")
	}
	return nil
}

// DecideAcknowledgeNotification records the receiving side's
// acknowledgement, once, while the notification is live; an open question
// is then settled.
func DecideAcknowledgeNotification(a Actor, set NotificationSetting, env Env) ([]Event, error) {
	if err := MayActOnNotification(a, set, NotificationAcknowledge); err != nil {
		return nil, err
	}
	n := set.Notification
	if n.Status == NoticeAcknowledged {
		return nil, notificationConflict("The notification is acknowledged already.")
	}
	if err := n.live(env.Now); err != nil {
		return nil, err
	}
	return events(a, env, ev(SpaceScope(set.Space), &NotificationAcknowledged{NotificationID: n.ID, PartyID: n.ToParty})), nil
}

// DecideQuestionNotification records the receiving side's question: on a
// notification not yet acknowledged, with no question open.
func DecideQuestionNotification(a Actor, set NotificationSetting, c QuestionNotification, env Env) ([]Event, error) {
	if err := MayActOnNotification(a, set, NotificationQuestion); err != nil {
		return nil, err
	}
	n := set.Notification
	if err := n.live(env.Now); err != nil {
		return nil, err
	}
	switch n.Status {
	case NoticeAcknowledged:
		return nil, notificationConflict("The notification is acknowledged already.")
	case NoticeQuestioned:
		return nil, notificationConflict("Your question awaits its answer.")
	}
	return events(a, env, ev(SpaceScope(set.Space), &NotificationQuestioned{NotificationID: n.ID, PartyID: n.ToParty, Text: normalizeBody(c.Text)})), nil
}

// DecideAnswerNotification records the notifying side's answer to the
// open question.
func DecideAnswerNotification(a Actor, set NotificationSetting, c AnswerNotification, env Env) ([]Event, error) {
	if err := MayActOnNotification(a, set, NotificationAnswer); err != nil {
		return nil, err
	}
	n := set.Notification
	if err := n.live(env.Now); err != nil {
		return nil, err
	}
	if n.Status != NoticeQuestioned {
		return nil, notificationConflict("No question awaits an answer.")
	}
	return events(a, env, ev(SpaceScope(set.Space), &NotificationAnswered{NotificationID: n.ID, PartyID: n.FromParty, Text: normalizeBody(c.Text)})), nil
}

// DecideCancelNotification records the notifying side's cancellation,
// before the start.
func DecideCancelNotification(a Actor, set NotificationSetting, c CancelNotification, env Env) ([]Event, error) {
	if err := MayActOnNotification(a, set, NotificationCancel); err != nil {
		return nil, err
	}
	n := set.Notification
	if n.Status == NoticeCancelled {
		return nil, notificationConflict("The notification was cancelled.")
	}
	if !env.Now.Before(n.Starts) {
		return nil, notificationConflict("The notification's window has begun: it can no longer be cancelled.")
	}
	return events(a, env, ev(SpaceScope(set.Space), &NotificationCancelled{NotificationID: n.ID, PartyID: n.FromParty, Reason: normalizeBody(c.Reason)})), nil
}
