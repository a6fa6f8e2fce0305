package web

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/parley-talks/parley"
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
var mapLabels = []string{"name", "save", "segment", "zone", "crossing", "rename", "delete", "show_geojson", "hide_geojson"}

// MapLabels is the map's words in the reader's language, as JSON for the
// data-labels attribute of a map.
func (p *page) MapLabels() string {
	m := map[string]string{}
	for _, k := range mapLabels {
		m[k] = p.T("map." + k)
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
