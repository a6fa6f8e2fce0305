package web

import (
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/auth"
	"github.com/parley-talks/parley/internal/service"
	"github.com/parley-talks/parley/internal/store"
)

type accountPage struct {
	Account  parley.Account
	Tokens   []store.Token
	NewToken string // shown once, right after it was made
	Members  []parley.Membership
	Process  map[string]string // process titles by ID, for token scopes
	Zones    []string
}

// Time zones offered in the settings; any IANA name is accepted.
var zones = []string{"UTC", "Europe/Kyiv", "Europe/Moscow", "Europe/Istanbul", "Europe/Berlin", "Europe/London",
	"Europe/Paris", "Europe/Warsaw", "Europe/Helsinki", "America/New_York", "Asia/Dubai"}

func (s *Server) accountPage(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.member(w, r); !ok {
		return
	}
	p := s.page(r, "account.title")
	s.showAccount(w, r, p, http.StatusOK, "")
}

func (s *Server) showAccount(w http.ResponseWriter, r *http.Request, p *page, status int, newToken string) {
	ctx := r.Context()
	acc := *p.Account
	toks, err := s.db.Tokens(ctx, acc.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ps, err := s.db.Processes(ctx, p.Actor)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	titles := map[string]string{}
	for _, x := range ps {
		titles[x.ID] = x.Title
	}
	p.Data = accountPage{Account: acc, Tokens: toks, NewToken: newToken, Members: p.Actor.Members, Process: titles, Zones: zones}
	s.render(w, r, status, "account.html", p)
}

func (s *Server) saveProfile(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.member(w, r); !ok {
		return
	}
	if err := parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	acc, _ := requestAccount(r.Context())
	name := strings.TrimSpace(r.PostForm.Get("display_name"))
	lang, langOK := parley.ParseLang(r.PostForm.Get("locale"))
	tz := r.PostForm.Get("timezone")
	var v parley.Invalid
	v.Require("display_name", name)
	v.MaxLen("display_name", name, 100)
	if !langOK {
		v.Add("locale", "names an unknown language")
	}
	if _, err := time.LoadLocation(tz); err != nil || tz == "" {
		v.Add("timezone", "is not a known time zone")
	}
	email, hasEmail := strings.TrimSpace(r.PostForm.Get("email")), r.PostForm.Has("email")
	auth.ValidateEmail(&v, "email", email)
	if err := v.Err(); err != nil {
		p := s.page(r, "account.title")
		p.Form, p.Errors = r.PostForm, fields(err)
		s.showAccount(w, r, p, http.StatusBadRequest, "")
		return
	}
	if err := s.db.SetProfile(r.Context(), acc.ID, name, lang, tz); err != nil {
		s.fail(w, r, err)
		return
	}
	if hasEmail {
		if err := s.db.SetEmail(r.Context(), acc.ID, email); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.sessions.Put(r.Context(), sessFlash, "flash.saved")
	http.Redirect(w, r, "/account", http.StatusSeeOther)
}

func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.member(w, r); !ok {
		return
	}
	if err := parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	ctx := r.Context()
	acc, _ := requestAccount(ctx)
	cred, err := s.db.Credentials(ctx, acc.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var v parley.Invalid
	if ok, _ := auth.CheckPassword(cred.PasswordHash, r.PostForm.Get("current")); !ok {
		v.Add("current", "is not your current password")
	}
	next := r.PostForm.Get("new")
	auth.ValidatePassword(&v, "new", next)
	if next != r.PostForm.Get("repeat") {
		v.Add("repeat", "does not match")
	}
	if err := v.Err(); err != nil {
		p := s.page(r, "account.title")
		p.Errors = fields(err)
		s.showAccount(w, r, p, http.StatusBadRequest, "")
		return
	}
	hash, err := auth.HashPassword(next, s.cfg.PasswordParams)
	if err == nil {
		err = s.db.SetPassword(ctx, acc.ID, hash)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.sessions.Put(ctx, sessFlash, "flash.password_changed")
	http.Redirect(w, r, "/account", http.StatusSeeOther)
}

type enrolPage struct {
	Secret   string
	QR       template.URL // a data: URL of a PNG made by the server
	Enrolled bool
	Required bool
}

// enrolForm starts enrolling a second factor: a new secret is kept in the
// session until a code from it is confirmed.
func (s *Server) enrolForm(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	acc, ok := requestAccount(ctx)
	if !ok {
		s.fail(w, r, parley.Errorf(parley.EUNAUTHORIZED, "Sign in first."))
		return
	}
	p := s.page(r, "enrol.title")
	s.showEnrol(w, r, p, acc, http.StatusOK)
}

func (s *Server) showEnrol(w http.ResponseWriter, r *http.Request, p *page, acc parley.Account, status int) {
	ctx := r.Context()
	secret, _, qr, err := auth.NewTOTP("Parley", acc.Username)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.sessions.Put(ctx, "totp_secret", secret)
	p.Data = enrolPage{Secret: secret, QR: template.URL(qr), Enrolled: acc.TOTPEnabled, Required: s.needsEnrolment(acc, p.Actor)}
	s.render(w, r, status, "enrol.html", p)
}

func (s *Server) enrol(w http.ResponseWriter, r *http.Request) {
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
	secret := s.sessions.GetString(ctx, "totp_secret")
	if secret == "" || !auth.CheckTOTP(secret, strings.TrimSpace(r.PostForm.Get("code")), s.now()) {
		p := s.page(r, "enrol.title")
		p.Errors = map[string]string{"code": "is not the current code"}
		s.showEnrol(w, r, p, acc, http.StatusBadRequest)
		return
	}
	if err := s.db.SetTOTP(ctx, acc.ID, secret, true); err != nil {
		s.fail(w, r, err)
		return
	}
	s.sessions.Remove(ctx, "totp_secret")
	if err := s.sessions.RenewToken(ctx); err != nil {
		s.fail(w, r, err)
		return
	}
	s.sessions.Put(ctx, sessFlash, "flash.second_factor_on")
	http.Redirect(w, r, "/account", http.StatusSeeOther)
}

func (s *Server) createToken(w http.ResponseWriter, r *http.Request) {
	a, ok := s.member(w, r)
	if !ok {
		return
	}
	if err := parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	name := strings.TrimSpace(r.PostForm.Get("name"))
	process := r.PostForm.Get("process")
	var v parley.Invalid
	v.Require("name", name)
	v.MaxLen("name", name, 100)
	if _, member := a.In(process); !member {
		v.Add("process", "must be a process you are a member of")
	}
	if err := v.Err(); err != nil {
		p := s.page(r, "account.title")
		p.Form, p.Errors = r.PostForm, fields(err)
		s.showAccount(w, r, p, http.StatusBadRequest, "")
		return
	}
	secret, hash, err := auth.NewToken()
	if err == nil {
		err = s.db.CreateToken(r.Context(), store.Token{ID: service.NewID(), AccountID: a.AccountID, ProcessID: process, Name: name, CreatedAt: s.now()}, hash)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := s.page(r, "account.title")
	s.showAccount(w, r, p, http.StatusCreated, secret)
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) {
	a, ok := s.member(w, r)
	if !ok {
		return
	}
	if err := s.db.DeleteToken(r.Context(), a.AccountID, r.PathValue("token")); err != nil {
		s.fail(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), sessFlash, "flash.token_revoked")
	http.Redirect(w, r, "/account", http.StatusSeeOther)
}
