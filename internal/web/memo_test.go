package web_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"html"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/web"
)

var update = flag.Bool("update", false, "write the golden files of the print view anew")

// memoFixture negotiates a small memorandum through the service: a
// section; clause 1.1 agreed by both parties; clause 1.2 bracketed with an
// alternative B tabled, on which A reserves; clause 2 of two lines, in
// English only.
func memoFixture(t *testing.T, s *site) (memo string, clauses []string) {
	t.Helper()
	space := s.GroupSpace(parley.GroupPolitical)
	evs := s.Must(t, s.Mediator, parley.CreateMemo{SpaceID: space.ID, Title: "Memorandum on a ceasefire", Mode: parley.JointDrafting,
		Languages: []parley.Lang{parley.English, parley.Russian}})
	memo = evs[0].Data.(*parley.MemoCreated).MemoID
	add := func(a parley.Actor, c parley.AddClause) string {
		c.MemoID = memo
		return s.Must(t, a, c)[0].Data.(*parley.ClauseAdded).ClauseID
	}
	section := add(s.Mediator, parley.AddClause{Kind: parley.KindSection, Texts: parley.Texts{parley.English: "Ceasefire", parley.Russian: "Прекращение огня"}})
	c1 := add(s.HeadA, parley.AddClause{ParentID: section, Kind: parley.KindClause,
		Texts: parley.Texts{parley.English: "The parties cease fire along the line of contact.", parley.Russian: "Стороны прекращают огонь на линии соприкосновения."}})
	c2 := add(s.HeadB, parley.AddClause{ParentID: section, Kind: parley.KindClause, Position: 1,
		Texts: parley.Texts{parley.English: "Monitors verify the ceasefire.", parley.Russian: "Наблюдатели проверяют соблюдение режима прекращения огня."}})
	c3 := add(s.Mediator, parley.AddClause{Kind: parley.KindClause, Position: 1,
		Texts: parley.Texts{parley.English: "This memorandum takes effect on signature.\nIt is done in English and Russian."}})
	s.Must(t, s.HeadA, parley.AgreeClause{ClauseID: c1})
	s.Must(t, s.HeadB, parley.AgreeClause{ClauseID: c1})
	alt := s.Must(t, s.HeadB, parley.TableAlternative{ClauseID: c2, Kind: parley.BracketContentious,
		Texts: parley.Texts{parley.English: "Monitors of the OSCE verify the ceasefire daily.", parley.Russian: "Наблюдатели ОБСЕ ежедневно проверяют соблюдение режима."}})[0].Data.(*parley.AlternativeTabled).AlternativeID
	s.Must(t, s.HeadA, parley.TakeStance{AlternativeID: alt, Stance: parley.StanceReserves})
	return memo, []string{section, c1, c2, c3}
}

// TestMemoPrintGolden compares the print view, the copy for party B in all
// languages, with testdata/memo-print.golden.html (go test -update writes
// it anew). Identifiers are replaced by names, so the file is stable.
func TestMemoPrintGolden(t *testing.T) {
	s := newSite(t)
	memo, clauses := memoFixture(t, s)
	c := s.signedIn(t, "headb")
	resp, body := s.get(t, c, "/memos/"+memo+"/print?lang=all&party="+s.PartyB.ID)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("print view: %d\n%s", resp.StatusCode, body)
	}
	stable := strings.NewReplacer(memo, "MEMO", s.PartyA.ID, "PARTY-A", s.PartyB.ID, "PARTY-B")
	for i, id := range clauses {
		stable = strings.NewReplacer(id, "CLAUSE-"+strconv.Itoa(i), memo, "MEMO", s.PartyA.ID, "PARTY-A", s.PartyB.ID, "PARTY-B")
		body = stable.Replace(body)
	}
	body = stable.Replace(body)
	const golden = "testdata/memo-print.golden.html"
	if *update {
		if err := os.WriteFile(golden, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -run TestMemoPrintGolden -update to write it)", err)
	}
	if body != string(want) {
		t.Errorf("the print view differs from %s (go test -update writes it anew if the change is meant):\n%s", golden, body)
	}

	// The alternat: each party's copy names it first.
	for _, copy := range []struct{ party, want string }{{s.PartyA.ID, "<strong>A</strong> and <strong>B</strong>"}, {s.PartyB.ID, "<strong>B</strong> and <strong>A</strong>"}} {
		_, body := s.get(t, c, "/memos/"+memo+"/print?lang=en&party="+copy.party)
		if !strings.Contains(body, copy.want) {
			t.Errorf("the copy for %s does not read %q", copy.party, copy.want)
		}
		if strings.Contains(body, "Прекращение огня") {
			t.Errorf("the English copy shows the Russian text")
		}
	}
}

var versionRE = regexp.MustCompile(`name="clause" value="([^"]+)"><input type="hidden" name="lang" value="en">\s*<input type="hidden" name="version" value="(\d+)">`)

// TestMemoStaleEdit: two delegates edit the same version of a clause; the
// second edit is refused with 409 and the page shows both texts, the
// current one and the delegate's own, so that nothing is overwritten.
func TestMemoStaleEdit(t *testing.T) {
	s := newSite(t)
	memo, clauses := memoFixture(t, s)
	a, b := s.signedIn(t, "heada"), s.signedIn(t, "headb")
	version := func(c *http.Client, clause string) string {
		t.Helper()
		_, page := s.get(t, c, "/memos/"+memo+"?open="+clause+".edit.en")
		for _, m := range versionRE.FindAllStringSubmatch(page, -1) {
			if m[1] == clause {
				return m[2]
			}
		}
		t.Fatalf("no edit form of clause %s in English", clause)
		return ""
	}
	// Clause 1.1 was agreed by both: each agreement links to its record entry.
	if _, page := s.get(t, a, "/memos/"+memo); strings.Count(page, `href="/record/`) < 4 {
		t.Errorf("the memorandum does not link both agreements to the record (in the clause and among the formal acts)")
	}
	clause := clauses[3]
	va, vb := version(a, clause), version(b, clause)
	edit := func(c *http.Client, v, text string) (int, string) {
		resp := s.post(t, c, "/memos/"+memo+"/text", url.Values{"clause": {clause}, "lang": {"en"}, "version": {v}, "text": {text}})
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	if st, body := edit(a, va, "This memorandum takes effect on signature by both heads."); st != http.StatusSeeOther {
		t.Fatalf("first edit: %d\n%s", st, body)
	}
	st, body := edit(b, vb, "This memorandum takes effect ten days after signature.")
	if st != http.StatusConflict {
		t.Fatalf("stale edit: %d, want 409", st)
	}
	for _, want := range []string{"takes effect on signature by both heads.", "takes effect ten days after signature.", `class="conflict"`,
		`data-clause="` + clause + `" data-lang="en"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the refused edit's page lacks %q", want)
		}
	}
	if n := strings.Count(body, `name="text"`); n != 1 {
		t.Errorf("the refused edit's page has %d edit forms, want its own, open", n)
	}
	_, items, err := s.DB.Memo(t.Context(), s.HeadA, memo)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range items {
		if c.ID == clause && c.Texts[parley.English] != "This memorandum takes effect on signature by both heads." {
			t.Errorf("the clause now reads %q", c.Texts[parley.English])
		}
	}
}

// TestMemoAPI negotiates through the JSON API: open, add a clause, a stale
// change answered 409 with code conflict, table an alternative, read it.
func TestMemoAPI(t *testing.T) {
	s := newSite(t)
	c := s.signedIn(t, "heada")
	call := func(method, path string, in any, out any) int {
		t.Helper()
		b, _ := json.Marshal(in)
		req, _ := http.NewRequest(method, s.srv.URL+"/api/v1"+path, bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		if out != nil {
			if err := json.Unmarshal(raw, out); err != nil {
				t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, raw)
			}
		}
		return resp.StatusCode
	}
	var created struct{ ID string }
	space := s.GroupSpace(parley.GroupPolitical)
	if st := call("POST", "/processes/"+s.Process.ID+"/memos", map[string]any{"space_id": space.ID, "title": "Memorandum", "mode": "joint", "languages": []string{"en", "ru"}}, &created); st != http.StatusCreated {
		t.Fatalf("create: %d", st)
	}
	memo := created.ID
	if st := call("POST", "/memos/"+memo+"/clauses", map[string]any{"kind": "clause", "position": 0, "texts": map[string]string{"en": "The parties cease fire."}}, &created); st != http.StatusCreated {
		t.Fatalf("add clause: %d", st)
	}
	clause := created.ID
	if st := call("PUT", "/clauses/"+clause+"/texts/en", map[string]any{"text": "The parties cease fire at once.", "version": 1}, nil); st != http.StatusOK {
		t.Fatalf("change text: %d", st)
	}
	var e struct{ Code string }
	if st := call("PUT", "/clauses/"+clause+"/texts/en", map[string]any{"text": "The parties cease fire tomorrow.", "version": 1}, &e); st != http.StatusConflict || e.Code != parley.ECONFLICT {
		t.Errorf("stale change: %d %q, want 409 conflict", st, e.Code)
	}
	if st := call("POST", "/clauses/"+clause+"/alternatives", map[string]any{"kind": "wording", "texts": map[string]string{"en": "The parties cease all fire at once."}}, &created); st != http.StatusCreated {
		t.Fatalf("table: %d", st)
	}
	if st := call("POST", "/memos/"+memo+"/initial", map[string]any{}, &e); st != http.StatusConflict {
		t.Errorf("initial with brackets: %d, want 409", st)
	}
	var d struct {
		Memo    parley.Memorandum
		Clauses []parley.Clause
	}
	if st := call("GET", "/memos/"+memo, nil, &d); st != http.StatusOK || len(d.Clauses) != 1 || len(d.Clauses[0].Alternatives) != 1 ||
		d.Clauses[0].Texts[parley.English] != "The parties cease fire at once." || d.Clauses[0].Number != "1" {
		t.Errorf("get: %d %+v", st, d)
	}
	var list []parley.Memorandum
	if st := call("GET", "/processes/"+s.Process.ID+"/memos", nil, &list); st != http.StatusOK || len(list) != 1 {
		t.Errorf("list: %d %+v", st, list)
	}
}

// TestMemoPDF: without Chromium the PDF is refused with 503 and a clear
// sentence; with it, the answer is a PDF.
func TestMemoPDF(t *testing.T) {
	s := newSite(t)
	memo, _ := memoFixture(t, s)
	c := s.signedIn(t, "heada")
	restore := web.UseChromium("/nonexistent/chromium")
	resp, body := s.get(t, c, "/memos/"+memo+"/print.pdf?lang=en")
	restore()
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "Chromium is not installed") {
		t.Errorf("without Chromium: %d %q", resp.StatusCode, body)
	}
	if _, err := os.Stat("/usr/bin/chromium"); err != nil {
		t.Skip("Chromium is not installed: the PDF itself is not tried")
	}
	resp, body = s.get(t, c, "/memos/"+memo+"/print.pdf?lang=all")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(body, "%PDF-") {
		t.Errorf("with Chromium: %d %s %.40q", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
}

// TestMemoFormErrors: a refused act comes back on the memorandum with its
// complaint next to the form that sent it, and nothing is recorded.
func TestMemoFormErrors(t *testing.T) {
	s := newSite(t)
	memo, clauses := memoFixture(t, s)
	c := s.signedIn(t, "heada")
	resp := s.post(t, c, "/memos/"+memo+"/table", url.Values{"clause": {clauses[3]}, "kind": {"wording"}})
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), `id="err-texts"`) {
		t.Errorf("an alternative without text: %d, complaint shown %v", resp.StatusCode, strings.Contains(string(body), `id="err-texts"`))
	}
	resp = s.post(t, c, "/memos/"+memo+"/initial-memo", nil)
	body, _ = io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(string(body), "Nothing is agreed until everything is agreed") {
		t.Errorf("initials with brackets left: %d", resp.StatusCode)
	}
	_, items, _ := s.DB.Memo(t.Context(), s.HeadA, memo)
	if len(items[len(items)-1].Alternatives) != 0 {
		t.Errorf("the refused alternative was recorded")
	}
}

// TestMemoPrevailing: the mediator records the prevailing language on the
// page; a head of delegation may not.
func TestMemoPrevailing(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	evs := s.Must(t, s.Mediator, parley.CreateMemo{SpaceID: s.GroupSpace(parley.GroupPolitical).ID, Title: "Terms", Mode: parley.JointDrafting,
		Languages: []parley.Lang{parley.English, parley.Russian}})
	memo := evs[0].Data.(*parley.MemoCreated).MemoID
	head := s.signedIn(t, "heada")
	if resp := s.post(t, head, "/memos/"+memo+"/prevailing", url.Values{"lang": {"en"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a head records the prevailing language: %d", resp.StatusCode)
	}
	med := s.signedIn(t, "mediator")
	if resp := s.post(t, med, "/memos/"+memo+"/prevailing", url.Values{"lang": {"ru"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("the mediator records it: %d", resp.StatusCode)
	}
	m, _, err := s.DB.Memo(ctx, s.Mediator, memo)
	if err != nil || m.Prevailing != parley.Russian {
		t.Errorf("prevailing %q, %v", m.Prevailing, err)
	}
	if _, page := s.get(t, head, "/memos/"+memo); !strings.Contains(page, `<strong>Russian</strong>`) && !strings.Contains(page, "<strong>Русский</strong>") {
		t.Error("the page does not show the prevailing language")
	}
}

// TestMemoVersionsAPI names a version through the JSON API and reads it
// back; a memorandum in the other party's caucus stays not found.
func TestMemoVersionsAPI(t *testing.T) {
	s := newSite(t)
	evs := s.Must(t, s.Mediator, parley.CreateMemo{SpaceID: s.GroupSpace(parley.GroupPolitical).ID, Title: "Terms", Mode: parley.JointDrafting,
		Languages: []parley.Lang{parley.English}})
	memo := evs[0].Data.(*parley.MemoCreated).MemoID
	s.Must(t, s.HeadA, parley.AddClause{MemoID: memo, Kind: parley.KindClause, Texts: parley.Texts{parley.English: "The parties cease fire."}})
	caucus := s.Must(t, s.HeadB, parley.CreateMemo{SpaceID: s.SpaceOf(parley.SpaceParty, s.PartyB.ID).ID, Title: "Our draft", Mode: parley.JointDrafting,
		Languages: []parley.Lang{parley.English}})[0].Data.(*parley.MemoCreated).MemoID
	c := s.signedIn(t, "heada")
	call := func(method, path, body string) (int, string) {
		req, _ := http.NewRequest(method, s.srv.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := call("POST", "/api/v1/memos/"+memo+"/versions", `{"name":"Draft of 2 June"}`); code != http.StatusCreated {
		t.Fatalf("name a version: %d %s", code, body)
	}
	code, body := call("GET", "/api/v1/memos/"+memo+"/versions", "")
	var vs []parley.MemoVersion
	if code != http.StatusOK || json.Unmarshal([]byte(body), &vs) != nil || len(vs) != 1 || vs[0].Name != "Draft of 2 June" {
		t.Fatalf("versions: %d %s", code, body)
	}
	code, body = call("GET", "/api/v1/memo-versions/"+vs[0].ID, "")
	var v parley.MemoVersion
	if code != http.StatusOK || json.Unmarshal([]byte(body), &v) != nil || len(v.Clauses) != 1 || v.Clauses[0].Texts[parley.English] != "The parties cease fire." {
		t.Errorf("version: %d %s", code, body)
	}
	for _, path := range []string{"/api/v1/memos/" + caucus + "/versions"} {
		if code, _ := call("GET", path, ""); code != http.StatusNotFound {
			t.Errorf("GET %s as the other party: %d, want 404", path, code)
		}
		if code, _ := call("POST", path, `{"name":"x"}`); code != http.StatusNotFound {
			t.Errorf("POST %s as the other party: %d, want 404", path, code)
		}
	}
}

// TestMemoClauseLink links a clause to the proposal that shaped it from the
// page; the memorandum then names the proposal under the clause.
func TestMemoClauseLink(t *testing.T) {
	s := newSite(t)
	evs := s.Must(t, s.Mediator, parley.CreateMemo{SpaceID: s.GroupSpace(parley.GroupPolitical).ID, Title: "Terms", Mode: parley.JointDrafting,
		Languages: []parley.Lang{parley.English}})
	memo := evs[0].Data.(*parley.MemoCreated).MemoID
	clause := s.Must(t, s.HeadA, parley.AddClause{MemoID: memo, Kind: parley.KindClause, Texts: parley.Texts{parley.English: "A pause."}})[0].Data.(*parley.ClauseAdded).ClauseID
	drafted := s.Must(t, s.HeadA, parley.DraftProposal{GroupID: s.Groups[parley.GroupPolitical].ID, ToParty: s.PartyB.ID,
		ProposalInput: parley.ProposalInput{Kind: parley.ProposalOther, Title: "Pause of 48 hours", Texts: parley.Texts{parley.English: "x"}}})
	prop := drafted[0].Data.(*parley.ProposalDrafted).ProposalID
	s.Must(t, s.HeadA, parley.SubmitProposal{ProposalID: prop})
	c := s.signedIn(t, "headb")
	if resp := s.post(t, c, "/memos/"+memo+"/link", url.Values{"clause": {clause}, "target": {"p:" + prop}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("link: %d", resp.StatusCode)
	}
	if _, page := s.get(t, c, "/memos/"+memo); !strings.Contains(page, `<a href="/proposals/`+prop+`">Pause of 48 hours</a>`) {
		t.Error("the memorandum does not name the proposal under the clause")
	}
	if resp := s.post(t, c, "/memos/"+memo+"/link", url.Values{"clause": {clause}, "target": {"p:" + prop}}); resp.StatusCode != http.StatusConflict {
		t.Errorf("linking twice: %d, want 409", resp.StatusCode)
	}
}

// TestMemoPresence: when head A opens a clause for editing, head B's live
// stream hears of it and the presence line names A and the clause; when A
// stops, the line is empty again. Nothing of it is in the record.
func TestMemoPresence(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	space := s.GroupSpace(parley.GroupPolitical)
	memo := s.Must(t, s.Mediator, parley.CreateMemo{SpaceID: space.ID, Title: "Terms", Mode: parley.JointDrafting,
		Languages: []parley.Lang{parley.English}})[0].Data.(*parley.MemoCreated).MemoID
	clause := s.Must(t, s.HeadA, parley.AddClause{MemoID: memo, Kind: parley.KindClause, Texts: parley.Texts{parley.English: "A pause."}})[0].Data.(*parley.ClauseAdded).ClauseID
	a, b := s.signedIn(t, "heada"), s.signedIn(t, "headb")
	stream, err := b.Get(s.srv.URL + "/events?space=" + space.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Body.Close()
	heard := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stream.Body)
		for sc.Scan() {
			if sc.Text() == "event: memo.presence" {
				heard <- true
				return
			}
		}
	}()
	before, _ := s.DB.LastSeq(ctx)
	if resp := s.post(t, a, "/memos/"+memo+"/editing", url.Values{"clause": {clause}, "lang": {"en"}}); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("editing: %d", resp.StatusCode)
	}
	select {
	case <-heard:
	case <-time.After(5 * time.Second):
		t.Error("B's stream did not hear that A is editing")
	}
	if _, page := s.get(t, b, "/memos/"+memo+"/presence"); !strings.Contains(page, "heada is editing 1 (") {
		t.Errorf("presence: %q", page)
	}
	s.post(t, a, "/memos/"+memo+"/editing", url.Values{"clause": {""}})
	if _, page := s.get(t, b, "/memos/"+memo+"/presence"); strings.Contains(page, "editing") {
		t.Errorf("presence after A stopped: %q", page)
	}
	if after, _ := s.DB.LastSeq(ctx); after != before {
		t.Errorf("presence wrote %d record entries", after-before)
	}
	if resp := s.post(t, a, "/memos/"+memo+"/editing", url.Values{"clause": {"nonexistent"}, "lang": {"en"}}); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a clause of nothing: %d", resp.StatusCode)
	}
	obs := s.signedIn(t, "observer")
	if resp := s.post(t, obs, "/memos/"+memo+"/editing", url.Values{"clause": {clause}, "lang": {"en"}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("an observer outside the group: %d", resp.StatusCode)
	}

	// Saving the text ends the edit, whether or not the page's own news
	// that it stopped arrives first.
	s.post(t, a, "/memos/"+memo+"/editing", url.Values{"clause": {clause}, "lang": {"en"}})
	if resp := s.post(t, a, "/memos/"+memo+"/text", url.Values{"clause": {clause}, "lang": {"en"}, "version": {"1"}, "text": {"A pause of a day."}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d", resp.StatusCode)
	}
	if _, page := s.get(t, b, "/memos/"+memo+"/presence"); strings.Contains(page, "editing") {
		t.Errorf("presence after A saved: %q", page)
	}
}

// TestMemoShare: head A shares A's caucus draft with the political group;
// head B then reads the copy (not the original), and a delegate of A
// without authority may not share.
func TestMemoShare(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	caucus := s.SpaceOf(parley.SpaceParty, s.PartyA.ID)
	draft := s.Must(t, s.HeadA, parley.CreateMemo{SpaceID: caucus.ID, Title: "Our draft", Mode: parley.JointDrafting,
		Languages: []parley.Lang{parley.English}})[0].Data.(*parley.MemoCreated).MemoID
	s.Must(t, s.HeadA, parley.AddClause{MemoID: draft, Kind: parley.KindClause, Texts: parley.Texts{parley.English: "Our first point."}})
	group := s.GroupSpace(parley.GroupPolitical)
	deleg := s.signedIn(t, "delega")
	if resp := s.post(t, deleg, "/memos/"+draft+"/share", url.Values{"space": {group.ID}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("an unauthorised delegate shares: %d", resp.StatusCode)
	}
	head := s.signedIn(t, "heada")
	resp := s.post(t, head, "/memos/"+draft+"/share", url.Values{"space": {group.ID}})
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/memos/") || strings.Contains(resp.Header.Get("Location"), draft) {
		t.Fatalf("share: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	copyID := strings.TrimPrefix(resp.Header.Get("Location"), "/memos/")
	m, items, err := s.DB.Memo(ctx, s.HeadB, copyID)
	if err != nil || m.SpaceID != group.ID || len(items) != 1 || items[0].Texts[parley.English] != "Our first point." {
		t.Errorf("B reads the copy: %+v %+v %v", m, items, err)
	}
	if _, _, err := s.DB.Memo(ctx, s.HeadB, draft); parley.ErrorCode(err) != parley.ENOTFOUND {
		t.Errorf("B reads the original in A's caucus: %v", err)
	}
}

// TestMemoFormsOnDemand: the memorandum carries no form per clause, only
// the links that unfold one; the page with open=… and the clause fetched
// alone (for htmx) show that one form, with the current text and version,
// to a reader who may use it.
func TestMemoFormsOnDemand(t *testing.T) {
	s := newSite(t)
	memo, clauses := memoFixture(t, s)
	clause := clauses[3]
	s.Must(t, s.HeadA, parley.StartThread{SpaceID: s.GroupSpace(parley.GroupPolitical).ID, Title: "Entry into force", Body: "On signature?"})
	c := s.signedIn(t, "heada")

	_, page := s.get(t, c, "/memos/"+memo)
	if n := strings.Count(page, `name="text"`); n != 0 {
		t.Errorf("the memorandum carries %d edit forms; want none until one is asked for", n)
	}
	if strings.Contains(page, `action="/memos/`+memo+`/table`) || strings.Contains(page, `action="/memos/`+memo+`/link`) {
		t.Error("the memorandum carries the forms to table an alternative or link a clause")
	}
	for _, want := range []string{
		`href="/memos/` + memo + `?open=` + clause + `.edit.en#c-` + clause + `"`,
		`hx-get="/memos/` + memo + `/clause/` + clause + `?open=edit.en"`,
		`open=` + clause + `.edit.ru`, `open=` + clause + `.table`, `open=` + clause + `.link`,
		`<article class="clause clause-bracketed" id="c-` + clause + `" role="listitem" aria-labelledby="n-` + clause + `" hx-target="this" hx-swap="outerHTML">`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the memorandum lacks %s", want)
		}
	}

	editForm := regexp.MustCompile(`(?s)<textarea id="e-` + clause + `-en" name="text"[^>]*>([^<]*)</textarea>`)
	for _, path := range []string{"/memos/" + memo + "?open=" + clause + ".edit.en", "/memos/" + memo + "/clause/" + clause + "?open=edit.en"} {
		resp, body := s.get(t, c, path)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", path, resp.StatusCode)
		}
		m := editForm.FindStringSubmatch(body)
		if m == nil || html.UnescapeString(m[1]) != "This memorandum takes effect on signature.\nIt is done in English and Russian." {
			t.Errorf("GET %s: no edit form with the current English text: %q", path, m)
		}
		if n := strings.Count(body, `name="text"`); n != 1 {
			t.Errorf("GET %s: %d edit forms, want the one asked for", path, n)
		}
		for _, want := range []string{`name="version" value="1"`, `data-editing data-memo="` + memo + `" data-clause="` + clause + `" data-lang="en"`,
			`href="/memos/` + memo + `#c-` + clause + `" hx-get="/memos/` + memo + `/clause/` + clause + `"`} {
			if !strings.Contains(body, want) {
				t.Errorf("GET %s lacks %s", path, want)
			}
		}
	}
	_, one := s.get(t, c, "/memos/"+memo+"/clause/"+clause+"?open=edit.en")
	if !strings.HasPrefix(strings.TrimSpace(one), `<article class="clause`) || strings.Contains(one, "<html") || strings.Count(one, "<article") != 1 {
		t.Errorf("the clause alone is not one article:\n%.300s", one)
	}
	_, closed := s.get(t, c, "/memos/"+memo+"/clause/"+clause+"?view=ru")
	if strings.Contains(closed, "<textarea") || !strings.Contains(closed, `?view=ru&amp;open=`+clause+`.edit.ru#c-`+clause) ||
		!strings.Contains(closed, `/clause/`+clause+`?view=ru&amp;open=edit.ru"`) || strings.Contains(closed, `.edit.en`) {
		t.Errorf("the clause alone, in Russian, with no form asked for:\n%s", closed)
	}
	for _, open := range []string{"table", "link"} {
		_, body := s.get(t, c, "/memos/"+memo+"/clause/"+clause+"?open="+open)
		action := `action="/memos/` + memo + `/` + open + `?view=side"`
		if !strings.Contains(body, action) || !strings.Contains(body, "data-open-form") {
			t.Errorf("open=%s: the form is not there:\n%s", open, body)
		}
	}
	if _, body := s.get(t, c, "/memos/"+memo+"/clause/"+clauses[0]+"?open=table"); strings.Contains(body, "/table?") {
		t.Error("a section offers to table an alternative")
	}
}

// TestMemoClauseAlone: the clause fetched alone answers as the page does to
// who may not read it, and offers no form to who may not use it.
func TestMemoClauseAlone(t *testing.T) {
	s := newSite(t)
	memo, clauses := memoFixture(t, s)
	other, _ := memoFixture(t, s)
	tests := []struct {
		name, user, path string
		status           int
	}{
		{"a clause", "heada", "/memos/" + memo + "/clause/" + clauses[2], http.StatusOK},
		{"no such clause", "heada", "/memos/" + memo + "/clause/nonexistent", http.StatusNotFound},
		{"a clause of another memorandum", "heada", "/memos/" + other + "/clause/" + clauses[2], http.StatusNotFound},
		{"a memorandum the reader may not read", "observer", "/memos/" + memo + "/clause/" + clauses[2], http.StatusNotFound},
	}
	clients := map[string]*http.Client{"heada": s.signedIn(t, "heada"), "observer": s.signedIn(t, "observer")}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if resp, body := s.get(t, clients[tt.user], tt.path); resp.StatusCode != tt.status {
				t.Errorf("GET %s as %s: %d, want %d\n%.300s", tt.path, tt.user, resp.StatusCode, tt.status, body)
			}
		})
	}
	if resp, _ := s.get(t, clients["observer"], "/memos/"+memo); resp.StatusCode != http.StatusNotFound {
		t.Errorf("the page itself, to the observer: %d, want 404 as for its clause", resp.StatusCode)
	}

	// The observer reads the humanitarian group's memorandum but writes
	// nothing in it: no link unfolds a form, and asking for one shows none.
	space := s.GroupSpace(parley.GroupHumanitarian)
	hum := s.Must(t, s.Mediator, parley.CreateMemo{SpaceID: space.ID, Title: "Corridors", Mode: parley.JointDrafting,
		Languages: []parley.Lang{parley.English}})[0].Data.(*parley.MemoCreated).MemoID
	clause := s.Must(t, s.Mediator, parley.AddClause{MemoID: hum, Kind: parley.KindClause, Texts: parley.Texts{parley.English: "A corridor opens."}})[0].Data.(*parley.ClauseAdded).ClauseID
	obs := clients["observer"]
	for _, path := range []string{"/memos/" + hum, "/memos/" + hum + "?open=" + clause + ".edit.en", "/memos/" + hum + "/clause/" + clause + "?open=edit.en",
		"/memos/" + hum + "/clause/" + clause + "?open=table", "/memos/" + hum + "/clause/" + clause + "?open=link"} {
		resp, body := s.get(t, obs, path)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, "A corridor opens.") {
			t.Errorf("GET %s as the observer: %d", path, resp.StatusCode)
		}
		if strings.Contains(body, "open="+clause) || strings.Contains(body, "<textarea") || strings.Contains(body, "data-open-form") {
			t.Errorf("GET %s offers the observer a form", path)
		}
	}
}

// TestMemoFormsSentBack: a form refused for its content comes back open
// on its clause, with what the reader sent and the complaint; the others
// stay folded.
func TestMemoFormsSentBack(t *testing.T) {
	s := newSite(t)
	memo, clauses := memoFixture(t, s)
	c := s.signedIn(t, "heada")
	clause := clauses[3]
	text := "This memorandum takes effect on signature.\nIt is done in English and Russian."
	resp := s.post(t, c, "/memos/"+memo+"/text", url.Values{"clause": {clause}, "lang": {"en"}, "version": {"1"}, "text": {text}})
	b, _ := io.ReadAll(resp.Body)
	body := string(b)
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("an unchanged text: %d, want 400", resp.StatusCode)
	}
	for _, want := range []string{`id="err-text"`, `<textarea id="e-` + clause + `-en" name="text"`, `data-clause="` + clause + `" data-lang="en"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the page sent back lacks %s", want)
		}
	}
	if n := strings.Count(body, `name="text"`); n != 1 {
		t.Errorf("the page sent back has %d edit forms, want 1", n)
	}

	resp = s.post(t, c, "/memos/"+memo+"/table", url.Values{"clause": {clauses[2]}, "kind": {"instructions"}, "text_ru": {"  "}})
	b, _ = io.ReadAll(resp.Body)
	body = string(b)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `action="/memos/`+memo+`/table?view=side"`) ||
		!strings.Contains(body, `<option value="instructions" selected>`) || strings.Contains(body, `open=`+clauses[2]+`.table`) {
		t.Errorf("an alternative without text: %d, its form not sent back open with the kind chosen", resp.StatusCode)
	}
}
