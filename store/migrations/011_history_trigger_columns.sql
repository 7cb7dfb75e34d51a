-- The ledger's update trigger (007) fired on every UPDATE of items, so the
-- sidebar facts written after each logged item (PutItemFacts, which sets none
-- of the columns the history records) still ran the trigger and its
-- item_retries lookup. Listing the recorded columns makes SQLite skip the
-- trigger for such writes. The pending-retry lookup now runs only when the
-- row leaves 'retry_requested': a retry request sets that outcome and writes
-- item_retries in one transaction, and a write that keeps the outcome does not
-- fire the trigger (WHEN below), so the first write that fires it after a
-- request is exactly one whose OLD.outcome is 'retry_requested'. What is
-- recorded is unchanged.
DROP TRIGGER items_history_update;

CREATE TRIGGER items_history_update
AFTER UPDATE OF state, outcome, attempts, last_error, updated_at, enrichment ON items
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
	-- The first write of the item after a retry request is the pass acting on it.
	UPDATE item_retries SET done_at = NEW.updated_at
	WHERE OLD.outcome = 'retry_requested'
		AND instance = NEW.instance AND kind = NEW.kind AND source_id = NEW.source_id AND done_at = 0;
END;
