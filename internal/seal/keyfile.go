package seal

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"
)

// checkMode says whether file modes mean what they mean on Unix: on
// Windows the mode bits do not say who may read a file.
const checkMode = runtime.GOOS != "windows"

// maxFileSize bounds a key file: a megabyte is some twenty thousand keys.
const maxFileSize = 1 << 20

// LoadFile reads the key file at path (see the package documentation for
// its format); the last key in the file is current. It refuses a file its
// owner's group or others may read or write (on Unix), a malformed line,
// a key given twice, the all-zero key, and a file with no key. Its errors
// name a line by its number, never quote it: it may be a key.
func LoadFile(path string) (*Keyring, error) {
	r, _, err := loadFile(path)
	return r, err
}

// loadFile is LoadFile, returning the file's content too.
func loadFile(path string) (*Keyring, []byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("seal: key file: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, fmt.Errorf("seal: key file: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, nil, fmt.Errorf("seal: key file %s is not a regular file (%s)", path, fi.Mode())
	}
	if perm := fi.Mode().Perm(); checkMode && perm&0o077 != 0 {
		return nil, nil, fmt.Errorf("seal: key file %s has mode %04o (%s): its group or others may read or change the keys; make it its owner's only with: chmod 600 %s", path, perm, perm, path)
	}
	src, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, nil, fmt.Errorf("seal: key file %s: %w", path, err)
	}
	if len(src) > maxFileSize {
		return nil, nil, fmt.Errorf("seal: key file %s is larger than %d bytes", path, maxFileSize)
	}
	r, err := parse(strings.Split(string(src), "\n"), "key file "+path, "line")
	if err != nil {
		return nil, nil, err
	}
	return r, src, nil
}

// ParseEnv reads keys from the value of an environment variable, in the
// format of a key file, where ';' may also separate lines; the last key is
// current. Its errors name the entry by its number, never by its content.
func ParseEnv(value string) (*Keyring, error) {
	var lines []string
	for l := range strings.SplitSeq(value, "\n") {
		lines = append(lines, strings.Split(l, ";")...)
	}
	return parse(lines, "environment value", "entry")
}

// parse reads the keys of lines, the content of source, each line called
// unit in errors.
func parse(lines []string, source, unit string) (*Keyring, error) {
	var keys []Key
	var at []int // at[i] is the line of keys[i]
	for n, line := range lines {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		k, err := parseKey(line)
		if err == nil {
			err = check(k, keys, func(i int) string { return fmt.Sprintf("%s %d", unit, at[i]) })
		}
		if err != nil {
			return nil, fmt.Errorf("seal: %s, %s %d: %w", source, unit, n+1, err)
		}
		keys = append(keys, k)
		at = append(at, n+1)
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("seal: %s holds no key", source)
	}
	return newKeyring(keys, source), nil
}

var errKeySyntax = errors.New("not a key: want 32 bytes in standard base64 with padding (44 characters), optionally followed by '#' and a comment")

// parseKey reads a key in standard base64, in its one canonical form.
func parseKey(s string) (Key, error) {
	if base64.StdEncoding.EncodedLen(KeySize) != len(s) {
		return Key{}, errKeySyntax
	}
	var b [KeySize]byte
	n, err := base64.StdEncoding.Strict().Decode(b[:], []byte(s))
	if err != nil || n != KeySize {
		return Key{}, errKeySyntax
	}
	return newKey(b), nil
}

// AppendToFile appends k to the key file at path, from which r was
// loaded, and returns the key ring of the file with k as current key; r
// itself does not change. The file keeps its lines, comments included;
// the new line gives k's ID and the date, UTC. The file is replaced
// atomically, with mode 0600: a crash leaves the old file or the new one,
// never a part of either. AppendToFile refuses a key r already holds, a
// file that no longer holds r's keys (changed by someone else since it
// was loaded), and to run while another AppendToFile changes the same
// file, so that no rotation loses the key of another.
func (r *Keyring) AppendToFile(path string, k Key) (*Keyring, error) {
	keys := r.keys
	if err := check(k, keys, func(i int) string { return "key " + keys[i].ID() + " of the key file" }); err != nil {
		return nil, fmt.Errorf("seal: new key: %w", err)
	}
	// Write through a symbolic link (to a key file among other secrets,
	// say), not over it.
	path, err := filepath.EvalSymlinks(path)
	if err != nil {
		return nil, fmt.Errorf("seal: key file: %w", err)
	}
	// The new file, made under a fixed name that only one process can
	// create, is also the lock: between reading the file and renaming
	// the new one over it, no one else changes it.
	next := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".next")
	f, err := os.OpenFile(next, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("seal: key file %s is being changed by another process, which made %s; if none is, a change was interrupted: remove that file and try again", path, next)
	}
	if err != nil {
		return nil, fmt.Errorf("seal: key file: %w", err)
	}
	renamed := false
	defer func() {
		if !renamed {
			f.Close()
			os.Remove(next)
		}
	}()
	onFile, src, err := loadFile(path)
	if err != nil {
		return nil, err
	}
	if !slices.EqualFunc(onFile.keys, keys, Key.equal) {
		return nil, fmt.Errorf("seal: key file %s no longer holds the keys it held when loaded (now %s, then %s); load it again", path, strings.Join(onFile.IDs(), " "), strings.Join(r.IDs(), " "))
	}
	if len(src) > 0 && src[len(src)-1] != '\n' {
		src = append(src, '\n')
	}
	src = append(src, keyLine(k, "added")...)
	_, err = f.Write(src)
	if err == nil {
		err = f.Chmod(0o600) // whatever the umask
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(next, path)
	}
	if err != nil {
		return nil, fmt.Errorf("seal: key file %s: %w", path, err)
	}
	renamed = true
	syncDir(filepath.Dir(path))
	return newKeyring(append(slices.Clip(keys), k), "key file "+path), nil
}

// CreateFile writes a new key file at path, with mode 0600, holding k,
// and returns its key ring. It refuses to replace a file that exists.
func CreateFile(path string, k Key) (*Keyring, error) {
	if err := check(k, nil, nil); err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	src := "# Parley's keys for personal data, one a line; the last is current.\n" +
		"# Rotate with `parley keys rotate`; remove a key only once nothing is sealed with it.\n" +
		keyLine(k, "created")
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("seal: create key file: %w", err)
	}
	_, err = io.WriteString(f, src)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return nil, fmt.Errorf("seal: key file %s: %w", path, err)
	}
	syncDir(filepath.Dir(path))
	return newKeyring([]Key{k}, "key file "+path), nil
}

// keyLine returns k's line in a key file, with a comment giving its ID and
// the day it was added.
func keyLine(k Key, verb string) string {
	return fmt.Sprintf("%s # %s, %s %s UTC\n", k.Base64(), k.ID(), verb, time.Now().UTC().Format(time.DateOnly))
}

// syncDir syncs a directory, so that a rename or a new file in it survives
// a crash. Not every system can sync a directory; the file itself is
// already on disk, so a failure is not reported.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
