package web_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/parley-talks/parley/internal/auth/passkeytest"
	"github.com/parley-talks/parley/internal/web"
)

// newLocalhostSite serves the demo as http://localhost:PORT, an origin
// that can hold passkeys (an IP address cannot).
func newLocalhostSite(t *testing.T) *demoSite {
	t.Helper()
	d := newDemoBackend(t)
	log := slog.New(slog.NewTextHandler(testLog{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	ts := httptest.NewUnstartedServer(nil)
	base := "http://localhost:" + strings.Split(ts.Listener.Addr().String(), ":")[1]
	srv, err := web.New(web.Config{Demo: true, Version: "test", PasswordParams: d.params, BaseURL: base}, d.db, d.svc, d.hub, log, d.reg, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = srv.Handler(d.reg)
	ts.Start()
	t.Cleanup(func() {
		srv.StopStreams()
		ts.Close()
	})
	return &demoSite{url: base, db: d.db}
}

// prepare sends an act's form with the header that only prepares it and
// returns the options for the passkey.
func (v *visitor) prepare(path string, form url.Values) (int, []byte) {
	v.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, v.site.url+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Parley-Sign", "prepare")
	resp, err := v.c.Do(req)
	if err != nil {
		v.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func (v *visitor) options(path string) []byte {
	v.t.Helper()
	status, body := v.post(path, nil)
	if status != http.StatusOK {
		v.t.Fatalf("%s: %d %s", path, status, body)
	}
	return []byte(body)
}

// TestPasskeys walks a head of delegation through passkeys as a browser
// would: registering one, signing an acceptance with it (the page then
// says so), signing in with it, and the operator's rule that heads sign in
// with passkeys.
func TestPasskeys(t *testing.T) {
	site := newLocalhostSite(t)
	authn := passkeytest.New(site.url)

	head := site.visitor(t)
	head.signIn("head.ru", demoPassword("head.ru"))
	if status, body := head.get("/account/passkeys"); status != http.StatusOK || !strings.Contains(body, "data-passkey-register") {
		t.Fatalf("passkeys page: %d", status)
	}
	// A registration without the browser's answer is refused next to the
	// field, and nothing is stored.
	if status, body := head.post("/account/passkeys", url.Values{"name": {"laptop"}}); status != http.StatusBadRequest || !strings.Contains(body, `id="err-response"`) {
		t.Fatalf("registration without an answer: %d", status)
	}
	resp, err := authn.Create(head.options("/account/passkeys/options"))
	if err != nil {
		t.Fatal(err)
	}
	if status, loc := head.post("/account/passkeys", url.Values{"name": {"laptop"}, "response": {string(resp)}}); status != http.StatusSeeOther || !strings.HasPrefix(loc, "/account/passkeys") {
		t.Fatalf("registration: %d %s", status, loc)
	}
	_, page := head.get("/account/passkeys")
	fp := regexp.MustCompile(`<code class="fingerprint">([0-9a-f ]+)</code>`).FindStringSubmatch(page)
	if fp == nil || !strings.Contains(page, "laptop") {
		t.Fatal("the registered passkey is not listed with its fingerprint")
	}

	// A proposal awaiting head.ru's answer.
	_, awaiting := head.get("/awaiting")
	var id string
	for _, m := range regexp.MustCompile(`/proposals/([a-z0-9]+)"`).FindAllStringSubmatch(awaiting, -1) {
		if _, p := head.get("/proposals/" + m[1]); strings.Contains(p, `action="/proposals/`+m[1]+`/accept"`) {
			id = m[1]
			if !strings.Contains(p, `name="passkey_assertion"`) {
				t.Fatal("the acceptance form offers no passkey signature to a head with a passkey")
			}
			break
		}
	}
	if id == "" {
		t.Fatal("no proposal of the demo awaits head.ru's acceptance")
	}
	form := url.Values{"reason": {"As agreed in the group."}}
	status, opts := head.prepare("/proposals/"+id+"/accept", form)
	if status != http.StatusOK {
		t.Fatalf("prepare: %d %s", status, opts)
	}
	if _, p := head.get("/proposals/" + id); !strings.Contains(p, `action="/proposals/`+id+`/accept"`) {
		t.Fatal("preparing the act accepted the proposal")
	}
	assertion, err := authn.Get(opts)
	if err != nil {
		t.Fatal(err)
	}
	// The assertion signs this reason: with another, the act is refused
	// and the proposal stays open.
	if status, _ := head.post("/proposals/"+id+"/accept", url.Values{"reason": {"Agreed."}, "passkey_assertion": {string(assertion)}}); status != http.StatusBadRequest {
		t.Fatalf("an acceptance with a signature over another reason: %d", status)
	}
	if _, p := head.get("/proposals/" + id); !strings.Contains(p, `action="/proposals/`+id+`/accept"`) {
		t.Fatal("a wrongly signed acceptance was recorded")
	}
	form.Set("passkey_assertion", string(assertion))
	if status, loc := head.post("/proposals/"+id+"/accept", form); status != http.StatusSeeOther {
		t.Fatalf("signed acceptance: %d %s", status, loc)
	}
	_, p := head.get("/proposals/" + id)
	if strings.Count(p, `class="tag signed-tag"`) != 1 || !strings.Contains(p, fp[1]) {
		i := strings.Index(p, "h-timeline")
		t.Fatalf("the proposal page does not show the acceptance signed with the head's key %q: %s", fp[1], p[i:min(len(p), i+3000)])
	}
	// The other party sees it too.
	other := site.visitor(t)
	other.signIn("head.ua", demoPassword("head.ua"))
	if _, p := other.get("/proposals/" + id); !strings.Contains(p, `class="tag signed-tag"`) || !strings.Contains(p, fp[1]) {
		t.Fatal("the other party does not see the signature")
	}

	// Signing in with the passkey, without a password.
	fresh := site.visitor(t)
	answer, err := authn.Get(fresh.options("/login/passkey/options"))
	if err != nil {
		t.Fatal(err)
	}
	if status, loc := fresh.post("/login/passkey", url.Values{"response": {string(answer)}, "next": {"/account"}}); status != http.StatusSeeOther || loc != "/account" {
		t.Fatalf("passkey sign-in: %d %s", status, loc)
	}
	if status, body := fresh.get("/account"); status != http.StatusOK || !strings.Contains(body, "Vladimir Sokolov") {
		t.Fatalf("after a passkey sign-in: %d", status)
	}
	// The same answer does not sign anyone in again.
	replay := site.visitor(t)
	replay.options("/login/passkey/options")
	if status, _ := replay.post("/login/passkey", url.Values{"response": {string(answer)}}); status != http.StatusUnauthorized {
		t.Fatalf("a replayed passkey answer: %d", status)
	}

	// The operator requires heads to use passkeys.
	op := site.visitor(t)
	op.signIn("operator", demoPassword("operator"))
	if status, _ := op.post("/admin/passkeys", url.Values{"heads": {"required"}}); status != http.StatusSeeOther {
		t.Fatalf("setting the rule: %d", status)
	}
	if _, body := op.get("/admin"); !strings.Contains(body, `name="heads" value="required" checked`) {
		t.Fatal("the operator's page does not show the rule on")
	}
	// head.ru has a passkey: the password alone no longer signs him in.
	pw := site.visitor(t)
	if status, body := pw.post("/login", url.Values{"username": {"head.ru"}, "password": {demoPassword("head.ru")}, "next": {"/"}}); status != http.StatusUnauthorized || !strings.Contains(body, "sign in with their passkey") {
		t.Fatalf("a head's password sign-in under the rule: %d", status)
	}
	// head.ua has none: every page sends her to register one first.
	ua := site.visitor(t)
	ua.signIn("head.ua", demoPassword("head.ua"))
	resp2, err := ua.c.Get(site.url + "/processes")
	if err != nil {
		t.Fatal(err)
	}
	resp2.Body.Close()
	if resp2.StatusCode != http.StatusSeeOther || resp2.Header.Get("Location") != "/account/passkeys" {
		t.Fatalf("a head without a passkey under the rule: %d to %q", resp2.StatusCode, resp2.Header.Get("Location"))
	}
	// A delegate is not concerned by the rule.
	del := site.visitor(t)
	del.signIn("delegate.ua", demoPassword("delegate.ua"))
	if status, _ := del.get("/processes"); status != http.StatusOK {
		t.Fatalf("a delegate under the heads' rule: %d", status)
	}
}
