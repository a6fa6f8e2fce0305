package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/parley-talks/parley/internal/auth"
)

// TestScreenshots starts the real program with the demo and saves a
// screenshot of every main screen, in each interface language, at desktop
// and at phone width, into the directory named by PARLEY_SCREENSHOTS: one
// folder per language. It is how a person reviews the interface; it runs
// only when asked.
func TestScreenshots(t *testing.T) {
	dir := os.Getenv("PARLEY_SCREENSHOTS")
	if dir == "" {
		t.Skip("set PARLEY_SCREENSHOTS=<dir> to save screenshots of every screen")
	}
	needChromium(t)
	base := startDemoServer(t, buildParleyBinary(t))
	browser := newBrowser(t, 1280, 900)
	s := &shooter{t: t, browser: browser, base: base, dir: dir, urls: map[string]string{}, tabs: map[string]context.Context{}}

	s.prepare()
	for _, lang := range []string{"en", "uk", "ru", "tr"} {
		s.lang = lang
		if os.Getenv("PARLEY_SCREENSHOTS_ONLY") == "lists" {
			s.shootLists()
			continue
		}
		s.shootAll()
		s.shootLists()
	}
}

// shooter walks the interface and saves what it sees. Each person has a
// tab of their own, in a browser context of its own, and signs in once:
// the server limits sign-ins from one address to 20 a minute.
type shooter struct {
	t         *testing.T
	browser   context.Context
	ctx       context.Context // the tab in use
	tabs      map[string]context.Context
	base, dir string
	lang      string
	urls      map[string]string // pages found by following links, by name
	listFile  string            // a list file with bad rows, to import
}

// as switches to the tab of user ("" for a visitor who is not signed in),
// opening it and signing in the first time.
func (s *shooter) as(user string) {
	s.t.Helper()
	if ctx, ok := s.tabs[user]; ok {
		s.ctx = ctx
		return
	}
	ctx, cancel := chromedp.NewContext(s.browser, chromedp.WithNewBrowserContext())
	s.t.Cleanup(cancel)
	// The first action on a tab opens it, and binds it to the context it
	// is given: that must be the tab's own, not one with a deadline.
	if err := chromedp.Do(ctx); err != nil {
		s.t.Fatalf("open a tab for %q: %v", user, err)
	}
	s.tabs[user], s.ctx = ctx, ctx
	switch user {
	case "":
	case guestUser:
		s.signIn(guestUser, guestPassword)
	default:
		s.signIn(user, "demo-"+strings.ReplaceAll(user, ".", "-")+"-2025")
	}
}

const (
	guestUser     = "guest.reviewer"
	guestPassword = "guest-reviewer-2025"
)

func (s *shooter) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(s.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		s.t.Fatalf("%s (%s): %v", what, s.lang, err)
	}
}

// submit sends the form matched by css and waits for the page that
// answers it.
func (s *shooter) submit(form string) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(s.ctx, 20*time.Second)
	defer cancel()
	if err := submit(ctx, form); err != nil {
		s.t.Fatalf("%s: %v", s.lang, err)
	}
}

// fill sets form fields by id.
func (s *shooter) fill(fields map[string]string) {
	s.t.Helper()
	if err := fill(s.ctx, fields); err != nil {
		s.t.Fatalf("fill %v (%s): %v", fields, s.lang, err)
	}
}

func (s *shooter) open(path string) {
	s.t.Helper()
	s.do("open "+path, chromedp.Navigate(s.base+path))
}

// href returns the path a link on the current page points to.
func (s *shooter) href(css string) string {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(s.ctx, 10*time.Second)
	defer cancel()
	h, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`(document.querySelector(%q) || {}).getAttribute ? document.querySelector(%q).getAttribute("href") : ""`, css, css)))
	if err != nil || h == "" {
		s.t.Fatalf("no link %s on the page: %v", css, err)
	}
	return h
}

// linkByText returns the path of the first link in main whose text
// contains text.
func (s *shooter) linkByText(text string) string {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(s.ctx, 10*time.Second)
	defer cancel()
	h, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(
		`(Array.from(document.querySelectorAll("main a")).find(a => a.textContent.includes(%q)) || {getAttribute: () => ""}).getAttribute("href")`, text)))
	if err != nil || h == "" {
		s.t.Fatalf("no link %q on the page: %v", text, err)
	}
	return h
}

// shot saves the whole page as <dir>/<lang>/<name>.png.
func (s *shooter) shot(name string) {
	s.t.Helper()
	s.save(name, chromedp.FullScreenshot(100))
}

// shotView saves what the window shows of a long page.
func (s *shooter) shotView(name string) {
	s.t.Helper()
	s.save(name, chromedp.CaptureScreenshot())
}

func (s *shooter) save(name string, capture chromedp.Action[[]byte]) {
	s.t.Helper()
	s.t.Logf("%s/%s", s.lang, name)
	ctx, cancel := context.WithTimeout(s.ctx, 20*time.Second)
	defer cancel()
	buf, err := chromedp.Run(ctx, capture)
	if err != nil {
		s.t.Fatalf("screenshot %s (%s): %v", name, s.lang, err)
	}
	out := filepath.Join(s.dir, s.lang, name+".png")
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		s.t.Fatal(err)
	}
	if err := os.WriteFile(out, buf, 0o644); err != nil {
		s.t.Fatal(err)
	}
	// A page that failed to render says so in its body, not with a status
	// the browser would show.
	body, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
	if err != nil {
		s.t.Fatal(err)
	}
	if strings.Contains(body, "Internal error") {
		s.t.Errorf("%s (%s) shows an internal error", name, s.lang)
	}
}

// mapsReady waits until every map of the page is drawn, its base map too,
// or has failed.
func (s *shooter) mapsReady() {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(s.ctx, 15*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`Array.from(document.querySelectorAll(".map[data-map]")).every(m =>
		m.dataset.mapState === "failed" || (m.dataset.mapState === "ready" && m.querySelectorAll(".leaflet-base-pane path").length > 5))`,
		chromedp.WithPollingTimeout(10*time.Second), chromedp.WithPollingInterval(100*time.Millisecond))); err != nil {
		s.t.Fatalf("the maps of the page are not drawn (%s): %v", s.lang, err)
	}
}

func (s *shooter) signIn(user, password string) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(s.ctx, 20*time.Second)
	defer cancel()
	if err := signInWith(ctx, s.base, user, password); err != nil {
		s.t.Fatalf("sign in as %s (%s): %v", user, s.lang, err)
	}
}

// setLanguage chooses the interface language with the selector in the
// page's header.
func (s *shooter) setLanguage() {
	s.t.Helper()
	s.fill(map[string]string{"lang-select": s.lang})
	s.submit(`form.lang-form`)
}

// prepare makes, once, what some screens need: an account with a second
// factor, an edited message, and the addresses of the pages reached by
// following links.
func (s *shooter) prepare() {
	t := s.t
	s.lang = "en"
	s.as("operator")
	s.open("/admin")
	s.do("unfold the forms", openDetails)
	s.fill(map[string]string{"na-user": guestUser, "na-name": "Guest Reviewer", "na-pw": guestPassword})
	s.submit(`form[action="/admin/accounts"]`)
	s.open("/processes")
	s.urls["overview"] = s.linkByText("Istanbul talks")

	// The guest enrols a second factor, so that signing in asks for it.
	s.as(guestUser)
	s.open("/account/second-factor")
	secret, err := chromedp.Run(s.ctx, chromedp.Evaluate[string](`document.querySelector("code.secret").textContent`))
	if err != nil {
		t.Fatal(err)
	}
	code, err := auth.TOTPCode(strings.TrimSpace(secret), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	s.fill(map[string]string{"code": code})
	s.submit(`form[action="/account/second-factor"]`)

	// The head of the Ukrainian delegation edits a message of his, so
	// that it has a history.
	s.as("head.ua")
	s.open(s.urls["overview"])
	s.urls["heads"] = s.href("nav a.kind-heads")
	s.urls["caucus"] = s.href("nav a.kind-party")
	s.urls["public"] = s.href("nav a.kind-public")
	s.open(s.urls["heads"])
	s.urls["heads-thread"] = s.linkByText("Before the plenary")
	s.open(s.urls["heads-thread"])
	s.urls["edit"] = s.href(`.message.mine a[href$="/edit"]`)
	s.open(s.urls["edit"])
	s.fill(map[string]string{"e-body": "We propose to meet one hour before the plenary, in the small hall, without advisers."})
	s.submit(`form[action$="/edit"]`)
	s.urls["history"] = strings.TrimSuffix(s.urls["edit"], "/edit") + "/history"
	s.urls["proposals"] = s.urls["overview"] + "/proposals"
	s.open(s.urls["proposals"])
	s.urls["proposal"] = s.href(`main a[href^="/proposals/"]`)
	s.urls["meetings"] = s.urls["overview"] + "/meetings"
	s.open(s.urls["meetings"])
	s.urls["meeting-live"] = s.linkByText("Political group, online session 3")
	s.urls["meeting-minutes"] = s.linkByText("Humanitarian group, online session 2")
	s.urls["truces"] = s.urls["overview"] + "/truces"
	s.open(s.urls["truces"])
	s.urls["truce"] = s.href(`section[aria-labelledby="h-active"] a[href^="/truces/"]`)

	s.as("mediator")
	s.open(s.urls["overview"])
	s.urls["group"] = s.href(`main .cards li:last-child a[href^="/g/"]`)
	s.urls["members"] = s.href(`nav a[href$="/members"]`)
	s.urls["settings"] = strings.TrimSuffix(s.urls["members"], "/members") + "/settings"
	s.open(s.urls["group"])
	s.urls["group-space"] = s.href(`main a.button[href^="/s/"]`)
	s.open(s.urls["group-space"])
	s.urls["thread"] = s.linkByText("Exchange: lists for the next stage")
	s.urls["statements"] = s.urls["overview"] + "/statements"
	s.open(s.urls["statements"])
	s.urls["statement"] = s.href(`table.statements tr:has(.status-statement-draft) a[href^="/statements/"]`)
	s.urls["access-log"] = s.urls["overview"] + "/access-log"

	// The exchange of 1,200 for 1,200, its lists and their pairs.
	s.as("delegate.ua")
	s.open(s.urls["group"])
	s.urls["exchange"] = s.href(`main a[href^="/exchanges/"]`)
	s.open(s.urls["exchange"])
	s.urls["list"] = s.href(`#lists table.lists tbody tr:nth-child(2) td:nth-child(3) a`)
	s.urls["pairs"] = s.href(`#reconciliation table.tallies tbody tr:first-child a[href*="/pairs/"]`)
	s.listFile = filepath.Join(t.TempDir(), "ua-held-march.csv")
	if err := os.WriteFile(s.listFile, []byte("ref,family_name,given_name,patronymic,birth_date,rank,unit,remarks\n"+
		"UA-H-9001,Вишняков,Геннадий,Борисович,1987-11-23,рядовой,в/ч 12345,\n"+
		"UA-H-9002,Лаптев,Семён,Ильич,1979-02-30,сержант,в/ч 12345,\n"+
		"UA-H-9003,Прохоренко,,,1991,рядовой,,wounded\n"+
		"UA-H-9004,Сидорин,Олег,Петрович,1990-05-17,рядовой,в/ч 54321,\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

// shootLists saves the screens of the lists of an exchange in s.lang.
func (s *shooter) shootLists() {
	s.as("delegate.ua")
	s.setLanguage()
	s.open(s.urls["exchange"] + "#lists")
	s.do("unfold the import form", chromedp.Evaluate[chromedp.Void](`document.getElementById("import-file").closest("details").open = true`))
	s.do("scroll to the lists", chromedp.Evaluate[chromedp.Void](`document.getElementById("lists").scrollIntoView()`))
	s.shotView("exchange-lists")
	s.do("pick a file", chromedp.SetUploadFiles(chromedp.CSS("#import-file"), []string{s.listFile}),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("import-list").value = "held"; document.querySelector("form[data-upload-progress] button[type=submit]").click()`))
	if _, err := chromedp.Run(s.ctx, chromedp.Poll[bool](`!!document.querySelector("#report") && document.readyState === "complete"`, chromedp.WithPollingTimeout(15*time.Second))); err != nil {
		s.t.Fatalf("the report of the list file (%s): %v", s.lang, err)
	}
	s.shot("exchange-import-report")
	s.open(s.urls["list"])
	s.shotView("exchange-list")
	s.open(s.urls["pairs"])
	s.shotView("exchange-pairs")
	s.open(s.urls["pairs"] + "?kind=possible")
	s.shot("exchange-pairs-possible")
	s.as("head.ua")
	s.setLanguage()
	s.open(s.urls["access-log"])
	s.shotView("access-log")
}

// shootAll saves every screen in s.lang.
func (s *shooter) shootAll() {
	// Signed out: the language is chosen on the login page.
	s.as("")
	s.open("/login")
	s.setLanguage()
	s.shot("login")
	s.fill(map[string]string{"username": "nobody", "password": "not the password"})
	s.submit(`form[action="/login"]`)
	s.shot("login-failed")

	// The guest's password is right; the second factor is asked for.
	s.signIn(guestUser, guestPassword)
	s.shot("second-factor")
	s.fill(map[string]string{"code": "000000"})
	s.submit(`form[action="/login/second-factor"]`)
	s.shot("second-factor-failed")

	s.as("operator")
	s.setLanguage()
	s.open("/processes")
	s.shot("processes")
	s.open("/admin")
	s.shot("admin")
	s.do("unfold the forms", openDetails)
	s.fill(map[string]string{"na-user": "A", "na-name": "Someone", "na-pw": "long-enough-2025", "na-tz": "Mars/Olympus"})
	s.submit(`form[action="/admin/accounts"]`)
	s.shot("admin-field-errors")
	s.open(s.urls["settings"])
	s.shot("settings")
	s.open(s.urls["overview"])
	s.shot("overview-operator")
	s.open("/p/no-such-process")
	s.shot("not-found")

	s.as("mediator")
	s.setLanguage()
	s.open(s.urls["overview"])
	s.shot("overview-mediator")
	s.do("unfold the forms", openDetails)
	s.fill(map[string]string{"r-title": "Fourth round", "r-starts": "2025-09-10", "r-ends": "2025-09-01"})
	s.submit(`form[action$="/rounds"]`)
	s.shot("overview-round-errors")
	s.open(s.urls["members"])
	s.shot("members")
	s.open(s.urls["group"])
	s.shot("group")
	s.open(s.urls["group-space"])
	s.shot("space-group")
	s.open(s.urls["thread"])
	s.shot("thread")
	s.open(s.urls["public"])
	s.shot("space-public")
	s.open(s.urls["meetings"])
	s.shot("meetings")
	s.fill(map[string]string{"mt-title": "Military group, online session 2", "mt-start": "2025-09-10T10:00",
		"mt-tz": "Mars/Olympus", "mt-call": "http://call.example.org/military-2"})
	s.submit(`form[action$="/meetings"]`)
	s.shot("meetings-field-errors")
	s.open(s.urls["statements"])
	s.shot("statements")
	s.open(s.urls["statement"])
	s.do("unfold the forms", openDetails)
	s.shot("statement")
	s.do("phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	s.open(s.urls["overview"])
	s.shot("phone-overview")
	s.open(s.urls["members"])
	s.shot("phone-members")
	s.open(s.urls["meetings"])
	s.shot("phone-meetings")
	s.open(s.urls["thread"])
	s.shot("phone-thread")
	s.do("desktop", chromedp.EmulateViewport(1280, 900))

	s.as("head.ua")
	s.setLanguage()
	s.open(s.urls["overview"])
	s.shot("overview-head")
	s.open(s.urls["caucus"])
	s.shot("space-caucus")
	s.open(s.urls["heads"])
	s.shot("space-heads")
	s.open(s.urls["heads-thread"])
	s.shot("thread-heads")
	s.open(s.urls["edit"])
	s.shot("message-edit")
	s.open(s.urls["history"])
	s.shot("message-history")
	s.open(s.urls["proposals"])
	s.shot("proposals")
	s.open(s.urls["proposal"])
	s.shot("proposal")
	s.open("/awaiting")
	s.shot("awaiting")
	s.open(s.urls["group"] + "/propose")
	s.mapsReady()
	s.shot("proposal-form")
	s.open(s.urls["truces"])
	s.shot("truces")
	s.open(s.urls["truce"])
	s.mapsReady()
	s.shot("truce")
	s.open(s.urls["meeting-live"])
	s.shot("meeting-live")
	s.open(s.urls["meeting-minutes"])
	s.shot("meeting-minutes")
	s.open("/account")
	s.fill(map[string]string{"tk-name": "Records office " + s.lang})
	s.submit(`form[action="/account/tokens"]`)
	s.shot("account-token")
	s.fill(map[string]string{"pw-cur": "not my password", "pw-new": "short", "pw-rep": "different"})
	s.submit(`form[action="/account/password"]`)
	s.shot("account-field-errors")
	s.open("/account/second-factor")
	s.shot("enrol")
	s.do("phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	s.open("/account")
	s.shot("phone-account")
	s.open(s.urls["caucus"])
	s.shot("phone-space")
	s.open(s.urls["meeting-live"])
	s.shot("phone-meeting")
	s.open(s.urls["truce"])
	s.mapsReady()
	s.shot("phone-truce")
	s.do("desktop", chromedp.EmulateViewport(1280, 900))

	// The public pages, as anyone sees them: the language is in the link.
	s.as("")
	public := strings.Replace(s.urls["overview"], "/p/", "/public/", 1) + "?lang=" + s.lang
	s.open("/public?lang=" + s.lang)
	s.shot("public")
	s.open(public)
	s.shot("public-process")
	s.do("phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	s.open(public)
	s.shot("phone-public-process")
	s.do("desktop", chromedp.EmulateViewport(1280, 900))
}

// openDetails unfolds every folded form of the page.
var openDetails = chromedp.Evaluate[chromedp.Void](`document.querySelectorAll("details").forEach(d => d.open = true)`)
