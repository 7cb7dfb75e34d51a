package aircall_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aircall-helpscout/aircall-helpscout/clients/aircall"
	"github.com/matryer/is"
)

func TestParseWebhookErrors(t *testing.T) {
	tests := []struct {
		name, body, wantErr string
	}{
		{"empty", ``, "empty body"},
		{"not json", `<html>`, "not a JSON envelope"},
		{"no event", `{"token":"t","data":{}}`, `missing "event"`},
		{"no token", `{"event":"message.received","data":{}}`, `missing "token"`},
		{"no data", `{"event":"message.received","token":"t"}`, `missing "data"`},
		{"bad timestamp", `{"event":"message.received","token":"t","timestamp":"x","data":{}}`, "not a JSON envelope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			_, err := aircall.ParseWebhook([]byte(tt.body))
			is.True(err != nil && strings.Contains(err.Error(), tt.wantErr)) // names what is wrong
		})
	}
}

func TestWebhookMessage(t *testing.T) {
	tests := []struct {
		name    string
		data    string
		wantID  string
		created time.Time
		channel string
		wantErr string // "" = no error
	}{
		{"string id, unix created", `{"id":"abc","direction":"inbound","external_number":"+33612345678","body":"hi","created_at":1790603050}`,
			"abc", time.Unix(1790603050, 0).UTC(), "", ""},
		{"number id, rfc3339", `{"id":123456789012,"created_at":"2026-09-28T10:21:51.000Z","channel":"whatsapp"}`,
			"123456789012", time.Date(2026, 9, 28, 10, 21, 51, 0, time.UTC), "whatsapp", ""},
		{"float time, null channel", `{"id":"x","created_at":1790603050.5,"channel":null}`,
			"x", time.Unix(1790603050, 5e8).UTC(), "", ""},
		{"numeric string time", `{"id":"x","created_at":"1790603050"}`, "x", time.Unix(1790603050, 0).UTC(), "", ""},
		{"missing id", `{"body":"hi"}`, "", time.Time{}, "", "message has no id"},
		{"bad time", `{"id":"x","created_at":"yesterday"}`, "", time.Time{}, "", `time "yesterday": neither Unix seconds nor RFC 3339`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			body := `{"resource":"message","event":"message.received","timestamp":1790603051,"token":"tok","data":` + tt.data + `}`
			ev, err := aircall.ParseWebhook([]byte(body))
			is.NoErr(err)
			is.Equal(ev.Event, "message.received")
			is.Equal(ev.Timestamp, int64(1790603051))
			m, err := ev.Message()
			if tt.wantErr != "" {
				is.True(err != nil && strings.Contains(err.Error(), tt.wantErr))
				return
			}
			is.NoErr(err)
			is.Equal(m.ID, tt.wantID)
			is.True(m.CreatedAt.Equal(tt.created))
			is.Equal(m.Channel, tt.channel)
		})
	}
}

// TestWebhookExternalNumberShapes: external_number is a string in the
// Python client and an int in the Go client (docs/api-facts.md#aircall-messages); a
// number must not make the whole delivery undecodable.
func TestWebhookExternalNumberShapes(t *testing.T) {
	tests := []struct {
		name, ext, want string
		wantErr         bool
	}{
		{"string", `"+33612345678"`, "+33612345678", false},
		{"formatted string", `"+33 6 12 34 56 78"`, "+33 6 12 34 56 78", false},
		{"number", `33612345678`, "+33612345678", false},
		{"null", `null`, "", false},
		{"absent (send responses)", ``, "", false},
		{"object", `{"x":1}`, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			data := `{"id":"m1","raw_digits":"+33 6 12 34 56 78"}`
			if tt.ext != "" {
				data = `{"id":"m1","raw_digits":"+33 6 12 34 56 78","external_number":` + tt.ext + `}`
			}
			ev, err := aircall.ParseWebhook([]byte(`{"event":"message.received","token":"t","timestamp":1,"data":` + data + `}`))
			is.NoErr(err)
			m, err := ev.Message()
			if tt.wantErr {
				is.True(err != nil && strings.Contains(err.Error(), "external_number {\"x\":1} is neither a string nor a phone number"))
				return
			}
			is.NoErr(err)
			is.Equal(m.ID, "m1")
			is.Equal(m.ExternalNumber, tt.want)
		})
	}
}

func TestWebhookFullMessage(t *testing.T) {
	is := is.New(t)
	body := `{"event":"message.sent","token":"tok","timestamp":1,"data":{"id":"m1","direct_link":"https://api.aircall.io/v1/messages/m1",
	  "direction":"outbound","external_number":"+33612345678","raw_digits":"+33 6 12 34 56 78","body":"Hello","status":"sent",
	  "created_at":1,"updated_at":null,"sent_at":"","media_url":["https://m/1.jpg"],
	  "media_details":[{"file_name":"1.jpg","file_type":"image/jpeg","presigned_url":"https://p/1"}],
	  "number":{"id":5,"digits":"+33 1 00 00 00 00","time_zone":"Europe/Paris"},
	  "contact":{"id":9,"updated_at":1790603050},"user":{"id":3,"email":"a@b.c"}}}`
	ev, err := aircall.ParseWebhook([]byte(body))
	is.NoErr(err)
	is.Equal(ev.Resource, "message") // derived from the event name
	m, err := ev.Message()
	is.NoErr(err)
	is.True(m.UpdatedAt.IsZero())
	is.True(m.SentAt.IsZero())
	is.Equal(m.MediaDetails[0].PresignedURL, "https://p/1")
	is.Equal(m.Number.TimeZone, "Europe/Paris")
	is.Equal(m.Contact.UpdatedAt, int64(1790603050))
	is.Equal(m.User.Email, "a@b.c")

	out, err := json.Marshal(aircall.FlexTime{Time: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)})
	is.NoErr(err)
	is.Equal(string(out), `"2026-01-02T03:04:05Z"`)
	out, err = json.Marshal(aircall.FlexTime{})
	is.NoErr(err)
	is.Equal(string(out), `null`)
}

// TestWebhookInsight: each conversation-intelligence event, its data as the
// REST inner object or wrapped like the REST answer, call_id as a number or
// a string; what is kept decodes like a fetched insight.
func TestWebhookInsight(t *testing.T) {
	const transcript = `{"id":9,"call_id":%s,"type":"call","content":{"language":"es","utterances":[{"start_time":0,"end_time":1.5,"text":"Hola","participant_type":"external"}]}}`
	tests := []struct {
		name, event, data string
		kind              string
		callID            int64
		wantErr           string
	}{
		{"transcript inner, number id", "transcription.created", fmt.Sprintf(transcript, `123`), aircall.InsightTranscription, 123, ""},
		{"transcript inner, string id", "transcription.created", fmt.Sprintf(transcript, `"123"`), aircall.InsightTranscription, 123, ""},
		{"transcript wrapped", "transcription.created", `{"transcription":` + fmt.Sprintf(transcript, `123`) + `}`, aircall.InsightTranscription, 123, ""},
		{"summary inner", "summary.created", `{"id":1,"call_id":77,"content":"Quiere cambiar de plan."}`, aircall.InsightSummary, 77, ""},
		{"summary wrapped", "summary.created", `{"summary":{"id":1,"call_id":"77","content":"x"}}`, aircall.InsightSummary, 77, ""},
		{"topics wrapped singular", "topics.created", `{"topic":{"id":1,"call_id":5,"content":["billing"]}}`, aircall.InsightTopics, 5, ""},
		{"topics wrapped plural", "topics.created", `{"topics":{"id":1,"call_id":5,"content":["billing"]}}`, aircall.InsightTopics, 5, ""},
		{"sentiment", "sentiment.created", `{"id":1,"call_id":5,"participants":[{"phone_number":"+34612345678","value":"POSITIVE"}]}`, aircall.InsightSentiments, 5, ""},
		{"action item", "action_item.created", `{"id":3,"call_id":5,"content":"Call back"}`, aircall.InsightActionItems, 5, ""},
		{"action items list wrapped", "action_item.created", `{"action_items":[{"id":3,"call_id":5,"content":"a"},{"id":4,"call_id":"5","content":"b"}]}`, aircall.InsightActionItems, 5, ""},
		{"no call_id", "summary.created", `{"id":1,"content":"x"}`, "", 0, `missing "call_id"`},
		{"null call_id", "summary.created", `{"id":1,"call_id":null}`, "", 0, `missing "call_id"`},
		{"call_id not a number", "summary.created", `{"id":1,"call_id":"abc"}`, "", 0, `call_id "abc" is not a call id`},
		{"call_id zero", "summary.created", `{"id":1,"call_id":0}`, "", 0, "not a call id"},
		{"list of two calls", "action_item.created", `[{"call_id":1},{"call_id":2}]`, "", 0, "two calls"},
		{"empty list", "action_item.created", `[]`, "", 0, "empty list"},
		{"data a string", "summary.created", `"x"`, "", 0, "neither an object nor a list"},
		{"wrapper a string", "summary.created", `{"summary":"x"}`, "", 0, "data.summary is neither"},
		{"not an insight", "message.received", `{"id":"m"}`, "", 0, "not an insight event"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			body := `{"resource":"conversation_intelligence","event":"` + tt.event + `","timestamp":1790603051,"token":"tok","data":` + tt.data + `}`
			ev, err := aircall.ParseWebhook([]byte(body))
			is.NoErr(err)
			in, err := ev.Insight()
			if tt.wantErr != "" {
				is.True(err != nil)
				is.True(strings.Contains(err.Error(), tt.wantErr)) // names the culprit
				is.True(strings.Contains(err.Error(), tt.event))
				return
			}
			is.NoErr(err)
			is.Equal(in.Kind, tt.kind)
			is.Equal(in.CallID, tt.callID)
			is.True(!strings.Contains(string(in.Data), `"`+tt.kind+`":`)) // unwrapped
		})
	}
}

// TestWebhookInsightDecodesLikeREST: the kept data decodes into the same
// types as the REST answer's inner object.
func TestWebhookInsightDecodesLikeREST(t *testing.T) {
	is := is.New(t)
	body := `{"event":"transcription.created","token":"t","data":{"transcription":{"id":9,"call_id":"123","type":"voicemail",` +
		`"content":{"language":"en","utterances":[{"start_time":0,"end_time":2,"text":"Hi","participant_type":"ai_voice_agent"}]}}}}`
	ev, err := aircall.ParseWebhook([]byte(body))
	is.NoErr(err)
	in, err := ev.Insight()
	is.NoErr(err)
	var tr aircall.Transcription
	is.NoErr(json.Unmarshal(in.Data, &tr)) // call_id "123" was kept as the number
	is.Equal(tr.CallID, int64(123))
	is.Equal(tr.Language, "en")
	is.Equal(len(tr.Utterances), 1)
	is.Equal(tr.Utterances[0].Text, "Hi")
	is.Equal(tr.Type, "voicemail")

	var s aircall.Summary
	ev, _ = aircall.ParseWebhook([]byte(`{"event":"summary.created","token":"t","data":{"summary":{"id":1,"call_id":7,"content":"Short."}}}`))
	in, err = ev.Insight()
	is.NoErr(err)
	is.NoErr(json.Unmarshal(in.Data, &s))
	is.Equal(s.Content, "Short.")
}

func TestMergeInsight(t *testing.T) {
	tests := []struct {
		name, kind, stored, delivered, want string
	}{
		{"first delivery", aircall.InsightActionItems, ``, `{"id":1,"call_id":5,"content":"a"}`, `{"id":1,"call_id":5,"content":"a"}`},
		{"same item again", aircall.InsightActionItems, `{"id":1,"call_id":5,"content":"a"}`, `{"id":1,"call_id":5,"content":"a"}`, `{"id":1,"call_id":5,"content":"a"}`},
		{"second item", aircall.InsightActionItems, `{"id":1,"call_id":5,"content":"a"}`, `{"id":2,"call_id":5,"content":"b"}`,
			`[{"id":1,"call_id":5,"content":"a"},{"id":2,"call_id":5,"content":"b"}]`},
		{"list then one of it", aircall.InsightActionItems, `[{"id":1,"call_id":5},{"id":2,"call_id":5}]`, `{"id":"2","call_id":5}`,
			`[{"id":1,"call_id":5},{"id":2,"call_id":5}]`},
		{"summary replaced", aircall.InsightSummary, `{"call_id":5,"content":"old"}`, `{"call_id":5,"content":"new"}`, `{"call_id":5,"content":"new"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			got, err := aircall.MergeInsight(tt.kind, []byte(tt.stored), []byte(tt.delivered))
			is.NoErr(err)
			is.Equal(string(got), tt.want)
		})
	}
}

func TestInsightEvents(t *testing.T) {
	is := is.New(t)
	is.Equal(aircall.InsightEvents(), []string{"action_item.created", "sentiment.created", "summary.created", "topics.created", "transcription.created"})
	for _, e := range aircall.InsightEvents() {
		_, ok := aircall.InsightKind(e)
		is.True(ok)
	}
	_, ok := aircall.InsightKind("call.created")
	is.True(!ok)
}
