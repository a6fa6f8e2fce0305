package seal_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-talks/parley/internal/seal"
)

// The keys of the package documentation's example: the bytes 0 to 31 and
// 32 to 63, with their IDs.
const (
	key1, id1 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", "630dcd29"
	key2, id2 = "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=", "72dbb733"
	key3      = "QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFlaW1xdXl8="
)

// writeKeyFile writes a key file holding src with mode perm in a new
// directory, and returns its path.
func writeKeyFile(tb testing.TB, src string, perm os.FileMode) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "seal.keys")
	if err := os.WriteFile(path, []byte(src), perm); err != nil {
		tb.Fatal(err)
	}
	if err := os.Chmod(path, perm); err != nil { // past the umask
		tb.Fatal(err)
	}
	return path
}

// TestKeyID: a key's ID is the first 8 hexadecimal digits of its SHA-256,
// as `base64 -d | sha256sum | cut -c1-8` gives them.
func TestKeyID(t *testing.T) {
	for range 10 {
		k, err := seal.Generate()
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := base64.StdEncoding.DecodeString(k.Base64())
		sum := sha256.Sum256(raw)
		if want := hex.EncodeToString(sum[:4]); k.ID() != want {
			t.Errorf("ID %s, want %s", k.ID(), want)
		}
	}
	r, err := seal.ParseEnv(key1 + ";" + key2)
	if err != nil {
		t.Fatal(err)
	}
	if got := r.IDs(); !slices.Equal(got, []string{id1, id2}) {
		t.Errorf("IDs of the documentation's keys: %v, want %s %s", got, id1, id2)
	}
}

func TestLoadFile(t *testing.T) {
	for _, tt := range []struct {
		name    string
		src     string
		ids     []string // the last is current
		wantErr string
	}{
		{"one key", key1 + "\n", []string{id1}, ""},
		{"no final newline", key1, []string{id1}, ""},
		{"the last is current", key1 + "\n" + key2 + "\n", []string{id1, id2}, ""},
		{"the documentation's example", "# Parley's keys for personal data, one a line; the last is current.\n" +
			key1 + " # 630dcd29, created 2026-03-01 UTC\n" +
			key2 + " # 72dbb733, added 2026-09-01 UTC\n", []string{id1, id2}, ""},
		{"comments, blank lines, spaces", "\n# keys\n\n   " + key2 + "   #old\n\t# " + key3 + "\n" + key1 + "#new\n\n", []string{id2, id1}, ""},
		{"CRLF", key1 + "\r\n" + key2 + "\r\n", []string{id1, id2}, ""},
		{"empty", "", nil, "holds no key"},
		{"comments only", "# keys\n\n# " + key1 + "\n", nil, "holds no key"},
		{"malformed", key1 + "\n# note\n" + key2 + "x\n", nil, "line 3: not a key"},
		{"short", key1 + "\n" + key2[:40] + "\n", nil, "line 2: not a key"},
		{"unpadded", key1[:43] + "\n", nil, "line 1: not a key"},
		{"URL alphabet", "\n" + strings.NewReplacer("+", "-", "/", "_").Replace("+/"+key1[2:]) + "\n", nil, "line 2: not a key"},
		{"not canonical", key1[:42] + "9=\n", nil, "line 1: not a key"},
		{"two keys a line", key1 + " " + key2 + "\n", nil, "line 1: not a key"},
		{"48 bytes", base64.StdEncoding.EncodeToString(make([]byte, 48)) + "\n", nil, "line 1: not a key"},
		{"twice", key1 + "\n" + key2 + "\n\n" + key1 + " # again\n", nil, "line 4: repeats line 1 (" + id1 + ")"},
		{"all zeros", key1 + "\n" + base64.StdEncoding.EncodeToString(make([]byte, 32)) + "\n", nil, "line 2: the all-zero key"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := writeKeyFile(t, tt.src, 0o600)
			r, err := seal.LoadFile(path)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one saying %q", err, tt.wantErr)
				}
				if !strings.Contains(err.Error(), path) {
					t.Errorf("error %q does not name the file", err)
				}
				// A malformed line may be a key with a typo: never quoted.
				for _, k := range []string{key1, key2, key3} {
					if strings.Contains(err.Error(), k[:16]) {
						t.Errorf("error %q quotes a key", err)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := r.IDs(); !slices.Equal(got, tt.ids) {
				t.Errorf("IDs %v, want %v", got, tt.ids)
			}
			if r.Current() != tt.ids[len(tt.ids)-1] {
				t.Errorf("current %s, want %s", r.Current(), tt.ids[len(tt.ids)-1])
			}
		})
	}
}

// TestLoadFileMode: a key file its group or others may read or write is
// refused, with the mode and the command that fixes it.
func TestLoadFileMode(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("file modes do not say who may read a file on Windows")
	}
	for _, tt := range []struct {
		perm    os.FileMode
		wantErr string
	}{
		{0o600, ""},
		{0o400, ""},
		{0o700, ""},
		{0o640, "mode 0640 (-rw-r-----)"},
		{0o644, "mode 0644 (-rw-r--r--)"},
		{0o604, "mode 0604"},
		{0o620, "mode 0620"},
		{0o602, "mode 0602"},
		{0o666, "mode 0666"},
	} {
		t.Run(tt.perm.String(), func(t *testing.T) {
			path := writeKeyFile(t, key1+"\n", tt.perm)
			_, err := seal.LoadFile(path)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil {
				t.Fatal("loaded")
			}
			for _, want := range []string{tt.wantErr, "chmod 600 " + path} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not say %q", err, want)
				}
			}
		})
	}
}

func TestLoadFileNotThere(t *testing.T) {
	dir := t.TempDir()
	for _, path := range []string{filepath.Join(dir, "missing"), dir} {
		if _, err := seal.LoadFile(path); err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("LoadFile(%s): error %v, want one naming the path", path, err)
		}
	}
}

func TestParseEnv(t *testing.T) {
	for _, tt := range []struct {
		name    string
		value   string
		ids     []string
		wantErr string
	}{
		{"one", key1, []string{id1}, ""},
		{"semicolons", key1 + ";" + key2, []string{id1, id2}, ""},
		{"newlines", key1 + "\n" + key2 + "\n", []string{id1, id2}, ""},
		{"comments end at a semicolon", key1 + " # old; " + key2 + " # new;", []string{id1, id2}, ""},
		{"spaces and empty entries", " ;; " + key2 + " ;\n; " + key1 + " ", []string{id2, id1}, ""},
		{"empty", "", nil, "environment value holds no key"},
		{"separators only", " ; \n ;", nil, "environment value holds no key"},
		{"malformed", key1 + ";" + key2 + "!", nil, "environment value, entry 2: not a key"},
		{"entries counted across lines", key1 + ";\n" + "nope", nil, "entry 3: not a key"},
		{"twice", key1 + ";" + key2 + ";" + key1, nil, "entry 3: repeats entry 1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r, err := seal.ParseEnv(tt.value)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one saying %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := r.IDs(); !slices.Equal(got, tt.ids) || r.Current() != tt.ids[len(tt.ids)-1] {
				t.Errorf("IDs %v current %s, want %v", got, r.Current(), tt.ids)
			}
		})
	}
}

// TestAppendToFile follows a rotation through the key file: the new key
// is appended and current, the file keeps its lines and stays its
// owner's, and a value sealed before opens with the file loaded again.
func TestAppendToFile(t *testing.T) {
	src := "# Parley's keys\n" + key1 + " # first\n\n" + key2 // no final newline
	path := writeKeyFile(t, src, 0o600)
	r, err := seal.LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	v := r.Seal([]byte("Гончаренко"), familyName)

	k := newKey(t)
	rotated, err := r.AppendToFile(path, k)
	if err != nil {
		t.Fatal(err)
	}
	if rotated.Current() != k.ID() || r.Current() != id2 {
		t.Errorf("current %s (was %s), want %s (and %s unchanged)", rotated.Current(), r.Current(), k.ID(), id2)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	got := string(b)
	if !strings.HasPrefix(got, src+"\n") {
		t.Errorf("the file lost its lines:\n%s", got)
	}
	line := strings.TrimPrefix(got, src+"\n")
	if want := regexp.MustCompile(`^` + regexp.QuoteMeta(k.Base64()) + ` # ` + k.ID() + `, added (\d{4}-\d\d-\d\d) UTC\n$`); !want.MatchString(line) {
		t.Errorf("new line %q, want key, ID and date", line)
	} else if day, _ := time.Parse(time.DateOnly, want.FindStringSubmatch(line)[1]); time.Since(day) > 48*time.Hour || time.Since(day) < 0 {
		t.Errorf("new line dated %s", day)
	}
	if fi, err := os.Stat(path); err != nil {
		t.Fatal(err)
	} else if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %04o, want 0600", fi.Mode().Perm())
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
		t.Errorf("%d files in the directory, want the key file alone", len(entries))
	}

	loaded, err := seal.LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{id1, id2, k.ID()}; !slices.Equal(loaded.IDs(), want) || loaded.Current() != k.ID() {
		t.Errorf("loaded again: %v, want %v", loaded.IDs(), want)
	}
	if got, err := loaded.Open(v, familyName); err != nil || string(got) != "Гончаренко" {
		t.Errorf("a value sealed before the rotation: %q, %v", got, err)
	}
	if !loaded.NeedsReseal(v) {
		t.Error("NeedsReseal is false for a value sealed before the rotation")
	}

	// Rotating again, from the key ring the last rotation returned.
	k2 := newKey(t)
	again, err := rotated.AppendToFile(path, k2)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{id1, id2, k.ID(), k2.ID()}; !slices.Equal(again.IDs(), want) {
		t.Errorf("after a second rotation: %v, want %v", again.IDs(), want)
	}
}

func TestAppendToFileRefuses(t *testing.T) {
	k1, k2 := newKey(t), newKey(t)
	for _, tt := range []struct {
		name    string
		change  func(t *testing.T, path string) // after loading
		key     *seal.Key                       // to append, if not a new key
		wantErr string
	}{
		{"a key it holds", nil, &k1, "repeats key " + k1.ID()},
		{"the current key", nil, &k2, "repeats key " + k2.ID()},
		{"the all-zero key", nil, &seal.Key{}, "all-zero"},
		{"a file changed since", func(t *testing.T, path string) {
			os.WriteFile(path, []byte(k1.Base64()+"\n"+k2.Base64()+"\n"+key3+"\n"), 0o600)
		}, nil, "no longer holds the keys"},
		{"a file whose keys were removed since", func(t *testing.T, path string) {
			os.WriteFile(path, []byte(k2.Base64()+"\n"), 0o600)
		}, nil, "no longer holds the keys"},
		{"a file open to others", func(t *testing.T, path string) {
			if runtime.GOOS == "windows" {
				t.Skip("file modes do not say who may read a file on Windows")
			}
			os.Chmod(path, 0o644)
		}, nil, "chmod 600"},
		{"a file removed", func(t *testing.T, path string) { os.Remove(path) }, nil, "no such file"},
		{"another change under way", func(t *testing.T, path string) {
			os.WriteFile(filepath.Join(filepath.Dir(path), ".seal.keys.next"), nil, 0o600)
		}, nil, "being changed by another process"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := writeKeyFile(t, k1.Base64()+"\n"+k2.Base64()+"\n", 0o600)
			r, err := seal.LoadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if tt.change != nil {
				tt.change(t, path)
			}
			before, _ := os.ReadFile(path)
			k := newKey(t)
			if tt.key != nil {
				k = *tt.key
			}
			if _, err := r.AppendToFile(path, k); err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error %v, want one saying %q", err, tt.wantErr)
			}
			if after, _ := os.ReadFile(path); string(after) != string(before) {
				t.Errorf("the file changed:\n%s", after)
			}
			if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) > 1 && tt.name != "another change under way" {
				t.Errorf("%d files left in the directory", len(entries))
			}
		})
	}
}

// TestAppendToFileConcurrent: rotations of one key file at the same time
// do not lose a key: one appends its key, the others are refused, and the
// file holds the keys it held and the one appended.
func TestAppendToFileConcurrent(t *testing.T) {
	for range 20 {
		k1 := newKey(t)
		path := writeKeyFile(t, k1.Base64()+"\n", 0o600)
		r, err := seal.LoadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		var won []string
		var wg sync.WaitGroup
		for range 8 {
			k := newKey(t)
			wg.Go(func() {
				if _, err := r.AppendToFile(path, k); err == nil {
					mu.Lock()
					won = append(won, k.ID())
					mu.Unlock()
				} else if !strings.Contains(err.Error(), "another process") && !strings.Contains(err.Error(), "no longer holds") {
					t.Errorf("refused with %v", err)
				}
			})
		}
		wg.Wait()
		if len(won) != 1 {
			t.Fatalf("%d rotations succeeded, want 1", len(won))
		}
		loaded, err := seal.LoadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{k1.ID(), won[0]}; !slices.Equal(loaded.IDs(), want) {
			t.Fatalf("the file holds %v, want %v", loaded.IDs(), want)
		}
		if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
			t.Fatalf("%d files in the directory, want the key file alone", len(entries))
		}
	}
}

// TestAppendToFileThroughLink: a key file reached by a symbolic link is
// rotated where it is, and the link stays.
func TestAppendToFileThroughLink(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need privileges on Windows")
	}
	target := writeKeyFile(t, key1+"\n", 0o600)
	link := filepath.Join(t.TempDir(), "keys")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	r, err := seal.LoadFile(link)
	if err != nil {
		t.Fatal(err)
	}
	k := newKey(t)
	if _, err := r.AppendToFile(link, k); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v %v", fi, err)
	}
	loaded, err := seal.LoadFile(target)
	if err != nil {
		t.Fatal(err)
	}
	if loaded.Current() != k.ID() {
		t.Errorf("the target's current key is %s, want %s", loaded.Current(), k.ID())
	}
}

func TestCreateFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "seal.keys")
	k := newKey(t)
	r, err := seal.CreateFile(path, k)
	if err != nil {
		t.Fatal(err)
	}
	if r.Current() != k.ID() {
		t.Errorf("current %s, want %s", r.Current(), k.ID())
	}
	loaded, err := seal.LoadFile(path) // refuses a mode other than the owner's
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(loaded.IDs(), []string{k.ID()}) {
		t.Errorf("loaded %v", loaded.IDs())
	}
	if runtime.GOOS != "windows" {
		if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
			t.Errorf("mode %04o, want 0600", fi.Mode().Perm())
		}
	}
	before, _ := os.ReadFile(path)
	if _, err := seal.CreateFile(path, newKey(t)); err == nil {
		t.Error("CreateFile replaced a key file")
	}
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Error("CreateFile changed a key file it refused")
	}
	if _, err := seal.CreateFile(filepath.Join(t.TempDir(), "zero.keys"), seal.Key{}); err == nil {
		t.Error("CreateFile wrote the all-zero key")
	}
}
