-- Local mirrors of Help Scout customers and of the conversations the rules
-- can pick, filled only through documented listings (Help Scout documents no
-- phone query and no customer filter for v2). Times are Unix seconds.

-- seen_at: when a listing last returned the row; a full re-list deletes the
-- rows it did not see (deleted or merged away in Help Scout).
CREATE TABLE mirror_customers (
	id          INTEGER NOT NULL PRIMARY KEY,
	first_name  TEXT    NOT NULL DEFAULT '',
	last_name   TEXT    NOT NULL DEFAULT '',
	emails      TEXT    NOT NULL DEFAULT '[]', -- JSON array of strings
	company     TEXT    NOT NULL DEFAULT '',
	created_at  INTEGER NOT NULL DEFAULT 0,
	modified_at INTEGER NOT NULL DEFAULT 0,
	seen_at     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX mirror_customers_by_seen ON mirror_customers (seen_at);

-- Every phone as the agent wrote it, with its E.164 form ('' when it does
-- not parse), so a caller matches whatever format was typed, by index.
CREATE TABLE mirror_customer_phones (
	customer_id INTEGER NOT NULL REFERENCES mirror_customers (id) ON DELETE CASCADE,
	phone       TEXT    NOT NULL,
	e164        TEXT    NOT NULL DEFAULT '',
	PRIMARY KEY (customer_id, phone)
) WITHOUT ROWID;
CREATE INDEX mirror_customer_phones_by_e164 ON mirror_customer_phones (e164) WHERE e164 <> '';

-- Conversations of a mailbox the rules may pick (not closed, or closed
-- recently), keyed by mailbox: instances sharing a mailbox share its mirror.
CREATE TABLE mirror_conversations (
	mailbox_id  INTEGER NOT NULL,
	id          INTEGER NOT NULL,
	customer_id INTEGER NOT NULL DEFAULT 0,
	status      TEXT    NOT NULL DEFAULT '',
	subject     TEXT    NOT NULL DEFAULT '',
	tags        TEXT    NOT NULL DEFAULT '[]', -- JSON array of strings
	created_at  INTEGER NOT NULL DEFAULT 0,
	closed_at   INTEGER NOT NULL DEFAULT 0,
	modified_at INTEGER NOT NULL DEFAULT 0,
	seen_at     INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (mailbox_id, id)
) WITHOUT ROWID;
CREATE INDEX mirror_conversations_by_customer ON mirror_conversations (mailbox_id, customer_id, modified_at);
CREATE INDEX mirror_conversations_by_id ON mirror_conversations (id);

-- Sync state per mirror ("customers", "conversations:<mailbox id>").
CREATE TABLE mirror_sync (
	name              TEXT    NOT NULL PRIMARY KEY,
	phase             TEXT    NOT NULL DEFAULT '', -- '' none yet, 'first-sync', 'ready', 'relist'
	page              INTEGER NOT NULL DEFAULT 0,  -- next page of the listing in progress
	cursor            INTEGER NOT NULL DEFAULT 0,  -- its modifiedSince (0 = none)
	seen_total        INTEGER NOT NULL DEFAULT 0,  -- rows read by the listing in progress
	expected_total    INTEGER NOT NULL DEFAULT 0,  -- totalElements when it began
	high_water        INTEGER NOT NULL DEFAULT 0,  -- newest modifiedAt mirrored
	listing_started_at INTEGER NOT NULL DEFAULT 0, -- when the first sync or re-list began
	last_full_at      INTEGER NOT NULL DEFAULT 0,  -- last completed first sync or re-list
	last_refresh_at   INTEGER NOT NULL DEFAULT 0,
	updated_at        INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
