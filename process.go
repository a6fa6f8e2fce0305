package parley

import (
	"strings"
	"time"
)

// Process is one negotiation, e.g. "Istanbul talks".
type Process struct {
	ID          string    `json:"id"`
	Title       string    `json:"title"`
	Description string    `json:"description"`
	Languages   []Lang    `json:"languages"`
	CreatedAt   time.Time `json:"created_at"`
	Version     int       `json:"version"` // incremented by each edit; an edit names the version it read
}

// PartyKind tells a negotiating party from the mediator and observers.
type PartyKind string

// Kinds of parties to a process.
const (
	PartyNegotiating PartyKind = "party"    // a side of the conflict, with its delegation and caucus
	PartyMediator    PartyKind = "mediator" // the facilitating state or organisation
	PartyObserver    PartyKind = "observer" // e.g. a neutral humanitarian organisation
)

// Party is a side in a process, the mediator, or an observer organisation.
type Party struct {
	ID        string    `json:"id"`
	ProcessID string    `json:"process_id"`
	Kind      PartyKind `json:"kind"`
	Names     Names     `json:"names"`
}

// Member is an account's membership in a process.
type Member struct {
	ID        string   `json:"id"`
	ProcessID string   `json:"process_id"`
	AccountID string   `json:"account_id"`
	PartyID   string   `json:"party_id"`
	Role      Role     `json:"role"`
	Name      string   `json:"name"` // the account's display name, joined for reading
	Groups    []string `json:"groups"`
	// Authorised lists the working groups in which this delegate may
	// perform the party's formal acts.
	Authorised []string `json:"authorised,omitempty"`
}

// Round is an in-person session of a process, on dates in its host's
// calendar (no time of day).
type Round struct {
	ID        string `json:"id"`
	ProcessID string `json:"process_id"`
	Title     string `json:"title"`
	Location  string `json:"location"`
	StartsOn  string `json:"starts_on"` // YYYY-MM-DD
	EndsOn    string `json:"ends_on"`   // YYYY-MM-DD
}

// GroupKind is the subject of a working group.
type GroupKind string

// Kinds of working groups.
const (
	GroupPolitical    GroupKind = "political"
	GroupMilitary     GroupKind = "military"
	GroupHumanitarian GroupKind = "humanitarian"
	GroupOther        GroupKind = "other"
)

// WorkingGroup is a standing group of a process.
type WorkingGroup struct {
	ID        string    `json:"id"`
	ProcessID string    `json:"process_id"`
	Kind      GroupKind `json:"kind"`
	Names     Names     `json:"names"`
	SpaceID   string    `json:"space_id"` // the group's shared space
}

// SpaceKind is the visibility of a space.
type SpaceKind string

// Kinds of spaces, from narrowest to widest.
const (
	SpaceParty  SpaceKind = "party"  // one party's caucus
	SpaceHeads  SpaceKind = "heads"  // the private channel between heads of delegation
	SpaceGroup  SpaceKind = "group"  // all members of a working group
	SpacePublic SpaceKind = "public" // everyone, after every party approved publication
)

// SpaceKinds lists every kind of space.
var SpaceKinds = []SpaceKind{SpaceParty, SpaceHeads, SpaceGroup, SpacePublic}

// Space is where items live. Every item lives in exactly one space, and
// nothing moves to a wider space without an explicit, recorded act.
type Space struct {
	ID           string    `json:"id"`
	ProcessID    string    `json:"process_id"`
	Kind         SpaceKind `json:"kind"`
	PartyID      string    `json:"party_id"`      // SpaceParty only
	GroupID      string    `json:"group_id"`      // SpaceGroup only
	WithMediator bool      `json:"with_mediator"` // SpaceHeads only
}

// Events of the process structure.
type (
	// ProcessCreated opens a process.
	ProcessCreated struct {
		ProcessID   string `json:"process_id"`
		Title       string `json:"title"`
		Description string `json:"description"`
		Languages   []Lang `json:"languages"`
	}
	// ProcessEdited changes a process's title, description or languages.
	ProcessEdited struct {
		ProcessID   string `json:"process_id"`
		Title       string `json:"title"`
		Description string `json:"description"`
		Languages   []Lang `json:"languages"`
		Version     int    `json:"version"`
	}
	// PartyAdded adds a party, the mediator or an observer organisation.
	PartyAdded struct {
		PartyID   string    `json:"party_id"`
		ProcessID string    `json:"process_id"`
		Kind      PartyKind `json:"kind"`
		Names     Names     `json:"names"`
	}
	// PartyRenamed changes a party's display names.
	PartyRenamed struct {
		PartyID string `json:"party_id"`
		Names   Names  `json:"names"`
	}
	// MemberAdded makes an account a member of a process.
	MemberAdded struct {
		MemberID  string `json:"member_id"`
		ProcessID string `json:"process_id"`
		AccountID string `json:"account_id"`
		PartyID   string `json:"party_id"`
		Role      Role   `json:"role"`
	}
	// MemberRoleChanged gives a member another role in their party.
	MemberRoleChanged struct {
		MemberID string `json:"member_id"`
		Role     Role   `json:"role"`
	}
	// RoundScheduled adds an in-person round.
	RoundScheduled struct {
		RoundID   string `json:"round_id"`
		ProcessID string `json:"process_id"`
		Title     string `json:"title"`
		Location  string `json:"location"`
		StartsOn  string `json:"starts_on"`
		EndsOn    string `json:"ends_on"`
	}
	// RoundEdited changes a round.
	RoundEdited struct {
		RoundID  string `json:"round_id"`
		Title    string `json:"title"`
		Location string `json:"location"`
		StartsOn string `json:"starts_on"`
		EndsOn   string `json:"ends_on"`
	}
	// GroupCreated opens a working group.
	GroupCreated struct {
		GroupID   string    `json:"group_id"`
		ProcessID string    `json:"process_id"`
		Kind      GroupKind `json:"kind"`
		Names     Names     `json:"names"`
	}
	// GroupRenamed changes a working group's names.
	GroupRenamed struct {
		GroupID string `json:"group_id"`
		Names   Names  `json:"names"`
	}
	// MemberJoinedGroup puts a member into a working group.
	MemberJoinedGroup struct {
		GroupID  string `json:"group_id"`
		MemberID string `json:"member_id"`
	}
	// MemberLeftGroup takes a member out of a working group.
	MemberLeftGroup struct {
		GroupID  string `json:"group_id"`
		MemberID string `json:"member_id"`
	}
	// SpaceOpened creates a space.
	SpaceOpened struct {
		SpaceID      string    `json:"space_id"`
		ProcessID    string    `json:"process_id"`
		Kind         SpaceKind `json:"kind"`
		PartyID      string    `json:"party_id"`
		GroupID      string    `json:"group_id"`
		WithMediator bool      `json:"with_mediator"`
	}
)

func (*ProcessCreated) EventType() string    { return "process.created" }
func (*ProcessEdited) EventType() string     { return "process.edited" }
func (*PartyAdded) EventType() string        { return "party.added" }
func (*PartyRenamed) EventType() string      { return "party.renamed" }
func (*MemberAdded) EventType() string       { return "member.added" }
func (*MemberRoleChanged) EventType() string { return "member.role_changed" }
func (*RoundScheduled) EventType() string    { return "round.scheduled" }
func (*RoundEdited) EventType() string       { return "round.edited" }
func (*GroupCreated) EventType() string      { return "group.created" }
func (*GroupRenamed) EventType() string      { return "group.renamed" }
func (*MemberJoinedGroup) EventType() string { return "group.member_joined" }
func (*MemberLeftGroup) EventType() string   { return "group.member_left" }
func (*SpaceOpened) EventType() string       { return "space.opened" }

func init() {
	register(
		func() EventData { return new(ProcessCreated) },
		func() EventData { return new(ProcessEdited) },
		func() EventData { return new(PartyAdded) },
		func() EventData { return new(PartyRenamed) },
		func() EventData { return new(MemberAdded) },
		func() EventData { return new(MemberRoleChanged) },
		func() EventData { return new(RoundScheduled) },
		func() EventData { return new(RoundEdited) },
		func() EventData { return new(GroupCreated) },
		func() EventData { return new(GroupRenamed) },
		func() EventData { return new(MemberJoinedGroup) },
		func() EventData { return new(MemberLeftGroup) },
		func() EventData { return new(SpaceOpened) },
	)
}

// Commands on the process structure.
type (
	// CreateProcess opens a new negotiation, with its public space and the
	// heads' private channel (with the mediator).
	CreateProcess struct {
		Title       string `json:"title"`
		Description string `json:"description"`
		Languages   []Lang `json:"languages"`
	}
	// EditProcess changes a process; Version is the version the editor read.
	EditProcess struct {
		ProcessID   string `json:"process_id"`
		Title       string `json:"title"`
		Description string `json:"description"`
		Languages   []Lang `json:"languages"`
		Version     int    `json:"version"`
	}
	// AddParty adds a party (with its caucus), the mediator or an observer
	// organisation to a process.
	AddParty struct {
		ProcessID string    `json:"process_id"`
		Kind      PartyKind `json:"kind"`
		Names     Names     `json:"names"`
	}
	// RenameParty changes a party's display names.
	RenameParty struct {
		PartyID string `json:"party_id"`
		Names   Names  `json:"names"`
	}
	// AddMember makes an account a member of a party in a process.
	AddMember struct {
		ProcessID string `json:"process_id"`
		AccountID string `json:"account_id"`
		PartyID   string `json:"party_id"`
		Role      Role   `json:"role"`
	}
	// ChangeRole gives a member another role in their party, e.g. makes a
	// delegate the head of delegation.
	ChangeRole struct {
		MemberID string `json:"member_id"`
		Role     Role   `json:"role"`
	}
	// ScheduleRound adds an in-person round.
	ScheduleRound struct {
		ProcessID string `json:"process_id"`
		Title     string `json:"title"`
		Location  string `json:"location"`
		StartsOn  string `json:"starts_on"`
		EndsOn    string `json:"ends_on"`
	}
	// EditRound changes a round.
	EditRound struct {
		RoundID  string `json:"round_id"`
		Title    string `json:"title"`
		Location string `json:"location"`
		StartsOn string `json:"starts_on"`
		EndsOn   string `json:"ends_on"`
	}
	// CreateGroup opens a working group with its shared space.
	CreateGroup struct {
		ProcessID string    `json:"process_id"`
		Kind      GroupKind `json:"kind"`
		Names     Names     `json:"names"`
	}
	// RenameGroup changes a working group's names.
	RenameGroup struct {
		GroupID string `json:"group_id"`
		Names   Names  `json:"names"`
	}
	// JoinGroup puts a member into a working group.
	JoinGroup struct {
		GroupID  string `json:"group_id"`
		MemberID string `json:"member_id"`
	}
	// LeaveGroup takes a member out of a working group.
	LeaveGroup struct {
		GroupID  string `json:"group_id"`
		MemberID string `json:"member_id"`
	}
)

// Command is anything a user asks Parley to change. Validate checks the
// command alone, before any state is read, and names every wrong field.
type Command interface {
	Validate() error
}

const maxTitle = 200
const maxText = 20000

func validateLangs(v *Invalid, langs []Lang) {
	if len(langs) == 0 {
		v.Add("languages", "name at least one working language")
	}
	seen := map[Lang]bool{}
	for _, l := range langs {
		if _, ok := ParseLang(string(l)); !ok {
			v.Add("languages", "names an unknown language")
		}
		if seen[l] {
			v.Add("languages", "names a language twice")
		}
		seen[l] = true
	}
}

func validateNames(v *Invalid, n Names) {
	if n.In(English) == "" {
		v.Add("names", "give a name in at least one language")
	}
	for l, s := range n {
		if _, ok := ParseLang(string(l)); !ok {
			v.Add("names", "names an unknown language")
		}
		v.MaxLen("names."+string(l), s, maxTitle)
	}
}

func validDate(s string) bool {
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

func validateRound(v *Invalid, title, location, starts, ends string) {
	v.Require("title", title)
	v.MaxLen("title", title, maxTitle)
	v.MaxLen("location", location, maxTitle)
	if !validDate(starts) {
		v.Add("starts_on", "must be a date as YYYY-MM-DD")
	}
	if ends != "" && !validDate(ends) {
		v.Add("ends_on", "must be a date as YYYY-MM-DD")
	} else if ends != "" && validDate(starts) && ends < starts {
		v.Add("ends_on", "must not be before the start")
	}
}

// Validate implements Command.
func (c CreateProcess) Validate() error {
	var v Invalid
	v.Require("title", c.Title)
	v.MaxLen("title", c.Title, maxTitle)
	v.MaxLen("description", c.Description, maxText)
	validateLangs(&v, c.Languages)
	return v.Err()
}

// Validate implements Command.
func (c EditProcess) Validate() error {
	var v Invalid
	v.requireID("process_id", c.ProcessID)
	v.Require("title", c.Title)
	v.MaxLen("title", c.Title, maxTitle)
	v.MaxLen("description", c.Description, maxText)
	validateLangs(&v, c.Languages)
	return v.Err()
}

// Validate implements Command.
func (c AddParty) Validate() error {
	var v Invalid
	v.requireID("process_id", c.ProcessID)
	switch c.Kind {
	case PartyNegotiating, PartyMediator, PartyObserver:
	default:
		v.Add("kind", "must be party, mediator or observer")
	}
	validateNames(&v, c.Names)
	return v.Err()
}

// Validate implements Command.
func (c RenameParty) Validate() error {
	var v Invalid
	v.requireID("party_id", c.PartyID)
	validateNames(&v, c.Names)
	return v.Err()
}

// Validate implements Command.
func (c AddMember) Validate() error {
	var v Invalid
	v.requireID("process_id", c.ProcessID)
	v.requireID("account_id", c.AccountID)
	v.requireID("party_id", c.PartyID)
	if !c.Role.Valid() {
		v.Add("role", "must be head, delegate, mediator or observer")
	}
	return v.Err()
}

// Validate implements Command.
func (c ChangeRole) Validate() error {
	var v Invalid
	v.requireID("member_id", c.MemberID)
	if !c.Role.Valid() {
		v.Add("role", "must be head, delegate, mediator or observer")
	}
	return v.Err()
}

// Validate implements Command.
func (c ScheduleRound) Validate() error {
	var v Invalid
	v.requireID("process_id", c.ProcessID)
	validateRound(&v, c.Title, c.Location, c.StartsOn, c.EndsOn)
	return v.Err()
}

// Validate implements Command.
func (c EditRound) Validate() error {
	var v Invalid
	v.requireID("round_id", c.RoundID)
	validateRound(&v, c.Title, c.Location, c.StartsOn, c.EndsOn)
	return v.Err()
}

// Validate implements Command.
func (c CreateGroup) Validate() error {
	var v Invalid
	v.requireID("process_id", c.ProcessID)
	switch c.Kind {
	case GroupPolitical, GroupMilitary, GroupHumanitarian, GroupOther:
	default:
		v.Add("kind", "must be political, military, humanitarian or other")
	}
	validateNames(&v, c.Names)
	return v.Err()
}

// Validate implements Command.
func (c RenameGroup) Validate() error {
	var v Invalid
	v.requireID("group_id", c.GroupID)
	validateNames(&v, c.Names)
	return v.Err()
}

// Validate implements Command.
func (c JoinGroup) Validate() error {
	var v Invalid
	v.requireID("group_id", c.GroupID)
	v.requireID("member_id", c.MemberID)
	return v.Err()
}

// Validate implements Command.
func (c LeaveGroup) Validate() error {
	return JoinGroup(c).Validate()
}

func forbidden() error {
	return Errorf(EFORBIDDEN, "You are not allowed to do this.")
}

func trimNames(n Names) Names {
	out := make(Names, len(n))
	for l, s := range n {
		if s = strings.TrimSpace(s); s != "" {
			out[l] = s
		}
	}
	return out
}

// DecideCreateProcess opens a process with its public space and the heads'
// channel.
func DecideCreateProcess(a Actor, c CreateProcess, env Env) ([]Event, error) {
	if !a.Operator {
		return nil, forbidden()
	}
	id := env.NewID()
	sc := ProcessScope(id)
	public := Space{ID: env.NewID(), ProcessID: id, Kind: SpacePublic}
	heads := Space{ID: env.NewID(), ProcessID: id, Kind: SpaceHeads, WithMediator: true}
	return events(a, env,
		ev(sc, &ProcessCreated{ProcessID: id, Title: strings.TrimSpace(c.Title), Description: c.Description, Languages: c.Languages}),
		ev(sc, opened(public)),
		ev(SpaceScope(heads), opened(heads)),
	), nil
}

// DecideEditProcess edits p unless someone else edited it since c.Version.
func DecideEditProcess(a Actor, p Process, c EditProcess, env Env) ([]Event, error) {
	if !AllowedProcess(a, ManageProcess, p.ID, "") {
		return nil, forbidden()
	}
	if c.Version != p.Version {
		return nil, Errorf(ECONFLICT, "The process was changed by someone else since you opened it; reload and try again.")
	}
	return events(a, env, ev(ProcessScope(p.ID), &ProcessEdited{
		ProcessID: p.ID, Title: strings.TrimSpace(c.Title), Description: c.Description,
		Languages: c.Languages, Version: p.Version + 1,
	})), nil
}

// DecideAddParty adds a party to p; a negotiating party gets its caucus.
func DecideAddParty(a Actor, p Process, c AddParty, env Env) ([]Event, error) {
	if !AllowedProcess(a, ManageProcess, p.ID, "") {
		return nil, forbidden()
	}
	id := env.NewID()
	sc := ProcessScope(p.ID)
	out := []Event{ev(sc, &PartyAdded{PartyID: id, ProcessID: p.ID, Kind: c.Kind, Names: trimNames(c.Names)})}
	if c.Kind == PartyNegotiating {
		// The caucus's opening is seen by its own party only: the other
		// side need not even learn its identifier.
		caucus := Space{ID: env.NewID(), ProcessID: p.ID, Kind: SpaceParty, PartyID: id}
		out = append(out, ev(SpaceScope(caucus), opened(caucus)))
	}
	return events(a, env, out...), nil
}

// DecideRenameParty renames party.
func DecideRenameParty(a Actor, party Party, c RenameParty, env Env) ([]Event, error) {
	if !AllowedProcess(a, ManageProcess, party.ProcessID, "") {
		return nil, forbidden()
	}
	return events(a, env, ev(ProcessScope(party.ProcessID), &PartyRenamed{PartyID: party.ID, Names: trimNames(c.Names)})), nil
}

// DecideAddMember adds an account to party. The role must fit the kind of
// party, a party has one head, and an account is a member of a process once.
func DecideAddMember(a Actor, party Party, existing []Member, c AddMember, env Env) ([]Event, error) {
	if !AllowedProcess(a, ManageProcess, party.ProcessID, "") {
		return nil, forbidden()
	}
	if party.ProcessID != c.ProcessID {
		return nil, Errorf(ENOTFOUND, "No such party in this process.")
	}
	if !roleFits(party.Kind, c.Role) {
		var v Invalid
		v.Add("role", "does not fit this kind of party")
		return nil, v.Err()
	}
	for _, m := range existing {
		if m.AccountID == c.AccountID {
			return nil, Errorf(ECONFLICT, "This account is already a member of the process.")
		}
		if c.Role == RoleHead && m.PartyID == party.ID && m.Role == RoleHead {
			return nil, Errorf(ECONFLICT, "This party already has a head of delegation.")
		}
	}
	return events(a, env, ev(ProcessScope(party.ProcessID), &MemberAdded{
		MemberID: env.NewID(), ProcessID: party.ProcessID, AccountID: c.AccountID, PartyID: party.ID, Role: c.Role,
	})), nil
}

// DecideChangeRole gives m another role. The role must fit the kind of
// party, and a party has one head: making a new head needs the old one to
// step down to delegate first.
func DecideChangeRole(a Actor, party Party, existing []Member, m Member, c ChangeRole, env Env) ([]Event, error) {
	if !AllowedProcess(a, ManageProcess, m.ProcessID, "") {
		return nil, forbidden()
	}
	if m.Role == c.Role {
		var v Invalid
		v.Add("role", "is unchanged")
		return nil, v.Err()
	}
	if !roleFits(party.Kind, c.Role) {
		var v Invalid
		v.Add("role", "does not fit this kind of party")
		return nil, v.Err()
	}
	for _, x := range existing {
		if c.Role == RoleHead && x.PartyID == party.ID && x.Role == RoleHead {
			return nil, Errorf(ECONFLICT, "This party already has a head of delegation.")
		}
	}
	return events(a, env, ev(ProcessScope(m.ProcessID), &MemberRoleChanged{MemberID: m.ID, Role: c.Role})), nil
}

// DecideScheduleRound adds a round to p.
func DecideScheduleRound(a Actor, p Process, c ScheduleRound, env Env) ([]Event, error) {
	if !AllowedProcess(a, ManageRounds, p.ID, "") {
		return nil, forbidden()
	}
	ends := c.EndsOn
	if ends == "" {
		ends = c.StartsOn
	}
	return events(a, env, ev(ProcessScope(p.ID), &RoundScheduled{
		RoundID: env.NewID(), ProcessID: p.ID, Title: strings.TrimSpace(c.Title),
		Location: strings.TrimSpace(c.Location), StartsOn: c.StartsOn, EndsOn: ends,
	})), nil
}

// DecideEditRound edits round r.
func DecideEditRound(a Actor, r Round, c EditRound, env Env) ([]Event, error) {
	if !AllowedProcess(a, ManageRounds, r.ProcessID, "") {
		return nil, forbidden()
	}
	ends := c.EndsOn
	if ends == "" {
		ends = c.StartsOn
	}
	return events(a, env, ev(ProcessScope(r.ProcessID), &RoundEdited{
		RoundID: r.ID, Title: strings.TrimSpace(c.Title), Location: strings.TrimSpace(c.Location),
		StartsOn: c.StartsOn, EndsOn: ends,
	})), nil
}

// DecideCreateGroup opens a working group of p with its shared space.
func DecideCreateGroup(a Actor, p Process, c CreateGroup, env Env) ([]Event, error) {
	if !AllowedProcess(a, ManageGroups, p.ID, "") {
		return nil, forbidden()
	}
	id := env.NewID()
	sc := ProcessScope(p.ID)
	return events(a, env,
		ev(sc, &GroupCreated{GroupID: id, ProcessID: p.ID, Kind: c.Kind, Names: trimNames(c.Names)}),
		ev(sc, opened(Space{ID: env.NewID(), ProcessID: p.ID, Kind: SpaceGroup, GroupID: id})),
	), nil
}

// DecideRenameGroup renames g.
func DecideRenameGroup(a Actor, g WorkingGroup, c RenameGroup, env Env) ([]Event, error) {
	if !AllowedProcess(a, ManageGroups, g.ProcessID, "") {
		return nil, forbidden()
	}
	return events(a, env, ev(ProcessScope(g.ProcessID), &GroupRenamed{GroupID: g.ID, Names: trimNames(c.Names)})), nil
}

// DecideJoinGroup puts m into g.
func DecideJoinGroup(a Actor, g WorkingGroup, m Member, env Env) ([]Event, error) {
	if g.ProcessID != m.ProcessID {
		return nil, Errorf(ENOTFOUND, "No such member in this process.")
	}
	if !AllowedProcess(a, AssignGroups, g.ProcessID, m.PartyID) {
		return nil, forbidden()
	}
	for _, x := range m.Groups {
		if x == g.ID {
			return nil, Errorf(ECONFLICT, "The member is already in this working group.")
		}
	}
	return events(a, env, ev(ProcessScope(g.ProcessID), &MemberJoinedGroup{GroupID: g.ID, MemberID: m.ID})), nil
}

// DecideLeaveGroup takes m out of g.
func DecideLeaveGroup(a Actor, g WorkingGroup, m Member, env Env) ([]Event, error) {
	if !AllowedProcess(a, AssignGroups, g.ProcessID, m.PartyID) {
		return nil, forbidden()
	}
	for _, x := range m.Groups {
		if x == g.ID {
			return events(a, env, ev(ProcessScope(g.ProcessID), &MemberLeftGroup{GroupID: g.ID, MemberID: m.ID})), nil
		}
	}
	return nil, Errorf(ECONFLICT, "The member is not in this working group.")
}

// roleFits reports whether a member of a party of kind k may have role r.
func roleFits(k PartyKind, r Role) bool {
	switch k {
	case PartyNegotiating:
		return r == RoleHead || r == RoleDelegate
	case PartyMediator:
		return r == RoleMediator
	case PartyObserver:
		return r == RoleObserver
	}
	return false
}

func opened(s Space) *SpaceOpened {
	return &SpaceOpened{SpaceID: s.ID, ProcessID: s.ProcessID, Kind: s.Kind, PartyID: s.PartyID, GroupID: s.GroupID, WithMediator: s.WithMediator}
}

func ev(sc Scope, d EventData) Event { return Event{Scope: sc, Data: d} }

// events stamps es with the actor and time of the decision.
func events(a Actor, env Env, es ...Event) []Event {
	for i := range es {
		es[i].At = env.Now.UTC()
		es[i].Actor = a.AccountID
	}
	return es
}

// InGroup reports whether m belongs to working group g.
func (m Member) InGroup(g string) bool {
	for _, x := range m.Groups {
		if x == g {
			return true
		}
	}
	return false
}
