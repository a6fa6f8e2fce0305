package auth_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/auth"
	"github.com/parley-talks/parley/internal/auth/passkeytest"
)

func register(t *testing.T, p *auth.Passkeys, a *passkeytest.Authenticator, u *auth.PasskeyUser) []byte {
	t.Helper()
	opts, c, err := p.BeginRegistration(*u)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := a.Create(opts)
	if err != nil {
		t.Fatal(err)
	}
	id, record, err := p.FinishRegistration(*u, c, resp)
	if err != nil {
		t.Fatal(err)
	}
	u.Credentials = append(u.Credentials, record)
	return id
}

func TestPasskeyRegistrationAndLogin(t *testing.T) {
	p, err := auth.NewPasskeys("https://parley.example.org", "Parley")
	if err != nil {
		t.Fatal(err)
	}
	a := passkeytest.New("https://parley.example.org")
	u := auth.PasskeyUser{ID: "acc1", Name: "olena", DisplayName: "Olena"}
	id := register(t, p, a, &u)

	opts, c, err := p.BeginLogin()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := a.Get(opts)
	if err != nil {
		t.Fatal(err)
	}
	lookup := func(handle []byte) (auth.PasskeyUser, error) {
		if string(handle) != u.ID {
			t.Fatalf("user handle %q", handle)
		}
		return u, nil
	}
	account, cred, _, err := p.FinishLogin(c, resp, lookup)
	if err != nil {
		t.Fatal(err)
	}
	if account != "acc1" || !bytes.Equal(cred, id) {
		t.Fatalf("signed in %q with %x, want acc1 with %x", account, cred, id)
	}

	// The same answer is not accepted for another ceremony: its challenge
	// is the old one.
	_, c2, err := p.BeginLogin()
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := p.FinishLogin(c2, resp, lookup); parley.ErrorCode(err) != parley.EINVALID {
		t.Fatalf("replayed login: %v, want EINVALID", err)
	}
	// An answer given on another site (a phishing page relaying the
	// ceremony) is refused: the browser writes that site's origin.
	opts3, c3, err := p.BeginLogin()
	if err != nil {
		t.Fatal(err)
	}
	a.Origin = "https://parley-example.org.evil.test"
	phished, err := a.Get(opts3)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := p.FinishLogin(c3, phished, lookup); parley.ErrorCode(err) != parley.EINVALID {
		t.Fatalf("answer from another origin: %v, want EINVALID", err)
	}
}

func TestPasskeyRefusesIPAddress(t *testing.T) {
	if _, err := auth.NewPasskeys("http://127.0.0.1:8080", "Parley"); err == nil || !strings.Contains(err.Error(), "domain name") {
		t.Fatalf("got %v, want a refusal naming the domain name", err)
	}
	if _, err := auth.NewPasskeys("http://localhost:8080", "Parley"); err != nil {
		t.Fatal(err)
	}
}

func TestActSignature(t *testing.T) {
	p, err := auth.NewPasskeys("https://parley.example.org", "Parley")
	if err != nil {
		t.Fatal(err)
	}
	a := passkeytest.New("https://parley.example.org")
	u := auth.PasskeyUser{ID: "head", Name: "head", DisplayName: "Head"}
	register(t, p, a, &u)

	act := &parley.ProposalAccepted{ProposalID: "p1", Reason: "as agreed in the group"}
	challenge, err := parley.ActChallenge(u.ID, act)
	if err != nil {
		t.Fatal(err)
	}
	opts, err := p.ActOptions(u, challenge)
	if err != nil {
		t.Fatal(err)
	}
	assertion, err := a.Get(opts)
	if err != nil {
		t.Fatal(err)
	}
	sig, _, _, err := p.SignAct(u, challenge, assertion)
	if err != nil {
		t.Fatal(err)
	}
	act.Signature = sig

	// Offline, from the act alone.
	again, err := parley.ActChallenge(u.ID, act)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, challenge) {
		t.Fatal("the challenge changed once the signature was stored in the act")
	}
	if err := auth.VerifyActSignature(sig, again); err != nil {
		t.Fatalf("verify: %v", err)
	}

	// Another act, another author, or another key: each fails.
	other := &parley.ProposalAccepted{ProposalID: "p1", Reason: "as agreed in the group."}
	oc, _ := parley.ActChallenge(u.ID, other)
	if err := auth.VerifyActSignature(sig, oc); err == nil {
		t.Error("a signature over one reason verified for another")
	}
	byOther, _ := parley.ActChallenge("someone-else", act)
	if err := auth.VerifyActSignature(sig, byOther); err == nil {
		t.Error("a signature verified for another author")
	}
	forged := *sig
	b := passkeytest.New("https://parley.example.org")
	v := auth.PasskeyUser{ID: "mallory", Name: "m", DisplayName: "M"}
	register(t, p, b, &v)
	mopts, _ := p.ActOptions(v, challenge)
	massert, _ := b.Get(mopts)
	forged.Assertion = massert
	if err := auth.VerifyActSignature(&forged, challenge); err == nil {
		t.Error("another passkey's assertion verified under this passkey's public key")
	}
	// The server refuses an assertion by a passkey that is not the author's.
	if _, _, _, err := p.SignAct(u, challenge, massert); parley.ErrorCode(err) != parley.EINVALID {
		t.Errorf("SignAct with another person's passkey: %v, want EINVALID", err)
	}
	// A stale assertion (made for other bytes) is refused.
	if _, _, _, err := p.SignAct(u, oc, assertion); parley.ErrorCode(err) != parley.EINVALID {
		t.Errorf("SignAct over other bytes: %v, want EINVALID", err)
	}
}
