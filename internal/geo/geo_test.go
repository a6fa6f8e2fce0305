package geo

import (
	"bytes"
	"encoding/xml"
	"errors"
	"flag"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/parley-talks/parley"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// atlasPath is the base map the browser gets too.
var atlasPath = filepath.Join("..", "web", "static", "map", "countries-50m.json")

var (
	atlasOnce sync.Once
	atlas     *Topology
	atlasErr  error
)

// world returns the decoded world-atlas file, decoding it once for all
// tests.
func world(tb testing.TB) *Topology {
	tb.Helper()
	atlasOnce.Do(func() {
		var b []byte
		b, atlasErr = os.ReadFile(atlasPath)
		if atlasErr == nil {
			atlas, atlasErr = Decode(b)
		}
	})
	if atlasErr != nil {
		tb.Fatal(atlasErr)
	}
	return atlas
}

// dnipro is a truce along the lower Dnipro: two segments, a zone, a
// crossing, and two reported violations.
func dnipro() ([]parley.Shape, []Mark) {
	bridge := parley.Point{32.705, 46.670}
	shapes := []parley.Shape{
		{Kind: parley.ShapeSegment, Name: "Kherson & Nova Kakhovka", Line: []parley.Point{{32.55, 46.60}, {32.95, 46.70}, {33.35, 46.76}}},
		{Kind: parley.ShapeSegment, Name: "Каховське водосховище", Line: []parley.Point{{33.35, 46.76}, {33.90, 47.05}, {34.40, 47.45}}},
		{Kind: parley.ShapeZone, Name: "Plant <ZNPP>", Line: []parley.Point{{34.50, 47.46}, {34.66, 47.46}, {34.66, 47.56}, {34.50, 47.56}, {34.50, 47.46}}},
		{Kind: parley.ShapeCrossing, Name: "Antonivskyi bridge", At: &bridge},
	}
	marks := []Mark{
		{At: parley.Point{33.60, 46.90}, Label: "V-1", Class: "confirmed"},
		{At: parley.Point{32.90, 46.62}, Label: "V-2", Class: "reported"},
	}
	return shapes, marks
}

var dniproLegend = map[string]string{
	"segment": "Segment", "zone": "Zone", "crossing": "Crossing point",
	"confirmed": "Violation: confirmed", "reported": "Violation: reported",
}

func TestSVGGolden(t *testing.T) {
	shapes, marks := dnipro()
	var buf bytes.Buffer
	if err := SVG(&buf, world(t), shapes, marks, Options{Width: 640, Height: 480, Title: "Truce on the lower Dnipro", Legend: dniproLegend}); err != nil {
		t.Fatal(err)
	}
	got := buf.Bytes()
	wellFormed(t, got)
	for _, want := range []string{
		`<title id="map-`, `>Truce on the lower Dnipro</title>`,
		`class="segment"`, `class="zone"`, `class="crossing"`, `class="mark confirmed"`, `class="mark reported"`,
		`Kherson &amp; Nova Kakhovka`, `Plant &lt;ZNPP&gt;`, `Каховське водосховище`,
		`<title>Ukraine</title>`, `clipPath`, ` km</text>`, `Violation: confirmed`,
	} {
		if !bytes.Contains(got, []byte(want)) {
			t.Errorf("the map lacks %q", want)
		}
	}
	if bytes.Contains(got, []byte("style")) || bytes.Contains(got, []byte("<script")) {
		t.Error("the map has a style or script, which the Content-Security-Policy would block when inlined")
	}
	golden := filepath.Join("testdata", "dnipro.svg")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/geo -update to write it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("the map differs from %s; if the change is meant, run go test ./internal/geo -update and look at the file", golden)
	}

	var again bytes.Buffer
	SVG(&again, world(t), shapes, marks, Options{Width: 640, Height: 480, Title: "Truce on the lower Dnipro", Legend: dniproLegend})
	if !bytes.Equal(again.Bytes(), got) {
		t.Error("two renderings of one map differ")
	}
}

// wellFormed checks that b is one well-formed XML document.
func wellFormed(tb testing.TB, b []byte) {
	tb.Helper()
	d := xml.NewDecoder(bytes.NewReader(b))
	for {
		_, err := d.Token()
		if err != nil {
			if !errors.Is(err, io.EOF) {
				tb.Fatalf("not well-formed XML: %v", err)
			}
			return
		}
	}
}

func TestSVGFit(t *testing.T) {
	one := parley.Point{35.0, 48.0}
	tests := []struct {
		name   string
		shapes []parley.Shape
		marks  []Mark
		box    parley.BBox
		wantIn []parley.Point // must be inside the picture
	}{
		{name: "nothing shows the default region", wantIn: []parley.Point{{21, 43}, {49, 57}}},
		{name: "one point shows its surroundings", shapes: []parley.Shape{{Kind: parley.ShapeCrossing, Name: "X", At: &one}},
			wantIn: []parley.Point{{34.7, 47.8}, {35.3, 48.2}}},
		{name: "a given box is shown whole", box: parley.BBox{West: 30, South: 45, East: 40, North: 50},
			wantIn: []parley.Point{{30, 45}, {40, 50}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			box := tt.box
			if box.IsZero() {
				box = fit(tt.shapes, tt.marks)
			}
			v := newView(box, 800, 600)
			for _, p := range tt.wantIn {
				if x, y := v.px(p); x < -0.01 || x > 800.01 || y < -0.01 || y > 600.01 {
					t.Errorf("%v is drawn at %.0f, %.0f, outside the picture", p, x, y)
				}
			}
			if tt.shapes != nil {
				across := (box.East - box.West) * 111.32 * math.Cos(48*math.Pi/180)
				high := (box.North - box.South) * 111.32
				if across < 49 || high < 49 {
					t.Errorf("a lone point's map is %.0f by %.0f km; want at least 50 by 50", across, high)
				}
			}
		})
	}
}

func TestSVGErrors(t *testing.T) {
	var buf bytes.Buffer
	if err := SVG(&buf, nil, nil, nil, Options{Box: parley.BBox{West: 10, East: 5, South: 1, North: 2}}); err == nil {
		t.Error("an inverted box was drawn")
	}
	if err := SVG(&buf, nil, nil, nil, Options{Width: -1}); err == nil {
		t.Error("a negative width was accepted")
	}
	buf.Reset()
	if err := SVG(&buf, nil, nil, nil, Options{}); err != nil {
		t.Fatal(err)
	}
	wellFormed(t, buf.Bytes())
	if !bytes.Contains(buf.Bytes(), []byte(`width="800" height="600"`)) {
		t.Errorf("a map without a size is not 800 by 600: %.200s", buf.String())
	}
}

// TestPaletteMatchesBrowser checks that the browser's map uses the colours
// the server's does, so a printed map looks like the one on screen.
func TestPaletteMatchesBrowser(t *testing.T) {
	var js []byte
	for _, name := range []string{"map.js", "map.css"} {
		b, err := os.ReadFile(filepath.Join("..", "web", "static", name))
		if err != nil {
			t.Fatal(err)
		}
		js = append(js, b...)
	}
	colours := []string{colourSea, colourLand, colourBorder, colourSegment, colourZone, colourCrossing}
	for _, s := range markStyles {
		colours = append(colours, s.fill, s.stroke)
	}
	for _, c := range colours {
		if !strings.Contains(strings.ToLower(string(js)), strings.ToLower(c)) {
			t.Errorf("map.js and map.css do not use the colour %s", c)
		}
	}
}

func TestDecodeUkraine(t *testing.T) {
	w := world(t)
	if len(w.Countries) < 200 {
		t.Errorf("decoded %d countries; the world has more", len(w.Countries))
	}
	ua, ok := w.Country("Ukraine")
	if !ok {
		t.Fatal("no Ukraine in the base map")
	}
	if ua.ID != "804" {
		t.Errorf("Ukraine's ID = %q, want 804", ua.ID)
	}
	b := ua.Box
	if b.West < 21.9 || b.West > 22.3 || b.East < 40.0 || b.East > 40.3 || b.South < 44.3 || b.South > 45.4 || b.North < 52.2 || b.North > 52.5 {
		t.Errorf("Ukraine's bounding box = %+v, not Ukraine's", b)
	}
	for _, p := range ua.Polygons {
		for _, r := range p {
			if r[0] != r[len(r)-1] {
				t.Fatalf("a ring of Ukraine is not closed: %v … %v", r[0], r[len(r)-1])
			}
		}
	}
	kyiv := parley.Point{30.52, 50.45}
	if !inside(ua, kyiv) {
		t.Error("Kyiv is not inside Ukraine's outline")
	}
	if warsaw := (parley.Point{21.01, 52.23}); inside(ua, warsaw) {
		t.Error("Warsaw is inside Ukraine's outline")
	}
}

// inside reports whether p is inside c (even-odd over all its rings).
func inside(c Country, p parley.Point) bool {
	in := false
	for _, poly := range c.Polygons {
		for _, r := range poly {
			for i, j := 0, len(r)-1; i < len(r); j, i = i, i+1 {
				a, b := r[i], r[j]
				if (a[1] > p[1]) != (b[1] > p[1]) && p[0] < (b[0]-a[0])*(p[1]-a[1])/(b[1]-a[1])+a[0] {
					in = !in
				}
			}
		}
	}
	return in
}

// tiny is a quantized topology of two squares sharing an edge, one with a
// MultiPolygon, with a reversed arc and a null geometry.
const tiny = `{"type":"Topology",
"transform":{"scale":[0.1,0.1],"translate":[30,45]},
"objects":{"countries":{"type":"GeometryCollection","geometries":[
 {"type":"Polygon","id":"001","properties":{"name":"West"},"arcs":[[0,1]]},
 {"type":"MultiPolygon","id":2,"properties":{"name":"East"},"arcs":[[[-1,2]]]},
 {"type":null,"properties":{"name":"Nowhere"}}
]}},
"arcs":[[[10,0],[0,10]],[[10,10],[-10,0],[0,-10],[10,0]],[[10,0],[10,0],[0,10],[-10,0]]]}`

func TestDecodeTiny(t *testing.T) {
	top, err := Decode([]byte(tiny))
	if err != nil {
		t.Fatal(err)
	}
	if len(top.Countries) != 2 {
		t.Fatalf("decoded %d countries, want 2 (the null geometry skipped)", len(top.Countries))
	}
	west, east := top.Countries[0], top.Countries[1]
	wantWest := []parley.Point{{31, 45}, {31, 46}, {30, 46}, {30, 45}, {31, 45}}
	if got := west.Polygons[0][0]; !equalRing(got, wantWest) {
		t.Errorf("West's ring = %v, want %v", got, wantWest)
	}
	wantEast := []parley.Point{{31, 46}, {31, 45}, {32, 45}, {32, 46}, {31, 46}}
	if got := east.Polygons[0][0]; !equalRing(got, wantEast) {
		t.Errorf("East's ring = %v, want %v", got, wantEast)
	}
	if west.ID != "001" || east.ID != "2" || east.Name != "East" {
		t.Errorf("ids and names: %q %q %q", west.ID, east.ID, east.Name)
	}
	if east.Box != (parley.BBox{West: 31, South: 45, East: 32, North: 46}) {
		t.Errorf("East's box = %+v", east.Box)
	}
}

func equalRing(a, b []parley.Point) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if d := a[i][0] - b[i][0]; d > 1e-9 || d < -1e-9 {
			return false
		}
		if d := a[i][1] - b[i][1]; d > 1e-9 || d < -1e-9 {
			return false
		}
	}
	return true
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"not JSON", `{`, "not TopoJSON"},
		{"not a topology", `{"type":"FeatureCollection"}`, "not TopoJSON"},
		{"no countries", `{"type":"Topology","objects":{},"arcs":[]}`, "no object"},
		{"an arc that is not there", `{"type":"Topology","objects":{"countries":{"type":"Polygon","arcs":[[5]]}},"arcs":[]}`, "does not exist"},
		{"a short position", `{"type":"Topology","objects":{"countries":{"type":"Polygon","arcs":[[0]]}},"arcs":[[[1]]]}`, "fewer than two"},
		{"an arc used a thousand times", `{"type":"Topology","objects":{"countries":{"type":"Polygon","arcs":[[` +
			strings.TrimSuffix(strings.Repeat("0,", 20000), ",") + `]]}},"arcs":[[[0,0],[1,1],[2,0],[0,0]]]}`, "repeat their arcs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode([]byte(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Decode = %v, want an error with %q", err, tt.want)
			}
		})
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte(tiny))
	f.Add([]byte(`{"type":"Topology","objects":{"land":{"type":"Polygon","arcs":[[0,-1]]}},"arcs":[[[0,0],[1,1],[2,0],[0,0]]]}`))
	f.Add([]byte(`{"type":"Topology","transform":{"scale":[1e308,1e308],"translate":[0,0]},"objects":{"countries":{"type":"MultiPolygon","arcs":[[[-1]]]}},"arcs":[[[1e308,1e308],[1e308,1e308]]]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		top, err := Decode(b)
		if err != nil {
			return
		}
		for _, c := range top.Countries {
			for _, p := range c.Polygons {
				for _, r := range p {
					if len(r) < 4 {
						t.Fatalf("a ring of %d points was kept", len(r))
					}
				}
			}
		}
		// Whatever decodes can be drawn.
		var buf bytes.Buffer
		if err := SVG(&buf, top, nil, nil, Options{Width: 100, Height: 80, Box: parley.BBox{West: 29, South: 44, East: 33, North: 47}}); err != nil {
			t.Fatal(err)
		}
	})
}

// coordinates matches a coordinate attribute with a number of more than one
// decimal.
var coordinates = regexp.MustCompile(`\b(?:d|x|y|cx|cy|width|height)="[^"]*\d\.\d\d`)

func TestSVGPrecision(t *testing.T) {
	shapes, marks := dnipro()
	var buf bytes.Buffer
	SVG(&buf, world(t), shapes, marks, Options{})
	if m := coordinates.Find(buf.Bytes()); m != nil {
		t.Errorf("the map has a number with more than one decimal: %s", m)
	}
	if bytes.Contains(buf.Bytes(), []byte("-0 ")) || bytes.Contains(buf.Bytes(), []byte(`"-0"`)) {
		t.Error("the map writes minus zero")
	}
}

func BenchmarkDecode(b *testing.B) {
	data, err := os.ReadFile(atlasPath)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSVG draws a typical truce, on the lower Dnipro, 800 by 600:
// fitted to its shapes, and over the whole default region.
func BenchmarkSVG(b *testing.B) {
	w := world(b)
	shapes, marks := dnipro()
	for _, bb := range []struct {
		name string
		box  parley.BBox
	}{{"truce", parley.BBox{}}, {"region", parley.DefaultRegion}} {
		b.Run(bb.name, func(b *testing.B) {
			var buf bytes.Buffer
			b.ReportAllocs()
			for b.Loop() {
				buf.Reset()
				if err := SVG(&buf, w, shapes, marks, Options{Title: "Truce", Legend: dniproLegend, Box: bb.box}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(buf.Len()), "bytes/map")
		})
	}
}
