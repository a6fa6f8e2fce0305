package web_test

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/parley-talks/parley/internal/auth"
	"github.com/parley-talks/parley/internal/store"
	"github.com/parley-talks/parley/internal/web"
)

// The attacks of issue 11 on the server as a whole, each a test: guessing
// passwords, fixing a session, forging a request from another origin,
// sending too much, and sending too slowly. The authorization suite
// (authz_test.go) covers what each role may reach.

// TestLoginBruteForce: the limit on sign-in attempts holds per client
// address across accounts, as TestLoginLockout's holds per account, and
// a wrong password and an unknown account answer alike.
func TestLoginBruteForce(t *testing.T) {
	s := newSite(t)
	// An unknown account and a known one with a wrong password: the same
	// status and the same page, so that answers do not tell which exist.
	_, unknown := s.postBody(t, s.browser(t), "/login", login("nobody.here", "wrong password!"))
	_, wrong := s.postBody(t, s.browser(t), "/login", login("headb", "wrong password!"))
	if unknown.status != wrong.status || unknown.status != http.StatusUnauthorized {
		t.Errorf("unknown account %d, wrong password %d: want 401 both", unknown.status, wrong.status)
	}
	if ue, we := loginError(unknown.body), loginError(wrong.body); ue == "" || ue != we {
		t.Errorf("unknown account says %q, wrong password %q: want the same sentence", ue, we)
	}

	// A known account locks after MaxFailedLogins failures in a row; an
	// unknown name answers the same way at every step, lock included.
	for i := range 5 {
		_, known := s.postBody(t, s.browser(t), "/login", login("headb", "wrong password!"))
		_, none := s.postBody(t, s.browser(t), "/login", login("nobody.here", "wrong password!"))
		if known.status != none.status || loginError(known.body) != loginError(none.body) {
			t.Errorf("attempt %d: account %d %q, unknown name %d %q", i+2, known.status, loginError(known.body), none.status, loginError(none.body))
		}
	}

	// One client trying many accounts is stopped by its address, before
	// any account is locked; the right password then gets nowhere either.
	c := s.browser(t)
	refused := 0
	for i := range 30 {
		resp := s.post(t, c, "/login", login("guess"+string(rune('a'+i%26))+"x", "wrong password!"))
		if resp.StatusCode == http.StatusTooManyRequests {
			refused++
		}
	}
	if refused == 0 {
		t.Fatal("30 failed sign-ins from one address in a minute: none refused")
	}
	if resp := s.post(t, c, "/login", login("observer", password)); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("right password from a client over its limit: %d, want 429", resp.StatusCode)
	}
	// Another client is not held back by the first one's attempts.
	other := &http.Client{Transport: &http.Transport{DialContext: (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)}}).DialContext},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if resp := s.post(t, other, "/login", login("observer", password)); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("another address: %d, want 303", resp.StatusCode)
	}
}

type answer struct {
	status int
	body   string
}

func (s *site) postBody(t *testing.T, c *http.Client, path string, form url.Values) (*http.Response, answer) {
	t.Helper()
	resp := s.post(t, c, path, form)
	b, _ := io.ReadAll(resp.Body)
	return resp, answer{resp.StatusCode, string(b)}
}

// loginError returns the error sentence of a login page.
func loginError(page string) string {
	i := strings.Index(page, `role="alert"`)
	if i < 0 {
		return ""
	}
	rest := page[i:]
	rest = rest[strings.Index(rest, ">")+1:]
	return strings.TrimSpace(rest[:strings.Index(rest, "<")])
}

// TestSessionFixation: a session identifier a visitor had before signing
// in — one an attacker could have planted — is not the one after, neither
// after the password nor after the second factor.
func TestSessionFixation(t *testing.T) {
	s := newSite(t)
	base, _ := url.Parse(s.srv.URL)
	session := func(c *http.Client) string {
		for _, k := range c.Jar.Cookies(base) {
			if k.Name == "parley_session" {
				return k.Value
			}
		}
		return ""
	}
	// The attacker's own session, planted in the victim's browser: the
	// attacker signs in and gives the victim its cookie.
	attacker := s.browser(t)
	if resp := s.post(t, attacker, "/login", login("observer", password)); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("attacker's sign in: %d", resp.StatusCode)
	}
	before := session(attacker)
	c := s.browser(t)
	c.Jar.SetCookies(base, []*http.Cookie{{Name: "parley_session", Value: before}})
	if resp := s.post(t, c, "/login", login("delega", password)); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("victim's sign in: %d", resp.StatusCode)
	}
	after := session(c)
	if after == "" || after == before {
		t.Errorf("the session id was not renewed on sign-in: %q then %q", before, after)
	}
	// The planted identifier is not the victim's session.
	if _, me := s.get(t, attacker, "/api/v1/me"); strings.Contains(me, `"username":"delega"`) {
		t.Error("the attacker's session id signs in as the victim")
	}

	// With a second factor: renewed after the password, and again after the code.
	secret, _, _, err := auth.NewTOTP("Parley", "heada")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.DB.SetTOTP(context.Background(), s.HeadA.AccountID, secret, true); err != nil {
		t.Fatal(err)
	}
	c = s.browser(t)
	c.Jar.SetCookies(base, []*http.Cookie{{Name: "parley_session", Value: before}})
	if resp := s.post(t, c, "/login", login("heada", password)); resp.Header.Get("Location") != "/login/second-factor" {
		t.Fatalf("password: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	pending := session(c)
	if pending == before {
		t.Error("the session id was not renewed after the password")
	}
	code, _ := auth.TOTPCode(secret, s.now)
	if resp := s.post(t, c, "/login/second-factor", url.Values{"code": {code}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("second factor: %d", resp.StatusCode)
	}
	if done := session(c); done == pending || done == before {
		t.Error("the session id was not renewed after the second factor")
	}
}

// TestCrossOriginRefused: a request forged by another site's page is
// refused on the forms and on the JSON API alike, writes nothing, and an
// API client with a token, which no browser sends for another site, is
// served.
func TestCrossOriginRefused(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	c := s.signedIn(t, "heada")
	caucus := s.SpaceOf("party", s.PartyA.ID).ID
	before, _ := s.DB.LastSeq(ctx)
	forged := []struct {
		name, path, ctype, body string
		header                  map[string]string
	}{
		{"form, Sec-Fetch-Site", "/s/" + caucus + "/threads", "application/x-www-form-urlencoded", "title=Forged&body=Forged",
			map[string]string{"Sec-Fetch-Site": "cross-site"}},
		{"form, Origin", "/s/" + caucus + "/threads", "application/x-www-form-urlencoded", "title=Forged&body=Forged",
			map[string]string{"Origin": "https://evil.example"}},
		{"API, Sec-Fetch-Site", "/api/v1/spaces/" + caucus + "/threads", "application/json", `{"title":"Forged","body":"Forged"}`,
			map[string]string{"Sec-Fetch-Site": "cross-site"}},
		{"API, Origin", "/api/v1/spaces/" + caucus + "/threads", "text/plain", `{"title":"Forged","body":"Forged"}`,
			map[string]string{"Origin": "https://evil.example"}},
	}
	for _, f := range forged {
		req, _ := http.NewRequest(http.MethodPost, s.srv.URL+f.path, strings.NewReader(f.body))
		req.Header.Set("Content-Type", f.ctype)
		for k, v := range f.header {
			req.Header.Set(k, v)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s: status %d, want 403", f.name, resp.StatusCode)
		}
	}
	if after, _ := s.DB.LastSeq(ctx); after != before {
		t.Errorf("forged requests wrote %d entries", after-before)
	}
	// The same request from the same origin is served.
	req, _ := http.NewRequest(http.MethodPost, s.srv.URL+"/api/v1/spaces/"+caucus+"/threads", strings.NewReader(`{"title":"Ours","body":"Ours"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	if resp, err := c.Do(req); err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("same origin: %v %v", resp, err)
	}
	// A token, without a browser's headers.
	secret, hash, err := auth.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.DB.CreateToken(ctx, store.Token{ID: "crosstoken", AccountID: s.HeadA.AccountID, ProcessID: s.Process.ID, Name: "cli", CreatedAt: s.now}, hash); err != nil {
		t.Fatal(err)
	}
	req, _ = http.NewRequest(http.MethodPost, s.srv.URL+"/api/v1/spaces/"+caucus+"/threads", strings.NewReader(`{"title":"By token","body":"By token"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Errorf("API token: %d, want 201", resp.StatusCode)
	}
}

// TestOversizedBodies: every route that takes a body refuses one above its
// limit with 413 before reading it, and writes nothing; a body that does
// not say its length is cut off at the limit.
func TestOversizedBodies(t *testing.T) {
	s := newAuthzSite(t)
	ctx := context.Background()
	who := s.byName["mediator"]
	before, _ := s.db.LastSeq(ctx)
	checked := 0
	for _, route := range s.srv.Routes() {
		method, pattern, _ := strings.Cut(route, " ")
		if method == http.MethodGet || method == http.MethodHead {
			continue
		}
		// Any identifiers do: the body is refused before the route is asked.
		path := paramRE.ReplaceAllString(pattern, "x")
		n := web.BodyLimit(route) + 1
		req, _ := http.NewRequest(method, s.url+path, io.LimitReader(zeros{}, n))
		req.ContentLength = n
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := who.c.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", route, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("%s with %d bytes: status %d, want 413", route, n, resp.StatusCode)
		}
		checked++
	}
	// Without a length, the handler's read stops at the limit.
	thread := s.targets["thread"][0].id
	for _, tg := range s.targets["thread"] {
		if tg.where == "group:humanitarian" {
			thread = tg.id
		}
	}
	big := "body=" + strings.Repeat("a", web.MaxBody)
	req, _ := http.NewRequest(http.MethodPost, s.url+"/t/"+thread+"/messages", io.MultiReader(strings.NewReader(big)))
	req.ContentLength = -1
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := who.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode < 400 {
		t.Errorf("a chunked body above the limit: status %d, want a refusal", resp.StatusCode)
	}
	if after, _ := s.db.LastSeq(ctx); after != before {
		t.Errorf("oversized bodies wrote %d entries", after-before)
	}
	t.Logf("%d routes with a body checked", checked)
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'a'
	}
	return len(p), nil
}

// TestSlowClients: the server has a deadline for every stage of a
// request, and a client that sends its request's head a byte at a time —
// holding a connection open as long as it can — is cut off at the
// deadline for the head.
func TestSlowClients(t *testing.T) {
	d := web.DefaultTimeouts()
	if d.ReadHeader <= 0 || d.Read <= 0 || d.Write <= 0 || d.Idle <= 0 {
		t.Fatalf("the server lacks a timeout: %+v", d)
	}
	hs := web.HTTPServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }),
		web.Timeouts{ReadHeader: 300 * time.Millisecond, Read: time.Second, Write: time.Second, Idle: time.Second})
	hs.ErrorLog = slog.NewLogLogger(slog.NewTextHandler(io.Discard, nil), slog.LevelError)
	ts := httptest.NewUnstartedServer(hs.Handler)
	ts.Config = hs
	ts.Start()
	t.Cleanup(ts.Close)

	conn, err := net.Dial("tcp", ts.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	head := []byte("GET / HTTP/1.1\r\nHost: parley\r\nX-Slow: " + strings.Repeat("a", 100) + "\r\n\r\n")
	cut := false
	for _, b := range head {
		conn.SetWriteDeadline(time.Now().Add(time.Second))
		if _, err := conn.Write([]byte{b}); err != nil {
			cut = true
			break
		}
		// Does the server still listen? A closed connection reads EOF.
		conn.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
		var one [1]byte
		if _, err := conn.Read(one[:]); err != nil {
			if ne, ok := err.(net.Error); !ok || !ne.Timeout() {
				cut = true
				break
			}
		} else {
			// The server answered (408) and will close: cut off.
			cut = true
			break
		}
		if time.Since(start) > 5*time.Second {
			break
		}
	}
	if took := time.Since(start); !cut || took > 2*time.Second {
		t.Errorf("a client sending its head a byte at a time: cut off %v after %v, want within about 300ms", cut, took)
	}

	// A client that is only quick enough is served.
	conn2, err := net.Dial("tcp", ts.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn2.Close()
	conn2.Write([]byte("GET / HTTP/1.1\r\nHost: parley\r\n\r\n"))
	conn2.SetReadDeadline(time.Now().Add(2 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn2), nil)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("a prompt client: %v %v", resp, err)
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 2))
	if !bytes.Equal(b, []byte("ok")) {
		t.Errorf("a prompt client read %q", b)
	}
}
