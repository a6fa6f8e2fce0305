package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/parley-talks/parley"
)

// applyNotification updates the read tables of humanitarian notifications
// for e; ok says e was a notification's event.
func applyNotification(ctx context.Context, tx queryer, e parley.Event) (ok bool, err error) {
	exec := func(q string, args ...any) error {
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("store: apply %s: %w", e.Type(), err)
		}
		return nil
	}
	at := micros(e.At)
	note := func(id, kind, party, text string) error {
		return exec(`INSERT INTO notification_notes (notification_id, seq, kind, party_id, author_id, text, at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			id, e.Seq, kind, party, e.Actor, text, at)
	}
	switch d := e.Data.(type) {
	case *parley.NoticePeriodSet:
		return true, exec(`INSERT INTO notice_periods (group_id, hours) VALUES ($1, $2)
			ON CONFLICT (group_id) DO UPDATE SET hours = excluded.hours`, d.GroupID, d.Hours)
	case *parley.NotificationSent:
		points := []byte("[]")
		if len(d.Points) > 0 {
			points, _ = json.Marshal(d.Points) // numbers only
		}
		return true, exec(`INSERT INTO humanitarian_notifications (id, process_id, group_id, space_id, from_party, to_party, kind, route, points,
			starts_at, ends_at, time_zone, purpose, vehicles, people, notice_hours, short_notice, short_notice_reason, sent_at, sent_by,
			status, acknowledged_at, cancelled_at, cancel_reason, seq)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, 'notified', 0, 0, '', $21)`,
			d.NotificationID, e.Scope.ProcessID, d.GroupID, e.Scope.Space.ID, d.FromParty, d.ToParty, string(d.Kind), d.Route, string(points),
			micros(d.Starts), micros(d.Ends), d.TimeZone, d.Purpose, d.Vehicles, d.People, d.NoticeHours, d.ShortNotice, d.ShortNoticeReason,
			at, e.Actor, e.Seq)
	case *parley.NotificationAcknowledged:
		return true, exec(`UPDATE humanitarian_notifications SET status = 'acknowledged', acknowledged_at = $2, seq = $3 WHERE id = $1`,
			d.NotificationID, at, e.Seq)
	case *parley.NotificationQuestioned:
		if err := note(d.NotificationID, "question", d.PartyID, d.Text); err != nil {
			return true, err
		}
		return true, exec(`UPDATE humanitarian_notifications SET status = 'questioned', seq = $2 WHERE id = $1`, d.NotificationID, e.Seq)
	case *parley.NotificationAnswered:
		if err := note(d.NotificationID, "answer", d.PartyID, d.Text); err != nil {
			return true, err
		}
		return true, exec(`UPDATE humanitarian_notifications SET status = 'answered', seq = $2 WHERE id = $1`, d.NotificationID, e.Seq)
	case *parley.NotificationCancelled:
		return true, exec(`UPDATE humanitarian_notifications SET status = 'cancelled', cancelled_at = $2, cancel_reason = $3, seq = $4 WHERE id = $1`,
			d.NotificationID, at, d.Reason, e.Seq)
	}
	return false, nil
}

const notificationSelect = `SELECT n.id, n.process_id, n.group_id, n.space_id, n.from_party, n.to_party, n.kind, n.route, n.points,
	n.starts_at, n.ends_at, n.time_zone, n.purpose, n.vehicles, n.people, n.notice_hours, n.short_notice, n.short_notice_reason,
	n.sent_at, n.sent_by, n.status, n.acknowledged_at, n.cancelled_at, n.cancel_reason, n.seq FROM humanitarian_notifications n`

func scanNotification(r scanner) (parley.Notification, error) {
	var n parley.Notification
	var kind, points, status string
	var starts, ends, sent, acked, cancelled int64
	err := r.Scan(&n.ID, &n.ProcessID, &n.GroupID, &n.SpaceID, &n.FromParty, &n.ToParty, &kind, &n.Route, &points,
		&starts, &ends, &n.TimeZone, &n.Purpose, &n.Vehicles, &n.People, &n.NoticeHours, &n.ShortNotice, &n.ShortNoticeReason,
		&sent, &n.SentBy, &status, &acked, &cancelled, &n.CancelReason, &n.Seq)
	if err != nil {
		return n, err
	}
	n.Kind, n.Status = parley.NotificationKind(kind), parley.NotificationStatus(status)
	n.Starts, n.Ends, n.SentAt, n.AcknowledgedAt, n.CancelledAt = fromMicros(starts), fromMicros(ends), fromMicros(sent), fromMicros(acked), fromMicros(cancelled)
	if points != "[]" {
		if err := json.Unmarshal([]byte(points), &n.Points); err != nil {
			return n, fmt.Errorf("store: points of notification %s: %w", n.ID, err)
		}
	}
	return n, nil
}

// notificationNotes reads the questions and answers of ns, in order.
func notificationNotes(ctx context.Context, q queryer, ns []parley.Notification) error {
	for i := range ns {
		rows, err := q.QueryContext(ctx, `SELECT o.kind, o.party_id, o.author_id, o.text, o.at, o.seq FROM notification_notes o
			WHERE o.notification_id = $1 ORDER BY o.seq`, ns[i].ID)
		if err != nil {
			return fmt.Errorf("store: notification notes: %w", err)
		}
		notes, err := collect(rows, func(r scanner) (parley.NotificationNote, error) {
			var o parley.NotificationNote
			var at int64
			err := r.Scan(&o.Kind, &o.PartyID, &o.By, &o.Text, &at, &o.Seq)
			o.At = fromMicros(at)
			return o, err
		})
		if err != nil {
			return err
		}
		if notes == nil {
			notes = []parley.NotificationNote{}
		}
		ns[i].Notes = notes
	}
	return nil
}

func readNotification(ctx context.Context, q queryer, where string, args ...any) (parley.Notification, error) {
	n, err := scanNotification(q.QueryRowContext(ctx, notificationSelect+` `+where, args...))
	if err := one(err, "notification"); err != nil {
		return n, err
	}
	ns := []parley.Notification{n}
	err = notificationNotes(ctx, q, ns)
	return ns[0], err
}

// noticeHours returns the notice working group group requires, in hours.
func noticeHours(ctx context.Context, q queryer, group string) (int, error) {
	var h int
	err := q.QueryRowContext(ctx, `SELECT hours FROM notice_periods WHERE group_id = $1`, group).Scan(&h)
	if errors.Is(err, sql.ErrNoRows) {
		return parley.DefaultNoticeHours, nil
	}
	if err != nil {
		return 0, fmt.Errorf("store: notice period: %w", err)
	}
	return h, nil
}

// groupSpace returns the space of working group id.
func (tx *Tx) groupSpace(id string) (parley.WorkingGroup, parley.Space, error) {
	g, err := tx.Group(id)
	if err != nil {
		return g, parley.Space{}, err
	}
	if g.SpaceID == "" {
		return g, parley.Space{}, notFound("working group")
	}
	sp, err := tx.Space(g.SpaceID)
	return g, sp, err
}

// GroupSpace returns the space of working group id, for a decision.
func (tx *Tx) GroupSpace(id string) (parley.Space, error) {
	_, sp, err := tx.groupSpace(id)
	return sp, err
}

// NoticeSetting loads what deciding a new notification in working group
// id needs: its space, the negotiating parties, the notice it requires and
// the process's region.
func (tx *Tx) NoticeSetting(id string) (parley.NoticeSetting, error) {
	var set parley.NoticeSetting
	g, sp, err := tx.groupSpace(id)
	if err != nil {
		return set, err
	}
	set.Space = sp
	if set.Parties, err = tx.NegotiatingParties(g.ProcessID); err != nil {
		return set, err
	}
	if set.NoticeHours, err = noticeHours(tx.ctx, tx.tx, g.ID); err != nil {
		return set, err
	}
	rules, err := tx.TruceRules(g.ProcessID)
	set.Region = rules.Region
	return set, err
}

// NotificationSetting loads notification id with its space, for a
// decision.
func (tx *Tx) NotificationSetting(id string) (parley.NotificationSetting, error) {
	var set parley.NotificationSetting
	var err error
	if set.Notification, err = readNotification(tx.ctx, tx.tx, `WHERE n.id = $1`, id); err != nil {
		return set, err
	}
	set.Space, err = tx.Space(set.Notification.SpaceID)
	return set, err
}

// NoticeHours returns the notice working group group requires, in hours,
// to one who may see its process.
func (db *DB) NoticeHours(ctx context.Context, a parley.Actor, group string) (int, error) {
	if _, err := db.Group(ctx, a, group); err != nil {
		return 0, err
	}
	return noticeHours(ctx, db.sql, group)
}

// Notification returns notification id if a may read its space.
func (db *DB) Notification(ctx context.Context, a parley.Actor, id string) (parley.Notification, error) {
	q := args{id}
	return readNotification(ctx, db.sql, `JOIN spaces s ON s.id = n.space_id WHERE n.id = $1 AND `+canRead(spaceCols, a, &q), q...)
}

// Notifications returns the humanitarian notifications of working group
// group that a may read, by their start.
func (db *DB) Notifications(ctx context.Context, a parley.Actor, group string) ([]parley.Notification, error) {
	q := args{group}
	rows, err := db.sql.QueryContext(ctx, notificationSelect+` JOIN spaces s ON s.id = n.space_id WHERE n.group_id = $1 AND `+
		canRead(spaceCols, a, &q)+` ORDER BY n.starts_at, n.id`, q...)
	if err != nil {
		return nil, fmt.Errorf("store: list notifications: %w", err)
	}
	ns, err := collect(rows, scanNotification)
	if err != nil {
		return nil, err
	}
	if ns == nil {
		ns = []parley.Notification{}
	}
	return ns, notificationNotes(ctx, db.sql, ns)
}
