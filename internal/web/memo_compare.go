package web

import (
	"context"
	"html/template"
	"math"
	"net/http"
	"time"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/memodiff"
)

// Versions and comparison of memoranda: the named versions of one
// memorandum with the form to name the next (in a single negotiating text,
// to issue the next draft); a comparison of any two of its versions, or of
// a version with the text as it stands, clause by clause with the words
// that changed; and two memoranda — the parties' own drafts, or a draft and
// the joint text — side by side, aligned clause by clause.

// versionRef names one side of a comparison: a named version, or the
// current text.
type versionRef struct {
	ID      string // "current" for the text as it stands
	Name    string
	Draft   int
	At      time.Time
	Seq     int64
	Current bool
}

const currentVersion = "current"

// memoVersionsPage lists a memorandum's named versions.
type memoVersionsPage struct {
	*processView
	Memo      parley.Memorandum
	SpaceName string
	Versions  []versionRef // newest first
	Choices   []versionRef // the current text, then the versions, for the comparison form
	CanName   bool
	NextDraft int          // in a single negotiating text: the draft naming a version issues
	Others    []memoChoice // other memoranda the reader may put beside this one
}

type memoChoice struct {
	ID, Title, Space string
}

// compareRow is one clause of a comparison of two versions.
type compareRow struct {
	memodiff.ClauseChange
	Diffs    []langText
	FromAlts []altText
	ToAlts   []altText
}

// altText is an alternative in brackets, as a comparison shows it.
type altText struct {
	Party string
	Kind  string // message ID of the bracket's kind
	Texts []langText
}

// langText is a language version or its word diff, with the language's
// name in the reader's language.
type langText struct {
	Lang parley.Lang
	Name string
	HTML template.HTML
}

// langNames names every language in the reader's language, once a page.
func langNames(p *page) map[parley.Lang]string {
	out := make(map[parley.Lang]string, len(parley.Langs))
	for _, l := range parley.Langs {
		out[l] = p.T("lang." + string(l))
	}
	return out
}

// memoComparePage compares two versions of one memorandum (Mode
// "versions") or puts two memoranda side by side (Mode "drafts").
type memoComparePage struct {
	*processView
	Mode string

	Memo      parley.Memorandum
	From, To  versionRef
	Choices   []versionRef
	All       bool // unchanged clauses shown too
	Rows      []compareRow
	Changed   int
	Added     int
	Removed   int
	Moved     int
	Unchanged int

	Left, Right           parley.Memorandum
	LeftSpace, RightSpace string
	Pairs                 []pairRow
}

// pairRow is a row of two memoranda side by side.
type pairRow struct {
	Left, Right *sideClause
	By          string // message ID of how they were aligned, "" for a clause alone
	Percent     int    // the share of words in common
	Diffs       []langText
}

type sideClause struct {
	Number  string
	Section bool
	Texts   []langText
	Alts    []altText
}

// versionProbeEnv is the environment of a decision taken only to learn
// whether the reader may act: nothing it returns is kept.
func versionProbeEnv() parley.Env {
	return parley.Env{Now: time.Now(), NewID: func() string { return "probe" }}
}

// memoContext reads memorandum id as p's reader may see it, with its
// process for the navigation and the name of its space.
func (s *Server) memoContext(ctx context.Context, p *page, id string) (*processView, parley.Memorandum, []parley.Clause, string, error) {
	m, items, err := s.db.Memo(ctx, p.Actor, id)
	if err != nil {
		return nil, m, nil, "", err
	}
	v, err := s.loadProcess(ctx, p.Actor, m.ProcessID, p.Lang)
	if err != nil {
		return nil, m, nil, "", err
	}
	p.withNav(v)
	return v, m, items, spaceName(p, v, m.SpaceID), nil
}

// spaceName names a space for a reader: its party's or group's name.
func spaceName(p *page, v *processView, id string) string {
	for _, sp := range v.Spaces {
		if sp.ID == id {
			if sp.Kind == parley.SpaceHeads {
				return p.T("space.heads")
			}
			return sp.Name
		}
	}
	return ""
}

func refOf(v parley.MemoVersion) versionRef {
	return versionRef{ID: v.ID, Name: v.Name, Draft: v.Draft, At: v.At, Seq: v.Seq}
}

func (s *Server) memoVersionsPage(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.member(w, r); !ok {
		return
	}
	s.showMemoVersions(w, r, s.page(r, "versions.title"), http.StatusOK)
}

func (s *Server) showMemoVersions(w http.ResponseWriter, r *http.Request, p *page, status int) {
	ctx := r.Context()
	v, m, items, space, err := s.memoContext(ctx, p, r.PathValue("memo"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	vs, err := s.db.MemoVersions(ctx, p.Actor, m.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	vp := memoVersionsPage{processView: v, Memo: m, SpaceName: space, Choices: []versionRef{{ID: currentVersion, Current: true}}}
	for i := len(vs) - 1; i >= 0; i-- {
		vp.Versions = append(vp.Versions, refOf(vs[i]))
		vp.Choices = append(vp.Choices, refOf(vs[i]))
	}
	// The reader may name a version if the decision would be taken.
	set := parley.MemoSetting{Memo: m}
	for _, sp := range v.Spaces {
		if sp.ID == m.SpaceID {
			set.Space = sp.Space
		}
	}
	for _, party := range v.Parties {
		if party.Kind == parley.PartyNegotiating {
			set.Parties = append(set.Parties, party.ID)
		}
	}
	probe := parley.NameVersion{MemoID: m.ID, Name: "probe"}
	if _, err := parley.DecideNameVersion(p.Actor, set, items, probe, versionProbeEnv()); err == nil {
		vp.CanName = true
	}
	if m.Mode == parley.SingleText {
		vp.NextDraft = m.Draft + 1
	}
	others, err := s.db.Memos(ctx, p.Actor, m.ProcessID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, o := range others {
		if o.ID != m.ID {
			vp.Others = append(vp.Others, memoChoice{ID: o.ID, Title: o.Title, Space: spaceName(p, v, o.SpaceID)})
		}
	}
	p.Data = vp
	s.render(w, r, status, "memo-versions.html", p)
}

// nameMemoVersion names the memorandum's current text; in a single
// negotiating text, the mediator issues the next draft.
func (s *Server) nameMemoVersion(w http.ResponseWriter, r *http.Request) {
	a, ok := s.member(w, r)
	if !ok {
		return
	}
	if err := parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	id := r.PathValue("memo")
	_, err := s.svc.Do(r.Context(), a, parley.NameVersion{MemoID: id, Name: r.PostForm.Get("name")})
	if code := parley.ErrorCode(err); code == parley.EINVALID || code == parley.ECONFLICT {
		p := s.page(r, "versions.title")
		p.Form, p.Errors = r.PostForm, fields(err)
		s.showMemoVersions(w, r, p, status(code))
		return
	} else if err != nil {
		s.fail(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), sessFlash, "flash.version_named")
	http.Redirect(w, r, "/memos/"+id+"/versions", http.StatusSeeOther)
}

// versionClauses returns one side of a comparison: the snapshot of a named
// version of memo m, or the current text.
func (s *Server) versionClauses(ctx context.Context, a parley.Actor, m parley.Memorandum, items []parley.Clause, id string) (versionRef, []parley.VersionClause, error) {
	if id == currentVersion || id == "" {
		return versionRef{ID: currentVersion, Current: true}, parley.Snapshot(items), nil
	}
	v, err := s.db.MemoVersion(ctx, a, id)
	if err != nil {
		return versionRef{}, nil, err
	}
	if v.MemoID != m.ID {
		return versionRef{}, nil, parley.Errorf(parley.ENOTFOUND, "No such version of this memorandum.")
	}
	return refOf(v), v.Clauses, nil
}

// memoCompare compares two versions of a memorandum: ?from= and ?to= name
// a version or "current". By default, the latest named version with the
// current text.
func (s *Server) memoCompare(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.member(w, r); !ok {
		return
	}
	ctx := r.Context()
	p := s.page(r, "compare.title")
	v, m, items, _, err := s.memoContext(ctx, p, r.PathValue("memo"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	vs, err := s.db.MemoVersions(ctx, p.Actor, m.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	from, to := q.Get("from"), q.Get("to")
	if from == "" {
		from = currentVersion
		if len(vs) > 0 {
			from = vs[len(vs)-1].ID
		}
	}
	cp, err := s.compareVersions(ctx, p, v, m, items, from, to, q.Get("all") == "1")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	cp.Choices = []versionRef{{ID: currentVersion, Current: true}}
	for i := len(vs) - 1; i >= 0; i-- {
		cp.Choices = append(cp.Choices, refOf(vs[i]))
	}
	p.Data = cp
	s.render(w, r, http.StatusOK, "memo-compare.html", p)
}

// compareVersions builds the comparison of versions from and to of m.
func (s *Server) compareVersions(ctx context.Context, p *page, v *processView, m parley.Memorandum, items []parley.Clause,
	from, to string, all bool) (*memoComparePage, error) {
	fromRef, a, err := s.versionClauses(ctx, p.Actor, m, items, from)
	if err != nil {
		return nil, err
	}
	toRef, b, err := s.versionClauses(ctx, p.Actor, m, items, to)
	if err != nil {
		return nil, err
	}
	cp := &memoComparePage{processView: v, Mode: "versions", Memo: m, From: fromRef, To: toRef, All: all}
	names := langNames(p)
	for _, ch := range memodiff.CompareVersions(a, b) {
		switch {
		case ch.Added:
			cp.Added++
		case ch.Removed:
			cp.Removed++
		case ch.Moved:
			cp.Moved++
		case ch.Changed():
			cp.Changed++
		default:
			cp.Unchanged++
		}
		if !all && !ch.Changed() {
			continue
		}
		row := compareRow{ClauseChange: ch}
		for _, d := range ch.Texts {
			row.Diffs = append(row.Diffs, langText{Lang: d.Lang, Name: names[d.Lang], HTML: diffHTML(d.Spans)})
		}
		row.FromAlts = altTexts(p, v, names, m.Languages, ch.FromAlternatives)
		row.ToAlts = altTexts(p, v, names, m.Languages, ch.ToAlternatives)
		cp.Rows = append(cp.Rows, row)
	}
	return cp, nil
}

func altTexts(p *page, v *processView, names map[parley.Lang]string, langs []parley.Lang, alts []parley.VersionAlternative) []altText {
	var out []altText
	for _, a := range alts {
		out = append(out, altText{Party: v.Party[a.TabledBy].Names.In(p.Lang), Kind: bracketKey(a.Kind), Texts: langTexts(names, langs, a.Texts)})
	}
	return out
}

// langTexts returns texts in the order of langs, then any other language.
func langTexts(names map[parley.Lang]string, langs []parley.Lang, texts parley.Texts) []langText {
	var out []langText
	seen := map[parley.Lang]bool{}
	for _, l := range append(append([]parley.Lang(nil), langs...), parley.Langs...) {
		if t := texts[l]; t != "" && !seen[l] {
			seen[l] = true
			out = append(out, langText{Lang: l, Name: names[l], HTML: formatText(t)})
		}
	}
	return out
}

func bracketKey(k parley.BracketKind) string {
	switch k {
	case parley.BracketWording:
		return "compare.bracket_wording"
	case parley.BracketContentious:
		return "compare.bracket_contentious"
	case parley.BracketInstructions:
		return "compare.bracket_instructions"
	}
	return "compare.bracket_trade_off"
}

// draftsCompare puts two memoranda side by side: ?left= and ?right= name
// them; the reader must be able to read both.
func (s *Server) draftsCompare(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.member(w, r); !ok {
		return
	}
	ctx := r.Context()
	p := s.page(r, "compare.drafts_title")
	q := r.URL.Query()
	if q.Get("left") == "" || q.Get("right") == "" {
		var v parley.Invalid
		v.Add("right", "choose two memoranda to put side by side")
		s.fail(w, r, v.Err())
		return
	}
	v, left, litems, lspace, err := s.memoContext(ctx, p, q.Get("left"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	right, ritems, err := s.db.Memo(ctx, p.Actor, q.Get("right"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	cp := memoComparePage{processView: v, Mode: "drafts", Left: left, Right: right, LeftSpace: lspace}
	if right.ProcessID == left.ProcessID {
		cp.RightSpace = spaceName(p, v, right.SpaceID)
	}
	names := langNames(p)
	for _, pr := range memodiff.AlignDrafts(parley.Snapshot(litems), parley.Snapshot(ritems)) {
		row := pairRow{Left: sideOf(p, v, names, left.Languages, pr.Left), Right: sideOf(p, v, names, right.Languages, pr.Right),
			Percent: int(math.Round(pr.Overlap * 100))}
		switch pr.By {
		case "number":
			row.By = "compare.aligned_number"
		case "words":
			row.By = "compare.aligned_words"
		}
		if pr.Left != nil && pr.Right != nil {
			for _, d := range pr.Texts {
				if d.Changed && pr.Left.Texts[d.Lang] != "" && pr.Right.Texts[d.Lang] != "" {
					row.Diffs = append(row.Diffs, langText{Lang: d.Lang, Name: names[d.Lang], HTML: diffHTML(d.Spans)})
				}
			}
		}
		cp.Pairs = append(cp.Pairs, row)
	}
	p.Data = &cp
	s.render(w, r, http.StatusOK, "memo-compare.html", p)
}

func sideOf(p *page, v *processView, names map[parley.Lang]string, langs []parley.Lang, c *parley.VersionClause) *sideClause {
	if c == nil {
		return nil
	}
	return &sideClause{Number: c.Number, Section: c.Kind == parley.KindSection, Texts: langTexts(names, langs, c.Texts),
		Alts: altTexts(p, v, names, langs, c.Alternatives)}
}
