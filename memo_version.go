package parley

import (
	"strconv"
	"strings"
	"time"
)

// A named version is a snapshot of a memorandum's text taken when someone
// names it ("draft of 2 June"): every clause with its number and its texts,
// and the alternatives then in brackets. Every change is an event anyway;
// naming a version marks a state worth coming back to and comparing with.
// In a single negotiating text only the mediator names versions, and naming
// one is issuing the next numbered draft.

// VersionClause is a clause as a named version keeps it.
type VersionClause struct {
	ClauseID     string               `json:"clause_id"`
	Number       string               `json:"number"`
	Kind         ClauseKind           `json:"kind"`
	Texts        Texts                `json:"texts"`
	Alternatives []VersionAlternative `json:"alternatives,omitempty"`
}

// VersionAlternative is a bracketed alternative as a named version keeps it.
type VersionAlternative struct {
	TabledBy string      `json:"tabled_by"`
	Kind     BracketKind `json:"kind"`
	Texts    Texts       `json:"texts"`
}

// MemoVersion is a named version of a memorandum, as read.
type MemoVersion struct {
	ID      string          `json:"id"`
	MemoID  string          `json:"memo_id"`
	Name    string          `json:"name"`
	Draft   int             `json:"draft,omitempty"` // the draft it issued, in a single negotiating text
	Seq     int64           `json:"seq"`
	At      time.Time       `json:"at"`
	Clauses []VersionClause `json:"clauses,omitempty"`
}

// MemoVersionNamed names the memorandum's text as it stands: a snapshot of
// its clauses. In a single negotiating text it issues draft Draft.
type MemoVersionNamed struct {
	MemoID    string          `json:"memo_id"`
	VersionID string          `json:"version_id"`
	Name      string          `json:"name"`
	Draft     int             `json:"draft"` // 0 outside a single negotiating text
	Clauses   []VersionClause `json:"clauses"`
}

func (*MemoVersionNamed) EventType() string { return "memo.version_named" }

func init() {
	register(func() EventData { return new(MemoVersionNamed) })
}

// NameVersion names the memorandum's current text. In a single negotiating
// text it is the mediator's issuing of the next draft, and the name may be
// left empty ("Draft 3").
type NameVersion struct {
	MemoID string `json:"memo_id"`
	Name   string `json:"name"`
}

// Validate implements Command.
func (c NameVersion) Validate() error {
	var v Invalid
	v.requireID("memo_id", c.MemoID)
	v.MaxLen("name", c.Name, maxTitle)
	return v.Err()
}

// Snapshot returns the items of a memorandum (in document order) as a
// named version keeps them.
func Snapshot(items []Clause) []VersionClause {
	out := make([]VersionClause, 0, len(items))
	for _, c := range items {
		vc := VersionClause{ClauseID: c.ID, Number: c.Number, Kind: c.Kind, Texts: copyTexts(c.Texts)}
		for _, a := range c.Alternatives {
			vc.Alternatives = append(vc.Alternatives, VersionAlternative{TabledBy: a.TabledBy, Kind: a.Kind, Texts: copyTexts(a.Texts)})
		}
		out = append(out, vc)
	}
	return out
}

func copyTexts(t Texts) Texts {
	out := make(Texts, len(t))
	for l, s := range t {
		out[l] = s
	}
	return out
}

// DraftName is the name of draft n when the mediator gave it none.
func DraftName(n int) string { return "Draft " + strconv.Itoa(n) }

// DecideNameVersion names the current text of set's memorandum, whose
// items (in document order) are items. Anyone who may draft in its space
// names versions; in a single negotiating text only the mediator does, and
// each one issues the next draft.
func DecideNameVersion(a Actor, set MemoSetting, items []Clause, c NameVersion, env Env) ([]Event, error) {
	if _, err := memoVoice(a, set, true); err != nil {
		return nil, err
	}
	name := strings.TrimSpace(c.Name)
	draft := 0
	if set.Memo.Mode == SingleText {
		draft = set.Memo.Draft + 1
		if name == "" {
			name = DraftName(draft)
		}
	}
	if name == "" {
		var v Invalid
		v.Add("name", "is required")
		return nil, v.Err()
	}
	if len(items) == 0 {
		return nil, memoConflict("The memorandum has no text yet to name a version of.")
	}
	return events(a, env, ev(SpaceScope(set.Space), &MemoVersionNamed{MemoID: set.Memo.ID, VersionID: env.NewID(), Name: name,
		Draft: draft, Clauses: Snapshot(items)})), nil
}
