package rules

import (
	"strings"
	"time"
)

// Mode is an instance's conversation mode (CONVERSATION_MODE): a new
// conversation per call, or the customer's open one
// (docs/rules.md#conversation-mode-new, #conversation-mode-existing).
type Mode string

// Conversation modes (CONVERSATION_MODE).
const (
	ModeNew      Mode = "new"
	ModeExisting Mode = "existing"
)

// ReopenWindow is how recently a conversation must have been closed, before
// the call started, to be reopened with REOPEN_CLOSED=true (the guide's 48 h):
// closed in [start − 48 h, start], never after the call started.
const ReopenWindow = 48 * time.Hour

// Conversation is what the rules need to know of a Help Scout conversation.
type Conversation struct {
	ID         int64
	MailboxID  int64
	CustomerID int64  // primary customer
	Status     string // active, pending, closed, spam
	Tags       []string
	ClosedAt   time.Time
	UpdatedAt  time.Time // userUpdatedAt (fallback createdAt)
	Threads    int
}

// Action is what the conversation rule decided to do with an item.
type Action string

// Conversation actions.
const (
	ActionNew      Action = "new"      // create a new conversation
	ActionExisting Action = "existing" // log into an open conversation
	ActionReopen   Action = "reopen"   // log into a recently closed one and make it active
)

// ConversationChoice is the outcome of the conversation rule.
type ConversationChoice struct {
	Action         Action
	ConversationID int64 // 0 for ActionNew
}

// ConversationPolicy holds the instance settings the conversation rule reads.
type ConversationPolicy struct {
	Mode         Mode
	ReopenClosed bool
	MailboxID    int64
}

// MaxThreads is where we stop adding threads to a conversation: Help Scout
// refuses the 100th (412 at 99), and a note may follow the phone thread.
const MaxThreads = 95

// ChooseConversation applies the conversation rules
// (docs/rules.md#conversation-mode-existing, #reopen-closed) for a call of customerID
// that started at callStart. candidates are the customer's conversations as
// listed from Help Scout (any mailbox, any status); the rule filters them.
func ChooseConversation(p ConversationPolicy, customerID int64, callStart time.Time, candidates []Conversation) ConversationChoice {
	if p.Mode != ModeExisting {
		return ConversationChoice{Action: ActionNew}
	}
	var open, reopen *Conversation
	for i := range candidates {
		c := &candidates[i]
		if c.MailboxID != p.MailboxID || c.CustomerID != customerID || hasSpamTag(c.Tags) || c.Threads >= MaxThreads {
			continue
		}
		switch strings.ToLower(c.Status) {
		case "active", "pending", "open":
			if open == nil || c.UpdatedAt.After(open.UpdatedAt) || (c.UpdatedAt.Equal(open.UpdatedAt) && c.ID > open.ID) {
				open = c
			}
		case "closed":
			if !p.ReopenClosed || c.ClosedAt.IsZero() {
				continue
			}
			// REOPEN_CLOSED reopens a conversation closed less than 48 h
			// before the call started (docs/rules.md#reopen-closed), so
			// 0 <= age < 48 h. A conversation closed after
			// the call started was not closed before it: a back-filled
			// call from last month must not reopen what an agent closed
			// yesterday.
			if age := callStart.Sub(c.ClosedAt); age < 0 || age >= ReopenWindow {
				continue
			}
			if reopen == nil || c.ClosedAt.After(reopen.ClosedAt) || (c.ClosedAt.Equal(reopen.ClosedAt) && c.ID > reopen.ID) {
				reopen = c
			}
		}
	}
	switch {
	case open != nil:
		return ConversationChoice{Action: ActionExisting, ConversationID: open.ID}
	case reopen != nil:
		return ConversationChoice{Action: ActionReopen, ConversationID: reopen.ID}
	}
	return ConversationChoice{Action: ActionNew}
}

func hasSpamTag(tags []string) bool {
	for _, t := range tags {
		if strings.EqualFold(strings.TrimSpace(t), "spam") {
			return true
		}
	}
	return false
}

// AssignChoice says what to do with a conversation's assignee.
type AssignChoice struct {
	Change bool  // false: leave the assignee as it is
	UserID int64 // the user to assign (0 with Change=false)
}

// ChooseAssignee applies REASSIGN (docs/rules.md#reassign). agentUserID is the Help Scout user
// whose email matches the Aircall agent (0 if none). New conversations are
// assigned at creation (see NewConversationAssignee), so this only concerns
// existing and reopened ones.
func ChooseAssignee(reassign bool, action Action, agentUserID, currentAssignee int64) AssignChoice {
	if action == ActionNew || !reassign || agentUserID == 0 || agentUserID == currentAssignee {
		return AssignChoice{}
	}
	return AssignChoice{Change: true, UserID: agentUserID}
}

// NewConversationAssignee is who a new conversation is assigned to: the agent's
// Help Scout user when there is one, else nobody (0), whatever REASSIGN says.
func NewConversationAssignee(agentUserID int64) int64 { return agentUserID }
