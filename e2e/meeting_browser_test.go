package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestMeetingLiveBrowser is a live meeting of the humanitarian working
// group in real browsers, one browser context per person. The mediator
// convenes it through the form (a time zone that does not exist is
// refused beside its field), lands on the meeting's page and opens it. A
// Ukrainian and a Russian delegate of the group, each with the page open,
// say they are there, and each sees the other appear among those present;
// the mediator takes up the second agenda item, and both pages move to it;
// a note of one delegate appears on the other's page, and a note being
// written is not swept away by it. The mediator closes the meeting (the
// page then lists who attended) and drafts the minutes; the Ukrainian head approves them, and the Russian
// head sees it; the mediator edits them, which voids the approval, and the
// Russian head sees that too; both heads approve the new text, and every
// page says the minutes are approved by every party. Everything seen
// "live" is seen without the page being reloaded.
func TestMeetingLiveBrowser(t *testing.T) {
	needChromium(t)
	began := time.Now()
	base := startDemoServer(t, buildParleyBinary(t))
	browser := newBrowser(t, 1280, 900)

	// Each person has a tab in a browser context of their own, so that
	// they share no cookies; the first action binds the tab to its own
	// context, not to one with a deadline.
	tab := func(who string) context.Context { return newTab(t, browser, who) }
	med, dua, dru, hua, hru := browser, tab("delegate.ua"), tab("delegate.ru"), tab("head.ua"), tab("head.ru")

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
	// markPage leaves a mark in the page's memory that survives only as
	// long as the page is not reloaded.
	markPage := func(who string, ctx context.Context) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`window.parleyNotReloaded = true`)); err != nil {
			t.Fatalf("%s: mark the page: %v", who, err)
		}
	}
	// seeLive waits, in who's marked page, for cond to hold, and checks
	// that the page was not reloaded to get there.
	seeLive := func(who string, ctx context.Context, what, cond string) {
		t.Helper()
		start := time.Now()
		c, cancel := context.WithTimeout(ctx, 15*time.Second)
		defer cancel()
		if _, err := chromedp.Run(c, chromedp.Poll[bool](cond, chromedp.WithPollingTimeout(10*time.Second), chromedp.WithPollingInterval(100*time.Millisecond))); err != nil {
			t.Fatalf("%s did not see %s within 10 s: %v\n--- page ---\n%.4000s", who, what, err, pageText(ctx))
		}
		if !eval(who, ctx, `window.parleyNotReloaded === true`) {
			t.Fatalf("%s's page was reloaded to show %s", who, what)
		}
		t.Logf("%s saw %s live after %v", who, what, time.Since(start).Round(time.Millisecond))
	}
	location := func(ctx context.Context) string {
		u, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname`))
		return u
	}
	and := func(conds ...string) string { return "(" + strings.Join(conds, ") && (") + ")" }
	in := func(css, text string) string {
		return fmt.Sprintf(`Array.from(document.querySelectorAll(%s)).some(e => e.innerText.includes(%s))`, jsString(css), jsString(text))
	}
	status := func(text string) string {
		return fmt.Sprintf(`(() => { const s = document.querySelector("#meeting h1 .status"); return s !== null && s.textContent.trim() === %s; })()`, jsString(text))
	}
	present := func(name string) string { return in("#present ul.present li strong", name) }
	// current holds when the agenda item under discussion, and only it,
	// is the one titled title.
	current := func(title string) string {
		return fmt.Sprintf(`(() => {
			const cur = document.querySelectorAll("#agenda li.agenda-item.current");
			const step = document.querySelectorAll('#agenda li.agenda-item[aria-current="step"]');
			return cur.length === 1 && step.length === 1 && cur[0] === step[0] &&
				cur[0].querySelector(".agenda-title").textContent.trim() === %s;
		})()`, jsString(title))
	}
	// approval holds when the party's line under the minutes' approvals
	// carries the status class cls.
	approval := func(party, cls string) string {
		return fmt.Sprintf(`Array.from(document.querySelectorAll("#minutes ul.approvals li")).some(li => li.textContent.trim().startsWith(%s + ":") && li.querySelector(".status." + %s) !== null)`, jsString(party), jsString(cls))
	}
	allApproved := in("#minutes", "Minutes approved by every party")

	for _, p := range []struct {
		who string
		ctx context.Context
	}{{"mediator", med}, {"delegate.ua", dua}, {"delegate.ru", dru}, {"head.ua", hua}, {"head.ru", hru}} {
		step(p.who, p.ctx, "sign in", func(c context.Context) error { return signIn(c, base, p.who) })
		step(p.who, p.ctx, "switch to English", switchToEnglish)
	}

	stamp := time.Now().UnixNano()
	title := fmt.Sprintf("Humanitarian group, extraordinary session (%d)", stamp)
	item1, item2 := "Lists: names without birth dates", "The second stage of the exchange"

	// The mediator convenes the meeting from the meetings page, first with
	// a time zone that does not exist.
	step("mediator", med, "open the meetings from the side navigation", func(c context.Context) error {
		return clickIn(c, "nav.side a", "Meetings")
	})
	istanbul, err := time.LoadLocation("Europe/Istanbul")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now().In(istanbul).Add(10 * time.Minute).Format("2006-01-02T15:04")
	step("mediator", med, "fill in the invitation", func(c context.Context) error {
		if err := chromedp.Do(c, chromedp.Evaluate[chromedp.Void](`(() => {
			const s = document.getElementById("mt-space");
			const o = Array.from(s.options).find(o => o.textContent.includes("Humanitarian"));
			if (!o) throw new Error("the humanitarian group is not among the places to convene");
			s.value = o.value;
		})()`)); err != nil {
			return err
		}
		return fill(c, map[string]string{
			"mt-title":    title,
			"mt-start":    start,
			"mt-tz":       "Europe/Atlantis",
			"mt-duration": "45",
			"mt-call":     "https://call.example.org/humanitarian-extra",
			"mt-agenda":   item1 + "\n" + item2 + "\n",
		})
	})
	step("mediator", med, "convene", func(c context.Context) error { return submit(c, `form[action$="/meetings"]`) })
	must("mediator", med, "the complaint about the time zone beside its field", `(() => {
		const tz = document.getElementById("mt-tz"), err = document.getElementById("err-time_zone");
		return err !== null && err.classList.contains("field-error") && err.parentElement === tz.parentElement &&
			tz.getAttribute("aria-invalid") === "true" && tz.getAttribute("aria-describedby") === "err-time_zone";
	})()`)
	if eval("mediator", med, `document.getElementById("err-start") !== null`) {
		t.Errorf("the start %s is called wrong when only the time zone is: %s", start, pageText(med))
	}
	kept, _ := chromedp.Run(med, chromedp.Evaluate[[]string](`["mt-title", "mt-start", "mt-tz", "mt-duration", "mt-agenda"].map(id => document.getElementById(id).value.trim())`))
	if want := []string{title, start, "Europe/Atlantis", "45", item1 + "\n" + item2}; strings.Join(kept, "|") != strings.Join(want, "|") {
		t.Errorf("the form sent back holds %q, want what was typed, %q", kept, want)
	}
	if u := location(med); !strings.HasSuffix(u, "/meetings") {
		t.Errorf("the refused form is at %s, not on the meetings page", u)
	}

	step("mediator", med, "correct the time zone and convene", func(c context.Context) error {
		if err := fill(c, map[string]string{"mt-tz": "Europe/Istanbul"}); err != nil {
			return err
		}
		return submit(c, `form[action$="/meetings"]`)
	})
	meetingURL := location(med)
	if !strings.HasPrefix(meetingURL, "/meetings/") {
		t.Fatalf("after convening, the mediator is at %s\n%s", meetingURL, pageText(med))
	}
	must("mediator", med, "the meeting, scheduled, with its two agenda items", and(
		in("#meeting h1", title), status("Scheduled"),
		fmt.Sprintf(`Array.from(document.querySelectorAll("#agenda li.agenda-item .agenda-title")).map(e => e.textContent.trim()).join("|") === %s`, jsString(item1+"|"+item2)),
		`document.querySelector('#meeting a.button[href="https://call.example.org/humanitarian-extra"]') !== null`))
	step("mediator", med, "open the meeting", func(c context.Context) error { return submit(c, `form[action$="/start"]`) })
	must("mediator", med, "the meeting live at its first item", and(status("Live now"), current(item1)))

	// The delegates find the meeting in the list and open it.
	for _, p := range []struct {
		who string
		ctx context.Context
	}{{"delegate.ua", dua}, {"delegate.ru", dru}} {
		step(p.who, p.ctx, "open the meetings", func(c context.Context) error { return clickIn(c, "nav.side a", "Meetings") })
		step(p.who, p.ctx, "open the meeting", func(c context.Context) error { return clickLink(c, title) })
		if u := location(p.ctx); u != meetingURL {
			t.Fatalf("%s is on %s, not on the meeting %s", p.who, u, meetingURL)
		}
		must(p.who, p.ctx, "the meeting live at its first item, with nobody present", and(status("Live now"), current(item1),
			`document.querySelector("#present ul.present") === null`))
		markPage(p.who, p.ctx)
	}

	// Each says they are there; each sees the other arrive.
	step("delegate.ua", dua, "say I am here", func(c context.Context) error { return submit(c, `form[action$="/join"]`) })
	must("delegate.ua", dua, "herself present", present("Iryna Kovalchuk"))
	markPage("delegate.ua", dua)
	seeLive("delegate.ru", dru, "Iryna Kovalchuk among those present", present("Iryna Kovalchuk"))
	step("delegate.ru", dru, "say I am here", func(c context.Context) error { return submit(c, `form[action$="/join"]`) })
	must("delegate.ru", dru, "both present", and(present("Iryna Kovalchuk"), present("Anna Belova"),
		`document.querySelector('form[action$="/join"]') === null`, `document.querySelector('form[action$="/leave"]') !== null`))
	markPage("delegate.ru", dru)
	seeLive("delegate.ua", dua, "Anna Belova among those present", and(present("Anna Belova"), present("Iryna Kovalchuk")))

	// The mediator takes up the second item; both pages move to it.
	step("mediator", med, "take up the second item", func(c context.Context) error {
		return submit(c, `#agenda li.agenda-item:nth-child(2) form[action$="/take"]`)
	})
	must("mediator", med, "the second item under discussion", current(item2))
	seeLive("delegate.ua", dua, "the second item under discussion", current(item2))
	seeLive("delegate.ru", dru, "the second item under discussion", current(item2))

	// The Russian delegate starts writing a note; the Ukrainian one adds
	// hers. Hers appears on the Ukrainian delegate's page; the Russian
	// delegate's page, being written in, is not swept away but says it
	// changed.
	noteUA := fmt.Sprintf("Ukraine will send its list for the second stage by Friday (%d).", stamp)
	noteRU := fmt.Sprintf("The Russian Federation asks that the list include the civilians detained in 2022 (%d).", stamp)
	notesShow := func(item, note string) string {
		return fmt.Sprintf(`Array.from(document.querySelectorAll("#notes h3.notes-item")).some(h => h.textContent.trim() === %s &&
			h.nextElementSibling !== null && h.nextElementSibling.innerText.includes(%s))`, jsString(item), jsString(note))
	}
	step("delegate.ru", dru, "start writing a note", func(c context.Context) error {
		return fill(c, map[string]string{"nt-body": noteRU})
	})
	step("delegate.ua", dua, "add a note", func(c context.Context) error {
		if v, err := chromedp.Run(c, chromedp.Evaluate[string](`document.getElementById("nt-item").selectedOptions[0].textContent.trim()`)); err != nil || v != item2 {
			return fmt.Errorf("the note is to go under %q (%v), not under the item under discussion", v, err)
		}
		if err := fill(c, map[string]string{"nt-body": noteUA}); err != nil {
			return err
		}
		return submit(c, `form[action$="/note"]`)
	})
	must("delegate.ua", dua, "her note under the second item", notesShow(item2, noteUA))
	markPage("delegate.ua", dua)
	seeLive("delegate.ru", dru, "that the meeting changed while writing", `document.querySelector("[data-changed-notice]").hidden === false`)
	if v, _ := chromedp.Run(dru, chromedp.Evaluate[string](`document.getElementById("nt-body").value`)); v != noteRU {
		t.Errorf("delegate.ru's note being written is %q after the page said it changed, want %q", v, noteRU)
	}
	step("delegate.ru", dru, "add the note", func(c context.Context) error { return submit(c, `form[action$="/note"]`) })
	must("delegate.ru", dru, "both notes under the second item", and(notesShow(item2, noteUA), notesShow(item2, noteRU)))
	markPage("delegate.ru", dru)
	seeLive("delegate.ua", dua, "the Russian delegate's note", notesShow(item2, noteRU))

	// The mediator closes the meeting and drafts the minutes.
	step("mediator", med, "close the meeting", func(c context.Context) error { return submit(c, `form[action$="/end"]`) })
	must("mediator", med, "the meeting ended", status("Ended"))
	seeLive("delegate.ua", dua, "the meeting ended, with who attended", and(status("Ended"), `document.querySelector('form[action$="/note"]') === null`,
		in("#present h2", "Attendance"), present("Iryna Kovalchuk"), present("Anna Belova")))
	seeLive("delegate.ru", dru, "the meeting ended", status("Ended"))
	minutes1 := fmt.Sprintf("The humanitarian working group met online.\n1. Ukraine sends its list for the second stage by Friday.\n2. The list is to include civilians detained in 2022. (%d)", stamp)
	minutes2 := strings.Replace(minutes1, "by Friday", "by Thursday", 1)
	step("mediator", med, "draft the minutes", func(c context.Context) error {
		if err := fill(c, map[string]string{"mn-text": minutes1}); err != nil {
			return err
		}
		return submit(c, `form[action$="/minutes"]`)
	})
	must("mediator", med, "the minutes, version 1, awaiting both parties", and(in("#minutes .minutes-text", "by Friday"),
		in("#minutes", "Version 1"), approval("Ukraine", "status-clarification"), approval("Russian Federation", "status-clarification")))

	// The heads read the minutes; Ukraine's approves them.
	for _, p := range []struct {
		who string
		ctx context.Context
	}{{"head.ua", hua}, {"head.ru", hru}} {
		step(p.who, p.ctx, "open the meeting", func(c context.Context) error { return chromedp.Do(c, chromedp.Navigate(base+meetingURL)) })
		must(p.who, p.ctx, "the minutes awaiting both parties, and a button to approve them", and(in("#minutes .minutes-text", "by Friday"),
			approval("Ukraine", "status-clarification"), approval("Russian Federation", "status-clarification"),
			`document.querySelector('form[action$="/approve"]') !== null`))
		markPage(p.who, p.ctx)
	}
	step("head.ua", hua, "approve the minutes", func(c context.Context) error { return submit(c, `form[action$="/approve"]`) })
	must("head.ua", hua, "Ukraine's approval, and no button to approve again", and(approval("Ukraine", "status-accepted"),
		`document.querySelector('form[action$="/approve"]') === null`))
	markPage("head.ua", hua)
	seeLive("head.ru", hru, "Ukraine's approval", and(approval("Ukraine", "status-accepted"), approval("Russian Federation", "status-clarification")))
	if eval("head.ru", hru, allApproved) {
		t.Errorf("head.ru's page says the minutes are approved by every party with one approval")
	}

	// The mediator edits the minutes: Ukraine's approval is void.
	step("mediator", med, "edit the minutes", func(c context.Context) error {
		// The form is folded: its warning is in the page, not on show.
		if !eval("mediator", c, `document.getElementById("minutes").textContent.includes("Saving a change voids every approval given so far.")`) {
			return fmt.Errorf("the form to edit approved minutes does not warn that approvals are voided")
		}
		if err := fill(c, map[string]string{"mn-text": minutes2}); err != nil {
			return err
		}
		return submit(c, `form[action$="/minutes"]`)
	})
	must("mediator", med, "the minutes, version 2, awaiting both parties", and(in("#minutes", "Version 2"), approval("Ukraine", "status-clarification")))
	seeLive("head.ru", hru, "Ukraine's approval voided by the edit", and(in("#minutes .minutes-text", "by Thursday"),
		approval("Ukraine", "status-clarification"), approval("Russian Federation", "status-clarification")))
	seeLive("head.ua", hua, "the edited minutes, to approve again", and(in("#minutes .minutes-text", "by Thursday"),
		approval("Ukraine", "status-clarification"), `document.querySelector('form[action$="/approve"]') !== null`))

	// Both heads approve the new text.
	step("head.ua", hua, "approve the edited minutes", func(c context.Context) error { return submit(c, `form[action$="/approve"]`) })
	must("head.ua", hua, "Ukraine's approval", approval("Ukraine", "status-accepted"))
	markPage("head.ua", hua)
	seeLive("head.ru", hru, "Ukraine's approval of the edited minutes", approval("Ukraine", "status-accepted"))
	step("head.ru", hru, "approve the edited minutes", func(c context.Context) error { return submit(c, `form[action$="/approve"]`) })
	must("head.ru", hru, "the minutes approved by every party", and(approval("Ukraine", "status-accepted"),
		approval("Russian Federation", "status-accepted"), allApproved))
	seeLive("head.ua", hua, "the minutes approved by every party", and(approval("Russian Federation", "status-accepted"), allApproved))
	seeLive("delegate.ua", dua, "the minutes approved by every party", and(in("#minutes .minutes-text", "by Thursday"), allApproved))

	// The list of meetings says so too.
	step("mediator", med, "open the meetings", func(c context.Context) error { return clickIn(c, ".crumbs a", "Meetings") })
	must("mediator", med, "the meeting among the past ones, its minutes approved", fmt.Sprintf(`(() => {
		const h = document.getElementById("h-past");
		const row = h && Array.from(h.parentElement.querySelectorAll("tbody tr")).find(tr => tr.innerText.includes(%s));
		return row !== undefined && row !== null && row.innerText.includes("Minutes approved by every party");
	})()`, jsString(title)))
	t.Logf("the whole meeting took %v", time.Since(began).Round(time.Millisecond))
}
