package reconciler_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/aircall-helpscout/aircall-helpscout/clients/aircall"
	"github.com/aircall-helpscout/aircall-helpscout/reconciler/reconcilertest"
	"github.com/aircall-helpscout/aircall-helpscout/store"
)

// aiPaths counts the Aircall requests for each AI resource.
func aiPaths(e *reconcilertest.Env) map[string]int {
	n := map[string]int{}
	for _, r := range e.AC.Requests() {
		for _, s := range []string{"transcription", "summary", "topics", "sentiments", "action_items"} {
			if strings.HasSuffix(r.Path, "/"+s) {
				n[s]++
			}
		}
	}
	return n
}

func enrichmentOf(t *testing.T, e *reconcilertest.Env, callID string) store.Enrichment {
	t.Helper()
	it, ok, err := e.Store.GetItem(context.Background(), "default", "call", callID)
	if err != nil || !ok {
		t.Fatalf("ledger item %s: ok=%v err=%v", callID, ok, err)
	}
	return it.Enrichment
}

func transcriptOnly(e *reconcilertest.Env, callID int64) {
	e.AC.SetTranscription(callID, aircall.Transcription{CallID: callID, Type: "call", Language: "es",
		Utterances: []aircall.Utterance{
			{StartTime: 1, Text: "Hola, ¿en qué puedo ayudarle?", ParticipantType: "internal"},
			{StartTime: 4, Text: "Quiero cancelar mi pedido", ParticipantType: "external"},
		}})
}

// A call is logged without its insights after ENRICHMENT_WAIT and they are
// added as a note when they appear, until ENRICHMENT_MAX_AGE
// (docs/rules.md#late-insights). A
// transcript whose summary never comes must still be logged at the give-up
// point, not dropped because the summary was waited for.
func TestTranscriptReadySummaryNever(t *testing.T) {
	is := is.New(t)
	e := reconcilertest.New(t)
	e.Customer("Marta", "Ruiz", time.Hour, "+34612345678")
	e.AddCall(1, "+34 612 34 56 78", 30*time.Minute) // ended ~28 min ago: past ENRICHMENT_WAIT
	transcriptOnly(e, 1)

	e.Pass() // logged without: the summary is not there
	th, _ := e.PhoneThreads(1)
	is.Equal(len(th), 1)
	is.Equal(len(e.Notes(1)), 0)
	is.Equal(enrichmentOf(t, e, "1"), store.EnrichmentPending)

	e.Clock.Advance(12 * time.Hour)
	e.Pass() // still waiting for the summary, within ENRICHMENT_MAX_AGE
	is.Equal(len(e.Notes(1)), 0)
	is.Equal(enrichmentOf(t, e, "1"), store.EnrichmentPending)

	e.Clock.Advance(12 * time.Hour) // past ENRICHMENT_MAX_AGE after the call ended
	res := e.Pass()
	is.Equal(res.Instances["default"].Counts["late_insights_added"], 1)
	is.Equal(res.Instances["default"].Counts["late_insights_gave_up"], 0)
	notes := e.Notes(1)
	is.Equal(len(notes), 1) // the transcript, alone
	is.True(strings.Contains(notes[0].Body, "Quiero cancelar mi pedido"))
	is.True(!strings.Contains(notes[0].Body, "Summary"))
	is.Equal(enrichmentOf(t, e, "1"), store.EnrichmentDone)

	before := aiPaths(e)
	e.Clock.Advance(5 * time.Minute)
	e.Pass()
	is.Equal(aiPaths(e), before) // done: never asked again
	is.Equal(len(e.Notes(1)), 1)
}

// Nothing at all at the give-up point: one last look, then give up, no note.
func TestNothingReadyAtGiveUp(t *testing.T) {
	is := is.New(t)
	e := reconcilertest.New(t)
	e.AddCall(1, "+34 612 34 56 78", 30*time.Minute)
	e.Pass()
	is.Equal(enrichmentOf(t, e, "1"), store.EnrichmentPending)
	e.Clock.Advance(24 * time.Hour)
	before := aiPaths(e)
	res := e.Pass()
	is.Equal(res.Instances["default"].Counts["late_insights_gave_up"], 1)
	is.Equal(aiPaths(e)["transcription"], before["transcription"]+1) // the last look: one request
	is.Equal(aiPaths(e)["summary"], before["summary"])
	is.Equal(enrichmentOf(t, e, "1"), store.EnrichmentGaveUp)
	is.Equal(len(e.Notes(1)), 0)
}

// ENRICHMENT_MAX_AGE counts from the call's end, for late notes as for the
// first logging: a long call that started more than MAX_AGE ago but ended
// less than that ago is still looked at.
func TestLateInsightsExpiryCountsFromCallEnd(t *testing.T) {
	is := is.New(t)
	e := reconcilertest.New(t)
	e.Customer("Marta", "Ruiz", time.Hour, "+34612345678")
	// Started 100 min ago, lasted 80 min: ended 20 min ago.
	e.AddCall(1, "+34 612 34 56 78", 100*time.Minute, func(c *aircall.Call) {
		c.Duration = 80 * 60
		end := c.StartedAt + int64(c.Duration)
		c.EndedAt = &end
	})
	e.Pass()
	is.Equal(enrichmentOf(t, e, "1"), store.EnrichmentPending)

	e.Clock.Advance(23 * time.Hour) // 24h40m after the start, 23h20m after the end
	res := e.Pass()
	is.Equal(res.Instances["default"].Counts["late_insights_gave_up"], 0)
	is.Equal(enrichmentOf(t, e, "1"), store.EnrichmentPending)

	e.ReadyAI(1)
	e.Clock.Advance(20 * time.Minute) // 23h40m after the end: looked 20 min ago, backing off (rules.LateLookDue)
	before := aiPaths(e)
	res = e.Pass()
	is.Equal(res.Instances["default"].Counts["late_insights_added"], 0)
	is.Equal(aiPaths(e)["transcription"], before["transcription"]) // no request spent
	is.Equal(enrichmentOf(t, e, "1"), store.EnrichmentPending)

	e.Clock.Advance(20 * time.Minute) // 24h after the end: the last look finds it all
	res = e.Pass()
	is.Equal(res.Instances["default"].Counts["late_insights_added"], 1)
	notes := e.Notes(1)
	is.Equal(len(notes), 1)
	is.True(strings.Contains(notes[0].Body, "Customer wants to cancel an order."))

	// Another long call, gone past ENRICHMENT_MAX_AGE after its end.
	e2 := reconcilertest.New(t)
	e2.AddCall(2, "+34 612 34 56 78", 100*time.Minute, func(c *aircall.Call) {
		c.Duration = 80 * 60
		end := c.StartedAt + int64(c.Duration)
		c.EndedAt = &end
	})
	e2.Pass()
	e2.Clock.Advance(24*time.Hour - 20*time.Minute) // exactly 24h after the end
	res = e2.Pass()
	is.Equal(res.Instances["default"].Counts["late_insights_gave_up"], 1)
	is.Equal(enrichmentOf(t, e2, "2"), store.EnrichmentGaveUp)
}

// A call logged before its end time was remembered (or whose record was
// lost) falls back to its start: it gives up early rather than never.
func TestLateInsightsWithoutRememberedCallUsesStart(t *testing.T) {
	is := is.New(t)
	e := reconcilertest.New(t)
	e.AddCall(1, "+34 612 34 56 78", 100*time.Minute, func(c *aircall.Call) {
		c.Duration = 80 * 60
		end := c.StartedAt + int64(c.Duration)
		c.EndedAt = &end
	})
	e.Pass()
	is.Equal(enrichmentOf(t, e, "1"), store.EnrichmentPending)
	// Forget what was remembered for the late note: an expired record is
	// not found.
	is.NoErr(e.Store.PutLateInsight(context.Background(), store.LateInsight{Instance: "default", CallID: 1, ExpiresAt: time.Unix(1, 0)}))
	e.Clock.Advance(23 * time.Hour) // 24h40m after the start
	res := e.Pass()
	is.Equal(res.Instances["default"].Counts["late_insights_gave_up"], 1)
}

// The late note names the agent, as the note logged with the call does,
// without reading the call from Aircall again.
func TestLateNoteNamesTheAgent(t *testing.T) {
	is := is.New(t)
	e := reconcilertest.New(t)
	e.Customer("Marta", "Ruiz", time.Hour, "+34612345678")
	e.AddCall(1, "+34 612 34 56 78", 30*time.Minute)
	e.Pass() // logged without
	is.Equal(enrichmentOf(t, e, "1"), store.EnrichmentPending)

	e.ReadyAI(1)
	e.AC.SetSentiments(1, aircall.Sentiments{Participants: []aircall.SentimentParticipant{
		{Value: "POSITIVE", ParticipantType: "internal"}, {Value: "NEUTRAL", ParticipantType: "external"}}})
	e.Clock.Advance(5 * time.Minute)
	e.AC.ResetRequests()
	res := e.Pass()
	is.Equal(res.Instances["default"].Counts["late_insights_added"], 1)
	notes := e.Notes(1)
	is.Equal(len(notes), 1)
	is.True(strings.Contains(notes[0].Body, "<strong>Ana García</strong>: Hola")) // transcript speaker
	is.True(strings.Contains(notes[0].Body, "Ana García: positive"))              // sentiment
	is.True(!strings.Contains(notes[0].Body, "<strong>Agent</strong>"))
	for _, r := range e.AC.Requests() {
		is.True(r.Path != "/v1/calls/1") // the call is not read again for its agent
	}
}

// A 403 from the AI endpoints stops the asking for AddonOffFor (one hour by
// default), and only for that long.
func TestAddonOffExpiresAfterAnHour(t *testing.T) {
	is := is.New(t)
	e := reconcilertest.New(t)
	e.AC.SetAILicensed(false)
	e.AddCall(1, "+34 612 34 56 78", 5*time.Minute)
	e.Pass()
	is.Equal(aiRequests(e), 1) // the 403
	is.Equal(enrichmentOf(t, e, "1"), store.EnrichmentNone)

	e.Clock.Advance(time.Hour - time.Second)
	e.AddCall(2, "+34 612 34 56 79", 3*time.Minute)
	e.Pass()
	is.Equal(aiRequests(e), 1) // still within the hour: not asked
	th, _ := e.PhoneThreads(2)
	is.Equal(len(th), 1) // logged at once, without insights

	e.Clock.Advance(time.Second) // the hour is over
	e.AC.SetAILicensed(true)
	e.AddCall(3, "+34 612 34 56 70", 3*time.Minute)
	e.ReadyAI(3)
	e.Pass()
	is.True(aiRequests(e) > 1) // asked again
	is.Equal(len(e.Notes(3)), 1)
	is.Equal(enrichmentOf(t, e, "3"), store.EnrichmentDone)
}

// A 403 remembered across passes for the configured time, not a fixed one.
func TestAddonOffForOption(t *testing.T) {
	is := is.New(t)
	e := reconcilertest.New(t)
	e.Options.AddonOffFor = 10 * time.Minute
	e.AC.SetAILicensed(false)
	e.AddCall(1, "+34 612 34 56 78", 5*time.Minute)
	e.Pass()
	is.Equal(aiRequests(e), 1)
	e.Clock.Advance(10 * time.Minute)
	e.AddCall(2, "+34 612 34 56 79", 3*time.Minute)
	e.Pass()
	is.Equal(aiRequests(e), 2)
}

// LOG_AI_INSIGHTS=false with transcripts on: the AI resources are never
// fetched, neither when the call is logged nor for its late note; the
// transcript is.
func TestAIInsightsOffNeverFetched(t *testing.T) {
	is := is.New(t)
	e := reconcilertest.New(t)
	e.Instance.Enrichment.AIInsights = false
	e.Customer("Marta", "Ruiz", time.Hour, "+34612345678")
	e.AddCall(1, "+34 612 34 56 78", 5*time.Minute)
	e.ReadyAI(1) // everything there: only the transcript is to be read
	e.AddCall(2, "+34 612 34 56 78", 30*time.Minute)
	e.Pass() // call 1 with its note at once; call 2 without (nothing ready)
	is.Equal(len(e.Notes(1)), 1)
	is.Equal(enrichmentOf(t, e, "2"), store.EnrichmentPending)

	e.ReadyAI(2)
	e.Clock.Advance(5 * time.Minute)
	res := e.Pass()
	is.Equal(res.Instances["default"].Counts["late_insights_added"], 1)
	for _, id := range []int64{1, 2} {
		notes := e.Notes(id)
		is.Equal(len(notes), 1)
		is.True(strings.Contains(notes[0].Body, "Transcript"))
		is.True(!strings.Contains(notes[0].Body, "Customer wants to cancel")) // no summary
		is.True(!strings.Contains(notes[0].Body, "cancellation"))             // no topics
	}
	got := aiPaths(e)
	is.True(got["transcription"] >= 2)
	is.Equal(got["summary"], 0)
	is.Equal(got["topics"], 0)
	is.Equal(got["action_items"], 0)
	is.Equal(got["sentiments"], 0)
	is.Equal(enrichmentOf(t, e, "1"), store.EnrichmentDone)
	is.Equal(enrichmentOf(t, e, "2"), store.EnrichmentDone)
}

// A call waiting for its late note when the add-on is turned off: past
// ENRICHMENT_MAX_AGE it is given up, whether the 403 was already known or
// comes on its last look, instead of waiting for ever.
func TestAddonOffAtGiveUp(t *testing.T) {
	tests := []struct {
		name        string
		offBefore   bool // a 403 seen shortly before the give-up point
		wantAIDelta int  // AI requests in the give-up pass
	}{
		{"403 already known: no last look", true, 0},
		{"403 on the last look", false, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			e := reconcilertest.New(t)
			e.AddCall(1, "+34 612 34 56 78", 30*time.Minute) // ended 27m55s ago
			e.Pass()
			is.Equal(enrichmentOf(t, e, "1"), store.EnrichmentPending)
			e.AC.SetAILicensed(false)
			if tt.offBefore {
				e.Clock.Advance(23*time.Hour + 30*time.Minute) // 2 min before the give-up point
				res := e.Pass()
				is.Equal(res.Instances["default"].Counts["late_insights_gave_up"], 0)
				is.Equal(enrichmentOf(t, e, "1"), store.EnrichmentPending)
				e.Clock.Advance(5 * time.Minute) // past it, within the hour of the 403
			} else {
				e.Clock.Advance(23*time.Hour + 35*time.Minute)
			}
			before := aiRequests(e)
			res := e.Pass()
			is.Equal(aiRequests(e)-before, tt.wantAIDelta)
			is.Equal(res.Instances["default"].Counts["late_insights_gave_up"], 1)
			is.Equal(enrichmentOf(t, e, "1"), store.EnrichmentGaveUp)
		})
	}
}

// TestLateLooksBackOff: a call whose insights never come costs Aircall far
// fewer than one request per pass over ENRICHMENT_MAX_AGE (rules.LateLookDue):
// every pass in the first hour, then at most one look every age/6 (≤ 1 h),
// and the last look at the give-up point.
func TestLateLooksBackOff(t *testing.T) {
	is := is.New(t)
	e := reconcilertest.New(t)
	e.Customer("Marta", "Ruiz", time.Hour, "+34612345678")
	e.AddCall(1, "+34 612 34 56 78", 20*time.Minute) // ended ~18 min ago: logged without, pending
	e.Pass()
	is.Equal(enrichmentOf(t, e, "1"), store.EnrichmentPending)

	passes := 0
	for enrichmentOf(t, e, "1") == store.EnrichmentPending {
		e.Clock.Advance(5 * time.Minute)
		e.Pass()
		passes++
		is.True(passes < 400) // gives up in the end
	}
	is.Equal(enrichmentOf(t, e, "1"), store.EnrichmentGaveUp)
	looks := aiPaths(e)["transcription"]
	t.Logf("%d passes, %d looks", passes, looks)
	is.True(passes > 270)              // ~24 h of 5-minute passes
	is.True(looks <= 50)               // instead of one per pass
	is.True(looks >= 20)               // still looking all along
	is.Equal(aiPaths(e)["summary"], 0) // the transcript never came: nothing else asked
}
