package parley

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// A truce or humanitarian pause is born when a truce proposal is accepted:
// its terms are the accepted proposal's (purpose, window, area on the map,
// conditions). It is then notified (each side confirms that its chain of
// command was told), active from its start, and ended at its end or earlier
// by a recorded act. The server makes the timed transitions itself (see
// the service's deadlines loop), so they happen on time and after a restart.

// TrucePurpose is what a pause is for.
type TrucePurpose string

// Purposes of a truce.
const (
	PurposeWounded TrucePurpose = "wounded" // evacuate the wounded
	PurposeDead    TrucePurpose = "dead"    // collect the dead
	PurposePassage TrucePurpose = "passage" // humanitarian passage
	PurposeOther   TrucePurpose = "other"
)

// TrucePurposes lists every purpose.
var TrucePurposes = []TrucePurpose{PurposeWounded, PurposeDead, PurposePassage, PurposeOther}

// TruceRules are a process's limits on truces: the region every place must
// lie in, and the longest window the parties agreed a pause may last.
type TruceRules struct {
	Region   BBox `json:"region"`
	MaxHours int  `json:"max_hours"`
}

// DefaultTruceRules apply to a process that set none: the default region,
// and 72 hours, the longest of the pauses these talks discuss (24 to 48
// hours) with a margin.
var DefaultTruceRules = TruceRules{Region: DefaultRegion, MaxHours: 72}

// OrDefault fills what r leaves unset from DefaultTruceRules.
func (r TruceRules) OrDefault() TruceRules {
	if r.Region.IsZero() {
		r.Region = DefaultTruceRules.Region
	}
	if r.MaxHours == 0 {
		r.MaxHours = DefaultTruceRules.MaxHours
	}
	return r
}

// TruceStatus is where a truce stands.
type TruceStatus string

// Statuses of a truce.
const (
	TruceAccepted TruceStatus = "accepted" // agreed; the chains of command not yet all told
	TruceNotified TruceStatus = "notified" // every side told its chain of command; not yet begun
	TruceActive   TruceStatus = "active"
	TruceEnded    TruceStatus = "ended"
)

// Causes of a truce's end.
const (
	EndWindowOver   = "window_over"    // its window passed
	EndNeverActive  = "never_notified" // its window passed before every side was notified
	EndedEarly      = "ended_early"    // a party or the mediator ended it by a recorded act
	ViolationRadius = 10.0             // km: how far from a truce's area a violation may be reported
)

// Truce is an accepted truce proposal's life after acceptance. Its ID is
// the proposal's.
type Truce struct {
	ID         string         `json:"id"`
	ProcessID  string         `json:"process_id"`
	GroupID    string         `json:"group_id"`
	SpaceID    string         `json:"space_id"`
	Title      string         `json:"title"`
	Parties    []string       `json:"parties"` // the proposer and the party it was put to
	Terms      TruceDetails   `json:"terms"`
	AcceptedAt time.Time      `json:"accepted_at"`
	Status     TruceStatus    `json:"status"`
	Notices    []TruceNotice  `json:"notices"`
	ActiveAt   time.Time      `json:"active_at,omitzero"`
	EndedAt    time.Time      `json:"ended_at,omitzero"`
	EndCause   string         `json:"end_cause,omitempty"`
	EndReason  string         `json:"end_reason,omitempty"`
	EndedBy    string         `json:"ended_by,omitempty"` // party, for an early end
	Counts     map[string]int `json:"violations_by_segment,omitempty"`
	Violations int            `json:"violations"`
}

// TruceNotice is a party's confirmation that its chain of command was told.
type TruceNotice struct {
	PartyID string    `json:"party_id"`
	At      time.Time `json:"at"`
	Seq     int64     `json:"seq"`
}

// Start and End bound the agreed window.
func (t Truce) Start() time.Time { return t.Terms.Starts }
func (t Truce) End() time.Time   { return t.Terms.Starts.Add(time.Duration(t.Terms.Hours) * time.Hour) }

// NotifiedBy reports whether party confirmed its notification.
func (t Truce) NotifiedBy(party string) bool {
	for _, n := range t.Notices {
		if n.PartyID == party {
			return true
		}
	}
	return false
}

// Events of truces.
type (
	// TruceRulesSet sets a process's limits on truces.
	TruceRulesSet struct {
		ProcessID string `json:"process_id"`
		TruceRules
	}
	// TruceNotifiedEvent records that a party told its chain of command;
	// Complete says every party now has.
	TruceNotifiedEvent struct {
		TruceID  string `json:"truce_id"`
		PartyID  string `json:"party_id"`
		Complete bool   `json:"complete,omitempty"`
	}
	// TruceActivated records that the truce holds from now.
	TruceActivated struct {
		TruceID string `json:"truce_id"`
	}
	// TruceEndedEvent records the end of a truce: Cause says why, Reason
	// and PartyID are given for an early end.
	TruceEndedEvent struct {
		TruceID string `json:"truce_id"`
		Cause   string `json:"cause"`
		Reason  string `json:"reason,omitempty"`
		PartyID string `json:"party_id,omitempty"`
	}
	// ViolationReported is a party's report of a breach of a truce.
	ViolationReported struct {
		ViolationID string       `json:"violation_id"`
		TruceID     string       `json:"truce_id"`
		PartyID     string       `json:"party_id"`
		At          time.Time    `json:"at"`
		Where       Point        `json:"where"`
		Segment     string       `json:"segment,omitempty"` // the nearest shape of the truce's area
		Description string       `json:"description"`
		Attachments []Attachment `json:"attachments,omitempty"`
	}
	// ViolationAnswered is the other side's answer to a report.
	ViolationAnswered struct {
		ViolationID string `json:"violation_id"`
		PartyID     string `json:"party_id"`
		Answer      string `json:"answer"`
		Text        string `json:"text,omitempty"`
	}
	// FindingRecorded is the mediator's or an observer's finding on a
	// report.
	FindingRecorded struct {
		ViolationID string `json:"violation_id"`
		Finding     string `json:"finding"`
		Text        string `json:"text,omitempty"`
	}
)

func (*TruceRulesSet) EventType() string      { return "truce.rules_set" }
func (*TruceNotifiedEvent) EventType() string { return "truce.notified" }
func (*TruceActivated) EventType() string     { return "truce.activated" }
func (*TruceEndedEvent) EventType() string    { return "truce.ended" }
func (*ViolationReported) EventType() string  { return "truce.violation_reported" }
func (*ViolationAnswered) EventType() string  { return "truce.violation_answered" }
func (*FindingRecorded) EventType() string    { return "truce.finding_recorded" }

func init() {
	register(
		func() EventData { return new(TruceRulesSet) },
		func() EventData { return new(TruceNotifiedEvent) },
		func() EventData { return new(TruceActivated) },
		func() EventData { return new(TruceEndedEvent) },
		func() EventData { return new(ViolationReported) },
		func() EventData { return new(ViolationAnswered) },
		func() EventData { return new(FindingRecorded) },
	)
}

// Attachment is a file attached to a report: kept outside the database,
// named in the record by its SHA-256.
type Attachment struct {
	Hash string `json:"sha256"`
	Name string `json:"name"`
	Type string `json:"type"`
	Size int64  `json:"size"`
}

// Limits on attachments.
const (
	MaxAttachments    = 5
	MaxAttachmentSize = 10 << 20
)

// AttachmentTypes are the kinds of file a report may carry, as sniffed from
// their content: photographs and documents, nothing that runs.
var AttachmentTypes = []string{"image/jpeg", "image/png", "application/pdf"}

// Answers to a violation report, and findings on it.
var (
	ViolationAnswers  = []string{"acknowledged", "disputed", "verification"}
	ViolationFindings = []string{"confirmed", "not_confirmed", "inconclusive"}
)

// Violation is a reported breach of a truce with what followed it.
type Violation struct {
	ID          string          `json:"id"`
	TruceID     string          `json:"truce_id"`
	SpaceID     string          `json:"space_id"`
	PartyID     string          `json:"party_id"` // the reporting party
	At          time.Time       `json:"at"`
	Where       Point           `json:"where"`
	Segment     string          `json:"segment,omitempty"`
	Description string          `json:"description"`
	Attachments []Attachment    `json:"attachments"`
	ReportedAt  time.Time       `json:"reported_at"`
	Seq         int64           `json:"seq"`
	Status      string          `json:"status"` // reported, an answer, or a finding: the latest
	Answers     []ViolationNote `json:"answers"`
	Findings    []ViolationNote `json:"findings"`
}

// ViolationNote is an answer (by a party) or a finding (by the mediator or
// an observer) on a violation.
type ViolationNote struct {
	PartyID string    `json:"party_id,omitempty"`
	By      string    `json:"by"` // account
	Name    string    `json:"name"`
	Kind    string    `json:"kind"` // the answer or the finding
	Text    string    `json:"text,omitempty"`
	At      time.Time `json:"at"`
	Seq     int64     `json:"seq"`
}

// Commands of truces.
type (
	// SetTruceRules sets a process's region and longest truce window.
	SetTruceRules struct {
		ProcessID string `json:"process_id"`
		TruceRules
	}
	// ConfirmNotified is a party's confirmation that its chain of command
	// was told of the truce.
	ConfirmNotified struct {
		TruceID string `json:"truce_id"`
	}
	// ActivateTruce begins a notified truce at its start (the server's
	// own act).
	ActivateTruce struct {
		TruceID string `json:"truce_id"`
	}
	// ExpireTruce ends a truce whose window has passed (the server's own
	// act).
	ExpireTruce struct {
		TruceID string `json:"truce_id"`
	}
	// EndTruce ends a truce early: a party's formal act, or the mediator's.
	EndTruce struct {
		TruceID string `json:"truce_id"`
		Reason  string `json:"reason"`
	}
	// ReportViolation reports a breach of a truce.
	ReportViolation struct {
		TruceID     string       `json:"truce_id"`
		At          time.Time    `json:"at"`
		Where       Point        `json:"where"`
		Description string       `json:"description"`
		Attachments []Attachment `json:"attachments,omitempty"`
	}
	// AnswerViolation is the other side's answer: acknowledged, disputed,
	// or verification (asks for it).
	AnswerViolation struct {
		ViolationID string `json:"violation_id"`
		Answer      string `json:"answer"`
		Text        string `json:"text,omitempty"`
	}
	// RecordFinding is the mediator's or an observer's finding: confirmed,
	// not_confirmed or inconclusive.
	RecordFinding struct {
		ViolationID string `json:"violation_id"`
		Finding     string `json:"finding"`
		Text        string `json:"text,omitempty"`
	}
)

// Validate implements Command.
func (c SetTruceRules) Validate() error {
	var v Invalid
	v.requireID("process_id", c.ProcessID)
	if !c.Region.Valid() {
		v.Add("region", "must span from west to east and south to north, in degrees")
	}
	if c.MaxHours < 1 || c.MaxHours > 24*90 {
		v.Add("max_hours", "must be between 1 and 2160")
	}
	return v.Err()
}

func truceOnly(id string) error {
	var v Invalid
	v.requireID("truce_id", id)
	return v.Err()
}

// Validate implements Command.
func (c ConfirmNotified) Validate() error { return truceOnly(c.TruceID) }

// Validate implements Command.
func (c ActivateTruce) Validate() error { return truceOnly(c.TruceID) }

// Validate implements Command.
func (c ExpireTruce) Validate() error { return truceOnly(c.TruceID) }

// Validate implements Command.
func (c EndTruce) Validate() error {
	var v Invalid
	v.requireID("truce_id", c.TruceID)
	v.Require("reason", c.Reason)
	v.MaxLen("reason", c.Reason, maxText)
	return v.Err()
}

// Validate implements Command.
func (c ReportViolation) Validate() error {
	var v Invalid
	v.requireID("truce_id", c.TruceID)
	if c.At.IsZero() {
		v.Add("at", "is required")
	}
	if math.IsNaN(c.Where[0]) || math.IsNaN(c.Where[1]) || c.Where == (Point{}) {
		v.Add("where", "give the place as a point on the map")
	}
	v.Require("description", c.Description)
	v.MaxLen("description", c.Description, maxText)
	if len(c.Attachments) > MaxAttachments {
		v.Add("attachments", fmt.Sprintf("at most %d files", MaxAttachments))
	}
	for _, a := range c.Attachments {
		switch {
		case len(a.Hash) != 64 || strings.Trim(a.Hash, "0123456789abcdef") != "":
			v.Add("attachments", "a file has no valid SHA-256")
		case a.Size < 1 || a.Size > MaxAttachmentSize:
			v.Add("attachments", "each file must be at most 10 MB")
		case !contains(AttachmentTypes, a.Type):
			v.Add("attachments", "only JPEG and PNG pictures and PDF documents may be attached")
		case strings.TrimSpace(a.Name) == "" || len([]rune(a.Name)) > maxTitle:
			v.Add("attachments", "a file needs a name of at most 200 characters")
		}
	}
	return v.Err()
}

// Validate implements Command.
func (c AnswerViolation) Validate() error {
	var v Invalid
	v.requireID("violation_id", c.ViolationID)
	if !contains(ViolationAnswers, c.Answer) {
		v.Add("answer", "must be acknowledged, disputed or verification")
	}
	v.MaxLen("text", c.Text, maxText)
	if c.Answer == "disputed" {
		v.Require("text", c.Text)
	}
	return v.Err()
}

// Validate implements Command.
func (c RecordFinding) Validate() error {
	var v Invalid
	v.requireID("violation_id", c.ViolationID)
	if !contains(ViolationFindings, c.Finding) {
		v.Add("finding", "must be confirmed, not_confirmed or inconclusive")
	}
	v.Require("text", c.Text)
	v.MaxLen("text", c.Text, maxText)
	return v.Err()
}

// checkTruceTerms checks a truce proposal's terms against the process's
// rules at the time of the decision: the window within the agreed maximum
// and not already over, every place in the region.
func checkTruceTerms(in ProposalInput, rules TruceRules, now time.Time) error {
	if in.Kind != ProposalTruce || in.Details.Truce == nil {
		return nil
	}
	t := in.Details.Truce
	rules = rules.OrDefault()
	var v Invalid
	if t.Hours > rules.MaxHours {
		v.Add("details.truce.hours", fmt.Sprintf("must not be longer than the agreed maximum of %d hours", rules.MaxHours))
	}
	if !t.Starts.IsZero() && !t.Starts.Add(time.Duration(t.Hours)*time.Hour).After(now) {
		v.Add("details.truce.starts", "the window would already be over")
	}
	for _, s := range t.Shapes {
		if err := validateShape(s, rules.Region); err != nil {
			v.Add("details.truce.shapes", err.Error())
			break
		}
	}
	return v.Err()
}

// TruceSetting is what deciding about a truce needs besides the truce: its
// space and the process's rules.
type TruceSetting struct {
	Truce Truce
	Space Space
	Rules TruceRules
}

// DecideSetTruceRules sets a process's truce rules: the mediator's or the
// operator's.
func DecideSetTruceRules(a Actor, c SetTruceRules, env Env) ([]Event, error) {
	if !AllowedProcess(a, ManageRounds, c.ProcessID, "") {
		return nil, Errorf(EFORBIDDEN, "The mediator sets the rules for truces.")
	}
	return events(a, env, ev(ProcessScope(c.ProcessID), &TruceRulesSet{ProcessID: c.ProcessID, TruceRules: c.TruceRules})), nil
}

func truceConflict(msg string) error { return Errorf(ECONFLICT, "%s", msg) }

// partyOfTruce returns the party of t that a acts for, if a may perform its
// formal acts in the truce's working group.
func partyOfTruce(a Actor, set TruceSetting) (string, bool) {
	m, ok := a.In(set.Space.ProcessID)
	if !ok || !contains(set.Truce.Parties, m.PartyID) {
		return "", false
	}
	return m.PartyID, CanActFor(a, set.Space.ProcessID, set.Truce.GroupID, m.PartyID)
}

// DecideConfirmNotified records that a's party told its chain of command.
func DecideConfirmNotified(a Actor, set TruceSetting, env Env) ([]Event, error) {
	if !Allowed(a, ActRead, set.Space) {
		return nil, Errorf(ENOTFOUND, "No such truce.")
	}
	party, ok := partyOfTruce(a, set)
	if !ok {
		return nil, Errorf(EFORBIDDEN, "Confirming the notification is a formal act of a party to the truce.")
	}
	t := set.Truce
	if t.Status == TruceEnded {
		return nil, truceConflict("The truce has ended.")
	}
	if t.NotifiedBy(party) {
		return nil, truceConflict("Your party already confirmed its notification.")
	}
	complete := true
	for _, p := range t.Parties {
		if p != party && !t.NotifiedBy(p) {
			complete = false
		}
	}
	return events(a, env, ev(SpaceScope(set.Space), &TruceNotifiedEvent{TruceID: t.ID, PartyID: party, Complete: complete})), nil
}

// DecideActivateTruce begins a notified truce once its start has come: the
// server's own act.
func DecideActivateTruce(a Actor, set TruceSetting, env Env) ([]Event, error) {
	if a.AccountID != SystemAccount {
		return nil, forbidden()
	}
	t := set.Truce
	if t.Status != TruceNotified {
		return nil, truceConflict("Only a notified truce begins.")
	}
	if env.Now.Before(t.Start()) || !env.Now.Before(t.End()) {
		return nil, truceConflict("It is not the truce's time.")
	}
	return events(a, env, ev(SpaceScope(set.Space), &TruceActivated{TruceID: t.ID})), nil
}

// DecideExpireTruce ends a truce whose window has passed: the server's own
// act. A truce that never began because a side was not notified in time
// says so.
func DecideExpireTruce(a Actor, set TruceSetting, env Env) ([]Event, error) {
	if a.AccountID != SystemAccount {
		return nil, forbidden()
	}
	t := set.Truce
	if t.Status == TruceEnded {
		return nil, truceConflict("The truce has ended.")
	}
	if env.Now.Before(t.End()) {
		return nil, truceConflict("The truce's window has not passed.")
	}
	cause := EndWindowOver
	if t.Status != TruceActive {
		cause = EndNeverActive
	}
	return events(a, env, ev(SpaceScope(set.Space), &TruceEndedEvent{TruceID: t.ID, Cause: cause})), nil
}

// DecideEndTruce ends a truce early: a formal act of either party, or the
// mediator's.
func DecideEndTruce(a Actor, set TruceSetting, c EndTruce, env Env) ([]Event, error) {
	if !Allowed(a, ActRead, set.Space) {
		return nil, Errorf(ENOTFOUND, "No such truce.")
	}
	party, ok := partyOfTruce(a, set)
	m, _ := a.In(set.Space.ProcessID)
	if !ok && m.Role != RoleMediator {
		return nil, Errorf(EFORBIDDEN, "Ending a truce early is a formal act of a party to it, or the mediator's.")
	}
	if !ok {
		party = ""
	}
	if set.Truce.Status == TruceEnded {
		return nil, truceConflict("The truce has ended.")
	}
	return events(a, env, ev(SpaceScope(set.Space), &TruceEndedEvent{TruceID: set.Truce.ID, Cause: EndedEarly,
		Reason: normalizeBody(c.Reason), PartyID: party})), nil
}

// nearest returns the shape of shapes nearest p, and its distance.
func nearest(shapes []Shape, p Point) (string, float64) {
	name, best := "", math.Inf(1)
	for _, s := range shapes {
		if d := s.DistanceKm(p); d < best {
			name, best = s.Name, d
		}
	}
	return name, best
}

// DecideReportViolation records a party's report of a breach: in the
// truce's time (from its start, or from when it began if later, to its end
// or now) and near its area.
func DecideReportViolation(a Actor, set TruceSetting, c ReportViolation, env Env) ([]Event, error) {
	if !Allowed(a, ActRead, set.Space) {
		return nil, Errorf(ENOTFOUND, "No such truce.")
	}
	t := set.Truce
	m, _ := a.In(set.Space.ProcessID)
	if !contains(t.Parties, m.PartyID) || !speaksFor(a, set.Space, m.PartyID) {
		return nil, Errorf(EFORBIDDEN, "Violations are reported by the parties to the truce.")
	}
	if t.Status != TruceActive && t.Status != TruceEnded || t.ActiveAt.IsZero() {
		return nil, truceConflict("The truce has not begun: there is nothing to violate yet.")
	}
	var v Invalid
	from, to := t.ActiveAt, t.End()
	if !t.EndedAt.IsZero() && t.EndedAt.Before(to) {
		to = t.EndedAt
	}
	if env.Now.Before(to) {
		to = env.Now.Add(5 * time.Minute) // a clock a little ahead is no lie
	}
	if c.At.Before(from) || c.At.After(to) {
		v.Add("at", "must be within the truce's time")
	}
	rules := set.Rules.OrDefault()
	segment := ""
	if !rules.Region.Contains(c.Where) {
		v.Add("where", "lies outside the region of the process")
	} else if len(t.Terms.Shapes) > 0 {
		var d float64
		segment, d = nearest(t.Terms.Shapes, c.Where)
		if d > ViolationRadius {
			v.Add("where", fmt.Sprintf("lies %.0f km from the truce's area; a report must be within %.0f km of it", d, ViolationRadius))
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return events(a, env, ev(SpaceScope(set.Space), &ViolationReported{ViolationID: env.NewID(), TruceID: t.ID, PartyID: m.PartyID,
		At: c.At.UTC(), Where: c.Where, Segment: segment, Description: normalizeBody(c.Description), Attachments: c.Attachments})), nil
}

// DecideAnswerViolation records the other side's answer to a report.
func DecideAnswerViolation(a Actor, set TruceSetting, vi Violation, c AnswerViolation, env Env) ([]Event, error) {
	if !Allowed(a, ActRead, set.Space) {
		return nil, Errorf(ENOTFOUND, "No such violation.")
	}
	m, _ := a.In(set.Space.ProcessID)
	if !contains(set.Truce.Parties, m.PartyID) || m.PartyID == vi.PartyID || !speaksFor(a, set.Space, m.PartyID) {
		return nil, Errorf(EFORBIDDEN, "The report is answered by the other side.")
	}
	return events(a, env, ev(SpaceScope(set.Space), &ViolationAnswered{ViolationID: vi.ID, PartyID: m.PartyID, Answer: c.Answer, Text: normalizeBody(c.Text)})), nil
}

// DecideRecordFinding records the mediator's or an observer's finding.
func DecideRecordFinding(a Actor, set TruceSetting, vi Violation, c RecordFinding, env Env) ([]Event, error) {
	if !Allowed(a, ActRead, set.Space) {
		return nil, Errorf(ENOTFOUND, "No such violation.")
	}
	m, _ := a.In(set.Space.ProcessID)
	if m.Role != RoleMediator && m.Role != RoleObserver {
		return nil, Errorf(EFORBIDDEN, "Findings are recorded by the mediator or an observer.")
	}
	return events(a, env, ev(SpaceScope(set.Space), &FindingRecorded{ViolationID: vi.ID, Finding: c.Finding, Text: normalizeBody(c.Text)})), nil
}

// TruceChange is one difference between two offers' truce terms, for
// showing what a counter-proposal changed: the window, the purposes, the
// words, and each shape on the map by its name.
type TruceChange struct {
	What   string `json:"what"`            // starts, hours, time_zone, purposes, purpose, area, conditions, shape_added, shape_removed, shape_changed
	Shape  string `json:"shape,omitempty"` // the shape's name, for a shape's change
	Before string `json:"before,omitempty"`
	After  string `json:"after,omitempty"`
}

// CompareTruce lists what changed from terms a to terms b. Times are given
// in RFC 3339, hours as numbers, purposes comma-separated, shapes by name
// (a renamed shape is one removed and one added).
func CompareTruce(a, b TruceDetails) []TruceChange {
	var out []TruceChange
	diff := func(what, x, y string) {
		if x != y {
			out = append(out, TruceChange{What: what, Before: x, After: y})
		}
	}
	rfc := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	}
	join := func(ps []TrucePurpose) string {
		s := make([]string, len(ps))
		for i, p := range ps {
			s[i] = string(p)
		}
		return strings.Join(s, ",")
	}
	diff("starts", rfc(a.Starts), rfc(b.Starts))
	diff("hours", fmt.Sprint(a.Hours), fmt.Sprint(b.Hours))
	diff("time_zone", a.TimeZone, b.TimeZone)
	diff("purposes", join(a.Purposes), join(b.Purposes))
	diff("purpose", a.Purpose, b.Purpose)
	diff("area", a.Area, b.Area)
	diff("conditions", a.Conditions, b.Conditions)
	before := map[string]Shape{}
	for _, s := range a.Shapes {
		before[s.Name] = s
	}
	after := map[string]bool{}
	for _, s := range b.Shapes {
		after[s.Name] = true
		old, ok := before[s.Name]
		switch {
		case !ok:
			out = append(out, TruceChange{What: "shape_added", Shape: s.Name, After: s.Kind})
		case !sameShape(old, s):
			out = append(out, TruceChange{What: "shape_changed", Shape: s.Name, Before: old.Kind, After: s.Kind})
		}
	}
	for _, s := range a.Shapes {
		if !after[s.Name] {
			out = append(out, TruceChange{What: "shape_removed", Shape: s.Name, Before: s.Kind})
		}
	}
	return out
}

func sameShape(a, b Shape) bool {
	if a.Kind != b.Kind || len(a.Line) != len(b.Line) || (a.At == nil) != (b.At == nil) {
		return false
	}
	if a.At != nil && *a.At != *b.At {
		return false
	}
	for i := range a.Line {
		if a.Line[i] != b.Line[i] {
			return false
		}
	}
	return true
}
