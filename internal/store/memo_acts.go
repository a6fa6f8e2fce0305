package store

import (
	"context"
	"fmt"
	"time"

	"github.com/parley-talks/parley"
)

// MemoAct is a formal act on a memorandum, with its record entry: an
// agreement ad referendum, initials, an adopted alternative.
type MemoAct struct {
	Seq      int64     `json:"seq"`
	Type     string    `json:"type"`
	Actor    string    `json:"actor"` // display name
	Party    string    `json:"party,omitempty"`
	ClauseID string    `json:"clause_id,omitempty"` // "" for the memorandum as a whole
	At       time.Time `json:"at"`
}

// MemoActs returns the formal acts on memorandum id that a may see, in
// record order.
func (db *DB) MemoActs(ctx context.Context, a parley.Actor, id string) ([]MemoAct, error) {
	// The memorandum and its clauses' identifiers only: the page that
	// shows the acts has read the texts already.
	q := args{id}
	m, err := readMemo(ctx, db.sql, `JOIN spaces s ON s.id = m.space_id WHERE m.id = $1 AND `+canRead(spaceCols, a, &q), q...)
	if err != nil {
		return nil, err
	}
	rows, err := db.sql.QueryContext(ctx, `SELECT id FROM clauses WHERE memo_id = $1`, m.ID)
	if err != nil {
		return nil, fmt.Errorf("store: clauses of a memorandum: %w", err)
	}
	ids, err := collect(rows, scanString)
	if err != nil {
		return nil, err
	}
	clauses := map[string]bool{}
	for _, c := range ids {
		clauses[c] = true
	}
	q = args{m.SpaceID}
	rows, err = db.sql.QueryContext(ctx, `SELECT e.entry, e.space_kind, e.party_id, e.group_id, e.with_mediator, COALESCE(ac.display_name, e.actor)
		FROM entries e LEFT JOIN accounts ac ON ac.id = e.actor
		WHERE e.space_id = $1 AND e.type IN ('memo.alternative_adopted', 'memo.clause_agreed', 'memo.clause_initialled', 'memo.initialled')
		AND `+canSeeEntry(a, &q)+` ORDER BY e.seq`, q...)
	if err != nil {
		return nil, fmt.Errorf("store: memorandum acts: %w", err)
	}
	type row struct {
		e    parley.Event
		name string
	}
	all, err := collect(rows, func(r scanner) (row, error) {
		var x row
		var name string
		ev, err := db.scanEvent(scanWith{r, &name})
		x.e, x.name = ev, name
		return x, err
	})
	if err != nil {
		return nil, err
	}
	var out []MemoAct
	for _, x := range all {
		act := MemoAct{Seq: x.e.Seq, Type: x.e.Type(), Actor: x.name, At: x.e.At}
		switch d := x.e.Data.(type) {
		case *parley.AlternativeAdopted:
			act.ClauseID = d.ClauseID
		case *parley.ClauseAgreed:
			act.ClauseID, act.Party = d.ClauseID, d.Party
		case *parley.ClauseInitialled:
			act.ClauseID, act.Party = d.ClauseID, d.Party
		case *parley.MemoInitialled:
			if d.MemoID != id {
				continue
			}
			act.Party = d.Party
		}
		if act.ClauseID != "" && !clauses[act.ClauseID] {
			continue
		}
		out = append(out, act)
	}
	return out, nil
}

// scanWith scans an event's columns and then one more.
type scanWith struct {
	r     scanner
	extra *string
}

func (s scanWith) Scan(dest ...any) error { return s.r.Scan(append(dest, s.extra)...) }
