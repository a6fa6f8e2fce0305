package web

import (
	"bytes"
	"context"
	"errors"
	"html"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/store"
)

// Memoranda: negotiated texts, clause by clause, in brackets until agreed.
// The pages show what the policy allows: each button is shown only when
// the decision it sends would be taken (Decide… with a throw-away Env),
// so a delegate under time pressure never meets a refusal they could have
// been spared.

// memosPage lists the memoranda of a process, with the form to open one.
type memosPage struct {
	*processView
	Memos  []memoRow
	Spaces []spaceView // the group spaces where the reader may open one
}

type memoRow struct {
	parley.Memorandum
	Group       string
	InitialedBy []parley.Party
}

// memoPage is one memorandum.
type memoPage struct {
	*processView
	Memo      parley.Memorandum
	Space     spaceView
	Parties   []parley.Party // the negotiating parties
	Items     []clauseView
	View      string        // "side" (languages side by side) or one language
	Shown     []parley.Lang // the languages shown
	Cols      int           // how many languages are shown: the versions' columns
	Can       map[string]bool
	Blocked   string // why the memorandum cannot be initialled yet, for the disabled button
	Places    []place
	Conflict  *memoConflict // a stale edit sent back: both texts
	Alternat  string        // the party whose copy the print link makes
	Initialed []parley.Party
	Acts      []actRow    // formal acts on the memorandum, with their record entries
	Linkable  []place     // proposals and threads of the memorandum's space a clause may link to
	ShareTo   []spaceView // working groups' spaces the reader may share this caucus draft with
}

// memoQuery says what a request shows of a memorandum.
type memoQuery struct {
	View     string        // "side" (languages side by side) or one language
	Open     string        // the form asked for: "<clause>.edit.<lang>", "<clause>.table" or "<clause>.link" (the clause alone is asked for "edit.<lang>", "table" or "link")
	Clause   string        // one section or clause alone, or "" for the whole memorandum
	Conflict *memoConflict // a stale edit sent back, its current text still to be read
}

// memoRequest reads a memorandum page's query: the view and the form asked open.
func memoRequest(r *http.Request) memoQuery {
	q := r.URL.Query()
	return memoQuery{View: q.Get("view"), Open: q.Get("open")}
}

// clauseView is a section or a clause as the page shows it, with what the
// reader may do to it. What the template shows is worked out here, into
// plain fields: the template runs for each of a memorandum's hundreds of
// clauses, and reading a field is the cheapest thing it does (calling a
// method or a function, or reading the field of an embedded struct, costs
// several times more).
type clauseView struct {
	ID, Number  string
	Section     bool
	Status      parley.ClauseStatus
	StatusLabel string
	Tabled      bool // the clause stands in brackets
	Version     int
	Texts       parley.Texts
	Links       []parley.ClauseLink
	AgreedBy    string // the parties that agreed to it ad referendum, by name
	InitBy      string // the parties whose heads initialled it, by name
	Acts        []clauseAct
	Versions    []versionView // in the languages shown
	Alts        []altView
	Agree       bool      // the reader may agree to it ad referendum
	Initial     bool      // the reader may initial it
	Edit        bool      // the reader may change its texts
	LinkForm    *formLink // unfolds the form that links a proposal or thread
	TableForm   *formLink // unfolds the form that tables an alternative
	Open        openForm  // the form shown unfolded, if any
}

// versionView is a section's or clause's version in one language.
type versionView struct {
	Lang     parley.Lang
	Name     string        // the language's name, in the reader's language
	Text     string        // as written
	HTML     template.HTML // as shown: escaped, its lines and links kept
	Stale    bool          // out of date with the last change
	Alts     []altLine     // the clause's alternatives in this language
	Confirm  bool          // the reader may confirm it still matches
	SignOff  bool          // the reader's party may sign it off
	SignedBy string        // the parties that signed it off, by name
	Edit     *formLink     // unfolds its edit form, for a reader who may edit
	Editing  bool          // its edit form is unfolded
}

// altLine is an alternative's text as one version shows it.
type altLine struct {
	Lang     parley.Lang
	LangName string // when the text is in another language than the version's
	HTML     template.HTML
	Mark     string // "Alternative B · Ukraine"
}

// actRow is a formal act in the memorandum's timeline: a memorandum whose
// clauses were agreed and initialled has thousands.
type actRow struct {
	Seq       int64
	Act       string // what was done, in the reader's language
	Number    string // the clause's number, or "" for the memorandum
	Party     string // by name
	Actor     string
	At, AtISO string
}

// clauseAct is a formal act on a clause, linked to its record entry.
type clauseAct struct {
	Seq   int64
	Title string // the act, the party, who and when
}

// formLink is a link that unfolds one form of a clause: to the page with
// that form open, at the clause, for a browser without script (href), and
// to the clause alone with it open, which htmx puts in place of the
// clause (hx-get). A page has one for each version of each clause, 2,650
// for 500 clauses in three languages: each is kept as its parts, escaped
// once for the page, and written out whole.
type formLink struct {
	base  *linkBase
	id    string // the clause's identifier, escaped for an attribute
	form  string // "edit.<lang>", "table" or "link"
	label string // Label, escaped
	Label string
}

// linkBase is what a page's form links share: the addresses up to the
// clause, escaped for an attribute: "/memos/<memo>?view=<view>&amp;open=",
// "/memos/<memo>/clause/" and "?view=<view>&amp;open=", without the view
// when it is side by side (the default). They are a third of a long
// memorandum's page: every byte saved counts hundreds of times.
type linkBase struct {
	page, clause, open string
}

// HTML is the link: <a class="form-link" href="…" hx-get="…">Label</a>.
func (f *formLink) HTML() template.HTML {
	var b strings.Builder
	f.write(&b)
	return template.HTML(b.String())
}

func (f *formLink) write(b *strings.Builder) {
	b.WriteString(`<a class="form-link" href="`)
	b.WriteString(f.base.page)
	b.WriteString(f.id)
	b.WriteString(".")
	b.WriteString(f.form)
	b.WriteString("#c-")
	b.WriteString(f.id)
	b.WriteString(`" hx-get="`)
	b.WriteString(f.base.clause)
	b.WriteString(f.id)
	b.WriteString(f.base.open)
	b.WriteString(f.form)
	b.WriteString(`">`)
	b.WriteString(f.label)
	b.WriteString(`</a>`)
}

// openForm is the form of a clause that a page shows unfolded: the one the
// reader asked for, or one sent back with a complaint or a conflict. Every
// other form of every clause is a link that fetches it: a memorandum of
// 500 clauses would otherwise carry a thousand text boxes.
type openForm struct {
	Edit     parley.Lang // the language whose edit form is open
	EditText string      // what its text box holds: the current text, or what the reader sent
	Conflict bool        // the edit was stale: the page shows both texts
	Table    bool        // the form that tables an alternative
	Link     bool        // the form that links a proposal or thread
	Asked    bool        // opened at the reader's request: it takes the focus
	SentBack bool        // sent back with a complaint: the reader's input is in the page's form
}

type altView struct {
	ID, Letter string
	Kind       parley.BracketKind
	TabledBy   string // the party, by name
	Stances    []partyStance
	Can        map[string]bool
	Accepted   bool // by every negotiating party
}

type partyStance struct {
	Party  parley.Party
	Stance parley.Stance // "" when the party has taken none
}

// place is where a new section or clause can go.
type place struct {
	Value string // parent:position
	Label string
	Last  bool // the end of the memorandum: the place chosen unless the reader chooses
}

// memoConflict is an edit refused because the clause changed meanwhile.
type memoConflict struct {
	ClauseID string
	Lang     parley.Lang
	Yours    string
	Current  string
	Version  int
}

func probeEnv() parley.Env {
	return parley.Env{Now: time.Now(), NewID: func() string { return "probe" }}
}

// negotiating returns the negotiating parties of v, in the process's order.
func negotiating(v *processView) []parley.Party {
	var out []parley.Party
	for _, p := range v.Parties {
		if p.Kind == parley.PartyNegotiating {
			out = append(out, p)
		}
	}
	return out
}

func partiesOf(v *processView, ids []string) []parley.Party {
	var out []parley.Party
	for _, id := range ids {
		out = append(out, v.Party[id])
	}
	return out
}

func (s *Server) loadMemo(ctx context.Context, p *page, id string, q memoQuery) (*memoPage, error) {
	m, items, err := s.db.Memo(ctx, p.Actor, id)
	if err != nil {
		return nil, err
	}
	all := items
	if q.Clause != "" {
		items = nil
		for _, c := range all {
			if c.ID == q.Clause {
				items = append(items, c)
			}
		}
		if items == nil {
			return nil, parley.Errorf(parley.ENOTFOUND, "No such clause in this memorandum.")
		}
	}
	v, err := s.loadProcess(ctx, p.Actor, m.ProcessID, p.Lang)
	if err != nil {
		return nil, err
	}
	p.withNav(v)
	mp := &memoPage{processView: v, Memo: m, Parties: negotiating(v), Can: map[string]bool{}}
	for _, sp := range v.Spaces {
		if sp.ID == m.SpaceID {
			mp.Space = sp
		}
	}
	set := parley.MemoSetting{Memo: m, Space: mp.Space.Space}
	for _, party := range mp.Parties {
		set.Parties = append(set.Parties, party.ID)
	}
	a, env := p.Actor, probeEnv()
	mp.Initialed = partiesOf(v, m.Initialled)

	mp.View = "side"
	mp.Shown = m.Languages
	for _, l := range m.Languages {
		if string(l) == q.View {
			mp.View, mp.Shown = q.View, []parley.Lang{l}
		}
	}
	mp.Cols = len(mp.Shown)
	if mem, ok := a.In(m.ProcessID); ok && containsID(set.Parties, mem.PartyID) {
		mp.Alternat = mem.PartyID
	} else if len(set.Parties) > 0 {
		mp.Alternat = set.Parties[0]
	}

	ok := func(_ []parley.Event, err error) bool { return err == nil }
	_, err = parley.DecideAddClause(a, set, nil, parley.AddClause{MemoID: m.ID, Kind: parley.KindClause}, env)
	mp.Can["add"] = err == nil
	// The mediator may record the prevailing language while no one has
	// initialled: ask with a language that differs from the current one.
	probe := parley.Lang("")
	if m.Prevailing == "" && len(m.Languages) > 0 {
		probe = m.Languages[0]
	}
	_, err = parley.DecideSetPrevailing(a, set, parley.SetPrevailing{MemoID: m.ID, Lang: probe}, env)
	mp.Can["prevailing"] = err == nil
	// A party's own draft may be shared, by the party's formal act, with a
	// working group in which the reader acts for it.
	if mp.Space.Kind == parley.SpaceParty {
		for _, sp := range v.Spaces {
			if sp.Kind == parley.SpaceGroup && parley.CanActFor(a, m.ProcessID, sp.GroupID, mp.Space.PartyID) {
				mp.ShareTo = append(mp.ShareTo, sp)
			}
		}
	}
	// What a clause may link to: the proposals and threads of the
	// memorandum's own space, which all its readers may read.
	if parley.Allowed(a, parley.ActDraft, set.Space) {
		ps, err := s.db.Proposals(ctx, a, store.ProposalFilter{Process: m.ProcessID})
		if err != nil {
			return nil, err
		}
		for _, x := range ps {
			if x.SpaceID == m.SpaceID {
				mp.Linkable = append(mp.Linkable, place{Value: "p:" + x.ID, Label: p.T("proposal.title") + ": " + x.Title})
			}
		}
		ts, err := s.db.Threads(ctx, a, m.SpaceID)
		if err != nil {
			return nil, err
		}
		for _, x := range ts {
			mp.Linkable = append(mp.Linkable, place{Value: "t:" + x.ID, Label: p.T("thread.title") + ": " + x.Title})
		}
	}
	_, err = parley.DecideInitialMemo(a, set, all, env)
	switch {
	case err == nil:
		mp.Can["initial"] = true
	case parley.ErrorCode(err) == parley.ECONFLICT && !containsID(m.Initialled, partyOf(a, m.ProcessID)):
		mp.Blocked = parley.ErrorMessage(err) // shown disabled, with the reason
	}
	views := newClauseViews(mp, p)
	for _, c := range items {
		cv := views.view(c)
		cv.Agree = ok(parley.DecideAgreeClause(a, set, c, env))
		cv.Initial = ok(parley.DecideInitialClause(a, set, c, env))
		for i := range cv.Versions {
			l := cv.Versions[i].Lang
			cv.Versions[i].Confirm = ok(parley.DecideConfirmTranslation(a, set, c, parley.ConfirmTranslation{ClauseID: c.ID, Lang: l}, env))
			cv.Versions[i].SignOff = !cv.Section && ok(parley.DecideSignOffLanguage(a, set, c, parley.SignOffLanguage{ClauseID: c.ID, Lang: l}, env))
		}
		for i, alt := range c.Alternatives {
			av := &cv.Alts[i]
			for _, st := range []parley.Stance{parley.StanceAccepts, parley.StanceReserves, parley.StanceRejects, parley.StanceAwaiting} {
				av.Can[string(st)] = ok(parley.DecideTakeStance(a, set, c, parley.TakeStance{AlternativeID: alt.ID, Stance: st}, env))
			}
			av.Can["withdraw"] = ok(parley.DecideWithdrawAlternative(a, set, c, parley.WithdrawAlternative{AlternativeID: alt.ID}, env))
			av.Can["adopt"] = ok(parley.DecideAdoptAlternative(a, set, c, parley.AdoptAlternative{AlternativeID: alt.ID}, env))
		}
		mp.Items = append(mp.Items, cv)
	}
	mp.Places = places(all, p)
	mp.Places[len(mp.Places)-1].Last = true
	acts, err := s.db.MemoActs(ctx, a, m.ID)
	if err != nil {
		return nil, err
	}
	number := map[string]string{}
	for _, c := range all {
		number[c.ID] = c.Number
	}
	at := map[string]int{}
	for i, c := range mp.Items {
		at[c.ID] = i
	}
	for _, act := range acts {
		row := actRow{Seq: act.Seq, Act: p.T("act." + act.Type), Number: number[act.ClauseID], Actor: act.Actor, At: p.Time(act.At), AtISO: p.ISO(act.At)}
		if act.Party != "" {
			row.Party = v.Party[act.Party].Names.In(p.Lang)
		}
		mp.Acts = append(mp.Acts, row)
		if i, ok := at[act.ClauseID]; ok {
			mp.Items[i].Acts = append(mp.Items[i].Acts, clauseAct{Seq: act.Seq, Title: row.Act + " · " + row.Party + " · " + row.Actor + " · " + row.At})
		}
	}
	if c := q.Conflict; c != nil {
		for _, x := range all {
			if x.ID == c.ClauseID {
				c.Current, c.Version = x.Texts[c.Lang], x.Version
			}
		}
	}
	mp.Conflict = q.Conflict
	mp.openForms(p, q.Open)
	return mp, nil
}

// openForms marks the forms a page shows unfolded: the one asked for in
// open, a stale edit's (with both texts), and one sent back with a
// complaint (with what the reader sent).
func (mp *memoPage) openForms(p *page, open string) {
	clause, form, _ := strings.Cut(open, ".")
	form, lang, _ := strings.Cut(form, ".")
	sent := p.Value("clause")
	for i := range mp.Items {
		c := &mp.Items[i]
		if c.ID == clause {
			switch {
			case form == "edit" && c.Edit && containsLang(mp.Shown, parley.Lang(lang)):
				c.Open.Edit, c.Open.EditText = parley.Lang(lang), c.Texts[parley.Lang(lang)]
			case form == "table" && c.TableForm != nil:
				c.Open.Table = true
			case form == "link" && c.LinkForm != nil:
				c.Open.Link = true
			}
			c.Open.Asked = c.Open != openForm{}
		}
		if c.ID == sent && (len(p.Errors) > 0 || mp.Conflict != nil) {
			f := p.Form
			switch {
			case mp.Conflict != nil && mp.Conflict.ClauseID == c.ID && c.Edit:
				c.Open = openForm{Edit: mp.Conflict.Lang, EditText: mp.Conflict.Yours, Conflict: true}
			case f.Has("version") && c.Edit: // an edit
				c.Open = openForm{Edit: parley.Lang(f.Get("lang")), EditText: f.Get("text"), SentBack: true}
			case f.Has("kind") && c.TableForm != nil: // an alternative tabled
				c.Open = openForm{Table: true, SentBack: true}
			case f.Has("target") && c.LinkForm != nil: // a link
				c.Open = openForm{Link: true, SentBack: true}
			}
		}
		for i := range c.Versions {
			c.Versions[i].Editing = c.Versions[i].Lang == c.Open.Edit
		}
		if c.Open.Table {
			c.TableForm = nil
		}
		if c.Open.Link {
			c.LinkForm = nil
		}
	}
}

// clauseViews makes the views of a page's sections and clauses, with
// what is the same for all of them worked out once.
type clauseViews struct {
	mp    *memoPage
	p     *page
	names map[parley.Lang]string // the shown languages' names
	edit  map[parley.Lang]label  // their edit links' forms and labels
	table label                  // the label of the link to table an alternative
	link  label                  // the label of the link to link a proposal or thread
	base  *linkBase
	links []formLink // where the links are made, a few hundred at a time
}

// label is a form link's label, as written and escaped, and its form.
type label struct {
	form, text, html string
}

func newClauseViews(mp *memoPage, p *page) *clauseViews {
	vs := &clauseViews{mp: mp, p: p, names: map[parley.Lang]string{}, edit: map[parley.Lang]label{}, base: &linkBase{}}
	newLabel := func(form, text string) label { return label{form, text, html.EscapeString(text)} }
	for _, l := range mp.Shown {
		vs.names[l] = p.T("lang." + string(l))
		vs.edit[l] = newLabel("edit."+string(l), p.T("memo.edit", "Lang", vs.names[l]))
	}
	vs.table = newLabel("table", p.T("memo.table_alternative"))
	vs.link = newLabel("link", p.T("memo.link"))
	memo := html.EscapeString(url.PathEscape(mp.Memo.ID))
	vs.base.open = "?open="
	if mp.View != "side" {
		vs.base.open = "?view=" + html.EscapeString(url.QueryEscape(mp.View)) + "&amp;open="
	}
	vs.base.page = "/memos/" + memo + vs.base.open
	vs.base.clause = "/memos/" + memo + "/clause/"
	return vs
}

// view is what the page shows of c. What the reader may decide about it
// is left to loadMemo, which has the decisions' setting.
func (vs *clauseViews) view(c parley.Clause) clauseView {
	mp, p := vs.mp, vs.p
	cv := clauseView{ID: c.ID, Number: c.Number, Section: c.Kind == parley.KindSection, Status: c.Status,
		Tabled: c.Kind == parley.KindClause && c.Status == parley.ClauseStatusBracketed, Version: c.Version, Texts: c.Texts, Links: c.Links,
		AgreedBy: partyNames(mp.processView, c.Agreed, p.Lang), InitBy: partyNames(mp.processView, c.Initialled, p.Lang), Edit: mp.Can["add"]}
	id := html.EscapeString(url.PathEscape(c.ID))
	switch c.Status {
	case parley.ClauseStatusInitialled:
		cv.StatusLabel = p.T("memo.status_initialled")
	case parley.ClauseStatusAgreed:
		cv.StatusLabel = p.T("memo.status_agreed")
	default:
		cv.StatusLabel = p.T("memo.status_bracketed")
	}
	if !cv.Section {
		if cv.Edit {
			cv.TableForm = vs.formLink(id, vs.table)
		}
		if len(mp.Linkable) > 0 {
			cv.LinkForm = vs.formLink(id, vs.link)
		}
	}
	for i, alt := range c.Alternatives {
		av := altView{ID: alt.ID, Letter: altLetter(i), Kind: alt.Kind, TabledBy: mp.Party[alt.TabledBy].Names.In(p.Lang), Can: map[string]bool{}, Accepted: true}
		for _, party := range mp.Parties {
			st := alt.Stances[party.ID]
			av.Stances = append(av.Stances, partyStance{Party: party, Stance: st})
			if st != parley.StanceAccepts {
				av.Accepted = false
			}
		}
		cv.Alts = append(cv.Alts, av)
	}
	cv.Versions = make([]versionView, len(mp.Shown))
	for i, l := range mp.Shown {
		v := versionView{Lang: l, Name: vs.names[l], Text: c.Texts[l], Stale: containsLang(c.Stale, l)}
		if cv.Edit {
			v.Edit = vs.formLink(id, vs.edit[l])
		}
		if !cv.Section {
			v.HTML = formatText(v.Text)
			v.SignedBy = partyNames(mp.processView, c.SignedOff[l], p.Lang)
			for k, alt := range c.Alternatives {
				// A reader of one version sees every alternative: in
				// the first language it has if not in this one.
				text, in := alt.Texts[l], l
				for _, x := range mp.Memo.Languages {
					if text != "" || len(mp.Shown) > 1 {
						break
					}
					text, in = alt.Texts[x], x
				}
				if text == "" {
					continue
				}
				at := altLine{Lang: in, HTML: formatText(text), Mark: p.T("memo.alternative", "Letter", cv.Alts[k].Letter) + " · " + cv.Alts[k].TabledBy}
				if in != l {
					at.LangName = p.T("lang." + string(in))
				}
				v.Alts = append(v.Alts, at)
			}
		}
		cv.Versions[i] = v
	}
	return cv
}

// formLink makes the link that unfolds the form l of clause id; id is
// escaped for an attribute already. The clause alone has its identifier
// in the path, so its open names the form only.
func (vs *clauseViews) formLink(id string, l label) *formLink {
	if len(vs.links) == cap(vs.links) {
		vs.links = make([]formLink, 0, 256)
	}
	vs.links = append(vs.links, formLink{base: vs.base, id: id, form: l.form, label: l.html, Label: l.text})
	return &vs.links[len(vs.links)-1]
}

// partyNames names the parties ids in l, comma-separated.
func partyNames(v *processView, ids []string, l parley.Lang) string {
	var b strings.Builder
	for i, id := range ids {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(v.Party[id].Names.In(l))
	}
	return b.String()
}

func containsLang(ls []parley.Lang, l parley.Lang) bool {
	for _, x := range ls {
		if x == l {
			return true
		}
	}
	return false
}

func partyOf(a parley.Actor, process string) string {
	m, _ := a.In(process)
	return m.PartyID
}

func containsID(ids []string, id string) bool {
	for _, x := range ids {
		if x == id && id != "" {
			return true
		}
	}
	return false
}

// altLetter names the i-th alternative of a clause: A, B, …, Z, AA…
func altLetter(i int) string {
	s := ""
	for i++; i > 0; i = (i - 1) / 26 {
		s = string(rune('A'+(i-1)%26)) + s
	}
	return s
}

// places lists where a new item may go, in document order; the last is
// the end of the memorandum.
func places(items []parley.Clause, p *page) []place {
	// A long memorandum has hundreds of places, whose labels differ by
	// their number only: each message is translated once, with a mark
	// where the number goes.
	const mark = "\x00number\x00"
	after, section := p.T("memo.place_after", "Number", mark), p.T("memo.place_section_start", "Number", mark)
	out := make([]place, 1, len(items)+1)
	out[0] = place{Value: ":0", Label: p.T("memo.place_start")}
	for _, c := range items {
		if c.ParentID != "" {
			continue
		}
		if c.Kind == parley.KindSection {
			out = append(out, place{Value: c.ID + ":0", Label: strings.ReplaceAll(section, mark, c.Number)})
			for _, k := range items {
				if k.ParentID == c.ID {
					out = append(out, place{Value: c.ID + ":" + strconv.Itoa(k.Position+1), Label: strings.ReplaceAll(after, mark, k.Number)})
				}
			}
		}
		out = append(out, place{Value: ":" + strconv.Itoa(c.Position+1), Label: strings.ReplaceAll(after, mark, c.Number)})
	}
	return out
}

func (s *Server) memosPage(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.member(w, r); !ok {
		return
	}
	s.showMemos(w, r, s.page(r, "memos.title"), http.StatusOK)
}

func (s *Server) showMemos(w http.ResponseWriter, r *http.Request, p *page, status int) {
	ctx := r.Context()
	v, err := s.loadProcess(ctx, p.Actor, r.PathValue("process"), p.Lang)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.withNav(v)
	mp := memosPage{processView: v}
	memos, err := s.db.Memos(ctx, p.Actor, v.Process.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, m := range memos {
		row := memoRow{Memorandum: m, InitialedBy: partiesOf(v, m.Initialled)}
		for _, sp := range v.Spaces {
			if sp.ID == m.SpaceID {
				row.Group = sp.Name
			}
		}
		mp.Memos = append(mp.Memos, row)
	}
	for _, sp := range v.Spaces {
		if sp.Kind == parley.SpaceGroup && parley.Allowed(p.Actor, parley.ActDraft, sp.Space) {
			mp.Spaces = append(mp.Spaces, sp)
		}
	}
	p.Data = mp
	s.render(w, r, status, "memos.html", p)
}

func (s *Server) createMemo(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.member(w, r); !ok {
		return
	}
	if err := parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	f := r.PostForm
	cmd := parley.CreateMemo{SpaceID: f.Get("space"), Title: f.Get("title"), Mode: parley.MemoMode(f.Get("mode")), Languages: formLangs(r)}
	evs, err := s.svc.Do(r.Context(), requestActor(r.Context()), cmd)
	if code := parley.ErrorCode(err); code == parley.EINVALID || code == parley.ECONFLICT {
		p := s.page(r, "memos.title")
		p.Form, p.Errors = f, fields(err)
		s.showMemos(w, r, p, status(code))
		return
	} else if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/memos/"+evs[0].Data.(*parley.MemoCreated).MemoID, http.StatusSeeOther)
}

func (s *Server) memoPage(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.member(w, r); !ok {
		return
	}
	p := s.page(r, "memo.title")
	mp, err := s.loadMemo(r.Context(), p, r.PathValue("memo"), memoRequest(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Data = mp
	if err := s.signing(r, p, r.PathValue("memo")); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "memo.html", p)
}

// memoBody is the memorandum page's live part alone, fetched again when
// the stream says something happened.
func (s *Server) memoBody(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.member(w, r); !ok {
		return
	}
	p := s.page(r, "memo.title")
	mp, err := s.loadMemo(r.Context(), p, r.PathValue("memo"), memoQuery{View: r.URL.Query().Get("view")})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Data = mp
	if err := s.signing(r, p, r.PathValue("memo")); err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderFragment(w, r, "memo.html", "memo-body", p)
}

// memoClause is one section or clause of a memorandum alone, with the form
// asked for in open unfolded, or with none: the page fetches it in place of
// the clause when the reader opens or closes one of its forms.
func (s *Server) memoClause(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.member(w, r); !ok {
		return
	}
	p := s.page(r, "memo.title")
	q := memoRequest(r)
	q.Clause = r.PathValue("clause")
	if q.Open != "" { // the clause is in the path: open names its form alone
		q.Open = q.Clause + "." + q.Open
	}
	mp, err := s.loadMemo(r.Context(), p, r.PathValue("memo"), q)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Data = mp
	if err := s.signing(r, p, r.PathValue("memo")); err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderFragment(w, r, "memo.html", "memo-one", p)
}

// memoAct runs one act on a memorandum from its page. A refusal for the
// content or the state comes back on the page, next to the act; a stale
// edit comes back with both texts, the reader's and the current one.
func (s *Server) memoAct(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.member(w, r); !ok {
		return
	}
	if err := parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	id, f, act := r.PathValue("memo"), r.PostForm, r.PathValue("act")
	clause, lang := f.Get("clause"), parley.Lang(f.Get("lang"))
	var cmd parley.Command
	switch act {
	case "add":
		parent, pos, _ := strings.Cut(f.Get("place"), ":")
		cmd = parley.AddClause{MemoID: id, ParentID: parent, Kind: parley.ClauseKind(f.Get("kind")), Position: atoi(pos), Texts: formTexts(r)}
	case "text":
		cmd = parley.ChangeClauseText{ClauseID: clause, Lang: lang, Text: f.Get("text"), Version: atoi(f.Get("version"))}
	case "confirm":
		cmd = parley.ConfirmTranslation{ClauseID: clause, Lang: lang}
	case "signoff":
		cmd = parley.SignOffLanguage{ClauseID: clause, Lang: lang}
	case "table":
		cmd = parley.TableAlternative{ClauseID: clause, Kind: parley.BracketKind(f.Get("kind")), Texts: formTexts(r)}
	case "stance":
		cmd = parley.TakeStance{AlternativeID: f.Get("alternative"), Stance: parley.Stance(f.Get("stance"))}
	case "withdraw":
		cmd = parley.WithdrawAlternative{AlternativeID: f.Get("alternative")}
	case "adopt":
		cmd = parley.AdoptAlternative{AlternativeID: f.Get("alternative")}
	case "agree":
		cmd = parley.AgreeClause{ClauseID: clause}
	case "initial":
		cmd = parley.InitialClause{ClauseID: clause}
	case "initial-memo":
		cmd = parley.InitialMemo{MemoID: id}
	case "link":
		target := r.PostForm.Get("target")
		link := parley.LinkClause{ClauseID: clause}
		if id, ok := strings.CutPrefix(target, "p:"); ok {
			link.ProposalID = id
		} else if id, ok := strings.CutPrefix(target, "t:"); ok {
			link.ThreadID = id
		}
		cmd = link
	case "share":
		cmd = parley.ShareMemo{MemoID: id, SpaceID: r.PostForm.Get("space")}
	case "prevailing":
		cmd = parley.SetPrevailing{MemoID: id, Lang: parley.Lang(r.PostForm.Get("lang"))}
	default:
		s.fail(w, r, parley.Errorf(parley.ENOTFOUND, "No such act."))
		return
	}
	evs, done, err := s.formalAct(w, r, cmd)
	if done {
		return
	}
	if code := parley.ErrorCode(err); code == parley.EINVALID || code == parley.ECONFLICT {
		p := s.page(r, "memo.title")
		p.Form, p.Errors = f, fields(err)
		q := memoQuery{View: r.URL.Query().Get("view")}
		if act == "text" && code == parley.ECONFLICT {
			q.Conflict = &memoConflict{ClauseID: clause, Lang: lang, Yours: f.Get("text")}
		}
		mp, lerr := s.loadMemo(r.Context(), p, id, q)
		if lerr != nil {
			s.fail(w, r, lerr)
			return
		}
		p.Data = mp
		if err := s.signing(r, p, r.PathValue("memo")); err != nil {
			s.fail(w, r, err)
			return
		}
		s.render(w, r, status(code), "memo.html", p)
		return
	} else if err != nil {
		s.fail(w, r, err)
		return
	}
	if act == "text" {
		s.editSaved(requestActor(r.Context()), id, evs)
	}
	next := "/memos/" + id
	if len(evs) > 0 {
		if d, ok := evs[0].Data.(*parley.MemoCreated); ok { // a shared copy: show it
			next = "/memos/" + d.MemoID
		}
	}
	if v := r.URL.Query().Get("view"); v != "" {
		next += "?view=" + urlQueryEscape(v)
	}
	if clause != "" {
		next += "#c-" + clause
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// formTexts reads a text in each language from fields text_en, text_uk…
func formTexts(r *http.Request) parley.Texts {
	t := parley.Texts{}
	for _, l := range parley.Langs {
		if v := strings.TrimSpace(r.PostForm.Get("text_" + string(l))); v != "" {
			t[l] = v
		}
	}
	return t
}

// MemosIn returns the memoranda kept in a space, for the working group's page.
func (p *page) MemosIn(space string) []parley.Memorandum {
	if p.Nav == nil || space == "" {
		return nil
	}
	all, err := p.s.db.Memos(p.req.Context(), p.Actor, p.Nav.Process.ID)
	if err != nil {
		p.s.log.WarnContext(p.req.Context(), "memoranda of a group", "err", err)
	}
	var out []parley.Memorandum
	for _, m := range all {
		if m.SpaceID == space {
			out = append(out, m)
		}
	}
	return out
}

// --- The print view ---

// printPage is a copy of a memorandum in the diplomatic convention.
type printPage struct {
	Memo    parley.Memorandum
	Parties []parley.Party // the copy's party first: the alternat
	For     parley.Party
	Langs   []parley.Lang // one language per copy, or all in columns
	Items   []printItem
	Lang    parley.Lang
	PDF     string // the address of the PDF of this copy
	Back    string
}

type printItem struct {
	Number    string
	Section   bool
	Bracketed bool
	Texts     map[parley.Lang][]string // lines
	Stale     map[parley.Lang]bool     // versions out of date with the last change
	Alts      []printAlt
}

type printAlt struct {
	Letter   string
	TabledBy parley.Party
	Kind     parley.BracketKind
	Texts    map[parley.Lang][]string
}

func lines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

func (s *Server) loadPrint(r *http.Request, p *page) (*printPage, error) {
	ctx := r.Context()
	m, items, err := s.db.Memo(ctx, p.Actor, r.PathValue("memo"))
	if err != nil {
		return nil, err
	}
	v, err := s.loadProcess(ctx, p.Actor, m.ProcessID, p.Lang)
	if err != nil {
		return nil, err
	}
	q := r.URL.Query()
	pp := &printPage{Memo: m, Langs: m.Languages, Lang: p.Lang}
	for _, l := range m.Languages {
		if string(l) == q.Get("lang") {
			pp.Langs = []parley.Lang{l}
			p.Lang = l // a copy in one language speaks it throughout
		}
	}
	pp.Lang = p.Lang
	parties := negotiating(v)
	party := q.Get("party")
	if party == "" {
		party = partyOf(p.Actor, m.ProcessID)
	}
	for _, x := range parties {
		if x.ID == party {
			pp.For = x
			pp.Parties = append(pp.Parties, x)
		}
	}
	for _, x := range parties {
		if x.ID != pp.For.ID {
			pp.Parties = append(pp.Parties, x)
		}
	}
	for _, c := range items {
		it := printItem{Number: c.Number, Section: c.Kind == parley.KindSection, Texts: map[parley.Lang][]string{}, Stale: map[parley.Lang]bool{},
			Bracketed: c.Kind == parley.KindClause && c.Status == parley.ClauseStatusBracketed}
		for _, l := range pp.Langs {
			it.Texts[l] = lines(c.Texts[l])
		}
		for _, l := range c.Stale {
			it.Stale[l] = true
		}
		for i, a := range c.Alternatives {
			pa := printAlt{Letter: altLetter(i), TabledBy: v.Party[a.TabledBy], Kind: a.Kind, Texts: map[parley.Lang][]string{}}
			for _, l := range pp.Langs {
				pa.Texts[l] = lines(a.Texts[l])
			}
			it.Alts = append(it.Alts, pa)
		}
		pp.Items = append(pp.Items, it)
	}
	query := "?lang=" + urlQueryEscape(q.Get("lang")) + "&party=" + urlQueryEscape(pp.For.ID)
	pp.PDF = "/memos/" + m.ID + "/print.pdf" + query
	pp.Back = "/memos/" + m.ID
	return pp, nil
}

// renderPrint renders the print view into a buffer.
func (s *Server) renderPrint(p *page) ([]byte, error) {
	t := s.pages.byName["memo-print.html"]
	if t == nil {
		return nil, errors.New("web: no print template")
	}
	var buf bytes.Buffer
	err := t.ExecuteTemplate(&buf, "memo-print", p)
	return buf.Bytes(), err
}

func (s *Server) memoPrint(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.member(w, r); !ok {
		return
	}
	p := s.page(r, "memo.print")
	pp, err := s.loadPrint(r, p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Data = pp
	b, err := s.renderPrint(p)
	if err != nil {
		s.log.ErrorContext(r.Context(), "render", "template", "memo-print.html", "err", err)
		http.Error(w, "Internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(b)
}

// chromium is the headless browser that prints a memorandum to PDF.
var chromium = "/usr/bin/chromium"

// pdfSlots bounds how many browsers print at once: each is a heavy process.
var pdfSlots = make(chan struct{}, 2)

// memoPDF prints the print view to PDF with headless Chromium: the HTML,
// its style sheet inlined, goes to a temporary file that Chromium prints;
// nothing of the session leaves the server. Without Chromium: 503.
func (s *Server) memoPDF(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.member(w, r); !ok {
		return
	}
	p := s.page(r, "memo.print")
	pp, err := s.loadPrint(r, p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if _, err := os.Stat(chromium); err != nil {
		http.Error(w, "PDF printing is not available on this server: Chromium is not installed ("+chromium+"). Use the print view and your browser's Print to PDF instead.", http.StatusServiceUnavailable)
		return
	}
	select {
	case pdfSlots <- struct{}{}:
		defer func() { <-pdfSlots }()
	case <-time.After(10 * time.Second):
		http.Error(w, "The server is busy printing other copies; try again in a minute, or use the print view and your browser's Print to PDF.", http.StatusServiceUnavailable)
		return
	}
	p.Data = pp
	html, err := s.renderPrint(p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	css, _ := fs.ReadFile(files, "static/memo-print.css")
	html = bytes.Replace(html, []byte(`<link rel="stylesheet" href="/static/memo-print.css">`), []byte("<style>\n"+string(css)+"</style>"), 1)
	dir, err := os.MkdirTemp("", "parley-print-")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer os.RemoveAll(dir)
	in, out := filepath.Join(dir, "copy.html"), filepath.Join(dir, "copy.pdf")
	if err := os.WriteFile(in, html, 0o600); err != nil {
		s.fail(w, r, err)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--user-data-dir="+filepath.Join(dir, "profile"),
		"--no-pdf-header-footer", "--print-to-pdf="+out, "file://"+in)
	cmd.WaitDelay = 2 * time.Second
	if b, err := cmd.CombinedOutput(); err != nil {
		s.log.ErrorContext(r.Context(), "print to PDF", "err", err, "output", string(b))
		http.Error(w, "The PDF could not be made in time; use the print view and your browser's Print to PDF instead.", http.StatusServiceUnavailable)
		return
	}
	pdf, err := os.ReadFile(out)
	if err != nil || len(pdf) == 0 {
		http.Error(w, "The PDF could not be made; use the print view and your browser's Print to PDF instead.", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `inline; filename="memorandum.pdf"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Write(pdf)
}

// Checked reports whether a checkbox is ticked: as the user sent it, or
// ticked by default on a fresh form.
func (p *page) Checked(field, value string) bool {
	if p.Form == nil {
		return true
	}
	for _, v := range p.Form[field] {
		if v == value {
			return true
		}
	}
	return false
}

// memoDetail is a memorandum with its items, for the API.
type memoDetail struct {
	Memo    parley.Memorandum `json:"memo"`
	Clauses []parley.Clause   `json:"clauses" doc:"Sections and clauses in document order, numbered."`
}
