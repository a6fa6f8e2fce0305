package web_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/roster"
	"github.com/parley-talks/parley/internal/web"
)

// TestExchangeListsAPI runs the lists of an exchange through the JSON API:
// a file is checked (every bad cell named by row and column, nothing
// written), refused whole, refused to those who may not import, and its
// valid rows imported; the other side reads and exports the list in each
// format, each access recorded first; the engine pairs the lists, the
// pairs are read with their reasons and both people, and both sides
// answer; the access log is the heads' and not a delegate's, nor an
// outsider's to know of.
func TestExchangeListsAPI(t *testing.T) {
	s := newSite(t)
	ctx := t.Context()
	id := s.Must(t, s.Mediator, parley.CreateExchange{GroupID: s.Groups[parley.GroupHumanitarian].ID, Parties: []string{s.PartyA.ID, s.PartyB.ID},
		ExchangeTerms: parley.ExchangeTerms{Title: "3 for 3", Total: 3, Stages: 1, Categories: []parley.ExchangeCategoryTerms{{Code: "wounded", Name: "Wounded", Count: 3}}}},
	)[0].Data.(*parley.ExchangeCreated).ExchangeID
	delegA, delegB, headA := s.signedIn(t, "delega"), s.signedIn(t, "delegb"), s.signedIn(t, "heada")
	outsider := s.signedIn(t, "outsider")
	records := func() int64 {
		t.Helper()
		n, err := s.DB.LastSeq(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	// call sends in as JSON and returns the answer's status, headers and
	// body.
	call := func(c *http.Client, method, path string, in any) (int, http.Header, []byte) {
		t.Helper()
		var r io.Reader
		if in != nil {
			b, _ := json.Marshal(in)
			r = bytes.NewReader(b)
		}
		req, _ := http.NewRequest(method, s.srv.URL+"/api/v1"+path, r)
		req.Header.Set("Content-Type", "application/json")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header, raw
	}
	decode := func(raw []byte, out any) {
		t.Helper()
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%v: %s", err, raw)
		}
	}
	type report struct {
		web.ListImportReport
		Code   string                `json:"code"`
		Fields map[string]string     `json:"fields"`
		Report *web.ListImportReport `json:"report"`
	}
	importFile := func(c *http.Client, list, mode, name, content string) (int, report) {
		t.Helper()
		st, _, raw := call(c, "POST", "/exchanges/"+id+"/imports", map[string]string{"list": list, "mode": mode, "file_name": name,
			"content_base64": base64.StdEncoding.EncodeToString([]byte(content))})
		var r report
		decode(raw, &r)
		return st, r
	}

	// A file with a bad date, a row without a given name and a column
	// Parley does not know.
	held := "ref,family_name,given_name,patronymic,birth_date,category,notes\n" +
		"A-1,Зюзюкевич,Олександр,Миколайович,1990-07-02,wounded,\n" +
		"A-2,Шевченко,Тарас,,31.07.1985,,\n" +
		"A-3,Qwertyuk,,,1979,,\n" +
		"A-4,Бондаренко,Ігор,Петрович,,wounded,from the list of May\n"
	before := records()
	st, r := importFile(delegA, "held", "check", "held.csv", held)
	if st != http.StatusOK || r.Rows != 4 || r.Valid != 2 || r.Invalid != 2 || r.Format != "csv" || len(r.SHA256) != 64 || r.Seq != 0 {
		t.Fatalf("check: %d %+v", st, r)
	}
	cells := map[string]web.ListCellError{}
	for _, e := range r.Errors {
		cells[e.Column] = e
	}
	if e := cells["birth_date"]; e.Row != 3 || e.Col != "5" || e.Field != "birth_date" || !strings.Contains(e.Message, "31.07.1985") {
		t.Errorf("the bad date: %+v", e)
	}
	if e := cells["given_name"]; e.Row != 4 || e.Col != "3" || e.Message == "" {
		t.Errorf("the missing given name: %+v", e)
	}
	if len(r.Errors) != 2 || len(r.Ignored) != 1 || r.Ignored[0] != (web.ListColumn{Header: "notes", Col: "7"}) {
		t.Errorf("errors %+v, ignored %+v", r.Errors, r.Ignored)
	}
	if records() != before {
		t.Fatal("a check wrote to the record")
	}

	// Refusals: the whole of a file with bad rows (with its report), an
	// import by who may not, a body that is no base64, a file that is no
	// list. Nothing is written.
	if st, r := importFile(delegA, "held", "all", "held.csv", held); st != http.StatusBadRequest || r.Code != parley.EINVALID || r.Fields["file"] == "" ||
		r.Report == nil || r.Report.Invalid != 2 || len(r.Report.Errors) != 2 {
		t.Errorf("all rows of a file with bad ones: %d %+v", st, r)
	}
	for name, c := range map[string]*http.Client{"mediator": s.signedIn(t, "mediator"), "observer": s.signedIn(t, "observer")} {
		if st, _ := importFile(c, "held", "check", "held.csv", held); st != http.StatusForbidden {
			t.Errorf("the %s imports: %d", name, st)
		}
	}
	if st, _ := importFile(outsider, "held", "check", "held.csv", held); st != http.StatusNotFound {
		t.Errorf("an outsider imports: %d", st)
	}
	st, _, raw := call(delegA, "POST", "/exchanges/"+id+"/imports", map[string]string{"list": "held", "mode": "valid", "file_name": "held.csv", "content_base64": "not base64!"})
	if st != http.StatusBadRequest || !strings.Contains(string(raw), `"content_base64"`) {
		t.Errorf("not base64: %d %s", st, raw)
	}
	if st, r := importFile(delegA, "held", "valid", "held.pdf", "%PDF"); st != http.StatusBadRequest || r.Fields["file"] == "" {
		t.Errorf("a PDF: %d %+v", st, r)
	}
	if records() != before {
		t.Fatal("a refused import wrote to the record")
	}

	// The valid rows: the import and its line in the access log.
	st, r = importFile(delegA, "held", "valid", "held.csv", held)
	if st != http.StatusCreated || r.Seq != before+1 || r.Valid != 2 {
		t.Fatalf("import of the valid rows: %d %+v", st, r)
	}
	if got := records(); got != before+2 {
		t.Errorf("the import wrote %d entries, want the import and its access log line", got-before)
	}

	// The other side reads the list; the view is recorded first.
	list := "/exchanges/" + id + "/lists/" + s.PartyA.ID + "/held"
	before = records()
	st, h, raw := call(delegB, "GET", list, nil)
	var ps []parley.ListedPerson
	if decode(raw, &ps); st != http.StatusOK || len(ps) != 2 || ps[0].FamilyName != "Зюзюкевич" || ps[1].Patronymic != "Петрович" || ps[0].ID == "" {
		t.Fatalf("the list: %d %s", st, raw)
	}
	if h.Get("Cache-Control") != "no-store" {
		t.Errorf("the list may be cached: %q", h.Get("Cache-Control"))
	}
	if records() != before+1 {
		t.Error("the view was not recorded")
	}
	if st, _, _ := call(outsider, "GET", list, nil); st != http.StatusNotFound {
		t.Errorf("an outsider reads the list: %d", st)
	}
	if st, _, _ := call(delegB, "GET", "/exchanges/"+id+"/lists/"+s.PartyA.ID+"/both", nil); st != http.StatusBadRequest {
		t.Errorf("a list that is none: %d", st)
	}

	// Each format of export reads back; each export is recorded first.
	var xlsx []byte
	for _, f := range []struct{ format, ctype string }{
		{"csv", "text/csv; charset=utf-8"},
		{"hxl", "text/csv; charset=utf-8"},
		{"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
	} {
		before = records()
		st, h, raw := call(delegB, "GET", list+"/export?format="+f.format, nil)
		if st != http.StatusOK || h.Get("Content-Type") != f.ctype || !strings.HasPrefix(h.Get("Content-Disposition"), "attachment; filename=") {
			t.Fatalf("export %s: %d %s", f.format, st, raw)
		}
		format := roster.CSV
		if f.format == "xlsx" {
			format, xlsx = roster.XLSX, raw
		}
		im, err := roster.Read(bytes.NewReader(raw), format, "export."+f.format)
		if err != nil || len(im.Valid()) != 2 || im.Valid()[0].FamilyName != "Зюзюкевич" || im.Valid()[1].Patronymic != "Петрович" || im.HXL != (f.format == "hxl") {
			t.Errorf("export %s reads back as %+v, %v", f.format, im, err)
		}
		if records() != before+1 {
			t.Errorf("export %s was not recorded", f.format)
		}
	}
	// The exported workbook is a list file as good as any.
	if st, r := importFile(delegB, "held", "check", "theirs.xlsx", string(xlsx)); st != http.StatusOK || r.Format != "xlsx" || r.Valid != 2 || r.Invalid != 0 {
		t.Errorf("check of the exported workbook: %d %+v", st, r)
	}

	// B asks back two people, imported whole; the engine pairs one.
	if st, r := importFile(delegB, "asked", "all", "asked.csv", "id,family_name,given_name,patronymic,birth_date\nB-1,Зюзюкевич,Александр,Николаевич,1990-07-02\nB-2,Неіснуючий,Петро,,\n"); st != http.StatusCreated {
		t.Fatalf("import of B's list: %d %+v", st, r)
	}
	reconcile := "/exchanges/" + id + "/reconcile"
	if st, _, _ := call(s.signedIn(t, "observer"), "POST", reconcile, map[string]string{"asking_party": s.PartyB.ID}); st != http.StatusForbidden {
		t.Errorf("the observer runs the engine: %d", st)
	}
	if st, _, raw := call(delegA, "POST", reconcile, map[string]string{"asking_party": "nobody"}); st != http.StatusBadRequest || !strings.Contains(string(raw), "asking_party") {
		t.Errorf("a side that is none: %d %s", st, raw)
	}
	st, _, raw = call(delegA, "POST", reconcile, map[string]string{"asking_party": s.PartyB.ID})
	var run web.Reconciled
	if decode(raw, &run); st != http.StatusCreated || run.Matches+run.Possible != 1 || run.Unknown != 1 || run.Seq != records() {
		t.Fatalf("reconcile: %d %s", st, raw)
	}

	// The pairs, with the views of both lists recorded first.
	before = records()
	st, _, raw = call(delegA, "GET", "/exchanges/"+id+"/pairs/"+s.PartyB.ID, nil)
	var pr web.PairsReview
	if decode(raw, &pr); st != http.StatusOK || pr.AskingParty != s.PartyB.ID || pr.HoldingParty != s.PartyA.ID || len(pr.Pairs) != 1 || len(pr.Unknown) != 1 {
		t.Fatalf("pairs: %d %s", st, raw)
	}
	p := pr.Pairs[0]
	if p.Status != parley.PairOpen || len(p.Reasons) == 0 || p.Asked.Ref != "B-1" || p.Held.Ref != "A-1" || p.Asked.ID != p.AskedID || p.Held.ID != p.HeldID {
		t.Errorf("the pair: %+v", p)
	}
	if records() != before+2 {
		t.Errorf("reading the pairs wrote %d entries, want a view of each list", records()-before)
	}
	if st, _, _ := call(outsider, "GET", "/exchanges/"+id+"/pairs/"+s.PartyB.ID, nil); st != http.StatusNotFound {
		t.Errorf("an outsider reads the pairs: %d", st)
	}

	// The answers: a rejection needs its reason; the observer does not
	// answer; both sides confirm.
	answer := "/pairs/" + p.ID + "/answer"
	before = records()
	if st, _, raw := call(delegB, "POST", answer, map[string]any{"confirmed": false}); st != http.StatusBadRequest || !strings.Contains(string(raw), `"reason"`) {
		t.Errorf("a rejection without a reason: %d %s", st, raw)
	}
	if st, _, _ := call(s.signedIn(t, "observer"), "POST", answer, map[string]any{"confirmed": true}); st != http.StatusForbidden {
		t.Errorf("the observer answers: %d", st)
	}
	if st, _, _ := call(outsider, "POST", answer, map[string]any{"confirmed": true}); st != http.StatusNotFound {
		t.Errorf("an outsider answers: %d", st)
	}
	if records() != before {
		t.Fatal("a refused answer wrote to the record")
	}
	for _, c := range []*http.Client{delegA, delegB} {
		if st, _, raw := call(c, "POST", answer, map[string]any{"confirmed": true}); st != http.StatusCreated {
			t.Fatalf("confirm: %d %s", st, raw)
		}
	}
	_, _, raw = call(delegB, "GET", "/exchanges/"+id+"/pairs/"+s.PartyB.ID, nil)
	if decode(raw, &pr); len(pr.Pairs) != 1 || pr.Pairs[0].Status != parley.PairConfirmed || len(pr.Pairs[0].Answers) != 2 {
		t.Errorf("after both confirmed: %s", raw)
	}

	// The access log: the heads read it, a delegate may not, an outsider
	// does not learn of the process.
	logPath := "/processes/" + s.Process.ID + "/access-log"
	st, _, raw = call(headA, "GET", logPath, nil)
	var lines []web.AccessLogLine
	if decode(raw, &lines); st != http.StatusOK {
		t.Fatalf("the access log: %d %s", st, raw)
	}
	seen := map[string]int{}
	for _, l := range lines {
		seen[string(l.Access)+" "+l.Format]++
	}
	for _, want := range []string{"import csv", "view ", "export csv", "export hxl", "export xlsx"} {
		if seen[want] == 0 {
			t.Errorf("the access log lacks %q: %v", want, seen)
		}
	}
	if lines[0].Seq < lines[len(lines)-1].Seq || lines[0].Actor == "" {
		t.Errorf("the access log, newest first: %+v", lines)
	}
	if st, _, raw := call(headA, "GET", logPath+"?limit=2", nil); st != http.StatusOK || json.Unmarshal(raw, &lines) != nil || len(lines) != 2 {
		t.Errorf("two lines: %d %s", st, raw)
	}
	if st, _, _ := call(delegA, "GET", logPath, nil); st != http.StatusForbidden {
		t.Errorf("a delegate reads the access log: %d", st)
	}
	if st, _, _ := call(outsider, "GET", logPath, nil); st != http.StatusNotFound {
		t.Errorf("an outsider reads the access log: %d", st)
	}

	// The import's body may carry a file of the largest size in base64.
	resp, err := http.Get(s.srv.URL + "/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct {
		Paths map[string]map[string]struct {
			RequestBody struct {
				Content map[string]struct {
					Schema struct {
						Ref string `json:"$ref"`
					} `json:"schema"`
				} `json:"content"`
			} `json:"requestBody"`
		} `json:"paths"`
		Components struct {
			Schemas map[string]struct {
				Properties map[string]struct {
					MaxLength int `json:"maxLength"`
				} `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	ref := doc.Paths["/api/v1/exchanges/{id}/imports"]["post"].RequestBody.Content["application/json"].Schema.Ref
	got := doc.Components.Schemas[strings.TrimPrefix(ref, "#/components/schemas/")].Properties["content_base64"].MaxLength
	if want := (web.MaxListFile + 2) / 3 * 4; got != want {
		t.Errorf("content_base64 has maxLength %d, want %d (MaxListFile in base64)", got, want)
	}
}
