package memodiff

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parley-talks/parley"
)

var vocabulary = strings.Fields(`the parties shall cease all hostilities along line of contact from hour agreed
monitors international commission verify report violations each day within zone withdraw heavy weapons kilometres
prisoners war exchanged released civilians detained returned children families humanitarian corridors open safe
passage evacuation wounded sick bodies fallen repatriated mediator convene working group review implementation
memorandum enters into force upon signature remains until replaced by agreement settlement peace lasting just`)

// document returns a memorandum of about size bytes in English, in
// sections of ten clauses of forty to eighty words.
func document(size int, rng *rand.Rand) []parley.VersionClause {
	var out []parley.VersionClause
	total, section := 0, 0
	for n := 0; total < size; n++ {
		if n%11 == 0 {
			section++
			out = append(out, parley.VersionClause{ClauseID: "s" + strconv.Itoa(section), Number: strconv.Itoa(section), Kind: parley.KindSection,
				Texts: parley.Texts{parley.English: "Section " + strconv.Itoa(section)}})
			continue
		}
		words := make([]string, 40+rng.IntN(40))
		for i := range words {
			words[i] = vocabulary[rng.IntN(len(vocabulary))]
		}
		text := strings.Join(words, " ") + "."
		total += len(text)
		out = append(out, parley.VersionClause{ClauseID: "c" + strconv.Itoa(n), Number: strconv.Itoa(section) + "." + strconv.Itoa(n%11),
			Kind: parley.KindClause, Texts: parley.Texts{parley.English: text}})
	}
	return out
}

// edit returns doc with share of its clauses edited: in each, a word
// replaced, a word inserted and a word deleted, at random places. It
// returns the number of words changed: 4 per clause (one replaced counts
// as deleted and inserted).
func edit(doc []parley.VersionClause, share float64, rng *rand.Rand) ([]parley.VersionClause, int) {
	out := make([]parley.VersionClause, len(doc))
	copy(out, doc)
	changed := 0
	for i := range out {
		if out[i].Kind != parley.KindClause || rng.Float64() >= share {
			continue
		}
		words := strings.Fields(out[i].Texts[parley.English])
		k := rng.IntN(len(words) - 3)
		words[k] = "ZZreplaced"
		words = append(words[:k+1], append([]string{"ZZinserted"}, words[k+1:]...)...)
		j := k + 2 + rng.IntN(len(words)-k-3)
		words = append(words[:j], words[j+1:]...)
		out[i].Texts = parley.Texts{parley.English: strings.Join(words, " ")}
		changed += 4
	}
	return out, changed
}

func docBytes(doc []parley.VersionClause) int {
	n := 0
	for _, c := range doc {
		n += len(c.Texts[parley.English])
	}
	return n
}

// BenchmarkCompareVersions compares two versions of a 2 MB memorandum of
// which 1 % of the clauses were edited. It reports the words the diff
// marks (inserted + deleted) per word really changed: 1.0 is minimal.
func BenchmarkCompareVersions(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	a := document(2<<20, rng)
	c, changed := edit(a, 0.01, rng)
	var got []ClauseChange
	b.ResetTimer()
	for b.Loop() {
		got = CompareVersions(a, c)
	}
	b.StopTimer()
	marked, clauses := 0, 0
	for _, ch := range got {
		if ch.Changed() {
			clauses++
		}
		ins, del := ch.Words()
		marked += ins + del
	}
	b.ReportMetric(float64(docBytes(a))/(1<<20), "MB")
	b.ReportMetric(float64(clauses), "changed-clauses")
	b.ReportMetric(float64(changed), "changed-words")
	b.ReportMetric(float64(marked)/float64(changed), "marked/changed")
}

// TestCompareVersionsNearMinimal: on a 2 MB memorandum with 1 % of its
// clauses edited, the comparison finds exactly the edited clauses, marks
// at most a fifth more words than changed, and takes well under a
// second even with the race detector.
func TestCompareVersionsNearMinimal(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	a := document(2<<20, rng)
	c, changed := edit(a, 0.01, rng)
	start := time.Now()
	got := CompareVersions(a, c)
	took := time.Since(start)
	marked, clauses := 0, 0
	for _, ch := range got {
		if ch.Changed() {
			clauses++
		}
		ins, del := ch.Words()
		marked += ins + del
	}
	if clauses != changed/4 || len(got) != len(a) {
		t.Errorf("%d changed clauses of %d, want %d", clauses, len(got), changed/4)
	}
	if float64(marked) > 1.2*float64(changed) || marked < changed {
		t.Errorf("the diff marks %d words for %d changed", marked, changed)
	}
	t.Logf("%d clauses, %d edited: %d words marked for %d changed, in %v", len(a), clauses, marked, changed, took)
	if took > 2*time.Second {
		t.Errorf("comparison took %v", took)
	}
}

// BenchmarkAlignDrafts aligns two 500-clause drafts whose numbers do not
// match at all (the right one has a clause more at the top), so every
// clause is aligned by word overlap: the worst case, n × m comparisons.
func BenchmarkAlignDrafts(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 4))
	var x []parley.VersionClause
	for i := 0; len(x) < 500; i++ {
		words := make([]string, 40+rng.IntN(40))
		for j := range words {
			words[j] = vocabulary[rng.IntN(len(vocabulary))]
		}
		x = append(x, vc("x"+strconv.Itoa(i), strconv.Itoa(i+1), strings.Join(words, " ")+"."))
	}
	y := []parley.VersionClause{vc("y-first", "0", "A preamble.")}
	for i, c := range x {
		c.ClauseID, c.Number = "y"+strconv.Itoa(i), "0."+strconv.Itoa(i+1)
		y = append(y, c)
	}
	y, _ = edit(y, 0.5, rng)
	var got []Pair
	for b.Loop() {
		got = AlignDrafts(x, y)
	}
	aligned := 0
	for _, p := range got {
		if p.Left != nil && p.Right != nil {
			aligned++
		}
	}
	b.ReportMetric(float64(aligned), "aligned")
}
