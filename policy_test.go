package parley

import (
	"fmt"
	"testing"
)

// TestAllowedMatrix spells out every cell of role × kind of space × action.
// Each cell lists the actions allowed as letters: r read, p post, d draft,
// f formal act; "-" marks a denied action.
func TestAllowedMatrix(t *testing.T) {
	const proc, other = "p1", "p2"
	member := func(role Role, party string, groups ...string) Actor {
		return Actor{AccountID: "acc", Members: []Membership{{MemberID: "m", ProcessID: proc, PartyID: party, Role: role, Groups: groups}}}
	}
	actors := []struct {
		name string
		a    Actor
	}{
		{"operator", Actor{AccountID: "op", Operator: true}},
		{"head of A", member(RoleHead, "A")},
		{"head of B", member(RoleHead, "B")},
		{"delegate of A in group", member(RoleDelegate, "A", "g1")},
		{"delegate of A not in group", member(RoleDelegate, "A", "g2")},
		{"delegate of B in group", member(RoleDelegate, "B", "g1")},
		{"mediator", member(RoleMediator, "M")},
		{"observer in group", member(RoleObserver, "O", "g1")},
		{"observer not in group", member(RoleObserver, "O")},
		{"member of another process", Actor{AccountID: "x", Members: []Membership{{ProcessID: other, PartyID: "A", Role: RoleHead, Groups: []string{"g1"}}}}},
		{"public", Actor{}},
	}
	spaces := []struct {
		name string
		s    Space
	}{
		{"caucus of A", Space{ID: "s1", ProcessID: proc, Kind: SpaceParty, PartyID: "A"}},
		{"heads with mediator", Space{ID: "s2", ProcessID: proc, Kind: SpaceHeads, WithMediator: true}},
		{"heads without mediator", Space{ID: "s3", ProcessID: proc, Kind: SpaceHeads}},
		{"group g1", Space{ID: "s4", ProcessID: proc, Kind: SpaceGroup, GroupID: "g1"}},
		{"public", Space{ID: "s5", ProcessID: proc, Kind: SpacePublic}},
	}
	want := map[string][5]string{
		//                            caucus A  heads+med heads-med group g1  public
		"operator":                   {"----", "----", "----", "----", "r---"},
		"head of A":                  {"rpdf", "rpdf", "rpdf", "rpdf", "r---"},
		"head of B":                  {"----", "rpdf", "rpdf", "rpdf", "r---"},
		"delegate of A in group":     {"rpd-", "----", "----", "rpd-", "r---"},
		"delegate of A not in group": {"rpd-", "----", "----", "----", "r---"},
		"delegate of B in group":     {"----", "----", "----", "rpd-", "r---"},
		"mediator":                   {"----", "rpd-", "----", "rpd-", "r---"},
		"observer in group":          {"----", "----", "----", "r---", "r---"},
		"observer not in group":      {"----", "----", "----", "----", "r---"},
		"member of another process":  {"----", "----", "----", "----", "r---"},
		"public":                     {"----", "----", "----", "----", "r---"},
	}
	letters := map[Action]byte{ActRead: 'r', ActPost: 'p', ActDraft: 'd', ActFormal: 'f'}
	if len(letters) != len(Actions) {
		t.Fatalf("the matrix covers %d actions, the policy has %d", len(letters), len(Actions))
	}
	for _, ac := range actors {
		row, ok := want[ac.name]
		if !ok {
			t.Fatalf("no expected row for %s", ac.name)
		}
		for i, sp := range spaces {
			got := []byte("----")
			for j, act := range Actions {
				if Allowed(ac.a, act, sp.s) {
					got[j] = letters[act]
				}
			}
			if string(got) != row[i] {
				t.Errorf("%s in %s: allowed %q, want %q", ac.name, sp.name, got, row[i])
			}
		}
	}
}

func TestAllowedProcessMatrix(t *testing.T) {
	const proc = "p1"
	member := func(role Role, party string) Actor {
		return Actor{AccountID: "acc", Members: []Membership{{ProcessID: proc, PartyID: party, Role: role}}}
	}
	tests := []struct {
		name  string
		a     Actor
		party string // the party concerned
		want  string // manage_process, manage_rounds, manage_groups, assign_groups, view_process
	}{
		{"operator", Actor{AccountID: "op", Operator: true}, "A", "MRGAV"},
		{"mediator", member(RoleMediator, "M"), "A", "-RGAV"},
		{"head of A for A", member(RoleHead, "A"), "A", "---AV"},
		{"head of A for B", member(RoleHead, "A"), "B", "----V"},
		{"delegate of A", member(RoleDelegate, "A"), "A", "----V"},
		{"observer", member(RoleObserver, "O"), "A", "----V"},
		{"outsider", Actor{AccountID: "x"}, "A", "-----"},
		{"public", Actor{}, "A", "-----"},
	}
	letters := "MRGAV"
	for _, tt := range tests {
		got := []byte("-----")
		for i, act := range ProcessActions {
			if AllowedProcess(tt.a, act, proc, tt.party) {
				got[i] = letters[i]
			}
		}
		if string(got) != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestVisibleScopes(t *testing.T) {
	head := Actor{AccountID: "h", Members: []Membership{{ProcessID: "p1", PartyID: "A", Role: RoleHead}}}
	op := Actor{AccountID: "op", Operator: true}
	tests := []struct {
		name string
		a    Actor
		sc   Scope
		want bool
	}{
		{"member sees own process structure", head, ProcessScope("p1"), true},
		{"member does not see another process", head, ProcessScope("p2"), false},
		{"operator sees process structure", op, ProcessScope("p1"), true},
		{"operator sees server events", op, Scope{}, true},
		{"member does not see server events", head, Scope{}, false},
		{"operator does not see a caucus", op, SpaceScope(Space{ID: "s", ProcessID: "p1", Kind: SpaceParty, PartyID: "A"}), false},
		{"head sees own caucus", head, SpaceScope(Space{ID: "s", ProcessID: "p1", Kind: SpaceParty, PartyID: "A"}), true},
		{"head does not see other caucus", head, SpaceScope(Space{ID: "s", ProcessID: "p1", Kind: SpaceParty, PartyID: "B"}), false},
		{"public sees public", Actor{}, SpaceScope(Space{ID: "s", ProcessID: "p1", Kind: SpacePublic}), true},
	}
	for _, tt := range tests {
		if got := Visible(tt.a, tt.sc); got != tt.want {
			t.Errorf("%s: Visible = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func ExampleAllowed() {
	delegate := Actor{AccountID: "a", Members: []Membership{{ProcessID: "p", PartyID: "A", Role: RoleDelegate}}}
	caucus := Space{ID: "s", ProcessID: "p", Kind: SpaceParty, PartyID: "A"}
	fmt.Println(Allowed(delegate, ActPost, caucus), Allowed(delegate, ActFormal, caucus))
	// Output: true false
}
