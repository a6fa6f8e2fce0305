package parley

import (
	"fmt"
	"strings"
)

// Reconciliation pairs the people one side asks back with the people the
// other side holds, across Ukrainian, Russian and Latin spellings
// (internal/reconcile is the engine). The engine proposes; the two sides
// confirm. A pair the engine asserts is "matched", one it is unsure of
// "possible" (the review queue), with the engine's reasons either way.
// Each side confirms or rejects each pair; confirmed by both, the pair
// stands ("confirmed"), rejected by either, it is "disputed". An asked
// person with no candidate at all is "unknown" to the other side.
//
// The server runs the engine outside the writer and hands its result to
// DecideReconcile with the versions of the two lists it read; if either
// list changed in between, the command is refused and run again. A new run
// replaces the pairs no side has answered yet and keeps the others.

// PairKind is what the engine said of a pair.
type PairKind string

// Kinds of pairs.
const (
	PairMatch    PairKind = "match"    // the engine asserts the pair
	PairPossible PairKind = "possible" // for people to review
)

// PairStatus is where a pair stands with the two sides.
type PairStatus string

// Statuses of pairs.
const (
	PairOpen      PairStatus = "open"      // awaiting an answer from one side or both
	PairConfirmed PairStatus = "confirmed" // both sides confirmed it
	PairDisputed  PairStatus = "disputed"  // a side rejected it
)

// ListPair links a person asked back (AskedID, in the asking side's asked
// list) with a person held (HeldID, in the holding side's held list).
type ListPair struct {
	ID      string   `json:"id"`
	AskedID string   `json:"asked_id"`
	HeldID  string   `json:"held_id"`
	Kind    PairKind `json:"kind"`
	Score   float64  `json:"score"`
	Reasons []string `json:"reasons"` // the engine's, one line per field
}

// PairAnswer is one side's answer on a pair.
type PairAnswer struct {
	PartyID   string `json:"party_id"`
	Confirmed bool   `json:"confirmed"`
	Reason    string `json:"reason,omitempty"`
	Seq       int64  `json:"seq"`
}

// Pair is a pair as it stands: what the engine proposed and how the sides
// answered.
type Pair struct {
	ListPair
	ExchangeID   string       `json:"exchange_id"`
	AskingParty  string       `json:"asking_party"`
	HoldingParty string       `json:"holding_party"`
	Answers      []PairAnswer `json:"answers"`
	Seq          int64        `json:"seq"` // the reconciliation that proposed it
}

// Status says where the pair stands.
func (p Pair) Status() PairStatus {
	confirmed := 0
	for _, a := range p.Answers {
		if !a.Confirmed {
			return PairDisputed
		}
		confirmed++
	}
	if confirmed == 2 {
		return PairConfirmed
	}
	return PairOpen
}

// Answer returns party's answer, if it gave one.
func (p Pair) Answer(party string) (PairAnswer, bool) {
	for _, a := range p.Answers {
		if a.PartyID == party {
			return a, true
		}
	}
	return PairAnswer{}, false
}

// Events of reconciliation.
type (
	// ListsReconciled records a run of the engine over the asking side's
	// asked list and the holding side's held list, at the versions named
	// (the record entry of each list's latest import). Pairs replace the
	// unanswered pairs of earlier runs between the same lists; Dropped
	// names those replaced. Unknown lists the asked people with no
	// candidate at all.
	ListsReconciled struct {
		ExchangeID   string     `json:"exchange_id"`
		AskingParty  string     `json:"asking_party"`
		HoldingParty string     `json:"holding_party"`
		AskedVersion int64      `json:"asked_version"`
		HeldVersion  int64      `json:"held_version"`
		Pairs        []ListPair `json:"pairs"`
		Dropped      []string   `json:"dropped,omitempty"`
		Unknown      []string   `json:"unknown,omitempty"`
	}
	// PairAnswered records a side's confirmation or rejection of a pair.
	PairAnswered struct {
		ExchangeID string `json:"exchange_id"`
		PairID     string `json:"pair_id"`
		PartyID    string `json:"party_id"`
		Confirmed  bool   `json:"confirmed"`
		Reason     string `json:"reason,omitempty"`
	}
)

func (*ListsReconciled) EventType() string { return "exchange.lists_reconciled" }
func (*PairAnswered) EventType() string    { return "exchange.pair_answered" }

// The engine's reasons name people; a rejection's reason may too.
func (*ListsReconciled) personalData() {}
func (*PairAnswered) personalData()    {}

func init() {
	register(
		func() EventData { return new(ListsReconciled) },
		func() EventData { return new(PairAnswered) },
	)
}

// Commands of reconciliation.
type (
	// Reconcile records a run of the engine. The server builds it (see
	// the service's Reconcile); a client asks for a run, it does not send
	// pairs.
	Reconcile struct {
		ExchangeID   string     `json:"exchange_id"`
		AskingParty  string     `json:"asking_party"`
		AskedVersion int64      `json:"asked_version"`
		HeldVersion  int64      `json:"held_version"`
		Pairs        []ListPair `json:"pairs"`
		Unknown      []string   `json:"unknown"`
	}
	// AnswerPair is a side's confirmation or rejection of a pair.
	AnswerPair struct {
		PairID    string `json:"pair_id"`
		Confirmed bool   `json:"confirmed"`
		Reason    string `json:"reason,omitempty"`
	}
)

// MaxPairReason bounds the reason of an answer.
const MaxPairReason = 1000

// Validate checks a run's own fields.
func (c Reconcile) Validate() error {
	var v Invalid
	v.Require("exchange_id", c.ExchangeID)
	v.Require("asking_party", c.AskingParty)
	for i, p := range c.Pairs {
		if p.AskedID == "" || p.HeldID == "" || (p.Kind != PairMatch && p.Kind != PairPossible) {
			v.Add(fmt.Sprintf("pairs.%d", i), "is not a pair")
		}
	}
	return v.Err()
}

// Validate checks an answer's own fields.
func (c AnswerPair) Validate() error {
	var v Invalid
	v.Require("pair_id", c.PairID)
	if !c.Confirmed && strings.TrimSpace(c.Reason) == "" {
		v.Add("reason", "say why the pair is not one person")
	}
	if len([]rune(c.Reason)) > MaxPairReason {
		v.Add("reason", fmt.Sprintf("is longer than %d characters", MaxPairReason))
	}
	return v.Err()
}

// ReconcileSetting is what deciding a run needs: the exchange, the current
// versions of the two lists, the people in them, and the pairs so far
// between them.
type ReconcileSetting struct {
	Exchange     ExchangeSetting
	AskedVersion int64
	HeldVersion  int64
	Asked        map[string]bool // IDs of the asking side's asked list
	Held         map[string]bool // IDs of the holding side's held list
	Pairs        []Pair          // the pairs so far between these lists
}

// OtherSide returns the side of x that is not party, or "".
func OtherSide(x Exchange, party string) string {
	if len(x.Parties) != 2 || !contains(x.Parties, party) {
		return ""
	}
	if x.Parties[0] == party {
		return x.Parties[1]
	}
	return x.Parties[0]
}

// MayReconcile says whether a may run the engine over x's lists: either
// side's delegation, or the mediator; it only proposes.
func MayReconcile(a Actor, x Exchange, s Space) error {
	if !Allowed(a, ActRead, s) {
		return Errorf(ENOTFOUND, "No such exchange.")
	}
	if ListSide(a, x, s) == "" && !Mediates(a, s) {
		return Errorf(EFORBIDDEN, "The two sides and the mediator reconcile the lists.")
	}
	return nil
}

// DecideReconcile records a run of the engine over the lists at the
// versions it read. Pairs already answered by a side stay; their people
// are not paired again. The others are replaced.
func DecideReconcile(a Actor, set ReconcileSetting, c Reconcile, env Env) ([]Event, error) {
	x, s := set.Exchange.Exchange, set.Exchange.Space
	if err := MayReconcile(a, x, s); err != nil {
		return nil, err
	}
	holding := OtherSide(x, c.AskingParty)
	if holding == "" {
		var v Invalid
		v.Add("asking_party", "must be a side of the exchange")
		return nil, v.Err()
	}
	if c.AskedVersion != set.AskedVersion || c.HeldVersion != set.HeldVersion {
		return nil, Errorf(ECONFLICT, "A list changed while it was being reconciled; run the reconciliation again.")
	}
	kept := map[string]bool{} // people in answered pairs
	var dropped []string
	for _, p := range set.Pairs {
		if len(p.Answers) > 0 {
			kept[p.AskedID], kept[p.HeldID] = true, true
		} else {
			dropped = append(dropped, p.ID)
		}
	}
	var v Invalid
	usedAsked, usedHeld := map[string]bool{}, map[string]bool{}
	pairs := make([]ListPair, 0, len(c.Pairs))
	for i, p := range c.Pairs {
		field := fmt.Sprintf("pairs.%d", i)
		switch {
		case !set.Asked[p.AskedID] || !set.Held[p.HeldID]:
			v.Add(field, "names a person not in the lists")
		case kept[p.AskedID] || kept[p.HeldID]:
			continue // answered already; the answer stands
		case p.Kind == PairMatch && (usedAsked[p.AskedID] || usedHeld[p.HeldID]):
			v.Add(field, "pairs a person twice")
		}
		if p.Kind == PairMatch {
			usedAsked[p.AskedID], usedHeld[p.HeldID] = true, true
		}
		p.ID = env.NewID()
		pairs = append(pairs, p)
	}
	var unknown []string
	for _, id := range c.Unknown {
		if !set.Asked[id] {
			v.Add("unknown", "names a person not in the list")
			break
		}
		if !kept[id] {
			unknown = append(unknown, id)
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return events(a, env, ev(SpaceScope(s), &ListsReconciled{ExchangeID: x.ID, AskingParty: c.AskingParty, HoldingParty: holding,
		AskedVersion: c.AskedVersion, HeldVersion: c.HeldVersion, Pairs: pairs, Dropped: dropped, Unknown: unknown})), nil
}

// PairSetting is what deciding an answer needs.
type PairSetting struct {
	Exchange ExchangeSetting
	Pair     Pair
}

// DecideAnswerPair records a side's answer on a pair. Each side answers
// once; a confirmed pair's people are then settled for that side. Only the
// two sides answer: the mediator proposes runs, it does not decide who a
// person is.
func DecideAnswerPair(a Actor, set PairSetting, c AnswerPair, env Env) ([]Event, error) {
	x, s := set.Exchange.Exchange, set.Exchange.Space
	if !Allowed(a, ActRead, s) {
		return nil, Errorf(ENOTFOUND, "No such pair.")
	}
	party := ListSide(a, x, s)
	if party == "" {
		return nil, Errorf(EFORBIDDEN, "Each side's delegation answers for its side.")
	}
	if _, done := set.Pair.Answer(party); done {
		return nil, Errorf(ECONFLICT, "Your side has answered on this pair already.")
	}
	if set.Pair.Status() == PairDisputed {
		return nil, Errorf(ECONFLICT, "The pair is disputed: the other side rejected it.")
	}
	return events(a, env, ev(SpaceScope(s), &PairAnswered{ExchangeID: x.ID, PairID: set.Pair.ID, PartyID: party,
		Confirmed: c.Confirmed, Reason: normalizeBody(c.Reason)})), nil
}
