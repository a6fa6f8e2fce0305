package memodiff

import (
	"fmt"
	"strings"
	"testing"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/textdiff"
)

func vc(id, number, en string) parley.VersionClause {
	return parley.VersionClause{ClauseID: id, Number: number, Kind: parley.KindClause, Texts: parley.Texts{parley.English: en}}
}

// summary shows a change as "id:flags", e.g. "c2:renumbered,text".
func summary(cs []ClauseChange) string {
	var out []string
	for _, c := range cs {
		var f []string
		for _, x := range []struct {
			on   bool
			name string
		}{{c.Added, "added"}, {c.Removed, "removed"}, {c.Moved, "moved"}, {c.Renumbered, "renumbered"},
			{c.TextChanged(), "text"}, {c.AlternativesChanged, "alternatives"}} {
			if x.on {
				f = append(f, x.name)
			}
		}
		out = append(out, c.ClauseID+":"+strings.Join(f, ","))
	}
	return strings.Join(out, " ")
}

func TestCompareVersions(t *testing.T) {
	a := []parley.VersionClause{
		vc("c1", "1", "The parties cease fire along the line of contact."),
		vc("c2", "2", "Monitors verify the ceasefire."),
		vc("c3", "3", "Prisoners are exchanged all for all."),
		vc("c4", "4", "This memorandum enters into force on signature."),
	}
	b := []parley.VersionClause{
		vc("c1", "1", "The parties cease fire along the whole line of contact."),
		vc("c4", "2", "This memorandum enters into force on signature."),
		vc("c3", "3", "Prisoners are exchanged all for all."),
		vc("c5", "4", "Civilians are released."),
	}
	b[2].Alternatives = []parley.VersionAlternative{{TabledBy: "ru", Kind: parley.BracketContentious, Texts: parley.Texts{parley.English: "In stages."}}}
	got := CompareVersions(a, b)
	// c2 was removed where it stood (after c1); c4 moved before c3 (or c3
	// after c4: one of the two moved, and the diff names one).
	want := "c1:text c2:removed,text c4:moved,renumbered c3:alternatives c5:added,text"
	if s := summary(got); s != want {
		t.Errorf("got  %s\nwant %s", s, want)
	}
	var html strings.Builder
	for _, sp := range got[0].Texts[0].Spans {
		switch sp.Op {
		case textdiff.Insert:
			html.WriteString("[+" + sp.Text + "]")
		case textdiff.Delete:
			html.WriteString("[-" + sp.Text + "]")
		default:
			html.WriteString(sp.Text)
		}
	}
	if h := html.String(); h != "The parties cease fire along the [+whole ]line of contact." {
		t.Errorf("word diff %q", h)
	}
	if ins, del := got[0].Words(); ins != 1 || del != 0 {
		t.Errorf("words %d/%d", ins, del)
	}
	if c3 := got[3]; c3.FromNumber != "3" || c3.ToNumber != "3" || len(c3.ToAlternatives) != 1 || c3.TextChanged() {
		t.Errorf("c3: %+v", got[3])
	}
	// Nothing changed: every clause is unchanged.
	for _, c := range CompareVersions(a, a) {
		if c.Changed() {
			t.Errorf("unchanged version: %+v", c)
		}
	}
	if len(CompareVersions(nil, nil)) != 0 {
		t.Error("empty versions")
	}
}

// TestCompareLanguages: each language is compared on its own; a language
// written only on one side is wholly inserted or deleted.
func TestCompareLanguages(t *testing.T) {
	a := []parley.VersionClause{{ClauseID: "c", Number: "1", Kind: parley.KindClause,
		Texts: parley.Texts{parley.English: "Cease fire.", parley.Russian: "Прекратить огонь."}}}
	b := []parley.VersionClause{{ClauseID: "c", Number: "1", Kind: parley.KindClause,
		Texts: parley.Texts{parley.English: "Cease fire.", parley.Ukrainian: "Припинити вогонь.", parley.Russian: "Прекратить огонь немедленно."}}}
	got := CompareVersions(a, b)[0].Texts
	if len(got) != 3 || got[0].Lang != parley.English || got[0].Changed || got[1].Lang != parley.Ukrainian || !got[1].Changed ||
		got[1].Spans[0].Op != textdiff.Insert || got[2].Lang != parley.Russian || !got[2].Changed {
		t.Errorf("%+v", got)
	}
}

func TestLongestIncreasing(t *testing.T) {
	for _, tt := range []struct {
		xs   []int
		want int
	}{{nil, 0}, {[]int{0, 1, 2}, 3}, {[]int{2, 1, 0}, 1}, {[]int{0, 3, 1, 2, 4}, 4}} {
		if got := longestIncreasing(tt.xs); len(got) != tt.want {
			t.Errorf("%v: %v", tt.xs, got)
		}
	}
}

func TestAlignDrafts(t *testing.T) {
	ua := []parley.VersionClause{
		{ClauseID: "u0", Number: "1", Kind: parley.KindSection, Texts: parley.Texts{parley.English: "Ceasefire"}},
		vc("u1", "1.1", "A full and unconditional ceasefire on land, in the air and at sea for at least thirty days."),
		vc("u2", "1.2", "International monitors verify the ceasefire along the whole line of contact."),
		vc("u3", "1.3", "All deported children are returned to Ukraine."),
	}
	ru := []parley.VersionClause{
		{ClauseID: "r0", Number: "1", Kind: parley.KindSection, Texts: parley.Texts{parley.English: "Cessation of hostilities"}},
		vc("r1", "1.1", "The sides agree a memorandum on the conditions of a future peace."),
		vc("r2", "1.2", "A ceasefire on land, in the air and at sea for thirty days, once mobilisation stops."),
		vc("r3", "1.3", "A ceasefire monitored along the line of contact by a joint commission."),
	}
	got := AlignDrafts(ua, ru)
	var rows []string
	for _, p := range got {
		l, r := "-", "-"
		if p.Left != nil {
			l = p.Left.ClauseID
		}
		if p.Right != nil {
			r = p.Right.ClauseID
		}
		rows = append(rows, fmt.Sprintf("%s|%s|%s", l, r, p.By))
	}
	// By number: the sections, and u1/r1 (1.1 = 1.1) although they say
	// different things; u2 and u3 by words where they overlap, else alone.
	want := "u0|r0|number u1|r1|number u2|r2|number u3|r3|number"
	if s := strings.Join(rows, " "); s != want {
		t.Errorf("by number:\n got  %s\n want %s", s, want)
	}

	// Numbered differently: words decide; unmatched ones stand alone.
	ru2 := []parley.VersionClause{
		vc("r3", "1", "A ceasefire monitored along the line of contact by international monitors."),
		vc("r9", "2", "Sanctions are lifted."),
		vc("r2", "3", "A ceasefire on land, in the air and at sea for thirty days."),
	}
	got = AlignDrafts(ua[1:], ru2)
	rows = nil
	for _, p := range got {
		l, r := "-", "-"
		if p.Left != nil {
			l = p.Left.ClauseID
		}
		if p.Right != nil {
			r = p.Right.ClauseID
		}
		rows = append(rows, fmt.Sprintf("%s|%s|%s", l, r, p.By))
	}
	want = "-|r9| u1|r2|words u2|r3|words u3|-|"
	if s := strings.Join(rows, " "); s != want {
		t.Errorf("by words:\n got  %s\n want %s", s, want)
	}
	if got[1].Overlap < MinOverlap || len(got[1].Texts) != 1 || !got[1].Texts[0].Changed {
		t.Errorf("u1/r2: %+v", got[1])
	}
}

// TestTighten: a word that gained punctuation is not shown as replaced;
// cuts fall only between words.
func TestTighten(t *testing.T) {
	show := func(spans []textdiff.Span) string {
		var b strings.Builder
		for _, sp := range spans {
			switch sp.Op {
			case textdiff.Insert:
				b.WriteString("[+" + sp.Text + "]")
			case textdiff.Delete:
				b.WriteString("[-" + sp.Text + "]")
			default:
				b.WriteString(sp.Text)
			}
		}
		return b.String()
	}
	for _, tt := range []struct{ a, b, want string }{
		{"The parties open humanitarian corridors for civilians.", "The parties open humanitarian corridors, agreed with the ICRC, for civilians.",
			"The parties open humanitarian corridors[+, agreed with the ICRC,] for civilians."},
		{"The parties cease fire.", "The parties ceasefire.", "The parties [-cease fire][+ceasefire]."},
		{"Thirty days.", "Sixty days.", "[-Thirty][+Sixty] days."},
	} {
		if got := show(tighten(textdiff.Words(tt.a, tt.b, Timeout))); got != tt.want {
			t.Errorf("%q → %q:\n got  %s\n want %s", tt.a, tt.b, got, tt.want)
		}
	}
}
