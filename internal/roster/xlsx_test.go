package roster

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"hash/crc32"
	"io"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/parley-talks/parley"
	"github.com/xuri/excelize/v2"
)

// TestXLSXDates shows that a date cell reads as its date, whatever format
// shows it, and that a number or text in a date column reads as text.
func TestXLSXDates(t *testing.T) {
	style := func(f *excelize.File, cell string, s *excelize.Style) {
		id, err := f.NewStyle(s)
		if err != nil {
			t.Fatal(err)
		}
		f.SetCellStyle("Sheet1", cell, cell, id)
	}
	format := func(code string) *excelize.Style { return &excelize.Style{CustomNumFmt: &code} }
	tests := []struct {
		name      string
		value     any
		style     *excelize.Style
		date1904  bool
		want      parley.PartialDate
		wantError string
	}{
		{"a time.Time, as excelize writes it", time.Date(1990, 7, 31, 0, 0, 0, 0, time.UTC), nil, false, parley.PartialDate{Year: 1990, Month: 7, Day: 31}, ""},
		{"the short date format 14", 33085, &excelize.Style{NumFmt: 14}, false, parley.PartialDate{Year: 1990, Month: 7, Day: 31}, ""},
		{"a Ukrainian format", 33085, format("dd.mm.yyyy"), false, parley.PartialDate{Year: 1990, Month: 7, Day: 31}, ""},
		{"a format with a locale and text", 33085, format(`[$-422]d mmmm yyyy "р."`), false, parley.PartialDate{Year: 1990, Month: 7, Day: 31}, ""},
		{"a date and time", 33085.75, &excelize.Style{NumFmt: 22}, false, parley.PartialDate{Year: 1990, Month: 7, Day: 31}, ""},
		{"the 1904 date system", 31623, &excelize.Style{NumFmt: 14}, true, parley.PartialDate{Year: 1990, Month: 7, Day: 31}, ""},
		{"a year as a number", 1990, nil, false, parley.PartialDate{Year: 1990}, ""},
		{"a year as a number in a number format", 1990, &excelize.Style{NumFmt: 1}, false, parley.PartialDate{Year: 1990}, ""},
		{"a partial date as text", "1990-07", nil, false, parley.PartialDate{Year: 1990, Month: 7}, ""},
		{"a partial date as text in a date format", "1990-07", &excelize.Style{NumFmt: 14}, false, parley.PartialDate{Year: 1990, Month: 7}, ""},
		{"a date as text in another form", "31.07.1990", nil, false, parley.PartialDate{},
			`"31.07.1990" is not a date: write it as YYYY-MM-DD (1990-07-31), YYYY-MM (1990-07) or YYYY (1990)`},
		{"a number that is not a year", 33085, nil, false, parley.PartialDate{},
			`"33085" is not a date: write it as YYYY-MM-DD (1990-07-31), YYYY-MM (1990-07) or YYYY (1990)`},
		{"a time of day is not a date", 0.5, &excelize.Style{NumFmt: 20}, false, parley.PartialDate{},
			`"12:00" is not a date: write it as YYYY-MM-DD (1990-07-31), YYYY-MM (1990-07) or YYYY (1990)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := xlsxFile(t, [][]any{{"ref", "family_name", "given_name", "birth_date"}, {"1", "Шевченко", "Тарас", tt.value}}, func(f *excelize.File) {
				if tt.date1904 {
					yes := true
					if err := f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &yes}); err != nil {
						t.Fatal(err)
					}
				}
				if tt.style != nil {
					style(f, "D2", tt.style)
				}
			})
			im := readFile(t, data, XLSX)
			r := im.Rows[0]
			var msg string
			if len(r.Errors) > 0 {
				msg = r.Errors[0].Message
			}
			if r.Person.BirthDate != tt.want || msg != tt.wantError || len(r.Errors) > 1 {
				t.Errorf("read %v, errors %v; want %v, %q", r.Person.BirthDate, r.Errors, tt.want, tt.wantError)
			}
		})
	}
}

// TestXLSXCells shows that cells other than dates read as the sheet shows
// them, and that only the first sheet is read.
func TestXLSXCells(t *testing.T) {
	data := xlsxFile(t, [][]any{
		{"ref", "family_name", "given_name", "service_number", "rank"},
		{1, "Шевченко", "Тарас", 123, true},
		{2.0, "Бойко", "Іван", 12345678901234, nil},
	}, func(f *excelize.File) {
		id, _ := f.NewStyle(&excelize.Style{NumFmt: 1}) // 0
		f.SetCellStyle("Sheet1", "D3", "D3", id)
		code := "000000"
		id, _ = f.NewStyle(&excelize.Style{CustomNumFmt: &code})
		f.SetCellStyle("Sheet1", "D2", "D2", id)
		f.SetCellFormula("Sheet1", "E3", `="сол"&"дат"`)
		f.NewSheet("Other")
		f.SetCellValue("Other", "A1", "ignored")
	})
	im := readFile(t, data, XLSX)
	got := im.Valid()
	if len(got) != 2 || got[0].Ref != "1" || got[0].ServiceNumber != "000123" || got[0].Rank != "TRUE" ||
		got[1].Ref != "2" || got[1].ServiceNumber != "12345678901234" {
		t.Errorf("read %+v, errors %v", got, im.Errors())
	}
}

// rezip returns the zip archive b with part name's content replaced by
// content, or removed if content is nil, and with parts added from add.
func rezip(tb testing.TB, b []byte, name string, content []byte) []byte {
	tb.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		tb.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		data := content
		if f.Name != name {
			rc, err := f.Open()
			if err != nil {
				tb.Fatal(err)
			}
			data, _ = io.ReadAll(rc)
			rc.Close()
		} else if content == nil {
			continue
		}
		w, err := zw.Create(f.Name)
		if err != nil {
			tb.Fatal(err)
		}
		w.Write(data)
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return out.Bytes()
}

// declare returns the zip archive b with part name's content replaced by
// content, compressed, and its size declared as size, true or not.
func declare(tb testing.TB, b []byte, name string, content []byte, size uint64) []byte {
	tb.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		tb.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		if f.Name != name {
			if err := zw.Copy(f); err != nil {
				tb.Fatal(err)
			}
			continue
		}
		var z bytes.Buffer
		fw, _ := flate.NewWriter(&z, flate.BestSpeed)
		fw.Write(content)
		fw.Close()
		w, err := zw.CreateRaw(&zip.FileHeader{Name: name, Method: zip.Deflate, CRC32: crc32.ChecksumIEEE(content),
			CompressedSize64: uint64(z.Len()), UncompressedSize64: size})
		if err != nil {
			tb.Fatal(err)
		}
		w.Write(z.Bytes())
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return out.Bytes()
}

func part(tb testing.TB, b []byte, name string) []byte {
	tb.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		tb.Fatal(err)
	}
	rc, err := zr.Open(name)
	if err != nil {
		tb.Fatal(err)
	}
	defer rc.Close()
	data, _ := io.ReadAll(rc)
	return data
}

// TestMalformedXLSX shows that a file that is not a sound workbook is
// refused with a sentence, never a panic.
func TestMalformedXLSX(t *testing.T) {
	good := xlsxFile(t, [][]any{{"ref", "family_name", "given_name"}, {"1", "Шевченко", "Тарас"}}, nil)
	sheet := part(t, good, "xl/worksheets/sheet1.xml")
	var emptyZip bytes.Buffer
	zip.NewWriter(&emptyZip).Close()
	noSheets := regexp.MustCompile(`<sheets>.*</sheets>`).ReplaceAll(part(t, good, "xl/workbook.xml"), []byte("<sheets></sheets>"))

	far := bytes.Replace(sheet, []byte(`<dimension ref="A1">`), []byte(`<dimension ref="A1:C100002">`), 1)
	lying := bytes.Replace(sheet, []byte("</sheetData>"), []byte(`<row r="100003"><c r="A100003" t="inlineStr"><is><t>x</t></is></c></row></sheetData>`), 1)
	badCell := bytes.Replace(sheet, []byte("</sheetData>"), []byte(`<row r="3"><c r="3A" t="s"><v>0</v></c></row></sheetData>`), 1)

	tests := []struct {
		name string
		in   []byte
		want string
	}{
		{"not a zip", []byte("PK but not a zip at all"), "list.xlsx: the file is not a valid XLSX workbook: it is damaged, cut short, or another kind of file."},
		{"plain text", []byte("ref,family_name,given_name\n"), "list.xlsx: the file is not an XLSX workbook."},
		{"empty file", nil, "list.xlsx: the file is not an XLSX workbook."},
		{"cut short", good[:len(good)/2], "list.xlsx: the file is not a valid XLSX workbook: it is damaged, cut short, or another kind of file."},
		{"cut at the end", good[:len(good)-10], "list.xlsx: the file is not a valid XLSX workbook"},
		{"an empty zip", emptyZip.Bytes(), "list.xlsx: the file is not a valid XLSX workbook: it is damaged, cut short, or another kind of file."},
		{"a zip without a workbook", rezip(t, good, "xl/workbook.xml", nil), "list.xlsx: the file is not a valid XLSX workbook: it is damaged, cut short, or another kind of file."},
		{"a workbook without sheets", rezip(t, good, "xl/workbook.xml", noSheets), "list.xlsx: the workbook has no sheet."},
		{"a workbook without its sheet", rezip(t, good, "xl/worksheets/sheet1.xml", nil), `list.xlsx: the sheet "Sheet1" cannot be read: the workbook is damaged.`},
		{"a sheet that is not XML reads as empty", rezip(t, good, "xl/worksheets/sheet1.xml", []byte("\x00\x01 not xml <<<")), "list.xlsx: the file is empty"},
		{"a cell with a bad reference", rezip(t, good, "xl/worksheets/sheet1.xml", badCell), "list.xlsx: row 3 cannot be read: the workbook is damaged."},
		{"an .xls or encrypted workbook", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 512)...),
			"list.xlsx: the file is an older Excel workbook (.xls) or one protected by a password: save it as an .xlsx workbook without a password."},
		{"a zip bomb, declared", declare(t, good, "xl/worksheets/sheet1.xml", sheet, MaxUnzipped+1),
			"list.xlsx: the workbook holds more than 160 MiB once unzipped; split it into smaller lists."},
		{"too many rows, as declared", rezip(t, good, "xl/worksheets/sheet1.xml", far), `list.xlsx: the sheet "Sheet1" spans 100002 rows, more than 100000 below a header; split it into smaller lists.`},
		{"too many rows, declared fewer", rezip(t, good, "xl/worksheets/sheet1.xml", lying), "list.xlsx: the list spans more than 100000 rows below its header; split it into smaller lists."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			im, err := Read(bytes.NewReader(tt.in), XLSX, "list.xlsx")
			if err == nil {
				t.Fatalf("Read = %d rows, no error; want %q", len(im.Rows), tt.want)
			}
			if parley.ErrorCode(err) != parley.EINVALID || !strings.HasPrefix(parley.ErrorMessage(err), tt.want) {
				t.Errorf("Read error %q (%s), want EINVALID %q", err, parley.ErrorCode(err), tt.want)
			}
		})
	}
}

// TestZipBomb shows that a part that unzips to more than it declares is
// cut where it says it ends: 200 MiB that declare 1 KiB cost a reader
// little memory.
func TestZipBomb(t *testing.T) {
	good := xlsxFile(t, [][]any{{"ref", "family_name", "given_name"}, {"1", "Шевченко", "Тарас"}}, nil)
	sheet := part(t, good, "xl/worksheets/sheet1.xml")
	head, tail, _ := bytes.Cut(sheet, []byte("<sheetData>"))
	var z bytes.Buffer
	fw, _ := flate.NewWriter(&z, flate.BestSpeed)
	crc := crc32.NewIEEE()
	w := io.MultiWriter(fw, crc)
	w.Write(head)
	w.Write([]byte("<sheetData>"))
	spaces := bytes.Repeat([]byte(" "), 1<<20)
	for range 200 {
		w.Write(spaces)
	}
	w.Write(tail)
	fw.Close()

	zr, _ := zip.NewReader(bytes.NewReader(good), int64(len(good)))
	var bomb bytes.Buffer
	zw := zip.NewWriter(&bomb)
	for _, f := range zr.File {
		if f.Name != "xl/worksheets/sheet1.xml" {
			zw.Copy(f)
			continue
		}
		pw, err := zw.CreateRaw(&zip.FileHeader{Name: f.Name, Method: zip.Deflate, CRC32: crc.Sum32(),
			CompressedSize64: uint64(z.Len()), UncompressedSize64: 1 << 10})
		if err != nil {
			t.Fatal(err)
		}
		pw.Write(z.Bytes())
	}
	zw.Close()

	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := Read(&bomb, XLSX, "bomb.xlsx")
	runtime.ReadMemStats(&after)
	if parley.ErrorCode(err) != parley.EINVALID {
		t.Errorf("error %v, want EINVALID", err)
	}
	if alloc := (after.TotalAlloc - before.TotalAlloc) >> 20; alloc > 32 {
		t.Errorf("reading the bomb allocated %d MiB", alloc)
	}
}

// TestWrittenXLSX shows the workbook WriteXLSX writes: one sheet, a bold
// header, and every value, dates too, in a text cell.
func TestWrittenXLSX(t *testing.T) {
	var b bytes.Buffer
	if err := WriteXLSX(&b, people[:3]); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if list := f.GetSheetList(); len(list) != 1 {
		t.Fatalf("sheets %v, want one", list)
	}
	header, _ := f.GetCellStyle("Sheet1", "A1")
	hs, _ := f.GetStyle(header)
	if hs == nil || hs.Font == nil || !hs.Font.Bold {
		t.Errorf("header style %+v, want bold", hs)
	}
	for _, cell := range []string{"E2", "J2", "B4"} {
		typ, _ := f.GetCellType("Sheet1", cell)
		v, _ := f.GetCellValue("Sheet1", cell)
		id, _ := f.GetCellStyle("Sheet1", cell)
		s, _ := f.GetStyle(id)
		if typ != excelize.CellTypeInlineString || s == nil || s.NumFmt != 49 {
			t.Errorf("%s = %q is of type %v, number format %+v; want a text cell in the text format", cell, v, typ, s)
		}
	}
	if v, _ := f.GetCellValue("Sheet1", "E2"); v != "1990-07-31" {
		t.Errorf("E2 = %q, want 1990-07-31", v)
	}
	if v, _ := f.GetCellValue("Sheet1", "J2"); v != "2023-05" {
		t.Errorf("J2 = %q, want 2023-05", v)
	}
	if v, _ := f.GetCellValue("Sheet1", "B4"); !strings.HasPrefix(v, "'=HYPERLINK(") {
		t.Errorf("B4 = %q, want the formula escaped", v)
	}
}
