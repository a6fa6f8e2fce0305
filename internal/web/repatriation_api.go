package web

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/parley-talks/parley"
)

// Shapes of the people on their way home, in the API.
type (
	// APICase is a person both sides confirmed, with both sides' entries
	// and where the person stands.
	APICase struct {
		PairID     string              `json:"pair_id"`
		Step       parley.Step         `json:"step"`
		Case       parley.Repatriation `json:"case"`
		Asked      parley.ListedPerson `json:"asked" doc:"As the receiving side wrote the person."`
		Held       parley.ListedPerson `json:"held" doc:"As the holding side wrote the person."`
		HeldReason string              `json:"held_reason,omitempty"`
	}
	// APIStage is what a stage carried: by receiving side and category,
	// people received and assigned, against the agreed numbers.
	APIStage struct {
		Number     int                       `json:"number"`
		Date       string                    `json:"date"`
		Finalised  bool                      `json:"finalised"`
		Agreed     []parley.StageCount       `json:"agreed" doc:"Per side."`
		Received   map[string]map[string]int `json:"received" doc:"Receiving side → category → people received."`
		Assigned   map[string]map[string]int `json:"assigned" doc:"Receiving side → category → people assigned."`
		Parity     []string                  `json:"parity" doc:"How the stage departs from the agreed numbers; empty when it keeps them."`
		Exceptions []string                  `json:"exceptions" doc:"Parties whose head agreed to finalise the stage outside the agreed numbers."`
		Pending    int                       `json:"pending" doc:"Assigned people neither received nor held back."`
	}
)

// repatriationAPI registers the operations of the persons' life cycle
// and of stages. Who may act is checked before the input is read, so that
// a refusal is the policy's.
func (s *Server) repatriationAPI(api huma.API) {
	op := func(id, method, path, summary string) huma.Operation {
		o := huma.Operation{OperationID: id, Method: method, Path: "/api/v1" + path, Summary: summary, Tags: []string{"exchanges"}}
		if method == http.MethodPost {
			o.DefaultStatus = http.StatusCreated
		}
		return o
	}
	done := func(evs []parley.Event, err error) (*body[Done], error) {
		if err != nil {
			return nil, err
		}
		return &body[Done]{Body: Done{Seq: last(evs)}}, nil
	}

	huma.Register(api, op("list-people", http.MethodGet, "/exchanges/{id}/people/{party}",
		"The people party receives whom both sides confirmed, with both sides' entries and their step; the views of both lists are recorded in the access log first"),
		func(ctx context.Context, in *struct {
			ID    string `path:"id" maxLength:"64"`
			Party string `path:"party" maxLength:"64" doc:"The receiving side: the party that asked the people back."`
		}) (*body[[]APICase], error) {
			return read(s, ctx, func(a parley.Actor) ([]APICase, error) {
				_, _, cases, err := s.peopleOf(ctx, a, in.ID, in.Party)
				if err != nil {
					return nil, err
				}
				out := make([]APICase, len(cases))
				for i, c := range cases {
					out[i] = APICase{PairID: c.Pair.ID, Step: c.Step, Case: c.Case, Asked: c.Asked, Held: c.Held, HeldReason: c.Reason}
				}
				return out, nil
			})
		})

	huma.Register(api, op("record-step", http.MethodPost, "/pairs/{id}/steps",
		"Move a confirmed person on: interview (the observer; yes: wishes to be repatriated), fitness (the holding side or the observer; yes: fit), assign (the mediator; stage, 0 to take out), hold (the holding side; note: the reason), handover (the holding side), receive (the receiving side)"),
		func(ctx context.Context, in *struct {
			ID   string `path:"id" maxLength:"64"`
			Body struct {
				Act             string `json:"act" enum:"interview,fitness,assign,hold,handover,receive"`
				Yes             bool   `json:"yes,omitempty"`
				Stage           int    `json:"stage,omitempty" minimum:"0" maximum:"100"`
				Note            string `json:"note,omitempty" maxLength:"2000"`
				NoActiveService bool   `json:"no_active_service,omitempty" doc:"At the hand-over: the person may not be returned to active service (Geneva III, Art. 117)."`
			}
		}) (*body[Done], error) {
			a, err := s.apiActor(ctx)
			if err != nil {
				return nil, err
			}
			if _, err := s.db.Pair(ctx, a, in.ID); err != nil {
				return nil, s.apiFail(ctx, err)
			}
			b := in.Body
			return done(s.apiDo(ctx, parley.RecordStep{PairID: in.ID, Act: b.Act, Yes: b.Yes, Stage: b.Stage, Note: b.Note, NoActiveService: b.NoActiveService}))
		})

	huma.Register(api, op("exchange-progress", http.MethodGet, "/exchanges/{id}/progress",
		"What each stage carried, per receiving side and category, against the agreed numbers; numbers only"),
		func(ctx context.Context, in *idPath) (*body[[]APIStage], error) {
			return read(s, ctx, func(a parley.Actor) ([]APIStage, error) {
				x, err := s.db.Exchange(ctx, a, in.ID)
				if err != nil {
					return nil, err
				}
				stages, err := s.stagesOf(ctx, a, x)
				if err != nil {
					return nil, err
				}
				out := make([]APIStage, len(stages))
				for i, sv := range stages {
					out[i] = APIStage{Number: sv.Stage.Number, Date: sv.Stage.Date, Finalised: sv.Stage.Finalised, Agreed: sv.Stage.Counts,
						Received: sv.Received, Assigned: sv.Assigned, Parity: sv.Parity, Exceptions: sv.Exceptions, Pending: sv.Pending}
					if out[i].Parity == nil {
						out[i].Parity = []string{}
					}
					if out[i].Exceptions == nil {
						out[i].Exceptions = []string{}
					}
				}
				return out, nil
			})
		})

	type stagePath struct {
		ID     string `path:"id" maxLength:"64"`
		Number int    `path:"number" minimum:"1" maximum:"100"`
	}
	huma.Register(api, op("agree-stage-exception", http.MethodPost, "/exchanges/{id}/stages/{number}/exception",
		"A head of delegation agrees that the stage may be finalised outside the agreed numbers; it stands once both sides' heads agreed"),
		func(ctx context.Context, in *struct {
			ID     string `path:"id" maxLength:"64"`
			Number int    `path:"number" minimum:"1" maximum:"100"`
			Body   struct {
				Reason string `json:"reason" minLength:"1" maxLength:"2000"`
			}
		}) (*body[Done], error) {
			return done(s.apiDo(ctx, parley.AgreeStageException{ExchangeID: in.ID, Number: in.Number, Reason: in.Body.Reason}))
		})
	huma.Register(api, op("finalise-stage", http.MethodPost, "/exchanges/{id}/stages/{number}/finalise",
		"The mediator records that the stage took place: everyone in it received or held back, the agreed numbers kept on both sides or an exception agreed"),
		func(ctx context.Context, in *stagePath) (*body[Done], error) {
			return done(s.apiDo(ctx, parley.FinaliseStage{ExchangeID: in.ID, Number: in.Number}))
		})
}
