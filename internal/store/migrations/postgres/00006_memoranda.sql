-- +goose Up
CREATE TABLE memos (
	id         TEXT PRIMARY KEY,
	process_id TEXT NOT NULL REFERENCES processes (id),
	space_id   TEXT NOT NULL REFERENCES spaces (id),
	title      TEXT NOT NULL,
	mode       TEXT NOT NULL,
	languages  TEXT NOT NULL,
	prevailing TEXT NOT NULL,
	draft      BIGINT  NOT NULL,
	version    BIGINT  NOT NULL,
	created_at BIGINT  NOT NULL,
	seq        BIGINT  NOT NULL
);
CREATE INDEX memos_space ON memos (space_id);

CREATE TABLE memo_initials (
	memo_id  TEXT NOT NULL REFERENCES memos (id),
	party_id TEXT NOT NULL,
	seq      BIGINT  NOT NULL,
	PRIMARY KEY (memo_id, party_id)
);

CREATE TABLE clauses (
	id        TEXT PRIMARY KEY,
	memo_id   TEXT NOT NULL REFERENCES memos (id),
	parent_id TEXT NOT NULL,
	kind      TEXT NOT NULL,
	position  BIGINT  NOT NULL,
	status    TEXT NOT NULL,
	version   BIGINT  NOT NULL,
	seq       BIGINT  NOT NULL
);
CREATE INDEX clauses_memo ON clauses (memo_id);

CREATE TABLE clause_texts (
	clause_id TEXT NOT NULL REFERENCES clauses (id),
	lang      TEXT NOT NULL,
	text      TEXT NOT NULL,
	stale     BOOLEAN  NOT NULL,
	PRIMARY KEY (clause_id, lang)
);

CREATE TABLE clause_signoffs (
	clause_id TEXT NOT NULL REFERENCES clauses (id),
	lang      TEXT NOT NULL,
	party_id  TEXT NOT NULL,
	PRIMARY KEY (clause_id, lang, party_id)
);

CREATE TABLE clause_agreements (
	clause_id TEXT NOT NULL REFERENCES clauses (id),
	party_id  TEXT NOT NULL,
	PRIMARY KEY (clause_id, party_id)
);

CREATE TABLE clause_initials (
	clause_id TEXT NOT NULL REFERENCES clauses (id),
	party_id  TEXT NOT NULL,
	PRIMARY KEY (clause_id, party_id)
);

CREATE TABLE alternatives (
	id        TEXT PRIMARY KEY,
	clause_id TEXT NOT NULL REFERENCES clauses (id),
	tabled_by TEXT NOT NULL,
	kind      TEXT NOT NULL,
	texts     TEXT NOT NULL,
	seq       BIGINT  NOT NULL
);
CREATE INDEX alternatives_clause ON alternatives (clause_id);

CREATE TABLE stances (
	alternative_id TEXT NOT NULL REFERENCES alternatives (id),
	party_id       TEXT NOT NULL,
	stance         TEXT NOT NULL,
	PRIMARY KEY (alternative_id, party_id)
);

-- +goose Down
SELECT 'irreversible';
