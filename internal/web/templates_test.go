package web_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/auth"
	"github.com/parley-talks/parley/internal/demo"
	"github.com/parley-talks/parley/internal/live"
	"github.com/parley-talks/parley/internal/service"
	"github.com/parley-talks/parley/internal/store"
	"github.com/parley-talks/parley/internal/storetest"
	"github.com/parley-talks/parley/internal/web"
	"github.com/prometheus/client_golang/prometheus"
)

// demoSite is the web application on the demo negotiation, as `parley demo`
// serves it, on a fresh SQLite database.
type demoSite struct {
	url string
	db  *store.DB
}

// demoBackend is the demo negotiation installed on a fresh SQLite
// database, with the service and hub a server needs.
type demoBackend struct {
	db     *store.DB
	svc    *service.Service
	hub    *live.Hub
	reg    *prometheus.Registry
	params auth.Params
}

func newDemoBackend(tb testing.TB) demoBackend {
	tb.Helper()
	d := demoBackend{params: auth.Params{Memory: 1024, Time: 1, Threads: 1}, hub: live.NewHub(16, nil), reg: prometheus.NewRegistry()}
	d.db = storetest.OpenSQLite(tb)
	writer := store.NewWriter(d.db, d.hub.Publish)
	tb.Cleanup(writer.Close)
	d.svc = service.New(d.db, writer, time.Now, d.reg)
	sc, err := demo.Load()
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := sc.Install(context.Background(), d.db, d.svc, d.params); err != nil {
		tb.Fatal(err)
	}
	return d
}

func newDemoSite(t *testing.T) *demoSite {
	t.Helper()
	d := newDemoBackend(t)
	db, svc, hub, reg, params := d.db, d.svc, d.hub, d.reg, d.params
	// Errors go to the test's log, so that a page that fails says why.
	log := slog.New(slog.NewTextHandler(testLog{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv, err := web.New(web.Config{Demo: true, Version: "test", PasswordParams: params}, db, svc, hub, log, reg, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler(reg))
	t.Cleanup(func() {
		srv.StopStreams()
		ts.Close()
	})
	return &demoSite{url: ts.URL, db: db}
}

type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// visitor is a cookie-keeping client of the site that does not follow
// redirects.
type visitor struct {
	t    *testing.T
	site *demoSite
	c    *http.Client
}

func (s *demoSite) visitor(t *testing.T) *visitor {
	jar, _ := cookiejar.New(nil)
	return &visitor{t: t, site: s, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (v *visitor) get(path string) (int, string) {
	v.t.Helper()
	resp, err := v.c.Get(v.site.url + path)
	if err != nil {
		v.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (v *visitor) post(path string, form url.Values) (int, string) {
	v.t.Helper()
	resp, err := v.c.PostForm(v.site.url+path, form)
	if err != nil {
		v.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location") + string(b)
}

func (v *visitor) signIn(user, password string) {
	v.t.Helper()
	status, loc := v.post("/login", url.Values{"username": {user}, "password": {password}, "next": {"/"}})
	if status != http.StatusSeeOther || strings.Contains(loc, "/login") {
		v.t.Fatalf("sign in as %s: %d %s", user, status, loc)
	}
}

func demoPassword(user string) string { return "demo-" + strings.ReplaceAll(user, ".", "-") + "-2025" }

// first returns the first match of re's group in the page at path.
func (v *visitor) first(path string, re string) string {
	v.t.Helper()
	_, body := v.get(path)
	m := regexp.MustCompile(re).FindStringSubmatch(body)
	if m == nil {
		v.t.Fatalf("no %s in %s", re, path)
	}
	return m[1]
}

// TestEveryTemplateRenders renders every page of the web application, in
// every language, from the demo negotiation, and checks that each page is
// whole: no template error, no message ID shown instead of its text, no
// value missing from a message.
func TestEveryTemplateRenders(t *testing.T) {
	site := newDemoSite(t)
	ctx := context.Background()

	operator := site.visitor(t)
	operator.signIn("operator", demoPassword("operator"))
	head := site.visitor(t)
	head.signIn("head.ua", demoPassword("head.ua"))
	mediator := site.visitor(t)
	mediator.signIn("mediator", demoPassword("mediator"))
	anonymous := site.visitor(t)

	// An account with a second factor, for the page that asks for it.
	if status, body := operator.post("/admin/accounts", url.Values{"username": {"second.factor"}, "display_name": {"Second Factor"},
		"password": {"second-factor-2025"}, "locale": {"en"}, "timezone": {"UTC"}}); status != http.StatusSeeOther {
		t.Fatalf("create an account: %d %s", status, body)
	}
	acc, _, err := site.db.AccountByUsername(ctx, "second.factor")
	if err != nil {
		t.Fatal(err)
	}
	secret, _, _, err := auth.NewTOTP("Parley", acc.Username)
	if err != nil {
		t.Fatal(err)
	}
	if err := site.db.SetTOTP(ctx, acc.ID, secret, true); err != nil {
		t.Fatal(err)
	}
	pending := site.visitor(t)
	if status, loc := pending.post("/login", url.Values{"username": {"second.factor"}, "password": {"second-factor-2025"}}); !strings.HasPrefix(loc, "/login/second-factor") {
		t.Fatalf("sign in with a second factor: %d %s", status, loc)
	}

	// Find the pages' addresses by following links, as a reader would.
	process := operator.first("/processes", `href="/p/([^"/]+)"`)
	group := mediator.first("/p/"+process, `href="/g/([^"/]+)"`)
	space := mediator.first("/g/"+group, `href="/s/([^"/]+)"`)
	thread := mediator.first("/s/"+space, `href="/t/([^"/]+)"`)
	message := mediator.first("/t/"+thread, `href="/m/([^"/]+)/edit"`)
	if status, body := mediator.post("/m/"+message+"/edit", url.Values{"body": {"Both sides agreed: 1,200 for 1,200, in stages."}, "version": {"1"}}); status != http.StatusSeeOther {
		t.Fatalf("edit a message: %d %s", status, body)
	}
	proposal := head.first("/p/"+process+"/proposals", `href="/proposals/([^"/]+)"`)
	seq := head.first("/proposals/"+proposal, `href="/record/(\d+)"`)
	groupSpace := mediator.first("/p/"+process+"/memos", `name="space"><option value="([^"]+)"`)
	status, loc := mediator.post("/p/"+process+"/memos", url.Values{"title": {"Memorandum on the exchange"}, "space": {groupSpace}, "mode": {"joint"}, "languages": {"en", "uk"}})
	if status != http.StatusSeeOther {
		t.Fatalf("open a memorandum: %d %s", status, loc)
	}
	memo := strings.TrimPrefix(loc[:strings.IndexAny(loc+"<", "<")], "/memos/")
	if status, body := mediator.post("/memos/"+memo+"/add", url.Values{"kind": {"clause"}, "place": {":0"}, "text_en": {"The parties exchange all detainees."}, "text_uk": {"Сторони обмінюються всіма затриманими."}}); status != http.StatusSeeOther {
		t.Fatalf("add a clause: %d %s", status, body)
	}
	clause := mediator.first("/memos/"+memo, `<article class="clause[^"]*" id="c-([^"]+)"`)
	if status, body := mediator.post("/memos/"+memo+"/table", url.Values{"clause": {clause}, "kind": {"contentious"}, "text_en": {"The parties exchange detainees in stages."}}); status != http.StatusSeeOther {
		t.Fatalf("table an alternative: %d %s", status, body)
	}
	if status, body := mediator.post("/memos/"+memo+"/versions", url.Values{"name": {" "}}); status != http.StatusBadRequest || !strings.Contains(body, `id="v-name"`) {
		t.Fatalf("name a version without a name: %d %.300s", status, body)
	}
	if status, body := mediator.post("/memos/"+memo+"/versions", url.Values{"name": {"Draft of 2 June"}}); status != http.StatusSeeOther {
		t.Fatalf("name a version: %d %s", status, body)
	}
	jointMemo := head.first("/p/"+process+"/memos", `href="/memos/([^"/]+)">Memorandum on a ceasefire and humanitarian questions<`)
	uaDraft := head.first("/p/"+process+"/memos", `href="/memos/([^"/]+)">[^<]*Ukraine`)

	// A meeting of the group, opened, with a note and minutes.
	status, loc = mediator.post("/p/"+process+"/meetings", url.Values{"space": {groupSpace}, "title": {"Exchange, session 4"},
		"start": {"2026-06-02T10:00"}, "time_zone": {"Europe/Istanbul"}, "duration": {"40"}, "call_url": {"https://call.example.org/x"}, "agenda": {"Lists\nStages"}})
	if status != http.StatusSeeOther {
		t.Fatalf("convene a meeting: %d %s", status, loc)
	}
	meeting := strings.TrimPrefix(loc[:strings.IndexAny(loc+"<", "<")], "/meetings/")
	for _, step := range []struct {
		act  string
		form url.Values
	}{{"start", nil}, {"join", nil}, {"note", url.Values{"body": {"Lists compared."}}}, {"minutes", url.Values{"text": {"The group compared the lists."}, "version": {"0"}}}} {
		if status, body := mediator.post("/meetings/"+meeting+"/"+step.act, step.form); status != http.StatusSeeOther {
			t.Fatalf("meeting %s: %d %s", step.act, status, body)
		}
	}

	truce := head.first("/p/"+process+"/truces", `href="/truces/([^"/]+)"`)
	var exchange, exchangeGroup, exchangeParties string
	if err := site.db.SQL().QueryRowContext(ctx, `SELECT id, group_id, parties FROM exchanges`).Scan(&exchange, &exchangeGroup, &exchangeParties); err != nil {
		t.Fatal(err)
	}
	sideA, _, _ := strings.Cut(exchangeParties, ",")
	statement := head.first("/p/"+process+"/statements", `href="/statements/([^"/]+)"`)

	pages := []struct {
		who      *visitor
		name     string
		path     string
		template string
		status   int
	}{
		{anonymous, "anonymous", "/login", "login.html", http.StatusOK},
		{pending, "second.factor", "/login/second-factor", "second-factor.html", http.StatusOK},
		{operator, "operator", "/processes", "processes.html", http.StatusOK},
		{operator, "operator", "/admin", "admin.html", http.StatusOK},
		{operator, "operator", "/p/" + process + "/settings", "settings.html", http.StatusOK},
		{operator, "operator", "/p/no-such-process", "error.html", http.StatusNotFound},
		{mediator, "mediator", "/p/" + process, "overview.html", http.StatusOK},
		{mediator, "mediator", "/p/" + process + "/members", "members.html", http.StatusOK},
		{mediator, "mediator", "/g/" + group, "group.html", http.StatusOK},
		{mediator, "mediator", "/s/" + space, "space.html", http.StatusOK},
		{mediator, "mediator", "/t/" + thread, "thread.html", http.StatusOK},
		{mediator, "mediator", "/m/" + message + "/edit", "message-edit.html", http.StatusOK},
		{mediator, "mediator", "/m/" + message + "/history", "message-history.html", http.StatusOK},
		{head, "head.ua", "/p/" + process, "overview.html", http.StatusOK},
		{head, "head.ua", "/account", "account.html", http.StatusOK},
		{head, "head.ua", "/account/second-factor", "enrol.html", http.StatusOK},
		{head, "head.ua", "/account/passkeys", "passkeys.html", http.StatusOK},
		{head, "head.ua", "/p/" + process + "/proposals", "proposals.html", http.StatusOK},
		{head, "head.ua", "/proposals/" + proposal, "proposal.html", http.StatusOK},
		{head, "head.ua", "/proposals/" + proposal + "/history", "proposal-history.html", http.StatusOK},
		{head, "head.ua", "/g/" + group + "/propose", "proposal-form.html", http.StatusOK},
		{head, "head.ua", "/awaiting", "awaiting.html", http.StatusOK},
		{head, "head.ua", "/record/" + seq, "record.html", http.StatusOK},
		{mediator, "mediator", "/p/" + process + "/memos", "memos.html", http.StatusOK},
		{mediator, "mediator", "/memos/" + memo, "memo.html", http.StatusOK},
		{mediator, "mediator", "/memos/" + memo + "?view=uk", "memo.html", http.StatusOK},
		{mediator, "mediator", "/memos/" + memo + "?view=uk&open=" + clause + ".edit.uk", "memo.html", http.StatusOK},
		{mediator, "mediator", "/memos/" + memo + "?open=" + clause + ".table", "memo.html", http.StatusOK},
		{mediator, "mediator", "/memos/" + memo + "?open=" + clause + ".link", "memo.html", http.StatusOK},
		{head, "head.ua", "/memos/" + memo, "memo.html", http.StatusOK},
		{mediator, "mediator", "/memos/" + memo + "/print?lang=all", "memo-print.html", http.StatusOK},
		{mediator, "mediator", "/memos/" + memo + "/versions", "memo-versions.html", http.StatusOK},
		{mediator, "mediator", "/memos/" + memo + "/compare?from=current&to=current&all=1", "memo-compare.html", http.StatusOK},
		{head, "head.ua", "/memos/" + jointMemo + "/versions", "memo-versions.html", http.StatusOK},
		{head, "head.ua", "/memos/" + jointMemo + "/compare", "memo-compare.html", http.StatusOK},
		{head, "head.ua", "/memos/compare?left=" + uaDraft + "&right=" + jointMemo, "memo-compare.html", http.StatusOK},
		{head, "head.ua", "/memos/compare?left=" + uaDraft, "error.html", http.StatusBadRequest},
		{head, "head.ua", "/p/" + process + "/statements", "statements.html", http.StatusOK},
		{head, "head.ua", "/statements/" + statement, "statement.html", http.StatusOK},
		{mediator, "mediator", "/statements/" + statement, "statement.html", http.StatusOK},
		{head, "head.ua", "/p/" + process + "/truces", "truces.html", http.StatusOK},
		{head, "head.ua", "/truces/" + truce, "truce.html", http.StatusOK},
		{mediator, "mediator", "/truces/" + truce, "truce.html", http.StatusOK},
		{mediator, "mediator", "/g/" + exchangeGroup + "/exchanges", "exchanges.html", http.StatusOK},
		{mediator, "mediator", "/g/" + group + "/exchanges", "exchanges.html", http.StatusOK},
		{mediator, "mediator", "/g/" + exchangeGroup + "/notifications", "notifications.html", http.StatusOK},
		{head, "head.ua", "/g/" + exchangeGroup + "/notifications", "notifications.html", http.StatusOK},
		{mediator, "mediator", "/g/" + group + "/notifications", "notifications.html", http.StatusOK},
		{mediator, "mediator", "/exchanges/" + exchange, "exchange.html", http.StatusOK},
		{head, "head.ua", "/exchanges/" + exchange, "exchange.html", http.StatusOK},
		{head, "head.ua", "/exchanges/" + exchange + "/lists/" + sideA + "/asked", "exchange-list.html", http.StatusOK},
		{head, "head.ua", "/exchanges/" + exchange + "/pairs/" + sideA, "exchange-pairs.html", http.StatusOK},
		{head, "head.ua", "/exchanges/" + exchange + "/people/" + sideA, "exchange-people.html", http.StatusOK},
		{head, "head.ua", "/p/" + process + "/access-log", "access-log.html", http.StatusOK},
		{head, "head.ua", "/g/" + exchangeGroup + "/remains", "remains.html", http.StatusOK},
		{mediator, "mediator", "/g/" + exchangeGroup + "/remains", "remains.html", http.StatusOK},
		{mediator, "mediator", "/g/" + group + "/remains", "remains.html", http.StatusOK},
		{mediator, "mediator", "/p/" + process + "/meetings", "meetings.html", http.StatusOK},
		{mediator, "mediator", "/meetings/" + meeting, "meeting.html", http.StatusOK},
		{head, "head.ua", "/meetings/" + meeting, "meeting.html", http.StatusOK},
		// The public pages choose their language by ?lang=, never a cookie.
		{anonymous, "anonymous", "/public?lang={lang}", "public.html", http.StatusOK},
		{anonymous, "anonymous", "/public/" + process + "?lang={lang}", "public-process.html", http.StatusOK},
		{anonymous, "anonymous", "/public/no-such-process?lang={lang}", "public.html", http.StatusNotFound},
	}

	// Every template is in the table.
	covered := map[string]bool{}
	for _, p := range pages {
		covered[p.template] = true
	}
	entries, err := os.ReadDir("templates")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".html") && e.Name() != "layout.html" && !covered[e.Name()] {
			t.Errorf("no page in this test renders templates/%s: add one", e.Name())
		}
	}

	spaces := messageSpaces(t)
	for _, lang := range parley.Langs {
		for _, v := range []*visitor{anonymous, pending, operator, mediator, head} {
			if status, body := v.post("/language", url.Values{"lang": {string(lang)}, "next": {"/"}}); status != http.StatusSeeOther {
				t.Fatalf("choose %s: %d %s", lang, status, body)
			}
		}
		for _, p := range pages {
			status, body := p.who.get(strings.ReplaceAll(p.path, "{lang}", string(lang)))
			where := string(lang) + " " + p.name + " " + p.path
			if status != p.status {
				t.Errorf("%s: status %d, want %d", where, status, p.status)
			}
			if !strings.Contains(body, `<html lang="`+string(lang)+`">`) {
				t.Errorf("%s: not a whole page in %s:\n%.300s", where, lang, body)
				continue
			}
			for _, bad := range []string{"<no value>", "%!", "Internal error"} {
				if strings.Contains(body, bad) {
					t.Errorf("%s: shows %q", where, bad)
				}
			}
			for _, m := range rawIDRE.FindAllStringSubmatch(codeRE.ReplaceAllString(body, ""), -1) {
				id := m[1] + m[2]
				if spaces[strings.SplitN(id, ".", 2)[0]] {
					t.Errorf("%s: shows the message ID %q instead of its text", where, id)
				}
			}
		}
	}
}

// rawIDRE finds what looks like a message ID in a text node or as a whole
// attribute value.
var rawIDRE = regexp.MustCompile(`>\s*([a-z_]+(?:\.[a-z_0-9]+)+)\s*<|="([a-z_]+(?:\.[a-z_0-9]+)+)"`)

// codeRE finds code shown as such, e.g. a record entry's type, which may
// look like a message ID.
var codeRE = regexp.MustCompile(`(?s)<code[^>]*>.*?</code>`)

// messageSpaces returns the first parts of the interface's message IDs:
// account, login, nav…
func messageSpaces(t *testing.T) map[string]bool {
	t.Helper()
	b, err := os.ReadFile("locales/en.json")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for k := range m {
		if !strings.HasPrefix(k, "text:") {
			out[strings.SplitN(k, ".", 2)[0]] = true
		}
	}
	return out
}
