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
	embargo        BIGINT  NOT NULL,
	needs_mediator BOOLEAN NOT NULL,
	version        BIGINT  NOT NULL,
	hash           TEXT NOT NULL,
	status         TEXT NOT NULL,
	published_at   BIGINT  NOT NULL,
	published_seq  BIGINT  NOT NULL,
	created_at     BIGINT  NOT NULL,
	seq            BIGINT  NOT NULL
);
CREATE INDEX statements_process ON statements (process_id, status, published_seq);

CREATE TABLE statement_approvals (
	statement_id TEXT NOT NULL REFERENCES statements (id),
	party_id     TEXT NOT NULL,
	hash         TEXT NOT NULL,
	actor        TEXT NOT NULL,
	at           BIGINT  NOT NULL,
	seq          BIGINT  NOT NULL,
	PRIMARY KEY (statement_id, party_id)
);

-- +goose Down
SELECT 'irreversible';
