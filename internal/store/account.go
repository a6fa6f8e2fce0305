package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/parley-talks/parley"
)

// Accounts, credentials, sessions and API tokens are the server's
// operational state. They are not negotiation data and are written here
// directly; a member's place in a process is in the record.

// Credentials are the secrets of an account.
type Credentials struct {
	PasswordHash string
	TOTPSecret   string
}

const accountCols = `id, username, display_name, locale, timezone, operator, totp_enabled, totp_waived, failed_logins, locked_until, created_at, email`

func scanAccount(r scanner, extra ...any) (parley.Account, error) {
	var a parley.Account
	var locale string
	var locked, created int64
	dst := append([]any{&a.ID, &a.Username, &a.DisplayName, &locale, &a.TimeZone, &a.Operator, &a.TOTPEnabled, &a.TOTPWaived, &a.FailedLogins, &locked, &created, &a.Email}, extra...)
	err := r.Scan(dst...)
	a.Locale, a.LockedUntil, a.CreatedAt = parley.Lang(locale), fromMicros(locked), fromMicros(created)
	return a, err
}

// CreateAccount adds an account with a password hash. A taken user name is
// ECONFLICT.
func (db *DB) CreateAccount(ctx context.Context, a parley.Account, passwordHash string) error {
	_, err := db.sql.ExecContext(ctx, `INSERT INTO accounts (`+accountCols+`, password_hash, totp_secret)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, 0, $9, $10, $11, '')`,
		a.ID, a.Username, a.DisplayName, string(a.Locale), a.TimeZone, a.Operator, a.TOTPEnabled, a.TOTPWaived, micros(a.CreatedAt), a.Email, passwordHash)
	if err != nil {
		if isUniqueViolation(err) {
			return parley.Errorf(parley.ECONFLICT, "The user name %q is taken.", a.Username)
		}
		return fmt.Errorf("store: create account: %w", err)
	}
	return nil
}

func isUniqueViolation(err error) bool {
	s := err.Error()
	return strings.Contains(s, "UNIQUE constraint failed") || strings.Contains(s, "SQLSTATE 23505")
}

// Account loads an account.
func (db *DB) Account(ctx context.Context, id string) (parley.Account, error) {
	a, err := scanAccount(db.sql.QueryRowContext(ctx, `SELECT `+accountCols+` FROM accounts WHERE id = $1`, id))
	return a, one(err, "account")
}

// AccountByUsername loads an account and its credentials for signing in.
func (db *DB) AccountByUsername(ctx context.Context, username string) (parley.Account, Credentials, error) {
	var c Credentials
	a, err := scanAccount(db.sql.QueryRowContext(ctx, `SELECT `+accountCols+`, password_hash, totp_secret FROM accounts WHERE username = $1`, username), &c.PasswordHash, &c.TOTPSecret)
	return a, c, one(err, "account")
}

// Credentials loads the secrets of account id.
func (db *DB) Credentials(ctx context.Context, id string) (Credentials, error) {
	var c Credentials
	err := db.sql.QueryRowContext(ctx, `SELECT password_hash, totp_secret FROM accounts WHERE id = $1`, id).Scan(&c.PasswordHash, &c.TOTPSecret)
	return c, one(err, "account")
}

// Accounts lists every account by user name.
func (db *DB) Accounts(ctx context.Context) ([]parley.Account, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT `+accountCols+` FROM accounts ORDER BY username`)
	if err != nil {
		return nil, fmt.Errorf("store: list accounts: %w", err)
	}
	return collect(rows, func(r scanner) (parley.Account, error) { return scanAccount(r) })
}

func (db *DB) updateAccount(ctx context.Context, id, set string, vals ...any) error {
	res, err := db.sql.ExecContext(ctx, `UPDATE accounts SET `+set+` WHERE id = $1`, append([]any{id}, vals...)...)
	if err != nil {
		return fmt.Errorf("store: update account: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("account")
	}
	return nil
}

// SetPassword replaces an account's password hash and lifts a lock-out.
func (db *DB) SetPassword(ctx context.Context, id, hash string) error {
	return db.updateAccount(ctx, id, `password_hash = $2, failed_logins = 0, locked_until = 0`, hash)
}

// SetTOTP stores an account's second-factor secret; enabled is false while
// the enrolment is not confirmed, and an empty secret resets it.
func (db *DB) SetTOTP(ctx context.Context, id, secret string, enabled bool) error {
	return db.updateAccount(ctx, id, `totp_secret = $2, totp_enabled = $3`, secret, enabled)
}

// SetProfile changes an account's display name, language and time zone.
func (db *DB) SetProfile(ctx context.Context, id, name string, locale parley.Lang, tz string) error {
	return db.updateAccount(ctx, id, `display_name = $2, locale = $3, timezone = $4`, name, string(locale), tz)
}

// SetEmail changes the address an account's notifications go to; ""
// turns them off.
func (db *DB) SetEmail(ctx context.Context, id, email string) error {
	return db.updateAccount(ctx, id, `email = $2`, email)
}

// Notified records that account was notified of entry seq, and reports
// false when it already was (by this or another instance).
func (db *DB) Notified(ctx context.Context, seq int64, account string, at time.Time) (bool, error) {
	res, err := db.sql.ExecContext(ctx, `INSERT INTO notifications (seq, account_id, sent_at) VALUES ($1, $2, $3)
		ON CONFLICT (seq, account_id) DO NOTHING`, seq, account, micros(at))
	if err != nil {
		return false, fmt.Errorf("store: record notification: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// LoginFailed counts a failed sign-in and locks the account until lockUntil
// once it reached max failures in a row.
func (db *DB) LoginFailed(ctx context.Context, id string, max int, lockUntil time.Time) error {
	return db.updateAccount(ctx, id, `failed_logins = failed_logins + 1,
		locked_until = CASE WHEN failed_logins + 1 >= $2 THEN $3 ELSE locked_until END`, max, micros(lockUntil))
}

// LoginSucceeded clears the count of failed sign-ins.
func (db *DB) LoginSucceeded(ctx context.Context, id string) error {
	return db.updateAccount(ctx, id, `failed_logins = 0, locked_until = 0`)
}

// Actor returns account id with its memberships, as it acts on the server.
// With process set, the actor is limited to its membership there (an API
// token is scoped to one member).
func (db *DB) Actor(ctx context.Context, id, process string) (parley.Actor, error) {
	acc, err := db.Account(ctx, id)
	if err != nil {
		return parley.Actor{}, err
	}
	a := parley.Actor{AccountID: acc.ID, Name: acc.DisplayName, Operator: acc.Operator && process == ""}
	ms, err := readMembers(ctx, db.sql, "m.account_id = $1", id)
	if err != nil {
		return parley.Actor{}, err
	}
	for _, m := range ms {
		if process != "" && m.ProcessID != process {
			continue
		}
		a.Members = append(a.Members, parley.Membership{MemberID: m.ID, ProcessID: m.ProcessID, PartyID: m.PartyID, Role: m.Role,
			Groups: m.Groups, Authorised: m.Authorised})
	}
	return a, nil
}

// Token is an API token's public description; its secret is shown once.
type Token struct {
	ID        string
	AccountID string
	ProcessID string
	Name      string
	CreatedAt time.Time
}

// CreateToken stores an API token by the hash of its secret.
func (db *DB) CreateToken(ctx context.Context, t Token, hash []byte) error {
	_, err := db.sql.ExecContext(ctx, `INSERT INTO api_tokens (id, account_id, process_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		t.ID, t.AccountID, t.ProcessID, t.Name, hash, micros(t.CreatedAt))
	if err != nil {
		return fmt.Errorf("store: create token: %w", err)
	}
	return nil
}

// TokenByHash finds the token whose secret hashes to hash.
func (db *DB) TokenByHash(ctx context.Context, hash []byte) (Token, error) {
	var t Token
	var at int64
	err := db.sql.QueryRowContext(ctx, `SELECT id, account_id, process_id, name, created_at FROM api_tokens WHERE token_hash = $1`, hash).
		Scan(&t.ID, &t.AccountID, &t.ProcessID, &t.Name, &at)
	t.CreatedAt = fromMicros(at)
	return t, one(err, "token")
}

// Tokens lists an account's API tokens.
func (db *DB) Tokens(ctx context.Context, account string) ([]Token, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT id, account_id, process_id, name, created_at FROM api_tokens WHERE account_id = $1 ORDER BY created_at, id`, account)
	if err != nil {
		return nil, fmt.Errorf("store: list tokens: %w", err)
	}
	return collect(rows, func(r scanner) (Token, error) {
		var t Token
		var at int64
		err := r.Scan(&t.ID, &t.AccountID, &t.ProcessID, &t.Name, &at)
		t.CreatedAt = fromMicros(at)
		return t, err
	})
}

// DeleteToken revokes one of account's tokens.
func (db *DB) DeleteToken(ctx context.Context, account, id string) error {
	res, err := db.sql.ExecContext(ctx, `DELETE FROM api_tokens WHERE id = $1 AND account_id = $2`, id, account)
	if err != nil {
		return fmt.Errorf("store: delete token: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("token")
	}
	return nil
}

// Sessions is the server-side session store of the web interface, in the
// shape github.com/alexedwards/scs/v2 expects (Store and CtxStore).
type Sessions struct{ db *DB }

// Sessions returns the session store on db.
func (db *DB) Sessions() *Sessions { return &Sessions{db} }

// FindCtx returns the data of an unexpired session.
func (s *Sessions) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	var b []byte
	err := s.db.sql.QueryRowContext(ctx, `SELECT data FROM sessions WHERE token = $1 AND expiry > $2`, token, micros(time.Now())).Scan(&b)
	if err := one(err, "session"); err != nil {
		if parley.ErrorCode(err) == parley.ENOTFOUND {
			return nil, false, nil
		}
		return nil, false, err
	}
	return b, true, nil
}

// CommitCtx stores a session.
func (s *Sessions) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	_, err := s.db.sql.ExecContext(ctx, `INSERT INTO sessions (token, data, expiry) VALUES ($1, $2, $3)
		ON CONFLICT (token) DO UPDATE SET data = excluded.data, expiry = excluded.expiry`, token, b, micros(expiry))
	return err
}

// DeleteCtx removes a session.
func (s *Sessions) DeleteCtx(ctx context.Context, token string) error {
	_, err := s.db.sql.ExecContext(ctx, `DELETE FROM sessions WHERE token = $1`, token)
	return err
}

// Find implements scs.Store.
func (s *Sessions) Find(token string) ([]byte, bool, error) {
	return s.FindCtx(context.Background(), token)
}

// Commit implements scs.Store.
func (s *Sessions) Commit(token string, b []byte, expiry time.Time) error {
	return s.CommitCtx(context.Background(), token, b, expiry)
}

// Delete implements scs.Store.
func (s *Sessions) Delete(token string) error { return s.DeleteCtx(context.Background(), token) }

// DeleteExpired removes sessions that have expired.
func (s *Sessions) DeleteExpired(ctx context.Context) error {
	_, err := s.db.sql.ExecContext(ctx, `DELETE FROM sessions WHERE expiry <= $1`, micros(time.Now()))
	return err
}
