package web

import (
	"net/http"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/auth"
	"github.com/parley-talks/parley/internal/record"
	"github.com/parley-talks/parley/internal/service"
)

type adminPage struct {
	Accounts    []parley.Account
	Processes   []parley.Process
	LogSize     int64
	Checkpoint  *record.Checkpoint // the latest, if any
	VerifierKey string
	Witnesses   []record.Cosignature // each witness's latest cosignature
	// HeadsPasskeys is the rule that heads of delegation sign in with a
	// passkey.
	HeadsPasskeys bool
}

// Lag is how many entries the latest checkpoint is ahead of what witness w
// last cosigned.
func (a adminPage) Lag(w record.Cosignature) int64 {
	if a.Checkpoint == nil {
		return 0
	}
	return a.Checkpoint.Size - w.Size
}

// operator returns the actor of r if it operates the server.
func (s *Server) operator(w http.ResponseWriter, r *http.Request) (parley.Actor, bool) {
	a, ok := s.member(w, r)
	if !ok {
		return a, false
	}
	if !a.Operator {
		s.fail(w, r, parley.Errorf(parley.EFORBIDDEN, "Only the server's operator may do this."))
		return a, false
	}
	return a, true
}

func (s *Server) adminPage(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.operator(w, r); !ok {
		return
	}
	s.showAdmin(w, r, s.page(r, "admin.title"), http.StatusOK)
}

func (s *Server) showAdmin(w http.ResponseWriter, r *http.Request, p *page, status int) {
	ctx := r.Context()
	accs, err := s.db.Accounts(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ps, err := s.db.Processes(ctx, p.Actor)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := adminPage{Accounts: accs, Processes: ps, LogSize: p.Seq}
	if d.HeadsPasskeys, err = s.headsPasskeysRequired(ctx); err != nil {
		s.fail(w, r, err)
		return
	}
	if c, err := s.db.LatestCheckpoint(ctx); err == nil {
		d.Checkpoint = &c
	}
	if s.cfg.LogKey != nil {
		d.VerifierKey = s.cfg.LogKey.Verifier
	}
	if d.Witnesses, err = s.db.Witnesses(ctx); err != nil {
		s.fail(w, r, err)
		return
	}
	p.Data = d
	s.render(w, r, status, "admin.html", p)
}

func (s *Server) adminCreateAccount(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.operator(w, r); !ok {
		return
	}
	if err := parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	f := r.PostForm
	n := auth.NewAccount{Username: f.Get("username"), DisplayName: f.Get("display_name"), Password: f.Get("password"),
		Locale: parley.Lang(f.Get("locale")), TimeZone: f.Get("timezone"), Operator: f.Get("operator") == "on"}
	acc, hash, err := n.Prepare(service.NewID(), s.now(), s.cfg.PasswordParams)
	if err == nil {
		err = s.db.CreateAccount(r.Context(), acc, hash)
	}
	if code := parley.ErrorCode(err); code == parley.EINVALID || code == parley.ECONFLICT {
		p := s.page(r, "admin.title")
		p.Form, p.Errors = f, fields(err)
		if code == parley.ECONFLICT {
			p.Errors = map[string]string{"username": "is taken"}
		}
		s.showAdmin(w, r, p, status(code))
		return
	} else if err != nil {
		s.fail(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), sessFlash, "flash.account_created")
	http.Redirect(w, r, "/admin", http.StatusSeeOther)
}

func (s *Server) adminSetPassword(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.operator(w, r); !ok {
		return
	}
	if err := parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	var v parley.Invalid
	pw := r.PostForm.Get("password")
	auth.ValidatePassword(&v, "password", pw)
	if err := v.Err(); err != nil {
		p := s.page(r, "admin.title")
		p.Errors = map[string]string{"password:" + r.PathValue("account"): fields(err)["password"]}
		s.showAdmin(w, r, p, http.StatusBadRequest)
		return
	}
	hash, err := auth.HashPassword(pw, s.cfg.PasswordParams)
	if err == nil {
		err = s.db.SetPassword(r.Context(), r.PathValue("account"), hash)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), sessFlash, "flash.password_set")
	http.Redirect(w, r, "/admin", http.StatusSeeOther)
}

func (s *Server) adminResetTOTP(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.operator(w, r); !ok {
		return
	}
	if err := s.db.SetTOTP(r.Context(), r.PathValue("account"), "", false); err != nil {
		s.fail(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), sessFlash, "flash.second_factor_reset")
	http.Redirect(w, r, "/admin", http.StatusSeeOther)
}

func (s *Server) createProcess(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.operator(w, r); !ok {
		return
	}
	if err := parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	cmd := parley.CreateProcess{Title: r.PostForm.Get("title"), Description: r.PostForm.Get("description"), Languages: formLangs(r)}
	evs, err := s.svc.Do(r.Context(), requestActor(r.Context()), cmd)
	if parley.ErrorCode(err) == parley.EINVALID {
		p := s.page(r, "admin.title")
		p.Form, p.Errors = r.PostForm, fields(err)
		s.showAdmin(w, r, p, http.StatusBadRequest)
		return
	} else if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/p/"+evs[0].Data.(*parley.ProcessCreated).ProcessID+"/settings", http.StatusSeeOther)
}
