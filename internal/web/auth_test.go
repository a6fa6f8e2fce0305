package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/auth"
	"github.com/parley-talks/parley/internal/live"
	"github.com/parley-talks/parley/internal/store"
	"github.com/parley-talks/parley/internal/storetest"
	"github.com/parley-talks/parley/internal/web"
	"github.com/prometheus/client_golang/prometheus"
)

var cheap = auth.Params{Memory: 1024, Time: 1, Threads: 1}

// site is a test server on the storetest world, with real passwords.
type site struct {
	*storetest.World
	srv *httptest.Server
	now time.Time
}

const password = "correct horse battery"

func newSite(t *testing.T) *site {
	t.Helper()
	db := storetest.OpenSQLite(t)
	hub := live.NewHub(64, nil)
	w := storetest.NewWorld(t, db, hub.Publish)
	hash, err := auth.HashPassword(password, cheap)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range w.Actors() {
		if a.AccountID != "" {
			if err := db.SetPassword(context.Background(), a.AccountID, hash); err != nil {
				t.Fatal(err)
			}
		}
	}
	s := &site{World: w, now: time.Now()}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	reg := prometheus.NewRegistry()
	srv, err := web.New(web.Config{PasswordParams: cheap, MaxFailedLogins: 3, LockFor: time.Hour, Version: "test", StreamPing: 50 * time.Millisecond, Files: t.TempDir()}, db, w.Service, hub, log, reg, func() time.Time { return s.now })
	if err != nil {
		t.Fatal(err)
	}
	s.srv = httptest.NewServer(srv.Handler(reg))
	t.Cleanup(s.srv.Close)
	return s
}

// browser is a cookie-keeping client that does not follow redirects.
func (s *site) browser(t *testing.T) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func (s *site) post(t *testing.T, c *http.Client, path string, form url.Values) *http.Response {
	t.Helper()
	resp, err := c.PostForm(s.srv.URL+path, form)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func (s *site) get(t *testing.T, c *http.Client, path string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(s.srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// apiCall sends in as JSON to the API path as c, decodes a successful
// answer into out, and returns the status and, for an error, its body.
func (s *site) apiCall(t *testing.T, c *http.Client, method, path string, in, out any) (int, map[string]any) {
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
	var e map[string]any
	if resp.StatusCode >= 300 {
		json.Unmarshal(raw, &e)
	} else if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, raw)
		}
	}
	return resp.StatusCode, e
}

func login(user, pw string) url.Values {
	return url.Values{"username": {user}, "password": {pw}, "next": {"/processes"}}
}

func TestSecurityHeaders(t *testing.T) {
	s := newSite(t)
	resp, _ := s.get(t, s.browser(t), "/login")
	want := map[string]string{
		"X-Content-Type-Options": "nosniff",
		"X-Frame-Options":        "DENY",
		"Referrer-Policy":        "same-origin",
	}
	for k, v := range want {
		if got := resp.Header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	csp := resp.Header.Get("Content-Security-Policy")
	for _, d := range []string{"default-src 'self'", "script-src 'self'", "frame-ancestors 'none'", "object-src 'none'"} {
		if !strings.Contains(csp, d) {
			t.Errorf("CSP %q lacks %q", csp, d)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
		t.Errorf("CSP allows inline code: %q", csp)
	}
}

func TestCrossOriginPostRefused(t *testing.T) {
	s := newSite(t)
	req, _ := http.NewRequest(http.MethodPost, s.srv.URL+"/login", strings.NewReader(login("heada", password).Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site POST: status %d, want 403", resp.StatusCode)
	}
}

func TestLoginLockout(t *testing.T) {
	s := newSite(t)
	c := s.browser(t)
	for i := 0; i < 3; i++ {
		if resp := s.post(t, c, "/login", login("heada", "wrong password!")); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("wrong password %d: status %d", i+1, resp.StatusCode)
		}
	}
	// Locked: even the right password is refused, without saying whether it was right.
	if resp := s.post(t, c, "/login", login("heada", password)); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("locked account: status %d, want 429", resp.StatusCode)
	}
	s.now = s.now.Add(2 * time.Hour)
	if resp := s.post(t, c, "/login", login("heada", password)); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("after the lock expired: status %d, want 303", resp.StatusCode)
	}
	// An unknown user gets the same answer as a wrong password.
	if resp := s.post(t, s.browser(t), "/login", login("nobody", password)); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("unknown user: status %d, want 401", resp.StatusCode)
	}
}

var secretRE = regexp.MustCompile(`<code class="secret">([A-Z2-7]+)</code>`)

// TestSecondFactor walks a party member through the required enrolment and
// a later sign-in with a code.
func TestSecondFactor(t *testing.T) {
	s := newSite(t)
	c := s.browser(t)
	resp := s.post(t, c, "/login", login("heada", password))
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	// A head of delegation without a second factor is sent to enrol first,
	// on pages and in the API alike.
	resp, _ = s.get(t, c, "/processes")
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != "/account/second-factor" {
		t.Fatalf("before enrolment: %d %q", resp.StatusCode, loc)
	}
	if resp, _ := s.get(t, c, "/api/v1/processes"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("API before enrolment: %d, want 403", resp.StatusCode)
	}
	_, page := s.get(t, c, "/account/second-factor")
	m := secretRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("enrolment page shows no secret")
	}
	if !strings.Contains(page, `src="data:image/png;base64,`) {
		t.Error("enrolment page shows no QR code")
	}
	if resp := s.post(t, c, "/account/second-factor", url.Values{"code": {"000000"}}); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("wrong enrolment code: %d, want 400", resp.StatusCode)
	}
	_, page = s.get(t, c, "/account/second-factor") // a fresh secret
	secret := secretRE.FindStringSubmatch(page)[1]
	code, _ := auth.TOTPCode(secret, s.now)
	if resp := s.post(t, c, "/account/second-factor", url.Values{"code": {code}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("enrolment: %d", resp.StatusCode)
	}
	if resp, _ := s.get(t, c, "/processes"); resp.StatusCode != http.StatusOK {
		t.Errorf("after enrolment: %d", resp.StatusCode)
	}
	s.post(t, c, "/logout", nil)

	// Signing in again asks for the code, and only the right one lets in.
	c = s.browser(t)
	resp = s.post(t, c, "/login", login("heada", password))
	if loc := resp.Header.Get("Location"); loc != "/login/second-factor" {
		t.Fatalf("login with a second factor: redirected to %q", loc)
	}
	if resp, _ := s.get(t, c, "/processes"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Errorf("password alone signed in: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp := s.post(t, c, "/login/second-factor", url.Values{"code": {"123456"}}); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("wrong code: %d, want 401", resp.StatusCode)
	}
	code, _ = auth.TOTPCode(secret, s.now)
	if resp := s.post(t, c, "/login/second-factor", url.Values{"code": {code}}); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/processes" {
		t.Errorf("right code: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, _ := s.get(t, c, "/processes"); resp.StatusCode != http.StatusOK {
		t.Errorf("signed in with code: %d", resp.StatusCode)
	}
}

// TestObserverSecondFactorOptional: observers may work without one.
func TestObserverSecondFactorOptional(t *testing.T) {
	s := newSite(t)
	c := s.browser(t)
	s.post(t, c, "/login", login("observer", password))
	if resp, _ := s.get(t, c, "/processes"); resp.StatusCode != http.StatusOK {
		t.Errorf("observer without a second factor: %d, want 200", resp.StatusCode)
	}
}

func TestLanguageChoice(t *testing.T) {
	s := newSite(t)
	tests := []struct {
		name, accept, cookie, want string
	}{
		{"browser Ukrainian", "uk-UA,uk;q=0.9,en;q=0.5", "", `lang="uk"`},
		{"browser Turkish", "tr", "", `lang="tr"`},
		{"browser unknown", "fr-FR", "", `lang="en"`},
		{"cookie beats browser", "tr", "ru", `lang="ru"`},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest(http.MethodGet, s.srv.URL+"/login", nil)
		req.Header.Set("Accept-Language", tt.accept)
		if tt.cookie != "" {
			req.AddCookie(&http.Cookie{Name: "parley_lang", Value: tt.cookie})
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(b), tt.want) {
			t.Errorf("%s: page not in %s", tt.name, tt.want)
		}
	}
}

func TestFormErrorsNextToFields(t *testing.T) {
	s := newSite(t)
	c := s.browser(t)
	s.post(t, c, "/login", login("observer", password)) // no second factor needed
	sp := s.SpaceOf(parley.SpaceGroup, "")
	for _, x := range s.Spaces {
		if x.GroupID == s.Groups[parley.GroupHumanitarian].ID {
			sp = x
		}
	}
	// An observer may read the humanitarian group's space but not write.
	resp := s.post(t, c, "/s/"+sp.ID+"/threads", url.Values{"title": {"x"}, "body": {"y"}})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("observer starting a thread: %d, want 403", resp.StatusCode)
	}
	// The mediator may, and an empty form comes back with its complaints.
	med := s.browser(t)
	if err := s.DB.SetTOTP(context.Background(), s.Mediator.AccountID, "", false); err != nil {
		t.Fatal(err)
	}
	s.post(t, med, "/login", login("mediator", password))
	// The mediator must enrol; enrol it quickly through the page.
	_, page := s.get(t, med, "/account/second-factor")
	code, _ := auth.TOTPCode(secretRE.FindStringSubmatch(page)[1], s.now)
	s.post(t, med, "/account/second-factor", url.Values{"code": {code}})
	resp = s.post(t, med, "/s/"+sp.ID+"/threads", url.Values{"title": {""}, "body": {""}})
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("empty thread: %d, want 400", resp.StatusCode)
	}
	b, _ := io.ReadAll(resp.Body)
	for _, id := range []string{`id="err-title"`, `id="err-body"`} {
		if !strings.Contains(string(b), id) {
			t.Errorf("page lacks %s next to its field", id)
		}
	}
	threads, _ := s.DB.Threads(context.Background(), s.Mediator, sp.ID)
	if len(threads) != 0 {
		t.Errorf("a refused form wrote %d threads", len(threads))
	}
}

// TestStreamEndsOnSignOut: a live stream does not outlive its session.
func TestStreamEndsOnSignOut(t *testing.T) {
	s := newSite(t)
	c := s.browser(t)
	s.post(t, c, "/login", login("observer", password))
	resp, err := c.Get(s.srv.URL + "/events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("stream: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	s.post(t, c, "/logout", nil)
	done := make(chan error, 1)
	go func() { _, err := io.ReadAll(resp.Body); done <- err }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the stream went on after sign-out")
	}
}

// TestOpenThreadIsRead: the navigation of a thread's own page no longer
// counts its messages as unread.
func TestOpenThreadIsRead(t *testing.T) {
	s := newSite(t)
	sp := s.GroupSpace(parley.GroupHumanitarian)
	evs := s.Must(t, s.Mediator, parley.StartThread{SpaceID: sp.ID, Title: "Lists", Body: "Send the lists by Friday."})
	thread := evs[0].Data.(*parley.ThreadStarted).ThreadID
	c := s.browser(t)
	s.post(t, c, "/login", login("observer", password))
	link := regexp.MustCompile(`<a href="/s/` + sp.ID + `"[^>]*>(?s:.*?)</a>`)
	_, page := s.get(t, c, "/s/"+sp.ID)
	if m := link.FindString(page); !strings.Contains(m, "badge") {
		t.Fatalf("before reading, the space shows no unread badge: %q", m)
	}
	resp, page := s.get(t, c, "/t/"+thread)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("thread page: %d", resp.StatusCode)
	}
	if m := link.FindString(page); m == "" || strings.Contains(m, "badge") {
		t.Errorf("the open thread's space still counts it unread: %q", m)
	}
}

// signedIn signs name in and enrols its second factor when it must.
func (s *site) signedIn(t *testing.T, name string) *http.Client {
	t.Helper()
	c := s.browser(t)
	s.post(t, c, "/login", login(name, password))
	if resp, _ := s.get(t, c, "/processes"); resp.StatusCode == http.StatusSeeOther {
		_, page := s.get(t, c, "/account/second-factor")
		code, _ := auth.TOTPCode(secretRE.FindStringSubmatch(page)[1], s.now)
		if resp := s.post(t, c, "/account/second-factor", url.Values{"code": {code}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("enrolling %s: %d", name, resp.StatusCode)
		}
	}
	return c
}

// TestProposalFormErrors: a proposal form with malformed fields comes back
// with each complaint next to its field, and nothing is drafted.
func TestProposalFormErrors(t *testing.T) {
	s := newSite(t)
	c := s.signedIn(t, "heada")
	g := s.Groups[parley.GroupHumanitarian].ID
	form := url.Values{"kind": {"truce"}, "to_party": {s.PartyB.ID}, "title": {""}, "text_en": {""},
		"truce_hours": {"forty"}, "truce_starts": {"tomorrow"}, "deadline": {"2020-01-01T10:00"}}
	resp := s.post(t, c, "/g/"+g+"/proposals", form)
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("malformed proposal: %d, want 400", resp.StatusCode)
	}
	b, _ := io.ReadAll(resp.Body)
	for _, id := range []string{`id="err-truce_hours"`, `id="err-truce_starts"`} {
		if !strings.Contains(string(b), id) {
			t.Errorf("the form lacks %s", id)
		}
	}
	// Well-formed numbers, but no title and no text.
	form.Set("truce_hours", "48")
	form.Set("truce_starts", s.now.Add(72*time.Hour).Format("2006-01-02T15:04"))
	form.Set("truce_purposes", "wounded")
	resp = s.post(t, c, "/g/"+g+"/proposals", form)
	b, _ = io.ReadAll(resp.Body)
	for _, id := range []string{`id="err-title"`, `id="err-texts"`} {
		if !strings.Contains(string(b), id) {
			t.Errorf("the form lacks %s", id)
		}
	}
	// A deadline in the past is checked against the time of the decision.
	form.Set("title", "Short truce")
	form.Set("text_en", "A pause of 48 hours.")
	resp = s.post(t, c, "/g/"+g+"/proposals", form)
	b, _ = io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), `id="err-deadline"`) {
		t.Errorf("past deadline: %d, complaint shown %v", resp.StatusCode, strings.Contains(string(b), `id="err-deadline"`))
	}
	if ps, _ := s.DB.Proposals(context.Background(), s.HeadA, store.ProposalFilter{Process: s.Process.ID}); len(ps) != 0 {
		t.Errorf("refused forms drafted %d proposals", len(ps))
	}
}
