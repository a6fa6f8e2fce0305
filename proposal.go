package parley

import (
	"slices"
	"strings"
	"time"
)

// ProposalKind is what a proposal is about; each kind has its own fields.
type ProposalKind string

// Kinds of proposals.
const (
	ProposalTruce      ProposalKind = "truce"      // a truce or humanitarian pause
	ProposalExchange   ProposalKind = "exchange"   // an exchange of prisoners
	ProposalMeeting    ProposalKind = "meeting"    // a meeting, e.g. of leaders
	ProposalText       ProposalKind = "text"       // a text for a memorandum
	ProposalProcedural ProposalKind = "procedural" // how the talks proceed
	ProposalOther      ProposalKind = "other"
)

// ProposalKinds lists every kind of proposal.
var ProposalKinds = []ProposalKind{ProposalTruce, ProposalExchange, ProposalMeeting, ProposalText, ProposalProcedural, ProposalOther}

// ProposalStatus is where a proposal is in its life.
type ProposalStatus string

// The states of a proposal. Draft is seen by the proposing party only;
// submitted, under consideration and clarification are open, and the others
// are closed for good.
const (
	StatusDraft         ProposalStatus = "draft"
	StatusSubmitted     ProposalStatus = "submitted"
	StatusConsidering   ProposalStatus = "under_consideration"
	StatusClarification ProposalStatus = "clarification" // a question awaits the proposer's answer
	StatusCountered     ProposalStatus = "countered"
	StatusAccepted      ProposalStatus = "accepted"
	StatusRejected      ProposalStatus = "rejected"
	StatusWithdrawn     ProposalStatus = "withdrawn"
	StatusExpired       ProposalStatus = "expired"
)

// Open reports whether a proposal in status s still awaits an answer.
func (s ProposalStatus) Open() bool {
	return s == StatusSubmitted || s == StatusConsidering || s == StatusClarification
}

// Details are the structured fields of a proposal; only those of its kind
// are kept.
type Details struct {
	Truce    *TruceDetails    `json:"truce,omitempty"`
	Exchange *ExchangeDetails `json:"exchange,omitempty"`
	Meeting  *MeetingDetails  `json:"meeting,omitempty"`
}

// TruceDetails describe a proposed truce or humanitarian pause.
type TruceDetails struct {
	Hours   int       `json:"hours"`   // duration
	Starts  time.Time `json:"starts"`  // proposed start, UTC
	Purpose string    `json:"purpose"` // the purpose in words, e.g. which units, how many wounded
	Area    string    `json:"area"`    // segments of the line of contact, in words
	// Purposes are what the pause is for; TimeZone the zone its times are
	// given in, for showing them as agreed; Shapes its area on the map:
	// segments of the line of contact, zones and crossing points;
	// Conditions anything else agreed, in words.
	Purposes   []TrucePurpose `json:"purposes,omitempty"`
	TimeZone   string         `json:"time_zone,omitempty"`
	Shapes     []Shape        `json:"shapes,omitempty"`
	Conditions string         `json:"conditions,omitempty"`
}

// End is when the proposed window closes.
func (t TruceDetails) End() time.Time { return t.Starts.Add(time.Duration(t.Hours) * time.Hour) }

// ExchangeCategory is one category of persons in an exchange.
type ExchangeCategory struct {
	Name  string `json:"name"` // e.g. wounded and seriously ill
	Count int    `json:"count"`
}

// ExchangeDetails describe a proposed exchange of prisoners, as numbers
// each side returns.
type ExchangeDetails struct {
	Categories []ExchangeCategory `json:"categories"`
	Stages     int                `json:"stages"`
}

// MeetingDetails describe a proposed meeting.
type MeetingDetails struct {
	Level  string `json:"level"` // e.g. leaders, ministers, delegations
	From   string `json:"from"`  // first acceptable day, YYYY-MM-DD
	To     string `json:"to"`    // last acceptable day, YYYY-MM-DD
	Place  string `json:"place"`
	Online bool   `json:"online"`
}

// Proposal is something one party puts to another in a working group.
type Proposal struct {
	ID            string         `json:"id"`
	ProcessID     string         `json:"process_id"`
	GroupID       string         `json:"group_id"`
	SpaceID       string         `json:"space_id"` // the caucus while a draft, the group's space after
	FromParty     string         `json:"from_party"`
	ToParty       string         `json:"to_party"`
	Kind          ProposalKind   `json:"kind"`
	Title         string         `json:"title"`
	Texts         Texts          `json:"texts"`
	Details       Details        `json:"details"`
	Deadline      time.Time      `json:"deadline,omitzero"` // for the answer; zero: none
	Status        ProposalStatus `json:"status"`
	CounterOf     string         `json:"counter_of,omitempty"`   // the proposal this one answers
	CounteredBy   string         `json:"countered_by,omitempty"` // the proposal that answered this one
	Awaiting      string         `json:"awaiting,omitempty"`     // the party whose move it is
	Since         time.Time      `json:"since,omitzero"`         // since when it is that party's move
	OpenQuestions int            `json:"open_questions"`
	Reason        string         `json:"reason,omitempty"` // of the rejection, acceptance or withdrawal
	CreatedAt     time.Time      `json:"created_at"`
	SubmittedAt   time.Time      `json:"submitted_at,omitzero"`
	ClosedAt      time.Time      `json:"closed_at,omitzero"`
	Version       int            `json:"version"` // incremented by each event about it
	Seq           int64          `json:"seq"`     // record entry of its latest event
}

// Texts holds a text in each working language it was written in.
type Texts map[Lang]string

// Overdue reports whether p is open past its deadline at now.
func (p Proposal) Overdue(now time.Time) bool {
	return p.Status.Open() && !p.Deadline.IsZero() && !now.Before(p.Deadline)
}

// Waiting returns how long the awaited party has had the move at now.
func (p Proposal) Waiting(now time.Time) time.Duration {
	if !p.Status.Open() || p.Since.IsZero() {
		return 0
	}
	return now.Sub(p.Since)
}

// Question is a request for clarification and its answer.
type Question struct {
	ID         string    `json:"id"`
	ProposalID string    `json:"proposal_id"`
	AskedBy    string    `json:"asked_by"` // account
	Asker      string    `json:"asker"`    // display name, joined for reading
	Text       string    `json:"text"`
	AskedAt    time.Time `json:"asked_at"`
	Answer     string    `json:"answer,omitempty"`
	AnsweredBy string    `json:"answered_by,omitempty"`
	Answerer   string    `json:"answerer,omitempty"`
	AnsweredAt time.Time `json:"answered_at,omitzero"`
	Seq        int64     `json:"seq"`
}

// Comment is discussion about a proposal; it binds nobody.
type Comment struct {
	ID         string    `json:"id"`
	ProposalID string    `json:"proposal_id"`
	AuthorID   string    `json:"author_id"`
	Author     string    `json:"author"`
	Text       string    `json:"text"`
	At         time.Time `json:"at"`
	Seq        int64     `json:"seq"`
}

// proposalContent is what a proposal says, shared by the events that carry
// it.
type proposalContent struct {
	Kind     ProposalKind `json:"kind"`
	Title    string       `json:"title"`
	Texts    Texts        `json:"texts"`
	Details  Details      `json:"details"`
	Deadline time.Time    `json:"deadline,omitzero"`
}

// Events of proposals.
type (
	// ProposalDrafted records a draft in the proposing party's caucus.
	ProposalDrafted struct {
		ProposalID string `json:"proposal_id"`
		ProcessID  string `json:"process_id"`
		GroupID    string `json:"group_id"`
		FromParty  string `json:"from_party"`
		ToParty    string `json:"to_party"`
		proposalContent
	}
	// ProposalDraftEdited replaces a draft's content.
	ProposalDraftEdited struct {
		ProposalID string `json:"proposal_id"`
		ToParty    string `json:"to_party"`
		proposalContent
	}
	// ProposalSubmitted is the formal act that puts a proposal to the other
	// party in the working group. It carries the whole proposal, since the
	// group never saw the draft.
	ProposalSubmitted struct {
		ProposalID string `json:"proposal_id"`
		ProcessID  string `json:"process_id"`
		GroupID    string `json:"group_id"`
		SpaceID    string `json:"space_id"`
		FromParty  string `json:"from_party"`
		ToParty    string `json:"to_party"`
		CounterOf  string `json:"counter_of,omitempty"`
		proposalContent
		ActSignature
	}
	// ProposalAcknowledged says the other party is considering it.
	ProposalAcknowledged struct {
		ProposalID string `json:"proposal_id"`
	}
	// ClarificationAsked asks the proposer a question.
	ClarificationAsked struct {
		ProposalID string `json:"proposal_id"`
		QuestionID string `json:"question_id"`
		Text       string `json:"text"`
	}
	// ClarificationAnswered answers a question.
	ClarificationAnswered struct {
		ProposalID string `json:"proposal_id"`
		QuestionID string `json:"question_id"`
		Text       string `json:"text"`
	}
	// ProposalCountered is the formal act answering a proposal with another,
	// CounterID, submitted in the same command.
	ProposalCountered struct {
		ProposalID string `json:"proposal_id"`
		CounterID  string `json:"counter_id"`
	}
	// ProposalAccepted is the formal act of acceptance.
	ProposalAccepted struct {
		ProposalID string `json:"proposal_id"`
		Reason     string `json:"reason,omitempty"`
		ActSignature
	}
	// ProposalRejected is the formal act of rejection, with its reasons.
	ProposalRejected struct {
		ProposalID string `json:"proposal_id"`
		Reason     string `json:"reason"`
		ActSignature
	}
	// ProposalWithdrawn is the proposer's formal act of taking it back.
	ProposalWithdrawn struct {
		ProposalID string `json:"proposal_id"`
		Reason     string `json:"reason,omitempty"`
	}
	// ProposalExpired closes a proposal whose deadline passed unanswered.
	ProposalExpired struct {
		ProposalID string    `json:"proposal_id"`
		Deadline   time.Time `json:"deadline"`
	}
	// ProposalCommented adds discussion to a proposal.
	ProposalCommented struct {
		ProposalID string `json:"proposal_id"`
		CommentID  string `json:"comment_id"`
		Text       string `json:"text"`
	}
	// DelegateAuthorised lets a delegate perform the formal acts of their
	// party in one working group.
	DelegateAuthorised struct {
		GroupID  string `json:"group_id"`
		MemberID string `json:"member_id"`
	}
	// AuthorisationRevoked ends such an authority.
	AuthorisationRevoked struct {
		GroupID  string `json:"group_id"`
		MemberID string `json:"member_id"`
	}
)

func (*ProposalDrafted) EventType() string       { return "proposal.drafted" }
func (*ProposalDraftEdited) EventType() string   { return "proposal.draft_edited" }
func (*ProposalSubmitted) EventType() string     { return "proposal.submitted" }
func (*ProposalAcknowledged) EventType() string  { return "proposal.acknowledged" }
func (*ClarificationAsked) EventType() string    { return "proposal.clarification_asked" }
func (*ClarificationAnswered) EventType() string { return "proposal.clarification_answered" }
func (*ProposalCountered) EventType() string     { return "proposal.countered" }
func (*ProposalAccepted) EventType() string      { return "proposal.accepted" }
func (*ProposalRejected) EventType() string      { return "proposal.rejected" }
func (*ProposalWithdrawn) EventType() string     { return "proposal.withdrawn" }
func (*ProposalExpired) EventType() string       { return "proposal.expired" }
func (*ProposalCommented) EventType() string     { return "proposal.commented" }
func (*DelegateAuthorised) EventType() string    { return "group.delegate_authorised" }
func (*AuthorisationRevoked) EventType() string  { return "group.authorisation_revoked" }

func init() {
	register(
		func() EventData { return new(ProposalDrafted) },
		func() EventData { return new(ProposalDraftEdited) },
		func() EventData { return new(ProposalSubmitted) },
		func() EventData { return new(ProposalAcknowledged) },
		func() EventData { return new(ClarificationAsked) },
		func() EventData { return new(ClarificationAnswered) },
		func() EventData { return new(ProposalCountered) },
		func() EventData { return new(ProposalAccepted) },
		func() EventData { return new(ProposalRejected) },
		func() EventData { return new(ProposalWithdrawn) },
		func() EventData { return new(ProposalExpired) },
		func() EventData { return new(ProposalCommented) },
		func() EventData { return new(DelegateAuthorised) },
		func() EventData { return new(AuthorisationRevoked) },
	)
}

// FormalActs are the event types that are formal acts of a party: they
// bind it, and only its head or an authorised delegate performs them.
var FormalActs = map[string]bool{
	"proposal.submitted": true, "proposal.countered": true, "proposal.accepted": true,
	"proposal.rejected": true, "proposal.withdrawn": true,
	"memo.alternative_adopted": true, "memo.clause_agreed": true, "memo.clause_initialled": true, "memo.initialled": true,
	"memo.shared": true, "meeting.minutes_approved": true,
}

// ProposalInput is what a user writes in a proposal.
type ProposalInput struct {
	Kind     ProposalKind `json:"kind"`
	Title    string       `json:"title"`
	Texts    Texts        `json:"texts"`
	Details  Details      `json:"details"`
	Deadline time.Time    `json:"deadline,omitzero"`
}

// Commands on proposals.
type (
	// DraftProposal writes a draft in the caucus of the author's party,
	// addressed to another party in a working group.
	DraftProposal struct {
		GroupID string `json:"group_id"`
		ToParty string `json:"to_party"`
		ProposalInput
	}
	// EditDraft replaces the content of a draft; Version is the one read.
	EditDraft struct {
		ProposalID string `json:"proposal_id"`
		ToParty    string `json:"to_party"`
		Version    int    `json:"version"`
		ProposalInput
	}
	// SubmitProposal puts a draft to the other party (formal act).
	SubmitProposal struct {
		ProposalID string `json:"proposal_id"`
	}
	// AcknowledgeProposal says it is under consideration.
	AcknowledgeProposal struct {
		ProposalID string `json:"proposal_id"`
	}
	// AskClarification asks the proposer a question.
	AskClarification struct {
		ProposalID string `json:"proposal_id"`
		Text       string `json:"text"`
	}
	// AnswerClarification answers an open question.
	AnswerClarification struct {
		ProposalID string `json:"proposal_id"`
		QuestionID string `json:"question_id"`
		Text       string `json:"text"`
	}
	// CounterProposal answers a proposal with a new one (formal act).
	CounterProposal struct {
		ProposalID string `json:"proposal_id"`
		ProposalInput
	}
	// AcceptProposal accepts a proposal (formal act).
	AcceptProposal struct {
		ProposalID string `json:"proposal_id"`
		Reason     string `json:"reason,omitempty"`
	}
	// RejectProposal rejects a proposal, with reasons (formal act).
	RejectProposal struct {
		ProposalID string `json:"proposal_id"`
		Reason     string `json:"reason"`
	}
	// WithdrawProposal takes one's own proposal back (formal act).
	WithdrawProposal struct {
		ProposalID string `json:"proposal_id"`
		Reason     string `json:"reason,omitempty"`
	}
	// ExpireProposal closes an open proposal past its deadline. Only the
	// server itself gives it (SystemAccount).
	ExpireProposal struct {
		ProposalID string `json:"proposal_id"`
	}
	// CommentProposal adds discussion to a proposal.
	CommentProposal struct {
		ProposalID string `json:"proposal_id"`
		Text       string `json:"text"`
	}
	// AuthoriseDelegate lets a delegate perform formal acts in a group.
	AuthoriseDelegate struct {
		GroupID  string `json:"group_id"`
		MemberID string `json:"member_id"`
	}
	// RevokeAuthorisation ends that authority.
	RevokeAuthorisation struct {
		GroupID  string `json:"group_id"`
		MemberID string `json:"member_id"`
	}
)

// SystemAccount is the actor of what the server does by itself, such as
// expiring a proposal at its deadline.
const SystemAccount = "system"

// SystemActor is the server acting by itself.
var SystemActor = Actor{AccountID: SystemAccount, Name: "Parley"}

func (in ProposalInput) validate(v *Invalid, now time.Time) {
	switch in.Kind {
	case ProposalTruce, ProposalExchange, ProposalMeeting, ProposalText, ProposalProcedural, ProposalOther:
	default:
		v.Add("kind", "must be truce, exchange, meeting, text, procedural or other")
	}
	v.Require("title", in.Title)
	v.MaxLen("title", in.Title, maxTitle)
	written := false
	for l, t := range in.Texts {
		if _, ok := ParseLang(string(l)); !ok {
			v.Add("texts", "names an unknown language")
		}
		v.MaxLen("texts."+string(l), t, maxText)
		written = written || strings.TrimSpace(t) != ""
	}
	if !written {
		v.Add("texts", "give the text in at least one language")
	}
	if !in.Deadline.IsZero() && !in.Deadline.After(now) {
		v.Add("deadline", "must be in the future")
	}
	d := in.Details
	switch in.Kind {
	case ProposalTruce:
		if d.Truce == nil {
			v.Add("details.truce", "is required for a truce")
			break
		}
		t := d.Truce
		if t.Hours < 1 || t.Hours > 24*90 {
			v.Add("details.truce.hours", "must be between 1 and 2160")
		}
		if t.Starts.IsZero() {
			v.Add("details.truce.starts", "is required")
		}
		v.MaxLen("details.truce.purpose", t.Purpose, maxText)
		v.MaxLen("details.truce.area", t.Area, maxText)
		v.MaxLen("details.truce.conditions", t.Conditions, maxText)
		for _, p := range t.Purposes {
			if !slices.Contains(TrucePurposes, p) {
				v.Add("details.truce.purposes", "must be wounded, dead, passage or other")
			}
		}
		if len(t.Purposes) == 0 && strings.TrimSpace(t.Purpose) == "" {
			v.Add("details.truce.purposes", "say what the pause is for")
		}
		if t.TimeZone != "" {
			if _, err := time.LoadLocation(t.TimeZone); err != nil || t.TimeZone == "Local" {
				v.Add("details.truce.time_zone", "is not a known time zone (e.g. Europe/Istanbul)")
			}
		}
		if len(t.Shapes) > 200 {
			v.Add("details.truce.shapes", "too many shapes: at most 200")
		}
	case ProposalExchange:
		if d.Exchange == nil || len(d.Exchange.Categories) == 0 {
			v.Add("details.exchange", "name at least one category with its number")
			break
		}
		for _, c := range d.Exchange.Categories {
			if strings.TrimSpace(c.Name) == "" || c.Count < 1 || c.Count > 1000000 {
				v.Add("details.exchange.categories", "each category needs a name and a number from 1")
			}
		}
		if d.Exchange.Stages < 1 || d.Exchange.Stages > 100 {
			v.Add("details.exchange.stages", "must be between 1 and 100")
		}
	case ProposalMeeting:
		if d.Meeting == nil {
			v.Add("details.meeting", "is required for a meeting")
			break
		}
		v.Require("details.meeting.level", d.Meeting.Level)
		v.MaxLen("details.meeting.level", d.Meeting.Level, maxTitle)
		v.MaxLen("details.meeting.place", d.Meeting.Place, maxTitle)
		if d.Meeting.From != "" && !validDate(d.Meeting.From) {
			v.Add("details.meeting.from", "must be a date as YYYY-MM-DD")
		}
		if d.Meeting.To != "" && !validDate(d.Meeting.To) {
			v.Add("details.meeting.to", "must be a date as YYYY-MM-DD")
		} else if d.Meeting.To != "" && d.Meeting.From != "" && d.Meeting.To < d.Meeting.From {
			v.Add("details.meeting.to", "must not be before the start")
		}
	}
}

// content returns the input as recorded: trimmed, with only the details of
// its kind.
func (in ProposalInput) content() proposalContent {
	texts := Texts{}
	for l, t := range in.Texts {
		if t = normalizeBody(t); t != "" {
			texts[l] = t
		}
	}
	var d Details
	switch in.Kind {
	case ProposalTruce:
		t := *in.Details.Truce
		t.Starts = t.Starts.UTC()
		t.Purpose, t.Area, t.Conditions = strings.TrimSpace(t.Purpose), strings.TrimSpace(t.Area), normalizeBody(t.Conditions)
		t.Purposes = append([]TrucePurpose(nil), t.Purposes...)
		t.Shapes = append([]Shape(nil), t.Shapes...)
		for i := range t.Shapes {
			t.Shapes[i].Name = strings.TrimSpace(t.Shapes[i].Name)
		}
		d.Truce = &t
	case ProposalExchange:
		e := *in.Details.Exchange
		e.Categories = append([]ExchangeCategory(nil), e.Categories...)
		for i := range e.Categories {
			e.Categories[i].Name = strings.TrimSpace(e.Categories[i].Name)
		}
		d.Exchange = &e
	case ProposalMeeting:
		m := *in.Details.Meeting
		m.Level, m.Place = strings.TrimSpace(m.Level), strings.TrimSpace(m.Place)
		d.Meeting = &m
	}
	dl := in.Deadline
	if !dl.IsZero() {
		dl = dl.UTC()
	}
	return proposalContent{Kind: in.Kind, Title: strings.TrimSpace(in.Title), Texts: texts, Details: d, Deadline: dl}
}

// Validate implements Command. Deadlines are checked against the time of
// the decision, in the decide functions.
func (c DraftProposal) Validate() error {
	var v Invalid
	v.requireID("group_id", c.GroupID)
	v.requireID("to_party", c.ToParty)
	c.ProposalInput.validate(&v, time.Time{})
	return v.Err()
}

// Validate implements Command.
func (c EditDraft) Validate() error {
	var v Invalid
	v.requireID("proposal_id", c.ProposalID)
	v.requireID("to_party", c.ToParty)
	c.ProposalInput.validate(&v, time.Time{})
	return v.Err()
}

func validateProposalID(id string) error {
	var v Invalid
	v.requireID("proposal_id", id)
	return v.Err()
}

func validateProposalText(id, field, text string, required bool) error {
	var v Invalid
	v.requireID("proposal_id", id)
	if required {
		v.Require(field, text)
	}
	v.MaxLen(field, text, maxText)
	return v.Err()
}

// Validate implements Command.
func (c SubmitProposal) Validate() error { return validateProposalID(c.ProposalID) }

// Validate implements Command.
func (c AcknowledgeProposal) Validate() error { return validateProposalID(c.ProposalID) }

// Validate implements Command.
func (c ExpireProposal) Validate() error { return validateProposalID(c.ProposalID) }

// Validate implements Command.
func (c AskClarification) Validate() error {
	return validateProposalText(c.ProposalID, "text", c.Text, true)
}

// Validate implements Command.
func (c AnswerClarification) Validate() error {
	var v Invalid
	v.requireID("proposal_id", c.ProposalID)
	v.requireID("question_id", c.QuestionID)
	v.Require("text", c.Text)
	v.MaxLen("text", c.Text, maxText)
	return v.Err()
}

// Validate implements Command.
func (c CounterProposal) Validate() error {
	var v Invalid
	v.requireID("proposal_id", c.ProposalID)
	c.ProposalInput.validate(&v, time.Time{})
	return v.Err()
}

// Validate implements Command.
func (c AcceptProposal) Validate() error {
	return validateProposalText(c.ProposalID, "reason", c.Reason, false)
}

// Validate implements Command.
func (c RejectProposal) Validate() error {
	return validateProposalText(c.ProposalID, "reason", c.Reason, true)
}

// Validate implements Command.
func (c WithdrawProposal) Validate() error {
	return validateProposalText(c.ProposalID, "reason", c.Reason, false)
}

// Validate implements Command.
func (c CommentProposal) Validate() error {
	return validateProposalText(c.ProposalID, "text", c.Text, true)
}

// Validate implements Command.
func (c AuthoriseDelegate) Validate() error {
	var v Invalid
	v.requireID("group_id", c.GroupID)
	v.requireID("member_id", c.MemberID)
	return v.Err()
}

// Validate implements Command.
func (c RevokeAuthorisation) Validate() error { return AuthoriseDelegate(c).Validate() }

// CanActFor reports whether a may perform the formal acts of party in
// working group g of process: as its head of delegation, or as one of its
// delegates whom the head authorised for that group.
func CanActFor(a Actor, process, g, party string) bool {
	m, ok := a.In(process)
	if !ok || m.PartyID != party {
		return false
	}
	switch m.Role {
	case RoleHead:
		return true
	case RoleDelegate:
		return m.InGroup(g) && contains(m.Authorised, g)
	}
	return false
}

// speaksFor reports whether a is a member of party who may write in the
// working group's space: the party's voice in discussion, which binds
// nobody.
func speaksFor(a Actor, groupSpace Space, party string) bool {
	m, ok := a.In(groupSpace.ProcessID)
	return ok && m.PartyID == party && Allowed(a, ActPost, groupSpace)
}

// ProposalSetting is what deciding about a proposal needs besides the
// proposal: its working group's space, and the parties of the process.
type ProposalSetting struct {
	Group      WorkingGroup
	GroupSpace Space
	Caucus     map[string]Space // each negotiating party's caucus, by party
	Rules      TruceRules       // the process's limits on truces
}

func proposalErr(msg string) error { return Errorf(ECONFLICT, "%s", msg) }

// DecideDraftProposal writes a draft in the caucus of the author's party.
func DecideDraftProposal(a Actor, set ProposalSetting, c DraftProposal, env Env) ([]Event, error) {
	m, ok := a.In(set.Group.ProcessID)
	if !ok {
		return nil, Errorf(ENOTFOUND, "No such working group.")
	}
	caucus, ok := set.Caucus[m.PartyID]
	if !ok || !Allowed(a, ActDraft, caucus) || !Allowed(a, ActRead, set.GroupSpace) {
		return nil, Errorf(EFORBIDDEN, "Only members of a party's delegation in this working group draft its proposals.")
	}
	if _, ok := set.Caucus[c.ToParty]; !ok || c.ToParty == m.PartyID {
		var v Invalid
		v.Add("to_party", "must be another party of the process")
		return nil, v.Err()
	}
	if err := checkDeadline(c.Deadline, env.Now); err != nil {
		return nil, err
	}
	if err := checkTruceTerms(c.ProposalInput, set.Rules, env.Now); err != nil {
		return nil, err
	}
	id := env.NewID()
	return events(a, env, ev(SpaceScope(caucus), &ProposalDrafted{
		ProposalID: id, ProcessID: set.Group.ProcessID, GroupID: set.Group.ID,
		FromParty: m.PartyID, ToParty: c.ToParty, proposalContent: c.ProposalInput.content(),
	})), nil
}

func checkDeadline(d, now time.Time) error {
	if !d.IsZero() && !d.After(now) {
		var v Invalid
		v.Add("deadline", "must be in the future")
		return v.Err()
	}
	return nil
}

// DecideEditDraft replaces a draft's content.
func DecideEditDraft(a Actor, set ProposalSetting, p Proposal, c EditDraft, env Env) ([]Event, error) {
	caucus := set.Caucus[p.FromParty]
	space := set.GroupSpace
	if p.Status == StatusDraft {
		space = caucus
	}
	if !Allowed(a, ActRead, space) {
		return nil, Errorf(ENOTFOUND, "No such proposal.")
	}
	if !Allowed(a, ActDraft, caucus) {
		return nil, forbidden()
	}
	if p.Status != StatusDraft {
		return nil, proposalErr("Only a draft can be edited; this proposal was submitted.")
	}
	if c.Version != p.Version {
		return nil, proposalErr("The draft was changed since you opened it; reload and try again.")
	}
	if _, ok := set.Caucus[c.ToParty]; !ok || c.ToParty == p.FromParty {
		var v Invalid
		v.Add("to_party", "must be another party of the process")
		return nil, v.Err()
	}
	if err := checkDeadline(c.Deadline, env.Now); err != nil {
		return nil, err
	}
	if err := checkTruceTerms(c.ProposalInput, set.Rules, env.Now); err != nil {
		return nil, err
	}
	return events(a, env, ev(SpaceScope(caucus), &ProposalDraftEdited{
		ProposalID: p.ID, ToParty: c.ToParty, proposalContent: c.ProposalInput.content(),
	})), nil
}

// openFor checks that p is open and not past its deadline at now.
func openFor(p Proposal, now time.Time) error {
	if !p.Status.Open() {
		return proposalErr("The proposal is closed and can no longer be answered.")
	}
	if p.Overdue(now) {
		return proposalErr("The deadline of the proposal has passed.")
	}
	return nil
}

// DecideSubmitProposal puts a draft to the other party: a formal act.
func DecideSubmitProposal(a Actor, set ProposalSetting, p Proposal, env Env) ([]Event, error) {
	space := set.GroupSpace
	if p.Status == StatusDraft {
		space = set.Caucus[p.FromParty]
	}
	if !Allowed(a, ActRead, space) {
		return nil, Errorf(ENOTFOUND, "No such proposal.")
	}
	if !CanActFor(a, p.ProcessID, p.GroupID, p.FromParty) {
		return nil, Errorf(EFORBIDDEN, "Submitting is a formal act: only the head of delegation, or a delegate the head authorised for this working group, may submit.")
	}
	if p.Status != StatusDraft {
		return nil, proposalErr("The proposal was already submitted.")
	}
	if err := checkDeadline(p.Deadline, env.Now); err != nil {
		return nil, proposalErr("The deadline of the draft has passed; set a new one before submitting.")
	}
	return events(a, env, ev(SpaceScope(set.GroupSpace), submitted(p, set.GroupSpace.ID, p.CounterOf))), nil
}

func submitted(p Proposal, space, counterOf string) *ProposalSubmitted {
	return &ProposalSubmitted{
		ProposalID: p.ID, ProcessID: p.ProcessID, GroupID: p.GroupID, SpaceID: space,
		FromParty: p.FromParty, ToParty: p.ToParty, CounterOf: counterOf,
		proposalContent: proposalContent{Kind: p.Kind, Title: p.Title, Texts: p.Texts, Details: p.Details, Deadline: p.Deadline},
	}
}

// visibleProposal answers "not found" for a proposal a may not see.
func visibleProposal(a Actor, set ProposalSetting, p Proposal) error {
	space := set.GroupSpace
	if p.Status == StatusDraft {
		space = set.Caucus[p.FromParty]
	}
	if !Allowed(a, ActRead, space) {
		return Errorf(ENOTFOUND, "No such proposal.")
	}
	return nil
}

// DecideAcknowledge says the addressed party is considering p.
func DecideAcknowledge(a Actor, set ProposalSetting, p Proposal, env Env) ([]Event, error) {
	if err := visibleProposal(a, set, p); err != nil {
		return nil, err
	}
	if !speaksFor(a, set.GroupSpace, p.ToParty) {
		return nil, Errorf(EFORBIDDEN, "Only the party the proposal is addressed to acknowledges it.")
	}
	if err := openFor(p, env.Now); err != nil {
		return nil, err
	}
	if p.Status != StatusSubmitted {
		return nil, proposalErr("The proposal was already acknowledged.")
	}
	return events(a, env, ev(SpaceScope(set.GroupSpace), &ProposalAcknowledged{ProposalID: p.ID})), nil
}

// DecideAskClarification asks the proposer a question; the move passes to
// the proposer until every question is answered.
func DecideAskClarification(a Actor, set ProposalSetting, p Proposal, c AskClarification, env Env) ([]Event, error) {
	if err := visibleProposal(a, set, p); err != nil {
		return nil, err
	}
	if !speaksFor(a, set.GroupSpace, p.ToParty) {
		return nil, Errorf(EFORBIDDEN, "Only the party the proposal is addressed to asks for clarification.")
	}
	if err := openFor(p, env.Now); err != nil {
		return nil, err
	}
	return events(a, env, ev(SpaceScope(set.GroupSpace), &ClarificationAsked{ProposalID: p.ID, QuestionID: env.NewID(), Text: normalizeBody(c.Text)})), nil
}

// DecideAnswerClarification answers question q about p.
func DecideAnswerClarification(a Actor, set ProposalSetting, p Proposal, q Question, c AnswerClarification, env Env) ([]Event, error) {
	if err := visibleProposal(a, set, p); err != nil {
		return nil, err
	}
	if q.ProposalID != p.ID {
		return nil, Errorf(ENOTFOUND, "No such question.")
	}
	if !speaksFor(a, set.GroupSpace, p.FromParty) {
		return nil, Errorf(EFORBIDDEN, "Only the proposing party answers questions about its proposal.")
	}
	if err := openFor(p, env.Now); err != nil {
		return nil, err
	}
	if q.Answer != "" {
		return nil, proposalErr("The question was already answered.")
	}
	return events(a, env, ev(SpaceScope(set.GroupSpace), &ClarificationAnswered{ProposalID: p.ID, QuestionID: q.ID, Text: normalizeBody(c.Text)})), nil
}

// answerAct checks a formal act of the addressed party on p.
func answerAct(a Actor, set ProposalSetting, p Proposal, now time.Time) error {
	if err := visibleProposal(a, set, p); err != nil {
		return err
	}
	if m, ok := a.In(p.ProcessID); ok && m.PartyID == p.FromParty {
		return Errorf(EFORBIDDEN, "A party does not answer its own proposal.")
	}
	if !CanActFor(a, p.ProcessID, p.GroupID, p.ToParty) {
		return Errorf(EFORBIDDEN, "This is a formal act: only the head of delegation of the party addressed, or a delegate the head authorised for this working group, may do it.")
	}
	return openFor(p, now)
}

// DecideCounter answers p with a new proposal from the addressed party,
// submitted at once; p is closed as countered.
func DecideCounter(a Actor, set ProposalSetting, p Proposal, c CounterProposal, env Env) ([]Event, error) {
	if err := answerAct(a, set, p, env.Now); err != nil {
		return nil, err
	}
	if err := checkDeadline(c.Deadline, env.Now); err != nil {
		return nil, err
	}
	if err := checkTruceTerms(c.ProposalInput, set.Rules, env.Now); err != nil {
		return nil, err
	}
	counter := Proposal{ID: env.NewID(), ProcessID: p.ProcessID, GroupID: p.GroupID, FromParty: p.ToParty, ToParty: p.FromParty}
	ct := c.ProposalInput.content()
	counter.Kind, counter.Title, counter.Texts, counter.Details, counter.Deadline = ct.Kind, ct.Title, ct.Texts, ct.Details, ct.Deadline
	sc := SpaceScope(set.GroupSpace)
	return events(a, env,
		ev(sc, &ProposalCountered{ProposalID: p.ID, CounterID: counter.ID}),
		ev(sc, submitted(counter, set.GroupSpace.ID, p.ID)),
	), nil
}

// DecideAccept accepts p.
func DecideAccept(a Actor, set ProposalSetting, p Proposal, c AcceptProposal, env Env) ([]Event, error) {
	if err := answerAct(a, set, p, env.Now); err != nil {
		return nil, err
	}
	return events(a, env, ev(SpaceScope(set.GroupSpace), &ProposalAccepted{ProposalID: p.ID, Reason: normalizeBody(c.Reason)})), nil
}

// DecideReject rejects p with reasons.
func DecideReject(a Actor, set ProposalSetting, p Proposal, c RejectProposal, env Env) ([]Event, error) {
	if err := answerAct(a, set, p, env.Now); err != nil {
		return nil, err
	}
	return events(a, env, ev(SpaceScope(set.GroupSpace), &ProposalRejected{ProposalID: p.ID, Reason: normalizeBody(c.Reason)})), nil
}

// DecideWithdraw takes p back, by its proposer.
func DecideWithdraw(a Actor, set ProposalSetting, p Proposal, c WithdrawProposal, env Env) ([]Event, error) {
	if err := visibleProposal(a, set, p); err != nil {
		return nil, err
	}
	if !CanActFor(a, p.ProcessID, p.GroupID, p.FromParty) {
		return nil, Errorf(EFORBIDDEN, "Withdrawing is a formal act of the proposing party: only its head of delegation, or a delegate the head authorised for this working group, may do it.")
	}
	if !p.Status.Open() {
		return nil, proposalErr("The proposal is closed and can no longer be withdrawn.")
	}
	return events(a, env, ev(SpaceScope(set.GroupSpace), &ProposalWithdrawn{ProposalID: p.ID, Reason: normalizeBody(c.Reason)})), nil
}

// DecideExpire closes p at its deadline. Only the server itself expires.
func DecideExpire(a Actor, set ProposalSetting, p Proposal, env Env) ([]Event, error) {
	if a.AccountID != SystemAccount {
		return nil, forbidden()
	}
	if !p.Status.Open() {
		return nil, proposalErr("The proposal is already closed.")
	}
	if !p.Overdue(env.Now) {
		return nil, proposalErr("The deadline of the proposal has not passed.")
	}
	return events(a, env, ev(SpaceScope(set.GroupSpace), &ProposalExpired{ProposalID: p.ID, Deadline: p.Deadline})), nil
}

// DecideComment adds discussion to p, in the space where it lives.
func DecideComment(a Actor, set ProposalSetting, p Proposal, c CommentProposal, env Env) ([]Event, error) {
	space := set.GroupSpace
	if p.Status == StatusDraft {
		space = set.Caucus[p.FromParty]
	}
	if !Allowed(a, ActRead, space) {
		return nil, Errorf(ENOTFOUND, "No such proposal.")
	}
	if !Allowed(a, ActPost, space) {
		return nil, forbidden()
	}
	return events(a, env, ev(SpaceScope(space), &ProposalCommented{ProposalID: p.ID, CommentID: env.NewID(), Text: normalizeBody(c.Text)})), nil
}

// DecideAuthorise lets delegate m perform formal acts in group g; only the
// head of m's party may.
func DecideAuthorise(a Actor, g WorkingGroup, groupSpace Space, m Member, env Env) ([]Event, error) {
	if err := authorityChange(a, g, m); err != nil {
		return nil, err
	}
	if contains(m.Authorised, g.ID) {
		return nil, proposalErr("The delegate is already authorised in this working group.")
	}
	return events(a, env, ev(SpaceScope(groupSpace), &DelegateAuthorised{GroupID: g.ID, MemberID: m.ID})), nil
}

// DecideRevoke ends m's authority in group g.
func DecideRevoke(a Actor, g WorkingGroup, groupSpace Space, m Member, env Env) ([]Event, error) {
	if err := authorityChange(a, g, m); err != nil {
		return nil, err
	}
	if !contains(m.Authorised, g.ID) {
		return nil, proposalErr("The delegate is not authorised in this working group.")
	}
	return events(a, env, ev(SpaceScope(groupSpace), &AuthorisationRevoked{GroupID: g.ID, MemberID: m.ID})), nil
}

func authorityChange(a Actor, g WorkingGroup, m Member) error {
	if m.ProcessID != g.ProcessID {
		return Errorf(ENOTFOUND, "No such member in this process.")
	}
	h, ok := a.In(g.ProcessID)
	if !ok || h.Role != RoleHead || h.PartyID != m.PartyID {
		return Errorf(EFORBIDDEN, "Only the head of the delegate's party grants or ends the authority to act.")
	}
	if m.Role != RoleDelegate {
		var v Invalid
		v.Add("member_id", "must be a delegate")
		return v.Err()
	}
	if !m.InGroup(g.ID) {
		var v Invalid
		v.Add("member_id", "must be a member of the working group")
		return v.Err()
	}
	return nil
}
