-- +goose Up
CREATE TABLE proposals (
	id             TEXT PRIMARY KEY,
	process_id     TEXT NOT NULL REFERENCES processes (id),
	group_id       TEXT NOT NULL REFERENCES working_groups (id),
	space_id       TEXT NOT NULL REFERENCES spaces (id),
	from_party     TEXT NOT NULL REFERENCES parties (id),
	to_party       TEXT NOT NULL REFERENCES parties (id),
	kind           TEXT NOT NULL,
	title          TEXT NOT NULL,
	texts          TEXT NOT NULL,
	details        TEXT NOT NULL,
	deadline       INTEGER NOT NULL,
	status         TEXT NOT NULL,
	counter_of     TEXT NOT NULL,
	countered_by   TEXT NOT NULL,
	awaiting       TEXT NOT NULL,
	since          INTEGER NOT NULL,
	open_questions INTEGER NOT NULL,
	reason         TEXT NOT NULL,
	created_at     INTEGER NOT NULL,
	submitted_at   INTEGER NOT NULL,
	closed_at      INTEGER NOT NULL,
	version        INTEGER NOT NULL,
	seq            INTEGER NOT NULL
);
CREATE INDEX proposals_group ON proposals (group_id, status);
CREATE INDEX proposals_due ON proposals (status, deadline);

-- Every event about a proposal, for its timeline.
CREATE TABLE proposal_acts (
	proposal_id TEXT NOT NULL REFERENCES proposals (id),
	seq         INTEGER NOT NULL,
	type        TEXT NOT NULL,
	actor       TEXT NOT NULL,
	at          INTEGER NOT NULL,
	text        TEXT NOT NULL,
	PRIMARY KEY (proposal_id, seq)
);

CREATE TABLE questions (
	id          TEXT PRIMARY KEY,
	proposal_id TEXT NOT NULL REFERENCES proposals (id),
	asked_by    TEXT NOT NULL,
	text        TEXT NOT NULL,
	asked_at    INTEGER NOT NULL,
	answer      TEXT NOT NULL,
	answered_by TEXT NOT NULL,
	answered_at INTEGER NOT NULL,
	seq         INTEGER NOT NULL
);
CREATE INDEX questions_proposal ON questions (proposal_id, asked_at);

CREATE TABLE proposal_comments (
	id          TEXT PRIMARY KEY,
	proposal_id TEXT NOT NULL REFERENCES proposals (id),
	space_id    TEXT NOT NULL,
	author_id   TEXT NOT NULL,
	text        TEXT NOT NULL,
	at          INTEGER NOT NULL,
	seq         INTEGER NOT NULL
);
CREATE INDEX proposal_comments_proposal ON proposal_comments (proposal_id, at);

CREATE TABLE authorisations (
	group_id  TEXT NOT NULL REFERENCES working_groups (id),
	member_id TEXT NOT NULL REFERENCES members (id),
	PRIMARY KEY (group_id, member_id)
);

-- +goose Down
SELECT 'irreversible';
