package record

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Witness cosignatures, in the C2SP tlog-cosignature format (version 1):
// a witness signs, with its own Ed25519 key, the text
//
//	cosignature/v1
//	time <Unix seconds>
//	<checkpoint body>
//
// and adds to the checkpoint note the line
//
//	— <name> base64(key ID (4 bytes) || time (8 bytes, big-endian) || signature (64 bytes))
//
// where the key ID is the first 4 bytes of SHA-256(name || "\n" || 0x04 ||
// public key). Its verifier key is "<name>+<key ID hex>+base64(0x04 || public key)".

const cosigAlg = 0x04

func cosigKeyID(name string, pub ed25519.PublicKey) [4]byte {
	h := sha256.New()
	h.Write([]byte(name + "\n"))
	h.Write([]byte{cosigAlg})
	h.Write(pub)
	var id [4]byte
	copy(id[:], h.Sum(nil))
	return id
}

// WitnessKey is a party's witness signing key.
type WitnessKey struct {
	name string
	priv ed25519.PrivateKey
	id   [4]byte
}

// GenerateWitnessKey returns a new witness key, as a private key string
// for the witness's own file and its verifier key for publication.
func GenerateWitnessKey(name string) (skey, vkey string, err error) {
	if name == "" || strings.ContainsAny(name, "+ \n\t") {
		return "", "", errors.New("record: a witness name may not be empty or contain '+' or spaces")
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return "", "", err
	}
	id := cosigKeyID(name, pub)
	skey = fmt.Sprintf("PRIVATE+KEY+%s+%x+%s", name, id, base64.StdEncoding.EncodeToString(append([]byte{cosigAlg}, priv.Seed()...)))
	vkey = fmt.Sprintf("%s+%x+%s", name, id, base64.StdEncoding.EncodeToString(append([]byte{cosigAlg}, pub...)))
	return skey, vkey, nil
}

// ParseWitnessKey reads a private key made by GenerateWitnessKey.
func ParseWitnessKey(skey string) (*WitnessKey, error) {
	parts := strings.SplitN(strings.TrimSpace(skey), "+", 5)
	if len(parts) != 5 || parts[0] != "PRIVATE" || parts[1] != "KEY" {
		return nil, errors.New("record: not a witness private key")
	}
	raw, err := base64.StdEncoding.DecodeString(parts[4])
	if err != nil || len(raw) != 1+ed25519.SeedSize || raw[0] != cosigAlg {
		return nil, errors.New("record: not an Ed25519 cosignature key")
	}
	priv := ed25519.NewKeyFromSeed(raw[1:])
	k := &WitnessKey{name: parts[2], priv: priv, id: cosigKeyID(parts[2], priv.Public().(ed25519.PublicKey))}
	if fmt.Sprintf("%x", k.id) != parts[3] {
		return nil, errors.New("record: witness key hash does not match")
	}
	return k, nil
}

// Name returns the witness's name.
func (k *WitnessKey) Name() string { return k.name }

// Verifier returns the witness's verifier key.
func (k *WitnessKey) Verifier() string {
	pub := k.priv.Public().(ed25519.PublicKey)
	return fmt.Sprintf("%s+%x+%s", k.name, k.id, base64.StdEncoding.EncodeToString(append([]byte{cosigAlg}, pub...)))
}

func cosignedMessage(body []byte, t uint64) []byte {
	return append([]byte(fmt.Sprintf("cosignature/v1\ntime %d\n", t)), body...)
}

// Cosign returns the signature line (without newline) cosigning a
// checkpoint body at time t.
func (k *WitnessKey) Cosign(body []byte, t time.Time) string {
	ts := uint64(t.Unix())
	sig := ed25519.Sign(k.priv, cosignedMessage(body, ts))
	b := make([]byte, 0, 4+8+ed25519.SignatureSize)
	b = append(b, k.id[:]...)
	b = binary.BigEndian.AppendUint64(b, ts)
	b = append(b, sig...)
	return "— " + k.name + " " + base64.StdEncoding.EncodeToString(b)
}

// NoteText returns the text of a signed note: everything up to the blank
// line before the signatures.
func NoteText(msg []byte) ([]byte, error) {
	i := bytes.Index(msg, []byte("\n\n"))
	if i < 0 {
		return nil, errors.New("record: not a signed note")
	}
	return msg[:i+1], nil
}

// VerifyCosignature checks a cosignature line over the checkpoint note msg
// with the witness verifier key vkey, and returns the witness's name.
func VerifyCosignature(msg []byte, vkey, line string) (string, error) {
	parts := strings.SplitN(strings.TrimSpace(vkey), "+", 3)
	if len(parts) != 3 {
		return "", errors.New("not a witness verifier key")
	}
	name := parts[0]
	if !validKeyName(name) {
		return "", errors.New("not a witness verifier key: its name must be one word")
	}
	raw, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil || len(raw) != 1+ed25519.PublicKeySize || raw[0] != cosigAlg {
		return "", errors.New("not an Ed25519 cosignature verifier key")
	}
	pub := ed25519.PublicKey(raw[1:])
	id := cosigKeyID(name, pub)
	if fmt.Sprintf("%x", id) != parts[1] {
		return "", errors.New("verifier key hash does not match")
	}
	prefix := "— " + name + " "
	line = strings.TrimSuffix(line, "\n")
	if !strings.HasPrefix(line, prefix) {
		return "", errors.New("signature line does not name the witness")
	}
	// The line is kept and served in the checkpoint's note: it must be
	// one line in canonical base64, which the decoder alone does not
	// ensure (it skips newlines and carriage returns).
	text := strings.TrimPrefix(line, prefix)
	sig, err := base64.StdEncoding.DecodeString(text)
	if err != nil || len(sig) != 4+8+ed25519.SignatureSize || !bytes.Equal(sig[:4], id[:]) ||
		base64.StdEncoding.EncodeToString(sig) != text {
		return "", errors.New("malformed cosignature")
	}
	body, err := NoteText(msg)
	if err != nil {
		return "", err
	}
	if !ed25519.Verify(pub, cosignedMessage(body, binary.BigEndian.Uint64(sig[4:12])), sig[12:]) {
		return "", errors.New("cosignature does not verify")
	}
	return name, nil
}

// validKeyName reports whether name may name a key in a signed note's
// signature lines: not empty, no '+', no white space, valid UTF-8 (as
// golang.org/x/mod/sumdb/note requires).
func validKeyName(name string) bool {
	return name != "" && utf8.ValidString(name) && !strings.ContainsFunc(name, func(r rune) bool { return r == '+' || unicode.IsSpace(r) })
}
