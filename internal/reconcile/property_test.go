package reconcile

import (
	"context"
	"math"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

func genPersonRapid(t *rapid.T, names []genName, id string) Person {
	root := rapid.SampledFrom(surnameRoots).Draw(t, "root")
	suf := rapid.SampledFrom(surnameSuffixes).Draw(t, "suffix")
	g := rapid.SampledFrom(names).Draw(t, "given")
	p := Person{ID: id, FamilyName: root + suf, GivenName: g.uk}
	if !g.female {
		f := rapid.SampledFrom(names[:strings.Count(strings.TrimSpace(maleNames), "\n")+1]).Draw(t, "father")
		p.Patronymic = f.ukPat[0]
	}
	p.BirthDate = Date{
		Year:  rapid.IntRange(1950, 2005).Draw(t, "year"),
		Month: rapid.IntRange(1, 12).Draw(t, "month"),
		Day:   rapid.IntRange(1, 28).Draw(t, "day"),
	}
	return p
}

// A name's key survives every transliteration table, the Russian spelling
// of a surname and capitals.
func TestKeyOfTransliterations(t *testing.T) {
	names := genNames()
	rapid.Check(t, func(t *rapid.T) {
		p := genPersonRapid(t, names, "a")
		for _, s := range []string{p.FamilyName, p.GivenName, p.Patronymic} {
			k := Key(s)
			for _, tb := range Tables {
				if got := Key(tb.Transliterate(s)); got != k {
					t.Fatalf("Key(%s(%q) = %q) = %q, want %q", tb.Name, s, tb.Transliterate(s), got, k)
				}
			}
			if got := Key(strings.ToUpper(s)); got != k {
				t.Fatalf("Key(upper %q) = %q, want %q", s, got, k)
			}
		}
		if got, want := FamilyKey(RussianSpelling(p.FamilyName)), FamilyKey(p.FamilyName); got != want {
			t.Fatalf("FamilyKey(RussianSpelling(%q)) = %q, want %q", p.FamilyName, got, want)
		}
	})
}

// A person matches every transliteration of themselves, and their Russian
// form, when nothing else is in the lists.
func TestPersonMatchesOwnTransliteration(t *testing.T) {
	names := genNames()
	rapid.Check(t, func(t *rapid.T) {
		p := genPersonRapid(t, names, "L1")
		q := russianForm(p, names)
		if rapid.Bool().Draw(t, "latin") {
			tb := rapid.SampledFrom(Tables).Draw(t, "table")
			q.FamilyName, q.GivenName, q.Patronymic = tb.Transliterate(q.FamilyName), tb.Transliterate(q.GivenName), tb.Transliterate(q.Patronymic)
		}
		q.ID = "R1"
		res, err := NewMatcher([]Person{p}, []Person{q}, Options{Workers: 1}).Run(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Matches) != 1 {
			t.Fatalf("%v and %v: %d matches, possible %v", p, q, len(res.Matches), res.Possible)
		}
	})
}

// The assignment is one to one, and no entry of a match is offered for
// review as well.
func TestAssignmentOneToOne(t *testing.T) {
	names := genNames()
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(1, 40).Draw(t, "n")
		var left, right []Person
		for i := range n {
			p := genPersonRapid(t, names, "")
			p.ID = "L" + string(rune('A'+i))
			left = append(left, p)
			// Duplicates and near-duplicates make namesakes.
			for range rapid.IntRange(0, 2).Draw(t, "copies") {
				q := russianForm(p, names)
				if rapid.Bool().Draw(t, "dropDate") {
					q.BirthDate = Date{}
				}
				q.ID = "R" + string(rune('A'+len(right)))
				right = append(right, q)
			}
		}
		res, err := NewMatcher(left, right, Options{}).Run(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		usedL, usedR := map[int]bool{}, map[int]bool{}
		for _, p := range res.Matches {
			if usedL[p.Left] || usedR[p.Right] {
				t.Fatalf("entry used twice: %+v", p)
			}
			usedL[p.Left], usedR[p.Right] = true, true
		}
		for _, p := range res.Possible {
			if usedL[p.Left] || usedR[p.Right] {
				t.Fatalf("possible pair %+v shares an entry with a match", p)
			}
		}
	})
}

// Swapping the lists gives the same score for the same two people.
func TestScoreSymmetric(t *testing.T) {
	names := genNames()
	rapid.Check(t, func(t *rapid.T) {
		a := genPersonRapid(t, names, "a")
		b := genPersonRapid(t, names, "b")
		if rapid.Bool().Draw(t, "related") {
			b = russianForm(a, names)
			if rapid.Bool().Draw(t, "swapNames") {
				b.FamilyName, b.GivenName = b.GivenName, b.FamilyName
			}
			if rapid.Bool().Draw(t, "yearOnly") {
				b.BirthDate = Date{Year: b.BirthDate.Year}
			}
		}
		c := genPersonRapid(t, names, "c")
		ab := NewMatcher([]Person{a, c}, []Person{b}, Options{}).Compare(0, 0)
		ba := NewMatcher([]Person{b}, []Person{a, c}, Options{}).Compare(0, 0)
		if math.Abs(ab.Score-ba.Score) > 1e-9 {
			t.Fatalf("Compare(a, b) = %.3f (%s), Compare(b, a) = %.3f (%s)", ab.Score, FormatReasons(ab.Reasons), ba.Score, FormatReasons(ba.Reasons))
		}
		var sum float64
		for _, r := range ab.Reasons {
			sum += r.Weight
		}
		if math.Abs(sum-ab.Score) > 1e-6 {
			t.Fatalf("reasons add up to %.3f, score is %.3f: %s", sum, ab.Score, FormatReasons(ab.Reasons))
		}
	})
}
