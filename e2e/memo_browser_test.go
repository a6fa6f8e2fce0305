package e2e

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestMemoNegotiationBrowser is issue 7 in real browsers: the mediator opens
// a memorandum and writes a section and a clause in the process's
// languages; the head of the Ukrainian delegation brackets the clause with
// an alternative; the head of the Russian delegation, with the page open,
// sees it arrive without a reload and reserves; a clause's forms unfold in
// place when asked for, and who is editing shows on the others' pages; two
// edits from the same version: the second comes back with both texts; the
// print view is the diplomatic copy, and the PDF is a PDF (or a clear 503
// without Chromium).
// With PARLEY_SCREENSHOTS=<dir>, it saves each screen in <dir>/memo.
func TestMemoNegotiationBrowser(t *testing.T) {
	needChromium(t)
	base := startDemoServer(t, buildParleyBinary(t))
	med, ua, ru := newBrowser(t, 1280, 900), newBrowser(t, 1280, 900), newBrowser(t, 1280, 900)
	shots := os.Getenv("PARLEY_SCREENSHOTS")

	step := func(who string, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		c, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		if err := chromedp.Do(c, actions...); err != nil {
			body, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
			t.Fatalf("%s: %s: %v\n--- page ---\n%.3000s", who, what, err, body)
		}
	}
	run := func(who string, ctx context.Context, what string, f func(context.Context) error) {
		t.Helper()
		c, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		if err := f(c); err != nil {
			body, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
			t.Fatalf("%s: %s: %v\n--- page ---\n%.3000s", who, what, err, body)
		}
	}
	text := func(ctx context.Context) string {
		s, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
		return s
	}
	html := func(ctx context.Context) string {
		s, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.outerHTML`))
		return s
	}
	shot := func(ctx context.Context, name string) {
		t.Helper()
		if shots == "" {
			return
		}
		c, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		buf, err := chromedp.Run(c, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		out := filepath.Join(shots, "memo", name+".png")
		os.MkdirAll(filepath.Dir(out), 0o755)
		if err := os.WriteFile(out, buf, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for who, ctx := range map[string]context.Context{"mediator": med, "head.ua": ua, "head.ru": ru} {
		run(who, ctx, "sign in", func(c context.Context) error { return signIn(c, base, who) })
	}

	// The mediator opens a memorandum in the first working group.
	step("mediator", med, "open the processes", chromedp.Navigate(base+"/processes"))
	process := regexp.MustCompile(`href="/p/([^"/]+)"`).FindStringSubmatch(html(med))[1]
	step("mediator", med, "open the memoranda", chromedp.Navigate(base+"/p/"+process+"/memos"))
	shot(med, "memos-empty")
	run("mediator", med, "fill the form", func(c context.Context) error {
		return fill(c, map[string]string{"m-title": "Memorandum on the exchange of detainees"})
	})
	run("mediator", med, "open the memorandum", func(c context.Context) error { return submit(c, `form[action$="/memos"]`) })
	memoURL, _ := chromedp.Run(med, chromedp.Evaluate[string](`location.pathname`))
	if !strings.HasPrefix(memoURL, "/memos/") {
		t.Fatalf("after opening, the mediator is at %s:\n%s", memoURL, text(med))
	}
	step("mediator", med, "choose a section", chromedp.Evaluate[chromedp.Void](`document.querySelector('input[name=kind][value=section]').checked = true`))
	run("mediator", med, "write the section", func(c context.Context) error {
		return fill(c, map[string]string{"add-en": "Exchange of detainees", "add-uk": "Обмін затриманими", "add-ru": "Обмен задержанными"})
	})
	run("mediator", med, "add the section", func(c context.Context) error { return submit(c, `form[action*="/add"]`) })
	step("mediator", med, "place the clause in the section", chromedp.Evaluate[chromedp.Void](`(() => {
		const s = document.getElementById('add-place'); s.selectedIndex = 1; })()`))
	run("mediator", med, "write the clause", func(c context.Context) error {
		return fill(c, map[string]string{"add-en": "The parties exchange all detainees, all for all.",
			"add-uk": "Сторони обмінюються всіма затриманими за формулою «всіх на всіх».", "add-ru": "Стороны обмениваются всеми задержанными по формуле «всех на всех»."})
	})
	run("mediator", med, "add the clause", func(c context.Context) error { return submit(c, `form[action*="/add"]`) })
	page := text(med)
	if !strings.Contains(page, "1.1") || !strings.Contains(page, "all for all") {
		t.Fatalf("the memorandum lacks its clause 1.1:\n%s", page)
	}

	step("mediator", med, "list the memoranda", chromedp.Navigate(base+"/p/"+process+"/memos"))
	if !strings.Contains(html(med), memoURL) {
		t.Errorf("the list of memoranda lacks %s", memoURL)
	}
	shot(med, "memos")
	step("mediator", med, "back to the memorandum", chromedp.Navigate(base+memoURL))
	groupURL, _ := chromedp.Run(med, chromedp.Evaluate[string](`document.querySelector('.crumbs a[href^="/g/"]').getAttribute('href')`))
	step("mediator", med, "the group page", chromedp.Navigate(base+groupURL))
	if !strings.Contains(html(med), memoURL) {
		t.Errorf("the working group's page does not list %s", memoURL)
	}
	shot(med, "group")

	// The Russian head has the page open; the Ukrainian head tables an alternative.
	step("head.ru", ru, "open the memorandum", chromedp.Navigate(base+memoURL))
	step("head.ru", ru, "mark the page", chromedp.Evaluate[chromedp.Void](`window.memoNotReloaded = true`))
	step("head.ua", ua, "open the memorandum", chromedp.Navigate(base+memoURL))
	// The page carries no forms per clause, only the links that unfold one:
	// a click fetches the clause with its form, in place, without a reload.
	step("head.ua", ua, "mark the page", chromedp.Evaluate[chromedp.Void](`window.memoNotReloaded = true`))
	if n, _ := chromedp.Run(ua, chromedp.Evaluate[int](`document.querySelectorAll('article form[action*="/table"], article textarea').length`)); n != 0 {
		t.Errorf("the memorandum carries %d forms and text boxes in its clauses before any is asked for", n)
	}
	step("head.ua", ua, "unfold the alternative form", chromedp.Click(`article a.form-link[href*=".table"]`),
		chromedp.WaitVisible(`article form[action*="/table"] textarea[name=text_en]`))
	if kept, _ := chromedp.Run(ua, chromedp.Evaluate[bool](`window.memoNotReloaded === true && location.search === ""`)); !kept {
		t.Error("the alternative form came with a new page, not in place")
	}
	step("head.ua", ua, "write the alternative", chromedp.Evaluate[chromedp.Void](`(() => {
		const f = document.querySelector('form[action*="/table"]');
		f.querySelector('select[name=kind]').value = 'contentious';
		f.querySelector('textarea[name=text_en]').value = 'The parties exchange detainees in stages of 300, under the ICRC.';
	})()`))
	run("head.ua", ua, "table the alternative", func(c context.Context) error { return submit(c, `form[action*="/table"]`) })
	run("head.ru", ru, "see the alternative live", func(c context.Context) error {
		_, err := chromedp.Run(c, chromedp.Poll[bool](`document.body.innerText.includes('stages of 300') && window.memoNotReloaded === true`,
			chromedp.WithPollingTimeout(10*time.Second), chromedp.WithPollingInterval(100*time.Millisecond)))
		return err
	})
	run("head.ru", ru, "reserve", func(c context.Context) error {
		return submit(c, `form[action*="/stance"]:has(input[value=reserves])`)
	})
	if page := html(ru); !strings.Contains(page, "stance-reserves") {
		t.Errorf("the Russian reservation is not shown:\n%s", text(ru))
	}
	shot(ru, "memo-side-by-side")
	step("head.ru", ru, "one language", chromedp.Navigate(base+memoURL+"?view=ru"))
	shot(ru, "memo-russian")

	// Two edits from the same version: the second sees both texts. Head.ua
	// unfolds the edit form first; the mediator sees it in the presence
	// line, unfolds his own and saves; head.ua's page, still editing, is
	// not refreshed under her, and her save from the old version is
	// refused with both texts.
	step("head.ua", ua, "reload", chromedp.Navigate(base+memoURL))
	step("mediator", med, "reload", chromedp.Navigate(base+memoURL))
	unfold := func(who string, ctx context.Context) {
		t.Helper()
		step(who, ctx, "unfold the English edit form", chromedp.Click(`article a.form-link[href*=".edit.en"]`),
			chromedp.WaitVisible(`article [data-editing] textarea[name=text]`))
	}
	unfold("head.ua", ua)
	run("mediator", med, "see head.ua editing", func(c context.Context) error {
		_, err := chromedp.Run(c, chromedp.Poll[bool](`document.getElementById('presence').innerText.includes('1.1')`,
			chromedp.WithPollingTimeout(10*time.Second), chromedp.WithPollingInterval(100*time.Millisecond)))
		return err
	})
	shot(ua, "memo-editing")
	unfold("mediator", med)
	edit := func(ctx context.Context, who, s string) {
		step(who, ctx, "edit", chromedp.Evaluate[chromedp.Void](`(() => {
			const f = document.querySelector('article [data-editing][data-lang=en] form[action*="/text"]');
			f.querySelector('textarea').value = `+jsString(s)+`;
			f.id = 'edit-under-test';
		})()`))
		run(who, ctx, "save", func(c context.Context) error { return submit(c, `#edit-under-test`) })
	}
	edit(med, "mediator", "The parties exchange all detainees, all for all, within 30 days.")
	if page := text(med); !strings.Contains(page, "within 30 days") {
		t.Fatalf("the mediator's edit is not shown:\n%s", page)
	}
	run("mediator", med, "see himself no longer editing, head.ua still", func(c context.Context) error {
		_, err := chromedp.Run(c, chromedp.Poll[bool](`(document.getElementById('presence').innerText.match(/1\.1/g) || []).length === 1`,
			chromedp.WithPollingTimeout(10*time.Second), chromedp.WithPollingInterval(100*time.Millisecond)))
		return err
	})
	edit(ua, "head.ua", "The parties exchange all detainees, all for all, before the winter.")
	page = text(ua)
	for _, want := range []string{"within 30 days", "before the winter"} {
		if !strings.Contains(page, want) {
			t.Errorf("after a stale edit, the page lacks %q:\n%s", want, page)
		}
	}
	shot(ua, "memo-conflict")
	step("head.ua", ua, "cancel the edit", chromedp.Click(`article [data-editing] a.close-form`), chromedp.WaitNotPresent(`article [data-editing]`))
	run("head.ua", ua, "see nobody editing", func(c context.Context) error {
		_, err := chromedp.Run(c, chromedp.Poll[bool](`!document.getElementById('presence').innerText.includes('1.1')`,
			chromedp.WithPollingTimeout(10*time.Second), chromedp.WithPollingInterval(100*time.Millisecond)))
		return err
	})

	// Ukraine withdraws its alternative; the mediator confirms the
	// translations; both heads agree, initial the clause, then the
	// memorandum: nothing was agreed until everything was.
	act := func(who string, ctx context.Context, form string) {
		t.Helper()
		step(who, ctx, "reload", chromedp.Navigate(base+memoURL))
		run(who, ctx, form, func(c context.Context) error { return submit(c, form) })
	}
	act("head.ua", ua, `form[action*="/withdraw"]`)
	for i := 0; i < 2; i++ {
		act("mediator", med, `form[action*="/confirm"]`)
	}
	for _, h := range []struct {
		who string
		ctx context.Context
	}{{"head.ua", ua}, {"head.ru", ru}} {
		act(h.who, h.ctx, `form[action*="/agree"]`)
	}
	for _, h := range []struct {
		who string
		ctx context.Context
	}{{"head.ua", ua}, {"head.ru", ru}} {
		act(h.who, h.ctx, `form[action*="/initial?"]`)
		act(h.who, h.ctx, `form[action*="/initial-memo"]`)
	}
	if page := html(ru); !strings.Contains(page, "clause-initialled") || strings.Count(page, `href="/record/`) < 6 {
		t.Errorf("after both heads initialled, the memorandum is not shown initialled with its record entries:\n%s", text(ru))
	}
	shot(ru, "memo-initialled")

	// The print view, the copy for the Russian Federation, and the PDF.
	step("head.ru", ru, "print view", chromedp.Navigate(base+memoURL+"/print?lang=all"))
	shot(ru, "print-all")
	step("head.ru", ru, "print view in Russian", chromedp.Navigate(base+memoURL+"/print?lang=ru"))
	if page := text(ru); !strings.Contains(page, "[") {
		t.Errorf("the print view shows no brackets:\n%s", page)
	}
	shot(ru, "print-ru")
	if shots != "" {
		phone := newBrowser(t, 390, 844)
		run("head.ru", phone, "sign in on a phone", func(c context.Context) error { return signIn(c, base, "head.ru") })
		step("head.ru", phone, "the memorandum on a phone", chromedp.Navigate(base+memoURL))
		shot(phone, "memo-phone")
	}
	run("head.ru", ru, "fetch the PDF", func(c context.Context) error {
		kind, err := chromedp.Run(c, chromedp.Evaluate[string](`fetch(`+jsString(memoURL+"/print.pdf?lang=en")+`).then(r => r.status + " " + r.headers.get('content-type'))`, chromedp.EvalAwaitPromise))
		if err == nil && !strings.HasPrefix(kind, "200 application/pdf") {
			t.Errorf("PDF: %s", kind)
		}
		return err
	})
}
