-- +goose Up
-- Every read of the record ranges over seq (the primary key); this index
-- only cost each append a second B-tree insert.
DROP INDEX entries_process;

-- +goose Down
CREATE INDEX entries_process ON entries (process_id, seq);
