package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/parley-talks/parley"
)

// The ledger of transfers of remains of a working group: its transfers,
// newest first, the running totals of each side and the asymmetry between
// them; the form on which a side (or the mediator on its behalf) records a
// transfer, and the one on which the receiving side acknowledges it.

// remainsPage is a working group's ledger of remains.
type remainsPage struct {
	*processView
	Group     groupView
	Space     spaceView
	Ledger    parley.RemainsLedger
	CanRecord bool
	Mediator  bool
	Side      string         // the party the reader records and acknowledges for, or ""
	Parties   []parley.Party // the negotiating parties, for the form
	From, To  string         // what the form offers
	lang      parley.Lang
}

// Num writes n with its digits grouped as the reader's language does.
func (rp *remainsPage) Num(n int) string { return formatNumber(float64(n), rp.lang) }

// Who is the display name of account id, a member of the process.
func (rp *remainsPage) Who(id string) string {
	for _, m := range rp.Members {
		if m.AccountID == id {
			return m.Name
		}
	}
	return id
}

// CanAcknowledge reports whether the reader may acknowledge t.
func (rp *remainsPage) CanAcknowledge(t parley.RemainsTransfer) bool {
	return t.Ack == nil && rp.Side != "" && rp.Side == t.ToParty
}

// Pair is the two sides' totals, when the ledger has two: what the
// asymmetry sentence compares.
func (rp *remainsPage) Pair() []parley.RemainsSide {
	if len(rp.Ledger.Sides) != 2 {
		return nil
	}
	return rp.Ledger.Sides
}

// AckAct is the act name of the form that acknowledges transfer id.
func (p *page) AckAct(id string) string { return "ack:" + id }

func (s *Server) loadRemains(ctx context.Context, p *page, group string) (*remainsPage, error) {
	v, g, sp, err := s.loadGroupSpace(ctx, p, group)
	if err != nil {
		return nil, err
	}
	rp := &remainsPage{processView: v, Group: g, Space: sp, Parties: negotiating(v), lang: p.Lang,
		Mediator: parley.Mediates(p.Actor, sp.Space)}
	rp.CanRecord = parley.MayRecordRemains(p.Actor, sp.Space) == nil
	if m, ok := p.Actor.In(sp.ProcessID); ok && rp.CanRecord && !rp.Mediator {
		rp.Side = m.PartyID
	}
	if len(rp.Parties) == 2 {
		rp.From, rp.To = rp.Parties[0].ID, rp.Parties[1].ID
		if rp.Side == rp.To {
			rp.From, rp.To = rp.To, rp.From
		}
	}
	if rp.Ledger, err = s.db.RemainsLedger(ctx, p.Actor, g.ID); err != nil {
		return nil, err
	}
	return rp, nil
}

func (s *Server) remainsPage(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.member(w, r); !ok {
		return
	}
	s.showRemains(w, r, s.page(r, "remains.title"), r.PathValue("group"), http.StatusOK)
}

func (s *Server) showRemains(w http.ResponseWriter, r *http.Request, p *page, group string, status int) {
	rp, err := s.loadRemains(r.Context(), p, group)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Data = rp
	s.render(w, r, status, "remains.html", p)
}

// remainsBody is the live part of the ledger's page.
func (s *Server) remainsBody(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.member(w, r); !ok {
		return
	}
	p := s.page(r, "remains.title")
	rp, err := s.loadRemains(r.Context(), p, r.PathValue("group"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Data = rp
	s.renderFragment(w, r, "remains.html", "remains-body", p)
}

// readRemains reads the form of a transfer; numbers that are not ones are
// put in bad.
func readRemains(f url.Values, bad map[string]string) parley.RecordRemains {
	num := func(field string) int {
		v := strings.TrimSpace(f.Get(field))
		if v == "" {
			return 0
		}
		n, err := strconv.Atoi(strings.NewReplacer(",", "", " ", "", "\u00a0", "").Replace(v))
		if err != nil {
			bad[field] = "must be a whole number"
		}
		return n
	}
	return parley.RecordRemains{Date: strings.TrimSpace(f.Get("date")), Crossing: f.Get("crossing"),
		FromParty: f.Get("from_party"), ToParty: f.Get("to_party"), Bodies: num("bodies"),
		RemainsIdentification: parley.RemainsIdentification{Identified: num("identified"), Partial: num("partially_identified"),
			Unidentified: num("unidentified")}, Note: f.Get("note")}
}

// recordRemains records a transfer. Who may not record learns so before
// the form is read.
func (s *Server) recordRemains(w http.ResponseWriter, r *http.Request) {
	a, ok := s.member(w, r)
	if !ok {
		return
	}
	if err := parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	ctx := r.Context()
	group := r.PathValue("group")
	if err := s.mayRecordRemains(ctx, a, group); err != nil {
		s.fail(w, r, err)
		return
	}
	bad := map[string]string{}
	cmd := readRemains(r.PostForm, bad)
	cmd.GroupID = group
	var err error
	if len(bad) > 0 {
		err = withFormErrors(bad, cmd.Validate())
	} else {
		_, err = s.svc.Do(ctx, a, cmd)
	}
	if code := parley.ErrorCode(err); code == parley.EINVALID || code == parley.ECONFLICT {
		p := s.page(r, "remains.title")
		p.Form, p.Errors = r.PostForm, fields(err)
		p.Errors["act"] = "record"
		s.showRemains(w, r, p, group, status(code))
		return
	} else if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/g/"+group+"/remains#transfers", http.StatusSeeOther)
}

// mayRecordRemains is parley.MayRecordRemains in working group group.
func (s *Server) mayRecordRemains(ctx context.Context, a parley.Actor, group string) error {
	g, err := s.db.Group(ctx, a, group)
	if err != nil {
		return err
	}
	sp, err := s.db.Space(ctx, a, g.SpaceID)
	if err != nil {
		return parley.Errorf(parley.ENOTFOUND, "No such working group.")
	}
	return parley.MayRecordRemains(a, sp)
}

// mayAcknowledgeRemains reads transfer id and checks that a may
// acknowledge it.
func (s *Server) mayAcknowledgeRemains(ctx context.Context, a parley.Actor, id string) (parley.RemainsTransfer, error) {
	t, err := s.db.RemainsTransfer(ctx, a, id)
	if err != nil {
		return t, err
	}
	sp, err := s.db.Space(ctx, a, t.SpaceID)
	if err != nil {
		return t, err
	}
	return t, parley.MayAcknowledgeRemains(a, t, sp)
}

// acknowledgeRemains acknowledges a transfer, with the number received
// and a note.
func (s *Server) acknowledgeRemains(w http.ResponseWriter, r *http.Request) {
	a, ok := s.member(w, r)
	if !ok {
		return
	}
	if err := parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	ctx := r.Context()
	t, err := s.mayAcknowledgeRemains(ctx, a, r.PathValue("transfer"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	bad := map[string]string{}
	cmd := parley.AcknowledgeRemains{TransferID: t.ID, Note: r.PostForm.Get("note")}
	if v := strings.TrimSpace(r.PostForm.Get("received")); v != "" {
		if cmd.Received, err = strconv.Atoi(strings.NewReplacer(",", "", " ", "", "\u00a0", "").Replace(v)); err != nil || cmd.Received < 1 {
			bad["received"] = "must be a whole number, at least 1"
		}
	}
	if len(bad) > 0 {
		err = withFormErrors(bad, nil)
	} else {
		_, err = s.svc.Do(ctx, a, cmd)
	}
	if code := parley.ErrorCode(err); code == parley.EINVALID || code == parley.ECONFLICT {
		p := s.page(r, "remains.title")
		p.Form, p.Errors = r.PostForm, fields(err)
		p.Errors["act"] = p.AckAct(t.ID)
		s.showRemains(w, r, p, t.GroupID, status(code))
		return
	} else if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/g/"+t.GroupID+"/remains#t-"+t.ID, http.StatusSeeOther)
}

// remainsAPI registers the operations of the ledger of remains.
func (s *Server) remainsAPI(api huma.API) {
	op := func(id, method, path, summary string) huma.Operation {
		o := huma.Operation{OperationID: id, Method: method, Path: "/api/v1" + path, Summary: summary, Tags: []string{"remains"}}
		if method == http.MethodPost {
			o.DefaultStatus = http.StatusCreated
		}
		return o
	}
	huma.Register(api, op("list-remains", http.MethodGet, "/groups/{id}/remains", "The ledger of transfers of remains of a working group whose space I may read: its transfers newest first, with their acknowledgements, and each side's running totals"),
		func(ctx context.Context, in *idPath) (*body[parley.RemainsLedger], error) {
			return read(s, ctx, func(a parley.Actor) (parley.RemainsLedger, error) { return s.db.RemainsLedger(ctx, a, in.ID) })
		})
	huma.Register(api, op("record-remains", http.MethodPost, "/groups/{id}/remains", "Record a transfer of remains: its date, crossing point, direction, number of bodies and how many were identified, partially identified and not; by the delegation of the side that handed over, or the mediator on its behalf"),
		func(ctx context.Context, in *struct {
			ID   string `path:"id" maxLength:"64"`
			Body struct {
				Date      string `json:"date" maxLength:"10" doc:"The day of the transfer, YYYY-MM-DD."`
				Crossing  string `json:"crossing" maxLength:"200" doc:"The crossing point."`
				FromParty string `json:"from_party" maxLength:"64" doc:"The side that handed over."`
				ToParty   string `json:"to_party" maxLength:"64" doc:"The side that received."`
				Bodies    int    `json:"bodies" doc:"The number of bodies handed over."`
				// How many were identified, partially identified and not:
				// the three add up to bodies.
				Identified   int    `json:"identified,omitempty"`
				Partial      int    `json:"partially_identified,omitempty"`
				Unidentified int    `json:"unidentified,omitempty"`
				Note         string `json:"note,omitempty" maxLength:"2000"`
			}
		}) (*body[Created], error) {
			a, err := s.apiActor(ctx)
			if err != nil {
				return nil, err
			}
			if err := s.mayRecordRemains(ctx, a, in.ID); err != nil {
				return nil, s.apiFail(ctx, err)
			}
			b := in.Body
			evs, err := s.apiDo(ctx, parley.RecordRemains{GroupID: in.ID, Date: b.Date, Crossing: b.Crossing, FromParty: b.FromParty, ToParty: b.ToParty,
				Bodies: b.Bodies, RemainsIdentification: parley.RemainsIdentification{Identified: b.Identified, Partial: b.Partial, Unidentified: b.Unidentified},
				Note: b.Note})
			if err != nil {
				return nil, err
			}
			return &body[Created]{Body: Created{ID: evs[0].Data.(*parley.RemainsRecorded).TransferID, Seq: last(evs)}}, nil
		})
	huma.Register(api, op("acknowledge-remains", http.MethodPost, "/remains/{id}/acknowledge", "Acknowledge a transfer of remains as the receiving side, once: the number received (omitted: the number recorded) and a note on anything that differs"),
		func(ctx context.Context, in *struct {
			ID   string `path:"id" maxLength:"64"`
			Body struct {
				Received int    `json:"received,omitempty" minimum:"0" doc:"The number of bodies received; omitted or 0, the number recorded."`
				Note     string `json:"note,omitempty" maxLength:"2000" doc:"A discrepancy, in the receiving side's words."`
			}
		}) (*body[Done], error) {
			a, err := s.apiActor(ctx)
			if err != nil {
				return nil, err
			}
			if _, err := s.mayAcknowledgeRemains(ctx, a, in.ID); err != nil {
				return nil, s.apiFail(ctx, err)
			}
			evs, err := s.apiDo(ctx, parley.AcknowledgeRemains{TransferID: in.ID, Received: in.Body.Received, Note: in.Body.Note})
			if err != nil {
				return nil, err
			}
			return &body[Done]{Body: Done{Seq: last(evs)}}, nil
		})
}
