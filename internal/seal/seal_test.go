package seal_test

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/parley-talks/parley/internal/seal"
	"pgregory.net/rapid"
)

// newKey returns a new random key.
func newKey(tb testing.TB) seal.Key {
	tb.Helper()
	k, err := seal.Generate()
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

// newRing returns a key ring of keys.
func newRing(tb testing.TB, keys ...seal.Key) *seal.Keyring {
	tb.Helper()
	r, err := seal.NewKeyring(keys...)
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

var familyName = seal.AAD("persons", "p-0042", "family_name")

var openErrors = []error{seal.ErrTruncated, seal.ErrUnknownVersion, seal.ErrUnknownKey, seal.ErrAuthentication, seal.ErrNotSealed}

// wantErr fails unless err is want and none of the other errors of
// opening: the errors are distinct.
func wantErr(tb testing.TB, err, want error) {
	tb.Helper()
	for _, e := range openErrors {
		if got := errors.Is(err, e); got != (e == want) {
			tb.Errorf("errors.Is(%v, %v) = %v", err, e, got)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	r := newRing(t, newKey(t))
	for _, tt := range []struct {
		name      string
		plaintext []byte
		aad       []byte
	}{
		{"empty", nil, familyName},
		{"name", []byte("Коваленко"), familyName},
		{"partial date", []byte("1998-03"), seal.AAD("persons", "p-0042", "date_of_birth")},
		{"binary", []byte{0, 0xff, 0, 0xfe}, []byte{0}},
		{"one MiB", bytes.Repeat([]byte("Ivanenko Petro Mykolayovych "), 1<<20/28), familyName},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sealed := r.Seal(tt.plaintext, tt.aad)
			if len(sealed) != len(tt.plaintext)+seal.Overhead {
				t.Errorf("sealed %d bytes into %d, want %d", len(tt.plaintext), len(sealed), len(tt.plaintext)+seal.Overhead)
			}
			if len(tt.plaintext) >= 4 && bytes.Contains(sealed, tt.plaintext) {
				t.Error("the sealed value holds the plaintext")
			}
			got, err := r.Open(sealed, tt.aad)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, tt.plaintext) {
				t.Errorf("opened %q, want %q", got, tt.plaintext)
			}
			if r.NeedsReseal(sealed) {
				t.Error("NeedsReseal is true for a value sealed with the current key")
			}
		})
	}
}

func TestOpenErrors(t *testing.T) {
	k := newKey(t)
	r := newRing(t, k)
	sealed := r.Seal([]byte("Шевченко"), familyName)
	other := newKey(t)
	byOther := newRing(t, other).Seal([]byte("Шевченко"), familyName)
	flip := func(i int) []byte {
		b := bytes.Clone(sealed)
		b[i] ^= 0x01
		return b
	}
	for _, tt := range []struct {
		name   string
		sealed []byte
		aad    []byte
		want   error
		says   string // in the message
	}{
		{"empty", nil, familyName, seal.ErrTruncated, "truncated"},
		{"version only", []byte{1}, familyName, seal.ErrTruncated, "1 bytes"},
		{"one byte short of an empty value", sealed[:seal.Overhead-1], familyName, seal.ErrTruncated, "truncated"},
		{"tag cut", sealed[:len(sealed)-1], familyName, seal.ErrAuthentication, "authentication"},
		{"version 0", append([]byte{0}, sealed[1:]...), familyName, seal.ErrUnknownVersion, "version 0"},
		{"version 2", append([]byte{2}, sealed[1:]...), familyName, seal.ErrUnknownVersion, "version 2"},
		{"version 2, short", []byte{2}, familyName, seal.ErrUnknownVersion, "version 2"},
		{"another key", byOther, familyName, seal.ErrUnknownKey, "key " + other.ID() + ", which the key ring does not hold"},
		{"key ID altered", flip(1), familyName, seal.ErrUnknownKey, "removed"},
		{"nonce altered", flip(5), familyName, seal.ErrAuthentication, "altered"},
		{"ciphertext altered", flip(17), familyName, seal.ErrAuthentication, "altered"},
		{"tag altered", flip(len(sealed) - 1), familyName, seal.ErrAuthentication, "altered"},
		{"other associated data", sealed, seal.AAD("persons", "p-0042", "given_name"), seal.ErrAuthentication, "belongs elsewhere"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := r.Open(tt.sealed, tt.aad)
			if err == nil {
				t.Fatalf("opened: %q", got)
			}
			wantErr(t, err, tt.want)
			if !strings.Contains(err.Error(), tt.says) {
				t.Errorf("error %q does not say %q", err, tt.says)
			}
		})
	}
}

// TestAADBinding: a value opens only in the place it was sealed for, so a
// name copied to another person's row, or to another column, does not
// open there.
func TestAADBinding(t *testing.T) {
	r := newRing(t, newKey(t))
	sealed := r.Seal([]byte("Бондаренко"), seal.AAD("persons", "p-0042", "family_name"))
	for _, tt := range []struct {
		name string
		aad  []byte
		want error
	}{
		{"its place", seal.AAD("persons", "p-0042", "family_name"), nil},
		{"another row", seal.AAD("persons", "p-0043", "family_name"), seal.ErrAuthentication},
		{"another column", seal.AAD("persons", "p-0042", "mother_maiden_name"), seal.ErrAuthentication},
		{"another table", seal.AAD("remains", "p-0042", "family_name"), seal.ErrAuthentication},
		{"parts run together", seal.AAD("persons", "p-0042family_name"), seal.ErrAuthentication},
		{"raw bytes of the parts", []byte("personsp-0042family_name"), seal.ErrAuthentication},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := r.Open(sealed, tt.aad)
			if tt.want == nil && err != nil {
				t.Fatal(err)
			}
			if tt.want != nil {
				wantErr(t, err, tt.want)
			}
		})
	}
}

// TestAAD: no two lists of parts give the same associated data.
func TestAAD(t *testing.T) {
	seen := map[string][]string{}
	for _, parts := range [][]string{
		{}, {""}, {"", ""}, {"a"}, {"ab"}, {"a", "b"}, {"ab", ""}, {"", "ab"}, {"a", "", "b"},
		{"persons", "p-1", "family_name"}, {"persons", "p-1family_name"}, {"personsp-1", "family_name"},
		{"\x01a"}, {"a\x01"}, {strings.Repeat("x", 200)}, {strings.Repeat("x", 199), "x"},
	} {
		aad := string(seal.AAD(parts...))
		if prev, ok := seen[aad]; ok {
			t.Errorf("AAD(%q) = AAD(%q)", parts, prev)
		}
		seen[aad] = parts
	}
}

// TestAADMandatory: sealing or opening for no place is a mistake of the
// caller, caught at once.
func TestAADMandatory(t *testing.T) {
	r := newRing(t, newKey(t))
	sealed := r.Seal([]byte("x"), familyName)
	for _, tt := range []struct {
		name string
		call func()
	}{
		{"Seal nil", func() { r.Seal([]byte("x"), nil) }},
		{"Seal empty", func() { r.Seal([]byte("x"), []byte{}) }},
		{"Seal AAD()", func() { r.Seal([]byte("x"), seal.AAD()) }},
		{"Open nil", func() { r.Open(sealed, nil) }},
		{"SealString nil", func() { r.SealString("x", nil) }},
		{"OpenString nil", func() { r.OpenString(r.SealString("x", familyName), nil) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if p := recover(); p == nil || !strings.Contains(fmt.Sprint(p), "associated data") {
					t.Errorf("panic %v, want one about associated data", p)
				}
			}()
			tt.call()
		})
	}
}

func TestSealsDiffer(t *testing.T) {
	r := newRing(t, newKey(t))
	a := r.Seal([]byte("Мельник"), familyName)
	b := r.Seal([]byte("Мельник"), familyName)
	if bytes.Equal(a, b) {
		t.Error("the same plaintext sealed twice gave the same value")
	}
	if bytes.Equal(a[5:17], b[5:17]) {
		t.Error("two seals used the same nonce")
	}
}

// TestRotation follows a rotation: a value sealed with the old key opens
// once a new key is current, and needs re-sealing; once re-sealed it does
// not, and survives the old key's removal, which the value not re-sealed
// does not.
func TestRotation(t *testing.T) {
	old, next := newKey(t), newKey(t)
	before := newRing(t, old)
	v := before.Seal([]byte("Ткаченко"), familyName)

	during := newRing(t, old, next)
	if during.Current() != next.ID() {
		t.Errorf("current key %s, want the last, %s", during.Current(), next.ID())
	}
	if got, err := during.Open(v, familyName); err != nil || string(got) != "Ткаченко" {
		t.Fatalf("a value sealed with the old key: %q, %v", got, err)
	}
	if !during.NeedsReseal(v) {
		t.Error("NeedsReseal is false for a value sealed with the old key")
	}
	plain, _ := during.Open(v, familyName)
	resealed := during.Seal(plain, familyName)
	if during.NeedsReseal(resealed) {
		t.Error("NeedsReseal is true for a re-sealed value")
	}

	after := newRing(t, next)
	if got, err := after.Open(resealed, familyName); err != nil || string(got) != "Ткаченко" {
		t.Errorf("a re-sealed value after the old key's removal: %q, %v", got, err)
	}
	_, err := after.Open(v, familyName)
	wantErr(t, err, seal.ErrUnknownKey)
	if err == nil || !strings.Contains(err.Error(), old.ID()) {
		t.Errorf("error %v does not name the missing key %s", err, old.ID())
	}
}

func TestNeedsReseal(t *testing.T) {
	old, cur := newKey(t), newKey(t)
	r := newRing(t, old, cur)
	byOld := newRing(t, old).Seal([]byte("x"), familyName)
	byCur := r.Seal([]byte("x"), familyName)
	for _, tt := range []struct {
		name   string
		sealed []byte
		want   bool
	}{
		{"current key", byCur, false},
		{"old key", byOld, true},
		{"unknown key", newRing(t, newKey(t)).Seal([]byte("x"), familyName), true},
		{"truncated", byCur[:seal.Overhead-1], true},
		{"empty", nil, true},
		{"another version", append([]byte{2}, byCur[1:]...), true},
		{"plaintext", []byte("Петренко Олена Василівна, 1991"), true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := r.NeedsReseal(tt.sealed); got != tt.want {
				t.Errorf("NeedsReseal = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestStrings(t *testing.T) {
	old, cur := newKey(t), newKey(t)
	r := newRing(t, old, cur)
	s := r.SealString("Лисенко", familyName)
	if !strings.HasPrefix(s, seal.TextPrefix) {
		t.Fatalf("%q does not begin with %q", s, seal.TextPrefix)
	}
	if strings.ContainsAny(s[len(seal.TextPrefix):], "+/=.") {
		t.Errorf("%q is not unpadded base64url", s)
	}
	if got, err := r.OpenString(s, familyName); err != nil || got != "Лисенко" {
		t.Errorf("OpenString: %q, %v", got, err)
	}
	if r.NeedsResealString(s) {
		t.Error("NeedsResealString is true for the current key")
	}
	byOld := newRing(t, old).SealString("Лисенко", familyName)
	if !r.NeedsResealString(byOld) {
		t.Error("NeedsResealString is false for the old key")
	}
	// cut returns text without its last n bytes, or all but its header.
	cut := func(text string, n int) string {
		b, err := base64.RawURLEncoding.DecodeString(text[len(seal.TextPrefix):])
		if err != nil {
			t.Fatal(err)
		}
		return seal.TextPrefix + base64.RawURLEncoding.EncodeToString(b[:max(5, len(b)-n)])
	}
	for _, tt := range []struct {
		name string
		text string
		want error
	}{
		{"plaintext", "Лисенко", seal.ErrNotSealed},
		{"empty", "", seal.ErrNotSealed},
		{"bytes without the prefix", s[len(seal.TextPrefix):], seal.ErrNotSealed},
		{"another prefix", "s2." + s[len(seal.TextPrefix):], seal.ErrNotSealed},
		{"padded", s + "=", seal.ErrNotSealed},
		{"standard base64", strings.NewReplacer("-", "+", "_", "/").Replace(s) + "+/", seal.ErrNotSealed},
		{"prefix only", seal.TextPrefix, seal.ErrTruncated},
		{"cut", cut(s, 1), seal.ErrAuthentication},
		{"cut to a header", cut(s, len(s)), seal.ErrTruncated},
		{"another row", s, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			aad := familyName
			if tt.want == nil {
				aad, tt.want = seal.AAD("persons", "p-0043", "family_name"), seal.ErrAuthentication
			}
			got, err := r.OpenString(tt.text, aad)
			if err == nil {
				t.Fatalf("opened %q", got)
			}
			wantErr(t, err, tt.want)
			if !r.NeedsResealString(tt.text) && tt.want != seal.ErrAuthentication {
				t.Error("NeedsResealString is false for a text that does not open")
			}
		})
	}
}

// TestKeyNeverPrinted: a key printed or logged by mistake shows its ID,
// never the secret.
func TestKeyNeverPrinted(t *testing.T) {
	k := newKey(t)
	r := newRing(t, k)
	raw, err := base64.StdEncoding.DecodeString(k.Base64())
	if err != nil {
		t.Fatal(err)
	}
	shows := func(s string) bool {
		s = strings.ToLower(s)
		return strings.Contains(s, strings.ToLower(k.Base64()[:8])) ||
			strings.Contains(s, hex.EncodeToString(raw[:4])) ||
			strings.Contains(s, strings.Trim(fmt.Sprint(raw[:4]), "[]")) ||
			strings.Contains(s, strings.Trim(fmt.Sprintf("%o", raw[:4]), "[]"))
	}
	for _, format := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%o", "%T %v"} {
		for _, arg := range []any{k, &k, []seal.Key{k}, struct{ K seal.Key }{k}, r, *r, struct{ r seal.Keyring }{*r}} {
			if got := fmt.Sprintf(format, arg); shows(got) {
				t.Errorf("Sprintf(%q, %T) shows the key: %s", format, arg, got)
			}
		}
	}
	if got := fmt.Sprint(k); got != "seal key "+k.ID() {
		t.Errorf("Sprint(key) = %q", got)
	}
	if got, want := fmt.Sprint(r), "seal key ring from the key ring: "+k.ID()+" (current "+k.ID()+")"; got != want {
		t.Errorf("Sprint(key ring) = %q, want %q", got, want)
	}
}

func TestNewKeyring(t *testing.T) {
	a, b := newKey(t), newKey(t)
	for _, tt := range []struct {
		name    string
		keys    []seal.Key
		current string
		wantErr string
	}{
		{"one", []seal.Key{a}, a.ID(), ""},
		{"the last is current", []seal.Key{a, b}, b.ID(), ""},
		{"none", nil, "", "no key"},
		{"twice", []seal.Key{a, b, a}, "", "key 3: repeats key 1"},
		{"zero", []seal.Key{a, {}}, "", "key 2: the all-zero key"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r, err := seal.NewKeyring(tt.keys...)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one saying %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.Current() != tt.current {
				t.Errorf("current %s, want %s", r.Current(), tt.current)
			}
		})
	}
}

// TestConcurrent: one key ring seals and opens from many goroutines (run
// with -race).
func TestConcurrent(t *testing.T) {
	r := newRing(t, newKey(t), newKey(t))
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			aad := seal.AAD("persons", fmt.Sprint(i), "family_name")
			for j := range 200 {
				want := fmt.Sprintf("name %d/%d", i, j)
				got, err := r.OpenString(r.SealString(want, aad), aad)
				if err != nil || got != want {
					t.Errorf("%q, %v; want %q", got, err, want)
					return
				}
			}
		})
	}
	wg.Wait()
}

// TestSealOpenProperty: any plaintext, sealed for any place, opens there
// as it was; and a value with any one byte changed does not open.
func TestSealOpenProperty(t *testing.T) {
	r := newRing(t, newKey(t), newKey(t))
	rapid.Check(t, func(t *rapid.T) {
		x := rapid.SliceOf(rapid.Byte()).Draw(t, "plaintext")
		aad := rapid.SliceOfN(rapid.Byte(), 1, 100).Draw(t, "aad")
		sealed := r.Seal(x, aad)
		got, err := r.Open(sealed, aad)
		if err != nil {
			t.Fatalf("Open(Seal(x, aad), aad): %v", err)
		}
		if !bytes.Equal(got, x) {
			t.Fatalf("Open(Seal(%x)) = %x", x, got)
		}
		i := rapid.IntRange(0, len(sealed)-1).Draw(t, "byte")
		d := rapid.ByteRange(1, 255).Draw(t, "xor")
		altered := bytes.Clone(sealed)
		altered[i] ^= d
		if got, err := r.Open(altered, aad); err == nil {
			t.Fatalf("byte %d of %d xor %#x: opened %x", i, len(sealed), d, got)
		}
	})
}

func BenchmarkSeal(b *testing.B) {
	r := newRing(b, newKey(b))
	x := bytes.Repeat([]byte("n"), 200)
	b.SetBytes(int64(len(x)))
	b.ReportAllocs()
	for b.Loop() {
		r.Seal(x, familyName)
	}
}

func BenchmarkOpen(b *testing.B) {
	r := newRing(b, newKey(b))
	sealed := r.Seal(bytes.Repeat([]byte("n"), 200), familyName)
	b.SetBytes(200)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Open(sealed, familyName); err != nil {
			b.Fatal(err)
		}
	}
}
