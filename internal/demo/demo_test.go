package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/auth"
	"github.com/parley-talks/parley/internal/demo"
	"github.com/parley-talks/parley/internal/service"
	"github.com/parley-talks/parley/internal/store"
	"github.com/parley-talks/parley/internal/storetest"
)

func TestInstall(t *testing.T) {
	ctx := context.Background()
	db := storetest.OpenSQLite(t)
	w := store.NewWriter(db, nil)
	t.Cleanup(w.Close)
	svc := service.New(db, w, time.Now, nil)
	sc, err := demo.Load()
	if err != nil {
		t.Fatal(err)
	}
	cheap := auth.Params{Memory: 1024, Time: 1, Threads: 1}
	fresh, err := sc.Install(ctx, db, svc, cheap)
	if err != nil || !fresh {
		t.Fatalf("Install = %v, %v", fresh, err)
	}
	// A second start keeps what is there.
	if fresh, err := sc.Install(ctx, db, svc, cheap); err != nil || fresh {
		t.Fatalf("second Install = %v, %v", fresh, err)
	}
	acc, cred, err := db.AccountByUsername(ctx, "head.ua")
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := auth.CheckPassword(cred.PasswordHash, sc.Accounts[2].Password()); !ok || !acc.TOTPWaived {
		t.Errorf("head.ua: password ok %v, second factor waived %v", ok, acc.TOTPWaived)
	}
	a, err := db.Actor(ctx, acc.ID, "")
	if err != nil || len(a.Members) != 1 {
		t.Fatalf("head.ua actor: %+v %v", a, err)
	}
	pid := a.Members[0].ProcessID
	rounds, _ := db.Rounds(ctx, a, pid)
	var dates []string
	for _, r := range rounds {
		dates = append(dates, r.StartsOn)
	}
	if want := "[2025-05-16 2025-06-02 2025-07-23]"; fmtList(dates) != want {
		t.Errorf("rounds %v, want %s", dates, want)
	}
	groups, _ := db.Groups(ctx, a, pid)
	if len(groups) != 3 {
		t.Errorf("%d working groups, want 3", len(groups))
	}
	members, _ := db.Members(ctx, a, pid)
	inGroup := map[string]int{}
	for _, m := range members {
		for _, g := range m.Groups {
			inGroup[g]++
		}
	}
	for _, g := range groups {
		if inGroup[g.ID] < 2 {
			t.Errorf("group %s has %d members", g.Names.In(parley.English), inGroup[g.ID])
		}
	}
	// Every kind of space the head may read has a discussion.
	spaces, _ := db.Spaces(ctx, a, pid)
	kinds := map[parley.SpaceKind]bool{}
	for _, s := range spaces {
		ts, err := db.Threads(ctx, a, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(ts) > 0 {
			kinds[s.Kind] = true
		}
	}
	for _, k := range []parley.SpaceKind{parley.SpaceParty, parley.SpaceHeads, parley.SpaceGroup} {
		if !kinds[k] {
			t.Errorf("no discussion in a %s space", k)
		}
	}
}

func TestInstallProposals(t *testing.T) {
	ctx := context.Background()
	db := storetest.OpenSQLite(t)
	w := store.NewWriter(db, nil)
	t.Cleanup(w.Close)
	sc, _ := demo.Load()
	if _, err := sc.Install(ctx, db, service.New(db, w, time.Now, nil), auth.Params{Memory: 1024, Time: 1, Threads: 1}); err != nil {
		t.Fatal(err)
	}
	acc, _, _ := db.AccountByUsername(ctx, "mediator")
	med, _ := db.Actor(ctx, acc.ID, "")
	ps, err := db.Proposals(ctx, med, store.ProposalFilter{Process: med.Members[0].ProcessID})
	if err != nil {
		t.Fatal(err)
	}
	byTitle := map[string]parley.Proposal{}
	for _, p := range ps {
		byTitle[p.Title] = p
	}
	now := time.Now()
	tests := []struct {
		title  string
		status parley.ProposalStatus
		waits  time.Duration // at least
	}{
		{"Three standing online working groups", parley.StatusConsidering, 43 * 24 * time.Hour},
		{"Short truce along the line of contact", parley.StatusCountered, 0},
		{"Humanitarian pause of 72 hours, verified", parley.StatusSubmitted, 5 * 24 * time.Hour},
		{"A meeting of the leaders", parley.StatusSubmitted, 19 * 24 * time.Hour},
		{"Exchange of prisoners: 1,200 for 1,200", parley.StatusAccepted, 0},
	}
	for _, tt := range tests {
		p, ok := byTitle[tt.title]
		if !ok {
			t.Errorf("the mediator does not see %q", tt.title)
			continue
		}
		if p.Status != tt.status || p.Waiting(now) < tt.waits {
			t.Errorf("%q: %s waiting %v, want %s for at least %v", tt.title, p.Status, p.Waiting(now), tt.status, tt.waits)
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
