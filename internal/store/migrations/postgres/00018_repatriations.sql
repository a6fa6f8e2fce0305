-- +goose Up
-- The life cycle of each person both sides confirmed: interviewed by the
-- observer, fit to travel, assigned to a stage, handed over, received, or
-- held back. What the observer heard and why a person is held back are
-- personal: they stay in the sealed entries (held_seq names the latest).
CREATE TABLE repatriations (
	pair_id      TEXT PRIMARY KEY REFERENCES exchange_pairs (id),
	exchange_id  TEXT NOT NULL REFERENCES exchanges (id),
	interviewed  BOOLEAN NOT NULL,
	wishes       BOOLEAN NOT NULL,
	fit_recorded BOOLEAN NOT NULL,
	fit          BOOLEAN NOT NULL,
	stage        BIGINT NOT NULL,
	handed_over  BOOLEAN NOT NULL,
	no_active    BOOLEAN NOT NULL,
	received     BOOLEAN NOT NULL,
	held_back    BOOLEAN NOT NULL,
	held_seq     BIGINT NOT NULL,
	seq          BIGINT NOT NULL
);
CREATE INDEX repatriations_stage ON repatriations (exchange_id, stage);

-- The heads' agreements to finalise a stage outside the agreed numbers.
CREATE TABLE stage_exceptions (
	exchange_id TEXT NOT NULL REFERENCES exchanges (id),
	number      BIGINT NOT NULL,
	party_id    TEXT NOT NULL,
	seq         BIGINT NOT NULL,
	PRIMARY KEY (exchange_id, number, party_id)
);

-- +goose Down
SELECT 'irreversible';
