package web_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/parley-talks/parley"
)

// TestExchangePages: the mediator records an exchange agreement on the
// group's page of exchanges, plans a stage and edits it; each bad form
// comes back with its complaint beside the field that caused it and
// writes nothing; the parties read the agreement and see no forms; a
// delegate outside the group does not learn it exists.
func TestExchangePages(t *testing.T) {
	s := newSite(t)
	med, head := s.signedIn(t, "mediator"), s.signedIn(t, "heada")
	g := s.Groups[parley.GroupHumanitarian].ID
	ctx := t.Context()
	body := func(resp *http.Response) string {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return string(b)
	}
	records := func() int64 {
		n, err := s.DB.LastSeq(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}

	resp, page := s.get(t, med, "/g/"+g+"/exchanges")
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "No exchange agreement yet") || !strings.Contains(page, `action="/g/`+g+`/exchanges"`) ||
		!strings.Contains(page, `value="wounded"`) {
		t.Fatalf("the empty list with the mediator's form: %d\n%.400s", resp.StatusCode, page)
	}
	if _, page := s.get(t, head, "/g/"+g+"/exchanges"); strings.Contains(page, `action="/g/`+g+`/exchanges"`) {
		t.Error("a head is offered the form")
	}
	if resp, _ := s.get(t, head, "/g/"+s.Groups[parley.GroupMilitary].ID+"/exchanges"); resp.StatusCode != http.StatusOK {
		t.Errorf("a head reads the military group's exchanges: %d", resp.StatusCode)
	}
	if resp, _ := s.get(t, s.signedIn(t, "delega"), "/g/"+s.Groups[parley.GroupMilitary].ID+"/exchanges"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a delegate outside the military group: %d, want 404", resp.StatusCode)
	}

	// A bad form: a duplicate code, a count that is not a number, a total
	// that is not the sum. Nothing is recorded.
	form := url.Values{"party_a": {s.PartyA.ID}, "party_b": {s.PartyB.ID}, "title": {"1,200 for 1,200"}, "total": {"1000"}, "stages": {"2"},
		"categories.0.code": {"wounded"}, "categories.0.name": {"Seriously wounded and sick"}, "categories.0.count": {"120"},
		"categories.1.code": {""}, "categories.1.name": {""}, "categories.1.count": {""},
		"categories.2.code": {"wounded"}, "categories.2.name": {"Young"}, "categories.2.count": {"lots"},
		"categories.3.code": {"others"}, "categories.3.name": {"Others"}, "categories.3.count": {"1080"}}
	before := records()
	resp = s.post(t, med, "/g/"+g+"/exchanges", form)
	page = body(resp)
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("a bad form: %d", resp.StatusCode)
	}
	// The empty row is dropped: the complaints name the rows as shown again.
	for _, id := range []string{`id="err-categories.1.code"`, `id="err-categories.1.count"`, `id="err-total"`} {
		if !strings.Contains(page, id) {
			t.Errorf("the form lacks %s", id)
		}
	}
	if !strings.Contains(page, `value="lots"`) || !strings.Contains(page, "must be a whole number") {
		t.Error("the form does not give back what was sent, with the complaint")
	}
	if records() != before {
		t.Error("a bad form wrote to the record")
	}

	form = url.Values{"party_a": {s.PartyA.ID}, "party_b": {s.PartyB.ID}, "title": {"1,200 for 1,200"}, "total": {"1200"}, "stages": {"2"},
		"categories.0.code": {"wounded"}, "categories.0.name": {"Seriously wounded and sick"}, "categories.0.count": {"120"},
		"categories.1.code": {"others"}, "categories.1.name": {"Others"}, "categories.1.count": {"1080"}}
	resp = s.post(t, med, "/g/"+g+"/exchanges", form)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("record the agreement: %d %.400s", resp.StatusCode, body(resp))
	}
	x := resp.Header.Get("Location")
	if resp := s.post(t, head, "/g/"+g+"/exchanges", form); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a head records an agreement: %d", resp.StatusCode)
	}

	// A stage beyond a category's number, then a good one, then its edit.
	before = records()
	resp = s.post(t, med, x+"/plan", url.Values{"date": {"2025-08-01"}, "counts.wounded": {"121"}, "counts.others": {"100"}})
	page = body(resp)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, "more than the 120 agreed") || !strings.Contains(page, `value="121"`) {
		t.Errorf("too many wounded: %d", resp.StatusCode)
	}
	resp = s.post(t, med, x+"/plan", url.Values{"date": {"1 August"}, "counts.wounded": {"120"}})
	if page = body(resp); resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, "must be a date as YYYY-MM-DD") {
		t.Errorf("a date that is not one: %d", resp.StatusCode)
	}
	if records() != before {
		t.Error("a refused stage wrote to the record")
	}
	if resp := s.post(t, med, x+"/plan", url.Values{"date": {"2025-08-01"}, "counts.wounded": {"120"}, "counts.others": {"270"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("plan a stage: %d %.400s", resp.StatusCode, body(resp))
	}
	if resp := s.post(t, head, x+"/plan", url.Values{"date": {"2025-08-01"}, "counts.others": {"1"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a head plans a stage: %d", resp.StatusCode)
	}
	resp = s.post(t, med, x+"/stage", url.Values{"number": {"1"}, "date": {"2025-08-02"}, "counts.wounded": {"120"}, "counts.others": {"1081"}})
	if page = body(resp); resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, "more than the 1080 agreed") {
		t.Errorf("a stage edited beyond the category: %d", resp.StatusCode)
	}
	if resp := s.post(t, med, x+"/stage", url.Values{"number": {"1"}, "date": {"2025-08-02"}, "counts.wounded": {"100"}, "counts.others": {"290"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit the stage: %d %.400s", resp.StatusCode, body(resp))
	}

	// The terms: a category below what its stage carries comes back.
	resp = s.post(t, med, x+"/terms", url.Values{"title": {"1,200 for 1,200"}, "total": {"1200"}, "stages": {"2"},
		"categories.0.code": {"wounded"}, "categories.0.name": {"Wounded"}, "categories.0.count": {"90"},
		"categories.1.code": {"others"}, "categories.1.name": {"Others"}, "categories.1.count": {"1110"}})
	if page = body(resp); resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, `id="err-categories.0.count"`) {
		t.Errorf("terms below the stage: %d", resp.StatusCode)
	}

	// The page as the parties see it: terms, the stage, progress at zero.
	_, page = s.get(t, head, x)
	for _, want := range []string{"1,200 for 1,200", "Seriously wounded and sick", "2025", ">390<", "0 / 100", "0 / 390", "1 of 2 stages planned"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if strings.Contains(page, `action="`+x+`/plan"`) || strings.Contains(page, `action="`+x+`/terms"`) {
		t.Error("a head is offered the mediator's forms")
	}
	if _, page := s.get(t, med, x); !strings.Contains(page, `action="`+x+`/plan"`) || !strings.Contains(page, `action="`+x+`/stage"`) {
		t.Error("the mediator is not offered the forms")
	}
	if _, page := s.get(t, head, "/g/"+g); !strings.Contains(page, `href="`+x+`"`) || !strings.Contains(page, `href="/g/`+g+`/exchanges"`) {
		t.Error("the group's page does not link the agreement")
	}
	if resp, _ := s.get(t, s.signedIn(t, "outsider"), x); resp.StatusCode != http.StatusNotFound {
		t.Errorf("an outsider reads the agreement: %d", resp.StatusCode)
	}
}

// TestExchangeAPI runs an exchange through the JSON API: created, its
// stage planned and edited, its terms changed, a bad stage refused with
// the field named, and the list and the agreement read back.
func TestExchangeAPI(t *testing.T) {
	s := newSite(t)
	call := func(c *http.Client, method, path string, in, out any) (int, map[string]any) {
		t.Helper()
		return s.apiCall(t, c, method, path, in, out)
	}
	med, head := s.signedIn(t, "mediator"), s.signedIn(t, "heada")
	g := s.Groups[parley.GroupHumanitarian].ID
	terms := map[string]any{"title": "All for all", "all_for_all": true, "total": 0, "stages": 2,
		"categories": []map[string]any{{"code": "wounded", "name": "Wounded", "count": 0}, {"code": "civilians", "name": "Civilians", "count": 0}}}
	create := map[string]any{"parties": []string{s.PartyA.ID, s.PartyB.ID}}
	for k, v := range terms {
		create[k] = v
	}
	if st, _ := call(head, "POST", "/groups/"+g+"/exchanges", create, nil); st != http.StatusForbidden {
		t.Errorf("a head creates: %d", st)
	}
	var created struct{ ID string }
	if st, e := call(med, "POST", "/groups/"+g+"/exchanges", create, &created); st != http.StatusCreated {
		t.Fatalf("create: %d %v", st, e)
	}
	stage := map[string]any{"date": "2025-09-01", "counts": []map[string]any{{"category": "wounded", "count": 500}}}
	if st, e := call(med, "POST", "/exchanges/"+created.ID+"/stages", stage, nil); st != http.StatusCreated {
		t.Fatalf("plan: %d %v", st, e)
	}
	bad := map[string]any{"date": "2025-09-01", "counts": []map[string]any{{"category": "young", "count": 5}}}
	if st, e := call(med, "PUT", "/exchanges/"+created.ID+"/stages/1", bad, nil); st != http.StatusBadRequest || e["fields"].(map[string]any)["counts.young"] == nil {
		t.Errorf("an unknown category: %d %v", st, e)
	}
	stage["date"] = "2025-09-02"
	if st, e := call(med, "PUT", "/exchanges/"+created.ID+"/stages/1", stage, nil); st != http.StatusOK {
		t.Errorf("edit the stage: %d %v", st, e)
	}
	terms["title"] = "All for all, in two stages"
	if st, e := call(med, "PUT", "/exchanges/"+created.ID+"/terms", terms, nil); st != http.StatusOK {
		t.Errorf("edit the terms: %d %v", st, e)
	}
	var x parley.Exchange
	if st, e := call(head, "GET", "/exchanges/"+created.ID, nil, &x); st != http.StatusOK || x.Terms.Title != "All for all, in two stages" || len(x.Stages) != 1 ||
		x.Stages[0].Date != "2025-09-02" || !x.Terms.AllForAll {
		t.Errorf("get: %d %v %+v", st, e, x)
	}
	var xs []parley.Exchange
	if st, e := call(head, "GET", "/groups/"+g+"/exchanges", nil, &xs); st != http.StatusOK || len(xs) != 1 {
		t.Errorf("list: %d %v %d", st, e, len(xs))
	}
	if st, _ := call(s.signedIn(t, "outsider"), "GET", "/exchanges/"+created.ID, nil, nil); st != http.StatusNotFound {
		t.Errorf("an outsider reads: %d", st)
	}
}
