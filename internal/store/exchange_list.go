package store

import (
	"context"
	"fmt"
	"time"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/record"
)

// The personal data of a list lives only in the record entries that
// imported its people, which the store keeps sealed. The tables name those
// entries and what is not personal (list, category), so the tables can be
// compared with a replay of the record like any other, and a rotation of
// the data key touches nothing but the entries.

// applyExchangeList applies the events of lists, reporting whether e was
// one.
func applyExchangeList(ctx context.Context, tx queryer, e parley.Event) (bool, error) {
	exec := func(q string, args ...any) error {
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("store: apply %s: %w", e.Type(), err)
		}
		return nil
	}
	switch d := e.Data.(type) {
	case *parley.PersonsImported:
		for i, p := range d.Persons {
			if err := exec(`INSERT INTO exchange_persons (id, exchange_id, party_id, list, category, entry_seq, position)
				VALUES ($1, $2, $3, $4, $5, $6, $7)`, p.ID, d.ExchangeID, d.PartyID, string(d.List), p.Category, e.Seq, i); err != nil {
				return true, err
			}
		}
		return true, exec(`INSERT INTO exchange_imports (seq, exchange_id, party_id, list, format, sha256, row_count, imported, left_out, actor, at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			e.Seq, d.ExchangeID, d.PartyID, string(d.List), d.Format, d.SHA256, d.Rows, len(d.Persons), len(d.Left), e.Actor, micros(e.At))
	case *parley.ListsReconciled:
		for _, id := range d.Dropped {
			if err := exec(`DELETE FROM exchange_pairs WHERE id = $1`, id); err != nil {
				return true, err
			}
		}
		if err := exec(`DELETE FROM exchange_unknown WHERE exchange_id = $1 AND asking_party = $2`, d.ExchangeID, d.AskingParty); err != nil {
			return true, err
		}
		for i, p := range d.Pairs {
			if err := exec(`INSERT INTO exchange_pairs (id, exchange_id, asking_party, holding_party, asked_id, held_id, kind, score, entry_seq, position)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
				p.ID, d.ExchangeID, d.AskingParty, d.HoldingParty, p.AskedID, p.HeldID, string(p.Kind), p.Score, e.Seq, i); err != nil {
				return true, err
			}
		}
		for _, id := range d.Unknown {
			if err := exec(`INSERT INTO exchange_unknown (exchange_id, asking_party, person_id, entry_seq) VALUES ($1, $2, $3, $4)`,
				d.ExchangeID, d.AskingParty, id, e.Seq); err != nil {
				return true, err
			}
		}
		return true, nil
	case *parley.PairAnswered:
		return true, exec(`INSERT INTO pair_answers (pair_id, party_id, confirmed, entry_seq) VALUES ($1, $2, $3, $4)`,
			d.PairID, d.PartyID, d.Confirmed, e.Seq)
	case *parley.PersonalDataAccessed:
		return true, exec(`INSERT INTO personal_access (seq, at, actor, process_id, group_id, exchange_id, party_id, list, access, format, count)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			e.Seq, micros(e.At), e.Actor, d.ProcessID, d.GroupID, d.ExchangeID, d.PartyID, string(d.List), string(d.Access), d.Format, d.Count)
	}
	return false, nil
}

// ListSetting returns what deciding on a's side's list of exchange id
// needs. The references come from the sealed entries, opened here.
func (tx *Tx) ListSetting(a parley.Actor, id string, list parley.ListKind) (parley.ListSetting, error) {
	set := parley.ListSetting{Refs: map[string]bool{}}
	var err error
	if set.Exchange, err = tx.ExchangeSetting(id); err != nil {
		return set, err
	}
	party := parley.ListSide(a, set.Exchange.Exchange, set.Exchange.Space)
	if party == "" {
		return set, nil
	}
	rows, err := tx.tx.QueryContext(tx.ctx, `SELECT e.entry FROM entries e
		WHERE e.seq IN (SELECT entry_seq FROM exchange_persons WHERE exchange_id = $1 AND party_id = $2 AND list = $3) ORDER BY e.seq`,
		id, party, string(list))
	if err != nil {
		return set, fmt.Errorf("store: list: %w", err)
	}
	imports, err := collect(rows, tx.db.scanImport)
	if err != nil {
		return set, err
	}
	for _, imp := range imports {
		for _, p := range imp.Persons {
			set.Refs[p.Ref] = true
			set.Size++
		}
	}
	return set, nil
}

// scanImport reads a PersonsImported entry, opening it.
func (db *DB) scanImport(r scanner) (*parley.PersonsImported, error) {
	var b []byte
	if err := r.Scan(&b); err != nil {
		return nil, err
	}
	b, err := db.openEntry(b)
	if err != nil {
		return nil, err
	}
	ent, err := record.Unmarshal(b)
	if err != nil {
		return nil, err
	}
	d, err := parley.UnmarshalEventData(ent.Type, ent.Data)
	if err != nil {
		return nil, err
	}
	imp, ok := d.(*parley.PersonsImported)
	if !ok {
		return nil, fmt.Errorf("store: entry %d is a %s, not an import", ent.Seq, ent.Type)
	}
	return imp, nil
}

// ListPersons returns party's list of exchange id, as a may read it, in
// the order imported. It reads the personal data from the sealed record
// entries; the caller records the access (parley.LogAccess) before it
// shows them.
func (db *DB) ListPersons(ctx context.Context, a parley.Actor, id, party string, list parley.ListKind) ([]parley.ListedPerson, error) {
	q := args{id, party, string(list)}
	rows, err := db.sql.QueryContext(ctx, `SELECT e.entry FROM entries e
		WHERE e.seq IN (SELECT entry_seq FROM exchange_persons WHERE exchange_id = $1 AND party_id = $2 AND list = $3)
		AND `+canSeeEntry(a, &q)+` ORDER BY e.seq`, q...)
	if err != nil {
		return nil, fmt.Errorf("store: list: %w", err)
	}
	imports, err := collect(rows, db.scanImport)
	if err != nil {
		return nil, err
	}
	keep, err := db.listIDs(ctx, id, party, list)
	if err != nil {
		return nil, err
	}
	var out []parley.ListedPerson
	for _, imp := range imports {
		for _, p := range imp.Persons {
			if keep[p.ID] {
				out = append(out, p)
			}
		}
	}
	return out, nil
}

func (db *DB) listIDs(ctx context.Context, id, party string, list parley.ListKind) (map[string]bool, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT id FROM exchange_persons WHERE exchange_id = $1 AND party_id = $2 AND list = $3`, id, party, string(list))
	if err != nil {
		return nil, fmt.Errorf("store: list: %w", err)
	}
	ids, err := collect(rows, scanString)
	if err != nil {
		return nil, err
	}
	m := make(map[string]bool, len(ids))
	for _, x := range ids {
		m[x] = true
	}
	return m, nil
}

// ListCount is how many people are in one list of one side, by category.
type ListCount struct {
	PartyID  string
	List     parley.ListKind
	Category string
	Count    int
}

// ListCounts returns the sizes of the lists of exchange id, by side, list
// and category, if a may read the exchange. Numbers are not personal data.
func (db *DB) ListCounts(ctx context.Context, a parley.Actor, id string) ([]ListCount, error) {
	if _, err := db.Exchange(ctx, a, id); err != nil {
		return nil, err
	}
	rows, err := db.sql.QueryContext(ctx, `SELECT party_id, list, category, COUNT(*) FROM exchange_persons
		WHERE exchange_id = $1 GROUP BY party_id, list, category ORDER BY party_id, list, category`, id)
	if err != nil {
		return nil, fmt.Errorf("store: list counts: %w", err)
	}
	return collect(rows, func(r scanner) (ListCount, error) {
		var c ListCount
		var list string
		err := r.Scan(&c.PartyID, &list, &c.Category, &c.Count)
		c.List = parley.ListKind(list)
		return c, err
	})
}

// ListImport is one import into a list, as its report shows it later.
type ListImport struct {
	Seq      int64
	PartyID  string
	List     parley.ListKind
	Format   string
	SHA256   string
	Rows     int
	Imported int
	LeftOut  int
	Actor    string // display name
	At       time.Time
}

// ListImports returns the imports into the lists of exchange id, newest
// first, if a may read the exchange.
func (db *DB) ListImports(ctx context.Context, a parley.Actor, id string) ([]ListImport, error) {
	if _, err := db.Exchange(ctx, a, id); err != nil {
		return nil, err
	}
	rows, err := db.sql.QueryContext(ctx, `SELECT i.seq, i.party_id, i.list, i.format, i.sha256, i.row_count, i.imported, i.left_out,
		COALESCE(ac.display_name, i.actor), i.at FROM exchange_imports i LEFT JOIN accounts ac ON ac.id = i.actor
		WHERE i.exchange_id = $1 ORDER BY i.seq DESC`, id)
	if err != nil {
		return nil, fmt.Errorf("store: imports: %w", err)
	}
	return collect(rows, func(r scanner) (ListImport, error) {
		var x ListImport
		var list string
		var at int64
		err := r.Scan(&x.Seq, &x.PartyID, &list, &x.Format, &x.SHA256, &x.Rows, &x.Imported, &x.LeftOut, &x.Actor, &at)
		x.List, x.At = parley.ListKind(list), fromMicros(at)
		return x, err
	})
}

// AccessLine is a line of the access log of personal data.
type AccessLine struct {
	Seq        int64
	At         time.Time
	Actor      string // display name
	GroupID    string
	ExchangeID string
	PartyID    string
	List       parley.ListKind
	Access     parley.Access
	Format     string
	Count      int
}

// AccessLog returns the newest limit lines of process's access log, if a
// may read it: the server's operators and the process's heads of
// delegation may.
func (db *DB) AccessLog(ctx context.Context, a parley.Actor, process string, limit int) ([]AccessLine, error) {
	if !parley.MayReadAccessLog(a, process) {
		if _, member := a.In(process); member {
			return nil, parley.Errorf(parley.EFORBIDDEN, "The operator and the heads of delegation read the access log.")
		}
		return nil, parley.Errorf(parley.ENOTFOUND, "No such process.")
	}
	rows, err := db.sql.QueryContext(ctx, `SELECT l.seq, l.at, COALESCE(ac.display_name, l.actor), l.group_id, l.exchange_id, l.party_id,
		l.list, l.access, l.format, l.count FROM personal_access l LEFT JOIN accounts ac ON ac.id = l.actor
		WHERE l.process_id = $1 ORDER BY l.seq DESC LIMIT $2`, process, limit)
	if err != nil {
		return nil, fmt.Errorf("store: access log: %w", err)
	}
	return collect(rows, func(r scanner) (AccessLine, error) {
		var l AccessLine
		var at int64
		var list, access string
		err := r.Scan(&l.Seq, &at, &l.Actor, &l.GroupID, &l.ExchangeID, &l.PartyID, &list, &access, &l.Format, &l.Count)
		l.At, l.List, l.Access = fromMicros(at), parley.ListKind(list), parley.Access(access)
		return l, err
	})
}

// listVersion is ListVersion inside the writer's transaction.
func (tx *Tx) listVersion(id, party string, list parley.ListKind) (int64, error) {
	var v int64
	err := tx.tx.QueryRowContext(tx.ctx, `SELECT COALESCE(MAX(entry_seq), 0) FROM exchange_persons WHERE exchange_id = $1 AND party_id = $2 AND list = $3`,
		id, party, string(list)).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("store: list version: %w", err)
	}
	return v, nil
}

func (tx *Tx) listIDs(id, party string, list parley.ListKind) (map[string]bool, error) {
	rows, err := tx.tx.QueryContext(tx.ctx, `SELECT id FROM exchange_persons WHERE exchange_id = $1 AND party_id = $2 AND list = $3`, id, party, string(list))
	if err != nil {
		return nil, fmt.Errorf("store: list: %w", err)
	}
	ids, err := collect(rows, scanString)
	m := make(map[string]bool, len(ids))
	for _, x := range ids {
		m[x] = true
	}
	return m, err
}

// ReconcileSetting returns what deciding a run over asking's asked list
// and the other side's held list needs.
func (tx *Tx) ReconcileSetting(id, asking string) (parley.ReconcileSetting, error) {
	var set parley.ReconcileSetting
	var err error
	if set.Exchange, err = tx.ExchangeSetting(id); err != nil {
		return set, err
	}
	holding := parley.OtherSide(set.Exchange.Exchange, asking)
	if set.AskedVersion, err = tx.listVersion(id, asking, parley.ListAsked); err != nil {
		return set, err
	}
	if set.HeldVersion, err = tx.listVersion(id, holding, parley.ListHeld); err != nil {
		return set, err
	}
	if set.Asked, err = tx.listIDs(id, asking, parley.ListAsked); err != nil {
		return set, err
	}
	if set.Held, err = tx.listIDs(id, holding, parley.ListHeld); err != nil {
		return set, err
	}
	set.Pairs, err = readPairs(tx.ctx, tx.tx, `WHERE p.exchange_id = $1 AND p.asking_party = $2`, id, asking)
	return set, err
}

// PairSetting returns what deciding an answer on pair id needs.
func (tx *Tx) PairSetting(id string) (parley.PairSetting, error) {
	var set parley.PairSetting
	ps, err := readPairs(tx.ctx, tx.tx, `WHERE p.id = $1`, id)
	if err != nil {
		return set, err
	}
	if len(ps) == 0 {
		return set, parley.Errorf(parley.ENOTFOUND, "No such pair.")
	}
	set.Pair = ps[0]
	set.Exchange, err = tx.ExchangeSetting(set.Pair.ExchangeID)
	return set, err
}

// readPairs reads pairs and their answers, without the engine's reasons
// (which are in the sealed entries), by score, best first.
func readPairs(ctx context.Context, q queryer, where string, args ...any) ([]parley.Pair, error) {
	rows, err := q.QueryContext(ctx, `SELECT p.id, p.exchange_id, p.asking_party, p.holding_party, p.asked_id, p.held_id, p.kind, p.score, p.entry_seq, p.position
		FROM exchange_pairs p `+where+` ORDER BY p.score DESC, p.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: pairs: %w", err)
	}
	type row struct {
		p   parley.Pair
		pos int
	}
	rs, err := collect(rows, func(r scanner) (row, error) {
		var x row
		var kind string
		err := r.Scan(&x.p.ID, &x.p.ExchangeID, &x.p.AskingParty, &x.p.HoldingParty, &x.p.AskedID, &x.p.HeldID, &kind, &x.p.Score, &x.p.Seq, &x.pos)
		x.p.Kind = parley.PairKind(kind)
		return x, err
	})
	if err != nil || len(rs) == 0 {
		return nil, err
	}
	out := make([]parley.Pair, len(rs))
	index := map[string]int{}
	for i, r := range rs {
		out[i] = r.p
		index[r.p.ID] = i
	}
	// The answers of these pairs.
	arows, err := q.QueryContext(ctx, `SELECT a.pair_id, a.party_id, a.confirmed, a.entry_seq FROM pair_answers a
		JOIN exchange_pairs p ON p.id = a.pair_id `+where+` ORDER BY a.entry_seq`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: pair answers: %w", err)
	}
	type answer struct {
		pair string
		a    parley.PairAnswer
	}
	as, err := collect(arows, func(r scanner) (answer, error) {
		var x answer
		return x, r.Scan(&x.pair, &x.a.PartyID, &x.a.Confirmed, &x.a.Seq)
	})
	for _, x := range as {
		if i, ok := index[x.pair]; ok {
			out[i].Answers = append(out[i].Answers, x.a)
		}
	}
	return out, err
}

// Pairs returns the pairs between asking's asked list and the other side's
// held list of exchange id, best first, with the engine's reasons and the
// sides' answers, as a may read them; and the asked people the latest run
// found no candidate for. The caller records the access before it shows
// them.
func (db *DB) Pairs(ctx context.Context, a parley.Actor, id, asking string) ([]parley.Pair, []string, error) {
	if _, err := db.Exchange(ctx, a, id); err != nil {
		return nil, nil, err
	}
	ps, err := readPairs(ctx, db.sql, `WHERE p.exchange_id = $1 AND p.asking_party = $2`, id, asking)
	if err != nil {
		return nil, nil, err
	}
	// The reasons and the answers' reasons, from the sealed entries.
	seqs := map[int64]bool{}
	for _, p := range ps {
		seqs[p.Seq] = true
	}
	runs := map[int64]*parley.ListsReconciled{}
	for seq := range seqs {
		d, err := db.personalEvent(ctx, a, seq)
		if err != nil {
			return nil, nil, err
		}
		if r, ok := d.(*parley.ListsReconciled); ok {
			runs[seq] = r
		}
	}
	for i := range ps {
		if r := runs[ps[i].Seq]; r != nil {
			for _, lp := range r.Pairs {
				if lp.ID == ps[i].ID {
					ps[i].Reasons = lp.Reasons
				}
			}
		}
		for j, an := range ps[i].Answers {
			if an.Confirmed {
				continue
			}
			d, err := db.personalEvent(ctx, a, an.Seq)
			if err != nil {
				return nil, nil, err
			}
			if pa, ok := d.(*parley.PairAnswered); ok {
				ps[i].Answers[j].Reason = pa.Reason
			}
		}
	}
	rows, err := db.sql.QueryContext(ctx, `SELECT person_id FROM exchange_unknown WHERE exchange_id = $1 AND asking_party = $2 ORDER BY person_id`, id, asking)
	if err != nil {
		return nil, nil, fmt.Errorf("store: unknown: %w", err)
	}
	unknown, err := collect(rows, scanString)
	return ps, unknown, err
}

// personalEvent reads the event of record entry seq, opened, if a may see
// it.
func (db *DB) personalEvent(ctx context.Context, a parley.Actor, seq int64) (parley.EventData, error) {
	q := args{seq}
	rows, err := db.sql.QueryContext(ctx, `SELECT e.entry, e.space_kind, e.party_id, e.group_id, e.with_mediator FROM entries e
		WHERE e.seq = $1 AND `+canSeeEntry(a, &q), q...)
	if err != nil {
		return nil, fmt.Errorf("store: entry %d: %w", seq, err)
	}
	evs, err := collect(rows, db.scanEvent)
	if err != nil {
		return nil, err
	}
	if len(evs) == 0 {
		return nil, parley.Errorf(parley.ENOTFOUND, "No such entry.")
	}
	return evs[0].Data, nil
}

// ListVersion returns the version of party's list of exchange id: the
// record entry of its latest import, 0 for an empty list.
func (db *DB) ListVersion(ctx context.Context, id, party string, list parley.ListKind) (int64, error) {
	var v int64
	err := db.sql.QueryRowContext(ctx, `SELECT COALESCE(MAX(entry_seq), 0) FROM exchange_persons WHERE exchange_id = $1 AND party_id = $2 AND list = $3`,
		id, party, string(list)).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("store: list version: %w", err)
	}
	return v, nil
}

// PairTally counts the pairs between one asking side's asked list and the
// other side's held list: what the engine said and where they stand.
type PairTally struct {
	AskingParty               string
	Match, Possible           int
	Open, Confirmed, Disputed int
	Unknown                   int // asked people the latest run found no candidate for
}

// PairTallies returns the tallies of exchange id by asking side, if a may
// read it. Numbers are not personal data: no entry is opened.
func (db *DB) PairTallies(ctx context.Context, a parley.Actor, id string) (map[string]PairTally, error) {
	if _, err := db.Exchange(ctx, a, id); err != nil {
		return nil, err
	}
	ps, err := readPairs(ctx, db.sql, `WHERE p.exchange_id = $1`, id)
	if err != nil {
		return nil, err
	}
	out := map[string]PairTally{}
	for _, p := range ps {
		t := out[p.AskingParty]
		t.AskingParty = p.AskingParty
		if p.Kind == parley.PairMatch {
			t.Match++
		} else {
			t.Possible++
		}
		switch p.Status() {
		case parley.PairConfirmed:
			t.Confirmed++
		case parley.PairDisputed:
			t.Disputed++
		default:
			t.Open++
		}
		out[p.AskingParty] = t
	}
	rows, err := db.sql.QueryContext(ctx, `SELECT asking_party, COUNT(*) FROM exchange_unknown WHERE exchange_id = $1 GROUP BY asking_party`, id)
	if err != nil {
		return nil, fmt.Errorf("store: unknown: %w", err)
	}
	type n struct {
		party string
		n     int
	}
	ns, err := collect(rows, func(r scanner) (n, error) {
		var x n
		return x, r.Scan(&x.party, &x.n)
	})
	for _, x := range ns {
		t := out[x.party]
		t.AskingParty, t.Unknown = x.party, x.n
		out[x.party] = t
	}
	return out, err
}

// Pair returns pair id, without reasons, if a may read its exchange.
func (db *DB) Pair(ctx context.Context, a parley.Actor, id string) (parley.Pair, error) {
	ps, err := readPairs(ctx, db.sql, `WHERE p.id = $1`, id)
	if err != nil {
		return parley.Pair{}, err
	}
	if len(ps) == 0 {
		return parley.Pair{}, parley.Errorf(parley.ENOTFOUND, "No such pair.")
	}
	if _, err := db.Exchange(ctx, a, ps[0].ExchangeID); err != nil {
		return parley.Pair{}, parley.Errorf(parley.ENOTFOUND, "No such pair.")
	}
	return ps[0], nil
}
