package aircall_test

import (
	"encoding/json"
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
// Python client and an int in the Go client (aircall.md §6.3 sources); a
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
