package web

import (
	"context"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/auth"
	"github.com/parley-talks/parley/internal/service"
	"github.com/parley-talks/parley/internal/store"
)

// Passkeys: registering them (the account's passkeys page), signing in
// with one, an operator's rule that heads of delegation must, and formal
// acts signed with one. The ceremonies are in internal/auth; the browser
// side is static/passkey.js.

const (
	sessPasskeyReg   = "passkey_reg"   // a registration ceremony under way
	sessPasskeyLogin = "passkey_login" // a sign-in ceremony under way

	// settingHeadsPasskeys is "required" when heads of delegation must sign
	// in with a passkey.
	settingHeadsPasskeys = "heads_passkeys"
)

// passkeys returns the WebAuthn ceremonies for the server's origin: the
// base URL when one is set, otherwise the address the browser used (a
// server run on localhost). An IP address cannot hold passkeys.
func (s *Server) passkeys(r *http.Request) (*auth.Passkeys, error) {
	origin := strings.TrimRight(s.cfg.BaseURL, "/")
	if origin == "" {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		origin = scheme + "://" + r.Host
	}
	p, err := auth.NewPasskeys(origin, "Parley")
	if err != nil {
		return nil, parley.Errorf(parley.EINVALID, "Passkeys need the server to be reached by a domain name: %v", err)
	}
	return p, nil
}

// passkeyUser is the account with its passkeys, as the ceremonies need it.
func (s *Server) passkeyUser(ctx context.Context, acc parley.Account) (auth.PasskeyUser, []store.Passkey, error) {
	keys, err := s.db.Passkeys(ctx, acc.ID)
	if err != nil {
		return auth.PasskeyUser{}, nil, err
	}
	u := auth.PasskeyUser{ID: acc.ID, Name: acc.Username, DisplayName: acc.DisplayName}
	for _, k := range keys {
		u.Credentials = append(u.Credentials, k.Credential)
	}
	return u, keys, nil
}

type passkeyView struct {
	store.Passkey
	Fingerprint string
}

type passkeysPage struct {
	Keys      []passkeyView
	Required  bool   // the operator requires heads to use passkeys, and this account is a head
	Available string // why passkeys cannot be used here, if they cannot
}

// passkeysPage lists the account's passkeys with the form that adds one.
// It is open to a head who must register a passkey before anything else.
func (s *Server) passkeysPage(w http.ResponseWriter, r *http.Request) {
	p := s.page(r, "passkey.title")
	if p.Actor.Anonymous() {
		s.fail(w, r, parley.Errorf(parley.EUNAUTHORIZED, "Sign in first."))
		return
	}
	s.showPasskeys(w, r, p, http.StatusOK)
}

func (s *Server) showPasskeys(w http.ResponseWriter, r *http.Request, p *page, status int) {
	ctx := r.Context()
	keys, err := s.db.Passkeys(ctx, p.Account.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := passkeysPage{}
	for _, k := range keys {
		d.Keys = append(d.Keys, passkeyView{Passkey: k, Fingerprint: fingerprintOf(k)})
	}
	if d.Required, err = s.headMustUsePasskey(ctx, p.Actor); err != nil {
		s.fail(w, r, err)
		return
	}
	if _, err := s.passkeys(r); err != nil {
		d.Available = "passkey.unavailable"
	}
	p.Data = d
	s.render(w, r, status, "passkeys.html", p)
}

// fingerprintOf is the fingerprint of a stored passkey's public key, the
// one its signed acts show.
func fingerprintOf(k store.Passkey) string {
	pub, err := auth.PublicKeyOf(k.Credential)
	if err != nil {
		return "?"
	}
	return parley.KeyFingerprint(pub)
}

// passkeyOptions begins registering a passkey: the options for
// navigator.credentials.create, as JSON.
func (s *Server) passkeyOptions(w http.ResponseWriter, r *http.Request) {
	acc, ok := requestAccount(r.Context())
	if !ok {
		s.apiError(w, r, parley.Errorf(parley.EUNAUTHORIZED, "Sign in first."))
		return
	}
	pk, err := s.passkeys(r)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	u, _, err := s.passkeyUser(r.Context(), acc)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	opts, c, err := pk.BeginRegistration(u)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), sessPasskeyReg, []byte(c))
	writeRawJSON(w, opts)
}

// addPasskey finishes registering a passkey from the browser's answer.
func (s *Server) addPasskey(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	acc, ok := requestAccount(ctx)
	if !ok {
		s.fail(w, r, parley.Errorf(parley.EUNAUTHORIZED, "Sign in first."))
		return
	}
	if err := parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	name := strings.TrimSpace(r.PostForm.Get("name"))
	var v parley.Invalid
	v.Require("name", name)
	if utf8.RuneCountInString(name) > 60 {
		v.Add("name", "is longer than 60 characters")
	}
	if r.PostForm.Get("response") == "" {
		v.Add("response", "passkey.no_response")
	}
	refuse := func(err error) {
		p := s.page(r, "passkey.title")
		p.Form, p.Errors = r.PostForm, fields(err)
		s.showPasskeys(w, r, p, status(parley.ErrorCode(err)))
	}
	if err := v.Err(); err != nil {
		refuse(err)
		return
	}
	pk, err := s.passkeys(r)
	if err != nil {
		refuse(err)
		return
	}
	u, _, err := s.passkeyUser(ctx, acc)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	c := auth.Ceremony(s.sessions.PopBytes(ctx, sessPasskeyReg))
	id, record, err := pk.FinishRegistration(u, c, []byte(r.PostForm.Get("response")))
	if err != nil {
		s.log.InfoContext(ctx, "passkey registration refused", "account", acc.ID, "err", err)
		var v parley.Invalid
		v.Add("response", "passkey.refused")
		refuse(v.Err())
		return
	}
	now := s.now()
	if err := s.db.AddPasskey(ctx, store.Passkey{ID: service.NewID(), AccountID: acc.ID, CredentialID: id, Name: name, Credential: record, CreatedAt: now}); err != nil {
		s.fail(w, r, err)
		return
	}
	s.sessions.Put(ctx, sessFlash, "flash.passkey_added")
	http.Redirect(w, r, "/account/passkeys", http.StatusSeeOther)
}

// removePasskey removes one of the account's passkeys. The acts it signed
// keep their signatures.
func (s *Server) removePasskey(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	acc, ok := requestAccount(ctx)
	if !ok {
		s.fail(w, r, parley.Errorf(parley.EUNAUTHORIZED, "Sign in first."))
		return
	}
	if err := s.db.RemovePasskey(ctx, acc.ID, r.PathValue("passkey")); err != nil {
		s.fail(w, r, err)
		return
	}
	s.sessions.Put(ctx, sessFlash, "flash.passkey_removed")
	http.Redirect(w, r, "/account/passkeys", http.StatusSeeOther)
}

// loginPasskeyOptions begins a sign-in with a passkey.
func (s *Server) loginPasskeyOptions(w http.ResponseWriter, r *http.Request) {
	pk, err := s.passkeys(r)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	opts, c, err := pk.BeginLogin()
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), sessPasskeyLogin, []byte(c))
	writeRawJSON(w, opts)
}

// loginPasskey signs in with the browser's answer to the options. A
// passkey verifies its user (PIN or biometrics): it is both factors.
func (s *Server) loginPasskey(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if err := parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	next := safeNext(r.PostForm.Get("next"))
	refuse := func(status int, msg string) {
		p := s.page(r, "login.title")
		p.Data = loginPage{Next: next, Error: msg}
		s.render(w, r, status, "login.html", p)
	}
	now := s.now()
	if !s.limiter.Allow("ip:"+s.clientIP(r), now) {
		refuse(http.StatusTooManyRequests, "login.too_many")
		return
	}
	pk, err := s.passkeys(r)
	if err != nil {
		refuse(http.StatusBadRequest, "passkey.unavailable")
		return
	}
	c := auth.Ceremony(s.sessions.PopBytes(ctx, sessPasskeyLogin))
	account, credID, record, err := pk.FinishLogin(c, []byte(r.PostForm.Get("response")), func(handle []byte) (auth.PasskeyUser, error) {
		acc, err := s.db.Account(ctx, string(handle))
		if err != nil {
			return auth.PasskeyUser{}, err
		}
		u, _, err := s.passkeyUser(ctx, acc)
		return u, err
	})
	if err != nil {
		s.log.InfoContext(ctx, "passkey sign-in refused", "err", err)
		refuse(http.StatusUnauthorized, "login.passkey_failed")
		return
	}
	acc, err := s.db.Account(ctx, account)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if acc.LockedUntil.After(now) {
		refuse(http.StatusTooManyRequests, "login.locked")
		return
	}
	if k, err := s.db.PasskeyByCredential(ctx, credID); err == nil {
		if err := s.db.PasskeyUsed(ctx, k.ID, record, now); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	if err := s.sessions.RenewToken(ctx); err != nil {
		s.fail(w, r, err)
		return
	}
	s.signIn(ctx, acc.ID)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// headsPasskeysRequired reports the operator's rule.
func (s *Server) headsPasskeysRequired(ctx context.Context) (bool, error) {
	v, err := s.db.Setting(ctx, settingHeadsPasskeys)
	return v == "required", err
}

// headMustUsePasskey reports whether a is a head of delegation on a server
// whose operator requires heads to use passkeys.
func (s *Server) headMustUsePasskey(ctx context.Context, a parley.Actor) (bool, error) {
	head := false
	for _, m := range a.Members {
		head = head || m.Role == parley.RoleHead
	}
	if !head {
		return false, nil
	}
	return s.headsPasskeysRequired(ctx)
}

// needsPasskey reports whether the signed-in account must register a
// passkey before anything else: a head, under the operator's rule, who
// has none yet.
func (s *Server) needsPasskey(ctx context.Context, acc parley.Account, a parley.Actor) (bool, error) {
	must, err := s.headMustUsePasskey(ctx, a)
	if err != nil || !must {
		return false, err
	}
	keys, err := s.db.Passkeys(ctx, acc.ID)
	return len(keys) == 0, err
}

// setPasskeyRule is the operator's switch of the rule.
func (s *Server) setPasskeyRule(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.operator(w, r); !ok {
		return
	}
	if err := parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	v := ""
	if r.PostForm.Get("heads") == "required" {
		v = "required"
	}
	if err := s.db.SetSetting(r.Context(), settingHeadsPasskeys, v); err != nil {
		s.fail(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), sessFlash, "flash.saved")
	http.Redirect(w, r, "/admin", http.StatusSeeOther)
}

// formalAct runs the command of a formal act sent from a page's form, in
// one of three ways:
//
//   - with the header "Parley-Sign: prepare" (static/passkey.js, before it
//     asks the authenticator) it decides the act without recording it and
//     answers with the options for navigator.credentials.get, whose
//     challenge is the act's; done is true and the caller stops;
//   - with a passkey_assertion field it records the act signed with it,
//     or refuses the whole command if the signature is not the author's
//     over exactly this act;
//   - otherwise it records the act unsigned.
func (s *Server) formalAct(w http.ResponseWriter, r *http.Request, cmd parley.Command) (evs []parley.Event, done bool, err error) {
	ctx := r.Context()
	a := requestActor(ctx)
	if r.Header.Get("Parley-Sign") == "prepare" {
		acc, _ := requestAccount(ctx)
		opts, err := s.prepareAct(r, acc, a, cmd)
		if err != nil {
			s.apiError(w, r, err)
			return nil, true, nil
		}
		writeRawJSON(w, opts)
		return nil, true, nil
	}
	assertion := r.PostForm.Get("passkey_assertion")
	if assertion == "" {
		evs, err = s.svc.Do(ctx, a, cmd)
		return evs, false, err
	}
	acc, _ := requestAccount(ctx)
	pk, err := s.passkeys(r)
	if err != nil {
		return nil, false, err
	}
	u, _, err := s.passkeyUser(ctx, acc)
	if err != nil {
		return nil, false, err
	}
	var credID, record []byte
	evs, err = s.svc.DoSigned(ctx, a, cmd, func(challenge []byte) (*parley.PasskeySignature, error) {
		sig, id, rec, err := pk.SignAct(u, challenge, []byte(assertion))
		credID, record = id, rec
		return sig, err
	})
	if err == nil {
		if k, kerr := s.db.PasskeyByCredential(ctx, credID); kerr == nil {
			if kerr := s.db.PasskeyUsed(ctx, k.ID, record, s.now()); kerr != nil {
				s.log.WarnContext(ctx, "passkey use not stored", "err", kerr)
			}
		}
	}
	return evs, false, err
}

// prepareAct decides cmd without recording it and returns the options
// with which the author's passkey signs the act it would be.
func (s *Server) prepareAct(r *http.Request, acc parley.Account, a parley.Actor, cmd parley.Command) ([]byte, error) {
	pk, err := s.passkeys(r)
	if err != nil {
		return nil, err
	}
	u, _, err := s.passkeyUser(r.Context(), acc)
	if err != nil {
		return nil, err
	}
	_, challenge, err := s.svc.Prepare(r.Context(), a, cmd)
	if err != nil {
		return nil, err
	}
	return pk.ActOptions(u, challenge)
}

// signing prepares a page with formal acts: whether its reader can sign
// them (they have a passkey the server can use), and which acts on the
// objects shown were signed.
func (s *Server) signing(r *http.Request, p *page, objects ...string) error {
	ctx := r.Context()
	signed, err := s.db.SignedActs(ctx, objects...)
	if err != nil {
		return err
	}
	p.Signed = signed
	if p.Account == nil {
		return nil
	}
	if _, err := s.passkeys(r); err != nil {
		return nil
	}
	keys, err := s.db.Passkeys(ctx, p.Account.ID)
	p.CanSign = len(keys) > 0
	return err
}

func writeRawJSON(w http.ResponseWriter, b []byte) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(b)
}

// passwordRefused reports whether acc may not sign in with a password: a
// head, under the operator's rule, who has registered a passkey.
func (s *Server) passwordRefused(ctx context.Context, acc parley.Account) (bool, error) {
	a, err := s.db.Actor(ctx, acc.ID, "")
	if err != nil {
		return false, err
	}
	must, err := s.headMustUsePasskey(ctx, a)
	if err != nil || !must {
		return false, err
	}
	keys, err := s.db.Passkeys(ctx, acc.ID)
	return len(keys) > 0, err
}
