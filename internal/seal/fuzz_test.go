package seal

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzOpen: whatever bytes Open is given, from a database someone else
// may have written to, it does not panic, fails with one of its errors,
// and opens only a value Seal made, under the associated data it was made
// with. The seeds are values sealed with fixed keys and nonces, so that
// they stay valid from one run to the next; any other value that opened
// would be a forgery. What Seal makes of the fuzzed input opens again.
func FuzzOpen(f *testing.F) {
	var b1, b2 [KeySize]byte
	for i := range KeySize {
		b1[i], b2[i] = byte(i), byte(32+i)
	}
	old, cur := newKey(b1), newKey(b2)
	r := newKeyring([]Key{old, cur}, "the fuzzed key ring")
	type valid struct{ plaintext, aad []byte }
	sealed := map[string]valid{}
	for i, v := range []valid{
		{nil, AAD("persons", "p-1", "family_name")},
		{[]byte("Коваленко"), AAD("persons", "p-1", "family_name")},
		{[]byte("Коваленко"), AAD("persons", "p-2", "family_name")},
		{[]byte("1998-03"), AAD("persons", "p-1", "date_of_birth")},
		{bytes.Repeat([]byte{0xff}, 200), []byte{0}},
	} {
		for _, k := range []Key{old, cur} {
			nonce := [nonceSize]byte{byte(i), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}
			s := k.secret().seal(nonce, v.plaintext, v.aad)
			sealed[string(s)] = v
			f.Add(s, v.aad)
			f.Add(s, AAD("persons", "p-3", "family_name"))
			f.Add(s[:len(s)-1], v.aad)
		}
	}
	f.Add([]byte{}, []byte{0})
	f.Add([]byte{version}, []byte{0})
	f.Add([]byte{2, 0, 0, 0, 0}, []byte{0})
	f.Fuzz(func(t *testing.T, data, aad []byte) {
		if len(aad) == 0 {
			aad = []byte{0} // Open panics without associated data, by design
		}
		got, err := r.Open(data, aad)
		if err != nil {
			if got != nil {
				t.Errorf("Open failed (%v) and returned %x", err, got)
			}
			known := 0
			for _, e := range []error{ErrTruncated, ErrUnknownVersion, ErrUnknownKey, ErrAuthentication} {
				if errors.Is(err, e) {
					known++
				}
			}
			if known != 1 {
				t.Errorf("error %v is not exactly one of Open's errors", err)
			}
		} else if v, ok := sealed[string(data)]; !ok || !bytes.Equal(v.aad, aad) || !bytes.Equal(v.plaintext, got) {
			t.Fatalf("opened a value Seal did not make: %x with associated data %x gave %x", data, aad, got)
		}
		// NeedsReseal: for a value that opens, whether its key is old; for
		// one not in the format, or under a key not in the ring, true.
		want := err == nil && !bytes.Equal(data[1:headerSize], cur.secret().id[:]) ||
			errors.Is(err, ErrTruncated) || errors.Is(err, ErrUnknownVersion) || errors.Is(err, ErrUnknownKey)
		if (err == nil || want) && r.NeedsReseal(data) != want {
			t.Errorf("NeedsReseal(%x) = %v, want %v", data, !want, want)
		}
		s := r.Seal(data, aad)
		if back, err := r.Open(s, aad); err != nil || !bytes.Equal(back, data) {
			t.Errorf("Open(Seal(%x)) = %x, %v", data, back, err)
		}
	})
}
