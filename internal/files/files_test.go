package files

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func TestPutOpen(t *testing.T) {
	s := Store{Dir: t.TempDir()}
	png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{1}, 1000)...)
	hash, size, ctype, err := s.Put(bytes.NewReader(png), 4096)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(png)
	if hash != hex.EncodeToString(sum[:]) || size != int64(len(png)) || ctype != "image/png" {
		t.Errorf("put: %s %d %s", hash, size, ctype)
	}
	f, err := s.Open(hash)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(f)
	f.Close()
	if !bytes.Equal(b, png) {
		t.Error("read back something else")
	}
	// A file changed on disk is refused.
	os.WriteFile(filepath.Join(s.Dir, hash), []byte("tampered"), 0o644)
	if _, err := s.Open(hash); err == nil {
		t.Error("a tampered file was served")
	}
	// Too large: nothing kept.
	if _, _, _, err := s.Put(bytes.NewReader(png), 100); !errors.Is(err, ErrTooLarge) {
		t.Errorf("too large: %v", err)
	}
	entries, _ := os.ReadDir(s.Dir)
	if len(entries) != 1 {
		t.Errorf("%d files left, want the one stored", len(entries))
	}
	if _, err := s.Open("../../etc/passwd"); err == nil {
		t.Error("a path was opened")
	}
	// The type is sniffed, not taken from the name: a script stays text.
	_, _, ctype, _ = s.Put(bytes.NewReader([]byte("<script>alert(1)</script>")), 4096)
	if ctype != "text/html" {
		t.Errorf("sniffed %s", ctype)
	}
}
