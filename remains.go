package parley

import (
	"fmt"
	"strings"
	"time"
)

// A transfer of remains is one hand-over of the bodies of the dead from
// one side to the other, at a crossing point on a date: how many, and how
// many of them were identified, partially identified or not identified.
// It belongs to a working group's space (the humanitarian group's, in
// practice). The side that hands over records it — a head or delegate of
// that party in the group — or the mediator on its behalf; the receiving
// side acknowledges it, with the number it received and, where that or
// anything else differs, a note. The ledger of a group is its transfers
// and the running totals per side, where the asymmetry between the sides
// shows. Numbers of remains are not personal data, and nothing here is
// sealed.

// Limits of a transfer's numbers and texts.
const (
	MaxRemains      = 100000 // bodies in one transfer
	maxCrossing     = 200
	maxRemainsNote  = 2000
	remainsLeadDays = 1 // a date may be this many days ahead of the server's, for time zones
)

// RemainsIdentification is how many of a transfer's bodies were
// identified, partially identified (e.g. by documents, not yet by DNA)
// and not identified, as the handing-over side reports it. The three add
// up to the transfer's number of bodies, so that totals per side add up.
type RemainsIdentification struct {
	Identified   int `json:"identified"`
	Partial      int `json:"partially_identified"`
	Unidentified int `json:"unidentified"`
}

// Sum is the number of bodies the counts account for.
func (i RemainsIdentification) Sum() int { return i.Identified + i.Partial + i.Unidentified }

// RemainsAcknowledgement is the receiving side's acknowledgement of a
// transfer.
type RemainsAcknowledgement struct {
	By       string    `json:"by"`    // the account that acknowledged
	Party    string    `json:"party"` // the receiving side
	Received int       `json:"received"`
	Note     string    `json:"note,omitempty"` // what differs, in the receiving side's words
	At       time.Time `json:"at"`
	Seq      int64     `json:"seq"`
}

// RemainsTransfer is one transfer of remains.
type RemainsTransfer struct {
	ID        string `json:"id"`
	ProcessID string `json:"process_id"`
	GroupID   string `json:"group_id"`
	SpaceID   string `json:"space_id"`
	Date      string `json:"date"` // YYYY-MM-DD
	Crossing  string `json:"crossing"`
	FromParty string `json:"from_party"`
	ToParty   string `json:"to_party"`
	Bodies    int    `json:"bodies"`
	RemainsIdentification
	Note       string                  `json:"note,omitempty"`
	RecordedBy string                  `json:"recorded_by"` // an account: of the handing-over side, or the mediator's
	RecordedAt time.Time               `json:"recorded_at"`
	Seq        int64                   `json:"seq"`
	Ack        *RemainsAcknowledgement `json:"acknowledgement,omitempty"` // nil while it awaits the receiving side
}

// Acknowledged reports whether the receiving side acknowledged the
// transfer.
func (t RemainsTransfer) Acknowledged() bool { return t.Ack != nil }

// Discrepancy is how many more bodies the receiving side says it received
// than were recorded (negative: fewer); 0 while unacknowledged.
func (t RemainsTransfer) Discrepancy() int {
	if t.Ack == nil {
		return 0
	}
	return t.Ack.Received - t.Bodies
}

// RemainsSide is a side's running totals in a ledger.
type RemainsSide struct {
	Party      string `json:"party"`
	HandedOver int    `json:"handed_over"` // bodies in the transfers from it, as recorded
	Transfers  int    `json:"transfers"`   // transfers from it
	RemainsIdentification
	Received int `json:"received"` // bodies it acknowledged receiving, by its own count
	Awaiting int `json:"awaiting"` // bodies in transfers to it it has not acknowledged
}

// RemainsLedger is a working group's transfers, newest first, and the
// running totals of each side of them.
type RemainsLedger struct {
	GroupID   string            `json:"group_id"`
	Transfers []RemainsTransfer `json:"transfers"`
	Sides     []RemainsSide     `json:"sides"`
}

// NewRemainsLedger returns the ledger of transfers, with a side for each
// of parties (the process's negotiating parties, in their order) and for
// any other party a transfer names.
func NewRemainsLedger(group string, parties []string, ts []RemainsTransfer) RemainsLedger {
	l := RemainsLedger{GroupID: group, Transfers: ts, Sides: []RemainsSide{}}
	if l.Transfers == nil {
		l.Transfers = []RemainsTransfer{}
	}
	index := map[string]int{}
	side := func(p string) *RemainsSide {
		i, ok := index[p]
		if !ok {
			i = len(l.Sides)
			index[p] = i
			l.Sides = append(l.Sides, RemainsSide{Party: p})
		}
		return &l.Sides[i]
	}
	for _, p := range parties {
		side(p)
	}
	for _, t := range ts {
		from := side(t.FromParty)
		from.HandedOver += t.Bodies
		from.Transfers++
		from.Identified += t.Identified
		from.Partial += t.Partial
		from.Unidentified += t.Unidentified
		to := side(t.ToParty)
		if t.Ack != nil {
			to.Received += t.Ack.Received
		} else {
			to.Awaiting += t.Bodies
		}
	}
	return l
}

// Side returns the totals of party.
func (l RemainsLedger) Side(party string) RemainsSide {
	for _, s := range l.Sides {
		if s.Party == party {
			return s
		}
	}
	return RemainsSide{Party: party}
}

// Events of transfers of remains.
type (
	// RemainsRecorded records a transfer of remains.
	RemainsRecorded struct {
		TransferID string `json:"transfer_id"`
		GroupID    string `json:"group_id"`
		Date       string `json:"date"`
		Crossing   string `json:"crossing"`
		FromParty  string `json:"from_party"`
		ToParty    string `json:"to_party"`
		Bodies     int    `json:"bodies"`
		RemainsIdentification
		Note string `json:"note,omitempty"`
	}
	// RemainsAcknowledged records the receiving side's acknowledgement.
	RemainsAcknowledged struct {
		TransferID string `json:"transfer_id"`
		Party      string `json:"party"`
		Received   int    `json:"received"`
		Note       string `json:"note,omitempty"`
	}
)

func (*RemainsRecorded) EventType() string     { return "remains.recorded" }
func (*RemainsAcknowledged) EventType() string { return "remains.acknowledged" }

func init() {
	register(
		func() EventData { return new(RemainsRecorded) },
		func() EventData { return new(RemainsAcknowledged) },
	)
}

// Commands of transfers of remains.
type (
	// RecordRemains records a transfer of remains in a working group: by
	// the handing-over side, or by the mediator on its behalf.
	RecordRemains struct {
		GroupID   string `json:"group_id"`
		Date      string `json:"date"`
		Crossing  string `json:"crossing"`
		FromParty string `json:"from_party"`
		ToParty   string `json:"to_party"`
		Bodies    int    `json:"bodies"`
		RemainsIdentification
		Note string `json:"note,omitempty"`
	}
	// AcknowledgeRemains is the receiving side's acknowledgement of a
	// transfer: the number it received (0: the number recorded) and a note
	// on anything that differs.
	AcknowledgeRemains struct {
		TransferID string `json:"transfer_id"`
		Received   int    `json:"received,omitempty"`
		Note       string `json:"note,omitempty"`
	}
)

// Validate implements Command.
func (c RecordRemains) Validate() error {
	var v Invalid
	v.requireID("group_id", c.GroupID)
	if !validDate(strings.TrimSpace(c.Date)) {
		v.Add("date", "must be a date as YYYY-MM-DD")
	}
	v.Require("crossing", c.Crossing)
	v.MaxLen("crossing", c.Crossing, maxCrossing)
	v.requireID("from_party", c.FromParty)
	v.requireID("to_party", c.ToParty)
	if c.FromParty != "" && c.FromParty == c.ToParty {
		v.Add("to_party", "must be the other side")
	}
	if c.Bodies < 1 || c.Bodies > MaxRemains {
		v.Add("bodies", fmt.Sprintf("must be between 1 and %d", MaxRemains))
	}
	counts := true
	for f, n := range map[string]int{"identified": c.Identified, "partially_identified": c.Partial, "unidentified": c.Unidentified} {
		if n < 0 || n > MaxRemains {
			v.Add(f, fmt.Sprintf("must be between 0 and %d", MaxRemains))
			counts = false
		}
	}
	if counts && c.Bodies >= 1 && c.Bodies <= MaxRemains && c.Sum() != c.Bodies {
		v.Add("identification", fmt.Sprintf("identified, partially identified and unidentified must add up to the number of bodies (%d), not %d", c.Bodies, c.Sum()))
	}
	v.MaxLen("note", c.Note, maxRemainsNote)
	return v.Err()
}

// Validate implements Command.
func (c AcknowledgeRemains) Validate() error {
	var v Invalid
	v.requireID("transfer_id", c.TransferID)
	if c.Received < 0 || c.Received > MaxRemains {
		v.Add("received", fmt.Sprintf("must be between 1 and %d, or empty for the number recorded", MaxRemains))
	}
	v.MaxLen("note", c.Note, maxRemainsNote)
	return v.Err()
}

// RemainsSetting is what deciding about a transfer needs besides the
// command: the transfer (zero when one is recorded), its group's space and
// the process's negotiating parties.
type RemainsSetting struct {
	Transfer RemainsTransfer
	Space    Space
	Parties  []string
}

// remainsSide returns the party a acts for in s on transfers of remains:
// a head's or a delegate's who may prepare items there, or "".
func remainsSide(a Actor, s Space) string {
	m, ok := a.In(s.ProcessID)
	if !ok || !Allowed(a, ActDraft, s) || (m.Role != RoleHead && m.Role != RoleDelegate) {
		return ""
	}
	return m.PartyID
}

// MayRecordRemains checks that a may record transfers of remains in the
// working group's space s, for some side: read first (who may not does not
// learn of the group's ledger), then a side's head or delegate in the
// group, or the mediator. Which side a party's member may record for is
// decided with the command (DecideRecordRemains).
func MayRecordRemains(a Actor, s Space) error {
	if !Allowed(a, ActRead, s) {
		return Errorf(ENOTFOUND, "No such working group.")
	}
	if s.Kind != SpaceGroup {
		var v Invalid
		v.Add("group_id", "transfers of remains belong to a working group")
		return v.Err()
	}
	if !Mediates(a, s) && remainsSide(a, s) == "" {
		return Errorf(EFORBIDDEN, "A transfer of remains is recorded by the delegation of the side that hands over, or by the mediator.")
	}
	return nil
}

// MayAcknowledgeRemains checks that a may acknowledge transfer t, in
// space s: a head or delegate of the receiving side.
func MayAcknowledgeRemains(a Actor, t RemainsTransfer, s Space) error {
	if !Allowed(a, ActRead, s) {
		return Errorf(ENOTFOUND, "No such transfer.")
	}
	switch side := remainsSide(a, s); {
	case side == t.FromParty:
		return Errorf(EFORBIDDEN, "The side that handed the remains over cannot acknowledge their receipt.")
	case side != t.ToParty:
		return Errorf(EFORBIDDEN, "Only the delegation of the receiving side acknowledges a transfer.")
	}
	return nil
}

// DecideRecordRemains records a transfer of remains between two of the
// process's negotiating parties in the group's space.
func DecideRecordRemains(a Actor, set RemainsSetting, c RecordRemains, env Env) ([]Event, error) {
	s := set.Space
	if err := MayRecordRemains(a, s); err != nil {
		return nil, err
	}
	if side := remainsSide(a, s); !Mediates(a, s) && side != c.FromParty {
		return nil, Errorf(EFORBIDDEN, "A side records the transfers it hands over; the mediator records them on a side's behalf.")
	}
	var v Invalid
	if !contains(set.Parties, c.FromParty) {
		v.Add("from_party", "must be a negotiating party of the process")
	}
	if !contains(set.Parties, c.ToParty) {
		v.Add("to_party", "must be a negotiating party of the process")
	}
	date := strings.TrimSpace(c.Date)
	if d, err := time.Parse(time.DateOnly, date); err == nil && d.After(env.Now.UTC().AddDate(0, 0, remainsLeadDays)) {
		v.Add("date", "is in the future: record a transfer once it took place")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return events(a, env, ev(SpaceScope(s), &RemainsRecorded{TransferID: env.NewID(), GroupID: s.GroupID, Date: date,
		Crossing: strings.TrimSpace(c.Crossing), FromParty: c.FromParty, ToParty: c.ToParty, Bodies: c.Bodies,
		RemainsIdentification: c.RemainsIdentification, Note: strings.TrimSpace(c.Note)})), nil
}

// DecideAcknowledgeRemains records the receiving side's acknowledgement
// of a transfer, once.
func DecideAcknowledgeRemains(a Actor, set RemainsSetting, c AcknowledgeRemains, env Env) ([]Event, error) {
	t := set.Transfer
	if err := MayAcknowledgeRemains(a, t, set.Space); err != nil {
		return nil, err
	}
	if t.Ack != nil {
		return nil, Errorf(ECONFLICT, "The transfer was acknowledged already.")
	}
	n := c.Received
	if n == 0 {
		n = t.Bodies
	}
	return events(a, env, ev(SpaceScope(set.Space), &RemainsAcknowledged{TransferID: t.ID, Party: t.ToParty, Received: n,
		Note: strings.TrimSpace(c.Note)})), nil
}
