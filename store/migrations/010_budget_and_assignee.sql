-- What each API's budget looked like at the end of the last pass, for the
-- status pages: serve may show them while another process (run) did the
-- pass, so what the clients counted has to be written down. One row per API
-- ('aircall', 'helpscout'), replaced by every pass that sent a request.
CREATE TABLE api_budget (
	api             TEXT    NOT NULL PRIMARY KEY,
	pass_started_at INTEGER NOT NULL DEFAULT 0, -- Unix seconds
	pass_ended_at   INTEGER NOT NULL DEFAULT 0,
	requests        INTEGER NOT NULL DEFAULT 0, -- HTTP attempts during the pass
	units           INTEGER NOT NULL DEFAULT 0, -- rate-limit units (Help Scout writes cost 2)
	rate_limited    INTEGER NOT NULL DEFAULT 0, -- 429 answers during the pass
	ceiling         INTEGER NOT NULL DEFAULT 0, -- our own requests per minute
	remaining       INTEGER NOT NULL DEFAULT -1, -- the API's last stated remaining budget; -1 unknown
	budget_limit    INTEGER NOT NULL DEFAULT -1, -- the API's last stated budget per minute; -1 unknown
	seen_at         INTEGER NOT NULL DEFAULT 0   -- when remaining was stated
) WITHOUT ROWID;

-- The assignee of each mirrored conversation (0: unassigned; NULL: not known,
-- a row mirrored before this column), so that REASSIGN in existing mode
-- compares with it instead of reading the conversation before every call.
ALTER TABLE mirror_conversations ADD COLUMN assignee_id INTEGER;
