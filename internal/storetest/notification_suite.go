package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/store"
)

// testNotificationLifecycle runs humanitarian notifications through the
// store, on a clock of its own: the mediator's notice period, a notice
// refused and one sent as short notice, acknowledgement, a question and
// its answer, cancellation, each read with its readers' visibility; refused
// commands write nothing, and the tables replay from the record.
func testNotificationLifecycle(t *testing.T, open Open) {
	w := NewWorld(t, open(t), nil)
	ctx := context.Background()
	now := time.Date(2030, 3, 1, 8, 0, 0, 0, time.UTC)
	svc := w.WithClock(func() time.Time { return now })
	group := w.Groups[parley.GroupHumanitarian]
	do := func(a parley.Actor, cmd parley.Command) []parley.Event {
		t.Helper()
		evs, err := svc.Do(ctx, a, cmd)
		if err != nil {
			t.Fatalf("%T: %v", cmd, err)
		}
		return evs
	}
	refused := func(a parley.Actor, cmd parley.Command, code string) {
		t.Helper()
		before, err := w.DB.LastSeq(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Do(ctx, a, cmd); parley.ErrorCode(err) != code {
			t.Errorf("%T: %v, want %s", cmd, err, code)
		}
		if after, _ := w.DB.LastSeq(ctx); after != before {
			t.Errorf("%T refused, yet the record grew from %d to %d", cmd, before, after)
		}
	}
	notify := func(starts time.Time) parley.Notify {
		return parley.Notify{GroupID: group.ID, NotificationTerms: parley.NotificationTerms{Kind: parley.NotifyEvacuation,
			Route: "From the field hospital to the crossing", Points: []parley.Point{{37.55, 47.1}, {37.6, 47.2}},
			Starts: starts, Ends: starts.Add(6 * time.Hour), TimeZone: "Europe/Kyiv", Purpose: "Evacuation of wounded", Vehicles: 4, People: 30}}
	}

	// The notice period: the default, then the mediator's.
	if h, err := w.DB.NoticeHours(ctx, w.HeadA, group.ID); err != nil || h != parley.DefaultNoticeHours {
		t.Errorf("default notice: %d %v", h, err)
	}
	refused(w.HeadA, parley.SetNoticePeriod{GroupID: group.ID, Hours: 2}, parley.EFORBIDDEN)
	refused(w.Mediator, parley.SetNoticePeriod{GroupID: group.ID, Hours: -2}, parley.EINVALID)
	do(w.Mediator, parley.SetNoticePeriod{GroupID: group.ID, Hours: 48})
	if h, err := w.DB.NoticeHours(ctx, w.DelegB, group.ID); err != nil || h != 48 {
		t.Errorf("notice: %d %v", h, err)
	}

	// Too little notice is refused; at the boundary it is enough.
	refused(w.DelegA, notify(now.Add(47*time.Hour)), parley.EINVALID)
	refused(w.Mediator, notify(now.Add(72*time.Hour)), parley.EFORBIDDEN)
	refused(w.Observer, notify(now.Add(72*time.Hour)), parley.EFORBIDDEN)
	id := do(w.DelegA, notify(now.Add(48*time.Hour)))[0].Data.(*parley.NotificationSent).NotificationID
	short := notify(now.Add(2 * time.Hour))
	short.Kind, short.ShortNotice, short.ShortNoticeReason, short.Points = parley.NotifyConvoy, true, "Medicine for a besieged hospital.", nil
	idShort := do(w.HeadB, short)[0].Data.(*parley.NotificationSent).NotificationID

	n, err := w.DB.Notification(ctx, w.Observer, id)
	if err != nil {
		t.Fatal(err)
	}
	if n.FromParty != w.PartyA.ID || n.ToParty != w.PartyB.ID || n.Status != parley.NoticeNotified || n.ShortNotice || n.NoticeHours != 48 ||
		len(n.Points) != 2 || n.Points[1] != (parley.Point{37.6, 47.2}) || !n.Starts.Equal(now.Add(48*time.Hour)) || n.TimeZone != "Europe/Kyiv" ||
		n.Vehicles != 4 || n.People != 30 || n.SpaceID != group.SpaceID || !n.SentAt.Equal(now) || len(n.Notes) != 0 {
		t.Errorf("read %+v", n)
	}
	if s, _ := w.DB.Notification(ctx, w.HeadA, idShort); !s.ShortNotice || s.ShortNoticeReason == "" || s.ToParty != w.PartyA.ID || s.Points != nil {
		t.Errorf("short notice %+v", s)
	}
	sp := parley.Space{ID: group.SpaceID, ProcessID: w.Process.ID, Kind: parley.SpaceGroup, GroupID: group.ID}
	for name, a := range w.Actors() {
		_, err := w.DB.Notification(ctx, a, id)
		want := parley.Allowed(a, parley.ActRead, sp)
		if (err == nil) != want {
			t.Errorf("%s reads the notification: %v, the policy says %v", name, err, want)
		}
		ns, err := w.DB.Notifications(ctx, a, group.ID)
		if err != nil && want || (len(ns) == 2) != want {
			t.Errorf("%s lists %d notifications (%v), the policy says %v", name, len(ns), err, want)
		}
	}

	// Questioned, answered, acknowledged — by the right sides only.
	refused(w.HeadA, parley.AcknowledgeNotification{NotificationID: id}, parley.EFORBIDDEN)
	refused(w.DelegB, parley.QuestionNotification{NotificationID: id, Text: " "}, parley.EINVALID)
	do(w.DelegB, parley.QuestionNotification{NotificationID: id, Text: "Which crossing?"})
	refused(w.HeadB, parley.AnswerNotification{NotificationID: id, Text: "?"}, parley.EFORBIDDEN)
	do(w.HeadA, parley.AnswerNotification{NotificationID: id, Text: "The northern one."})
	now = now.Add(time.Hour)
	do(w.HeadB, parley.AcknowledgeNotification{NotificationID: id})
	refused(w.DelegB, parley.AcknowledgeNotification{NotificationID: id}, parley.ECONFLICT)
	n, _ = w.DB.Notification(ctx, w.Mediator, id)
	if n.Status != parley.NoticeAcknowledged || !n.AcknowledgedAt.Equal(now) || len(n.Notes) != 2 || n.Notes[0].Kind != "question" ||
		n.Notes[0].PartyID != w.PartyB.ID || n.Notes[1].Text != "The northern one." || n.Notes[1].By != w.HeadA.AccountID {
		t.Errorf("acknowledged %+v", n)
	}

	// Cancelled before the start, not after.
	refused(w.HeadA, parley.CancelNotification{NotificationID: idShort}, parley.EFORBIDDEN)
	do(w.DelegB, parley.CancelNotification{NotificationID: idShort, Reason: "The road is closed."})
	refused(w.HeadB, parley.CancelNotification{NotificationID: idShort}, parley.ECONFLICT)
	now = now.Add(47 * time.Hour)
	refused(w.DelegA, parley.CancelNotification{NotificationID: id}, parley.ECONFLICT)
	now = now.Add(6 * time.Hour)
	ns, err := w.DB.Notifications(ctx, w.HeadB, group.ID)
	if err != nil || len(ns) != 2 || ns[0].ID != idShort || ns[0].Status != parley.NoticeCancelled || ns[0].CancelReason != "The road is closed." ||
		ns[1].StatusAt(now) != parley.NoticeDone {
		t.Errorf("list %+v %v", ns, err)
	}
	if ns, err := w.DB.Notifications(ctx, w.HeadA, w.Groups[parley.GroupMilitary].ID); err != nil || len(ns) != 0 {
		t.Errorf("notifications of the military group: %+v %v", ns, err)
	}

	// The tables are what the record says.
	fresh := open(t)
	if _, err := store.Replay(ctx, w.DB, fresh); err != nil {
		t.Fatal(err)
	}
	diffs, err := store.CompareProjections(ctx, w.DB, fresh)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range diffs {
		t.Errorf("replay: %s", d)
	}
}
