package parley

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// A Person is one entry of an exchange list: someone a side asks back or
// holds and offers. The fields are those Article 122 of the Third Geneva
// Convention asks a party to record of a prisoner of war (names, date of
// birth, rank, service number, unit, place and date of capture, the
// mother's maiden name if given), with what an exchange adds: the
// agreement's category, medical needs, the script the names were written
// in and a Latin transcription, so each side can read the other's list.
//
// Every field but the list's own reference is personal data: it is kept
// encrypted at rest and shown only to the group's members and its
// observer.
type Person struct {
	Ref              string      `json:"ref"` // the list's own identifier of the entry, unique in the list
	FamilyName       string      `json:"family_name"`
	GivenName        string      `json:"given_name"`
	Patronymic       string      `json:"patronymic,omitempty"` // or the father's first name
	BirthDate        PartialDate `json:"birth_date,omitzero"`
	Rank             string      `json:"rank,omitempty"`
	ServiceNumber    string      `json:"service_number,omitempty"`
	Unit             string      `json:"unit,omitempty"`
	CapturePlace     string      `json:"capture_place,omitempty"`
	CaptureDate      PartialDate `json:"capture_date,omitzero"`
	MotherMaidenName string      `json:"mother_maiden_name,omitempty"`
	Category         string      `json:"category,omitempty"` // a category code of the exchange agreement
	MedicalNeeds     string      `json:"medical_needs,omitempty"`
	Script           Script      `json:"script,omitempty"` // the script the names were written in
	Latin            string      `json:"latin,omitempty"`  // the names in Latin letters, as the list gives them
}

// Limits on a person's fields, in characters.
const (
	MaxPersonName  = 100
	MaxPersonField = 200
	MaxPersonNote  = 2000 // medical needs
)

// Script is the writing system of a person's names.
type Script string

// Scripts a list writes names in.
const (
	ScriptCyrillic Script = "cyrillic"
	ScriptLatin    Script = "latin"
	ScriptMixed    Script = "mixed"
)

// DetectScript says which script the letters of s are in: Cyrillic, Latin,
// mixed, or "" when s has no letters.
func DetectScript(s ...string) Script {
	var cyr, lat bool
	for _, x := range s {
		for _, r := range x {
			switch {
			case unicode.Is(unicode.Cyrillic, r):
				cyr = true
			case unicode.Is(unicode.Latin, r):
				lat = true
			}
		}
	}
	switch {
	case cyr && lat:
		return ScriptMixed
	case cyr:
		return ScriptCyrillic
	case lat:
		return ScriptLatin
	}
	return ""
}

// Validate checks p's fields and returns an EINVALID *Error naming each
// bad field, or nil. Family and given name are required; categories are
// checked against the agreement elsewhere.
func (p Person) Validate() error {
	bad := map[string]string{}
	need := func(field, v string) {
		if strings.TrimSpace(v) == "" {
			bad[field] = "is required"
		}
	}
	limit := func(field, v string, n int) {
		if _, ok := bad[field]; !ok && len([]rune(v)) > n {
			bad[field] = fmt.Sprintf("is longer than %d characters", n)
		}
	}
	need("ref", p.Ref)
	need("family_name", p.FamilyName)
	need("given_name", p.GivenName)
	for f, v := range map[string]string{"ref": p.Ref, "family_name": p.FamilyName, "given_name": p.GivenName,
		"patronymic": p.Patronymic, "mother_maiden_name": p.MotherMaidenName} {
		limit(f, v, MaxPersonName)
	}
	for f, v := range map[string]string{"rank": p.Rank, "service_number": p.ServiceNumber, "unit": p.Unit,
		"capture_place": p.CapturePlace, "category": p.Category, "latin": p.Latin} {
		limit(f, v, MaxPersonField)
	}
	limit("medical_needs", p.MedicalNeeds, MaxPersonNote)
	for f, v := range map[string]string{"ref": p.Ref, "family_name": p.FamilyName, "given_name": p.GivenName,
		"patronymic": p.Patronymic, "rank": p.Rank, "service_number": p.ServiceNumber, "unit": p.Unit,
		"capture_place": p.CapturePlace, "mother_maiden_name": p.MotherMaidenName, "category": p.Category,
		"medical_needs": p.MedicalNeeds, "latin": p.Latin} {
		if _, ok := bad[f]; !ok && hasControl(v, f == "medical_needs") {
			bad[f] = "contains control characters"
		}
	}
	if len(bad) > 0 {
		return &Error{Code: EINVALID, Message: "The person's entry is not valid.", Fields: bad}
	}
	return nil
}

// hasControl reports whether s holds a control character; newlines and
// tabs pass where multiline is true.
func hasControl(s string, multiline bool) bool {
	for _, r := range s {
		if unicode.IsControl(r) && !(multiline && (r == '\n' || r == '\t' || r == '\r')) {
			return true
		}
	}
	return false
}

// A PartialDate is a date as lists give it: in full, a year and month, a
// year alone, or not at all. Zero fields are unknown.
type PartialDate struct {
	Year  int `json:"year,omitempty"`
	Month int `json:"month,omitempty"`
	Day   int `json:"day,omitempty"`
}

// IsZero reports whether the date is unknown.
func (d PartialDate) IsZero() bool { return d.Year == 0 }

// String writes d as YYYY-MM-DD, YYYY-MM, YYYY or "".
func (d PartialDate) String() string {
	switch {
	case d.Year == 0:
		return ""
	case d.Month == 0:
		return fmt.Sprintf("%04d", d.Year)
	case d.Day == 0:
		return fmt.Sprintf("%04d-%02d", d.Year, d.Month)
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
}

// ParsePartialDate reads YYYY-MM-DD, YYYY-MM, YYYY or the empty string.
// Years before 1900 are refused: no one in a list was born then.
func ParsePartialDate(s string) (PartialDate, error) {
	s = strings.TrimSpace(s)
	bad := fmt.Errorf("%q is not a date: write YYYY-MM-DD, YYYY-MM or YYYY", s)
	var d PartialDate
	switch len(s) {
	case 0:
		return d, nil
	case 4:
		y, err := strconv.Atoi(s)
		if err != nil || !digits(s) {
			return d, bad
		}
		d.Year = y
	case 7:
		t, err := time.Parse("2006-01", s)
		if err != nil {
			return d, bad
		}
		d.Year, d.Month = t.Year(), int(t.Month())
	case 10:
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			return d, bad
		}
		d.Year, d.Month, d.Day = t.Year(), int(t.Month()), t.Day()
	default:
		return d, bad
	}
	if d.Year < 1900 || d.Year > 2999 {
		return PartialDate{}, fmt.Errorf("%q: the year must be between 1900 and 2999", s)
	}
	return d, nil
}

// MarshalText writes the date as String does.
func (d PartialDate) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads what MarshalText writes.
func (d *PartialDate) UnmarshalText(b []byte) error {
	v, err := ParsePartialDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// PersonalEvent is implemented by the events that carry personal data. The
// store keeps their record entries sealed at rest (see internal/store's
// Sealer): a copy of the database without the data key reveals none of it,
// while the record's hashes, which cover the entry's plain bytes, stay
// what they are and anyone may still check the tree.
type PersonalEvent interface {
	EventData
	personalData()
}

// IsPersonal reports whether d carries personal data.
func IsPersonal(d EventData) bool {
	_, ok := d.(PersonalEvent)
	return ok
}
