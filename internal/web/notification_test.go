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

// TestNotificationPages: the group's page of notifications is empty with
// a useful sentence; a side's delegate notifies; too little notice comes
// back with the notice required and the earliest start beside the start,
// a missing route beside the route, and nothing recorded; the other side
// questions, the notifier answers, the other side acknowledges; the
// mediator sets the notice period and no one else may.
func TestNotificationPages(t *testing.T) {
	s := newSite(t)
	med, delegA, headB := s.signedIn(t, "mediator"), s.signedIn(t, "delega"), s.signedIn(t, "headb")
	g := s.Groups[parley.GroupHumanitarian].ID
	ctx := t.Context()
	records := func() int64 {
		n, err := s.DB.LastSeq(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if resp, page := s.get(t, med, "/g/"+g+"/notifications"); resp.StatusCode != http.StatusOK || !strings.Contains(page, "No notifications yet") ||
		strings.Contains(page, `action="/g/`+g+`/notifications"`) || !strings.Contains(page, `action="/g/`+g+`/notice-period"`) {
		t.Fatalf("the mediator's empty page: %d\n%.600s", resp.StatusCode, page)
	}
	if _, page := s.get(t, delegA, "/g/"+g); !strings.Contains(page, `/g/`+g+`/notifications"`) {
		t.Error("the group's page has no link to its notifications")
	}
	if resp, _ := s.get(t, s.signedIn(t, "outsider"), "/g/"+g+"/notifications"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("an outsider: %d", resp.StatusCode)
	}

	kyiv, _ := time.LoadLocation("Europe/Kyiv")
	at := func(d time.Duration) string { return time.Now().Add(d).In(kyiv).Format("2006-01-02T15:04") }
	form := url.Values{"kind": {"evacuation"}, "route": {""}, "starts": {at(2 * time.Hour)}, "ends": {at(8 * time.Hour)}, "time_zone": {"Europe/Kyiv"},
		"purpose": {"Evacuation of the wounded"}, "vehicles": {"3"}, "people": {"many"},
		"route_shapes": {`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"route","kind":"segment"},"geometry":{"type":"LineString","coordinates":[[35.2,47.5],[35.1,47.8]]}}]}`}}
	before := records()
	resp := s.post(t, delegA, "/g/"+g+"/notifications", form)
	b, _ := io.ReadAll(resp.Body)
	page := string(b)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, `id="err-people"`) || records() != before {
		t.Fatalf("a count that is not a number: %d\n%s", resp.StatusCode, page)
	}
	form.Set("people", "40")
	resp = s.post(t, delegA, "/g/"+g+"/notifications", form)
	b, _ = io.ReadAll(resp.Body)
	page = string(b)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, `id="err-route"`) || !strings.Contains(page, ">Evacuation of the wounded<") {
		t.Fatalf("no route: %d\n%s", resp.StatusCode, page)
	}
	form.Set("route", "From Kamianske to Zaporizhzhia")
	resp = s.post(t, delegA, "/g/"+g+"/notifications", form)
	b, _ = io.ReadAll(resp.Body)
	page = string(b)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, `id="err-starts"`) || !strings.Contains(page, "requires 24 hours") ||
		!strings.Contains(page, "or later") || !strings.Contains(page, "<details class=\"form-box\" open>") {
		t.Fatalf("too little notice: %d\n%s", resp.StatusCode, page)
	}
	if records() != before {
		t.Error("a refused notification was recorded")
	}
	if resp := s.post(t, med, "/g/"+g+"/notifications", form); resp.StatusCode != http.StatusForbidden {
		t.Errorf("the mediator notifies: %d", resp.StatusCode)
	}
	form.Set("starts", at(30*time.Hour))
	form.Set("ends", at(36*time.Hour))
	if resp := s.post(t, delegA, "/g/"+g+"/notifications", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("notify: %d", resp.StatusCode)
	}
	ns, err := s.DB.Notifications(ctx, s.HeadB, g)
	if err != nil || len(ns) != 1 || ns[0].ToParty != s.PartyB.ID || len(ns[0].Points) != 2 || ns[0].TimeZone != "Europe/Kyiv" || ns[0].People != 40 {
		t.Fatalf("recorded %+v %v", ns, err)
	}
	id := ns[0].ID
	_, page = s.get(t, headB, "/g/"+g+"/notifications")
	if !strings.Contains(page, "/notifications/"+id+"/acknowledge") || !strings.Contains(page, "/notifications/"+id+"/question") ||
		strings.Contains(page, "/notifications/"+id+"/cancel") || !strings.Contains(page, "awaiting acknowledgement") || !strings.Contains(page, "data-countdown") {
		t.Errorf("the side notified sees no acknowledge or question form:\n%s", page)
	}

	if resp := s.post(t, delegA, "/notifications/"+id+"/acknowledge", nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("the notifier acknowledges: %d", resp.StatusCode)
	}
	if resp := s.post(t, headB, "/notifications/"+id+"/question", url.Values{"text": {" "}}); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("an empty question: %d", resp.StatusCode)
	}
	if resp := s.post(t, headB, "/notifications/"+id+"/question", url.Values{"text": {"Which crossing?"}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("question: %d", resp.StatusCode)
	}
	if resp := s.post(t, delegA, "/notifications/"+id+"/answer", url.Values{"text": {"The northern one."}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("answer: %d", resp.StatusCode)
	}
	if resp := s.post(t, headB, "/notifications/"+id+"/acknowledge", nil); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("acknowledge: %d", resp.StatusCode)
	}
	if resp := s.post(t, headB, "/notifications/"+id+"/acknowledge", nil); resp.StatusCode != http.StatusConflict {
		t.Errorf("acknowledged twice: %d", resp.StatusCode)
	}
	_, page = s.get(t, med, "/g/"+g+"/notifications/body")
	if !strings.Contains(page, "Which crossing?") || !strings.Contains(page, "The northern one.") || !strings.Contains(page, ">acknowledged<") {
		t.Errorf("the live body:\n%s", page)
	}

	if resp := s.post(t, headB, "/g/"+g+"/notice-period", url.Values{"hours": {"1"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a head sets the notice: %d", resp.StatusCode)
	}
	if resp := s.post(t, med, "/g/"+g+"/notice-period", url.Values{"hours": {"a day"}}); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a notice that is not a number: %d", resp.StatusCode)
	}
	if resp := s.post(t, med, "/g/"+g+"/notice-period", url.Values{"hours": {"48"}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("set the notice: %d", resp.StatusCode)
	}
	if _, page := s.get(t, delegA, "/g/"+g+"/notifications"); !strings.Contains(page, "requires 48 hours") {
		t.Error("the page does not show the new notice")
	}
}

// TestNotificationAPI: notify, question, answer, acknowledge and cancel
// through the JSON API, the notice period refused on the start with the
// field named, and the short notice accepted with its reason.
func TestNotificationAPI(t *testing.T) {
	s := newSite(t)
	call := func(c *http.Client, method, path string, in, out any) (int, map[string]any) {
		t.Helper()
		return s.apiCall(t, c, method, path, in, out)
	}
	med, headA, delegB := s.signedIn(t, "mediator"), s.signedIn(t, "heada"), s.signedIn(t, "delegb")
	g := s.Groups[parley.GroupHumanitarian].ID
	start := time.Now().Add(3 * time.Hour).UTC()
	n := map[string]any{"kind": "convoy", "route": "From A to B", "points": [][2]float64{{35.2, 47.5}}, "starts": start, "ends": start.Add(4 * time.Hour),
		"time_zone": "Europe/Moscow", "purpose": "Medicine", "vehicles": 2}
	if st, e := call(med, "POST", "/groups/"+g+"/notifications", n, nil); st != http.StatusForbidden {
		t.Errorf("the mediator notifies: %d %v", st, e)
	}
	if st, e := call(headA, "POST", "/groups/"+g+"/notifications", n, nil); st != http.StatusBadRequest || e["fields"].(map[string]any)["starts"] == nil {
		t.Errorf("too little notice: %d %v", st, e)
	}
	n["short_notice"], n["short_notice_reason"] = true, "The hospital runs out of insulin tomorrow."
	var created struct{ ID string }
	if st, e := call(headA, "POST", "/groups/"+g+"/notifications", n, &created); st != http.StatusCreated {
		t.Fatalf("short notice: %d %v", st, e)
	}
	if st, e := call(headA, "POST", "/notifications/"+created.ID+"/acknowledge", nil, nil); st != http.StatusForbidden {
		t.Errorf("the notifier acknowledges: %d %v", st, e)
	}
	if st, e := call(delegB, "POST", "/notifications/"+created.ID+"/question", map[string]any{"text": "How many trucks?"}, nil); st != http.StatusCreated {
		t.Errorf("question: %d %v", st, e)
	}
	if st, e := call(headA, "POST", "/notifications/"+created.ID+"/answer", map[string]any{"text": "Two."}, nil); st != http.StatusCreated {
		t.Errorf("answer: %d %v", st, e)
	}
	if st, e := call(delegB, "POST", "/notifications/"+created.ID+"/acknowledge", nil, nil); st != http.StatusCreated {
		t.Errorf("acknowledge: %d %v", st, e)
	}
	if st, e := call(headA, "POST", "/notifications/"+created.ID+"/cancel", map[string]any{"reason": "Delivered otherwise."}, nil); st != http.StatusCreated {
		t.Errorf("cancel: %d %v", st, e)
	}
	var got parley.Notification
	if st, e := call(delegB, "GET", "/notifications/"+created.ID, nil, &got); st != http.StatusOK || !got.ShortNotice || got.Status != parley.NoticeCancelled ||
		len(got.Notes) != 2 || got.CancelReason != "Delivered otherwise." {
		t.Errorf("get: %d %v %+v", st, e, got)
	}
	var list []parley.Notification
	if st, e := call(delegB, "GET", "/groups/"+g+"/notifications", nil, &list); st != http.StatusOK || len(list) != 1 {
		t.Errorf("list: %d %v %d", st, e, len(list))
	}
	if st, e := call(headA, "PUT", "/groups/"+g+"/notice-period", map[string]any{"hours": 12}, nil); st != http.StatusForbidden {
		t.Errorf("a head sets the notice: %d %v", st, e)
	}
	if st, e := call(med, "PUT", "/groups/"+g+"/notice-period", map[string]any{"hours": 12}, nil); st != http.StatusOK {
		t.Errorf("the mediator sets the notice: %d %v", st, e)
	}
}
