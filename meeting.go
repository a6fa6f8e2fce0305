package parley

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"net/url"
	"strings"
	"time"
)

// A Meeting is an online session of a working group, or of the heads of
// delegation alone, in the space of either. Parley carries its paper trail:
// the agenda, who attended, notes taken during it, and minutes approved by
// every party afterwards; the parties' own video call carries the talk.
type Meeting struct {
	ID        string `json:"id"`
	ProcessID string `json:"process_id"`
	SpaceID   string `json:"space_id"`
	GroupID   string `json:"group_id,omitempty"` // "" for a meeting of the heads
	Title     string `json:"title"`
	// Start is the time the meeting begins; Duration how long it is
	// planned to last, in minutes. TimeZone is the organiser's, for
	// showing the time as it was set; each reader also sees it in theirs.
	Start    time.Time     `json:"start"`
	Duration int           `json:"duration_minutes"`
	TimeZone string        `json:"time_zone"`
	CallURL  string        `json:"call_url,omitempty"`
	Status   MeetingStatus `json:"status"`
	// CurrentItem is the agenda item under discussion while the meeting
	// is live.
	CurrentItem string `json:"current_item,omitempty"`
	// ThreadID is the meeting's discussion, opened with it in its space.
	ThreadID string `json:"thread_id"`
	// Sequence counts the changes to the invitation (time, title, call,
	// cancellation), as calendars expect (RFC 5545 SEQUENCE).
	Sequence  int       `json:"sequence"`
	Organiser string    `json:"organiser"` // account
	CreatedAt time.Time `json:"created_at"`

	Agenda     []AgendaItem      `json:"agenda"`
	Attendance []Attendance      `json:"attendance"`
	Notes      []MeetingNote     `json:"notes"`
	Minutes    Minutes           `json:"minutes"`
	Approvals  []MinutesApproval `json:"approvals"`
	Actions    []FollowUp        `json:"actions"`
}

// End is when the meeting is planned to end.
func (m Meeting) End() time.Time { return m.Start.Add(time.Duration(m.Duration) * time.Minute) }

// MeetingStatus is where a meeting stands.
type MeetingStatus string

// Statuses of a meeting.
const (
	MeetingStatusScheduled MeetingStatus = "scheduled"
	MeetingStatusLive      MeetingStatus = "live"
	MeetingStatusEnded     MeetingStatus = "ended"
	MeetingStatusCancelled MeetingStatus = "cancelled"
)

// AgendaItem is one point of a meeting's agenda, optionally about a
// proposal, a clause of a memorandum or a discussion of the same space.
type AgendaItem struct {
	ID       string  `json:"id"`
	Title    string  `json:"title"`
	Ref      ItemRef `json:"ref,omitzero"`
	RefTitle string  `json:"ref_title,omitempty"` // joined for reading
	// RefStatus is the status of the proposal or clause, joined for
	// reading, so the agenda shows where each stands.
	RefStatus string `json:"ref_status,omitempty"`
	RefMemo   string `json:"ref_memo,omitempty"` // the memorandum of a clause
}

// ItemRef names something an agenda item is about.
type ItemRef struct {
	Kind string `json:"kind"` // "proposal", "clause" or "thread"
	ID   string `json:"id"`
}

// RefKinds are the kinds of thing an agenda item may be about.
var RefKinds = []string{"proposal", "clause", "thread"}

// ParseItemRef reads "proposal:ID", "clause:ID" or "thread:ID"; "" is no
// reference.
func ParseItemRef(s string) (ItemRef, bool) {
	if s == "" {
		return ItemRef{}, true
	}
	k, id, ok := strings.Cut(s, ":")
	if !ok || !contains(RefKinds, k) || !validID(id) {
		return ItemRef{}, false
	}
	return ItemRef{Kind: k, ID: id}, true
}

// String is the form ParseItemRef reads.
func (r ItemRef) String() string {
	if r.Kind == "" {
		return ""
	}
	return r.Kind + ":" + r.ID
}

// Attendance is one member's presence at a meeting, as recorded.
type Attendance struct {
	AccountID string    `json:"account_id"`
	Name      string    `json:"name"` // joined for reading
	PartyID   string    `json:"party_id"`
	JoinedAt  time.Time `json:"joined_at"`
	LeftAt    time.Time `json:"left_at,omitzero"` // zero while present
}

// MeetingNote is a note taken during a meeting, under an agenda item.
type MeetingNote struct {
	ID       string    `json:"id"`
	ItemID   string    `json:"item_id,omitempty"`
	AuthorID string    `json:"author_id"`
	Author   string    `json:"author"` // joined for reading
	Body     string    `json:"body"`
	At       time.Time `json:"at"`
	Seq      int64     `json:"seq"`
}

// Minutes are the record of a meeting drafted afterwards. Hash binds the
// text and the follow-up actions: an approval is of that hash, and any
// change to either voids every approval.
type Minutes struct {
	Text    string `json:"text"`
	Version int    `json:"version"` // 0 until first drafted
	Hash    string `json:"hash"`
}

// MinutesApproval is a party's approval of the minutes with a given hash.
type MinutesApproval struct {
	PartyID string    `json:"party_id"`
	Hash    string    `json:"hash"`
	Actor   string    `json:"actor"`
	At      time.Time `json:"at"`
	Seq     int64     `json:"seq"`
}

// FollowUp is an action the minutes assign: to a party, or to the mediator
// (PartyID "").
type FollowUp struct {
	ID      string    `json:"id"`
	Text    string    `json:"text"`
	PartyID string    `json:"party_id,omitempty"`
	Due     string    `json:"due,omitempty"` // YYYY-MM-DD
	DoneAt  time.Time `json:"done_at,omitzero"`
	DoneBy  string    `json:"done_by,omitempty"`
}

// MinutesHash is the hash an approval binds: of the minutes' text and of
// every follow-up action (what, who, by when), in order, each length-prefixed
// so that no two different minutes share their bytes.
func MinutesHash(text string, actions []FollowUp) string {
	h := sha256.New()
	put := func(s string) {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	put("parley minutes v1")
	put(text)
	for _, a := range actions {
		put(a.ID)
		put(a.Text)
		put(a.PartyID)
		put(a.Due)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Approved reports whether every party in parties approved the current
// minutes.
func (m Meeting) Approved(parties []string) bool {
	if m.Minutes.Version == 0 || len(parties) == 0 {
		return false
	}
	for _, p := range parties {
		if !m.ApprovedBy(p) {
			return false
		}
	}
	return true
}

// ApprovedBy reports whether party approved the current minutes.
func (m Meeting) ApprovedBy(party string) bool {
	for _, a := range m.Approvals {
		if a.PartyID == party && a.Hash == m.Minutes.Hash {
			return true
		}
	}
	return false
}

// Present lists the attendees who joined and have not left.
func (m Meeting) Present() []Attendance {
	var out []Attendance
	for _, a := range m.Attendance {
		if a.LeftAt.IsZero() {
			out = append(out, a)
		}
	}
	return out
}

// Events of meetings.
type (
	// MeetingScheduled creates a meeting with its agenda and its
	// discussion thread.
	MeetingScheduled struct {
		MeetingID string       `json:"meeting_id"`
		SpaceID   string       `json:"space_id"`
		GroupID   string       `json:"group_id,omitempty"`
		Title     string       `json:"title"`
		Start     time.Time    `json:"start"`
		Duration  int          `json:"duration_minutes"`
		TimeZone  string       `json:"time_zone"`
		CallURL   string       `json:"call_url,omitempty"`
		ThreadID  string       `json:"thread_id"`
		Agenda    []AgendaItem `json:"agenda,omitempty"`
	}
	// MeetingChanged changes the invitation: title, time, length, call.
	MeetingChanged struct {
		MeetingID string    `json:"meeting_id"`
		Title     string    `json:"title"`
		Start     time.Time `json:"start"`
		Duration  int       `json:"duration_minutes"`
		TimeZone  string    `json:"time_zone"`
		CallURL   string    `json:"call_url,omitempty"`
		Sequence  int       `json:"sequence"`
	}
	// MeetingCancelled calls a meeting off.
	MeetingCancelled struct {
		MeetingID string `json:"meeting_id"`
		Reason    string `json:"reason,omitempty"`
		Sequence  int    `json:"sequence"`
	}
	// AgendaItemAdded adds an item at the end of the agenda.
	AgendaItemAdded struct {
		MeetingID string  `json:"meeting_id"`
		ItemID    string  `json:"item_id"`
		Title     string  `json:"title"`
		Ref       ItemRef `json:"ref,omitzero"`
	}
	// AgendaItemRemoved takes an item off the agenda.
	AgendaItemRemoved struct {
		MeetingID string `json:"meeting_id"`
		ItemID    string `json:"item_id"`
	}
	// MeetingStarted opens the meeting, at its first agenda item if any.
	MeetingStarted struct {
		MeetingID string `json:"meeting_id"`
		ItemID    string `json:"item_id,omitempty"`
	}
	// AgendaItemTaken moves the meeting to another agenda item.
	AgendaItemTaken struct {
		MeetingID string `json:"meeting_id"`
		ItemID    string `json:"item_id"`
	}
	// MeetingEnded closes the meeting; everyone still present leaves.
	MeetingEnded struct {
		MeetingID string `json:"meeting_id"`
	}
	// MeetingJoined records that a member attends.
	MeetingJoined struct {
		MeetingID string `json:"meeting_id"`
		PartyID   string `json:"party_id"`
	}
	// MeetingLeft records that a member left.
	MeetingLeft struct {
		MeetingID string `json:"meeting_id"`
	}
	// MeetingNoteTaken adds a note during the meeting.
	MeetingNoteTaken struct {
		MeetingID string `json:"meeting_id"`
		NoteID    string `json:"note_id"`
		ItemID    string `json:"item_id,omitempty"`
		Body      string `json:"body"`
	}
	// MinutesDrafted sets the text of the minutes. Hash binds the text with
	// the follow-up actions; every earlier approval is void.
	MinutesDrafted struct {
		MeetingID string `json:"meeting_id"`
		Text      string `json:"text"`
		Version   int    `json:"version"`
		Hash      string `json:"hash"`
		// Reset says approvals were given to the earlier text and are
		// void now.
		Reset bool `json:"reset,omitempty"`
	}
	// ActionAssigned adds a follow-up action to the minutes, which changes
	// their hash and voids every approval.
	ActionAssigned struct {
		MeetingID string `json:"meeting_id"`
		ActionID  string `json:"action_id"`
		Text      string `json:"text"`
		PartyID   string `json:"party_id,omitempty"`
		Due       string `json:"due,omitempty"`
		Hash      string `json:"hash"`
		Reset     bool   `json:"reset,omitempty"`
	}
	// ActionDone records that a follow-up action was carried out.
	ActionDone struct {
		MeetingID string `json:"meeting_id"`
		ActionID  string `json:"action_id"`
	}
	// MinutesApproved is a party's approval of the minutes whose hash is
	// Hash; Complete says every party has now approved them.
	MinutesApproved struct {
		MeetingID string `json:"meeting_id"`
		PartyID   string `json:"party_id"`
		Hash      string `json:"hash"`
		Complete  bool   `json:"complete,omitempty"`
		ActSignature
	}
)

func (*MeetingScheduled) EventType() string  { return "meeting.scheduled" }
func (*MeetingChanged) EventType() string    { return "meeting.changed" }
func (*MeetingCancelled) EventType() string  { return "meeting.cancelled" }
func (*AgendaItemAdded) EventType() string   { return "meeting.item_added" }
func (*AgendaItemRemoved) EventType() string { return "meeting.item_removed" }
func (*MeetingStarted) EventType() string    { return "meeting.started" }
func (*AgendaItemTaken) EventType() string   { return "meeting.item_taken" }
func (*MeetingEnded) EventType() string      { return "meeting.ended" }
func (*MeetingJoined) EventType() string     { return "meeting.joined" }
func (*MeetingLeft) EventType() string       { return "meeting.left" }
func (*MeetingNoteTaken) EventType() string  { return "meeting.note_taken" }
func (*MinutesDrafted) EventType() string    { return "meeting.minutes_drafted" }
func (*ActionAssigned) EventType() string    { return "meeting.action_assigned" }
func (*ActionDone) EventType() string        { return "meeting.action_done" }
func (*MinutesApproved) EventType() string   { return "meeting.minutes_approved" }

func init() {
	register(
		func() EventData { return new(MeetingScheduled) },
		func() EventData { return new(MeetingChanged) },
		func() EventData { return new(MeetingCancelled) },
		func() EventData { return new(AgendaItemAdded) },
		func() EventData { return new(AgendaItemRemoved) },
		func() EventData { return new(MeetingStarted) },
		func() EventData { return new(AgendaItemTaken) },
		func() EventData { return new(MeetingEnded) },
		func() EventData { return new(MeetingJoined) },
		func() EventData { return new(MeetingLeft) },
		func() EventData { return new(MeetingNoteTaken) },
		func() EventData { return new(MinutesDrafted) },
		func() EventData { return new(ActionAssigned) },
		func() EventData { return new(ActionDone) },
		func() EventData { return new(MinutesApproved) },
	)
}

// Commands of meetings.
type (
	// ScheduleMeeting convenes a meeting in a working group's space or the
	// heads' channel. Agenda holds the titles of its first items.
	ScheduleMeeting struct {
		SpaceID  string    `json:"space_id"`
		Title    string    `json:"title"`
		Start    time.Time `json:"start"`
		Duration int       `json:"duration_minutes"`
		TimeZone string    `json:"time_zone"`
		CallURL  string    `json:"call_url,omitempty"`
		Agenda   []string  `json:"agenda,omitempty"`
	}
	// ChangeMeeting changes the invitation of a meeting not yet ended.
	ChangeMeeting struct {
		MeetingID string    `json:"meeting_id"`
		Title     string    `json:"title"`
		Start     time.Time `json:"start"`
		Duration  int       `json:"duration_minutes"`
		TimeZone  string    `json:"time_zone"`
		CallURL   string    `json:"call_url,omitempty"`
	}
	// CancelMeeting calls off a meeting that has not begun.
	CancelMeeting struct {
		MeetingID string `json:"meeting_id"`
		Reason    string `json:"reason,omitempty"`
	}
	// AddAgendaItem adds an item to the agenda; Ref, in the form
	// "proposal:ID", "clause:ID" or "thread:ID", links it to an item of
	// the meeting's space.
	AddAgendaItem struct {
		MeetingID string `json:"meeting_id"`
		Title     string `json:"title"`
		Ref       string `json:"ref,omitempty"`
	}
	// RemoveAgendaItem takes an item off the agenda of a meeting that has
	// not ended.
	RemoveAgendaItem struct {
		MeetingID string `json:"meeting_id"`
		ItemID    string `json:"item_id"`
	}
	// StartMeeting opens the meeting.
	StartMeeting struct {
		MeetingID string `json:"meeting_id"`
	}
	// TakeAgendaItem moves a live meeting to an agenda item.
	TakeAgendaItem struct {
		MeetingID string `json:"meeting_id"`
		ItemID    string `json:"item_id"`
	}
	// EndMeeting closes a live meeting.
	EndMeeting struct {
		MeetingID string `json:"meeting_id"`
	}
	// JoinMeeting records the actor's attendance.
	JoinMeeting struct {
		MeetingID string `json:"meeting_id"`
	}
	// LeaveMeeting records that the actor left.
	LeaveMeeting struct {
		MeetingID string `json:"meeting_id"`
	}
	// TakeNote adds a note to a live meeting, under an agenda item or the
	// current one.
	TakeNote struct {
		MeetingID string `json:"meeting_id"`
		ItemID    string `json:"item_id,omitempty"`
		Body      string `json:"body"`
	}
	// DraftMinutes sets the minutes' text; Version is the version the
	// author read (0 for the first draft).
	DraftMinutes struct {
		MeetingID string `json:"meeting_id"`
		Text      string `json:"text"`
		Version   int    `json:"version"`
	}
	// AssignAction adds a follow-up action to the minutes: to a party, or
	// to the mediator when PartyID is "".
	AssignAction struct {
		MeetingID string `json:"meeting_id"`
		Text      string `json:"text"`
		PartyID   string `json:"party_id,omitempty"`
		Due       string `json:"due,omitempty"`
	}
	// CompleteAction marks a follow-up action as done.
	CompleteAction struct {
		MeetingID string `json:"meeting_id"`
		ActionID  string `json:"action_id"`
	}
	// ApproveMinutes is the actor's party's approval of the minutes whose
	// hash the approver read: a formal act of the head of delegation, or
	// of a delegate the head authorised in the working group.
	ApproveMinutes struct {
		MeetingID string `json:"meeting_id"`
		Hash      string `json:"hash"`
	}
)

const (
	maxMeetingMinutes = 24 * 60
	maxMinutesText    = 100000
	maxAgenda         = 50
)

func validateInvitation(v *Invalid, title string, start time.Time, duration int, tz, call string) {
	v.Require("title", title)
	v.MaxLen("title", title, maxTitle)
	if start.IsZero() {
		v.Add("start", "is required")
	} else if start.Year() < 2000 || start.Year() > 2200 {
		v.Add("start", "is not a plausible date")
	}
	if duration < 5 || duration > maxMeetingMinutes {
		v.Add("duration_minutes", "must be between 5 minutes and 24 hours")
	}
	if tz == "" {
		v.Add("time_zone", "is required")
	} else if _, err := time.LoadLocation(tz); err != nil || tz == "Local" {
		v.Add("time_zone", "is not a known time zone (e.g. Europe/Istanbul)")
	}
	if call != "" {
		v.MaxLen("call_url", call, 2000)
		u, err := url.Parse(call)
		if err != nil || u.Scheme != "https" || u.Host == "" {
			v.Add("call_url", "must be an https:// link")
		}
	}
}

// Validate implements Command.
func (c ScheduleMeeting) Validate() error {
	var v Invalid
	v.requireID("space_id", c.SpaceID)
	validateInvitation(&v, c.Title, c.Start, c.Duration, c.TimeZone, c.CallURL)
	if len(c.Agenda) > maxAgenda {
		v.Add("agenda", "has too many items")
	}
	for _, t := range c.Agenda {
		if len([]rune(t)) > maxTitle {
			v.Add("agenda", "has an item that is too long")
		}
	}
	return v.Err()
}

// Validate implements Command.
func (c ChangeMeeting) Validate() error {
	var v Invalid
	v.requireID("meeting_id", c.MeetingID)
	validateInvitation(&v, c.Title, c.Start, c.Duration, c.TimeZone, c.CallURL)
	return v.Err()
}

func meetingOnly(id string) error {
	var v Invalid
	v.requireID("meeting_id", id)
	return v.Err()
}

// Validate implements Command.
func (c CancelMeeting) Validate() error {
	var v Invalid
	v.requireID("meeting_id", c.MeetingID)
	v.MaxLen("reason", c.Reason, maxTitle)
	return v.Err()
}

// Validate implements Command.
func (c AddAgendaItem) Validate() error {
	var v Invalid
	v.requireID("meeting_id", c.MeetingID)
	v.Require("title", c.Title)
	v.MaxLen("title", c.Title, maxTitle)
	if _, ok := ParseItemRef(c.Ref); !ok {
		v.Add("ref", "must name a proposal, clause or discussion")
	}
	return v.Err()
}

// Validate implements Command.
func (c RemoveAgendaItem) Validate() error {
	var v Invalid
	v.requireID("meeting_id", c.MeetingID)
	v.requireID("item_id", c.ItemID)
	return v.Err()
}

// Validate implements Command.
func (c StartMeeting) Validate() error { return meetingOnly(c.MeetingID) }

// Validate implements Command.
func (c TakeAgendaItem) Validate() error { return RemoveAgendaItem(c).Validate() }

// Validate implements Command.
func (c EndMeeting) Validate() error { return meetingOnly(c.MeetingID) }

// Validate implements Command.
func (c JoinMeeting) Validate() error { return meetingOnly(c.MeetingID) }

// Validate implements Command.
func (c LeaveMeeting) Validate() error { return meetingOnly(c.MeetingID) }

// Validate implements Command.
func (c TakeNote) Validate() error {
	var v Invalid
	v.requireID("meeting_id", c.MeetingID)
	if c.ItemID != "" {
		v.requireID("item_id", c.ItemID)
	}
	validateBody(&v, c.Body)
	return v.Err()
}

// Validate implements Command.
func (c DraftMinutes) Validate() error {
	var v Invalid
	v.requireID("meeting_id", c.MeetingID)
	v.Require("text", c.Text)
	v.MaxLen("text", c.Text, maxMinutesText)
	if c.Version < 0 {
		v.Add("version", "must name the version being edited")
	}
	return v.Err()
}

// Validate implements Command.
func (c AssignAction) Validate() error {
	var v Invalid
	v.requireID("meeting_id", c.MeetingID)
	v.Require("text", c.Text)
	v.MaxLen("text", c.Text, 2000)
	if c.PartyID != "" {
		v.requireID("party_id", c.PartyID)
	}
	if c.Due != "" {
		if _, err := time.Parse(time.DateOnly, c.Due); err != nil {
			v.Add("due", "must be a date (YYYY-MM-DD)")
		}
	}
	return v.Err()
}

// Validate implements Command.
func (c CompleteAction) Validate() error {
	var v Invalid
	v.requireID("meeting_id", c.MeetingID)
	v.requireID("action_id", c.ActionID)
	return v.Err()
}

// Validate implements Command.
func (c ApproveMinutes) Validate() error {
	var v Invalid
	v.requireID("meeting_id", c.MeetingID)
	if len(c.Hash) != 64 {
		v.Add("hash", "must be the hash of the minutes being approved")
	}
	return v.Err()
}

// MeetingSetting is what deciding about a meeting needs besides the
// meeting: its space and the negotiating parties of the process, whose
// approval the minutes need.
type MeetingSetting struct {
	Meeting Meeting
	Space   Space
	Parties []string
}

func meetingConflict(msg string) error { return Errorf(ECONFLICT, "%s", msg) }

// convenes reports whether a may schedule and chair meetings in s: the
// mediator, or a head of delegation, where they may prepare items.
func convenes(a Actor, s Space) bool {
	if s.Kind != SpaceGroup && s.Kind != SpaceHeads {
		return false
	}
	m, ok := a.In(s.ProcessID)
	return ok && (m.Role == RoleMediator || m.Role == RoleHead) && Allowed(a, ActDraft, s)
}

// CanConvene reports whether a may schedule meetings in s.
func CanConvene(a Actor, s Space) bool { return convenes(a, s) }

// DecideScheduleMeeting convenes a meeting in s, with its discussion thread.
func DecideScheduleMeeting(a Actor, s Space, c ScheduleMeeting, env Env) ([]Event, error) {
	if !Allowed(a, ActRead, s) {
		return nil, Errorf(ENOTFOUND, "No such space.")
	}
	if !convenes(a, s) {
		if s.Kind != SpaceGroup && s.Kind != SpaceHeads {
			var v Invalid
			v.Add("space_id", "must be a working group or the heads' channel")
			return nil, v.Err()
		}
		return nil, Errorf(EFORBIDDEN, "Meetings are convened by the mediator or a head of delegation.")
	}
	id, thread := env.NewID(), env.NewID()
	var agenda []AgendaItem
	for _, t := range c.Agenda {
		if t = strings.TrimSpace(t); t != "" {
			agenda = append(agenda, AgendaItem{ID: env.NewID(), Title: t})
		}
	}
	title := strings.TrimSpace(c.Title)
	sc := SpaceScope(s)
	return events(a, env,
		ev(sc, &MeetingScheduled{MeetingID: id, SpaceID: s.ID, GroupID: s.GroupID, Title: title,
			Start: c.Start.UTC(), Duration: c.Duration, TimeZone: c.TimeZone, CallURL: c.CallURL,
			ThreadID: thread, Agenda: agenda}),
		ev(sc, &ThreadStarted{ThreadID: thread, SpaceID: s.ID, Title: title}),
	), nil
}

// chair checks that a may run set's meeting and that it is not over.
func chair(a Actor, set MeetingSetting) error {
	if !Allowed(a, ActRead, set.Space) {
		return Errorf(ENOTFOUND, "No such meeting.")
	}
	if !convenes(a, set.Space) {
		return Errorf(EFORBIDDEN, "Only the mediator or a head of delegation runs a meeting.")
	}
	switch set.Meeting.Status {
	case MeetingStatusEnded:
		return meetingConflict("The meeting has ended.")
	case MeetingStatusCancelled:
		return meetingConflict("The meeting was cancelled.")
	}
	return nil
}

// DecideChangeMeeting changes the invitation.
func DecideChangeMeeting(a Actor, set MeetingSetting, c ChangeMeeting, env Env) ([]Event, error) {
	if err := chair(a, set); err != nil {
		return nil, err
	}
	m := set.Meeting
	title := strings.TrimSpace(c.Title)
	if title == m.Title && c.Start.Equal(m.Start) && c.Duration == m.Duration && c.TimeZone == m.TimeZone && c.CallURL == m.CallURL {
		var v Invalid
		v.Add("title", "nothing was changed")
		return nil, v.Err()
	}
	return events(a, env, ev(SpaceScope(set.Space), &MeetingChanged{MeetingID: m.ID, Title: title,
		Start: c.Start.UTC(), Duration: c.Duration, TimeZone: c.TimeZone, CallURL: c.CallURL, Sequence: m.Sequence + 1})), nil
}

// DecideCancelMeeting calls off a meeting that has not begun.
func DecideCancelMeeting(a Actor, set MeetingSetting, c CancelMeeting, env Env) ([]Event, error) {
	if err := chair(a, set); err != nil {
		return nil, err
	}
	if set.Meeting.Status != MeetingStatusScheduled {
		return nil, meetingConflict("A meeting that has begun is ended, not cancelled.")
	}
	return events(a, env, ev(SpaceScope(set.Space), &MeetingCancelled{MeetingID: set.Meeting.ID,
		Reason: strings.TrimSpace(c.Reason), Sequence: set.Meeting.Sequence + 1})), nil
}

// DecideAddAgendaItem adds an item; ref, if any, was checked by the caller
// to be an item of the meeting's space.
func DecideAddAgendaItem(a Actor, set MeetingSetting, c AddAgendaItem, env Env) ([]Event, error) {
	if err := chair(a, set); err != nil {
		return nil, err
	}
	if len(set.Meeting.Agenda) >= maxAgenda {
		return nil, meetingConflict("The agenda is full.")
	}
	ref, _ := ParseItemRef(c.Ref)
	return events(a, env, ev(SpaceScope(set.Space), &AgendaItemAdded{MeetingID: set.Meeting.ID, ItemID: env.NewID(),
		Title: strings.TrimSpace(c.Title), Ref: ref})), nil
}

func (m Meeting) item(id string) (AgendaItem, bool) {
	for _, it := range m.Agenda {
		if it.ID == id {
			return it, true
		}
	}
	return AgendaItem{}, false
}

// DecideRemoveAgendaItem takes an item off the agenda, unless it is the one
// under discussion or has notes.
func DecideRemoveAgendaItem(a Actor, set MeetingSetting, c RemoveAgendaItem, env Env) ([]Event, error) {
	if err := chair(a, set); err != nil {
		return nil, err
	}
	m := set.Meeting
	if _, ok := m.item(c.ItemID); !ok {
		return nil, Errorf(ENOTFOUND, "No such agenda item.")
	}
	if m.CurrentItem == c.ItemID {
		return nil, meetingConflict("The item is under discussion; move to another first.")
	}
	for _, n := range m.Notes {
		if n.ItemID == c.ItemID {
			return nil, meetingConflict("Notes were taken under this item; it stays on the agenda.")
		}
	}
	return events(a, env, ev(SpaceScope(set.Space), &AgendaItemRemoved{MeetingID: m.ID, ItemID: c.ItemID})), nil
}

// DecideStartMeeting opens a scheduled meeting at its first agenda item.
func DecideStartMeeting(a Actor, set MeetingSetting, env Env) ([]Event, error) {
	if err := chair(a, set); err != nil {
		return nil, err
	}
	m := set.Meeting
	if m.Status != MeetingStatusScheduled {
		return nil, meetingConflict("The meeting has already begun.")
	}
	first := ""
	if len(m.Agenda) > 0 {
		first = m.Agenda[0].ID
	}
	return events(a, env, ev(SpaceScope(set.Space), &MeetingStarted{MeetingID: m.ID, ItemID: first})), nil
}

// DecideTakeAgendaItem moves a live meeting to an agenda item.
func DecideTakeAgendaItem(a Actor, set MeetingSetting, c TakeAgendaItem, env Env) ([]Event, error) {
	if err := chair(a, set); err != nil {
		return nil, err
	}
	m := set.Meeting
	if m.Status != MeetingStatusLive {
		return nil, meetingConflict("The meeting has not begun.")
	}
	if _, ok := m.item(c.ItemID); !ok {
		return nil, Errorf(ENOTFOUND, "No such agenda item.")
	}
	if m.CurrentItem == c.ItemID {
		return nil, meetingConflict("The meeting is already at this item.")
	}
	return events(a, env, ev(SpaceScope(set.Space), &AgendaItemTaken{MeetingID: m.ID, ItemID: c.ItemID})), nil
}

// DecideEndMeeting closes a live meeting.
func DecideEndMeeting(a Actor, set MeetingSetting, env Env) ([]Event, error) {
	if err := chair(a, set); err != nil {
		return nil, err
	}
	if set.Meeting.Status != MeetingStatusLive {
		return nil, meetingConflict("The meeting has not begun.")
	}
	return events(a, env, ev(SpaceScope(set.Space), &MeetingEnded{MeetingID: set.Meeting.ID})), nil
}

// DecideJoinMeeting records that a attends: anyone who may read the space,
// until the meeting ends.
func DecideJoinMeeting(a Actor, set MeetingSetting, env Env) ([]Event, error) {
	if !Allowed(a, ActRead, set.Space) {
		return nil, Errorf(ENOTFOUND, "No such meeting.")
	}
	m := set.Meeting
	if m.Status == MeetingStatusEnded || m.Status == MeetingStatusCancelled {
		return nil, meetingConflict("The meeting is over.")
	}
	for _, p := range m.Present() {
		if p.AccountID == a.AccountID {
			return nil, meetingConflict("You are already recorded as present.")
		}
	}
	mem, _ := a.In(set.Space.ProcessID)
	return events(a, env, ev(SpaceScope(set.Space), &MeetingJoined{MeetingID: m.ID, PartyID: mem.PartyID})), nil
}

// DecideLeaveMeeting records that a left.
func DecideLeaveMeeting(a Actor, set MeetingSetting, env Env) ([]Event, error) {
	if !Allowed(a, ActRead, set.Space) {
		return nil, Errorf(ENOTFOUND, "No such meeting.")
	}
	for _, p := range set.Meeting.Present() {
		if p.AccountID == a.AccountID {
			return events(a, env, ev(SpaceScope(set.Space), &MeetingLeft{MeetingID: set.Meeting.ID})), nil
		}
	}
	return nil, meetingConflict("You are not recorded as present.")
}

// DecideTakeNote adds a note to a live meeting, under the given agenda item
// or the current one.
func DecideTakeNote(a Actor, set MeetingSetting, c TakeNote, env Env) ([]Event, error) {
	if !Allowed(a, ActRead, set.Space) {
		return nil, Errorf(ENOTFOUND, "No such meeting.")
	}
	if !Allowed(a, ActPost, set.Space) {
		return nil, forbidden()
	}
	m := set.Meeting
	if m.Status != MeetingStatusLive {
		return nil, meetingConflict("Notes are taken while the meeting is live.")
	}
	item := c.ItemID
	if item == "" {
		item = m.CurrentItem
	} else if _, ok := m.item(item); !ok {
		return nil, Errorf(ENOTFOUND, "No such agenda item.")
	}
	return events(a, env, ev(SpaceScope(set.Space), &MeetingNoteTaken{MeetingID: m.ID, NoteID: env.NewID(),
		ItemID: item, Body: normalizeBody(c.Body)})), nil
}

// minutesAuthor checks that a may write the minutes of set's meeting: one
// who may prepare items in its space, once the meeting has begun.
func minutesAuthor(a Actor, set MeetingSetting) error {
	if !Allowed(a, ActRead, set.Space) {
		return Errorf(ENOTFOUND, "No such meeting.")
	}
	if !Allowed(a, ActDraft, set.Space) {
		return Errorf(EFORBIDDEN, "You may not draft the minutes of this meeting.")
	}
	switch set.Meeting.Status {
	case MeetingStatusScheduled:
		return meetingConflict("Minutes are drafted once the meeting has begun.")
	case MeetingStatusCancelled:
		return meetingConflict("The meeting was cancelled.")
	}
	return nil
}

// DecideDraftMinutes sets the text of the minutes. Any approval given to an
// earlier text is void, and the event says so.
func DecideDraftMinutes(a Actor, set MeetingSetting, c DraftMinutes, env Env) ([]Event, error) {
	if err := minutesAuthor(a, set); err != nil {
		return nil, err
	}
	m := set.Meeting
	if c.Version != m.Minutes.Version {
		return nil, Errorf(ECONFLICT, "The minutes were changed since you opened them; reload and merge your changes.")
	}
	text := normalizeBody(c.Text)
	if m.Minutes.Version > 0 && text == m.Minutes.Text {
		var v Invalid
		v.Add("text", "is unchanged")
		return nil, v.Err()
	}
	return events(a, env, ev(SpaceScope(set.Space), &MinutesDrafted{MeetingID: m.ID, Text: text,
		Version: m.Minutes.Version + 1, Hash: MinutesHash(text, m.Actions), Reset: len(m.Approvals) > 0})), nil
}

// DecideAssignAction adds a follow-up action to the minutes, to one of the
// parties or to the mediator.
func DecideAssignAction(a Actor, set MeetingSetting, c AssignAction, env Env) ([]Event, error) {
	if err := minutesAuthor(a, set); err != nil {
		return nil, err
	}
	m := set.Meeting
	if m.Minutes.Version == 0 {
		return nil, meetingConflict("Draft the minutes before assigning actions in them.")
	}
	if c.PartyID != "" && !contains(set.Parties, c.PartyID) {
		var v Invalid
		v.Add("party_id", "must be one of the parties")
		return nil, v.Err()
	}
	act := FollowUp{ID: env.NewID(), Text: normalizeBody(c.Text), PartyID: c.PartyID, Due: c.Due}
	hash := MinutesHash(m.Minutes.Text, append(append([]FollowUp(nil), m.Actions...), act))
	return events(a, env, ev(SpaceScope(set.Space), &ActionAssigned{MeetingID: m.ID, ActionID: act.ID,
		Text: act.Text, PartyID: act.PartyID, Due: act.Due, Hash: hash, Reset: len(m.Approvals) > 0})), nil
}

// DecideCompleteAction marks an action done: by the party it was assigned
// to (anyone of its delegation who may write there), or by the mediator.
func DecideCompleteAction(a Actor, set MeetingSetting, c CompleteAction, env Env) ([]Event, error) {
	if !Allowed(a, ActRead, set.Space) {
		return nil, Errorf(ENOTFOUND, "No such meeting.")
	}
	var act *FollowUp
	for i := range set.Meeting.Actions {
		if set.Meeting.Actions[i].ID == c.ActionID {
			act = &set.Meeting.Actions[i]
		}
	}
	if act == nil {
		return nil, Errorf(ENOTFOUND, "No such action.")
	}
	mem, _ := a.In(set.Space.ProcessID)
	mine := act.PartyID != "" && mem.PartyID == act.PartyID || act.PartyID == "" && mem.Role == RoleMediator
	if !mine && mem.Role != RoleMediator || !Allowed(a, ActPost, set.Space) {
		return nil, Errorf(EFORBIDDEN, "The action is the other party's to complete.")
	}
	if !act.DoneAt.IsZero() {
		return nil, meetingConflict("The action is already done.")
	}
	return events(a, env, ev(SpaceScope(set.Space), &ActionDone{MeetingID: set.Meeting.ID, ActionID: act.ID})), nil
}

// DecideApproveMinutes records a's party's approval of the minutes with
// hash c.Hash. A stale hash — the minutes changed since the approver read
// them — is refused: an approval binds the exact text.
func DecideApproveMinutes(a Actor, set MeetingSetting, c ApproveMinutes, env Env) ([]Event, error) {
	if !Allowed(a, ActRead, set.Space) {
		return nil, Errorf(ENOTFOUND, "No such meeting.")
	}
	mem, _ := a.In(set.Space.ProcessID)
	party := mem.PartyID
	if !contains(set.Parties, party) || !CanActFor(a, set.Space.ProcessID, set.Space.GroupID, party) {
		return nil, Errorf(EFORBIDDEN, "Approving the minutes is a formal act of the head of delegation or a delegate the head authorised.")
	}
	m := set.Meeting
	if m.Minutes.Version == 0 {
		return nil, meetingConflict("There are no minutes to approve yet.")
	}
	if c.Hash != m.Minutes.Hash {
		return nil, Errorf(ECONFLICT, "The minutes were changed since you read them; read them again before approving.")
	}
	if m.ApprovedBy(party) {
		return nil, meetingConflict("Your party already approved these minutes.")
	}
	complete := true
	for _, p := range set.Parties {
		if p != party && !m.ApprovedBy(p) {
			complete = false
		}
	}
	return events(a, env, ev(SpaceScope(set.Space), &MinutesApproved{MeetingID: m.ID, PartyID: party, Hash: c.Hash, Complete: complete})), nil
}
