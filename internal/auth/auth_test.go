package auth

import (
	"strings"
	"testing"
	"time"
)

var fast = Params{Memory: 1024, Time: 1, Threads: 1}

func TestPassword(t *testing.T) {
	h, err := HashPassword("correct horse", fast)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := CheckPassword(h, "correct horse"); !ok || err != nil {
		t.Errorf("right password: %v %v", ok, err)
	}
	if ok, _ := CheckPassword(h, "correct horsE"); ok {
		t.Error("wrong password accepted")
	}
	h2, _ := HashPassword("correct horse", fast)
	if h == h2 {
		t.Error("two hashes of one password are equal: no salt")
	}
}

func TestCheckPasswordCapsParameters(t *testing.T) {
	h, _ := HashPassword("pw", fast)
	tests := []struct{ name, hash string }{
		{"memory over the cap", strings.Replace(h, "m=1024", "m=4194304", 1)},
		{"time over the cap", strings.Replace(h, "t=1", "t=1000", 1)},
		{"zero threads", strings.Replace(h, "p=1", "p=0", 1)},
		{"not argon2id", strings.Replace(h, "argon2id", "argon2i", 1)},
		{"garbage", "$argon2id$v=19$m=1024"},
		{"empty", ""},
	}
	for _, tt := range tests {
		if ok, err := CheckPassword(tt.hash, "pw"); ok || err != ErrBadHash {
			t.Errorf("%s: %v %v, want ErrBadHash", tt.name, ok, err)
		}
	}
}

func TestTOTP(t *testing.T) {
	secret, url, qr, err := NewTOTP("Parley", "olena")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(url, "otpauth://totp/") || !strings.HasPrefix(qr, "data:image/png;base64,") {
		t.Errorf("url %q qr %.30q", url, qr)
	}
	now := time.Date(2025, 7, 23, 9, 0, 0, 0, time.UTC)
	code, _ := TOTPCode(secret, now)
	if !CheckTOTP(secret, code, now.Add(20*time.Second)) {
		t.Error("current code refused")
	}
	if CheckTOTP(secret, code, now.Add(5*time.Minute)) {
		t.Error("old code accepted")
	}
	if CheckTOTP(secret, "000000x", now) {
		t.Error("garbage accepted")
	}
}

func TestToken(t *testing.T) {
	s, h, err := NewToken()
	if err != nil {
		t.Fatal(err)
	}
	if string(TokenHash(s)) != string(h) || strings.Contains(string(h), s) {
		t.Error("token hash does not match its secret")
	}
}

func TestLimiter(t *testing.T) {
	l := NewLimiter(3, time.Minute)
	now := time.Now()
	for i := 0; i < 3; i++ {
		if !l.Allow("ip", now) {
			t.Fatalf("attempt %d refused", i+1)
		}
	}
	if l.Allow("ip", now) {
		t.Error("4th attempt allowed")
	}
	if !l.Allow("other", now) {
		t.Error("another key limited")
	}
	if !l.Allow("ip", now.Add(time.Minute)) {
		t.Error("attempt after the window refused")
	}
}
