package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestTruceBrowser is issue 9 in real browsers: the head of the Ukrainian
// delegation drafts a truce in the military working group (the form first
// comes back refused with another kind chosen, so the map starts hidden and
// must take its size when the truce's fields are shown), draws its segment
// of the line of contact on the form's map, names it in the map's own form,
// and submits it; the head of the Russian delegation counters
// with a shorter window, keeping the map; the Ukrainian head accepts the
// counter. Both then follow the link from the proposal to the truce's page,
// where each sees the time until it begins counting down, the segment in the
// table of shapes, and the map drawn; the counter's history names the
// change of hours.
func TestTruceBrowser(t *testing.T) {
	needChromium(t)
	began := time.Now()
	base := startDemoServer(t, buildParleyBinary(t))
	browser := newBrowser(t, 1280, 900)

	// Each head has a tab in a browser context of its own, so that they
	// share no cookies.
	tab := func(who string) context.Context { return newTab(t, browser, who) }
	ua, ru := tab("head.ua"), tab("head.ru")
	watch(t, ua)
	watch(t, ru)

	pageText := func(ctx context.Context) string {
		c, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		s, _ := chromedp.Run(c, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
		return s
	}
	step := func(who string, ctx context.Context, what string, f func(context.Context) error) {
		t.Helper()
		c, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		if err := f(c); err != nil {
			t.Fatalf("%s: %s: %v\n--- page ---\n%.4000s", who, what, err, pageText(ctx))
		}
	}
	eval := func(who string, ctx context.Context, js string) string {
		t.Helper()
		c, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		s, err := chromedp.Run(c, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("%s: %s: %v", who, js, err)
		}
		return s
	}
	// wait waits, in who's page, for cond (a JavaScript expression) to hold.
	wait := func(who string, ctx context.Context, what, cond string) {
		t.Helper()
		c, cancel := context.WithTimeout(ctx, 15*time.Second)
		defer cancel()
		if _, err := chromedp.Run(c, chromedp.Poll[bool](cond, chromedp.WithPollingTimeout(10*time.Second), chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
			problems, _ := chromedp.Run(ctx, chromedp.Evaluate[[]string](`window.problems || []`))
			t.Fatalf("%s: %s: %v (page problems: %q)\n--- page ---\n%.4000s", who, what, err, problems, pageText(ctx))
		}
	}
	path := func(who string, ctx context.Context) string {
		t.Helper()
		return eval(who, ctx, `location.pathname`)
	}
	status := func(who string, ctx context.Context) string {
		t.Helper()
		return eval(who, ctx, `(() => { const s = document.querySelector("#proposal h1 .status"); return s ? s.textContent.trim() : ""; })()`)
	}
	// clean checks that who's page had no script errors and no refusals
	// of the Content-Security-Policy.
	clean := func(who string, ctx context.Context) {
		t.Helper()
		c, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		problems, err := chromedp.Run(c, chromedp.Evaluate[[]string](`window.problems || []`))
		if err != nil {
			t.Fatal(err)
		}
		if len(problems) > 0 {
			t.Errorf("%s's page at %s had problems: %q", who, path(who, ctx), problems)
		}
	}

	stamp := time.Now().UnixNano()
	title := fmt.Sprintf("Pause to evacuate the wounded near Kupiansk (%d)", stamp)
	segment := fmt.Sprintf("Kupiansk line %d", stamp%10000)
	// The start, a few hours away, in the truce's own zone, UTC.
	starts := time.Now().UTC().Add(5 * time.Hour).Truncate(time.Minute)
	startsField := starts.Format("2006-01-02T15:04")

	for _, who := range []struct {
		name string
		ctx  context.Context
	}{{"head.ua", ua}, {"head.ru", ru}} {
		step(who.name, who.ctx, "sign in", func(ctx context.Context) error { return signIn(ctx, base, who.name) })
		step(who.name, who.ctx, "switch to English", switchToEnglish)
	}

	// 1. The Ukrainian head drafts the truce and draws its segment.
	step("head.ua", ua, "open the military working group", func(ctx context.Context) error { return clickLink(ctx, "Military") })
	step("head.ua", ua, "open the form to draft a proposal", func(ctx context.Context) error { return clickLink(ctx, "Draft a proposal") })
	// The form is first sent as an exchange without a title: it comes back
	// refused, with the exchange chosen and the truce's fields, the map
	// among them, hidden; the map must take its size when they are shown.
	step("head.ua", ua, "send the form as an exchange without a title", func(ctx context.Context) error {
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`(() => {
			const kind = document.getElementById("pf-kind");
			kind.value = "exchange";
			kind.dispatchEvent(new Event("change", {bubbles: true}));
			document.getElementById("pf-title").value = "";
		})()`)); err != nil {
			return err
		}
		return submit(ctx, `main form.grid-form`)
	})
	if got := eval("head.ua", ua, `document.getElementById("pf-kind").value + " " + document.querySelector("fieldset.kind-truce").hidden + " " + (document.querySelector(".field-error") !== null)`); got != "exchange true true" {
		t.Fatalf("the form sent as an exchange without a title came back as %q, want %q\n%.4000s", got, "exchange true true", pageText(ua))
	}
	step("head.ua", ua, "choose a truce to the Russian Federation", func(ctx context.Context) error {
		return chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`(() => {
			const kind = document.getElementById("pf-kind");
			kind.value = "truce";
			kind.dispatchEvent(new Event("change", {bubbles: true}));
			const to = document.getElementById("pf-to");
			const ru = Array.from(to.options).find(o => o.textContent.trim() === "Russian Federation");
			if (!ru) throw new Error("no Russian Federation among the addressees");
			to.value = ru.value;
			document.querySelector('input[name="truce_purposes"][value="wounded"]').click();
		})()`))
	})
	const editMap = `.map[data-map="edit"]`
	wait("head.ua", ua, "the form's map is ready", `document.querySelector('.map[data-map="edit"]').dataset.mapState === "ready"`)
	wait("head.ua", ua, "the base map is drawn", `document.querySelectorAll('.map[data-map="edit"] .leaflet-base-pane path').length > 5`)
	wait("head.ua", ua, "the map shown with the truce's fields takes its size", `(() => {
		const el = document.querySelector('.map[data-map="edit"]'), s = el.parleyMap.getSize();
		return el.clientWidth > 0 && s.x === el.clientWidth && s.y === el.clientHeight;
	})()`)
	if ok := eval("head.ua", ua, `String(document.getElementById("pf-shapes").hidden)`); ok != "true" {
		t.Errorf("the GeoJSON field is shown beside the map, want it folded behind its toggle")
	}
	// Draw a line of three points with geoman's tool, as a person would:
	// the map in view and zoomed in on Kupiansk, a click on the tool's
	// button, one on each point, a last one on the last point.
	step("head.ua", ua, "take the line tool", func(ctx context.Context) error {
		return chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`(() => {
			const el = document.querySelector('.map[data-map="edit"]');
			window.parleyNotReloaded = true;
			el.scrollIntoView({block: "center"});
			el.parleyMap.setView([49.7, 37.6], 8, {animate: false});
			el.querySelector(".leaflet-pm-icon-polyline").closest("a, .button-container").click();
		})()`))
	})
	line := [][2]float64{{37.45, 49.85}, {37.62, 49.71}, {37.80, 49.55}}
	for _, p := range line {
		clickLonLat(t, ua, editMap, p[0], p[1])
		time.Sleep(60 * time.Millisecond) // geoman tells a click from a double click
	}
	clickLonLat(t, ua, editMap, line[2][0], line[2][1])
	wait("head.ua", ua, "the map's name form opens", `!document.querySelector(".map-name").hidden && document.activeElement === document.querySelector(".map-name input")`)
	if v := eval("head.ua", ua, `document.activeElement.value`); v != "Segment 1" {
		t.Errorf("the name form is prefilled with %q, want Segment 1", v)
	}
	step("head.ua", ua, "name the segment", func(ctx context.Context) error {
		return chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`document.activeElement.select()`), chromedp.KeyEvent(segment), chromedp.KeyEvent("\r"))
	})
	wait("head.ua", ua, "the name form closes", `document.querySelector(".map-name").hidden`)
	if ok := eval("head.ua", ua, `String(window.parleyNotReloaded === true)`); ok != "true" {
		t.Fatalf("Enter in the map's name field sent the proposal form: now at %s", path("head.ua", ua))
	}
	var fc struct {
		Type     string
		Features []struct {
			Type       string
			Properties struct{ Name, Kind string }
			Geometry   struct {
				Type        string
				Coordinates [][2]float64
			}
		}
	}
	shapes := eval("head.ua", ua, `document.getElementById("pf-shapes").value`)
	if err := json.Unmarshal([]byte(shapes), &fc); err != nil {
		t.Fatalf("the GeoJSON field holds what is not a FeatureCollection of lines: %v\n%s", err, shapes)
	}
	if fc.Type != "FeatureCollection" || len(fc.Features) != 1 || fc.Features[0].Geometry.Type != "LineString" ||
		fc.Features[0].Properties.Name != segment || fc.Features[0].Properties.Kind != "segment" || len(fc.Features[0].Geometry.Coordinates) != 3 {
		t.Fatalf("the GeoJSON field holds %s, want a FeatureCollection with the LineString %q of 3 points", shapes, segment)
	}
	for i, p := range fc.Features[0].Geometry.Coordinates {
		if dx, dy := p[0]-line[i][0], p[1]-line[i][1]; dx*dx+dy*dy > 0.01*0.01 {
			t.Errorf("point %d of the segment is %v, want near %v", i, p, line[i])
		}
	}
	clean("head.ua", ua)
	step("head.ua", ua, "fill in the truce", func(ctx context.Context) error {
		return fill(ctx, map[string]string{
			"pf-title":   title,
			"pf-text-en": "A pause of 48 hours on the segment drawn on the map, so that medics can evacuate the wounded.",
			"pf-starts":  startsField,
			"pf-tz":      "UTC",
			"pf-hours":   "48",
			"pf-area":    "The segment of the line of contact near Kupiansk drawn on the map",
		})
	})
	step("head.ua", ua, "save the draft", func(ctx context.Context) error { return submit(ctx, `main form.grid-form`) })
	if p := path("head.ua", ua); !strings.HasPrefix(p, "/proposals/") {
		t.Fatalf("head.ua is on %s after saving the draft, not on a proposal\n%.4000s", p, pageText(ua))
	}
	if s := status("head.ua", ua); s != "Draft" {
		t.Fatalf("the saved proposal's status is %q, want Draft", s)
	}
	step("head.ua", ua, "submit the proposal", func(ctx context.Context) error { return submit(ctx, `form[action$="/submit"]`) })
	if s := status("head.ua", ua); s != "Submitted" {
		t.Fatalf("the proposal's status is %q after submitting it, want Submitted\n%.4000s", s, pageText(ua))
	}
	offer := path("head.ua", ua)

	// 2. The Russian head counters with a window of 24 hours, the map kept.
	step("head.ru", ru, "open the proposal", func(ctx context.Context) error { return chromedp.Do(ctx, chromedp.Navigate(base+offer)) })
	step("head.ru", ru, "open the counter-proposal form", func(ctx context.Context) error { return clickLink(ctx, "Counter-proposal") })
	prefilled := eval("head.ru", ru, `["pf-kind", "pf-hours", "pf-starts", "pf-tz"].map(id => document.getElementById(id).value).join("|")`)
	if want := strings.Join([]string{"truce", "48", startsField, "UTC"}, "|"); prefilled != want {
		t.Errorf("the counter-proposal form starts with %q, want %q", prefilled, want)
	}
	if got := eval("head.ru", ru, `document.getElementById("pf-shapes").value`); !strings.Contains(got, segment) {
		t.Errorf("the counter-proposal form's map field holds %q, want the segment %q", got, segment)
	}
	wait("head.ru", ru, "the counter's map shows the segment, named", fmt.Sprintf(`document.querySelector('.map[data-map="edit"]').dataset.mapState === "ready" &&
		Array.from(document.querySelectorAll(".map-label")).some(l => l.textContent === %s)`, jsString(segment)))
	clean("head.ru", ru)
	step("head.ru", ru, "counter with 24 hours", func(ctx context.Context) error {
		if err := fill(ctx, map[string]string{
			"pf-hours":   "24",
			"pf-text-en": "A pause of 24 hours on the segment drawn on the map, so that medics can evacuate the wounded.",
		}); err != nil {
			return err
		}
		return submit(ctx, `main form.grid-form`)
	})
	counter := path("head.ru", ru)
	if counter == offer || !strings.HasPrefix(counter, "/proposals/") {
		t.Fatalf("head.ru is on %s after countering, not on the counter-proposal\n%.4000s", counter, pageText(ru))
	}
	if s := status("head.ru", ru); s != "Submitted" {
		t.Fatalf("the counter-proposal's status is %q, want Submitted", s)
	}

	// 3. The Ukrainian head accepts the counter.
	step("head.ua", ua, "open the counter-proposal", func(ctx context.Context) error {
		return chromedp.Do(ctx, chromedp.Navigate(base+counter))
	})
	step("head.ua", ua, "accept the counter-proposal", func(ctx context.Context) error {
		return submit(ctx, `form[action$="/accept"]`)
	})
	if s := status("head.ua", ua); s != "Accepted" {
		t.Fatalf("the counter-proposal's status is %q after accepting it, want Accepted\n%.4000s", s, pageText(ua))
	}

	// 4. Both follow the link to the truce and see it count down.
	for _, who := range []struct {
		name string
		ctx  context.Context
	}{{"head.ua", ua}, {"head.ru", ru}} {
		if who.name == "head.ru" {
			step(who.name, who.ctx, "reload the counter-proposal", func(ctx context.Context) error { return chromedp.Do(ctx, chromedp.Navigate(base+counter)) })
		}
		step(who.name, who.ctx, "follow the link to the truce", func(ctx context.Context) error { return clickLink(ctx, "follow the truce") })
		if p := path(who.name, who.ctx); !strings.HasPrefix(p, "/truces/") {
			t.Fatalf("%s is on %s, not on a truce", who.name, p)
		}
		wait(who.name, who.ctx, "a countdown to the start", `(() => {
			const c = document.querySelector("#truce h1 time[data-countdown]");
			return c !== null && c.getAttribute("role") === "timer" && /\d\d:\d\d:\d\d$/.test(c.textContent);
		})()`)
		first := eval(who.name, who.ctx, `document.querySelector("#truce h1 time[data-countdown]").textContent`)
		if h := eval(who.name, who.ctx, `document.querySelector("#truce h1 time[data-countdown]").parentElement.textContent`); !strings.Contains(h, "begins in") {
			t.Errorf("%s: the countdown reads %q, want it to say when the truce begins", who.name, h)
		}
		wait(who.name, who.ctx, "the countdown ticking", fmt.Sprintf(`document.querySelector("#truce h1 time[data-countdown]").textContent !== %s`, jsString(first)))
		if m := regexp.MustCompile(`^04:\d\d:\d\d$`).FindString(first); m == "" {
			t.Errorf("%s: the countdown first read %q, want a little under 5 hours", who.name, first)
		}
		wait(who.name, who.ctx, "the map drawn", `document.querySelector('#truce .map[data-map="view"]').dataset.mapState === "ready" &&
			document.querySelectorAll('#truce .map[data-map="view"] .leaflet-overlay-pane path').length === 1`)
		if got := eval(who.name, who.ctx, `Array.from(document.querySelectorAll("#truce table.shapes tbody tr")).map(tr => Array.from(tr.cells).map(c => c.textContent.trim()).join(" / ")).join("\n")`); got != segment+" / Segment / 0" {
			t.Errorf("%s: the table of shapes reads %q, want %q", who.name, got, segment+" / Segment / 0")
		}
		if got := eval(who.name, who.ctx, `document.querySelector("#truce .facts").innerText`); !strings.Contains(got, "24 hours") {
			t.Errorf("%s: the truce's terms do not say 24 hours:\n%s", who.name, got)
		}
		clean(who.name, who.ctx)
	}

	// The truces of the process list it, counting down too.
	step("head.ru", ru, "open the truces of the process", func(ctx context.Context) error { return clickLink(ctx, "Truces and pauses") })
	wait("head.ru", ru, "the truce counting down among those to come", fmt.Sprintf(`(() => {
		const row = Array.from(document.querySelectorAll("#h-coming ~ table.truces tbody tr")).find(tr => tr.cells[0].textContent.includes(%s));
		return row !== undefined && /\d\d:\d\d:\d\d$/.test((row.querySelector("time[data-countdown]") || {}).textContent || "");
	})()`, jsString(fmt.Sprint(stamp))))

	// The counter's history names the change of hours.
	step("head.ua", ua, "open the counter's history", func(ctx context.Context) error {
		return chromedp.Do(ctx, chromedp.Navigate(base+counter+"/history"))
	})
	if got := eval("head.ua", ua, `Array.from(document.querySelectorAll("ul.truce-changes li")).map(li => li.textContent.trim()).join("\n")`); got != "Hours: 48 → 24" {
		t.Errorf("the counter's history lists the changes %q, want only %q", got, "Hours: 48 → 24")
	}
	t.Logf("the whole negotiation took %v", time.Since(began).Round(time.Millisecond))
}
