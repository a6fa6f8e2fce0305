package parley

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// A Statement is what leaves the negotiating spaces for the public: a joint
// communiqué drafted in a working group or the heads' channel, which every
// party's head approves in its exact words (and the mediator, where the
// process wants it), or a unilateral statement of one party drafted in its
// caucus and published under its name only. Published at its embargo, never
// before, as a copy in the public space.
type Statement struct {
	ID        string        `json:"id"`
	ProcessID string        `json:"process_id"`
	SpaceID   string        `json:"space_id"`
	Kind      StatementKind `json:"kind"`
	PartyID   string        `json:"party_id,omitempty"` // a unilateral statement's party
	Title     Texts         `json:"title"`
	Texts     Texts         `json:"texts"`
	Figures   []Figure      `json:"figures,omitempty"`
	// Embargo is the earliest release; zero: as soon as approved.
	Embargo       time.Time           `json:"embargo,omitzero"`
	NeedsMediator bool                `json:"needs_mediator,omitempty"`
	Version       int                 `json:"version"`
	Hash          string              `json:"hash"` // what an approval binds: see StatementHash
	Approvals     []StatementApproval `json:"approvals"`
	Status        string              `json:"status"` // draft, approved, published
	PublishedAt   time.Time           `json:"published_at,omitzero"`
	PublishedSeq  int64               `json:"published_seq,omitempty"`
	CreatedAt     time.Time           `json:"created_at"`
}

// StatementKind tells a joint statement from a party's own.
type StatementKind string

// Kinds of statement.
const (
	JointStatement      StatementKind = "joint"
	UnilateralStatement StatementKind = "unilateral"
)

// Statuses of a statement.
const (
	StatementStatusDraft     = "draft"
	StatementStatusApproved  = "approved"
	StatementStatusPublished = "published"
)

// Figure is a number a working group makes public: people exchanged in a
// stage, remains transferred, truces held. Label is in each language.
type Figure struct {
	Label Texts   `json:"label"`
	Value float64 `json:"value"`
	AsOf  string  `json:"as_of"` // YYYY-MM-DD
}

// StatementApproval is a party's approval of the statement whose hash is
// Hash.
type StatementApproval struct {
	PartyID string    `json:"party_id"`
	Hash    string    `json:"hash"`
	Actor   string    `json:"actor"`
	At      time.Time `json:"at"`
	Seq     int64     `json:"seq"`
}

// StatementHash is what an approval binds: the title and text in every
// language, the figures and the embargo, each length-prefixed, languages in
// a fixed order, so that a change to any word of any language, any figure
// or the time of release gives another hash.
func StatementHash(title, texts Texts, figures []Figure, embargo time.Time) string {
	h := sha256.New()
	put := func(s string) {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	put("parley statement v1")
	for _, l := range Langs {
		put(string(l))
		put(title[l])
		put(texts[l])
	}
	for _, f := range figures {
		for _, l := range Langs {
			put(f.Label[l])
		}
		put(strconv.FormatFloat(f.Value, 'g', -1, 64))
		put(f.AsOf)
	}
	if !embargo.IsZero() {
		put(embargo.UTC().Format(time.RFC3339))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// ApprovedBy reports whether party approved the statement as it stands.
func (s Statement) ApprovedBy(party string) bool {
	for _, a := range s.Approvals {
		if a.PartyID == party && a.Hash == s.Hash {
			return true
		}
	}
	return false
}

// StatementSetting is what deciding about a statement needs: its space,
// the process's negotiating parties, its mediator party, if any, and
// whether the process wants the mediator's approval of joint statements.
type StatementSetting struct {
	Statement     Statement
	Space         Space
	Parties       []string // negotiating
	Mediator      string   // the mediator's party, or ""
	NeedsMediator bool     // the process's rule for joint statements
}

// Approvers lists the parties whose approval the statement needs: its own
// party for a unilateral statement; every negotiating party for a joint
// one, and the mediator where the process wants it (or the statement asks
// for it besides).
func (set StatementSetting) Approvers() []string {
	s := set.Statement
	if s.Kind == UnilateralStatement {
		return []string{s.PartyID}
	}
	out := slices.Clone(set.Parties)
	if (set.NeedsMediator || s.NeedsMediator) && set.Mediator != "" {
		out = append(out, set.Mediator)
	}
	return out
}

// StatementRulesSet records whether the process wants the mediator's
// approval of every joint statement.
type StatementRulesSet struct {
	ProcessID     string `json:"process_id"`
	NeedsMediator bool   `json:"needs_mediator"`
}

func (*StatementRulesSet) EventType() string { return "statement.rules_set" }

// SetStatementRules decides for a process whether joint statements need
// the mediator's approval: the operator's act, as hosting the process.
type SetStatementRules struct {
	ProcessID     string `json:"process_id"`
	NeedsMediator bool   `json:"needs_mediator"`
}

// Validate implements Command.
func (c SetStatementRules) Validate() error {
	var v Invalid
	v.requireID("process_id", c.ProcessID)
	return v.Err()
}

// DecideSetStatementRules sets the process's rule: the operator's or the
// mediator's act.
func DecideSetStatementRules(a Actor, c SetStatementRules, env Env) ([]Event, error) {
	if !AllowedProcess(a, ManageRounds, c.ProcessID, "") {
		return nil, Errorf(EFORBIDDEN, "The mediator or the operator sets the rules for statements.")
	}
	return events(a, env, ev(ProcessScope(c.ProcessID), &StatementRulesSet{ProcessID: c.ProcessID, NeedsMediator: c.NeedsMediator})), nil
}

// Events of statements.
type (
	// StatementDrafted opens a statement in a negotiating space.
	StatementDrafted struct {
		StatementID   string        `json:"statement_id"`
		SpaceID       string        `json:"space_id"`
		Kind          StatementKind `json:"kind"`
		PartyID       string        `json:"party_id,omitempty"`
		Title         Texts         `json:"title"`
		Texts         Texts         `json:"texts"`
		Figures       []Figure      `json:"figures,omitempty"`
		Embargo       time.Time     `json:"embargo,omitzero"`
		NeedsMediator bool          `json:"needs_mediator,omitempty"`
		Hash          string        `json:"hash"`
	}
	// StatementEdited changes a draft; every approval given is void.
	StatementEdited struct {
		StatementID   string    `json:"statement_id"`
		Title         Texts     `json:"title"`
		Texts         Texts     `json:"texts"`
		Figures       []Figure  `json:"figures,omitempty"`
		Embargo       time.Time `json:"embargo,omitzero"`
		NeedsMediator bool      `json:"needs_mediator,omitempty"`
		Version       int       `json:"version"`
		Hash          string    `json:"hash"`
		Reset         bool      `json:"reset,omitempty"`
	}
	// StatementApproved is a party's approval of the hash; Complete says
	// every approver has approved it now.
	StatementApproved struct {
		StatementID string `json:"statement_id"`
		PartyID     string `json:"party_id"`
		Hash        string `json:"hash"`
		Complete    bool   `json:"complete,omitempty"`
		ActSignature
	}
	// StatementPublished releases the approved statement: a copy of its
	// exact words, in the public space.
	StatementPublished struct {
		StatementID string        `json:"statement_id"`
		Kind        StatementKind `json:"kind"`
		PartyID     string        `json:"party_id,omitempty"`
		Title       Texts         `json:"title"`
		Texts       Texts         `json:"texts"`
		Figures     []Figure      `json:"figures,omitempty"`
		Hash        string        `json:"hash"`
	}
)

func (*StatementDrafted) EventType() string   { return "statement.drafted" }
func (*StatementEdited) EventType() string    { return "statement.edited" }
func (*StatementApproved) EventType() string  { return "statement.approved" }
func (*StatementPublished) EventType() string { return "statement.published" }

func init() {
	register(
		func() EventData { return new(StatementDrafted) },
		func() EventData { return new(StatementEdited) },
		func() EventData { return new(StatementApproved) },
		func() EventData { return new(StatementPublished) },
		func() EventData { return new(StatementRulesSet) },
	)
}

// StatementInput is what a person writes in a statement.
type StatementInput struct {
	Title         Texts     `json:"title"`
	Texts         Texts     `json:"texts"`
	Figures       []Figure  `json:"figures,omitempty"`
	Embargo       time.Time `json:"embargo,omitzero"`
	NeedsMediator bool      `json:"needs_mediator,omitempty"`
}

// Commands of statements.
type (
	// DraftStatement opens a statement: joint in a working group's space or
	// the heads' channel, unilateral in the author's party's caucus.
	DraftStatement struct {
		SpaceID string `json:"space_id"`
		StatementInput
	}
	// EditStatement changes a statement not yet published; Version is the
	// one the editor read.
	EditStatement struct {
		StatementID string `json:"statement_id"`
		Version     int    `json:"version"`
		StatementInput
	}
	// ApproveStatement is a head's approval, for their party, of the
	// statement whose hash they read.
	ApproveStatement struct {
		StatementID string `json:"statement_id"`
		Hash        string `json:"hash"`
	}
	// PublishStatement releases an approved statement at its embargo: the
	// server's own act.
	PublishStatement struct {
		StatementID string `json:"statement_id"`
	}
)

func (in StatementInput) validate(v *Invalid) {
	written := false
	for l, t := range in.Texts {
		if _, ok := ParseLang(string(l)); !ok {
			v.Add("texts", "names an unknown language")
		}
		v.MaxLen("texts."+string(l), t, maxText)
		if strings.TrimSpace(t) != "" {
			written = true
			if strings.TrimSpace(in.Title[l]) == "" {
				v.Add("title."+string(l), "give the title in every language the text is in")
			}
		}
	}
	if !written {
		v.Add("texts", "give the text in at least one language")
	}
	for l, t := range in.Title {
		v.MaxLen("title."+string(l), t, maxTitle)
		if strings.TrimSpace(t) != "" && strings.TrimSpace(in.Texts[l]) == "" {
			v.Add("texts."+string(l), "give the text in every language the title is in")
		}
	}
	if len(in.Figures) > 20 {
		v.Add("figures", "at most 20 figures")
	}
	for _, f := range in.Figures {
		named := false
		for _, t := range f.Label {
			named = named || strings.TrimSpace(t) != ""
		}
		if !named || math.IsNaN(f.Value) || math.IsInf(f.Value, 0) || !validDate(f.AsOf) {
			v.Add("figures", "each figure needs a label, a number and its date (YYYY-MM-DD)")
		}
	}
	if !in.Embargo.IsZero() && (in.Embargo.Year() < 2000 || in.Embargo.Year() > 2200) {
		v.Add("embargo", "is not a plausible date")
	}
}

func (in StatementInput) clean() StatementInput {
	out := StatementInput{Title: Texts{}, Texts: Texts{}, NeedsMediator: in.NeedsMediator}
	for l, t := range in.Texts {
		if t = normalizeBody(t); t != "" {
			out.Texts[l] = t
			out.Title[l] = strings.TrimSpace(in.Title[l])
		}
	}
	for _, f := range in.Figures {
		g := Figure{Label: Texts{}, Value: f.Value, AsOf: f.AsOf}
		for l, t := range f.Label {
			if t = strings.TrimSpace(t); t != "" {
				g.Label[l] = t
			}
		}
		out.Figures = append(out.Figures, g)
	}
	if !in.Embargo.IsZero() {
		out.Embargo = in.Embargo.UTC().Truncate(time.Minute)
	}
	return out
}

// Validate implements Command.
func (c DraftStatement) Validate() error {
	var v Invalid
	v.requireID("space_id", c.SpaceID)
	c.StatementInput.validate(&v)
	return v.Err()
}

// Validate implements Command.
func (c EditStatement) Validate() error {
	var v Invalid
	v.requireID("statement_id", c.StatementID)
	c.StatementInput.validate(&v)
	return v.Err()
}

// Validate implements Command.
func (c ApproveStatement) Validate() error {
	var v Invalid
	v.requireID("statement_id", c.StatementID)
	if len(c.Hash) != 64 {
		v.Add("hash", "must be the hash of the statement being approved")
	}
	return v.Err()
}

// Validate implements Command.
func (c PublishStatement) Validate() error {
	var v Invalid
	v.requireID("statement_id", c.StatementID)
	return v.Err()
}

// DecideDraftStatement opens a statement in s: a joint one in a working
// group's space or the heads' channel, by one who may prepare items there;
// a unilateral one in the author's own caucus.
func DecideDraftStatement(a Actor, s Space, c DraftStatement, env Env) ([]Event, error) {
	if !Allowed(a, ActRead, s) {
		return nil, Errorf(ENOTFOUND, "No such space.")
	}
	if !Allowed(a, ActDraft, s) {
		return nil, forbidden()
	}
	kind, party := JointStatement, ""
	switch s.Kind {
	case SpaceParty:
		kind, party = UnilateralStatement, s.PartyID
	case SpaceGroup, SpaceHeads:
	default:
		var v Invalid
		v.Add("space_id", "must be a working group, the heads' channel or your party's caucus")
		return nil, v.Err()
	}
	in := c.StatementInput.clean()
	if kind == UnilateralStatement {
		in.NeedsMediator = false
	}
	return events(a, env, ev(SpaceScope(s), &StatementDrafted{StatementID: env.NewID(), SpaceID: s.ID, Kind: kind, PartyID: party,
		Title: in.Title, Texts: in.Texts, Figures: in.Figures, Embargo: in.Embargo, NeedsMediator: in.NeedsMediator,
		Hash: StatementHash(in.Title, in.Texts, in.Figures, in.Embargo)})), nil
}

// DecideEditStatement changes a statement not yet published. Any approval
// given to the words before is void, and the event says so.
func DecideEditStatement(a Actor, set StatementSetting, c EditStatement, env Env) ([]Event, error) {
	if !Allowed(a, ActRead, set.Space) {
		return nil, Errorf(ENOTFOUND, "No such statement.")
	}
	if !Allowed(a, ActDraft, set.Space) {
		return nil, forbidden()
	}
	st := set.Statement
	if st.Status == StatementStatusPublished {
		return nil, Errorf(ECONFLICT, "The statement is published; it cannot be changed.")
	}
	if c.Version != st.Version {
		return nil, Errorf(ECONFLICT, "The statement was changed since you opened it; reload and merge your changes.")
	}
	in := c.StatementInput.clean()
	if st.Kind == UnilateralStatement {
		in.NeedsMediator = false
	}
	hash := StatementHash(in.Title, in.Texts, in.Figures, in.Embargo)
	if hash == st.Hash && in.NeedsMediator == st.NeedsMediator {
		var v Invalid
		v.Add("texts", "is unchanged")
		return nil, v.Err()
	}
	return events(a, env, ev(SpaceScope(set.Space), &StatementEdited{StatementID: st.ID, Title: in.Title, Texts: in.Texts, Figures: in.Figures,
		Embargo: in.Embargo, NeedsMediator: in.NeedsMediator, Version: st.Version + 1, Hash: hash, Reset: len(st.Approvals) > 0})), nil
}

// DecideApproveStatement records a head's approval of the exact words read
// (their hash), for their party; the mediator approves for the mediator
// where the statement needs it.
func DecideApproveStatement(a Actor, set StatementSetting, c ApproveStatement, env Env) ([]Event, error) {
	if !Allowed(a, ActRead, set.Space) {
		return nil, Errorf(ENOTFOUND, "No such statement.")
	}
	st := set.Statement
	m, _ := a.In(set.Space.ProcessID)
	approvers := set.Approvers()
	may := contains(approvers, m.PartyID) && (m.Role == RoleHead || m.Role == RoleMediator && m.PartyID == set.Mediator)
	if !may {
		return nil, Errorf(EFORBIDDEN, "A statement is approved by each party's head of delegation.")
	}
	if st.Status == StatementStatusPublished {
		return nil, Errorf(ECONFLICT, "The statement is published.")
	}
	if c.Hash != st.Hash {
		return nil, Errorf(ECONFLICT, "The statement was changed since you read it; read it again before approving.")
	}
	if st.ApprovedBy(m.PartyID) {
		return nil, Errorf(ECONFLICT, "Your party already approved this statement.")
	}
	complete := true
	for _, p := range approvers {
		if p != m.PartyID && !st.ApprovedBy(p) {
			complete = false
		}
	}
	return events(a, env, ev(SpaceScope(set.Space), &StatementApproved{StatementID: st.ID, PartyID: m.PartyID, Hash: st.Hash, Complete: complete})), nil
}

// DecidePublishStatement releases an approved statement once its embargo
// has passed: the server's own act, a copy of its words in the public
// space.
func DecidePublishStatement(a Actor, set StatementSetting, public Space, env Env) ([]Event, error) {
	if a.AccountID != SystemAccount {
		return nil, forbidden()
	}
	st := set.Statement
	if st.Status == StatementStatusPublished {
		return nil, Errorf(ECONFLICT, "The statement is published.")
	}
	for _, p := range set.Approvers() {
		if !st.ApprovedBy(p) {
			return nil, Errorf(ECONFLICT, "The statement lacks an approval of its present words.")
		}
	}
	if env.Now.Before(st.Embargo) {
		return nil, Errorf(ECONFLICT, "The statement is under embargo.")
	}
	if public.Kind != SpacePublic || public.ProcessID != st.ProcessID {
		return nil, Errorf(EINTERNAL, "The process has no public space.")
	}
	return events(a, env, ev(SpaceScope(public), &StatementPublished{StatementID: st.ID, Kind: st.Kind, PartyID: st.PartyID,
		Title: st.Title, Texts: st.Texts, Figures: st.Figures, Hash: st.Hash})), nil
}
