package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/auth"
	"github.com/parley-talks/parley/internal/auth/passkeytest"
	"github.com/parley-talks/parley/internal/service"
	"github.com/parley-talks/parley/internal/store"
)

// demoOrigin is where the demo's software security key believes it is:
// passkeys need a domain name, and the demo is opened on localhost.
const demoOrigin = "http://localhost"

// signer is the demo's stand-in for a head's security key: a software
// authenticator whose passkey is registered on the head's account like a
// real one, and which signs the acts the story marks as signed. Its private
// key lives only while the demo is installed, so once the story is written
// the passkey is removed from the account (done): nobody could use it, and
// a demo visitor signed in as that head is not offered a key they do not
// hold. The signatures it made stay in the record with their public key,
// and parley verify checks them like any other.
type signer struct {
	pk    *auth.Passkeys
	authn *passkeytest.Authenticator
	users map[string]auth.PasskeyUser // by account
	keys  map[string]string           // passkey ID by account
}

func newSigner() (*signer, error) {
	pk, err := auth.NewPasskeys(demoOrigin, "Parley")
	if err != nil {
		return nil, err
	}
	return &signer{pk: pk, authn: passkeytest.New(demoOrigin), users: map[string]auth.PasskeyUser{}, keys: map[string]string{}}, nil
}

// user registers a passkey for acc the first time it signs.
func (g *signer) user(ctx context.Context, db *store.DB, acc parley.Account) (auth.PasskeyUser, error) {
	if u, ok := g.users[acc.ID]; ok {
		return u, nil
	}
	u := auth.PasskeyUser{ID: acc.ID, Name: acc.Username, DisplayName: acc.DisplayName}
	opts, c, err := g.pk.BeginRegistration(u)
	if err != nil {
		return u, err
	}
	resp, err := g.authn.Create(opts)
	if err != nil {
		return u, err
	}
	id, record, err := g.pk.FinishRegistration(u, c, resp)
	if err != nil {
		return u, err
	}
	key := service.NewID()
	if err := db.AddPasskey(ctx, store.Passkey{ID: key, AccountID: acc.ID, CredentialID: id,
		Name: "Demo security key (software)", Credential: record, CreatedAt: time.Now()}); err != nil {
		return u, err
	}
	g.keys[acc.ID] = key
	u.Credentials = [][]byte{record}
	g.users[acc.ID] = u
	return u, nil
}

// do runs cmd as a, signed with a's demo passkey, as the browser would:
// the act is prepared, the key signs its challenge, and the signed command
// is given.
func (g *signer) do(ctx context.Context, db *store.DB, svc *service.Service, a parley.Actor, cmd parley.Command) ([]parley.Event, error) {
	acc, err := db.Account(ctx, a.AccountID)
	if err != nil {
		return nil, err
	}
	u, err := g.user(ctx, db, acc)
	if err != nil {
		return nil, fmt.Errorf("demo: passkey of %s: %w", acc.Username, err)
	}
	_, challenge, err := svc.Prepare(ctx, a, cmd)
	if err != nil {
		return nil, err
	}
	opts, err := g.pk.ActOptions(u, challenge)
	if err != nil {
		return nil, err
	}
	assertion, err := g.authn.Get(opts)
	if err != nil {
		return nil, err
	}
	return svc.DoSigned(ctx, a, cmd, func(challenge []byte) (*parley.PasskeySignature, error) {
		sig, _, _, err := g.pk.SignAct(u, challenge, assertion)
		return sig, err
	})
}

// done removes the demo's passkeys from the accounts: their private keys
// are gone with the signer.
func (g *signer) done(ctx context.Context, db *store.DB) error {
	for acc, key := range g.keys {
		if err := db.RemovePasskey(ctx, acc, key); err != nil {
			return err
		}
	}
	return nil
}
