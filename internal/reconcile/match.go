package reconcile

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
)

// Default thresholds, in bits of posterior log-odds (see [Matcher.Compare]).
// They follow from what the score means, not from any sample. A pair is
// asserted when its score is at least DefaultMatch (odds of 1 to 2 from the
// fields alone), no field contradicts it, and no other candidate of either
// entry comes within DefaultMargin bits (a factor of 16): the absence of a
// close rival is the rest of the evidence. When names are all there is, the
// score must clear DefaultMatch by DefaultMargin too, since a namesake the
// lists do not show cannot be ruled out. Pairs from DefaultPossible up go to
// review.
const (
	DefaultMatch    = -1.0
	DefaultPossible = -8.0
	DefaultMargin   = 4.0
)

// Options configures a [Matcher]. The zero value uses the defaults.
type Options struct {
	// Names is the dictionary of given names; nil means [DefaultNames].
	Names *Names
	// Match is the least score of an asserted match, Possible the least
	// score of a pair offered for review, Margin the least lead of an
	// asserted pair over any other candidate of either of its entries.
	Match, Possible, Margin float64
	// ThresholdsSet says Match, Possible and Margin are given; otherwise
	// the defaults apply.
	ThresholdsSet bool
	// Workers is the number of goroutines comparing; 0 means GOMAXPROCS.
	Workers int
	// Progress, if not nil, is called now and then with the number of
	// left entries done and the total. It must be safe for concurrent use.
	Progress func(done, total int)
}

// A Pair is a candidate pairing of left[Left] with right[Right].
type Pair struct {
	Left, Right int
	// Score is the posterior log2-odds that the two are the same person.
	Score float64
	// Reasons explains Score; their weights add up to it.
	Reasons []Reason
}

// A Result is the outcome of reconciling two lists.
type Result struct {
	// Matches are the asserted pairs, each entry used at most once,
	// ordered by left index.
	Matches []Pair
	// Possible are candidates for human review: at or above the possible
	// threshold, not asserted, and with neither entry in a match.
	Possible []Pair
	// Compared is the number of candidate pairs scored.
	Compared int64
}

// nameField is a family or given name prepared for comparison, in the slot
// it is compared in.
type nameField struct {
	key   string
	id    int32
	known bool    // a given name the dictionary knows
	w     float64 // weight of exact agreement
	// vid identifies the family key with е and і merged (see
	// [vowelFold]), vw the weight of agreement under it.
	vid int32
	vw  float64
}

// rec is a Person prepared for comparison: keys computed, ids interned,
// weights looked up once.
type rec struct {
	fam, giv     nameField // as written
	famSw, givSw nameField // the given name read as a family name and vice versa
	pat          string
	patID        int32
	patKnown     bool
	y, m, d      int16
	wDate, wYear float32
	// grp numbers the family and given name (by key) densely, the same
	// number in both lists; see Matcher.grpL and grpR.
	grp int32
}

// A Matcher compares the entries of two lists. It is safe for concurrent
// use once built.
type Matcher struct {
	names       *Names
	opt         Options
	left, right []Person
	l, r        []rec
	prior       float64
	ngroups     int32
	famW        []float64 // by famID
	givW        []float64 // by givID
	patW        []float64 // by patID
	famKeys     []string
	famV        []int32  // by famID: id of the key with е and і merged
	givKeys     []string // by givID-ngroups, for names the dictionary lacks
	patVariants [][]string
	// grpL and grpR list, by name group, the entries of each list that
	// have that family and given name.
	grpL, grpR [][]int32
}

// NewMatcher prepares two lists for comparison. Frequencies of names and
// birth years are taken from both lists together, so that a score does not
// depend on which list is called left.
func NewMatcher(left, right []Person, opt Options) *Matcher {
	if opt.Names == nil {
		opt.Names = DefaultNames()
	}
	if !opt.ThresholdsSet {
		opt.Match, opt.Possible, opt.Margin = DefaultMatch, DefaultPossible, DefaultMargin
	}
	if opt.Workers <= 0 {
		opt.Workers = runtime.GOMAXPROCS(0)
	}
	m := &Matcher{names: opt.Names, opt: opt, left: left, right: right}
	m.ngroups = int32(len(opt.Names.variants))
	m.patVariants = make([][]string, m.ngroups)
	for k, g := range opt.Names.patronymic {
		m.patVariants[g] = append(m.patVariants[g], k)
	}
	for g := range m.patVariants {
		slices.Sort(m.patVariants[g])
	}
	n := max(len(left), len(right), 2)
	m.prior = log2(float64(n))

	famIntern := map[string]int32{}
	givIntern := map[string]int32{}
	patIntern := map[string]int32{}
	vIntern := map[string]int32{}
	famID := func(k string) int32 {
		id, ok := famIntern[k]
		if !ok {
			id = int32(len(m.famKeys))
			famIntern[k] = id
			m.famKeys = append(m.famKeys, k)
			v := vowelFold(k)
			vid, ok := vIntern[v]
			if !ok {
				vid = int32(len(vIntern))
				vIntern[v] = vid
			}
			m.famV = append(m.famV, vid)
		}
		return id
	}
	givID := func(k string) (int32, bool) {
		if g, ok := m.names.given[k]; ok {
			return g, true
		}
		id, ok := givIntern[k]
		if !ok {
			id = m.ngroups + int32(len(m.givKeys))
			givIntern[k] = id
			m.givKeys = append(m.givKeys, k)
		}
		return id, false
	}
	patID := func(k string) (int32, bool) {
		if g, ok := m.names.patronymic[k]; ok {
			return g, true
		}
		s := patronymicStem(k)
		if g, ok := m.names.given[s]; ok {
			return g, true
		}
		id, ok := patIntern[s]
		if !ok {
			id = m.ngroups + int32(len(patIntern))
			patIntern[s] = id
		}
		return id, false
	}
	prep := func(ps []Person) []rec {
		rs := make([]rec, len(ps))
		for i, p := range ps {
			r := &rs[i]
			r.fam.key = FamilyKey(p.FamilyName)
			r.fam.id = famID(r.fam.key)
			r.giv.key = Key(p.GivenName)
			r.giv.id, r.giv.known = givID(r.giv.key)
			r.givSw.key = Key(p.FamilyName)
			r.givSw.id, r.givSw.known = givID(r.givSw.key)
			r.famSw.key = FamilyKey(p.GivenName)
			r.famSw.id = famID(r.famSw.key)
			r.pat = Key(p.Patronymic)
			r.patID = -1
			if r.pat != "" {
				r.patID, r.patKnown = patID(r.pat)
			}
			r.y, r.m, r.d = int16(p.BirthDate.Year), int16(p.BirthDate.Month), int16(p.BirthDate.Day)
		}
		return rs
	}
	m.l = prep(left)
	m.r = prep(right)

	// The entries of each list that share a family and given name.
	byName := map[[2]int32]int32{}
	for _, rs := range [][]rec{m.l, m.r} {
		for i := range rs {
			k := [2]int32{rs[i].fam.id, rs[i].giv.id}
			g, ok := byName[k]
			if !ok {
				g = int32(len(byName))
				byName[k] = g
			}
			rs[i].grp = g
		}
	}
	m.grpL = groupRecs(m.l, len(byName))
	m.grpR = groupRecs(m.r, len(byName))

	// Frequencies over both lists.
	famN := make([]int, len(m.famKeys))
	famVN := make([]int, len(vIntern))
	givN := make([]int, int(m.ngroups)+len(m.givKeys))
	patN := make([]int, int(m.ngroups)+len(patIntern))
	years := map[int16]int{}
	total, withPat, withYear := 0, 0, 0
	for _, rs := range [][]rec{m.l, m.r} {
		for i := range rs {
			r := &rs[i]
			total++
			famN[r.fam.id]++
			famVN[m.famV[r.fam.id]]++
			givN[r.giv.id]++
			if r.patID >= 0 {
				patN[r.patID]++
				withPat++
			}
			if r.y != 0 {
				years[r.y]++
				withYear++
			}
		}
	}
	weights := func(counts []int, of int, mSame float64) []float64 {
		w := make([]float64, len(counts))
		for i, c := range counts {
			w[i] = log2(mSame * float64(max(of, 1)) / float64(max(c, 1)))
		}
		return w
	}
	m.famW = weights(famN, total, mFamilySame)
	famVW := weights(famVN, total, mFamilySame)
	m.givW = weights(givN, total, mGivenSame)
	m.patW = weights(patN, withPat, mPatSame)
	for _, rs := range [][]rec{m.l, m.r} {
		for i := range rs {
			r := &rs[i]
			// A name weighs what it weighs in the slot where it is
			// commoner, whichever slot it is read in: Олег written as
			// the surname in both lists is still only Олег, and
			// agreeing on it says little.
			r.fam.w = min(m.famW[r.fam.id], m.givW[r.givSw.id])
			r.giv.w = min(m.givW[r.giv.id], m.famW[r.famSw.id])
			// Руслан is a rare surname but a common given name.
			r.famSw.w = r.giv.w
			r.givSw.w = r.fam.w
			for _, f := range [2]*nameField{&r.fam, &r.famSw} {
				f.vid = m.famV[f.id]
				f.vw = min(famVW[f.vid], f.w)
			}
			if r.y == 0 {
				continue
			}
			// Two strangers share a year with the year's frequency and a
			// day with probability 1/365.
			py := float64(max(years[r.y], 1)) / float64(max(withYear, 1))
			r.wYear = float32(log2(mYearSame / py))
			r.wDate = float32(log2(mDateSame * 365 / py))
		}
	}
	return m
}

// Prior returns the log2-odds against a pair before any field is compared:
// log2 of the length of the longer list. [Matcher.Compare] subtracts it.
func (m *Matcher) Prior() float64 { return m.prior }

// Compare scores left[i] against right[j]: the sum of the weights of the
// evidence from each field, minus [Matcher.Prior]. Swapping the two lists
// gives the same score for the same two people.
func (m *Matcher) Compare(i, j int) Pair {
	var rs []Reason
	s, _, _, _ := m.compare(&m.l[i], &m.r[j], &rs)
	return Pair{Left: i, Right: j, Score: s, Reasons: rs}
}

// compare is the hot path; reasons are built only when rs is not nil. It
// also reports whether some field contradicts the pair outright (such a pair
// is for a person to judge, whatever its score) and whether the names are
// all there is to go on.
func (m *Matcher) compare(a, b *rec, rs *[]Reason) (s float64, conflict, namesOnly, sameNames bool) {
	s, lf, lg := m.names2(&a.fam, &a.giv, &b.fam, &b.giv, nil)
	swap := 0
	if lf != same && lg != same {
		// Family and given name may be exchanged in one list. Either
		// side may be the exchanged one; trying both keeps the score
		// symmetric.
		if s1, _, _ := m.names2(&a.famSw, &a.givSw, &b.fam, &b.giv, nil); s1+wSwapped > s {
			s, swap = s1+wSwapped, 1
		}
		if s2, _, _ := m.names2(&a.fam, &a.giv, &b.famSw, &b.givSw, nil); s2+wSwapped > s {
			s, swap = s2+wSwapped, 2
		}
	}
	wp, cp := m.patronymic(a, b, nil)
	wd, cd := dates(a, b, nil)
	s += wp + wd - m.prior
	conflict = cp || cd || m.givenContradicts(a, b, swap)
	namesOnly = (a.patID < 0 || b.patID < 0) && (a.y == 0 || b.y == 0)
	sameNames = a.grp == b.grp
	if rs == nil {
		return s, conflict, namesOnly, sameNames
	}
	// Explain: this runs only for pairs that are written out.
	switch swap {
	case 0:
		m.names2(&a.fam, &a.giv, &b.fam, &b.giv, rs)
	case 1:
		m.names2(&a.famSw, &a.givSw, &b.fam, &b.giv, rs)
		*rs = append(*rs, Reason{"names", "family and given name exchanged in the left list", wSwapped})
	case 2:
		m.names2(&a.fam, &a.giv, &b.famSw, &b.givSw, rs)
		*rs = append(*rs, Reason{"names", "family and given name exchanged in the right list", wSwapped})
	}
	m.patronymic(a, b, rs)
	dates(a, b, rs)
	*rs = append(*rs, Reason{"lists", fmt.Sprintf("prior odds 1 in %d", 1<<int(math.Round(m.prior))), -m.prior})
	return s, conflict, namesOnly, sameNames
}

// groupRecs lists the entries of rs by name group, in one array.
func groupRecs(rs []rec, n int) [][]int32 {
	count := make([]int32, n+1)
	for i := range rs {
		count[rs[i].grp+1]++
	}
	for g := 1; g <= n; g++ {
		count[g] += count[g-1]
	}
	flat := make([]int32, len(rs))
	next := slices.Clone(count[:n])
	for i := range rs {
		g := rs[i].grp
		flat[next[g]] = int32(i)
		next[g]++
	}
	out := make([][]int32, n)
	for g := range out {
		out[g] = flat[count[g]:count[g+1]:count[g+1]]
	}
	return out
}

// names2 scores family and given name together and reports each level.
func (m *Matcher) names2(af, ag, bf, bg *nameField, rs *[]Reason) (float64, int, int) {
	// The explanations are written only when asked for: this is the hot
	// path, and building them costs more than the comparison.
	var s, w float64
	lf := m.familyLevel(af, bf)
	switch lf {
	case same:
		w = min(af.w, bf.w)
	case variant:
		w = min(af.vw, bf.vw) - vowelVariant
	case typo:
		w = max(min(af.w, bf.w)-typoFamily, 1)
	case twoTypos:
		// Each typing error costs what one does; two of them leave
		// the surname no evidence for the pair, but none against it
		// either: strangers' surnames are two edits apart about once
		// in 250, a clerk's surname twice mistyped not much more
		// rarely. The other fields decide.
		w = max(min(af.w, bf.w)-2*typoFamily, 0)
	default:
		w = wFamilyDiffers
	}
	s += w
	if rs != nil {
		var how string
		switch lf {
		case same:
			how = "same key " + af.key
		case variant:
			how = "Ukrainian і for Russian е (" + af.key + " ~ " + bf.key + ")"
		case typo:
			how = "within a typing error (" + af.key + " ~ " + bf.key + ")"
		case twoTypos:
			how = "within two typing errors (" + af.key + " ~ " + bf.key + ")"
		default:
			how = "differs (" + af.key + " ≠ " + bf.key + ")"
		}
		*rs = append(*rs, Reason{"family name", how, w})
	}
	lg := m.givenLevel(ag, bg)
	switch lg {
	case same:
		w = min(ag.w, bg.w)
	case typo:
		w = max(min(ag.w, bg.w)-typoGiven, 0.5)
	case missing:
		w = 0
	default:
		w = wGivenDiffers
	}
	s += w
	if rs != nil {
		var how string
		switch lg {
		case same:
			how = "same key " + ag.key
			if ag.known {
				how = "same name " + m.names.Display(ag.id)
			}
		case typo:
			how = "within a typing error (" + ag.key + " ~ " + bg.key + ")"
		case missing:
			how = "missing"
		default:
			how = "differs (" + ag.key + " ≠ " + bg.key + ")"
		}
		*rs = append(*rs, Reason{"given name", how, w})
	}
	return s, lf, lg
}

// givenContradicts reports whether the given names, in the reading chosen
// (swap as in compare), are two different names of the dictionary: Кирило
// and Денис are two people, not one person mistyped, just as different
// fathers' names are.
func (m *Matcher) givenContradicts(a, b *rec, swap int) bool {
	ag, bg := &a.giv, &b.giv
	switch swap {
	case 1:
		ag = &a.givSw
	case 2:
		bg = &b.givSw
	}
	return ag.known && bg.known && ag.key != "" && bg.key != "" && ag.id != bg.id
}

func (m *Matcher) familyLevel(a, b *nameField) int {
	switch {
	case a.id == b.id:
		return same
	case a.vid == b.vid:
		return variant
	}
	return familyEdits(a.key, b.key)
}

func (m *Matcher) givenLevel(a, b *nameField) int {
	switch {
	case a.key == "" || b.key == "":
		return missing
	case a.id == b.id:
		return same
	case a.known && b.known:
		// Two different names of the dictionary: Олександр and
		// Олександра are a brother and a sister, not a typing error.
		return differs
	case a.known:
		// A known name against an unknown one: the unknown one may be
		// the known one mistyped (Юій for Юрій), even when short.
		for _, v := range m.names.variants[a.id] {
			if nearMin(v, b.key, 3) {
				return typo
			}
		}
		return differs
	case b.known:
		for _, v := range m.names.variants[b.id] {
			if nearMin(v, a.key, 3) {
				return typo
			}
		}
		return differs
	case near(a.key, b.key):
		return typo
	}
	return differs
}

func (m *Matcher) patronymic(a, b *rec, rs *[]Reason) (float64, bool) {
	if a.patID < 0 || b.patID < 0 {
		if rs != nil {
			*rs = append(*rs, Reason{"patronymic", "missing", 0})
		}
		return 0, false
	}
	var w float64
	var how string
	switch {
	case a.patID == b.patID:
		w = m.patW[a.patID]
		how = "same father's name"
		if a.patKnown {
			how += " " + m.names.Display(a.patID)
		}
	case a.patKnown && b.patKnown:
		w, how = wPatDiffers, "differs ("+a.pat+" ≠ "+b.pat+")"
	case m.patNear(a, b):
		w = max(min(m.patW[a.patID], m.patW[b.patID])-typoPat, 0.5)
		how = "within a typing error (" + a.pat + " ~ " + b.pat + ")"
	default:
		w, how = wPatDiffers, "differs ("+a.pat+" ≠ "+b.pat+")"
	}
	if rs != nil {
		*rs = append(*rs, Reason{"patronymic", how, w})
	}
	return w, w == wPatDiffers
}

func (m *Matcher) patNear(a, b *rec) bool {
	if near(a.pat, b.pat) || near(patronymicStem(a.pat), patronymicStem(b.pat)) {
		return true
	}
	for _, x := range [2]*rec{a, b} {
		y := b
		if x == b {
			y = a
		}
		if x.patKnown {
			for _, v := range m.patVariants[x.patID] {
				if near(v, y.pat) {
					return true
				}
			}
		}
	}
	return false
}

func abs16(x int16) int16 {
	if x < 0 {
		return -x
	}
	return x
}

// dates weighs birth dates. The weight of agreement comes from the rarer
// of the two years, so that it is the same whichever side is left.
func dates(a, b *rec, rs *[]Reason) (float64, bool) {
	var w float64
	var how string
	switch {
	case a.y == 0 || b.y == 0:
		how = "missing"
	case a.m != 0 && b.m != 0:
		full := float64(min(a.wDate, b.wDate))
		dy := abs16(a.y - b.y)
		sameDM := a.m == b.m && a.d == b.d
		swapDM := a.m == b.d && a.d == b.m && a.m != a.d
		// The u-probability of each outcome is that of one particular
		// date (full) times the number of dates it admits.
		switch {
		case dy == 0 && sameDM:
			w, how = float64(max(a.wDate, b.wDate)), "same date"
		case dy == 0 && swapDM:
			w, how = full+log2(2*pDateSwapped/mDateSame), "day and month exchanged"
		case dy == 1 && sameDM:
			w, how = full+log2(2*pDateYearOff/mDateSame/2), "year one off"
		case dy == 1 && swapDM:
			w, how = full+log2(2*pDateSwapped*pDateYearOff/mDateSame/2), "day and month exchanged and year one off"
		case dy == 2 && sameDM:
			w, how = full+log2(pDateYearOff*pDateYearOff/2/mDateSame/2), "year two off"
		default:
			w, how = wDateDiffers, "differs"
		}
	default:
		yr := float64(min(a.wYear, b.wYear))
		switch abs16(a.y - b.y) {
		case 0:
			w, how = float64(max(a.wYear, b.wYear)), "same year, one date a year only"
		case 1:
			w, how = yr+log2(2*pDateYearOff/mYearSame/2), "year one off, one date a year only"
		default:
			w, how = wDateDiffers, "years differ"
		}
	}
	if rs != nil {
		*rs = append(*rs, Reason{"birth date", how, w})
	}
	return w, w == wDateDiffers
}

// cand is a scored candidate pair.
type cand struct {
	l, r      int32
	s         float32
	conflict  bool
	namesOnly bool // the names are all there is
	sameNames bool // the same family and given name, by key
}

// Run compares every left entry with the right entries that share a
// blocking key with it, and assigns pairs one to one. It returns early with
// ctx's error if ctx is done.
func (m *Matcher) Run(ctx context.Context) (*Result, error) {
	idx := m.index()
	total := len(m.l)
	var next, done atomic.Int64
	var compared atomic.Int64
	const chunk = 256
	out := make([][]cand, m.opt.Workers)
	var wg sync.WaitGroup
	for w := 0; w < m.opt.Workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			stamp := make([]int32, len(m.r))
			for i := range stamp {
				stamp[i] = -1
			}
			var keys []uint64
			var cs []cand
			var n int64
			for ctx.Err() == nil {
				start := int(next.Add(chunk)) - chunk
				if start >= total {
					break
				}
				end := min(start+chunk, total)
				for i := start; i < end; i++ {
					a := &m.l[i]
					keys = m.queryKeys(keys[:0], a)
					for _, k := range keys {
						for p := lowerBound(idx, k); p < len(idx) && idx[p].key == k; p++ {
							j := idx[p].idx
							if stamp[j] == int32(i) {
								continue
							}
							stamp[j] = int32(i)
							n++
							if s, c, n, same := m.compare(a, &m.r[j], nil); s >= m.opt.Possible {
								cs = append(cs, cand{int32(i), j, float32(s), c, n, same})
							}
						}
					}
				}
				d := done.Add(int64(end - start))
				if m.opt.Progress != nil {
					m.opt.Progress(int(d), total)
				}
			}
			out[w] = cs
			compared.Add(n)
		}(w)
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var all []cand
	for _, cs := range out {
		all = append(all, cs...)
	}
	res := m.assign(all)
	res.Compared = compared.Load()
	return res, nil
}

// assign picks pairs one to one, best first. A pair is asserted only if it
// clears the match threshold and no other way of pairing its two entries
// comes within the margin: namesakes nobody can tell apart go to review, not
// home.
//
// The alternative to a pair (L, R) is not just another candidate (L, R′) but
// the pairing that candidate implies. Scores are log-odds against leaving
// both entries unpaired, so the log-odds of a set of pairs is the sum of
// their scores, and a pair worth less than nothing is better left out.
// Choosing (L, R′) instead of (L, R) frees R for its best other partner and
// takes R′ from its own:
//
//	lead = s(L,R) + max(0, best(R′ without L)) − s(L,R′) − max(0, best(R without L))
//
// and the same with the roles of the lists exchanged. A pair is asserted
// when its least lead over every other candidate of its two entries is at
// least the margin. When two candidates tie but one of them has a strictly
// better partner elsewhere, the tie resolves; when neither has, it does not.
func (m *Matcher) assign(all []cand) *Result {
	slices.SortFunc(all, func(x, y cand) int {
		switch {
		case x.s > y.s:
			return -1
		case x.s < y.s:
			return 1
		case x.l != y.l:
			return int(x.l - y.l)
		}
		return int(x.r - y.r)
	})
	byL := groupBy(all, len(m.l), func(c cand) int32 { return c.l })
	byR := groupBy(all, len(m.r), func(c cand) int32 { return c.r })
	usedL := make([]bool, len(m.l))
	usedR := make([]bool, len(m.r))
	// bestL returns the best score of an unused candidate of left entry l
	// other than with right entry except, or -Inf.
	bestL := func(l, except int32) float32 {
		for _, k := range byL[l] {
			if c := all[k]; c.r != except && !usedR[c.r] {
				return c.s
			}
		}
		return float32(math.Inf(-1))
	}
	bestR := func(r, except int32) float32 {
		for _, k := range byR[r] {
			if c := all[k]; c.l != except && !usedL[c.l] {
				return c.s
			}
		}
		return float32(math.Inf(-1))
	}
	pos := func(x float32) float32 { return max(x, 0) }
	// lead returns the least lead of c over the other candidates of its
	// entries, and the score of the candidate that comes closest.
	lead := func(c cand) (float32, float32) {
		least, closest := float32(math.Inf(1)), float32(math.Inf(-1))
		for _, k := range byL[c.l] {
			d := all[k]
			if d.r == c.r || usedR[d.r] {
				continue
			}
			if g := c.s + pos(bestR(d.r, c.l)) - d.s - pos(bestR(c.r, c.l)); g < least {
				least, closest = g, d.s
			}
		}
		for _, k := range byR[c.r] {
			d := all[k]
			if d.l == c.l || usedL[d.l] {
				continue
			}
			if g := c.s + pos(bestL(d.l, c.r)) - d.s - pos(bestL(c.l, c.r)); g < least {
				least, closest = g, d.s
			}
		}
		return least, closest
	}
	// alone reports whether c, a pair whose names are all there is, has
	// no rival in sight: no other candidate of either entry left, and no
	// namesake in either list not matched to someone else. A namesake
	// counts even when the other entry of the pair contradicts it (born
	// on another day, to another father): it cannot be that person, but
	// it shows the names are shared, and a namesake neither list shows is
	// then likelier than the names' frequency says (measured on dev:
	// letting such namesakes pass gave 4 true matches for 2 false; see
	// docs/reconcile.md).
	alone := func(c cand) bool {
		for _, k := range byL[c.l] {
			if d := all[k]; d.r != c.r && !usedR[d.r] {
				return false
			}
		}
		for _, k := range byR[c.r] {
			if d := all[k]; d.l != c.l && !usedL[d.l] {
				return false
			}
		}
		a, b := &m.l[c.l], &m.r[c.r]
		for _, i := range m.grpL[a.grp] {
			if i != c.l && !usedL[i] {
				return false
			}
		}
		for _, j := range m.grpR[b.grp] {
			if j != c.r && !usedR[j] {
				return false
			}
		}
		return true
	}
	// namesAlone reports whether c may be asserted on its names alone,
	// below the names-only threshold: the same family and given name,
	// a score at least the match threshold, and no rival in sight. Then
	// what remains to fear is a namesake of whom one list knows nothing,
	// and the score weighs that chance by how common the names are.
	// Names that agree only within a typing error or read exchanged are
	// weaker evidence, and do not qualify.
	namesAlone := func(c cand) bool {
		return c.namesOnly && c.sameNames && float64(c.s) >= m.opt.Match && alone(c)
	}
	res := &Result{}
	// Rounds: a pair asserted in one round removes its two entries from
	// the alternatives of everyone else, which may make another pair
	// unambiguous in the next. If Шевченко Віктор born 1990 is matched to
	// his own date, the Шевченко Віктор without a date has one namesake
	// fewer to be confused with.
	use := func(c cand, why string) {
		usedL[c.l], usedR[c.r] = true, true
		p := m.Compare(int(c.l), int(c.r))
		if why != "" {
			p.Reasons = append(p.Reasons, Reason{"candidates", why, 0})
		}
		res.Matches = append(res.Matches, p)
	}
	for round := 0; round < 16; round++ {
		added := 0
		for _, c := range all {
			if usedL[c.l] || usedR[c.r] || c.conflict {
				continue
			}
			if float64(c.s) < m.threshold(c) {
				if namesAlone(c) {
					use(c, "names alone; every other entry with these names is matched to someone else or contradicted by this pair")
					added++
				}
				continue
			}
			if g, _ := lead(c); float64(g) >= m.opt.Margin {
				use(c, "")
				added++
			}
		}
		if added == 0 {
			break
		}
	}
	for _, c := range all {
		if usedL[c.l] || usedR[c.r] {
			continue
		}
		p := m.Compare(int(c.l), int(c.r))
		if c.conflict {
			p.Reasons = append(p.Reasons, Reason{"candidates", "a field contradicts the pair", 0})
		} else if p.Score < m.threshold(c) {
			why := fmt.Sprintf("below the match threshold %.1f", m.threshold(c))
			if c.namesOnly && c.sameNames && float64(c.s) >= m.opt.Match {
				why = "the names are all there is, and a namesake or another candidate is in sight"
			}
			p.Reasons = append(p.Reasons, Reason{"candidates", why, 0})
		} else {
			g, alt := lead(c)
			p.Reasons = append(p.Reasons, Reason{"candidates", fmt.Sprintf("another candidate scores %.1f; the pairing leads by %.1f, within the margin %.1f", alt, g, m.opt.Margin), 0})
		}
		res.Possible = append(res.Possible, p)
	}
	slices.SortFunc(res.Matches, func(x, y Pair) int { return x.Left - y.Left })
	return res
}

// groupBy returns, for each of n entries, the positions in all of its
// candidates, in the order of all.
func groupBy(all []cand, n int, of func(cand) int32) [][]int32 {
	count := make([]int32, n+1)
	for _, c := range all {
		count[of(c)+1]++
	}
	for i := 1; i <= n; i++ {
		count[i] += count[i-1]
	}
	flat := make([]int32, len(all))
	next := slices.Clone(count[:n])
	for k, c := range all {
		e := of(c)
		flat[next[e]] = int32(k)
		next[e]++
	}
	out := make([][]int32, n)
	for i := range out {
		out[i] = flat[count[i]:count[i+1]:count[i+1]]
	}
	return out
}

// threshold returns the least score at which c may be asserted. When the
// names are all there is, a namesake nobody listed cannot be ruled out, so
// the score must clear the threshold by the margin as well.
func (m *Matcher) threshold(c cand) float64 {
	if c.namesOnly {
		return m.opt.Match + m.opt.Margin
	}
	return m.opt.Match
}
