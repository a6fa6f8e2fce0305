package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"
	"time"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/live"
	"github.com/parley-talks/parley/internal/notify"
	"github.com/parley-talks/parley/internal/record"
	"github.com/parley-talks/parley/internal/service"
	"github.com/parley-talks/parley/internal/store"
	"github.com/parley-talks/parley/internal/web"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// serveCmd is `parley serve`.
type serveCmd struct {
	Addr    string `name:"addr" env:"PARLEY_ADDR" default:"127.0.0.1:8080" help:"Address to listen on."`
	BaseURL string `name:"base-url" env:"PARLEY_BASE_URL" placeholder:"URL" help:"Public URL of the server, e.g. https://parley.example.org (https turns on secure cookies and HSTS)."`
}

func (c *serveCmd) Run(e *env, g *cli) error {
	return serve(e, g, serverOptions{addr: c.Addr, baseURL: c.BaseURL})
}

// smtpFlags configure optional e-mail notifications.
type smtpFlags struct {
	SMTPAddr     string `name:"smtp-addr" env:"PARLEY_SMTP_ADDR" placeholder:"HOST:PORT" help:"SMTP server for e-mail notifications; none are sent without it."`
	SMTPFrom     string `name:"smtp-from" env:"PARLEY_SMTP_FROM" default:"parley@localhost" help:"Sender address of notifications."`
	SMTPUser     string `name:"smtp-user" env:"PARLEY_SMTP_USER" help:"SMTP user name (PLAIN authentication)."`
	SMTPPassword string `name:"smtp-password" env:"PARLEY_SMTP_PASSWORD" help:"SMTP password."`
}

// logName is the name of a new signing key, and so the origin line of the
// checkpoints: the public host when known.
func logName(baseURL string) string {
	host := strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(baseURL, "https://"), "http://"), "/")
	if host == "" {
		if h, err := os.Hostname(); err == nil && h != "" {
			host = h
		} else {
			host = "parley"
		}
	}
	return strings.NewReplacer("+", "-", " ", "-", "/", "-").Replace(host) + "/parley-record"
}

type serverOptions struct {
	addr    string
	baseURL string
	demo    bool
	// ready is called once the server listens, with its URL and the
	// service, before serving begins.
	ready func(ctx context.Context, url string, db *store.DB, svc *service.Service) error
}

// openDB opens, migrates and checks the database, or says plainly why not.
func openDB(ctx context.Context, g *cli) (*store.DB, error) {
	db, err := store.Open(ctx, g.dsn())
	if err != nil {
		return nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := db.CheckSchema(ctx); err != nil {
		db.Close()
		return nil, err
	}
	ring, created, err := g.dataKey(true)
	if err != nil {
		db.Close()
		return nil, err
	}
	if created {
		g.logger(os.Stderr).Info("created the data key, which seals personal data at rest; keep a copy apart from the database and its backups", "file", g.dataKeyFile())
	}
	db.SetSealer(ring)
	return db, nil
}

// serve runs the server until e.ctx ends, then shuts down gracefully:
// streams end, in-flight requests (and so in-flight commands) finish, the
// writer commits what it was given, and the database closes.
func serve(e *env, g *cli, o serverOptions) error {
	ctx := e.ctx
	log := g.logger(e.stderr)
	db, err := openDB(ctx, g)
	if err != nil {
		return err
	}
	defer db.Close()

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	hub := live.NewHub(256, reg)
	var publish func([]parley.Event)
	listenCtx, stopListening := context.WithCancel(context.Background())
	defer stopListening()
	if db.Dialect() == store.Postgres {
		// Every instance learns of every commit, its own included, from
		// PostgreSQL, in record order.
		last, err := db.LastSeq(ctx)
		if err != nil {
			return err
		}
		go live.ListenPostgres(listenCtx, g.dsn(), last, db.AllEvents, hub, 2*time.Second, log)
	} else {
		publish = hub.Publish
	}
	key, created, err := record.LoadKey(g.LogKey, g.logKeyFile(), logName(o.baseURL))
	if err != nil {
		return err
	}
	if created {
		log.Info("created the record's signing key", "file", g.logKeyFile())
	}
	writer := store.NewWriter(db, publish)
	defer writer.Close()
	svc := service.New(db, writer, time.Now, reg)
	go record.Integrate(listenCtx, db, key, time.Second, time.Now, log)
	go svc.Deadlines(listenCtx, log, time.Second)
	proxies, err := g.trustedProxies()
	if err != nil {
		return err
	}
	srv, err := web.New(web.Config{BaseURL: o.baseURL, Demo: o.demo, Version: version(), LogKey: key, LogPrivate: g.LogPrivate, Files: g.filesDir(),
		TrustedProxies: proxies}, db, svc, hub, log, reg, time.Now)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %w", o.addr, err)
	}
	url := o.baseURL
	if url == "" {
		url = "http://" + ln.Addr().String()
	}
	url = strings.TrimSuffix(url, "/")
	if g.SMTPAddr != "" {
		n := &notify.Notifier{DB: db, BaseURL: url, Log: log, Now: time.Now,
			Mail: notify.Mailer{Addr: g.SMTPAddr, From: g.SMTPFrom, User: g.SMTPUser, Password: g.SMTPPassword}}
		go n.Run(listenCtx, hub)
	}
	if o.ready != nil {
		if err := o.ready(ctx, url, db, svc); err != nil {
			ln.Close()
			return err
		}
	}
	hs := web.HTTPServer(srv.Handler(reg), web.DefaultTimeouts())
	hs.ErrorLog = slog.NewLogLogger(log.Handler(), slog.LevelWarn)
	hs.RegisterOnShutdown(srv.StopStreams)
	go sweepSessions(listenCtx, db, log)
	fmt.Fprintf(e.stdout, "The record's verifier key: %s\n", key.Verifier)
	fmt.Fprintf(e.stdout, "Parley is listening on %s\n", url)
	log.Info("listening", "addr", ln.Addr().String(), "db", db.Dialect())

	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return nil
}

func sweepSessions(ctx context.Context, db *store.DB, log *slog.Logger) {
	t := time.NewTicker(10 * time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := db.Sessions().DeleteExpired(ctx); err != nil {
				log.Warn("delete expired sessions", "err", err)
			}
		}
	}
}

// migrateCmd is `parley migrate`.
type migrateCmd struct{}

func (migrateCmd) Run(e *env, g *cli) error {
	db, err := store.Open(e.ctx, g.dsn())
	if err != nil {
		return err
	}
	defer db.Close()
	v, err := db.Migrate(e.ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "schema version %d\n", v)
	return nil
}
