package aircall_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aircall-helpscout/aircall-helpscout/clients/aircall"
	"github.com/matryer/is"
)

// fixtureClient serves testdata files by route ("GET /v1/calls/{id}" ->
// "call.json") and records the bodies sent, so the client's decoding is
// tested against JSON written independently of its structs (and of the
// fake's).
func fixtureClient(t *testing.T, routes map[string]string) (*aircall.Client, *[]string) {
	t.Helper()
	var bodies []string
	mux := http.NewServeMux()
	for route, file := range routes {
		b, err := os.ReadFile(filepath.Join("testdata", file))
		if err != nil {
			t.Fatal(err)
		}
		mux.HandleFunc(route, func(w http.ResponseWriter, r *http.Request) {
			in, _ := io.ReadAll(r.Body)
			bodies = append(bodies, string(in))
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(b)
		})
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	c, err := aircall.New(aircall.Config{BaseURL: srv.URL, APIID: "id", APIToken: "tok", RequestsPerMinute: 60_000})
	if err != nil {
		t.Fatal(err)
	}
	return c, &bodies
}

func iso(s string) aircall.FlexTime {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return aircall.FlexTime{Time: t.UTC()}
}

func TestDecodeCallFixture(t *testing.T) {
	is := is.New(t)
	c, _ := fixtureClient(t, map[string]string{"GET /v1/calls/{id}": "call.json"})
	got, err := c.GetCall(context.Background(), 4186780376)
	is.NoErr(err)
	answered, ended := int64(1790603053), int64(1790603071)
	user := &aircall.User{ID: 2078847, Name: "Jonathan Wihl", Email: "jonathan@example.com", TimeZone: "Etc/UTC", CreatedAt: iso("2026-09-28T10:21:09Z")}
	want := aircall.Call{
		ID: 4186780376, SID: "CA2384f2d631dfb2d1bf831a227605ee91",
		DirectLink: "https://api.aircall.io/v1/calls/4186780376",
		Direction:  "inbound", Status: "done",
		StartedAt: 1790603050, AnsweredAt: &answered, EndedAt: &ended, Duration: 21,
		RawDigits: "+1 617-610-5413", MissedCallReason: "", Archived: false,
		Asset:         "https://assets.aircall.io/calls/4186780376/recording",
		Recording:     "https://example-bucket.s3.amazonaws.com/rec.mp3?signature=abc",
		CountryCodeA2: "US",
		Number: &aircall.Number{ID: 1389850, DirectLink: "https://api.aircall.io/v1/numbers/1389850", Name: "Support US",
			Digits: "+1 984-314-0278", Country: "US", TimeZone: "America/Chicago", CreatedAt: iso("2026-09-28T10:21:51Z")},
		User: user,
		Contact: &aircall.Contact{ID: 91231, FirstName: "Ana", LastName: "García", CompanyName: "Acme", Information: "VIP",
			PhoneNumbers: []aircall.ContactDetail{{ID: 2168224894, Label: "Main", Value: "+16176105413"}},
			Emails:       []aircall.ContactDetail{{ID: 55, Label: "Work", Value: "ana@example.com"}},
			UpdatedAt:    1790000000},
		Teams: []aircall.Team{{ID: 77, Name: "Tier 1"}},
		Comments: []aircall.Comment{
			{ID: 501, Content: "Wants a refund", PostedAt: 1790603080, PostedBy: &aircall.User{ID: 2078847, Name: "Jonathan Wihl",
				Email: "jonathan@example.com", CreatedAt: iso("2026-09-28T10:21:09Z")}},
			{ID: 502, Content: "Posted through the API", PostedAt: 1790603090},
		},
		Tags: []aircall.Tag{{ID: 9, Name: "refund"}},
	}
	// Field by field first, for a readable failure on a wrong tag.
	is.Equal(got.Number, want.Number)
	is.Equal(got.User, want.User)
	is.Equal(got.Contact, want.Contact)
	is.Equal(got.Comments, want.Comments)
	is.Equal(got, want)
}

func TestDecodeDirectoryFixtures(t *testing.T) {
	is := is.New(t)
	c, _ := fixtureClient(t, map[string]string{"GET /v1/numbers": "numbers.json", "GET /v2/users": "users_v2.json"})
	nums, err := c.ListNumbers(context.Background())
	is.NoErr(err)
	is.Equal(nums, []aircall.Number{{ID: 1389850, DirectLink: "https://api.aircall.io/v1/numbers/1389850", Name: "Support US",
		Digits: "+1 984-314-0278", Country: "US", TimeZone: "America/Chicago", CreatedAt: iso("2026-09-28T10:21:51Z")}})
	users, err := c.ListUsers(context.Background())
	is.NoErr(err)
	is.Equal(users, []aircall.User{{ID: 2078847, Name: "Jonathan Wihl", Email: "jonathan@example.com",
		TimeZone: "Europe/Paris", CreatedAt: iso("2026-09-28T10:21:09Z")}})
}

func TestDecodeAIFixtures(t *testing.T) {
	is := is.New(t)
	c, _ := fixtureClient(t, map[string]string{
		"GET /v1/calls/{id}/transcription": "transcription.json",
		"GET /v1/calls/{id}/summary":       "summary.json",
		"GET /v1/calls/{id}/topics":        "topics.json",
		"GET /v1/calls/{id}/sentiments":    "sentiments.json",
		"GET /v1/calls/{id}/action_items":  "action_items.json",
	})
	ctx := context.Background()
	const id = 4186780376

	tr, err := c.Transcription(ctx, id)
	is.NoErr(err)
	is.Equal(tr, aircall.Transcription{ID: 880011, CallID: id, Type: "call", Language: "es-ES", Utterances: []aircall.Utterance{
		{StartTime: 0.4, EndTime: 2.1, Text: "Gracias por llamar, soy la asistente virtual.", ParticipantType: "ai_voice_agent"},
		{StartTime: 2.5, EndTime: 4.0, Text: "Hola, quiero cancelar.", ParticipantType: "external", PhoneNumber: "+16176105413"},
		{StartTime: 4.2, EndTime: 6.0, Text: "Le paso con un agente.", ParticipantType: "internal", UserID: 2078847},
	}})
	labels := []string{}
	for _, u := range tr.Utterances {
		labels = append(labels, u.SpeakerLabel())
	}
	is.Equal(labels, []string{"AI voice agent", "Caller", "Agent"})

	sum, err := c.Summary(ctx, id)
	is.NoErr(err)
	is.Equal(sum.Content, "The caller asked to cancel order 42; the agent confirmed the refund.")

	top, err := c.Topics(ctx, id)
	is.NoErr(err)
	is.Equal(top.Content, []string{"cancellation", "refund"})

	sen, err := c.Sentiments(ctx, id)
	is.NoErr(err)
	is.Equal(sen.Participants, []aircall.SentimentParticipant{
		{PhoneNumber: "+16176105413", Value: "NEGATIVE", ParticipantType: "external"}, // from "type"
		{Value: "NEUTRAL", ParticipantType: "internal"},
	})

	ai, err := c.ActionItems(ctx, id)
	is.NoErr(err)
	is.Equal(ai.Items, []string{"Refund order 42", "Email the confirmation"})
}

func TestDecodeWebhookFixtures(t *testing.T) {
	is := is.New(t)
	c, bodies := fixtureClient(t, map[string]string{"GET /v1/webhooks": "webhooks.json", "POST /v1/webhooks": "webhook_created.json"})
	ctx := context.Background()
	hooks, err := c.ListWebhooks(ctx)
	is.NoErr(err)
	is.Equal(len(hooks), 2)
	is.Equal(hooks[0], aircall.Webhook{ID: "8d4bd1c0-4f0b-4d1a-9a35-2f0f4e1e2b10", CustomName: "aircall-helpscout",
		URL: "https://hooks.example.com/webhooks/aircall", Events: []string{"message.received", "call.created"},
		Active: false, Token: "45XXYYZZa08", DirectLink: "https://api.aircall.io/v1/webhooks/8d4bd1c0-4f0b-4d1a-9a35-2f0f4e1e2b10",
		CreatedAt: iso("2026-11-30T09:00:00Z")})
	is.Equal(hooks[1].ID, "3012") // no webhook_id: the numeric id
	is.True(hooks[1].Active)

	created, err := c.CreateWebhook(ctx, aircall.WebhookInput{CustomName: "aircall-helpscout",
		URL: "https://hooks.example.com/webhooks/aircall", Events: []string{"message.received", "message.sent", "message.status_updated"}})
	is.NoErr(err)
	is.Equal(created.ID, "8d4bd1c0-4f0b-4d1a-9a35-2f0f4e1e2b10")
	is.Equal(created.Token, "45XXYYZZa08")
	is.True(created.Active)
	var sent map[string]any
	is.NoErr(json.Unmarshal([]byte((*bodies)[len(*bodies)-1]), &sent))
	is.Equal(sent, map[string]any{"custom_name": "aircall-helpscout", "url": "https://hooks.example.com/webhooks/aircall",
		"events": []any{"message.received", "message.sent", "message.status_updated"}})
}

// TestInsightCardWireShape: the body CreateInsightCard sends is exactly
// the documented {"contents":[{type,text,link}|{type,label,text,link}]},
// with no empty label or link keys.
func TestInsightCardWireShape(t *testing.T) {
	is := is.New(t)
	c, bodies := fixtureClient(t, map[string]string{"POST /v1/calls/{id}/insight_cards": "summary.json"})
	card := aircall.InsightCard{Contents: []aircall.CardLine{
		aircall.TitleLine("Ana García", "https://secure.helpscout.net/customer/123/0/"),
		aircall.ShortTextLine("Company", "Acme", ""),
		aircall.ShortTextLine("Open conversations", "2 (latest: Refund for order 42)", "https://secure.helpscout.net/conversation/456/"),
	}}
	is.NoErr(c.CreateInsightCard(context.Background(), 4186780376, card))
	want, err := os.ReadFile(filepath.Join("testdata", "insight_card_request.json"))
	is.NoErr(err)
	var got, exp any
	is.NoErr(json.Unmarshal([]byte((*bodies)[0]), &got))
	is.NoErr(json.Unmarshal(want, &exp))
	is.Equal(got, exp)
}
