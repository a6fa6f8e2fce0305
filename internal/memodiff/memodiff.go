// Package memodiff compares memoranda: two versions of one memorandum,
// clause by clause with the words that changed in each language, and two
// different memoranda — the parties' own drafts — aligned clause by clause
// so that a reader sees them side by side.
package memodiff

import (
	"maps"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/textdiff"
)

// Timeout bounds the refinement of each language version's word diff; past
// it the diff is coarser but still correct.
var Timeout = time.Second

// LangDiff is the word diff of one language version of a clause.
type LangDiff struct {
	Lang    parley.Lang
	Changed bool
	Spans   []textdiff.Span
}

// ClauseChange is what happened to one clause between two versions.
type ClauseChange struct {
	ClauseID   string
	Kind       parley.ClauseKind
	FromNumber string // "" when added
	ToNumber   string // "" when removed
	Added      bool
	Removed    bool
	Moved      bool // its place among the other clauses changed
	Renumbered bool // its number changed, e.g. because a clause before it came or went
	Texts      []LangDiff
	// The alternatives in brackets before and after, when they changed.
	AlternativesChanged bool
	FromAlternatives    []parley.VersionAlternative
	ToAlternatives      []parley.VersionAlternative
}

// TextChanged reports whether a language version of the clause changed.
func (c ClauseChange) TextChanged() bool {
	for _, d := range c.Texts {
		if d.Changed {
			return true
		}
	}
	return false
}

// Changed reports whether anything happened to the clause.
func (c ClauseChange) Changed() bool {
	return c.Added || c.Removed || c.Moved || c.Renumbered || c.AlternativesChanged || c.TextChanged()
}

// Words counts the words the diff marks inserted and deleted.
func (c ClauseChange) Words() (inserted, deleted int) {
	for _, d := range c.Texts {
		for _, sp := range d.Spans {
			switch sp.Op {
			case textdiff.Insert:
				inserted += countWords(sp.Text)
			case textdiff.Delete:
				deleted += countWords(sp.Text)
			}
		}
	}
	return inserted, deleted
}

func countWords(s string) int {
	n := 0
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return !(unicode.IsLetter(r) || unicode.IsDigit(r)) }) {
		if f != "" {
			n++
		}
	}
	return n
}

// CompareVersions compares version a of a memorandum with version b,
// clause by clause by identity: a clause keeps its identity however its
// text or number changes. The changes come in b's document order, each
// removed clause where it stood in a.
func CompareVersions(a, b []parley.VersionClause) []ClauseChange {
	inA := make(map[string]int, len(a))
	for i, c := range a {
		inA[c.ClauseID] = i
	}
	inB := make(map[string]bool, len(b))
	// The clauses kept in their order are the longest run of b's clauses
	// whose places in a increase; the others moved.
	var common []int // places in a of b's clauses that a has, in b's order
	for _, c := range b {
		inB[c.ClauseID] = true
		if i, ok := inA[c.ClauseID]; ok {
			common = append(common, i)
		}
	}
	stay := longestIncreasing(common)

	out := make([]ClauseChange, 0, len(b)+len(a)/16)
	next := 0 // the next clause of a that may have been removed
	removed := func(c parley.VersionClause) {
		out = append(out, ClauseChange{ClauseID: c.ClauseID, Kind: c.Kind, FromNumber: c.Number, Removed: true,
			Texts: diffTexts(c.Texts, nil), FromAlternatives: c.Alternatives, AlternativesChanged: len(c.Alternatives) > 0})
	}
	flushRemoved := func(upTo int) {
		for ; next < upTo; next++ {
			if !inB[a[next].ClauseID] {
				removed(a[next])
			}
		}
	}
	for _, c := range b {
		i, ok := inA[c.ClauseID]
		if !ok {
			out = append(out, ClauseChange{ClauseID: c.ClauseID, Kind: c.Kind, ToNumber: c.Number, Added: true,
				Texts: diffTexts(nil, c.Texts), ToAlternatives: c.Alternatives, AlternativesChanged: len(c.Alternatives) > 0})
			continue
		}
		if stay[i] {
			flushRemoved(i + 1)
		}
		old := a[i]
		ch := ClauseChange{ClauseID: c.ClauseID, Kind: c.Kind, FromNumber: old.Number, ToNumber: c.Number,
			Moved: !stay[i], Renumbered: old.Number != c.Number, Texts: diffTexts(old.Texts, c.Texts)}
		if !sameAlternatives(old.Alternatives, c.Alternatives) {
			ch.AlternativesChanged, ch.FromAlternatives, ch.ToAlternatives = true, old.Alternatives, c.Alternatives
		}
		out = append(out, ch)
		if stay[i] {
			// The clauses removed right after it follow it.
			for ; next < len(a) && !inB[a[next].ClauseID]; next++ {
				removed(a[next])
			}
		}
	}
	flushRemoved(len(a))
	return out
}

// longestIncreasing returns the members of the longest strictly
// increasing subsequence of xs, as a set (patience sorting, O(n log n)).
func longestIncreasing(xs []int) map[int]bool {
	tails := []int{} // index in xs of the smallest tail of a run of each length
	prev := make([]int, len(xs))
	for i, x := range xs {
		k := sort.Search(len(tails), func(j int) bool { return xs[tails[j]] >= x })
		if k > 0 {
			prev[i] = tails[k-1]
		} else {
			prev[i] = -1
		}
		if k == len(tails) {
			tails = append(tails, i)
		} else {
			tails[k] = i
		}
	}
	out := make(map[int]bool, len(tails))
	if len(tails) == 0 {
		return out
	}
	for i := tails[len(tails)-1]; i >= 0; i = prev[i] {
		out[xs[i]] = true
	}
	return out
}

// diffTexts compares the language versions of a clause, in the order of
// parley.Langs.
func diffTexts(a, b parley.Texts) []LangDiff {
	var out []LangDiff
	for _, l := range parley.Langs {
		ta, tb := a[l], b[l]
		if ta == "" && tb == "" {
			continue
		}
		if ta == tb {
			out = append(out, LangDiff{Lang: l, Spans: []textdiff.Span{{Op: textdiff.Equal, Text: tb}}})
			continue
		}
		var spans []textdiff.Span
		switch {
		case ta == "":
			spans = []textdiff.Span{{Op: textdiff.Insert, Text: tb}}
		case tb == "":
			spans = []textdiff.Span{{Op: textdiff.Delete, Text: ta}}
		default:
			spans = tighten(textdiff.Words(ta, tb, Timeout))
		}
		out = append(out, LangDiff{Lang: l, Changed: true, Spans: spans})
	}
	return out
}

func sameAlternatives(a, b []parley.VersionAlternative) bool {
	return slices.EqualFunc(a, b, func(x, y parley.VersionAlternative) bool {
		return x.TabledBy == y.TabledBy && x.Kind == y.Kind && maps.Equal(x.Texts, y.Texts)
	})
}

// Pair is a row of two memoranda side by side: a clause of the left one,
// of the right one, or of both when they were aligned.
type Pair struct {
	Left, Right *parley.VersionClause
	By          string  // how they were aligned: "number", "words", or "" for a clause alone
	Overlap     float64 // the share of words the two have in common (Jaccard)
	Texts       []LangDiff
}

// keep is how many candidates of each clause the greedy alignment weighs.
const keep = 8

// MinOverlap is the least share of common words for two clauses of
// different numbers to be aligned.
var MinOverlap = 0.2

// AlignDrafts aligns two different memoranda — say each party's own draft
// — clause by clause: clauses of the same number and kind first, then, of
// the rest, the pairs with the most words in common (in every language),
// best first; a clause with no counterpart stands alone. The rows follow
// the left draft's order, each clause of the right one alone just before
// the next right clause that was aligned.
func AlignDrafts(x, y []parley.VersionClause) []Pair {
	match := make([]int, len(x)) // index in y, or -1
	taken := make([]bool, len(y))
	by := make([]string, len(x))
	byNumber := map[string]int{}
	for j, c := range y {
		byNumber[string(c.Kind)+" "+c.Number] = j
	}
	for i, c := range x {
		match[i] = -1
		if j, ok := byNumber[string(c.Kind)+" "+c.Number]; ok && !taken[j] {
			match[i], taken[j], by[i] = j, true, "number"
		}
	}
	// The rest, by word overlap, greedily from the best pair.
	type cand struct {
		i, j int
		s    float64
	}
	var cands []cand
	ids := map[string]int32{}
	wx, wy := make([][]int32, len(x)), make([][]int32, len(y))
	for j := range y {
		if !taken[j] {
			wy[j] = wordIDs(y[j].Texts, ids)
		}
	}
	for i := range x {
		if match[i] >= 0 {
			continue
		}
		wx[i] = wordIDs(x[i].Texts, ids)
		// Each clause keeps its best few candidates only: the greedy pass
		// needs no more, and a clause whose candidates all went elsewhere
		// gets a second look below.
		var best []cand
		for j := range y {
			if taken[j] || x[i].Kind != y[j].Kind {
				continue
			}
			s := jaccardIDs(wx[i], wy[j])
			if s < MinOverlap || len(best) == keep && s <= best[keep-1].s {
				continue
			}
			k := len(best)
			if k < keep {
				best = append(best, cand{})
			} else {
				k--
			}
			for ; k > 0 && best[k-1].s < s; k-- {
				best[k] = best[k-1]
			}
			best[k] = cand{i, j, s}
		}
		cands = append(cands, best...)
	}
	// Best first; ties in document order, so the alignment is the same
	// every time.
	slices.SortFunc(cands, func(a, b cand) int {
		switch {
		case a.s != b.s:
			if a.s > b.s {
				return -1
			}
			return 1
		case a.i != b.i:
			return a.i - b.i
		}
		return a.j - b.j
	})
	overlap := make([]float64, len(x))
	for _, c := range cands {
		if match[c.i] >= 0 || taken[c.j] {
			continue
		}
		match[c.i], taken[c.j], by[c.i], overlap[c.i] = c.j, true, "words", c.s
	}
	for i := range x {
		if match[i] >= 0 || wx[i] == nil {
			continue
		}
		bj, bs := -1, MinOverlap
		for j := range y {
			if taken[j] || x[i].Kind != y[j].Kind {
				continue
			}
			if s := jaccardIDs(wx[i], wy[j]); s >= bs && (bj < 0 || s > bs) {
				bj, bs = j, s
			}
		}
		if bj >= 0 {
			match[i], taken[bj], by[i], overlap[i] = bj, true, "words", bs
		}
	}

	var out []Pair
	nextY := 0
	flush := func(upTo int) {
		for ; nextY < upTo; nextY++ {
			if !taken[nextY] {
				out = append(out, Pair{Right: &y[nextY], Texts: diffTexts(nil, y[nextY].Texts)})
			}
		}
	}
	for i := range x {
		j := match[i]
		if j < 0 {
			out = append(out, Pair{Left: &x[i], Texts: diffTexts(x[i].Texts, nil)})
			continue
		}
		if j >= nextY {
			flush(j)
		}
		p := Pair{Left: &x[i], Right: &y[j], By: by[i], Overlap: overlap[i], Texts: diffTexts(x[i].Texts, y[j].Texts)}
		if p.By == "number" {
			p.Overlap = jaccard(wordSet(x[i].Texts), wordSet(y[j].Texts))
		}
		out = append(out, p)
	}
	flush(len(y))
	return out
}

// wordIDs returns the lower-cased words of every language version as a
// sorted set of numbers, each word numbered in ids on first sight.
func wordIDs(t parley.Texts, ids map[string]int32) []int32 {
	var out []int32
	for w := range wordSet(t) {
		id, ok := ids[w]
		if !ok {
			id = int32(len(ids))
			ids[w] = id
		}
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// jaccardIDs is jaccard on sorted sets of word numbers.
func jaccardIDs(a, b []int32) float64 {
	if len(a) == 0 && len(b) == 0 {
		return 0
	}
	common := 0
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i] == b[j]:
			common++
			i++
			j++
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return float64(common) / float64(len(a)+len(b)-common)
}

// wordSet returns the lower-cased words of every language version.
func wordSet(t parley.Texts) map[string]bool {
	out := map[string]bool{}
	for _, s := range t {
		for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !(unicode.IsLetter(r) || unicode.IsDigit(r)) }) {
			out[w] = true
		}
	}
	return out
}

func jaccard(a, b map[string]bool) float64 {
	if len(a) == 0 && len(b) == 0 {
		return 0
	}
	common := 0
	for w := range a {
		if b[w] {
			common++
		}
	}
	return float64(common) / float64(len(a)+len(b)-common)
}

// tighten moves out of each replacement (a deletion next to an insertion)
// the whole words and spaces both sides begin or end with: the word diff
// keeps a word's spaces with it, so "corridors " and "corridors, agreed"
// differ as tokens though the word is the same. Only cuts at word
// boundaries are made, so the diff stays word by word.
func tighten(spans []textdiff.Span) []textdiff.Span {
	out := make([]textdiff.Span, 0, len(spans))
	for i := 0; i < len(spans); i++ {
		if i+1 < len(spans) && spans[i].Op != textdiff.Equal && spans[i+1].Op != textdiff.Equal && spans[i].Op != spans[i+1].Op {
			x, y := []rune(spans[i].Text), []rune(spans[i+1].Text)
			p := commonPrefix(x, y)
			x, y = x[p:], y[p:]
			q := commonSuffix(x, y)
			head := string([]rune(spans[i].Text)[:p])
			tail := string(x[len(x)-q:])
			x, y = x[:len(x)-q], y[:len(y)-q]
			out = appendSpan(out, textdiff.Span{Op: textdiff.Equal, Text: head})
			out = appendSpan(out, textdiff.Span{Op: spans[i].Op, Text: string(x)})
			out = appendSpan(out, textdiff.Span{Op: spans[i+1].Op, Text: string(y)})
			out = appendSpan(out, textdiff.Span{Op: textdiff.Equal, Text: tail})
			i++
			continue
		}
		out = appendSpan(out, spans[i])
	}
	return out
}

// appendSpan appends sp, merged with the last span if of the same kind;
// an empty span is dropped.
func appendSpan(out []textdiff.Span, sp textdiff.Span) []textdiff.Span {
	if sp.Text == "" {
		return out
	}
	if n := len(out); n > 0 && out[n-1].Op == sp.Op {
		out[n-1].Text += sp.Text
		return out
	}
	return append(out, sp)
}

func isWord(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// boundary reports whether a cut of s before index k falls between words.
func boundary(s []rune, k int) bool {
	return k == 0 || k == len(s) || !isWord(s[k]) || !isWord(s[k-1])
}

// commonPrefix returns the length of the longest common prefix of x and y
// that ends at a word boundary in both.
func commonPrefix(x, y []rune) int {
	n := 0
	for n < len(x) && n < len(y) && x[n] == y[n] {
		n++
	}
	for n > 0 && !(boundary(x, n) && boundary(y, n)) {
		n--
	}
	return n
}

// commonSuffix is commonPrefix from the end.
func commonSuffix(x, y []rune) int {
	n := 0
	for n < len(x) && n < len(y) && x[len(x)-1-n] == y[len(y)-1-n] {
		n++
	}
	for n > 0 && !(boundary(x, len(x)-n) && boundary(y, len(y)-n)) {
		n--
	}
	return n
}
