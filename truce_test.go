package parley

import (
	"strings"
	"testing"
	"time"
)

// Near Zaporizhzhia: a segment of the line of contact, a zone and a
// crossing point, as a delegate would draw them.
const areaGeoJSON = `{"type":"FeatureCollection","features":[
 {"type":"Feature","properties":{"name":"Segment 3"},"geometry":{"type":"LineString","coordinates":[[35.10,47.55],[35.40,47.50],[35.70,47.52]]}},
 {"type":"Feature","properties":{"name":"Evacuation zone"},"geometry":{"type":"Polygon","coordinates":[[[35.2,47.6],[35.3,47.6],[35.3,47.7],[35.2,47.7],[35.2,47.6]]]}},
 {"type":"Feature","properties":{"name":"Crossing Vasylivka"},"geometry":{"type":"Point","coordinates":[35.28,47.44]}}]}`

func TestParseShapes(t *testing.T) {
	shapes, err := ParseShapes([]byte(areaGeoJSON), DefaultRegion)
	if err != nil {
		t.Fatal(err)
	}
	if len(shapes) != 3 || shapes[0].Kind != ShapeSegment || shapes[1].Kind != ShapeZone || shapes[2].Kind != ShapeCrossing || shapes[2].At == nil {
		t.Fatalf("%+v", shapes)
	}
	back, err := ParseShapes(ShapesGeoJSON(shapes), DefaultRegion)
	if err != nil || len(back) != 3 || back[0].Name != "Segment 3" || back[1].Line[2] != (Point{35.3, 47.7}) {
		t.Errorf("round trip: %v %+v", err, back)
	}
	bad := map[string]struct{ json, want string }{
		"not json":      {`{`, "not GeoJSON"},
		"wrong type":    {`{"type":"Polygon","coordinates":[]}`, "not a GeoJSON FeatureCollection"},
		"unnamed":       {`{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[35,47]}}`, "has no name"},
		"outside":       {`{"type":"Feature","properties":{"name":"x"},"geometry":{"type":"Point","coordinates":[2.35,48.85]}}`, "outside the region"},
		"open ring":     {`{"type":"Feature","properties":{"name":"x"},"geometry":{"type":"Polygon","coordinates":[[[35,47],[35.1,47],[35.1,47.1],[35,47.1]]]}}`, "must be closed"},
		"bow tie":       {`{"type":"Feature","properties":{"name":"x"},"geometry":{"type":"Polygon","coordinates":[[[35,47],[35.1,47.1],[35.1,47],[35,47.1],[35,47]]]}}`, "edges cross"},
		"one point":     {`{"type":"Feature","properties":{"name":"x"},"geometry":{"type":"LineString","coordinates":[[35,47],[35,47]]}}`, "two distinct points"},
		"hole":          {`{"type":"Feature","properties":{"name":"x"},"geometry":{"type":"Polygon","coordinates":[[[35,47],[35.1,47],[35.1,47.1],[35,47]],[[35,47],[35.1,47],[35.1,47.1],[35,47]]]}}`, "holes"},
		"multi":         {`{"type":"Feature","properties":{"name":"x"},"geometry":{"type":"MultiPoint","coordinates":[[35,47]]}}`, "not a segment"},
		"no geometry":   {`{"type":"Feature","properties":{"name":"x"}}`, "with a geometry"},
		"not a number":  {`{"type":"Feature","properties":{"name":"x"},"geometry":{"type":"Point","coordinates":["a","b"]}}`, "two coordinates"},
		"short point":   {`{"type":"Feature","properties":{"name":"x"},"geometry":{"type":"LineString","coordinates":[[35],[36,47]]}}`, "two coordinates"},
		"two features":  {`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"ok"},"geometry":{"type":"Point","coordinates":[35,47]}},{"type":"Feature","geometry":{"type":"Point","coordinates":[35,47]}}]}`, "feature 2"},
		"empty name":    {`{"type":"Feature","properties":{"name":"  "},"geometry":{"type":"Point","coordinates":[35,47]}}`, "has no name"},
		"name too long": {`{"type":"Feature","properties":{"name":"` + strings.Repeat("x", 201) + `"},"geometry":{"type":"Point","coordinates":[35,47]}}`, "too long"},
	}
	for name, c := range bad {
		if _, err := ParseShapes([]byte(c.json), DefaultRegion); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", name, err, c.want)
		}
	}
}

// FuzzParseShapes: the GeoJSON reader never panics, and what it accepts is
// inside the region and comes back the same through ShapesGeoJSON.
func FuzzParseShapes(f *testing.F) {
	f.Add([]byte(areaGeoJSON))
	f.Add([]byte(`{"type":"Feature","properties":{"name":"x"},"geometry":{"type":"Point","coordinates":[35,47]}}`))
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":1},"geometry":null}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		shapes, err := ParseShapes(data, DefaultRegion)
		if err != nil {
			return
		}
		for _, s := range shapes {
			if err := validateShape(s, DefaultRegion); err != nil {
				t.Fatalf("accepted an invalid shape %+v: %v", s, err)
			}
		}
		back, err := ParseShapes(ShapesGeoJSON(shapes), DefaultRegion)
		if err != nil || len(back) != len(shapes) {
			t.Fatalf("round trip: %v", err)
		}
	})
}

func TestShapeDistance(t *testing.T) {
	shapes, _ := ParseShapes([]byte(areaGeoJSON), DefaultRegion)
	seg, zone := shapes[0], shapes[1]
	if d := zone.DistanceKm(Point{35.25, 47.65}); d != 0 {
		t.Errorf("inside the zone: %.2f km", d)
	}
	// 0.1° of latitude north of the segment's middle vertex: about 11 km.
	if d := seg.DistanceKm(Point{35.40, 47.60}); d < 10.5 || d > 11.7 {
		t.Errorf("north of the segment: %.2f km", d)
	}
	if name, d := nearest(shapes, Point{35.29, 47.45}); name != "Crossing Vasylivka" || d > 2 {
		t.Errorf("nearest %s at %.2f km", name, d)
	}
}

// truceFixture is an active truce between A and B in a working group,
// with the area above, and its actors.
type truceFixture struct {
	set                                       TruceSetting
	headA, headB, delegA, delegAuth, mediator Actor
	observer                                  Actor
	start                                     time.Time
}

func newTruceFixture(t *testing.T) truceFixture {
	mf := newMemoFixture(JointDrafting)
	shapes, err := ParseShapes([]byte(areaGeoJSON), DefaultRegion)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 6, 2, 6, 0, 0, 0, time.UTC)
	return truceFixture{
		set: TruceSetting{Truce: Truce{ID: "tr", ProcessID: "p", GroupID: "g", SpaceID: "gs", Parties: []string{"A", "B"}, Status: TruceAccepted,
			Terms: TruceDetails{Hours: 48, Starts: start, Purposes: []TrucePurpose{PurposeWounded}, Shapes: shapes}},
			Space: mf.set.Space, Rules: DefaultTruceRules},
		headA: mf.headA, headB: mf.headB, delegA: mf.delegA, delegAuth: mf.delegAuth, mediator: mf.mediator, observer: mf.observer, start: start,
	}
}

func at(t time.Time) Env { e := testEnv(); e.Now = t; return e }

// TestTruceLifeCycle: accepted → notified by each side (a formal act) →
// active at its start (the server's act) → ended at its end, or early by a
// party or the mediator.
func TestTruceLifeCycle(t *testing.T) {
	f := newTruceFixture(t)
	env := at(f.start.Add(-2 * time.Hour))
	for name, a := range map[string]Actor{"unauthorised delegate": f.delegA, "mediator": f.mediator, "observer": f.observer} {
		if _, err := DecideConfirmNotified(a, f.set, env); ErrorCode(err) != EFORBIDDEN {
			t.Errorf("%s confirms the notification: %v", name, err)
		}
	}
	evs, err := DecideConfirmNotified(f.delegAuth, f.set, env)
	if err != nil || evs[0].Data.(*TruceNotifiedEvent).Complete {
		t.Fatalf("A notified: %v %+v", err, evs)
	}
	f.set.Truce.Notices = []TruceNotice{{PartyID: "A"}}
	if _, err := DecideConfirmNotified(f.headA, f.set, env); ErrorCode(err) != ECONFLICT {
		t.Errorf("A twice: %v", err)
	}
	evs, err = DecideConfirmNotified(f.headB, f.set, env)
	if err != nil || !evs[0].Data.(*TruceNotifiedEvent).Complete {
		t.Fatalf("B notified: %v", err)
	}
	f.set.Truce.Status = TruceNotified
	if _, err := DecideActivateTruce(f.headA, f.set, at(f.start)); ErrorCode(err) != EFORBIDDEN {
		t.Errorf("a person activates: %v", err)
	}
	if _, err := DecideActivateTruce(SystemActor, f.set, env); ErrorCode(err) != ECONFLICT {
		t.Errorf("activated before its start: %v", err)
	}
	if _, err := DecideActivateTruce(SystemActor, f.set, at(f.start)); err != nil {
		t.Errorf("activate at the start: %v", err)
	}
	f.set.Truce.Status, f.set.Truce.ActiveAt = TruceActive, f.start
	if _, err := DecideExpireTruce(SystemActor, f.set, at(f.start.Add(47*time.Hour))); ErrorCode(err) != ECONFLICT {
		t.Errorf("expired before its end: %v", err)
	}
	evs, err = DecideExpireTruce(SystemActor, f.set, at(f.start.Add(48*time.Hour)))
	if err != nil || evs[0].Data.(*TruceEndedEvent).Cause != EndWindowOver {
		t.Errorf("end: %v %+v", err, evs)
	}
	// Early end: a party's formal act or the mediator's, with a reason.
	if _, err := DecideEndTruce(f.observer, f.set, EndTruce{TruceID: "tr", Reason: "x"}, env); ErrorCode(err) != EFORBIDDEN {
		t.Errorf("observer ends it: %v", err)
	}
	for _, a := range []Actor{f.mediator, f.headB} {
		evs, err := DecideEndTruce(a, f.set, EndTruce{TruceID: "tr", Reason: "Shelling resumed."}, env)
		if err != nil || evs[0].Data.(*TruceEndedEvent).Cause != EndedEarly {
			t.Errorf("%s ends it early: %v", a.AccountID, err)
		}
	}
	// A truce whose window passes before both sides were told never began.
	f.set.Truce.Status, f.set.Truce.ActiveAt = TruceAccepted, time.Time{}
	evs, err = DecideExpireTruce(SystemActor, f.set, at(f.start.Add(49*time.Hour)))
	if err != nil || evs[0].Data.(*TruceEndedEvent).Cause != EndNeverActive {
		t.Errorf("never notified: %v %+v", err, evs)
	}
	f.set.Truce.Status = TruceEnded
	if _, err := DecideEndTruce(f.headA, f.set, EndTruce{TruceID: "tr", Reason: "x"}, env); ErrorCode(err) != ECONFLICT {
		t.Errorf("end an ended truce: %v", err)
	}
}

// TestTruceTerms: a window longer than the agreed maximum, one already
// over, or a place outside the process's region is refused.
func TestTruceTerms(t *testing.T) {
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	shapes, _ := ParseShapes([]byte(areaGeoJSON), DefaultRegion)
	in := ProposalInput{Kind: ProposalTruce, Title: "Pause", Texts: Texts{English: "A pause."},
		Details: Details{Truce: &TruceDetails{Hours: 48, Starts: now.Add(24 * time.Hour), Purposes: []TrucePurpose{PurposeDead}, Shapes: shapes}}}
	if err := checkTruceTerms(in, DefaultTruceRules, now); err != nil {
		t.Fatal(err)
	}
	long := in
	long.Details.Truce = &TruceDetails{Hours: 96, Starts: now.Add(24 * time.Hour), Purposes: []TrucePurpose{PurposeDead}}
	if err := checkTruceTerms(long, DefaultTruceRules, now); err == nil || !strings.Contains(err.(*Error).Fields["details.truce.hours"], "agreed maximum of 72") {
		t.Errorf("96 hours: %v", err)
	}
	if err := checkTruceTerms(long, TruceRules{MaxHours: 120}, now); err != nil {
		t.Errorf("96 hours where 120 are agreed: %v", err)
	}
	over := in
	over.Details.Truce = &TruceDetails{Hours: 24, Starts: now.Add(-30 * time.Hour), Purposes: []TrucePurpose{PurposeDead}}
	if err := checkTruceTerms(over, DefaultTruceRules, now); err == nil {
		t.Error("a window already over was accepted")
	}
	elsewhere := TruceRules{Region: BBox{West: 36, South: 47, East: 40, North: 50}}
	if err := checkTruceTerms(in, elsewhere, now); err == nil || !strings.Contains(err.Error(), "input is not valid") {
		t.Errorf("shapes outside the region: %v", err)
	}
	bad := in
	bad.Details.Truce = &TruceDetails{Hours: 48, Starts: now, Purposes: []TrucePurpose{"fun"}, TimeZone: "Mars/Base"}
	var v Invalid
	bad.validate(&v, now)
	if f := v.fields; f["details.truce.purposes"] == "" || f["details.truce.time_zone"] == "" {
		t.Errorf("bad purposes and zone: %v", f)
	}
}

// TestViolations: reports within the truce's time and near its area, by a
// party to it; the other side answers; the mediator or an observer finds.
func TestViolations(t *testing.T) {
	f := newTruceFixture(t)
	env := at(f.start.Add(3 * time.Hour))
	report := ReportViolation{TruceID: "tr", At: f.start.Add(2 * time.Hour), Where: Point{35.41, 47.52}, Description: "Mortar fire near the crossing."}
	if _, err := DecideReportViolation(f.headA, f.set, report, env); ErrorCode(err) != ECONFLICT {
		t.Errorf("report before the truce began: %v", err)
	}
	f.set.Truce.Status, f.set.Truce.ActiveAt = TruceActive, f.start
	evs, err := DecideReportViolation(f.delegA, f.set, report, env)
	if err != nil {
		t.Fatal(err)
	}
	if d := evs[0].Data.(*ViolationReported); d.PartyID != "A" || d.Segment != "Segment 3" {
		t.Errorf("report %+v", d)
	}
	for name, c := range map[string]struct {
		at    time.Time
		where Point
		field string
	}{
		"before": {f.start.Add(-time.Hour), report.Where, "at"},
		"future": {f.start.Add(5 * time.Hour), report.Where, "at"},
		"far":    {report.At, Point{36.5, 48.5}, "where"},
		"abroad": {report.At, Point{2.35, 48.85}, "where"},
	} {
		r := report
		r.At, r.Where = c.at, c.where
		_, err := DecideReportViolation(f.headB, f.set, r, env)
		if e, ok := err.(*Error); !ok || e.Fields[c.field] == "" {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := DecideReportViolation(f.observer, f.set, report, env); ErrorCode(err) != EFORBIDDEN {
		t.Errorf("an observer reports: %v", err)
	}
	bad := report
	bad.Attachments = []Attachment{{Hash: strings.Repeat("a", 64), Name: "x.exe", Type: "application/x-msdownload", Size: 10}}
	if ErrorCode(bad.Validate()) != EINVALID {
		t.Error("an executable was accepted as an attachment")
	}
	bad.Attachments = []Attachment{{Hash: strings.Repeat("a", 64), Name: "photo.jpg", Type: "image/jpeg", Size: MaxAttachmentSize + 1}}
	if ErrorCode(bad.Validate()) != EINVALID {
		t.Error("an oversized attachment was accepted")
	}

	vi := Violation{ID: "v", TruceID: "tr", PartyID: "A"}
	if _, err := DecideAnswerViolation(f.headA, f.set, vi, AnswerViolation{ViolationID: "v", Answer: "acknowledged"}, env); ErrorCode(err) != EFORBIDDEN {
		t.Errorf("the reporting side answers itself: %v", err)
	}
	if _, err := DecideAnswerViolation(f.headB, f.set, vi, AnswerViolation{ViolationID: "v", Answer: "disputed", Text: "No fire from our side."}, env); err != nil {
		t.Errorf("B disputes: %v", err)
	}
	if ErrorCode(AnswerViolation{ViolationID: "v", Answer: "disputed"}.Validate()) != EINVALID {
		t.Error("a dispute without reasons")
	}
	if _, err := DecideRecordFinding(f.headB, f.set, vi, RecordFinding{ViolationID: "v", Finding: "confirmed", Text: "x"}, env); ErrorCode(err) != EFORBIDDEN {
		t.Errorf("a party records a finding: %v", err)
	}
	for _, a := range []Actor{f.mediator, f.observer} {
		if _, err := DecideRecordFinding(a, f.set, vi, RecordFinding{ViolationID: "v", Finding: "inconclusive", Text: "No access to the site."}, env); err != nil {
			t.Errorf("%s records a finding: %v", a.AccountID, err)
		}
	}
}

// TestCompareTruce: a counter with a shorter window, a segment moved, a
// zone dropped and a crossing added says exactly that.
func TestCompareTruce(t *testing.T) {
	shapes, _ := ParseShapes([]byte(areaGeoJSON), DefaultRegion)
	start := time.Date(2026, 6, 2, 6, 0, 0, 0, time.UTC)
	a := TruceDetails{Hours: 48, Starts: start, Purposes: []TrucePurpose{PurposeWounded, PurposeDead}, Shapes: shapes}
	moved := shapes[0]
	moved.Line = append([]Point(nil), moved.Line...)
	moved.Line[1] = Point{35.42, 47.49}
	b := TruceDetails{Hours: 24, Starts: start, Purposes: []TrucePurpose{PurposeWounded, PurposeDead},
		Shapes: []Shape{moved, shapes[2], {Kind: ShapeCrossing, Name: "Crossing Stepnohirsk", At: &Point{35.55, 47.62}}}}
	got := map[string]TruceChange{}
	for _, c := range CompareTruce(a, b) {
		got[c.What+":"+c.Shape] = c
	}
	if len(got) != 4 || got["hours:"].Before != "48" || got["hours:"].After != "24" || got["shape_changed:Segment 3"].What == "" ||
		got["shape_removed:Evacuation zone"].Before != ShapeZone || got["shape_added:Crossing Stepnohirsk"].After != ShapeCrossing {
		t.Errorf("changes %+v", got)
	}
	if c := CompareTruce(a, a); len(c) != 0 {
		t.Errorf("the same terms differ: %+v", c)
	}
}
