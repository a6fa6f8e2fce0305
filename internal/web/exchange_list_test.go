package web_test

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/roster"
)

// upload posts a list file to an exchange's import form.
func (s *site) upload(t *testing.T, c *http.Client, exchange, list, name, content string) (*http.Response, string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	mw.WriteField("list", list)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write([]byte(content))
	mw.Close()
	resp, err := c.Post(s.srv.URL+"/exchanges/"+exchange+"/import", mw.FormDataContentType(), &b)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	page, _ := io.ReadAll(resp.Body)
	return resp, string(page)
}

var draftRE = regexp.MustCompile(`name="draft" value="([^"]+)"`)

// TestExchangeListsInPages: a side checks a list file, sees every bad row
// named by row and column, and imports only the valid rows; a draft does
// not serve another user nor survive tampering; the other side reads and
// exports the list, each access recorded; the engine pairs the lists and
// both sides answer; the heads read the access log, the delegates do not.
func TestExchangeListsInPages(t *testing.T) {
	s := newSite(t)
	ctx := t.Context()
	id := s.Must(t, s.Mediator, parley.CreateExchange{GroupID: s.Groups[parley.GroupHumanitarian].ID, Parties: []string{s.PartyA.ID, s.PartyB.ID},
		ExchangeTerms: parley.ExchangeTerms{Title: "3 for 3", Total: 3, Stages: 1, Categories: []parley.ExchangeCategoryTerms{{Code: "wounded", Name: "Wounded", Count: 3}}}},
	)[0].Data.(*parley.ExchangeCreated).ExchangeID
	delegA, delegB, headA := s.signedIn(t, "delega"), s.signedIn(t, "delegb"), s.signedIn(t, "heada")
	records := func() int64 {
		n, err := s.DB.LastSeq(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}

	// A file with a bad date and a row without a given name.
	held := "ref,family_name,given_name,patronymic,birth_date,category\n" +
		"A-1,Зюзюкевич,Олександр,Миколайович,1990-07-02,wounded\n" +
		"A-2,Шевченко,Тарас,,31.07.1985,\n" +
		"A-3,Qwertyuk,,,1979,\n" +
		"A-4,Бондаренко,Ігор,Петрович,,wounded\n"
	before := records()
	resp, page := s.upload(t, delegA, id, "held", "held.csv", held)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("check: %d\n%.600s", resp.StatusCode, page)
	}
	for _, want := range []string{"Rows read: 4 · valid: 2 · with errors: 2", "31.07.1985", "birth_date", "given_name", "Import only the 2 valid rows"} {
		if !strings.Contains(page, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	if strings.Contains(page, "Import all") {
		t.Error("a file with bad rows is offered whole")
	}
	if records() != before {
		t.Fatal("checking a file wrote to the record")
	}
	draft := draftRE.FindStringSubmatch(page)[1]

	// The whole file is refused; a tampered draft and another user's use of
	// it are refused; nothing is written.
	for name, tc := range map[string]struct {
		c     *http.Client
		draft string
		mode  string
	}{
		"all rows":        {delegA, draft, "all"},
		"tampered":        {delegA, draft[:len(draft)-4] + "AAAA", "valid"},
		"another user's":  {delegB, draft, "valid"},
		"an unknown mode": {delegA, draft, "most"},
	} {
		resp := s.post(t, tc.c, "/exchanges/"+id+"/import", url.Values{"draft": {tc.draft}, "mode": {tc.mode}})
		if resp.StatusCode != http.StatusBadRequest && resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d", name, resp.StatusCode)
		}
		if records() != before {
			t.Fatalf("%s wrote to the record", name)
		}
	}
	if resp := s.post(t, delegA, "/exchanges/"+id+"/import", url.Values{"draft": {draft}, "mode": {"valid"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("import of the valid rows: %d", resp.StatusCode)
	}
	if got := records(); got != before+2 {
		t.Errorf("the import wrote %d entries, want the import and its access log line", got-before)
	}
	// The mediator and the observer do not import; neither does a file
	// that is no list.
	for name, c := range map[string]*http.Client{"mediator": s.signedIn(t, "mediator"), "observer": s.signedIn(t, "observer")} {
		if resp, _ := s.upload(t, c, id, "held", "held.csv", held); resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s imports: %d", name, resp.StatusCode)
		}
	}
	if resp, page := s.upload(t, delegA, id, "held", "held.pdf", "%PDF"); resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, `id="err-file"`) {
		t.Errorf("a PDF: %d", resp.StatusCode)
	}
	if resp, page := s.upload(t, delegA, id, "held", "held.csv", "name;surname\nx;y\n"); resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, `id="err-file"`) {
		t.Errorf("a file without the required columns: %d\n%.300s", resp.StatusCode, page)
	}

	// The other side reads the list; the view is recorded first.
	before = records()
	resp, page = s.get(t, delegB, "/exchanges/"+id+"/lists/"+s.PartyA.ID+"/held")
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "Зюзюкевич") || !strings.Contains(page, "Бондаренко") || strings.Contains(page, "Qwertyuk") {
		t.Fatalf("the list: %d\n%.400s", resp.StatusCode, page)
	}
	if records() != before+1 {
		t.Error("the view was not recorded")
	}
	if resp, _ := s.get(t, s.signedIn(t, "outsider"), "/exchanges/"+id+"/lists/"+s.PartyA.ID+"/held"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("an outsider reads the list: %d", resp.StatusCode)
	}
	for _, f := range []string{"csv", "hxl", "xlsx"} {
		resp, body := s.get(t, delegB, "/exchanges/"+id+"/lists/"+s.PartyA.ID+"/held/export/"+f)
		if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("export %s: %d", f, resp.StatusCode)
		}
		format := roster.CSV
		if f == "xlsx" {
			format = roster.XLSX
		}
		im, err := roster.Read(strings.NewReader(body), format, "export."+f)
		if err != nil || len(im.Valid()) != 2 || im.Valid()[0].FamilyName != "Зюзюкевич" || im.Valid()[1].Patronymic != "Петрович" {
			t.Errorf("export %s reads back as %+v, %v", f, im, err)
		}
	}

	// B asks back two people; the engine pairs one with A's list.
	resp, page = s.upload(t, delegB, id, "asked", "asked.csv", "id,family_name,given_name,patronymic,birth_date\nB-1,Зюзюкевич,Александр,Николаевич,1990-07-02\nB-2,Неіснуючий,Петро,,\n")
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "Import all 2 rows") {
		t.Fatalf("check of B's list: %d\n%.400s", resp.StatusCode, page)
	}
	if resp := s.post(t, delegB, "/exchanges/"+id+"/import", url.Values{"draft": {draftRE.FindStringSubmatch(page)[1]}, "mode": {"all"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("import of B's list: %d", resp.StatusCode)
	}
	if resp := s.post(t, s.signedIn(t, "observer"), "/exchanges/"+id+"/reconcile", url.Values{"asking_party": {s.PartyB.ID}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("the observer runs the engine: %d", resp.StatusCode)
	}
	resp = s.post(t, delegA, "/exchanges/"+id+"/reconcile", url.Values{"asking_party": {s.PartyB.ID}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/exchanges/"+id+"/pairs/"+s.PartyB.ID {
		t.Fatalf("reconcile: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, page = s.get(t, delegA, "/exchanges/"+id+"/pairs/"+s.PartyB.ID)
	for _, want := range []string{"Matched by the engine", "family name: same key", "Неіснуючий", "Same person: confirm"} {
		if !strings.Contains(page, want) {
			t.Errorf("the pairs page lacks %q", want)
		}
	}
	pairs, _, err := s.DB.Pairs(ctx, s.DelegA, id, s.PartyB.ID)
	if err != nil || len(pairs) != 1 {
		t.Fatalf("pairs %+v %v", pairs, err)
	}
	pair := pairs[0].ID
	before = records()
	resp = s.post(t, delegB, "/pairs/"+pair+"/answer", url.Values{"answer": {"reject"}})
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a rejection without a reason: %d", resp.StatusCode)
	}
	if records() != before+2 { // the page shown again records its views of both lists
		t.Errorf("a refused answer: %d entries", records()-before)
	}
	for _, c := range []*http.Client{delegA, delegB} {
		if resp := s.post(t, c, "/pairs/"+pair+"/answer", url.Values{"answer": {"confirm"}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("confirm: %d", resp.StatusCode)
		}
	}
	if pairs, _, _ := s.DB.Pairs(ctx, s.DelegA, id, s.PartyB.ID); pairs[0].Status() != parley.PairConfirmed {
		t.Errorf("after both confirmed: %s", pairs[0].Status())
	}

	// The access log: the heads read it, a delegate does not.
	resp, page = s.get(t, headA, "/p/"+s.Process.ID+"/access-log")
	if resp.StatusCode != http.StatusOK || strings.Count(page, "<tr>") < 8 || !strings.Contains(page, "Export (xlsx)") || !strings.Contains(page, "Import (csv)") {
		t.Errorf("the access log: %d\n%.600s", resp.StatusCode, page)
	}
	if resp, _ := s.get(t, delegA, "/p/"+s.Process.ID+"/access-log"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a delegate reads the access log: %d", resp.StatusCode)
	}
}

// TestExchangePairsPages: a long review is shown a page at a time, of one
// kind or of both, with the pages linked; an answer comes back to the
// page it was given on.
func TestExchangePairsPages(t *testing.T) {
	s := newSite(t)
	ctx := t.Context()
	id := s.Must(t, s.Mediator, parley.CreateExchange{GroupID: s.Groups[parley.GroupHumanitarian].ID, Parties: []string{s.PartyA.ID, s.PartyB.ID},
		ExchangeTerms: parley.ExchangeTerms{Title: "60 for 60", Total: 60, Stages: 1, Categories: []parley.ExchangeCategoryTerms{{Code: "wounded", Name: "Wounded", Count: 60}}}},
	)[0].Data.(*parley.ExchangeCreated).ExchangeID
	// 60 people, each with a surname of their own, asked and held alike.
	syll := []string{"Бо", "Ва", "Гу", "Да", "Же", "Зо", "Ки", "Лу"}
	var asked, held []parley.Person
	for i := range 60 {
		p := parley.Person{FamilyName: syll[i%8] + strings.ToLower(syll[i/8]) + "ченко", GivenName: "Петро", Patronymic: "Іванович",
			BirthDate: parley.PartialDate{Year: 1970 + i%30, Month: 1 + i%12, Day: 1 + i%28}}
		p.Ref = fmt.Sprintf("A-%d", i)
		asked = append(asked, p)
		p.Ref = fmt.Sprintf("B-%d", i)
		held = append(held, p)
	}
	s.Must(t, s.DelegA, parley.ImportPersons{ExchangeID: id, List: parley.ListAsked, Mode: parley.ImportAll, File: "a.csv", Format: "csv",
		SHA256: strings.Repeat("ab", 32), Rows: len(asked), Persons: asked})
	s.Must(t, s.DelegB, parley.ImportPersons{ExchangeID: id, List: parley.ListHeld, Mode: parley.ImportAll, File: "b.csv", Format: "csv",
		SHA256: strings.Repeat("cd", 32), Rows: len(held), Persons: held})
	if _, err := s.Service.Reconcile(ctx, s.Mediator, id, s.PartyA.ID); err != nil {
		t.Fatal(err)
	}
	pairs, _, err := s.DB.Pairs(ctx, s.Mediator, id, s.PartyA.ID)
	if err != nil || len(pairs) != 60 {
		t.Fatalf("%d pairs, %v", len(pairs), err)
	}
	delegA := s.signedIn(t, "delega")
	base := "/exchanges/" + id + "/pairs/" + s.PartyA.ID
	articles := regexp.MustCompile(`<article class="pair `)
	for _, tc := range []struct {
		name, query string
		want        int
		has, hasNot []string
	}{
		{"the first page", "", 50, []string{"1–50 of 60", `href="` + base + `?page=2#review"`, "All (60)", "Matched (60)", "Possible (0)"}, []string{`rel="prev"`}},
		{"the second page", "?page=2", 10, []string{"51–60 of 60", `href="` + base + `#review" rel="prev"`, `name="page" value="2"`}, []string{`rel="next"`}},
		{"a page past the last", "?page=9", 10, []string{"51–60 of 60"}, nil},
		{"the matches only", "?kind=match", 50, []string{`href="` + base + `?kind=match&amp;page=2#review"`, `name="kind" value="match"`}, nil},
		{"the possible pairs only", "?kind=possible", 0, []string{"Nothing awaits an answer."}, []string{`class="pager"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, page := s.get(t, delegA, base+tc.query)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%d", resp.StatusCode)
			}
			if got := len(articles.FindAllString(page, -1)); got != tc.want {
				t.Errorf("%d pairs shown, want %d", got, tc.want)
			}
			for _, w := range tc.has {
				if !strings.Contains(page, w) {
					t.Errorf("the page lacks %s", w)
				}
			}
			for _, w := range tc.hasNot {
				if strings.Contains(page, w) {
					t.Errorf("the page has %s", w)
				}
			}
		})
	}
	// An answer given on the second page of the matches comes back there.
	resp := s.post(t, delegA, "/pairs/"+pairs[0].ID+"/answer", url.Values{"answer": {"confirm"}, "kind": {"match"}, "page": {"2"}})
	if want := base + "?kind=match&page=2#pair-" + pairs[0].ID; resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != want {
		t.Errorf("the answer: %d to %s, want %s", resp.StatusCode, resp.Header.Get("Location"), want)
	}
}
