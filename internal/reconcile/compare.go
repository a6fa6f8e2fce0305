package reconcile

import (
	"fmt"
	"math"
	"strings"
)

// A Reason is one line of the explanation of a score: what a field's
// comparison found and how much it weighed.
type Reason struct {
	Field   string  // "family name", "given name", "patronymic", "birth date", "lists", "candidates"
	Outcome string  // what was found, such as "same name Олександр/Александр"
	Weight  float64 // log2 likelihood ratio this finding contributes
}

// FormatReasons writes reasons on one line, separated by semicolons.
func FormatReasons(rs []Reason) string {
	var b strings.Builder
	for i, r := range rs {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%s: %s %+.1f", r.Field, r.Outcome, r.Weight)
	}
	return b.String()
}

// The m-probabilities below are how often a field of one person reads a
// given way in two lists; they are guesses about clerical noise, written
// down once, not fitted to any sample. The u-probabilities, how often two
// different people agree by chance, come from the lists' own frequencies.
const (
	mFamilySame = 0.85 // surnames agree after normalisation
	mGivenSame  = 0.85 // given names are the same name
	mPatSame    = 0.9  // both patronymics given and the same
	mYearSame   = 0.9  // one date is a year only and the years agree

	// Each list, independently, exchanges day and month or puts the
	// year one off in a few per cent of dates; a pair shows the sum of
	// the two lists' errors, so two years off, or exchanged and one
	// year off, happen too, only more rarely.
	pDateSwapped = 0.03
	pDateYearOff = 0.03
	mDateSame    = 0.75

	// Ukrainian і stands where Russian has е in many surnames
	// (Білоус/Белоус, Олійник/Олейник): a regular correspondence of the
	// two languages, not a typing error, but not every surname that
	// differs so is one person's, so it costs a bit against the same
	// spelling.
	vowelVariant = 1

	typoFamily = 3 // bits lost when a surname agrees only within a typing error
	// A given name within a typing error of another costs less: a
	// stranger's given name is seldom one typing error away from this
	// one unless it is this name mistyped, which is as rare as the name
	// itself, so such agreement is nearly as telling as the same name.
	// Surnames differ from each other by one letter far more often
	// (Коваль, Ковалі), so they keep the larger cost.
	typoGiven = 1
	typoPat   = 3

	wFamilyDiffers = -6.0 // a surname that matches nothing
	wGivenDiffers  = -6.0
	wPatDiffers    = -6.0 // different fathers: the namesakes' tell
	wDateDiffers   = -7.0 // two full dates that no clerical error explains
	wSwapped       = -1.0 // family and given name exchanged: rare, but it happens
)

func log2(x float64) float64 { return math.Log2(x) }

// levels of agreement of a name field.
const (
	differs = iota
	typo
	same
	missing
	variant  // family names that agree once е and і are merged
	twoTypos // family names two typing errors apart
)

// vowelFold merges e into i in a family key and collapses the doubles this
// makes: Олійник (olinik) and Олейник (oleinik) both give olinik, Білоус and
// Белоус bilous.
func vowelFold(k string) string {
	if strings.IndexByte(k, 'e') < 0 {
		return k
	}
	b := []byte(k)
	for i, c := range b {
		if c == 'e' {
			b[i] = 'i'
		}
	}
	return string(collapse(b))
}

// editDistance returns the optimal string alignment distance between a and
// b (insertions, deletions, substitutions and transpositions of neighbours),
// or max+1 if it exceeds max.
func editDistance(a, b string, max int) int {
	if len(a) > len(b) {
		a, b = b, a
	}
	if len(b)-len(a) > max {
		return max + 1
	}
	if len(b) > 62 {
		if a == b {
			return 0
		}
		return max + 1
	}
	var rows [3][64]int
	p2, p1, cur := &rows[0], &rows[1], &rows[2]
	for j := 0; j <= len(b); j++ {
		p1[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		lo := i
		for j := 1; j <= len(b); j++ {
			c := 1
			if a[i-1] == b[j-1] {
				c = 0
			}
			v := p1[j-1] + c
			if d := p1[j] + 1; d < v {
				v = d
			}
			if d := cur[j-1] + 1; d < v {
				v = d
			}
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				if d := p2[j-2] + 1; d < v {
					v = d
				}
			}
			cur[j] = v
			if v < lo {
				lo = v
			}
		}
		if lo > max {
			return max + 1
		}
		p2, p1, cur = p1, cur, p2
	}
	return p1[len(b)]
}

// familyEdits compares two family keys that are not the same: typo when
// they differ by a typing error (as [near] says), twoTypos when keys of five
// letters or more are two edits apart that near does not take for one error
// (under eight letters): two typing errors, one in each list or both in one,
// such as Олерник for Олійник. Shorter keys are too short for two errors to
// leave enough of the name. It computes the edit distance once.
func familyEdits(a, b string) int {
	n := min(len(a), len(b))
	if n < 4 {
		return differs
	}
	switch d := editDistance(a, b, 2); {
	case d <= 1, d == 2 && (n >= 8 || oneLetter(a, b)):
		return typo
	case d == 2 && n >= 5:
		return twoTypos
	}
	return differs
}

// near reports whether two keys differ by no more than a typing error:
// one edit for ordinary names, two for long ones. Keys shorter than four
// letters are too short to tell a typing error from another name.
func near(a, b string) bool {
	return nearMin(a, b, 4)
}

func nearMin(a, b string, shortest int) bool {
	n := min(len(a), len(b))
	switch {
	case n < shortest:
		return false
	case n < 8:
		d := editDistance(a, b, 2)
		return d <= 1 || d == 2 && oneLetter(a, b)
	}
	return editDistance(a, b, 2) <= 2
}

// oneLetter reports whether a and b, two edits apart, differ by one
// typing error in the written name. The key spells some single letters with
// two (я ia, ю iu, щ SC), and collapses the doubles a dropped letter or an
// exchange of two letters can make (Наар for Назар is nar against nazar,
// Мельниичч for Мельничич melniC against melniCiC): one letter of the name,
// two of the key.
func oneLetter(a, b string) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	if len(b) > 62 || len(b)-len(a) > 3 {
		return false
	}
	var ua, ub [64]byte
	if x, y := units(ua[:0], a), units(ub[:0], b); (len(x) != len(a) || len(y) != len(b)) && editDistance(string(x), string(y), 1) <= 1 {
		return true
	}
	// One letter dropped, or two exchanged, before the doubles collapsed.
	var buf [64]byte
	for i := 0; i < len(b); i++ {
		t := append(append(buf[:0], b[:i]...), b[i+1:]...)
		if string(collapse(t)) == a {
			return true
		}
	}
	for _, x := range [2]string{a, b} {
		y := b
		if x == b {
			y = a
		}
		for i := 0; i+1 < len(x); i++ {
			t := append(buf[:0], x...)
			t[i], t[i+1] = t[i+1], t[i]
			if string(collapse(t)) == y {
				return true
			}
		}
	}
	return false
}

// units writes the key letters that spell one letter of the name as one
// byte: ia, iu and SC (я, ю, щ).
func units(dst []byte, k string) []byte {
	for i := 0; i < len(k); i++ {
		if i+1 < len(k) {
			switch k[i : i+2] {
			case "ia":
				dst = append(dst, 'A')
				i++
				continue
			case "iu":
				dst = append(dst, 'U')
				i++
				continue
			case "SC":
				dst = append(dst, 'W')
				i++
				continue
			}
		}
		dst = append(dst, k[i])
	}
	return dst
}
