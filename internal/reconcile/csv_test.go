package reconcile

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
)

func TestReadCSVErrors(t *testing.T) {
	tests := []struct {
		name, in       string
		line, column   int
		field, message string
	}{
		{"empty file", "", 1, 1, "", "empty file"},
		{"missing column", "id,family_name,given_name,birth_date\n", 1, 5, "", `no "patronymic" column`},
		{"bad date", "id,family_name,given_name,patronymic,birth_date\nL1,Шевченко,Олег,,1990\nL2,Бойко,Іван,,1990-13-01\n", 3, 5, "birth_date", "invalid date"},
		{"columns in another order", "birth_date,id,family_name,given_name,patronymic\n90,L1,Шевченко,Олег,\n", 2, 1, "birth_date", "invalid date"},
		{"duplicate id", "id,family_name,given_name,patronymic,birth_date\nL1,A,B,,\nL1,C,D,,\n", 3, 1, "id", "already used on line 2"},
		{"empty id", "id,family_name,given_name,patronymic,birth_date\n,A,B,,\n", 2, 1, "id", "empty id"},
		{"field count", "id,family_name,given_name,patronymic,birth_date\nL1,A,B,\n", 2, 1, "", "wrong number of fields"},
		{"bare quote", "id,family_name,given_name,patronymic,birth_date\nL1,Ша\"ш,B,,\n", 2, 8, "", `bare "`}, // byte 8: Ш and а take two each
		{"invalid UTF-8", "id,family_name,given_name,patronymic,birth_date\nL1,\xff,B,,\n", 2, 2, "family_name", "invalid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadCSV(strings.NewReader(tt.in), "list.csv")
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("ReadCSV error = %v, want a *ParseError", err)
			}
			if pe.File != "list.csv" || pe.Line != tt.line || pe.Column != tt.column || pe.Field != tt.field {
				t.Errorf("ParseError at %s:%d:%d (%s), want list.csv:%d:%d (%s)", pe.File, pe.Line, pe.Column, pe.Field, tt.line, tt.column, tt.field)
			}
			if !strings.Contains(err.Error(), tt.message) || !strings.Contains(err.Error(), "list.csv") {
				t.Errorf("error %q does not name the file or say %q", err, tt.message)
			}
		})
	}
}

func TestReadCSV(t *testing.T) {
	in := "\uFEFFnote,Birth_Date,id,family_name,given_name,patronymic\n" +
		"x,1990-05-01,L1,Шевченко,Олександр,Миколайович\n" +
		"y,1985,L2,\"Лук'янюк, мол.\",Ігор,\n" +
		"z,,L3,Бойко,Іван,\n"
	got, err := ReadCSV(strings.NewReader(in), "list.csv")
	if err != nil {
		t.Fatal(err)
	}
	want := []Person{
		{ID: "L1", FamilyName: "Шевченко", GivenName: "Олександр", Patronymic: "Миколайович", BirthDate: Date{1990, 5, 1}, Line: 2},
		{ID: "L2", FamilyName: "Лук'янюк, мол.", GivenName: "Ігор", BirthDate: Date{Year: 1985}, Line: 3},
		{ID: "L3", FamilyName: "Бойко", GivenName: "Іван", Line: 4},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d people, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("person %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func FuzzReadCSV(f *testing.F) {
	small, err := os.ReadFile("testdata/small/left.csv")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(small[:min(len(small), 600)])
	f.Add([]byte("id,family_name,given_name,patronymic,birth_date\nL1,\"Ша\"\"ш\",B,,1990-02-29\n"))
	f.Add([]byte("family_name,id,given_name,patronymic,birth_date,x\nA,1,B,C,1990,\n"))
	f.Add([]byte("id,family_name,given_name,patronymic,birth_date\r\nL1,A,B,C,\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		people, err := ReadCSV(bytes.NewReader(data), "fuzz.csv")
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a *ParseError", err)
			}
			if pe.File != "fuzz.csv" || pe.Line < 1 || pe.Column < 1 {
				t.Fatalf("error %v has no position", err)
			}
			return
		}
		seen := map[string]bool{}
		for _, p := range people {
			if p.ID == "" || seen[p.ID] {
				t.Fatalf("id %q empty or repeated", p.ID)
			}
			seen[p.ID] = true
			d, err := ParseDate(p.BirthDate.String())
			if err != nil || d != p.BirthDate {
				t.Fatalf("date %v does not survive a round trip: %v, %v", p.BirthDate, d, err)
			}
		}
	})
}

// FuzzParseDate: a birth date is read only when its canonical form
// (YYYY-MM-DD, YYYY or empty) is what was written, spaces aside; a
// refused one is no date.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"1990-02-28", "1990-02-29", "0000", "1990", " 2001-12-31 ", "99999", "+123", "1990-2-3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s)
		if err != nil {
			if d != (Date{}) {
				t.Fatalf("refused %q, yet read %+v", s, d)
			}
			return
		}
		if d.String() != strings.TrimSpace(s) {
			t.Fatalf("read %q as %+v, written %q", s, d, d.String())
		}
	})
}
