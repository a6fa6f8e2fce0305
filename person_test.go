package parley

import (
	"encoding/json"
	"testing"
)

func TestParsePartialDate(t *testing.T) {
	for _, c := range []struct {
		in   string
		want PartialDate
		ok   bool
	}{
		{"", PartialDate{}, true},
		{"1990", PartialDate{Year: 1990}, true},
		{"1990-07", PartialDate{Year: 1990, Month: 7}, true},
		{"1990-07-31", PartialDate{1990, 7, 31}, true},
		{" 1990-07-31 ", PartialDate{1990, 7, 31}, true},
		{"1990-02-30", PartialDate{}, false},
		{"31.07.1990", PartialDate{}, false},
		{"0990", PartialDate{}, false},
		{"199a", PartialDate{}, false},
		{"+990", PartialDate{}, false},
		{"1990-13", PartialDate{}, false},
	} {
		got, err := ParsePartialDate(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("ParsePartialDate(%q) = %v, %v; want %v, ok %v", c.in, got, err, c.want, c.ok)
		}
		if c.ok {
			if back, _ := ParsePartialDate(got.String()); back != got {
				t.Errorf("%q does not read back: %v", got.String(), back)
			}
		}
	}
}

func TestPersonJSONAndValidate(t *testing.T) {
	p := Person{Ref: "A-1", FamilyName: "Шевченко", GivenName: "Олександр", BirthDate: PartialDate{Year: 1990}}
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"ref":"A-1","family_name":"Шевченко","given_name":"Олександр","birth_date":"1990"}` {
		t.Errorf("json: %s", b)
	}
	var q Person
	if err := json.Unmarshal(b, &q); err != nil || q != p {
		t.Errorf("round trip: %+v, %v", q, err)
	}
	if err := p.Validate(); err != nil {
		t.Errorf("valid person refused: %v", err)
	}
	bad := Person{FamilyName: "x\x00", Unit: string(make([]rune, MaxPersonField+1))}
	err = bad.Validate()
	e, ok := err.(*Error)
	if !ok || e.Code != EINVALID {
		t.Fatalf("want EINVALID, got %v", err)
	}
	for _, f := range []string{"ref", "family_name", "given_name", "unit"} {
		if e.Fields[f] == "" {
			t.Errorf("field %s not named: %v", f, e.Fields)
		}
	}
	if DetectScript("Шевченко", "Oleksandr") != ScriptMixed || DetectScript("Шевченко") != ScriptCyrillic ||
		DetectScript("Shevchenko") != ScriptLatin || DetectScript("12") != "" {
		t.Error("DetectScript")
	}
}
