package parley

// This file is the one place that decides who may do what where. The store
// mirrors the read rule of Allowed in SQL (see internal/store/visibility.go);
// a conformance test checks that both agree for every role and space.

// Action is something an actor does in a space.
type Action string

// Actions in a space.
const (
	ActRead   Action = "read"   // see the space and everything in it
	ActPost   Action = "post"   // write in the space's discussion
	ActDraft  Action = "draft"  // prepare items (proposals, texts) in the space
	ActFormal Action = "formal" // the formal acts of a party: submit, accept, reject, initial
)

// Actions lists every space action.
var Actions = []Action{ActRead, ActPost, ActDraft, ActFormal}

// Allowed reports whether a may do act in space s.
//
// Party-internal spaces are for their own party's delegation only; the heads'
// channel is for heads of delegation, and for the mediator only where the
// space was opened with it; a working group's space is for its members, the
// heads and the mediator; the public space is read by everyone and written by
// nobody directly (publication is a formal act of its own).
func Allowed(a Actor, act Action, s Space) bool {
	if s.Kind == SpacePublic {
		return act == ActRead
	}
	m, ok := a.In(s.ProcessID)
	if !ok {
		return false // operators and outsiders see no content of a process
	}
	switch s.Kind {
	case SpaceParty:
		if m.PartyID != s.PartyID {
			return false
		}
		switch m.Role {
		case RoleHead:
			return true
		case RoleDelegate:
			return act != ActFormal
		}
		return false
	case SpaceHeads:
		switch m.Role {
		case RoleHead:
			return true
		case RoleMediator:
			return s.WithMediator && act != ActFormal
		}
		return false
	case SpaceGroup:
		switch m.Role {
		case RoleHead:
			return true
		case RoleMediator:
			return act != ActFormal
		case RoleDelegate:
			return m.InGroup(s.GroupID) && act != ActFormal
		case RoleObserver:
			return m.InGroup(s.GroupID) && act == ActRead
		}
	}
	return false
}

// Mediates reports whether a performs the mediator's own acts in space s:
// in a working group's space, the mediator, where it may prepare items.
// Keeping an exchange agreement's terms and planning its stages are such
// acts; no party performs them, and every reader of the space sees them.
func Mediates(a Actor, s Space) bool {
	m, ok := a.In(s.ProcessID)
	return ok && s.Kind == SpaceGroup && m.Role == RoleMediator && Allowed(a, ActDraft, s)
}

// ProcessAction is something an actor does to the structure of a process:
// its parties, members, rounds and working groups.
type ProcessAction string

// Actions on a process.
const (
	ManageProcess ProcessAction = "manage_process" // create or edit the process, add parties and members
	ManageRounds  ProcessAction = "manage_rounds"  // schedule and edit rounds
	ManageGroups  ProcessAction = "manage_groups"  // create and edit working groups
	AssignGroups  ProcessAction = "assign_groups"  // put a member into a working group or take them out
	ViewProcess   ProcessAction = "view_process"   // see the process, its parties, rounds, groups, members
)

// ProcessActions lists every process action.
var ProcessActions = []ProcessAction{ManageProcess, ManageRounds, ManageGroups, AssignGroups, ViewProcess}

// AllowedProcess reports whether a may do act on process, where party is the
// party concerned (the member's party for AssignGroups), or "".
//
// The operator hosts the process: it creates it, invites parties and their
// members. The mediator convenes: rounds and working groups. A head of
// delegation assigns their own party's members to working groups.
func AllowedProcess(a Actor, act ProcessAction, process, party string) bool {
	m, member := a.In(process)
	switch act {
	case ViewProcess:
		return a.Operator || member
	case ManageProcess:
		return a.Operator
	case ManageRounds, ManageGroups:
		return a.Operator || member && m.Role == RoleMediator
	case AssignGroups:
		if a.Operator || member && m.Role == RoleMediator {
			return true
		}
		return member && m.Role == RoleHead && party != "" && m.PartyID == party
	}
	return false
}

// Visible reports whether a may see an event with scope sc. It is Allowed
// for ActRead, extended to events about a process as a whole (visible to its
// members and the operator) and about the server (operators only).
func Visible(a Actor, sc Scope) bool {
	switch {
	case sc.Space.ID != "":
		return Allowed(a, ActRead, sc.Space)
	case sc.ProcessID != "":
		return AllowedProcess(a, ViewProcess, sc.ProcessID, "")
	}
	return a.Operator
}

// MayReadAccessLog reports whether a may read the access log of personal
// data in process: the server's operators, who answer for the host, and
// the process's heads of delegation, who answer for their side's people.
// The log holds no personal data, only who looked at which list.
func MayReadAccessLog(a Actor, process string) bool {
	if a.Operator {
		return true
	}
	m, ok := a.In(process)
	return ok && m.Role == RoleHead
}
