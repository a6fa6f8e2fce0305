package store

import (
	"context"
	"fmt"
	"time"

	"github.com/parley-talks/parley"
)

// Passkey is a WebAuthn credential of an account. Credential is the
// credential record as the WebAuthn library keeps it (JSON): its public
// key, sign counter and flags.
type Passkey struct {
	ID           string
	AccountID    string
	CredentialID []byte
	Name         string
	Credential   []byte
	CreatedAt    time.Time
	UsedAt       time.Time
}

const passkeyCols = `id, account_id, credential_id, name, credential, created_at, used_at`

func scanPasskey(r scanner) (Passkey, error) {
	var p Passkey
	var cred string
	var created, used int64
	err := r.Scan(&p.ID, &p.AccountID, &p.CredentialID, &p.Name, &cred, &created, &used)
	p.Credential, p.CreatedAt, p.UsedAt = []byte(cred), fromMicros(created), fromMicros(used)
	return p, err
}

// AddPasskey registers a passkey. A credential registered before is
// ECONFLICT.
func (db *DB) AddPasskey(ctx context.Context, p Passkey) error {
	_, err := db.sql.ExecContext(ctx, `INSERT INTO passkeys (`+passkeyCols+`) VALUES ($1, $2, $3, $4, $5, $6, 0)`,
		p.ID, p.AccountID, p.CredentialID, p.Name, string(p.Credential), micros(p.CreatedAt))
	if err != nil {
		if isUniqueViolation(err) {
			return parley.Errorf(parley.ECONFLICT, "This passkey is registered already.")
		}
		return fmt.Errorf("store: add passkey: %w", err)
	}
	return nil
}

// Passkeys lists the passkeys of an account, oldest first.
func (db *DB) Passkeys(ctx context.Context, account string) ([]Passkey, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT `+passkeyCols+` FROM passkeys WHERE account_id = $1 ORDER BY created_at, id`, account)
	if err != nil {
		return nil, fmt.Errorf("store: passkeys: %w", err)
	}
	return collect(rows, scanPasskey)
}

// PasskeyByCredential finds the passkey with a WebAuthn credential ID.
func (db *DB) PasskeyByCredential(ctx context.Context, credentialID []byte) (Passkey, error) {
	p, err := scanPasskey(db.sql.QueryRowContext(ctx, `SELECT `+passkeyCols+` FROM passkeys WHERE credential_id = $1`, credentialID))
	return p, one(err, "passkey")
}

// PasskeyUsed stores a passkey's credential record after a use (its sign
// counter moves) and when it was used.
func (db *DB) PasskeyUsed(ctx context.Context, id string, credential []byte, at time.Time) error {
	if _, err := db.sql.ExecContext(ctx, `UPDATE passkeys SET credential = $2, used_at = $3 WHERE id = $1`, id, string(credential), micros(at)); err != nil {
		return fmt.Errorf("store: passkey used: %w", err)
	}
	return nil
}

// RemovePasskey removes one of an account's passkeys. Acts it signed keep
// their signatures: the public key is in each of them.
func (db *DB) RemovePasskey(ctx context.Context, account, id string) error {
	res, err := db.sql.ExecContext(ctx, `DELETE FROM passkeys WHERE id = $1 AND account_id = $2`, id, account)
	if err != nil {
		return fmt.Errorf("store: remove passkey: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return parley.Errorf(parley.ENOTFOUND, "No such passkey.")
	}
	return nil
}

// Setting returns the value of a server setting, "" when it was never set.
func (db *DB) Setting(ctx context.Context, name string) (string, error) {
	var v string
	err := db.sql.QueryRowContext(ctx, `SELECT value FROM settings WHERE name = $1`, name).Scan(&v)
	if err := one(err, "setting"); err != nil {
		if parley.ErrorCode(err) == parley.ENOTFOUND {
			return "", nil
		}
		return "", err
	}
	return v, nil
}

// SetSetting sets a server setting.
func (db *DB) SetSetting(ctx context.Context, name, value string) error {
	_, err := db.sql.ExecContext(ctx, `INSERT INTO settings (name, value) VALUES ($1, $2)
		ON CONFLICT (name) DO UPDATE SET value = excluded.value`, name, value)
	if err != nil {
		return fmt.Errorf("store: set %s: %w", name, err)
	}
	return nil
}

// SignedAct is a formal act signed with a passkey, as the record says.
type SignedAct struct {
	Seq         int64
	ObjectID    string
	Type        string
	AccountID   string
	Author      string // the account's display name
	Fingerprint string
}

// SignedActs returns the signed acts on the given objects, by record
// index. The caller has already read the objects with the actor's
// visibility; this says only which of their acts carry a signature.
func (db *DB) SignedActs(ctx context.Context, objects ...string) (map[int64]SignedAct, error) {
	out := map[int64]SignedAct{}
	for _, o := range objects {
		rows, err := db.sql.QueryContext(ctx, `SELECT s.seq, s.object_id, s.type, s.account_id, COALESCE(a.display_name, ''), s.fingerprint
			FROM signed_acts s LEFT JOIN accounts a ON a.id = s.account_id WHERE s.object_id = $1 ORDER BY s.seq`, o)
		if err != nil {
			return nil, fmt.Errorf("store: signed acts: %w", err)
		}
		acts, err := collect(rows, func(r scanner) (SignedAct, error) {
			var a SignedAct
			return a, r.Scan(&a.Seq, &a.ObjectID, &a.Type, &a.AccountID, &a.Author, &a.Fingerprint)
		})
		if err != nil {
			return nil, err
		}
		for _, a := range acts {
			out[a.Seq] = a
		}
	}
	return out, nil
}

// applySignature records that the act e was signed with a passkey.
func applySignature(ctx context.Context, tx queryer, e parley.Event, s parley.Signable) error {
	sig := s.Signing().Signature
	_, err := tx.ExecContext(ctx, `INSERT INTO signed_acts (seq, object_id, type, account_id, credential_id, fingerprint) VALUES ($1, $2, $3, $4, $5, $6)`,
		e.Seq, s.SignedObject(), e.Type(), e.Actor, sig.CredentialID, parley.KeyFingerprint(sig.PublicKey))
	if err != nil {
		return fmt.Errorf("store: apply signature of %s: %w", e.Type(), err)
	}
	return nil
}
