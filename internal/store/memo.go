package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/parley-talks/parley"
)

// applyMemo projects the events of memoranda. It reports false for an
// event that is not one of them.
func applyMemo(ctx context.Context, tx queryer, e parley.Event) (bool, error) {
	exec := func(q string, args ...any) error {
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("store: apply %s: %w", e.Type(), err)
		}
		return nil
	}
	// touch advances the memorandum of clause c (or memo m) to this event.
	touch := func(memo, clause string) error {
		if memo == "" {
			return exec(`UPDATE memos SET version = version + 1, seq = $2 WHERE id = (SELECT memo_id FROM clauses WHERE id = $1)`, clause, e.Seq)
		}
		return exec(`UPDATE memos SET version = version + 1, seq = $2 WHERE id = $1`, memo, e.Seq)
	}
	// reopen takes back every agreement and initial of clause c and of its
	// memorandum: what changed must be agreed again.
	reopen := func(c string) error {
		for _, q := range []string{
			`UPDATE clauses SET status = 'bracketed' WHERE id = $1`,
			`DELETE FROM clause_agreements WHERE clause_id = $1`,
			`DELETE FROM clause_initials WHERE clause_id = $1`,
			`DELETE FROM memo_initials WHERE memo_id = (SELECT memo_id FROM clauses WHERE id = $1)`,
		} {
			if err := exec(q, c); err != nil {
				return err
			}
		}
		return nil
	}
	setText := func(c string, l parley.Lang, text string) error {
		return exec(`INSERT INTO clause_texts (clause_id, lang, text, stale) VALUES ($1, $2, $3, $4)
			ON CONFLICT (clause_id, lang) DO UPDATE SET text = excluded.text, stale = excluded.stale`, c, string(l), text, false)
	}
	switch d := e.Data.(type) {
	case *parley.MemoCreated:
		return true, exec(`INSERT INTO memos (id, process_id, space_id, title, mode, languages, prevailing, draft, version, created_at, seq)
			VALUES ($1, $2, $3, $4, $5, $6, '', 0, 1, $7, $8)`,
			d.MemoID, d.ProcessID, d.SpaceID, d.Title, string(d.Mode), joinLangs(d.Languages), micros(e.At), e.Seq)
	case *parley.ClauseAdded:
		// Siblings at or after the new position move down one.
		if err := exec(`UPDATE clauses SET position = position + 1 WHERE memo_id = $1 AND parent_id = $2 AND position >= $3`,
			d.MemoID, d.ParentID, d.Position); err != nil {
			return true, err
		}
		if err := exec(`INSERT INTO clauses (id, memo_id, parent_id, kind, position, status, version, seq) VALUES ($1, $2, $3, $4, $5, 'bracketed', 1, $6)`,
			d.ClauseID, d.MemoID, d.ParentID, string(d.Kind), d.Position, e.Seq); err != nil {
			return true, err
		}
		for l, t := range d.Texts {
			if err := setText(d.ClauseID, l, t); err != nil {
				return true, err
			}
		}
		return true, touch(d.MemoID, "")
	case *parley.ClauseTextChanged:
		if err := setText(d.ClauseID, d.Lang, d.Text); err != nil {
			return true, err
		}
		for _, l := range d.Stale {
			if err := exec(`UPDATE clause_texts SET stale = $3 WHERE clause_id = $1 AND lang = $2`, d.ClauseID, string(l), true); err != nil {
				return true, err
			}
		}
		if err := exec(`DELETE FROM clause_signoffs WHERE clause_id = $1`, d.ClauseID); err != nil {
			return true, err
		}
		if d.Reopened {
			if err := reopen(d.ClauseID); err != nil {
				return true, err
			}
		} else if err := exec(`DELETE FROM clause_agreements WHERE clause_id = $1`, d.ClauseID); err != nil {
			return true, err
		}
		if err := exec(`UPDATE clauses SET version = $2, seq = $3 WHERE id = $1`, d.ClauseID, d.Version, e.Seq); err != nil {
			return true, err
		}
		return true, touch("", d.ClauseID)
	case *parley.TranslationConfirmed:
		if err := exec(`UPDATE clause_texts SET stale = $3 WHERE clause_id = $1 AND lang = $2`, d.ClauseID, string(d.Lang), false); err != nil {
			return true, err
		}
		return true, touch("", d.ClauseID)
	case *parley.LanguageSignedOff:
		if err := exec(`INSERT INTO clause_signoffs (clause_id, lang, party_id) VALUES ($1, $2, $3)`, d.ClauseID, string(d.Lang), d.Party); err != nil {
			return true, err
		}
		return true, touch("", d.ClauseID)
	case *parley.AlternativeTabled:
		if err := exec(`INSERT INTO alternatives (id, clause_id, tabled_by, kind, texts, seq) VALUES ($1, $2, $3, $4, $5, $6)`,
			d.AlternativeID, d.ClauseID, d.TabledBy, string(d.Kind), mustJSON(d.Texts), e.Seq); err != nil {
			return true, err
		}
		if d.Reopened {
			if err := reopen(d.ClauseID); err != nil {
				return true, err
			}
		} else if err := exec(`DELETE FROM clause_agreements WHERE clause_id = $1`, d.ClauseID); err != nil {
			return true, err
		}
		return true, touch("", d.ClauseID)
	case *parley.StanceTaken:
		if err := exec(`INSERT INTO stances (alternative_id, party_id, stance) VALUES ($1, $2, $3)
			ON CONFLICT (alternative_id, party_id) DO UPDATE SET stance = excluded.stance`, d.AlternativeID, d.Party, string(d.Stance)); err != nil {
			return true, err
		}
		return true, touch("", d.ClauseID)
	case *parley.AlternativeWithdrawn:
		if err := exec(`DELETE FROM stances WHERE alternative_id = $1`, d.AlternativeID); err != nil {
			return true, err
		}
		if err := exec(`DELETE FROM alternatives WHERE id = $1`, d.AlternativeID); err != nil {
			return true, err
		}
		return true, touch("", d.ClauseID)
	case *parley.AlternativeAdopted:
		// The adopted wording replaces the clause's; versions in languages
		// it lacks are out of date.
		if err := exec(`UPDATE clause_texts SET stale = $2 WHERE clause_id = $1`, d.ClauseID, true); err != nil {
			return true, err
		}
		for l, t := range d.Texts {
			if err := setText(d.ClauseID, l, t); err != nil {
				return true, err
			}
		}
		for _, q := range []string{
			`DELETE FROM stances WHERE alternative_id IN (SELECT id FROM alternatives WHERE clause_id = $1)`,
			`DELETE FROM alternatives WHERE clause_id = $1`,
			`DELETE FROM clause_agreements WHERE clause_id = $1`,
			`DELETE FROM clause_signoffs WHERE clause_id = $1`,
			`UPDATE clauses SET status = 'agreed', version = version + 1 WHERE id = $1`,
		} {
			if err := exec(q, d.ClauseID); err != nil {
				return true, err
			}
		}
		for _, p := range d.Parties {
			if err := exec(`INSERT INTO clause_agreements (clause_id, party_id) VALUES ($1, $2)`, d.ClauseID, p); err != nil {
				return true, err
			}
		}
		return true, touch("", d.ClauseID)
	case *parley.ClauseAgreed:
		if err := exec(`INSERT INTO clause_agreements (clause_id, party_id) VALUES ($1, $2)`, d.ClauseID, d.Party); err != nil {
			return true, err
		}
		if d.Complete {
			if err := exec(`UPDATE clauses SET status = 'agreed' WHERE id = $1`, d.ClauseID); err != nil {
				return true, err
			}
		}
		return true, touch("", d.ClauseID)
	case *parley.ClauseInitialled:
		if err := exec(`INSERT INTO clause_initials (clause_id, party_id) VALUES ($1, $2)`, d.ClauseID, d.Party); err != nil {
			return true, err
		}
		if d.Complete {
			if err := exec(`UPDATE clauses SET status = 'initialled' WHERE id = $1`, d.ClauseID); err != nil {
				return true, err
			}
		}
		return true, touch("", d.ClauseID)
	case *parley.MemoVersionNamed:
		if err := exec(`INSERT INTO memo_versions (id, memo_id, name, draft, snapshot, seq, at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			d.VersionID, d.MemoID, d.Name, d.Draft, mustJSON(d.Clauses), e.Seq, micros(e.At)); err != nil {
			return true, err
		}
		if d.Draft > 0 {
			if err := exec(`UPDATE memos SET draft = $2 WHERE id = $1`, d.MemoID, d.Draft); err != nil {
				return true, err
			}
		}
		return true, touch(d.MemoID, "")
	case *parley.ClauseLinked:
		if err := exec(`INSERT INTO clause_links (clause_id, proposal_id, thread_id, seq) VALUES ($1, $2, $3, $4)`,
			d.ClauseID, d.ProposalID, d.ThreadID, e.Seq); err != nil {
			return true, err
		}
		return true, touch("", d.ClauseID)
	case *parley.MemoShared:
		// The copy is made by the MemoCreated and ClauseAdded events that
		// come with it; this one records where it came from.
		return true, touch(d.ToMemo, "")
	case *parley.PrevailingSet:
		if err := exec(`UPDATE memos SET prevailing = $2 WHERE id = $1`, d.MemoID, string(d.Lang)); err != nil {
			return true, err
		}
		return true, touch(d.MemoID, "")
	case *parley.MemoInitialled:
		if err := exec(`INSERT INTO memo_initials (memo_id, party_id, seq) VALUES ($1, $2, $3)`, d.MemoID, d.Party, e.Seq); err != nil {
			return true, err
		}
		return true, touch(d.MemoID, "")
	}
	return false, nil
}

const memoSelect = `SELECT m.id, m.process_id, m.space_id, m.title, m.mode, m.languages, m.prevailing, m.draft, m.version FROM memos m`

func scanMemo(r scanner) (parley.Memorandum, error) {
	var m parley.Memorandum
	var mode, langs, prevailing string
	err := r.Scan(&m.ID, &m.ProcessID, &m.SpaceID, &m.Title, &mode, &langs, &prevailing, &m.Draft, &m.Version)
	m.Mode, m.Languages, m.Prevailing = parley.MemoMode(mode), splitLangs(langs), parley.Lang(prevailing)
	return m, err
}

func readMemo(ctx context.Context, q queryer, where string, args ...any) (parley.Memorandum, error) {
	m, err := scanMemo(q.QueryRowContext(ctx, memoSelect+` `+where, args...))
	if err := one(err, "memorandum"); err != nil {
		return m, err
	}
	rows, err := q.QueryContext(ctx, `SELECT party_id FROM memo_initials WHERE memo_id = $1 ORDER BY party_id`, m.ID)
	if err != nil {
		return m, fmt.Errorf("store: memo initials: %w", err)
	}
	m.Initialled, err = collect(rows, scanString)
	return m, err
}

func scanString(r scanner) (string, error) {
	var s string
	return s, r.Scan(&s)
}

// MemoSetting loads memorandum id with its space and the process's
// negotiating parties, for a decision.
func (tx *Tx) MemoSetting(id string) (parley.MemoSetting, error) {
	var set parley.MemoSetting
	var err error
	if set.Memo, err = readMemo(tx.ctx, tx.tx, `WHERE m.id = $1`, id); err != nil {
		return set, err
	}
	if set.Space, err = tx.Space(set.Memo.SpaceID); err != nil {
		return set, err
	}
	rows, err := tx.tx.QueryContext(tx.ctx, `SELECT id FROM parties WHERE process_id = $1 AND kind = 'party' ORDER BY position`, set.Memo.ProcessID)
	if err != nil {
		return set, fmt.Errorf("store: parties: %w", err)
	}
	set.Parties, err = collect(rows, scanString)
	return set, err
}

// Clause loads a clause with its texts, marks, alternatives and stances.
func (tx *Tx) Clause(id string) (parley.Clause, error) {
	var memo string
	err := tx.tx.QueryRowContext(tx.ctx, `SELECT memo_id FROM clauses WHERE id = $1`, id).Scan(&memo)
	if err := one(err, "clause"); err != nil {
		return parley.Clause{}, err
	}
	cs, err := readClauses(tx.ctx, tx.tx, memo, id)
	if err != nil {
		return parley.Clause{}, err
	}
	return cs[0], nil
}

// ClauseOfAlternative returns the clause an alternative belongs to.
func (tx *Tx) ClauseOfAlternative(alt string) (parley.Clause, error) {
	var clause string
	err := tx.tx.QueryRowContext(tx.ctx, `SELECT clause_id FROM alternatives WHERE id = $1`, alt).Scan(&clause)
	if err := one(err, "alternative"); err != nil {
		return parley.Clause{}, err
	}
	return tx.Clause(clause)
}

// Clauses loads every item of a memorandum, for a decision about the whole.
func (tx *Tx) Clauses(memo string) ([]parley.Clause, error) {
	return readClauses(tx.ctx, tx.tx, memo, "")
}

// readClauses reads the items of memo (or the one item only), numbered.
func readClauses(ctx context.Context, q queryer, memo, only string) ([]parley.Clause, error) {
	// One item only (for a decision) reads that item's rows alone: a
	// command on a long memorandum must not read all of it. Its Number is
	// then left empty.
	scope, arg := "c.memo_id = $1", memo
	if only != "" {
		scope, arg = "c.id = $1", only
	}
	rows, err := q.QueryContext(ctx, `SELECT c.id, c.memo_id, c.parent_id, c.kind, c.position, c.status, c.version FROM clauses c WHERE `+scope+` ORDER BY c.position, c.id`, arg)
	if err != nil {
		return nil, fmt.Errorf("store: clauses: %w", err)
	}
	all, err := collect(rows, func(r scanner) (parley.Clause, error) {
		var c parley.Clause
		var kind, status string
		err := r.Scan(&c.ID, &c.MemoID, &c.ParentID, &kind, &c.Position, &status, &c.Version)
		c.Kind, c.Status = parley.ClauseKind(kind), parley.ClauseStatus(status)
		c.Texts, c.SignedOff = parley.Texts{}, map[parley.Lang][]string{}
		return c, err
	})
	if err != nil {
		return nil, err
	}
	numbers := map[string]string{}
	if only == "" {
		numbers = parley.Numbers(all)
	}
	byID := map[string]*parley.Clause{}
	var out []parley.Clause
	for i := range all {
		all[i].Number = numbers[all[i].ID]
	}
	// Document order: by number.
	sortByNumber(all)
	for i := range all {
		if only == "" || all[i].ID == only {
			out = append(out, all[i])
		}
	}
	for i := range out {
		byID[out[i].ID] = &out[i]
	}
	type row struct {
		clause, lang, text string
		stale              bool
	}
	texts, err := q.QueryContext(ctx, `SELECT t.clause_id, t.lang, t.text, t.stale FROM clause_texts t JOIN clauses c ON c.id = t.clause_id WHERE `+scope, arg)
	if err != nil {
		return nil, fmt.Errorf("store: clause texts: %w", err)
	}
	ts, err := collect(texts, func(r scanner) (row, error) {
		var x row
		return x, r.Scan(&x.clause, &x.lang, &x.text, &x.stale)
	})
	if err != nil {
		return nil, err
	}
	for _, x := range ts {
		if c := byID[x.clause]; c != nil {
			c.Texts[parley.Lang(x.lang)] = x.text
			if x.stale {
				c.Stale = append(c.Stale, parley.Lang(x.lang))
			}
		}
	}
	// marks reads rows of (clause, a, b) and hands each to add.
	marks := func(query string, add func(c *parley.Clause, a, b string)) error {
		rows, err := q.QueryContext(ctx, query, arg)
		if err != nil {
			return fmt.Errorf("store: clause marks: %w", err)
		}
		xs, err := collect(rows, func(r scanner) ([3]string, error) {
			var x [3]string
			return x, r.Scan(&x[0], &x[1], &x[2])
		})
		if err != nil {
			return err
		}
		for _, x := range xs {
			if c := byID[x[0]]; c != nil {
				add(c, x[1], x[2])
			}
		}
		return nil
	}
	if err := marks(`SELECT s.clause_id, s.lang, s.party_id FROM clause_signoffs s JOIN clauses c ON c.id = s.clause_id WHERE `+scope+` ORDER BY s.party_id`,
		func(c *parley.Clause, lang, party string) {
			c.SignedOff[parley.Lang(lang)] = append(c.SignedOff[parley.Lang(lang)], party)
		}); err != nil {
		return nil, err
	}
	if err := marks(`SELECT a.clause_id, a.party_id, '' FROM clause_agreements a JOIN clauses c ON c.id = a.clause_id WHERE `+scope+` ORDER BY a.party_id`,
		func(c *parley.Clause, party, _ string) { c.Agreed = append(c.Agreed, party) }); err != nil {
		return nil, err
	}
	if err := marks(`SELECT i.clause_id, i.party_id, '' FROM clause_initials i JOIN clauses c ON c.id = i.clause_id WHERE `+scope+` ORDER BY i.party_id`,
		func(c *parley.Clause, party, _ string) { c.Initialled = append(c.Initialled, party) }); err != nil {
		return nil, err
	}
	alts, err := q.QueryContext(ctx, `SELECT a.id, a.clause_id, a.tabled_by, a.kind, a.texts FROM alternatives a JOIN clauses c ON c.id = a.clause_id
		WHERE `+scope+` ORDER BY a.seq, a.id`, arg)
	if err != nil {
		return nil, fmt.Errorf("store: alternatives: %w", err)
	}
	as, err := collect(alts, func(r scanner) (parley.Alternative, error) {
		var a parley.Alternative
		var kind, texts string
		if err := r.Scan(&a.ID, &a.ClauseID, &a.TabledBy, &kind, &texts); err != nil {
			return a, err
		}
		a.Kind, a.Stances = parley.BracketKind(kind), map[string]parley.Stance{}
		return a, json.Unmarshal([]byte(texts), &a.Texts)
	})
	if err != nil {
		return nil, err
	}
	altIdx := map[string]*parley.Alternative{}
	for _, a := range as {
		if c := byID[a.ClauseID]; c != nil {
			c.Alternatives = append(c.Alternatives, a)
		}
	}
	for i := range out {
		for j := range out[i].Alternatives {
			altIdx[out[i].Alternatives[j].ID] = &out[i].Alternatives[j]
		}
	}
	st, err := q.QueryContext(ctx, `SELECT s.alternative_id, s.party_id, s.stance FROM stances s JOIN alternatives a ON a.id = s.alternative_id
		JOIN clauses c ON c.id = a.clause_id WHERE `+scope, arg)
	if err != nil {
		return nil, fmt.Errorf("store: stances: %w", err)
	}
	ss, err := collect(st, func(r scanner) ([3]string, error) {
		var x [3]string
		return x, r.Scan(&x[0], &x[1], &x[2])
	})
	if err != nil {
		return nil, err
	}
	for _, x := range ss {
		if a := altIdx[x[0]]; a != nil {
			a.Stances[x[1]] = parley.Stance(x[2])
		}
	}
	// Links carry the titles of what they point to: proposals and threads
	// of the memorandum's own space, which its readers may read.
	if err := marks(`SELECT l.clause_id, l.proposal_id || '|' || l.thread_id, COALESCE(p.title, t.title, '')
		FROM clause_links l JOIN clauses c ON c.id = l.clause_id
		LEFT JOIN proposals p ON p.id = l.proposal_id LEFT JOIN threads t ON t.id = l.thread_id
		WHERE `+scope+` ORDER BY l.seq`,
		func(c *parley.Clause, ids, title string) { // ids: "proposal|thread", identifiers hold no "|"
			pid, tid, _ := strings.Cut(ids, "|")
			c.Links = append(c.Links, parley.ClauseLink{ProposalID: pid, ThreadID: tid, Title: title})
		}); err != nil {
		return nil, err
	}
	return out, nil
}

// sortByNumber puts items in document order: 1, 1.1, 1.2, 2, … Each
// number is parsed once; the sort is O(n log n), so a long memorandum reads
// fast.
func sortByNumber(cs []parley.Clause) {
	key := func(n string) []int {
		out := make([]int, 0, 2)
		v := 0
		for i := 0; i <= len(n); i++ {
			if i == len(n) || n[i] == '.' {
				out = append(out, v)
				v = 0
				continue
			}
			v = v*10 + int(n[i]-'0')
		}
		return out
	}
	// The keys are sorted with the items' places, not the items: a
	// clause is a large struct, and moving it is what a sort costs most.
	type keyed struct {
		key []int
		i   int
	}
	ks := make([]keyed, len(cs))
	for i, c := range cs {
		ks[i] = keyed{key(c.Number), i}
	}
	slices.SortStableFunc(ks, func(a, b keyed) int { return slices.Compare(a.key, b.key) })
	sorted := make([]parley.Clause, len(cs))
	for i, k := range ks {
		sorted[i] = cs[k.i]
	}
	copy(cs, sorted)
}

// Memo returns memorandum id if a may read its space.
func (db *DB) Memo(ctx context.Context, a parley.Actor, id string) (parley.Memorandum, []parley.Clause, error) {
	q := args{id}
	m, err := readMemo(ctx, db.sql, `JOIN spaces s ON s.id = m.space_id WHERE m.id = $1 AND `+canRead(spaceCols, a, &q), q...)
	if err != nil {
		return m, nil, err
	}
	cs, err := readClauses(ctx, db.sql, id, "")
	return m, cs, err
}

// Memos returns the memoranda of process that a may read.
func (db *DB) Memos(ctx context.Context, a parley.Actor, process string) ([]parley.Memorandum, error) {
	q := args{process}
	rows, err := db.sql.QueryContext(ctx, memoSelect+` JOIN spaces s ON s.id = m.space_id WHERE m.process_id = $1 AND `+
		canRead(spaceCols, a, &q)+` ORDER BY m.created_at, m.id`, q...)
	if err != nil {
		return nil, fmt.Errorf("store: list memoranda: %w", err)
	}
	return collect(rows, scanMemo)
}
