package roster

import (
	"bytes"
	"slices"
	"testing"

	"github.com/parley-talks/parley"
	"github.com/xuri/excelize/v2"
)

// FuzzReadCSV reads any bytes as a CSV list: Read must not panic, must
// refuse a file only with an EINVALID error, must report rows and errors
// that hold together, and the valid persons it reads must come back the
// same through the CSV and HXL writers. (The XLSX writer takes a hundred
// times as long, which the fuzzer's minimising pays many times over;
// FuzzReadXLSX and TestRoundTrip cover it.)
func FuzzReadCSV(f *testing.F) {
	for _, w := range []func(*bytes.Buffer, []parley.Person) error{
		func(b *bytes.Buffer, p []parley.Person) error { return WriteCSV(b, p) },
		func(b *bytes.Buffer, p []parley.Person) error { return WriteHXL(b, p) },
	} {
		var b bytes.Buffer
		if err := w(&b, people); err != nil {
			f.Fatal(err)
		}
		f.Add(b.Bytes())
	}
	f.Add([]byte("ID;Прізвище;Ім'я;Дата народження;script\n1;Шевченко;Тарас;1990-07;\n1;;\"Бо\"\"йко\";31.07.1990;greek\n"))
	f.Add([]byte(bom + "ref,family_name,given_name\n\"unclosed\n"))
	f.Add([]byte("ref,family_name,given_name,medical_needs\n'=1,'+2,''@3,\"a\r\nb\"\n\n,,,\n2,a,b,c,d\n"))
	f.Add([]byte("Sıra No,SOYADI,Adı\n#meta+id,#x,#respondee+name+given\n1,Yılmaz,Ayşe\n"))
	f.Add([]byte("ref,family_name,given_name\n1,Шевченко\xff,Тарас\uFFFF\n"))
	f.Add([]byte("\xff\xfe"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, data []byte) {
		check(t, data, CSV, "CSV", "HXL")
	})
}

// FuzzReadXLSX reads any bytes as a workbook, or as the sheet of a sound
// workbook when sheet is true (a zip's checksums stop most changes to a
// whole file short of the XML), with the checks of FuzzReadCSV, through
// the XLSX and CSV writers.
func FuzzReadXLSX(f *testing.F) {
	var written bytes.Buffer
	if err := WriteXLSX(&written, people); err != nil {
		f.Fatal(err)
	}
	template := xlsxFile(f, [][]any{
		{"ref", "Прізвище", "Ім'я", "birth_date", "capture_date", "Notes"},
		{1, "Шевченко", "Тарас", 33085, "1990-07", nil},
		{"1", nil, "=1+1", "31.07.1990", 1990, "x"},
	}, func(x *excelize.File) {
		id, _ := x.NewStyle(&excelize.Style{NumFmt: 14})
		x.SetCellStyle("Sheet1", "D2", "D2", id)
		code := "dd.mm.yyyy"
		id, _ = x.NewStyle(&excelize.Style{CustomNumFmt: &code})
		x.SetCellStyle("Sheet1", "E3", "E3", id)
	})
	f.Add(written.Bytes(), false)
	f.Add(template, false)
	f.Add(template[:len(template)/2], false)
	f.Add([]byte("PK\x03\x04 not a zip"), false)
	f.Add([]byte("ref,family_name,given_name\n1,a,b\n"), false)
	f.Add(part(f, written.Bytes(), "xl/worksheets/sheet1.xml"), true)
	f.Add(part(f, template, "xl/worksheets/sheet1.xml"), true)
	f.Add([]byte(`<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1" t="inlineStr"><is><t>given_name</t></is></c>`+
		`<c r="B1" t="s"><v>1</v></c></row><row r="1048577"><c r="A1048577"><v>1</v></c></row></sheetData></worksheet>`), true)
	f.Fuzz(func(t *testing.T, data []byte, sheet bool) {
		if sheet {
			data = rezip(t, template, "xl/worksheets/sheet1.xml", data)
		}
		check(t, data, XLSX, "XLSX", "CSV")
	})
}

// check reads data in format and checks what it reads, writing the valid
// persons back with the named writers.
func check(t *testing.T, data []byte, format Format, through ...string) {
	im, err := Read(bytes.NewReader(data), format, "fuzz")
	if err != nil {
		if parley.ErrorCode(err) != parley.EINVALID {
			t.Fatalf("Read error %v is not EINVALID", err)
		}
		return
	}
	last := 0
	for _, r := range im.Rows {
		if r.Row <= last || r.Row < 2 {
			t.Fatalf("row %d after row %d", r.Row, last)
		}
		last = r.Row
		for _, e := range r.Errors {
			if e.Row != r.Row || e.Col == "" || e.Message == "" {
				t.Fatalf("row %d has the error %+v", r.Row, e)
			}
		}
		if len(r.Errors) == 0 {
			if err := r.Person.Validate(); err != nil {
				t.Fatalf("row %d is valid, but not its person: %v", r.Row, err)
			}
		}
	}
	valid := im.Valid()
	if len(valid)+im.Invalid() != len(im.Rows) {
		t.Fatalf("%d valid and %d invalid of %d rows", len(valid), im.Invalid(), len(im.Rows))
	}
	for _, name := range through {
		w := writers[name]
		var b bytes.Buffer
		if err := w.write(&b, valid); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		back, err := Read(bytes.NewReader(b.Bytes()), w.format, "back")
		if err != nil {
			t.Fatalf("%s: the written list is refused: %v", name, err)
		}
		if got := back.Valid(); !slices.Equal(got, valid) || back.Invalid() != 0 {
			t.Fatalf("%s: read back\n%+q\nerrors %v\nwant\n%+q", name, got, back.Errors(), valid)
		}
	}
}
