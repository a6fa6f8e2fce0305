package demo_test

import (
	"context"
	"testing"
)

// TestInstallRemains: the humanitarian group's ledger has the asymmetry of
// the news reports — thousands of bodies handed over by one side, dozens
// by the other, in several transfers over recent months — most of them
// acknowledged, one with a discrepancy, the latest awaiting the receiving
// side.
func TestInstallRemains(t *testing.T) {
	ctx := context.Background()
	db := installed(t)
	acc, _, _ := db.AccountByUsername(ctx, "head.ua")
	a, _ := db.Actor(ctx, acc.ID, "")
	var group string
	if err := db.SQL().QueryRowContext(ctx, `SELECT id FROM working_groups WHERE kind = 'humanitarian'`).Scan(&group); err != nil {
		t.Fatal(err)
	}
	l, err := db.RemainsLedger(ctx, a, group)
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Transfers) < 6 || len(l.Sides) != 2 {
		t.Fatalf("%d transfers, %d sides", len(l.Transfers), len(l.Sides))
	}
	ua, ru := l.Side(a.Members[0].PartyID), l.Side(l.Transfers[0].FromParty)
	if ru.HandedOver != 6060 || ua.HandedOver != 78 || ru.Transfers < 5 || ua.Transfers < 2 {
		t.Errorf("handed over: %+v, %+v", ru, ua)
	}
	if l.Transfers[0].Ack != nil || l.Transfers[0].ToParty != ua.Party || ua.Awaiting != l.Transfers[0].Bodies {
		t.Errorf("the latest transfer %+v does not await the receiving side", l.Transfers[0])
	}
	discrepancies := 0
	for _, x := range l.Transfers[1:] {
		if x.Ack == nil {
			t.Errorf("transfer of %s not acknowledged", x.Date)
		} else if x.Discrepancy() != 0 && x.Ack.Note != "" {
			discrepancies++
		}
	}
	if discrepancies != 1 {
		t.Errorf("%d transfers with a discrepancy, want 1", discrepancies)
	}
	if first, last := l.Transfers[len(l.Transfers)-1].Date, l.Transfers[0].Date; first >= last {
		t.Errorf("transfers from %s to %s", first, last)
	}
}
