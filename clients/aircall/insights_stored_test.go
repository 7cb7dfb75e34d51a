package aircall_test

import (
	"testing"

	"github.com/matryer/is"

	"github.com/aircall-helpscout/aircall-helpscout/clients/aircall"
)

// TestCallInsightsAdd: every kind, delivered in any of the accepted shapes
// and kept by Insight(), decodes into the REST types.
func TestCallInsightsAdd(t *testing.T) {
	tests := []struct {
		name, body string
		check      func(is *is.I, ci aircall.CallInsights)
	}{
		{"transcription wrapped, call_id string",
			`{"event":"transcription.created","token":"t","data":{"transcription":{"id":1,"call_id":"5","content":{"language":"en","utterances":[{"start_time":1,"text":"Hi","participant_type":"ai_voice_agent"}]}}}}`,
			func(is *is.I, ci aircall.CallInsights) {
				is.Equal(len(ci.Transcription.Utterances), 1)
				is.Equal(ci.Transcription.Utterances[0].SpeakerLabel(), "AI voice agent")
			}},
		{"summary inner", `{"event":"summary.created","token":"t","data":{"id":1,"call_id":5,"content":"Short."}}`,
			func(is *is.I, ci aircall.CallInsights) { is.Equal(ci.Summary.Content, "Short.") }},
		{"topics wrapped singular", `{"event":"topics.created","token":"t","data":{"topic":{"call_id":5,"content":["billing","refund"]}}}`,
			func(is *is.I, ci aircall.CallInsights) { is.Equal(ci.Topics.Content, []string{"billing", "refund"}) }},
		{"sentiments with type", `{"event":"sentiment.created","token":"t","data":{"call_id":5,"participants":[{"value":"POSITIVE","type":"external"}]}}`,
			func(is *is.I, ci aircall.CallInsights) {
				is.Equal(ci.Sentiments.Participants[0].Value, "POSITIVE")
				is.Equal(ci.Sentiments.Participants[0].SpeakerLabel(), aircall.SpeakerCaller)
			}},
		{"action items list", `{"event":"action_item.created","token":"t","data":[{"id":1,"call_id":5,"content":"Call back"},{"id":2,"call_id":5,"content":"Refund"}]}`,
			func(is *is.I, ci aircall.CallInsights) {
				is.Equal(ci.ActionItems.Items, []string{"Call back", "Refund"})
			}},
		{"one action item", `{"event":"action_item.created","token":"t","data":{"id":1,"call_id":5,"content":"Call back"}}`,
			func(is *is.I, ci aircall.CallInsights) { is.Equal(ci.ActionItems.Items, []string{"Call back"}) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			ev, err := aircall.ParseWebhook([]byte(tt.body))
			is.NoErr(err)
			in, err := ev.Insight()
			is.NoErr(err)
			var ci aircall.CallInsights
			is.NoErr(ci.Add(in.Kind, in.Data))
			tt.check(is, ci)
		})
	}
	var ci aircall.CallInsights
	is.New(t).True(ci.Add("playbook", []byte(`{}`)) != nil) // an unknown kind is refused, by name
}
