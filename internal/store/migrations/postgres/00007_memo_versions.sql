-- +goose Up
CREATE TABLE memo_versions (
	id       TEXT PRIMARY KEY,
	memo_id  TEXT NOT NULL REFERENCES memos (id),
	name     TEXT NOT NULL,
	draft    BIGINT  NOT NULL,
	snapshot TEXT NOT NULL,
	seq      BIGINT  NOT NULL,
	at       BIGINT  NOT NULL
);
CREATE INDEX memo_versions_memo ON memo_versions (memo_id, seq);

-- +goose Down
SELECT 'irreversible';
