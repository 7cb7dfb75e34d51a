-- Initial schema. Times are Unix seconds (INTEGER, UTC); 0 means "not set".
-- Enumerations (kind, state, enrichment) are validated in Go, not with CHECK,
-- so adding a value never needs a table rebuild.

-- Per-instance cursors: "calls" (started_at seconds) and "messages" (inbox seq).
CREATE TABLE cursors (
	instance   TEXT    NOT NULL,
	stream     TEXT    NOT NULL,
	value      INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	PRIMARY KEY (instance, stream)
) WITHOUT ROWID;

-- The ledger: one row per processed Aircall item. WITHOUT ROWID keyed on the
-- natural key, so the uniqueness guarantee costs no extra index.
CREATE TABLE items (
	instance        TEXT    NOT NULL,
	kind            TEXT    NOT NULL,
	source_id       TEXT    NOT NULL,
	state           TEXT    NOT NULL,
	outcome         TEXT    NOT NULL DEFAULT '',
	detail          TEXT    NOT NULL DEFAULT '',
	occurred_at     INTEGER NOT NULL DEFAULT 0,
	customer_id     INTEGER NOT NULL DEFAULT 0,
	conversation_id INTEGER NOT NULL DEFAULT 0,
	thread_id       INTEGER NOT NULL DEFAULT 0,
	note_thread_id  INTEGER NOT NULL DEFAULT 0,
	enrichment      TEXT    NOT NULL DEFAULT '',
	attempts        INTEGER NOT NULL DEFAULT 0,
	last_error      TEXT    NOT NULL DEFAULT '',
	created_at      INTEGER NOT NULL,
	updated_at      INTEGER NOT NULL,
	PRIMARY KEY (instance, kind, source_id)
) WITHOUT ROWID;
CREATE INDEX items_by_state      ON items (instance, kind, state, occurred_at);
CREATE INDEX items_by_enrichment ON items (instance, kind, enrichment, occurred_at);

-- Write intents: recorded before each Help Scout write, finished after it.
CREATE TABLE intents (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	instance   TEXT    NOT NULL,
	kind       TEXT    NOT NULL,
	source_id  TEXT    NOT NULL,
	action     TEXT    NOT NULL,
	target_id  INTEGER NOT NULL DEFAULT 0,
	result_id  INTEGER NOT NULL DEFAULT 0,
	done       INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL,
	done_at    INTEGER NOT NULL DEFAULT 0
);
-- Partial indexes: only open intents are ever looked up, and they are few.
CREATE INDEX intents_open_by_item     ON intents (instance, kind, source_id, id) WHERE done = 0;
CREATE INDEX intents_open_by_instance ON intents (instance, id) WHERE done = 0;

-- Caches.
CREATE TABLE customer_phones (
	e164        TEXT    NOT NULL PRIMARY KEY,
	customer_id INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE user_emails (
	email      TEXT    NOT NULL PRIMARY KEY, -- lower-cased
	user_id    INTEGER NOT NULL,             -- 0 = no such Help Scout user
	checked_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE contact_syncs (
	customer_id         INTEGER NOT NULL PRIMARY KEY,
	customer_updated_at INTEGER NOT NULL,
	synced_at           INTEGER NOT NULL
);

CREATE TABLE kv (
	key        TEXT    NOT NULL PRIMARY KEY,
	value      TEXT    NOT NULL,
	expires_at INTEGER NOT NULL DEFAULT 0 -- 0 = never
) WITHOUT ROWID;

-- Webhook inbox: seq is the message stream cursor; AUTOINCREMENT so a seq is
-- never reused even if rows are ever deleted.
CREATE TABLE inbox (
	seq         INTEGER PRIMARY KEY AUTOINCREMENT,
	message_id  TEXT    NOT NULL UNIQUE,
	event       TEXT    NOT NULL DEFAULT '',
	status      TEXT    NOT NULL DEFAULT '',
	payload     BLOB,
	received_at INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL
);

-- One Help Scout conversation per customer/channel/day for messages; several
-- rows per key when a conversation filled up and a new one was started.
CREATE TABLE day_conversations (
	id              INTEGER PRIMARY KEY, -- insertion order: the newest row wins
	instance        TEXT    NOT NULL,
	customer_id     INTEGER NOT NULL,
	channel         TEXT    NOT NULL,
	day             TEXT    NOT NULL,
	conversation_id INTEGER NOT NULL,
	threads         INTEGER NOT NULL DEFAULT 0,
	created_at      INTEGER NOT NULL,
	updated_at      INTEGER NOT NULL,
	UNIQUE (instance, customer_id, channel, day, conversation_id)
);

-- Pass history.
CREATE TABLE runs (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	instance    TEXT    NOT NULL,
	mode        TEXT    NOT NULL,
	since       INTEGER NOT NULL DEFAULT 0,
	until       INTEGER NOT NULL DEFAULT 0,
	started_at  INTEGER NOT NULL,
	finished_at INTEGER NOT NULL DEFAULT 0,
	counts      TEXT    NOT NULL DEFAULT '{}', -- JSON outcome -> n
	error       TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX runs_by_instance ON runs (instance, id);
CREATE INDEX runs_ok ON runs (finished_at) WHERE finished_at <> 0 AND error = '';
