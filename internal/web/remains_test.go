package web_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/parley-talks/parley"
)

// TestRemainsPages: the ledger's empty state; a side records what it hands
// over, the mediator on a side's behalf; each bad form comes back with its
// complaint beside the field that caused it and writes nothing; the
// receiving side acknowledges, with a discrepancy shown plainly, and only
// it is offered the form; the totals and the asymmetry show; a delegate
// outside the group does not learn the ledger exists.
func TestRemainsPages(t *testing.T) {
	s := newSite(t)
	med, headA, delegB := s.signedIn(t, "mediator"), s.signedIn(t, "heada"), s.signedIn(t, "delegb")
	g := s.Groups[parley.GroupHumanitarian].ID
	ctx := t.Context()
	path := "/g/" + g + "/remains"
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

	resp, page := s.get(t, headA, path)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "No transfer of remains recorded yet") || !strings.Contains(page, `action="`+path+`"`) ||
		!strings.Contains(page, `hx-get="`+path+`/body"`) || !strings.Contains(page, "sse:remains.acknowledged") {
		t.Fatalf("the empty ledger with the form: %d\n%.600s", resp.StatusCode, page)
	}
	if _, page := s.get(t, s.signedIn(t, "observer"), path); strings.Contains(page, `action="`+path+`"`) {
		t.Error("the observer is offered the form")
	}
	if resp, _ := s.get(t, s.signedIn(t, "delega"), "/g/"+s.Groups[parley.GroupMilitary].ID+"/remains"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a delegate outside the military group: %d, want 404", resp.StatusCode)
	}
	if _, page := s.get(t, headA, "/g/"+g); !strings.Contains(page, `href="`+path+`"`) {
		t.Error("the group's page does not link the ledger")
	}

	// A bad form: no crossing, a count that is not a number, counts that do
	// not add up. Nothing is recorded.
	form := func(from, to, bodies, identified, unidentified string) url.Values {
		return url.Values{"date": {"2025-06-11"}, "crossing": {"Checkpoint north"}, "from_party": {from}, "to_party": {to},
			"bodies": {bodies}, "identified": {identified}, "partially_identified": {"0"}, "unidentified": {unidentified}}
	}
	before := records()
	bad := form(s.PartyA.ID, s.PartyB.ID, "1212", "lots", "1200")
	bad.Set("crossing", " ")
	resp = s.post(t, headA, path, bad)
	page = body(resp)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, `id="err-identified"`) || !strings.Contains(page, `id="err-crossing"`) ||
		!strings.Contains(page, `value="lots"`) || !strings.Contains(page, "must be a whole number") {
		t.Errorf("a bad form: %d\n%.600s", resp.StatusCode, page)
	}
	resp = s.post(t, headA, path, form(s.PartyA.ID, s.PartyB.ID, "1212", "12", "1199"))
	if page = body(resp); resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, `id="err-identification"`) || !strings.Contains(page, "must add up") {
		t.Errorf("counts that do not add up: %d", resp.StatusCode)
	}
	if resp := s.post(t, headA, path, form(s.PartyB.ID, s.PartyA.ID, "5", "0", "5")); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a side records what the other hands over: %d", resp.StatusCode)
	}
	if resp := s.post(t, s.signedIn(t, "observer"), path, form(s.PartyA.ID, s.PartyB.ID, "5", "0", "5")); resp.StatusCode != http.StatusForbidden {
		t.Errorf("the observer records: %d", resp.StatusCode)
	}
	if records() != before {
		t.Error("a refused form wrote to the record")
	}

	// Good transfers: A's own, and B's recorded by the mediator.
	if resp := s.post(t, headA, path, form(s.PartyA.ID, s.PartyB.ID, "1,212", "12", "1200")); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("record a transfer: %d %.400s", resp.StatusCode, body(resp))
	}
	if resp := s.post(t, med, path, form(s.PartyB.ID, s.PartyA.ID, "27", "27", "0")); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("the mediator records: %d %.400s", resp.StatusCode, body(resp))
	}
	l, err := s.DB.RemainsLedger(ctx, s.HeadA, g)
	if err != nil || len(l.Transfers) != 2 {
		t.Fatalf("ledger %+v %v", l, err)
	}
	var fromA string
	for _, x := range l.Transfers {
		if x.FromParty == s.PartyA.ID {
			fromA = x.ID
		}
	}

	// Acknowledgement: offered to the receiving side only; refused to the
	// sender; a number that is not one comes back beside its field.
	ack := "/remains/" + fromA + "/acknowledge"
	if _, page := s.get(t, delegB, path); !strings.Contains(page, `action="`+ack+`"`) {
		t.Error("the receiving side is not offered the acknowledgement")
	}
	if _, page := s.get(t, headA, path); strings.Contains(page, `action="`+ack+`"`) {
		t.Error("the sending side is offered the acknowledgement")
	}
	before = records()
	if resp := s.post(t, headA, ack, url.Values{}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("the sender acknowledges: %d", resp.StatusCode)
	}
	resp = s.post(t, delegB, ack, url.Values{"received": {"many"}})
	if page = body(resp); resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, `id="err-received"`) {
		t.Errorf("a received number that is none: %d", resp.StatusCode)
	}
	if records() != before {
		t.Error("a refused acknowledgement wrote to the record")
	}
	if resp := s.post(t, delegB, ack, url.Values{"received": {"1211"}, "note": {"One body fewer than listed."}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("acknowledge: %d %.400s", resp.StatusCode, body(resp))
	}
	if resp := s.post(t, delegB, ack, url.Values{}); resp.StatusCode != http.StatusConflict {
		t.Errorf("acknowledged twice: %d", resp.StatusCode)
	}

	_, page = s.get(t, headA, path)
	for _, want := range []string{"1,212", "Received 1,211, not 1,212 as recorded.", "One body fewer than listed.", "has handed over 1,212 bodies",
		"has handed over 27.", "awaiting acknowledgement by", "Checkpoint north", "identified 12, partially 0, not identified 1,200"} {
		if !strings.Contains(page, want) {
			t.Errorf("the ledger lacks %q", want)
		}
	}
	if strings.Index(page, "identified 27") > strings.Index(page, "identified 12,") {
		t.Error("the transfers are not newest first")
	}
	if resp, page := s.get(t, headA, path+"/body"); resp.StatusCode != http.StatusOK || !strings.Contains(page, `id="remains"`) || strings.Contains(page, "<html") {
		t.Errorf("the live fragment: %d", resp.StatusCode)
	}
	if resp, _ := s.get(t, s.signedIn(t, "outsider"), path); resp.StatusCode != http.StatusNotFound {
		t.Errorf("an outsider reads the ledger: %d", resp.StatusCode)
	}
}

// TestRemainsAPI runs the ledger through the JSON API: a transfer
// recorded, a bad one refused with its fields named, acknowledged with a
// discrepancy, a second acknowledgement refused, and the ledger read with
// its totals.
func TestRemainsAPI(t *testing.T) {
	s := newSite(t)
	call := func(c *http.Client, method, path string, in, out any) (int, map[string]any) {
		t.Helper()
		return s.apiCall(t, c, method, path, in, out)
	}
	headA, headB := s.signedIn(t, "heada"), s.signedIn(t, "headb")
	g := s.Groups[parley.GroupHumanitarian].ID
	transfer := map[string]any{"date": "2025-07-16", "crossing": "Checkpoint north", "from_party": s.PartyA.ID, "to_party": s.PartyB.ID,
		"bodies": 758, "identified": 0, "partially_identified": 8, "unidentified": 750}
	if st, _ := call(headB, "POST", "/groups/"+g+"/remains", transfer, nil); st != http.StatusForbidden {
		t.Errorf("the receiving side records: %d", st)
	}
	bad := map[string]any{"date": "16 July", "crossing": "Checkpoint north", "from_party": s.PartyA.ID, "to_party": s.PartyB.ID, "bodies": 758, "unidentified": 700}
	if st, e := call(headA, "POST", "/groups/"+g+"/remains", bad, nil); st != http.StatusBadRequest || e["fields"].(map[string]any)["date"] == nil ||
		e["fields"].(map[string]any)["identification"] == nil {
		t.Errorf("a bad transfer: %d %v", st, e)
	}
	var created struct{ ID string }
	if st, e := call(headA, "POST", "/groups/"+g+"/remains", transfer, &created); st != http.StatusCreated || created.ID == "" {
		t.Fatalf("record: %d %v", st, e)
	}
	if st, _ := call(headA, "POST", "/remains/"+created.ID+"/acknowledge", map[string]any{}, nil); st != http.StatusForbidden {
		t.Errorf("the sender acknowledges: %d", st)
	}
	if st, e := call(headB, "POST", "/remains/"+created.ID+"/acknowledge", map[string]any{"received": 757, "note": "757, not 758"}, nil); st != http.StatusCreated {
		t.Fatalf("acknowledge: %d %v", st, e)
	}
	if st, _ := call(headB, "POST", "/remains/"+created.ID+"/acknowledge", map[string]any{}, nil); st != http.StatusConflict {
		t.Errorf("acknowledged twice: %d", st)
	}
	var l parley.RemainsLedger
	if st, e := call(headA, "GET", "/groups/"+g+"/remains", nil, &l); st != http.StatusOK || len(l.Transfers) != 1 || l.Transfers[0].Ack == nil ||
		l.Transfers[0].Ack.Received != 757 || l.Transfers[0].Ack.Note != "757, not 758" || l.Side(s.PartyA.ID).HandedOver != 758 || l.Side(s.PartyB.ID).Received != 757 {
		t.Errorf("list: %d %v %+v", st, e, l)
	}
	if st, _ := call(s.signedIn(t, "outsider"), "GET", "/groups/"+g+"/remains", nil, nil); st != http.StatusNotFound {
		t.Errorf("an outsider reads: %d", st)
	}
}
