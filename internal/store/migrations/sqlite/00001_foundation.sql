-- +goose Up
CREATE TABLE entries (
	seq           INTEGER PRIMARY KEY,
	at            INTEGER NOT NULL,
	type          TEXT    NOT NULL,
	actor         TEXT    NOT NULL,
	process_id    TEXT    NOT NULL,
	space_id      TEXT    NOT NULL,
	space_kind    TEXT    NOT NULL,
	party_id      TEXT    NOT NULL,
	group_id      TEXT    NOT NULL,
	with_mediator INTEGER NOT NULL,
	entry         BLOB    NOT NULL,
	leaf_hash     BLOB    NOT NULL,
	chain_hash    BLOB    NOT NULL
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
	totp_enabled  INTEGER NOT NULL,
	totp_waived   INTEGER NOT NULL,
	operator      INTEGER NOT NULL,
	failed_logins INTEGER NOT NULL,
	locked_until  INTEGER NOT NULL,
	created_at    INTEGER NOT NULL
);

CREATE TABLE sessions (
	token  TEXT PRIMARY KEY,
	data   BLOB NOT NULL,
	expiry INTEGER NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expiry);

CREATE TABLE api_tokens (
	id         TEXT PRIMARY KEY,
	account_id TEXT NOT NULL REFERENCES accounts (id),
	process_id TEXT NOT NULL,
	name       TEXT NOT NULL,
	token_hash BLOB NOT NULL UNIQUE,
	created_at INTEGER NOT NULL
);

CREATE TABLE processes (
	id          TEXT PRIMARY KEY,
	title       TEXT NOT NULL,
	description TEXT NOT NULL,
	languages   TEXT NOT NULL,
	created_at  INTEGER NOT NULL,
	version     INTEGER NOT NULL
);

CREATE TABLE parties (
	id         TEXT PRIMARY KEY,
	process_id TEXT NOT NULL REFERENCES processes (id),
	kind       TEXT NOT NULL,
	names      TEXT NOT NULL,
	position   INTEGER NOT NULL
);

CREATE TABLE members (
	id         TEXT PRIMARY KEY,
	process_id TEXT NOT NULL REFERENCES processes (id),
	account_id TEXT NOT NULL REFERENCES accounts (id),
	party_id   TEXT NOT NULL REFERENCES parties (id),
	role       TEXT NOT NULL,
	created_at INTEGER NOT NULL,
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
	position   INTEGER NOT NULL
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
	with_mediator INTEGER NOT NULL
);
CREATE INDEX spaces_process ON spaces (process_id);

CREATE TABLE threads (
	id         TEXT PRIMARY KEY,
	space_id   TEXT NOT NULL REFERENCES spaces (id),
	process_id TEXT NOT NULL,
	title      TEXT NOT NULL,
	author_id  TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	last_at    INTEGER NOT NULL,
	messages   INTEGER NOT NULL,
	last_seq   INTEGER NOT NULL
);
CREATE INDEX threads_space ON threads (space_id, last_at);

CREATE TABLE messages (
	id        TEXT PRIMARY KEY,
	thread_id TEXT NOT NULL REFERENCES threads (id),
	space_id  TEXT NOT NULL,
	author_id TEXT NOT NULL,
	body      TEXT NOT NULL,
	posted_at INTEGER NOT NULL,
	edited_at INTEGER NOT NULL,
	version   INTEGER NOT NULL,
	seq       INTEGER NOT NULL
);
CREATE INDEX messages_thread ON messages (thread_id, posted_at);

CREATE TABLE message_revisions (
	message_id TEXT NOT NULL REFERENCES messages (id),
	version    INTEGER NOT NULL,
	body       TEXT NOT NULL,
	edited_at  INTEGER NOT NULL,
	PRIMARY KEY (message_id, version)
);

CREATE TABLE read_markers (
	account_id TEXT NOT NULL,
	thread_id  TEXT NOT NULL,
	seq        INTEGER NOT NULL,
	PRIMARY KEY (account_id, thread_id)
);

-- +goose Down
SELECT 'irreversible';
