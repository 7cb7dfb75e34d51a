-- One row per Aircall call that got (or was meant to get) an insight card
-- while it rang. The row is written before the card is sent (state
-- 'sending') and keyed by the call alone, so a redelivered call.created, a
-- second delivery racing the first, or a restart of serve can never post a
-- second card for the same call. Times are Unix milliseconds: the card is
-- only useful within seconds of the webhook, and explain shows how long it
-- took.
CREATE TABLE insight_cards (
	call_id     INTEGER PRIMARY KEY,
	instance    TEXT    NOT NULL,
	state       TEXT    NOT NULL,           -- sending | sent | dropped_late | failed | skipped_anonymous
	received_ms INTEGER NOT NULL,           -- when the webhook reached us
	finished_ms INTEGER NOT NULL DEFAULT 0, -- when the state became final (0 while sending)
	customer_id INTEGER NOT NULL DEFAULT 0, -- Help Scout customer shown (0: new caller or none)
	error       TEXT    NOT NULL DEFAULT ''
);
