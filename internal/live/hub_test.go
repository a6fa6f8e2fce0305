package live_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/live"
	"github.com/parley-talks/parley/internal/store"
	"github.com/parley-talks/parley/internal/storetest"
)

func TestHubFiltersByVisibility(t *testing.T) {
	h := live.NewHub(16, nil)
	headA := parley.Actor{AccountID: "a", Members: []parley.Membership{{ProcessID: "p", PartyID: "A", Role: parley.RoleHead}}}
	headB := parley.Actor{AccountID: "b", Members: []parley.Membership{{ProcessID: "p", PartyID: "B", Role: parley.RoleHead}}}
	sa, sb := h.Subscribe(headA), h.Subscribe(headB)
	caucusA := parley.SpaceScope(parley.Space{ID: "s1", ProcessID: "p", Kind: parley.SpaceParty, PartyID: "A"})
	heads := parley.SpaceScope(parley.Space{ID: "s2", ProcessID: "p", Kind: parley.SpaceHeads})
	h.Publish([]parley.Event{
		{Seq: 1, Scope: caucusA, Data: &parley.MessagePosted{Body: "A only"}},
		{Seq: 2, Scope: heads, Data: &parley.MessagePosted{Body: "both"}},
	})
	if e := <-sa.C; e.Seq != 1 {
		t.Errorf("A first got %d", e.Seq)
	}
	if e := <-sa.C; e.Seq != 2 {
		t.Errorf("A second got %d", e.Seq)
	}
	if e := <-sb.C; e.Seq != 2 {
		t.Errorf("B got %d, want only the heads' event 2", e.Seq)
	}
	select {
	case e := <-sb.C:
		t.Errorf("B got another event: %d", e.Seq)
	default:
	}
}

func TestHubDropsSlowSubscriber(t *testing.T) {
	h := live.NewHub(2, nil)
	a := parley.Actor{AccountID: "a", Members: []parley.Membership{{ProcessID: "p", PartyID: "A", Role: parley.RoleHead}}}
	slow, fast := h.Subscribe(a), h.Subscribe(a)
	sc := parley.ProcessScope("p")
	for i := 1; i <= 10; i++ {
		h.Publish([]parley.Event{{Seq: int64(i), Scope: sc, Data: &parley.MessagePosted{}}})
		if e := <-fast.C; e.Seq != int64(i) {
			t.Fatalf("fast subscriber got %d, want %d", e.Seq, i)
		}
	}
	n := 0
	for range slow.C { // closed after its buffer filled
		n++
	}
	if n != 2 {
		t.Errorf("slow subscriber got %d events before being dropped, want 2", n)
	}
	if h.Len() != 1 {
		t.Errorf("subscribers = %d, want 1", h.Len())
	}
	h.Unsubscribe(fast)
	h.Unsubscribe(slow) // no panic after a drop
}

// TestPostgresInstances runs two instances' hubs on one PostgreSQL database:
// an event written through either instance's writer reaches subscribers on
// both, in record order.
func TestPostgresInstances(t *testing.T) {
	dsn := storetest.FreshPostgres(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	open := func() *store.DB {
		db, err := store.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		return db
	}
	db1, db2 := open(), open()
	w := storetest.NewWorld(t, db1, nil) // instance 1 writes
	w2 := store.NewWriter(db2, nil)      // instance 2 writes too
	defer w2.Close()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	start, _ := db1.LastSeq(ctx)
	hubs := []*live.Hub{live.NewHub(64, nil), live.NewHub(64, nil)}
	subs := make([]*live.Subscription, 2)
	for i, h := range hubs {
		subs[i] = h.Subscribe(w.HeadB)
		db := []*store.DB{db1, db2}[i]
		go live.ListenPostgres(ctx, dsn, start, db.AllEvents, h, 200*time.Millisecond, log)
	}
	sp := w.SpaceOf(parley.SpaceHeads, "")
	w.Must(t, w.HeadA, parley.StartThread{SpaceID: sp.ID, Title: "t", Body: "from instance 1"})
	caucus := w.SpaceOf(parley.SpaceParty, w.PartyA.ID)
	w.Must(t, w.HeadA, parley.StartThread{SpaceID: caucus.ID, Title: "t", Body: "A's secret"})
	if _, err := w2.Write(ctx, func(tx *store.Tx) ([]parley.Event, error) {
		return []parley.Event{{At: time.Now(), Actor: w.HeadB.AccountID, Scope: parley.SpaceScope(sp), Data: &parley.ThreadStarted{ThreadID: "t-2", SpaceID: sp.ID, Title: "from instance 2"}}}, nil
	}); err != nil {
		t.Fatal(err)
	}
	for i, s := range subs {
		var got []string
		deadline := time.After(10 * time.Second)
		for len(got) < 3 {
			select {
			case e := <-s.C:
				got = append(got, e.Type())
				if e.Scope.Space.Kind == parley.SpaceParty {
					t.Errorf("instance %d: head of B received A's caucus event", i+1)
				}
			case <-deadline:
				t.Fatalf("instance %d: got %v, want 3 events", i+1, got)
			}
		}
		want := "[thread.started message.posted thread.started]"
		if s := fmtList(got); s != want {
			t.Errorf("instance %d: got %s, want %s", i+1, s, want)
		}
	}
}

func fmtList(s []string) string {
	out := "["
	for i, x := range s {
		if i > 0 {
			out += " "
		}
		out += x
	}
	return out + "]"
}
