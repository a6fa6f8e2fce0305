package record

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Checkpoint is a signed statement of the record's size and tree hash.
type Checkpoint struct {
	Size      int64
	Root      tlog.Hash
	Note      []byte // the signed note, in the C2SP signed-note format
	CreatedAt time.Time
}

// Cosignature is a witness's cosignature of a checkpoint.
type Cosignature struct {
	Size      int64
	Witness   string // the witness's key name
	Signature string // the signature line of the note, without its final newline
	CreatedAt time.Time
}

// FormatCheckpoint returns the body of a checkpoint in the C2SP
// tlog-checkpoint format: the origin, the size in decimal and the root hash
// in standard base64, each on a line.
func FormatCheckpoint(origin string, t tlog.Tree) []byte {
	return []byte(fmt.Sprintf("%s\n%d\n%s\n", origin, t.N, base64.StdEncoding.EncodeToString(t.Hash[:])))
}

// ParseCheckpoint parses a checkpoint body. Extension lines after the
// third are allowed and ignored.
func ParseCheckpoint(body []byte) (origin string, t tlog.Tree, err error) {
	defer func() {
		if err != nil { // a refused checkpoint gives no part of itself
			origin, t = "", tlog.Tree{}
		}
	}()
	lines := strings.SplitAfter(string(body), "\n")
	if len(lines) < 3 || !bytes.HasSuffix(body, []byte("\n")) {
		return "", t, errors.New("record: checkpoint has fewer than three lines")
	}
	origin = strings.TrimSuffix(lines[0], "\n")
	if origin == "" {
		return "", t, errors.New("record: checkpoint has no origin")
	}
	size := strings.TrimSuffix(lines[1], "\n")
	if t.N, err = strconv.ParseInt(size, 10, 64); err != nil || t.N < 0 || strconv.FormatInt(t.N, 10) != size {
		return "", t, fmt.Errorf("record: checkpoint size %q", size)
	}
	// Strict: one hash has one text (no stray bits in the last character),
	// so a checkpoint's bytes are the canonical ones its signature covers.
	h, err := base64.StdEncoding.Strict().DecodeString(strings.TrimSuffix(lines[2], "\n"))
	if err != nil || len(h) != tlog.HashSize {
		return "", tlog.Tree{}, errors.New("record: checkpoint root hash is not 32 bytes of canonical base64")
	}
	copy(t.Hash[:], h)
	return origin, t, nil
}

// OpenCheckpoint verifies a signed checkpoint with the log's verifier key
// and returns its origin and tree. Signatures by other keys (cosignatures)
// are ignored here.
func OpenCheckpoint(msg []byte, vkey string) (string, tlog.Tree, error) {
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return "", tlog.Tree{}, fmt.Errorf("record: verifier key: %w", err)
	}
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		return "", tlog.Tree{}, fmt.Errorf("record: checkpoint signature: %w", err)
	}
	origin, t, err := ParseCheckpoint([]byte(n.Text))
	if err != nil {
		return "", tlog.Tree{}, err
	}
	if origin != v.Name() {
		return "", tlog.Tree{}, fmt.Errorf("record: checkpoint origin %q is not the key's name %q", origin, v.Name())
	}
	return origin, t, nil
}

// Key is the log's signing key.
type Key struct {
	Signer   note.Signer
	Verifier string // the signed-note verifier key, published at /log/key
}

// Origin returns the log's name, which is the key's name and the first line
// of every checkpoint.
func (k *Key) Origin() string { return k.Signer.Name() }

// ParseKey reads a signed-note private key ("PRIVATE+KEY+name+…").
func ParseKey(skey string) (*Key, error) {
	s, err := note.NewSigner(strings.TrimSpace(skey))
	if err != nil {
		return nil, fmt.Errorf("record: signing key: %w", err)
	}
	vkey, err := verifierOf(strings.TrimSpace(skey))
	if err != nil {
		return nil, err
	}
	return &Key{Signer: s, Verifier: vkey}, nil
}

// verifierOf derives the verifier key of a signed-note Ed25519 private key.
func verifierOf(skey string) (string, error) {
	// PRIVATE+KEY+<name>+<hash>+<base64(0x01 || seed)>
	parts := strings.SplitN(skey, "+", 5)
	if len(parts) != 5 || parts[0] != "PRIVATE" || parts[1] != "KEY" {
		return "", errors.New("record: not a signed-note private key")
	}
	raw, err := base64.StdEncoding.DecodeString(parts[4])
	if err != nil || len(raw) != 33 || raw[0] != 1 {
		return "", errors.New("record: not an Ed25519 signed-note private key")
	}
	pub := ed25519.NewKeyFromSeed(raw[1:]).Public().(ed25519.PublicKey)
	return note.NewEd25519VerifierKey(parts[2], pub)
}

// LoadKey returns the log's key from skey if given, else from the file at
// path, creating a new key named name there (mode 0600) on first start.
func LoadKey(skey, path, name string) (*Key, bool, error) {
	if skey != "" {
		k, err := ParseKey(skey)
		return k, false, err
	}
	b, err := os.ReadFile(path)
	if err == nil {
		fi, serr := os.Stat(path)
		if serr == nil && fi.Mode().Perm()&0o077 != 0 {
			return nil, false, fmt.Errorf("record: the signing key %s is readable by others (mode %v); chmod 600 it", path, fi.Mode().Perm())
		}
		k, err := ParseKey(string(b))
		return k, false, err
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, false, fmt.Errorf("record: read signing key: %w", err)
	}
	skey, _, err = note.GenerateKey(rand.Reader, name)
	if err != nil {
		return nil, false, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, false, fmt.Errorf("record: create key directory: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, false, fmt.Errorf("record: write signing key: %w", err)
	}
	if _, err := f.WriteString(skey + "\n"); err != nil {
		f.Close()
		return nil, false, err
	}
	if err := f.Close(); err != nil {
		return nil, false, err
	}
	k, err := ParseKey(skey)
	return k, true, err
}

// Sign returns the signed checkpoint of tree t.
func (k *Key) Sign(t tlog.Tree) ([]byte, error) {
	return note.Sign(&note.Note{Text: string(FormatCheckpoint(k.Origin(), t))}, k.Signer)
}

// Log is what the integrator needs of the record's storage.
type Log interface {
	TreeHead(ctx context.Context) (tlog.Tree, error)
	LatestCheckpoint(ctx context.Context) (Checkpoint, error)
	SaveCheckpoint(ctx context.Context, c Checkpoint) error
}

// Integrate signs a checkpoint whenever the tree has grown, at most once per
// interval — never once per event — until ctx ends.
func Integrate(ctx context.Context, log Log, k *Key, interval time.Duration, now func() time.Time, l *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	var last int64 = -1
	for {
		if err := IntegrateOnce(ctx, log, k, &last, now); err != nil && ctx.Err() == nil {
			l.WarnContext(ctx, "record: sign checkpoint", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// IntegrateOnce signs and stores a checkpoint if the tree grew beyond the
// size *last signed (or found stored).
func IntegrateOnce(ctx context.Context, log Log, k *Key, last *int64, now func() time.Time) error {
	if *last < 0 {
		if c, err := log.LatestCheckpoint(ctx); err == nil {
			*last = c.Size
		}
	}
	head, err := log.TreeHead(ctx)
	if err != nil {
		return err
	}
	if head.N <= *last || head.N == 0 {
		return nil
	}
	msg, err := k.Sign(head)
	if err != nil {
		return err
	}
	if err := log.SaveCheckpoint(ctx, Checkpoint{Size: head.N, Root: head.Hash, Note: msg, CreatedAt: now().UTC()}); err != nil {
		return err
	}
	*last = head.N
	return nil
}

// WithCosignatures appends cosignature lines to a signed checkpoint note.
func WithCosignatures(msg []byte, cs []Cosignature) []byte {
	if len(cs) == 0 {
		return msg
	}
	out := bytes.Clone(msg)
	for _, c := range cs {
		out = append(out, c.Signature...)
		out = append(out, '\n')
	}
	return out
}
