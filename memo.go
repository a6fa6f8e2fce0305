package parley

import (
	"sort"
	"strconv"
	"strings"
)

// A memorandum is a negotiated text: an ordered tree of sections and
// clauses. What is agreed stands as clear text; what is not stands in
// brackets, as alternatives tabled by the parties or the mediator, each with
// every party's stance. Each clause has its text in every working language,
// and a change in one language marks the others out of date until someone
// updates or confirms them. A clause is agreed ad referendum when every
// party agrees to it, initialled when every head has initialled it; the
// memorandum can be initialled only when nothing is left in brackets:
// nothing is agreed until everything is agreed.

// MemoMode is how a memorandum is drafted.
type MemoMode string

// The two ways of working on a text.
const (
	JointDrafting MemoMode = "joint"       // any party tables text and alternatives
	SingleText    MemoMode = "single_text" // the mediator issues numbered drafts; parties suggest changes
)

// ClauseStatus is how far a clause has come, following the Vienna
// Convention's steps.
type ClauseStatus string

// The statuses of a clause.
const (
	ClauseStatusBracketed  ClauseStatus = "bracketed"  // not agreed: in brackets, with or without alternatives
	ClauseStatusAgreed     ClauseStatus = "agreed"     // agreed ad referendum by every party
	ClauseStatusInitialled ClauseStatus = "initialled" // initialled by every head of delegation
)

// BracketKind says why an alternative stands in brackets.
type BracketKind string

// Kinds of brackets.
const (
	BracketWording      BracketKind = "wording"      // alternative wording of the same idea
	BracketContentious  BracketKind = "contentious"  // the substance is disputed
	BracketInstructions BracketKind = "instructions" // a delegation awaits instructions
	BracketTradeOff     BracketKind = "trade_off"    // held for a trade-off elsewhere
)

// Stance is a party's position on an alternative.
type Stance string

// Stances on an alternative.
const (
	StanceAccepts  Stance = "accepts"
	StanceReserves Stance = "reserves"
	StanceRejects  Stance = "rejects"
	StanceAwaiting Stance = "awaiting" // awaiting instructions
)

// ClauseKind tells a section heading from a clause.
type ClauseKind string

// Kinds of items of a memorandum.
const (
	KindSection ClauseKind = "section"
	KindClause  ClauseKind = "clause"
)

// Memorandum is a negotiated text.
type Memorandum struct {
	ID         string   `json:"id"`
	ProcessID  string   `json:"process_id"`
	SpaceID    string   `json:"space_id"` // a working group's space, or a party's caucus for its own draft
	Title      string   `json:"title"`
	Mode       MemoMode `json:"mode"`
	Languages  []Lang   `json:"languages"`
	Prevailing Lang     `json:"prevailing,omitempty"` // the language that prevails, if any
	Draft      int      `json:"draft"`                // the mediator's draft number (single negotiating text)
	Initialled []string `json:"initialled"`           // parties whose heads initialled the whole text
	Version    int      `json:"version"`
}

// Clause is a section heading or a clause of a memorandum.
type Clause struct {
	ID           string            `json:"id"`
	MemoID       string            `json:"memo_id"`
	ParentID     string            `json:"parent_id,omitempty"` // a section, or "" at the top
	Kind         ClauseKind        `json:"kind"`
	Position     int               `json:"position"` // order among its siblings
	Number       string            `json:"number"`   // computed: "2", "2.3"
	Texts        Texts             `json:"texts"`
	Stale        []Lang            `json:"stale,omitempty"`      // languages out of date with the last change
	SignedOff    map[Lang][]string `json:"signed_off,omitempty"` // parties that signed off each language version
	Status       ClauseStatus      `json:"status"`
	Agreed       []string          `json:"agreed,omitempty"`     // parties that agreed ad referendum
	Initialled   []string          `json:"initialled,omitempty"` // parties whose heads initialled it
	Alternatives []Alternative     `json:"alternatives,omitempty"`
	Links        []ClauseLink      `json:"links,omitempty"` // the proposals and discussions that shaped it
	Version      int               `json:"version"`
}

// Alternative is a bracketed option for a clause.
type Alternative struct {
	ID       string            `json:"id"`
	ClauseID string            `json:"clause_id"`
	TabledBy string            `json:"tabled_by"` // party, or the mediator's party
	Kind     BracketKind       `json:"kind"`
	Texts    Texts             `json:"texts"`
	Stances  map[string]Stance `json:"stances"` // by party
}

// MemoSetting is what deciding about a memorandum needs besides it: the
// space it lives in and the negotiating parties of its process, whose
// agreement makes a clause agreed.
type MemoSetting struct {
	Memo    Memorandum
	Space   Space
	Parties []string // the negotiating parties
}

// Numbers returns the automatic numbering of the items of a memorandum:
// sections 1, 2, …; the clauses of section 2 are 2.1, 2.2, …; clauses at the
// top level are numbered with the sections.
func Numbers(items []Clause) map[string]string {
	children := map[string][]Clause{}
	for _, c := range items {
		children[c.ParentID] = append(children[c.ParentID], c)
	}
	out := map[string]string{}
	var walk func(parent, prefix string)
	walk = func(parent, prefix string) {
		kids := children[parent]
		sort.SliceStable(kids, func(i, j int) bool { return kids[i].Position < kids[j].Position })
		for i, c := range kids {
			n := strconv.Itoa(i + 1)
			if prefix != "" {
				n = prefix + "." + n
			}
			out[c.ID] = n
			walk(c.ID, n)
		}
	}
	walk("", "")
	return out
}

// Bracketed reports whether c still stands in brackets.
func (c Clause) Bracketed() bool { return c.Status == ClauseStatusBracketed }

// ReadyToInitial reports whether nothing is left in brackets and no language
// version is out of date: the memorandum may be initialled.
func ReadyToInitial(items []Clause) bool {
	for _, c := range items {
		if c.Kind == KindSection {
			continue
		}
		if c.Status == ClauseStatusBracketed || len(c.Alternatives) > 0 || len(c.Stale) > 0 {
			return false
		}
	}
	return true
}

// Events of memoranda.
type (
	// MemoCreated opens a memorandum in a space.
	MemoCreated struct {
		MemoID    string   `json:"memo_id"`
		ProcessID string   `json:"process_id"`
		SpaceID   string   `json:"space_id"`
		Title     string   `json:"title"`
		Mode      MemoMode `json:"mode"`
		Languages []Lang   `json:"languages"`
	}
	// ClauseAdded tables a new section or clause, not yet agreed.
	ClauseAdded struct {
		ClauseID string     `json:"clause_id"`
		MemoID   string     `json:"memo_id"`
		ParentID string     `json:"parent_id,omitempty"`
		Kind     ClauseKind `json:"kind"`
		Position int        `json:"position"`
		Texts    Texts      `json:"texts"`
		TabledBy string     `json:"tabled_by"`
	}
	// ClauseTextChanged changes one language version of a clause. The
	// other versions are marked out of date; an agreed clause re-opens.
	ClauseTextChanged struct {
		ClauseID string `json:"clause_id"`
		Lang     Lang   `json:"lang"`
		Text     string `json:"text"`
		Stale    []Lang `json:"stale,omitempty"` // versions now out of date
		Reopened bool   `json:"reopened"`        // the clause was agreed or initialled
		Version  int    `json:"version"`
	}
	// TranslationConfirmed says a language version still says what the
	// changed one says.
	TranslationConfirmed struct {
		ClauseID string `json:"clause_id"`
		Lang     Lang   `json:"lang"`
	}
	// LanguageSignedOff is a party's sign-off of one language version.
	LanguageSignedOff struct {
		ClauseID string `json:"clause_id"`
		Lang     Lang   `json:"lang"`
		Party    string `json:"party"`
	}
	// AlternativeTabled puts an alternative in brackets.
	AlternativeTabled struct {
		AlternativeID string      `json:"alternative_id"`
		ClauseID      string      `json:"clause_id"`
		TabledBy      string      `json:"tabled_by"`
		Kind          BracketKind `json:"kind"`
		Texts         Texts       `json:"texts"`
		Reopened      bool        `json:"reopened"`
	}
	// StanceTaken records a party's stance on an alternative.
	StanceTaken struct {
		AlternativeID string `json:"alternative_id"`
		ClauseID      string `json:"clause_id"`
		Party         string `json:"party"`
		Stance        Stance `json:"stance"`
	}
	// AlternativeWithdrawn takes an alternative out of the brackets.
	AlternativeWithdrawn struct {
		AlternativeID string `json:"alternative_id"`
		ClauseID      string `json:"clause_id"`
	}
	// AlternativeAdopted makes an alternative every party accepts the
	// clause's text; its brackets are gone and the clause is agreed.
	AlternativeAdopted struct {
		AlternativeID string   `json:"alternative_id"`
		ClauseID      string   `json:"clause_id"`
		Texts         Texts    `json:"texts"`
		Parties       []string `json:"parties"`
	}
	// ClauseAgreed records a party's agreement ad referendum to a clause;
	// Complete is true when it was the last party's.
	ClauseAgreed struct {
		ClauseID string `json:"clause_id"`
		Party    string `json:"party"`
		Complete bool   `json:"complete"`
	}
	// ClauseInitialled records a head's initials on an agreed clause.
	ClauseInitialled struct {
		ClauseID string `json:"clause_id"`
		Party    string `json:"party"`
		Complete bool   `json:"complete"`
		ActSignature
	}
	// MemoInitialled records a head's initials on the whole memorandum.
	MemoInitialled struct {
		MemoID   string `json:"memo_id"`
		Party    string `json:"party"`
		Complete bool   `json:"complete"`
		ActSignature
	}
)

func (*MemoCreated) EventType() string          { return "memo.created" }
func (*ClauseAdded) EventType() string          { return "memo.clause_added" }
func (*ClauseTextChanged) EventType() string    { return "memo.text_changed" }
func (*TranslationConfirmed) EventType() string { return "memo.translation_confirmed" }
func (*LanguageSignedOff) EventType() string    { return "memo.language_signed_off" }
func (*AlternativeTabled) EventType() string    { return "memo.alternative_tabled" }
func (*StanceTaken) EventType() string          { return "memo.stance_taken" }
func (*AlternativeWithdrawn) EventType() string { return "memo.alternative_withdrawn" }
func (*AlternativeAdopted) EventType() string   { return "memo.alternative_adopted" }
func (*ClauseAgreed) EventType() string         { return "memo.clause_agreed" }
func (*ClauseInitialled) EventType() string     { return "memo.clause_initialled" }
func (*MemoInitialled) EventType() string       { return "memo.initialled" }

func init() {
	register(
		func() EventData { return new(MemoCreated) },
		func() EventData { return new(ClauseAdded) },
		func() EventData { return new(ClauseTextChanged) },
		func() EventData { return new(TranslationConfirmed) },
		func() EventData { return new(LanguageSignedOff) },
		func() EventData { return new(AlternativeTabled) },
		func() EventData { return new(StanceTaken) },
		func() EventData { return new(AlternativeWithdrawn) },
		func() EventData { return new(AlternativeAdopted) },
		func() EventData { return new(ClauseAgreed) },
		func() EventData { return new(ClauseInitialled) },
		func() EventData { return new(MemoInitialled) },
	)
}

// Commands on memoranda.
type (
	// CreateMemo opens a memorandum in a space.
	CreateMemo struct {
		SpaceID   string   `json:"space_id"`
		Title     string   `json:"title"`
		Mode      MemoMode `json:"mode"`
		Languages []Lang   `json:"languages"`
	}
	// AddClause tables a section or a clause after the sibling After ("" for
	// first), under Parent ("" at the top).
	AddClause struct {
		MemoID   string     `json:"memo_id"`
		ParentID string     `json:"parent_id,omitempty"`
		Kind     ClauseKind `json:"kind"`
		Position int        `json:"position"`
		Texts    Texts      `json:"texts"`
	}
	// ChangeClauseText changes one language version; Version is the
	// clause's version the editor started from.
	ChangeClauseText struct {
		ClauseID string `json:"clause_id"`
		Lang     Lang   `json:"lang"`
		Text     string `json:"text"`
		Version  int    `json:"version"`
	}
	// ConfirmTranslation says a version still matches after a change.
	ConfirmTranslation struct {
		ClauseID string `json:"clause_id"`
		Lang     Lang   `json:"lang"`
	}
	// SignOffLanguage is a party's sign-off of a language version.
	SignOffLanguage struct {
		ClauseID string `json:"clause_id"`
		Lang     Lang   `json:"lang"`
	}
	// TableAlternative brackets a clause with an alternative.
	TableAlternative struct {
		ClauseID string      `json:"clause_id"`
		Kind     BracketKind `json:"kind"`
		Texts    Texts       `json:"texts"`
	}
	// TakeStance records the actor's party's stance on an alternative.
	TakeStance struct {
		AlternativeID string `json:"alternative_id"`
		Stance        Stance `json:"stance"`
	}
	// WithdrawAlternative takes one's own alternative back.
	WithdrawAlternative struct {
		AlternativeID string `json:"alternative_id"`
	}
	// AdoptAlternative resolves a bracket with an alternative every party
	// accepts.
	AdoptAlternative struct {
		AlternativeID string `json:"alternative_id"`
	}
	// AgreeClause is the actor's party's agreement ad referendum.
	AgreeClause struct {
		ClauseID string `json:"clause_id"`
	}
	// InitialClause is a head's initials on an agreed clause.
	InitialClause struct {
		ClauseID string `json:"clause_id"`
	}
	// InitialMemo is a head's initials on the whole memorandum.
	InitialMemo struct {
		MemoID string `json:"memo_id"`
	}
)

func validateTexts(v *Invalid, field string, texts Texts, required bool) {
	written := false
	for l, t := range texts {
		if _, ok := ParseLang(string(l)); !ok {
			v.Add(field, "names an unknown language")
		}
		v.MaxLen(field+"."+string(l), t, maxText)
		written = written || strings.TrimSpace(t) != ""
	}
	if required && !written {
		v.Add(field, "give the text in at least one language")
	}
}

// Validate implements Command.
func (c CreateMemo) Validate() error {
	var v Invalid
	v.requireID("space_id", c.SpaceID)
	v.Require("title", c.Title)
	v.MaxLen("title", c.Title, maxTitle)
	if c.Mode != JointDrafting && c.Mode != SingleText {
		v.Add("mode", "must be joint or single_text")
	}
	validateLangs(&v, c.Languages)
	return v.Err()
}

// Validate implements Command.
func (c AddClause) Validate() error {
	var v Invalid
	v.requireID("memo_id", c.MemoID)
	if c.ParentID != "" {
		v.requireID("parent_id", c.ParentID)
	}
	if c.Kind != KindSection && c.Kind != KindClause {
		v.Add("kind", "must be section or clause")
	}
	if c.Position < 0 {
		v.Add("position", "must not be negative")
	}
	validateTexts(&v, "texts", c.Texts, true)
	return v.Err()
}

// Validate implements Command.
func (c ChangeClauseText) Validate() error {
	var v Invalid
	v.requireID("clause_id", c.ClauseID)
	if _, ok := ParseLang(string(c.Lang)); !ok {
		v.Add("lang", "names an unknown language")
	}
	v.MaxLen("text", c.Text, maxText)
	if c.Version < 1 {
		v.Add("version", "must name the version being edited")
	}
	return v.Err()
}

func validateClauseLang(id string, l Lang) error {
	var v Invalid
	v.requireID("clause_id", id)
	if _, ok := ParseLang(string(l)); !ok {
		v.Add("lang", "names an unknown language")
	}
	return v.Err()
}

// Validate implements Command.
func (c ConfirmTranslation) Validate() error { return validateClauseLang(c.ClauseID, c.Lang) }

// Validate implements Command.
func (c SignOffLanguage) Validate() error { return validateClauseLang(c.ClauseID, c.Lang) }

// Validate implements Command.
func (c TableAlternative) Validate() error {
	var v Invalid
	v.requireID("clause_id", c.ClauseID)
	switch c.Kind {
	case BracketWording, BracketContentious, BracketInstructions, BracketTradeOff:
	default:
		v.Add("kind", "must be wording, contentious, instructions or trade_off")
	}
	validateTexts(&v, "texts", c.Texts, true)
	return v.Err()
}

// Validate implements Command.
func (c TakeStance) Validate() error {
	var v Invalid
	v.requireID("alternative_id", c.AlternativeID)
	switch c.Stance {
	case StanceAccepts, StanceReserves, StanceRejects, StanceAwaiting:
	default:
		v.Add("stance", "must be accepts, reserves, rejects or awaiting")
	}
	return v.Err()
}

func validateOneID(field, id string) error {
	var v Invalid
	v.requireID(field, id)
	return v.Err()
}

// Validate implements Command.
func (c WithdrawAlternative) Validate() error {
	return validateOneID("alternative_id", c.AlternativeID)
}

// Validate implements Command.
func (c AdoptAlternative) Validate() error { return validateOneID("alternative_id", c.AlternativeID) }

// Validate implements Command.
func (c AgreeClause) Validate() error { return validateOneID("clause_id", c.ClauseID) }

// Validate implements Command.
func (c InitialClause) Validate() error { return validateOneID("clause_id", c.ClauseID) }

// Validate implements Command.
func (c InitialMemo) Validate() error { return validateOneID("memo_id", c.MemoID) }

// memoVoice returns the party a writes for in set's memorandum: a member who
// may draft in its space, and, in a single negotiating text, the mediator
// alone for the text itself (text = true).
func memoVoice(a Actor, set MemoSetting, text bool) (string, error) {
	if !Allowed(a, ActRead, set.Space) {
		return "", Errorf(ENOTFOUND, "No such memorandum.")
	}
	m, _ := a.In(set.Space.ProcessID)
	if !Allowed(a, ActDraft, set.Space) {
		return "", forbidden()
	}
	if text && set.Memo.Mode == SingleText && m.Role != RoleMediator {
		return "", Errorf(EFORBIDDEN, "In a single negotiating text, only the mediator writes the text; parties comment and propose changes.")
	}
	return m.PartyID, nil
}

// negotiator returns the negotiating party a answers for in set's
// memorandum, for stances and agreement.
func negotiator(a Actor, set MemoSetting) (string, error) {
	if !Allowed(a, ActRead, set.Space) {
		return "", Errorf(ENOTFOUND, "No such memorandum.")
	}
	m, _ := a.In(set.Space.ProcessID)
	if !contains(set.Parties, m.PartyID) || !Allowed(a, ActDraft, set.Space) {
		return "", Errorf(EFORBIDDEN, "Only the negotiating parties take positions on the text.")
	}
	return m.PartyID, nil
}

func memoConflict(msg string) error { return Errorf(ECONFLICT, "%s", msg) }

// DecideCreateMemo opens a memorandum in space s.
func DecideCreateMemo(a Actor, s Space, c CreateMemo, env Env) ([]Event, error) {
	if !Allowed(a, ActRead, s) {
		return nil, Errorf(ENOTFOUND, "No such space.")
	}
	if s.Kind == SpacePublic || !Allowed(a, ActDraft, s) {
		return nil, forbidden()
	}
	return events(a, env, ev(SpaceScope(s), &MemoCreated{MemoID: env.NewID(), ProcessID: s.ProcessID, SpaceID: s.ID,
		Title: strings.TrimSpace(c.Title), Mode: c.Mode, Languages: c.Languages})), nil
}

func memoTexts(set MemoSetting, texts Texts) (Texts, error) {
	out := Texts{}
	for l, t := range texts {
		if !containsLang(set.Memo.Languages, l) {
			var v Invalid
			v.Add("texts", "names a language the memorandum is not written in")
			return nil, v.Err()
		}
		if t = normalizeBody(t); t != "" {
			out[l] = t
		}
	}
	return out, nil
}

func containsLang(ls []Lang, l Lang) bool {
	for _, x := range ls {
		if x == l {
			return true
		}
	}
	return false
}

// DecideAddClause tables a section or a clause. A section sits at the top
// level; a clause under a section or at the top.
func DecideAddClause(a Actor, set MemoSetting, parent *Clause, c AddClause, env Env) ([]Event, error) {
	party, err := memoVoice(a, set, true)
	if err != nil {
		return nil, err
	}
	if parent != nil && (parent.Kind != KindSection || parent.MemoID != set.Memo.ID || c.Kind == KindSection) {
		var v Invalid
		v.Add("parent_id", "must be a section of this memorandum, and sections do not nest")
		return nil, v.Err()
	}
	texts, err := memoTexts(set, c.Texts)
	if err != nil {
		return nil, err
	}
	return events(a, env, ev(SpaceScope(set.Space), &ClauseAdded{ClauseID: env.NewID(), MemoID: set.Memo.ID, ParentID: c.ParentID,
		Kind: c.Kind, Position: c.Position, Texts: texts, TabledBy: party})), nil
}

// DecideChangeClauseText changes one language version of cl. An edit that
// started from an older version is refused (409), so nothing is silently
// overwritten; the other language versions are marked out of date; an
// agreed or initialled clause re-opens, and the event says so.
func DecideChangeClauseText(a Actor, set MemoSetting, cl Clause, c ChangeClauseText, env Env) ([]Event, error) {
	if _, err := memoVoice(a, set, true); err != nil {
		return nil, err
	}
	if c.Version != cl.Version {
		return nil, memoConflict("The clause was changed since you started editing it; compare both texts and try again.")
	}
	if !containsLang(set.Memo.Languages, c.Lang) {
		var v Invalid
		v.Add("lang", "names a language the memorandum is not written in")
		return nil, v.Err()
	}
	text := normalizeBody(c.Text)
	if text == cl.Texts[c.Lang] {
		var v Invalid
		v.Add("text", "is unchanged")
		return nil, v.Err()
	}
	var stale []Lang
	for _, l := range set.Memo.Languages {
		if l != c.Lang && cl.Texts[l] != "" {
			stale = append(stale, l)
		}
	}
	return events(a, env, ev(SpaceScope(set.Space), &ClauseTextChanged{ClauseID: cl.ID, Lang: c.Lang, Text: text, Stale: stale,
		Reopened: cl.Status != ClauseStatusBracketed, Version: cl.Version + 1})), nil
}

// DecideConfirmTranslation clears the out-of-date mark of one version.
func DecideConfirmTranslation(a Actor, set MemoSetting, cl Clause, c ConfirmTranslation, env Env) ([]Event, error) {
	if _, err := memoVoice(a, set, false); err != nil {
		return nil, err
	}
	if !containsLang(cl.Stale, c.Lang) {
		return nil, memoConflict("This language version is not out of date.")
	}
	return events(a, env, ev(SpaceScope(set.Space), &TranslationConfirmed{ClauseID: cl.ID, Lang: c.Lang})), nil
}

// DecideSignOffLanguage records the actor's party's sign-off of one
// language version, which must be written and up to date.
func DecideSignOffLanguage(a Actor, set MemoSetting, cl Clause, c SignOffLanguage, env Env) ([]Event, error) {
	party, err := negotiator(a, set)
	if err != nil {
		return nil, err
	}
	if cl.Texts[c.Lang] == "" || containsLang(cl.Stale, c.Lang) {
		return nil, memoConflict("Only a written, up-to-date language version can be signed off.")
	}
	if contains(cl.SignedOff[c.Lang], party) {
		return nil, memoConflict("Your party already signed off this language version.")
	}
	return events(a, env, ev(SpaceScope(set.Space), &LanguageSignedOff{ClauseID: cl.ID, Lang: c.Lang, Party: party})), nil
}

// DecideTableAlternative brackets cl with an alternative; the tabling party
// accepts its own alternative.
func DecideTableAlternative(a Actor, set MemoSetting, cl Clause, c TableAlternative, env Env) ([]Event, error) {
	party, err := memoVoice(a, set, true)
	if err != nil {
		return nil, err
	}
	if cl.Kind == KindSection {
		return nil, memoConflict("A section heading takes no alternatives.")
	}
	texts, err := memoTexts(set, c.Texts)
	if err != nil {
		return nil, err
	}
	id := env.NewID()
	out := []Event{ev(SpaceScope(set.Space), &AlternativeTabled{AlternativeID: id, ClauseID: cl.ID, TabledBy: party, Kind: c.Kind,
		Texts: texts, Reopened: cl.Status != ClauseStatusBracketed})}
	if contains(set.Parties, party) {
		out = append(out, ev(SpaceScope(set.Space), &StanceTaken{AlternativeID: id, ClauseID: cl.ID, Party: party, Stance: StanceAccepts}))
	}
	return events(a, env, out...), nil
}

func findAlternative(cl Clause, id string) (Alternative, bool) {
	for _, x := range cl.Alternatives {
		if x.ID == id {
			return x, true
		}
	}
	return Alternative{}, false
}

// DecideTakeStance records the actor's party's stance on an alternative of cl.
func DecideTakeStance(a Actor, set MemoSetting, cl Clause, c TakeStance, env Env) ([]Event, error) {
	party, err := negotiator(a, set)
	if err != nil {
		return nil, err
	}
	alt, ok := findAlternative(cl, c.AlternativeID)
	if !ok {
		return nil, Errorf(ENOTFOUND, "No such alternative.")
	}
	if alt.Stances[party] == c.Stance {
		return nil, memoConflict("Your party already holds this stance.")
	}
	return events(a, env, ev(SpaceScope(set.Space), &StanceTaken{AlternativeID: alt.ID, ClauseID: cl.ID, Party: party, Stance: c.Stance})), nil
}

// DecideWithdrawAlternative takes back an alternative the actor's party
// tabled.
func DecideWithdrawAlternative(a Actor, set MemoSetting, cl Clause, c WithdrawAlternative, env Env) ([]Event, error) {
	party, err := memoVoice(a, set, false)
	if err != nil {
		return nil, err
	}
	alt, ok := findAlternative(cl, c.AlternativeID)
	if !ok {
		return nil, Errorf(ENOTFOUND, "No such alternative.")
	}
	if alt.TabledBy != party {
		return nil, Errorf(EFORBIDDEN, "Only the party that tabled an alternative withdraws it.")
	}
	return events(a, env, ev(SpaceScope(set.Space), &AlternativeWithdrawn{AlternativeID: alt.ID, ClauseID: cl.ID})), nil
}

// DecideAdoptAlternative resolves cl's brackets with an alternative that
// every negotiating party accepts: a formal act of the head (or an
// authorised delegate) of one of them.
func DecideAdoptAlternative(a Actor, set MemoSetting, cl Clause, c AdoptAlternative, env Env) ([]Event, error) {
	party, err := negotiator(a, set)
	if err != nil {
		return nil, err
	}
	if !canActOnMemo(a, set, party) {
		return nil, Errorf(EFORBIDDEN, "Resolving a bracket is a formal act: only the head of delegation, or a delegate the head authorised, may do it.")
	}
	alt, ok := findAlternative(cl, c.AlternativeID)
	if !ok {
		return nil, Errorf(ENOTFOUND, "No such alternative.")
	}
	for _, p := range set.Parties {
		if alt.Stances[p] != StanceAccepts {
			return nil, memoConflict("Every party must accept an alternative before it replaces the bracket.")
		}
	}
	return events(a, env, ev(SpaceScope(set.Space), &AlternativeAdopted{AlternativeID: alt.ID, ClauseID: cl.ID, Texts: alt.Texts,
		Parties: append([]string(nil), set.Parties...)})), nil
}

// canActOnMemo reports whether a performs formal acts for party on the
// memorandum: its head, or a delegate the head authorised in the working
// group whose space holds it.
func canActOnMemo(a Actor, set MemoSetting, party string) bool {
	return CanActFor(a, set.Space.ProcessID, set.Space.GroupID, party)
}

// DecideAgreeClause records the actor's party's agreement ad referendum to
// cl, which must have no alternative and no out-of-date language.
func DecideAgreeClause(a Actor, set MemoSetting, cl Clause, env Env) ([]Event, error) {
	party, err := negotiator(a, set)
	if err != nil {
		return nil, err
	}
	if !canActOnMemo(a, set, party) {
		return nil, Errorf(EFORBIDDEN, "Agreeing ad referendum is a formal act: only the head of delegation, or a delegate the head authorised, may do it.")
	}
	if cl.Kind == KindSection {
		return nil, memoConflict("A section heading is agreed with its clauses.")
	}
	if len(cl.Alternatives) > 0 {
		return nil, memoConflict("The clause still has alternatives in brackets; resolve them first.")
	}
	if len(cl.Stale) > 0 {
		return nil, memoConflict("A language version of the clause is out of date; update or confirm it first.")
	}
	if cl.Status != ClauseStatusBracketed || contains(cl.Agreed, party) {
		return nil, memoConflict("Your party already agreed to this clause.")
	}
	complete := true
	for _, p := range set.Parties {
		if p != party && !contains(cl.Agreed, p) {
			complete = false
		}
	}
	return events(a, env, ev(SpaceScope(set.Space), &ClauseAgreed{ClauseID: cl.ID, Party: party, Complete: complete})), nil
}

// DecideInitialClause records a head's initials on an agreed clause.
func DecideInitialClause(a Actor, set MemoSetting, cl Clause, env Env) ([]Event, error) {
	party, err := headFor(a, set)
	if err != nil {
		return nil, err
	}
	if cl.Status == ClauseStatusBracketed {
		return nil, memoConflict("Only an agreed clause can be initialled.")
	}
	if contains(cl.Initialled, party) {
		return nil, memoConflict("Your head of delegation already initialled this clause.")
	}
	complete := true
	for _, p := range set.Parties {
		if p != party && !contains(cl.Initialled, p) {
			complete = false
		}
	}
	return events(a, env, ev(SpaceScope(set.Space), &ClauseInitialled{ClauseID: cl.ID, Party: party, Complete: complete})), nil
}

// DecideInitialMemo records a head's initials on the whole memorandum,
// which must have nothing left in brackets.
func DecideInitialMemo(a Actor, set MemoSetting, items []Clause, env Env) ([]Event, error) {
	party, err := headFor(a, set)
	if err != nil {
		return nil, err
	}
	if !ReadyToInitial(items) {
		return nil, memoConflict("Nothing is agreed until everything is agreed: clauses are still in brackets or out of date.")
	}
	if contains(set.Memo.Initialled, party) {
		return nil, memoConflict("Your head of delegation already initialled this memorandum.")
	}
	complete := true
	for _, p := range set.Parties {
		if p != party && !contains(set.Memo.Initialled, p) {
			complete = false
		}
	}
	return events(a, env, ev(SpaceScope(set.Space), &MemoInitialled{MemoID: set.Memo.ID, Party: party, Complete: complete})), nil
}

// headFor returns the party whose head of delegation a is, in set's space.
func headFor(a Actor, set MemoSetting) (string, error) {
	if !Allowed(a, ActRead, set.Space) {
		return "", Errorf(ENOTFOUND, "No such memorandum.")
	}
	m, _ := a.In(set.Space.ProcessID)
	if m.Role != RoleHead || !contains(set.Parties, m.PartyID) {
		return "", Errorf(EFORBIDDEN, "Initialling is a formal act of the head of delegation.")
	}
	return m.PartyID, nil
}

// PrevailingSet records which language version prevails in case of
// divergence, or none ("").
type PrevailingSet struct {
	MemoID string `json:"memo_id"`
	Lang   Lang   `json:"lang,omitempty"`
}

func (*PrevailingSet) EventType() string { return "memo.prevailing_set" }

func init() { register(func() EventData { return new(PrevailingSet) }) }

// SetPrevailing records which language of the memorandum prevails, or that
// none does (Lang "").
type SetPrevailing struct {
	MemoID string `json:"memo_id"`
	Lang   Lang   `json:"lang,omitempty"`
}

// Validate implements Command.
func (c SetPrevailing) Validate() error {
	var v Invalid
	v.requireID("memo_id", c.MemoID)
	if c.Lang != "" {
		if _, ok := ParseLang(string(c.Lang)); !ok {
			v.Add("lang", "names an unknown language")
		}
	}
	return v.Err()
}

// DecideSetPrevailing records the prevailing language: a term the parties
// settle between them, so the mediator records it, and only while the
// memorandum is not initialled by anyone.
func DecideSetPrevailing(a Actor, set MemoSetting, c SetPrevailing, env Env) ([]Event, error) {
	if !Allowed(a, ActRead, set.Space) {
		return nil, Errorf(ENOTFOUND, "No such memorandum.")
	}
	if m, _ := a.In(set.Space.ProcessID); m.Role != RoleMediator || !Allowed(a, ActDraft, set.Space) {
		return nil, Errorf(EFORBIDDEN, "The mediator records which language prevails.")
	}
	if c.Lang != "" && !containsLang(set.Memo.Languages, c.Lang) {
		var v Invalid
		v.Add("lang", "names a language the memorandum is not written in")
		return nil, v.Err()
	}
	if len(set.Memo.Initialled) > 0 {
		return nil, memoConflict("The memorandum is initialled; its terms no longer change.")
	}
	if c.Lang == set.Memo.Prevailing {
		return nil, memoConflict("This is already the prevailing language.")
	}
	return events(a, env, ev(SpaceScope(set.Space), &PrevailingSet{MemoID: set.Memo.ID, Lang: c.Lang})), nil
}

// ClauseLink points from a clause to a proposal or a discussion that shaped
// it.
type ClauseLink struct {
	ProposalID string `json:"proposal_id,omitempty"`
	ThreadID   string `json:"thread_id,omitempty"`
	Title      string `json:"title"` // joined for reading
}

// ClauseLinked records that a proposal or a thread shaped a clause.
type ClauseLinked struct {
	ClauseID   string `json:"clause_id"`
	ProposalID string `json:"proposal_id,omitempty"`
	ThreadID   string `json:"thread_id,omitempty"`
}

func (*ClauseLinked) EventType() string { return "memo.clause_linked" }

func init() { register(func() EventData { return new(ClauseLinked) }) }

// LinkClause links a clause to the proposal or the thread (one of them)
// that shaped it.
type LinkClause struct {
	ClauseID   string `json:"clause_id"`
	ProposalID string `json:"proposal_id,omitempty"`
	ThreadID   string `json:"thread_id,omitempty"`
}

// Validate implements Command.
func (c LinkClause) Validate() error {
	var v Invalid
	v.requireID("clause_id", c.ClauseID)
	switch {
	case (c.ProposalID == "") == (c.ThreadID == ""):
		v.Add("proposal_id", "name either a proposal or a thread")
	case c.ProposalID != "":
		v.requireID("proposal_id", c.ProposalID)
	default:
		v.requireID("thread_id", c.ThreadID)
	}
	return v.Err()
}

// DecideLinkClause links cl to what shaped it, which must live in the
// memorandum's own space: a link must not show the memorandum's readers
// anything they may not read.
func DecideLinkClause(a Actor, set MemoSetting, cl Clause, targetSpace string, c LinkClause, env Env) ([]Event, error) {
	if _, err := memoVoice(a, set, false); err != nil {
		return nil, err
	}
	if targetSpace != set.Space.ID {
		var v Invalid
		v.Add("proposal_id", "must live in the memorandum's space")
		return nil, v.Err()
	}
	for _, l := range cl.Links {
		if l.ProposalID == c.ProposalID && l.ThreadID == c.ThreadID {
			return nil, memoConflict("The clause is already linked to it.")
		}
	}
	return events(a, env, ev(SpaceScope(set.Space), &ClauseLinked{ClauseID: cl.ID, ProposalID: c.ProposalID, ThreadID: c.ThreadID})), nil
}

// MemoShared records that a party put a copy of its own draft, FromMemo, in
// a wider space as ToMemo: the explicit act by which a text leaves a
// caucus. The copy's clauses follow as ClauseAdded events.
type MemoShared struct {
	FromMemo string `json:"from_memo"`
	ToMemo   string `json:"to_memo"`
	Party    string `json:"party"`
}

func (*MemoShared) EventType() string { return "memo.shared" }

func init() { register(func() EventData { return new(MemoShared) }) }

// ShareMemo puts a copy of a party's draft (a memorandum in its caucus) in
// a working group's space, where the other side can read it and set it
// beside its own.
type ShareMemo struct {
	MemoID  string `json:"memo_id"`
	SpaceID string `json:"space_id"`
}

// Validate implements Command.
func (c ShareMemo) Validate() error {
	var v Invalid
	v.requireID("memo_id", c.MemoID)
	v.requireID("space_id", c.SpaceID)
	return v.Err()
}

// DecideShareMemo copies set's memorandum, a draft in the actor's caucus,
// into the working group space to: a formal act of the party (its head or
// an authorised delegate of that group), since its text then leaves the
// caucus. The copy keeps the numbering and every language version; the
// alternatives stay behind.
func DecideShareMemo(a Actor, set MemoSetting, items []Clause, to Space, env Env) ([]Event, error) {
	if !Allowed(a, ActRead, set.Space) {
		return nil, Errorf(ENOTFOUND, "No such memorandum.")
	}
	if set.Space.Kind != SpaceParty {
		return nil, memoConflict("Only a party's own draft is shared; this memorandum is already in a shared space.")
	}
	if !Allowed(a, ActRead, to) || to.ProcessID != set.Space.ProcessID {
		return nil, Errorf(ENOTFOUND, "No such space.")
	}
	if to.Kind != SpaceGroup {
		var v Invalid
		v.Add("space_id", "must be a working group's space")
		return nil, v.Err()
	}
	if !CanActFor(a, to.ProcessID, to.GroupID, set.Space.PartyID) {
		return nil, Errorf(EFORBIDDEN, "Sharing a draft is a formal act: only the head of delegation, or a delegate the head authorised for that working group, may do it.")
	}
	id := env.NewID()
	sc := SpaceScope(to)
	out := []Event{
		ev(sc, &MemoCreated{MemoID: id, ProcessID: to.ProcessID, SpaceID: to.ID, Title: set.Memo.Title, Mode: JointDrafting, Languages: set.Memo.Languages}),
		ev(sc, &MemoShared{FromMemo: set.Memo.ID, ToMemo: id, Party: set.Space.PartyID}),
	}
	// Items come in document order, so a section is copied before its
	// clauses; positions follow the order among siblings.
	ids := map[string]string{}
	pos := map[string]int{}
	for _, c := range items {
		nid := env.NewID()
		ids[c.ID] = nid
		parent := ids[c.ParentID]
		out = append(out, ev(sc, &ClauseAdded{ClauseID: nid, MemoID: id, ParentID: parent, Kind: c.Kind, Position: pos[parent],
			Texts: c.Texts, TabledBy: set.Space.PartyID}))
		pos[parent]++
	}
	return events(a, env, out...), nil
}
