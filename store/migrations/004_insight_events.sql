-- Transcripts and AI insights pushed by Aircall's webhooks (transcription,
-- summary, topics, sentiments, action items): one row per call and kind,
-- holding the insight as the REST endpoint's inner object, so that a call
-- whose insights came by webhook needs no Aircall request for them.
-- last_delivery_at moves on every delivery, duplicates included: it tells
-- whether the company's webhook sends these events at all.
CREATE TABLE insight_events (
	call_id          INTEGER NOT NULL,
	kind             TEXT    NOT NULL,
	event            TEXT    NOT NULL,
	payload          BLOB    NOT NULL,
	received_at      INTEGER NOT NULL, -- first delivery
	updated_at       INTEGER NOT NULL, -- last change of the payload
	last_delivery_at INTEGER NOT NULL,
	PRIMARY KEY (call_id, kind)
) WITHOUT ROWID;
CREATE INDEX insight_events_by_delivery ON insight_events (last_delivery_at);
