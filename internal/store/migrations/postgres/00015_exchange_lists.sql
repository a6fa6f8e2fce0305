-- +goose Up
-- The people of each side's lists. Their personal data is not here: it
-- stays in the record entry that imported them, which the store keeps
-- sealed (see seal.go). A row names that entry and the person's place in
-- it, with what is not personal: the list, the category.
CREATE TABLE exchange_persons (
	id          TEXT PRIMARY KEY,
	exchange_id TEXT NOT NULL REFERENCES exchanges (id),
	party_id    TEXT NOT NULL,
	list        TEXT NOT NULL,
	category    TEXT NOT NULL,
	entry_seq   BIGINT  NOT NULL,
	position    BIGINT  NOT NULL
);
CREATE INDEX exchange_persons_list ON exchange_persons (exchange_id, party_id, list, entry_seq, position);

-- Each import, as its report is shown again later.
CREATE TABLE exchange_imports (
	seq         BIGINT PRIMARY KEY,
	exchange_id TEXT NOT NULL REFERENCES exchanges (id),
	party_id    TEXT NOT NULL,
	list        TEXT NOT NULL,
	format      TEXT NOT NULL,
	sha256      TEXT NOT NULL,
	row_count   BIGINT  NOT NULL,
	imported    BIGINT  NOT NULL,
	left_out    BIGINT  NOT NULL,
	actor       TEXT NOT NULL,
	at          BIGINT  NOT NULL
);
CREATE INDEX exchange_imports_list ON exchange_imports (exchange_id, party_id, list, seq);

-- The access log of personal data: who viewed, exported or imported which
-- list, when. The operator and the process's heads of delegation read it.
CREATE TABLE personal_access (
	seq         BIGINT PRIMARY KEY,
	at          BIGINT  NOT NULL,
	actor       TEXT NOT NULL,
	process_id  TEXT NOT NULL,
	group_id    TEXT NOT NULL,
	exchange_id TEXT NOT NULL,
	party_id    TEXT NOT NULL,
	list        TEXT NOT NULL,
	access      TEXT NOT NULL,
	format      TEXT NOT NULL,
	count       BIGINT  NOT NULL
);
CREATE INDEX personal_access_process ON personal_access (process_id, seq);

-- The pairs the engine proposed between an asking side's asked list and
-- the holding side's held list, and the sides' answers. The engine's
-- reasons name people: they stay in the sealed entry (entry_seq, position).
-- A new run deletes the pairs no side answered.
CREATE TABLE exchange_pairs (
	id            TEXT PRIMARY KEY,
	exchange_id   TEXT NOT NULL REFERENCES exchanges (id),
	asking_party  TEXT NOT NULL,
	holding_party TEXT NOT NULL,
	asked_id      TEXT NOT NULL REFERENCES exchange_persons (id),
	held_id       TEXT NOT NULL REFERENCES exchange_persons (id),
	kind          TEXT NOT NULL,
	score         DOUBLE PRECISION NOT NULL,
	entry_seq     BIGINT  NOT NULL,
	position      BIGINT  NOT NULL
);
CREATE INDEX exchange_pairs_lists ON exchange_pairs (exchange_id, asking_party, score);

CREATE TABLE pair_answers (
	pair_id   TEXT NOT NULL REFERENCES exchange_pairs (id),
	party_id  TEXT NOT NULL,
	confirmed BOOLEAN NOT NULL,
	entry_seq BIGINT  NOT NULL,
	PRIMARY KEY (pair_id, party_id)
);

-- The asked people the latest run found no candidate for.
CREATE TABLE exchange_unknown (
	exchange_id  TEXT NOT NULL,
	asking_party TEXT NOT NULL,
	person_id    TEXT NOT NULL REFERENCES exchange_persons (id),
	entry_seq    BIGINT  NOT NULL,
	PRIMARY KEY (exchange_id, asking_party, person_id)
);

-- +goose Down
SELECT 'irreversible';
