package geo

import (
	"errors"
	"fmt"
	"hash/fnv"
	"html"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/parley-talks/parley"
)

// Mark is a point drawn over the map as a circle, such as a reported
// violation.
type Mark struct {
	At    parley.Point
	Label string // written beside the circle and as its tooltip; may be empty
	// Class is added to the circle's class attribute. A violation's status
	// (reported, acknowledged, verification, disputed, confirmed,
	// not_confirmed, inconclusive) as its first word chooses its colours,
	// the same as on the browser's map.
	Class string
}

// Options says how SVG draws a map.
type Options struct {
	Width, Height int // in pixels; zero: 800 by 600
	// Box is the region that must be seen; the map shows more of it on two
	// sides when its proportions differ from Width and Height. Zero: the
	// shapes and marks with a margin, at least about 50 km across, or
	// parley.DefaultRegion when there are none.
	Box   parley.BBox
	Title string // the map's accessible name
	// Legend holds the translated label of each kind of shape (segment,
	// zone, crossing) and each mark class to list in the legend; a kind or
	// class without a label is left out of it. Under the key "km" it may
	// hold the translated unit of the scale bar.
	Legend map[string]string
}

// The palette, also in static/map.js: the Okabe–Ito colours, which readers
// with any common colour-vision deficiency can tell apart, and a shape
// of its own for each kind (line, area, diamond, circle).
const (
	colourSea      = "#dfe9f0"
	colourLand     = "#f6f4ef"
	colourBorder   = "#9b9b9b"
	colourSegment  = "#D55E00" // vermillion
	colourZone     = "#0072B2" // blue
	colourCrossing = "#009E73" // bluish green
	colourText     = "#1f1f1f"
)

// markStyle is the fill and stroke of a mark.
type markStyle struct{ fill, stroke string }

// markStyles gives each violation status its colours: still open (orange),
// confirmed (reddish purple), closed without confirmation (hollow).
var markStyles = map[string]markStyle{
	"reported":      {"#E69F00", "#1f1f1f"},
	"acknowledged":  {"#E69F00", "#1f1f1f"},
	"verification":  {"#E69F00", "#1f1f1f"},
	"disputed":      {"#E69F00", "#1f1f1f"},
	"confirmed":     {"#CC79A7", "#1f1f1f"},
	"not_confirmed": {"#FFFFFF", "#555555"},
	"inconclusive":  {"#FFFFFF", "#555555"},
}

var defaultMarkStyle = markStyle{"#555555", "#FFFFFF"}

// legendOrder is the order of the legend's entries; other mark classes
// follow in alphabetical order.
var legendOrder = []string{parley.ShapeSegment, parley.ShapeZone, parley.ShapeCrossing,
	"reported", "acknowledged", "verification", "disputed", "confirmed", "not_confirmed", "inconclusive"}

func styleOf(class string) markStyle {
	if f := strings.Fields(class); len(f) > 0 {
		if s, ok := markStyles[f[0]]; ok {
			return s
		}
	}
	return defaultMarkStyle
}

// minSpanKm is the least a fitted map shows across: one crossing point
// alone still gets its surroundings.
const minSpanKm = 50

// SVG writes the map of shapes and marks over the countries of base (which
// may be nil) to w, as a standalone SVG element. Its output depends only on
// its arguments, to a tenth of a pixel.
func SVG(w io.Writer, base *Topology, shapes []parley.Shape, marks []Mark, opt Options) error {
	if opt.Width < 0 || opt.Height < 0 {
		return errors.New("geo: a map's width and height cannot be negative")
	}
	if opt.Width == 0 {
		opt.Width = 800
	}
	if opt.Height == 0 {
		opt.Height = 600
	}
	box := opt.Box
	if box.IsZero() {
		box = fit(shapes, marks)
	} else if !box.Valid() {
		return fmt.Errorf("geo: %v is not a region", box)
	}
	v := newView(box, float64(opt.Width), float64(opt.Height))
	id := mapID(opt, box)

	b := make([]byte, 0, 16<<10)
	b = fmt.Appendf(b, `<svg xmlns="http://www.w3.org/2000/svg" class="map-svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-labelledby="%s-title">`+"\n",
		opt.Width, opt.Height, opt.Width, opt.Height, id)
	b = fmt.Appendf(b, `<title id="%s-title">%s</title>`+"\n", id, html.EscapeString(opt.Title))
	b = fmt.Appendf(b, `<defs><clipPath id="%s-clip"><rect width="%d" height="%d"/></clipPath></defs>`+"\n", id, opt.Width, opt.Height)
	b = fmt.Appendf(b, `<rect class="sea" width="%d" height="%d" fill="%s"/>`+"\n", opt.Width, opt.Height, colourSea)

	if base != nil {
		b = fmt.Appendf(b, `<g class="countries" clip-path="url(#%s-clip)" fill="%s" stroke="%s" stroke-width="0.7" stroke-linejoin="round" fill-rule="evenodd">`+"\n",
			id, colourLand, colourBorder)
		b = v.appendCountries(b, base)
		b = append(b, "</g>\n"...)
	}

	b = fmt.Appendf(b, `<g class="shapes" clip-path="url(#%s-clip)">`+"\n", id)
	var labels []label
	kinds := map[string]bool{}
	// Zones under segments under points, so nothing hides a smaller thing.
	for _, kind := range []string{parley.ShapeZone, parley.ShapeSegment, parley.ShapeCrossing} {
		for _, s := range shapes {
			if s.Kind != kind || len(s.Points()) == 0 {
				continue
			}
			kinds[kind] = true
			var l label
			b, l = v.appendShape(b, s)
			labels = append(labels, l)
		}
	}
	classes := map[string]bool{}
	for _, m := range marks {
		x, y := v.px(m.At)
		st := styleOf(m.Class)
		class := "mark"
		if c := strings.TrimSpace(m.Class); c != "" {
			class += " " + c
			classes[c] = true
		}
		b = append(b, `<circle class="`...)
		b = append(b, html.EscapeString(class)...)
		b = append(b, `" cx="`...)
		b = num(b, x)
		b = append(b, `" cy="`...)
		b = num(b, y)
		b = fmt.Appendf(b, `" r="6" fill="%s" stroke="%s" stroke-width="1.5">`, st.fill, st.stroke)
		if m.Label != "" {
			b = append(b, "<title>"...)
			b = append(b, html.EscapeString(m.Label)...)
			b = append(b, "</title>"...)
			labels = append(labels, label{text: m.Label, x: x + 10, y: y + 4, anchor: "start"})
		}
		b = append(b, "</circle>\n"...)
	}
	b = append(b, "</g>\n"...)

	if len(labels) > 0 {
		b = fmt.Appendf(b, `<g class="labels" clip-path="url(#%s-clip)" font-family="sans-serif" font-size="12" fill="%s" stroke="#ffffff" stroke-width="3" stroke-linejoin="round" paint-order="stroke">`+"\n", id, colourText)
		for _, l := range labels {
			b = append(b, `<text x="`...)
			b = num(b, l.x)
			b = append(b, `" y="`...)
			b = num(b, l.y)
			if l.anchor != "start" {
				b = append(b, `" text-anchor="`...)
				b = append(b, l.anchor...)
			}
			b = append(b, `">`...)
			b = append(b, html.EscapeString(l.text)...)
			b = append(b, "</text>\n"...)
		}
		b = append(b, "</g>\n"...)
	}

	b = v.appendScale(b, opt.Legend["km"])
	b = appendLegend(b, opt, kinds, classes)
	b = fmt.Appendf(b, `<text class="attribution" x="%d" y="%d" text-anchor="end" font-family="sans-serif" font-size="9" fill="#555555">Natural Earth</text>`+"\n", opt.Width-4, opt.Height-4)
	b = append(b, "</svg>\n"...)
	_, err := w.Write(b)
	return err
}

// label is a name written on the map.
type label struct {
	text   string
	x, y   float64
	anchor string // text-anchor: start or middle
}

// fit returns the region around shapes and marks, with a margin of a fifth
// of its size on each side and at least minSpanKm across.
func fit(shapes []parley.Shape, marks []Mark) parley.BBox {
	b := parley.BBox{West: math.Inf(1), South: math.Inf(1), East: math.Inf(-1), North: math.Inf(-1)}
	add := func(p parley.Point) {
		if math.IsNaN(p[0]) || math.IsNaN(p[1]) || math.IsInf(p[0], 0) || math.IsInf(p[1], 0) {
			return
		}
		b.West, b.East = math.Min(b.West, p[0]), math.Max(b.East, p[0])
		b.South, b.North = math.Min(b.South, p[1]), math.Max(b.North, p[1])
	}
	for _, s := range shapes {
		for _, p := range s.Points() {
			add(p)
		}
	}
	for _, m := range marks {
		add(m.At)
	}
	if b.West > b.East {
		return parley.DefaultRegion
	}
	dx, dy := (b.East-b.West)/5, (b.North-b.South)/5
	b.West, b.East, b.South, b.North = b.West-dx, b.East+dx, b.South-dy, b.North+dy
	midLat := (b.South + b.North) / 2
	minLat := minSpanKm / 111.32
	minLon := minSpanKm / (111.32 * math.Max(0.05, math.Cos(midLat*math.Pi/180)))
	if span := b.North - b.South; span < minLat {
		b.South, b.North = b.South-(minLat-span)/2, b.North+(minLat-span)/2
	}
	if span := b.East - b.West; span < minLon {
		b.West, b.East = b.West-(minLon-span)/2, b.East+(minLon-span)/2
	}
	b.West, b.East = math.Max(b.West, -180), math.Min(b.East, 180)
	b.South, b.North = math.Max(b.South, -85), math.Min(b.North, 85)
	return b
}

// mapID names the map's elements (its title, its clip path) so that two
// maps inlined in one page do not share an id unless they are the same map.
func mapID(opt Options, box parley.BBox) string {
	h := fnv.New32a()
	fmt.Fprintf(h, "%d %d %v %s", opt.Width, opt.Height, box, opt.Title)
	return fmt.Sprintf("map-%08x", h.Sum32())
}

// maxLat is where Web Mercator stops.
const maxLat = 85.0511287798

// merc projects p with Web Mercator onto the unit square: x east, y south.
func merc(p parley.Point) (x, y float64) {
	lat := math.Max(-maxLat, math.Min(maxLat, p[1]))
	s := math.Sin(lat * math.Pi / 180)
	return (p[0] + 180) / 360, 0.5 - math.Log((1+s)/(1-s))/(4*math.Pi)
}

// unmerc is the inverse of merc.
func unmerc(x, y float64) parley.Point {
	return parley.Point{x*360 - 180, math.Atan(math.Sinh(math.Pi*(1-2*y))) * 180 / math.Pi}
}

// view maps the unit square of merc onto the picture.
type view struct {
	w, h   float64
	scale  float64 // pixels per unit
	x0, y0 float64 // the unit square's coordinates of the picture's top left corner
	seen   parley.BBox
}

func newView(box parley.BBox, w, h float64) *view {
	x0, y0 := merc(parley.Point{box.West, box.North})
	x1, y1 := merc(parley.Point{box.East, box.South})
	scale := math.Min(w/math.Max(x1-x0, 1e-9), h/math.Max(y1-y0, 1e-9))
	v := &view{w: w, h: h, scale: scale, x0: (x0+x1)/2 - w/2/scale, y0: (y0+y1)/2 - h/2/scale}
	nw := unmerc(v.x0, v.y0)
	se := unmerc(v.x0+w/scale, v.y0+h/scale)
	v.seen = parley.BBox{West: nw[0], North: nw[1], East: se[0], South: se[1]}
	return v
}

// px returns p's place in the picture, in pixels from its top left corner.
func (v *view) px(p parley.Point) (x, y float64) {
	mx, my := merc(p)
	return (mx - v.x0) * v.scale, (my - v.y0) * v.scale
}

// overlaps reports whether the box b and the picture overlap, allowing a
// little for borders drawn along the edge.
func (v *view) overlaps(b parley.BBox) bool {
	mx := (v.seen.East - v.seen.West) / 50
	my := (v.seen.North - v.seen.South) / 50
	return b.West <= v.seen.East+mx && b.East >= v.seen.West-mx && b.South <= v.seen.North+my && b.North >= v.seen.South-my
}

// clipMargin is how far outside the picture a clipped country still
// reaches, so the cut edges lie under the clip path, unseen.
const clipMargin = 4

// appendCountries writes one path for each country of t in sight, its
// rings cut to the picture and thinned to a vertex every half pixel or so.
func (v *view) appendCountries(b []byte, t *Topology) []byte {
	longest := 0
	for _, c := range t.Countries {
		if v.overlaps(c.Box) {
			for _, r := range c.rings {
				if v.overlaps(r.box) {
					longest = max(longest, len(r.xy))
				}
			}
		}
	}
	pts := make([][2]float64, 0, longest+8)
	tmp := make([][2]float64, 0, longest+8)
	for _, c := range t.Countries {
		if !v.overlaps(c.Box) {
			continue
		}
		started := false
		for _, r := range c.rings {
			if !v.overlaps(r.box) {
				continue
			}
			pts = pts[:0]
			for _, q := range r.xy {
				pts = append(pts, [2]float64{(q[0] - v.x0) * v.scale, (q[1] - v.y0) * v.scale})
			}
			pts, tmp = clipRect(pts, tmp, -clipMargin, -clipMargin, v.w+clipMargin, v.h+clipMargin)
			pts = thin(pts, 0.5)
			if len(pts) < 3 {
				continue
			}
			if !started {
				b = append(b, `<path class="country" d="`...)
				started = true
			}
			b = appendRing(b, pts, true)
		}
		if started {
			b = append(b, `"><title>`...)
			b = append(b, html.EscapeString(c.Name)...)
			b = append(b, "</title></path>\n"...)
		}
	}
	return b
}

// appendShape writes s and returns where its name goes.
func (v *view) appendShape(b []byte, s parley.Shape) ([]byte, label) {
	var pts [][2]float64
	for _, p := range s.Points() {
		x, y := v.px(p)
		pts = append(pts, [2]float64{x, y})
	}
	name := html.EscapeString(s.Name)
	switch s.Kind {
	case parley.ShapeCrossing:
		x, y := pts[0][0], pts[0][1]
		b = append(b, `<path class="crossing" d="`...)
		b = appendRing(b, [][2]float64{{x, y - 8}, {x + 8, y}, {x, y + 8}, {x - 8, y}}, true)
		b = fmt.Appendf(b, `" fill="%s" stroke="#ffffff" stroke-width="1.5"><title>%s</title></path>`+"\n", colourCrossing, name)
		return b, label{text: s.Name, x: x + 11, y: y + 4, anchor: "start"}
	case parley.ShapeZone:
		b = append(b, `<path class="zone" d="`...)
		b = appendRing(b, pts, true)
		b = fmt.Appendf(b, `" fill="%s" fill-opacity="0.15" stroke="%s" stroke-width="2" stroke-linejoin="round"><title>%s</title></path>`+"\n", colourZone, colourZone, name)
		x, y := centroid(pts)
		return b, label{text: s.Name, x: x, y: y + 4, anchor: "middle"}
	default:
		b = append(b, `<path class="segment" d="`...)
		b = appendRing(b, pts, false)
		b = fmt.Appendf(b, `" fill="none" stroke="%s" stroke-width="4" stroke-linecap="round" stroke-linejoin="round"><title>%s</title></path>`+"\n", colourSegment, name)
		x, y := halfway(pts)
		return b, label{text: s.Name, x: x, y: y - 9, anchor: "middle"}
	}
}

// appendRing writes the path data of pts, closed if closed.
func appendRing(b []byte, pts [][2]float64, closed bool) []byte {
	for i, p := range pts {
		if i == 0 {
			b = append(b, 'M')
		} else {
			b = append(b, ' ')
		}
		b = num(b, p[0])
		b = append(b, ' ')
		b = num(b, p[1])
	}
	if closed {
		b = append(b, 'Z')
	}
	return b
}

// num writes v to a tenth, without a sign on zero.
func num(b []byte, v float64) []byte {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		v = 0
	}
	v = math.Round(v*10) / 10
	if v == 0 {
		v = 0 // not -0
	}
	return strconv.AppendFloat(b, v, 'f', -1, 64)
}

// clipEdge is one side of the rectangle clipRect cuts to.
type clipEdge struct {
	axis int     // 0: a vertical side at x = at; 1: horizontal, at y = at
	at   float64 // where
	low  bool    // whether the inside is where the coordinate is less than at
}

func (e clipEdge) keeps(c float64) bool {
	if e.low {
		return c <= e.at
	}
	return c >= e.at
}

// clipRect cuts the closed ring pts to the rectangle (Sutherland–Hodgman:
// one edge at a time), using tmp as scratch; it returns the cut ring and
// the other buffer.
func clipRect(pts, tmp [][2]float64, x0, y0, x1, y1 float64) (out, spare [][2]float64) {
	inside := false
	for _, p := range pts {
		if p[0] >= x0 && p[0] <= x1 && p[1] >= y0 && p[1] <= y1 {
			inside = true
		} else {
			inside = false
			break
		}
	}
	if inside {
		return pts, tmp
	}
	edges := [4]clipEdge{{0, x0, false}, {0, x1, true}, {1, y0, false}, {1, y1, true}}
	in, out := pts, tmp
	for _, e := range edges {
		out = out[:0]
		for i := range in {
			cur, prev := in[i], in[(i+len(in)-1)%len(in)]
			cin, pin := e.keeps(cur[e.axis]), e.keeps(prev[e.axis])
			if cin != pin {
				t := (e.at - prev[e.axis]) / (cur[e.axis] - prev[e.axis])
				var q [2]float64
				q[e.axis] = e.at
				q[1-e.axis] = prev[1-e.axis] + t*(cur[1-e.axis]-prev[1-e.axis])
				out = append(out, q)
			}
			if cin {
				out = append(out, cur)
			}
		}
		in, out = out, in
		if len(in) == 0 {
			break
		}
	}
	return in, out
}

// thin drops each point closer than d to the last one kept, in place.
func thin(pts [][2]float64, d float64) [][2]float64 {
	out := pts[:0]
	for _, p := range pts {
		if n := len(out); n > 0 && math.Abs(p[0]-out[n-1][0]) < d && math.Abs(p[1]-out[n-1][1]) < d {
			continue
		}
		out = append(out, p)
	}
	return out
}

// centroid returns the centre of mass of the polygon pts, or the mean of
// its vertices when it has no area.
func centroid(pts [][2]float64) (x, y float64) {
	var a, cx, cy float64
	for i := range pts {
		p, q := pts[i], pts[(i+1)%len(pts)]
		c := p[0]*q[1] - q[0]*p[1]
		a += c
		cx += (p[0] + q[0]) * c
		cy += (p[1] + q[1]) * c
	}
	if math.Abs(a) < 1e-6 {
		for _, p := range pts {
			x, y = x+p[0], y+p[1]
		}
		return x / float64(len(pts)), y / float64(len(pts))
	}
	return cx / (3 * a), cy / (3 * a)
}

// halfway returns the point half way along the line pts.
func halfway(pts [][2]float64) (x, y float64) {
	var total float64
	for i := 1; i < len(pts); i++ {
		total += math.Hypot(pts[i][0]-pts[i-1][0], pts[i][1]-pts[i-1][1])
	}
	left := total / 2
	for i := 1; i < len(pts); i++ {
		d := math.Hypot(pts[i][0]-pts[i-1][0], pts[i][1]-pts[i-1][1])
		if d >= left && d > 0 {
			t := left / d
			return pts[i-1][0] + t*(pts[i][0]-pts[i-1][0]), pts[i-1][1] + t*(pts[i][1]-pts[i-1][1])
		}
		left -= d
	}
	return pts[0][0], pts[0][1]
}

// earthKm is Web Mercator's radius of the Earth.
const earthKm = 6378.137

// appendScale writes a scale bar at the bottom left, as long as the
// roundest distance that fits in a quarter of the width.
func (v *view) appendScale(b []byte, unit string) []byte {
	if unit == "" {
		unit = "km"
	}
	mid := unmerc(v.x0+v.w/2/v.scale, v.y0+v.h/2/v.scale)
	kmPerPx := 2 * math.Pi * earthKm * math.Cos(mid[1]*math.Pi/180) / v.scale
	if !(kmPerPx > 0) {
		return b
	}
	most := v.w / 4 * kmPerPx
	km := math.Pow(10, math.Floor(math.Log10(most)))
	for _, f := range []float64{5, 2} {
		if km*f <= most {
			km *= f
			break
		}
	}
	l := km / kmPerPx
	x, y := 12.0, v.h-12
	b = append(b, `<g class="scale" font-family="sans-serif" font-size="11" fill="`+colourText+`"><path d="M`...)
	b = num(b, x)
	b = append(b, ' ')
	b = num(b, y-5)
	b = append(b, "v5h"...)
	b = num(b, l)
	b = append(b, "v-5"...)
	b = append(b, `" fill="none" stroke="`+colourText+`" stroke-width="1.5"/><text x="`...)
	b = num(b, x)
	b = append(b, `" y="`...)
	b = num(b, y-9)
	b = append(b, `">`...)
	b = strconv.AppendFloat(b, km, 'f', -1, 64)
	b = append(b, ' ')
	b = append(b, html.EscapeString(unit)...)
	b = append(b, "</text></g>\n"...)
	return b
}

// appendLegend writes the legend at the top right: one line for each kind
// of shape and class of mark on the map that opt.Legend has a label for.
func appendLegend(b []byte, opt Options, kinds, classes map[string]bool) []byte {
	var keys []string
	for _, k := range legendOrder {
		if (kinds[k] || classes[k]) && opt.Legend[k] != "" {
			keys = append(keys, k)
		}
	}
	var rest []string
	for c := range classes {
		if !slices.Contains(legendOrder, c) && opt.Legend[c] != "" {
			rest = append(rest, c)
		}
	}
	slices.Sort(rest)
	keys = append(keys, rest...)
	if len(keys) == 0 {
		return b
	}
	longest := 0
	for _, k := range keys {
		longest = max(longest, utf8.RuneCountInString(opt.Legend[k]))
	}
	const row = 18
	w := 36 + float64(longest)*6.6 + 8
	h := float64(len(keys)*row + 8)
	x, y := float64(opt.Width)-w-8, 8.0
	b = append(b, `<g class="legend" font-family="sans-serif" font-size="12" fill="`+colourText+`"><rect x="`...)
	b = num(b, x)
	b = append(b, `" y="`...)
	b = num(b, y)
	b = append(b, `" width="`...)
	b = num(b, w)
	b = append(b, `" height="`...)
	b = num(b, h)
	b = append(b, `" fill="#ffffff" fill-opacity="0.9" stroke="#9b9b9b"/>`+"\n"...)
	for i, k := range keys {
		cx, cy := x+18, y+4+float64(i*row)+row/2
		switch k {
		case parley.ShapeSegment:
			b = fmt.Appendf(b, `<path d="M%s %sh20" stroke="%s" stroke-width="4" stroke-linecap="round"/>`, f1(cx-10), f1(cy), colourSegment)
		case parley.ShapeZone:
			b = fmt.Appendf(b, `<rect x="%s" y="%s" width="20" height="12" fill="%s" fill-opacity="0.15" stroke="%s" stroke-width="2"/>`, f1(cx-10), f1(cy-6), colourZone, colourZone)
		case parley.ShapeCrossing:
			b = fmt.Appendf(b, `<path d="M%s %sl7 7-7 7-7-7Z" fill="%s" stroke="#ffffff" stroke-width="1.5"/>`, f1(cx), f1(cy-7), colourCrossing)
		default:
			st := styleOf(k)
			b = fmt.Appendf(b, `<circle cx="%s" cy="%s" r="6" fill="%s" stroke="%s" stroke-width="1.5"/>`, f1(cx), f1(cy), st.fill, st.stroke)
		}
		b = fmt.Appendf(b, `<text x="%s" y="%s">%s</text>`+"\n", f1(x+36), f1(cy+4), html.EscapeString(opt.Legend[k]))
	}
	b = append(b, "</g>\n"...)
	return b
}

func f1(v float64) string { return string(num(nil, v)) }
