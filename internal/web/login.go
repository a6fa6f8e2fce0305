package web

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/auth"
)

type loginPage struct {
	Next  string
	Error string
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) {
	if _, ok := requestAccount(r.Context()); ok {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	p := s.page(r, "login.title")
	p.Data = loginPage{Next: safeNext(r.URL.Query().Get("next"))}
	s.render(w, r, http.StatusOK, "login.html", p)
}

// safeNext keeps a redirect target on this server.
func safeNext(next string) string {
	u, err := url.Parse(next)
	if err != nil || next == "" || u.IsAbs() || u.Host != "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") {
		return "/"
	}
	return next
}

// clientIP is the address of the client: the connection's peer, or, when
// that peer is one of the trusted proxies (a load balancer), the nearest
// address in X-Forwarded-For that is not a trusted proxy. Without trusted
// proxies the header is never read: anyone can write it.
func (s *Server) clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	trusted := func(h string) bool {
		a, err := netip.ParseAddr(strings.TrimSpace(h))
		if err != nil {
			return false
		}
		for _, p := range s.cfg.TrustedProxies {
			if p.Contains(a.Unmap()) {
				return true
			}
		}
		return false
	}
	if !trusted(host) {
		return host
	}
	var hops []string
	for _, v := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(v, ",")...)
	}
	for i := len(hops) - 1; i >= 0; i-- {
		h := strings.TrimSpace(hops[i])
		if _, err := netip.ParseAddr(h); err != nil {
			break // a malformed hop: trust nothing before it
		}
		if !trusted(h) {
			return h
		}
	}
	return host
}

// login checks a user name and password. Failures are counted per account
// (a lock-out after MaxFailedLogins in a row) and limited per client
// address; every failure gets the same answer, so the form does not tell
// which user names exist.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	ctx := r.Context()
	username := strings.TrimSpace(r.PostForm.Get("username"))
	password := r.PostForm.Get("password")
	next := safeNext(r.PostForm.Get("next"))
	refuse := func(status int, msg string) {
		p := s.page(r, "login.title")
		p.Form = r.PostForm
		p.Data = loginPage{Next: next, Error: msg}
		s.render(w, r, status, "login.html", p)
	}
	now := s.now()
	if !s.limiter.Allow("ip:"+s.clientIP(r), now) || !s.limiter.Allow("user:"+strings.ToLower(username), now) {
		refuse(http.StatusTooManyRequests, "login.too_many")
		return
	}
	acc, cred, err := s.db.AccountByUsername(ctx, username)
	if err != nil {
		if parley.ErrorCode(err) != parley.ENOTFOUND {
			s.fail(w, r, err)
			return
		}
		// Spend the time a real check would, and lock the name after as
		// many failures as an account, so that neither the timing nor the
		// lock-out reveals which accounts exist.
		auth.CheckPassword(s.dummyHash, password)
		if !s.phantom.Allow(strings.ToLower(username), now) {
			refuse(http.StatusTooManyRequests, "login.locked")
			return
		}
		refuse(http.StatusUnauthorized, "login.failed")
		return
	}
	if acc.LockedUntil.After(now) {
		refuse(http.StatusTooManyRequests, "login.locked")
		return
	}
	ok, err := auth.CheckPassword(cred.PasswordHash, password)
	if err != nil {
		s.log.WarnContext(ctx, "unusable password hash", "account", acc.ID, "err", err)
	}
	if !ok {
		if err := s.db.LoginFailed(ctx, acc.ID, s.cfg.MaxFailedLogins, now.Add(s.cfg.LockFor)); err != nil {
			s.fail(w, r, err)
			return
		}
		refuse(http.StatusUnauthorized, "login.failed")
		return
	}
	// Under the operator's rule a head who has a passkey signs in with it,
	// never with the password alone.
	if must, err := s.passwordRefused(ctx, acc); err != nil {
		s.fail(w, r, err)
		return
	} else if must {
		refuse(http.StatusUnauthorized, "login.use_passkey")
		return
	}
	if err := s.sessions.RenewToken(ctx); err != nil {
		s.fail(w, r, err)
		return
	}
	if acc.TOTPEnabled && !acc.TOTPWaived {
		s.sessions.Put(ctx, sessPending, acc.ID)
		s.sessions.Put(ctx, "next", next)
		http.Redirect(w, r, "/login/second-factor", http.StatusSeeOther)
		return
	}
	s.signIn(ctx, acc.ID)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Server) signIn(ctx context.Context, account string) {
	s.db.LoginSucceeded(ctx, account)
	s.sessions.Remove(ctx, sessPending)
	s.sessions.Put(ctx, sessAccount, account)
}

func (s *Server) secondFactorForm(w http.ResponseWriter, r *http.Request) {
	if s.sessions.GetString(r.Context(), sessPending) == "" {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	p := s.page(r, "login.second_factor")
	p.Data = loginPage{}
	s.render(w, r, http.StatusOK, "second-factor.html", p)
}

func (s *Server) secondFactor(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id := s.sessions.GetString(ctx, sessPending)
	if id == "" {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	if err := parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	now := s.now()
	refuse := func(status int, msg string) {
		p := s.page(r, "login.second_factor")
		p.Data = loginPage{Error: msg}
		s.render(w, r, status, "second-factor.html", p)
	}
	if !s.limiter.Allow("totp:"+id, now) {
		refuse(http.StatusTooManyRequests, "login.too_many")
		return
	}
	cred, err := s.db.Credentials(ctx, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !auth.CheckTOTP(cred.TOTPSecret, strings.TrimSpace(r.PostForm.Get("code")), now) {
		if err := s.db.LoginFailed(ctx, id, s.cfg.MaxFailedLogins, now.Add(s.cfg.LockFor)); err != nil {
			s.fail(w, r, err)
			return
		}
		refuse(http.StatusUnauthorized, "login.bad_code")
		return
	}
	next := safeNext(s.sessions.PopString(ctx, "next"))
	if err := s.sessions.RenewToken(ctx); err != nil {
		s.fail(w, r, err)
		return
	}
	s.signIn(ctx, id)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if err := s.sessions.Destroy(r.Context()); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// setLanguage changes the interface language: the account's setting when
// signed in, a cookie otherwise.
func (s *Server) setLanguage(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	l, ok := parley.ParseLang(r.PostForm.Get("lang"))
	if !ok {
		s.fail(w, r, parley.Errorf(parley.EINVALID, "Unknown language."))
		return
	}
	if acc, signed := requestAccount(r.Context()); signed {
		if err := s.db.SetProfile(r.Context(), acc.ID, acc.DisplayName, l, acc.TimeZone); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: "parley_lang", Value: string(l), Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.sessions.Cookie.Secure})
	http.Redirect(w, r, safeNext(r.PostForm.Get("next")), http.StatusSeeOther)
}

// parseForm reads a form of at most 1 MiB.
func parseForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	if err := r.ParseForm(); err != nil {
		return parley.Errorf(parley.EINVALID, "The form could not be read.")
	}
	return nil
}

// member returns the actor of r, or EUNAUTHORIZED. A member of a party or
// the mediator who has not enrolled a second factor yet must do that first.
func (s *Server) member(w http.ResponseWriter, r *http.Request) (parley.Actor, bool) {
	a := requestActor(r.Context())
	if a.Anonymous() {
		s.fail(w, r, parley.Errorf(parley.EUNAUTHORIZED, "Sign in first."))
		return a, false
	}
	acc, _ := requestAccount(r.Context())
	if s.needsEnrolment(acc, a) {
		http.Redirect(w, r, "/account/second-factor", http.StatusSeeOther)
		return a, false
	}
	if must, err := s.needsPasskey(r.Context(), acc, a); err != nil {
		s.fail(w, r, err)
		return a, false
	} else if must {
		http.Redirect(w, r, "/account/passkeys", http.StatusSeeOther)
		return a, false
	}
	return a, true
}

func (s *Server) needsEnrolment(acc parley.Account, a parley.Actor) bool {
	partyOrMediator := false
	for _, m := range a.Members {
		partyOrMediator = partyOrMediator || m.Role != parley.RoleObserver
	}
	return parley.NeedsTOTP(acc, partyOrMediator) && !acc.TOTPEnabled
}
