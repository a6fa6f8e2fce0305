-- +goose Up
-- The proposals and discussions that shaped each clause of a memorandum.
CREATE TABLE clause_links (
	clause_id   TEXT NOT NULL REFERENCES clauses (id),
	proposal_id TEXT NOT NULL,
	thread_id   TEXT NOT NULL,
	seq         INTEGER NOT NULL,
	PRIMARY KEY (clause_id, proposal_id, thread_id)
);

-- +goose Down
SELECT 'irreversible';
