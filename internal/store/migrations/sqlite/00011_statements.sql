-- +goose Up
-- Statements: joint communiqués and parties' own statements, their
-- approvals, and when each was published.
CREATE TABLE statements (
	id             TEXT PRIMARY KEY,
	process_id     TEXT NOT NULL REFERENCES processes (id),
	space_id       TEXT NOT NULL REFERENCES spaces (id),
	kind           TEXT NOT NULL,
	party_id       TEXT NOT NULL,
	title          TEXT NOT NULL,
	texts          TEXT NOT NULL,
	figures        TEXT NOT NULL,
	embargo        INTEGER NOT NULL,
	needs_mediator INTEGER NOT NULL,
	version        INTEGER NOT NULL,
	hash           TEXT NOT NULL,
	status         TEXT NOT NULL,
	published_at   INTEGER NOT NULL,
	published_seq  INTEGER NOT NULL,
	created_at     INTEGER NOT NULL,
	seq            INTEGER NOT NULL
);
CREATE INDEX statements_process ON statements (process_id, status, published_seq);

CREATE TABLE statement_approvals (
	statement_id TEXT NOT NULL REFERENCES statements (id),
	party_id     TEXT NOT NULL,
	hash         TEXT NOT NULL,
	actor        TEXT NOT NULL,
	at           INTEGER NOT NULL,
	seq          INTEGER NOT NULL,
	PRIMARY KEY (statement_id, party_id)
);

-- +goose Down
SELECT 'irreversible';
