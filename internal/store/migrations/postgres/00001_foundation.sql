-- +goose Up
CREATE TABLE entries (
	seq           BIGINT PRIMARY KEY,
	at            BIGINT  NOT NULL,
	type          TEXT    NOT NULL,
	actor         TEXT    NOT NULL,
	process_id    TEXT    NOT NULL,
	space_id      TEXT    NOT NULL,
	space_kind    TEXT    NOT NULL,
	party_id      TEXT    NOT NULL,
	group_id      TEXT    NOT NULL,
	with_mediator BOOLEAN NOT NULL,
	entry         BYTEA    NOT NULL,
	leaf_hash     BYTEA    NOT NULL,
	chain_hash    BYTEA    NOT NULL
);
CREATE INDEX entries_process ON entries (process_id, seq);

CREATE TABLE accounts (
	id            TEXT PRIMARY KEY,
	username      TEXT NOT NULL UNIQUE,
	display_name  TEXT NOT NULL,
	locale        TEXT NOT NULL,
	timezone      TEXT NOT NULL,
	password_hash TEXT NOT NULL,
	totp_secret   TEXT NOT NULL,
	totp_enabled  BOOLEAN NOT NULL,
	totp_waived   BOOLEAN NOT NULL,
	operator      BOOLEAN NOT NULL,
	failed_logins BIGINT  NOT NULL,
	locked_until  BIGINT  NOT NULL,
	created_at    BIGINT  NOT NULL
);

CREATE TABLE sessions (
	token  TEXT PRIMARY KEY,
	data   BYTEA NOT NULL,
	expiry BIGINT  NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expiry);

CREATE TABLE api_tokens (
	id         TEXT PRIMARY KEY,
	account_id TEXT NOT NULL REFERENCES accounts (id),
	process_id TEXT NOT NULL,
	name       TEXT NOT NULL,
	token_hash BYTEA NOT NULL UNIQUE,
	created_at BIGINT  NOT NULL
);

CREATE TABLE processes (
	id          TEXT PRIMARY KEY,
	title       TEXT NOT NULL,
	description TEXT NOT NULL,
	languages   TEXT NOT NULL,
	created_at  BIGINT  NOT NULL,
	version     BIGINT  NOT NULL
);

CREATE TABLE parties (
	id         TEXT PRIMARY KEY,
	process_id TEXT NOT NULL REFERENCES processes (id),
	kind       TEXT NOT NULL,
	names      TEXT NOT NULL,
	position   BIGINT  NOT NULL
);

CREATE TABLE members (
	id         TEXT PRIMARY KEY,
	process_id TEXT NOT NULL REFERENCES processes (id),
	account_id TEXT NOT NULL REFERENCES accounts (id),
	party_id   TEXT NOT NULL REFERENCES parties (id),
	role       TEXT NOT NULL,
	created_at BIGINT  NOT NULL,
	UNIQUE (process_id, account_id)
);

CREATE TABLE rounds (
	id         TEXT PRIMARY KEY,
	process_id TEXT NOT NULL REFERENCES processes (id),
	title      TEXT NOT NULL,
	location   TEXT NOT NULL,
	starts_on  TEXT NOT NULL,
	ends_on    TEXT NOT NULL
);

CREATE TABLE working_groups (
	id         TEXT PRIMARY KEY,
	process_id TEXT NOT NULL REFERENCES processes (id),
	kind       TEXT NOT NULL,
	names      TEXT NOT NULL,
	position   BIGINT  NOT NULL
);

CREATE TABLE group_members (
	group_id  TEXT NOT NULL REFERENCES working_groups (id),
	member_id TEXT NOT NULL REFERENCES members (id),
	PRIMARY KEY (group_id, member_id)
);

CREATE TABLE spaces (
	id            TEXT PRIMARY KEY,
	process_id    TEXT NOT NULL REFERENCES processes (id),
	kind          TEXT NOT NULL,
	party_id      TEXT NOT NULL,
	group_id      TEXT NOT NULL,
	with_mediator BOOLEAN NOT NULL
);
CREATE INDEX spaces_process ON spaces (process_id);

CREATE TABLE threads (
	id         TEXT PRIMARY KEY,
	space_id   TEXT NOT NULL REFERENCES spaces (id),
	process_id TEXT NOT NULL,
	title      TEXT NOT NULL,
	author_id  TEXT NOT NULL,
	created_at BIGINT  NOT NULL,
	last_at    BIGINT  NOT NULL,
	messages   BIGINT  NOT NULL,
	last_seq   BIGINT  NOT NULL
);
CREATE INDEX threads_space ON threads (space_id, last_at);

CREATE TABLE messages (
	id        TEXT PRIMARY KEY,
	thread_id TEXT NOT NULL REFERENCES threads (id),
	space_id  TEXT NOT NULL,
	author_id TEXT NOT NULL,
	body      TEXT NOT NULL,
	posted_at BIGINT  NOT NULL,
	edited_at BIGINT  NOT NULL,
	version   BIGINT  NOT NULL,
	seq       BIGINT  NOT NULL
);
CREATE INDEX messages_thread ON messages (thread_id, posted_at);

CREATE TABLE message_revisions (
	message_id TEXT NOT NULL REFERENCES messages (id),
	version    BIGINT  NOT NULL,
	body       TEXT NOT NULL,
	edited_at  BIGINT  NOT NULL,
	PRIMARY KEY (message_id, version)
);

CREATE TABLE read_markers (
	account_id TEXT NOT NULL,
	thread_id  TEXT NOT NULL,
	seq        BIGINT  NOT NULL,
	PRIMARY KEY (account_id, thread_id)
);

-- +goose Down
SELECT 'irreversible';
