-- Intents(instance, kind, source_id) reads an item's whole journal, finished
-- entries included; the partial index only covers open ones.
CREATE INDEX intents_by_item ON intents (instance, kind, source_id, id);
