// Package geo draws maps on the server: the base map of countries, decoded
// from the world-atlas TopoJSON file that the browser's map also reads, and
// a truce's segments, zones and crossing points over it, as SVG for print
// and for pages without JavaScript.
//
// The SVG uses the Web Mercator projection, like the Leaflet map in the
// browser, and the same colours as static/map.js, so a printed map looks
// like the one on screen. Its styling is in presentation attributes only
// (no style element, no style attribute), so it can be inlined in a page
// under the server's Content-Security-Policy.
package geo

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/parley-talks/parley"
)

// Topology is the base map: the countries of a world-atlas file.
type Topology struct {
	Countries []Country
}

// Country is one country of the base map.
type Country struct {
	ID       string      // ISO 3166-1 numeric code, as Natural Earth gives it; empty for some territories
	Name     string      // its English short name
	Box      parley.BBox // the extent of all its polygons
	Polygons []Polygon

	rings []ring // every ring of Polygons, projected once for all maps
}

// ring is a ring of a country as SVG draws it: projected by merc, with its
// extent to skip it when it is out of sight.
type ring struct {
	box parley.BBox
	xy  [][2]float64
}

// Polygon is an outer ring followed by its holes, each closed (first point =
// last point), in longitude and latitude.
type Polygon [][]parley.Point

// Country returns the country named name, and whether there is one.
func (t *Topology) Country(name string) (Country, bool) {
	for _, c := range t.Countries {
		if c.Name == name {
			return c, true
		}
	}
	return Country{}, false
}

// topology is the part of a TopoJSON file Decode reads.
type topology struct {
	Type      string `json:"type"`
	Transform *struct {
		Scale     [2]float64 `json:"scale"`
		Translate [2]float64 `json:"translate"`
	} `json:"transform"`
	Arcs    json.RawMessage            `json:"arcs"` // read by decodeArcs, many times faster than by reflection
	Objects map[string]json.RawMessage `json:"objects"`
}

type geometry struct {
	Type       string          `json:"type"`
	ID         any             `json:"id"`
	Arcs       json.RawMessage `json:"arcs"`
	Properties struct {
		Name string `json:"name"`
	} `json:"properties"`
	Geometries []geometry `json:"geometries"`
}

// Decode reads a TopoJSON topology of countries such as world-atlas's
// countries-50m.json: the GeometryCollection "countries" (or, failing that,
// "land") of Polygons and MultiPolygons, with arcs delta-encoded when the
// topology has a transform. Other kinds of geometry are skipped.
func Decode(b []byte) (*Topology, error) {
	var t topology
	if err := json.Unmarshal(b, &t); err != nil {
		return nil, fmt.Errorf("geo: not TopoJSON: %v", err)
	}
	if t.Type != "Topology" {
		return nil, errors.New(`geo: not TopoJSON: its type is not "Topology"`)
	}
	raw, ok := t.Objects["countries"]
	if !ok {
		raw, ok = t.Objects["land"]
	}
	if !ok {
		return nil, errors.New(`geo: the topology has no object "countries" or "land"`)
	}
	var coll geometry
	if err := json.Unmarshal(raw, &coll); err != nil {
		return nil, fmt.Errorf("geo: the countries are not a geometry: %v", err)
	}
	arcs, err := decodeArcs(&t)
	if err != nil {
		return nil, err
	}
	geoms := coll.Geometries
	if coll.Type != "GeometryCollection" {
		geoms = []geometry{coll}
	}
	out := &Topology{Countries: make([]Country, 0, len(geoms))}
	// Each arc of a map of countries bounds at most two rings; a topology
	// that asks for many more points than its arcs hold is refused before
	// it fills the memory.
	budget := 0
	for _, a := range arcs {
		budget += 4 * len(a)
	}
	budget += 1 << 16
	for i, g := range geoms {
		c := Country{Name: g.Properties.Name}
		switch id := g.ID.(type) {
		case string:
			c.ID = id
		case float64:
			c.ID = fmt.Sprint(id)
		}
		var polys [][][]int
		switch g.Type {
		case "Polygon":
			var p [][]int
			if err := json.Unmarshal(g.Arcs, &p); err != nil {
				return nil, fmt.Errorf("geo: geometry %d: a Polygon's arcs are not a list of rings: %v", i+1, err)
			}
			polys = [][][]int{p}
		case "MultiPolygon":
			if err := json.Unmarshal(g.Arcs, &polys); err != nil {
				return nil, fmt.Errorf("geo: geometry %d: a MultiPolygon's arcs are not a list of polygons: %v", i+1, err)
			}
		default:
			continue // null geometries, points, lines: nothing to fill
		}
		for _, p := range polys {
			var poly Polygon
			for _, r := range p {
				ring, err := stitch(arcs, r, budget)
				if err != nil {
					return nil, fmt.Errorf("geo: geometry %d (%s): %v", i+1, c.Name, err)
				}
				budget -= len(ring)
				if len(ring) >= 4 {
					poly = append(poly, ring)
				}
			}
			if len(poly) > 0 {
				c.Polygons = append(c.Polygons, poly)
			}
		}
		if len(c.Polygons) == 0 {
			continue
		}
		c.Box = extent(c.Polygons)
		for _, p := range c.Polygons {
			for _, r := range p {
				xy := make([][2]float64, len(r))
				for k, q := range r {
					xy[k][0], xy[k][1] = merc(q)
				}
				c.rings = append(c.rings, ring{box: extent([]Polygon{{r}}), xy: xy})
			}
		}
		out.Countries = append(out.Countries, c)
	}
	return out, nil
}

// decodeArcs turns the topology's arcs into absolute longitudes and
// latitudes: a quantized topology stores each position after the first as
// the difference from the one before. The arcs are most of a topology's
// bytes, so they are scanned here rather than by encoding/json's
// reflection, which takes ten times as long.
func decodeArcs(t *topology) ([][]parley.Point, error) {
	sc := scanner{b: t.Arcs}
	var all []parley.Point // every position, in one array
	var ends []int         // where each arc ends in all
	if !sc.skip('[') {
		return nil, errors.New("geo: the arcs are not a list")
	}
	for i := 0; !sc.skip(']'); i++ {
		if i > 0 && !sc.skip(',') {
			return nil, sc.errorf("arc %d", i)
		}
		if !sc.skip('[') {
			return nil, sc.errorf("arc %d is not a list of positions", i)
		}
		var x, y float64
		for j := 0; !sc.skip(']'); j++ {
			if j > 0 && !sc.skip(',') {
				return nil, sc.errorf("arc %d", i)
			}
			if !sc.skip('[') {
				return nil, sc.errorf("arc %d: position %d is not a list", i, j)
			}
			var c [2]float64
			n := 0
			for ; !sc.skip(']'); n++ {
				if n > 0 && !sc.skip(',') {
					return nil, sc.errorf("arc %d: position %d", i, j)
				}
				v, ok := sc.number()
				if !ok {
					return nil, sc.errorf("arc %d: position %d has a coordinate that is not a number", i, j)
				}
				if n < 2 {
					c[n] = v
				}
			}
			if n < 2 {
				return nil, fmt.Errorf("geo: arc %d: position %d has fewer than two coordinates", i, j)
			}
			if t.Transform == nil {
				all = append(all, parley.Point(c))
				continue
			}
			x, y = x+c[0], y+c[1]
			all = append(all, parley.Point{
				x*t.Transform.Scale[0] + t.Transform.Translate[0],
				y*t.Transform.Scale[1] + t.Transform.Translate[1],
			})
		}
		ends = append(ends, len(all))
	}
	arcs := make([][]parley.Point, len(ends))
	start := 0
	for i, end := range ends {
		arcs[i] = all[start:end:end]
		start = end
	}
	return arcs, nil
}

// scanner reads JSON arrays of numbers, which encoding/json has already
// found well-formed.
type scanner struct {
	b []byte
	i int
}

func (s *scanner) space() {
	for s.i < len(s.b) && (s.b[s.i] == ' ' || s.b[s.i] == '\n' || s.b[s.i] == '\r' || s.b[s.i] == '\t') {
		s.i++
	}
}

// skip reports whether the next byte other than white space is c, and if
// so reads past it.
func (s *scanner) skip(c byte) bool {
	s.space()
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// number reads a number: an integer quickly, anything else with strconv.
func (s *scanner) number() (float64, bool) {
	s.space()
	start := s.i
	for s.i < len(s.b) && strings.IndexByte("+-.0123456789eE", s.b[s.i]) >= 0 {
		s.i++
	}
	tok := s.b[start:s.i]
	if len(tok) == 0 {
		return 0, false
	}
	digits, neg := tok, false
	if digits[0] == '-' {
		digits, neg = digits[1:], true
	}
	if len(digits) > 0 && len(digits) <= 15 {
		n := 0
		for _, d := range digits {
			if d < '0' || d > '9' {
				n = -1
				break
			}
			n = n*10 + int(d-'0')
		}
		if n >= 0 {
			if neg {
				return -float64(n), true
			}
			return float64(n), true
		}
	}
	v, err := strconv.ParseFloat(string(tok), 64)
	return v, err == nil
}

func (s *scanner) errorf(format string, args ...any) error {
	return fmt.Errorf("geo: "+format+": unexpected text at byte %d of the arcs", append(args, s.i)...)
}

// stitch joins the arcs of one ring. A negative index ~i names arc i
// walked backwards; each arc after the first repeats the last position of
// the one before, which is dropped.
// It refuses a ring of more than most points.
func stitch(arcs [][]parley.Point, idx []int, most int) ([]parley.Point, error) {
	n := 0
	for _, i := range idx {
		if i < 0 {
			i = ^i
		}
		if i >= len(arcs) {
			return nil, fmt.Errorf("arc %d does not exist (the topology has %d)", i, len(arcs))
		}
		n += len(arcs[i])
		if n > most {
			return nil, errors.New("its rings repeat their arcs far more than a map of countries does")
		}
	}
	ring := make([]parley.Point, 0, n)
	for k, i := range idx {
		j := i
		if j < 0 {
			j = ^j
		}
		a := arcs[j]
		if len(a) == 0 {
			continue
		}
		if i >= 0 {
			if k > 0 && len(ring) > 0 {
				a = a[1:]
			}
			ring = append(ring, a...)
			continue
		}
		last := len(a) - 1
		if k > 0 && len(ring) > 0 {
			last--
		}
		for m := last; m >= 0; m-- {
			ring = append(ring, a[m])
		}
	}
	return ring, nil
}

// extent returns the box around every position of polys.
func extent(polys []Polygon) parley.BBox {
	b := parley.BBox{West: math.Inf(1), South: math.Inf(1), East: math.Inf(-1), North: math.Inf(-1)}
	for _, p := range polys {
		for _, r := range p {
			for _, q := range r {
				b.West, b.East = math.Min(b.West, q[0]), math.Max(b.East, q[0])
				b.South, b.North = math.Min(b.South, q[1]), math.Max(b.North, q[1])
			}
		}
	}
	return b
}
