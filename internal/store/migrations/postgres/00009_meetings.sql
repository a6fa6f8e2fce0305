-- +goose Up
-- Meetings of working groups and of the heads: invitation, agenda,
-- attendance, notes, minutes, their approvals and follow-up actions.
CREATE TABLE meetings (
	id            TEXT PRIMARY KEY,
	process_id    TEXT NOT NULL REFERENCES processes (id),
	space_id      TEXT NOT NULL REFERENCES spaces (id),
	group_id      TEXT NOT NULL,
	title         TEXT NOT NULL,
	starts_at     BIGINT  NOT NULL,
	duration      BIGINT  NOT NULL,
	time_zone     TEXT NOT NULL,
	call_url      TEXT NOT NULL,
	status        TEXT NOT NULL,
	current_item  TEXT NOT NULL,
	thread_id     TEXT NOT NULL,
	sequence      BIGINT  NOT NULL,
	organiser     TEXT NOT NULL,
	created_at    BIGINT  NOT NULL,
	minutes_text  TEXT NOT NULL,
	minutes_ver   BIGINT  NOT NULL,
	minutes_hash  TEXT NOT NULL,
	seq           BIGINT  NOT NULL
);
CREATE INDEX meetings_space ON meetings (space_id, starts_at);
CREATE INDEX meetings_process ON meetings (process_id, starts_at);

CREATE TABLE agenda_items (
	id         TEXT PRIMARY KEY,
	meeting_id TEXT NOT NULL REFERENCES meetings (id),
	position   BIGINT  NOT NULL,
	title      TEXT NOT NULL,
	ref_kind   TEXT NOT NULL,
	ref_id     TEXT NOT NULL
);
CREATE INDEX agenda_items_meeting ON agenda_items (meeting_id, position);

CREATE TABLE meeting_attendance (
	meeting_id TEXT NOT NULL REFERENCES meetings (id),
	seq        BIGINT  NOT NULL,
	account_id TEXT NOT NULL,
	party_id   TEXT NOT NULL,
	joined_at  BIGINT  NOT NULL,
	left_at    BIGINT  NOT NULL,
	PRIMARY KEY (meeting_id, seq)
);

CREATE TABLE meeting_notes (
	id         TEXT PRIMARY KEY,
	meeting_id TEXT NOT NULL REFERENCES meetings (id),
	item_id    TEXT NOT NULL,
	author_id  TEXT NOT NULL,
	body       TEXT NOT NULL,
	at         BIGINT  NOT NULL,
	seq        BIGINT  NOT NULL
);
CREATE INDEX meeting_notes_meeting ON meeting_notes (meeting_id, seq);

CREATE TABLE minutes_approvals (
	meeting_id TEXT NOT NULL REFERENCES meetings (id),
	party_id   TEXT NOT NULL,
	hash       TEXT NOT NULL,
	actor      TEXT NOT NULL,
	at         BIGINT  NOT NULL,
	seq        BIGINT  NOT NULL,
	PRIMARY KEY (meeting_id, party_id)
);

CREATE TABLE meeting_actions (
	id         TEXT PRIMARY KEY,
	meeting_id TEXT NOT NULL REFERENCES meetings (id),
	position   BIGINT  NOT NULL,
	text       TEXT NOT NULL,
	party_id   TEXT NOT NULL,
	due        TEXT NOT NULL,
	done_at    BIGINT  NOT NULL,
	done_by    TEXT NOT NULL
);
CREATE INDEX meeting_actions_meeting ON meeting_actions (meeting_id, position);

-- A secret per account for its calendar feed: calendar programs cannot sign
-- in, so the feed's address is its own credential, good for nothing else.
CREATE TABLE calendar_feeds (
	account_id TEXT PRIMARY KEY REFERENCES accounts (id),
	token_hash TEXT NOT NULL UNIQUE,
	created_at BIGINT  NOT NULL
);

-- +goose Down
SELECT 'irreversible';
