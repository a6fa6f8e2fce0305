package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/web"
)

// mapPages are pages with the markup the truce pages give map.js, as
// internal/web's layout writes them when a page sets Map.
var mapPages = map[string]string{
	"/edit": `<form method="post" action="/sent">
<label for="shapes">Shapes (GeoJSON)</label>
<textarea id="shapes" name="truce_shapes" rows="6"></textarea>
<div class="map" data-map="edit" data-target="shapes" data-region="30,44,38,50"
 data-labels='{"segment":"Segment","new_shape":"Name the new shape","rename":"Rename"}'></div>
<button type="submit">Save</button>
</form>`,
	"/view": `<script type="application/json" id="truce-shapes">` + viewShapes + `</script>
<div class="map" id="view" data-map="view" data-source="truce-shapes" data-labels='{"confirmed":"Confirmed"}'>
<svg xmlns="http://www.w3.org/2000/svg" class="map-svg" width="10" height="10"><title>fallback</title></svg></div>`,
	"/point": `<script type="application/json" id="truce-shapes">` + viewShapes + `</script>
<label>Longitude <input id="lon" name="lon"></label><label>Latitude <input id="lat" name="lat"></label>
<div class="map" id="point" data-map="point" data-lon="lon" data-lat="lat" data-source="truce-shapes"></div>`,
	"/countdown": `<p>Ends in <time id="long" data-countdown datetime="{{long}}">later</time>.</p>
<div id="live"><time id="short" data-countdown datetime="{{short}}">soon</time></div>`,
}

const viewShapes = `{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"name":"Kherson","kind":"segment"},"geometry":{"type":"LineString","coordinates":[[32.55,46.6],[32.95,46.7],[33.35,46.76]]}},
{"type":"Feature","properties":{"name":"Reservoir","kind":"segment"},"geometry":{"type":"LineString","coordinates":[[33.35,46.76],[33.9,47.05],[34.4,47.45]]}},
{"type":"Feature","properties":{"name":"Plant","kind":"zone"},"geometry":{"type":"Polygon","coordinates":[[[34.5,47.46],[34.66,47.46],[34.66,47.56],[34.5,47.56],[34.5,47.46]]]}},
{"type":"Feature","properties":{"name":"Bridge <b>","kind":"crossing"},"geometry":{"type":"Point","coordinates":[32.705,46.67]}},
{"type":"Feature","properties":{"name":"V-1","kind":"violation","status":"confirmed","url":"/v/1"},"geometry":{"type":"Point","coordinates":[33.6,46.9]}},
{"type":"Feature","properties":{"name":"V-2","kind":"violation","status":"reported","url":"/v/2"},"geometry":{"type":"Point","coordinates":[32.9,46.62]}}
]}`

// serveMapPages serves mapPages and the real static files, under the
// server's Content-Security-Policy.
func serveMapPages(tb testing.TB) string {
	tb.Helper()
	mux := http.NewServeMux()
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServer(http.Dir(filepath.Join("..", "internal", "web", "static")))))
	mux.HandleFunc("GET /{page}", func(w http.ResponseWriter, r *http.Request) {
		body, ok := mapPages[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		now := time.Now()
		body = strings.NewReplacer(
			"{{long}}", now.Add(26*time.Hour+3*time.Minute+5*time.Second).UTC().Format(time.RFC3339),
			"{{short}}", now.Add(2*time.Second).Format(time.RFC3339Nano),
		).Replace(body)
		script := `<script src="/static/map.js" defer></script>`
		fmt.Fprintf(w, `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>map</title>
<link rel="stylesheet" href="/static/parley.css"><link rel="stylesheet" href="/static/map.css">%s</head>
<body><main>%s</main></body></html>`, script, body)
	})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", web.ContentSecurityPolicy)
		mux.ServeHTTP(w, r)
	}))
	tb.Cleanup(srv.Close)
	return srv.URL
}

// watchPage records, from before any script of the page runs, the page's
// errors and the Content-Security-Policy's refusals, in window.problems,
// and countdown-done events in window.countdowns.
const watchPage = `window.problems = []; window.countdowns = [];
addEventListener("error", e => problems.push("error: " + e.message));
addEventListener("unhandledrejection", e => problems.push("rejection: " + e.reason));
document.addEventListener("securitypolicyviolation", e => problems.push("CSP refused " + e.violatedDirective + " " + e.blockedURI));
document.addEventListener("countdown-done", e => countdowns.push(e.target.id));`

// watch installs watchPage in every page the browser opens from now on.
func watch(tb testing.TB, ctx context.Context) {
	tb.Helper()
	if err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		return t.Call(ctx, "Page.addScriptToEvaluateOnNewDocument", map[string]string{"source": watchPage}, nil)
	})); err != nil {
		tb.Fatal(err)
	}
}

func openMapPage(tb testing.TB, ctx context.Context, url string) {
	tb.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		tb.Fatal(err)
	}
}

func waitFor(tb testing.TB, ctx context.Context, what, js string) {
	tb.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(10*time.Second), chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
		problems, _ := chromedp.Run(ctx, chromedp.Evaluate[[]string](`window.problems || []`))
		tb.Fatalf("%s: %v (page problems: %q)", what, err, problems)
	}
}

func noProblems(tb testing.TB, ctx context.Context) {
	tb.Helper()
	problems, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`window.problems`))
	if err != nil {
		tb.Fatal(err)
	}
	if len(problems) > 0 {
		tb.Errorf("the page had problems: %q", problems)
	}
}

// clickLonLat clicks the map in el at lon, lat, as a person would.
func clickLonLat(tb testing.TB, ctx context.Context, el string, lon, lat float64) {
	tb.Helper()
	xy, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](fmt.Sprintf(`(() => {
		const el = document.querySelector(%s), r = el.getBoundingClientRect();
		const p = el.parleyMap.latLngToContainerPoint([%f, %f]);
		return [r.left + el.clientLeft + p.x, r.top + el.clientTop + p.y];
	})()`, jsString(el), lat, lon)))
	if err != nil {
		tb.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.MouseClickXY(xy[0], xy[1])); err != nil {
		tb.Fatal(err)
	}
}

// TestMapBrowser drives static/map.js in Chromium: drawing and naming a
// segment, showing a truce with a legend, picking a point, counting down.
func TestMapBrowser(t *testing.T) {
	needChromium(t)
	base := serveMapPages(t)
	ctx := newBrowser(t, 1100, 900)
	watch(t, ctx)

	t.Run("edit", func(t *testing.T) {
		openMapPage(t, ctx, base+"/edit")
		waitFor(t, ctx, "the map is ready", `document.querySelector(".map").dataset.mapState === "ready"`)
		waitFor(t, ctx, "the base map is drawn", `document.querySelectorAll(".leaflet-base-pane path").length > 5`)
		if hidden, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById("shapes").hidden && document.querySelector("label[for=shapes]").hidden`)); !hidden {
			t.Error("the GeoJSON field is not hidden behind its toggle")
		}
		// Draw a line of three points with geoman's tool: a click on its
		// button, one on each point, a last one on the last point.
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`document.querySelector(".leaflet-pm-icon-polyline").closest("a, .button-container").click()`)); err != nil {
			t.Fatal(err)
		}
		line := [][2]float64{{32.6, 46.6}, {33.3, 46.8}, {34.2, 47.3}}
		for _, p := range line {
			clickLonLat(t, ctx, ".map", p[0], p[1])
			time.Sleep(60 * time.Millisecond) // geoman tells a click from a double click
		}
		clickLonLat(t, ctx, ".map", line[2][0], line[2][1])
		waitFor(t, ctx, "the name form opens", `!document.querySelector(".map-name").hidden`)
		if v, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement.value`)); v != "Segment 1" {
			t.Errorf("the name form is prefilled with %q, want Segment 1", v)
		}
		if err := chromedp.Do(ctx, chromedp.KeyEvent("Kherson line"), chromedp.KeyEvent("\r")); err != nil {
			t.Fatal(err)
		}
		waitFor(t, ctx, "the form closes", `document.querySelector(".map-name").hidden`)
		if path, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname`)); path != "/edit" {
			t.Fatalf("Enter in the name field sent the page's form: now at %s", path)
		}
		got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("shapes").value`))
		if err != nil {
			t.Fatal(err)
		}
		shapes, err := parley.ParseShapes([]byte(got), parley.BBox{West: 30, South: 44, East: 38, North: 50})
		if err != nil {
			t.Fatalf("the field holds what ParseShapes refuses: %v\n%s", err, got)
		}
		if len(shapes) != 1 || shapes[0].Kind != parley.ShapeSegment || shapes[0].Name != "Kherson line" || len(shapes[0].Line) != 3 {
			t.Fatalf("the field holds %+v, want the segment Kherson line of 3 points", shapes)
		}
		for i, p := range shapes[0].Line {
			if d := p.Lon() - line[i][0] + p.Lat() - line[i][1]; d > 0.05 || d < -0.05 {
				t.Errorf("point %d is %v, want near %v", i, p, line[i])
			}
		}

		// A click on the line opens the form to rename it.
		clickLonLat(t, ctx, ".map", 33.3, 46.8)
		waitFor(t, ctx, "the rename form opens", `!document.querySelector(".map-name").hidden && document.querySelector(".map-name-heading").textContent === "Rename"`)
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`(() => { const i = document.querySelector(".map-name input"); i.value = "Lower Dnipro"; document.querySelector(".map-name-buttons button").click(); })()`)); err != nil {
			t.Fatal(err)
		}
		waitFor(t, ctx, "the new name is in the field", `JSON.parse(document.getElementById("shapes").value).features[0].properties.name === "Lower Dnipro"`)

		// GeoJSON pasted into the field is drawn.
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`(() => {
			document.querySelector(".map-geojson-toggle").click();
			const a = document.getElementById("shapes");
			a.value = JSON.stringify({type: "FeatureCollection", features: [
				{type: "Feature", properties: {name: "Gate"}, geometry: {type: "Point", coordinates: [33, 47]}},
				{type: "Feature", properties: {name: "Zone A"}, geometry: {type: "Polygon", coordinates: [[[33, 46], [34, 46], [34, 47], [33, 46]]]}}]});
			a.dispatchEvent(new Event("change"));
		})()`)); err != nil {
			t.Fatal(err)
		}
		waitFor(t, ctx, "pasted shapes are drawn", `document.querySelectorAll(".leaflet-marker-pane .map-crossing").length === 1 && document.querySelectorAll(".leaflet-overlay-pane path").length >= 2`)
		noProblems(t, ctx)
	})

	t.Run("view", func(t *testing.T) {
		openMapPage(t, ctx, base+"/view")
		waitFor(t, ctx, "the map is ready", `document.querySelector(".map").dataset.mapState === "ready"`)
		// Two segments, a zone and two violations are paths of the overlay
		// pane; the crossing is a marker.
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#view .leaflet-overlay-pane svg path").length`))
		if err != nil || n != 5 {
			t.Errorf("the overlay pane has %d paths, want 5 (%v)", n, err)
		}
		got, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[
			document.querySelectorAll("#view .map-crossing").length + " crossing",
			Array.from(document.querySelectorAll("#view .map-legend-row")).map(r => r.textContent).join("|"),
			Array.from(document.querySelectorAll("#view .map-label")).map(l => l.textContent).sort().join("|"),
			document.querySelector(".map-fallback svg title").textContent,
			String(typeof L.PM)]`))
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"1 crossing", "Segment|Zone|Crossing point|Violation: Reported|Violation: Confirmed", "Bridge <b>|Kherson|Plant|Reservoir", "fallback", "undefined"}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("got %q, want %q", got[i], want[i])
			}
		}
		noProblems(t, ctx)
	})

	t.Run("point", func(t *testing.T) {
		openMapPage(t, ctx, base+"/point")
		waitFor(t, ctx, "the map is ready", `document.querySelector(".map").dataset.mapState === "ready"`)
		clickLonLat(t, ctx, "#point", 33.5, 47.2)
		waitFor(t, ctx, "the point is written", `document.getElementById("lon").value !== ""`)
		lonlat, _ := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[document.getElementById("lon").value, document.getElementById("lat").value]`))
		fivePlaces := regexp.MustCompile(`^\d+\.\d{5}$`)
		if !fivePlaces.MatchString(lonlat[0]) || !fivePlaces.MatchString(lonlat[1]) || !strings.HasPrefix(lonlat[0], "33.") || !strings.HasPrefix(lonlat[1], "47.") {
			t.Errorf("the point is written as %q, want about 33.5, 47.2 to five places", lonlat)
		}
		// Typing moves the marker.
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`(() => { const i = document.getElementById("lon"); i.value = "34.25"; i.dispatchEvent(new Event("input")); })()`)); err != nil {
			t.Fatal(err)
		}
		waitFor(t, ctx, "the marker follows the input", `(() => { let lng = 0; document.getElementById("point").parleyMap.eachLayer(l => { if (l.dragging && l.options.draggable) lng = l.getLatLng().lng; }); return Math.abs(lng - 34.25) < 1e-9; })()`)
		noProblems(t, ctx)
	})

	t.Run("countdown", func(t *testing.T) {
		openMapPage(t, ctx, base+"/countdown")
		waitFor(t, ctx, "the countdown runs", `/^1 d 02:03:0\d$/.test(document.getElementById("long").textContent)`)
		waitFor(t, ctx, "the short countdown ends", `document.getElementById("short").classList.contains("countdown-done")`)
		got, _ := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[document.getElementById("short").textContent, window.countdowns.join(","), typeof window.L, document.getElementById("long").title]`))
		if want := []string{"00:00:00", "short", "undefined", "later"}; strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("got %q, want %q (the ended time, its event, no Leaflet on a page without a map, the date as a title)", got, want)
		}
		noProblems(t, ctx)
	})
}
