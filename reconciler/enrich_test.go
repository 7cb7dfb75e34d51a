package reconciler_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/aircall-helpscout/aircall-helpscout/clients/aircall"
	"github.com/aircall-helpscout/aircall-helpscout/reconciler/reconcilertest"
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

func enrichmentOf(t *testing.T, e *reconcilertest.Env, callID string) string {
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

// SPEC §7: a call is logged without its insights after ENRICHMENT_WAIT and
// they are added as a note "when they appear, until ENRICHMENT_MAX_AGE". A
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
	is.Equal(enrichmentOf(t, e, "1"), "pending")

	e.Clock.Advance(12 * time.Hour)
	e.Pass() // still waiting for the summary, within ENRICHMENT_MAX_AGE
	is.Equal(len(e.Notes(1)), 0)
	is.Equal(enrichmentOf(t, e, "1"), "pending")

	e.Clock.Advance(12 * time.Hour) // past ENRICHMENT_MAX_AGE after the call ended
	res := e.Pass()
	is.Equal(res.Instances["default"].Counts["late_insights_added"], 1)
	is.Equal(res.Instances["default"].Counts["late_insights_gave_up"], 0)
	notes := e.Notes(1)
	is.Equal(len(notes), 1) // the transcript, alone
	is.True(strings.Contains(notes[0].Body, "Quiero cancelar mi pedido"))
	is.True(!strings.Contains(notes[0].Body, "Summary"))
	is.Equal(enrichmentOf(t, e, "1"), "done")

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
	is.Equal(enrichmentOf(t, e, "1"), "pending")
	e.Clock.Advance(24 * time.Hour)
	before := aiPaths(e)
	res := e.Pass()
	is.Equal(res.Instances["default"].Counts["late_insights_gave_up"], 1)
	is.Equal(aiPaths(e)["transcription"], before["transcription"]+1) // the last look: one request
	is.Equal(aiPaths(e)["summary"], before["summary"])
	is.Equal(enrichmentOf(t, e, "1"), "gave_up")
	is.Equal(len(e.Notes(1)), 0)
}
