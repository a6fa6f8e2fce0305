// Package files keeps the files attached to reports outside the database:
// each under its SHA-256, so a file is stored once, cannot be changed
// without its name changing, and the record names it by that hash.
package files

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
)

// Store is a directory of files named by their SHA-256.
type Store struct {
	Dir string
}

// ErrTooLarge is returned for a file over the limit.
var ErrTooLarge = errors.New("files: too large")

// Put stores what r holds, up to max bytes, and returns its SHA-256, size
// and type as sniffed from its content (never as claimed by the sender).
// Nothing is kept when it is too large or cannot be written.
func (s Store) Put(r io.Reader, max int64) (hash string, size int64, ctype string, err error) {
	if s.Dir == "" {
		return "", 0, "", errors.New("files: no directory for attachments")
	}
	if err := os.MkdirAll(s.Dir, 0o750); err != nil {
		return "", 0, "", err
	}
	tmp, err := os.CreateTemp(s.Dir, ".upload-*")
	if err != nil {
		return "", 0, "", err
	}
	defer os.Remove(tmp.Name()) // after the rename, nothing left to remove
	h := sha256.New()
	head := make([]byte, 512)
	n, err := io.ReadFull(r, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		tmp.Close()
		return "", 0, "", err
	}
	head = head[:n]
	ctype = http.DetectContentType(head)
	if i := strings.IndexByte(ctype, ';'); i >= 0 {
		ctype = ctype[:i]
	}
	size, err = io.Copy(io.MultiWriter(tmp, h), io.LimitReader(io.MultiReader(strings.NewReader(string(head)), r), max+1))
	if err == nil && size > max {
		err = ErrTooLarge
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", 0, "", err
	}
	hash = hex.EncodeToString(h.Sum(nil))
	if err := os.Rename(tmp.Name(), s.path(hash)); err != nil {
		return "", 0, "", fmt.Errorf("files: keep %s: %w", hash, err)
	}
	return hash, size, ctype, nil
}

func (s Store) path(hash string) string { return filepath.Join(s.Dir, hash) }

// Open opens the file with hash, and checks on reading that it still has
// that hash: a file changed on disk is refused, not served.
func (s Store) Open(hash string) (*os.File, error) {
	if len(hash) != 64 || strings.Trim(hash, "0123456789abcdef") != "" {
		return nil, os.ErrNotExist
	}
	f, err := os.Open(s.path(hash))
	if err != nil {
		return nil, err
	}
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		f.Close()
		return nil, err
	}
	if hex.EncodeToString(h.Sum(nil)) != hash {
		f.Close()
		return nil, fmt.Errorf("files: %s was changed on disk", hash)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}
