package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// KeySize is the size of a key in bytes: AES-256.
const KeySize = 32

const idSize = 4

// A Key is a 256-bit AES key. Printed with any verb of package fmt, or
// logged, it shows only its ID, never the secret. The zero Key is the
// all-zero key, which no key ring accepts; keys come from [Generate] or a
// key file.
type Key struct {
	// The secret is reached through a function because fmt prints a
	// function as an address, whatever the verb: a struct holding a Key
	// in an unexported field, which fmt prints without calling Format,
	// does not show it either. A pointer would not do: fmt follows one
	// for a verb that does not fit it.
	s func() *secret
}

type secret struct {
	b    [KeySize]byte
	id   [idSize]byte
	aead cipher.AEAD // its round keys are as secret as the key
}

var zeroKey = newKey([KeySize]byte{})

func newKey(b [KeySize]byte) Key {
	block, err := aes.NewCipher(b[:])
	if err != nil {
		panic(err) // a 32-byte key is always valid
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic(err) // AES is always a valid block cipher for GCM
	}
	sum := sha256.Sum256(b[:])
	s := &secret{b: b, id: [idSize]byte(sum[:idSize]), aead: aead}
	return Key{func() *secret { return s }}
}

// secret returns the key's secret, that of the all-zero key for the zero
// Key.
func (k Key) secret() *secret {
	if k.s == nil {
		return zeroKey.s()
	}
	return k.s()
}

// Generate returns a new key from crypto/rand.
func Generate() (Key, error) {
	var b [KeySize]byte
	if _, err := rand.Read(b[:]); err != nil {
		return Key{}, fmt.Errorf("seal: generate a key: %w", err)
	}
	return newKey(b), nil
}

func (k Key) equal(o Key) bool { return k.secret().b == o.secret().b }

// ID returns the key's ID: the first 4 bytes of its SHA-256, as 8
// hexadecimal digits.
func (k Key) ID() string {
	id := k.secret().id
	return hex.EncodeToString(id[:])
}

// Base64 returns the key as a key file holds it: 32 bytes in standard
// base64. It is the secret itself; write it only where a key belongs.
func (k Key) Base64() string {
	return base64.StdEncoding.EncodeToString(k.secret().b[:])
}

// String returns "seal key " and the key's ID.
func (k Key) String() string { return "seal key " + k.ID() }

// Format writes k as String does, whatever the verb, so that no format
// string can print the secret.
func (k Key) Format(f fmt.State, verb rune) { io.WriteString(f, k.String()) }

// A Keyring is an ordered set of keys, the last of which is current: it
// seals, and every key of the ring opens. A Keyring does not change once
// made and is safe for concurrent use.
type Keyring struct {
	keys   []Key // in order; the last is current
	byID   map[[idSize]byte]Key
	source string // where the keys came from, for messages
}

// NewKeyring returns a key ring of keys, in order: the last is current.
// It refuses no key, a key given twice, and the all-zero key.
func NewKeyring(keys ...Key) (*Keyring, error) {
	for i, k := range keys {
		if err := check(k, keys[:i], func(j int) string { return fmt.Sprintf("key %d", j+1) }); err != nil {
			return nil, fmt.Errorf("seal: key %d: %w", i+1, err)
		}
	}
	if len(keys) == 0 {
		return nil, errors.New("seal: no key")
	}
	return newKeyring(keys, "the key ring"), nil
}

// check refuses k if it is all zeros (a placeholder, not a secret), or
// if it or its ID is among before, named by name.
func check(k Key, before []Key, name func(i int) string) error {
	if k.equal(zeroKey) {
		return errors.New("the all-zero key is a placeholder, not a secret; generate a key")
	}
	for i, b := range before {
		switch {
		case b.equal(k):
			return fmt.Errorf("repeats %s (%s)", name(i), k.ID())
		case b.secret().id == k.secret().id:
			return fmt.Errorf("its ID %s is also the ID of %s; generate another key", k.ID(), name(i))
		}
	}
	return nil
}

// newKeyring makes a key ring of keys checked by check.
func newKeyring(keys []Key, source string) *Keyring {
	r := &Keyring{keys: slices.Clone(keys), byID: make(map[[idSize]byte]Key, len(keys)), source: source}
	for _, k := range keys {
		r.byID[k.secret().id] = k
	}
	return r
}

func (r *Keyring) current() *secret { return r.keys[len(r.keys)-1].secret() }

// Current returns the ID of the current key, the one that seals.
func (r *Keyring) Current() string { return r.keys[len(r.keys)-1].ID() }

// IDs returns the IDs of the ring's keys in order; the last is current.
func (r *Keyring) IDs() []string {
	ids := make([]string, len(r.keys))
	for i, k := range r.keys {
		ids[i] = k.ID()
	}
	return ids
}

// String describes the key ring by its source and the IDs of its keys,
// the current one last.
func (r *Keyring) String() string {
	return fmt.Sprintf("seal key ring from %s: %s (current %s)", r.source, strings.Join(r.IDs(), " "), r.Current())
}

// Format writes r as String does, whatever the verb, so that no format
// string can print a key.
func (r *Keyring) Format(f fmt.State, verb rune) { io.WriteString(f, r.String()) }
