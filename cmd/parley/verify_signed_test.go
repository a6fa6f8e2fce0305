package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/auth"
	"github.com/parley-talks/parley/internal/auth/passkeytest"
	"github.com/parley-talks/parley/internal/storetest"
)

// TestVerifySignedActs: `parley verify` checks each signed formal act's
// passkey signature from the record alone, from the database and over
// HTTP; a host that records an act with a signature its author did not
// make — here one made over another act — is caught, with the entry named.
func TestVerifySignedActs(t *testing.T) {
	ctx := context.Background()
	l := newRecLog(t, recKey(t))
	p, err := auth.NewPasskeys("https://parley.example.org", "Parley")
	if err != nil {
		t.Fatal(err)
	}
	a := passkeytest.New("https://parley.example.org")
	u := auth.PasskeyUser{ID: l.w.HeadB.AccountID, Name: "headB", DisplayName: "Head B"}
	opts, c, _ := p.BeginRegistration(u)
	resp, _ := a.Create(opts)
	_, record, err := p.FinishRegistration(u, c, resp)
	if err != nil {
		t.Fatal(err)
	}
	u.Credentials = [][]byte{record}
	signOver := func(challenge []byte) *parley.PasskeySignature {
		o, _ := p.ActOptions(u, challenge)
		as, _ := a.Get(o)
		sig, _, _, err := p.SignAct(u, challenge, as)
		if err != nil {
			t.Fatal(err)
		}
		return sig
	}

	// An honest signed acceptance.
	id := l.w.Submitted(t, storetest.Truce("Pause for the wounded"))
	accept := parley.AcceptProposal{ProposalID: id, Reason: "agreed"}
	_, challenge, err := l.w.Service.Prepare(ctx, l.w.HeadB, accept)
	if err != nil {
		t.Fatal(err)
	}
	sig := signOver(challenge)
	if _, err := l.w.Service.DoSigned(ctx, l.w.HeadB, accept, func([]byte) (*parley.PasskeySignature, error) { return sig, nil }); err != nil {
		t.Fatal(err)
	}
	l.sign(t)
	state := filepath.Join(t.TempDir(), "state.json")
	out, _, err := runCmd(t, "--db", "sqlite:"+l.path, "verify", "--key", l.key.Verifier, "--state", state)
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, "output", out, "signed acts: 1, each passkey signature verified",
		"keys of account "+l.w.HeadB.AccountID+": "+parley.KeyFingerprint(sig.PublicKey))

	// Over HTTP, head A reads the acceptance (the group's space) and checks
	// it too.
	url := l.serve(t)
	out, _, err = runCmd(t, "verify", url, "--key", l.key.Verifier, "--state", filepath.Join(t.TempDir(), "s.json"), "--token", l.token)
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, "output over HTTP", out, "signed acts: 1, each passkey signature verified")

	// A dishonest host records a rejection of another proposal carrying
	// the signature head B made for the acceptance: hashes and checkpoint
	// are all in order, only the signature gives it away.
	id2 := l.w.Submitted(t, storetest.Truce("Pause for the dead"))
	evs, err := l.w.Service.DoSigned(ctx, l.w.HeadB, parley.RejectProposal{ProposalID: id2, Reason: "no"},
		func([]byte) (*parley.PasskeySignature, error) { return sig, nil })
	if err != nil {
		t.Fatal(err)
	}
	forged, _ := parley.FirstSignable(evs)
	var seq int64
	for _, e := range evs {
		if e.Data == forged {
			seq = e.Seq
		}
	}
	l.sign(t)
	_, _, err = runCmd(t, "--db", "sqlite:"+l.path, "verify", "--key", l.key.Verifier, "--state", filepath.Join(t.TempDir(), "s2.json"))
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("entry %d: the passkey signature of this proposal.rejected", seq)) {
		t.Fatalf("a forged signature: %v", err)
	}
}
