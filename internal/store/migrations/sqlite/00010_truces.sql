-- +goose Up
-- A process's limits on truces.
CREATE TABLE truce_rules (
	process_id TEXT PRIMARY KEY REFERENCES processes (id),
	region     TEXT NOT NULL,
	max_hours  INTEGER NOT NULL
);

-- Truces: accepted truce proposals and their life after acceptance. A
-- truce's ID is its proposal's.
CREATE TABLE truces (
	id          TEXT PRIMARY KEY REFERENCES proposals (id),
	process_id  TEXT NOT NULL REFERENCES processes (id),
	group_id    TEXT NOT NULL,
	space_id    TEXT NOT NULL REFERENCES spaces (id),
	title       TEXT NOT NULL,
	parties     TEXT NOT NULL,
	terms       TEXT NOT NULL,
	starts_at   INTEGER NOT NULL,
	ends_at     INTEGER NOT NULL,
	accepted_at INTEGER NOT NULL,
	status      TEXT NOT NULL,
	active_at   INTEGER NOT NULL,
	ended_at    INTEGER NOT NULL,
	end_cause   TEXT NOT NULL,
	end_reason  TEXT NOT NULL,
	ended_by    TEXT NOT NULL,
	seq         INTEGER NOT NULL
);
CREATE INDEX truces_process ON truces (process_id, starts_at);
CREATE INDEX truces_due ON truces (status, starts_at);

CREATE TABLE truce_notices (
	truce_id TEXT NOT NULL REFERENCES truces (id),
	party_id TEXT NOT NULL,
	at       INTEGER NOT NULL,
	seq      INTEGER NOT NULL,
	PRIMARY KEY (truce_id, party_id)
);

CREATE TABLE violations (
	id          TEXT PRIMARY KEY,
	truce_id    TEXT NOT NULL REFERENCES truces (id),
	space_id    TEXT NOT NULL REFERENCES spaces (id),
	party_id    TEXT NOT NULL,
	at          INTEGER NOT NULL,
	lon         REAL NOT NULL,
	lat         REAL NOT NULL,
	segment     TEXT NOT NULL,
	description TEXT NOT NULL,
	reported_by TEXT NOT NULL,
	reported_at INTEGER NOT NULL,
	status      TEXT NOT NULL,
	seq         INTEGER NOT NULL
);
CREATE INDEX violations_truce ON violations (truce_id, at);

CREATE TABLE violation_attachments (
	violation_id TEXT NOT NULL REFERENCES violations (id),
	position     INTEGER NOT NULL,
	hash         TEXT NOT NULL,
	name         TEXT NOT NULL,
	type         TEXT NOT NULL,
	size         INTEGER NOT NULL,
	PRIMARY KEY (violation_id, position)
);
CREATE INDEX violation_attachments_hash ON violation_attachments (hash);

-- Answers (by the other party) and findings (by the mediator or an
-- observer) on a violation.
CREATE TABLE violation_notes (
	violation_id TEXT NOT NULL REFERENCES violations (id),
	seq          INTEGER NOT NULL,
	class        TEXT NOT NULL,
	party_id     TEXT NOT NULL,
	author_id    TEXT NOT NULL,
	kind         TEXT NOT NULL,
	text         TEXT NOT NULL,
	at           INTEGER NOT NULL,
	PRIMARY KEY (violation_id, seq)
);

-- +goose Down
SELECT 'irreversible';
