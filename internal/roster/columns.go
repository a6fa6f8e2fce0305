package roster

import (
	"slices"
	"strings"
	"unicode"

	"github.com/parley-talks/parley"
)

// kind says how a column's text becomes a value.
type kind int

const (
	text kind = iota
	date
	script
)

// A field is one column of a list: the Person field it fills, the names a
// header may give it and the HXL hashtag it is written with.
type field struct {
	name  string   // the JSON name of the Person field, which is also the header written
	names []string // other header names it is known by
	hxl   string   // the hashtag and attributes written under the header
	kind  kind
	text  func(*parley.Person) *string
	date  func(*parley.Person) *parley.PartialDate
}

// fields lists the columns in the order they are written. The other names
// are Ukrainian, Russian, Turkish and English; fold makes them match in any
// case, with or without Turkish diacritics, ё for е, and any apostrophe.
var fields = []field{
	{name: "ref", names: []string{"id", "№", "№ п/п", "no", "sıra no"}, hxl: "#meta+id",
		text: func(p *parley.Person) *string { return &p.Ref }},
	{name: "family_name", names: []string{"surname", "last name", "прізвище", "фамилия", "soyadı", "soyad"},
		hxl: "#respondee+name+family", text: func(p *parley.Person) *string { return &p.FamilyName }},
	{name: "given_name", names: []string{"first name", "ім'я", "имя", "adı", "ad"},
		hxl: "#respondee+name+given", text: func(p *parley.Person) *string { return &p.GivenName }},
	{name: "patronymic", names: []string{"father's name", "по батькові", "отчество", "baba adı"},
		hxl: "#respondee+name+patronymic", text: func(p *parley.Person) *string { return &p.Patronymic }},
	{name: "birth_date", names: []string{"date of birth", "дата народження", "дата рождения", "doğum tarihi"},
		hxl: "#date+birth", kind: date, date: func(p *parley.Person) *parley.PartialDate { return &p.BirthDate }},
	{name: "rank", names: []string{"звання", "військове звання", "звание", "воинское звание", "rütbe"},
		hxl: "#respondee+rank", text: func(p *parley.Person) *string { return &p.Rank }},
	{name: "service_number", names: []string{"особистий номер", "личный номер", "sicil no", "sicil numarası"},
		hxl: "#respondee+code+service", text: func(p *parley.Person) *string { return &p.ServiceNumber }},
	{name: "unit", names: []string{"військова частина", "частина", "підрозділ", "воинская часть", "часть", "подразделение", "birlik"},
		hxl: "#group+name+unit", text: func(p *parley.Person) *string { return &p.Unit }},
	{name: "capture_place", names: []string{"place of capture", "місце полонення", "место пленения", "esir alındığı yer"},
		hxl: "#loc+name+capture", text: func(p *parley.Person) *string { return &p.CapturePlace }},
	{name: "capture_date", names: []string{"date of capture", "дата полонення", "дата пленения", "esir alındığı tarih"},
		hxl: "#date+occurred+capture", kind: date, date: func(p *parley.Person) *parley.PartialDate { return &p.CaptureDate }},
	{name: "mother_maiden_name", names: []string{"mother's maiden name", "дівоче прізвище матері", "девичья фамилия матери", "anne kızlık soyadı"},
		hxl: "#respondee+name+mother", text: func(p *parley.Person) *string { return &p.MotherMaidenName }},
	{name: "category", names: []string{"категорія", "категория", "kategori"},
		hxl: "#respondee+category+code", text: func(p *parley.Person) *string { return &p.Category }},
	{name: "medical_needs", names: []string{"медичні потреби", "медицинские потребности", "tıbbi ihtiyaçlar"},
		hxl: "#need+medical", text: func(p *parley.Person) *string { return &p.MedicalNeeds }},
	{name: "script", hxl: "#meta+script", kind: script},
	{name: "latin", names: []string{"латиницею", "латиницей", "транслітерація", "транслитерация", "transliteration"},
		hxl: "#respondee+name+latin", text: func(p *parley.Person) *string { return &p.Latin }},
}

// Indexes into fields of the columns the reader treats apart.
const (
	fRef = iota
	fFamily
	fGiven
	fPatronymic
)

// required lists the fields a list must have a column for.
var required = []int{fRef, fFamily, fGiven}

var (
	byName = map[string]int{} // folded header name → index in fields
	byTag  = map[string]int{} // normalised hashtag → index in fields
)

func init() {
	for i, f := range fields {
		for _, n := range append([]string{f.name}, f.names...) {
			n = fold(n)
			if j, dup := byName[n]; dup && j != i {
				panic("roster: header name " + n + " given to " + fields[j].name + " and " + f.name)
			}
			byName[n] = i
		}
		byTag[normTag(f.hxl)] = i
	}
}

// fold reduces a header name to the form the table of names uses: lower
// case, Turkish letters without their marks, ё as е, one kind of
// apostrophe, underscores, hyphens and dots as spaces, runs of spaces as
// one, and no marker of a required column ("*", ":") at the end.
func fold(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(s) {
		switch r {
		case 'ı':
			r = 'i'
		case 'ğ':
			r = 'g'
		case 'ş':
			r = 's'
		case 'ç':
			r = 'c'
		case 'ö':
			r = 'o'
		case 'ü':
			r = 'u'
		case 'ё':
			r = 'е'
		case '’', 'ʼ', '‘', '`', '´', 'ʹ':
			r = '\''
		case '\u0307': // the dot strings.ToLower leaves of a Turkish İ
			continue
		case '_', '-', '.':
			r = ' '
		}
		if unicode.IsSpace(r) {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return strings.TrimRight(b.String(), "*: ")
}

// isTag reports whether s is an HXL hashtag with its attributes, such as
// "#respondee +name +family".
func isTag(s string) bool {
	parts := strings.Split(strings.ReplaceAll(s, " ", ""), "+")
	if len(parts[0]) < 2 || parts[0][0] != '#' {
		return false
	}
	parts[0] = parts[0][1:]
	for _, p := range parts {
		if p == "" || !('a' <= p[0] && p[0] <= 'z' || 'A' <= p[0] && p[0] <= 'Z') {
			return false
		}
		for _, c := range []byte(p) {
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_') {
				return false
			}
		}
	}
	return true
}

// normTag writes a hashtag in one form: lower case, no spaces, attributes
// sorted, since HXL says their order does not matter.
func normTag(s string) string {
	parts := strings.Split(strings.ToLower(strings.ReplaceAll(s, " ", "")), "+")
	slices.Sort(parts[1:])
	parts = slices.Compact(parts)
	return strings.Join(parts, "+")
}

// isTagRow reports whether cells is a row of HXL hashtags: at least one,
// and nothing else but empty cells.
func isTagRow(cells []string) bool {
	n := 0
	for _, c := range cells {
		c = strings.TrimSpace(c)
		if c == "" {
			continue
		}
		if !isTag(c) {
			return false
		}
		n++
	}
	return n > 0
}
