package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// TestExchangeListsBrowser is the lists of the demo's exchange of 1,200
// for 1,200 in real browsers, one browser context per person. The
// Ukrainian delegate first picks a large file that is no list: the page
// shows how much of it has gone while it uploads, then the refusal beside
// the file field, at the exchange's address. She then picks her file of
// people held, one row of which has an impossible date: the report names
// that row and its column, and she imports only the valid rows. The
// Russian delegate imports the people Russia asks back, reads Ukraine's
// list, and runs the reconciliation; on the pairs page the engine's
// possible pair of the two new entries is confirmed by the Russian
// delegate, then by the Ukrainian one, and both see it confirmed by both.
// The Ukrainian head reads in the access log who viewed which list.
func TestExchangeListsBrowser(t *testing.T) {
	needChromium(t)
	base := startDemoServer(t, buildParleyBinary(t))
	browser := newBrowser(t, 1280, 900)
	dir := t.TempDir()

	ua := &person{t: t, name: "delegate.ua", ctx: newTab(t, browser, "delegate.ua")}
	ru := &person{t: t, name: "delegate.ru", ctx: newTab(t, browser, "delegate.ru")}
	head := &person{t: t, name: "head.ua", ctx: newTab(t, browser, "head.ua")}
	for _, p := range []*person{ua, ru, head} {
		watch(t, p.ctx)
		p.step("sign in", func(ctx context.Context) error { return signIn(ctx, base, p.name) })
		p.step("switch to English", switchToEnglish)
	}

	// 1. The Ukrainian delegate finds the exchange and its lists.
	ua.step("open the humanitarian working group", func(ctx context.Context) error { return clickIn(ctx, `nav.side a[href^="/g/"]`, "Humanitarian") })
	ua.step("open the exchange", func(ctx context.Context) error { return clickIn(ctx, `main a[href^="/exchanges/"]`, "1,200 for 1,200") })
	exchange := ua.eval(`location.pathname`)
	if !strings.HasPrefix(exchange, "/exchanges/") {
		t.Fatalf("the exchange's link leads to %s", exchange)
	}
	ua.must("the lists and the reconciliation", `!!document.querySelector("#lists table.lists") && !!document.querySelector("#reconciliation table.tallies")`)

	// 2. A large file that is no list, sent over a slow line: the
	// progress bar fills while it goes; the answer, the form with the
	// refusal beside the file field, takes the page's place at the
	// exchange's own address.
	wrong := filepath.Join(dir, "contacts.csv")
	var b strings.Builder
	b.WriteString("name;phone\n")
	for i := range 12000 {
		fmt.Fprintf(&b, "Someone number %05d;+380 44 000 %05d\n", i, i)
	}
	writeFile(t, wrong, b.String())
	ua.chooseFile("held", wrong)
	ua.step("slow the line down", func(ctx context.Context) error { return throttleUpload(ctx, 150<<10) })
	ua.do("check the file", `document.querySelector("#import-file").form.querySelector("button[type=submit]").click()`)
	ua.wait("the progress of the upload", `(() => { const p = document.querySelector("form[data-upload-progress] progress");
		return p && !p.hidden && p.value > 0 && p.value < 100; })()`)
	ua.must("the button held while the file goes", `document.querySelector("form[data-upload-progress] button[type=submit]").disabled`)
	ua.wait("the refusal beside the file field", `!!document.getElementById("err-file")`)
	ua.step("speed the line up", func(ctx context.Context) error { return throttleUpload(ctx, -1) })
	if got := ua.eval(`location.pathname`); got != exchange {
		t.Errorf("after the refused file the address is %s, want the exchange's, %s", got, exchange)
	}
	ua.must("the import form unfolded again", `document.querySelector("#lists details.form-box").open && document.querySelector("form[data-upload-progress] progress").hidden`)
	ua.rewatch()

	// 3. Her file of the people Ukraine holds: the second row has a date
	// that does not exist.
	held := filepath.Join(dir, "ua-held-new.csv")
	writeFile(t, held, "ref,family_name,given_name,patronymic,birth_date,rank\n"+
		"UA-H-9001,Вишняков,Геннадий,Борисович,1987-11-23,рядовой\n"+
		"UA-H-9002,Лаптев,Семён,Ильич,1979-02-30,сержант\n"+
		"UA-H-9003,Прохоренко,Игнат,,1991,рядовой\n")
	ua.step("come back to the lists", func(ctx context.Context) error { return chromedp.Do(ctx, chromedp.Navigate(base+exchange+"#lists")) })
	ua.chooseFile("held", held)
	ua.do("check the file", `document.querySelector("#import-file").form.querySelector("button[type=submit]").click()`)
	ua.wait("the validation report", `!!document.querySelector("#report table.errors")`)
	ua.rewatch()
	if got := ua.eval(`location.pathname`); got != exchange {
		t.Errorf("the report shows at %s, want the exchange's address %s", got, exchange)
	}
	ua.wait("the report in view, at the top of the page", `window.scrollY === 0 && document.getElementById("report").getBoundingClientRect().top < innerHeight / 2`)
	report := ua.text("#report")
	for _, want := range []string{"ua-held-new.csv", "Rows read: 3 · valid: 2 · with errors: 1", "Held and offered"} {
		if !strings.Contains(report, want) {
			t.Errorf("the report lacks %q:\n%s", want, report)
		}
	}
	// The one bad cell: row 3 of the file (its header is row 1), column 5,
	// birth_date.
	if rows := ua.eval(`Array.from(document.querySelectorAll("#report table.errors tbody tr")).map(r => Array.from(r.cells).map(c => c.textContent.trim()).join(" | ")).join("\n")`); !strings.HasPrefix(rows, "3 | 5 (birth_date) | ") || strings.Contains(rows, "\n") {
		t.Errorf("the report's errors are\n%s\nwant one, row 3, column 5 (birth_date)", rows)
	}
	ua.must("no offer to import the whole file", `!document.querySelector('#report button[value="all"]')`)
	ua.step("import only the valid rows", func(ctx context.Context) error {
		return clickAndLoad(ctx, `#report button[value="valid"]`)
	})
	ua.must("that the list was imported", `document.querySelector(".flash").textContent.includes("The list was imported")`)
	if got := ua.text("#lists table.imports tbody tr"); !strings.Contains(got, "Ukraine") || !strings.Contains(got, "Held and offered") || !strings.Contains(got, "2 / 3") {
		t.Errorf("the newest import reads %q, want Ukraine's held list, 2 of 3 rows", got)
	}

	// 4. The Russian delegate imports whom Russia asks back, all rows
	// valid, and reads Ukraine's list of the people it holds.
	ru.step("open the exchange", func(ctx context.Context) error { return chromedp.Do(ctx, chromedp.Navigate(base+exchange)) })
	asked := filepath.Join(dir, "ru-asked-new.csv")
	writeFile(t, asked, "ref,family_name,given_name,patronymic,birth_date\nRU-9001,Вишняков,Геннадий,Аркадьевич,1987-11-23\n")
	ru.chooseFile("asked", asked)
	ru.do("check the file", `document.querySelector("#import-file").form.querySelector("button[type=submit]").click()`)
	ru.wait("the validation report", `!!document.querySelector("#report")`)
	ru.rewatch()
	ru.must("every row valid", `document.querySelector("#report").textContent.includes("Every row is valid")`)
	ru.step("import all rows", func(ctx context.Context) error { return clickAndLoad(ctx, `#report button[value="all"]`) })
	ru.must("that the list was imported", `document.querySelector(".flash") !== null`)
	ru.step("read Ukraine's list of the people it holds", func(ctx context.Context) error {
		return clickAndLoad(ctx, `#lists table.lists tbody tr:first-child td:nth-child(3) a`)
	})
	if h := ru.text("h1"); h != "People Ukraine holds and offers" {
		t.Errorf("the list's heading is %q", h)
	}
	if got := ru.eval(`Array.from(document.querySelectorAll("table.persons tbody tr")).filter(r => r.textContent.includes("Вишняков")).map(r => r.cells[0].textContent).join(",")`); got != "UA-H-9001" {
		t.Errorf("Ukraine's list shows Вишняков as %q, want one row, UA-H-9001", got)
	}
	if got := ru.eval(`Array.from(document.querySelectorAll("table.persons tbody tr")).some(r => r.textContent.includes("Лаптев")) ? "listed" : ""`); got != "" {
		t.Error("the row left out of the import is in the list")
	}

	// 5. The Russian delegate runs the reconciliation of Russia's
	// requests; the pairs page opens.
	ru.step("back to the exchange", func(ctx context.Context) error {
		return chromedp.Do(ctx, chromedp.Navigate(base+exchange+"#reconciliation"))
	})
	ru.step("run the reconciliation of Russia's requests", func(ctx context.Context) error {
		return clickAndLoad(ctx, `#reconciliation tbody tr:nth-child(2) form button`)
	})
	pairs := ru.eval(`location.pathname`)
	if !strings.HasPrefix(pairs, exchange+"/pairs/") {
		t.Fatalf("the reconciliation leads to %s", pairs)
	}
	if h := ru.text("h1"); h != "People Russian Federation asks back, against those Ukraine holds" {
		t.Errorf("the pairs page's heading is %q", h)
	}
	// The page shows the matches first, a page at a time: the possible
	// pairs are a link away.
	ru.step("show the possible pairs", func(ctx context.Context) error { return clickIn(ctx, "#review nav.filters a", "Possible") })
	const thePair = `Array.from(document.querySelectorAll("article.pair")).find(a => a.textContent.includes("Вишняков"))`
	ru.must("the possible pair of the two new entries, to review", `(() => { const a = `+thePair+`;
		return !!a && !!a.closest("#review") && a.classList.contains("possible") && a.querySelector(".tag").textContent.trim() === "Possible: to review"; })()`)
	cmp := ru.eval(`Array.from((` + thePair + `).querySelectorAll("table.compare tbody tr")).map(r => (r.classList.contains("same") ? "= " : "≠ ") + Array.from(r.cells).map(c => c.textContent.trim()).join(" | ")).join("\n")`)
	for _, want := range []string{"= Family name | Вишняков | Вишняков", "= Date of birth | 1987-11-23 | 1987-11-23", "≠ Patronymic | Аркадьевич | Борисович"} {
		if !strings.Contains(cmp, want) {
			t.Errorf("the pair's comparison lacks %q:\n%s", want, cmp)
		}
	}
	pairID := ru.eval(`(` + thePair + `).id`)

	// 6. The Russian delegate confirms it; it still awaits Ukraine.
	confirm := fmt.Sprintf(`#%s form.answer button[value="confirm"]`, pairID)
	ru.step("confirm the pair", func(ctx context.Context) error { return clickAndLoad(ctx, confirm) })
	answers := fmt.Sprintf(`document.querySelector("#%s ul.answers").textContent.replace(/\s+/g, " ").trim()`, pairID)
	if got := ru.eval(answers); !strings.Contains(got, "Russian Federation: confirmed") || !strings.Contains(got, "Ukraine: awaited") {
		t.Errorf("after Russia's confirmation the answers read %q", got)
	}
	ru.must("no answer form for a pair already answered", fmt.Sprintf(`!document.querySelector("#%s form.answer")`, pairID))

	// 7. The Ukrainian delegate confirms it too, from the same page.
	ua.step("open the pairs page", func(ctx context.Context) error { return chromedp.Do(ctx, chromedp.Navigate(base+pairs)) })
	ua.step("show the possible pairs", func(ctx context.Context) error { return clickIn(ctx, "#review nav.filters a", "Possible") })
	ua.must("the pair awaiting Ukraine's answer", fmt.Sprintf(`!!document.querySelector("#review #%s form.answer")`, pairID))
	ua.step("confirm the pair", func(ctx context.Context) error { return clickAndLoad(ctx, confirm) })
	for _, p := range []*person{ua, ru} {
		if p == ru {
			p.step("reload the pairs page", func(ctx context.Context) error { return chromedp.Do(ctx, chromedp.Reload()) })
		}
		p.must("the pair confirmed by both, among the settled", fmt.Sprintf(`(() => { const a = document.getElementById(%q);
			return !!a.closest("#settled") && a.querySelector(".tag.status-confirmed").textContent.trim() === "Confirmed by both"; })()`, pairID))
		if got := p.eval(answers); !strings.Contains(got, "Russian Federation: confirmed") || !strings.Contains(got, "Ukraine: confirmed") {
			t.Errorf("%s: the answers read %q", p.name, got)
		}
		p.clean()
	}

	// 8. The Ukrainian head reads the access log: the Russian delegate's
	// views of Ukraine's held list, from its page and from the pairs page,
	// and the imports.
	head.step("open the exchange", func(ctx context.Context) error { return chromedp.Do(ctx, chromedp.Navigate(base+exchange)) })
	head.step("open the access log", func(ctx context.Context) error { return clickLink(ctx, "Access log of personal data") })
	lines := head.eval(`Array.from(document.querySelectorAll("table.access-log tbody tr")).slice(0, 20).map(r => Array.from(r.cells).slice(1).map(c => c.textContent.replace(/\s+/g, " ").trim()).join(" | ")).join("\n")`)
	for _, want := range []string{
		"Anna Belova | View | Exchange of prisoners: 1,200 for 1,200 | Ukraine · Held and offered | 1237",
		"Iryna Kovalchuk | View | Exchange of prisoners: 1,200 for 1,200 | Russian Federation · Asked back | 1201",
		"Anna Belova | Import (csv) | Exchange of prisoners: 1,200 for 1,200 | Russian Federation · Asked back | 1",
		"Iryna Kovalchuk | Import (csv) | Exchange of prisoners: 1,200 for 1,200 | Ukraine · Held and offered | 2",
	} {
		if !strings.Contains(lines, want) {
			t.Errorf("the access log lacks the line %q; its newest lines:\n%s", want, lines)
		}
	}
	head.clean()
	ua.clean()
}

// person is one user's tab in a browser test.
type person struct {
	t    *testing.T
	name string
	ctx  context.Context
}

func (p *person) pageText() string {
	c, cancel := context.WithTimeout(p.ctx, 5*time.Second)
	defer cancel()
	s, _ := chromedp.Run(c, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
	return s
}

// step runs f in p's tab, with a deadline.
func (p *person) step(what string, f func(context.Context) error) {
	p.t.Helper()
	c, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	if err := f(c); err != nil {
		p.t.Fatalf("%s: %s: %v\n--- page ---\n%.3000s", p.name, what, err, p.pageText())
	}
}

// eval returns the value of the JavaScript expression js as a string.
func (p *person) eval(js string) string {
	p.t.Helper()
	c, cancel := context.WithTimeout(p.ctx, 10*time.Second)
	defer cancel()
	s, err := chromedp.Run(c, chromedp.Evaluate[string](js))
	if err != nil {
		p.t.Fatalf("%s: %s: %v\n--- page ---\n%.3000s", p.name, js, err, p.pageText())
	}
	return s
}

// do runs the script js in p's page.
func (p *person) do(what, js string) {
	p.t.Helper()
	p.step(what, func(ctx context.Context) error { return chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](js)) })
}

// text is the text of the first element matched by css, spaces folded.
func (p *person) text(css string) string {
	p.t.Helper()
	return p.eval(fmt.Sprintf(`(() => { const e = document.querySelector(%s); return e ? e.textContent.replace(/\s+/g, " ").trim() : ""; })()`, jsString(css)))
}

// must checks that the JavaScript condition cond holds in p's page now.
func (p *person) must(what, cond string) {
	p.t.Helper()
	c, cancel := context.WithTimeout(p.ctx, 10*time.Second)
	defer cancel()
	ok, err := chromedp.Run(c, chromedp.Evaluate[bool](cond))
	if err != nil || !ok {
		p.t.Fatalf("%s's page does not show %s (%v)\n--- page ---\n%.3000s", p.name, what, err, p.pageText())
	}
}

// wait waits for the JavaScript condition cond to hold in p's page. It
// asks again when the page goes while it asks, as it does when the page
// is being replaced.
func (p *person) wait(what, cond string) {
	p.t.Helper()
	deadline := time.Now().Add(25 * time.Second)
	for {
		c, cancel := context.WithTimeout(p.ctx, 5*time.Second)
		ok, err := chromedp.Run(c, chromedp.Evaluate[bool](cond))
		cancel()
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("%s: waiting for %s: %v\n--- page ---\n%.3000s", p.name, what, err, p.pageText())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// chooseFile unfolds the import form, chooses the list and picks the file
// at path in the file field, as a person would with the file chooser.
func (p *person) chooseFile(list, path string) {
	p.t.Helper()
	p.do("unfold the import form", fmt.Sprintf(`(() => {
		const f = document.getElementById("import-file");
		f.closest("details").open = true;
		document.getElementById("import-list").value = %s;
	})()`, jsString(list)))
	p.step("pick "+filepath.Base(path), func(ctx context.Context) error {
		return chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.CSS("#import-file"), []string{path}))
	})
}

// rewatch installs watchPage again in a page written by script (the
// answer to a form sent with its upload's progress), which the browser
// does not count as a new document.
func (p *person) rewatch() {
	p.t.Helper()
	p.do("watch the page written by script", `(() => { const seen = window.problems || []; `+watchPage+`; window.problems = seen; })()`)
}

// clean checks that p's page had no script errors and no refusals of the
// Content-Security-Policy.
func (p *person) clean() {
	p.t.Helper()
	c, cancel := context.WithTimeout(p.ctx, 10*time.Second)
	defer cancel()
	problems, err := chromedp.Run(c, chromedp.Evaluate[[]string](`window.problems || []`))
	if err != nil {
		p.t.Fatal(err)
	}
	if len(problems) > 0 {
		p.t.Errorf("%s's page had problems: %q", p.name, problems)
	}
}

// clickAndLoad clicks the element matched by css, as a person would, and
// waits for the page it leads to.
func clickAndLoad(ctx context.Context, css string) error {
	script := fmt.Sprintf(`(() => { const e = document.querySelector(%s); if (!e) throw new Error("nothing matches " + %s); e.scrollIntoView({block: "center"}); e.click(); })()`, jsString(css), jsString(css))
	if _, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Evaluate[chromedp.Void](script))); err != nil {
		return fmt.Errorf("click %s: %w", css, err)
	}
	return nil
}

func writeFile(tb testing.TB, path, content string) {
	tb.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		tb.Fatal(err)
	}
}

// throttleUpload limits what p's tab sends to bytesPerSecond, or lifts the
// limit (-1).
func throttleUpload(ctx context.Context, bytesPerSecond float64) error {
	_, err := chromedp.Call(ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
		MatchedNetworkConditions: []*network.Conditions{{UploadThroughput: bytesPerSecond, DownloadThroughput: -1}},
	})
	return err
}
