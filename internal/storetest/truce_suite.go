package storetest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/parley-talks/parley"
)

// TruceArea is a segment, a zone and a crossing near Zaporizhzhia.
const TruceArea = `{"type":"FeatureCollection","features":[
 {"type":"Feature","properties":{"name":"Segment 3"},"geometry":{"type":"LineString","coordinates":[[35.10,47.55],[35.40,47.50],[35.70,47.52]]}},
 {"type":"Feature","properties":{"name":"Evacuation zone"},"geometry":{"type":"Polygon","coordinates":[[[35.2,47.6],[35.3,47.6],[35.3,47.7],[35.2,47.7],[35.2,47.6]]]}},
 {"type":"Feature","properties":{"name":"Crossing Vasylivka"},"geometry":{"type":"Point","coordinates":[35.28,47.44]}}]}`

// testTruceLifeCycle runs a truce through the store with a fake clock: a
// truce proposal accepted, both sides notified, the truce begun and ended
// on time by the service's own loop — across a restart — and a violation
// reported, answered and found on.
func testTruceLifeCycle(t *testing.T, open Open) {
	w := NewWorld(t, open(t), nil)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Minute)
	clock := func() time.Time { return now }
	svc := w.WithClock(clock)
	do := func(a parley.Actor, cmd parley.Command) []parley.Event {
		t.Helper()
		evs, err := svc.Do(ctx, a, cmd)
		if err != nil {
			t.Fatalf("%T: %v", cmd, err)
		}
		return evs
	}
	shapes, err := parley.ParseShapes([]byte(TruceArea), parley.DefaultRegion)
	if err != nil {
		t.Fatal(err)
	}
	start := now.Add(2 * time.Hour)
	in := parley.ProposalInput{Kind: parley.ProposalTruce, Title: "Pause to collect the dead", Texts: parley.Texts{parley.English: "A pause of 24 hours."},
		Details: parley.Details{Truce: &parley.TruceDetails{Hours: 24, Starts: start, Purposes: []parley.TrucePurpose{parley.PurposeDead}, Shapes: shapes}}}
	group := w.Groups[parley.GroupMilitary].ID
	if _, err := svc.Do(ctx, w.HeadA, parley.DraftProposal{GroupID: group, ToParty: w.PartyB.ID, ProposalInput: withHours(in, 96)}); parley.ErrorCode(err) != parley.EINVALID {
		t.Errorf("96 hours against the default maximum of 72: %v", err)
	}
	// The mediator agrees a longer maximum; rules are the mediator's.
	if _, err := svc.Do(ctx, w.HeadA, parley.SetTruceRules{ProcessID: w.Process.ID, TruceRules: parley.TruceRules{Region: parley.DefaultRegion, MaxHours: 120}}); parley.ErrorCode(err) != parley.EFORBIDDEN {
		t.Errorf("a head sets the rules: %v", err)
	}
	do(w.Mediator, parley.SetTruceRules{ProcessID: w.Process.ID, TruceRules: parley.TruceRules{Region: parley.DefaultRegion, MaxHours: 120}})
	if rules, err := w.DB.TruceRules(ctx, w.HeadB, w.Process.ID); err != nil || rules.MaxHours != 120 {
		t.Errorf("rules %+v %v", rules, err)
	}
	id := do(w.HeadA, parley.DraftProposal{GroupID: group, ToParty: w.PartyB.ID, ProposalInput: in})[0].Data.(*parley.ProposalDrafted).ProposalID
	do(w.HeadA, parley.SubmitProposal{ProposalID: id})
	if _, err := w.DB.Truce(ctx, w.HeadB, id); parley.ErrorCode(err) != parley.ENOTFOUND {
		t.Errorf("a truce before acceptance: %v", err)
	}
	do(w.HeadB, parley.AcceptProposal{ProposalID: id})
	tr, err := w.DB.Truce(ctx, w.HeadA, id)
	if err != nil || tr.Status != parley.TruceAccepted || len(tr.Terms.Shapes) != 3 || !tr.End().Equal(start.Add(24*time.Hour)) {
		t.Fatalf("truce %+v %v", tr, err)
	}
	if _, err := w.DB.Truce(ctx, w.Observer, id); parley.ErrorCode(err) != parley.ENOTFOUND {
		t.Errorf("an observer outside the military group reads the truce: %v", err)
	}
	do(w.HeadA, parley.ConfirmNotified{TruceID: id})
	do(w.HeadB, parley.ConfirmNotified{TruceID: id})

	// Not yet its time: nothing moves.
	if n, err := svc.TimeTruces(ctx); n != 0 || err != nil {
		t.Errorf("before the start: moved %d (%v)", n, err)
	}
	// A restart: a new writer and service on the same database, the clock
	// past the start.
	w2 := NewWriterWorld(t, w)
	now = start.Add(time.Minute)
	svc = w2.WithClock(clock)
	if n, err := svc.TimeTruces(ctx); n != 1 || err != nil {
		t.Fatalf("at the start: moved %d (%v)", n, err)
	}
	tr, _ = w.DB.Truce(ctx, w.HeadA, id)
	if tr.Status != parley.TruceActive || !tr.ActiveAt.Equal(now) {
		t.Fatalf("after the start: %+v", tr)
	}
	if n, _ := svc.TimeTruces(ctx); n != 0 {
		t.Errorf("a second pass moved %d", n)
	}

	// A violation near segment 3, answered and found on.
	now = start.Add(3 * time.Hour)
	evs := do(w.HeadB, parley.ReportViolation{TruceID: id, At: start.Add(2 * time.Hour), Where: parley.Point{35.41, 47.52},
		Description: "Mortar fire on the evacuation column.", Attachments: []parley.Attachment{{Hash: strings.Repeat("ab", 32), Name: "photo.jpg", Type: "image/jpeg", Size: 2048}}})
	vid := evs[0].Data.(*parley.ViolationReported).ViolationID
	if _, err := svc.Do(ctx, w.HeadB, parley.ReportViolation{TruceID: id, At: start.Add(2 * time.Hour), Where: parley.Point{37.5, 48.0}, Description: "x"}); parley.ErrorCode(err) != parley.EINVALID {
		t.Errorf("a report far from the area: %v", err)
	}
	do(w.HeadA, parley.AnswerViolation{ViolationID: vid, Answer: "disputed", Text: "Our units did not fire."})
	do(w.Mediator, parley.RecordFinding{ViolationID: vid, Finding: "inconclusive", Text: "No access to the site."})
	vs, err := w.DB.Violations(ctx, w.HeadA, id)
	if err != nil || len(vs) != 1 {
		t.Fatalf("violations %v %v", vs, err)
	}
	if v := vs[0]; v.Status != "inconclusive" || v.Segment != "Segment 3" || len(v.Answers) != 1 || len(v.Findings) != 1 || len(v.Attachments) != 1 || v.PartyID != w.PartyB.ID {
		t.Errorf("violation %+v", v)
	}
	if x, err := w.DB.Attachment(ctx, w.HeadA, strings.Repeat("ab", 32)); err != nil || x.Name != "photo.jpg" {
		t.Errorf("attachment %+v %v", x, err)
	}
	if _, err := w.DB.Attachment(ctx, w.Observer, strings.Repeat("ab", 32)); parley.ErrorCode(err) != parley.ENOTFOUND {
		t.Errorf("an outsider reads the attachment: %v", err)
	}
	tr, _ = w.DB.Truce(ctx, w.HeadA, id)
	if tr.Violations != 1 || tr.Counts["Segment 3"] != 1 {
		t.Errorf("counts %d %v", tr.Violations, tr.Counts)
	}

	// Its end comes: the loop ends it.
	now = start.Add(24 * time.Hour)
	if n, err := svc.TimeTruces(ctx); n != 1 || err != nil {
		t.Fatalf("at the end: moved %d (%v)", n, err)
	}
	tr, _ = w.DB.Truce(ctx, w.HeadA, id)
	if tr.Status != parley.TruceEnded || tr.EndCause != parley.EndWindowOver {
		t.Errorf("after the end: %+v", tr)
	}
	if ts, err := w.DB.Truces(ctx, w.Mediator, w.Process.ID); err != nil || len(ts) != 1 {
		t.Errorf("list: %d %v", len(ts), err)
	}
}

func withHours(in parley.ProposalInput, h int) parley.ProposalInput {
	t := *in.Details.Truce
	t.Hours = h
	in.Details.Truce = &t
	return in
}
