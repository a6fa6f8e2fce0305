package e2e

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"
)

// TestPasskeyBrowser walks the head of the Russian delegation through
// passkeys in a real browser, whose virtual authenticator (the DevTools
// protocol's WebAuthn domain) answers navigator.credentials as a phone or a
// security key would: he signs in with his password, creates a passkey on
// his account's passkeys page, which then lists it with its fingerprint;
// he accepts a proposal awaiting his answer with the box "Sign with my
// passkey" ticked, and the proposal's page shows the acceptance signed
// with the key of that same fingerprint; he signs out, and signs in again
// with the passkey alone. So static/passkey.js, the server's ceremonies
// and a real browser's WebAuthn agree, which the software authenticator of
// internal/web's test cannot show.
//
// Passkeys need an origin with a domain name: the demo listens on
// 127.0.0.1, and the browser reaches it as localhost, whose address the
// server takes for its origin when it has no base URL.
//
// With PARLEY_SCREENSHOTS=<dir>, it saves the passkeys page, the proposal
// before and after the signed acceptance, and the login page in
// <dir>/passkey.
func TestPasskeyBrowser(t *testing.T) {
	needChromium(t)
	began := time.Now()
	base := localhostURL(t, startDemoServer(t, buildParleyBinary(t)))
	tab := newBrowser(t, 1280, 900)
	t.Logf("the demo is up on %s after %v", base, time.Since(began).Round(time.Millisecond))
	shots := os.Getenv("PARLEY_SCREENSHOTS")

	run := func(what string, f func(context.Context) error) {
		t.Helper()
		start := time.Now()
		ctx, cancel := context.WithTimeout(tab, 20*time.Second)
		defer cancel()
		if err := f(ctx); err != nil {
			body, _ := chromedp.Run(tab, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
			loc, _ := chromedp.Run(tab, chromedp.Location())
			t.Fatalf("head.ru: %s: %v\n--- %s ---\n%.3000s", what, err, loc, body)
		}
		t.Logf("%s: %v", what, time.Since(start).Round(time.Millisecond))
	}
	eval := func(what, script string) string {
		t.Helper()
		var s string
		run(what, func(ctx context.Context) (err error) {
			s, err = chromedp.Run(ctx, chromedp.Evaluate[string](script))
			return err
		})
		return s
	}
	path := func() string {
		t.Helper()
		loc, err := chromedp.Run(tab, chromedp.Location())
		if err != nil {
			t.Fatal(err)
		}
		u, err := url.Parse(loc)
		if err != nil {
			t.Fatal(err)
		}
		return u.Path
	}
	shot := func(name string) {
		t.Helper()
		if shots == "" {
			return
		}
		ctx, cancel := context.WithTimeout(tab, 20*time.Second)
		defer cancel()
		buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		out := filepath.Join(shots, "passkey", name+".png")
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(out, buf, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("saved %s", out)
	}

	// The tab's virtual authenticator: a platform authenticator that keeps
	// discoverable credentials and verifies its user at once, as a laptop
	// with a fingerprint reader would.
	var authenticator webauthn.AuthenticatorID
	run("add a virtual authenticator", func(ctx context.Context) error {
		if _, err := chromedp.Call(ctx, webauthn.Enable, webauthn.EnableParams{}); err != nil {
			return err
		}
		res, err := chromedp.Call(ctx, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{
			Options: &webauthn.VirtualAuthenticatorOptions{
				Protocol:                    webauthn.AuthenticatorProtocolCtap2,
				Transport:                   webauthn.AuthenticatorTransportInternal,
				HasResidentKey:              true,
				HasUserVerification:         true,
				IsUserVerified:              true,
				AutomaticPresenceSimulation: true,
			}})
		authenticator = res.AuthenticatorID
		return err
	})
	credentials := func() []*webauthn.Credential {
		t.Helper()
		var creds []*webauthn.Credential
		run("read the authenticator's credentials", func(ctx context.Context) error {
			res, err := chromedp.Call(ctx, webauthn.GetCredentials, webauthn.GetCredentialsParams{AuthenticatorID: authenticator})
			creds = res.Credentials
			return err
		})
		return creds
	}

	// He signs in with his password, in English.
	run("sign in with the password", func(ctx context.Context) error { return signIn(ctx, base, "head.ru") })
	if p := path(); p == "/login" {
		t.Fatalf("head.ru is still on /login after signing in with his password")
	}
	run("switch to English", switchToEnglish)

	// He creates a passkey on his account's passkeys page.
	run("open the passkeys page", func(ctx context.Context) error {
		return chromedp.Do(ctx, chromedp.Navigate(base+"/account/passkeys"))
	})
	if n := eval("look for the form", `String(document.querySelectorAll("main form[data-passkey-register]").length)`); n != "1" {
		t.Fatalf("the passkeys page has %s forms to create a passkey, want 1 (is the origin refused?)\n%s", n,
			eval("read the page", `document.querySelector("main").innerText`))
	}
	if none := eval("read the empty list", `(document.querySelector("main .empty") || {textContent: ""}).textContent.trim()`); !strings.Contains(none, "no passkey yet") {
		t.Errorf("before any passkey the page says %q, want that he has none", none)
	}
	const keyName = "Laptop, Moscow office"
	run("create a passkey", func(ctx context.Context) error {
		if err := fill(ctx, map[string]string{"pk-name": keyName}); err != nil {
			return err
		}
		return clickAndWait(ctx, `main form[data-passkey-register] button[type=submit]`)
	})
	if p := path(); p != "/account/passkeys" {
		t.Fatalf("head.ru is on %s after creating a passkey, not back on /account/passkeys", p)
	}
	if e := eval("look for errors", `Array.from(document.querySelectorAll("main .field-error:not([hidden]), main .form-error")).map(e => e.textContent.trim()).join(" | ")`); e != "" {
		t.Fatalf("creating the passkey was refused: %s", e)
	}
	row := eval("read the listed passkeys", `JSON.stringify(Array.from(document.querySelectorAll("main table.list tbody tr")).map(tr => Array.from(tr.cells).map(td => td.innerText.trim())))`)
	fingerprint := eval("read the fingerprint", `(document.querySelector("main table.list code.fingerprint") || {textContent: ""}).textContent.trim()`)
	if !regexp.MustCompile(`^[0-9a-f]{2,}( [0-9a-f]{2,})+$`).MatchString(fingerprint) {
		t.Fatalf("the passkeys page shows the fingerprint %q; listed: %s", fingerprint, row)
	}
	if !strings.Contains(row, keyName) || strings.Count(row, fingerprint) != 1 {
		t.Fatalf("the passkeys page lists %s, want one passkey %q with the fingerprint %q", row, keyName, fingerprint)
	}
	t.Logf("the passkeys page lists %s", row)
	creds := credentials()
	if len(creds) != 1 || !creds[0].IsResidentCredential || creds[0].RpID != "localhost" {
		t.Fatalf("the virtual authenticator holds %d credentials (%+v), want one discoverable credential for localhost", len(creds), creds)
	}
	shot("passkeys")

	// A proposal awaits his acceptance: among those on /awaiting that he
	// may answer, the first whose page has the acceptance form.
	run("open the proposals awaiting him", func(ctx context.Context) error {
		return chromedp.Do(ctx, chromedp.Navigate(base+"/awaiting"))
	})
	hrefs := eval("list the proposals he may answer", `JSON.stringify(Array.from(document.querySelectorAll("main li.card")).filter(li => li.querySelector(".formal-tag")).map(li => li.querySelector("h2 a").getAttribute("href")))`)
	var proposal string
	for _, href := range regexp.MustCompile(`/proposals/[a-z0-9]+`).FindAllString(hrefs, -1) {
		if path() != "/awaiting" {
			run("go back to /awaiting", func(ctx context.Context) error {
				return chromedp.Do(ctx, chromedp.Navigate(base+"/awaiting"))
			})
		}
		run("open "+href, func(ctx context.Context) error {
			return clickAndWait(ctx, fmt.Sprintf(`main li.card h2 a[href=%s]`, jsString(href)))
		})
		if eval("look for the acceptance form", `String(document.querySelector('form[action$="/accept"]') !== null)`) == "true" {
			proposal = href
			break
		}
	}
	if proposal == "" {
		t.Fatalf("no proposal on /awaiting (%s) has a form for head.ru to accept it", hrefs)
	}
	title := eval("read the title", `document.querySelector("#proposal h1").firstChild.textContent.trim()`)
	t.Logf("accepting %s: %s", proposal, title)
	if sign := eval("look at the signing box", `(() => {
		const f = document.querySelector('form[action$="/accept"]');
		const box = f.elements.sign, field = f.elements.passkey_assertion;
		const label = box ? box.closest("label").textContent.trim() : "";
		return [box ? box.type : "none", box && box.checked, field ? field.type : "none", label].join("|");
	})()`); sign != "checkbox|true|hidden|Sign with my passkey" {
		t.Fatalf("the acceptance form's signing box is %q, want a ticked box %q with a hidden field for the signature", sign, "Sign with my passkey")
	}
	if n := eval("count the signed acts", `String(document.querySelectorAll(".signed-tag").length)`); n != "0" {
		t.Fatalf("the proposal shows %s signed acts before he signs any", n)
	}
	shot("proposal-to-sign")
	run("accept with a reason, signed", func(ctx context.Context) error {
		if err := fill(ctx, map[string]string{"acc-reason": "Accepted as agreed in the working group."}); err != nil {
			return err
		}
		return clickAndWait(ctx, `form[action$="/accept"] button[type=submit]`)
	})
	if p := path(); p != proposal {
		t.Fatalf("head.ru is on %s after accepting, not on the proposal %s", p, proposal)
	}
	if e := eval("look for errors", `Array.from(document.querySelectorAll("main .field-error:not([hidden]), main .form-error")).map(e => e.textContent.trim()).join(" | ")`); e != "" {
		t.Fatalf("the signed acceptance was refused: %s", e)
	}
	if s := eval("read the status", `(document.querySelector("#proposal h1 .status") || {textContent: ""}).textContent.trim()`); s != "Accepted" {
		t.Errorf("the proposal's status is %q after the acceptance, want Accepted", s)
	}
	// One act bears the tag: the acceptance, in the proposal's history.
	tags := eval("read the signed tags", `JSON.stringify(Array.from(document.querySelectorAll(".signed-tag")).map(s => [s.textContent.trim(), s.title, s.closest("li") ? s.closest("li").querySelector("strong").textContent.trim() : ""]))`)
	if want := fmt.Sprintf(`[["signed with a passkey","key %s","Accepted"]]`, fingerprint); tags != want {
		t.Errorf("the proposal's signed tags (text, title, act) are %s, want %s", tags, want)
	}
	signed := eval("read the signed acts", `(() => { const s = document.querySelector("section.signed-acts"); return s ? s.innerText : ""; })()`)
	if !strings.HasPrefix(signed, "Signed acts") || !strings.Contains(signed, "Signed by Vladimir Sokolov with a passkey") ||
		!strings.Contains(signed, "key "+fingerprint) || !strings.Contains(signed, "Accepted") {
		t.Errorf("the section of signed acts reads %q, want head.ru's acceptance with the key %q", signed, fingerprint)
	}
	shown := regexp.MustCompile(`key ([0-9a-f ]+[0-9a-f])`).FindAllStringSubmatch(signed, -1)
	if len(shown) != 1 || shown[0][1] != fingerprint {
		t.Errorf("the signed acts show the keys %q, want exactly the passkeys page's %q", shown, fingerprint)
	}
	t.Logf("signed acts: %q", signed)
	shot("proposal-signed")

	// He signs out with the header's button and signs in again with the
	// passkey alone.
	run("sign out", func(ctx context.Context) error { return clickAndWait(ctx, `header form[action="/logout"] button`) })
	if p := path(); p != "/login" {
		t.Fatalf("head.ru is on %s after signing out, not on /login", p)
	}
	if who := eval("look for the account", `(document.querySelector("header a.who") || {textContent: ""}).textContent`); who != "" {
		t.Fatalf("the page after signing out still shows %q signed in", who)
	}
	if v := eval("look at the passkey button", `(() => {
		const f = document.querySelector("form[data-passkey-login]");
		const b = f && f.querySelector("button[type=submit]");
		return f && !f.hidden && b && b.offsetParent !== null ? b.textContent.trim() : "";
	})()`); v != "Sign in with a passkey" {
		t.Fatalf("the login page's passkey button reads %q (hidden or missing?), want %q", v, "Sign in with a passkey")
	}
	shot("login")
	run("sign in with the passkey", func(ctx context.Context) error {
		return clickAndWait(ctx, `form[data-passkey-login] button[type=submit]`)
	})
	if p := path(); p == "/login" || p == "/login/passkey" {
		t.Fatalf("head.ru is on %s after signing in with the passkey: %s", p,
			eval("read the error", `Array.from(document.querySelectorAll(".form-error, [data-passkey-error]")).map(e => e.textContent.trim()).join(" | ")`))
	}
	if who := eval("look for the account", `(document.querySelector("header a.who") || {textContent: ""}).textContent.trim()`); who != "Vladimir Sokolov" {
		t.Fatalf("after the passkey sign-in the header shows %q, want Vladimir Sokolov (head.ru)", who)
	}
	t.Logf("signed in with the passkey, landing on %s", path())
	run("open the passkeys page again", func(ctx context.Context) error {
		return chromedp.Do(ctx, chromedp.Navigate(base+"/account/passkeys"))
	})
	if used := eval("read when the key was used", `(() => { const r = document.querySelector("main table.list tbody tr"); return r ? r.cells[3].innerText.trim() : ""; })()`); used == "" || used == "—" {
		t.Errorf("the passkeys page says the key was last used %q after signing and signing in with it", used)
	}
	if creds := credentials(); len(creds) != 1 || creds[0].SignCount < 2 {
		t.Errorf("the virtual authenticator holds %d credentials (%+v); want one, used twice since it was made", len(creds), creds)
	}
	t.Logf("the whole walk took %v", time.Since(began).Round(time.Millisecond))
}

// localhostURL turns the demo's http://127.0.0.1:PORT into
// http://localhost:PORT: a WebAuthn origin must be a domain name.
func localhostURL(t *testing.T, base string) string {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil || u.Hostname() != "127.0.0.1" {
		t.Fatalf("the demo listens on %q, want http://127.0.0.1:PORT (%v)", base, err)
	}
	u.Host = "localhost:" + u.Port()
	return u.String()
}

// clickAndWait clicks the element matched by the CSS selector, as a person
// would, and waits for the page that comes of it: for a passkey form, the
// one its script sends once the authenticator has answered.
func clickAndWait(ctx context.Context, selector string) error {
	script := fmt.Sprintf(`(() => {
		const b = document.querySelector(%s);
		if (!b) throw new Error("nothing matches the selector");
		b.click();
	})()`, jsString(selector))
	if _, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Evaluate[chromedp.Void](script))); err != nil {
		return fmt.Errorf("click %s: %w", selector, err)
	}
	return nil
}
