package store

import (
	"fmt"
	"strings"

	"github.com/parley-talks/parley"
)

// This file mirrors parley.Allowed(a, ActRead, space) in SQL, so that reads
// filter in the database rather than loading everything and filtering in Go.
// The conformance suite checks, for every role and kind of space, that both
// agree.

// cols names the columns that describe a space in some table.
type cols struct {
	process, kind, party, group, withMediator string
}

var spaceCols = cols{"s.process_id", "s.kind", "s.party_id", "s.group_id", "s.with_mediator"}
var entryCols = cols{"e.process_id", "e.space_kind", "e.party_id", "e.group_id", "e.with_mediator"}

// args accumulates query arguments and hands out their placeholders.
type args []any

func (a *args) add(v any) string {
	*a = append(*a, v)
	return fmt.Sprintf("$%d", len(*a))
}

// canRead returns an SQL condition true for the spaces actor may read.
func canRead(c cols, a parley.Actor, q *args) string {
	var or []string
	or = append(or, c.kind+" = 'public'")
	for _, m := range a.Members {
		p := q.add(m.ProcessID)
		var cond string
		switch m.Role {
		case parley.RoleHead:
			cond = fmt.Sprintf("(%s = 'party' AND %s = %s) OR %s = 'heads' OR %s = 'group'",
				c.kind, c.party, q.add(m.PartyID), c.kind, c.kind)
		case parley.RoleDelegate:
			cond = fmt.Sprintf("(%s = 'party' AND %s = %s) OR (%s = 'group' AND %s)",
				c.kind, c.party, q.add(m.PartyID), c.kind, inGroups(c.group, m.Groups, q))
		case parley.RoleMediator:
			cond = fmt.Sprintf("(%s = 'heads' AND %s) OR %s = 'group'", c.kind, c.withMediator, c.kind)
		case parley.RoleObserver:
			cond = fmt.Sprintf("%s = 'group' AND %s", c.kind, inGroups(c.group, m.Groups, q))
		default:
			continue
		}
		or = append(or, fmt.Sprintf("(%s = %s AND (%s))", c.process, p, cond))
	}
	return "(" + strings.Join(or, " OR ") + ")"
}

// inGroups returns a condition true when column is one of groups.
func inGroups(column string, groups []string, q *args) string {
	if len(groups) == 0 {
		return "1 = 0"
	}
	ph := make([]string, len(groups))
	for i, g := range groups {
		ph[i] = q.add(g)
	}
	return column + " IN (" + strings.Join(ph, ", ") + ")"
}

// canSeeEntry returns an SQL condition on entries e true for the entries
// actor may see (parley.Visible).
func canSeeEntry(a parley.Actor, q *args) string {
	var or []string
	if a.Operator {
		// Operators see server-wide entries and the structure of every
		// process, never the content of its spaces.
		or = append(or, "e.space_id = ''")
	}
	var procs []string
	for _, m := range a.Members {
		procs = append(procs, q.add(m.ProcessID))
	}
	if len(procs) > 0 {
		or = append(or, fmt.Sprintf("(e.space_id = '' AND e.process_id IN (%s))", strings.Join(procs, ", ")))
	}
	or = append(or, "(e.space_id <> '' AND "+canRead(entryCols, a, q)+")")
	return "(" + strings.Join(or, " OR ") + ")"
}
