package store

import "context"

// IntentNotLanded is the ResultID of an intent whose write was checked after
// an ambiguous outcome or a crash and found not to have reached Help Scout.
// Such an intent is closed so that the write can be made again.
const IntentNotLanded int64 = -1

// Intents returns the item's whole write journal, finished or not, oldest
// first. A pass that died after a write was finished but before the item was
// recorded as logged replays this journal instead of writing again.
func (s *Store) Intents(ctx context.Context, instance string, kind Kind, sourceID string) ([]Intent, error) {
	return s.queryIntents(ctx, `SELECT `+intentColumns+` FROM intents
		WHERE instance = ? AND kind = ? AND source_id = ? ORDER BY id`,
		instance, kind, sourceID)
}
