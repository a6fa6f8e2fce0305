package reconcile

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"
)

// TestDiag prints the missed and false pairs of a sample (RECONCILE_DIAG=dev).
func TestDiag(t *testing.T) {
	dir := os.Getenv("RECONCILE_DIAG")
	if dir == "" {
		t.Skip("set RECONCILE_DIAG to a sample folder")
	}
	q, m, res, left, right, truth := runSample(t, "testdata/"+dir)
	t.Logf("%+v", q)
	li := map[string]int{}
	ri := map[string]int{}
	for i, p := range left {
		li[p.ID] = i
	}
	for j, p := range right {
		ri[p.ID] = j
	}
	matchedL := map[int]int{}
	matchedR := map[int]int{}
	for _, p := range res.Matches {
		matchedL[p.Left] = p.Right
		matchedR[p.Right] = p.Left
	}
	poss := map[[2]int]Pair{}
	for _, p := range res.Possible {
		poss[[2]int{p.Left, p.Right}] = p
	}
	show := func(p Person) string {
		return fmt.Sprintf("%s %s %s %s %v", p.ID, p.FamilyName, p.GivenName, p.Patronymic, p.BirthDate)
	}
	var lines []string
	for k := range truth {
		i, j := li[k[0]], ri[k[1]]
		if r, ok := matchedL[i]; ok && r == j {
			continue
		}
		p := m.Compare(i, j)
		cat := "below-possible"
		if pp, ok := poss[[2]int{i, j}]; ok {
			cat = pp.Reasons[len(pp.Reasons)-1].Outcome
		} else if r, ok := matchedL[i]; ok {
			cat = "left matched to " + show(right[r])
		} else if l, ok := matchedR[j]; ok {
			cat = "right matched to " + show(left[l])
		}
		lines = append(lines, fmt.Sprintf("FN %6.1f | %s <> %s | %s | %s", p.Score, show(left[i]), show(right[j]), cat, FormatReasons(p.Reasons)))
	}
	for _, p := range res.Matches {
		if truth[[2]string{left[p.Left].ID, right[p.Right].ID}] {
			continue
		}
		lines = append(lines, fmt.Sprintf("FP %6.1f | %s <> %s | %s", p.Score, show(left[p.Left]), show(right[p.Right]), FormatReasons(p.Reasons)))
	}
	sort.Strings(lines)
	out := filepath.Join(os.TempDir(), "diag_"+dir+".txt")
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("missed and false pairs written to %s", out)
	defer f.Close()
	for _, l := range lines {
		fmt.Fprintln(f, l)
	}
}

// TestDiagReview sorts the candidates left for review on a sample
// (RECONCILE_DIAG=dev) into groups by what a rule could see: a field
// contradicting the pair, another uncontradicted candidate of either entry
// within the margin, the names as all there is, the same names by key, and
// the score. For each group it counts true and false pairs, which says how
// much recall a rule asserting that group could add and at what precision.
func TestDiagReview(t *testing.T) {
	dir := os.Getenv("RECONCILE_DIAG")
	if dir == "" {
		t.Skip("set RECONCILE_DIAG to a sample folder")
	}
	_, m, res, left, right, truth := runSample(t, "testdata/"+dir)
	byL, byR := map[int][]Pair{}, map[int][]Pair{}
	for _, p := range res.Possible {
		byL[p.Left] = append(byL[p.Left], p)
		byR[p.Right] = append(byR[p.Right], p)
	}
	type group struct {
		conflict, rival, namesOnly, sameNames bool
		band                                  float64
	}
	counts := map[group][2]int{}
	for _, p := range res.Possible {
		_, conflict, namesOnly, sameNames := m.compare(&m.l[p.Left], &m.r[p.Right], nil)
		rival := false
		for _, q := range append(byL[p.Left], byR[p.Right]...) {
			if q.Left == p.Left && q.Right == p.Right {
				continue
			}
			if _, c, _, _ := m.compare(&m.l[q.Left], &m.r[q.Right], nil); !c && p.Score-q.Score < m.opt.Margin {
				rival = true
			}
		}
		band := -8.0
		for _, b := range []float64{3, 0, -2, -4} {
			if p.Score >= b {
				band = b
				break
			}
		}
		g := group{conflict, rival, namesOnly, sameNames, band}
		c := counts[g]
		if truth[[2]string{left[p.Left].ID, right[p.Right].ID}] {
			c[0]++
		} else {
			c[1]++
		}
		counts[g] = c
	}
	var lines []string
	for g, c := range counts {
		lines = append(lines, fmt.Sprintf("contradicted %-5v rival within margin %-5v names only %-5v same names %-5v score ≥ %3.0f: %4d true, %4d false",
			g.conflict, g.rival, g.namesOnly, g.sameNames, g.band, c[0], c[1]))
	}
	sort.Strings(lines)
	for _, l := range lines {
		t.Log(l)
	}
}
