package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/parley-talks/parley"
	attach "github.com/parley-talks/parley/internal/files"
	"github.com/parley-talks/parley/internal/geo"
)

// world is the region a map's shapes are read in; the process's own region
// is the domain's to check, with the rules it agreed.
var world = parley.BBox{West: -180, South: -90, East: 180, North: 90}

// readTruce reads the truce fields of the proposal form. Its times are in
// the truce's time zone when one is given, else in the reader's; the end,
// when given instead of a number of hours, must fall a whole number of
// hours after the start.
func readTruce(f url.Values, loc *time.Location, num func(string) int, bad map[string]string) *parley.TruceDetails {
	t := &parley.TruceDetails{Hours: num("truce_hours"), Purpose: f.Get("truce_purpose"), Area: f.Get("truce_area"),
		Conditions: f.Get("truce_conditions"), TimeZone: strings.TrimSpace(f.Get("truce_time_zone"))}
	for _, p := range f["truce_purposes"] {
		t.Purposes = append(t.Purposes, parley.TrucePurpose(p))
	}
	if t.TimeZone != "" && t.TimeZone != "Local" {
		if l, err := time.LoadLocation(t.TimeZone); err == nil {
			loc = l
		}
	}
	when := func(field string) time.Time {
		v := strings.TrimSpace(f.Get(field))
		if v == "" {
			return time.Time{}
		}
		x, err := time.ParseInLocation("2006-01-02T15:04", v, loc)
		if err != nil {
			bad[field] = "is not a date and time"
		}
		return x
	}
	t.Starts = when("truce_starts")
	if ends := when("truce_ends"); !ends.IsZero() && !t.Starts.IsZero() {
		d := ends.Sub(t.Starts)
		switch {
		case d <= 0:
			bad["truce_ends"] = "must be after the start"
		case d%time.Hour != 0:
			bad["truce_ends"] = "must be a whole number of hours after the start"
		case t.Hours != 0 && t.Hours != int(d/time.Hour):
			bad["truce_ends"] = "does not agree with the number of hours"
		default:
			t.Hours = int(d / time.Hour)
		}
	}
	if g := strings.TrimSpace(f.Get("truce_shapes")); g != "" {
		shapes, err := parley.ParseShapes([]byte(g), world)
		if err != nil {
			bad["details.truce.shapes"] = err.(*parley.ShapeError).Problem
		}
		t.Shapes = shapes
	}
	return t
}

// truceFormValues fills the truce fields of the proposal form from t.
func truceFormValues(f map[string][]string, t parley.TruceDetails, loc *time.Location) {
	if t.TimeZone != "" {
		if l, err := time.LoadLocation(t.TimeZone); err == nil {
			loc = l
		}
	}
	f["truce_hours"], f["truce_purpose"], f["truce_area"] = []string{strconv.Itoa(t.Hours)}, []string{t.Purpose}, []string{t.Area}
	f["truce_conditions"], f["truce_time_zone"] = []string{t.Conditions}, []string{t.TimeZone}
	for _, p := range t.Purposes {
		f["truce_purposes"] = append(f["truce_purposes"], string(p))
	}
	if !t.Starts.IsZero() {
		f["truce_starts"] = []string{t.Starts.In(loc).Format("2006-01-02T15:04")}
	}
	if len(t.Shapes) > 0 {
		f["truce_shapes"] = []string{string(parley.ShapesGeoJSON(t.Shapes))}
	}
}

// mapLabels are the message IDs of the map's own words, given to map.js.
var mapLabels = []string{"name", "save", "segment", "zone", "crossing", "rename", "delete", "show_geojson", "hide_geojson",
	"cancel", "new_shape", "map", "legend", "violation"}

// MapLabels is the map's words in the reader's language, as JSON for the
// data-labels attribute of a map: its own, and the statuses of violations.
func (p *page) MapLabels() string {
	m := map[string]string{}
	for _, k := range mapLabels {
		m[k] = p.T("map." + k)
	}
	for _, st := range append([]string{"reported"}, append(append([]string{}, parley.ViolationAnswers...), parley.ViolationFindings...)...) {
		m[st] = p.T("violation." + "status_" + st)
	}
	b, _ := json.Marshal(m) // strings only
	return string(b)
}

// Region is r as map.js reads it: west,south,east,north.
func (r regionAttr) String() string {
	return fmt.Sprintf("%g,%g,%g,%g", r.West, r.South, r.East, r.North)
}

type regionAttr parley.BBox

// RegionAttr formats a region for a map's data-region attribute.
func (p *page) RegionAttr(b parley.BBox) string { return regionAttr(b).String() }

// Has reports whether the form sent back holds value in field; an empty
// form holds nothing.
func (p *page) Has(field, value string) bool {
	return slices.Contains(p.Form[field], value)
}

// trucesPage lists a process's truces: active ones with their countdown,
// those to come, those ended.
type trucesPage struct {
	*processView
	Active, Coming, Ended []truceRow
	Rules                 parley.TruceRules
	CanSetRules           bool
}

type truceRow struct {
	parley.Truce
	Where string
}

func (s *Server) trucesPage(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.member(w, r); !ok {
		return
	}
	s.showTruces(w, r, s.page(r, "truces.title"), http.StatusOK)
}

func (s *Server) showTruces(w http.ResponseWriter, r *http.Request, p *page, status int) {
	ctx := r.Context()
	v, err := s.loadProcess(ctx, p.Actor, r.PathValue("process"), p.Lang)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.withNav(v)
	p.Map = true // countdowns
	tp := trucesPage{processView: v, CanSetRules: parley.AllowedProcess(p.Actor, parley.ManageRounds, v.Process.ID, "")}
	if tp.Rules, err = s.db.TruceRules(ctx, p.Actor, v.Process.ID); err != nil {
		s.fail(w, r, err)
		return
	}
	ts, err := s.db.Truces(ctx, p.Actor, v.Process.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, t := range ts {
		row := truceRow{Truce: t, Where: spaceName(p, v, t.SpaceID)}
		switch t.Status {
		case parley.TruceActive:
			tp.Active = append(tp.Active, row)
		case parley.TruceEnded:
			tp.Ended = append(tp.Ended, row)
		default:
			tp.Coming = append(tp.Coming, row)
		}
	}
	if p.Form == nil {
		rg := tp.Rules.Region
		p.Form = url.Values{"west": {fmt.Sprint(rg.West)}, "south": {fmt.Sprint(rg.South)}, "east": {fmt.Sprint(rg.East)},
			"north": {fmt.Sprint(rg.North)}, "max_hours": {fmt.Sprint(tp.Rules.MaxHours)}}
	}
	p.Data = tp
	s.render(w, r, status, "truces.html", p)
}

func (s *Server) setTruceRules(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.member(w, r); !ok {
		return
	}
	if err := parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	f := r.PostForm
	bad := map[string]string{}
	num := func(field string) float64 {
		x, err := strconv.ParseFloat(strings.TrimSpace(f.Get(field)), 64)
		if err != nil {
			bad["region"] = "must span from west to east and south to north, in degrees"
		}
		return x
	}
	rules := parley.TruceRules{Region: parley.BBox{West: num("west"), South: num("south"), East: num("east"), North: num("north")}, MaxHours: atoi(f.Get("max_hours"))}
	var err error
	if len(bad) > 0 {
		err = &parley.Error{Code: parley.EINVALID, Message: "The input is not valid.", Fields: bad}
	} else {
		_, err = s.svc.Do(r.Context(), requestActor(r.Context()), parley.SetTruceRules{ProcessID: r.PathValue("process"), TruceRules: rules})
	}
	if code := parley.ErrorCode(err); code == parley.EINVALID {
		p := s.page(r, "truces.title")
		p.Form, p.Errors = f, fields(err)
		s.showTruces(w, r, p, http.StatusBadRequest)
		return
	} else if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/p/"+r.PathValue("process")+"/truces", http.StatusSeeOther)
}

// trucePage is one truce: its terms on the map, its life cycle, and the
// violations reported.
type trucePage struct {
	*processView
	T          parley.Truce
	Space      spaceView
	Violations []parley.Violation
	Can        map[string]bool
	Mine       string // the reader's party, if a party to the truce
	Area       template.JS
	Points     template.JS // the area with the violations, for the map
	Answers    []string
	Findings   []string
	Segments   []segmentCount
	Proposal   string
	Rules      parley.TruceRules
}

type segmentCount struct {
	Name  string
	Count int
}

func (s *Server) loadTruce(ctx context.Context, p *page, id string) (*trucePage, error) {
	t, err := s.db.Truce(ctx, p.Actor, id)
	if err != nil {
		return nil, err
	}
	v, err := s.loadProcess(ctx, p.Actor, t.ProcessID, p.Lang)
	if err != nil {
		return nil, err
	}
	p.withNav(v)
	p.Map = true
	tp := &trucePage{processView: v, T: t, Answers: parley.ViolationAnswers, Findings: parley.ViolationFindings, Proposal: t.ID}
	for _, sp := range v.Spaces {
		if sp.ID == t.SpaceID {
			tp.Space = sp
		}
	}
	if tp.Violations, err = s.db.Violations(ctx, p.Actor, id); err != nil {
		return nil, err
	}
	rules, err := s.db.TruceRules(ctx, p.Actor, t.ProcessID)
	if err != nil {
		return nil, err
	}
	tp.Rules = rules
	a := p.Actor
	set := parley.TruceSetting{Truce: t, Space: tp.Space.Space, Rules: rules}
	env := probeEnv()
	ok := func(_ []parley.Event, err error) bool { return err == nil }
	m, _ := a.In(t.ProcessID)
	if slices.Contains(t.Parties, m.PartyID) {
		tp.Mine = m.PartyID
	}
	speaks := tp.Mine != "" && parley.Allowed(a, parley.ActPost, tp.Space.Space)
	tp.Can = map[string]bool{
		"notify":  ok(parley.DecideConfirmNotified(a, set, env)),
		"end":     ok(parley.DecideEndTruce(a, set, parley.EndTruce{TruceID: id, Reason: "x"}, env)),
		"report":  speaks && (t.Status == parley.TruceActive || t.Status == parley.TruceEnded) && !t.ActiveAt.IsZero(),
		"answer":  speaks,
		"finding": m.Role == parley.RoleMediator || m.Role == parley.RoleObserver,
	}
	tp.Area = template.JS(parley.ShapesGeoJSON(t.Terms.Shapes))
	tp.Points = template.JS(violationsGeoJSON(t.Terms.Shapes, tp.Violations, ""))
	for name, n := range t.Counts {
		tp.Segments = append(tp.Segments, segmentCount{Name: name, Count: n})
	}
	slices.SortFunc(tp.Segments, func(x, y segmentCount) int { return strings.Compare(x.Name, y.Name) })
	return tp, nil
}

// violationsGeoJSON is the truce's shapes and its violations as points,
// each with its status and, when base is given, a link to it.
func violationsGeoJSON(shapes []parley.Shape, vs []parley.Violation, base string) []byte {
	var fc struct {
		Type     string            `json:"type"`
		Features []json.RawMessage `json:"features"`
	}
	fc.Type = "FeatureCollection"
	if len(shapes) > 0 {
		var area struct {
			Features []json.RawMessage `json:"features"`
		}
		json.Unmarshal(parley.ShapesGeoJSON(shapes), &area) // written just now
		fc.Features = append(fc.Features, area.Features...)
	}
	for _, v := range vs {
		b, _ := json.Marshal(map[string]any{
			"type":     "Feature",
			"geometry": map[string]any{"type": "Point", "coordinates": v.Where},
			"properties": map[string]any{"kind": "violation", "name": v.At.UTC().Format("2006-01-02 15:04 UTC"), "status": v.Status,
				"segment": v.Segment, "party": v.PartyID, "description": v.Description, "url": "#v-" + v.ID},
		})
		fc.Features = append(fc.Features, b)
	}
	if fc.Features == nil {
		fc.Features = []json.RawMessage{}
	}
	b, _ := json.Marshal(fc)
	return b
}

func (s *Server) trucePage(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.member(w, r); !ok {
		return
	}
	s.showTruce(w, r, s.page(r, "truce.title"), http.StatusOK)
}

func (s *Server) showTruce(w http.ResponseWriter, r *http.Request, p *page, status int) {
	tp, err := s.loadTruce(r.Context(), p, r.PathValue("truce"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if p.Form == nil {
		p.Form = url.Values{"at": {s.now().In(p.Loc).Format("2006-01-02T15:04")}}
	}
	p.Data = tp
	s.render(w, r, status, "truce.html", p)
}

// truceBody is the live part of a truce's page.
func (s *Server) truceBody(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.member(w, r); !ok {
		return
	}
	p := s.page(r, "truce.title")
	tp, err := s.loadTruce(r.Context(), p, r.PathValue("truce"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Data = tp
	s.renderFragment(w, r, "truce.html", "truce-body", p)
}

func (s *Server) truceAct(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.member(w, r); !ok {
		return
	}
	id, act := r.PathValue("truce"), r.PathValue("act")
	p := s.page(r, "truce.title")
	var cmd parley.Command
	var form url.Values
	anchor := ""
	if act == "report" {
		c, f, err := s.readReport(w, r, p.Loc)
		form = f
		if err != nil {
			p.Form, p.Errors = f, fields(err)
			p.Errors["act"] = act
			if parley.ErrorCode(err) != parley.EINVALID {
				s.fail(w, r, err)
				return
			}
			s.showTruce(w, r, p, http.StatusBadRequest)
			return
		}
		c.TruceID = id
		cmd, anchor = c, "#violations"
	} else {
		if err := parseForm(w, r); err != nil {
			s.fail(w, r, err)
			return
		}
		form = r.PostForm
		switch act {
		case "notify":
			cmd = parley.ConfirmNotified{TruceID: id}
		case "end":
			cmd = parley.EndTruce{TruceID: id, Reason: form.Get("reason")}
		case "answer":
			cmd, anchor = parley.AnswerViolation{ViolationID: form.Get("violation"), Answer: form.Get("answer"), Text: form.Get("text")}, "#v-"+form.Get("violation")
		case "finding":
			cmd, anchor = parley.RecordFinding{ViolationID: form.Get("violation"), Finding: form.Get("finding"), Text: form.Get("text")}, "#v-"+form.Get("violation")
		default:
			s.fail(w, r, parley.Errorf(parley.ENOTFOUND, "No such act."))
			return
		}
	}
	_, err := s.svc.Do(r.Context(), p.Actor, cmd)
	if code := parley.ErrorCode(err); code == parley.EINVALID || code == parley.ECONFLICT {
		p.Form, p.Errors = form, fields(err)
		p.Errors["act"] = act
		s.showTruce(w, r, p, status(code))
		return
	} else if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/truces/"+id+anchor, http.StatusSeeOther)
}

// readReport reads a violation report: a multipart form whose files are
// stored (by their hash, outside the database) before the report is
// decided; a refused report leaves them unreferenced, never half-recorded.
func (s *Server) readReport(w http.ResponseWriter, r *http.Request, loc *time.Location) (parley.ReportViolation, url.Values, error) {
	var c parley.ReportViolation
	r.Body = http.MaxBytesReader(w, r.Body, parley.MaxAttachments*parley.MaxAttachmentSize+1<<20)
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		if err := r.ParseForm(); err != nil {
			return c, url.Values{}, parley.Errorf(parley.EINVALID, "The form could not be read, or its files are too large.")
		}
	}
	f := r.Form
	if r.MultipartForm != nil {
		f = url.Values(r.MultipartForm.Value)
	}
	bad := map[string]string{}
	at, err := time.ParseInLocation("2006-01-02T15:04", strings.TrimSpace(f.Get("at")), loc)
	if err != nil {
		bad["at"] = "is not a date and time"
	}
	lon, err1 := strconv.ParseFloat(strings.TrimSpace(f.Get("lon")), 64)
	lat, err2 := strconv.ParseFloat(strings.TrimSpace(f.Get("lat")), 64)
	if err1 != nil || err2 != nil {
		bad["where"] = "give the place as a point on the map"
	}
	c.At, c.Where, c.Description = at, parley.Point{lon, lat}, f.Get("description")
	if r.MultipartForm != nil {
		uploads := r.MultipartForm.File["files"]
		if len(uploads) > parley.MaxAttachments {
			bad["attachments"] = fmt.Sprintf("at most %d files", parley.MaxAttachments)
		}
		for _, fh := range uploads {
			if len(bad) > 0 {
				break
			}
			if s.cfg.Files == "" {
				bad["attachments"] = "this server keeps no attachments"
				break
			}
			file, err := fh.Open()
			if err != nil {
				return c, f, err
			}
			hash, size, ctype, err := s.files().Put(file, parley.MaxAttachmentSize)
			file.Close()
			switch {
			case errors.Is(err, attach.ErrTooLarge):
				bad["attachments"] = "each file must be at most 10 MB"
			case err != nil:
				return c, f, err
			case !slices.Contains(parley.AttachmentTypes, ctype):
				bad["attachments"] = "only JPEG and PNG pictures and PDF documents may be attached"
			default:
				c.Attachments = append(c.Attachments, parley.Attachment{Hash: hash, Name: filepath.Base(fh.Filename), Type: ctype, Size: size})
			}
		}
	}
	if len(bad) > 0 {
		return c, f, &parley.Error{Code: parley.EINVALID, Message: "The input is not valid.", Fields: bad}
	}
	return c, f, nil
}

func (s *Server) files() attach.Store { return attach.Store{Dir: s.cfg.Files} }

// attachment serves a file attached to a report the reader may read, as a
// download: never shown inline, so a file cannot act as a page of the site.
func (s *Server) attachment(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.member(w, r); !ok {
		return
	}
	x, err := s.db.Attachment(r.Context(), requestActor(r.Context()), r.PathValue("hash"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f, err := s.files().Open(x.Hash)
	if err != nil {
		s.fail(w, r, parley.Errorf(parley.ENOTFOUND, "No such file."))
		return
	}
	defer f.Close()
	h := w.Header()
	h.Set("Content-Type", x.Type)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": x.Name}))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "private, max-age=86400, immutable")
	http.ServeContent(w, r, "", time.Time{}, f)
}

// truceExport serves a truce's area or violations as GeoJSON, or its
// violations as HXL-tagged CSV.
func (s *Server) truceExport(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.member(w, r); !ok {
		return
	}
	ctx := r.Context()
	a := requestActor(ctx)
	t, err := s.db.Truce(ctx, a, r.PathValue("truce"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	name := r.PathValue("file")
	h := w.Header()
	switch name {
	case "area.geojson":
		h.Set("Content-Type", "application/geo+json")
		h.Set("Content-Disposition", `attachment; filename="truce-`+t.ID+`-area.geojson"`)
		w.Write(parley.ShapesGeoJSON(t.Terms.Shapes))
	case "violations.geojson", "violations.csv":
		vs, err := s.db.Violations(ctx, a, t.ID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if name == "violations.geojson" {
			h.Set("Content-Type", "application/geo+json")
			h.Set("Content-Disposition", `attachment; filename="truce-`+t.ID+`-violations.geojson"`)
			w.Write(violationsGeoJSON(nil, vs, ""))
			return
		}
		h.Set("Content-Type", "text/csv; charset=utf-8")
		h.Set("Content-Disposition", `attachment; filename="truce-`+t.ID+`-violations.csv"`)
		writeViolationsHXL(w, t, vs)
	default:
		s.fail(w, r, parley.Errorf(parley.ENOTFOUND, "No such export."))
	}
}

// writeViolationsHXL writes violations as CSV with a row of HXL hashtags
// under the header, so humanitarian tools read the columns without being
// told what they are.
func writeViolationsHXL(w io.Writer, t parley.Truce, vs []parley.Violation) error {
	c := csv.NewWriter(w)
	c.Write([]string{"id", "truce", "reported_by", "time", "latitude", "longitude", "segment", "description", "status", "reported_at"})
	c.Write([]string{"#event+id", "#event+truce+id", "#org+reporting", "#date+occurred", "#geo+lat", "#geo+lon", "#loc+segment", "#description", "#status", "#date+reported"})
	for _, v := range vs {
		c.Write([]string{v.ID, t.ID, v.PartyID, v.At.UTC().Format(time.RFC3339), strconv.FormatFloat(v.Where.Lat(), 'f', 5, 64),
			strconv.FormatFloat(v.Where.Lon(), 'f', 5, 64), v.Segment, csvSafe(v.Description), v.Status, v.ReportedAt.UTC().Format(time.RFC3339)})
	}
	c.Flush()
	return c.Error()
}

// csvSafe keeps a spreadsheet from reading a cell as a formula.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// Until is the time left until t, as a countdown shows it before the
// script takes over: "1 d 02:03:04" or "02:03:04".
func (p *page) Until(t time.Time) string {
	d := t.Sub(p.Now()).Round(time.Second)
	if d < 0 {
		d = 0
	}
	days := int(d / (24 * time.Hour))
	d -= time.Duration(days) * 24 * time.Hour
	hms := fmt.Sprintf("%02d:%02d:%02d", int(d/time.Hour), int(d%time.Hour/time.Minute), int(d%time.Minute/time.Second))
	if days > 0 {
		return fmt.Sprintf("%d d %s", days, hms)
	}
	return hms
}

// KB shows a file's size.
func (p *page) KB(n int64) string {
	if n < 1024*1024 {
		return fmt.Sprintf("%d KB", (n+1023)/1024)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
}

// ShapesJSON is shapes as GeoJSON for a map's data source: JSON that
// escapes <, > and &, so it cannot end the script element it sits in.
func (p *page) ShapesJSON(shapes []parley.Shape) template.JS {
	return template.JS(parley.ShapesGeoJSON(shapes))
}

// ChangeText says one change between two offers' truce terms in the
// reader's language, times in the reader's zone.
func (p *page) ChangeText(c parley.TruceChange) string {
	when := func(s string) string {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return "—"
		}
		return p.Time(t)
	}
	purposes := func(s string) string {
		if s == "" {
			return "—"
		}
		var out []string
		for _, x := range strings.Split(s, ",") {
			out = append(out, p.T("truce."+"purpose_"+x)) // the purposes' names: truce.purpose_wounded, …
		}
		return strings.Join(out, ", ")
	}
	switch c.What {
	case "starts":
		return p.T("truce.change_starts", "Before", when(c.Before), "After", when(c.After))
	case "hours":
		return p.T("truce.change_hours", "Before", c.Before, "After", c.After)
	case "purposes":
		return p.T("truce.change_purposes", "Before", purposes(c.Before), "After", purposes(c.After))
	case "shape_added", "shape_removed":
		return p.T("truce."+"change_"+c.What, "Name", c.Shape, "Kind", p.T("map."+c.After+c.Before)) // truce.change_shape_added or _removed
	case "shape_changed":
		return p.T("truce.change_shape_changed", "Name", c.Shape)
	}
	field := map[string]string{"time_zone": "meetings.time_zone", "purpose": "truce.purpose", "area": "truce.area", "conditions": "truce.conditions"}[c.What]
	return p.T("truce.change_words", "Field", p.T(field))
}

// baseMap is the countries of the world, decoded once from the file the
// browsers' map is drawn from.
var baseMap = sync.OnceValues(func() (*geo.Topology, error) {
	b, err := fs.ReadFile(files, "static/map/countries-50m.json")
	if err != nil {
		return nil, err
	}
	return geo.Decode(b)
})

// mapLegend is the translated legend of the server-drawn map.
func (p *page) mapLegend() map[string]string {
	l := map[string]string{"km": "km"}
	for _, k := range []string{parley.ShapeSegment, parley.ShapeZone, parley.ShapeCrossing} {
		l[k] = p.T("map." + k)
	}
	for _, st := range append([]string{"reported"}, append(append([]string{}, parley.ViolationAnswers...), parley.ViolationFindings...)...) {
		l[st] = p.T("truces.violations") + ": " + p.T("violation."+"status_"+st)
	}
	return l
}

// mapSVG draws a truce's area, or a truce proposal's, as an SVG image: for
// print, and for readers without JavaScript.
func (s *Server) mapSVG(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.member(w, r); !ok {
		return
	}
	ctx := r.Context()
	p := s.page(r, "truce.title")
	var shapes []parley.Shape
	var marks []geo.Mark
	title := ""
	if id := r.PathValue("truce"); id != "" {
		t, err := s.db.Truce(ctx, p.Actor, id)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		vs, err := s.db.Violations(ctx, p.Actor, id)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		shapes, title = t.Terms.Shapes, t.Title
		for _, v := range vs {
			marks = append(marks, geo.Mark{At: v.Where, Label: p.Time(v.At), Class: v.Status})
		}
	} else {
		pr, err := s.db.Proposal(ctx, p.Actor, r.PathValue("proposal"))
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if pr.Details.Truce == nil {
			s.fail(w, r, parley.Errorf(parley.ENOTFOUND, "No such map."))
			return
		}
		shapes, title = pr.Details.Truce.Shapes, pr.Title
	}
	base, err := baseMap()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var b bytes.Buffer
	if err := geo.SVG(&b, base, shapes, marks, geo.Options{Width: 900, Height: 600, Title: title, Legend: p.mapLegend()}); err != nil {
		s.fail(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "image/svg+xml")
	h.Set("Cache-Control", "private, no-cache")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	w.Write(b.Bytes())
}
