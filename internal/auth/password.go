// Package auth holds Parley's credentials: argon2id password hashes, TOTP
// second factors, API tokens and the limits on failed sign-ins.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id cost parameters.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
}

// DefaultParams follow RFC 9106's second recommended option, with 64 MiB.
var DefaultParams = Params{Memory: 64 * 1024, Time: 3, Threads: 2}

// Caps bound the parameters read back from storage, so that a tampered or
// hostile hash cannot make one sign-in burn the server's memory or time.
var Caps = Params{Memory: 256 * 1024, Time: 10, Threads: 8}

const saltLen, keyLen = 16, 32

// HashPassword returns the PHC-format argon2id hash of password.
func HashPassword(password string, p Params) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, keyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// ErrBadHash reports a stored hash that cannot be used.
var ErrBadHash = errors.New("auth: unusable password hash")

// CheckPassword reports whether password matches hash. A hash whose
// parameters exceed Caps is refused rather than computed.
func CheckPassword(hash, password string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" || parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return false, ErrBadHash
	}
	var p Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return false, ErrBadHash
	}
	if p.Memory == 0 || p.Time == 0 || p.Threads == 0 || p.Memory > Caps.Memory || p.Time > Caps.Time || p.Threads > Caps.Threads {
		return false, ErrBadHash
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil || len(salt) < 8 {
		return false, ErrBadHash
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) < 16 || len(want) > 64 {
		return false, ErrBadHash
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// NewToken returns a fresh API token secret and the hash under which it is
// stored. The secret is shown once; the server keeps only the hash. Tokens
// are 256 random bits, so a fast hash is enough.
func NewToken() (secret string, hash []byte, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", nil, err
	}
	secret = "pt_" + base64.RawURLEncoding.EncodeToString(b)
	return secret, TokenHash(secret), nil
}

// TokenHash returns the stored hash of a token secret.
func TokenHash(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}
