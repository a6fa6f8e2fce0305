package roster

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/parley-talks/parley"
)

// Format is the format of a list file.
type Format string

// The formats Read reads. An HXL file is a CSV file.
const (
	CSV  Format = "csv"
	XLSX Format = "xlsx"
)

// FormatOf returns the format a file name's extension names: CSV for .csv
// and .hxl, XLSX for .xlsx, in any case.
func FormatOf(name string) (Format, bool) {
	i := strings.LastIndexByte(name, '.')
	if i < 0 {
		return "", false
	}
	switch strings.ToLower(name[i+1:]) {
	case "csv", "hxl":
		return CSV, true
	case "xlsx":
		return XLSX, true
	}
	return "", false
}

// Limits on what Read accepts. A larger file is refused as a whole before
// its rows are read, or as soon as a row past the limit is met.
const (
	// MaxSize is the most bytes of a file, CSV or XLSX.
	MaxSize = 64 << 20
	// MaxUnzipped is the most bytes the parts of an XLSX file may come
	// to once unzipped. A list of MaxRows persons with every field filled
	// comes to about 105 MiB as WriteXLSX writes it; the parts are held in
	// memory while the list is read, never written to disk.
	MaxUnzipped = 160 << 20
	// MaxRows is the most rows a list may span below its header, the
	// HXL hashtag row and empty rows included.
	MaxRows = 100_000
)

// Options tune Read. The zero value reads without reporting progress.
type Options struct {
	// Progress, if not nil, is called with the number of rows read so
	// far: every 1,000 rows, and once at the end with the total.
	Progress func(rows int)
}

// An Import is a list as Read found it: every row with its person and its
// errors. Nothing in it is stored anywhere; the caller shows the report
// and decides.
type Import struct {
	Name    string   // the file name given to Read
	Format  Format   // the format given to Read
	HXL     bool     // whether the file has an HXL hashtag row below its header
	Columns []Column // the columns read, in the file's order
	Ignored []Column // columns with a header Read does not know, in the file's order
	Rows    []Row    // the rows that are not empty, in the file's order
}

// A Column is a column of a list file.
type Column struct {
	Header string // the header as the file writes it
	Field  string // the JSON name of the Person field it fills; "" if ignored
	Col    string // its place: a number from 1 for CSV, a letter such as "C" for XLSX
}

// A Row is a row of a list and the person read from it. The person holds
// what could be read, also when the row has errors.
type Row struct {
	Row    int // as a spreadsheet shows it: the header's row is 1 when it is the first
	Person parley.Person
	Errors []CellError // sorted by column
}

// A CellError is what is wrong with one cell of a list, or with one row
// when Column is empty.
type CellError struct {
	Row     int
	Column  string // the header of the cell's column, as the file writes it
	Field   string // the JSON name of the column's Person field, if any
	Col     string // a number from 1 for CSV, a letter such as "C" for XLSX
	Message string // what is wrong, to be read after the column's name
}

func (e CellError) Error() string {
	if e.Column == "" {
		return fmt.Sprintf("row %d, column %s: %s", e.Row, e.Col, e.Message)
	}
	return fmt.Sprintf("row %d, column %s (%s): %s", e.Row, e.Col, e.Column, e.Message)
}

// Valid returns the persons of the rows without errors, in the file's
// order.
func (im *Import) Valid() []parley.Person {
	var ps []parley.Person
	for _, r := range im.Rows {
		if len(r.Errors) == 0 {
			ps = append(ps, r.Person)
		}
	}
	return ps
}

// Invalid returns the number of rows with errors.
func (im *Import) Invalid() int {
	n := 0
	for _, r := range im.Rows {
		if len(r.Errors) > 0 {
			n++
		}
	}
	return n
}

// Errors returns the errors of every row, sorted by row, then column.
func (im *Import) Errors() []CellError {
	var errs []CellError
	for _, r := range im.Rows {
		errs = append(errs, r.Errors...)
	}
	slices.SortStableFunc(errs, compareErrors)
	return errs
}

func compareErrors(a, b CellError) int {
	if a.Row != b.Row {
		return a.Row - b.Row
	}
	return colNumber(a.Col) - colNumber(b.Col)
}

// colNumber returns the number of a column written as a number or as
// spreadsheet letters.
func colNumber(col string) int {
	if n, err := strconv.Atoi(col); err == nil {
		return n
	}
	n := 0
	for _, c := range col {
		n = n*26 + int(c-'A'+1)
	}
	return n
}

// Read reads a list of persons from r, a file in format named name (the
// name is used in errors). A file that cannot be read as a list at all —
// not the format, too large, no header, a required column missing — is
// refused with an EINVALID *parley.Error naming the file and the place;
// an error of the reader r is returned wrapped. Otherwise every row that
// is not empty is in the Import, each with all its errors. Read uses the
// first opts given, if any.
func Read(r io.Reader, format Format, name string, opts ...Options) (*Import, error) {
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	var (
		src source
		err error
	)
	switch format {
	case CSV:
		src, err = openCSV(r, name)
	case XLSX:
		src, err = openXLSX(r, name)
	default:
		return nil, parley.Errorf(parley.EINVALID, "%s: lists are read from CSV or XLSX files, not %q.", name, format)
	}
	if err != nil {
		return nil, err
	}
	defer src.close()
	return read(src, format, name, o)
}

// A source gives the rows of a file.
type source interface {
	// next returns the next row and its number, as a spreadsheet shows it;
	// io.EOF after the last.
	next() (row int, cells []string, err error)
	// col names column i (from 0) as the format does.
	col(i int) string
	close()
}

// invalid returns an EINVALID error whose message is a sentence about the
// file.
func invalid(name, format string, args ...any) error {
	return parley.Errorf(parley.EINVALID, "%s: %s", name, fmt.Sprintf(format, args...))
}

// column is a column the reader fills a field from.
type column struct {
	Column
	index int // in the row's cells
	field int // in fields
}

// A layout is what a file's header, and its hashtag row if any, say of
// its columns.
type layout struct {
	row     int // the header's
	width   int // the header's number of cells
	cols    []column
	byField map[string]column // by JSON name, for Validate's fields
	ignored []Column
	hxl     bool
}

func read(src source, format Format, name string, o Options) (*Import, error) {
	l, row, cells, err, herr := readHeader(src, name)
	if herr != nil {
		return nil, herr
	}
	im := &Import{Name: name, Format: format, HXL: l.hxl, Ignored: l.ignored}
	for _, c := range l.cols {
		im.Columns = append(im.Columns, c.Column)
	}
	for ; err == nil; row, cells, err = nextNonEmpty(src, l.row+MaxRows) {
		im.Rows = append(im.Rows, readRow(src, format, row, cells, l))
		if n := len(im.Rows); n%1000 == 0 && o.Progress != nil {
			o.Progress(n)
		}
	}
	switch {
	case errors.Is(err, errTooManyRows):
		return nil, invalid(name, "the list spans more than %d rows below its header; split it into smaller lists.", MaxRows)
	case !errors.Is(err, io.EOF):
		return nil, err
	}
	if o.Progress != nil {
		o.Progress(len(im.Rows))
	}
	repeatedRefs(im.Rows, l.byField[fields[fRef].name])
	return im, nil
}

// readHeader reads the header, and the hashtag row if there is one, and
// returns the layout they give, or herr if they cannot be read, with the
// first row after them as nextNonEmpty returns it.
func readHeader(src source, name string) (l layout, row int, cells []string, err, herr error) {
	// The header is the first row that is not empty.
	l.row, cells, err = nextNonEmpty(src, MaxRows)
	switch {
	case errors.Is(err, io.EOF):
		return l, 0, nil, nil, invalid(name, "the file is empty: its first row must name the columns, at least %s.", requiredNames())
	case errors.Is(err, errTooManyRows):
		return l, 0, nil, nil, invalid(name, "the first %d rows are empty: the first row must name the columns, at least %s.", MaxRows, requiredNames())
	case err != nil:
		return l, 0, nil, nil, err
	}
	l.width = len(cells)
	heads := make([]string, len(cells))
	for i, h := range cells {
		h = strings.TrimSpace(h)
		if i == 0 {
			h = strings.TrimPrefix(h, bom)
		}
		if !utf8.ValidString(h) {
			return l, 0, nil, nil, invalid(name, "the header of column %s is not UTF-8 text: save the file as CSV UTF-8.", src.col(i))
		}
		heads[i] = h
	}
	l.byField = map[string]column{}
	unknown := map[int]bool{}
	take := func(i, f int) {
		c := column{Column{Header: heads[i], Field: fields[f].name, Col: src.col(i)}, i, f}
		l.byField[c.Field] = c
		l.cols = append(l.cols, c)
	}
	for i, h := range heads {
		f, ok := byName[fold(h)]
		prev, dup := l.byField[fields[f].name]
		switch {
		case !ok && h != "":
			unknown[i] = true
		case !ok:
		case dup:
			return l, 0, nil, nil, invalid(name, "columns %s (%s) and %s (%s) both give the %s.", prev.Col, prev.Header, src.col(i), h, fields[f].name)
		default:
			take(i, f)
		}
	}

	// The next row may be HXL hashtags: skip it, and take the columns
	// whose header is empty or unknown by their hashtag.
	row, cells, err = nextNonEmpty(src, l.row+MaxRows)
	if err == nil && isTagRow(cells) {
		l.hxl = true
		for i, c := range cells[:min(len(cells), len(heads))] {
			f, ok := byTag[normTag(strings.TrimSpace(c))]
			if _, dup := l.byField[fields[f].name]; !ok || dup || heads[i] != "" && !unknown[i] {
				continue
			}
			delete(unknown, i)
			take(i, f)
		}
		row, cells, err = nextNonEmpty(src, l.row+MaxRows)
	}

	var missing []string
	for _, f := range required {
		if _, ok := l.byField[fields[f].name]; !ok {
			missing = append(missing, names(f))
		}
	}
	if len(missing) > 0 {
		return l, 0, nil, nil, invalid(name, "the header (row %d) has no column for %s.", l.row, strings.Join(missing, ", nor for "))
	}
	slices.SortFunc(l.cols, func(a, b column) int { return a.index - b.index })
	for _, i := range slices.Sorted(maps.Keys(unknown)) {
		l.ignored = append(l.ignored, Column{Header: heads[i], Col: src.col(i)})
	}
	return l, row, cells, err, nil
}

// repeatedRefs adds an error to each row whose ref another row has,
// naming the others (the first few, if there are many).
func repeatedRefs(rows []Row, ref column) {
	const named = 5
	byRef := map[string][]int{} // ref → indexes in rows
	for i, r := range rows {
		if r.Person.Ref != "" {
			byRef[r.Person.Ref] = append(byRef[r.Person.Ref], i)
		}
	}
	for _, idx := range byRef {
		if len(idx) < 2 {
			continue
		}
		for _, i := range idx {
			var others []string
			for _, j := range idx {
				if j != i && len(others) < named {
					others = append(others, strconv.Itoa(rows[j].Row))
				}
			}
			r := &rows[i]
			var msg string
			switch n := len(idx) - 1; {
			case n == 1:
				msg = fmt.Sprintf("%q is also the ref of row %s", r.Person.Ref, others[0])
			case n <= named:
				msg = fmt.Sprintf("%q is also the ref of rows %s", r.Person.Ref, strings.Join(others, ", "))
			default:
				msg = fmt.Sprintf("%q is also the ref of rows %s and %d more", r.Person.Ref, strings.Join(others, ", "), n-named)
			}
			r.Errors = append(r.Errors, cellError(r.Row, ref, msg))
			slices.SortStableFunc(r.Errors, compareErrors)
		}
	}
}

// nextNonEmpty returns the next row of src that has a cell with more than
// spaces, or errTooManyRows past row max.
func nextNonEmpty(src source, max int) (int, []string, error) {
	for {
		row, cells, err := src.next()
		switch {
		case err != nil:
			return 0, nil, err
		case row > max:
			return 0, nil, errTooManyRows
		case !empty(cells):
			return row, cells, nil
		}
	}
}

var errTooManyRows = errors.New("too many rows")

func empty(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

func cellError(row int, c column, msg string) CellError {
	return CellError{Row: row, Column: c.Header, Field: c.Field, Col: c.Col, Message: msg}
}

// readRow reads the person of one row and finds its errors.
func readRow(src source, format Format, row int, cells []string, l layout) Row {
	r := Row{Row: row}
	var scriptGiven bool
	for _, c := range l.cols {
		if c.index >= len(cells) {
			continue
		}
		v := cleanCell(cells[c.index])
		if !utf8.ValidString(v) {
			r.Errors = append(r.Errors, cellError(row, c, "is not UTF-8 text: save the file as CSV UTF-8"))
			v = strings.ToValidUTF8(v, "\uFFFD")
		}
		if strings.ContainsAny(v, "\uFFFE\uFFFF") {
			// Not characters: XML, and so XLSX, cannot carry them.
			r.Errors = append(r.Errors, cellError(row, c, "contains a character that is not text (U+FFFE or U+FFFF)"))
		}
		f := fields[c.field]
		switch f.kind {
		case text:
			*f.text(&r.Person) = v
		case date:
			d, err := parley.ParsePartialDate(v)
			if err != nil {
				r.Errors = append(r.Errors, cellError(row, c, dateMessage(v)))
			}
			*f.date(&r.Person) = d
		case script:
			switch s := parley.Script(strings.ToLower(v)); s {
			case "":
			case parley.ScriptCyrillic, parley.ScriptLatin, parley.ScriptMixed:
				r.Person.Script, scriptGiven = s, true
			default:
				r.Errors = append(r.Errors, cellError(row, c, fmt.Sprintf("%q is not a script: write %s, %s or %s, or leave it empty",
					v, parley.ScriptCyrillic, parley.ScriptLatin, parley.ScriptMixed)))
			}
		}
	}
	if !scriptGiven {
		p := &r.Person
		p.Script = parley.DetectScript(p.FamilyName, p.GivenName, p.Patronymic)
	}
	var pe *parley.Error
	if err := r.Person.Validate(); errors.As(err, &pe) {
		for f, msg := range pe.Fields {
			if c, ok := l.byField[f]; ok {
				r.Errors = append(r.Errors, cellError(row, c, msg))
			}
		}
	}
	if format == CSV {
		for i := l.width; i < len(cells); i++ {
			if strings.TrimSpace(cells[i]) != "" {
				r.Errors = append(r.Errors, CellError{Row: row, Col: src.col(i),
					Message: fmt.Sprintf("the row has %d cells and the header %d: is a value with a comma or semicolon not quoted?", len(cells), l.width)})
				break
			}
		}
	}
	slices.SortStableFunc(r.Errors, compareErrors)
	return r
}

// dateMessage says why v is not a date.
func dateMessage(v string) string {
	if _, err := parley.ParsePartialDate(v); err != nil && strings.Contains(err.Error(), "year must be") {
		return err.Error()
	}
	return fmt.Sprintf("%q is not a date: write it as YYYY-MM-DD (1990-07-31), YYYY-MM (1990-07) or YYYY (1990)", v)
}

// names lists the header names field f is known by, for an error.
func names(f int) string {
	return fields[f].name + " (or " + strings.Join(fields[f].names, ", ") + ")"
}

func requiredNames() string {
	var s []string
	for _, f := range required {
		s = append(s, fields[f].name)
	}
	return strings.Join(s, ", ")
}
