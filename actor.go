package parley

import "time"

// Role is what a member does in a process. The operator is not a role in a
// process: it belongs to an account (see Actor.Operator).
type Role string

// Roles of members of a process.
const (
	RoleHead     Role = "head"     // head of a party's delegation: the party's formal acts
	RoleDelegate Role = "delegate" // member of a party's delegation
	RoleMediator Role = "mediator" // the facilitating state or organisation
	RoleObserver Role = "observer" // e.g. a neutral humanitarian organisation
)

// Roles lists every member role.
var Roles = []Role{RoleHead, RoleDelegate, RoleMediator, RoleObserver}

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if r == x {
			return true
		}
	}
	return false
}

// Actor is who asks for something: a signed-in account with its memberships,
// or the anonymous public (the zero Actor).
type Actor struct {
	AccountID string       `json:"account_id"`
	Name      string       `json:"name"`
	Operator  bool         `json:"operator"`
	Members   []Membership `json:"members"`
}

// Membership is an account's place in one process.
type Membership struct {
	MemberID  string   `json:"member_id"`
	ProcessID string   `json:"process_id"`
	PartyID   string   `json:"party_id"`
	Role      Role     `json:"role"`
	Groups    []string `json:"groups"` // working groups the member belongs to
	// Authorised lists the working groups in which a delegate may perform
	// the formal acts of their party, by authority of their head.
	Authorised []string `json:"authorised,omitempty"`
}

// Anonymous reports whether a is the public, with no account.
func (a Actor) Anonymous() bool { return a.AccountID == "" }

// In returns a's membership in process, if any.
func (a Actor) In(process string) (Membership, bool) {
	for _, m := range a.Members {
		if m.ProcessID == process {
			return m, true
		}
	}
	return Membership{}, false
}

// InGroup reports whether m belongs to working group g.
func (m Membership) InGroup(g string) bool { return contains(m.Groups, g) }

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// Account is a person's login on a Parley server. Accounts and their
// credentials are operational state kept by the server, not negotiation
// data: they are not in the record. What an account does in a process is,
// through its Member.
type Account struct {
	ID           string    `json:"id"`
	Username     string    `json:"username"`
	DisplayName  string    `json:"display_name"`
	Email        string    `json:"email,omitempty"` // for notifications; may be empty
	Locale       Lang      `json:"locale"`
	TimeZone     string    `json:"time_zone"` // IANA name, e.g. Europe/Istanbul
	Operator     bool      `json:"operator"`
	TOTPEnabled  bool      `json:"totp_enabled"` // a second factor is enrolled
	TOTPWaived   bool      `json:"totp_waived"`  // the demo waives the second factor for its accounts
	FailedLogins int       `json:"failed_logins"`
	LockedUntil  time.Time `json:"locked_until"`
	CreatedAt    time.Time `json:"created_at"`
}

// NeedsTOTP reports whether acc must use a second factor, given whether it
// is a member of a party or the mediator (an observer's is optional). The
// operator, who holds the keys of the server, must always.
func NeedsTOTP(acc Account, partyOrMediator bool) bool {
	if acc.TOTPWaived {
		return false
	}
	return acc.Operator || partyOrMediator
}
