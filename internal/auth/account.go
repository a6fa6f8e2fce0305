package auth

import (
	"regexp"
	"strings"
	"time"

	"github.com/parley-talks/parley"
)

// NewAccount is what an operator gives to create an account.
type NewAccount struct {
	Username    string
	DisplayName string
	Password    string
	Email       string // for notifications; may be empty
	Locale      parley.Lang
	TimeZone    string
	Operator    bool
	WaiveTOTP   bool // the demo's accounts only
}

var usernameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,39}$`)

// MinPassword is the shortest password accepted.
const MinPassword = 12

// ValidatePassword names what is wrong with a new password.
func ValidatePassword(v *parley.Invalid, field, password string) {
	if len([]rune(password)) < MinPassword {
		v.Add(field, "must have at least 12 characters")
	}
	v.MaxLen(field, password, 1000)
}

// ValidateEmail names what is wrong with an e-mail address; "" is fine.
func ValidateEmail(v *parley.Invalid, field, email string) {
	if email == "" {
		return
	}
	at := strings.LastIndex(email, "@")
	if at < 1 || at == len(email)-1 || strings.ContainsAny(email, " \t\r\n<>,;\"") || len(email) > 254 {
		v.Add(field, "is not an e-mail address")
	}
}

// Prepare validates n and returns the account to store, with its password
// hash; id and now are the new account's identifier and creation time.
func (n NewAccount) Prepare(id string, now time.Time, p Params) (parley.Account, string, error) {
	var v parley.Invalid
	n.Username = strings.ToLower(strings.TrimSpace(n.Username))
	n.DisplayName = strings.TrimSpace(n.DisplayName)
	if !usernameRE.MatchString(n.Username) {
		v.Add("username", "must be 2 to 40 lower-case letters, digits, dots, dashes or underscores")
	}
	v.Require("display_name", n.DisplayName)
	v.MaxLen("display_name", n.DisplayName, 100)
	ValidatePassword(&v, "password", n.Password)
	n.Email = strings.TrimSpace(n.Email)
	ValidateEmail(&v, "email", n.Email)
	if n.Locale == "" {
		n.Locale = parley.English
	}
	if _, ok := parley.ParseLang(string(n.Locale)); !ok {
		v.Add("locale", "names an unknown language")
	}
	if n.TimeZone == "" {
		n.TimeZone = "UTC"
	}
	if _, err := time.LoadLocation(n.TimeZone); err != nil {
		v.Add("timezone", "is not a known time zone")
	}
	if err := v.Err(); err != nil {
		return parley.Account{}, "", err
	}
	hash, err := HashPassword(n.Password, p)
	if err != nil {
		return parley.Account{}, "", err
	}
	return parley.Account{ID: id, Username: n.Username, DisplayName: n.DisplayName, Locale: n.Locale, TimeZone: n.TimeZone,
		Email: n.Email, Operator: n.Operator, TOTPWaived: n.WaiveTOTP, CreatedAt: now.UTC()}, hash, nil
}
