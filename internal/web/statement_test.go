package web_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/parley-talks/parley"
)

// TestStatementInPages: a joint statement drafted on its page, each
// complaint beside its field; approved by both heads on the words they
// read; an approval of older words refused; released by the server.
func TestStatementInPages(t *testing.T) {
	s := newSite(t)
	med, headA, headB := s.signedIn(t, "mediator"), s.signedIn(t, "heada"), s.signedIn(t, "headb")
	path := "/p/" + s.Process.ID + "/statements"
	form := url.Values{"space": {s.GroupSpace(parley.GroupPolitical).ID}, "text_en": {"The parties agreed three working groups."}, "text_uk": {"Сторони домовилися про три групи."},
		"title_en": {"Joint statement"}, "figure_label": {"Prisoners returned"}, "figure_value": {"many"}, "figure_as_of": {"2026-06-02"}, "figure_lang": {"en"}}
	resp := s.post(t, med, path, form)
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), `id="err-figures"`) {
		t.Fatalf("a figure that is not a number: %d", resp.StatusCode)
	}
	form.Set("figure_value", "390")
	resp = s.post(t, med, path, form)
	b, _ = io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), `id="err-title.uk"`) {
		t.Fatalf("a Ukrainian text without its title: %d", resp.StatusCode)
	}
	form.Set("title_uk", "Спільна заява")
	resp = s.post(t, med, path, form)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("draft: %d", resp.StatusCode)
	}
	id := strings.TrimPrefix(resp.Header.Get("Location"), "/statements/")
	st, err := s.DB.Statement(t.Context(), s.HeadA, id)
	if err != nil || len(st.Figures) != 1 || st.Figures[0].Value != 390 {
		t.Fatalf("statement %+v %v", st, err)
	}
	if resp := s.post(t, headA, "/statements/"+id+"/approve", url.Values{"hash": {st.Hash}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("A approves: %d", resp.StatusCode)
	}
	old := st.Hash
	edit := url.Values{"version": {"1"}, "text_en": {"The parties agreed three online working groups."}, "title_en": {"Joint statement"},
		"text_uk": {"Сторони домовилися про три групи."}, "title_uk": {"Спільна заява"}}
	if resp := s.post(t, med, "/statements/"+id+"/edit", edit); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit: %d", resp.StatusCode)
	}
	resp = s.post(t, headB, "/statements/"+id+"/approve", url.Values{"hash": {old}})
	b, _ = io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(string(b), "changed since you read it") {
		t.Errorf("approving older words: %d", resp.StatusCode)
	}
	st, _ = s.DB.Statement(t.Context(), s.HeadA, id)
	for _, c := range []*http.Client{headA, headB} {
		if resp := s.post(t, c, "/statements/"+id+"/approve", url.Values{"hash": {st.Hash}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("approve: %d", resp.StatusCode)
		}
	}
	if n, err := s.WithClock(time.Now).PublishDue(t.Context()); n != 1 || err != nil {
		t.Fatalf("publish: %d %v", n, err)
	}
	_, page := s.get(t, headB, "/statements/"+id)
	if !strings.Contains(page, "Published") || !strings.Contains(page, "/public/"+s.Process.ID) {
		t.Error("the page does not say the statement is published")
	}
	// A delegate does not approve for the party.
	st2 := s.Must(t, s.Mediator, parley.DraftStatement{SpaceID: s.GroupSpace(parley.GroupPolitical).ID,
		StatementInput: parley.StatementInput{Title: parley.Texts{parley.English: "T"}, Texts: parley.Texts{parley.English: "Text."}}})[0].Data.(*parley.StatementDrafted)
	if resp := s.post(t, s.signedIn(t, "delega"), "/statements/"+st2.StatementID+"/approve", url.Values{"hash": {st2.Hash}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a delegate approves: %d", resp.StatusCode)
	}
}
