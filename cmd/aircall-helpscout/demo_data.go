package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"time"

	"github.com/aircall-helpscout/aircall-helpscout/clients/aircall"
	"github.com/aircall-helpscout/aircall-helpscout/clients/aircall/aircalltest"
	"github.com/aircall-helpscout/aircall-helpscout/clients/helpscout"
	"github.com/aircall-helpscout/aircall-helpscout/clients/helpscout/helpscouttest"
)

// The demo's fixed sample: one Spanish support line, one agent known on
// both sides, one mailbox.
const (
	demoMailboxID  int64 = 501
	demoLineID     int64 = 1389850
	demoLineDigits       = "+34 910 00 00 00"
	demoAgentID    int64 = 2078847
	demoAgentEmail       = "ana@example.com"
	demoToken            = "demo-webhook-token"
)

var demoLine = aircall.Number{ID: demoLineID, Name: "Support ES", Digits: demoLineDigits, Country: "ES", TimeZone: "Europe/Madrid"}

// demoCall describes one sample call relative to now.
type demoCall struct {
	id        int64
	raw       string
	ago       time.Duration // started this long before now
	outcome   string        // "answered", "missed", "voicemail", "in_progress"
	outbound  bool
	aiReady   bool
	durationS int64
}

// demoCalls cover the cases the README promises: answered, missed,
// voicemail, a duplicate customer pair, unknown and anonymous callers, AI
// ready and not, a call still in progress.
var demoCalls = []demoCall{
	{id: 1001, raw: "+34 612 34 56 78", ago: 95 * time.Minute, outcome: "answered", aiReady: true, durationS: 310},
	{id: 1002, raw: "+34 612 34 56 78", ago: 85 * time.Minute, outcome: "missed"},
	{id: 1003, raw: "+34 699 11 22 33", ago: 75 * time.Minute, outcome: "voicemail", aiReady: true, durationS: 40},
	{id: 1004, raw: "+34 633 00 11 22", ago: 65 * time.Minute, outcome: "answered", durationS: 95},  // duplicate customers
	{id: 1005, raw: "+34 655 44 33 22", ago: 55 * time.Minute, outcome: "answered", durationS: 200}, // unknown caller
	{id: 1006, raw: "+34 655 44 33 22", ago: 50 * time.Minute, outcome: "missed"},                   // same unknown caller again
	{id: 1007, raw: "anonymous", ago: 45 * time.Minute, outcome: "answered", durationS: 60},
	{id: 1008, raw: "+34 699 11 22 33", ago: 40 * time.Minute, outcome: "answered", outbound: true, aiReady: true, durationS: 180},
	{id: 1009, raw: "+44 20 7946 0958", ago: 35 * time.Minute, outcome: "missed"},
	{id: 1010, raw: "+34 612 34 56 78", ago: 30 * time.Minute, outcome: "answered", durationS: 150}, // AI not ready: logged, insights later
	{id: 1011, raw: "+34 699 11 22 33", ago: 9 * time.Minute, outcome: "answered", durationS: 120},  // AI not ready yet: waits
	{id: 1012, raw: "+34 612 34 56 78", ago: 2 * time.Minute, outcome: "in_progress"},
}

// demoMessage is one sample SMS or WhatsApp message.
type demoMessage struct {
	id, raw, body, direction, channel string
	ago                               time.Duration
}

var demoMessages = []demoMessage{
	{id: "msg-1", raw: "+34 612 34 56 78", body: "Hola, ¿podéis llamarme luego?", direction: "inbound", ago: 20 * time.Minute},
	{id: "msg-2", raw: "+34 612 34 56 78", body: "Claro, le llamamos a las 17:00.", direction: "outbound", ago: 18 * time.Minute},
	{id: "msg-3", raw: "+34 677 88 99 00", body: "Hi! Is my order <b>#42</b> shipped?", direction: "inbound", channel: "whatsapp", ago: 15 * time.Minute},
	{id: "msg-4", raw: "+34 677 88 99 00", body: "Yes, it left this morning.", direction: "outbound", channel: "whatsapp", ago: 12 * time.Minute},
}

// seedDemo fills both fakes: directory, customers (one stored without the
// country code, a duplicate pair), calls and AI results.
func seedDemo(ac *aircalltest.Server, hs *helpscouttest.Server, now time.Time) {
	ac.AddNumber(demoLine)
	ac.AddUser(aircall.User{ID: demoAgentID, Name: "Ana García", Email: demoAgentEmail})
	hs.AddMailbox(helpscout.Mailbox{ID: demoMailboxID, Name: "Support"})
	hs.AddUser(helpscout.User{FirstName: "Ana", LastName: "García", Email: demoAgentEmail})

	cust := func(first, last string, ago time.Duration, phone string) {
		hs.AddCustomer(helpscout.Customer{FirstName: first, LastName: last, CreatedAt: now.Add(-ago), UpdatedAt: now.Add(-ago),
			Phones: []helpscout.Entry{{Type: "work", Value: phone}}})
	}
	cust("Marta", "López", 30*24*time.Hour, "612 34 56 78") // stored without country code
	cust("Lucía", "Fernández", 90*24*time.Hour, "699 11 22 33")
	cust("Jordi", "Puig", 400*24*time.Hour, "+34 633 00 11 22")  // duplicate pair:
	cust("Jordi", "Puig Serra", 10*24*time.Hour, "+34633001122") // the most recent wins

	for _, d := range demoCalls {
		ac.AddCall(d.call(now))
		if d.aiReady {
			setDemoAI(ac, d.id)
		}
	}
}

func (d demoCall) call(now time.Time) aircall.Call {
	start := now.Add(-d.ago).Unix()
	c := aircall.Call{
		ID: d.id, Direction: "inbound", Status: "done", StartedAt: start, RawDigits: d.raw,
		Number: &demoLine, User: &aircall.User{ID: demoAgentID, Name: "Ana García", Email: demoAgentEmail},
		Tags: []aircall.Tag{{Name: "demo"}},
	}
	if d.outbound {
		c.Direction = "outbound"
	}
	ended := start + max(d.durationS, 20)
	c.EndedAt, c.Duration = &ended, int(ended-start)
	switch d.outcome {
	case "answered":
		answered := start + 5
		c.AnsweredAt = &answered
		c.Asset = "https://assets.aircall.io/calls/" + strconv.FormatInt(d.id, 10) + "/recording"
	case "missed":
		c.MissedCallReason, c.User = "no_available_agent", nil
	case "voicemail":
		c.MissedCallReason, c.User = "out_of_opening_hours", nil
		c.Voicemail = "https://assets.aircall.io/calls/" + strconv.FormatInt(d.id, 10) + "/voicemail"
	case "in_progress":
		answered := start + 5
		c.Status, c.AnsweredAt, c.EndedAt, c.Duration = "answered", &answered, nil, 0
	}
	return c
}

func setDemoAI(ac *aircalltest.Server, id int64) {
	ac.SetTranscription(id, aircall.Transcription{CallID: id, Type: "call", Language: "es", Utterances: []aircall.Utterance{
		{StartTime: 1, Text: "Hola, soporte, ¿en qué puedo ayudarle?", ParticipantType: "internal"},
		{StartTime: 4, Text: "Quiero cambiar la dirección de mi pedido.", ParticipantType: "external"},
	}})
	ac.SetSummary(id, aircall.Summary{Content: "The customer asked to change the delivery address of an order."})
	ac.SetTopics(id, aircall.Topics{Content: []string{"delivery address", "order change"}})
	ac.SetActionItems(id, aircall.ActionItems{Items: []string{"Update the address on order 42"}})
	ac.SetSentiments(id, aircall.Sentiments{Participants: []aircall.SentimentParticipant{{Value: "POSITIVE", ParticipantType: "external"}}})
}

// postDemoMessages delivers the sample messages to the webhook receiver
// exactly as Aircall would (each one twice: duplicate deliveries are normal).
func postDemoMessages(ctx context.Context, h http.Handler, now time.Time) error {
	for _, m := range demoMessages {
		event := "message.received"
		if m.direction == "outbound" {
			event = "message.sent"
		}
		data := map[string]any{
			"id": m.id, "direction": m.direction, "external_number": m.raw, "raw_digits": m.raw, "body": m.body,
			"status": "delivered", "created_at": now.Add(-m.ago).Unix(), "updated_at": now.Add(-m.ago).Unix(),
			"number": demoLine, "channel": nilIfEmpty(m.channel),
		}
		if m.direction == "outbound" {
			data["user"] = aircall.User{ID: demoAgentID, Name: "Ana García", Email: demoAgentEmail}
		}
		body, err := json.Marshal(map[string]any{"resource": "message", "event": event, "timestamp": now.Unix(), "token": demoToken, "data": data})
		if err != nil {
			return fmt.Errorf("demo message %s: %w", m.id, err)
		}
		for range 2 {
			req := httptest.NewRequestWithContext(ctx, http.MethodPost, webhookPath, bytes.NewReader(body))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				return fmt.Errorf("demo message %s: webhook answered %d: %s", m.id, rec.Code, rec.Body.String())
			}
		}
	}
	return nil
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
