-- +goose Up
-- Transfers of remains between the sides of a working group, and their
-- acknowledgement by the receiving side (ack_seq 0: awaiting it).
CREATE TABLE remains_transfers (
	id              TEXT PRIMARY KEY,
	process_id      TEXT NOT NULL REFERENCES processes (id),
	group_id        TEXT NOT NULL,
	space_id        TEXT NOT NULL REFERENCES spaces (id),
	date            TEXT NOT NULL,
	crossing        TEXT NOT NULL,
	from_party      TEXT NOT NULL,
	to_party        TEXT NOT NULL,
	bodies          BIGINT  NOT NULL,
	identified      BIGINT  NOT NULL,
	partial         BIGINT  NOT NULL,
	unidentified    BIGINT  NOT NULL,
	note            TEXT NOT NULL,
	recorded_by     TEXT NOT NULL,
	recorded_at     BIGINT  NOT NULL,
	seq             BIGINT  NOT NULL,
	ack_by          TEXT NOT NULL DEFAULT '',
	ack_party       TEXT NOT NULL DEFAULT '',
	received        BIGINT  NOT NULL DEFAULT 0,
	ack_note        TEXT NOT NULL DEFAULT '',
	ack_at          BIGINT  NOT NULL DEFAULT 0,
	ack_seq         BIGINT  NOT NULL DEFAULT 0
);
CREATE INDEX remains_transfers_group ON remains_transfers (group_id, date);

-- +goose Down
SELECT 'irreversible';
