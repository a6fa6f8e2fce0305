-- +goose Up
-- Whether a process wants the mediator's approval of joint statements.
CREATE TABLE statement_rules (
	process_id     TEXT PRIMARY KEY REFERENCES processes (id),
	needs_mediator BOOLEAN NOT NULL
);

-- +goose Down
SELECT 'irreversible';
