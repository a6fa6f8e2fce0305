package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/auth"
	"github.com/parley-talks/parley/internal/demo"
	"github.com/parley-talks/parley/internal/memodiff"
	"github.com/parley-talks/parley/internal/record"
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
	db := installed(t)
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

// TestInstallMemoranda: each party's own draft in its caucus, and the
// joint text in the political group, partly agreed, with brackets left on
// the hard points, a translation out of date, and a named version taken
// before the last changes.
func TestInstallMemoranda(t *testing.T) {
	ctx := context.Background()
	db := installed(t)
	actor := func(user string) parley.Actor {
		acc, _, _ := db.AccountByUsername(ctx, user)
		a, _ := db.Actor(ctx, acc.ID, "")
		return a
	}
	titles := func(a parley.Actor) map[string]parley.Memorandum {
		ms, err := db.Memos(ctx, a, a.Members[0].ProcessID)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]parley.Memorandum{}
		for _, m := range ms {
			out[m.Title] = m
		}
		return out
	}
	const (
		joint = "Memorandum on a ceasefire and humanitarian questions"
		ua    = "Memorandum on a ceasefire and humanitarian questions — Ukraine's draft"
		ru    = "Memorandum on a ceasefire — draft of the Russian Federation"
	)
	headUA, headRU, med := titles(actor("head.ua")), titles(actor("head.ru")), titles(actor("mediator"))
	// Each party shared its draft with the political group: everyone there
	// reads both drafts side by side with the joint text; the originals
	// stay in their caucuses.
	for name, got := range map[string]map[string]parley.Memorandum{"head.ua": headUA, "head.ru": headRU, "mediator": med} {
		for _, title := range []string{joint, ua, ru} {
			if _, ok := got[title]; !ok {
				t.Errorf("%s does not read %q", name, title)
			}
		}
	}
	count := func(a parley.Actor) (caucus, shared int) {
		ms, _ := db.Memos(ctx, a, a.Members[0].ProcessID)
		for _, m := range ms {
			if sp, err := db.Space(ctx, a, m.SpaceID); err == nil && sp.Kind == parley.SpaceParty {
				caucus++
			} else {
				shared++
			}
		}
		return caucus, shared
	}
	for name, want := range map[string][2]int{"head.ua": {1, 3}, "head.ru": {1, 3}, "mediator": {0, 3}} {
		if c, sh := count(actor(name)); c != want[0] || sh != want[1] {
			t.Errorf("%s reads %d memoranda in a caucus and %d shared, want %v", name, c, sh, want)
		}
	}

	m, items, err := db.Memo(ctx, actor("mediator"), med[joint].ID)
	if err != nil {
		t.Fatal(err)
	}
	var sections, clauses, agreed, bothBracketed, stale int
	var changed parley.Clause
	for _, c := range items {
		if c.Kind == parley.KindSection {
			sections++
			continue
		}
		clauses++
		if c.Status == parley.ClauseStatusAgreed {
			agreed++
		}
		by := map[string]bool{}
		for _, a := range c.Alternatives {
			by[a.TabledBy] = true
			if len(a.Stances) < 2 {
				t.Errorf("clause %s: an alternative with stances %v, want both parties'", c.Number, a.Stances)
			}
		}
		if len(by) == 2 {
			bothBracketed++
		}
		if len(c.Stale) == 1 {
			stale++
			changed = c
		}
	}
	if sections != 3 || clauses != 9 || agreed != 5 || bothBracketed != 2 || stale != 1 {
		t.Errorf("joint text: %d sections, %d clauses, %d agreed, %d bracketed by both, %d with a translation out of date; want 3, 9, 5, 2, 1",
			sections, clauses, agreed, bothBracketed, stale)
	}
	if changed.Stale[0] != parley.Ukrainian || changed.Status != parley.ClauseStatusBracketed {
		t.Errorf("the changed clause: %s, out of date %v", changed.Status, changed.Stale)
	}
	if len(m.Languages) != 3 {
		t.Errorf("languages %v", m.Languages)
	}

	// The named version was taken before the last changes: comparing it
	// with the current text shows the changed clause alone.
	vs, err := db.MemoVersions(ctx, actor("head.ua"), m.ID)
	if err != nil || len(vs) != 1 || vs[0].Name != "Draft of 2 June" {
		t.Fatalf("versions %+v %v", vs, err)
	}
	v, err := db.MemoVersion(ctx, actor("head.ru"), vs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	var diff []string
	for _, ch := range memodiff.CompareVersions(v.Clauses, parley.Snapshot(items)) {
		if ch.Changed() {
			diff = append(diff, ch.ToNumber)
		}
	}
	if fmtList(diff) != "["+changed.Number+"]" {
		t.Errorf("changed since the named version: %v, want [%s]", diff, changed.Number)
	}

	// Ukraine's draft beside the joint text: aligned clause by clause.
	_, uaItems, err := db.Memo(ctx, actor("head.ua"), headUA[ua].ID)
	if err != nil {
		t.Fatal(err)
	}
	pairs := memodiff.AlignDrafts(parley.Snapshot(uaItems), parley.Snapshot(items))
	both := 0
	for _, p := range pairs {
		if p.Left != nil && p.Right != nil {
			both++
		}
	}
	if both != len(uaItems) {
		t.Errorf("%d of Ukraine's %d items aligned with the joint text", both, len(uaItems))
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

// TestInstallMeetings: the demo has the heads' private talk before the
// round with minutes approved by both, a working group's session whose
// minutes await Russia's approval, one live now and one to come.
func TestInstallMeetings(t *testing.T) {
	ctx := context.Background()
	now := time.Now()
	db := installed(t)
	acc, _, _ := db.AccountByUsername(ctx, "mediator")
	med, _ := db.Actor(ctx, acc.ID, "")
	ms, err := db.Meetings(ctx, med, med.Members[0].ProcessID, "")
	if err != nil || len(ms) != 4 {
		t.Fatalf("%d meetings (%v), want 4", len(ms), err)
	}
	parties, _ := db.Parties(ctx, med, med.Members[0].ProcessID)
	var negotiating []string
	for _, p := range parties {
		if p.Kind == parley.PartyNegotiating {
			negotiating = append(negotiating, p.ID)
		}
	}
	by := map[parley.MeetingStatus][]parley.Meeting{}
	for _, m := range ms {
		full, err := db.Meeting(ctx, med, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		by[m.Status] = append(by[m.Status], full)
	}
	if len(by[parley.MeetingStatusEnded]) != 2 || len(by[parley.MeetingStatusLive]) != 1 || len(by[parley.MeetingStatusScheduled]) != 1 {
		t.Fatalf("statuses %v", by)
	}
	heads, group := by[parley.MeetingStatusEnded][0], by[parley.MeetingStatusEnded][1]
	if !heads.Approved(negotiating) || heads.GroupID != "" || heads.Duration != 20 {
		t.Errorf("the heads' talk: %+v", heads)
	}
	if group.Approved(negotiating) || len(group.Approvals) != 1 || len(group.Actions) != 2 || group.Agenda[0].RefTitle == "" {
		t.Errorf("the humanitarian session: %+v", group)
	}
	live := by[parley.MeetingStatusLive][0]
	if live.CurrentItem != live.Agenda[1].ID || len(live.Present()) != 4 || live.Start.After(now) || live.End().Before(now) {
		t.Errorf("the live session: %+v", live)
	}
	if next := by[parley.MeetingStatusScheduled][0]; !next.Start.After(now) || next.CallURL == "" {
		t.Errorf("the next meeting: %+v", next)
	}
}

// TestInstallTruces: the 48-hour truce proposal and its 72-hour counter
// carry their areas on the map; one local pause, accepted and notified by
// both sides, holds now, with a disputed violation.
func TestInstallTruces(t *testing.T) {
	ctx := context.Background()
	now := time.Now()
	db := installed(t)
	acc, _, _ := db.AccountByUsername(ctx, "head.ru")
	a, _ := db.Actor(ctx, acc.ID, "")
	ps, err := db.Proposals(ctx, a, store.ProposalFilter{Process: a.Members[0].ProcessID})
	if err != nil {
		t.Fatal(err)
	}
	shaped := 0
	for _, p := range ps {
		if p.Details.Truce != nil && len(p.Details.Truce.Shapes) > 0 {
			shaped++
		}
	}
	if shaped < 3 {
		t.Errorf("%d truce proposals with an area on the map, want the proposal, its counter and the local pause", shaped)
	}
	ts, err := db.Truces(ctx, a, a.Members[0].ProcessID)
	if err != nil || len(ts) != 1 {
		t.Fatalf("truces %d %v", len(ts), err)
	}
	tr := ts[0]
	if tr.Status != parley.TruceActive || tr.Start().After(now) || tr.End().Before(now) || len(tr.Notices) != 2 || !tr.ActiveAt.Equal(tr.Start()) {
		t.Errorf("the local pause: %+v", tr)
	}
	vs, err := db.Violations(ctx, a, tr.ID)
	if err != nil || len(vs) != 1 || vs[0].Status != "disputed" || vs[0].Segment != "Segment 3, Vasylivka" {
		t.Errorf("violations %+v %v", vs, err)
	}
}

// TestInstallExchange: the accepted proposal of 1,200 for 1,200 is an
// exchange agreement of the humanitarian group, in four categories adding
// up to 1,200 per side, its four stages planned and carrying all of them.
func TestInstallExchange(t *testing.T) {
	ctx := context.Background()
	db := installed(t)
	acc, _, _ := db.AccountByUsername(ctx, "mediator")
	a, _ := db.Actor(ctx, acc.ID, "")
	var group string
	if err := db.SQL().QueryRowContext(ctx, `SELECT id FROM working_groups WHERE kind = 'humanitarian'`).Scan(&group); err != nil {
		t.Fatal(err)
	}
	xs, err := db.Exchanges(ctx, a, group)
	if err != nil || len(xs) != 1 {
		t.Fatalf("exchanges %d %v", len(xs), err)
	}
	x := xs[0]
	if x.Terms.Total != 1200 || x.Terms.AllForAll || len(x.Terms.Categories) != 4 || x.Terms.Categories[0].Count != 120 || x.ProposalID == "" {
		t.Errorf("terms %+v", x.Terms)
	}
	if len(x.Stages) != 4 || x.Stages[0].Size() != 390 {
		t.Fatalf("stages %+v", x.Stages)
	}
	for _, c := range x.Terms.Categories {
		if x.Planned(c.Code) != c.Count {
			t.Errorf("%s: the stages carry %d of %d", c.Code, x.Planned(c.Code), c.Count)
		}
	}
}

// TestInstallStatements: the statement on the three working groups and the
// figures of the exchange are published; a statement awaits the second
// approval; Russia's own statement is published under its name.
func TestInstallStatements(t *testing.T) {
	ctx := context.Background()
	db := installed(t)
	acc, _, _ := db.AccountByUsername(ctx, "mediator")
	med, _ := db.Actor(ctx, acc.ID, "")
	process := med.Members[0].ProcessID
	pub, err := db.PublishedStatements(ctx, process)
	if err != nil || len(pub) != 3 {
		t.Fatalf("%d published (%v), want 3", len(pub), err)
	}
	figures, unilateral := 0, 0
	for _, s := range pub {
		figures += len(s.Figures)
		if s.Kind == parley.UnilateralStatement {
			unilateral++
		}
	}
	if figures != 3 || unilateral != 1 {
		t.Errorf("figures %d, unilateral %d", figures, unilateral)
	}
	all, _ := db.Statements(ctx, med, process)
	waiting := 0
	for _, s := range all {
		if s.Status == parley.StatementStatusDraft && len(s.Approvals) == 1 {
			waiting++
		}
	}
	if waiting != 1 {
		t.Errorf("%d statements await the second approval, want 1", waiting)
	}
}

// installed returns a fresh database with the demo installed in it.
func installed(t *testing.T) *store.DB {
	t.Helper()
	db := storetest.OpenSQLite(t)
	w := store.NewWriter(db, nil)
	t.Cleanup(w.Close)
	sc, err := demo.Load()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sc.Install(context.Background(), db, service.New(db, w, time.Now, nil), auth.Params{Memory: 1024, Time: 1, Threads: 1}); err != nil {
		t.Fatal(err)
	}
	return db
}

// TestDemoSignedAct: the demo holds an acceptance signed with head.ru's
// passkey (the demo's software key), and its signature verifies from the
// record alone; the key, whose private half is gone, is no longer on his
// account.
func TestDemoSignedAct(t *testing.T) {
	ctx := context.Background()
	db := storetest.OpenSQLite(t)
	w := store.NewWriter(db, nil)
	t.Cleanup(w.Close)
	svc := service.New(db, w, time.Now, nil)
	sc, err := demo.Load()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sc.Install(ctx, db, svc, auth.Params{Memory: 1024, Time: 1, Threads: 1}); err != nil {
		t.Fatal(err)
	}
	acc, _, err := db.AccountByUsername(ctx, "head.ru")
	if err != nil {
		t.Fatal(err)
	}
	keys, err := db.Passkeys(ctx, acc.ID)
	if err != nil || len(keys) != 0 {
		t.Fatalf("head.ru's passkeys: %d, %v", len(keys), err)
	}
	var signed int
	err = db.ScanEntries(ctx, func(seq int64, entry, _, _ []byte) error {
		ent, err := record.Unmarshal(entry)
		if err != nil {
			return err
		}
		fp, err := auth.CheckSignedEntry(ent.Type, ent.Actor, ent.Data)
		if err != nil {
			return err
		}
		if fp != "" {
			signed++
			if ent.Type != "proposal.accepted" || ent.Actor != acc.ID {
				t.Errorf("entry %d: a signed %s by %s", seq, ent.Type, ent.Actor)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if signed != 1 {
		t.Fatalf("the demo's record holds %d signed acts, want 1", signed)
	}
}
