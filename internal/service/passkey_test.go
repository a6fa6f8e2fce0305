package service_test

import (
	"context"
	"errors"
	"testing"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/auth"
	"github.com/parley-talks/parley/internal/auth/passkeytest"
	"github.com/parley-talks/parley/internal/store"
	"github.com/parley-talks/parley/internal/storetest"
)

// TestSignedAct signs an acceptance with the head's passkey: the
// signature is in the recorded event, verifies offline, and shows in the
// signed_acts projection; a signature over anything else refuses the
// command and writes nothing.
func TestSignedAct(t *testing.T) {
	ctx := context.Background()
	w := storetest.NewWorld(t, storetest.OpenSQLite(t), nil)
	p, err := auth.NewPasskeys("https://parley.example.org", "Parley")
	if err != nil {
		t.Fatal(err)
	}
	a := passkeytest.New("https://parley.example.org")
	u := auth.PasskeyUser{ID: w.HeadB.AccountID, Name: "headB", DisplayName: "Head B"}
	opts, c, err := p.BeginRegistration(u)
	if err != nil {
		t.Fatal(err)
	}
	resp, _ := a.Create(opts)
	_, record, err := p.FinishRegistration(u, c, resp)
	if err != nil {
		t.Fatal(err)
	}
	u.Credentials = [][]byte{record}
	// sign answers the act's options in the "browser" and checks the
	// assertion as the web server does.
	sign := func(assertion *[]byte) func([]byte) (*parley.PasskeySignature, error) {
		return func(challenge []byte) (*parley.PasskeySignature, error) {
			sig, _, _, err := p.SignAct(u, challenge, *assertion)
			return sig, err
		}
	}
	assert := func(challenge []byte) []byte {
		o, err := p.ActOptions(u, challenge)
		if err != nil {
			t.Fatal(err)
		}
		b, err := a.Get(o)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}

	id := w.Submitted(t, storetest.Truce("Pause for the wounded"))
	accept := parley.AcceptProposal{ProposalID: id, Reason: "agreed"}
	act, challenge, err := w.Service.Prepare(ctx, w.HeadB, accept)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := act.(*parley.ProposalAccepted); !ok {
		t.Fatalf("prepared %T, want the acceptance", act)
	}
	if p := proposalStatus(t, w, id); p != parley.StatusSubmitted {
		t.Fatalf("preparing changed the proposal to %s", p)
	}

	// A signature over another act (another reason) is refused, and
	// nothing is written.
	before := recordLen(t, w)
	other, _, err := w.Service.Prepare(ctx, w.HeadB, parley.AcceptProposal{ProposalID: id, Reason: "agreed!"})
	if err != nil {
		t.Fatal(err)
	}
	oc, _ := parley.ActChallenge(w.HeadB.AccountID, other)
	wrong := assert(oc)
	if _, err := w.Service.DoSigned(ctx, w.HeadB, accept, sign(&wrong)); parley.ErrorCode(err) != parley.EINVALID {
		t.Fatalf("accept signed over another reason: %v, want EINVALID", err)
	}
	if n := recordLen(t, w); n != before {
		t.Fatalf("a refused signed act wrote %d entries", n-before)
	}
	// A head who signs nothing is refused too.
	if _, err := w.Service.DoSigned(ctx, w.HeadB, accept, func([]byte) (*parley.PasskeySignature, error) {
		return nil, errors.New("the person cancelled")
	}); err == nil {
		t.Fatal("a cancelled signature was accepted")
	}

	good := assert(challenge)
	evs, err := w.Service.DoSigned(ctx, w.HeadB, accept, sign(&good))
	if err != nil {
		t.Fatal(err)
	}
	signed, ok := parley.FirstSignable(evs)
	if !ok || signed.Signing().Signature == nil {
		t.Fatal("the recorded acceptance carries no signature")
	}

	// Read back from the record as the other party: the event decodes with
	// its signature, and it verifies from the event alone.
	recorded, err := w.DB.Events(ctx, w.HeadA, evs[0].Seq-1, 10)
	if err != nil {
		t.Fatal(err)
	}
	var got parley.Signable
	for _, e := range recorded {
		if s, ok := e.Data.(*parley.ProposalAccepted); ok {
			got = s
		}
	}
	if got == nil || got.Signing().Signature == nil {
		t.Fatalf("the record read back has no signed acceptance: %+v", recorded)
	}
	ch, _ := parley.ActChallenge(w.HeadB.AccountID, got)
	if err := auth.VerifyActSignature(got.Signing().Signature, ch); err != nil {
		t.Fatalf("the recorded signature does not verify: %v", err)
	}
	acts, err := w.DB.SignedActs(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(acts) != 1 {
		t.Fatalf("signed acts on the proposal: %+v", acts)
	}
	for _, sa := range acts {
		if sa.AccountID != w.HeadB.AccountID || sa.Type != "proposal.accepted" || sa.Fingerprint != parley.KeyFingerprint(got.Signing().Signature.PublicKey) {
			t.Fatalf("signed act %+v", sa)
		}
	}

	// Only formal acts are signed.
	if _, _, err := w.Service.Prepare(ctx, w.HeadA, parley.CommentProposal{ProposalID: id, Text: "noted"}); parley.ErrorCode(err) != parley.EINVALID {
		t.Fatalf("preparing a comment: %v, want EINVALID", err)
	}
	// The replayed projections equal the live ones, signed_acts included.
	dst := storetest.OpenSQLite(t)
	if _, err := store.Replay(ctx, w.DB, dst); err != nil {
		t.Fatal(err)
	}
	diffs, err := store.CompareProjections(ctx, w.DB, dst)
	if err != nil {
		t.Fatal(err)
	}
	if len(diffs) > 0 {
		t.Fatalf("replay differs: %+v", diffs)
	}
}

func proposalStatus(t *testing.T, w *storetest.World, id string) parley.ProposalStatus {
	t.Helper()
	p, err := w.DB.Proposal(context.Background(), w.HeadA, id)
	if err != nil {
		t.Fatal(err)
	}
	return p.Status
}

func recordLen(t *testing.T, w *storetest.World) int64 {
	t.Helper()
	var n int64
	if err := w.DB.SQL().QueryRow(`SELECT COUNT(*) FROM entries`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
