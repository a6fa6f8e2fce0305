-- +goose Up
-- The stored hashes of the record's Merkle tree, in the order of
-- golang.org/x/mod/sumdb/tlog.StoredHashIndex.
CREATE TABLE tree_hashes (
	idx  INTEGER PRIMARY KEY,
	hash BLOB NOT NULL
);

-- Signed checkpoints of the tree, at most one a second.
CREATE TABLE checkpoints (
	size       INTEGER PRIMARY KEY,
	root       BLOB    NOT NULL,
	note       TEXT    NOT NULL,
	created_at INTEGER NOT NULL
);

-- Cosignatures of checkpoints by the parties' witnesses.
CREATE TABLE cosignatures (
	size       INTEGER NOT NULL,
	witness    TEXT    NOT NULL,
	signature  TEXT    NOT NULL,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (size, witness)
);

-- +goose Down
SELECT 'irreversible';
