package reconcile

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"testing"
)

func readList(tb testing.TB, path string) []Person {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	ps, err := ReadCSV(f, path)
	if err != nil {
		tb.Fatal(err)
	}
	return ps
}

func readTruth(tb testing.TB, path string) map[[2]string]bool {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		tb.Fatal(err)
	}
	t := map[[2]string]bool{}
	for _, r := range rows[1:] {
		t[[2]string{r[0], r[1]}] = true
	}
	return t
}

// quality is precision, recall and F1 of asserted pairs against the truth.
type quality struct {
	tp, fp, fn            int
	precision, recall, f1 float64
}

func measure(pairs [][2]string, truth map[[2]string]bool) quality {
	var q quality
	for _, p := range pairs {
		if truth[p] {
			q.tp++
		} else {
			q.fp++
		}
	}
	q.fn = len(truth) - q.tp
	q.precision = float64(q.tp) / float64(max(q.tp+q.fp, 1))
	q.recall = float64(q.tp) / float64(max(len(truth), 1))
	if q.precision+q.recall > 0 {
		q.f1 = 2 * q.precision * q.recall / (q.precision + q.recall)
	}
	return q
}

func runSample(tb testing.TB, dir string) (quality, *Matcher, *Result, []Person, []Person, map[[2]string]bool) {
	tb.Helper()
	left := readList(tb, filepath.Join(dir, "left.csv"))
	right := readList(tb, filepath.Join(dir, "right.csv"))
	truth := readTruth(tb, filepath.Join(dir, "truth.csv"))
	m := NewMatcher(left, right, Options{})
	res, err := m.Run(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	var pairs [][2]string
	for _, p := range res.Matches {
		pairs = append(pairs, [2]string{left[p.Left].ID, right[p.Right].ID})
	}
	return measure(pairs, truth), m, res, left, right, truth
}

// The targets: a false match sends the wrong person home, so precision comes
// first.
const (
	wantPrecision = 0.99
	wantRecall    = 0.96
	// devRecallFloor is just under what the engine measurably reaches on
	// dev (0.9488, see docs/reconcile.md); the target above is not met
	// there, and this floor keeps it from sliding back. Most of dev's 307
	// missed pairs are names-only pairs with namesakes in the lists, or
	// exact ties no field tells apart.
	devRecallFloor = 0.947
)

func TestQualitySmall(t *testing.T) {
	q, _, res, _, _, _ := runSample(t, "testdata/small")
	t.Logf("small: precision %.4f recall %.4f F1 %.4f (tp %d fp %d fn %d), %d possible", q.precision, q.recall, q.f1, q.tp, q.fp, q.fn, len(res.Possible))
	if q.precision < wantPrecision || q.recall < wantRecall {
		t.Errorf("small: precision %.4f recall %.4f, want at least %.2f and %.2f", q.precision, q.recall, wantPrecision, wantRecall)
	}
}

func TestQualityDev(t *testing.T) {
	q, _, res, _, _, _ := runSample(t, "testdata/dev")
	t.Logf("dev: precision %.4f recall %.4f F1 %.4f (tp %d fp %d fn %d), %d possible, %d compared", q.precision, q.recall, q.f1, q.tp, q.fp, q.fn, len(res.Possible), res.Compared)
	if q.precision < wantPrecision || q.recall < devRecallFloor {
		t.Errorf("dev: precision %.4f recall %.4f, want at least %.2f and %.3f", q.precision, q.recall, wantPrecision, devRecallFloor)
	}
}

// Every pair written out carries its reasons, and they add up to its score.
func TestReasonsExplainScore(t *testing.T) {
	_, _, res, _, _, _ := runSample(t, "testdata/small")
	for _, p := range append(res.Matches, res.Possible...) {
		var sum float64
		for _, r := range p.Reasons {
			sum += r.Weight
		}
		if len(p.Reasons) < 4 || sum-p.Score > 1e-6 || p.Score-sum > 1e-6 {
			t.Fatalf("pair %+v: reasons add to %.3f", p, sum)
		}
	}
}
