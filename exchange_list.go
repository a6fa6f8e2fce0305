package parley

import (
	"fmt"
	"strings"
)

// Each side of an exchange keeps two lists: the people it asks back and
// the people it holds and offers. A side enters people by importing a file
// (internal/roster reads CSV and XLSX); nothing is imported until the user
// has seen the validation report and chosen to import the whole file, or
// only its valid rows. The other side, the mediator and the group's
// observer read both lists: that is what the lists are for. Every view,
// export and import of personal data is recorded in the access log, which
// the operator and the heads of delegation read.

// ListKind says which of a side's lists a person is in.
type ListKind string

// The lists of a side.
const (
	ListAsked ListKind = "asked" // the people the side asks back
	ListHeld  ListKind = "held"  // the people the side holds and offers
)

// ListKinds lists both.
var ListKinds = []ListKind{ListAsked, ListHeld}

// Valid reports whether k is one of ListKinds.
func (k ListKind) Valid() bool { return k == ListAsked || k == ListHeld }

// Limits of imports.
const (
	MaxImportPersons = 20000 // persons in one import
	MaxListPersons   = 50000 // persons in one side's list
)

// ListedPerson is a person entered in a side's list, with the identifier
// Parley gave the entry.
type ListedPerson struct {
	ID string `json:"id"`
	Person
}

// ImportMode says what to do with a file whose rows are not all valid.
type ImportMode string

// Import modes.
const (
	ImportAll   ImportMode = "all"   // import the file only if every row is valid
	ImportValid ImportMode = "valid" // import the valid rows and leave the others out
)

// Events of lists.
type (
	// PersonsImported adds the valid rows of an imported file to a side's
	// list. Left names the rows left out as invalid, when the user chose
	// to import only the valid ones.
	PersonsImported struct {
		ExchangeID string         `json:"exchange_id"`
		PartyID    string         `json:"party_id"`
		List       ListKind       `json:"list"`
		File       string         `json:"file"`   // the file's name, as uploaded
		Format     string         `json:"format"` // csv or xlsx
		SHA256     string         `json:"sha256"` // of the file, so each side can match it with what it sent
		Rows       int            `json:"rows"`   // rows the file held
		Left       []int          `json:"left,omitempty"`
		Persons    []ListedPerson `json:"persons"`
	}
	// PersonalDataAccessed is a line of the access log: someone viewed,
	// exported or imported personal data of an exchange's list. It holds
	// no personal data itself, and only the operator and the heads of
	// delegation read it.
	PersonalDataAccessed struct {
		ProcessID  string   `json:"process_id"`
		GroupID    string   `json:"group_id"`
		ExchangeID string   `json:"exchange_id"`
		PartyID    string   `json:"party_id"` // whose list
		List       ListKind `json:"list"`
		Access     Access   `json:"access"`
		Format     string   `json:"format,omitempty"` // of an export or import
		Count      int      `json:"count"`            // persons shown, exported or imported
	}
)

// Access is a kind of access to personal data.
type Access string

// Accesses the log records.
const (
	AccessView   Access = "view"
	AccessExport Access = "export"
	AccessImport Access = "import"
)

func (*PersonsImported) EventType() string      { return "exchange.persons_imported" }
func (*PersonalDataAccessed) EventType() string { return "exchange.personal_data_accessed" }

func (*PersonsImported) personalData() {}

func init() {
	register(
		func() EventData { return new(PersonsImported) },
		func() EventData { return new(PersonalDataAccessed) },
	)
}

// Commands of lists.
type (
	// ImportPersons adds people to the actor's side's list from a file the
	// user has seen the report of. Rows holds every row read, valid or
	// not; Errors the rows the reader found invalid.
	ImportPersons struct {
		ExchangeID string     `json:"exchange_id"`
		List       ListKind   `json:"list"`
		Mode       ImportMode `json:"mode"`
		File       string     `json:"file"`
		Format     string     `json:"format"`
		SHA256     string     `json:"sha256"`
		Rows       int        `json:"rows"`
		Persons    []Person   `json:"persons"` // the valid rows
		Invalid    []int      `json:"invalid"` // the rows found invalid
	}
	// LogAccess records a view or export of personal data.
	LogAccess struct {
		ExchangeID string   `json:"exchange_id"`
		PartyID    string   `json:"party_id"`
		List       ListKind `json:"list"`
		Access     Access   `json:"access"`
		Format     string   `json:"format,omitempty"`
		Count      int      `json:"count"`
	}
)

// Validate checks the import's own fields; DecideImportPersons checks it
// against the exchange and the list.
func (c ImportPersons) Validate() error {
	var v Invalid
	if !c.List.Valid() {
		v.Add("list", "must be asked or held")
	}
	switch c.Mode {
	case ImportAll:
		if len(c.Invalid) > 0 {
			v.Add("file", fmt.Sprintf("%d rows are not valid; correct them, or import only the valid rows", len(c.Invalid)))
		}
	case ImportValid:
	default:
		v.Add("mode", "must be all or valid")
	}
	if f := strings.ToLower(c.Format); f != "csv" && f != "xlsx" {
		v.Add("format", "must be csv or xlsx")
	}
	v.Require("file", c.File)
	if len([]rune(c.File)) > 200 || hasControl(c.File, false) {
		v.Add("file", "is not a usable file name")
	}
	if !isHexSHA256(c.SHA256) {
		v.Add("sha256", "must be the file's SHA-256 in hexadecimal")
	}
	switch {
	case len(c.Persons) == 0:
		v.Add("file", "holds no valid row")
	case len(c.Persons) > MaxImportPersons:
		v.Add("file", fmt.Sprintf("holds more than %d people; split it", MaxImportPersons))
	}
	if c.Rows < len(c.Persons)+len(c.Invalid) {
		v.Add("rows", "is less than the rows imported and left out")
	}
	return v.Err()
}

// Validate checks the access's own fields.
func (c LogAccess) Validate() error {
	var v Invalid
	v.Require("party_id", c.PartyID)
	if !c.List.Valid() {
		v.Add("list", "must be asked or held")
	}
	if c.Access != AccessView && c.Access != AccessExport {
		v.Add("access", "must be view or export")
	}
	if c.Count < 0 {
		v.Add("count", "must not be negative")
	}
	return v.Err()
}

// ListSetting is what deciding on a side's list needs: the exchange and
// its space, and the references already in the list.
type ListSetting struct {
	Exchange ExchangeSetting
	Refs     map[string]bool // the list's references so far
	Size     int             // persons in the list so far
}

// ListSide returns the side of the exchange a acts for in s, or "" when a
// is no member of either side's delegation with the right to prepare items
// in the group's space.
func ListSide(a Actor, x Exchange, s Space) string {
	m, ok := a.In(s.ProcessID)
	if !ok || !Allowed(a, ActDraft, s) || !contains(x.Parties, m.PartyID) {
		return ""
	}
	if m.Role != RoleHead && m.Role != RoleDelegate {
		return ""
	}
	return m.PartyID
}

// DecideImportPersons adds the valid rows of a file to the actor's side's
// list. With ImportAll a file with any invalid row imports nothing. The
// people are checked again here: their fields, their categories against
// the agreement, and their references, which must be new in the list.
func DecideImportPersons(a Actor, set ListSetting, c ImportPersons, env Env) ([]Event, error) {
	x, s := set.Exchange.Exchange, set.Exchange.Space
	if !Allowed(a, ActRead, s) {
		return nil, Errorf(ENOTFOUND, "No such exchange.")
	}
	party := ListSide(a, x, s)
	if party == "" {
		return nil, Errorf(EFORBIDDEN, "Only the delegations of the exchange's two sides enter people in their lists.")
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	c.Format = strings.ToLower(c.Format)
	var v Invalid
	if set.Size+len(c.Persons) > MaxListPersons {
		v.Add("file", fmt.Sprintf("would make the list longer than %d people", MaxListPersons))
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	cats := map[string]bool{}
	for _, k := range x.Terms.Categories {
		cats[k.Code] = true
	}
	seen := map[string]bool{}
	out := make([]ListedPerson, 0, len(c.Persons))
	// A whole list of bad rows would drown the form: the first few are
	// named, and the rest counted.
	const named = 20
	bad := 0
	for i, p := range c.Persons {
		field := fmt.Sprintf("persons.%d", i)
		var why map[string]string
		if err := p.Validate(); err != nil {
			if e, ok := err.(*Error); ok {
				why = e.Fields
			}
		}
		if why == nil {
			why = map[string]string{}
		}
		if p.Category != "" && !cats[p.Category] {
			why["category"] = fmt.Sprintf("%q is not a category of this exchange", p.Category)
		}
		if seen[p.Ref] || set.Refs[p.Ref] {
			why["ref"] = fmt.Sprintf("%q is already in the list", p.Ref)
		}
		seen[p.Ref] = true
		if len(why) > 0 {
			if bad < named {
				for f, w := range why {
					v.Add(field+"."+f, fmt.Sprintf("%s (%s)", w, p.Ref))
				}
			}
			bad++
			continue
		}
		if p.Script == "" {
			p.Script = DetectScript(p.FamilyName, p.GivenName, p.Patronymic)
		}
		out = append(out, ListedPerson{ID: env.NewID(), Person: p})
	}
	if bad > named {
		v.Add("persons", fmt.Sprintf("%d more people are not valid", bad-named))
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	left := append([]int(nil), c.Invalid...)
	imported := ev(SpaceScope(s), &PersonsImported{ExchangeID: x.ID, PartyID: party, List: c.List,
		File: strings.TrimSpace(c.File), Format: c.Format, SHA256: strings.ToLower(c.SHA256), Rows: c.Rows,
		Left: left, Persons: out})
	logged := ev(Scope{}, &PersonalDataAccessed{ProcessID: s.ProcessID, GroupID: s.GroupID, ExchangeID: x.ID,
		PartyID: party, List: c.List, Access: AccessImport, Format: c.Format, Count: len(out)})
	return events(a, env, imported, logged), nil
}

// DecideLogAccess records a view or export of a list's personal data. It
// is decided before the data is shown: if the access cannot be recorded,
// nothing is shown.
func DecideLogAccess(a Actor, set ExchangeSetting, c LogAccess, env Env) ([]Event, error) {
	if !Allowed(a, ActRead, set.Space) {
		return nil, Errorf(ENOTFOUND, "No such exchange.")
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if !contains(set.Exchange.Parties, c.PartyID) {
		var v Invalid
		v.Add("party_id", "must be a side of the exchange")
		return nil, v.Err()
	}
	s := set.Space
	return events(a, env, ev(Scope{}, &PersonalDataAccessed{ProcessID: s.ProcessID, GroupID: s.GroupID,
		ExchangeID: set.Exchange.ID, PartyID: c.PartyID, List: c.List, Access: c.Access, Format: c.Format, Count: c.Count})), nil
}

func isHexSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, r := range strings.ToLower(s) {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f') {
			return false
		}
	}
	return true
}
