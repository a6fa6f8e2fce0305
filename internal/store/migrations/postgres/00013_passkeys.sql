-- +goose Up
-- Passkeys (WebAuthn credentials) are operational state, like passwords:
-- written directly, not through the record. The record holds a passkey's
-- public key inside every act it signs.
CREATE TABLE passkeys (
	id            TEXT PRIMARY KEY,
	account_id    TEXT NOT NULL REFERENCES accounts (id),
	credential_id BYTEA NOT NULL UNIQUE,
	name          TEXT NOT NULL,
	credential    TEXT NOT NULL,
	created_at    BIGINT NOT NULL,
	used_at       BIGINT NOT NULL
);
CREATE INDEX passkeys_account ON passkeys (account_id);

-- Server settings an operator changes on the operator's page.
CREATE TABLE settings (
	name  TEXT PRIMARY KEY,
	value TEXT NOT NULL
);

-- The formal acts signed with a passkey, a projection of the signatures
-- in the record.
CREATE TABLE signed_acts (
	seq           BIGINT PRIMARY KEY,
	object_id     TEXT NOT NULL,
	type          TEXT NOT NULL,
	account_id    TEXT NOT NULL,
	credential_id BYTEA NOT NULL,
	fingerprint   TEXT NOT NULL
);
CREATE INDEX signed_acts_object ON signed_acts (object_id);

-- +goose Down
SELECT 'irreversible';
