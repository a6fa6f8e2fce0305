package roster

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/parley-talks/parley"
	"github.com/xuri/excelize/v2"
)

// oleMagic begins the files of the older Excel format, .xls, and the
// workbooks a password encrypts.
var oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

// xlsxSource reads the rows of the first sheet of a workbook as a stream.
type xlsxSource struct {
	name string
	f    *excelize.File
	rows *excelize.Rows
	row  int
}

func openXLSX(r io.Reader, name string) (source, error) {
	lr := &limitReader{r: r, n: MaxSize}
	br := bufio.NewReader(lr)
	head, err := br.Peek(len(oleMagic))
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, readError(name, err)
	}
	switch {
	case bytes.Equal(head, oleMagic):
		return nil, invalid(name, "the file is an older Excel workbook (.xls) or one protected by a password: save it as an .xlsx workbook without a password.")
	case !bytes.HasPrefix(head, []byte("PK")):
		return nil, invalid(name, "the file is not an XLSX workbook.")
	}
	var f *excelize.File
	err = safe(func() (err error) {
		// Every part is read into memory, not into temporary files: a
		// list is personal data.
		f, err = excelize.OpenReader(br, excelize.Options{UnzipSizeLimit: MaxUnzipped, UnzipXMLSizeLimit: MaxUnzipped})
		return err
	})
	if err != nil {
		if f != nil {
			f.Close()
		}
		switch {
		case lr.err != nil:
			return nil, readError(name, lr.err)
		case strings.Contains(err.Error(), "unzip size exceeds"):
			return nil, invalid(name, "the workbook holds more than %d MiB once unzipped; split it into smaller lists.", MaxUnzipped>>20)
		}
		// A zip error, a part that is not XML, a part missing: the
		// reader cannot tell the user more than this.
		return nil, invalid(name, "the file is not a valid XLSX workbook: it is damaged, cut short, or another kind of file.")
	}
	s := &xlsxSource{name: name, f: f}
	if err := s.open(); err != nil {
		f.Close()
		return nil, err
	}
	return s, nil
}

// open finds the first sheet, checks its size as it declares it, and
// starts reading its rows.
func (s *xlsxSource) open() error {
	var sheet string
	err := safe(func() error {
		if list := s.f.GetSheetList(); len(list) > 0 {
			sheet = list[0]
		}
		return nil
	})
	if err != nil || sheet == "" {
		return invalid(s.name, "the workbook has no sheet.")
	}
	var dim string
	err = safe(func() (err error) {
		dim, err = s.f.GetSheetDimension(sheet)
		return err
	})
	if err != nil {
		return invalid(s.name, "the sheet %q cannot be read: the workbook is damaged.", sheet)
	}
	if _, end, ok := strings.Cut(dim, ":"); ok {
		if _, last, err := excelize.CellNameToCoordinates(end); err == nil && last > MaxRows+1 {
			return invalid(s.name, "the sheet %q spans %d rows, more than %d below a header; split it into smaller lists.", sheet, last, MaxRows)
		}
	}
	safe(func() error { s.dateStyles(); return nil })
	err = safe(func() (err error) {
		s.rows, err = s.f.Rows(sheet)
		return err
	})
	if err != nil {
		return invalid(s.name, "the sheet %q cannot be read: the workbook is damaged.", sheet)
	}
	return nil
}

func (s *xlsxSource) next() (int, []string, error) {
	var (
		ok    bool
		cells []string
	)
	err := safe(func() (err error) {
		if ok = s.rows.Next(); !ok {
			return s.rows.Error()
		}
		cells, err = s.rows.Columns()
		return err
	})
	if err != nil {
		return 0, nil, invalid(s.name, "row %d cannot be read: the workbook is damaged.", s.row+1)
	}
	if !ok {
		return 0, nil, io.EOF
	}
	s.row++
	return s.row, cells, nil
}

func (s *xlsxSource) col(i int) string {
	name, _ := excelize.ColumnNumberToName(i + 1)
	return name
}

func (s *xlsxSource) close() {
	safe(func() error {
		if s.rows != nil {
			s.rows.Close()
		}
		return s.f.Close()
	})
}

// dateStyles makes every cell style with a date format show its date as
// YYYY-MM-DD, so that a date cell reads as a date ParsePartialDate takes,
// whatever format the workbook shows it in. A number in a style without a
// date format, such as a year typed as 1990, stays a number.
func (s *xlsxSource) dateStyles() {
	st := s.f.Styles
	if st == nil || st.CellXfs == nil {
		return
	}
	custom := map[int]string{}
	if st.NumFmts != nil {
		for _, nf := range st.NumFmts.NumFmt {
			if nf != nil {
				custom[nf.NumFmtID] = cmp(nf.FormatCode16, nf.FormatCode)
			}
		}
	}
	var dates []int
	for i, xf := range st.CellXfs.Xf {
		if xf.NumFmtID == nil {
			continue
		}
		id := *xf.NumFmtID
		if code, ok := custom[id]; ok && dateFormat(code) || !ok && builtInDate(id) {
			dates = append(dates, i)
		}
	}
	if len(dates) == 0 {
		return
	}
	ymd := "yyyy-mm-dd"
	style, err := s.f.NewStyle(&excelize.Style{CustomNumFmt: &ymd})
	if err != nil || style >= len(st.CellXfs.Xf) {
		return
	}
	id := st.CellXfs.Xf[style].NumFmtID
	for _, i := range dates {
		st.CellXfs.Xf[i].NumFmtID = id
	}
}

func cmp(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// builtInDate reports whether a built-in number format shows a date: ids
// 14–17 and 22, and the East Asian date formats 27–31, 36 and 50–58.
func builtInDate(id int) bool {
	return 14 <= id && id <= 17 || id == 22 || 27 <= id && id <= 31 || id == 36 || 50 <= id && id <= 58
}

// dateFormat reports whether a number format code shows a date: whether
// its first section has a year or day outside quoted text, brackets and
// escaped characters.
func dateFormat(code string) bool {
	for i := 0; i < len(code); i++ {
		switch c := code[i]; c {
		case ';':
			return false
		case '"':
			if j := strings.IndexByte(code[i+1:], '"'); j >= 0 {
				i += j + 1
			} else {
				return false
			}
		case '[':
			if j := strings.IndexByte(code[i+1:], ']'); j >= 0 {
				i += j + 1
			} else {
				return false
			}
		case '\\', '_', '*':
			i++
		case 'y', 'Y', 'd', 'D':
			return true
		}
	}
	return false
}

// safe runs f, turning a panic into an error: excelize parses what the
// other side sent, and a workbook that makes it panic is a damaged one.
func safe(f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("excelize: panic: %v", r)
		}
	}()
	return f()
}

// WriteXLSX writes persons as a workbook of one sheet: a bold header of
// the columns Read knows by their JSON names, then a row a person. Every
// value is a text cell, dates too (YYYY-MM-DD), so that a spreadsheet
// neither turns a partial date into a full one nor runs a value as a
// formula; values that would be run if copied to a CSV file are escaped
// as the package doc says.
func WriteXLSX(w io.Writer, persons []parley.Person) error {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "Sheet1"
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, NumFmt: 49})
	if err != nil {
		return err
	}
	txt, err := f.NewStyle(&excelize.Style{NumFmt: 49}) // "@", text
	if err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	if err := sw.SetColWidth(1, len(fields), 18); err != nil {
		return err
	}
	if err := sw.SetColStyle(1, len(fields), txt); err != nil {
		return err
	}
	row := make([]any, len(fields))
	for i, fl := range fields {
		row[i] = excelize.Cell{StyleID: bold, Value: fl.name}
	}
	if err := sw.SetRow("A1", row); err != nil {
		return err
	}
	rec := make([]string, len(fields))
	for n := range persons {
		record(rec, &persons[n])
		for i, v := range rec {
			row[i] = nil // an empty cell, in its column's text format
			if v != "" {
				row[i] = v
			}
		}
		cell, err := excelize.CoordinatesToCellName(1, n+2)
		if err != nil {
			return err
		}
		if err := sw.SetRow(cell, row); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return f.Write(w)
}
