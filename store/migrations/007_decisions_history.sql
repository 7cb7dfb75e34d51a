-- What `explain`, `retry` and the status pages need, recorded when it happens
-- rather than re-derived later (the Help Scout side may have changed since).

-- One compact decision record per item: how the customer and the conversation
-- were chosen, and the transcript/AI state. Replaced when the item is decided
-- again (e.g. after a stale customer was corrected).
CREATE TABLE item_decisions (
	instance            TEXT    NOT NULL,
	kind                TEXT    NOT NULL,
	source_id           TEXT    NOT NULL,
	decided_at          INTEGER NOT NULL,
	customer_rule       TEXT    NOT NULL DEFAULT '', -- one_match | most_recent | skip_duplicates | created | anonymous
	candidates          TEXT    NOT NULL DEFAULT '[]', -- JSON array of Help Scout customer IDs
	customer_id         INTEGER NOT NULL DEFAULT 0,
	conversation_reason TEXT    NOT NULL DEFAULT '', -- new | existing | reopened | day (messages)
	conversation_id     INTEGER NOT NULL DEFAULT 0,
	reassigned          INTEGER NOT NULL DEFAULT 0,
	assignee_id         INTEGER NOT NULL DEFAULT 0,
	thread_id           INTEGER NOT NULL DEFAULT 0,
	note_thread_id      INTEGER NOT NULL DEFAULT 0,
	transcript          TEXT    NOT NULL DEFAULT '', -- included | pending | off | not_licensed | gave_up | none
	ai                  TEXT    NOT NULL DEFAULT '',
	looks               INTEGER NOT NULL DEFAULT 0,  -- late transcript/AI looks at Aircall
	last_look_at        INTEGER NOT NULL DEFAULT 0,
	note                TEXT    NOT NULL DEFAULT '',
	PRIMARY KEY (instance, kind, source_id)
) WITHOUT ROWID;

-- Every change of an item's state, every failed attempt (with its error) and
-- every retry request, oldest first by id. Kept as long as the ledger.
CREATE TABLE item_history (
	id         INTEGER PRIMARY KEY,
	instance   TEXT    NOT NULL,
	kind       TEXT    NOT NULL,
	source_id  TEXT    NOT NULL,
	at         INTEGER NOT NULL,
	event      TEXT    NOT NULL, -- state | attempt | retry | enrichment
	state      TEXT    NOT NULL DEFAULT '',
	outcome    TEXT    NOT NULL DEFAULT '',
	attempts   INTEGER NOT NULL DEFAULT 0,
	error      TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX item_history_by_item ON item_history (instance, kind, source_id, id);

-- Retry requests: pending until the next write of the item's ledger row (the
-- next pass's attempt), which the trigger below marks as done.
CREATE TABLE item_retries (
	instance     TEXT    NOT NULL,
	kind         TEXT    NOT NULL,
	source_id    TEXT    NOT NULL,
	requested_at INTEGER NOT NULL,
	done_at      INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (instance, kind, source_id)
) WITHOUT ROWID;
CREATE INDEX item_retries_pending ON item_retries (instance, kind) WHERE done_at = 0;

-- Items per hour for the status chart, without scanning the whole ledger.
CREATE INDEX items_by_time ON items (occurred_at, instance);

-- The history is written by triggers on the ledger, so every writer of items
-- (the reconciler, catch-up, the webhook path) records it without knowing it
-- exists, at the moment the row changes. A retry request sets outcome
-- 'retry_requested' and writes its own history row, so it is not recorded
-- twice.
CREATE TRIGGER items_history_insert AFTER INSERT ON items
WHEN NEW.outcome <> 'retry_requested'
BEGIN
	INSERT INTO item_history (instance, kind, source_id, at, event, state, outcome, attempts, error)
	VALUES (NEW.instance, NEW.kind, NEW.source_id, NEW.updated_at,
		CASE WHEN NEW.state IN ('failed', 'parked') AND NEW.last_error <> '' THEN 'attempt' ELSE 'state' END,
		NEW.state, NEW.outcome, NEW.attempts,
		CASE WHEN NEW.state IN ('failed', 'parked') THEN NEW.last_error ELSE '' END);
	INSERT INTO item_history (instance, kind, source_id, at, event, state, outcome, attempts, error)
	SELECT NEW.instance, NEW.kind, NEW.source_id, NEW.updated_at, 'enrichment', NEW.state,
		NEW.enrichment, NEW.attempts, ''
	WHERE NEW.enrichment <> '';
END;

-- One trigger for updates, so that the state event comes before the
-- enrichment event of the same write (SQLite orders separate triggers by
-- creation, newest first).
CREATE TRIGGER items_history_update AFTER UPDATE ON items
WHEN NEW.outcome <> 'retry_requested'
BEGIN
	INSERT INTO item_history (instance, kind, source_id, at, event, state, outcome, attempts, error)
	SELECT NEW.instance, NEW.kind, NEW.source_id, NEW.updated_at,
		CASE WHEN NEW.state IN ('failed', 'parked') AND NEW.last_error <> '' THEN 'attempt' ELSE 'state' END,
		NEW.state, NEW.outcome, NEW.attempts,
		CASE WHEN NEW.state IN ('failed', 'parked') THEN NEW.last_error ELSE '' END
	WHERE OLD.state <> NEW.state OR OLD.outcome <> NEW.outcome
		OR (NEW.state IN ('failed', 'parked') AND (OLD.attempts <> NEW.attempts
			OR OLD.last_error <> NEW.last_error OR OLD.updated_at <> NEW.updated_at));
	INSERT INTO item_history (instance, kind, source_id, at, event, state, outcome, attempts, error)
	SELECT NEW.instance, NEW.kind, NEW.source_id, NEW.updated_at, 'enrichment', NEW.state,
		NEW.enrichment, NEW.attempts, CASE WHEN NEW.enrichment = 'gave_up' THEN NEW.last_error ELSE '' END
	WHERE OLD.enrichment <> NEW.enrichment;
	-- Any write of the item after a retry request is the pass acting on it.
	UPDATE item_retries SET done_at = NEW.updated_at
	WHERE instance = NEW.instance AND kind = NEW.kind AND source_id = NEW.source_id AND done_at = 0;
END;
