package parley

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
)

// A formal act — submitting (a counter-proposal too), accepting or rejecting a
// proposal, initialling a clause or a memorandum, approving minutes or a
// statement — can be signed by its author with a passkey. The passkey signs
// the act's canonical bytes (ActBytes): the event the act is recorded as,
// byte for byte, so a signature binds exactly what the record says was
// done, by whom. The assertion and the credential's public key are stored in
// that event, and anyone who can read the event can check the signature
// offline (parley verify), without trusting the server that holds it.

// ActSignature is the part of a formal act's event that holds its author's
// passkey signature, if the act was signed. It is embedded in the events of
// every formal act, so their JSON has a "signature" member only when signed.
type ActSignature struct {
	Signature *PasskeySignature `json:"signature,omitempty"`
}

// Signing returns the signature slot of the event; it is what makes an
// event type Signable.
func (a *ActSignature) Signing() *ActSignature { return a }

// PasskeySignature is a WebAuthn assertion over an act's canonical bytes.
type PasskeySignature struct {
	// CredentialID identifies the passkey; PublicKey is its COSE public
	// key, as the authenticator gave it when the passkey was registered.
	CredentialID []byte `json:"credential_id"`
	PublicKey    []byte `json:"public_key"`
	// RPID is the server's relying-party identifier (its domain name) the
	// assertion was made for.
	RPID string `json:"rp_id"`
	// Assertion is the browser's PublicKeyCredential response as JSON:
	// authenticator data, client data (whose challenge is ActChallenge)
	// and the signature over both.
	Assertion []byte `json:"assertion"`
}

// KeyFingerprint is a short, stable name of the passkey's public key: the
// first 8 bytes of its SHA-256 in hexadecimal, in groups of four, which a
// person can compare with the fingerprint their account page shows.
func KeyFingerprint(publicKey []byte) string {
	h := sha256.Sum256(publicKey)
	s := hex.EncodeToString(h[:8])
	return s[0:4] + " " + s[4:8] + " " + s[8:12] + " " + s[12:16]
}

// Signable is the payload of a formal act that may be signed.
type Signable interface {
	EventData
	Signing() *ActSignature
	// SignedObject is the identifier of what the act is about: the
	// proposal, clause, memorandum, meeting or statement.
	SignedObject() string
}

// ActBytes returns the canonical bytes a passkey signs for an act: a
// versioned header, the event type, the author's account, and the event's
// canonical JSON without its signature. The same event always gives the
// same bytes, so a verifier recomputes them from the record.
func ActBytes(actor string, d Signable) ([]byte, error) {
	sig := d.Signing()
	saved := sig.Signature
	sig.Signature = nil
	b, err := MarshalEventData(d)
	sig.Signature = saved
	if err != nil {
		return nil, fmt.Errorf("parley: act bytes: %w", err)
	}
	out := fmt.Appendf(nil, "parley-act/1\n%s\n%s\n", d.EventType(), actor)
	return append(out, b...), nil
}

// ActChallenge is the WebAuthn challenge for an act: the SHA-256 of its
// canonical bytes.
func ActChallenge(actor string, d Signable) ([]byte, error) {
	b, err := ActBytes(actor, d)
	if err != nil {
		return nil, err
	}
	h := sha256.Sum256(b)
	return h[:], nil
}

// FirstSignable returns the first event of evs that is a signable act, the
// one a signature given with the command applies to.
func FirstSignable(evs []Event) (Signable, bool) {
	for _, e := range evs {
		if s, ok := e.Data.(Signable); ok {
			return s, true
		}
	}
	return nil, false
}

func (d *ProposalSubmitted) SignedObject() string { return d.ProposalID }
func (d *ProposalAccepted) SignedObject() string  { return d.ProposalID }
func (d *ProposalRejected) SignedObject() string  { return d.ProposalID }
func (d *ClauseInitialled) SignedObject() string  { return d.ClauseID }
func (d *MemoInitialled) SignedObject() string    { return d.MemoID }
func (d *MinutesApproved) SignedObject() string   { return d.MeetingID }
func (d *StatementApproved) SignedObject() string { return d.StatementID }
