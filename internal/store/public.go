package store

import (
	"context"
	"fmt"

	"github.com/parley-talks/parley"
)

// Reads for the public pages, which anyone may see without signing in:
// processes that have a public space, with their titles and descriptions,
// their parties' names and their working groups' names. Nothing here reads
// members, spaces other than the public one, or anything said in them; the
// statements themselves come from PublishedStatements.

const publicProcessSelect = `SELECT p.id, p.title, p.description, p.languages, p.created_at, p.version FROM processes p
	WHERE EXISTS (SELECT 1 FROM spaces s WHERE s.process_id = p.id AND s.kind = 'public')`

func scanProcess(r scanner) (parley.Process, error) {
	var p parley.Process
	var langs string
	var created int64
	err := r.Scan(&p.ID, &p.Title, &p.Description, &langs, &created, &p.Version)
	p.Languages, p.CreatedAt = splitLangs(langs), fromMicros(created)
	return p, err
}

// PublicProcesses returns the processes that have a public space, newest
// first.
func (db *DB) PublicProcesses(ctx context.Context) ([]parley.Process, error) {
	rows, err := db.sql.QueryContext(ctx, publicProcessSelect+` ORDER BY p.created_at DESC, p.id`)
	if err != nil {
		return nil, fmt.Errorf("store: list public processes: %w", err)
	}
	return collect(rows, scanProcess)
}

// PublicProcess returns process id if it has a public space.
func (db *DB) PublicProcess(ctx context.Context, id string) (parley.Process, error) {
	p, err := scanProcess(db.sql.QueryRowContext(ctx, publicProcessSelect+` AND p.id = $1`, id))
	return p, one(err, "process")
}

// PublicParties returns the parties of process, in the order they were
// added: their kinds and names only.
func (db *DB) PublicParties(ctx context.Context, process string) ([]parley.Party, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT `+partyCols+` FROM parties WHERE process_id = $1 ORDER BY position`, process)
	if err != nil {
		return nil, fmt.Errorf("store: list public parties: %w", err)
	}
	return collect(rows, scanParty)
}

// PublicGroups returns the working groups of process: their kinds and
// names, without their spaces.
func (db *DB) PublicGroups(ctx context.Context, process string) ([]parley.WorkingGroup, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT g.id, g.process_id, g.kind, g.names, '' FROM working_groups g WHERE g.process_id = $1 ORDER BY g.position`, process)
	if err != nil {
		return nil, fmt.Errorf("store: list public groups: %w", err)
	}
	return collect(rows, scanGroup)
}

const publicStampQuery = `SELECT COALESCE(MAX(seq), 0) FROM entries`

// PublicStamp returns the record's last entry, as LastSeq does, but from a
// statement prepared once (on SQLite, which otherwise compiles the query on
// every call): the public pages ask for it on every request, to tell
// whether a page they keep is still current, and compiling it cost more
// than the rest of the request.
func (db *DB) PublicStamp(ctx context.Context) (int64, error) {
	if db.stmts != nil {
		if st, err := db.stmts.get(ctx, publicStampQuery); err == nil && st != nil {
			var n int64
			err := st.QueryRowContext(ctx).Scan(&n)
			if err != nil {
				return 0, fmt.Errorf("store: last entry: %w", err)
			}
			return n, nil
		}
	}
	return db.LastSeq(ctx)
}
