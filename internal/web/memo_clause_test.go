package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"
	"time"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/web"
)

// awkwardTexts are clause texts that escaping must get right.
var awkwardTexts = []string{
	`He said "stop" & she said 'go' + 2 > 1 < 3; <b>not bold</b> &amp; &#34;`,
	`<script>alert("x")</script><img src=x onerror=alert(1)>`,
	"\u05e9\u05dc\u05d5\u05dd \u05e2\u05d5\u05dc\u05dd \u2014 \u0645\u0631\u062d\u0628\u0627 \u0628\u0627\u0644\u0639\u0627\u0644\u0645 \u202ereversed\u202c \u200fmark\u200e",
	"[square] (round) {curly} [[double]] / [ ] ]",
	"See https://example.org/a?b=1&c=%3C2%3E#frag and http://x.test/path. Or https://e.test/\"quoted\"",
	"Line one\nline two\n\nline four, with a tab\there",
	"100% #1 50%20off ~tilde ` backtick {{.Data}} {{template \"x\"}}",
}

// TestMemoClausesWrittenAsTemplate: the memorandum page writes its
// sections and clauses in Go, and each is, byte for byte, what the
// template memo-clause writes — on every demo memorandum, read by each
// demo account in its own language, side by side and in each language
// alone, whole, as its live part and clause by clause; and on a
// memorandum of awkward texts (quotes, markup, scripts, right-to-left
// text, brackets, links, lines), with versions out of date, an empty
// version, alternatives in one language only, stances, agreement and a
// link to a thread with an awkward title.
func TestMemoClausesWrittenAsTemplate(t *testing.T) {
	ctx := context.Background()
	d := newDemoBackend(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := web.New(web.Config{Demo: true, Version: "test", PasswordParams: d.params}, d.db, d.svc, d.hub, log, d.reg, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	differences := 0
	compared := srv.CompareClauses(func(clause, byGo, byTemplate string) {
		if differences++; differences > 3 {
			return
		}
		i := 0
		for i < len(byGo) && i < len(byTemplate) && byGo[i] == byTemplate[i] {
			i++
		}
		from := max(i-120, 0)
		t.Errorf("clause %s: Go and the template part at byte %d:\nGo:       %q\ntemplate: %q", clause, i,
			byGo[from:min(i+120, len(byGo))], byTemplate[from:min(i+120, len(byTemplate))])
	})
	ts := httptest.NewServer(srv.Handler(d.reg))
	t.Cleanup(func() {
		srv.StopStreams()
		ts.Close()
	})
	site := &demoSite{url: ts.URL, db: d.db}

	actor := func(user string) parley.Actor {
		acc, _, err := d.db.AccountByUsername(ctx, user)
		if err != nil {
			t.Fatal(err)
		}
		a, err := d.db.Actor(ctx, acc.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	do := func(a parley.Actor, cmd parley.Command) []parley.Event {
		t.Helper()
		evs, err := d.svc.Do(ctx, a, cmd)
		if err != nil {
			t.Fatalf("%T: %v", cmd, err)
		}
		return evs
	}
	med, headUA, headRU := actor("mediator"), actor("head.ua"), actor("head.ru")
	spaces, err := d.db.Spaces(ctx, med, med.Members[0].ProcessID)
	if err != nil {
		t.Fatal(err)
	}
	var group string
	for _, s := range spaces {
		if s.Kind == parley.SpaceGroup && s.GroupID != "" {
			if g, err := d.db.Group(ctx, med, s.GroupID); err == nil && g.Kind == parley.GroupPolitical {
				group = s.ID
			}
		}
	}
	if group == "" {
		t.Fatal("no political group's space")
	}
	langs := []parley.Lang{parley.English, parley.Ukrainian, parley.Russian, parley.Turkish}
	memo := do(med, parley.CreateMemo{SpaceID: group, Title: `Awkward "texts" <memo>`, Mode: parley.JointDrafting, Languages: langs})[0].Data.(*parley.MemoCreated).MemoID
	sec := do(med, parley.AddClause{MemoID: memo, Kind: parley.KindSection, Texts: parley.Texts{parley.English: awkwardTexts[0], parley.Russian: awkwardTexts[2]}})[0].Data.(*parley.ClauseAdded).ClauseID
	var clauses []string
	for i, text := range awkwardTexts {
		texts := parley.Texts{parley.English: text, parley.Ukrainian: awkwardTexts[(i+1)%len(awkwardTexts)], parley.Russian: awkwardTexts[(i+2)%len(awkwardTexts)]}
		if i%2 == 0 {
			texts[parley.Turkish] = awkwardTexts[(i+3)%len(awkwardTexts)]
		}
		clauses = append(clauses, do(med, parley.AddClause{MemoID: memo, ParentID: sec, Kind: parley.KindClause, Position: i, Texts: texts})[0].Data.(*parley.ClauseAdded).ClauseID)
	}
	do(med, parley.ChangeClauseText{ClauseID: clauses[0], Lang: parley.English, Version: 1, Text: awkwardTexts[1] + " (changed)"})
	alt := do(headUA, parley.TableAlternative{ClauseID: clauses[1], Kind: parley.BracketContentious, Texts: parley.Texts{parley.Ukrainian: awkwardTexts[3]}})[0].Data.(*parley.AlternativeTabled).AlternativeID
	do(headRU, parley.TakeStance{AlternativeID: alt, Stance: parley.StanceRejects})
	do(headUA, parley.TableAlternative{ClauseID: clauses[1], Kind: parley.BracketWording, Texts: parley.Texts{parley.English: awkwardTexts[4], parley.Russian: awkwardTexts[5]}})
	do(headUA, parley.AgreeClause{ClauseID: clauses[2]})
	do(headRU, parley.AgreeClause{ClauseID: clauses[2]})
	do(headUA, parley.AgreeClause{ClauseID: clauses[3]})
	thread := do(med, parley.StartThread{SpaceID: group, Title: `<i>"Quoted" & 'single' + more</i>`, Body: "On brackets."})[0].Data.(*parley.ThreadStarted).ThreadID
	do(med, parley.LinkClause{ClauseID: clauses[4], ThreadID: thread})

	operator := site.visitor(t)
	operator.signIn("operator", demoPassword("operator"))
	process := operator.first("/processes", `href="/p/([^"/]+)"`)
	memoLink := regexp.MustCompile(`href="/memos/([^"/?#]+)"`)
	clauseID := regexp.MustCompile(`<article class="clause[^"]*" id="c-([^"]+)"`)
	pages := 0
	for _, user := range []string{"mediator", "head.ua", "delegate.ua", "political.ua", "head.ru", "delegate.ru", "military.ru", "observer"} {
		v := site.visitor(t)
		v.signIn(user, demoPassword(user))
		_, list := v.get("/p/" + process + "/memos")
		for _, m := range memoLink.FindAllStringSubmatch(list, -1) {
			paths := []string{"/memos/" + m[1], "/memos/" + m[1] + "/body"}
			for _, l := range langs {
				paths = append(paths, "/memos/"+m[1]+"?view="+string(l))
			}
			for _, path := range paths {
				status, body := v.get(path)
				if status != http.StatusOK {
					t.Fatalf("%s: GET %s: %d", user, path, status)
				}
				pages++
				for _, c := range clauseID.FindAllStringSubmatch(body, 2) {
					v.get("/memos/" + m[1] + "/clause/" + c[1])
					v.get("/memos/" + m[1] + "?open=" + c[1] + ".edit.en")
				}
			}
		}
	}
	if pages < 100 || compared() < 1000 {
		t.Errorf("%d pages, %d clauses compared: the demo's memoranda were not all read", pages, compared())
	}
	if differences > 0 {
		t.Errorf("%d of %d clauses differ", differences, compared())
	}
	t.Logf("%d pages, %d clauses compared", pages, compared())
}
