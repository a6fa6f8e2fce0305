package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestMemoVersionsAndComparison names versions and compares them through
// the pages: every text escaped, changes in <ins>/<del>, each page only
// for those who may read the memoranda it shows.
func TestMemoVersionsAndComparison(t *testing.T) {
	site := newDemoSite(t)
	mediator := site.visitor(t)
	mediator.signIn("mediator", demoPassword("mediator"))
	headUA := site.visitor(t)
	headUA.signIn("head.ua", demoPassword("head.ua"))
	headRU := site.visitor(t)
	headRU.signIn("head.ru", demoPassword("head.ru"))
	observer := site.visitor(t)
	observer.signIn("observer", demoPassword("observer"))
	for _, v := range []*visitor{mediator, headUA, headRU} {
		if status, body := v.post("/language", url.Values{"lang": {"en"}, "next": {"/"}}); status != http.StatusSeeOther {
			t.Fatalf("choose English: %d %s", status, body)
		}
	}

	process := mediator.first("/processes", `href="/p/([^"/]+)"`)
	joint := headUA.first("/p/"+process+"/memos", `href="/memos/([^"/]+)">Memorandum on a ceasefire and humanitarian questions<`)
	uaDraft := headUA.first("/p/"+process+"/memos", `href="/memos/([^"/]+)">[^<]*Ukraine`)

	// A memorandum whose text would be markup if it were not escaped.
	space := mediator.first("/p/"+process+"/memos", `name="space"><option value="([^"]+)"`)
	status, loc := mediator.post("/p/"+process+"/memos", url.Values{"title": {"Escaping <test>"}, "space": {space}, "mode": {"joint"}, "languages": {"en"}})
	if status != http.StatusSeeOther {
		t.Fatalf("open a memorandum: %d %s", status, loc)
	}
	memo := strings.TrimPrefix(loc[:strings.IndexAny(loc+"<", "<")], "/memos/")
	if status, body := mediator.post("/memos/"+memo+"/add", url.Values{"kind": {"clause"}, "place": {":0"},
		"text_en": {"<script>alert(1)</script> The parties cease fire."}}); status != http.StatusSeeOther {
		t.Fatalf("add a clause: %d %s", status, body)
	}
	clause := mediator.first("/memos/"+memo, `<article class="clause[^"]*" id="c-([^"]+)"`)
	if status, body := mediator.post("/memos/"+memo+"/versions", url.Values{"name": {"Before <b>"}}); status != http.StatusSeeOther {
		t.Fatalf("name a version: %d %s", status, body)
	}
	if status, body := mediator.post("/memos/"+memo+"/text", url.Values{"clause": {clause}, "lang": {"en"}, "version": {"1"},
		"text": {"<script>alert(1)</script> The parties cease all fire."}}); status != http.StatusSeeOther {
		t.Fatalf("change the clause: %d %s", status, body)
	}
	_, body := mediator.get("/memos/" + memo + "/compare")
	if strings.Contains(body, "<script>alert") || strings.Contains(body, "Before <b>") {
		t.Error("the comparison shows markup from the text unescaped")
	}
	if !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt; The parties cease <ins>all </ins>fire.") {
		t.Errorf("the comparison does not show the inserted word:\n%s", between(body, "<main", "</main>"))
	}
	if !strings.Contains(body, "Before &lt;b&gt;") {
		t.Error("the comparison does not name the version it starts from")
	}

	// In a single negotiating text, the mediator issues numbered drafts;
	// a party does not.
	status, loc = mediator.post("/p/"+process+"/memos", url.Values{"title": {"Single text"}, "space": {space}, "mode": {"single_text"}, "languages": {"en"}})
	if status != http.StatusSeeOther {
		t.Fatalf("open a single text: %d %s", status, loc)
	}
	single := strings.TrimPrefix(loc[:strings.IndexAny(loc+"<", "<")], "/memos/")
	if status, body := mediator.post("/memos/"+single+"/add", url.Values{"kind": {"clause"}, "place": {":0"}, "text_en": {"Exchange all for all."}}); status != http.StatusSeeOther {
		t.Fatalf("add a clause: %d %s", status, body)
	}
	if _, body := mediator.get("/memos/" + single + "/versions"); !strings.Contains(body, "Issue draft 1") || strings.Contains(body, `name="name" maxlength="200" required`) {
		t.Error("the mediator is not offered to issue draft 1, with the name optional")
	}
	if _, body := headUA.get("/memos/" + single + "/versions"); strings.Contains(body, `action="/memos/`+single+`/versions"`) {
		t.Error("a party is offered to issue a draft")
	}
	if status, _ := headUA.post("/memos/"+single+"/versions", url.Values{"name": {"Ours"}}); status != http.StatusForbidden {
		t.Errorf("a party issues a draft: %d", status)
	}
	if status, body := mediator.post("/memos/"+single+"/versions", url.Values{"name": {""}}); status != http.StatusSeeOther {
		t.Fatalf("issue draft 1: %d %s", status, body)
	}
	if _, body := headUA.get("/memos/" + single + "/versions"); !strings.Contains(body, `<td><strong>Draft 1</strong> <span class="tag">`) {
		t.Errorf("draft 1 not listed:\n%s", between(body, "<main", "</main>"))
	}

	// A party names a version of the joint text; it is listed, newest first.
	if status, body := headUA.post("/memos/"+joint+"/versions", url.Values{"name": {"After the plenary"}}); status != http.StatusSeeOther ||
		!strings.HasPrefix(body, "/memos/"+joint+"/versions") {
		t.Fatalf("name a version: %d %s", status, body)
	}
	_, body = headRU.get("/memos/" + joint + "/versions")
	names := regexp.MustCompile(`<td><strong>([^<]+)</strong>`).FindAllStringSubmatch(body, -1)
	if len(names) != 2 || names[0][1] != "After the plenary" || names[1][1] != "Draft of 2 June" {
		t.Errorf("versions listed: %v", names)
	}

	// A version of another memorandum is not a version of this one.
	version := mediator.first("/memos/"+memo+"/versions", `compare\?from=([^&"]+)&amp;to=current`)
	if status, _ := headUA.get("/memos/" + joint + "/compare?from=" + version); status != http.StatusNotFound {
		t.Errorf("compare with another memorandum's version: %d, want 404", status)
	}
	// Who may not read a memorandum sees neither its versions nor it beside another.
	if status, _ := observer.get("/memos/" + joint + "/versions"); status != http.StatusNotFound {
		t.Errorf("an observer outside the group lists the versions: %d", status)
	}
	if status, _ := headRU.get("/memos/compare?left=" + joint + "&right=" + uaDraft); status != http.StatusNotFound {
		t.Errorf("Russia's head puts Ukraine's draft beside the joint text: %d", status)
	}
	if status, _ := headRU.post("/memos/"+uaDraft+"/versions", url.Values{"name": {"x"}}); status != http.StatusNotFound {
		t.Errorf("Russia's head names a version of Ukraine's draft: %d", status)
	}

	// Ukraine's draft beside the joint text: the clauses side by side, with
	// the words that differ.
	status, body = headUA.get("/memos/compare?left=" + uaDraft + "&right=" + joint)
	if status != http.StatusOK || strings.Count(body, `<tr class="aligned">`) != 7 || !strings.Contains(body, "<del>Kyiv time </del>") {
		t.Errorf("side by side: %d, %d rows aligned\n%.2000s", status, strings.Count(body, `<tr class="aligned">`), between(body, "<main", "</main>"))
	}
}

func between(s, from, to string) string {
	i := strings.Index(s, from)
	j := strings.LastIndex(s, to)
	if i < 0 || j < i {
		return s
	}
	return s[i:j]
}
