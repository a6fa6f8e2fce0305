package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestStatementBrowser is a joint statement of the political working group
// approved by both heads and released by the server at its embargo, in
// real browsers, one browser context per person. The mediator drafts it
// through the form, in English and Ukrainian, and lands on its page; the
// Ukrainian head approves it, and the Russian head, reloading, sees the
// approval. The mediator changes the words and sets the time of release,
// a little ahead, in the time zone the form shows: Ukraine's approval is
// void, and the Russian head's approve button, on the page read before the
// change, is refused with the conflict message. Both heads approve the new
// words; the statement waits for its embargo, then the server publishes
// it by itself, and its page says so, with a link to the public page (and
// the statement is there, when the public pages exist).
func TestStatementBrowser(t *testing.T) {
	needChromium(t)
	began := time.Now()
	base := startDemoServer(t, buildParleyBinary(t))
	browser := newBrowser(t, 1280, 900)

	tab := func(who string) context.Context { return newTab(t, browser, who) }
	med, hua, hru := browser, tab("head.ua"), tab("head.ru")

	pageText := func(ctx context.Context) string {
		s, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
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
	eval := func(who string, ctx context.Context, js string) bool {
		t.Helper()
		c, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		ok, err := chromedp.Run(c, chromedp.Evaluate[bool](js))
		if err != nil {
			t.Fatalf("%s: %s: %v", who, js, err)
		}
		return ok
	}
	// must checks, in who's page as it is now, that cond holds.
	must := func(who string, ctx context.Context, what, cond string) {
		t.Helper()
		if !eval(who, ctx, cond) {
			t.Fatalf("%s's page does not show %s\n--- page ---\n%.4000s", who, what, pageText(ctx))
		}
	}
	location := func(ctx context.Context) string {
		u, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname`))
		return u
	}
	open := func(who string, ctx context.Context, path string) {
		t.Helper()
		step(who, ctx, "open "+path, func(c context.Context) error { return chromedp.Do(c, chromedp.Navigate(base+path)) })
	}
	// reloadUntil reloads who's page, at most every second, until cond
	// holds in it, for at most limit; the statement's page does not update
	// itself.
	reloadUntil := func(who string, ctx context.Context, path, what, cond string, limit time.Duration) time.Duration {
		t.Helper()
		start := time.Now()
		for {
			open(who, ctx, path)
			if eval(who, ctx, cond) {
				return time.Since(start)
			}
			if time.Since(start) > limit {
				t.Fatalf("%s's page does not show %s after %v of reloading\n--- page ---\n%.4000s", who, what, limit, pageText(ctx))
			}
			time.Sleep(time.Second)
		}
	}
	and := func(conds ...string) string { return "(" + strings.Join(conds, ") && (") + ")" }
	not := func(cond string) string { return "!(" + cond + ")" }
	in := func(css, text string) string {
		return fmt.Sprintf(`Array.from(document.querySelectorAll(%s)).some(e => e.innerText.includes(%s))`, jsString(css), jsString(text))
	}
	status := func(text string) string {
		return fmt.Sprintf(`(() => { const s = document.querySelector("main h1 .status"); return s !== null && s.textContent.trim() === %s; })()`, jsString(text))
	}
	// approval holds when the party's line among the approvals carries
	// the status class cls.
	approval := func(party, cls string) string {
		return fmt.Sprintf(`Array.from(document.querySelectorAll("#h-approvals ~ ul.approvals li")).some(li => li.textContent.trim().startsWith(%s + ":") && li.querySelector(".status." + %s) !== null)`, jsString(party), jsString(cls))
	}
	words := func(lang, text string) string {
		return fmt.Sprintf(`Array.from(document.querySelectorAll('.text-lang[lang=%s]')).some(e => e.innerText.includes(%s))`, jsString(lang), jsString(text))
	}
	canApprove := `document.querySelector('form[action$="/approve"] button[type=submit]') !== null`
	conflict := in(`main [role="alert"]`, "The statement was changed since you read it")

	for _, p := range []struct {
		who string
		ctx context.Context
	}{{"mediator", med}, {"head.ua", hua}, {"head.ru", hru}} {
		step(p.who, p.ctx, "sign in", func(c context.Context) error { return signIn(c, base, p.who) })
		step(p.who, p.ctx, "switch to English", switchToEnglish)
	}

	stamp := time.Now().UnixNano()
	titleEN := fmt.Sprintf("Joint statement on the political working group (%d)", stamp)
	textEN1 := "The political working group met online and agreed to meet again in Istanbul next month."
	textEN2 := "The political working group met online and agreed to meet again in Istanbul on 12 September."
	titleUK := fmt.Sprintf("Спільна заява щодо політичної робочої групи (%d)", stamp)
	textUK1 := "Політична робоча група зустрілася онлайн і домовилася знову зустрітися в Стамбулі наступного місяця."
	textUK2 := "Політична робоча група зустрілася онлайн і домовилася знову зустрітися в Стамбулі 12 вересня."

	// The mediator drafts the statement from the statements page of the
	// process, without a time of release for now.
	open("mediator", med, "/processes")
	step("mediator", med, "open the process", func(c context.Context) error { return clickLink(c, "Istanbul talks") })
	step("mediator", med, "open the statements", func(c context.Context) error { return clickIn(c, "nav.side a", "Public statements") })
	statementsURL := location(med)
	if !strings.HasPrefix(statementsURL, "/p/") || !strings.HasSuffix(statementsURL, "/statements") {
		t.Fatalf("the statements' page is at %s", statementsURL)
	}
	processID := strings.TrimSuffix(strings.TrimPrefix(statementsURL, "/p/"), "/statements")
	step("mediator", med, "fill in the statement", func(c context.Context) error {
		if err := chromedp.Do(c, chromedp.Evaluate[chromedp.Void](`(() => {
			const s = document.getElementById("st-space");
			const o = Array.from(s.options).find(o => o.textContent.includes("Political"));
			if (!o) throw new Error("the political group is not among the places to draft in");
			s.value = o.value;
		})()`)); err != nil {
			return err
		}
		return fill(c, map[string]string{
			"st-title-en": titleEN, "st-text-en": textEN1,
			"st-title-uk": titleUK, "st-text-uk": textUK1,
			"st-embargo": "",
		})
	})
	step("mediator", med, "draft it", func(c context.Context) error { return submit(c, `form[action$="/statements"]`) })
	statementURL := location(med)
	if !strings.HasPrefix(statementURL, "/statements/") {
		t.Fatalf("after drafting, the mediator is at %s\n%s", statementURL, pageText(med))
	}
	must("mediator", med, "the statement, awaiting both parties, in English and Ukrainian", and(
		in("main h1", titleEN), status("Awaiting approval"),
		words("en", textEN1), words("uk", textUK1), words("uk", titleUK),
		approval("Ukraine", "status-clarification"), approval("Russian Federation", "status-clarification"),
		not(canApprove), in("main", "Version 1")))

	// Each head reads it; Ukraine's approves.
	for _, p := range []struct {
		who string
		ctx context.Context
	}{{"head.ua", hua}, {"head.ru", hru}} {
		open(p.who, p.ctx, statementURL)
		must(p.who, p.ctx, "the statement awaiting both parties, and a button to approve it", and(
			words("en", textEN1), approval("Ukraine", "status-clarification"), approval("Russian Federation", "status-clarification"), canApprove))
	}
	step("head.ua", hua, "approve", func(c context.Context) error { return submit(c, `form[action$="/approve"]`) })
	must("head.ua", hua, "Ukraine's approval, and no button to approve again", and(
		approval("Ukraine", "status-accepted"), approval("Russian Federation", "status-clarification"),
		not(canApprove), status("Awaiting approval")))
	reloadUntil("head.ru", hru, statementURL, "Ukraine's approval", and(
		approval("Ukraine", "status-accepted"), approval("Russian Federation", "status-clarification"), canApprove), 10*time.Second)

	// The mediator changes the words, and sets the time of release a
	// little ahead, written in the time zone the form shows, to the minute
	// as the form takes it. head.ru's page is now stale.
	open("mediator", med, statementURL)
	var zone string
	step("mediator", med, "read the form's time zone", func(c context.Context) error {
		z, err := chromedp.Run(c, chromedp.Evaluate[string](`(document.getElementById("st-embargo-zone") || {textContent: ""}).textContent.trim()`))
		zone = z
		return err
	})
	loc, err := time.LoadLocation(zone)
	if err != nil || zone == "" {
		t.Fatalf("the form does not show the time zone of the time of release (%q: %v)\n--- page ---\n%.4000s", zone, err, pageText(med))
	}
	// The first whole minute at least 10 s ahead: the embargo comes 10 to
	// 70 s after the edit.
	embargo := time.Now().Add(10 * time.Second).Truncate(time.Minute).Add(time.Minute)
	embargoField := embargo.In(loc).Format("2006-01-02T15:04")
	step("mediator", med, "change the words", func(c context.Context) error {
		if !eval("mediator", c, `document.querySelector("main").textContent.includes("Saving a change voids every approval given so far.")`) {
			return fmt.Errorf("the form to change approved words does not warn that approvals are voided")
		}
		kept, err := chromedp.Run(c, chromedp.Evaluate[[]string](`["st-title-en", "st-text-en", "st-title-uk", "st-text-uk", "st-embargo"].map(id => document.getElementById(id).value.trim())`))
		if err != nil {
			return err
		}
		if want := []string{titleEN, textEN1, titleUK, textUK1, ""}; strings.Join(kept, "|") != strings.Join(want, "|") {
			return fmt.Errorf("the form to change the words holds %q, want the words as they are, %q", kept, want)
		}
		if err := fill(c, map[string]string{"st-text-en": textEN2, "st-text-uk": textUK2, "st-embargo": embargoField}); err != nil {
			return err
		}
		return submit(c, `form[action$="/edit"]`)
	})
	t.Logf("release at %s (%s), %v after the edit", embargoField, zone, time.Until(embargo).Round(time.Second))
	must("mediator", med, "the new words, version 2, awaiting both parties, and the time of release", and(
		words("en", textEN2), words("uk", textUK2), in("main", "Version 2"), status("Awaiting approval"),
		approval("Ukraine", "status-clarification"), approval("Russian Federation", "status-clarification"),
		in("main h1", embargo.In(loc).Format("2006-01-02 15:04"))))

	// head.ru approves on the page read before the change: refused.
	step("head.ru", hru, "approve the words read before the change", func(c context.Context) error {
		return submit(c, `form[action$="/approve"]`)
	})
	must("head.ru", hru, "that the statement was changed since it was read", conflict)
	must("head.ru", hru, "the new words, with Ukraine's approval void, to approve again", and(
		words("en", textEN2), approval("Ukraine", "status-clarification"), approval("Russian Federation", "status-clarification"), canApprove))
	if eval("head.ru", hru, `(() => { const t = document.getElementById("st-text-en"); return t !== null && t.value.trim() === ""; })()`) {
		t.Errorf("after the refused approval, head.ru's form to change the words is empty")
	}

	// head.ua reads the new words: the approval is void, the button back.
	open("head.ua", hua, statementURL)
	must("head.ua", hua, "Ukraine's approval void, and the button to approve the new words", and(
		words("en", textEN2), approval("Ukraine", "status-clarification"), canApprove, not(conflict)))

	// Both heads approve the new words.
	step("head.ua", hua, "approve the new words", func(c context.Context) error { return submit(c, `form[action$="/approve"]`) })
	must("head.ua", hua, "Ukraine's approval", and(approval("Ukraine", "status-accepted"), not(canApprove)))
	step("head.ru", hru, "approve the new words", func(c context.Context) error { return submit(c, `form[action$="/approve"]`) })
	approvedAt := time.Now()
	if !eval("head.ru", hru, status("Published")) {
		must("head.ru", hru, "both approvals", and(approval("Ukraine", "status-accepted"), approval("Russian Federation", "status-accepted"), not(canApprove), not(conflict)))
	}
	if left := time.Until(embargo); left > 2*time.Second {
		must("head.ru", hru, "the statement approved, under embargo, counting down", and(
			status("Approved, under embargo"), `document.querySelector("main h1 time[data-countdown]") !== null`))
	} else {
		t.Logf("the embargo was %v away when the second approval was given; the state under embargo is not checked", left)
	}

	// The server publishes it at its embargo, by itself.
	limit := time.Until(embargo) + 20*time.Second
	published := and(status("Published"), `document.querySelector('main a[href^="/public/"]') !== null`,
		`document.querySelector('form[action$="/approve"]') === null`, `document.querySelector('form[action$="/edit"]') === null`)
	reloadUntil("mediator", med, statementURL, "the statement published", published, limit)
	seen := time.Now()
	if seen.Before(embargo) {
		t.Errorf("the statement was published at %v, before its embargo %v", seen, embargo)
	}
	t.Logf("published %v after the second approval, %v after the embargo", seen.Sub(approvedAt).Round(100*time.Millisecond), seen.Sub(embargo).Round(100*time.Millisecond))
	open("head.ua", hua, statementURL)
	must("head.ua", hua, "the statement published", published)

	// The list of statements says so too.
	open("mediator", med, statementsURL)
	must("mediator", med, "the statement published in the list", fmt.Sprintf(`Array.from(document.querySelectorAll("table.statements tbody tr")).some(tr =>
		tr.innerText.includes(%s) && tr.querySelector(".status.status-statement-published") !== null)`, jsString(titleEN)))

	// The public page, if the server has it.
	open("mediator", med, statementURL)
	publicPath := "/public/" + processID
	var code int
	step("mediator", med, "ask for the public page", func(c context.Context) error {
		var err error
		code, err = chromedp.Run(c, chromedp.Evaluate[int](fmt.Sprintf(`fetch(%s, {credentials: "omit"}).then(r => r.status)`, jsString(publicPath)), chromedp.EvalAwaitPromise))
		return err
	})
	switch code {
	case 404:
		t.Logf("the public page %s is not there yet (404): its check is skipped", publicPath)
	case 200:
		t.Logf("the public page %s is there: the statement is looked for on it", publicPath)
		step("mediator", med, "follow the link to the public page", func(c context.Context) error { return clickIn(c, "main a", "public page") })
		if u := location(med); u != publicPath {
			t.Errorf("the link to the public page leads to %s, want %s", u, publicPath)
		}
		reloadUntil("mediator", med, publicPath, "the statement on the public page", and(
			in("main", titleEN), in("main", textEN2)), 10*time.Second)
	default:
		t.Errorf("the public page %s answers %d", publicPath, code)
	}
	t.Logf("the whole statement took %v", time.Since(began).Round(time.Millisecond))
}
