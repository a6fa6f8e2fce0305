package web_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/web"
)

// TestRepatriationInPages takes a person home through the pages: the
// observer's interview, the holding side's fitness and hand-over, the
// mediator's assignment, the receiving side's arrival; the stage cannot
// be finalised without parity, the error shown beside the form, until
// both heads agree an exception.
func TestRepatriationInPages(t *testing.T) {
	s := newSite(t)
	ctx := t.Context()
	id := s.Must(t, s.Mediator, parley.CreateExchange{GroupID: s.Groups[parley.GroupHumanitarian].ID, Parties: []string{s.PartyA.ID, s.PartyB.ID},
		ExchangeTerms: parley.ExchangeTerms{Title: "1 for 1", Total: 1, Stages: 1, Categories: []parley.ExchangeCategoryTerms{{Code: "wounded", Name: "Wounded", Count: 1}}}},
	)[0].Data.(*parley.ExchangeCreated).ExchangeID
	s.Must(t, s.Mediator, parley.PlanStage{ExchangeID: id, Date: "2026-12-01", Counts: []parley.StageCount{{Category: "wounded", Count: 1}}})
	s.Must(t, s.DelegA, parley.ImportPersons{ExchangeID: id, List: parley.ListAsked, Mode: parley.ImportAll, File: "a.csv", Format: "csv",
		SHA256: strings.Repeat("ab", 32), Rows: 1, Persons: []parley.Person{{Ref: "1", FamilyName: "Зюзюкевич", GivenName: "Олександр", Category: "wounded",
			Patronymic: "Миколайович", BirthDate: parley.PartialDate{Year: 1990, Month: 7, Day: 2}}}})
	s.Must(t, s.DelegB, parley.ImportPersons{ExchangeID: id, List: parley.ListHeld, Mode: parley.ImportAll, File: "b.csv", Format: "csv",
		SHA256: strings.Repeat("cd", 32), Rows: 1, Persons: []parley.Person{{Ref: "R1", FamilyName: "Зюзюкевич", GivenName: "Александр",
			Patronymic: "Николаевич", BirthDate: parley.PartialDate{Year: 1990, Month: 7, Day: 2}}}})
	if _, err := s.Service.Reconcile(ctx, s.Mediator, id, s.PartyA.ID); err != nil {
		t.Fatal(err)
	}
	pairs, _, err := s.DB.Pairs(ctx, s.Mediator, id, s.PartyA.ID)
	if err != nil || len(pairs) != 1 {
		t.Fatalf("pairs %+v %v", pairs, err)
	}
	pair := pairs[0].ID
	s.Must(t, s.DelegA, parley.AnswerPair{PairID: pair, Confirmed: true})
	s.Must(t, s.DelegB, parley.AnswerPair{PairID: pair, Confirmed: true})

	obs, med, delegA, delegB := s.signedIn(t, "observer"), s.signedIn(t, "mediator"), s.signedIn(t, "delega"), s.signedIn(t, "delegb")
	people := "/exchanges/" + id + "/people/" + s.PartyA.ID
	_, page := s.get(t, obs, people)
	if !strings.Contains(page, "Зюзюкевич") || !strings.Contains(page, "Wishes to go home") || strings.Contains(page, ">Assign<") {
		t.Fatalf("the observer's page:\n%.600s", page)
	}
	step := func(c *http.Client, form url.Values, want int) string {
		t.Helper()
		resp := s.post(t, c, "/pairs/"+pair+"/step", form)
		if resp.StatusCode != want {
			t.Fatalf("%v: %d, want %d", form, resp.StatusCode, want)
		}
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	// Assigning before the interview is refused beside the person.
	if page := step(med, url.Values{"act": {"assign"}, "stage": {"1"}}, http.StatusConflict); !strings.Contains(page, "has not interviewed") {
		t.Errorf("the refusal is not shown:\n%.300s", page)
	}
	step(obs, url.Values{"act": {"interview"}, "yes": {"yes"}, "note": {"He asked for his mother to be told."}}, http.StatusSeeOther)
	step(delegA, url.Values{"act": {"fitness"}, "yes": {"yes"}}, http.StatusForbidden) // A does not hold him
	step(delegB, url.Values{"act": {"fitness"}, "yes": {"yes"}}, http.StatusSeeOther)
	step(med, url.Values{"act": {"assign"}, "stage": {"1"}}, http.StatusSeeOther)
	step(delegB, url.Values{"act": {"handover"}, "no_active_service": {"1"}}, http.StatusSeeOther)
	step(delegA, url.Values{"act": {"receive"}}, http.StatusSeeOther)
	_, page = s.get(t, delegA, people)
	if !strings.Contains(page, "Received") || !strings.Contains(page, "not to active service") {
		t.Errorf("after the arrival:\n%.800s", page)
	}

	// Parity: A received one of one, B none of one.
	_, page = s.get(t, med, "/exchanges/"+id)
	if !strings.Contains(page, "1 / 1") || !strings.Contains(page, "0 / 1") {
		t.Errorf("the progress does not show 1 / 1 and 0 / 1")
	}
	if _, page := s.get(t, delegA, "/g/"+s.Groups[parley.GroupHumanitarian].ID); !strings.Contains(page, "<td>1 / 1</td><td>0 / 1</td>") {
		t.Errorf("the group's page does not show the stage's progress")
	}
	resp := s.post(t, med, "/exchanges/"+id+"/stages/1/finalise", nil)
	if resp.StatusCode != http.StatusConflict {
		t.Fatalf("finalise without parity: %d", resp.StatusCode)
	}
	for _, head := range []string{"heada", "headb"} {
		if resp := s.post(t, s.signedIn(t, head), "/exchanges/"+id+"/stages/1/exception", url.Values{"reason": {"B's man is held elsewhere; next stage."}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("%s's exception: %d", head, resp.StatusCode)
		}
	}
	if resp := s.post(t, med, "/exchanges/"+id+"/stages/1/finalise", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("finalise with the exception: %d", resp.StatusCode)
	}
	x, err := s.DB.Exchange(ctx, s.Mediator, id)
	if err != nil || !x.Stages[0].Finalised {
		t.Errorf("the stage is not finalised: %+v %v", x.Stages, err)
	}
}

// TestRepatriationAPI: the same life cycle through the JSON API, with the
// people and the stages' progress read back.
func TestRepatriationAPI(t *testing.T) {
	s := newSite(t)
	ctx := t.Context()
	id := s.Must(t, s.Mediator, parley.CreateExchange{GroupID: s.Groups[parley.GroupHumanitarian].ID, Parties: []string{s.PartyA.ID, s.PartyB.ID},
		ExchangeTerms: parley.ExchangeTerms{Title: "1 for 1", Total: 1, Stages: 1, Categories: []parley.ExchangeCategoryTerms{{Code: "wounded", Name: "Wounded", Count: 1}}}},
	)[0].Data.(*parley.ExchangeCreated).ExchangeID
	s.Must(t, s.Mediator, parley.PlanStage{ExchangeID: id, Date: "2026-12-01", Counts: []parley.StageCount{{Category: "wounded", Count: 1}}})
	person := func(ref, fam, giv, pat string) parley.Person {
		return parley.Person{Ref: ref, FamilyName: fam, GivenName: giv, Patronymic: pat, Category: "wounded", BirthDate: parley.PartialDate{Year: 1990, Month: 7, Day: 2}}
	}
	imp := func(a parley.Actor, list parley.ListKind, p parley.Person) {
		s.Must(t, a, parley.ImportPersons{ExchangeID: id, List: list, Mode: parley.ImportAll, File: "x.csv", Format: "csv", SHA256: strings.Repeat("ab", 32), Rows: 1, Persons: []parley.Person{p}})
	}
	imp(s.DelegA, parley.ListAsked, person("1", "Зюзюкевич", "Олександр", "Миколайович"))
	imp(s.DelegB, parley.ListHeld, person("R1", "Зюзюкевич", "Александр", "Николаевич"))
	imp(s.DelegB, parley.ListAsked, person("B1", "Петров", "Пётр", "Петрович"))
	imp(s.DelegA, parley.ListHeld, person("A1", "PETROV", "Petr", "Petrovich"))
	var pairs []string
	for _, side := range []string{s.PartyA.ID, s.PartyB.ID} {
		if _, err := s.Service.Reconcile(ctx, s.Mediator, id, side); err != nil {
			t.Fatal(err)
		}
		ps, _, _ := s.DB.Pairs(ctx, s.Mediator, id, side)
		if len(ps) != 1 {
			t.Fatalf("pairs of %s: %+v", side, ps)
		}
		s.Must(t, s.DelegA, parley.AnswerPair{PairID: ps[0].ID, Confirmed: true})
		s.Must(t, s.DelegB, parley.AnswerPair{PairID: ps[0].ID, Confirmed: true})
		pairs = append(pairs, ps[0].ID)
	}
	call := func(c *http.Client, method, path string, in any) (int, []byte) {
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
		return resp.StatusCode, raw
	}
	obs, med, delegA, delegB := s.signedIn(t, "observer"), s.signedIn(t, "mediator"), s.signedIn(t, "delega"), s.signedIn(t, "delegb")
	steps := []struct {
		c    *http.Client
		pair int
		body map[string]any
		want int
	}{
		{delegA, 0, map[string]any{"act": "interview", "yes": true}, http.StatusForbidden},
		{obs, 0, map[string]any{"act": "interview", "yes": true}, http.StatusCreated},
		{obs, 1, map[string]any{"act": "interview", "yes": true}, http.StatusCreated},
		{delegB, 0, map[string]any{"act": "fitness", "yes": true}, http.StatusCreated},
		{delegA, 1, map[string]any{"act": "fitness", "yes": true}, http.StatusCreated},
		{med, 0, map[string]any{"act": "assign", "stage": 1}, http.StatusCreated},
		{med, 1, map[string]any{"act": "assign", "stage": 1}, http.StatusCreated},
		{delegA, 0, map[string]any{"act": "receive"}, http.StatusConflict},
		{delegB, 0, map[string]any{"act": "handover", "no_active_service": true}, http.StatusCreated},
		{delegA, 1, map[string]any{"act": "handover"}, http.StatusCreated},
		{delegA, 0, map[string]any{"act": "receive"}, http.StatusCreated},
		{delegB, 1, map[string]any{"act": "receive"}, http.StatusCreated},
	}
	for i, st := range steps {
		if code, raw := call(st.c, "POST", "/pairs/"+pairs[st.pair]+"/steps", st.body); code != st.want {
			t.Fatalf("step %d %v: %d %s, want %d", i, st.body, code, raw, st.want)
		}
	}
	code, raw := call(delegB, "GET", "/exchanges/"+id+"/people/"+s.PartyA.ID, nil)
	var people []web.APICase
	if code != http.StatusOK || json.Unmarshal(raw, &people) != nil || len(people) != 1 || people[0].Step != parley.StepReceived ||
		!people[0].Case.NoActive || people[0].Asked.FamilyName != "Зюзюкевич" || people[0].Held.GivenName != "Александр" {
		t.Fatalf("people: %d %s", code, raw)
	}
	code, raw = call(delegA, "GET", "/exchanges/"+id+"/progress", nil)
	var stages []web.APIStage
	if code != http.StatusOK || json.Unmarshal(raw, &stages) != nil || len(stages) != 1 || len(stages[0].Parity) != 0 ||
		stages[0].Received[s.PartyA.ID]["wounded"] != 1 || stages[0].Received[s.PartyB.ID]["wounded"] != 1 {
		t.Fatalf("progress: %d %s", code, raw)
	}
	// Parity is kept: the mediator finalises, once.
	if code, raw := call(delegA, "POST", "/exchanges/"+id+"/stages/1/finalise", nil); code != http.StatusForbidden {
		t.Errorf("a delegate finalises: %d %s", code, raw)
	}
	if code, raw := call(med, "POST", "/exchanges/"+id+"/stages/1/finalise", nil); code != http.StatusCreated {
		t.Fatalf("finalise: %d %s", code, raw)
	}
	if code, _ := call(med, "POST", "/exchanges/"+id+"/stages/1/finalise", nil); code != http.StatusConflict {
		t.Errorf("a second finalisation: %d", code)
	}
	if code, raw := call(s.signedIn(t, "heada"), "POST", "/exchanges/"+id+"/stages/1/exception", map[string]string{"reason": "late"}); code != http.StatusConflict {
		t.Errorf("an exception on a finalised stage: %d %s", code, raw)
	}
}
