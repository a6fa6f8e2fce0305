package files

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
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

// FuzzPut: an uploaded file is kept whole under its SHA-256, with its size
// and the type its bytes show, and reads back the same; one over the limit
// is refused and leaves nothing behind, not even part of itself.
func FuzzPut(f *testing.F) {
	f.Add([]byte("%PDF-1.7\n"), uint16(100))
	f.Add([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), uint16(16))
	f.Add([]byte("\xff\xd8\xff\xe0 too long for the limit"), uint16(4))
	f.Add([]byte{}, uint16(0))
	s := Store{Dir: f.TempDir()}
	f.Fuzz(func(t *testing.T, data []byte, limit uint16) {
		before, err := os.ReadDir(s.Dir)
		if err != nil {
			t.Fatal(err)
		}
		hash, size, ctype, err := s.Put(bytes.NewReader(data), int64(limit))
		after, rerr := os.ReadDir(s.Dir)
		if rerr != nil {
			t.Fatal(rerr)
		}
		for _, e := range after {
			if strings.HasPrefix(e.Name(), ".upload-") {
				t.Fatalf("left %s behind", e.Name())
			}
		}
		if len(data) > int(limit) {
			if !errors.Is(err, ErrTooLarge) || hash != "" || size != 0 || ctype != "" || len(after) != len(before) {
				t.Fatalf("%d bytes over a limit of %d: %q %d %q %v, %d files then %d", len(data), limit, hash, size, ctype, err, len(before), len(after))
			}
			return
		}
		sum := sha256.Sum256(data)
		want, _, _ := strings.Cut(http.DetectContentType(data), ";")
		if err != nil || hash != hex.EncodeToString(sum[:]) || size != int64(len(data)) || ctype != want {
			t.Fatalf("kept %d bytes as %q %d %q: %v", len(data), hash, size, ctype, err)
		}
		file, err := s.Open(hash)
		if err != nil {
			t.Fatal(err)
		}
		defer file.Close()
		back, err := io.ReadAll(file)
		if err != nil || !bytes.Equal(back, data) {
			t.Fatalf("read back %d bytes of %d: %v", len(back), len(data), err)
		}
	})
}
