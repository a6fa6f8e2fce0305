-- +goose Up
-- Exchange agreements: born of an accepted exchange proposal (the ID is
-- then the proposal's) or recorded by the mediator.
CREATE TABLE exchanges (
	id          TEXT PRIMARY KEY,
	process_id  TEXT NOT NULL REFERENCES processes (id),
	group_id    TEXT NOT NULL,
	space_id    TEXT NOT NULL REFERENCES spaces (id),
	proposal_id TEXT NOT NULL,
	title       TEXT NOT NULL,
	parties     TEXT NOT NULL,
	all_for_all BOOLEAN NOT NULL,
	total       BIGINT  NOT NULL,
	stages      BIGINT  NOT NULL,
	created_at  BIGINT  NOT NULL,
	seq         BIGINT  NOT NULL
);
CREATE INDEX exchanges_space ON exchanges (space_id, created_at);

-- The categories of an exchange, in the order agreed.
CREATE TABLE exchange_categories (
	exchange_id TEXT NOT NULL REFERENCES exchanges (id),
	code        TEXT NOT NULL,
	position    BIGINT  NOT NULL,
	name        TEXT NOT NULL,
	count       BIGINT  NOT NULL,
	PRIMARY KEY (exchange_id, code)
);

CREATE TABLE exchange_stages (
	exchange_id TEXT NOT NULL REFERENCES exchanges (id),
	number      BIGINT  NOT NULL,
	date        TEXT NOT NULL,
	finalised   BOOLEAN NOT NULL,
	seq         BIGINT  NOT NULL,
	PRIMARY KEY (exchange_id, number)
);

-- How many of each category a stage carries, per side.
CREATE TABLE exchange_stage_counts (
	exchange_id TEXT NOT NULL,
	number      BIGINT  NOT NULL,
	category    TEXT NOT NULL,
	count       BIGINT  NOT NULL,
	PRIMARY KEY (exchange_id, number, category),
	FOREIGN KEY (exchange_id, number) REFERENCES exchange_stages (exchange_id, number)
);

-- +goose Down
SELECT 'irreversible';
