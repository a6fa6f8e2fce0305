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
