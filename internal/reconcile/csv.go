package reconcile

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// A Person is one entry of a list.
type Person struct {
	ID         string
	FamilyName string
	GivenName  string
	Patronymic string
	BirthDate  Date
	// Line is the line of the CSV file the entry was read from, or 0.
	Line int
}

// A Date is a birth date as lists give it: in full, as a year alone, or not
// at all. Zero fields are unknown.
type Date struct {
	Year, Month, Day int
}

// String formats d as YYYY-MM-DD, YYYY or the empty string.
func (d Date) String() string {
	switch {
	case d.Year == 0:
		return ""
	case d.Month == 0:
		return fmt.Sprintf("%04d", d.Year)
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
}

// ParseDate reads a birth date written YYYY-MM-DD, YYYY or empty.
func ParseDate(s string) (Date, error) {
	s = strings.TrimSpace(s)
	switch len(s) {
	case 0:
		return Date{}, nil
	case 4:
		y, err := strconv.Atoi(s)
		if err != nil || y < 1 || !allDigits(s) {
			return Date{}, fmt.Errorf("invalid year %q: want YYYY-MM-DD, YYYY or empty", s)
		}
		return Date{Year: y}, nil
	case 10:
		t, err := time.Parse(time.DateOnly, s)
		if err != nil || t.Year() < 1 { // year 0 would read back as no date
			return Date{}, fmt.Errorf("invalid date %q: want YYYY-MM-DD, YYYY or empty", s)
		}
		return Date{Year: t.Year(), Month: int(t.Month()), Day: t.Day()}, nil
	}
	return Date{}, fmt.Errorf("invalid date %q: want YYYY-MM-DD, YYYY or empty", s)
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// A ParseError reports malformed input: where it is, so that whoever keeps
// the list can fix it.
type ParseError struct {
	File   string
	Line   int    // 1-based
	Column int    // 1-based; the field's number when Field is set, else the byte in the line
	Field  string // the header name of the column, if known
	Err    error
}

func (e *ParseError) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: line %d, column %d (%s): %v", e.File, e.Line, e.Column, e.Field, e.Err)
	}
	return fmt.Sprintf("%s: line %d, column %d: %v", e.File, e.Line, e.Column, e.Err)
}

func (e *ParseError) Unwrap() error { return e.Err }

// Columns lists the header names a list must have, in any order.
var Columns = []string{"id", "family_name", "given_name", "patronymic", "birth_date"}

// ReadCSV reads a list: UTF-8 CSV with a header row naming at least
// [Columns], in any order; other columns are ignored. name is the file name
// used in errors. Ids must be unique and non-empty, since the result pairs
// people by id. Every error is a *[ParseError].
func ReadCSV(r io.Reader, name string) ([]Person, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, &ParseError{File: name, Line: 1, Column: 1, Err: errors.New("empty file: want a header row with " + strings.Join(Columns, ","))}
	}
	if err != nil {
		return nil, csvError(name, err)
	}
	col := make(map[string]int, len(Columns))
	for i, h := range header {
		h = strings.TrimSpace(h)
		if i == 0 {
			h = strings.TrimPrefix(h, "\uFEFF")
		}
		if !utf8.ValidString(h) {
			return nil, &ParseError{File: name, Line: 1, Column: i + 1, Err: errors.New("invalid UTF-8")}
		}
		h = strings.ToLower(h)
		if _, dup := col[h]; dup {
			return nil, &ParseError{File: name, Line: 1, Column: i + 1, Field: h, Err: errors.New("duplicate column")}
		}
		col[h] = i
	}
	idx := make([]int, len(Columns))
	for i, c := range Columns {
		j, ok := col[c]
		if !ok {
			return nil, &ParseError{File: name, Line: 1, Column: len(header) + 1, Err: fmt.Errorf("header has no %q column: want at least %s", c, strings.Join(Columns, ","))}
		}
		idx[i] = j
	}
	var people []Person
	seen := make(map[string]int)
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return people, nil
		}
		if err != nil {
			return nil, csvError(name, err)
		}
		line, _ := cr.FieldPos(0)
		var f [5]string
		for i, j := range idx {
			if !utf8.ValidString(rec[j]) {
				return nil, &ParseError{File: name, Line: line, Column: j + 1, Field: Columns[i], Err: errors.New("invalid UTF-8")}
			}
			f[i] = strings.TrimSpace(rec[j])
		}
		if f[0] == "" {
			return nil, &ParseError{File: name, Line: line, Column: idx[0] + 1, Field: "id", Err: errors.New("empty id")}
		}
		if prev, dup := seen[f[0]]; dup {
			return nil, &ParseError{File: name, Line: line, Column: idx[0] + 1, Field: "id", Err: fmt.Errorf("id %q already used on line %d", f[0], prev)}
		}
		seen[f[0]] = line
		d, err := ParseDate(f[4])
		if err != nil {
			return nil, &ParseError{File: name, Line: line, Column: idx[4] + 1, Field: "birth_date", Err: err}
		}
		people = append(people, Person{ID: f[0], FamilyName: f[1], GivenName: f[2], Patronymic: f[3], BirthDate: d, Line: line})
	}
}

func csvError(name string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &ParseError{File: name, Line: pe.Line, Column: pe.Column, Err: pe.Err}
	}
	return &ParseError{File: name, Line: 1, Column: 1, Err: err}
}

// WriteMatches writes pairs as CSV with the header left_id,right_id,score.
func WriteMatches(w io.Writer, left, right []Person, pairs []Pair) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"left_id", "right_id", "score"})
	for _, p := range pairs {
		cw.Write([]string{left[p.Left].ID, right[p.Right].ID, strconv.FormatFloat(p.Score, 'f', 1, 64)})
	}
	cw.Flush()
	return cw.Error()
}

// WritePossible writes pairs for human review as CSV with the header
// left_id,right_id,score,reasons, followed by both entries as read, so that a
// reviewer sees the two people side by side.
func WritePossible(w io.Writer, left, right []Person, pairs []Pair) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"left_id", "right_id", "score", "reasons", "left", "right"})
	for _, p := range pairs {
		cw.Write([]string{
			left[p.Left].ID, right[p.Right].ID,
			strconv.FormatFloat(p.Score, 'f', 1, 64),
			FormatReasons(p.Reasons),
			describe(left[p.Left]), describe(right[p.Right]),
		})
	}
	cw.Flush()
	return cw.Error()
}

func describe(p Person) string {
	var b bytes.Buffer
	for i, s := range []string{p.FamilyName, p.GivenName, p.Patronymic, p.BirthDate.String()} {
		if i > 0 {
			b.WriteByte(' ')
		}
		if s == "" {
			s = "—"
		}
		b.WriteString(s)
	}
	return b.String()
}
