package storetest

import (
	"context"
	"testing"

	"github.com/parley-talks/parley"
)

// testPublicReads checks what the public pages read without an actor: the
// processes with a public space, their parties' and working groups' names
// (and nothing of the groups' spaces), and the record's last entry.
func testPublicReads(t *testing.T, open Open) {
	w := NewWorld(t, open(t), nil)
	ctx := context.Background()
	ps, err := w.DB.PublicProcesses(ctx)
	if err != nil || len(ps) != 1 || ps[0].ID != w.Process.ID || ps[0].Title != w.Process.Title {
		t.Fatalf("public processes %+v %v", ps, err)
	}
	if p, err := w.DB.PublicProcess(ctx, w.Process.ID); err != nil || p.ID != w.Process.ID {
		t.Errorf("public process %+v %v", p, err)
	}
	if _, err := w.DB.PublicProcess(ctx, "no-such-process"); parley.ErrorCode(err) != parley.ENOTFOUND {
		t.Errorf("a process that does not exist: %v", err)
	}
	parties, err := w.DB.PublicParties(ctx, w.Process.ID)
	if err != nil || len(parties) != 4 || parties[0].Names.In(parley.English) != "A" || parties[2].Kind != parley.PartyMediator {
		t.Errorf("public parties %+v %v", parties, err)
	}
	groups, err := w.DB.PublicGroups(ctx, w.Process.ID)
	if err != nil || len(groups) != 3 {
		t.Fatalf("public groups %+v %v", groups, err)
	}
	for _, g := range groups {
		if g.SpaceID != "" || g.Names.In(parley.English) != string(g.Kind) {
			t.Errorf("public group %+v", g)
		}
	}
	w.Must(t, w.HeadA, parley.StartThread{SpaceID: w.SpaceOf(parley.SpaceParty, w.PartyA.ID).ID, Title: "t", Body: "b"})
	last, err := w.DB.LastSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // the second from the prepared statement
		if n, err := w.DB.PublicStamp(ctx); n != last || err != nil {
			t.Errorf("public stamp %d (%v), want %d", n, err, last)
		}
	}
}
