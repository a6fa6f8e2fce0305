package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/parley-talks/parley"
)

// applyMeeting updates the read tables of meetings for e; ok says e was a
// meeting's event.
func applyMeeting(ctx context.Context, tx queryer, e parley.Event) (ok bool, err error) {
	exec := func(q string, args ...any) error {
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("store: apply %s: %w", e.Type(), err)
		}
		return nil
	}
	at := micros(e.At)
	addItem := func(meeting, id, title string, ref parley.ItemRef) error {
		return exec(`INSERT INTO agenda_items (id, meeting_id, position, title, ref_kind, ref_id)
			VALUES ($1, $2, (SELECT COUNT(*) FROM agenda_items WHERE meeting_id = $2), $3, $4, $5)`,
			id, meeting, title, ref.Kind, ref.ID)
	}
	touch := func(meeting string) error {
		return exec(`UPDATE meetings SET seq = $2 WHERE id = $1`, meeting, e.Seq)
	}
	switch d := e.Data.(type) {
	case *parley.MeetingScheduled:
		if err := exec(`INSERT INTO meetings (id, process_id, space_id, group_id, title, starts_at, duration, time_zone, call_url,
			status, current_item, thread_id, sequence, organiser, created_at, minutes_text, minutes_ver, minutes_hash, seq)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'scheduled', '', $10, 0, $11, $12, '', 0, '', $13)`,
			d.MeetingID, e.Scope.ProcessID, d.SpaceID, d.GroupID, d.Title, micros(d.Start), d.Duration, d.TimeZone, d.CallURL,
			d.ThreadID, e.Actor, at, e.Seq); err != nil {
			return true, err
		}
		for _, it := range d.Agenda {
			if err := addItem(d.MeetingID, it.ID, it.Title, it.Ref); err != nil {
				return true, err
			}
		}
		return true, nil
	case *parley.MeetingChanged:
		return true, exec(`UPDATE meetings SET title = $2, starts_at = $3, duration = $4, time_zone = $5, call_url = $6, sequence = $7, seq = $8 WHERE id = $1`,
			d.MeetingID, d.Title, micros(d.Start), d.Duration, d.TimeZone, d.CallURL, d.Sequence, e.Seq)
	case *parley.MeetingCancelled:
		return true, exec(`UPDATE meetings SET status = 'cancelled', sequence = $2, seq = $3 WHERE id = $1`, d.MeetingID, d.Sequence, e.Seq)
	case *parley.AgendaItemAdded:
		if err := addItem(d.MeetingID, d.ItemID, d.Title, d.Ref); err != nil {
			return true, err
		}
		return true, touch(d.MeetingID)
	case *parley.AgendaItemRemoved:
		if err := exec(`UPDATE agenda_items SET position = position - 1 WHERE meeting_id = $1
			AND position > (SELECT position FROM agenda_items WHERE id = $2)`, d.MeetingID, d.ItemID); err != nil {
			return true, err
		}
		if err := exec(`DELETE FROM agenda_items WHERE id = $1`, d.ItemID); err != nil {
			return true, err
		}
		return true, touch(d.MeetingID)
	case *parley.MeetingStarted:
		return true, exec(`UPDATE meetings SET status = 'live', current_item = $2, seq = $3 WHERE id = $1`, d.MeetingID, d.ItemID, e.Seq)
	case *parley.AgendaItemTaken:
		return true, exec(`UPDATE meetings SET current_item = $2, seq = $3 WHERE id = $1`, d.MeetingID, d.ItemID, e.Seq)
	case *parley.MeetingEnded:
		if err := exec(`UPDATE meeting_attendance SET left_at = $2 WHERE meeting_id = $1 AND left_at = 0`, d.MeetingID, at); err != nil {
			return true, err
		}
		return true, exec(`UPDATE meetings SET status = 'ended', current_item = '', seq = $2 WHERE id = $1`, d.MeetingID, e.Seq)
	case *parley.MeetingJoined:
		if err := exec(`INSERT INTO meeting_attendance (meeting_id, seq, account_id, party_id, joined_at, left_at) VALUES ($1, $2, $3, $4, $5, 0)`,
			d.MeetingID, e.Seq, e.Actor, d.PartyID, at); err != nil {
			return true, err
		}
		return true, touch(d.MeetingID)
	case *parley.MeetingLeft:
		if err := exec(`UPDATE meeting_attendance SET left_at = $3 WHERE meeting_id = $1 AND account_id = $2 AND left_at = 0`,
			d.MeetingID, e.Actor, at); err != nil {
			return true, err
		}
		return true, touch(d.MeetingID)
	case *parley.MeetingNoteTaken:
		if err := exec(`INSERT INTO meeting_notes (id, meeting_id, item_id, author_id, body, at, seq) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			d.NoteID, d.MeetingID, d.ItemID, e.Actor, d.Body, at, e.Seq); err != nil {
			return true, err
		}
		return true, touch(d.MeetingID)
	case *parley.MinutesDrafted:
		if err := exec(`DELETE FROM minutes_approvals WHERE meeting_id = $1`, d.MeetingID); err != nil {
			return true, err
		}
		return true, exec(`UPDATE meetings SET minutes_text = $2, minutes_ver = $3, minutes_hash = $4, seq = $5 WHERE id = $1`,
			d.MeetingID, d.Text, d.Version, d.Hash, e.Seq)
	case *parley.ActionAssigned:
		if err := exec(`INSERT INTO meeting_actions (id, meeting_id, position, text, party_id, due, done_at, done_by)
			VALUES ($1, $2, (SELECT COUNT(*) FROM meeting_actions WHERE meeting_id = $2), $3, $4, $5, 0, '')`,
			d.ActionID, d.MeetingID, d.Text, d.PartyID, d.Due); err != nil {
			return true, err
		}
		if err := exec(`DELETE FROM minutes_approvals WHERE meeting_id = $1`, d.MeetingID); err != nil {
			return true, err
		}
		return true, exec(`UPDATE meetings SET minutes_hash = $2, seq = $3 WHERE id = $1`, d.MeetingID, d.Hash, e.Seq)
	case *parley.ActionDone:
		if err := exec(`UPDATE meeting_actions SET done_at = $2, done_by = $3 WHERE id = $1`, d.ActionID, at, e.Actor); err != nil {
			return true, err
		}
		return true, touch(d.MeetingID)
	case *parley.MinutesApproved:
		if err := exec(`INSERT INTO minutes_approvals (meeting_id, party_id, hash, actor, at, seq) VALUES ($1, $2, $3, $4, $5, $6)`,
			d.MeetingID, d.PartyID, d.Hash, e.Actor, at, e.Seq); err != nil {
			return true, err
		}
		return true, touch(d.MeetingID)
	}
	return false, nil
}

const meetingSelect = `SELECT m.id, m.process_id, m.space_id, m.group_id, m.title, m.starts_at, m.duration, m.time_zone, m.call_url,
	m.status, m.current_item, m.thread_id, m.sequence, m.organiser, m.created_at, m.minutes_text, m.minutes_ver, m.minutes_hash
	FROM meetings m`

func scanMeeting(r scanner) (parley.Meeting, error) {
	var m parley.Meeting
	var start, created int64
	var status string
	err := r.Scan(&m.ID, &m.ProcessID, &m.SpaceID, &m.GroupID, &m.Title, &start, &m.Duration, &m.TimeZone, &m.CallURL,
		&status, &m.CurrentItem, &m.ThreadID, &m.Sequence, &m.Organiser, &created, &m.Minutes.Text, &m.Minutes.Version, &m.Minutes.Hash)
	m.Start, m.CreatedAt, m.Status = fromMicros(start), fromMicros(created), parley.MeetingStatus(status)
	return m, err
}

// readMeeting loads one meeting, selected by where, with everything in it.
func readMeeting(ctx context.Context, q queryer, where string, args ...any) (parley.Meeting, error) {
	m, err := scanMeeting(q.QueryRowContext(ctx, meetingSelect+` `+where, args...))
	if err := one(err, "meeting"); err != nil {
		return m, err
	}
	return m, meetingDetails(ctx, q, &m)
}

func meetingDetails(ctx context.Context, q queryer, m *parley.Meeting) error {
	rows, err := q.QueryContext(ctx, `SELECT i.id, i.title, i.ref_kind, i.ref_id,
		COALESCE(p.title, t.title, cm.title, ''), COALESCE(p.status, c.status, ''), COALESCE(c.memo_id, '')
		FROM agenda_items i
		LEFT JOIN proposals p ON i.ref_kind = 'proposal' AND p.id = i.ref_id
		LEFT JOIN threads t ON i.ref_kind = 'thread' AND t.id = i.ref_id
		LEFT JOIN clauses c ON i.ref_kind = 'clause' AND c.id = i.ref_id
		LEFT JOIN memos cm ON cm.id = c.memo_id
		WHERE i.meeting_id = $1 ORDER BY i.position`, m.ID)
	if err != nil {
		return fmt.Errorf("store: agenda: %w", err)
	}
	if m.Agenda, err = collect(rows, func(r scanner) (parley.AgendaItem, error) {
		var it parley.AgendaItem
		err := r.Scan(&it.ID, &it.Title, &it.Ref.Kind, &it.Ref.ID, &it.RefTitle, &it.RefStatus, &it.RefMemo)
		return it, err
	}); err != nil {
		return err
	}
	rows, err = q.QueryContext(ctx, `SELECT x.account_id, COALESCE(a.display_name, ''), x.party_id, x.joined_at, x.left_at
		FROM meeting_attendance x LEFT JOIN accounts a ON a.id = x.account_id WHERE x.meeting_id = $1 ORDER BY x.seq`, m.ID)
	if err != nil {
		return fmt.Errorf("store: attendance: %w", err)
	}
	if m.Attendance, err = collect(rows, func(r scanner) (parley.Attendance, error) {
		var x parley.Attendance
		var joined, left int64
		err := r.Scan(&x.AccountID, &x.Name, &x.PartyID, &joined, &left)
		x.JoinedAt, x.LeftAt = fromMicros(joined), fromMicros(left)
		return x, err
	}); err != nil {
		return err
	}
	rows, err = q.QueryContext(ctx, `SELECT n.id, n.item_id, n.author_id, COALESCE(a.display_name, ''), n.body, n.at, n.seq
		FROM meeting_notes n LEFT JOIN accounts a ON a.id = n.author_id WHERE n.meeting_id = $1 ORDER BY n.seq`, m.ID)
	if err != nil {
		return fmt.Errorf("store: notes: %w", err)
	}
	if m.Notes, err = collect(rows, func(r scanner) (parley.MeetingNote, error) {
		var n parley.MeetingNote
		var at int64
		err := r.Scan(&n.ID, &n.ItemID, &n.AuthorID, &n.Author, &n.Body, &at, &n.Seq)
		n.At = fromMicros(at)
		return n, err
	}); err != nil {
		return err
	}
	rows, err = q.QueryContext(ctx, `SELECT party_id, hash, actor, at, seq FROM minutes_approvals WHERE meeting_id = $1 ORDER BY seq`, m.ID)
	if err != nil {
		return fmt.Errorf("store: approvals: %w", err)
	}
	if m.Approvals, err = collect(rows, func(r scanner) (parley.MinutesApproval, error) {
		var x parley.MinutesApproval
		var at int64
		err := r.Scan(&x.PartyID, &x.Hash, &x.Actor, &at, &x.Seq)
		x.At = fromMicros(at)
		return x, err
	}); err != nil {
		return err
	}
	rows, err = q.QueryContext(ctx, `SELECT id, text, party_id, due, done_at, done_by FROM meeting_actions WHERE meeting_id = $1 ORDER BY position`, m.ID)
	if err != nil {
		return fmt.Errorf("store: actions: %w", err)
	}
	m.Actions, err = collect(rows, func(r scanner) (parley.FollowUp, error) {
		var x parley.FollowUp
		var done int64
		err := r.Scan(&x.ID, &x.Text, &x.PartyID, &x.Due, &done, &x.DoneBy)
		x.DoneAt = fromMicros(done)
		return x, err
	})
	return err
}

// MeetingSetting loads meeting id with its space and the process's
// negotiating parties, for a decision.
func (tx *Tx) MeetingSetting(id string) (parley.MeetingSetting, error) {
	var set parley.MeetingSetting
	var err error
	if set.Meeting, err = readMeeting(tx.ctx, tx.tx, `WHERE m.id = $1`, id); err != nil {
		return set, err
	}
	if set.Space, err = tx.Space(set.Meeting.SpaceID); err != nil {
		return set, err
	}
	rows, err := tx.tx.QueryContext(tx.ctx, `SELECT id FROM parties WHERE process_id = $1 AND kind = 'party' ORDER BY position`, set.Meeting.ProcessID)
	if err != nil {
		return set, fmt.Errorf("store: parties: %w", err)
	}
	set.Parties, err = collect(rows, scanString)
	return set, err
}

// SpaceOfRef returns the space of the proposal, clause or thread ref names,
// so that an agenda item links only to what lives beside its meeting.
func (tx *Tx) SpaceOfRef(ref parley.ItemRef) (string, error) {
	var q string
	switch ref.Kind {
	case "proposal":
		q = `SELECT space_id FROM proposals WHERE id = $1`
	case "thread":
		q = `SELECT space_id FROM threads WHERE id = $1`
	case "clause":
		q = `SELECT m.space_id FROM clauses c JOIN memos m ON m.id = c.memo_id WHERE c.id = $1`
	default:
		return "", parley.Errorf(parley.EINVALID, "Unknown kind of agenda reference.")
	}
	var space string
	err := tx.tx.QueryRowContext(tx.ctx, q, ref.ID).Scan(&space)
	return space, one(err, ref.Kind)
}

// Meeting returns meeting id if a may read its space.
func (db *DB) Meeting(ctx context.Context, a parley.Actor, id string) (parley.Meeting, error) {
	q := args{id}
	return readMeeting(ctx, db.sql, `JOIN spaces s ON s.id = m.space_id WHERE m.id = $1 AND `+canRead(spaceCols, a, &q), q...)
}

// Meetings returns the meetings of process that a may read, in the order
// they begin; with space set, only that space's.
func (db *DB) Meetings(ctx context.Context, a parley.Actor, process, space string) ([]parley.Meeting, error) {
	q := args{process}
	where := ""
	if space != "" {
		where = " AND m.space_id = " + q.add(space)
	}
	rows, err := db.sql.QueryContext(ctx, meetingSelect+` JOIN spaces s ON s.id = m.space_id WHERE m.process_id = $1`+where+` AND `+
		canRead(spaceCols, a, &q)+` ORDER BY m.starts_at, m.id`, q...)
	if err != nil {
		return nil, fmt.Errorf("store: list meetings: %w", err)
	}
	return collect(rows, scanMeeting)
}

// MeetingsFrom returns the meetings of every process that a may read
// beginning at or after since, in the order they begin: a's calendar.
func (db *DB) MeetingsFrom(ctx context.Context, a parley.Actor, since time.Time) ([]parley.Meeting, error) {
	q := args{micros(since)}
	rows, err := db.sql.QueryContext(ctx, meetingSelect+` JOIN spaces s ON s.id = m.space_id WHERE m.starts_at >= $1 AND `+
		canRead(spaceCols, a, &q)+` ORDER BY m.starts_at, m.id LIMIT 500`, q...)
	if err != nil {
		return nil, fmt.Errorf("store: calendar: %w", err)
	}
	return collect(rows, scanMeeting)
}

func feedHash(secret string) string {
	h := sha256.Sum256([]byte("parley calendar feed\x00" + secret))
	return hex.EncodeToString(h[:])
}

// SetCalendarFeed stores the secret of account's calendar feed, replacing
// any earlier one (which stops working). Only its hash is kept.
func (db *DB) SetCalendarFeed(ctx context.Context, account, secret string, now time.Time) error {
	_, err := db.sql.ExecContext(ctx, `INSERT INTO calendar_feeds (account_id, token_hash, created_at) VALUES ($1, $2, $3)
		ON CONFLICT (account_id) DO UPDATE SET token_hash = excluded.token_hash, created_at = excluded.created_at`,
		account, feedHash(secret), micros(now))
	if err != nil {
		return fmt.Errorf("store: calendar feed: %w", err)
	}
	return nil
}

// HasCalendarFeed reports whether account has a calendar feed.
func (db *DB) HasCalendarFeed(ctx context.Context, account string) (bool, error) {
	var n int
	err := db.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM calendar_feeds WHERE account_id = $1`, account).Scan(&n)
	return n > 0, err
}

// DeleteCalendarFeed ends account's calendar feed.
func (db *DB) DeleteCalendarFeed(ctx context.Context, account string) error {
	_, err := db.sql.ExecContext(ctx, `DELETE FROM calendar_feeds WHERE account_id = $1`, account)
	return err
}

// CalendarFeedAccount returns the account whose calendar feed secret is
// secret, or ENOTFOUND.
func (db *DB) CalendarFeedAccount(ctx context.Context, secret string) (string, error) {
	var account string
	err := db.sql.QueryRowContext(ctx, `SELECT account_id FROM calendar_feeds WHERE token_hash = $1`, feedHash(secret)).Scan(&account)
	if errors.Is(err, sql.ErrNoRows) {
		return "", parley.Errorf(parley.ENOTFOUND, "No such calendar.")
	}
	return account, err
}

// Readers returns the accounts that may read space: those a meeting there
// is for. Each account's rights are decided by the policy itself.
func (db *DB) Readers(ctx context.Context, space string) ([]parley.Account, error) {
	sp, err := scanSpace(db.sql.QueryRowContext(ctx, spaceSelect+` WHERE s.id = $1`, space))
	if err := one(err, "space"); err != nil {
		return nil, err
	}
	rows, err := db.sql.QueryContext(ctx, `SELECT `+prefixed("a.", accountCols)+` FROM accounts a
		WHERE a.id IN (SELECT account_id FROM members WHERE process_id = $1) ORDER BY a.username`, sp.ProcessID)
	if err != nil {
		return nil, fmt.Errorf("store: readers: %w", err)
	}
	accs, err := collect(rows, func(r scanner) (parley.Account, error) { return scanAccount(r) })
	if err != nil {
		return nil, err
	}
	var out []parley.Account
	for _, acc := range accs {
		a, err := db.Actor(ctx, acc.ID, sp.ProcessID)
		if err != nil {
			return nil, err
		}
		if parley.Allowed(a, parley.ActRead, sp) {
			out = append(out, acc)
		}
	}
	return out, nil
}
