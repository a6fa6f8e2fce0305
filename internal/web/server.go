// Package web serves Parley over HTTP: the HTML pages of the web
// application, the JSON API with its OpenAPI document, the live event
// stream, and the operational endpoints. routes.go lists every route.
package web

import (
	"context"
	"embed"
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/parley-talks/parley/internal/auth"
	"github.com/parley-talks/parley/internal/live"
	"github.com/parley-talks/parley/internal/record"
	"github.com/parley-talks/parley/internal/service"
	"github.com/parley-talks/parley/internal/store"
	"github.com/prometheus/client_golang/prometheus"
)

//go:embed templates static locales
var files embed.FS

// Config is what the server is told by its operator.
type Config struct {
	BaseURL string // e.g. https://parley.example.org; "" for http on the listening address
	Demo    bool   // the demo: its accounts need no second factor, and the login page says so
	Version string
	// PasswordParams are the argon2id costs of new password hashes.
	PasswordParams auth.Params
	// LogKey signs the record's checkpoints; nil serves no record.
	LogKey *record.Key
	// LogPrivate limits the record's endpoints (/log/...) to signed-in
	// accounts; by default anyone may fetch hashes and checkpoints.
	LogPrivate bool
	// StreamPing is how often a live stream is kept alive and its reader's
	// credentials checked again (default 20 s).
	StreamPing time.Duration
	// MaxFailedLogins in a row lock an account for LockFor.
	MaxFailedLogins int
	LockFor         time.Duration
	// Files is the directory of the files attached to reports; "" refuses
	// attachments.
	Files string
	// PublicRefresh is how often the public pages ask whether the record
	// grew, and so whether a page they keep is stale (default 1 s;
	// negative: on every request).
	PublicRefresh time.Duration
	// TrustedProxies are the load balancers whose X-Forwarded-For names
	// the client, for the limit on sign-in attempts per address.
	TrustedProxies []netip.Prefix
}

// Server is Parley's HTTP server.
type Server struct {
	cfg      Config
	db       *store.DB
	svc      *service.Service
	hub      *live.Hub
	log      *slog.Logger
	sessions *scs.SessionManager
	pages    *pages
	i18n     *catalog
	limiter  *auth.Limiter
	// phantom counts failed sign-ins under user names that have no
	// account, and "locks" them as an account would be, so that the
	// lock-out does not tell which accounts exist.
	phantom *auth.Limiter
	metrics *httpMetrics
	now     func() time.Time
	ready   func(context.Context) error
	// dummyHash is checked against when a user name does not exist, so
	// that a failed sign-in takes as long either way.
	dummyHash string
	presence  presenceBoard // who is editing which clause of a memorandum
	public    publicCache   // rendered public pages, by path, language and base URL
}

// New returns a server. reg receives its metrics; ready reports whether the
// server can serve (the database answers).
func New(cfg Config, db *store.DB, svc *service.Service, hub *live.Hub, log *slog.Logger, reg prometheus.Registerer, now func() time.Time) (*Server, error) {
	if cfg.MaxFailedLogins == 0 {
		cfg.MaxFailedLogins = 5
	}
	if cfg.StreamPing == 0 {
		cfg.StreamPing = 20 * time.Second
	}
	if cfg.LockFor == 0 {
		cfg.LockFor = 15 * time.Minute
	}
	if cfg.PasswordParams == (auth.Params{}) {
		cfg.PasswordParams = auth.DefaultParams
	}
	cat, err := loadCatalog()
	if err != nil {
		return nil, err
	}
	pg, err := loadPages()
	if err != nil {
		return nil, err
	}
	sm := scs.New()
	sm.Store = db.Sessions()
	sm.Lifetime = 12 * time.Hour
	sm.IdleTimeout = 2 * time.Hour
	sm.Cookie.Name = "parley_session"
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = len(cfg.BaseURL) > 8 && cfg.BaseURL[:8] == "https://"
	s := &Server{
		cfg: cfg, db: db, svc: svc, hub: hub, log: log, sessions: sm, pages: pg, i18n: cat,
		limiter: auth.NewLimiter(20, time.Minute),
		phantom: auth.NewLimiter(cfg.MaxFailedLogins, cfg.LockFor),
		metrics: newHTTPMetrics(reg),
		now:     now,
	}
	if s.dummyHash, err = auth.HashPassword("parley", cfg.PasswordParams); err != nil {
		return nil, err
	}
	s.ready = func(ctx context.Context) error { _, err := db.LastSeq(ctx); return err }
	return s, nil
}

// Timeouts bound how long a client may take: to send the head of its
// request, the whole request, and to come back on a kept-alive
// connection; Write bounds each answer (the live stream clears it for
// itself). A client that sends its request a byte at a time holds a
// connection no longer than ReadHeader.
type Timeouts struct {
	ReadHeader, Read, Write, Idle time.Duration
}

// DefaultTimeouts returns the timeouts of `parley serve`.
func DefaultTimeouts() Timeouts {
	return Timeouts{ReadHeader: 10 * time.Second, Read: 60 * time.Second, Write: 60 * time.Second, Idle: 120 * time.Second}
}

// HTTPServer returns an http.Server for h with the timeouts t.
func HTTPServer(h http.Handler, t Timeouts) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: t.ReadHeader,
		ReadTimeout:       t.Read,
		WriteTimeout:      t.Write,
		IdleTimeout:       t.Idle,
		MaxHeaderBytes:    64 << 10,
	}
}
