package store

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/matryer/is"
)

func TestDecisionRoundTripAndLooks(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	s, clock := openTemp(t)

	_, ok, err := s.GetDecision(ctx, "default", KindCall, "1")
	is.NoErr(err)
	is.True(!ok) // none recorded yet

	d := Decision{Instance: "default", Kind: KindCall, SourceID: "1",
		Candidates: []int64{11, 12}, CustomerRule: RuleMostRecent, CustomerID: 12,
		ConversationReason: ConversationReopened, ConversationID: 500, Reassigned: true, AssigneeID: 7,
		ThreadID: 501, Transcript: InsightPending, AI: InsightOff, Note: "two customers share +34 612"}
	is.NoErr(s.PutDecision(ctx, d))
	got, ok, err := s.GetDecision(ctx, "default", KindCall, "1")
	is.NoErr(err)
	is.True(ok)
	d.DecidedAt = clock.Now()
	is.Equal(got, d)

	clock.Add(time.Hour)
	is.NoErr(s.NoteInsightsLook(ctx, "default", KindCall, "1", InsightLook{Transcript: InsightAdded}))
	got, _, err = s.GetDecision(ctx, "default", KindCall, "1")
	is.NoErr(err)
	is.Equal(got.Looks, 1)
	is.Equal(got.LastLookAt, clock.Now())
	is.Equal(got.Transcript, InsightAdded)
	is.Equal(got.AI, InsightOff) // "" keeps it

	for name, bad := range map[string]Decision{
		"no instance": {Kind: KindCall, SourceID: "1"},
		"bad kind":    {Instance: "a", Kind: "fax", SourceID: "1"},
		"bad rule":    {Instance: "a", Kind: KindCall, SourceID: "1", CustomerRule: "guess"},
		"bad reason":  {Instance: "a", Kind: KindCall, SourceID: "1", ConversationReason: "why not"},
	} {
		t.Run(name, func(t *testing.T) {
			is := is.New(t)
			is.True(s.PutDecision(ctx, bad) != nil)
		})
	}
}

// TestHistoryRecordsEveryAttempt: the ledger's triggers keep each failed
// attempt with its time and error, state changes and enrichment changes,
// without the writer doing anything but PutItem.
func TestHistoryRecordsEveryAttempt(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	s, clock := openTemp(t)
	it := item("7", StateWaiting, t0)
	it.Outcome = "in_progress"
	is.NoErr(s.PutItem(ctx, it))
	is.NoErr(s.PutItem(ctx, it)) // same again: no event
	for i, msg := range []string{"helpscout: 400 bad email", "helpscout: 400 bad email", "helpscout: 500"} {
		clock.Add(5 * time.Minute)
		it.State, it.Outcome, it.Attempts, it.LastError = StateFailed, "failed", i+1, msg
		is.NoErr(s.PutItem(ctx, it))
	}
	clock.Add(5 * time.Minute)
	it.State, it.Outcome, it.LastError, it.Enrichment = StateLogged, "new_conversation", "", EnrichmentPending
	is.NoErr(s.PutItems(ctx, []Item{it}))
	clock.Add(5 * time.Minute)
	it.Enrichment = EnrichmentDone
	is.NoErr(s.PutItem(ctx, it))

	h, err := s.History(ctx, "default", KindCall, "7")
	is.NoErr(err)
	type ev struct {
		event    EventKind
		state    State
		outcome  string
		attempts int
		err      string
		min      int
	}
	want := []ev{
		{EventState, StateWaiting, "in_progress", 0, "", 0},
		{EventAttempt, StateFailed, "failed", 1, "helpscout: 400 bad email", 5},
		{EventAttempt, StateFailed, "failed", 2, "helpscout: 400 bad email", 10},
		{EventAttempt, StateFailed, "failed", 3, "helpscout: 500", 15},
		{EventState, StateLogged, "new_conversation", 3, "", 20},
		{EventEnrichment, StateLogged, string(EnrichmentPending), 3, "", 20},
		{EventEnrichment, StateLogged, string(EnrichmentDone), 3, "", 25},
	}
	var gotEv []ev
	for _, e := range h {
		gotEv = append(gotEv, ev{e.Event, e.State, e.Outcome, e.Attempts, e.Error, int(e.At.Sub(t0) / time.Minute)})
	}
	is.Equal(gotEv, want)
}

func TestRetryParkedKeepsHistoryAndListsRequested(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	s, clock := openTemp(t)
	old := t0.Add(-30 * 24 * time.Hour) // far behind any read window
	parked := item("100", StateParked, old)
	parked.Outcome, parked.Attempts, parked.LastError = "parked", 5, "helpscout: 400 customer.email invalid"
	failed := item("101", StateFailed, old)
	failed.Outcome, failed.Attempts, failed.LastError = "failed", 2, "helpscout: 500"
	logged := item("102", StateLogged, old)
	logged.Outcome = "new_conversation"
	other := parked
	other.Instance = "partners"
	is.NoErr(s.PutItems(ctx, []Item{parked, failed, logged, other}))

	clock.Add(time.Hour)
	res, err := s.Retry(ctx, RetryRequest{Instances: []string{"default"}, Parked: true})
	is.NoErr(err)
	is.Equal(len(res), 1) // only default's parked item
	is.True(res[0].Changed)
	is.Equal(res[0].ID, "100")
	is.Equal(res[0].Before.State, StateParked)

	got, _, err := s.GetItem(ctx, "default", KindCall, "100")
	is.NoErr(err)
	is.Equal(got.State, StateFailed)
	is.Equal(got.Outcome, OutcomeRetryRequested)
	is.Equal(got.Attempts, 0)                                        // a full set of attempts again
	is.Equal(got.LastError, "helpscout: 400 customer.email invalid") // kept
	is.True(!got.Final())

	req, err := s.RetryRequested(ctx, "default", KindCall)
	is.NoErr(err)
	is.Equal(len(req), 1)
	is.Equal(req[0].SourceID, "100")

	// Retrying by ID: failed changes, logged and unknown are explained.
	res, err = s.Retry(ctx, RetryRequest{Instances: []string{"default"}, IDs: []string{"101", "102", "999", "100"}})
	is.NoErr(err)
	is.Equal(len(res), 4)
	is.True(res[0].Changed)
	is.Equal(res[1].Reason, "already logged: nothing to retry")
	is.Equal(res[2].Reason, "not in the database")
	is.Equal(res[3].Reason, "retry already requested: the next pass takes it")

	// The next pass acts on 100: it lands. The request is done, the whole
	// story is kept.
	clock.Add(time.Hour)
	got.State, got.Outcome, got.LastError, got.ConversationID = StateLogged, "new_conversation", "", 42
	is.NoErr(s.PutItem(ctx, got))
	req, err = s.RetryRequested(ctx, "default", KindCall)
	is.NoErr(err)
	is.Equal(len(req), 1) // 101 still pending
	is.Equal(req[0].SourceID, "101")

	st, ok, err := s.ItemStory(ctx, "default", KindCall, "100")
	is.NoErr(err)
	is.True(ok)
	is.Equal(st.Item.ConversationID, int64(42))
	is.True(st.Retry != nil && !st.Retry.Pending())
	is.Equal(st.Retry.RequestedAt, t0.Add(time.Hour))
	var events []string
	for _, e := range st.History {
		events = append(events, string(e.Event)+":"+string(e.State))
	}
	is.Equal(events, []string{"attempt:parked", "retry:parked", "state:logged"})
	is.Equal(st.History[0].Error, "helpscout: 400 customer.email invalid")
	is.Equal(st.History[1].Attempts, 5) // attempts before the retry

	_, ok, err = s.ItemStory(ctx, "default", KindCall, "nope")
	is.NoErr(err)
	is.True(!ok)

	_, err = s.Retry(ctx, RetryRequest{Instances: []string{"default"}})
	is.True(err != nil && strings.Contains(err.Error(), "give either IDs or parked")) // neither ids nor parked
	_, err = s.Retry(ctx, RetryRequest{IDs: []string{"1"}})
	is.True(err != nil && strings.Contains(err.Error(), "no instance given"))
}

func TestAttentionItemsPerHourKnownInstancesFind(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	s, _ := openTemp(t)
	h0 := t0.Add(-3 * time.Hour).Truncate(time.Hour)
	items := []Item{
		item("1", StateLogged, h0.Add(time.Minute)),
		item("2", StateLogged, h0.Add(59*time.Minute)),
		item("3", StateWaiting, h0.Add(time.Hour)),
		item("4", StateFailed, h0.Add(2*time.Hour)),
		item("5", StateParked, h0.Add(2*time.Hour+time.Second)),
		item("6", StateLogged, h0.Add(-time.Hour)), // before the range
	}
	msg := item("1", StateLogged, h0)
	msg.Kind, msg.Instance = KindMessage, "partners"
	items = append(items, msg)
	is.NoErr(s.PutItems(ctx, items))

	att, err := s.Attention(ctx, "default", 10)
	is.NoErr(err)
	var ids []string
	for _, it := range att {
		ids = append(ids, it.SourceID+":"+string(it.State))
	}
	is.Equal(ids, []string{"5:parked", "4:failed", "3:waiting"})

	b, err := s.ItemsPerHour(ctx, "default", h0.Add(10*time.Minute), h0.Add(3*time.Hour+time.Minute))
	is.NoErr(err)
	is.Equal(len(b), 4)
	is.Equal(b[0].Start, h0)
	is.Equal(b[0].ByState, map[State]int{StateLogged: 2})
	is.Equal(b[1].ByState, map[State]int{StateWaiting: 1})
	is.Equal(b[2].ByState, map[State]int{StateFailed: 1, StateParked: 1})
	is.Equal(b[3].ByState, map[State]int{})
	all, err := s.ItemsPerHour(ctx, "", h0, h0.Add(time.Hour))
	is.NoErr(err)
	is.Equal(all[0].ByState, map[State]int{StateLogged: 3}) // partners' message too

	_, err = s.StartRun(ctx, Run{Instance: "partners", Mode: "scheduled"})
	is.NoErr(err)
	is.NoErr(s.AdvanceCursor(ctx, "default", StreamCalls, 1))
	known, err := s.KnownInstances(ctx)
	is.NoErr(err)
	is.Equal(known, []string{"default", "partners"})

	found, err := s.FindItems(ctx, "1", []string{"default", "partners"})
	is.NoErr(err)
	is.Equal(len(found), 2)
	is.Equal(found[1].Kind, KindMessage)
}
