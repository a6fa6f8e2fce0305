-- +goose Up
ALTER TABLE accounts ADD COLUMN email TEXT NOT NULL DEFAULT '';

-- One row per notification sent, so that several instances send each once.
CREATE TABLE notifications (
	seq        BIGINT  NOT NULL,
	account_id TEXT    NOT NULL,
	sent_at    BIGINT  NOT NULL,
	PRIMARY KEY (seq, account_id)
);

-- +goose Down
SELECT 'irreversible';
