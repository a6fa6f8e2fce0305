package web_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/web"
)

// bigMemoSite is the demo site with a memorandum of 500 clauses in 50
// sections, each clause in three languages, one in ten bracketed with an
// alternative, a named version of it, and one clause in ten changed since.
type bigMemoSite struct {
	url, memo string
	client    *http.Client
}

func newBigMemoSite(b *testing.B) *bigMemoSite {
	b.Helper()
	ctx := context.Background()
	d := newDemoBackend(b)
	db, svc, hub, reg, params := d.db, d.svc, d.hub, d.reg, d.params
	acc, _, err := db.AccountByUsername(ctx, "mediator")
	if err != nil {
		b.Fatal(err)
	}
	med, err := db.Actor(ctx, acc.ID, "")
	if err != nil {
		b.Fatal(err)
	}
	do := func(cmd parley.Command) []parley.Event {
		evs, err := svc.Do(ctx, med, cmd)
		if err != nil {
			b.Fatalf("%T: %v", cmd, err)
		}
		return evs
	}
	spaces, _ := db.Spaces(ctx, med, med.Members[0].ProcessID)
	var group string
	for _, s := range spaces {
		if s.Kind == parley.SpaceGroup {
			group = s.ID
			break
		}
	}
	memo := do(parley.CreateMemo{SpaceID: group, Title: "A long memorandum", Mode: parley.JointDrafting,
		Languages: []parley.Lang{parley.English, parley.Ukrainian, parley.Russian}})[0].Data.(*parley.MemoCreated).MemoID
	var clauses []string
	for s := 0; s < 50; s++ {
		sec := do(parley.AddClause{MemoID: memo, Kind: parley.KindSection, Position: s,
			Texts: parley.Texts{parley.English: fmt.Sprintf("Section %d", s+1)}})[0].Data.(*parley.ClauseAdded).ClauseID
		for c := 0; c < 10; c++ {
			n := fmt.Sprintf("%d.%d", s+1, c+1)
			id := do(parley.AddClause{MemoID: memo, ParentID: sec, Kind: parley.KindClause, Position: c, Texts: parley.Texts{
				parley.English:   "Clause " + n + ": the parties cease fire on land, in the air and at sea along the whole line of contact from 00:00 on the day after signature, and international monitors verify it.",
				parley.Ukrainian: "Пункт " + n + ": сторони припиняють вогонь на суші, у повітрі та на морі вздовж усієї лінії зіткнення з 00:00 дня, що настає після підписання, а міжнародні спостерігачі це перевіряють.",
				parley.Russian:   "Пункт " + n + ": стороны прекращают огонь на суше, в воздухе и на море вдоль всей линии соприкосновения с 00:00 дня, следующего за подписанием, а международные наблюдатели это проверяют.",
			}})[0].Data.(*parley.ClauseAdded).ClauseID
			clauses = append(clauses, id)
			if c == 3 {
				do(parley.TableAlternative{ClauseID: id, Kind: parley.BracketContentious, Texts: parley.Texts{
					parley.English: "Clause " + n + ": the parties cease fire for thirty days along the line of contact."}})
			}
		}
	}
	do(parley.NameVersion{MemoID: memo, Name: "Draft of 2 June"})
	for i := 0; i < len(clauses); i += 10 {
		do(parley.ChangeClauseText{ClauseID: clauses[i], Lang: parley.English, Version: 1,
			Text: "The parties cease all fire on land, in the air and at sea along the whole line of contact from 00:00 on the day after signature, verified by international monitors."})
	}

	srv, err := web.New(web.Config{Demo: true, Version: "bench", PasswordParams: params}, db, svc, hub,
		slog.New(slog.NewTextHandler(io.Discard, nil)), reg, time.Now)
	if err != nil {
		b.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler(reg))
	b.Cleanup(func() {
		srv.StopStreams()
		ts.Close()
	})
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.PostForm(ts.URL+"/login", url.Values{"username": {"mediator"}, "password": {demoPassword("mediator")}, "next": {"/"}})
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		b.Fatalf("sign in: %v %v", resp, err)
	}
	resp.Body.Close()
	return &bigMemoSite{url: ts.URL, memo: memo, client: c}
}

func (s *bigMemoSite) get(b *testing.B, path string) string {
	resp, err := s.client.Get(s.url + path)
	if err != nil {
		b.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b.Fatalf("%s: %d %.300s", path, resp.StatusCode, body)
	}
	return string(body)
}

// BenchmarkMemoPages serves the pages of a 500-clause memorandum: the
// memorandum itself (memo.html) and the comparison of its named version
// with the current text, all clauses shown. Each request reads the
// memorandum, builds the page's data and executes its template. Besides
// the time per request it reports the CPU time the process spent per
// request (cpu-ms/op), server and client: on a shared machine the time
// grows with the load, the CPU time much less.
func BenchmarkMemoPages(b *testing.B) {
	s := newBigMemoSite(b)
	for _, page := range []struct{ name, path, must string }{
		{"memo", "/memos/" + s.memo, "Clause 50.10"},
		{"compare", "/memos/" + s.memo + "/compare?to=current&all=1", "<ins>all </ins>"},
		{"compare-changes", "/memos/" + s.memo + "/compare?to=current", "<ins>all </ins>"},
	} {
		if body := s.get(b, page.path); !strings.Contains(body, page.must) {
			b.Fatalf("%s lacks %q", page.name, page.must)
		}
		b.Run(page.name, func(b *testing.B) {
			size, cpu := 0, cpuTime()
			for b.Loop() {
				size = len(s.get(b, page.path))
			}
			b.ReportMetric(float64(size)/1024, "KiB/page")
			if cpu := cpuTime() - cpu; cpu > 0 {
				// The server's and the client's, garbage collection included.
				b.ReportMetric(cpu.Seconds()*1000/float64(b.N), "cpu-ms/op")
			}
		})
	}
}
