package rules

import (
	"testing"
	"time"

	"github.com/matryer/is"
)

func TestChooseConversation(t *testing.T) {
	call := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	const mb, cust = 5, 42
	conv := func(id int64, status string, updated time.Duration, mods ...func(*Conversation)) Conversation {
		c := Conversation{ID: id, MailboxID: mb, CustomerID: cust, Status: status, UpdatedAt: call.Add(updated)}
		for _, m := range mods {
			m(&c)
		}
		return c
	}
	closedAgo := func(d time.Duration) func(*Conversation) {
		return func(c *Conversation) { c.ClosedAt = call.Add(-d) }
	}
	tagged := func(tags ...string) func(*Conversation) { return func(c *Conversation) { c.Tags = tags } }
	other := func(c *Conversation) { c.MailboxID = 6 }
	full := func(c *Conversation) { c.Threads = 99 }
	existing := ConversationPolicy{Mode: ModeExisting, MailboxID: mb}
	reopen := ConversationPolicy{Mode: ModeExisting, MailboxID: mb, ReopenClosed: true}

	tests := []struct {
		name  string
		p     ConversationPolicy
		convs []Conversation
		want  ConversationChoice
	}{
		{"new mode ignores open ones", ConversationPolicy{Mode: ModeNew, MailboxID: mb}, []Conversation{conv(1, "active", 0)}, ConversationChoice{Action: ActionNew}},
		{"none", existing, nil, ConversationChoice{Action: ActionNew}},
		{"active", existing, []Conversation{conv(1, "active", 0)}, ConversationChoice{ActionExisting, 1}},
		{"pending counts as open", existing, []Conversation{conv(1, "pending", 0)}, ConversationChoice{ActionExisting, 1}},
		{"most recently updated", existing, []Conversation{conv(1, "active", -time.Hour), conv(2, "pending", -time.Minute), conv(3, "active", -2*time.Hour)}, ConversationChoice{ActionExisting, 2}},
		{"spam tag excluded", existing, []Conversation{conv(1, "active", 0, tagged("vip", "Spam"))}, ConversationChoice{Action: ActionNew}},
		{"spam status excluded", existing, []Conversation{conv(1, "spam", 0)}, ConversationChoice{Action: ActionNew}},
		{"other mailbox excluded", existing, []Conversation{conv(1, "active", 0, other)}, ConversationChoice{Action: ActionNew}},
		{"full conversation excluded", existing, []Conversation{conv(1, "active", 0, full)}, ConversationChoice{Action: ActionNew}},
		{"closed without reopen", existing, []Conversation{conv(1, "closed", 0, closedAgo(time.Hour))}, ConversationChoice{Action: ActionNew}},
		{"closed 1h ago reopened", reopen, []Conversation{conv(1, "closed", 0, closedAgo(time.Hour))}, ConversationChoice{ActionReopen, 1}},
		{"closed 47h ago reopened", reopen, []Conversation{conv(1, "closed", 0, closedAgo(47*time.Hour))}, ConversationChoice{ActionReopen, 1}},
		{"closed 48h ago not reopened", reopen, []Conversation{conv(1, "closed", 0, closedAgo(48*time.Hour))}, ConversationChoice{Action: ActionNew}},
		{"closed 48h-1s ago reopened", reopen, []Conversation{conv(1, "closed", 0, closedAgo(48*time.Hour-time.Second))}, ConversationChoice{ActionReopen, 1}},
		{"closed as the call started reopened", reopen, []Conversation{conv(1, "closed", 0, closedAgo(0))}, ConversationChoice{ActionReopen, 1}},
		{"closed 1s after the call started not reopened", reopen, []Conversation{conv(1, "closed", 0, closedAgo(-time.Second))}, ConversationChoice{Action: ActionNew}},
		{"closed a day after a back-filled call not reopened", reopen, []Conversation{conv(1, "closed", 0, closedAgo(-24*time.Hour))}, ConversationChoice{Action: ActionNew}},
		{"closed after the call: earlier closed one in window wins", reopen, []Conversation{conv(1, "closed", 0, closedAgo(-time.Hour)), conv(2, "closed", 0, closedAgo(3*time.Hour))}, ConversationChoice{ActionReopen, 2}},
		{"closed without a close time not reopened", reopen, []Conversation{conv(1, "closed", 0)}, ConversationChoice{Action: ActionNew}},
		{"closed spam-tagged not reopened", reopen, []Conversation{conv(1, "closed", 0, closedAgo(time.Hour), tagged("spam"))}, ConversationChoice{Action: ActionNew}},
		{"open beats recent closed", reopen, []Conversation{conv(1, "closed", 0, closedAgo(time.Hour)), conv(2, "active", -10*time.Hour)}, ConversationChoice{ActionExisting, 2}},
		{"latest closed wins", reopen, []Conversation{conv(1, "closed", 0, closedAgo(5*time.Hour)), conv(2, "closed", 0, closedAgo(2*time.Hour))}, ConversationChoice{ActionReopen, 2}},
		{"other customer excluded", existing, []Conversation{{ID: 9, MailboxID: mb, CustomerID: 7, Status: "active"}}, ConversationChoice{Action: ActionNew}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			is.Equal(ChooseConversation(tt.p, cust, call, tt.convs), tt.want)
		})
	}
}

func TestChooseAssignee(t *testing.T) {
	tests := []struct {
		name            string
		reassign        bool
		action          Action
		agent, assignee int64
		want            AssignChoice
	}{
		{"reassign off", false, ActionExisting, 7, 3, AssignChoice{}},
		{"reassign to agent", true, ActionExisting, 7, 3, AssignChoice{true, 7}},
		{"reopen reassigns", true, ActionReopen, 7, 0, AssignChoice{true, 7}},
		{"no matching user leaves it", true, ActionExisting, 0, 3, AssignChoice{}},
		{"already assigned", true, ActionExisting, 7, 7, AssignChoice{}},
		{"new conversations are assigned at creation", true, ActionNew, 7, 0, AssignChoice{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			is.Equal(ChooseAssignee(tt.reassign, tt.action, tt.agent, tt.assignee), tt.want)
		})
	}
	is := is.New(t)
	is.Equal(NewConversationAssignee(0), int64(0))
	is.Equal(NewConversationAssignee(9), int64(9))
}
