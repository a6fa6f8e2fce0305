// Command parley runs a Parley server and its operator and verification tools.
//
// main only calls run, so tests can start the real program with their own
// arguments, environment and output streams.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/alecthomas/kong"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		var ee *exitError
		if errors.As(err, &ee) {
			if ee.err != nil {
				fmt.Fprintln(os.Stderr, "parley:", ee.err)
			}
			os.Exit(ee.code)
		}
		fmt.Fprintln(os.Stderr, "parley:", err)
		os.Exit(1)
	}
}

// exitError carries a specific exit status out of run.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// env is what every subcommand receives from run: the process's context,
// environment and standard streams.
type env struct {
	ctx    context.Context
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// cli is the command line of parley. Every flag may also be given by the
// environment variable named in its env tag.
type cli struct {
	DB          string   `name:"db" env:"PARLEY_DB" placeholder:"URL" help:"Database: sqlite:PATH or a postgres:// URL (default sqlite:<data>/parley.db)."`
	Data        string   `name:"data" env:"PARLEY_DATA" default:"parley-data" help:"Data directory: the SQLite database and the server's keys."`
	LogLevel    string   `name:"log-level" env:"PARLEY_LOG_LEVEL" default:"info" enum:"debug,info,warn,error" help:"Least severe log level written."`
	LogKey      string   `name:"log-key" env:"PARLEY_LOG_KEY" placeholder:"PRIVATE+KEY+…" help:"The record's signing key (signed-note private key); default: <data>/record.key, created at first start. Every instance of one server must use the same key."`
	LogKeyFile  string   `name:"log-key-file" env:"PARLEY_LOG_KEY_FILE" placeholder:"PATH" help:"File holding the record's signing key (default <data>/record.key)."`
	LogPrivate  bool     `name:"log-private" env:"PARLEY_LOG_PRIVATE" help:"Serve the record's hashes and checkpoints (/log/...) to signed-in accounts only."`
	DataKey     string   `name:"data-key" env:"PARLEY_DATA_KEY" placeholder:"KEYS" help:"The data key, which seals personal data at rest: base64 keys, one per line or separated by ';', the last current (default: the file of --data-key-file)."`
	DataKeyFile string   `name:"data-key-file" env:"PARLEY_DATA_KEY_FILE" placeholder:"PATH" help:"File of the data key (default <data>/data.key, created at first start). Keep it apart from the database and its backups; every instance of one server must use the same keys."`
	Files       string   `name:"files" env:"PARLEY_FILES" placeholder:"DIR" help:"Directory of the files attached to reports, kept by their SHA-256 (default <data>/files). Several instances must share it."`
	Proxies     []string `name:"trusted-proxy" env:"PARLEY_TRUSTED_PROXIES" sep:"," placeholder:"CIDR" help:"Load balancers (addresses or CIDR ranges, comma-separated) whose X-Forwarded-For names the client, for the limit on sign-in attempts per address."`

	smtpFlags

	Serve     serveCmd     `cmd:"" help:"Run the server."`
	Demo      demoCmd      `cmd:"" help:"Run the server with a demo negotiation and print its accounts."`
	Migrate   migrateCmd   `cmd:"" help:"Apply pending database migrations and exit."`
	User      userCmd      `cmd:"" help:"Manage accounts: add, set-password, reset-2fa, list."`
	Version   versionCmd   `cmd:"" help:"Print the version."`
	Reconcile reconcileCmd `cmd:"" help:"Match the people of two lists across Ukrainian, Russian and Latin spellings."`
	Verify    verifyCmd    `cmd:"" help:"Verify a server's record: signatures, consistency with checkpoints seen before, the tree, the entries; --replay the tables."`
	Witness   witnessCmd   `cmd:"" help:"Run a witness that cosigns a server's checkpoints after checking each extends the last; 'witness keygen' makes its key."`
	Backup    backupCmd    `cmd:"" help:"Write a consistent copy of the SQLite database, while the server runs."`
	Keys      keysCmd      `cmd:"" help:"The data key that seals personal data at rest: 'keys rotate' adds a new one and seals everything anew, 'keys list' shows them."`
	Restore   restoreCmd   `cmd:"" help:"Put a backup in place of the database, after verifying its record as verify --replay does."`
}

// dsn returns the database URL, defaulting to SQLite in the data directory.
func (c *cli) dsn() string {
	if c.DB != "" {
		return c.DB
	}
	return "sqlite:" + filepath.Join(c.Data, "parley.db")
}

// trustedProxies reads --trusted-proxy: addresses or CIDR ranges.
func (c *cli) trustedProxies() ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, v := range c.Proxies {
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		if p, err := netip.ParsePrefix(v); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(v)
		if err != nil {
			return nil, fmt.Errorf("--trusted-proxy %q is not an address or a CIDR range", v)
		}
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

func (c *cli) filesDir() string {
	if c.Files != "" {
		return c.Files
	}
	return filepath.Join(c.Data, "files")
}

func (c *cli) logKeyFile() string {
	if c.LogKeyFile != "" {
		return c.LogKeyFile
	}
	return filepath.Join(c.Data, "record.key")
}

func (c *cli) logger(w io.Writer) *slog.Logger {
	var level slog.Level
	level.UnmarshalText([]byte(c.LogLevel))
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}

// run is the whole program: it parses args, with flags also read from the
// environment through getenv, and runs the chosen command.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	var c cli
	exit := -1
	parser, err := kong.New(&c,
		kong.Name("parley"),
		kong.Description("Parley: negotiations between the parties to an armed conflict and a mediator, with a verifiable record."),
		kong.Writers(stdout, stderr),
		kong.Exit(func(code int) { exit = code }),
		kong.UsageOnError(),
		kong.Resolvers(envResolver(getenv)),
	)
	if err != nil {
		return err
	}
	kctx, err := parser.Parse(args)
	if exit >= 0 { // --help
		if exit == 0 {
			return nil
		}
		return &exitError{code: exit}
	}
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	e := &env{ctx: ctx, getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	return kctx.Run(e, &c)
}

// envResolver reads flags from the environment through getenv, so that
// tests can give a program its own environment.
func envResolver(getenv func(string) string) kong.Resolver {
	return kong.ResolverFunc(func(_ *kong.Context, _ *kong.Path, f *kong.Flag) (any, error) {
		for _, name := range f.Envs {
			if v := getenv(name); v != "" {
				return v, nil
			}
		}
		return nil, nil
	})
}

type versionCmd struct{}

// version is the module version of the binary, or "devel".
func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}

func (versionCmd) Run(e *env) error {
	fmt.Fprintln(e.stdout, "parley", version())
	return nil
}
