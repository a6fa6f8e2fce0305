package web

import (
	"context"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/parley-talks/parley"
)

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	a, ok := s.member(w, r)
	if !ok {
		return
	}
	if len(a.Members) == 1 && !a.Operator {
		http.Redirect(w, r, "/p/"+a.Members[0].ProcessID, http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/processes", http.StatusSeeOther)
}

func (s *Server) processes(w http.ResponseWriter, r *http.Request) {
	a, ok := s.member(w, r)
	if !ok {
		return
	}
	ps, err := s.db.Processes(r.Context(), a)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := s.page(r, "processes.title")
	p.Data = ps
	s.render(w, r, http.StatusOK, "processes.html", p)
}

// spaceView is a space with what a reader needs to find it.
type spaceView struct {
	parley.Space
	Name   string // the party's or the group's name
	Unread int
}

// processView is everything about a process that its overview shows.
type processView struct {
	Process parley.Process
	Parties []parley.Party
	Rounds  []parley.Round
	Groups  []groupView
	Spaces  []spaceView
	Members []parley.Member
	Party   map[string]parley.Party // by ID
	// OpenProposals await an answer, longest waiting first (overview only).
	OpenProposals []proposalView
	Now           time.Time
}

type groupView struct {
	parley.WorkingGroup
	Members []parley.Member
	Unread  int
}

// loadProcess reads a process as a may see it.
func (s *Server) loadProcess(ctx context.Context, a parley.Actor, id string, lang parley.Lang) (*processView, error) {
	v := &processView{Party: map[string]parley.Party{}}
	var err error
	if v.Process, err = s.db.Process(ctx, a, id); err != nil {
		return nil, err
	}
	if v.Parties, err = s.db.Parties(ctx, a, id); err != nil {
		return nil, err
	}
	for _, p := range v.Parties {
		v.Party[p.ID] = p
	}
	if v.Rounds, err = s.db.Rounds(ctx, a, id); err != nil {
		return nil, err
	}
	if v.Members, err = s.db.Members(ctx, a, id); err != nil {
		return nil, err
	}
	groups, err := s.db.Groups(ctx, a, id)
	if err != nil {
		return nil, err
	}
	spaces, err := s.db.Spaces(ctx, a, id)
	if err != nil {
		return nil, err
	}
	unread := map[string]int{}
	if !a.Anonymous() {
		if unread, err = s.db.Unread(ctx, a, id); err != nil {
			return nil, err
		}
	}
	groupName := map[string]string{}
	for _, g := range groups {
		gv := groupView{WorkingGroup: g, Unread: unread[g.SpaceID]}
		for _, m := range v.Members {
			if m.InGroup(g.ID) {
				gv.Members = append(gv.Members, m)
			}
		}
		v.Groups = append(v.Groups, gv)
		groupName[g.ID] = g.Names.In(lang)
	}
	order := map[parley.SpaceKind]int{parley.SpaceParty: 0, parley.SpaceHeads: 1, parley.SpaceGroup: 2, parley.SpacePublic: 3}
	for _, sp := range spaces {
		sv := spaceView{Space: sp, Unread: unread[sp.ID]}
		switch sp.Kind {
		case parley.SpaceParty:
			sv.Name = v.Party[sp.PartyID].Names.In(lang)
		case parley.SpaceGroup:
			sv.Name = groupName[sp.GroupID]
		}
		v.Spaces = append(v.Spaces, sv)
	}
	sort.SliceStable(v.Spaces, func(i, j int) bool { return order[v.Spaces[i].Kind] < order[v.Spaces[j].Kind] })
	return v, nil
}

// withNav fills the side navigation of a process page.
func (p *page) withNav(v *processView) {
	n := &nav{Process: v.Process, Spaces: v.Spaces}
	for _, g := range v.Groups {
		n.Groups = append(n.Groups, g.WorkingGroup)
	}
	if m, ok := p.Actor.In(v.Process.ID); ok {
		n.Member = &m
	}
	p.Nav = n
}

func (s *Server) overview(w http.ResponseWriter, r *http.Request) {
	a, ok := s.member(w, r)
	if !ok {
		return
	}
	p := s.page(r, "overview.title")
	v, err := s.loadProcess(r.Context(), a, r.PathValue("process"), p.Lang)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.withNav(v)
	if v.OpenProposals, _, err = s.loadProposals(r.Context(), a, v, ""); err != nil {
		s.fail(w, r, err)
		return
	}
	v.Now = s.now()
	p.Data = v
	s.render(w, r, http.StatusOK, "overview.html", p)
}

func (s *Server) membersPage(w http.ResponseWriter, r *http.Request) {
	s.processPage(w, r, "members.title", "members.html")
}

// processPage shows a page about the process of the request's path.
func (s *Server) processPage(w http.ResponseWriter, r *http.Request, title, tmpl string) {
	a, ok := s.member(w, r)
	if !ok {
		return
	}
	p := s.page(r, title)
	v, err := s.loadProcess(r.Context(), a, r.PathValue("process"), p.Lang)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.withNav(v)
	p.Data = v
	s.render(w, r, http.StatusOK, tmpl, p)
}

type groupPage struct {
	*processView
	Open       []proposalView // proposals awaiting an answer, longest waiting first
	Closed     []proposalView
	CanPropose bool
	Delegates  []parley.Member // the reader's party's delegates in the group, when the reader is its head
	Now        time.Time
	Group      groupView
	Space      *spaceView // nil when the reader may not read the group's space
	Threads    []parley.Thread
	Others     []parley.Member // members of the process not in the group, for assignment
	CanPost    bool
	CanAssign  map[string]bool // by party
	Exchanges  []parley.Exchange
	Progress   map[string][]stageView // by exchange: what each stage carried
}

func (s *Server) groupPage(w http.ResponseWriter, r *http.Request) {
	a, ok := s.member(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	g, err := s.db.Group(ctx, a, r.PathValue("group"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := s.page(r, "group.title")
	v, err := s.loadProcess(ctx, a, g.ProcessID, p.Lang)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	gp := groupPage{processView: v, CanAssign: map[string]bool{}}
	for _, x := range v.Groups {
		if x.ID == g.ID {
			gp.Group = x
		}
	}
	for i := range v.Spaces {
		if v.Spaces[i].ID == g.SpaceID {
			gp.Space = &v.Spaces[i]
			gp.CanPost = parley.Allowed(a, parley.ActPost, v.Spaces[i].Space)
			if gp.Threads, err = s.db.Threads(ctx, a, g.SpaceID); err != nil {
				s.fail(w, r, err)
				return
			}
			if gp.Exchanges, err = s.db.Exchanges(ctx, a, g.ID); err != nil {
				s.fail(w, r, err)
				return
			}
			gp.Progress = map[string][]stageView{}
			for _, x := range gp.Exchanges {
				if gp.Progress[x.ID], err = s.stagesOf(ctx, a, x); err != nil {
					s.fail(w, r, err)
					return
				}
			}
		}
	}
	for _, m := range v.Members {
		if !m.InGroup(g.ID) {
			gp.Others = append(gp.Others, m)
		}
	}
	for _, party := range v.Parties {
		gp.CanAssign[party.ID] = parley.AllowedProcess(a, parley.AssignGroups, g.ProcessID, party.ID)
	}
	gp.Now = s.now()
	if gp.Open, gp.Closed, err = s.loadProposals(ctx, a, v, g.ID); err != nil {
		s.fail(w, r, err)
		return
	}
	if m, ok := a.In(g.ProcessID); ok && gp.Space != nil {
		gp.CanPropose = (m.Role == parley.RoleHead || m.Role == parley.RoleDelegate) && parley.Allowed(a, parley.ActPost, gp.Space.Space)
		if m.Role == parley.RoleHead {
			for _, x := range gp.Group.Members {
				if x.PartyID == m.PartyID && x.Role == parley.RoleDelegate {
					gp.Delegates = append(gp.Delegates, x)
				}
			}
		}
	}
	p.withNav(v)
	p.Data = gp
	s.render(w, r, http.StatusOK, "group.html", p)
}

func (s *Server) processSettings(w http.ResponseWriter, r *http.Request) {
	s.processPage(w, r, "settings.title", "settings.html")
}

// do runs cmd for a form. On success it redirects to next with a flash
// message; on invalid input it shows the form page again via again, with
// the complaints next to their fields.
func (s *Server) do(w http.ResponseWriter, r *http.Request, cmd parley.Command, next, flash string, again func(*page)) ([]parley.Event, bool) {
	evs, err := s.svc.Do(r.Context(), requestActor(r.Context()), cmd)
	if err != nil {
		var e *parley.Error
		if ok := asError(err, &e); ok && again != nil && (e.Code == parley.EINVALID || e.Code == parley.ECONFLICT) {
			p := s.page(r, "")
			p.Form = r.PostForm
			p.Errors = e.Fields
			if len(e.Fields) == 0 {
				p.Errors = map[string]string{"": e.Message}
			}
			again(p)
			return nil, false
		}
		s.fail(w, r, err)
		return nil, false
	}
	if flash != "" {
		s.sessions.Put(r.Context(), sessFlash, flash)
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return evs, true
}

// formNames reads a display name in each language from fields name_en,
// name_uk, name_ru, name_tr.
func formNames(r *http.Request) parley.Names {
	n := parley.Names{}
	for _, l := range parley.Langs {
		if v := strings.TrimSpace(r.PostForm.Get("name_" + string(l))); v != "" {
			n[l] = v
		}
	}
	return n
}

func formLangs(r *http.Request) []parley.Lang {
	var out []parley.Lang
	for _, v := range r.PostForm["languages"] {
		out = append(out, parley.Lang(v))
	}
	return out
}

// reshow renders a process page again with the form's complaints.
func (s *Server) reshow(w http.ResponseWriter, r *http.Request, processID, tmpl, title string) func(*page) {
	return func(p *page) {
		p.TitleKey = title
		v, err := s.loadProcess(r.Context(), p.Actor, processID, p.Lang)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		p.withNav(v)
		p.Data = v
		s.render(w, r, http.StatusBadRequest, tmpl, p)
	}
}

func (s *Server) editProcess(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	id := r.PathValue("process")
	cmd := parley.EditProcess{ProcessID: id, Title: r.PostForm.Get("title"), Description: r.PostForm.Get("description"),
		Languages: formLangs(r), Version: atoi(r.PostForm.Get("version"))}
	s.do(w, r, cmd, "/p/"+id+"/settings", "flash.saved", s.reshow(w, r, id, "settings.html", "settings.title"))
}

func (s *Server) addParty(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	id := r.PathValue("process")
	cmd := parley.AddParty{ProcessID: id, Kind: parley.PartyKind(r.PostForm.Get("kind")), Names: formNames(r)}
	s.do(w, r, cmd, "/p/"+id+"/settings", "flash.party_added", s.reshow(w, r, id, "settings.html", "settings.title"))
}

func (s *Server) addMember(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	id := r.PathValue("process")
	cmd := parley.AddMember{ProcessID: id, AccountID: r.PostForm.Get("account"), PartyID: r.PostForm.Get("party"), Role: parley.Role(r.PostForm.Get("role"))}
	s.do(w, r, cmd, "/p/"+id+"/members", "flash.member_added", s.reshow(w, r, id, "members.html", "members.title"))
}

func (s *Server) changeRole(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	id := r.PathValue("process")
	cmd := parley.ChangeRole{MemberID: r.PathValue("member"), Role: parley.Role(r.PostForm.Get("role"))}
	s.do(w, r, cmd, "/p/"+id+"/members", "flash.saved", s.reshow(w, r, id, "members.html", "members.title"))
}

func (s *Server) scheduleRound(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	id := r.PathValue("process")
	cmd := parley.ScheduleRound{ProcessID: id, Title: r.PostForm.Get("title"), Location: r.PostForm.Get("location"),
		StartsOn: r.PostForm.Get("starts_on"), EndsOn: r.PostForm.Get("ends_on")}
	s.do(w, r, cmd, "/p/"+id, "flash.round_scheduled", s.reshow(w, r, id, "overview.html", "overview.title"))
}

func (s *Server) createGroup(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	id := r.PathValue("process")
	cmd := parley.CreateGroup{ProcessID: id, Kind: parley.GroupKind(r.PostForm.Get("kind")), Names: formNames(r)}
	s.do(w, r, cmd, "/p/"+id, "flash.group_created", s.reshow(w, r, id, "overview.html", "overview.title"))
}

func (s *Server) joinGroup(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	g := r.PathValue("group")
	s.do(w, r, parley.JoinGroup{GroupID: g, MemberID: r.PostForm.Get("member")}, "/g/"+g, "flash.saved", nil)
}

func (s *Server) leaveGroup(w http.ResponseWriter, r *http.Request) {
	g := r.PathValue("group")
	s.do(w, r, parley.LeaveGroup{GroupID: g, MemberID: r.PathValue("member")}, "/g/"+g, "flash.saved", nil)
}

// MembersOf returns the members of party.
func (v *processView) MembersOf(party string) []parley.Member {
	var out []parley.Member
	for _, m := range v.Members {
		if m.PartyID == party {
			out = append(out, m)
		}
	}
	return out
}

// GroupName returns the name of working group id in lang.
func (v *processView) GroupName(id string, lang parley.Lang) string {
	for _, g := range v.Groups {
		if g.ID == id {
			return g.Names.In(lang)
		}
	}
	return ""
}

// PartyOf returns party id.
func (v *processView) PartyOf(id string) parley.Party { return v.Party[id] }

// HasLang reports whether l is a working language of the process.
func (v *processView) HasLang(l parley.Lang) bool {
	for _, x := range v.Process.Languages {
		if x == l {
			return true
		}
	}
	return false
}

// Assignable returns the members the reader may put into the group.
func (g groupPage) Assignable() []parley.Member {
	var out []parley.Member
	for _, m := range g.Others {
		if g.CanAssign[m.PartyID] {
			out = append(out, m)
		}
	}
	return out
}
