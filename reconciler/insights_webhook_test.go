package reconciler_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/aircall-helpscout/aircall-helpscout/reconciler/reconcilertest"
	"github.com/aircall-helpscout/aircall-helpscout/store"
	"github.com/aircall-helpscout/aircall-helpscout/web"
)

// insightBody is a conversation-intelligence delivery with the good token.
func insightBody(event string, data any) []byte {
	b, _ := json.Marshal(map[string]any{"resource": "conversation_intelligence", "event": event,
		"timestamp": 1763640000, "token": hookToken, "data": data})
	return b
}

// sendInsight posts one insight event and expects 200.
func (rc *receiver) sendInsight(tb testing.TB, event string, data any) {
	tb.Helper()
	if code := rc.post(tb, insightBody(event, data)); code != http.StatusOK {
		tb.Fatalf("deliver %s: status %d", event, code)
	}
}

// insightEvents are the five deliveries of one call's insights, in the
// shapes Aircall may use: the REST inner object or wrapped as the REST
// answer, call_id as a number or a string, action items one per event.
func insightEvents(callID int64) []struct {
	event string
	data  any
} {
	sid := strconv.FormatInt(callID, 10)
	return []struct {
		event string
		data  any
	}{
		{"transcription.created", map[string]any{"transcription": map[string]any{"id": callID*10 + 1, "call_id": sid, "type": "call",
			"content": map[string]any{"language": "es", "utterances": []map[string]any{
				{"start_time": 1, "end_time": 3, "text": "Hola, soy el asistente virtual", "participant_type": "ai_voice_agent"},
				{"start_time": 4, "end_time": 6, "text": "Hola, ¿en qué puedo ayudarle?", "participant_type": "internal", "user_id": reconcilertest.AgentID},
				{"start_time": 7, "end_time": 9, "text": "Quiero <b>cancelar</b> mi pedido", "participant_type": "external"},
			}}}}},
		{"summary.created", map[string]any{"id": callID*10 + 2, "call_id": callID, "content": "Customer wants to cancel an order."}},
		{"topics.created", map[string]any{"topic": map[string]any{"id": callID*10 + 3, "call_id": sid, "content": []string{"cancellation"}}}},
		{"sentiment.created", map[string]any{"id": callID*10 + 4, "call_id": callID, "participants": []map[string]any{{"value": "NEGATIVE", "type": "external"}}}},
		{"action_item.created", map[string]any{"id": callID*10 + 5, "call_id": callID, "content": "Cancel order 42"}},
		{"action_item.created", map[string]any{"id": callID*10 + 6, "call_id": callID, "content": "Refund shipping"}},
	}
}

// checkFullNote says the note holds every insight delivered, the AI voice
// agent named as such, and the caller's text escaped.
func checkFullNote(is *is.I, body string) {
	for _, want := range []string{"Customer wants to cancel an order.", "cancellation", "Cancel order 42", "Refund shipping",
		"Customer: negative", "<strong>AI voice agent</strong>: Hola, soy el asistente virtual",
		"<strong>Ana García</strong>: Hola, ¿en qué puedo ayudarle?", "<strong>Customer</strong>: Quiero &lt;b&gt;cancelar&lt;/b&gt;"} {
		is.True(strings.Contains(body, want)) // the note holds every insight delivered
	}
}

// Insights delivered by webhook (duplicates, out of order, before the call
// is even listed) are logged with the call in one write, and cost no
// Aircall AI request.
func TestInsightsByWebhookLoggedWithTheCall(t *testing.T) {
	is := is.New(t)
	e := reconcilertest.New(t)
	rc := newReceiver(t, e.Store)
	e.Customer("Marta", "Ruiz", time.Hour, "+34612345678")

	// Call 2's insights arrive before the call is listed, in reverse order,
	// each twice.
	evs := insightEvents(2)
	for i := len(evs) - 1; i >= 0; i-- {
		rc.sendInsight(t, evs[i].event, evs[i].data)
		rc.sendInsight(t, evs[i].event, evs[i].data)
	}
	e.AddCall(1, "+34 612 34 56 78", 30*time.Minute)
	for _, ev := range insightEvents(1) {
		rc.sendInsight(t, ev.event, ev.data)
	}
	e.Pass()
	e.AddCall(2, "+34 612 34 56 78", 20*time.Minute)
	e.Clock.Advance(time.Minute)
	e.Pass()

	is.Equal(aiRequests(e), 0) // no AI request: everything came by webhook
	for _, id := range []int64{1, 2} {
		th, _ := e.PhoneThreads(id)
		is.Equal(len(th), 1)
		notes := e.Notes(id)
		is.Equal(len(notes), 1) // one note, inline with the call
		checkFullNote(is, notes[0].Body)
		is.Equal(strings.Count(notes[0].Body, "Cancel order 42"), 1) // the duplicate action item once
		is.Equal(enrichmentOf(t, e, strconv.FormatInt(id, 10)), store.EnrichmentDone)
	}
	is.Equal(rc.results[web.ResultStored], 2*5)  // five kinds per call
	is.Equal(rc.results[web.ResultUpdated], 2*1) // the second action item merged into the first
}

// A call whose insights are not delivered yet waits ENRICHMENT_WAIT without
// asking Aircall while webhooks deliver insights; logged without them after
// the wait, it gets them as a note on the pass after they arrive, still with
// no Aircall request.
func TestInsightsByWebhookAfterTheCallIsLogged(t *testing.T) {
	is := is.New(t)
	e := reconcilertest.New(t)
	rc := newReceiver(t, e.Store)
	e.Customer("Marta", "Ruiz", time.Hour, "+34612345678")
	for _, ev := range insightEvents(99) { // another call's: this company's webhook sends insights
		rc.sendInsight(t, ev.event, ev.data)
	}
	e.ReadyAI(1) // ready over REST too: never read

	e.AddCall(1, "+34 612 34 56 78", 5*time.Minute) // ended 3 min ago: within ENRICHMENT_WAIT
	res := e.Pass()
	is.Equal(res.Instances["default"].Counts["waiting"], 1)
	th, _ := e.PhoneThreads(1)
	is.Equal(len(th), 0)

	e.Clock.Advance(15 * time.Minute) // past the wait: logged without
	e.Pass()
	th, _ = e.PhoneThreads(1)
	is.Equal(len(th), 1)
	is.Equal(len(e.Notes(1)), 0)
	is.Equal(enrichmentOf(t, e, "1"), store.EnrichmentPending)

	// Only the transcript: not ready (the summary is waited for).
	evs := insightEvents(1)
	rc.sendInsight(t, evs[0].event, evs[0].data)
	e.Clock.Advance(time.Minute)
	e.Pass()
	is.Equal(len(e.Notes(1)), 0)

	for _, ev := range evs[1:] {
		rc.sendInsight(t, ev.event, ev.data)
	}
	e.Clock.Advance(time.Minute) // well inside the late look's back-off: the store is looked at anyway
	res = e.Pass()
	is.Equal(res.Instances["default"].Counts["late_insights_added"], 1)
	notes := e.Notes(1)
	is.Equal(len(notes), 1)
	checkFullNote(is, notes[0].Body)
	is.Equal(enrichmentOf(t, e, "1"), store.EnrichmentDone)
	is.Equal(aiRequests(e), 0)

	// A redelivery after the note changes nothing.
	rc.sendInsight(t, evs[1].event, evs[1].data)
	e.Clock.Advance(time.Minute)
	e.Pass()
	is.Equal(len(e.Notes(1)), 1)
	is.Equal(aiRequests(e), 0)
}

// Without any AI webhook (or only one older than a day), the AI endpoints
// are read as before; what a webhook did deliver for the call is not read
// again.
func TestNoInsightWebhookReadsTheAIEndpoints(t *testing.T) {
	tests := []struct {
		name      string
		delivered []string // events of call 1 delivered by webhook, a day before the pass
		want      map[string]int
	}{
		{"no webhook at all", nil,
			map[string]int{"transcription": 1, "summary": 1, "topics": 1, "sentiments": 1, "action_items": 1}},
		{"a transcript delivered more than a day ago", []string{"transcription.created"},
			map[string]int{"summary": 1, "topics": 1, "sentiments": 1, "action_items": 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			e := reconcilertest.New(t)
			rc := newReceiver(t, e.Store)
			e.Customer("Marta", "Ruiz", time.Hour, "+34612345678")
			for _, ev := range insightEvents(1) {
				for _, d := range tt.delivered {
					if ev.event == d {
						rc.sendInsight(t, ev.event, ev.data)
					}
				}
			}
			e.Clock.Advance(25 * time.Hour)
			e.AddCall(1, "+34 612 34 56 78", 30*time.Minute)
			e.ReadyAI(1)
			e.Pass()
			is.Equal(aiPaths(e), tt.want)
			is.Equal(len(e.Notes(1)), 1)
			is.Equal(enrichmentOf(t, e, "1"), store.EnrichmentDone)
		})
	}
}

// LOG_TRANSCRIPTS=false / LOG_AI_INSIGHTS=false hold for insights delivered
// by webhook as for fetched ones: what is off is not written.
func TestInsightsByWebhookRespectSettings(t *testing.T) {
	tests := []struct {
		name             string
		transcripts, ai  bool
		want, wantAbsent string
	}{
		{"transcripts off", false, true, "Customer wants to cancel", "Quiero"},
		{"AI off", true, false, "Quiero", "Customer wants to cancel"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			e := reconcilertest.New(t)
			rc := newReceiver(t, e.Store)
			e.Instance.Enrichment.Transcripts, e.Instance.Enrichment.AIInsights = tt.transcripts, tt.ai
			e.Customer("Marta", "Ruiz", time.Hour, "+34612345678")
			e.AddCall(1, "+34 612 34 56 78", 30*time.Minute)
			for _, ev := range insightEvents(1) {
				rc.sendInsight(t, ev.event, ev.data)
			}
			e.Pass()
			notes := e.Notes(1)
			is.Equal(len(notes), 1)
			is.True(strings.Contains(notes[0].Body, tt.want))
			is.True(!strings.Contains(notes[0].Body, tt.wantAbsent))
			is.Equal(aiRequests(e), 0)
		})
	}
}
