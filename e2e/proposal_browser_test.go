package e2e

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the demo's delegations read times in Kyiv and in Moscow

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// TestProposalNegotiationLive is issue 4 in real browsers: the head of the
// Ukrainian delegation (A) drafts and submits a truce to the Russian
// Federation in the military working group; the head of the Russian
// delegation (B), with the proposal's page open, asks a question; A answers;
// B counters with 72 hours instead of 48; A accepts the counter. Each step
// appears in the other party's open page without a reload (live events and
// htmx). Last, the mediator's overview lists the open proposals with how
// long each has waited, and the accepted counter is not among them.
func TestProposalNegotiationLive(t *testing.T) {
	needChromium(t)
	began := time.Now()
	base := startDemoServer(t, buildParleyBinary(t))
	ua := newBrowser(t, 1280, 900)
	ru := newBrowser(t, 1280, 900)
	med := newBrowser(t, 1280, 900)

	step := func(who string, ctx context.Context, what string, f func(context.Context) error) {
		t.Helper()
		ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		if err := f(ctx); err != nil {
			body, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
			t.Fatalf("%s: %s: %v\n--- page ---\n%s", who, what, err, body)
		}
	}
	// seeLive waits, in who's open page, for cond (a JavaScript expression)
	// to hold, and checks that the page was not reloaded to get there.
	seeLive := func(who string, ctx context.Context, what, cond string) {
		t.Helper()
		start := time.Now()
		pctx, cancel := context.WithTimeout(ctx, 15*time.Second)
		defer cancel()
		if _, err := chromedp.Run(pctx, chromedp.Poll[bool](cond, chromedp.WithPollingTimeout(10*time.Second), chromedp.WithPollingInterval(100*time.Millisecond))); err != nil {
			body, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
			t.Fatalf("%s did not see %s within 10 s: %v\n--- page ---\n%s", who, what, err, body)
		}
		if kept, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.parleyNotReloaded === true`)); err != nil || !kept {
			t.Fatalf("%s's page was reloaded to show %s (%v)", who, what, err)
		}
		t.Logf("%s saw %s live after %v", who, what, time.Since(start).Round(time.Millisecond))
	}
	// markPage leaves a mark in the page's memory that survives only as
	// long as the page is not reloaded.
	markPage := func(who string, ctx context.Context) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`window.parleyNotReloaded = true`)); err != nil {
			t.Fatalf("%s: mark the page: %v", who, err)
		}
	}
	status := func(ctx context.Context) string {
		s, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => { const s = document.querySelector("#proposal h1 .status"); return s ? s.textContent.trim() : ""; })()`))
		return s
	}
	wantStatus := func(who string, ctx context.Context, want string) {
		t.Helper()
		if got := status(ctx); got != want {
			t.Fatalf("%s: the proposal's status is %q, want %q", who, got, want)
		}
	}
	location := func(who string, ctx context.Context) string {
		t.Helper()
		u, err := chromedp.Run(ctx, chromedp.Location())
		if err != nil {
			t.Fatalf("%s: %v", who, err)
		}
		return u
	}
	statusIs := func(want string) string {
		return fmt.Sprintf(`(() => { const s = document.querySelector("#proposal h1 .status"); return s !== null && s.textContent.trim() === %s; })()`, jsString(want))
	}
	proposalShows := func(text string) string {
		return fmt.Sprintf(`(() => { const p = document.querySelector("#proposal"); return p !== null && p.innerText.includes(%s); })()`, jsString(text))
	}
	and := func(conds ...string) string { return "(" + strings.Join(conds, ") && (") + ")" }

	stamp := time.Now().UnixNano()
	title := fmt.Sprintf("Truce for the evacuation of the wounded near Kupiansk (%d)", stamp)
	counterTitle := fmt.Sprintf("Truce of 72 hours for the evacuation of the wounded near Kupiansk (%d)", stamp)
	question := fmt.Sprintf("Who verifies that the truce is kept, and from which hour exactly? (%d)", stamp)
	answer := fmt.Sprintf("The Independent Humanitarian Commission verifies it; the truce starts at 06:00 Kyiv time. (%d)", stamp)

	// Everyone signs in and switches the interface to English with the
	// select at the top right, which saves the account's own setting.
	for _, who := range []struct {
		name string
		ctx  context.Context
	}{{"head.ua", ua}, {"head.ru", ru}, {"mediator", med}} {
		step(who.name, who.ctx, "sign in", func(ctx context.Context) error { return signIn(ctx, base, who.name) })
		step(who.name, who.ctx, "switch to English", switchToEnglish)
	}

	// A goes from the overview to the military working group and drafts
	// the truce there.
	step("head.ua", ua, "open the military working group from the overview", func(ctx context.Context) error {
		return clickLink(ctx, "Military")
	})
	step("head.ua", ua, "open the form to draft a proposal", func(ctx context.Context) error {
		return clickLink(ctx, "Draft a proposal")
	})
	starts := time.Now().Add(72*time.Hour).Format("2006-01-02") + "T06:00"
	step("head.ua", ua, "fill in the truce", func(ctx context.Context) error {
		// The kind and the party are chosen as a person would, so that the
		// form's script shows the truce's fields.
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`(() => {
			const kind = document.getElementById("pf-kind");
			kind.value = "truce";
			kind.dispatchEvent(new Event("change", {bubbles: true}));
			const to = document.getElementById("pf-to");
			const ru = Array.from(to.options).find(o => o.textContent.trim() === "Russian Federation");
			if (!ru) throw new Error("no Russian Federation among the addressees");
			to.value = ru.value;
		})()`)); err != nil {
			return err
		}
		hidden, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById("pf-hours").closest("fieldset").hidden`))
		if err != nil {
			return err
		}
		if hidden {
			return fmt.Errorf("the truce's fields are hidden with the kind truce chosen")
		}
		return fill(ctx, map[string]string{
			"pf-title":   title,
			"pf-text-en": "A truce of 48 hours on the segments of the line of contact near Kupiansk, so that medics can evacuate the wounded.",
			"pf-hours":   "48",
			"pf-starts":  starts,
			"pf-purpose": "Evacuate the wounded",
			"pf-area":    "The segments near Kupiansk marked on the shared map",
		})
	})
	step("head.ua", ua, "save the draft", func(ctx context.Context) error { return submit(ctx, `main form.grid-form`) })
	if !strings.Contains(location("head.ua", ua), "/proposals/") {
		t.Fatalf("head.ua is on %s after saving the draft, not on a proposal", location("head.ua", ua))
	}
	wantStatus("head.ua", ua, "Draft")
	step("head.ua", ua, "submit the proposal", func(ctx context.Context) error { return submit(ctx, `form[action$="/submit"]`) })
	wantStatus("head.ua", ua, "Submitted")
	proposalURL := location("head.ua", ua)
	markPage("head.ua", ua)

	// B finds the proposal on the military group's page, through the side
	// navigation, and keeps its page open.
	step("head.ru", ru, "open the military working group from the side navigation", func(ctx context.Context) error {
		return clickIn(ctx, "nav.side a", "Military")
	})
	step("head.ru", ru, "open the proposal", func(ctx context.Context) error { return clickLink(ctx, title) })
	if u := location("head.ru", ru); u != proposalURL {
		t.Fatalf("head.ru is on %s, not on the proposal %s", u, proposalURL)
	}
	wantStatus("head.ru", ru, "Submitted")
	if ok, _ := chromedp.Run(ru, chromedp.Evaluate[bool](proposalShows("Awaiting the answer of Russian Federation"))); !ok {
		t.Errorf("head.ru's page does not say the move is the Russian Federation's")
	}

	// B asks; A sees the question.
	step("head.ru", ru, "ask a question", func(ctx context.Context) error {
		if err := fill(ctx, map[string]string{"ask": question}); err != nil {
			return err
		}
		return submit(ctx, `form[action$="/ask"]`)
	})
	wantStatus("head.ru", ru, "Clarification asked")
	markPage("head.ru", ru)
	seeLive("head.ua", ua, "the question", and(proposalShows(question), statusIs("Clarification asked"), proposalShows("Awaiting the answer of Ukraine")))

	// A answers under the question; B sees the answer.
	step("head.ua", ua, "answer the question", func(ctx context.Context) error {
		id, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('form[action$="/answer"] textarea').id`))
		if err != nil {
			return err
		}
		if err := fill(ctx, map[string]string{id: answer}); err != nil {
			return err
		}
		return submit(ctx, `form[action$="/answer"]`)
	})
	wantStatus("head.ua", ua, "Under consideration")
	markPage("head.ua", ua)
	seeLive("head.ru", ru, "the answer", and(proposalShows(answer), statusIs("Under consideration"), proposalShows("Awaiting the answer of Russian Federation")))

	// B counters: the form starts from the offer; B asks for 72 hours.
	step("head.ru", ru, "open the counter-proposal form", func(ctx context.Context) error {
		return clickLink(ctx, "Counter-proposal")
	})
	prefilled, err := chromedp.Run(ru, chromedp.Evaluate[[]string](`["pf-kind", "pf-title", "pf-hours", "pf-starts", "pf-purpose"].map(id => document.getElementById(id).value)`))
	if err != nil {
		t.Fatal(err)
	}
	// Times are shown in the reader's time zone: A wrote the start in
	// Kyiv's, B reads it in Moscow's.
	kyiv, err := time.LoadLocation("Europe/Kyiv")
	if err != nil {
		t.Fatal(err)
	}
	moscow, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		t.Fatal(err)
	}
	startsAt, err := time.ParseInLocation("2006-01-02T15:04", starts, kyiv)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"truce", title, "48", startsAt.In(moscow).Format("2006-01-02T15:04"), "Evacuate the wounded"}; strings.Join(prefilled, "|") != strings.Join(want, "|") {
		t.Errorf("the counter-proposal form starts with %q, want %q", prefilled, want)
	}
	step("head.ru", ru, "submit the counter-proposal", func(ctx context.Context) error {
		if err := fill(ctx, map[string]string{
			"pf-title":   counterTitle,
			"pf-text-en": "A truce of 72 hours on the segments of the line of contact near Kupiansk, so that medics can evacuate the wounded and commanders collect the dead.",
			"pf-hours":   "72",
		}); err != nil {
			return err
		}
		return submit(ctx, `main form.grid-form`)
	})
	counterURL := location("head.ru", ru)
	if counterURL == proposalURL || !strings.Contains(counterURL, "/proposals/") {
		t.Fatalf("head.ru is on %s after countering, not on the counter-proposal", counterURL)
	}
	wantStatus("head.ru", ru, "Submitted")
	markPage("head.ru", ru)
	counterPath := strings.TrimPrefix(counterURL, base)
	seeLive("head.ua", ua, "the counter-proposal", and(statusIs("Countered"),
		fmt.Sprintf(`document.querySelector('#proposal a[href=%s]') !== null`, jsString(counterPath))))

	// A opens the counter from the original and accepts it; B sees it.
	step("head.ua", ua, "open the counter-proposal", func(ctx context.Context) error {
		return clickLink(ctx, "see the counter-proposal")
	})
	if u := location("head.ua", ua); u != counterURL {
		t.Fatalf("head.ua is on %s, not on the counter-proposal %s", u, counterURL)
	}
	if ok, _ := chromedp.Run(ua, chromedp.Evaluate[bool](and(proposalShows(counterTitle), proposalShows("72")))); !ok {
		t.Errorf("head.ua's page of the counter-proposal does not show its title and 72 hours")
	}
	step("head.ua", ua, "accept the counter-proposal", func(ctx context.Context) error {
		if err := fill(ctx, map[string]string{"acc-reason": "Agreed: 72 hours from 06:00 Kyiv time."}); err != nil {
			return err
		}
		return submit(ctx, `form[action$="/accept"]`)
	})
	wantStatus("head.ua", ua, "Accepted")
	seeLive("head.ru", ru, "the acceptance", statusIs("Accepted"))

	// The mediator's overview: the open proposals with their waiting
	// times, the longest first; neither offer of this negotiation.
	step("mediator", med, "open the overview", func(ctx context.Context) error {
		return clickIn(ctx, "header a.top-process", "Istanbul talks")
	})
	rows, err := chromedp.Run(med, chromedp.Evaluate[[][]string](`Array.from(document.querySelectorAll("main table.proposals tbody tr")).map(tr => Array.from(tr.cells).map(td => td.innerText.trim()))`))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) == 0 {
		body, _ := chromedp.Run(med, chromedp.Evaluate[string](`document.body.innerText`))
		t.Fatalf("the mediator's overview lists no open proposals\n%s", body)
	}
	days := regexp.MustCompile(`^(\d+) days?$`)
	found := false
	for _, r := range rows {
		if len(r) < 3 {
			t.Fatalf("a row of open proposals has %d cells: %q", len(r), r)
		}
		if strings.Contains(r[0], fmt.Sprint(stamp)) {
			t.Errorf("the mediator's overview lists %q as open", r[0])
		}
		if strings.HasPrefix(r[0], "Three standing online working groups") {
			found = true
			m := days.FindStringSubmatch(r[2])
			if m == nil {
				t.Errorf("the mediator's overview says %q waited %q, want a number of days", "Three standing online working groups", r[2])
			} else if n, _ := strconv.Atoi(m[1]); n < 43 {
				t.Errorf("the mediator's overview says %q waited %s, want 43 days or more", "Three standing online working groups", r[2])
			}
		}
	}
	if !found {
		t.Errorf("the mediator's overview does not list %q among the open proposals: %q", "Three standing online working groups", rows)
	}
	t.Logf("the mediator's overview lists %d open proposals: %q", len(rows), rows)
	t.Logf("the whole negotiation took %v", time.Since(began).Round(time.Millisecond))
}

// switchToEnglish chooses English in the select at the top right, which
// sends its form by itself, and waits for the page to come back.
func switchToEnglish(ctx context.Context) error {
	lang, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("lang-select").value`))
	if err != nil {
		return err
	}
	if lang != "en" {
		script := `(() => { const s = document.getElementById("lang-select"); s.value = "en"; s.dispatchEvent(new Event("change", {bubbles: true})); })()`
		if _, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Evaluate[chromedp.Void](script))); err != nil {
			return err
		}
	}
	html, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.lang + " " + document.getElementById("lang-select").value`))
	if err != nil {
		return err
	}
	if !strings.HasSuffix(html, " en") {
		return fmt.Errorf("the interface is not in English after choosing it: %s", html)
	}
	return nil
}

// clickIn clicks the first link matched by selector whose text contains
// text, and waits for the page it leads to.
func clickIn(ctx context.Context, selector, text string) error {
	script := fmt.Sprintf(`(() => {
		const a = Array.from(document.querySelectorAll(%s)).find(a => a.textContent.includes(%s));
		if (!a) throw new Error("no link");
		a.click();
	})()`, jsString(selector), jsString(text))
	if _, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Evaluate[chromedp.Void](script))); err != nil {
		return fmt.Errorf("follow the link %q in %s: %w", text, selector, err)
	}
	return nil
}
