package parley

import (
	"fmt"
	"strings"
)

// A pair both sides confirmed is a person to bring home: asked back by one
// side (the receiving side), held by the other (the holding side). From
// there the person goes through a life cycle:
//
//	confirmed → interviewed by the neutral observer, who records whether
//	the person wishes to be repatriated (no one is repatriated against
//	their will) → fit to travel → assigned to a stage → handed over by the
//	holding side → received by the receiving side
//
// or is held back by the holding side, with the reason, which the other
// side sees. A person repatriated may be marked as one who may not be
// returned to active service (Third Geneva Convention, Art. 117).
//
// A stage is finalised when it took place as recorded: every person
// assigned to it is received or held back, and it keeps the agreed
// numbers per category on both sides — or the heads of both delegations
// have recorded an agreed exception.

// Step is where a person stands in the life cycle.
type Step string

// Steps of the life cycle, in order.
const (
	StepConfirmed   Step = "confirmed"
	StepInterviewed Step = "interviewed"
	StepFit         Step = "fit"
	StepAssigned    Step = "assigned"
	StepHandedOver  Step = "handed_over"
	StepReceived    Step = "received"
	StepHeldBack    Step = "held_back"
	StepDeclined    Step = "declined" // does not wish to be repatriated
)

// Repatriation is the life cycle of one confirmed pair.
type Repatriation struct {
	PairID      string `json:"pair_id"`
	ExchangeID  string `json:"exchange_id"`
	Receiving   string `json:"receiving"` // the side that asked the person back
	Holding     string `json:"holding"`
	Category    string `json:"category"`
	Interviewed bool   `json:"interviewed"`
	Wishes      bool   `json:"wishes"` // wishes to be repatriated, as the observer recorded
	Fit         bool   `json:"fit"`
	FitRecorded bool   `json:"fit_recorded"`
	Stage       int    `json:"stage,omitempty"`
	HandedOver  bool   `json:"handed_over"`
	NoActive    bool   `json:"no_active_service"` // may not be returned to active service
	Received    bool   `json:"received"`
	HeldBack    bool   `json:"held_back"`
	HeldReason  string `json:"held_reason,omitempty"`
	Seq         int64  `json:"seq"`
}

// Step says where the person stands.
func (r Repatriation) Step() Step {
	switch {
	case r.HeldBack:
		return StepHeldBack
	case r.Received:
		return StepReceived
	case r.HandedOver:
		return StepHandedOver
	case r.Stage > 0:
		return StepAssigned
	case r.Interviewed && !r.Wishes:
		return StepDeclined
	case r.FitRecorded && r.Fit:
		return StepFit
	case r.Interviewed:
		return StepInterviewed
	}
	return StepConfirmed
}

// Events of the life cycle and of stages.
type (
	// InterviewRecorded is the observer's record of a person's wish.
	InterviewRecorded struct {
		ExchangeID string `json:"exchange_id"`
		PairID     string `json:"pair_id"`
		Wishes     bool   `json:"wishes"`
		Note       string `json:"note,omitempty"`
	}
	// FitnessRecorded says whether a person is fit to travel.
	FitnessRecorded struct {
		ExchangeID string `json:"exchange_id"`
		PairID     string `json:"pair_id"`
		Fit        bool   `json:"fit"`
		Note       string `json:"note,omitempty"`
	}
	// AssignedToStage puts a person in a stage; Stage 0 takes them out.
	AssignedToStage struct {
		ExchangeID string `json:"exchange_id"`
		PairID     string `json:"pair_id"`
		Stage      int    `json:"stage"`
	}
	// PersonHeldBack is the holding side's decision to keep a person,
	// with the reason the other side reads.
	PersonHeldBack struct {
		ExchangeID string `json:"exchange_id"`
		PairID     string `json:"pair_id"`
		Reason     string `json:"reason"`
	}
	// PersonHandedOver is the holding side's record of the hand-over.
	PersonHandedOver struct {
		ExchangeID      string `json:"exchange_id"`
		PairID          string `json:"pair_id"`
		NoActiveService bool   `json:"no_active_service,omitempty"`
	}
	// PersonReceived is the receiving side's record of the arrival.
	PersonReceived struct {
		ExchangeID string `json:"exchange_id"`
		PairID     string `json:"pair_id"`
	}
	// StageExceptionAgreed is a head's agreement that a stage may be
	// finalised without keeping the agreed numbers; it stands once both
	// sides' heads recorded it.
	StageExceptionAgreed struct {
		ExchangeID string `json:"exchange_id"`
		Number     int    `json:"number"`
		PartyID    string `json:"party_id"`
		Reason     string `json:"reason"`
	}
	// StageFinalised records that a stage took place as recorded: how
	// many of each category each side received.
	StageFinalised struct {
		ExchangeID string         `json:"exchange_id"`
		Number     int            `json:"number"`
		Received   []SideReceived `json:"received"` // in the order of the exchange's parties
		Exception  bool           `json:"exception,omitempty"`
	}
)

func (*InterviewRecorded) EventType() string    { return "exchange.interview_recorded" }
func (*FitnessRecorded) EventType() string      { return "exchange.fitness_recorded" }
func (*AssignedToStage) EventType() string      { return "exchange.assigned_to_stage" }
func (*PersonHeldBack) EventType() string       { return "exchange.person_held_back" }
func (*PersonHandedOver) EventType() string     { return "exchange.person_handed_over" }
func (*PersonReceived) EventType() string       { return "exchange.person_received" }
func (*StageExceptionAgreed) EventType() string { return "exchange.stage_exception_agreed" }
func (*StageFinalised) EventType() string       { return "exchange.stage_finalised" }

// What the observer heard and why a person is held back are personal.
func (*InterviewRecorded) personalData() {}
func (*FitnessRecorded) personalData()   {}
func (*PersonHeldBack) personalData()    {}

func init() {
	register(
		func() EventData { return new(InterviewRecorded) },
		func() EventData { return new(FitnessRecorded) },
		func() EventData { return new(AssignedToStage) },
		func() EventData { return new(PersonHeldBack) },
		func() EventData { return new(PersonHandedOver) },
		func() EventData { return new(PersonReceived) },
		func() EventData { return new(StageExceptionAgreed) },
		func() EventData { return new(StageFinalised) },
	)
}

// SideReceived is how many of each category one side received in a stage.
type SideReceived struct {
	PartyID string       `json:"party_id"`
	Counts  []StageCount `json:"counts"`
}

// Step commands: one command, the act saying which step.
type (
	// RecordStep moves a person on: Act is interview, fitness, assign,
	// hold, handover or receive.
	RecordStep struct {
		PairID          string `json:"pair_id"`
		Act             string `json:"act"`
		Yes             bool   `json:"yes"`   // interview: wishes; fitness: fit
		Stage           int    `json:"stage"` // assign: the stage, 0 to take out
		Note            string `json:"note,omitempty"`
		NoActiveService bool   `json:"no_active_service,omitempty"`
	}
	// AgreeStageException is a head's agreement to finalise a stage
	// outside the agreed numbers.
	AgreeStageException struct {
		ExchangeID string `json:"exchange_id"`
		Number     int    `json:"number"`
		Reason     string `json:"reason"`
	}
	// FinaliseStage records that a stage took place.
	FinaliseStage struct {
		ExchangeID string `json:"exchange_id"`
		Number     int    `json:"number"`
	}
)

// Acts of RecordStep.
var StepActs = []string{"interview", "fitness", "assign", "hold", "handover", "receive"}

// MaxStepNote bounds notes and reasons of the life cycle.
const MaxStepNote = 2000

// Validate checks a step's own fields.
func (c RecordStep) Validate() error {
	var v Invalid
	v.Require("pair_id", c.PairID)
	if !contains(StepActs, c.Act) {
		v.Add("act", "is not a step")
	}
	if c.Act == "hold" {
		v.Require("note", c.Note)
	}
	if len([]rune(c.Note)) > MaxStepNote {
		v.Add("note", fmt.Sprintf("is longer than %d characters", MaxStepNote))
	}
	if c.Stage < 0 {
		v.Add("stage", "must not be negative")
	}
	return v.Err()
}

// Validate checks an exception's own fields.
func (c AgreeStageException) Validate() error {
	var v Invalid
	v.Require("exchange_id", c.ExchangeID)
	v.Require("reason", c.Reason)
	if len([]rune(c.Reason)) > MaxStepNote {
		v.Add("reason", fmt.Sprintf("is longer than %d characters", MaxStepNote))
	}
	return v.Err()
}

// Validate checks a finalisation's own fields.
func (c FinaliseStage) Validate() error {
	var v Invalid
	v.Require("exchange_id", c.ExchangeID)
	if c.Number < 1 {
		v.Add("number", "must be a stage")
	}
	return v.Err()
}

// StepSetting is what deciding a step needs: the exchange, the pair and
// its life cycle so far.
type StepSetting struct {
	Exchange ExchangeSetting
	Pair     Pair
	Case     Repatriation // zero until the first step
}

// isObserver says whether a is the group's observer in s.
func isObserver(a Actor, s Space) bool {
	m, ok := a.In(s.ProcessID)
	return ok && m.Role == RoleObserver && Allowed(a, ActRead, s)
}

// DecideStep decides one step of a person's life cycle.
func DecideStep(a Actor, set StepSetting, c RecordStep, env Env) ([]Event, error) {
	x, s, p := set.Exchange.Exchange, set.Exchange.Space, set.Pair
	if !Allowed(a, ActRead, s) {
		return nil, Errorf(ENOTFOUND, "No such person.")
	}
	side := ListSide(a, x, s)
	r := set.Case
	// Who may take the step, before where the person stands.
	switch c.Act {
	case "interview":
		if !isObserver(a, s) {
			return nil, Errorf(EFORBIDDEN, "The neutral observer interviews the person.")
		}
	case "fitness":
		if !isObserver(a, s) && side != p.HoldingParty {
			return nil, Errorf(EFORBIDDEN, "The holding side or the observer records whether the person may travel.")
		}
	case "assign":
		if !Mediates(a, s) {
			return nil, Errorf(EFORBIDDEN, "The mediator assigns people to stages.")
		}
	case "hold":
		if side != p.HoldingParty {
			return nil, Errorf(EFORBIDDEN, "Only the holding side holds a person back.")
		}
	case "handover":
		if side != p.HoldingParty {
			return nil, Errorf(EFORBIDDEN, "The holding side records the hand-over.")
		}
	case "receive":
		if side != p.AskingParty {
			return nil, Errorf(EFORBIDDEN, "The receiving side records the arrival.")
		}
	}
	conflict := func(msg string) ([]Event, error) { return nil, Errorf(ECONFLICT, "%s", msg) }
	if p.Status() != PairConfirmed {
		return conflict("Both sides must first confirm that the two entries are one person.")
	}
	if r.HeldBack {
		return conflict("The person is held back.")
	}
	if r.Received {
		return conflict("The person is home: received.")
	}
	id := PairRef{ExchangeID: x.ID, PairID: p.ID}
	scope := SpaceScope(s)
	note := normalizeBody(c.Note)
	switch c.Act {
	case "interview":
		if r.HandedOver || r.Stage > 0 {
			return conflict("The person is assigned to a stage already.")
		}
		return events(a, env, ev(scope, &InterviewRecorded{ExchangeID: id.ExchangeID, PairID: id.PairID, Wishes: c.Yes, Note: note})), nil
	case "fitness":
		if r.HandedOver {
			return conflict("The person is handed over.")
		}
		return events(a, env, ev(scope, &FitnessRecorded{ExchangeID: id.ExchangeID, PairID: id.PairID, Fit: c.Yes, Note: note})), nil
	case "assign":
		if r.HandedOver {
			return conflict("The person is handed over.")
		}
		if c.Stage == 0 {
			if r.Stage == 0 {
				return conflict("The person is in no stage.")
			}
			if st, _ := x.Stage(r.Stage); st.Finalised {
				return conflict("The stage is finalised.")
			}
			return events(a, env, ev(scope, &AssignedToStage{ExchangeID: id.ExchangeID, PairID: id.PairID})), nil
		}
		st, ok := x.Stage(c.Stage)
		switch {
		case !ok:
			var v Invalid
			v.Add("stage", "is not a planned stage")
			return nil, v.Err()
		case st.Finalised:
			return conflict("The stage is finalised.")
		case r.Stage != 0:
			return conflict(fmt.Sprintf("The person is in stage %d already: take them out of it first.", r.Stage))
		case !r.Interviewed:
			return conflict("The observer has not interviewed the person yet.")
		case !r.Wishes:
			return conflict("The person does not wish to be repatriated, as the observer recorded: no one is repatriated against their will.")
		case !r.FitRecorded || !r.Fit:
			return conflict("The person is not recorded as fit to travel.")
		}
		return events(a, env, ev(scope, &AssignedToStage{ExchangeID: id.ExchangeID, PairID: id.PairID, Stage: c.Stage})), nil
	case "hold":
		if r.HandedOver {
			return conflict("The person is handed over.")
		}
		if st, ok := x.Stage(r.Stage); ok && st.Finalised {
			return conflict("The stage is finalised.")
		}
		return events(a, env, ev(scope, &PersonHeldBack{ExchangeID: id.ExchangeID, PairID: id.PairID, Reason: note})), nil
	case "handover":
		switch {
		case r.HandedOver:
			return conflict("The person is handed over already.")
		case r.Stage == 0:
			return conflict("The person is in no stage.")
		}
		if st, _ := x.Stage(r.Stage); st.Finalised {
			return conflict("The stage is finalised.")
		}
		return events(a, env, ev(scope, &PersonHandedOver{ExchangeID: id.ExchangeID, PairID: id.PairID, NoActiveService: c.NoActiveService})), nil
	case "receive":
		if !r.HandedOver {
			return conflict("The person is not handed over yet.")
		}
		return events(a, env, ev(scope, &PersonReceived{ExchangeID: id.ExchangeID, PairID: id.PairID})), nil
	}
	var v Invalid
	v.Add("act", "is not a step")
	return nil, v.Err()
}

// PairRef names a pair of an exchange.
type PairRef struct {
	ExchangeID, PairID string
}

// StageSetting is what finalising a stage needs: the exchange, the people
// assigned to the stage, and the heads' exceptions recorded for it.
type StageSetting struct {
	Exchange   ExchangeSetting
	Cases      []Repatriation // assigned to the stage
	Exceptions []string       // parties whose head agreed an exception
}

// StageTally counts what a stage carried: received persons by receiving
// side and category.
func StageTally(cases []Repatriation) map[string]map[string]int {
	out := map[string]map[string]int{}
	for _, r := range cases {
		if !r.Received {
			continue
		}
		if out[r.Receiving] == nil {
			out[r.Receiving] = map[string]int{}
		}
		out[r.Receiving][r.Category]++
	}
	return out
}

// Parity lists how a stage departs from the agreed numbers: one line per
// side and category whose received count differs from the stage's.
func Parity(x Exchange, st ExchangeStage, cases []Repatriation) []string {
	tally := StageTally(cases)
	var out []string
	for _, side := range x.Parties {
		for _, c := range x.Terms.Categories {
			want, got := st.Count(c.Code), tally[side][c.Code]
			if want != got {
				out = append(out, fmt.Sprintf("%s: %s — %d received, %d agreed", side, c.Name, got, want))
			}
		}
	}
	return out
}

// DecideAgreeException records a head's agreement to finalise a stage
// outside the agreed numbers.
func DecideAgreeException(a Actor, set StageSetting, c AgreeStageException, env Env) ([]Event, error) {
	x, s := set.Exchange.Exchange, set.Exchange.Space
	if !Allowed(a, ActRead, s) {
		return nil, Errorf(ENOTFOUND, "No such exchange.")
	}
	m, _ := a.In(s.ProcessID)
	if m.Role != RoleHead || !contains(x.Parties, m.PartyID) {
		return nil, Errorf(EFORBIDDEN, "The heads of the two delegations agree an exception.")
	}
	st, ok := x.Stage(c.Number)
	if !ok {
		return nil, Errorf(ENOTFOUND, "No such stage.")
	}
	if st.Finalised {
		return nil, Errorf(ECONFLICT, "The stage is finalised.")
	}
	if contains(set.Exceptions, m.PartyID) {
		return nil, Errorf(ECONFLICT, "Your side has agreed the exception already.")
	}
	return events(a, env, ev(SpaceScope(s), &StageExceptionAgreed{ExchangeID: x.ID, Number: c.Number, PartyID: m.PartyID,
		Reason: normalizeBody(c.Reason)})), nil
}

// DecideFinaliseStage records that a stage took place: every person in it
// received or held back, and the agreed numbers kept per category on both
// sides, or an exception agreed by both heads. The mediator records it.
func DecideFinaliseStage(a Actor, set StageSetting, c FinaliseStage, env Env) ([]Event, error) {
	x, s := set.Exchange.Exchange, set.Exchange.Space
	if err := mayRecordExchange(a, s, "exchange"); err != nil {
		return nil, err
	}
	st, ok := x.Stage(c.Number)
	if !ok {
		return nil, Errorf(ENOTFOUND, "No such stage.")
	}
	if st.Finalised {
		return nil, Errorf(ECONFLICT, "The stage is finalised already.")
	}
	var pending int
	for _, r := range set.Cases {
		if !r.Received && !r.HeldBack {
			pending++
		}
	}
	if pending > 0 {
		return nil, Errorf(ECONFLICT, "%d people of the stage are neither received nor held back.", pending)
	}
	exception := len(x.Parties) == 2 && contains(set.Exceptions, x.Parties[0]) && contains(set.Exceptions, x.Parties[1])
	if off := Parity(x, st, set.Cases); len(off) > 0 && !exception {
		return nil, Errorf(ECONFLICT, "The stage does not keep the agreed numbers (%s); the heads of both delegations may agree an exception.", strings.Join(off, "; "))
	}
	tally := StageTally(set.Cases)
	var received []SideReceived
	for _, side := range x.Parties {
		sr := SideReceived{PartyID: side}
		for _, k := range x.Terms.Categories {
			if n := tally[side][k.Code]; n > 0 {
				sr.Counts = append(sr.Counts, StageCount{Category: k.Code, Count: n})
			}
		}
		received = append(received, sr)
	}
	return events(a, env, ev(SpaceScope(s), &StageFinalised{ExchangeID: x.ID, Number: c.Number, Received: received, Exception: exception})), nil
}
