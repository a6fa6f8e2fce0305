package main

import (
	"bufio"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/auth"
	"github.com/parley-talks/parley/internal/service"
)

// userCmd is `parley user`: accounts are the operator's to manage.
type userCmd struct {
	Add         userAddCmd         `cmd:"" help:"Add an account."`
	SetPassword userSetPasswordCmd `cmd:"" name:"set-password" help:"Set an account's password."`
	Reset2FA    userReset2FACmd    `cmd:"" name:"reset-2fa" help:"Remove an account's second factor, so it enrols again."`
	List        userListCmd        `cmd:"" help:"List accounts."`
}

type userAddCmd struct {
	Username string `arg:"" help:"User name: lower-case letters, digits, dots, dashes."`
	Name     string `required:"" help:"Display name."`
	Password string `env:"PARLEY_PASSWORD" help:"Password (at least 12 characters); read from standard input when not given."`
	Email    string `help:"E-mail address for notifications."`
	Locale   string `default:"en" enum:"en,uk,ru,tr" help:"Interface language."`
	TimeZone string `name:"timezone" default:"UTC" help:"IANA time zone, e.g. Europe/Kyiv."`
	Operator bool   `help:"The account operates the server."`
}

// password returns the given password or reads one line of standard input.
func password(e *env, given string) (string, error) {
	if given != "" {
		return given, nil
	}
	fmt.Fprint(e.stderr, "Password: ")
	line, err := bufio.NewReader(e.stdin).ReadString('\n')
	if err != nil && line == "" {
		return "", errors.New("no password given: use --password, PARLEY_PASSWORD or standard input")
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func (c *userAddCmd) Run(e *env, g *cli) error {
	pw, err := password(e, c.Password)
	if err != nil {
		return err
	}
	db, err := openDB(e.ctx, g)
	if err != nil {
		return err
	}
	defer db.Close()
	acc, hash, err := auth.NewAccount{Username: c.Username, DisplayName: c.Name, Password: pw, Email: c.Email, Locale: parley.Lang(c.Locale),
		TimeZone: c.TimeZone, Operator: c.Operator}.Prepare(service.NewID(), time.Now(), auth.DefaultParams)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	if err := db.CreateAccount(e.ctx, acc, hash); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "added %s (%s)\n", acc.Username, acc.ID)
	return nil
}

type userSetPasswordCmd struct {
	Username string `arg:""`
	Password string `env:"PARLEY_PASSWORD" help:"New password; read from standard input when not given."`
}

func (c *userSetPasswordCmd) Run(e *env, g *cli) error {
	pw, err := password(e, c.Password)
	if err != nil {
		return err
	}
	var v parley.Invalid
	auth.ValidatePassword(&v, "password", pw)
	if err := v.Err(); err != nil {
		return &exitError{code: 2, err: err}
	}
	db, err := openDB(e.ctx, g)
	if err != nil {
		return err
	}
	defer db.Close()
	acc, _, err := db.AccountByUsername(e.ctx, c.Username)
	if err != nil {
		return err
	}
	hash, err := auth.HashPassword(pw, auth.DefaultParams)
	if err != nil {
		return err
	}
	if err := db.SetPassword(e.ctx, acc.ID, hash); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "password of %s set\n", acc.Username)
	return nil
}

type userReset2FACmd struct {
	Username string `arg:""`
}

func (c *userReset2FACmd) Run(e *env, g *cli) error {
	db, err := openDB(e.ctx, g)
	if err != nil {
		return err
	}
	defer db.Close()
	acc, _, err := db.AccountByUsername(e.ctx, c.Username)
	if err != nil {
		return err
	}
	if err := db.SetTOTP(e.ctx, acc.ID, "", false); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "second factor of %s removed; it enrols again at the next sign-in\n", acc.Username)
	return nil
}

type userListCmd struct{}

func (userListCmd) Run(e *env, g *cli) error {
	db, err := openDB(e.ctx, g)
	if err != nil {
		return err
	}
	defer db.Close()
	accs, err := db.Accounts(e.ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "USERNAME\tNAME\tOPERATOR\t2FA\tCREATED")
	for _, a := range accs {
		tfa := "off"
		switch {
		case a.TOTPEnabled:
			tfa = "on"
		case a.TOTPWaived:
			tfa = "waived"
		}
		fmt.Fprintf(tw, "%s\t%s\t%v\t%s\t%s\n", a.Username, a.DisplayName, a.Operator, tfa, a.CreatedAt.Format(time.DateOnly))
	}
	return tw.Flush()
}
