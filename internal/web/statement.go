package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/parley-talks/parley"
)

// statementsPage lists a process's statements as its negotiators see them,
// and drafts new ones.
type statementsPage struct {
	*processView
	Statements    []statementRow
	Spaces        []spaceView // where the reader may draft
	NeedsMediator bool        // the process's rule for joint statements
	CanSetRules   bool
}

type statementRow struct {
	parley.Statement
	Where string
}

func (s *Server) statementsPage(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.member(w, r); !ok {
		return
	}
	s.showStatements(w, r, s.page(r, "statements.title"), http.StatusOK)
}

func (s *Server) showStatements(w http.ResponseWriter, r *http.Request, p *page, status int) {
	ctx := r.Context()
	v, err := s.loadProcess(ctx, p.Actor, r.PathValue("process"), p.Lang)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.withNav(v)
	sp := statementsPage{processView: v, CanSetRules: parley.AllowedProcess(p.Actor, parley.ManageRounds, v.Process.ID, "")}
	if sp.NeedsMediator, err = s.db.StatementRules(ctx, p.Actor, v.Process.ID); err != nil {
		s.fail(w, r, err)
		return
	}
	ss, err := s.db.Statements(ctx, p.Actor, v.Process.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, st := range ss {
		sp.Statements = append(sp.Statements, statementRow{Statement: st, Where: spaceName(p, v, st.SpaceID)})
	}
	for _, x := range v.Spaces {
		if x.Kind != parley.SpacePublic && parley.Allowed(p.Actor, parley.ActDraft, x.Space) {
			sp.Spaces = append(sp.Spaces, x)
		}
	}
	p.Data = sp
	s.render(w, r, status, "statements.html", p)
}

// readStatement reads a statement's form: title and text per language,
// up to three figures, the embargo in the reader's time zone.
func readStatement(f url.Values, loc *time.Location) (parley.StatementInput, map[string]string) {
	bad := map[string]string{}
	in := parley.StatementInput{Title: parley.Texts{}, Texts: parley.Texts{}, NeedsMediator: f.Get("needs_mediator") == "on"}
	for _, l := range parley.Langs {
		in.Title[l] = f.Get("title_" + string(l))
		in.Texts[l] = f.Get("text_" + string(l))
	}
	if v := strings.TrimSpace(f.Get("embargo")); v != "" {
		t, err := time.ParseInLocation("2006-01-02T15:04", v, loc)
		if err != nil {
			bad["embargo"] = "is not a date and time"
		}
		in.Embargo = t
	}
	labels, values, dates := f["figure_label"], f["figure_value"], f["figure_as_of"]
	for i, label := range labels {
		value, date := "", ""
		if i < len(values) {
			value = strings.TrimSpace(values[i])
		}
		if i < len(dates) {
			date = strings.TrimSpace(dates[i])
		}
		if strings.TrimSpace(label) == "" && value == "" {
			continue
		}
		n, err := strconv.ParseFloat(value, 64)
		if err != nil {
			bad["figures"] = "each figure needs a label, a number and its date (YYYY-MM-DD)"
		}
		// A figure's label is written once, in the language of the form's
		// first text; the others are given by translators as edits.
		in.Figures = append(in.Figures, parley.Figure{Label: parley.Texts{parley.Lang(f.Get("figure_lang")): label}, Value: n, AsOf: date})
	}
	return in, bad
}

func (s *Server) draftStatement(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.member(w, r); !ok {
		return
	}
	if err := parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	p := s.page(r, "statements.title")
	in, bad := readStatement(r.PostForm, p.Loc)
	var evs []parley.Event
	var err error
	if len(bad) > 0 {
		err = &parley.Error{Code: parley.EINVALID, Message: "The input is not valid.", Fields: bad}
	} else {
		evs, err = s.svc.Do(r.Context(), p.Actor, parley.DraftStatement{SpaceID: r.PostForm.Get("space"), StatementInput: in})
	}
	if code := parley.ErrorCode(err); code == parley.EINVALID {
		p.Form, p.Errors = r.PostForm, fields(err)
		s.showStatements(w, r, p, http.StatusBadRequest)
		return
	} else if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/statements/"+evs[0].Data.(*parley.StatementDrafted).StatementID, http.StatusSeeOther)
}

// statementPage is one statement: its words in every language, who
// approved them, and when it is or was released.
type statementPage struct {
	*processView
	S         parley.Statement
	Space     spaceView
	Approvers []parley.Party
	Approved  map[string]bool
	Can       map[string]bool
}

func (s *Server) loadStatement(ctx context.Context, p *page, id string) (*statementPage, error) {
	st, err := s.db.Statement(ctx, p.Actor, id)
	if err != nil {
		return nil, err
	}
	v, err := s.loadProcess(ctx, p.Actor, st.ProcessID, p.Lang)
	if err != nil {
		return nil, err
	}
	p.withNav(v)
	p.Map = true // the embargo's countdown
	sp := &statementPage{processView: v, S: st, Approved: map[string]bool{}}
	for _, x := range v.Spaces {
		if x.ID == st.SpaceID {
			sp.Space = x
		}
	}
	needs, err := s.db.StatementRules(ctx, p.Actor, st.ProcessID)
	if err != nil {
		return nil, err
	}
	set := parley.StatementSetting{Statement: st, Space: sp.Space.Space, NeedsMediator: needs}
	for _, pt := range v.Parties {
		switch pt.Kind {
		case parley.PartyNegotiating:
			set.Parties = append(set.Parties, pt.ID)
		case parley.PartyMediator:
			if set.Mediator == "" {
				set.Mediator = pt.ID
			}
		}
	}
	for _, id := range set.Approvers() {
		sp.Approvers = append(sp.Approvers, v.Party[id])
		sp.Approved[id] = st.ApprovedBy(id)
	}
	env := probeEnv()
	ok := func(_ []parley.Event, err error) bool { return err == nil }
	sp.Can = map[string]bool{
		"approve": ok(parley.DecideApproveStatement(p.Actor, set, parley.ApproveStatement{StatementID: st.ID, Hash: st.Hash}, env)),
		"edit":    st.Status != parley.StatementStatusPublished && parley.Allowed(p.Actor, parley.ActDraft, sp.Space.Space),
	}
	if p.Form == nil {
		p.Form = statementFormValues(st, p.Loc)
	}
	return sp, nil
}

func statementFormValues(st parley.Statement, loc *time.Location) url.Values {
	f := url.Values{"version": {strconv.Itoa(st.Version)}}
	for l, t := range st.Title {
		f.Set("title_"+string(l), t)
	}
	for l, t := range st.Texts {
		f.Set("text_"+string(l), t)
	}
	if !st.Embargo.IsZero() {
		f.Set("embargo", st.Embargo.In(loc).Format("2006-01-02T15:04"))
	}
	if st.NeedsMediator {
		f.Set("needs_mediator", "on")
	}
	for _, fig := range st.Figures {
		for l, label := range fig.Label {
			f.Add("figure_label", label)
			f.Set("figure_lang", string(l))
			break
		}
		f.Add("figure_value", strconv.FormatFloat(fig.Value, 'f', -1, 64))
		f.Add("figure_as_of", fig.AsOf)
	}
	return f
}

func (s *Server) statementPage(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.member(w, r); !ok {
		return
	}
	s.showStatement(w, r, s.page(r, "statement.title"), http.StatusOK)
}

func (s *Server) showStatement(w http.ResponseWriter, r *http.Request, p *page, status int) {
	sp, err := s.loadStatement(r.Context(), p, r.PathValue("statement"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Data = sp
	if err := s.signing(r, p, r.PathValue("statement")); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, status, "statement.html", p)
}

func (s *Server) statementAct(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.member(w, r); !ok {
		return
	}
	if err := parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	id, act, f := r.PathValue("statement"), r.PathValue("act"), r.PostForm
	p := s.page(r, "statement.title")
	var cmd parley.Command
	switch act {
	case "approve":
		cmd = parley.ApproveStatement{StatementID: id, Hash: f.Get("hash")}
	case "edit":
		in, bad := readStatement(f, p.Loc)
		if len(bad) > 0 {
			p.Form, p.Errors = f, bad
			p.Errors["act"] = act
			s.showStatement(w, r, p, http.StatusBadRequest)
			return
		}
		cmd = parley.EditStatement{StatementID: id, Version: atoi(f.Get("version")), StatementInput: in}
	default:
		s.fail(w, r, parley.Errorf(parley.ENOTFOUND, "No such act."))
		return
	}
	_, done, err := s.formalAct(w, r, cmd)
	if done {
		return
	}
	if code := parley.ErrorCode(err); code == parley.EINVALID || code == parley.ECONFLICT {
		// Only the form to change the words is sent back as it was
		// written; a refused approval shows that form filled with the
		// words as they stand.
		if act == "edit" {
			p.Form = f
		}
		p.Errors = fields(err)
		p.Errors["act"] = act
		s.showStatement(w, r, p, status(code))
		return
	} else if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/statements/"+id, http.StatusSeeOther)
}

// setStatementRules records whether the process wants the mediator's
// approval of joint statements.
func (s *Server) setStatementRules(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.member(w, r); !ok {
		return
	}
	if err := parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	process := r.PathValue("process")
	_, err := s.svc.Do(r.Context(), requestActor(r.Context()), parley.SetStatementRules{ProcessID: process, NeedsMediator: r.PostForm.Get("needs_mediator") == "on"})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/p/"+process+"/statements", http.StatusSeeOther)
}
