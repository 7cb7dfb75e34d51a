-- What the Help Scout sidebar shows of each logged call or message, beyond
-- what the reconciler needs for exactly-once: the ledger alone must answer the
-- sidebar (no API request per view). All columns default to "unknown" so rows
-- written before this migration, or by a reconciler that does not fill them
-- yet, still show (with fewer details).
ALTER TABLE items ADD COLUMN direction     TEXT    NOT NULL DEFAULT ''; -- inbound | outbound
ALTER TABLE items ADD COLUMN channel       TEXT    NOT NULL DEFAULT ''; -- messages: sms | whatsapp
ALTER TABLE items ADD COLUMN call_outcome  TEXT    NOT NULL DEFAULT ''; -- calls: answered | missed | voicemail
ALTER TABLE items ADD COLUMN duration_s    INTEGER NOT NULL DEFAULT 0;
ALTER TABLE items ADD COLUMN agent         TEXT    NOT NULL DEFAULT ''; -- agent's name
ALTER TABLE items ADD COLUMN line          TEXT    NOT NULL DEFAULT ''; -- Aircall line's name
ALTER TABLE items ADD COLUMN time_zone     TEXT    NOT NULL DEFAULT ''; -- the line's IANA zone
ALTER TABLE items ADD COLUMN external_e164 TEXT    NOT NULL DEFAULT ''; -- the customer's number

-- The sidebar lists one customer's newest items: without this index every
-- view scanned the whole ledger.
CREATE INDEX items_by_customer ON items (customer_id, occurred_at) WHERE customer_id <> 0;
-- ... and the distinct numbers the customer called from or was called on,
-- read from the index alone.
CREATE INDEX items_numbers_by_customer ON items (customer_id, external_e164)
	WHERE customer_id <> 0 AND external_e164 <> '';
-- The numbers we created customers for, by customer.
CREATE INDEX customer_phones_by_customer ON customer_phones (customer_id);
