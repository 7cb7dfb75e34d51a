package status

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aircall-helpscout/aircall-helpscout/rules"
	"github.com/aircall-helpscout/aircall-helpscout/store"
)

// Explanation is one item's story in words and IDs: what `explain` prints
// (its --json output is exactly this) and what the status item page shows.
// It is built from the database only.
type Explanation struct {
	Instance   string        `json:"instance"`
	Kind       store.Kind    `json:"kind"`
	ID         string        `json:"id"`
	State      store.State   `json:"state"`
	Outcome    store.Outcome `json:"outcome"`
	Reason     string        `json:"reason"` // why the item is where it is, in one sentence
	Detail     string        `json:"detail,omitempty"`
	OccurredAt *time.Time    `json:"occurred_at"`
	FirstSeen  time.Time     `json:"first_seen"`
	LastChange time.Time     `json:"last_change"`
	Attempts   int           `json:"attempts"`
	LastError  string        `json:"last_error,omitempty"`
	AircallURL string        `json:"aircall_url,omitempty"`

	Customer     *CustomerChoice     `json:"customer"`
	Conversation *ConversationChoice `json:"conversation"`
	Insights     *Insights           `json:"insights"`
	DecidedAt    *time.Time          `json:"decided_at"`
	DecisionNote string              `json:"decision_note,omitempty"`

	History []HistoryEntry `json:"history"`
	Writes  []Write        `json:"writes"`
	Retry   *RetryInfo     `json:"retry"`
	// Card is the call's insight card (calls only; nil when none was
	// handled: outbound, cards off, or call.created never received).
	Card *CardInfo `json:"insight_card,omitempty"`
}

// CardInfo says whether the call's insight card was sent, and when.
type CardInfo struct {
	State      string     `json:"state"` // sending, sent, dropped_late, failed, skipped_anonymous
	ReceivedAt time.Time  `json:"received_at"`
	FinishedAt *time.Time `json:"finished_at"`
	LatencyMS  int64      `json:"latency_ms,omitempty"`
	CustomerID int64      `json:"customer_id,omitempty"`
	Error      string     `json:"error,omitempty"`
	Text       string     `json:"text"`
}

// CustomerChoice says which Help Scout customer the item went to and why.
type CustomerChoice struct {
	ID         int64              `json:"id"`
	Rule       store.CustomerRule `json:"rule"`
	Why        string             `json:"why"`
	Candidates []int64            `json:"candidates"`
}

// ConversationChoice says which conversation the item went into and why.
type ConversationChoice struct {
	ID           int64                    `json:"id"`
	URL          string                   `json:"url,omitempty"`
	Reason       store.ConversationReason `json:"reason"`
	Why          string                   `json:"why"`
	Reassigned   bool                     `json:"reassigned"`
	AssigneeID   int64                    `json:"assignee_id,omitempty"`
	ThreadID     int64                    `json:"thread_id,omitempty"`
	NoteThreadID int64                    `json:"note_thread_id,omitempty"`
}

// Insights is the transcript/AI state of a call.
type Insights struct {
	Enrichment store.Enrichment   `json:"enrichment"`
	Transcript store.InsightState `json:"transcript,omitempty"`
	AI         store.InsightState `json:"ai,omitempty"`
	Looks      int                `json:"looks"`
	LastLookAt *time.Time         `json:"last_look_at"`
	Why        string             `json:"why"`
}

// HistoryEntry is one event of the item, oldest first.
type HistoryEntry struct {
	At       time.Time       `json:"at"`
	Event    store.EventKind `json:"event"`
	State    store.State     `json:"state"`
	Outcome  string          `json:"outcome,omitempty"`
	Attempts int             `json:"attempts"`
	Error    string          `json:"error,omitempty"`
	Text     string          `json:"text"`
}

// Write is one Help Scout write of the item's journal.
type Write struct {
	At       time.Time `json:"at"`
	Action   string    `json:"action"`
	TargetID int64     `json:"target_id,omitempty"`
	ResultID int64     `json:"result_id,omitempty"`
	Done     bool      `json:"done"`
	Text     string    `json:"text"`
}

// RetryInfo is the item's latest retry request.
type RetryInfo struct {
	RequestedAt time.Time  `json:"requested_at"`
	Pending     bool       `json:"pending"`
	DoneAt      *time.Time `json:"done_at"`
}

// ItemPath is the status page of one item, relative to the site root.
func ItemPath(instance string, kind store.Kind, id string) string {
	return "/status/item/" + url.PathEscape(instance) + "/" + url.PathEscape(string(kind)) + "/" + url.PathEscape(id)
}

// Explain turns a story from the store into an Explanation.
func Explain(st store.Story) Explanation {
	it := st.Item
	e := Explanation{
		Instance: it.Instance, Kind: it.Kind, ID: it.SourceID, State: it.State, Outcome: it.Outcome,
		Detail: it.Detail, OccurredAt: timePtr(it.OccurredAt), FirstSeen: it.CreatedAt, LastChange: it.UpdatedAt,
		Attempts: it.Attempts, LastError: it.LastError,
		History: []HistoryEntry{}, Writes: []Write{},
	}
	if it.Kind == store.KindCall {
		if id, err := strconv.ParseInt(it.SourceID, 10, 64); err == nil {
			e.AircallURL = rules.DashboardLink(id)
		}
	}
	d := st.Decision
	if d != nil {
		e.DecidedAt, e.DecisionNote = timePtr(d.DecidedAt), d.Note
	}
	e.Customer = customerChoice(it, d)
	e.Conversation = conversationChoice(it, d)
	if it.Kind == store.KindCall {
		e.Insights = insights(it, d)
	}
	for _, h := range st.History {
		e.History = append(e.History, HistoryEntry{At: h.At, Event: h.Event, State: h.State, Outcome: h.Outcome,
			Attempts: h.Attempts, Error: h.Error, Text: historyText(h)})
	}
	for _, w := range st.Writes {
		e.Writes = append(e.Writes, Write{At: w.CreatedAt, Action: w.Action, TargetID: w.TargetID,
			ResultID: w.ResultID, Done: w.Done, Text: writeText(w)})
	}
	if st.Retry != nil {
		e.Retry = &RetryInfo{RequestedAt: st.Retry.RequestedAt, Pending: st.Retry.Pending(), DoneAt: timePtr(st.Retry.DoneAt)}
	}
	e.Reason = reason(it, e.Conversation)
	e.Card = cardInfo(st.Card)
	return e
}

// ExplainCard explains a call known only by its insight card: call.created
// came and the card was handled, but no pass has read the call yet (it is
// still ringing, or the next pass has not run).
func ExplainCard(c store.Card) Explanation {
	id := strconv.FormatInt(c.CallID, 10)
	return Explanation{Instance: c.Instance, Kind: store.KindCall, ID: id, State: "not in the ledger",
		Reason:    "no pass has read this call yet (it may still be ringing); only its insight card is recorded",
		FirstSeen: c.ReceivedAt, LastChange: c.ReceivedAt, AircallURL: rules.DashboardLink(c.CallID),
		History: []HistoryEntry{}, Writes: []Write{}, Card: cardInfo(&c)}
}

var cardWhy = map[string]string{
	store.CardSending:          "being sent, or serve stopped while sending it (never sent again: it may have gone out)",
	store.CardSent:             "sent to the Aircall app",
	store.CardDroppedLate:      "dropped: too late to be useful",
	store.CardFailed:           "not sent: it failed",
	store.CardSkippedAnonymous: "none: anonymous or unreadable caller number",
}

func cardInfo(c *store.Card) *CardInfo {
	if c == nil {
		return nil
	}
	ci := &CardInfo{State: c.State, ReceivedAt: c.ReceivedAt, FinishedAt: timePtr(c.FinishedAt),
		LatencyMS: c.Latency().Milliseconds(), CustomerID: c.CustomerID, Error: c.Error}
	ci.Text = cardWhy[c.State]
	if ci.Text == "" {
		ci.Text = c.State
	}
	if ci.FinishedAt != nil && c.State != store.CardSkippedAnonymous {
		ci.Text += fmt.Sprintf(", %s after the webhook", c.Latency().Round(time.Millisecond))
	}
	if c.Error != "" {
		ci.Text += " (" + c.Error + ")"
	}
	return ci
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// Reason is the one-sentence answer to "why is this item where it is".
func reason(it store.Item, conv *ConversationChoice) string {
	switch it.State {
	case store.StateLogged:
		if conv != nil && conv.ID != 0 {
			return fmt.Sprintf("logged in Help Scout conversation %d (%s)", conv.ID, conv.Why)
		}
		return "logged in Help Scout"
	case store.StateSkipped:
		return "nothing logged on purpose: " + string(it.Outcome)
	case store.StateWaiting:
		switch it.Outcome {
		case store.OutcomeInProgress:
			return "the call is not finished in Aircall yet; the next pass looks again"
		case store.OutcomeWaitingEnrichment:
			return "the call is finished; waiting for its transcript/AI before logging it (at most ENRICHMENT_WAIT)"
		}
		return "not final yet; the next pass looks again"
	case store.StateFailed:
		if it.Outcome == store.OutcomeRetryRequested {
			return "an operator asked for a retry: the next pass tries again, whatever the item's age"
		}
		return fmt.Sprintf("the last attempt failed (%d so far); later passes try again before parking it", it.Attempts)
	case store.StateParked:
		return fmt.Sprintf("parked after %d failed attempts: no pass tries again until `aircall-helpscout retry %s` once the cause is fixed",
			it.Attempts, it.SourceID)
	}
	return string(it.State)
}

var ruleWhy = map[store.CustomerRule]string{
	store.RuleOneMatch:       "the only Help Scout customer with this number",
	store.RuleMostRecent:     "several customers share the number; DUPLICATES=most_recent chose the newest",
	store.RuleSkipDuplicates: "several customers share the number; DUPLICATES=skip logs nothing",
	store.RuleCreated:        "no customer had the number: one was created carrying it",
	store.RuleAnonymous:      "anonymous or unreadable number: the instance's customer for unknown callers",
}

func customerChoice(it store.Item, d *store.Decision) *CustomerChoice {
	if d == nil || d.CustomerRule == "" {
		if it.CustomerID == 0 {
			return nil
		}
		return &CustomerChoice{ID: it.CustomerID, Candidates: []int64{},
			Why: "no decision record (decided before this version recorded them)"}
	}
	c := &CustomerChoice{ID: d.CustomerID, Rule: d.CustomerRule, Why: ruleWhy[d.CustomerRule], Candidates: d.Candidates}
	if c.Candidates == nil {
		c.Candidates = []int64{}
	}
	if c.ID == 0 {
		c.ID = it.CustomerID
	}
	return c
}

var conversationWhy = map[store.ConversationReason]string{
	store.ConversationNew:      "a new conversation",
	store.ConversationExisting: "the customer's open conversation, most recently updated",
	store.ConversationReopened: "reopened: the customer's conversation closed less than 48 h before the call",
	store.ConversationDay:      "the customer's conversation of that channel and day",
}

func conversationChoice(it store.Item, d *store.Decision) *ConversationChoice {
	c := &ConversationChoice{ID: it.ConversationID, ThreadID: it.ThreadID, NoteThreadID: it.NoteThreadID}
	if d != nil {
		if d.ConversationID != 0 && c.ID == 0 {
			c.ID = d.ConversationID
		}
		c.Reason, c.Reassigned, c.AssigneeID = d.ConversationReason, d.Reassigned, d.AssigneeID
		if c.ThreadID == 0 {
			c.ThreadID = d.ThreadID
		}
		if c.NoteThreadID == 0 {
			c.NoteThreadID = d.NoteThreadID
		}
	}
	if c.Reason == "" {
		// Older items: the ledger's outcome names the conversation rule.
		switch it.Outcome {
		case store.OutcomeNewConversation:
			c.Reason = store.ConversationNew
		case "existing_conversation":
			c.Reason = store.ConversationExisting
		case "reopened_conversation":
			c.Reason = store.ConversationReopened
		}
	}
	if c.ID == 0 && c.Reason == "" {
		return nil
	}
	c.Why = conversationWhy[c.Reason]
	if c.Why == "" {
		c.Why = "reason not recorded"
	}
	if c.Reassigned {
		c.Why += fmt.Sprintf("; REASSIGN gave it to Help Scout user %d", c.AssigneeID)
	}
	if c.ID != 0 {
		c.URL = rules.ConversationURL(c.ID)
	}
	return c
}

func insights(it store.Item, d *store.Decision) *Insights {
	in := &Insights{Enrichment: it.Enrichment}
	if d != nil {
		in.Transcript, in.AI, in.Looks, in.LastLookAt = d.Transcript, d.AI, d.Looks, timePtr(d.LastLookAt)
	}
	switch it.Enrichment {
	case store.EnrichmentPending:
		in.Why = "logged without transcript/AI; they are added as a note when Aircall has them (until ENRICHMENT_MAX_AGE)"
	case store.EnrichmentDone:
		in.Why = "transcript/AI added"
	case store.EnrichmentGaveUp:
		in.Why = "transcript/AI never came before ENRICHMENT_MAX_AGE: logged without them"
	default:
		switch it.State {
		case store.StateLogged:
			in.Why = "nothing more to add"
		case store.StateWaiting:
			in.Why = "not logged yet"
		default:
			in.Why = "not applicable"
		}
	}
	if in.Looks > 0 {
		in.Why += fmt.Sprintf(" (%d look(s) at Aircall)", in.Looks)
	}
	return in
}

func historyText(h store.Event) string {
	switch h.Event {
	case store.EventAttempt:
		verb := "attempt failed"
		if h.State == store.StateParked {
			verb = "attempt failed; parked"
		}
		return fmt.Sprintf("%s (%d counted): %s", verb, h.Attempts, h.Error)
	case store.EventRetry:
		return fmt.Sprintf("retry requested (was %s after %d attempt(s))", h.State, h.Attempts)
	case store.EventEnrichment:
		s := "transcript/AI: " + h.Outcome
		if h.Error != "" {
			s += ": " + h.Error
		}
		return s
	}
	if h.Outcome != "" && h.Outcome != string(h.State) {
		return string(h.State) + ": " + h.Outcome
	}
	return string(h.State)
}

func writeText(w store.Intent) string {
	action := strings.ReplaceAll(w.Action, "_", " ")
	if w.TargetID != 0 {
		action += fmt.Sprintf(" (in %d)", w.TargetID)
	}
	switch {
	case !w.Done:
		return action + ": begun, not finished (a pass died or is running; the next one checks whether it landed)"
	case w.ResultID == store.IntentNotLanded:
		return action + ": did not land (checked after the failure)"
	case w.ResultID != 0:
		return fmt.Sprintf("%s: done, ID %d", action, w.ResultID)
	}
	return action + ": done"
}
