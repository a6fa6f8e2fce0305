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
	entry_seq   INTEGER NOT NULL,
	position    INTEGER NOT NULL
);
CREATE INDEX exchange_persons_list ON exchange_persons (exchange_id, party_id, list, entry_seq, position);

-- Each import, as its report is shown again later.
CREATE TABLE exchange_imports (
	seq         INTEGER PRIMARY KEY,
	exchange_id TEXT NOT NULL REFERENCES exchanges (id),
	party_id    TEXT NOT NULL,
	list        TEXT NOT NULL,
	format      TEXT NOT NULL,
	sha256      TEXT NOT NULL,
	row_count   INTEGER NOT NULL,
	imported    INTEGER NOT NULL,
	left_out    INTEGER NOT NULL,
	actor       TEXT NOT NULL,
	at          INTEGER NOT NULL
);
CREATE INDEX exchange_imports_list ON exchange_imports (exchange_id, party_id, list, seq);

-- The access log of personal data: who viewed, exported or imported which
-- list, when. The operator and the process's heads of delegation read it.
CREATE TABLE personal_access (
	seq         INTEGER PRIMARY KEY,
	at          INTEGER NOT NULL,
	actor       TEXT NOT NULL,
	process_id  TEXT NOT NULL,
	group_id    TEXT NOT NULL,
	exchange_id TEXT NOT NULL,
	party_id    TEXT NOT NULL,
	list        TEXT NOT NULL,
	access      TEXT NOT NULL,
	format      TEXT NOT NULL,
	count       INTEGER NOT NULL
);
CREATE INDEX personal_access_process ON personal_access (process_id, seq);

-- +goose Down
SELECT 'irreversible';
