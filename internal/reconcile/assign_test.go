package reconcile

import (
	"context"
	"strings"
	"testing"
)

// withFiller runs the matcher on left and right after 400 synthetic
// strangers on each side, so that name frequencies mean something, and
// returns the matches and possible pairs among the given entries, by id.
func withFiller(t *testing.T, left, right []Person) (matches map[string]string, possible map[string]string) {
	t.Helper()
	fl, fr := genLists(11, 400, 0)
	n := len(left)
	res, err := NewMatcher(append(left, fl...), append(right, fr...), Options{}).Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	all := append(left, fl...)
	allR := append(right, fr...)
	matches, possible = map[string]string{}, map[string]string{}
	for _, p := range res.Matches {
		if p.Left < n || p.Right < len(right) {
			matches[all[p.Left].ID] = allR[p.Right].ID
		}
	}
	for _, p := range res.Possible {
		if p.Left < n && p.Right < len(right) {
			possible[all[p.Left].ID+"-"+allR[p.Right].ID] = p.Reasons[len(p.Reasons)-1].Outcome
		}
	}
	return matches, possible
}

func person(id, fam, giv, pat, date string) Person {
	d, err := ParseDate(date)
	if err != nil {
		panic(err)
	}
	return Person{ID: id, FamilyName: fam, GivenName: giv, Patronymic: pat, BirthDate: d}
}

// Two left entries compete for one right entry with the same score, but one
// of them has a much better partner elsewhere: the pairing as a whole, not
// the single candidate, decides.
func TestTieResolvedByPairing(t *testing.T) {
	left := []Person{
		person("L1", "Шинкарук", "Артем", "", "1969-06-24"),
		person("L2", "Шинкарук", "Артем", "Іванович", "1969"),
	}
	right := []Person{
		person("R1", "ШИНКАРУК", "Артем", "Иванович", "1969-06-24"),
		person("R2", "Шинкарук", "Артём", "Иванович", "1969-11-01"),
	}
	got, possible := withFiller(t, left, right)
	if got["L1"] != "R1" || got["L2"] != "R2" {
		t.Fatalf("matches %v, possible %v; want L1-R1 and L2-R2", got, possible)
	}
}

// A real tie stays for review: two people with the same name and
// patronymic and no date, and one entry on the other side.
func TestRealTieHeldBack(t *testing.T) {
	left := []Person{
		person("L1", "Шинкарук", "Тетяна", "Сергіївна", "1985-10-25"),
		person("L2", "ШИНКАРУК", "Тетяна", "Сергіївна", "1992-03-13"),
	}
	right := []Person{person("R1", "Шинкарук", "Татьяна", "Сергеевна", "")}
	got, possible := withFiller(t, left, right)
	if len(got) != 0 || len(possible) != 2 {
		t.Fatalf("matches %v, possible %v; want none and two", got, possible)
	}
}

// Names alone match when no one else in either list has them, and go to
// review when a namesake is in sight.
func TestNamesOnlyUnique(t *testing.T) {
	left := []Person{person("L1", "Шинкарук", "Тарас", "", "")}
	right := []Person{person("R1", "ШИНКАРУК", "Тарас", "Игоревич", "1992-05-12")}
	if got, possible := withFiller(t, left, right); got["L1"] != "R1" {
		t.Fatalf("alone: matches %v, possible %v; want L1-R1", got, possible)
	}
	right = append(right, person("R2", "Шинкарук", "Тарас", "Петрович", "1980-01-02"))
	got, possible := withFiller(t, left, right)
	if len(got) != 0 {
		t.Fatalf("with a namesake: matches %v, possible %v; want none", got, possible)
	}
	for _, why := range possible {
		if !strings.Contains(why, "margin") {
			t.Fatalf("with a namesake: possible %v", possible)
		}
	}
}

// Two different names of the dictionary contradict a pair as different
// fathers do, whatever the other fields say.
func TestDifferentGivenNamesContradict(t *testing.T) {
	left := []Person{person("L1", "Шинкарук", "Кирило", "", "1985-12-07")}
	right := []Person{person("R1", "Шинкарук", "Денис", "Петрович", "1985-12-07")}
	got, possible := withFiller(t, left, right)
	if len(got) != 0 || possible["L1-R1"] != "a field contradicts the pair" {
		t.Fatalf("matches %v, possible %v", got, possible)
	}
}

// Names alone match, too, once every namesake in either list has been
// matched to someone else on stronger evidence: the namesake in sight is
// accounted for. The thresholds are set around the names-only score, so that
// it clears the match threshold but not match + margin.
func TestNamesOnlyNamesakeAccountedFor(t *testing.T) {
	fl, fr := genLists(11, 400, 0)
	run := func(left, right []Person) map[string]string {
		t.Helper()
		l, r := append(left, fl...), append(right, fr...)
		m := NewMatcher(l, r, Options{})
		s := m.Compare(0, 0).Score
		m = NewMatcher(l, r, Options{Match: s - 1, Margin: 4, Possible: s - 10, ThresholdsSet: true})
		res, err := m.Run(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, p := range res.Matches {
			got[l[p.Left].ID] = r[p.Right].ID
		}
		return got
	}
	left := []Person{person("L1", "Шинкарук", "Тарас", "", "")}
	right := []Person{
		person("R1", "ШИНКАРУК", "Тарас", "Игоревич", "1992-05-12"),
		person("R2", "Шинкарук", "Тарас", "Петрович", "1980-01-02"),
	}
	if got := run(left, right); got["L1"] != "" {
		t.Fatalf("with a namesake: matches %v; want L1 in review", got)
	}
	left = append(left, person("L2", "Шинкарук", "Тарас", "Петрович", "1980-01-02"))
	if got := run(left, right); got["L2"] != "R2" || got["L1"] != "R1" {
		t.Fatalf("namesake accounted for: matches %v; want L1-R1 and L2-R2", got)
	}
	right = append(right, person("R3", "Шинкарук", "Тарас", "", "1975"))
	if got := run(left, right); got["L2"] != "R2" || got["L1"] != "" {
		t.Fatalf("with a namesake left over: matches %v; want only L2-R2", got)
	}
}

// A mistyped surname is found even when the typing error, read through the
// key, deletes a letter the key writes with two (Юенко for Ющенко) or
// leaves a double the key reads once (МААРИШИН for Макаришин).
func TestBlockingFindsKeyTypos(t *testing.T) {
	left := []Person{
		person("L1", "Юенко", "Анатолій", "Іванович", "1974-03-11"),
		person("L2", "Макаришин", "Степан", "Павлович", "1979-05-05"),
	}
	right := []Person{
		person("R1", "Ющенко", "Анатолий", "Иванович", ""),
		person("R2", "МААРИШИН", "Степан", "", "1979"),
	}
	got, possible := withFiller(t, left, right)
	if got["L1"] != "R1" || got["L2"] != "R2" {
		t.Fatalf("matches %v, possible %v; want L1-R1 and L2-R2", got, possible)
	}
}

// A surname two typing errors off (Олерник for Олійник, ій typed as ер) is
// weak evidence, not a contradiction: with the same given name and the same
// full date the pair is asserted.
func TestFamilyTwoTypos(t *testing.T) {
	left := []Person{person("L1", "Олійник", "Роман", "Григорович", "1997-06-25")}
	right := []Person{person("R1", "Олерник", "Роман", "", "1997-06-25")}
	got, possible := withFiller(t, left, right)
	if got["L1"] != "R1" {
		t.Fatalf("matches %v, possible %v; want L1-R1", got, possible)
	}
	fam := NewMatcher(left, right, Options{}).Compare(0, 0).Reasons[0]
	if !strings.Contains(fam.Outcome, "two typing errors") || fam.Weight < 0 {
		t.Fatalf("family name: %+v, want two typing errors at no cost below 0", fam)
	}
}

// Blocking finds a pair whose year is two off and whose given name is
// mistyped (family, day and month), and one whose surname differs by
// Ukrainian і for Russian е and whose given name is mistyped, with no date
// on one side (family, the two spellings merged, and patronymic).
func TestBlockingFindsYearAndVowel(t *testing.T) {
	left := []Person{
		person("L1", "Скляр", "Вадм", "Вадимович", "2003-02-04"),
		person("L2", "Oliinyk", "Vedym", "Denysovych", ""),
	}
	right := []Person{
		person("R1", "Скляр", "Вадим", "", "2005-02-04"),
		person("R2", "ОЛЕЙНИК", "Вадим", "Денисович", "1999-11-02"),
	}
	got, possible := withFiller(t, left, right)
	for _, p := range [][2]string{{"L1", "R1"}, {"L2", "R2"}} {
		if _, ok := possible[p[0]+"-"+p[1]]; !ok && got[p[0]] != p[1] {
			t.Errorf("%s-%s not among the candidates: matches %v, possible %v", p[0], p[1], got, possible)
		}
	}
}
