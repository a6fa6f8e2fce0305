package store

import (
	"context"
	"fmt"

	"github.com/parley-talks/parley"
)

const threadSelect = `SELECT t.id, t.space_id, t.process_id, t.title, t.author_id, COALESCE(a.display_name, ''),
	t.created_at, t.last_at, t.messages FROM threads t LEFT JOIN accounts a ON a.id = t.author_id`

func scanThread(r scanner) (parley.Thread, error) {
	var t parley.Thread
	var created, last int64
	err := r.Scan(&t.ID, &t.SpaceID, &t.ProcessID, &t.Title, &t.AuthorID, &t.Author, &created, &last, &t.Messages)
	t.CreatedAt, t.LastAt = fromMicros(created), fromMicros(last)
	return t, err
}

// Thread loads a thread.
func (tx *Tx) Thread(id string) (parley.Thread, error) {
	t, err := scanThread(tx.tx.QueryRowContext(tx.ctx, threadSelect+` WHERE t.id = $1`, id))
	return t, one(err, "thread")
}

// Thread returns thread id if a may read its space.
func (db *DB) Thread(ctx context.Context, a parley.Actor, id string) (parley.Thread, error) {
	q := args{id}
	t, err := scanThread(db.sql.QueryRowContext(ctx, threadSelect+` JOIN spaces s ON s.id = t.space_id WHERE t.id = $1 AND `+canRead(spaceCols, a, &q), q...))
	return t, one(err, "thread")
}

// Threads returns the threads of space, most recently active first, each
// with the number of messages a has not read.
func (db *DB) Threads(ctx context.Context, a parley.Actor, space string) ([]parley.Thread, error) {
	q := args{space, a.AccountID}
	rows, err := db.sql.QueryContext(ctx, `SELECT t.id, t.space_id, t.process_id, t.title, t.author_id, COALESCE(a.display_name, ''),
		t.created_at, t.last_at, t.messages,
		(SELECT COUNT(*) FROM messages m WHERE m.thread_id = t.id AND m.author_id <> $2
			AND m.seq > COALESCE((SELECT r.seq FROM read_markers r WHERE r.account_id = $2 AND r.thread_id = t.id), 0))
		FROM threads t LEFT JOIN accounts a ON a.id = t.author_id JOIN spaces s ON s.id = t.space_id
		WHERE t.space_id = $1 AND `+canRead(spaceCols, a, &q)+` ORDER BY t.last_at DESC, t.id`, q...)
	if err != nil {
		return nil, fmt.Errorf("store: list threads: %w", err)
	}
	return collect(rows, func(r scanner) (parley.Thread, error) {
		var t parley.Thread
		var created, last int64
		err := r.Scan(&t.ID, &t.SpaceID, &t.ProcessID, &t.Title, &t.AuthorID, &t.Author, &created, &last, &t.Messages, &t.Unread)
		t.CreatedAt, t.LastAt = fromMicros(created), fromMicros(last)
		return t, err
	})
}

// Unread returns, for each space of process that a may read, the number of
// messages by others that a has not read.
func (db *DB) Unread(ctx context.Context, a parley.Actor, process string) (map[string]int, error) {
	q := args{process, a.AccountID}
	rows, err := db.sql.QueryContext(ctx, `SELECT m.space_id, COUNT(*) FROM messages m JOIN spaces s ON s.id = m.space_id
		WHERE s.process_id = $1 AND m.author_id <> $2
		AND m.seq > COALESCE((SELECT r.seq FROM read_markers r WHERE r.account_id = $2 AND r.thread_id = m.thread_id), 0)
		AND `+canRead(spaceCols, a, &q)+` GROUP BY m.space_id`, q...)
	if err != nil {
		return nil, fmt.Errorf("store: unread: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return nil, err
		}
		out[s] = n
	}
	return out, rows.Err()
}

const messageSelect = `SELECT m.id, m.thread_id, m.space_id, m.author_id, COALESCE(a.display_name, ''), m.body,
	m.posted_at, m.edited_at, m.version, m.seq FROM messages m LEFT JOIN accounts a ON a.id = m.author_id`

func scanMessage(r scanner) (parley.Message, error) {
	var m parley.Message
	var posted, edited int64
	err := r.Scan(&m.ID, &m.ThreadID, &m.SpaceID, &m.AuthorID, &m.Author, &m.Body, &posted, &edited, &m.Version, &m.Seq)
	m.PostedAt, m.EditedAt = fromMicros(posted), fromMicros(edited)
	return m, err
}

// Message loads a message.
func (tx *Tx) Message(id string) (parley.Message, error) {
	m, err := scanMessage(tx.tx.QueryRowContext(tx.ctx, messageSelect+` WHERE m.id = $1`, id))
	return m, one(err, "message")
}

// Message returns message id if a may read its space.
func (db *DB) Message(ctx context.Context, a parley.Actor, id string) (parley.Message, error) {
	q := args{id}
	m, err := scanMessage(db.sql.QueryRowContext(ctx, messageSelect+` JOIN spaces s ON s.id = m.space_id WHERE m.id = $1 AND `+canRead(spaceCols, a, &q), q...))
	return m, one(err, "message")
}

// Messages returns the messages of thread in the order they were posted.
func (db *DB) Messages(ctx context.Context, a parley.Actor, thread string) ([]parley.Message, error) {
	q := args{thread}
	rows, err := db.sql.QueryContext(ctx, messageSelect+` JOIN spaces s ON s.id = m.space_id WHERE m.thread_id = $1 AND `+
		canRead(spaceCols, a, &q)+` ORDER BY m.posted_at, m.id`, q...)
	if err != nil {
		return nil, fmt.Errorf("store: list messages: %w", err)
	}
	return collect(rows, scanMessage)
}

// Revisions returns the earlier texts of message id, oldest first.
func (db *DB) Revisions(ctx context.Context, a parley.Actor, id string) ([]parley.MessageRevision, error) {
	if _, err := db.Message(ctx, a, id); err != nil {
		return nil, err
	}
	rows, err := db.sql.QueryContext(ctx, `SELECT version, body, edited_at FROM message_revisions WHERE message_id = $1 ORDER BY version`, id)
	if err != nil {
		return nil, fmt.Errorf("store: list revisions: %w", err)
	}
	return collect(rows, func(r scanner) (parley.MessageRevision, error) {
		var v parley.MessageRevision
		var at int64
		err := r.Scan(&v.Version, &v.Body, &at)
		v.EditedAt = fromMicros(at)
		return v, err
	})
}

// MarkRead records that a has read thread up to record entry seq. Read
// markers are a reader's own state, not negotiation data, so they are
// written here directly rather than through the record. A marker never
// moves backwards.
func (db *DB) MarkRead(ctx context.Context, a parley.Actor, thread string, seq int64) error {
	if _, err := db.Thread(ctx, a, thread); err != nil {
		return err
	}
	_, err := db.sql.ExecContext(ctx, `INSERT INTO read_markers (account_id, thread_id, seq) VALUES ($1, $2, $3)
		ON CONFLICT (account_id, thread_id) DO UPDATE SET seq = CASE WHEN excluded.seq > read_markers.seq THEN excluded.seq ELSE read_markers.seq END`,
		a.AccountID, thread, seq)
	if err != nil {
		return fmt.Errorf("store: mark read: %w", err)
	}
	return nil
}
