package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/parley-talks/parley"
)

// The pages of exchange agreements: a working group's list, and one
// agreement with its terms, its stages and their progress. The mediator
// records an agreement, changes its terms and plans its stages on them.

// categoryRow is one row of the categories of a terms form.
type categoryRow struct {
	Index             int
	Code, Name, Count string
}

// exchangesPage lists a working group's exchange agreements.
type exchangesPage struct {
	*processView
	Group     groupView
	Space     spaceView
	Exchanges []parley.Exchange
	CanCreate bool
	Parties   []parley.Party // the negotiating parties, for the form
	Rows      []categoryRow
	Terms     parley.ExchangeTerms // what the form offers
	PartyA    string
	PartyB    string
}

// exchangePage is one exchange agreement.
type exchangePage struct {
	*processView
	X         parley.Exchange
	Group     groupView
	Space     spaceView
	CanManage bool
	Rows      []categoryRow // of the terms form
	Terms     parley.ExchangeTerms
	Remaining map[string]int // by category: what no planned stage carries yet
	Lists     *listsView     // the sides' lists, their imports and reconciliation
	Progress  *progressView  // the stages' people, parity and finalisation
}

// NextStage is the stage the plan form offers: nothing in it yet.
func (xp *exchangePage) NextStage() parley.ExchangeStage { return parley.ExchangeStage{} }

// stageForm is the form of a stage: a new one (act plan) or one planned.
type stageForm struct {
	Act   string
	Stage parley.ExchangeStage
}

// StageForm returns the form of stage s for act.
func (p *page) StageForm(act string, s parley.ExchangeStage) stageForm {
	return stageForm{Act: act, Stage: s}
}

// formRows returns the category rows of a terms form: those sent back
// with act, else cs, and two empty rows more.
func formRows(p *page, act string, cs []parley.ExchangeCategoryTerms) []categoryRow {
	var rows []categoryRow
	if p.Errors["act"] == act && p.Form != nil {
		for i := 0; p.Form.Has(rowField(i, "code")) || p.Form.Has(rowField(i, "name")); i++ {
			rows = append(rows, categoryRow{Index: i, Code: p.Form.Get(rowField(i, "code")), Name: p.Form.Get(rowField(i, "name")), Count: p.Form.Get(rowField(i, "count"))})
		}
	} else {
		for i, c := range cs {
			n := ""
			if c.Count > 0 {
				n = strconv.Itoa(c.Count)
			}
			rows = append(rows, categoryRow{Index: i, Code: c.Code, Name: c.Name, Count: n})
		}
	}
	for range 2 {
		rows = append(rows, categoryRow{Index: len(rows)})
	}
	return rows
}

func rowField(i int, f string) string { return "categories." + strconv.Itoa(i) + "." + f }

// readTerms reads a terms form. Rows left empty are skipped; the form is
// rewritten without them, so that a complaint about "categories.2.count"
// stands next to the row the domain calls 2.
func readTerms(f url.Values, bad map[string]string) (parley.ExchangeTerms, url.Values) {
	t := parley.ExchangeTerms{Title: f.Get("title"), AllForAll: f.Get("all_for_all") != ""}
	num := func(field, v string) int {
		v = strings.TrimSpace(v)
		if v == "" {
			return 0
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			bad[field] = "must be a whole number"
			return 0
		}
		return n
	}
	t.Total, t.Stages = num("total", f.Get("total")), num("stages", f.Get("stages"))
	out := url.Values{"title": {t.Title}, "total": {f.Get("total")}, "stages": {f.Get("stages")}, "all_for_all": f["all_for_all"],
		"party_a": f["party_a"], "party_b": f["party_b"]}
	for i := 0; i < 60; i++ {
		code, name, count := strings.TrimSpace(f.Get(rowField(i, "code"))), f.Get(rowField(i, "name")), f.Get(rowField(i, "count"))
		if code == "" && strings.TrimSpace(name) == "" && strings.TrimSpace(count) == "" {
			continue
		}
		n := len(t.Categories)
		t.Categories = append(t.Categories, parley.ExchangeCategoryTerms{Code: code, Name: name, Count: num(rowField(n, "count"), count)})
		out[rowField(n, "code")], out[rowField(n, "name")], out[rowField(n, "count")] = []string{code}, []string{name}, []string{count}
	}
	return t, out
}

// readCounts reads a stage's form: its date, and a number for each
// category of x.
func readCounts(f url.Values, x parley.Exchange, bad map[string]string) (string, []parley.StageCount) {
	var out []parley.StageCount
	for _, c := range x.Terms.Categories {
		v := strings.TrimSpace(f.Get("counts." + c.Code))
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			bad["counts."+c.Code] = "must be a whole number"
			continue
		}
		out = append(out, parley.StageCount{Category: c.Code, Count: n})
	}
	return strings.TrimSpace(f.Get("date")), out
}

// withFormErrors joins the complaints of reading a form with those of the
// command.
func withFormErrors(bad map[string]string, err error) error {
	if len(bad) == 0 {
		return err
	}
	all := map[string]string{}
	for k, v := range fields(err) {
		if k != "" {
			all[k] = v
		}
	}
	for k, v := range bad {
		all[k] = v
	}
	return &parley.Error{Code: parley.EINVALID, Message: "The input is not valid.", Fields: all}
}

// loadGroupSpace reads working group id and its space, if a may read it.
func (s *Server) loadGroupSpace(ctx context.Context, p *page, id string) (*processView, groupView, spaceView, error) {
	g, err := s.db.Group(ctx, p.Actor, id)
	if err != nil {
		return nil, groupView{}, spaceView{}, err
	}
	if _, err := s.db.Space(ctx, p.Actor, g.SpaceID); err != nil {
		return nil, groupView{}, spaceView{}, parley.Errorf(parley.ENOTFOUND, "No such working group.")
	}
	v, err := s.loadProcess(ctx, p.Actor, g.ProcessID, p.Lang)
	if err != nil {
		return nil, groupView{}, spaceView{}, err
	}
	p.withNav(v)
	var gv groupView
	var sv spaceView
	for _, x := range v.Groups {
		if x.ID == g.ID {
			gv = x
		}
	}
	for _, x := range v.Spaces {
		if x.ID == g.SpaceID {
			sv = x
		}
	}
	return v, gv, sv, nil
}

func (s *Server) exchangesPage(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.member(w, r); !ok {
		return
	}
	s.showExchanges(w, r, s.page(r, "exchanges.title"), http.StatusOK)
}

func (s *Server) showExchanges(w http.ResponseWriter, r *http.Request, p *page, status int) {
	ctx := r.Context()
	v, g, sp, err := s.loadGroupSpace(ctx, p, r.PathValue("group"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ep := exchangesPage{processView: v, Group: g, Space: sp, CanCreate: parley.Mediates(p.Actor, sp.Space), Parties: negotiating(v)}
	if ep.Exchanges, err = s.db.Exchanges(ctx, p.Actor, g.ID); err != nil {
		s.fail(w, r, err)
		return
	}
	ep.Rows = formRows(p, "create", parley.DefaultExchangeCategories)
	ep.Terms = parley.ExchangeTerms{Stages: 1}
	if len(ep.Parties) == 2 {
		ep.PartyA, ep.PartyB = ep.Parties[0].ID, ep.Parties[1].ID
	}
	p.Data = ep
	s.render(w, r, status, "exchanges.html", p)
}

func (s *Server) createExchange(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.member(w, r); !ok {
		return
	}
	if err := parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	bad := map[string]string{}
	terms, form := readTerms(r.PostForm, bad)
	cmd := parley.CreateExchange{GroupID: r.PathValue("group"), Parties: []string{r.PostForm.Get("party_a"), r.PostForm.Get("party_b")}, ExchangeTerms: terms}
	var evs []parley.Event
	var err error
	if len(bad) > 0 {
		err = withFormErrors(bad, cmd.Validate())
	} else {
		evs, err = s.svc.Do(r.Context(), requestActor(r.Context()), cmd)
	}
	if code := parley.ErrorCode(err); code == parley.EINVALID || code == parley.ECONFLICT {
		p := s.page(r, "exchanges.title")
		p.Form, p.Errors = form, fields(err)
		p.Errors["act"] = "create"
		s.showExchanges(w, r, p, status(code))
		return
	} else if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/exchanges/"+evs[0].Data.(*parley.ExchangeCreated).ExchangeID, http.StatusSeeOther)
}

func (s *Server) loadExchange(ctx context.Context, p *page, id string) (*exchangePage, error) {
	x, err := s.db.Exchange(ctx, p.Actor, id)
	if err != nil {
		return nil, err
	}
	v, g, sp, err := s.loadGroupSpace(ctx, p, x.GroupID)
	if err != nil {
		return nil, err
	}
	xp := &exchangePage{processView: v, X: x, Group: g, Space: sp, CanManage: parley.Mediates(p.Actor, sp.Space), Remaining: map[string]int{}}
	xp.Rows, xp.Terms = formRows(p, "terms", x.Terms.Categories), x.Terms
	for _, c := range x.Terms.Categories {
		xp.Remaining[c.Code] = c.Count - x.Planned(c.Code)
	}
	if err := s.loadLists(ctx, p, xp); err != nil {
		return nil, err
	}
	if err := s.loadProgress(ctx, p, xp); err != nil {
		return nil, err
	}
	return xp, nil
}

func (s *Server) exchangePage(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.member(w, r); !ok {
		return
	}
	s.showExchange(w, r, s.page(r, "agreement.title"), http.StatusOK)
}

func (s *Server) showExchange(w http.ResponseWriter, r *http.Request, p *page, status int) {
	xp, err := s.loadExchange(r.Context(), p, r.PathValue("exchange"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Data = xp
	s.render(w, r, status, "exchange.html", p)
}

// exchangeBody is the live part of an exchange's page.
func (s *Server) exchangeBody(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.member(w, r); !ok {
		return
	}
	p := s.page(r, "agreement.title")
	xp, err := s.loadExchange(r.Context(), p, r.PathValue("exchange"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Data = xp
	s.renderFragment(w, r, "exchange.html", "exchange-body", p)
}

// exchangeAct changes an exchange: its terms, a new stage (plan), or a
// planned stage (stage, with its number).
func (s *Server) exchangeAct(w http.ResponseWriter, r *http.Request) {
	a, ok := s.member(w, r)
	if !ok {
		return
	}
	if err := parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	ctx := r.Context()
	id, act := r.PathValue("exchange"), r.PathValue("act")
	if !slices.Contains([]string{"terms", "plan", "stage"}, act) {
		s.fail(w, r, parley.Errorf(parley.ENOTFOUND, "No such act."))
		return
	}
	x, err := s.db.Exchange(ctx, a, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f := r.PostForm
	bad := map[string]string{}
	var cmd parley.Command
	errAct, anchor := act, ""
	switch act {
	case "terms":
		var terms parley.ExchangeTerms
		terms, f = readTerms(r.PostForm, bad)
		cmd, anchor = parley.EditExchangeTerms{ExchangeID: id, ExchangeTerms: terms}, "#terms"
	case "plan":
		date, counts := readCounts(f, x, bad)
		cmd, anchor = parley.PlanStage{ExchangeID: id, Date: date, Counts: counts}, "#stages"
	case "stage":
		date, counts := readCounts(f, x, bad)
		n := atoi(f.Get("number"))
		cmd, anchor, errAct = parley.EditStage{ExchangeID: id, Number: n, Date: date, Counts: counts}, "#stage-"+strconv.Itoa(n), "stage:"+strconv.Itoa(n)
	}
	if len(bad) > 0 {
		err = withFormErrors(bad, cmd.Validate())
	} else {
		_, err = s.svc.Do(ctx, a, cmd)
	}
	if code := parley.ErrorCode(err); code == parley.EINVALID || code == parley.ECONFLICT {
		p := s.page(r, "agreement.title")
		p.Form, p.Errors = f, fields(err)
		p.Errors["act"] = errAct
		s.showExchange(w, r, p, status(code))
		return
	} else if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/exchanges/"+id+anchor, http.StatusSeeOther)
}

// FormOr returns what the user sent in field with the form of act, or
// fallback when the page shows no such form sent back.
func (p *page) FormOr(act, field string, fallback any) string {
	if p.Errors["act"] == act && p.Form != nil {
		return p.Form.Get(field)
	}
	switch v := fallback.(type) {
	case int:
		if v == 0 {
			return ""
		}
		return strconv.Itoa(v)
	case string:
		return v
	case bool:
		if v {
			return "1"
		}
	}
	return ""
}

// StageAct is the act name of the form that edits stage n.
func (p *page) StageAct(n int) string { return "stage:" + strconv.Itoa(n) }
