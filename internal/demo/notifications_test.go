package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/parley-talks/parley"
)

// TestInstallNotifications: the humanitarian group requires 24 hours'
// notice and holds an acknowledged evacuation of wounded, a convoy
// questioned and answered, and a corridor awaiting acknowledgement, none
// sent on short notice; the observer reads them, the military group has
// none.
func TestInstallNotifications(t *testing.T) {
	ctx := context.Background()
	db := installed(t)
	acc, _, _ := db.AccountByUsername(ctx, "observer")
	a, _ := db.Actor(ctx, acc.ID, "")
	var group, military string
	if err := db.SQL().QueryRowContext(ctx, `SELECT id FROM working_groups WHERE kind = 'humanitarian'`).Scan(&group); err != nil {
		t.Fatal(err)
	}
	if err := db.SQL().QueryRowContext(ctx, `SELECT id FROM working_groups WHERE kind = 'military'`).Scan(&military); err != nil {
		t.Fatal(err)
	}
	if h, err := db.NoticeHours(ctx, a, group); err != nil || h != 24 {
		t.Errorf("notice %d %v", h, err)
	}
	ns, err := db.Notifications(ctx, a, group)
	if err != nil || len(ns) != 3 {
		t.Fatalf("notifications %d %v", len(ns), err)
	}
	got := map[parley.NotificationKind]parley.Notification{}
	for _, n := range ns {
		got[n.Kind] = n
		if n.ShortNotice || n.Notice() < 24*time.Hour || n.StatusAt(time.Now()) == parley.NoticeDone {
			t.Errorf("%s: %+v", n.Kind, n)
		}
	}
	if ev := got[parley.NotifyEvacuation]; ev.Status != parley.NoticeAcknowledged || len(ev.Points) == 0 {
		t.Errorf("evacuation %+v", ev)
	}
	if c := got[parley.NotifyConvoy]; c.Status != parley.NoticeAnswered || len(c.Notes) != 2 || c.Notes[0].Kind != "question" {
		t.Errorf("convoy %+v", c)
	}
	if c := got[parley.NotifyCorridor]; c.Status != parley.NoticeNotified {
		t.Errorf("corridor %+v", c)
	}
	if ns, err := db.Notifications(ctx, a, military); err != nil || len(ns) != 0 {
		t.Errorf("military: %d %v", len(ns), err)
	}
}
