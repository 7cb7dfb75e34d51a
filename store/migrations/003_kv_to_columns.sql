-- Domain state that lived as strings in the kv table gets tables of its own,
-- so that it can be read, queried and checked like the rest of the ledger.
-- Existing rows are carried over, so an upgraded database keeps its state.

-- What a pass remembers of a call logged before its transcript/AI insights
-- were ready, for the late note: when the call ended, the agent's name, and
-- when the late path last asked Aircall (0 = never). Kept until expires_at,
-- a while past ENRICHMENT_MAX_AGE.
CREATE TABLE late_insights (
	instance   TEXT    NOT NULL,
	call_id    INTEGER NOT NULL,
	ended_at   INTEGER NOT NULL DEFAULT 0,
	agent      TEXT    NOT NULL DEFAULT '',
	looked_at  INTEGER NOT NULL DEFAULT 0,
	expires_at INTEGER NOT NULL,
	PRIMARY KEY (instance, call_id)
) WITHOUT ROWID;
CREATE INDEX late_insights_by_expiry ON late_insights (expires_at);

-- The Aircall AI add-on answered 403 (not licensed): until off_until, calls
-- are logged without transcript/AI. One row: the flag is per account.
CREATE TABLE aircall_addon (
	id        INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
	off_until INTEGER NOT NULL
);

-- The one Help Scout customer per instance that collects calls and messages
-- from hidden or unreadable numbers.
CREATE TABLE anonymous_customers (
	instance    TEXT    NOT NULL PRIMARY KEY,
	customer_id INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL
) WITHOUT ROWID;

-- kv keys were 'late_enrichment:<instance>:<call id>' with a JSON value
-- {"ended":…, "agent":…, "looked":…}. The call ID is the trailing digits
-- (rtrim of the digits leaves '…:<instance>:'), so an instance name holding a
-- colon still splits right. Unreadable values are dropped: the late path
-- falls back to the call's start and "Agent", as it always did for them.
INSERT OR REPLACE INTO late_insights (instance, call_id, ended_at, agent, looked_at, expires_at)
SELECT substr(rtrim(key, '0123456789'), length('late_enrichment:') + 1,
              length(rtrim(key, '0123456789')) - length('late_enrichment:') - 1),
       CAST(substr(key, length(rtrim(key, '0123456789')) + 1) AS INTEGER),
       coalesce(CAST(json_extract(value, '$.ended') AS INTEGER), 0),
       coalesce(json_extract(value, '$.agent'), ''),
       coalesce(CAST(json_extract(value, '$.looked') AS INTEGER), 0),
       expires_at
FROM kv
WHERE substr(key, 1, length('late_enrichment:')) = 'late_enrichment:'
  AND length(rtrim(key, '0123456789')) < length(key)
  AND substr(rtrim(key, '0123456789'), -1) = ':'
  AND length(rtrim(key, '0123456789')) > length('late_enrichment:') + 1
  AND json_valid(value);

-- 'aircall_ai_addon_off' held the Unix second the flag ends.
INSERT OR REPLACE INTO aircall_addon (id, off_until)
SELECT 1, CAST(value AS INTEGER) FROM kv
WHERE key = 'aircall_ai_addon_off' AND CAST(value AS INTEGER) > 0;

-- 'anonymous_customer:<instance>' held the customer ID.
INSERT OR REPLACE INTO anonymous_customers (instance, customer_id, updated_at)
SELECT substr(key, length('anonymous_customer:') + 1), CAST(value AS INTEGER), 0 FROM kv
WHERE substr(key, 1, length('anonymous_customer:')) = 'anonymous_customer:'
  AND length(key) > length('anonymous_customer:') AND CAST(value AS INTEGER) > 0;

-- Nothing else was ever kept in kv.
DROP TABLE kv;
