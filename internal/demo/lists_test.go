package demo_test

import (
	"context"
	"testing"

	"github.com/parley-talks/parley"
)

// TestInstallLists: the demo's exchange has its four lists, reconciled so
// that most people are matched and some await review; people are on their
// way home at every step, one held back, one who does not wish to return;
// and every import is in the access log.
func TestInstallLists(t *testing.T) {
	ctx := context.Background()
	db := installed(t)
	acc, _, _ := db.AccountByUsername(ctx, "head.ua")
	a, _ := db.Actor(ctx, acc.ID, "")
	var x, ua, ru string
	if err := db.SQL().QueryRowContext(ctx, `SELECT id FROM exchanges`).Scan(&x); err != nil {
		t.Fatal(err)
	}
	for key, p := range map[string]*string{"ua": &ua, "ru": &ru} {
		if err := db.SQL().QueryRowContext(ctx, `SELECT p.id FROM parties p WHERE p.kind = 'party' ORDER BY position LIMIT 1 OFFSET $1`,
			map[string]int{"ua": 0, "ru": 1}[key]).Scan(p); err != nil {
			t.Fatal(err)
		}
	}
	counts := map[string]int{}
	cs, err := db.ListCounts(ctx, a, x)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		counts[c.PartyID+"/"+string(c.List)] += c.Count
	}
	if counts[ua+"/asked"] != 1200 || counts[ru+"/held"] != 1200+60 || counts[ru+"/asked"] != 1200 || counts[ua+"/held"] != 1200+35 {
		t.Errorf("list sizes %v", counts)
	}
	tallies, err := db.PairTallies(ctx, a, x)
	if err != nil {
		t.Fatal(err)
	}
	ta := tallies[ua]
	if ta.Match < 1000 || ta.Possible == 0 || ta.Confirmed != 40 || ta.Disputed != 1 || ta.Unknown == 0 {
		t.Errorf("Ukraine's reconciliation: %+v", ta)
	}
	cases, err := db.Repatriations(ctx, a, x)
	if err != nil {
		t.Fatal(err)
	}
	steps := map[parley.Step]int{}
	for _, c := range cases {
		steps[c.Step()]++
	}
	if steps[parley.StepReceived] != 10 || steps[parley.StepHeldBack] != 1 || steps[parley.StepDeclined] != 1 || steps[parley.StepHandedOver] != 4 ||
		steps[parley.StepAssigned] != 8 || steps[parley.StepFit] != 6 {
		t.Errorf("steps %v", steps)
	}
	var process string
	if err := db.SQL().QueryRowContext(ctx, `SELECT process_id FROM exchanges WHERE id = $1`, x).Scan(&process); err != nil {
		t.Fatal(err)
	}
	log, err := db.AccessLog(ctx, a, process, 100)
	if err != nil {
		t.Fatal(err)
	}
	imports := 0
	for _, l := range log {
		if l.Access == parley.AccessImport {
			imports++
		}
	}
	if imports != 4 {
		t.Errorf("%d imports in the access log, want 4", imports)
	}
}
