package auth

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/parley-talks/parley"
)

// Passkeys carries out the WebAuthn ceremonies of one relying party: the
// server, named by its domain. User verification (a PIN or a fingerprint
// on the authenticator) is always required, so a passkey is a second
// factor in itself and signs in alone.
type Passkeys struct {
	RPID   string
	Origin string
	wa     *webauthn.WebAuthn
}

// NewPasskeys returns the ceremonies for the server at origin, e.g.
// https://parley.example.org or http://localhost:8080. WebAuthn needs a
// domain name: an origin whose host is an IP address is refused.
func NewPasskeys(origin, displayName string) (*Passkeys, error) {
	u, err := url.Parse(origin)
	if err != nil || u.Hostname() == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("auth: passkeys need the server's origin, got %q", origin)
	}
	if isIP(u.Hostname()) {
		return nil, fmt.Errorf("auth: passkeys need a domain name, not the address %s: set the server's base URL", u.Hostname())
	}
	wa, err := webauthn.New(&webauthn.Config{
		RPID:          u.Hostname(),
		RPDisplayName: displayName,
		RPOrigins:     []string{u.Scheme + "://" + u.Host},
		AuthenticatorSelection: protocol.AuthenticatorSelection{
			ResidentKey:      protocol.ResidentKeyRequirementRequired,
			UserVerification: protocol.VerificationRequired,
		},
	})
	if err != nil {
		return nil, fmt.Errorf("auth: passkeys: %w", err)
	}
	return &Passkeys{RPID: u.Hostname(), Origin: u.Scheme + "://" + u.Host, wa: wa}, nil
}

func isIP(host string) bool { return net.ParseIP(host) != nil }

// PasskeyUser is an account as WebAuthn sees it, with the credential
// records of its passkeys (JSON, as stored).
type PasskeyUser struct {
	ID          string
	Name        string
	DisplayName string
	Credentials [][]byte
}

type waUser struct {
	u     PasskeyUser
	creds []webauthn.Credential
}

func (w waUser) WebAuthnID() []byte                         { return []byte(w.u.ID) }
func (w waUser) WebAuthnName() string                       { return w.u.Name }
func (w waUser) WebAuthnDisplayName() string                { return w.u.DisplayName }
func (w waUser) WebAuthnCredentials() []webauthn.Credential { return w.creds }

func newUser(u PasskeyUser) (waUser, error) {
	w := waUser{u: u}
	for _, b := range u.Credentials {
		var c webauthn.Credential
		if err := json.Unmarshal(b, &c); err != nil {
			return w, fmt.Errorf("auth: stored passkey: %w", err)
		}
		w.creds = append(w.creds, c)
	}
	return w, nil
}

// Ceremony is what the server keeps between the two steps of a ceremony
// (in the person's session): the challenge and what it was for.
type Ceremony []byte

// BeginRegistration starts registering a new passkey for u. Options go to
// the browser's navigator.credentials.create as JSON.
func (p *Passkeys) BeginRegistration(u PasskeyUser) (options []byte, c Ceremony, err error) {
	user, err := newUser(u)
	if err != nil {
		return nil, nil, err
	}
	var exclude []protocol.CredentialDescriptor
	for _, c := range user.creds {
		exclude = append(exclude, c.Descriptor())
	}
	creation, session, err := p.wa.BeginRegistration(user, webauthn.WithExclusions(exclude))
	if err != nil {
		return nil, nil, fmt.Errorf("auth: begin registration: %w", err)
	}
	return marshalCeremony(creation, session)
}

// FinishRegistration checks the browser's response to BeginRegistration's
// options and returns the new credential's ID and its record to store.
func (p *Passkeys) FinishRegistration(u PasskeyUser, c Ceremony, response []byte) (id, record []byte, err error) {
	user, err := newUser(u)
	if err != nil {
		return nil, nil, err
	}
	session, err := unmarshalSession(c)
	if err != nil {
		return nil, nil, err
	}
	parsed, err := protocol.ParseCredentialCreationResponseBytes(response)
	if err != nil {
		return nil, nil, refused(err)
	}
	cred, err := p.wa.CreateCredential(user, session, parsed)
	if err != nil {
		return nil, nil, refused(err)
	}
	record, err = json.Marshal(cred)
	if err != nil {
		return nil, nil, fmt.Errorf("auth: passkey record: %w", err)
	}
	return cred.ID, record, nil
}

// BeginLogin starts a sign-in with any passkey of this server the
// authenticator holds (a discoverable credential): no user name is asked.
func (p *Passkeys) BeginLogin() (options []byte, c Ceremony, err error) {
	assertion, session, err := p.wa.BeginDiscoverableLogin(webauthn.WithUserVerification(protocol.VerificationRequired))
	if err != nil {
		return nil, nil, fmt.Errorf("auth: begin login: %w", err)
	}
	return marshalCeremony(assertion, session)
}

// FinishLogin checks the browser's response to BeginLogin. lookup finds
// the account whose passkey answered, by the response's user handle; the
// account and the passkey's updated record are returned.
func (p *Passkeys) FinishLogin(c Ceremony, response []byte, lookup func(userHandle []byte) (PasskeyUser, error)) (account string, credentialID, record []byte, err error) {
	session, err := unmarshalSession(c)
	if err != nil {
		return "", nil, nil, err
	}
	parsed, err := protocol.ParseCredentialRequestResponseBytes(response)
	if err != nil {
		return "", nil, nil, refused(err)
	}
	var found PasskeyUser
	_, cred, err := p.wa.ValidatePasskeyLogin(func(_, userHandle []byte) (webauthn.User, error) {
		u, err := lookup(userHandle)
		if err != nil {
			return nil, err
		}
		found = u
		return newUser(u)
	}, session, parsed)
	if err != nil {
		return "", nil, nil, refused(err)
	}
	record, err = json.Marshal(cred)
	if err != nil {
		return "", nil, nil, fmt.Errorf("auth: passkey record: %w", err)
	}
	return found.ID, cred.ID, record, nil
}

// ActOptions are the options of navigator.credentials.get for signing an
// act whose challenge is challenge, with one of u's passkeys.
func (p *Passkeys) ActOptions(u PasskeyUser, challenge []byte) ([]byte, error) {
	user, err := newUser(u)
	if err != nil {
		return nil, err
	}
	if len(user.creds) == 0 {
		return nil, parley.Errorf(parley.EINVALID, "Register a passkey on your account page first.")
	}
	assertion, _, err := p.wa.BeginLogin(user, webauthn.WithChallenge(challenge), webauthn.WithUserVerification(protocol.VerificationRequired))
	if err != nil {
		return nil, fmt.Errorf("auth: act options: %w", err)
	}
	return json.Marshal(assertion)
}

// SignAct checks an assertion made by one of u's passkeys over challenge
// (an act's ActChallenge) and returns the signature to store in the act's
// event, the passkey's credential ID and its updated record.
func (p *Passkeys) SignAct(u PasskeyUser, challenge, assertion []byte) (sig *parley.PasskeySignature, credentialID, record []byte, err error) {
	user, err := newUser(u)
	if err != nil {
		return nil, nil, nil, err
	}
	parsed, err := protocol.ParseCredentialRequestResponseBytes(assertion)
	if err != nil {
		return nil, nil, nil, refused(err)
	}
	var allowed [][]byte
	for _, c := range user.creds {
		allowed = append(allowed, c.ID)
	}
	session := webauthn.SessionData{
		Challenge:            base64.RawURLEncoding.EncodeToString(challenge),
		RelyingPartyID:       p.RPID,
		UserID:               user.WebAuthnID(),
		AllowedCredentialIDs: allowed,
		UserVerification:     protocol.VerificationRequired,
	}
	cred, err := p.wa.ValidateLogin(user, session, parsed)
	if err != nil {
		return nil, nil, nil, refused(err)
	}
	record, err = json.Marshal(cred)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("auth: passkey record: %w", err)
	}
	return &parley.PasskeySignature{CredentialID: cred.ID, PublicKey: cred.PublicKey, RPID: p.RPID, Assertion: assertion}, cred.ID, record, nil
}

// VerifyActSignature checks, offline, that sig is a valid passkey
// signature by its public key over challenge, made for its relying party
// with user verification. It needs nothing but the signature and the act.
func VerifyActSignature(sig *parley.PasskeySignature, challenge []byte) error {
	parsed, err := protocol.ParseCredentialRequestResponseBytes(sig.Assertion)
	if err != nil {
		return fmt.Errorf("the assertion does not parse: %w", err)
	}
	if !bytes.Equal(parsed.RawID, sig.CredentialID) {
		return errors.New("the assertion is by another credential")
	}
	// The origin is the one the browser wrote in the client data; it must
	// be the relying party's own host.
	origin := parsed.Response.CollectedClientData.Origin
	u, err := url.Parse(origin)
	if err != nil || u.Hostname() != sig.RPID {
		return fmt.Errorf("the assertion was made on %q, not on %s", origin, sig.RPID)
	}
	err = parsed.Verify(base64.RawURLEncoding.EncodeToString(challenge), sig.RPID, "", []string{origin}, nil, nil,
		protocol.TopOriginDefaultVerificationMode, false, true, true, sig.PublicKey, protocol.SignaturePolicy{})
	if err != nil {
		return errors.New(describe(err))
	}
	return nil
}

// refused turns a WebAuthn failure into an error a person can act on; the
// library's details go to the message's end for the logs.
func refused(err error) error {
	return parley.Errorf(parley.EINVALID, "The passkey's answer was refused: %s.", describe(err))
}

func describe(err error) string {
	var pe *protocol.Error
	if errors.As(err, &pe) {
		if pe.DevInfo != "" {
			return pe.Details + " (" + pe.DevInfo + ")"
		}
		return pe.Details
	}
	return err.Error()
}

func marshalCeremony(options any, session *webauthn.SessionData) ([]byte, Ceremony, error) {
	o, err := json.Marshal(options)
	if err != nil {
		return nil, nil, fmt.Errorf("auth: ceremony options: %w", err)
	}
	s, err := json.Marshal(session)
	if err != nil {
		return nil, nil, fmt.Errorf("auth: ceremony: %w", err)
	}
	return o, s, nil
}

func unmarshalSession(c Ceremony) (webauthn.SessionData, error) {
	var s webauthn.SessionData
	if len(c) == 0 {
		return s, parley.Errorf(parley.EINVALID, "The passkey ceremony was not started or has expired; try again.")
	}
	if err := json.Unmarshal(c, &s); err != nil {
		return s, fmt.Errorf("auth: ceremony: %w", err)
	}
	if !s.Expires.IsZero() && s.Expires.Before(time.Now()) {
		return s, parley.Errorf(parley.EINVALID, "The passkey ceremony has expired; try again.")
	}
	return s, nil
}

// CheckSignedEntry verifies the passkey signature of a recorded event of
// type typ by actor, if it is a signed formal act, and returns the signing
// key's fingerprint ("" for an event that carries no signature). It needs
// only the event: the public key is in the signature.
func CheckSignedEntry(typ, actor string, data []byte) (fingerprint string, err error) {
	if !bytes.Contains(data, []byte(`"signature":{`)) {
		return "", nil
	}
	d, err := parley.UnmarshalEventData(typ, data)
	if err != nil {
		return "", err
	}
	s, ok := d.(parley.Signable)
	if !ok || s.Signing().Signature == nil {
		return "", nil
	}
	sig := s.Signing().Signature
	challenge, err := parley.ActChallenge(actor, s)
	if err != nil {
		return "", err
	}
	if err := VerifyActSignature(sig, challenge); err != nil {
		return "", fmt.Errorf("the passkey signature of this %s by %s does not verify: %w", typ, actor, err)
	}
	return parley.KeyFingerprint(sig.PublicKey), nil
}

// PublicKeyOf returns the COSE public key of a stored passkey record.
func PublicKeyOf(record []byte) ([]byte, error) {
	var c webauthn.Credential
	if err := json.Unmarshal(record, &c); err != nil {
		return nil, fmt.Errorf("auth: stored passkey: %w", err)
	}
	return c.PublicKey, nil
}
