package web_test

import (
	"bytes"
	"encoding/csv"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/storetest"
)

// TestTruceFormErrors: a truce proposal whose area crosses itself, whose
// end comes before its start, or whose window is longer than the agreed
// maximum comes back with each complaint beside its field; nothing is
// drafted.
func TestTruceFormErrors(t *testing.T) {
	s := newSite(t)
	c := s.signedIn(t, "heada")
	g := s.Groups[parley.GroupMilitary].ID
	start := time.Now().Add(48 * time.Hour).UTC()
	form := url.Values{"kind": {"truce"}, "to_party": {s.PartyB.ID}, "title": {"Pause"}, "text_en": {"A pause."},
		"truce_purposes": {"dead"}, "truce_time_zone": {"UTC"}, "truce_starts": {start.Format("2006-01-02T15:04")},
		"truce_ends":   {start.Add(-time.Hour).Format("2006-01-02T15:04")},
		"truce_shapes": {`{"type":"Feature","properties":{"name":"Bow tie"},"geometry":{"type":"Polygon","coordinates":[[[35,47],[35.1,47.1],[35.1,47],[35,47.1],[35,47]]]}}`}}
	resp := s.post(t, c, "/g/"+g+"/proposals", form)
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("status %d", resp.StatusCode)
	}
	for _, id := range []string{`id="err-truce_ends"`, `id="err-details.truce.shapes"`} {
		if !strings.Contains(string(b), id) {
			t.Errorf("the form lacks %s", id)
		}
	}
	if !strings.Contains(string(b), "edges cross each other") {
		t.Error("the shape's complaint is not said")
	}
	form.Set("truce_ends", start.Add(96*time.Hour).Format("2006-01-02T15:04"))
	form.Set("truce_shapes", storetest.TruceArea)
	resp = s.post(t, c, "/g/"+g+"/proposals", form)
	b, _ = io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), "agreed maximum of 72 hours") {
		t.Errorf("96 hours: %d", resp.StatusCode)
	}
	form.Set("truce_ends", start.Add(24*time.Hour).Format("2006-01-02T15:04"))
	resp = s.post(t, c, "/g/"+g+"/proposals", form)
	if resp.StatusCode != http.StatusSeeOther {
		b, _ = io.ReadAll(resp.Body)
		t.Fatalf("a good truce: %d\n%.500s", resp.StatusCode, b)
	}
	id := strings.TrimPrefix(resp.Header.Get("Location"), "/proposals/")
	pr, err := s.DB.Proposal(t.Context(), s.HeadA, id)
	if err != nil || pr.Details.Truce.Hours != 24 || len(pr.Details.Truce.Shapes) != 3 || !pr.Details.Truce.Starts.Equal(start.Truncate(time.Minute)) {
		t.Fatalf("drafted %+v %v", pr.Details.Truce, err)
	}
	// Its page shows the map, and the map as an image for print.
	_, page := s.get(t, c, "/proposals/"+id)
	if !strings.Contains(page, `data-map="view"`) || !strings.Contains(page, "Segment 3") {
		t.Error("the proposal page lacks its map")
	}
	resp, svg := s.get(t, c, "/proposals/"+id+"/map.svg")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/svg+xml" || !strings.Contains(svg, "<svg") || !strings.Contains(svg, "Segment 3") {
		t.Errorf("map image: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}

// activeTruce makes an accepted, notified truce of the military group that
// began an hour ago, through the service.
func activeTruce(t *testing.T, s *site) (string, time.Time) {
	t.Helper()
	shapes, err := parley.ParseShapes([]byte(storetest.TruceArea), parley.DefaultRegion)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	start := now.Add(-time.Hour).Truncate(time.Minute)
	in := parley.ProposalInput{Kind: parley.ProposalTruce, Title: "Pause to collect the dead", Texts: parley.Texts{parley.English: "A pause."},
		Details: parley.Details{Truce: &parley.TruceDetails{Hours: 24, Starts: start, Purposes: []parley.TrucePurpose{parley.PurposeDead}, Shapes: shapes}}}
	id := s.Must(t, s.HeadA, parley.DraftProposal{GroupID: s.Groups[parley.GroupMilitary].ID, ToParty: s.PartyB.ID, ProposalInput: in})[0].Data.(*parley.ProposalDrafted).ProposalID
	s.Must(t, s.HeadA, parley.SubmitProposal{ProposalID: id})
	s.Must(t, s.HeadB, parley.AcceptProposal{ProposalID: id})
	return id, start
}

// TestTruceInPages: both heads confirm their notification on the page, the
// truce begins on time, B reports a violation with a photograph, A
// disputes it; the attachment is served to the parties only, as a
// download; a report far from the area is refused beside the place.
func TestTruceInPages(t *testing.T) {
	s := newSite(t)
	id, start := activeTruce(t, s)
	headA, headB := s.signedIn(t, "heada"), s.signedIn(t, "headb")
	for _, c := range []*http.Client{headA, headB} {
		if resp := s.post(t, c, "/truces/"+id+"/notify", nil); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("notify: %d", resp.StatusCode)
		}
	}
	// The server's loop, as at the truce's start (both sides were told
	// before it).
	if n, err := s.WithClock(func() time.Time { return start }).TimeTruces(t.Context()); n != 1 || err != nil {
		t.Fatalf("begin: %d %v", n, err)
	}
	report := func(c *http.Client, lon, lat string, name string, content []byte) (*http.Response, string) {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		mw.WriteField("at", time.Now().In(time.UTC).Add(-30*time.Minute).Format("2006-01-02T15:04"))
		mw.WriteField("lon", lon)
		mw.WriteField("lat", lat)
		mw.WriteField("description", "Mortar fire on the evacuation column.")
		if name != "" {
			fw, _ := mw.CreateFormFile("files", name)
			fw.Write(content)
		}
		mw.Close()
		req, _ := http.NewRequest("POST", s.srv.URL+"/truces/"+id+"/report", &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	// The reader's zone is UTC in this world, so the time is read as given.
	if resp, body := report(headB, "37.5", "48.0", "", nil); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="err-where"`) {
		t.Errorf("far from the area: %d", resp.StatusCode)
	}
	if resp, body := report(headB, "35.41", "47.52", "run.exe", []byte("MZ\x90\x00 not a picture")); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="err-attachments"`) {
		t.Errorf("an executable: %d", resp.StatusCode)
	}
	png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{7}, 2000)...)
	if resp, body := report(headB, "35.41", "47.52", "column.png", png); resp.StatusCode != http.StatusSeeOther {
		i := strings.Index(body, "field-error")
		if i < 0 {
			i = strings.Index(body, "form-error")
		}
		t.Fatalf("report: %d\n%.300s", resp.StatusCode, body[max(i, 0):])
	}
	vs, err := s.DB.Violations(t.Context(), s.HeadA, id)
	if err != nil || len(vs) != 1 || len(vs[0].Attachments) != 1 || vs[0].Attachments[0].Type != "image/png" || vs[0].Segment != "Segment 3" {
		t.Fatalf("violations %+v %v", vs, err)
	}
	hash := vs[0].Attachments[0].Hash
	resp, got := s.get(t, headA, "/attachments/"+hash)
	if resp.StatusCode != http.StatusOK || got != string(png) || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") ||
		resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("download: %d %q", resp.StatusCode, resp.Header.Get("Content-Disposition"))
	}
	if resp, _ := s.get(t, s.signedIn(t, "observer"), "/attachments/"+hash); resp.StatusCode != http.StatusNotFound {
		t.Errorf("an observer outside the group downloads it: %d", resp.StatusCode)
	}
	if resp := s.post(t, headA, "/truces/"+id+"/answer", url.Values{"violation": {vs[0].ID}, "answer": {"disputed"}, "text": {"Not our fire."}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("dispute: %d", resp.StatusCode)
	}
	resp = s.post(t, headB, "/truces/"+id+"/answer", url.Values{"violation": {vs[0].ID}, "answer": {"acknowledged"}})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("the reporting side answers itself: %d", resp.StatusCode)
	}
	_, page := s.get(t, headA, "/truces/"+id)
	for _, want := range []string{"Disputed", "Not our fire.", "column.png", "/attachments/" + hash, `data-countdown`} {
		if !strings.Contains(page, want) {
			t.Errorf("the truce page lacks %q", want)
		}
	}

	// Exports.
	resp, area := s.get(t, headA, "/truces/"+id+"/export/area.geojson")
	if shapes, err := parley.ParseShapes([]byte(area), parley.DefaultRegion); resp.StatusCode != http.StatusOK || err != nil || len(shapes) != 3 {
		t.Errorf("area export: %d %v", resp.StatusCode, err)
	}
	resp, gj := s.get(t, headA, "/truces/"+id+"/export/violations.geojson")
	if resp.StatusCode != http.StatusOK || !strings.Contains(gj, `"status":"disputed"`) || !strings.Contains(gj, "35.41") {
		t.Errorf("violations GeoJSON: %d %s", resp.StatusCode, gj)
	}
	_, hxl := s.get(t, headA, "/truces/"+id+"/export/violations.csv")
	rows, err := csv.NewReader(strings.NewReader(hxl)).ReadAll()
	if err != nil || len(rows) != 3 || !strings.HasPrefix(rows[1][0], "#") || rows[1][4] != "#geo+lat" || rows[2][4] != "47.52000" {
		t.Errorf("HXL: %v %v", rows, err)
	}
	if resp, _ := s.get(t, s.signedIn(t, "observer"), "/truces/"+id+"/export/violations.csv"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("an outsider exports: %d", resp.StatusCode)
	}
	// The end, early, by the mediator, with a reason.
	med := s.signedIn(t, "mediator")
	if resp := s.post(t, med, "/truces/"+id+"/end", url.Values{"reason": {"Both sides asked."}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("end: %d", resp.StatusCode)
	}
	_, page = s.get(t, headB, "/truces/"+id)
	if !regexp.MustCompile(`Ended early`).MatchString(page) || !strings.Contains(page, "Both sides asked.") {
		t.Error("the page does not say the truce ended early")
	}
}

// TestTruceRulesInPages: the mediator sets the rules; a head may not.
func TestTruceRulesInPages(t *testing.T) {
	s := newSite(t)
	form := url.Values{"west": {"30"}, "south": {"45"}, "east": {"40"}, "north": {"52"}, "max_hours": {"48"}}
	if resp := s.post(t, s.signedIn(t, "heada"), "/p/"+s.Process.ID+"/truce-rules", form); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a head sets the rules: %d", resp.StatusCode)
	}
	med := s.signedIn(t, "mediator")
	bad := url.Values{"west": {"40"}, "south": {"45"}, "east": {"30"}, "north": {"52"}, "max_hours": {"48"}}
	resp := s.post(t, med, "/p/"+s.Process.ID+"/truce-rules", bad)
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), `id="err-region"`) {
		t.Errorf("west of east: %d", resp.StatusCode)
	}
	if resp := s.post(t, med, "/p/"+s.Process.ID+"/truce-rules", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("rules: %d", resp.StatusCode)
	}
	if r, _ := s.DB.TruceRules(t.Context(), s.HeadA, s.Process.ID); r.MaxHours != 48 || r.Region.West != 30 {
		t.Errorf("rules %+v", r)
	}
}

// TestTruceAPI: notify, report, answer and find through the JSON API.
func TestTruceAPI(t *testing.T) {
	s := newSite(t)
	id, start := activeTruce(t, s)
	call := func(c *http.Client, method, path, body string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, s.srv.URL+"/api/v1"+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	headA, headB, med := s.signedIn(t, "heada"), s.signedIn(t, "headb"), s.signedIn(t, "mediator")
	for _, c := range []*http.Client{headA, headB} {
		if code, body := call(c, "POST", "/truces/"+id+"/notify", ""); code != http.StatusCreated {
			t.Fatalf("notify: %d %s", code, body)
		}
	}
	if n, err := s.WithClock(func() time.Time { return start }).TimeTruces(t.Context()); n != 1 || err != nil {
		t.Fatalf("begin: %d %v", n, err)
	}
	at := time.Now().UTC().Add(-10 * time.Minute).Format(time.RFC3339)
	code, body := call(headB, "POST", "/truces/"+id+"/violations", `{"at":"`+at+`","where":[35.41,47.52],"description":"Fire."}`)
	if code != http.StatusCreated {
		t.Fatalf("report: %d %s", code, body)
	}
	vid := regexp.MustCompile(`"id":"([^"]+)"`).FindStringSubmatch(body)[1]
	if code, body := call(headB, "POST", "/truces/"+id+"/violations", `{"at":"`+at+`","where":[38.0,49.0],"description":"Far."}`); code != http.StatusBadRequest || !strings.Contains(body, `"where"`) {
		t.Errorf("far away: %d %s", code, body)
	}
	if code, _ := call(headA, "POST", "/violations/"+vid+"/answer", `{"answer":"verification","text":"Please check."}`); code != http.StatusCreated {
		t.Errorf("answer: %d", code)
	}
	if code, _ := call(med, "POST", "/violations/"+vid+"/finding", `{"finding":"confirmed","text":"Seen by the observers."}`); code != http.StatusCreated {
		t.Errorf("finding: %d", code)
	}
	code, body = call(headA, "GET", "/truces/"+id, "")
	if code != http.StatusOK || !strings.Contains(body, `"status":"active"`) || !strings.Contains(body, `"status":"confirmed"`) {
		t.Errorf("get: %d %.300s", code, body)
	}
	if code, _ := call(headA, "PUT", "/processes/"+s.Process.ID+"/truce-rules", `{"region":{"west":30,"south":45,"east":40,"north":52},"max_hours":48}`); code != http.StatusForbidden {
		t.Errorf("a head sets the rules: %d", code)
	}
}
