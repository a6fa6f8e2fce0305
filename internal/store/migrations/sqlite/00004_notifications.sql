-- +goose Up
ALTER TABLE accounts ADD COLUMN email TEXT NOT NULL DEFAULT '';

-- One row per notification sent, so that several instances send each once.
CREATE TABLE notifications (
	seq        INTEGER NOT NULL,
	account_id TEXT    NOT NULL,
	sent_at    INTEGER NOT NULL,
	PRIMARY KEY (seq, account_id)
);

-- +goose Down
SELECT 'irreversible';
