package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// CustomerRule is the rule that chose an item's Help Scout customer, as
// recorded for explain and the status pages.
type CustomerRule string

// Customer rules: which rule chose the Help Scout customer of an item.
const (
	RuleOneMatch       CustomerRule = "one_match"       // exactly one customer has the number
	RuleMostRecent     CustomerRule = "most_recent"     // several: DUPLICATES=most_recent took the newest
	RuleSkipDuplicates CustomerRule = "skip_duplicates" // several: DUPLICATES=skip, nothing logged
	RuleCreated        CustomerRule = "created"         // none: a customer carrying the number was created
	RuleAnonymous      CustomerRule = "anonymous"       // anonymous or unparseable number: the instance's anonymous customer
)

// ConversationReason is why an item went into its conversation.
type ConversationReason string

// Conversation reasons: why the item went into its conversation.
const (
	ConversationNew      ConversationReason = "new"      // a new conversation was opened
	ConversationExisting ConversationReason = "existing" // an open conversation of the customer was used
	ConversationReopened ConversationReason = "reopened" // a conversation closed < 48 h before was reopened
	ConversationDay      ConversationReason = "day"      // messages: the customer/channel/day conversation
)

// InsightState is what became of a call's transcript, or of its AI
// insights, as an operator reads it in a decision record. It says more than
// the item's Enrichment (which only drives the late-insight loop): whether
// the insight was written with the call, switched off, not licensed, or
// never existed.
type InsightState string

// Transcript and AI states of a decision.
const (
	InsightIncluded    InsightState = "included"     // written with the call
	InsightPending     InsightState = "pending"      // logged without it; looking for it later
	InsightAdded       InsightState = "added"        // added later as a note
	InsightOff         InsightState = "off"          // LOG_TRANSCRIPTS / LOG_AI_INSIGHTS=false
	InsightNotLicensed InsightState = "not_licensed" // the Aircall add-on is off (403)
	InsightGaveUp      InsightState = "gave_up"      // never came before ENRICHMENT_MAX_AGE
	InsightNone        InsightState = "none"         // the call has none (e.g. missed call)
)

// Decision is the compact record of how an item was decided, written at
// decision time so that explain shows what was true then, not what Help
// Scout looks like now.
type Decision struct {
	Instance  string
	Kind      Kind
	SourceID  string
	DecidedAt time.Time // zero: set to now by PutDecision

	Candidates   []int64 // Help Scout customers whose phone matched, in the order considered
	CustomerRule CustomerRule
	CustomerID   int64 // 0 when none was chosen (skip_duplicates)

	ConversationReason ConversationReason
	ConversationID     int64
	Reassigned         bool  // REASSIGN moved an existing conversation to AssigneeID
	AssigneeID         int64 // Help Scout user the conversation was assigned to (0: unchanged/unassigned)
	ThreadID           int64
	NoteThreadID       int64

	Transcript, AI InsightState
	Looks          int       // times Aircall was asked for late transcript/AI
	LastLookAt     time.Time // zero: never looked
	Note           string    // free human detail, e.g. why no candidate matched
}

func (d Decision) validate() error {
	switch {
	case d.Instance == "" || d.SourceID == "":
		return errors.New("empty instance or source id")
	case d.Kind != KindCall && d.Kind != KindMessage:
		return fmt.Errorf("unknown kind %q", d.Kind)
	}
	switch d.CustomerRule {
	case "", RuleOneMatch, RuleMostRecent, RuleSkipDuplicates, RuleCreated, RuleAnonymous:
	default:
		return fmt.Errorf("unknown customer rule %q", d.CustomerRule)
	}
	switch d.ConversationReason {
	case "", ConversationNew, ConversationExisting, ConversationReopened, ConversationDay:
	default:
		return fmt.Errorf("unknown conversation reason %q", d.ConversationReason)
	}
	return nil
}

const decisionColumns = `instance, kind, source_id, decided_at, customer_rule, candidates, customer_id,
	conversation_reason, conversation_id, reassigned, assignee_id, thread_id, note_thread_id,
	transcript, ai, looks, last_look_at, note`

// PutDecision records (or replaces) the decision of an item. The reconciler
// calls it when it has chosen the customer and the conversation, in the same
// breath as the ledger write, so a later change in Help Scout cannot rewrite
// why the item went where it went.
func (s *Store) PutDecision(ctx context.Context, d Decision) error {
	if err := d.validate(); err != nil {
		return fmt.Errorf("store: put decision: %w", err)
	}
	if d.DecidedAt.IsZero() {
		d.DecidedAt = s.now()
	}
	cands := d.Candidates
	if cands == nil {
		cands = []int64{}
	}
	cj, err := json.Marshal(cands)
	if err != nil {
		return fmt.Errorf("store: put decision: %w", err)
	}
	_, err = s.exec(ctx, `INSERT OR REPLACE INTO item_decisions (`+decisionColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		d.Instance, d.Kind, d.SourceID, unix(d.DecidedAt), d.CustomerRule, string(cj), d.CustomerID,
		d.ConversationReason, d.ConversationID, d.Reassigned, d.AssigneeID, d.ThreadID, d.NoteThreadID,
		d.Transcript, d.AI, d.Looks, unix(d.LastLookAt), d.Note)
	if err != nil {
		return fmt.Errorf("store: put decision %s/%s/%s: %w", d.Instance, d.Kind, d.SourceID, err)
	}
	return nil
}

// InsightLook is what one look at Aircall for an item's transcript/AI left:
// the state of each ("" keeps it as it was).
type InsightLook struct {
	Transcript, AI InsightState
}

// NoteInsightsLook records one look at Aircall for an item's late
// transcript/AI and the states it left. It is a no-op for an item without a
// decision record.
func (s *Store) NoteInsightsLook(ctx context.Context, instance string, kind Kind, sourceID string, look InsightLook) error {
	transcript, ai := look.Transcript, look.AI
	_, err := s.exec(ctx, `UPDATE item_decisions SET looks = looks + 1, last_look_at = ?,
		transcript = CASE WHEN ? = '' THEN transcript ELSE ? END,
		ai = CASE WHEN ? = '' THEN ai ELSE ? END
		WHERE instance = ? AND kind = ? AND source_id = ?`,
		s.now().Unix(), transcript, transcript, ai, ai, instance, kind, sourceID)
	if err != nil {
		return fmt.Errorf("store: note insights look %s/%s/%s: %w", instance, kind, sourceID, err)
	}
	return nil
}

// GetDecision returns the decision record of an item, ok=false when none was
// recorded (items decided before decisions were recorded have none).
func (s *Store) GetDecision(ctx context.Context, instance string, kind Kind, sourceID string) (Decision, bool, error) {
	var d Decision
	var decided, lastLook int64
	var cands string
	err := s.queryRow(ctx, `SELECT `+decisionColumns+` FROM item_decisions
		WHERE instance = ? AND kind = ? AND source_id = ?`, instance, kind, sourceID).Scan(
		&d.Instance, &d.Kind, &d.SourceID, &decided, &d.CustomerRule, &cands, &d.CustomerID,
		&d.ConversationReason, &d.ConversationID, &d.Reassigned, &d.AssigneeID, &d.ThreadID, &d.NoteThreadID,
		&d.Transcript, &d.AI, &d.Looks, &lastLook, &d.Note)
	if errors.Is(err, sql.ErrNoRows) {
		return Decision{}, false, nil
	}
	if err != nil {
		return Decision{}, false, fmt.Errorf("store: get decision %s/%s/%s: %w", instance, kind, sourceID, err)
	}
	d.DecidedAt, d.LastLookAt = fromUnix(decided), fromUnix(lastLook)
	if err := json.Unmarshal([]byte(cands), &d.Candidates); err != nil {
		return Decision{}, false, fmt.Errorf("store: get decision %s/%s/%s: candidates: %w", instance, kind, sourceID, err)
	}
	return d, true, nil
}
