package parley

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
)

// Point is a place on the map: longitude and latitude in degrees (WGS 84),
// in that order, as GeoJSON writes them.
type Point [2]float64

// Lon and Lat name the two coordinates.
func (p Point) Lon() float64 { return p[0] }
func (p Point) Lat() float64 { return p[1] }

// BBox is a region: the longitudes from West to East and latitudes from
// South to North it spans.
type BBox struct {
	West  float64 `json:"west"`
	South float64 `json:"south"`
	East  float64 `json:"east"`
	North float64 `json:"north"`
}

// DefaultRegion is the region of a process that names none: the line of
// contact and the lands on either side of it, with a wide margin.
var DefaultRegion = BBox{West: 20, South: 42, East: 50, North: 58}

// Contains reports whether p lies in b.
func (b BBox) Contains(p Point) bool {
	return p.Lon() >= b.West && p.Lon() <= b.East && p.Lat() >= b.South && p.Lat() <= b.North
}

// Valid reports whether b is a region at all.
func (b BBox) Valid() bool {
	return b.West >= -180 && b.East <= 180 && b.South >= -90 && b.North <= 90 && b.West < b.East && b.South < b.North
}

// IsZero reports whether b was never set.
func (b BBox) IsZero() bool { return b == BBox{} }

// Shape kinds.
const (
	ShapeSegment  = "segment"  // a stretch of the line of contact: a GeoJSON LineString
	ShapeZone     = "zone"     // an area: a GeoJSON Polygon, its outer ring
	ShapeCrossing = "crossing" // a crossing point: a GeoJSON Point
)

// Shape is a named segment, zone or crossing point of a truce's area.
type Shape struct {
	Kind string  `json:"kind"`
	Name string  `json:"name"`
	Line []Point `json:"line,omitempty"` // a segment's vertices, or a zone's ring (closed: first = last)
	At   *Point  `json:"at,omitempty"`   // a crossing
}

// Points returns the vertices of s, or its one point.
func (s Shape) Points() []Point {
	if s.At != nil {
		return []Point{*s.At}
	}
	return s.Line
}

// ShapeError says what is wrong with a map's shapes: Problem is a sentence
// of a fixed list (so that it can be translated), Feature the feature it is
// about, from 1, or 0 for the whole.
type ShapeError struct {
	Feature int
	Problem string
}

func (e *ShapeError) Error() string {
	if e.Feature == 0 {
		return e.Problem
	}
	return fmt.Sprintf("feature %d: %s", e.Feature, e.Problem)
}

type problemError string

func (e problemError) Error() string { return string(e) }

func problem(s string) error { return problemError(s) }

// maxVertices bounds one shape: a line drawn by hand has tens of vertices,
// not thousands.
const maxVertices = 2000

// ParseShapes reads a GeoJSON FeatureCollection (or a single Feature) of
// LineStrings, Polygons and Points, each named by its "name" property, and
// checks each against region: every coordinate inside it, lines of at
// least two distinct points, zones closed, with at least three corners and
// no edge crossing another. Errors name the feature (from 1) and what is
// wrong, in words a person drawing the map can act on.
func ParseShapes(data []byte, region BBox) ([]Shape, error) {
	var top struct {
		Type     string            `json:"type"`
		Features []json.RawMessage `json:"features"`
	}
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, &ShapeError{Problem: "not GeoJSON"}
	}
	raw := top.Features
	switch top.Type {
	case "FeatureCollection":
	case "Feature":
		raw = []json.RawMessage{data}
	default:
		return nil, &ShapeError{Problem: "not a GeoJSON FeatureCollection or Feature"}
	}
	if len(raw) > 200 {
		return nil, &ShapeError{Problem: "too many shapes: at most 200"}
	}
	var out []Shape
	for i, r := range raw {
		s, err := parseFeature(r, region)
		if err != nil {
			return nil, &ShapeError{Feature: i + 1, Problem: err.Error()}
		}
		out = append(out, s)
	}
	return out, nil
}

func parseFeature(r json.RawMessage, region BBox) (Shape, error) {
	var f struct {
		Type     string `json:"type"`
		Geometry *struct {
			Type        string          `json:"type"`
			Coordinates json.RawMessage `json:"coordinates"`
		} `json:"geometry"`
		Properties map[string]any `json:"properties"`
	}
	if err := json.Unmarshal(r, &f); err != nil || f.Type != "Feature" || f.Geometry == nil {
		return Shape{}, problem("not a GeoJSON Feature with a geometry")
	}
	var s Shape
	if name, ok := f.Properties["name"].(string); ok {
		s.Name = strings.TrimSpace(name)
	}
	switch f.Geometry.Type {
	case "Point":
		var c []float64
		if err := json.Unmarshal(f.Geometry.Coordinates, &c); err != nil || len(c) < 2 {
			return s, problem("a Point needs two coordinates")
		}
		s.Kind, s.At = ShapeCrossing, &Point{c[0], c[1]}
	case "LineString":
		line, err := coords(f.Geometry.Coordinates)
		if err != nil {
			return s, err
		}
		s.Kind, s.Line = ShapeSegment, dedupe(line)
	case "Polygon":
		var rings []json.RawMessage
		if err := json.Unmarshal(f.Geometry.Coordinates, &rings); err != nil || len(rings) == 0 {
			return s, problem("a Polygon needs a ring of coordinates")
		}
		if len(rings) > 1 {
			return s, problem("a zone with holes is not supported: draw it as several zones")
		}
		ring, err := coords(rings[0])
		if err != nil {
			return s, err
		}
		if len(ring) < 4 || ring[0] != ring[len(ring)-1] {
			return s, problem("a zone's ring must be closed and have at least three corners")
		}
		s.Kind, s.Line = ShapeZone, dedupe(ring)
	default:
		return s, fmt.Errorf("a %q is not a segment, zone or crossing point", f.Geometry.Type)
	}
	return s, validateShape(s, region)
}

// validateShape checks one shape: a name, every coordinate a number inside
// region, a segment of two distinct points at least, a zone closed, with
// three corners at least and no edges crossing.
func validateShape(s Shape, region BBox) error {
	if strings.TrimSpace(s.Name) == "" {
		return problem("a shape has no name")
	}
	if len([]rune(s.Name)) > maxTitle {
		return problem("a shape's name is too long")
	}
	pts := s.Points()
	if len(pts) > maxVertices {
		return problem("too many points in one shape")
	}
	for _, p := range pts {
		if math.IsNaN(p[0]) || math.IsNaN(p[1]) || math.IsInf(p[0], 0) || math.IsInf(p[1], 0) {
			return problem("a coordinate is not a number")
		}
		if !region.Contains(p) {
			return problem("a point lies outside the region of the process")
		}
	}
	switch s.Kind {
	case ShapeCrossing:
		if s.At == nil || len(s.Line) > 0 {
			return problem("a crossing is one point")
		}
	case ShapeSegment:
		if s.At != nil || len(dedupe(s.Line)) < 2 {
			return problem("a line needs at least two distinct points")
		}
	case ShapeZone:
		ring := s.Line
		if s.At != nil || len(ring) < 4 || ring[0] != ring[len(ring)-1] {
			return problem("a zone's ring must be closed and have at least three corners")
		}
		if selfIntersects(ring) {
			return problem("the zone's edges cross each other")
		}
	default:
		return problem("a shape is not a segment, zone or crossing point")
	}
	return nil
}

func coords(raw json.RawMessage) ([]Point, error) {
	var cs [][]float64
	if err := json.Unmarshal(raw, &cs); err != nil {
		return nil, problem("the coordinates are not a list of points")
	}
	if len(cs) > maxVertices {
		return nil, problem("too many points in one shape")
	}
	out := make([]Point, len(cs))
	for i, c := range cs {
		if len(c) < 2 {
			return nil, problem("a point needs two coordinates")
		}
		out[i] = Point{c[0], c[1]}
	}
	return out, nil
}

// dedupe drops consecutive repeated points.
func dedupe(ps []Point) []Point {
	out := ps[:0:0]
	for i, p := range ps {
		if i == 0 || p != ps[i-1] {
			out = append(out, p)
		}
	}
	return out
}

// selfIntersects reports whether two edges of the closed ring cross, other
// than neighbours meeting at their shared corner.
func selfIntersects(ring []Point) bool {
	n := len(ring) - 1 // edges
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			if j == i+1 || i == 0 && j == n-1 {
				continue // neighbours share a corner
			}
			if segmentsCross(ring[i], ring[i+1], ring[j], ring[j+1]) {
				return true
			}
		}
	}
	return false
}

func orient(a, b, c Point) float64 {
	return (b[0]-a[0])*(c[1]-a[1]) - (b[1]-a[1])*(c[0]-a[0])
}

func onSegment(a, b, p Point) bool {
	return math.Min(a[0], b[0]) <= p[0] && p[0] <= math.Max(a[0], b[0]) && math.Min(a[1], b[1]) <= p[1] && p[1] <= math.Max(a[1], b[1])
}

// segmentsCross reports whether segments ab and cd share a point.
func segmentsCross(a, b, c, d Point) bool {
	o1, o2, o3, o4 := orient(a, b, c), orient(a, b, d), orient(c, d, a), orient(c, d, b)
	if (o1 > 0) != (o2 > 0) && (o3 > 0) != (o4 > 0) && o1 != 0 && o2 != 0 && o3 != 0 && o4 != 0 {
		return true
	}
	return o1 == 0 && onSegment(a, b, c) || o2 == 0 && onSegment(a, b, d) || o3 == 0 && onSegment(c, d, a) || o4 == 0 && onSegment(c, d, b)
}

// DistanceKm is the distance in kilometres from p to s: zero inside a zone,
// else to its nearest edge, vertex or point (an equirectangular
// approximation, good to a few metres over the tens of kilometres that
// matter here).
func (s Shape) DistanceKm(p Point) float64 {
	if s.At != nil {
		return kmBetween(p, *s.At)
	}
	if s.Kind == ShapeZone && insideRing(s.Line, p) {
		return 0
	}
	best := math.Inf(1)
	for i := 0; i+1 < len(s.Line); i++ {
		best = math.Min(best, kmToSegment(p, s.Line[i], s.Line[i+1]))
	}
	if len(s.Line) == 1 {
		best = kmBetween(p, s.Line[0])
	}
	return best
}

const earthKm = 6371.0

// project maps q to kilometres east and north of p.
func project(p, q Point) (x, y float64) {
	rad := math.Pi / 180
	return (q[0] - p[0]) * rad * math.Cos(p[1]*rad) * earthKm, (q[1] - p[1]) * rad * earthKm
}

func kmBetween(p, q Point) float64 {
	x, y := project(p, q)
	return math.Hypot(x, y)
}

func kmToSegment(p, a, b Point) float64 {
	ax, ay := project(p, a)
	bx, by := project(p, b)
	dx, dy := bx-ax, by-ay
	t := 0.0
	if l := dx*dx + dy*dy; l > 0 {
		t = math.Max(0, math.Min(1, -(ax*dx+ay*dy)/l))
	}
	return math.Hypot(ax+t*dx, ay+t*dy)
}

// insideRing reports whether p lies inside the closed ring (even-odd rule).
func insideRing(ring []Point, p Point) bool {
	in := false
	for i, j := 0, len(ring)-1; i < len(ring); j, i = i, i+1 {
		a, b := ring[i], ring[j]
		if (a[1] > p[1]) != (b[1] > p[1]) && p[0] < (b[0]-a[0])*(p[1]-a[1])/(b[1]-a[1])+a[0] {
			in = !in
		}
	}
	return in
}

// ShapesGeoJSON writes shapes as a GeoJSON FeatureCollection, each with its
// name and kind as properties.
func ShapesGeoJSON(shapes []Shape) []byte {
	type feature struct {
		Type       string         `json:"type"`
		Geometry   any            `json:"geometry"`
		Properties map[string]any `json:"properties"`
	}
	fc := struct {
		Type     string    `json:"type"`
		Features []feature `json:"features"`
	}{Type: "FeatureCollection", Features: []feature{}}
	for _, s := range shapes {
		var g any
		switch s.Kind {
		case ShapeCrossing:
			g = map[string]any{"type": "Point", "coordinates": s.At}
		case ShapeSegment:
			g = map[string]any{"type": "LineString", "coordinates": s.Line}
		case ShapeZone:
			g = map[string]any{"type": "Polygon", "coordinates": [][]Point{s.Line}}
		}
		fc.Features = append(fc.Features, feature{Type: "Feature", Geometry: g, Properties: map[string]any{"name": s.Name, "kind": s.Kind}})
	}
	b, _ := json.Marshal(fc) // only numbers and strings
	return b
}
