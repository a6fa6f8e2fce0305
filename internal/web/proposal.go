package web

import (
	"context"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/store"
	"github.com/parley-talks/parley/internal/textdiff"
)

// proposalView is a proposal with what its page shows about it.
type proposalView struct {
	parley.Proposal
	From, To parley.Party
	Group    parley.WorkingGroup
}

// proposalPage is the page of one proposal.
type proposalPage struct {
	*processView
	P         proposalView
	Questions []parley.Question
	Comments  []parley.Comment
	Timeline  []store.Act
	Chain     []proposalView
	Can       map[string]bool // acts the reader may perform now, by name
	Space     parley.Space    // where the proposal lives, for live updates
	Now       time.Time
}

func (v *processView) proposalView(p parley.Proposal, groups []parley.WorkingGroup) proposalView {
	pv := proposalView{Proposal: p, From: v.Party[p.FromParty], To: v.Party[p.ToParty]}
	for _, g := range groups {
		if g.ID == p.GroupID {
			pv.Group = g
		}
	}
	for _, g := range v.Groups {
		if g.ID == p.GroupID {
			pv.Group = g.WorkingGroup
		}
	}
	return pv
}

// acts returns what a may do to p now. It asks the same policy the
// decisions use, so a button is shown only when the act would be allowed.
func acts(a parley.Actor, p parley.Proposal, groupSpace parley.Space, now time.Time) map[string]bool {
	m, member := a.In(p.ProcessID)
	from, to := member && m.PartyID == p.FromParty, member && m.PartyID == p.ToParty
	canPost := parley.Allowed(a, parley.ActPost, groupSpace)
	open := p.Status.Open() && !p.Overdue(now)
	return map[string]bool{
		"edit":        p.Status == parley.StatusDraft && from,
		"submit":      p.Status == parley.StatusDraft && parley.CanActFor(a, p.ProcessID, p.GroupID, p.FromParty),
		"acknowledge": open && p.Status == parley.StatusSubmitted && to && canPost,
		"ask":         open && to && canPost,
		"answer":      open && from && canPost,
		"counter":     open && parley.CanActFor(a, p.ProcessID, p.GroupID, p.ToParty),
		"accept":      open && parley.CanActFor(a, p.ProcessID, p.GroupID, p.ToParty),
		"reject":      open && parley.CanActFor(a, p.ProcessID, p.GroupID, p.ToParty),
		"withdraw":    open && parley.CanActFor(a, p.ProcessID, p.GroupID, p.FromParty),
		"comment":     p.Status != parley.StatusDraft && canPost || p.Status == parley.StatusDraft && from,
	}
}

func (s *Server) loadProposal(r *http.Request, p *page, id string) (*proposalPage, error) {
	ctx := r.Context()
	pr, err := s.db.Proposal(ctx, p.Actor, id)
	if err != nil {
		return nil, err
	}
	p.Map = pr.Kind == parley.ProposalTruce // its area on a map
	v, err := s.loadProcess(ctx, p.Actor, pr.ProcessID, p.Lang)
	if err != nil {
		return nil, err
	}
	p.withNav(v)
	g, err := s.db.Group(ctx, p.Actor, pr.GroupID)
	if err != nil {
		return nil, err
	}
	pp := &proposalPage{processView: v, P: v.proposalView(pr, []parley.WorkingGroup{g}), Now: s.now()}
	if pp.Questions, err = s.db.Questions(ctx, p.Actor, id); err != nil {
		return nil, err
	}
	if pp.Comments, err = s.db.Comments(ctx, p.Actor, id); err != nil {
		return nil, err
	}
	if pp.Timeline, err = s.db.Timeline(ctx, p.Actor, id); err != nil {
		return nil, err
	}
	chain, err := s.db.Chain(ctx, p.Actor, id)
	if err != nil {
		return nil, err
	}
	for _, c := range chain {
		pp.Chain = append(pp.Chain, v.proposalView(c, []parley.WorkingGroup{g}))
	}
	groupSpace := parley.Space{ID: g.SpaceID, ProcessID: g.ProcessID, Kind: parley.SpaceGroup, GroupID: g.ID}
	pp.Can = acts(p.Actor, pr, groupSpace, s.now())
	pp.Space = groupSpace
	if pr.Status == parley.StatusDraft {
		pp.Space = parley.Space{ID: pr.SpaceID}
	}
	return pp, nil
}

func (s *Server) proposalPage(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.member(w, r); !ok {
		return
	}
	s.showProposal(w, r, s.page(r, "proposal.title"), http.StatusOK)
}

func (s *Server) showProposal(w http.ResponseWriter, r *http.Request, p *page, status int) {
	pp, err := s.loadProposal(r, p, r.PathValue("proposal"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Data = pp
	if err := s.signing(r, p, r.PathValue("proposal")); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, status, "proposal.html", p)
}

// proposalBody is the proposal page's live part alone, fetched again when
// the stream says something happened.
func (s *Server) proposalBody(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.member(w, r); !ok {
		return
	}
	p := s.page(r, "proposal.title")
	pp, err := s.loadProposal(r, p, r.PathValue("proposal"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Data = pp
	if err := s.signing(r, p, r.PathValue("proposal")); err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderFragment(w, r, "proposal.html", "proposal-body", p)
}

// proposalForm is the page to draft, edit or counter a proposal.
type proposalForm struct {
	*processView
	Group    parley.WorkingGroup
	Action   string // where the form posts
	Mode     string // draft, edit or counter
	Parties  []parley.Party
	Of       *proposalView // the proposal being edited or countered
	Kinds    []parley.ProposalKind
	Purposes []parley.TrucePurpose
	Rules    parley.TruceRules // the process's limits on truces
	Zones    []string
}

func (s *Server) newProposalForm(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.member(w, r); !ok {
		return
	}
	s.showProposalForm(w, r, s.page(r, "proposal.new"), http.StatusOK, "draft", r.PathValue("group"), "")
}

func (s *Server) showProposalForm(w http.ResponseWriter, r *http.Request, p *page, status int, mode, groupID, proposalID string) {
	ctx := r.Context()
	var of *proposalView
	if proposalID != "" {
		pr, err := s.db.Proposal(ctx, p.Actor, proposalID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		groupID = pr.GroupID
		of = &proposalView{Proposal: pr}
	}
	g, err := s.db.Group(ctx, p.Actor, groupID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v, err := s.loadProcess(ctx, p.Actor, g.ProcessID, p.Lang)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.withNav(v)
	p.Map = true // the truce's area is drawn on a map
	f := proposalForm{processView: v, Group: g, Mode: mode, Of: of, Kinds: parley.ProposalKinds, Purposes: parley.TrucePurposes, Zones: timeZones}
	if f.Rules, err = s.db.TruceRules(ctx, p.Actor, g.ProcessID); err != nil {
		s.fail(w, r, err)
		return
	}
	m, _ := p.Actor.In(g.ProcessID)
	for _, party := range v.Parties {
		if party.Kind == parley.PartyNegotiating && party.ID != m.PartyID {
			f.Parties = append(f.Parties, party)
		}
	}
	switch mode {
	case "draft":
		f.Action = "/g/" + g.ID + "/proposals"
	case "edit":
		f.Action = "/proposals/" + proposalID + "/edit"
	case "counter":
		f.Action = "/proposals/" + proposalID + "/counter"
	}
	if of != nil {
		x := v.proposalView(of.Proposal, []parley.WorkingGroup{g})
		f.Of = &x
		if p.Form == nil {
			p.Form = proposalFormValues(of.Proposal, p.Loc)
		}
	}
	p.Data = f
	s.render(w, r, status, "proposal-form.html", p)
}

// proposalFormValues fills the form with a proposal, for editing a draft
// or starting a counter from the offer it answers.
func proposalFormValues(pr parley.Proposal, loc *time.Location) map[string][]string {
	f := map[string][]string{"kind": {string(pr.Kind)}, "title": {pr.Title}, "to_party": {pr.ToParty}, "version": {strconv.Itoa(pr.Version)}}
	for l, t := range pr.Texts {
		f["text_"+string(l)] = []string{t}
	}
	if !pr.Deadline.IsZero() {
		f["deadline"] = []string{pr.Deadline.In(loc).Format("2006-01-02T15:04")}
	}
	if t := pr.Details.Truce; t != nil {
		truceFormValues(f, *t, loc)
	}
	if e := pr.Details.Exchange; e != nil {
		f["exchange_stages"] = []string{strconv.Itoa(e.Stages)}
		for _, c := range e.Categories {
			f["category_name"] = append(f["category_name"], c.Name)
			f["category_count"] = append(f["category_count"], strconv.Itoa(c.Count))
		}
	}
	if m := pr.Details.Meeting; m != nil {
		f["meeting_level"], f["meeting_from"], f["meeting_to"], f["meeting_place"] = []string{m.Level}, []string{m.From}, []string{m.To}, []string{m.Place}
		if m.Online {
			f["meeting_online"] = []string{"on"}
		}
	}
	return f
}

// readProposalInput reads the proposal form. Times are in the reader's
// time zone; malformed numbers and times are named like other field errors.
func readProposalInput(r *http.Request, loc *time.Location) (parley.ProposalInput, map[string]string) {
	f := r.PostForm
	bad := map[string]string{}
	in := parley.ProposalInput{Kind: parley.ProposalKind(f.Get("kind")), Title: f.Get("title"), Texts: parley.Texts{}}
	for _, l := range parley.Langs {
		if t := strings.TrimSpace(f.Get("text_" + string(l))); t != "" {
			in.Texts[l] = t
		}
	}
	when := func(field string) time.Time {
		v := strings.TrimSpace(f.Get(field))
		if v == "" {
			return time.Time{}
		}
		t, err := time.ParseInLocation("2006-01-02T15:04", v, loc)
		if err != nil {
			bad[field] = "is not a date and time"
		}
		return t
	}
	num := func(field string) int {
		v := strings.TrimSpace(f.Get(field))
		if v == "" {
			return 0
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			bad[field] = "is not a whole number"
		}
		return n
	}
	in.Deadline = when("deadline")
	switch in.Kind {
	case parley.ProposalTruce:
		in.Details.Truce = readTruce(f, loc, num, bad)
	case parley.ProposalExchange:
		e := &parley.ExchangeDetails{Stages: num("exchange_stages")}
		names, counts := f["category_name"], f["category_count"]
		for i, name := range names {
			if strings.TrimSpace(name) == "" && (i >= len(counts) || strings.TrimSpace(counts[i]) == "") {
				continue // an empty row of the form
			}
			c := parley.ExchangeCategory{Name: name}
			if i < len(counts) {
				n, err := strconv.Atoi(strings.TrimSpace(counts[i]))
				if err != nil {
					bad["details.exchange.categories"] = "each category needs a name and a number from 1"
				}
				c.Count = n
			}
			e.Categories = append(e.Categories, c)
		}
		in.Details.Exchange = e
	case parley.ProposalMeeting:
		in.Details.Meeting = &parley.MeetingDetails{Level: f.Get("meeting_level"), From: f.Get("meeting_from"), To: f.Get("meeting_to"),
			Place: f.Get("meeting_place"), Online: f.Get("meeting_online") == "on"}
	}
	return in, bad
}

// proposalCommand runs a proposal form's command, showing the form again
// with its complaints when it is refused for its content.
func (s *Server) proposalCommand(w http.ResponseWriter, r *http.Request, mode, groupID, proposalID string, build func(parley.ProposalInput) parley.Command) {
	if _, ok := s.member(w, r); !ok {
		return
	}
	if err := parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	p := s.page(r, "proposal.new")
	in, bad := readProposalInput(r, p.Loc)
	again := func(errs map[string]string) {
		p.Form, p.Errors = r.PostForm, errs
		s.showProposalForm(w, r, p, http.StatusBadRequest, mode, groupID, proposalID)
	}
	if len(bad) > 0 {
		again(bad)
		return
	}
	evs, err := s.svc.Do(r.Context(), p.Actor, build(in))
	if code := parley.ErrorCode(err); code == parley.EINVALID || (code == parley.ECONFLICT && mode == "edit") {
		again(fields(err))
		return
	} else if err != nil {
		s.fail(w, r, err)
		return
	}
	id := proposalID
	for _, e := range evs {
		switch d := e.Data.(type) {
		case *parley.ProposalDrafted:
			id = d.ProposalID
		case *parley.ProposalSubmitted:
			id = d.ProposalID
		}
	}
	http.Redirect(w, r, "/proposals/"+id, http.StatusSeeOther)
}

func (s *Server) draftProposal(w http.ResponseWriter, r *http.Request) {
	g := r.PathValue("group")
	s.proposalCommand(w, r, "draft", g, "", func(in parley.ProposalInput) parley.Command {
		return parley.DraftProposal{GroupID: g, ToParty: r.PostForm.Get("to_party"), ProposalInput: in}
	})
}

func (s *Server) editProposalForm(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.member(w, r); !ok {
		return
	}
	s.showProposalForm(w, r, s.page(r, "proposal.edit"), http.StatusOK, "edit", "", r.PathValue("proposal"))
}

func (s *Server) editProposal(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("proposal")
	s.proposalCommand(w, r, "edit", "", id, func(in parley.ProposalInput) parley.Command {
		return parley.EditDraft{ProposalID: id, ToParty: r.PostForm.Get("to_party"), Version: atoi(r.PostForm.Get("version")), ProposalInput: in}
	})
}

func (s *Server) counterForm(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.member(w, r); !ok {
		return
	}
	s.showProposalForm(w, r, s.page(r, "proposal.counter"), http.StatusOK, "counter", "", r.PathValue("proposal"))
}

func (s *Server) counterProposal(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("proposal")
	s.proposalCommand(w, r, "counter", "", id, func(in parley.ProposalInput) parley.Command {
		return parley.CounterProposal{ProposalID: id, ProposalInput: in}
	})
}

// proposalAct runs one of the simple acts on a proposal, from its page.
func (s *Server) proposalAct(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.member(w, r); !ok {
		return
	}
	if err := parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	id, f := r.PathValue("proposal"), r.PostForm
	var cmd parley.Command
	switch r.PathValue("act") {
	case "submit":
		cmd = parley.SubmitProposal{ProposalID: id}
	case "acknowledge":
		cmd = parley.AcknowledgeProposal{ProposalID: id}
	case "ask":
		cmd = parley.AskClarification{ProposalID: id, Text: f.Get("text")}
	case "answer":
		cmd = parley.AnswerClarification{ProposalID: id, QuestionID: f.Get("question"), Text: f.Get("text")}
	case "accept":
		cmd = parley.AcceptProposal{ProposalID: id, Reason: f.Get("reason")}
	case "reject":
		cmd = parley.RejectProposal{ProposalID: id, Reason: f.Get("reason")}
	case "withdraw":
		cmd = parley.WithdrawProposal{ProposalID: id, Reason: f.Get("reason")}
	case "comment":
		cmd = parley.CommentProposal{ProposalID: id, Text: f.Get("text")}
	default:
		s.fail(w, r, parley.Errorf(parley.ENOTFOUND, "No such act."))
		return
	}
	_, done, err := s.formalAct(w, r, cmd)
	if done {
		return
	}
	if code := parley.ErrorCode(err); code == parley.EINVALID || code == parley.ECONFLICT {
		p := s.page(r, "proposal.title")
		p.Form, p.Errors = f, fields(err)
		// The complaint goes next to the form of the act that caused it.
		if code == parley.EINVALID {
			for k, v := range p.Errors {
				p.Errors[r.PathValue("act")+"."+k] = v
			}
		}
		s.showProposal(w, r, p, status(code))
		return
	} else if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/proposals/"+id, http.StatusSeeOther)
}

// historyPage is the chain of offers with the changes between each and the
// next.
type historyPage struct {
	*proposalPage
	Steps []historyStep
}

type historyStep struct {
	P       proposalView
	Diffs   []langDiff           // against the offer before it
	Changes []parley.TruceChange // in a truce's terms, against the offer before it
}

type langDiff struct {
	Lang parley.Lang
	HTML template.HTML
}

func (s *Server) proposalHistory(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.member(w, r); !ok {
		return
	}
	p := s.page(r, "proposal.history")
	pp, err := s.loadProposal(r, p, r.PathValue("proposal"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	h := historyPage{proposalPage: pp}
	for i, c := range pp.Chain {
		step := historyStep{P: c}
		if i > 0 {
			prev := pp.Chain[i-1]
			for _, l := range parley.Langs {
				a, b := prev.Texts[l], c.Texts[l]
				if a == "" && b == "" {
					continue
				}
				step.Diffs = append(step.Diffs, langDiff{Lang: l, HTML: diffHTML(textdiff.Words(a, b, time.Second))})
			}
			if a, b := prev.Details.Truce, c.Details.Truce; a != nil && b != nil {
				step.Changes = parley.CompareTruce(*a, *b)
			}
		}
		h.Steps = append(h.Steps, step)
	}
	p.Data = h
	s.render(w, r, http.StatusOK, "proposal-history.html", p)
}

// diffHTML shows a word diff with <ins> and <del>, every text escaped.
func diffHTML(spans []textdiff.Span) template.HTML {
	var b strings.Builder
	for _, sp := range spans {
		t := string(formatText(sp.Text))
		switch sp.Op {
		case textdiff.Insert:
			b.WriteString("<ins>" + t + "</ins>")
		case textdiff.Delete:
			b.WriteString("<del>" + t + "</del>")
		default:
			b.WriteString(t)
		}
	}
	return template.HTML(b.String())
}

// proposalsPage lists a process's open proposals by how long they wait.
type proposalsPage struct {
	*processView
	Open   []proposalView
	Closed []proposalView
	Now    time.Time
}

func (s *Server) loadProposals(ctx context.Context, a parley.Actor, v *processView, group string) (open, closed []proposalView, err error) {
	all, err := s.db.Proposals(ctx, a, store.ProposalFilter{Process: v.Process.ID, Group: group})
	if err != nil {
		return nil, nil, err
	}
	for _, p := range all {
		pv := v.proposalView(p, nil)
		if p.Status.Open() {
			open = append(open, pv)
		} else {
			closed = append(closed, pv)
		}
	}
	// Longest waiting first.
	for i := 1; i < len(open); i++ {
		for j := i; j > 0 && open[j].Since.Before(open[j-1].Since); j-- {
			open[j], open[j-1] = open[j-1], open[j]
		}
	}
	return open, closed, nil
}

func (s *Server) proposalsPage(w http.ResponseWriter, r *http.Request) {
	a, ok := s.member(w, r)
	if !ok {
		return
	}
	p := s.page(r, "proposals.title")
	v, err := s.loadProcess(r.Context(), a, r.PathValue("process"), p.Lang)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.withNav(v)
	pp := proposalsPage{processView: v, Now: s.now()}
	if pp.Open, pp.Closed, err = s.loadProposals(r.Context(), a, v, ""); err != nil {
		s.fail(w, r, err)
		return
	}
	p.Data = pp
	s.render(w, r, http.StatusOK, "proposals.html", p)
}

// awaitingPage lists what awaits the reader: open proposals whose move is
// their party's, with the acts they may perform.
type awaitingPage struct {
	Items []awaitingItem
	Now   time.Time
}

type awaitingItem struct {
	Process string
	P       proposalView
	Formal  bool // the reader may answer formally
}

func (s *Server) awaiting(ctx context.Context, a parley.Actor, lang parley.Lang) ([]awaitingItem, error) {
	var out []awaitingItem
	for _, m := range a.Members {
		if m.Role != parley.RoleHead && m.Role != parley.RoleDelegate {
			continue
		}
		v, err := s.loadProcess(ctx, a, m.ProcessID, lang)
		if err != nil {
			return nil, err
		}
		open, _, err := s.loadProposals(ctx, a, v, "")
		if err != nil {
			return nil, err
		}
		for _, p := range open {
			if p.Awaiting != m.PartyID {
				continue
			}
			if m.Role == parley.RoleDelegate && !m.InGroup(p.GroupID) {
				continue
			}
			out = append(out, awaitingItem{Process: v.Process.Title, P: p, Formal: parley.CanActFor(a, p.ProcessID, p.GroupID, m.PartyID)})
		}
	}
	return out, nil
}

func (s *Server) awaitingPage(w http.ResponseWriter, r *http.Request) {
	a, ok := s.member(w, r)
	if !ok {
		return
	}
	p := s.page(r, "awaiting.title")
	items, err := s.awaiting(r.Context(), a, p.Lang)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Data = awaitingPage{Items: items, Now: s.now()}
	s.render(w, r, http.StatusOK, "awaiting.html", p)
}

func (s *Server) authorise(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	g := r.PathValue("group")
	s.do(w, r, parley.AuthoriseDelegate{GroupID: g, MemberID: r.PostForm.Get("member")}, "/g/"+g, "flash.saved", nil)
}

func (s *Server) revokeAuthority(w http.ResponseWriter, r *http.Request) {
	g := r.PathValue("group")
	s.do(w, r, parley.RevokeAuthorisation{GroupID: g, MemberID: r.PathValue("member")}, "/g/"+g, "flash.saved", nil)
}

// Waiting says, in the reader's language, how long p has waited for the
// party whose move it is.
func (p *page) Waiting(pr parley.Proposal, now time.Time) string {
	d := pr.Waiting(now)
	switch {
	case d >= 48*time.Hour:
		return p.T("duration.days", "Count", int(d/(24*time.Hour)))
	case d >= 2*time.Hour:
		return p.T("duration.hours", "Count", int(d/time.Hour))
	default:
		return p.T("duration.minutes", "Count", int(d/time.Minute))
	}
}
