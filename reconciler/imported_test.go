package reconciler_test

import (
	"encoding/json"
	"regexp"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/aircall-helpscout/aircall-helpscout/clients/helpscout"
	"github.com/aircall-helpscout/aircall-helpscout/clients/helpscout/helpscouttest"
	"github.com/aircall-helpscout/aircall-helpscout/reconciler"
	"github.com/aircall-helpscout/aircall-helpscout/reconciler/reconcilertest"
	"github.com/aircall-helpscout/aircall-helpscout/rules"
)

// hsWrite is what the tests read of a Help Scout create request body.
type hsWrite struct {
	kind      string // "conversation", "phones", "notes"
	Imported  bool   `json:"imported"`
	CreatedAt string `json:"createdAt"`
	Type      string `json:"type"`
	Threads   []struct {
		Type      string `json:"type"`
		Imported  bool   `json:"imported"`
		CreatedAt string `json:"createdAt"`
	} `json:"threads"`
}

var threadPath = regexp.MustCompile(`^/v2/conversations/\d+/(phones|notes)$`)

// hsWrites returns the conversation and thread creates Help Scout received.
func hsWrites(t *testing.T, reqs []helpscouttest.Request) []hsWrite {
	t.Helper()
	var out []hsWrite
	for _, r := range reqs {
		if r.Method != "POST" {
			continue
		}
		var w hsWrite
		switch m := threadPath.FindStringSubmatch(r.Path); {
		case r.Path == "/v2/conversations":
			w.kind = "conversation"
		case m != nil:
			w.kind = m[1]
		default:
			continue
		}
		if err := json.Unmarshal(r.Body, &w); err != nil {
			t.Fatalf("%s %s: %v", r.Method, r.Path, err)
		}
		out = append(out, w)
	}
	return out
}

// Every write is imported, so that no email or notification goes to the
// customer (docs/rules.md#imported-writes). Back-filled calls (run --since) are the
// ones that most need it, and their threads carry the call's own time, not
// the time of the catch-up; so do notes added later (the late-insights note
// is dated at the call's end, not at the pass that found it).
func TestBackfilledCallWritesAreImported(t *testing.T) {
	tests := []struct {
		name  string
		conv  rules.ConversationPolicy
		seed  string // "": none, "active", "closed" (3h before the call)
		ready bool   // insights ready at back-fill time
		late  bool   // insights come later, added by a scheduled pass
		want  []string
	}{
		{"new conversation with the note inline", rules.ConversationPolicy{Mode: rules.ModeNew}, "", true, false,
			[]string{"conversation"}},
		{"existing conversation, phone thread then note", rules.ConversationPolicy{Mode: rules.ModeExisting}, "active", true, false,
			[]string{"phones", "notes"}},
		{"reopened conversation", rules.ConversationPolicy{Mode: rules.ModeExisting, ReopenClosed: true}, "closed", false, false,
			[]string{"phones"}},
		{"late note after the back-fill", rules.ConversationPolicy{Mode: rules.ModeNew}, "", false, true,
			[]string{"conversation", "notes"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			e := reconcilertest.New(t)
			e.Instance.Conversation = tt.conv
			cust := e.Customer("Marta", "Ruiz", 100*time.Hour, "+34612345678")
			call := e.AddCall(1, "+34 612 34 56 78", 20*time.Hour) // outside the scheduled window, within ENRICHMENT_MAX_AGE
			start := time.Unix(call.StartedAt, 0)
			switch tt.seed {
			case "active":
				e.HS.AddConversation(helpscouttest.SeedConversation{Subject: "earlier", Status: "active", MailboxID: reconcilertest.MailboxID,
					CustomerID: cust, CreatedAt: start.Add(-50 * time.Hour)})
			case "closed":
				e.HS.AddConversation(helpscouttest.SeedConversation{Subject: "earlier", Status: "closed", MailboxID: reconcilertest.MailboxID,
					CustomerID: cust, CreatedAt: start.Add(-50 * time.Hour), ClosedAt: start.Add(-3 * time.Hour)})
			}
			if tt.ready {
				e.ReadyAI(1)
			}
			e.HS.ResetRequests()
			e.Pass(reconciler.PassOptions{Since: e.Clock.Now().Add(-48 * time.Hour), Until: e.Clock.Now().Add(-time.Hour)})
			th, _ := e.PhoneThreads(1)
			is.Equal(len(th), 1)
			if tt.late {
				e.ReadyAI(1)
				e.Clock.Advance(5 * time.Minute)
				e.Pass() // scheduled: adds the late note
			}
			is.Equal(len(e.Notes(1)), map[bool]int{true: 1, false: 0}[tt.ready || tt.late])

			writes := hsWrites(t, e.HS.Requests())
			var kinds []string
			for _, w := range writes {
				kinds = append(kinds, w.kind)
			}
			is.Equal(kinds, tt.want)
			callTime := helpscout.FormatTime(start)
			for _, w := range writes {
				is.True(w.Imported) // every create is imported
				switch w.kind {
				case "conversation":
					is.Equal(w.CreatedAt, callTime) // dated at the call, not at the catch-up
					is.Equal(len(w.Threads), map[bool]int{true: 2, false: 1}[tt.ready])
					for _, th := range w.Threads {
						is.True(th.Imported)
					}
					is.Equal(w.Threads[0].Type, "phone")
					is.Equal(w.Threads[0].CreatedAt, callTime)
					if tt.ready {
						is.Equal(w.Threads[1].Type, "note")
						is.Equal(w.Threads[1].CreatedAt, helpscout.FormatTime(time.Unix(*call.EndedAt, 0)))
					}
				case "phones":
					is.Equal(w.CreatedAt, callTime)
				case "notes": // a separate note, immediate or late, sits right after its phone thread
					is.Equal(w.CreatedAt, helpscout.FormatTime(time.Unix(*call.EndedAt, 0)))
				}
			}
		})
	}
}
