-- +goose Up
-- The life cycle of each person both sides confirmed: interviewed by the
-- observer, fit to travel, assigned to a stage, handed over, received, or
-- held back. What the observer heard and why a person is held back are
-- personal: they stay in the sealed entries (held_seq names the latest).
CREATE TABLE repatriations (
	pair_id      TEXT PRIMARY KEY REFERENCES exchange_pairs (id),
	exchange_id  TEXT NOT NULL REFERENCES exchanges (id),
	interviewed  INTEGER NOT NULL,
	wishes       INTEGER NOT NULL,
	fit_recorded INTEGER NOT NULL,
	fit          INTEGER NOT NULL,
	stage        INTEGER NOT NULL,
	handed_over  INTEGER NOT NULL,
	no_active    INTEGER NOT NULL,
	received     INTEGER NOT NULL,
	held_back    INTEGER NOT NULL,
	held_seq     INTEGER NOT NULL,
	seq          INTEGER NOT NULL
);
CREATE INDEX repatriations_stage ON repatriations (exchange_id, stage);

-- The heads' agreements to finalise a stage outside the agreed numbers.
CREATE TABLE stage_exceptions (
	exchange_id TEXT NOT NULL REFERENCES exchanges (id),
	number      INTEGER NOT NULL,
	party_id    TEXT NOT NULL,
	seq         INTEGER NOT NULL,
	PRIMARY KEY (exchange_id, number, party_id)
);

-- +goose Down
SELECT 'irreversible';
