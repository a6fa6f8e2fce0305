package store

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Replay rebuilds the read tables of dst, a fresh migrated database, from
// the record of src: it copies the accounts (members refer to them; they
// are not negotiation data, so not recorded), then applies every event of
// src in record order with apply, the very code that updates the tables
// live. Comparing dst with src (CompareProjections) then shows whether the
// tables of src are what its record says.
func Replay(ctx context.Context, src, dst *DB) (events int64, err error) {
	if err := copyTable(ctx, src, dst, "accounts"); err != nil {
		return 0, err
	}
	tx, err := dst.sql.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("store: replay: %w", err)
	}
	defer tx.Rollback()
	var after int64
	for {
		evs, err := src.AllEvents(ctx, after, 2000)
		if err != nil {
			return events, err
		}
		if len(evs) == 0 {
			break
		}
		for _, e := range evs {
			if err := apply(ctx, tx, e); err != nil {
				return events, fmt.Errorf("store: replay entry %d: %w", e.Seq, err)
			}
			after = e.Seq
			events++
		}
	}
	if err := tx.Commit(); err != nil {
		return events, fmt.Errorf("store: replay: %w", err)
	}
	return events, nil
}

// copyTable copies every row of table from src to dst, column by column.
func copyTable(ctx context.Context, src, dst *DB, table string) error {
	rows, err := src.sql.QueryContext(ctx, "SELECT * FROM "+table)
	if err != nil {
		return fmt.Errorf("store: copy %s: %w", table, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	marks := make([]string, len(cols))
	for i := range cols {
		marks[i] = "$" + strconv.Itoa(i+1)
	}
	insert := fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s)", table, strings.Join(cols, ", "), strings.Join(marks, ", "))
	tx, err := dst.sql.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("store: copy %s: %w", table, err)
		}
		if _, err := tx.ExecContext(ctx, insert, vals...); err != nil {
			return fmt.Errorf("store: copy %s: %w", table, err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: copy %s: %w", table, err)
	}
	return tx.Commit()
}

// ProjectionTables are the read tables apply writes, each with its key.
var ProjectionTables = []struct {
	Name string
	Key  []string
}{
	{"processes", []string{"id"}},
	{"parties", []string{"id"}},
	{"members", []string{"id"}},
	{"rounds", []string{"id"}},
	{"working_groups", []string{"id"}},
	{"group_members", []string{"group_id", "member_id"}},
	{"spaces", []string{"id"}},
	{"threads", []string{"id"}},
	{"messages", []string{"id"}},
	{"message_revisions", []string{"message_id", "version"}},
	{"proposals", []string{"id"}},
	{"proposal_acts", []string{"proposal_id", "seq"}},
	{"questions", []string{"id"}},
	{"proposal_comments", []string{"id"}},
	{"authorisations", []string{"group_id", "member_id"}},
	{"meetings", []string{"id"}},
	{"agenda_items", []string{"id"}},
	{"meeting_attendance", []string{"meeting_id", "seq"}},
	{"meeting_notes", []string{"id"}},
	{"minutes_approvals", []string{"meeting_id", "party_id"}},
	{"meeting_actions", []string{"id"}},
	{"truce_rules", []string{"process_id"}},
	{"truces", []string{"id"}},
	{"truce_notices", []string{"truce_id", "party_id"}},
	{"violations", []string{"id"}},
	{"violation_attachments", []string{"violation_id", "position"}},
	{"violation_notes", []string{"violation_id", "seq"}},
	{"remains_transfers", []string{"id"}},
	{"notice_periods", []string{"group_id"}},
	{"humanitarian_notifications", []string{"id"}},
	{"notification_notes", []string{"notification_id", "seq"}},
	{"exchanges", []string{"id"}},
	{"exchange_categories", []string{"exchange_id", "code"}},
	{"exchange_stages", []string{"exchange_id", "number"}},
	{"exchange_stage_counts", []string{"exchange_id", "number", "category"}},
	{"exchange_persons", []string{"id"}},
	{"exchange_imports", []string{"seq"}},
	{"personal_access", []string{"seq"}},
	{"exchange_pairs", []string{"id"}},
	{"pair_answers", []string{"pair_id", "party_id"}},
	{"exchange_unknown", []string{"exchange_id", "asking_party", "person_id"}},
	{"repatriations", []string{"pair_id"}},
	{"stage_exceptions", []string{"exchange_id", "number", "party_id"}},
	{"statement_rules", []string{"process_id"}},
	{"statements", []string{"id"}},
	{"statement_approvals", []string{"statement_id", "party_id"}},
	{"memos", []string{"id"}},
	{"memo_initials", []string{"memo_id", "party_id"}},
	{"clauses", []string{"id"}},
	{"clause_texts", []string{"clause_id", "lang"}},
	{"clause_signoffs", []string{"clause_id", "lang", "party_id"}},
	{"clause_agreements", []string{"clause_id", "party_id"}},
	{"clause_initials", []string{"clause_id", "party_id"}},
	{"alternatives", []string{"id"}},
	{"stances", []string{"alternative_id", "party_id"}},
	{"clause_links", []string{"clause_id", "proposal_id", "thread_id"}},
	{"memo_versions", []string{"id"}},
	{"signed_acts", []string{"seq"}},
}

// Difference is a row on which a database and its replayed record disagree.
type Difference struct {
	Table    string
	Key      string // the row's key columns, joined by "/"
	Column   string // "" when the row exists on one side only
	Live     string // the value in the database; "" with Column "" if the row is missing there
	Replayed string // the value the record gives
	Missing  bool   // the row is in the record but not in the database
	Extra    bool   // the row is in the database but not in the record
}

func (d Difference) String() string {
	switch {
	case d.Missing:
		return fmt.Sprintf("%s %s: in the record but missing from the database", d.Table, d.Key)
	case d.Extra:
		return fmt.Sprintf("%s %s: in the database but not in the record", d.Table, d.Key)
	}
	return fmt.Sprintf("%s %s: %s is %q in the database but %q in the record", d.Table, d.Key, d.Column, d.Live, d.Replayed)
}

// CompareProjections compares every read table of live with replayed, row
// by row, and returns each difference, ordered by table and key.
func CompareProjections(ctx context.Context, live, replayed *DB) ([]Difference, error) {
	var out []Difference
	for _, t := range ProjectionTables {
		cols, err := columns(ctx, replayed, t.Name)
		if err != nil {
			return nil, err
		}
		a, err := tableRows(ctx, live, t.Name, cols, t.Key)
		if err != nil {
			return nil, err
		}
		b, err := tableRows(ctx, replayed, t.Name, cols, t.Key)
		if err != nil {
			return nil, err
		}
		keys := make([]string, 0, len(a)+len(b))
		for k := range a {
			keys = append(keys, k)
		}
		for k := range b {
			if _, ok := a[k]; !ok {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		for _, k := range keys {
			ra, inLive := a[k]
			rb, inRecord := b[k]
			switch {
			case !inLive:
				out = append(out, Difference{Table: t.Name, Key: k, Missing: true})
			case !inRecord:
				out = append(out, Difference{Table: t.Name, Key: k, Extra: true})
			default:
				for i, c := range cols {
					if ra[i] != rb[i] {
						out = append(out, Difference{Table: t.Name, Key: k, Column: c, Live: ra[i], Replayed: rb[i]})
					}
				}
			}
		}
	}
	return out, nil
}

func columns(ctx context.Context, db *DB, table string) ([]string, error) {
	rows, err := db.sql.QueryContext(ctx, "SELECT * FROM "+table+" LIMIT 0")
	if err != nil {
		return nil, fmt.Errorf("store: columns of %s: %w", table, err)
	}
	defer rows.Close()
	return rows.Columns()
}

// tableRows reads every row of table as text, by key.
func tableRows(ctx context.Context, db *DB, table string, cols, key []string) (map[string][]string, error) {
	rows, err := db.sql.QueryContext(ctx, "SELECT "+strings.Join(cols, ", ")+" FROM "+table)
	if err != nil {
		return nil, fmt.Errorf("store: read %s: %w", table, err)
	}
	defer rows.Close()
	keyAt := make([]int, len(key))
	for i, k := range key {
		keyAt[i] = slices.Index(cols, k)
		if keyAt[i] < 0 {
			return nil, fmt.Errorf("store: %s has no column %s", table, k)
		}
	}
	out := map[string][]string{}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("store: read %s: %w", table, err)
		}
		row := make([]string, len(cols))
		for i, v := range vals {
			row[i] = text(v)
		}
		ks := make([]string, len(keyAt))
		for i, j := range keyAt {
			ks[i] = row[j]
		}
		out[strings.Join(ks, "/")] = row
	}
	return out, rows.Err()
}

// text renders a column value the same way whichever engine returned it.
func text(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case bool:
		if x {
			return "1"
		}
		return "0"
	case []byte:
		return string(x)
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case int32:
		return strconv.FormatInt(int64(x), 10)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	}
	return fmt.Sprint(v)
}
