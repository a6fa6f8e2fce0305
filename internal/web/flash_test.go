package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/parley-talks/parley"
)

// TestFlashWaitsForItsPage: a live update of part of a page (an htmx
// request, set off by the event the user's own act just recorded) does not
// take the flash meant for the page the user is sent to next.
func TestFlashWaitsForItsPage(t *testing.T) {
	s := newSite(t)
	c := s.signedIn(t, "delega")
	if resp := s.post(t, c, "/account/profile", url.Values{"display_name": {"Delegate A"}, "locale": {"en"}, "timezone": {"UTC"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("saving the profile: %d", resp.StatusCode)
	}
	req, err := http.NewRequest(http.MethodGet, s.srv.URL+"/g/"+s.Groups[parley.GroupHumanitarian].ID+"/remains/body", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("HX-Request", "true")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("the live part of the remains page: %d", resp.StatusCode)
	}
	if _, page := s.get(t, c, "/account"); !strings.Contains(page, `<p class="flash" role="status">Saved.</p>`) {
		t.Errorf("the account page does not say the profile was saved:\n%.2000s", page)
	}
}
