-- +goose Up
-- The notice a working group requires of humanitarian notifications, where
-- its mediator set one (otherwise parley.DefaultNoticeHours).
CREATE TABLE notice_periods (
	group_id TEXT PRIMARY KEY,
	hours    INTEGER NOT NULL
);

-- Humanitarian notifications: evacuations, convoys and corridors one side
-- notifies to the other in a working group. (Not to be confused with
-- "notifications", the e-mails sent.)
CREATE TABLE humanitarian_notifications (
	id                  TEXT PRIMARY KEY,
	process_id          TEXT NOT NULL REFERENCES processes (id),
	group_id            TEXT NOT NULL,
	space_id            TEXT NOT NULL REFERENCES spaces (id),
	from_party          TEXT NOT NULL,
	to_party            TEXT NOT NULL,
	kind                TEXT NOT NULL,
	route               TEXT NOT NULL,
	points              TEXT NOT NULL,
	starts_at           INTEGER NOT NULL,
	ends_at             INTEGER NOT NULL,
	time_zone           TEXT NOT NULL,
	purpose             TEXT NOT NULL,
	vehicles            INTEGER NOT NULL,
	people              INTEGER NOT NULL,
	notice_hours        INTEGER NOT NULL,
	short_notice        INTEGER NOT NULL,
	short_notice_reason TEXT NOT NULL,
	sent_at             INTEGER NOT NULL,
	sent_by             TEXT NOT NULL,
	status              TEXT NOT NULL,
	acknowledged_at     INTEGER NOT NULL,
	cancelled_at        INTEGER NOT NULL,
	cancel_reason       TEXT NOT NULL,
	seq                 INTEGER NOT NULL
);
CREATE INDEX humanitarian_notifications_group ON humanitarian_notifications (group_id, starts_at);

-- Questions of the side notified and answers of the notifying side.
CREATE TABLE notification_notes (
	notification_id TEXT NOT NULL REFERENCES humanitarian_notifications (id),
	seq             INTEGER NOT NULL,
	kind            TEXT NOT NULL,
	party_id        TEXT NOT NULL,
	author_id       TEXT NOT NULL,
	text            TEXT NOT NULL,
	at              INTEGER NOT NULL,
	PRIMARY KEY (notification_id, seq)
);

-- +goose Down
SELECT 'irreversible';
