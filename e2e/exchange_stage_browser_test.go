package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// TestExchangeStageBrowser is one stage of an exchange from its lists to
// its finalisation, in real browsers, one browser context per person.
// The mediator records an exchange of 1 for 1 in the humanitarian group,
// with one category and one stage carrying 1. Each side's delegate
// imports whom it asks back and whom it holds: Ukraine asks back Andrii
// Kovalenko, whom Russia lists with his Russian given name and nothing
// else (a possible pair); Russia asks back Dmitrii Smirnov, whom Ukraine
// lists in Latin letters (a match). Each side runs the reconciliation of
// its requests; both sides confirm both pairs, the possible one after
// reading the engine's reasons. The observer records that both men wish
// to go home, the holding sides that they are fit to travel, the mediator
// assigns them to stage 1, the holding sides hand them over and the
// receiving sides receive them. The mediator finalises the stage, which
// keeps parity: one each way, as every one of them sees.
// With PARLEY_SCREENSHOTS=<dir>, it saves its main screens in
// <dir>/exchange-stage.
func TestExchangeStageBrowser(t *testing.T) {
	needChromium(t)
	began := time.Now()
	base := startDemoServer(t, buildParleyBinary(t))
	browser := newBrowser(t, 1280, 900)
	dir := t.TempDir()

	med := newStageUser(t, browser, "mediator")
	ua := newStageUser(t, browser, "delegate.ua")
	ru := newStageUser(t, browser, "delegate.ru")
	obs := newStageUser(t, browser, "observer")
	everyone := []*stageUser{med, ua, ru, obs}
	for _, u := range everyone {
		u.step("sign in", func(ctx context.Context) error { return signIn(ctx, base, u.name) })
		u.step("switch to English", switchToEnglish)
	}

	// 1. The mediator records the exchange and plans its stage.
	med.step("open the humanitarian working group", func(ctx context.Context) error {
		return clickIn(ctx, `nav.side a[href^="/g/"]`, "Humanitarian")
	})
	med.step("open the group's exchanges", func(ctx context.Context) error {
		return clickLink(ctx, "All exchange agreements of the group")
	})
	med.do("unfold the form and keep one category", `(() => {
		document.querySelector("form[action$='/exchanges']").closest("details").open = true;
		document.getElementById("create-title").value = "1 for 1";
		document.getElementById("create-total").value = "1";
		document.getElementById("create-stages").value = "1";
		for (const i of document.querySelectorAll("input[name^='categories.']")) i.value = "";
		document.querySelector("input[name='categories.0.code']").value = "pow";
		document.querySelector("input[name='categories.0.name']").value = "Prisoners of war";
		document.querySelector("input[name='categories.0.count']").value = "1";
	})()`)
	med.step("record the agreement", func(ctx context.Context) error { return submit(ctx, `form[action$="/exchanges"]`) })
	exchange := med.eval(`location.pathname`)
	if !strings.HasPrefix(exchange, "/exchanges/") || med.text("h1") != "1 for 1" {
		t.Fatalf("after recording the agreement the mediator is at %s, %q", exchange, med.text("h1"))
	}
	when := time.Now().AddDate(0, 0, 7)
	date, shown := when.Format(time.DateOnly), when.Format("2 January 2006")
	med.do("fill the stage's form", fmt.Sprintf(`(() => {
		document.querySelector("form[action$='/plan']").closest("details").open = true;
		document.getElementById("plan-date").value = %s;
		document.getElementById("plan-pow").value = "1";
	})()`, jsString(date)))
	med.step("plan the stage", func(ctx context.Context) error { return submit(ctx, `form[action$="/plan"]`) })
	if got := med.rowText("#stages table.stages tbody tr"); !strings.HasPrefix(got, "1 | "+shown+" | 1 | 1 | planned") {
		t.Fatalf("the planned stage reads %q", got)
	}

	// 2. The lists: each side asks one man back and holds one.
	ua.importList(base+exchange, filepath.Join(dir, "ua-asked.csv"), "asked",
		"ref,family_name,given_name,patronymic,birth_date,category\n"+
			"UA-A-1,Коваленко,Андрій,Петрович,1995-03-14,pow\n")
	ua.importList(base+exchange, filepath.Join(dir, "ua-held.csv"), "held",
		"ref,family_name,given_name,patronymic,birth_date,rank,category\n"+
			"UA-H-1,Smirnov,Dmitrii,Ivanovich,1990-05-17,private,pow\n")
	ru.importList(base+exchange, filepath.Join(dir, "ru-asked.csv"), "asked",
		"ref,family_name,given_name,patronymic,birth_date,category\n"+
			"RU-A-1,Смирнов,Дмитрий,Иванович,1990-05-17,pow\n")
	// Russia knows the Ukrainian it holds by his names alone, the given
	// name in its Russian form.
	ru.importList(base+exchange, filepath.Join(dir, "ru-held.csv"), "held",
		"ref,family_name,given_name,category\n"+
			"RU-H-1,Коваленко,Андрей,pow\n")
	if got := ru.rowText("#lists table.lists tbody tr"); got != "Ukraine | 1 person | 1 person" {
		t.Errorf("the lists' first row reads %q", got)
	}

	// 3. Each side runs the reconciliation of its requests and lands on
	// its pairs.
	uaPairs := ua.reconcile("Ukraine")
	ruPairs := ru.reconcile("Russian Federation")
	if h := ua.text("h1"); h != "People Ukraine asks back, against those Russian Federation holds" {
		t.Errorf("Ukraine's pairs page is headed %q", h)
	}
	ua.must("one possible pair in the review queue", `document.querySelectorAll("#review article.pair").length === 1 && !!document.querySelector("#review article.pair.possible")`)
	ru.must("one matched pair in the review queue", `document.querySelectorAll("#review article.pair").length === 1 && !!document.querySelector("#review article.pair.match")`)

	// 4. The possible pair, reviewed from both sides: the tag, the
	// comparison and the engine's reasons, then the confirmation.
	ru.step("open Ukraine's pairs", func(ctx context.Context) error { return chromedp.Do(ctx, chromedp.Navigate(base+uaPairs)) })
	for i, u := range []*stageUser{ua, ru} {
		u.do("unfold the engine's reasons", `document.querySelector("#review article.pair details").open = true`)
		if got := u.text("#review article.pair .tag"); got != "Possible: to review" {
			t.Errorf("%s: the pair's tag reads %q", u.name, got)
		}
		cmp := u.eval(`Array.from(document.querySelectorAll("#review article.pair table.compare tbody tr")).map(r => (r.classList.contains("same") ? "= " : "≠ ") + Array.from(r.cells).map(c => c.textContent.trim()).join(" | ")).join("\n")`)
		for _, want := range []string{"= Family name | Коваленко | Коваленко", "Given name | Андрій | Андрей", "Date of birth | 1995-03-14 |"} {
			if !strings.Contains(cmp, want) {
				t.Errorf("%s: the comparison lacks %q:\n%s", u.name, want, cmp)
			}
		}
		reasons := u.eval(`Array.from(document.querySelectorAll("#review article.pair ul.reasons li")).map(l => l.textContent.trim()).join("\n")`)
		for _, want := range []string{"family name: same key kovalenko", "given name: same name Андрій/Андрей", "birth date: missing", "below the match threshold"} {
			if !strings.Contains(reasons, want) {
				t.Errorf("%s: the engine's reasons lack %q:\n%s", u.name, want, reasons)
			}
		}
		if i == 0 {
			u.shot("pairs-possible", "")
		}
		u.press("confirm the possible pair", "#review article.pair form.answer button", "Same person: confirm")
	}
	for _, u := range []*stageUser{ru, ua} {
		u.step("reload Ukraine's pairs", func(ctx context.Context) error { return chromedp.Do(ctx, chromedp.Navigate(base+uaPairs)) })
		u.must("the possible pair confirmed by both, among the settled", `(() => { const a = document.querySelector("#settled article.pair.possible");
			return !!a && a.querySelector(".tag.status-confirmed").textContent.trim() === "Confirmed by both" && !document.querySelector("#review article.pair"); })()`)
	}
	// The matched pair: both sides confirm it too.
	ua.step("open Russia's pairs", func(ctx context.Context) error { return chromedp.Do(ctx, chromedp.Navigate(base+ruPairs)) })
	ru.step("open Russia's pairs", func(ctx context.Context) error { return chromedp.Do(ctx, chromedp.Navigate(base+ruPairs)) })
	for _, u := range []*stageUser{ru, ua} {
		if got := u.text("#review article.pair .tag"); got != "Matched by the engine" {
			t.Errorf("%s: the matched pair's tag reads %q", u.name, got)
		}
		u.press("confirm the matched pair", "#review article.pair form.answer button", "Same person: confirm")
	}
	ru.step("reload Russia's pairs", func(ctx context.Context) error { return chromedp.Do(ctx, chromedp.Reload()) })
	for _, u := range []*stageUser{ua, ru} {
		u.must("the matched pair confirmed by both, among the settled", `(() => { const a = document.querySelector("#settled article.pair.match");
			return !!a && a.querySelector(".tag.status-confirmed").textContent.trim() === "Confirmed by both" && !document.querySelector("#review article.pair"); })()`)
	}

	// 5. The people on their way home, one page per receiving side.
	uaPeople := strings.Replace(uaPairs, "/pairs/", "/people/", 1)
	ruPeople := strings.Replace(ruPairs, "/pairs/", "/people/", 1)
	obs.step("open the exchange", func(ctx context.Context) error {
		return chromedp.Do(ctx, chromedp.Navigate(base+exchange+"#reconciliation"))
	})
	obs.must("the links to the people to bring home", fmt.Sprintf(`!!document.querySelector('#reconciliation a[href=%q]') && !!document.querySelector('#reconciliation a[href=%q]')`, uaPeople, ruPeople))
	type journey struct {
		people             string
		receiving, holding *stageUser
		header, held       string // the person as the receiving side and the holding side name him
	}
	journeys := []journey{
		{people: uaPeople, receiving: ua, holding: ru, header: "Коваленко Андрій Петрович", held: "Коваленко Андрей (as held)"},
		{people: ruPeople, receiving: ru, holding: ua, header: "Смирнов Дмитрий Иванович", held: "Smirnov Dmitrii (as held)"},
	}
	// stepIs checks the step u's page shows for the one person of the page.
	stepIs := func(u *stageUser, want string) {
		t.Helper()
		if got := u.text("article.case .tag.step"); got != want {
			t.Errorf("%s: the person's step reads %q, want %q", u.name, got, want)
		}
	}
	for i, j := range journeys {
		obs.step("open the people of "+j.people, func(ctx context.Context) error { return chromedp.Do(ctx, chromedp.Navigate(base+j.people)) })
		if got := obs.text("article.case header strong"); got != j.header {
			t.Errorf("the observer reads %q, want %q", got, j.header)
		}
		if got := obs.text("article.case header .meta"); !strings.Contains(got, j.held) {
			t.Errorf("the observer reads %q, want it to name %q", got, j.held)
		}
		stepIs(obs, "Confirmed by both sides")
		obs.do("write the interview's note", `document.querySelector("article.case form input[name=note]").value = "Seen alone; asked in his own language."`)
		obs.press("record the interview", "article.case form button", "Wishes to go home")
		stepIs(obs, "Interviewed")
		if i == 0 {
			obs.shot("people-observer", "")
		}
	}
	for _, j := range journeys {
		h := j.holding
		h.step("open the people of "+j.people, func(ctx context.Context) error { return chromedp.Do(ctx, chromedp.Navigate(base+j.people)) })
		stepIs(h, "Interviewed")
		h.must("no interview form for a side", `!document.querySelector("article.case input[name=act][value=interview]")`)
		h.press("record fitness", "article.case form button", "Fit to travel")
		stepIs(h, "Fit to travel")

		med.step("open the people of "+j.people, func(ctx context.Context) error { return chromedp.Do(ctx, chromedp.Navigate(base+j.people)) })
		med.do("choose stage 1", `document.querySelector("article.case select[name=stage]").value = "1"`)
		med.press("assign to stage 1", "article.case form button", "Assign")
		stepIs(med, "Assigned to a stage · Stage 1")

		h.step("reload", func(ctx context.Context) error { return chromedp.Do(ctx, chromedp.Reload()) })
		h.press("hand over", "article.case form button", "Handed over")
		stepIs(h, "Handed over · Stage 1")

		r := j.receiving
		r.step("open the people of "+j.people, func(ctx context.Context) error { return chromedp.Do(ctx, chromedp.Navigate(base+j.people)) })
		r.press("receive", "article.case form button", "Received")
		stepIs(r, "Received · Stage 1")
		r.must("no step left to record", `!document.querySelector("article.case form")`)
	}

	// 6. The mediator finalises the stage, which keeps parity.
	med.step("open the exchange", func(ctx context.Context) error { return chromedp.Do(ctx, chromedp.Navigate(base+exchange+"#progress")) })
	if got := med.text("#progress-1"); !strings.Contains(got, "The stage keeps the agreed numbers on both sides.") {
		t.Errorf("before finalising, the stage's progress reads %q", got)
	}
	med.press("finalise the stage", "#progress-1 form button", "Finalise the stage")
	for _, u := range everyone {
		if u != med {
			u.step("open the exchange", func(ctx context.Context) error { return chromedp.Do(ctx, chromedp.Navigate(base+exchange+"#progress")) })
		}
		if got := u.text("#progress-1 h3 .tag"); got != "finalised" {
			t.Errorf("%s: stage 1's progress is tagged %q, want finalised", u.name, got)
		}
		if got := u.rowText("#stages table.stages tbody tr"); !strings.HasPrefix(got, "1 | "+shown+" | 1 | 1 | finalised") {
			t.Errorf("%s: the stage reads %q", u.name, got)
		}
		if got := u.rowText("#progress-1 table.progress thead tr"); got != "Category | Received by Ukraine | Received by Russian Federation" {
			t.Errorf("%s: the progress's head reads %q", u.name, got)
		}
		// One received of one agreed, each way.
		for row, want := range map[string]string{
			"tbody tr": "Prisoners of war | 1 / 1 (1 assigned) | 1 / 1 (1 assigned)",
			"tfoot tr": "Total | 1 / 1 | 1 / 1",
		} {
			if got := u.rowText("#progress-1 table.progress " + row); got != want {
				t.Errorf("%s: the progress's row reads %q, want %q", u.name, got, want)
			}
		}
		u.must("no count off the agreed numbers", `!document.querySelector("#progress-1 td.off")`)
		u.must("no finalising offered again", `!document.querySelector("form[action$='/stages/1/finalise']") && !document.querySelector("#progress-1 form")`)
		u.clean()
	}
	med.shot("stage-finalised", "#stages")
	t.Logf("from the server's start to the stage's finalisation: %v", time.Since(began).Round(time.Millisecond))
}

// stageUser is one person's tab in TestExchangeStageBrowser, signed in
// in a browser context of its own.
// stageUser is a person of the list test, in a tab of its own.
type stageUser struct{ *person }

func newStageUser(t *testing.T, browser context.Context, name string) *stageUser {
	t.Helper()
	u := &stageUser{&person{t: t, name: name, ctx: newTab(t, browser, name)}}
	watch(t, u.ctx)
	return u
}

// rowText is the cells of the first table row matched by css, each's text
// with spaces folded, joined by " | ".
func (u *stageUser) rowText(css string) string {
	u.t.Helper()
	return u.eval(fmt.Sprintf(`(() => { const r = document.querySelector(%s);
		return r ? Array.from(r.cells).map(c => c.textContent.replace(/\s+/g, " ").trim()).join(" | ") : ""; })()`, jsString(css)))
}

// press clicks, as a person would, the first element matched by css whose
// text is label, and waits for the page it leads to. The page it leaves
// is marked, so that the load of a page written by script cannot pass for
// the new one.
func (u *stageUser) press(what, css, label string) {
	u.t.Helper()
	script := fmt.Sprintf(`(() => {
		const e = Array.from(document.querySelectorAll(%s)).find(e => e.textContent.replace(/\s+/g, " ").trim() === %s);
		if (!e) throw new Error("no " + %s + " labelled " + %s);
		window.stageLeft = true;
		e.scrollIntoView({block: "center"});
		e.click();
	})()`, jsString(css), jsString(label), jsString(css), jsString(label))
	u.step(what, func(ctx context.Context) error {
		_, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Evaluate[chromedp.Void](script)))
		return err
	})
	u.wait("the page that answers "+what, `!window.stageLeft && document.readyState === "complete"`)
	u.must("no complaint after "+what, `!document.querySelector(".form-error, .field-error")`)
}

// importList has u import the file content, written to path, as the
// side's list (asked or held) from the exchange's page at url: the file
// picked in the form, checked, its report read, and all its rows
// imported.
func (u *stageUser) importList(url, path, list, content string) {
	u.t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		u.t.Fatal(err)
	}
	u.step("open the exchange", func(ctx context.Context) error { return chromedp.Do(ctx, chromedp.Navigate(url+"#lists")) })
	u.do("unfold the import form", fmt.Sprintf(`(() => {
		document.getElementById("import-file").closest("details").open = true;
		document.getElementById("import-list").value = %s;
	})()`, jsString(list)))
	u.step("pick "+filepath.Base(path), func(ctx context.Context) error {
		return chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.CSS("#import-file"), []string{path}))
	})
	// The form is sent by script, with its upload's progress; the report
	// is written into the page, which the browser does not count as a new
	// document.
	u.do("check the file", `Array.from(document.getElementById("import-file").form.querySelectorAll("button[type=submit]")).find(b => b.textContent.trim() === "Check the file").click()`)
	u.wait("the validation report", `!!document.querySelector("#report")`)
	u.do("watch the page written by script", `(() => { const seen = window.problems || []; `+watchPage+`; window.problems = seen; })()`)
	report := u.text("#report")
	for _, want := range []string{filepath.Base(path), "Rows read: 1 · valid: 1 · with errors: 0", "Every row is valid"} {
		if !strings.Contains(report, want) {
			u.t.Errorf("%s: the report of %s lacks %q:\n%s", u.name, filepath.Base(path), want, report)
		}
	}
	u.press("import the file", `#report button[value="all"]`, "Import the 1 row")
	if got := u.text(".flash"); got != "The list was imported." {
		u.t.Errorf("%s: after importing %s the page says %q", u.name, filepath.Base(path), got)
	}
}

// reconcile has u run the reconciliation of the people party asks back,
// from the exchange's page, and returns the path of the pairs page it
// leads to.
func (u *stageUser) reconcile(party string) string {
	u.t.Helper()
	row := fmt.Sprintf(`Array.from(document.querySelectorAll("#reconciliation table.tallies tbody tr")).find(r => r.querySelector("th").textContent.trim() === %s)`, jsString(party))
	u.do("mark "+party+"'s row", `(`+row+`).querySelector("button").classList.add("run-here")`)
	u.press("run the reconciliation of "+party+"'s requests", "#reconciliation button.run-here", "Run the reconciliation")
	pairs := u.eval(`location.pathname`)
	if !strings.Contains(pairs, "/pairs/") {
		u.t.Fatalf("%s: the reconciliation of %s's requests leads to %s", u.name, party, pairs)
	}
	return pairs
}

// shot saves, with PARLEY_SCREENSHOTS=<dir>, u's whole page as
// <dir>/exchange-stage/<name>.png, or with css the window's view of the
// element it matches, scrolled to near the top.
func (u *stageUser) shot(name, css string) {
	u.t.Helper()
	dir := os.Getenv("PARLEY_SCREENSHOTS")
	if dir == "" {
		return
	}
	capture := chromedp.FullScreenshot(100)
	if css != "" {
		u.do("scroll to "+css, fmt.Sprintf(`(() => { document.querySelector(%s).scrollIntoView(); scrollBy(0, -16); })()`, jsString(css)))
		capture = chromedp.CaptureScreenshot()
	}
	c, cancel := context.WithTimeout(u.ctx, 20*time.Second)
	defer cancel()
	buf, err := chromedp.Run(c, capture)
	if err != nil {
		u.t.Fatalf("screenshot %s: %v", name, err)
	}
	out := filepath.Join(dir, "exchange-stage", name+".png")
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		u.t.Fatal(err)
	}
	if err := os.WriteFile(out, buf, 0o644); err != nil {
		u.t.Fatal(err)
	}
}
