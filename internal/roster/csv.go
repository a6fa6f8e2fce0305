package roster

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/parley-talks/parley"
)

const bom = "\uFEFF"

// csvSource reads the rows of a CSV file, numbered as a spreadsheet shows
// them: a blank line is an empty row, and a quoted value that spans lines
// is still one row.
type csvSource struct {
	name string
	r    *csv.Reader
	row  int // of the last record
	end  int // the line the last record ended on
}

func openCSV(r io.Reader, name string) (source, error) {
	br := bufio.NewReaderSize(&limitReader{r: r, n: MaxSize}, 64<<10)
	head, err := br.Peek(64 << 10)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, readError(name, err)
	}
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return nil, invalid(name, "the file is an XLSX (or other ZIP) file, not CSV.")
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}), bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return nil, invalid(name, "the file is UTF-16 text: save it as CSV UTF-8.")
	case bytes.HasPrefix(head, []byte(bom)):
		br.Discard(len(bom))
		head = head[len(bom):]
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.Comma = separator(head)
	return &csvSource{name: name, r: cr}, nil
}

// separator returns ';' if the first line has more semicolons than commas
// outside quotes, as the CSV files of spreadsheets set to a language that
// writes decimal commas do, and ',' otherwise.
func separator(head []byte) rune {
	var commas, semis int
	quoted := false
	for _, c := range head {
		switch {
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == '\n':
			return sep(commas, semis)
		case c == ',':
			commas++
		case c == ';':
			semis++
		}
	}
	return sep(commas, semis)
}

func sep(commas, semis int) rune {
	if semis > commas {
		return ';'
	}
	return ','
}

func (s *csvSource) next() (int, []string, error) {
	rec, err := s.r.Read()
	if err != nil {
		var pe *csv.ParseError
		switch {
		case errors.Is(err, io.EOF):
			return 0, nil, io.EOF
		case errors.As(err, &pe):
			line := pe.Line
			if errors.Is(pe.Err, csv.ErrQuote) {
				line = pe.StartLine // where the value opens; its error is found at the end of the file
			}
			return 0, nil, invalid(s.name, "line %d: %s.", line, syntaxMessage(pe.Err))
		}
		return 0, nil, readError(s.name, err)
	}
	line, _ := s.r.FieldPos(0)
	s.row += line - s.end
	last, _ := s.r.FieldPos(len(rec) - 1)
	s.end = last + strings.Count(rec[len(rec)-1], "\n")
	return s.row, rec, nil
}

func syntaxMessage(err error) string {
	switch {
	case errors.Is(err, csv.ErrBareQuote):
		return `a value has a quote (") but does not begin with one: put the whole value in quotes and double its quotes, as in "Іван ""Ваня"""`
	case errors.Is(err, csv.ErrQuote):
		return `a value that begins with a quote (") has no closing quote`
	}
	return err.Error()
}

func (s *csvSource) col(i int) string { return strconv.Itoa(i + 1) }

func (s *csvSource) close() {}

// readError wraps an error of the reader a file is read from; a file over
// MaxSize is refused.
func readError(name string, err error) error {
	if errors.Is(err, errTooLarge) {
		return invalid(name, "the file is larger than %d MiB; split it into smaller lists.", MaxSize>>20)
	}
	return fmt.Errorf("%s: %w", name, err)
}

var errTooLarge = errors.New("file too large")

// limitReader reads at most n bytes of r, then fails with errTooLarge if
// r has more. It keeps the first error other than io.EOF it returns, so
// that a failure of r can be told from a failure of what reads it.
type limitReader struct {
	r   io.Reader
	n   int64
	err error
}

func (l *limitReader) Read(p []byte) (n int, err error) {
	defer func() {
		if err != nil && err != io.EOF && l.err == nil {
			l.err = err
		}
	}()
	if l.n < 0 {
		return 0, errTooLarge
	}
	if int64(len(p)) > l.n+1 {
		p = p[:l.n+1]
	}
	n, err = l.r.Read(p)
	l.n -= int64(n)
	if l.n < 0 {
		return n + int(l.n), errTooLarge
	}
	return n, err
}

// WriteCSV writes persons as a UTF-8 CSV file with a byte order mark (so
// that spreadsheets open it as UTF-8), a comma between values, and a
// header of the columns Read knows by their JSON names. Values that a
// spreadsheet would run as formulas are escaped as the package doc says.
func WriteCSV(w io.Writer, persons []parley.Person) error {
	return writeCSV(w, persons, false)
}

// WriteHXL writes persons as WriteCSV does, with a row of Humanitarian
// Exchange Language hashtags under the header, as the package doc lists
// them.
func WriteHXL(w io.Writer, persons []parley.Person) error {
	return writeCSV(w, persons, true)
}

func writeCSV(w io.Writer, persons []parley.Person, hxl bool) error {
	bw := bufio.NewWriter(w)
	bw.WriteString(bom)
	cw := csv.NewWriter(bw)
	rec := make([]string, len(fields))
	for i, f := range fields {
		rec[i] = f.name
	}
	cw.Write(rec)
	if hxl {
		for i, f := range fields {
			rec[i] = f.hxl
		}
		cw.Write(rec)
	}
	for i := range persons {
		record(rec, &persons[i])
		cw.Write(rec)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// record writes p's values into rec, in the order of fields, escaped.
func record(rec []string, p *parley.Person) {
	for i, f := range fields {
		switch f.kind {
		case text:
			rec[i] = escape(*f.text(p))
		case date:
			rec[i] = f.date(p).String()
		case script:
			rec[i] = escape(string(p.Script))
		}
	}
}
