package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/parley-talks/parley"
)

// Tx is the writer's transaction as a Decide function sees it: it reads the
// state a command needs. Reads here are not filtered by visibility; the
// decide functions apply the policy themselves.
type Tx struct {
	ctx  context.Context
	tx   *writeTx
	db   *DB
	tree *treeBatch // the writer's tree hashes of this batch
	// spaces caches the spaces read in this batch: nothing edits a space
	// once opened, and the cache is emptied whenever a command is rolled
	// back, lest it keep a space that command opened.
	spaces map[string]parley.Space
}

// Context returns the context of the command being decided.
func (tx *Tx) Context() context.Context { return tx.ctx }

func one(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return notFound(what)
	}
	if err != nil {
		return fmt.Errorf("store: read %s: %w", what, err)
	}
	return nil
}

func readProcess(ctx context.Context, q queryer, id string) (parley.Process, error) {
	var p parley.Process
	var langs string
	var created int64
	err := q.QueryRowContext(ctx, `SELECT id, title, description, languages, created_at, version FROM processes WHERE id = $1`, id).
		Scan(&p.ID, &p.Title, &p.Description, &langs, &created, &p.Version)
	p.Languages, p.CreatedAt = splitLangs(langs), fromMicros(created)
	return p, one(err, "process")
}

// Process loads a process.
func (tx *Tx) Process(id string) (parley.Process, error) { return readProcess(tx.ctx, tx.tx, id) }

// Process returns process id if a may see it.
func (db *DB) Process(ctx context.Context, a parley.Actor, id string) (parley.Process, error) {
	if !parley.AllowedProcess(a, parley.ViewProcess, id, "") {
		return parley.Process{}, notFound("process")
	}
	return readProcess(ctx, db.sql, id)
}

// Processes returns the processes a may see, newest first.
func (db *DB) Processes(ctx context.Context, a parley.Actor) ([]parley.Process, error) {
	var q args
	where := "1 = 1"
	if !a.Operator {
		ids := []string{}
		for _, m := range a.Members {
			ids = append(ids, q.add(m.ProcessID))
		}
		where = "1 = 0"
		if len(ids) > 0 {
			where = "id IN (" + join(ids) + ")"
		}
	}
	rows, err := db.sql.QueryContext(ctx, `SELECT id, title, description, languages, created_at, version FROM processes WHERE `+where+` ORDER BY created_at DESC, id`, q...)
	if err != nil {
		return nil, fmt.Errorf("store: list processes: %w", err)
	}
	return collect(rows, func(r scanner) (parley.Process, error) {
		var p parley.Process
		var langs string
		var created int64
		err := r.Scan(&p.ID, &p.Title, &p.Description, &langs, &created, &p.Version)
		p.Languages, p.CreatedAt = splitLangs(langs), fromMicros(created)
		return p, err
	})
}

const partyCols = `id, process_id, kind, names`

func scanParty(r scanner) (parley.Party, error) {
	var p parley.Party
	var kind, names string
	err := r.Scan(&p.ID, &p.ProcessID, &kind, &names)
	p.Kind, p.Names = parley.PartyKind(kind), parseNames(names)
	return p, err
}

// Party loads a party.
func (tx *Tx) Party(id string) (parley.Party, error) {
	p, err := scanParty(tx.tx.QueryRowContext(tx.ctx, `SELECT `+partyCols+` FROM parties WHERE id = $1`, id))
	return p, one(err, "party")
}

// Parties returns the parties of process, in the order they were added.
func (db *DB) Parties(ctx context.Context, a parley.Actor, process string) ([]parley.Party, error) {
	if !parley.AllowedProcess(a, parley.ViewProcess, process, "") {
		return nil, notFound("process")
	}
	rows, err := db.sql.QueryContext(ctx, `SELECT `+partyCols+` FROM parties WHERE process_id = $1 ORDER BY position`, process)
	if err != nil {
		return nil, fmt.Errorf("store: list parties: %w", err)
	}
	return collect(rows, scanParty)
}

const memberCols = `m.id, m.process_id, m.account_id, m.party_id, m.role, a.display_name`

func scanMember(r scanner) (parley.Member, error) {
	var m parley.Member
	var role string
	err := r.Scan(&m.ID, &m.ProcessID, &m.AccountID, &m.PartyID, &role, &m.Name)
	m.Role = parley.Role(role)
	return m, err
}

func readMembers(ctx context.Context, q queryer, where string, arg any) ([]parley.Member, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+memberCols+` FROM members m JOIN accounts a ON a.id = m.account_id WHERE `+where+` ORDER BY m.created_at, m.id`, arg)
	if err != nil {
		return nil, fmt.Errorf("store: list members: %w", err)
	}
	ms, err := collect(rows, scanMember)
	if err != nil {
		return nil, err
	}
	for i := range ms {
		if ms[i].Groups, err = memberGroups(ctx, q, ms[i].ID); err != nil {
			return nil, err
		}
		if ms[i].Authorised, err = memberAuthorised(ctx, q, ms[i].ID); err != nil {
			return nil, err
		}
	}
	return ms, nil
}

func memberGroups(ctx context.Context, q queryer, member string) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT gm.group_id FROM group_members gm JOIN working_groups g ON g.id = gm.group_id WHERE gm.member_id = $1 ORDER BY g.position`, member)
	if err != nil {
		return nil, fmt.Errorf("store: member groups: %w", err)
	}
	return collect(rows, func(r scanner) (string, error) {
		var s string
		return s, r.Scan(&s)
	})
}

func memberAuthorised(ctx context.Context, q queryer, member string) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT group_id FROM authorisations WHERE member_id = $1 ORDER BY group_id`, member)
	if err != nil {
		return nil, fmt.Errorf("store: member authorisations: %w", err)
	}
	return collect(rows, func(r scanner) (string, error) {
		var s string
		return s, r.Scan(&s)
	})
}

// Members loads every member of process.
func (tx *Tx) Members(process string) ([]parley.Member, error) {
	return readMembers(tx.ctx, tx.tx, "m.process_id = $1", process)
}

// Member loads one member.
func (tx *Tx) Member(id string) (parley.Member, error) {
	ms, err := readMembers(tx.ctx, tx.tx, "m.id = $1", id)
	if err == nil && len(ms) == 0 {
		err = notFound("member")
	}
	if err != nil {
		return parley.Member{}, err
	}
	return ms[0], nil
}

// Members returns the members of process with their working groups.
func (db *DB) Members(ctx context.Context, a parley.Actor, process string) ([]parley.Member, error) {
	if !parley.AllowedProcess(a, parley.ViewProcess, process, "") {
		return nil, notFound("process")
	}
	return readMembers(ctx, db.sql, "m.process_id = $1", process)
}

const roundCols = `id, process_id, title, location, starts_on, ends_on`

func scanRound(r scanner) (parley.Round, error) {
	var x parley.Round
	return x, r.Scan(&x.ID, &x.ProcessID, &x.Title, &x.Location, &x.StartsOn, &x.EndsOn)
}

// Round loads a round.
func (tx *Tx) Round(id string) (parley.Round, error) {
	r, err := scanRound(tx.tx.QueryRowContext(tx.ctx, `SELECT `+roundCols+` FROM rounds WHERE id = $1`, id))
	return r, one(err, "round")
}

// Rounds returns the rounds of process by date.
func (db *DB) Rounds(ctx context.Context, a parley.Actor, process string) ([]parley.Round, error) {
	if !parley.AllowedProcess(a, parley.ViewProcess, process, "") {
		return nil, notFound("process")
	}
	rows, err := db.sql.QueryContext(ctx, `SELECT `+roundCols+` FROM rounds WHERE process_id = $1 ORDER BY starts_on, id`, process)
	if err != nil {
		return nil, fmt.Errorf("store: list rounds: %w", err)
	}
	return collect(rows, scanRound)
}

const groupCols = `g.id, g.process_id, g.kind, g.names, COALESCE((SELECT s.id FROM spaces s WHERE s.group_id = g.id), '')`

func scanGroup(r scanner) (parley.WorkingGroup, error) {
	var g parley.WorkingGroup
	var kind, names string
	err := r.Scan(&g.ID, &g.ProcessID, &kind, &names, &g.SpaceID)
	g.Kind, g.Names = parley.GroupKind(kind), parseNames(names)
	return g, err
}

// Group loads a working group.
func (tx *Tx) Group(id string) (parley.WorkingGroup, error) {
	g, err := scanGroup(tx.tx.QueryRowContext(tx.ctx, `SELECT `+groupCols+` FROM working_groups g WHERE g.id = $1`, id))
	return g, one(err, "working group")
}

// Group returns working group id if a may see its process.
func (db *DB) Group(ctx context.Context, a parley.Actor, id string) (parley.WorkingGroup, error) {
	g, err := scanGroup(db.sql.QueryRowContext(ctx, `SELECT `+groupCols+` FROM working_groups g WHERE g.id = $1`, id))
	if err := one(err, "working group"); err != nil {
		return g, err
	}
	if !parley.AllowedProcess(a, parley.ViewProcess, g.ProcessID, "") {
		return parley.WorkingGroup{}, notFound("working group")
	}
	return g, nil
}

// Groups returns the working groups of process.
func (db *DB) Groups(ctx context.Context, a parley.Actor, process string) ([]parley.WorkingGroup, error) {
	if !parley.AllowedProcess(a, parley.ViewProcess, process, "") {
		return nil, notFound("process")
	}
	rows, err := db.sql.QueryContext(ctx, `SELECT `+groupCols+` FROM working_groups g WHERE g.process_id = $1 ORDER BY g.position`, process)
	if err != nil {
		return nil, fmt.Errorf("store: list groups: %w", err)
	}
	return collect(rows, scanGroup)
}

const spaceSelect = `SELECT s.id, s.process_id, s.kind, s.party_id, s.group_id, s.with_mediator FROM spaces s`

func scanSpace(r scanner) (parley.Space, error) {
	var s parley.Space
	var kind string
	err := r.Scan(&s.ID, &s.ProcessID, &kind, &s.PartyID, &s.GroupID, &s.WithMediator)
	s.Kind = parley.SpaceKind(kind)
	return s, err
}

// Space loads a space.
func (tx *Tx) Space(id string) (parley.Space, error) {
	if s, ok := tx.spaces[id]; ok {
		return s, nil
	}
	s, err := scanSpace(tx.tx.QueryRowContext(tx.ctx, spaceSelect+` WHERE s.id = $1`, id))
	if err := one(err, "space"); err != nil {
		return s, err
	}
	if tx.spaces == nil {
		tx.spaces = map[string]parley.Space{}
	}
	tx.spaces[id] = s
	return s, nil
}

// Space returns space id if a may read it. A space a may not read is "not
// found": its existence is nobody else's business.
func (db *DB) Space(ctx context.Context, a parley.Actor, id string) (parley.Space, error) {
	q := args{id}
	s, err := scanSpace(db.sql.QueryRowContext(ctx, spaceSelect+` WHERE s.id = $1 AND `+canRead(spaceCols, a, &q), q...))
	return s, one(err, "space")
}

// Spaces returns the spaces of process that a may read.
func (db *DB) Spaces(ctx context.Context, a parley.Actor, process string) ([]parley.Space, error) {
	q := args{process}
	rows, err := db.sql.QueryContext(ctx, spaceSelect+` WHERE s.process_id = $1 AND `+canRead(spaceCols, a, &q)+` ORDER BY s.kind, s.id`, q...)
	if err != nil {
		return nil, fmt.Errorf("store: list spaces: %w", err)
	}
	return collect(rows, scanSpace)
}

// collect scans every row with scan and closes rows.
// scanner is a row, or rows positioned on one.
type scanner interface{ Scan(...any) error }

func collect[T any](rows *sql.Rows, scan func(scanner) (T, error)) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("store: scan: %w", err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: rows: %w", err)
	}
	return out, nil
}

func join(ph []string) string { return strings.Join(ph, ", ") }

// Account loads an account, to check that a command names one that exists.
func (tx *Tx) Account(id string) (parley.Account, error) {
	a, err := scanAccount(tx.tx.QueryRowContext(tx.ctx, `SELECT `+accountCols+` FROM accounts WHERE id = $1`, id))
	return a, one(err, "account")
}
