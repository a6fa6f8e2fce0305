package web

import (
	"context"
	"net/http"
	"slices"
	"strconv"

	"github.com/parley-talks/parley"
)

// The people both sides confirmed, on their way home: one page per
// receiving side, where the observer records interviews, the holding side
// fitness, hand-overs and holds, the mediator assigns stages, and the
// receiving side records arrivals. The stages are finalised on the
// exchange's page, which shows their progress per category and side.

// caseView is one person on the way home.
type caseView struct {
	Pair   parley.Pair
	Case   parley.Repatriation
	Asked  parley.ListedPerson // as the receiving side wrote them
	Held   parley.ListedPerson // as the holding side wrote them
	Step   parley.Step
	Reason string // why held back
}

// peoplePage is the people one side receives.
type peoplePage struct {
	*processView
	X          parley.Exchange
	Group      groupView
	Receiving  string
	Holding    string
	Side       string // the reader's side
	Observer   bool
	Mediator   bool
	Cases      []caseView
	Counts     map[parley.Step]int
	Filter     parley.Step
	OpenStages []parley.ExchangeStage
	Names      map[string]string // category code → name
}

// Steps lists the steps in order, for the filter.
func (pp *peoplePage) Steps() []parley.Step {
	return []parley.Step{parley.StepConfirmed, parley.StepInterviewed, parley.StepDeclined, parley.StepFit, parley.StepAssigned,
		parley.StepHandedOver, parley.StepReceived, parley.StepHeldBack}
}

// StepAct is the act name of the step forms of pair id.
func (pp *peoplePage) StepAct(id string) string { return "step:" + id }

func (s *Server) exchangePeoplePage(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.member(w, r); !ok {
		return
	}
	s.showPeople(w, r, s.page(r, "people.title"), r.PathValue("exchange"), r.PathValue("party"), http.StatusOK)
}

// peopleOf reads the people receiving brings home from exchange id, with
// both sides' entries for each; readPairs records the access to both
// lists before anything is shown.
func (s *Server) peopleOf(ctx context.Context, a parley.Actor, id, receiving string) (parley.Exchange, string, []caseView, error) {
	pr, err := s.readPairs(ctx, a, id, receiving)
	if err != nil {
		return pr.X, "", nil, err
	}
	cases, err := s.db.Repatriations(ctx, a, id)
	if err != nil {
		return pr.X, "", nil, err
	}
	byID := map[string]parley.ListedPerson{}
	for _, q := range pr.Asked {
		byID[q.ID] = q
	}
	for _, q := range pr.Held {
		byID[q.ID] = q
	}
	var out []caseView
	for _, q := range pr.Pairs {
		if q.Status() != parley.PairConfirmed {
			continue
		}
		c, ok := cases[q.ID]
		if !ok {
			c = parley.Repatriation{PairID: q.ID, ExchangeID: id, Receiving: receiving, Holding: pr.Holding}
		}
		out = append(out, caseView{Pair: q, Case: c, Asked: byID[q.AskedID], Held: byID[q.HeldID], Step: c.Step(), Reason: c.HeldReason})
	}
	return pr.X, pr.Holding, out, nil
}

func (s *Server) showPeople(w http.ResponseWriter, r *http.Request, p *page, id, receiving string, status int) {
	ctx := r.Context()
	a := p.Actor
	x, holding, cases, err := s.peopleOf(ctx, a, id, receiving)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v, g, sp, err := s.loadGroupSpace(ctx, p, x.GroupID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	m, _ := a.In(x.ProcessID)
	pp := &peoplePage{processView: v, X: x, Group: g, Receiving: receiving, Holding: holding, Side: parley.ListSide(a, x, sp.Space),
		Observer: m.Role == parley.RoleObserver, Mediator: parley.Mediates(a, sp.Space), Counts: map[parley.Step]int{},
		Filter: parley.Step(r.URL.Query().Get("step")), Names: map[string]string{}}
	for _, c := range x.Terms.Categories {
		pp.Names[c.Code] = c.Name
	}
	for _, st := range x.Stages {
		if !st.Finalised {
			pp.OpenStages = append(pp.OpenStages, st)
		}
	}
	for _, cv := range cases {
		pp.Counts[cv.Step]++
		if pp.Filter == "" || cv.Step == pp.Filter {
			pp.Cases = append(pp.Cases, cv)
		}
	}
	p.Data = pp
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, status, "exchange-people.html", p)
}

// recordStep moves a person on one step.
func (s *Server) recordStep(w http.ResponseWriter, r *http.Request) {
	a, ok := s.member(w, r)
	if !ok {
		return
	}
	if err := parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	ctx := r.Context()
	pair, err := s.db.Pair(ctx, a, r.PathValue("pair"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f := r.PostForm
	stage, _ := strconv.Atoi(f.Get("stage"))
	cmd := parley.RecordStep{PairID: pair.ID, Act: f.Get("act"), Yes: f.Get("yes") == "yes", Stage: stage, Note: f.Get("note"),
		NoActiveService: f.Get("no_active_service") != ""}
	back := "/exchanges/" + pair.ExchangeID + "/people/" + pair.AskingParty
	if _, err := s.svc.Do(ctx, a, cmd); err != nil {
		if code := parley.ErrorCode(err); code == parley.EINVALID || code == parley.ECONFLICT {
			p := s.page(r, "people.title")
			p.Form, p.Errors = f, fields(err)
			if len(p.Errors) == 0 || p.Errors[""] != "" {
				p.Errors["note"] = parley.ErrorMessage(err)
			}
			p.Errors["act"] = "step:" + pair.ID
			s.showPeople(w, r, p, pair.ExchangeID, pair.AskingParty, status(code))
			return
		}
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, back+"#case-"+pair.ID, http.StatusSeeOther)
}

// stageView is a stage's progress on the exchange's page.
type stageView struct {
	Stage      parley.ExchangeStage
	Assigned   map[string]map[string]int // receiving side → category → people assigned
	Received   map[string]map[string]int // receiving side → category → people received
	Parity     []string                  // how the stage departs from the agreed numbers
	Exceptions []string                  // parties whose head agreed an exception
	Pending    int                       // assigned, neither received nor held back
}

// Of returns what the stage counts for side and category: "received /
// agreed (assigned)".
func (sv stageView) Of(m map[string]map[string]int, side, category string) int {
	return m[side][category]
}

// progressView is the progress of an exchange's stages.
type progressView struct {
	Stages       []stageView
	CanFinalise  bool
	HeadOf       string // the reader's party, when the reader is a head of a side
	PeopleLinked bool
}

// loadProgress fills the progress of an exchange's stages.
func (s *Server) loadProgress(ctx context.Context, p *page, xp *exchangePage) error {
	x := xp.X
	stages, err := s.stagesOf(ctx, p.Actor, x)
	if err != nil {
		return err
	}
	pv := &progressView{CanFinalise: parley.Mediates(p.Actor, xp.Space.Space), Stages: stages}
	if m, ok := p.Actor.In(x.ProcessID); ok && m.Role == parley.RoleHead && slices.Contains(x.Parties, m.PartyID) {
		pv.HeadOf = m.PartyID
	}
	xp.Progress = pv
	return nil
}

// stagesOf counts what each stage of x carried, as a may read it.
func (s *Server) stagesOf(ctx context.Context, a parley.Actor, x parley.Exchange) ([]stageView, error) {
	cases, err := s.db.Repatriations(ctx, a, x.ID)
	if err != nil {
		return nil, err
	}
	exceptions, err := s.db.StageExceptions(ctx, a, x.ID)
	if err != nil {
		return nil, err
	}
	var out []stageView
	for _, st := range x.Stages {
		sv := stageView{Stage: st, Assigned: map[string]map[string]int{}, Received: map[string]map[string]int{}, Exceptions: exceptions[st.Number]}
		var in []parley.Repatriation
		for _, c := range cases {
			if c.Stage != st.Number || c.HeldBack {
				continue
			}
			in = append(in, c)
			if sv.Assigned[c.Receiving] == nil {
				sv.Assigned[c.Receiving], sv.Received[c.Receiving] = map[string]int{}, map[string]int{}
			}
			sv.Assigned[c.Receiving][c.Category]++
			if c.Received {
				sv.Received[c.Receiving][c.Category]++
			} else {
				sv.Pending++
			}
		}
		sv.Parity = parley.Parity(x, st, in)
		out = append(out, sv)
	}
	return out, nil
}

// stageAct finalises a stage (the mediator) or records a head's agreement
// to an exception.
func (s *Server) stageAct(w http.ResponseWriter, r *http.Request) {
	a, ok := s.member(w, r)
	if !ok {
		return
	}
	if err := parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	id := r.PathValue("exchange")
	n, _ := strconv.Atoi(r.PathValue("number"))
	var cmd parley.Command
	switch act := r.PathValue("act"); act {
	case "finalise":
		cmd = parley.FinaliseStage{ExchangeID: id, Number: n}
	case "exception":
		cmd = parley.AgreeStageException{ExchangeID: id, Number: n, Reason: r.PostForm.Get("reason")}
	default:
		s.fail(w, r, parley.Errorf(parley.ENOTFOUND, "No such act."))
		return
	}
	if _, err := s.svc.Do(r.Context(), a, cmd); err != nil {
		if code := parley.ErrorCode(err); code == parley.EINVALID || code == parley.ECONFLICT {
			p := s.page(r, "agreement.title")
			p.Form, p.Errors = r.PostForm, fields(err)
			if len(p.Errors) == 0 || p.Errors[""] != "" {
				p.Errors["reason"] = parley.ErrorMessage(err)
			}
			p.Errors["act"] = "stage-" + r.PathValue("act") + ":" + strconv.Itoa(n)
			s.showExchange(w, r, p, status(code))
			return
		}
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/exchanges/"+id+"#progress", http.StatusSeeOther)
}

// StageFormAct is the act name of a stage's finalise or exception form.
func (p *page) StageFormAct(act string, n int) string { return "stage-" + act + ":" + strconv.Itoa(n) }

// Agreed reports whether party's head agreed an exception for the stage.
func (sv stageView) Agreed(party string) bool { return slices.Contains(sv.Exceptions, party) }

// Total returns what m counts for side over all categories.
func (sv stageView) Total(m map[string]map[string]int, side string) int {
	n := 0
	for _, v := range m[side] {
		n += v
	}
	return n
}
