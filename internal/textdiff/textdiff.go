// Package textdiff compares negotiated texts word by word, so that a reader
// sees at once which words of an offer changed in the next.
package textdiff

import (
	"strings"
	"time"
	"unicode"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// Op says what happened to a run of words.
type Op int

// The operations of a diff.
const (
	Equal Op = iota
	Insert
	Delete
)

// Span is a run of text with what happened to it.
type Span struct {
	Op   Op
	Text string
}

// Words compares a and b word by word (whitespace and punctuation kept with
// their words) and returns the spans of b's view: equal, deleted from a,
// inserted in b. It gives up refining after timeout and returns a coarser,
// still correct, diff.
func Words(a, b string, timeout time.Duration) []Span {
	tokens := map[string]rune{}
	var vocab []string
	encode := func(s string) []rune {
		var out []rune
		for _, w := range split(s) {
			r, ok := tokens[w]
			if !ok {
				// Private-use code points keep the encoding away from
				// surrogates and invalid runes.
				r = rune(0xF0000 + len(vocab))
				tokens[w] = r
				vocab = append(vocab, w)
			}
			out = append(out, r)
		}
		return out
	}
	ra, rb := encode(a), encode(b)
	dmp := diffmatchpatch.New()
	dmp.DiffTimeout = timeout
	diffs := dmp.DiffMainRunes(ra, rb, false)
	diffs = dmp.DiffCleanupSemantic(diffs)
	var out []Span
	for _, d := range diffs {
		var text strings.Builder
		for _, r := range d.Text {
			text.WriteString(vocab[r-0xF0000])
		}
		op := Equal
		switch d.Type {
		case diffmatchpatch.DiffInsert:
			op = Insert
		case diffmatchpatch.DiffDelete:
			op = Delete
		}
		if n := len(out); n > 0 && out[n-1].Op == op {
			out[n-1].Text += text.String()
			continue
		}
		out = append(out, Span{Op: op, Text: text.String()})
	}
	return out
}

// split cuts s into words, each followed by the spaces after it; runs of
// punctuation are words of their own.
func split(s string) []string {
	var out []string
	start := 0
	rs := []rune(s)
	class := func(r rune) int {
		switch {
		case unicode.IsSpace(r):
			return 0
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '\'' || r == '’' || r == 'ʼ' || r == '-':
			return 1
		}
		return 2
	}
	for i := 1; i <= len(rs); i++ {
		if i == len(rs) || (class(rs[i]) != 0 && class(rs[i]) != class(rs[i-1])) || (class(rs[i]) == 2 && class(rs[i-1]) == 2) {
			out = append(out, string(rs[start:i]))
			start = i
		}
	}
	return out
}
