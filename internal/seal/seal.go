package seal

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

const (
	version    = 1
	headerSize = 1 + idSize // version, key ID
	nonceSize  = 12
	tagSize    = 16
	// Overhead is how many bytes longer a sealed value is than what it
	// holds.
	Overhead = headerSize + nonceSize + tagSize
)

// TextPrefix begins a sealed value as text (see [Keyring.SealString]).
const TextPrefix = "s1."

// The errors of opening a sealed value, each its own: use [errors.Is].
var (
	// ErrTruncated is returned for a value shorter than any sealed value.
	ErrTruncated = errors.New("seal: sealed value is truncated")
	// ErrUnknownVersion is returned for a value in a format this version
	// of Parley does not know.
	ErrUnknownVersion = errors.New("seal: unknown format version")
	// ErrUnknownKey is returned for a value sealed with a key the key
	// ring does not hold; the error names the key.
	ErrUnknownKey = errors.New("seal: sealed with a key not in the key ring")
	// ErrAuthentication is returned for a value that was changed after it
	// was sealed, or opened with other associated data than it was sealed
	// with (a value copied to another row or column).
	ErrAuthentication = errors.New("seal: message authentication failed: the value was altered, or belongs elsewhere")
	// ErrNotSealed is returned by [Keyring.OpenString] for a text that is
	// not a sealed value.
	ErrNotSealed = errors.New("seal: not a sealed value")
)

// AAD returns associated data naming the place of a value: for a
// personal field, the table, the row's ID and the column, as in
// AAD("persons", id, "family_name"). Each part is length-prefixed, so no
// two lists of parts give the same bytes. The parts must stay the same
// for as long as the value is kept: an ID, not a position.
func AAD(parts ...string) []byte {
	var n int
	for _, p := range parts {
		n += binary.MaxVarintLen64 + len(p)
	}
	b := make([]byte, 0, n)
	for _, p := range parts {
		b = binary.AppendUvarint(b, uint64(len(p)))
		b = append(b, p...)
	}
	return b
}

// mustAAD panics when aad is empty: a value sealed for no place could be
// copied to any place and still open.
func mustAAD(aad []byte) {
	if len(aad) == 0 {
		panic("seal: no associated data: pass the place of the value, as seal.AAD(table, rowID, column)")
	}
}

// Seal encrypts and authenticates plaintext with the current key and a
// random nonce, bound to aad, which must name the value's place (see
// [AAD]) and must not be empty. Sealing the same plaintext twice gives two
// different values.
func (r *Keyring) Seal(plaintext, aad []byte) []byte {
	var nonce [nonceSize]byte
	rand.Read(nonce[:]) // never fails: it crashes the program instead
	return r.current().seal(nonce, plaintext, aad)
}

func (s *secret) seal(nonce [nonceSize]byte, plaintext, aad []byte) []byte {
	mustAAD(aad)
	out := make([]byte, headerSize+nonceSize, Overhead+len(plaintext))
	out[0] = version
	copy(out[1:headerSize], s.id[:])
	copy(out[headerSize:], nonce[:])
	return s.aead.Seal(out, nonce[:], plaintext, additional(out[:headerSize], aad))
}

// additional returns GCM's additional data: the value's header, then the
// caller's associated data. The header has a fixed size, so the two
// cannot be confused.
func additional(header, aad []byte) []byte {
	return append(header[:headerSize:headerSize], aad...)
}

// Open checks and decrypts a value made by [Keyring.Seal] with any key of
// the ring, with the associated data it was sealed with. It fails with
// [ErrTruncated], [ErrUnknownVersion], [ErrUnknownKey] (naming the
// missing key) or [ErrAuthentication]. Like Seal, it panics when aad is
// empty.
func (r *Keyring) Open(sealed, aad []byte) ([]byte, error) {
	mustAAD(aad)
	if len(sealed) == 0 {
		return nil, ErrTruncated
	}
	if sealed[0] != version {
		return nil, fmt.Errorf("%w %d", ErrUnknownVersion, sealed[0])
	}
	if len(sealed) < Overhead {
		return nil, fmt.Errorf("%w: %d bytes, less than the %d of an empty value", ErrTruncated, len(sealed), Overhead)
	}
	id := [idSize]byte(sealed[1:headerSize])
	k, ok := r.byID[id]
	if !ok {
		return nil, fmt.Errorf("%w: the value is sealed with key %s, which %s does not hold; was the key removed before every value sealed with it was sealed again?", ErrUnknownKey, hex.EncodeToString(id[:]), r.source)
	}
	nonce, ciphertext := sealed[headerSize:headerSize+nonceSize], sealed[headerSize+nonceSize:]
	plaintext, err := k.secret().aead.Open(nil, nonce, ciphertext, additional(sealed[:headerSize], aad))
	if err != nil {
		return nil, ErrAuthentication
	}
	return plaintext, nil
}

// NeedsReseal reports whether sealed should be sealed again with the
// current key: whether it was sealed with another. It reports true too
// for a value that is not sealed in the current format, so that a pass
// that re-seals opens it and reports what is wrong.
func (r *Keyring) NeedsReseal(sealed []byte) bool {
	return len(sealed) < Overhead || sealed[0] != version ||
		[idSize]byte(sealed[1:headerSize]) != r.current().id
}

// SealString seals plaintext as [Keyring.Seal] does and returns it as
// text for a database column: [TextPrefix], then the sealed bytes in
// unpadded base64url.
func (r *Keyring) SealString(plaintext string, aad []byte) string {
	return TextPrefix + base64.RawURLEncoding.EncodeToString(r.Seal([]byte(plaintext), aad))
}

// OpenString opens a text made by [Keyring.SealString]. It fails with
// [ErrNotSealed] for a text without [TextPrefix] or not in base64url after
// it, and otherwise as [Keyring.Open] does.
func (r *Keyring) OpenString(sealed string, aad []byte) (string, error) {
	b, err := decodeString(sealed)
	if err != nil {
		return "", err
	}
	plaintext, err := r.Open(b, aad)
	return string(plaintext), err
}

// NeedsResealString is [Keyring.NeedsReseal] for a text made by
// [Keyring.SealString]; it reports true for a text that is not one.
func (r *Keyring) NeedsResealString(sealed string) bool {
	b, err := decodeString(sealed)
	return err != nil || r.NeedsReseal(b)
}

func decodeString(s string) ([]byte, error) {
	rest, ok := strings.CutPrefix(s, TextPrefix)
	if !ok {
		return nil, fmt.Errorf("%w: the text does not begin with %q", ErrNotSealed, TextPrefix)
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(rest)
	if err != nil {
		return nil, fmt.Errorf("%w: the text after %q is not unpadded base64url", ErrNotSealed, TextPrefix)
	}
	return b, nil
}
