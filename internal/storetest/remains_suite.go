package storetest

import (
	"context"
	"testing"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/store"
)

// testRemainsLedger runs transfers of remains through the store: recorded
// by the side that hands over and by the mediator on a side's behalf,
// acknowledged by the receiving side once, with a discrepancy; refused
// commands write nothing; the ledger is read newest first with its totals
// and its readers' visibility; and the table replays from the record.
func testRemainsLedger(t *testing.T, open Open) {
	w := NewWorld(t, open(t), nil)
	ctx := context.Background()
	group := w.Groups[parley.GroupHumanitarian]
	a, b := w.PartyA.ID, w.PartyB.ID
	refused := func(who parley.Actor, cmd parley.Command, code string) {
		t.Helper()
		before, err := w.DB.LastSeq(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Service.Do(ctx, who, cmd); parley.ErrorCode(err) != code {
			t.Errorf("%T: %v, want %s", cmd, err, code)
		}
		if after, _ := w.DB.LastSeq(ctx); after != before {
			t.Errorf("%T refused, yet the record grew from %d to %d", cmd, before, after)
		}
	}
	transfer := func(date string, from, to string, n, identified int) parley.RecordRemains {
		return parley.RecordRemains{GroupID: group.ID, Date: date, Crossing: "Checkpoint north", FromParty: from, ToParty: to, Bodies: n,
			RemainsIdentification: parley.RemainsIdentification{Identified: identified, Unidentified: n - identified}}
	}
	id := func(evs []parley.Event) string { return evs[0].Data.(*parley.RemainsRecorded).TransferID }

	if l, err := w.DB.RemainsLedger(ctx, w.HeadA, group.ID); err != nil || len(l.Transfers) != 0 || len(l.Sides) != 2 || l.Sides[0].Party != a {
		t.Errorf("the empty ledger: %+v %v", l, err)
	}

	t1 := id(w.Must(t, w.DelegA, transfer("2025-06-11", a, b, 1212, 12)))
	t2 := id(w.Must(t, w.Mediator, transfer("2025-06-11", b, a, 27, 27)))
	t3 := id(w.Must(t, w.HeadA, transfer("2025-07-16", a, b, 758, 0)))
	refused(w.HeadB, transfer("2025-07-16", a, b, 5, 0), parley.EFORBIDDEN)
	refused(w.Observer, transfer("2025-07-16", a, b, 5, 0), parley.EFORBIDDEN)
	refused(w.Outsider, transfer("2025-07-16", a, b, 5, 0), parley.ENOTFOUND)
	refused(w.DelegA, transfer("2025-07-16", a, b, 5, 6), parley.EINVALID)
	refused(w.DelegA, transfer("2025-07-16", a, w.PartyA.ID+"x", 5, 0), parley.EINVALID)
	refused(w.DelegA, parley.RecordRemains{GroupID: w.Groups[parley.GroupMilitary].ID, Date: "2025-07-16", Crossing: "x", FromParty: a, ToParty: b, Bodies: 1,
		RemainsIdentification: parley.RemainsIdentification{Unidentified: 1}}, parley.ENOTFOUND)

	w.Must(t, w.HeadB, parley.AcknowledgeRemains{TransferID: t1})
	w.Must(t, w.HeadA, parley.AcknowledgeRemains{TransferID: t2})
	refused(w.HeadA, parley.AcknowledgeRemains{TransferID: t3}, parley.EFORBIDDEN)
	refused(w.Mediator, parley.AcknowledgeRemains{TransferID: t3}, parley.EFORBIDDEN)
	refused(w.Outsider, parley.AcknowledgeRemains{TransferID: t3}, parley.ENOTFOUND)
	refused(w.DelegB, parley.AcknowledgeRemains{TransferID: t3, Received: -1}, parley.EINVALID)
	refused(w.HeadB, parley.AcknowledgeRemains{TransferID: t1}, parley.ECONFLICT)
	refused(w.HeadB, parley.AcknowledgeRemains{TransferID: "nosuch"}, parley.ENOTFOUND)
	w.Must(t, w.DelegB, parley.AcknowledgeRemains{TransferID: t3, Received: 757, Note: "Received 757, not 758."})
	refused(w.DelegB, parley.AcknowledgeRemains{TransferID: t3}, parley.ECONFLICT)
	t4 := id(w.Must(t, w.HeadA, transfer("2025-07-20", a, b, 1000, 0)))

	l, err := w.DB.RemainsLedger(ctx, w.DelegB, group.ID)
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, x := range l.Transfers {
		order = append(order, x.ID)
	}
	if len(order) != 4 || order[0] != t4 || order[1] != t3 || order[2] != t2 || order[3] != t1 {
		t.Errorf("the ledger is not newest first: %v", order)
	}
	got := l.Transfers[1]
	if got.Ack == nil || got.Ack.Received != 757 || got.Ack.Note != "Received 757, not 758." || got.Ack.Party != b || got.Ack.By != w.DelegB.AccountID ||
		got.Discrepancy() != -1 || got.Bodies != 758 || got.Crossing != "Checkpoint north" || got.RecordedBy != w.HeadA.AccountID || got.SpaceID != group.SpaceID {
		t.Errorf("the transfer with a discrepancy: %+v %+v", got, got.Ack)
	}
	if l.Transfers[0].Ack != nil || l.Transfers[2].RecordedBy != w.Mediator.AccountID {
		t.Errorf("transfers %+v", l.Transfers)
	}
	sa, sb := l.Side(a), l.Side(b)
	if sa.HandedOver != 2970 || sa.Transfers != 3 || sa.Identified != 12 || sa.Received != 27 || sa.Awaiting != 0 ||
		sb.HandedOver != 27 || sb.Received != 1969 || sb.Awaiting != 1000 {
		t.Errorf("totals A %+v, B %+v", sa, sb)
	}

	// Who reads the ledger is who reads the group's space.
	sp := parley.Space{ID: group.SpaceID, ProcessID: w.Process.ID, Kind: parley.SpaceGroup, GroupID: group.ID}
	for name, who := range w.Actors() {
		l, err := w.DB.RemainsLedger(ctx, who, group.ID)
		_, errOne := w.DB.RemainsTransfer(ctx, who, t1)
		want := parley.Allowed(who, parley.ActRead, sp)
		if (err == nil && len(l.Transfers) == 4) != want || (errOne == nil) != want {
			t.Errorf("%s reads the ledger: %d transfers, %v, %v; the policy says %v", name, len(l.Transfers), err, errOne, want)
		}
		if !want && err != nil && parley.ErrorCode(err) != parley.ENOTFOUND {
			t.Errorf("%s: %v, want ENOTFOUND", name, err)
		}
	}
	if l, err := w.DB.RemainsLedger(ctx, w.HeadA, w.Groups[parley.GroupMilitary].ID); err != nil || len(l.Transfers) != 0 {
		t.Errorf("the military group's ledger: %+v %v", l, err)
	}

	// The table is what the record says.
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
