package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/aircall-helpscout/aircall-helpscout/clients/aircall"
	"github.com/aircall-helpscout/aircall-helpscout/web"
)

// TestReceiver: Aircall's delivery rules. Every delivery stored or
// deliberately refused is answered 200 (a non-2xx answer counts as a failed
// delivery, and repeated failures disable the webhook); refused ones store
// nothing and are counted by reason.
func TestReceiver(t *testing.T) {
	good := msg{ID: "m1", Direction: "inbound", External: "+34612345678", Body: "hola", Status: "received", Created: start}
	summary := map[string]any{"id": 1, "call_id": 77, "content": "Quiere cambiar de plan."}
	tests := []struct {
		name     string
		method   string
		body     []byte
		want     int
		messages int // inbox rows after
		insights int // insight rows of call 77 after
		result   string
	}{
		{"good token", "POST", envelope("message.received", hookToken, good.data()), 200, 1, 0, web.ResultStored},
		{"insight", "POST", envelope("summary.created", hookToken, summary), 200, 0, 1, web.ResultStored},
		{"insight wrapped", "POST", envelope("summary.created", hookToken, map[string]any{"summary": summary}), 200, 0, 1, web.ResultStored},
		{"wrong token", "POST", envelope("message.received", "nope", good.data()), 200, 0, 0, "refused:unauthorized"},
		{"wrong token on insight", "POST", envelope("summary.created", "nope", summary), 200, 0, 0, "refused:unauthorized"},
		{"token prefix", "POST", envelope("message.received", hookToken[:5], good.data()), 200, 0, 0, "refused:unauthorized"},
		{"missing token", "POST", envelope("message.received", "", good.data()), 200, 0, 0, "refused:unauthorized"},
		{"token not a string", "POST", []byte(`{"event":"message.received","token":123,"data":{"id":"m1"}}`), 200, 0, 0, "refused:unauthorized"},
		{"malformed JSON", "POST", []byte(`{"event":"message.received","token":"` + hookToken + `","data":{`), 200, 0, 0, "refused:malformed"},
		{"not an object", "POST", []byte(`[1,2,3]`), 200, 0, 0, "refused:malformed"},
		{"empty body", "POST", nil, 200, 0, 0, "refused:malformed"},
		{"oversized", "POST", append(envelope("message.received", hookToken, good.data()), bytes.Repeat([]byte(" "), web.MaxWebhookBody)...), 200, 0, 0, "refused:too_large"},
		{"message without id", "POST", envelope("message.received", hookToken, map[string]any{"body": "x"}), 200, 0, 0, "refused:malformed"},
		{"data not a message", "POST", envelope("message.received", hookToken, map[string]any{"id": "m1", "number": "oops"}), 200, 0, 0, "refused:malformed"},
		{"insight without call", "POST", envelope("summary.created", hookToken, map[string]any{"id": 1, "content": "x"}), 200, 0, 0, "refused:malformed"},
		{"missing data", "POST", []byte(`{"event":"message.received","token":"` + hookToken + `"}`), 200, 0, 0, "refused:malformed"},
		{"unknown event", "POST", envelope("contact.created", hookToken, map[string]any{"id": 1}), 200, 0, 0, "refused:unknown_event"},
		{"call.created known, ignored", "POST", envelope("call.created", hookToken, map[string]any{"id": 1, "status": "initial"}), 200, 0, 0, web.ResultIgnored},
		{"other call event ignored", "POST", envelope("call.ringing_on_agent", hookToken, map[string]any{"id": 1}), 200, 0, 0, web.ResultIgnored},
		{"group message ignored", "POST", envelope("group_message.received", hookToken, good.data()), 200, 0, 0, web.ResultIgnored},
		{"GET not allowed", "GET", nil, 405, 0, 0, "refused:method_not_allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			ctx := context.Background()
			st := openStore(t)
			rc := newReceiver(t, st)
			req, err := http.NewRequest(tt.method, rc.srv.URL+web.WebhookPath, bytes.NewReader(tt.body))
			is.NoErr(err)
			resp, err := rc.srv.Client().Do(req)
			is.NoErr(err)
			resp.Body.Close()
			is.Equal(resp.StatusCode, tt.want)
			n, err := st.CountMessages(ctx)
			is.NoErr(err)
			is.Equal(n, tt.messages)
			ins, err := st.CallInsights(ctx, 77)
			is.NoErr(err)
			is.Equal(len(ins), tt.insights)
			is.Equal(rc.count(tt.result), 1)
		})
	}
}

// TestReceiverStoreFailureIs500: only a valid event that could not be
// stored is answered 5xx, so that Aircall delivers it again.
func TestReceiverStoreFailureIs500(t *testing.T) {
	for _, event := range []string{"message.received", "transcription.created"} {
		t.Run(event, func(t *testing.T) {
			is := is.New(t)
			st := openStore(t)
			rc := newReceiver(t, st)
			is.NoErr(st.Close()) // every write now fails
			data := any(msg{ID: "m1", Created: start}.data())
			if event != "message.received" {
				data = map[string]any{"id": 1, "call_id": 5, "content": map[string]any{"language": "es", "utterances": []any{}}}
			}
			is.Equal(rc.post(t, envelope(event, hookToken, data)), http.StatusInternalServerError)
			is.Equal(rc.count(web.ResultError), 1)
			// A refused delivery is still 200, store or not.
			is.Equal(rc.post(t, envelope(event, "nope", data)), http.StatusOK)
		})
	}
}

// TestReceiverDuplicatesAndStatus: repeated deliveries keep one row; a
// status update updates it; a stale delivery after it does not undo it.
func TestReceiverDuplicatesAndStatus(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	st := openStore(t)
	rc := newReceiver(t, st)
	m := msg{ID: "42", Direction: "outbound", External: "+34612345678", Body: "on my way", Status: "sent", Created: start}
	rc.deliver(t, "message.sent", m.data())
	rc.deliver(t, "message.sent", m.data())
	upd := m
	upd.Status, upd.Updated = "delivered", start.Add(time.Minute)
	rc.deliver(t, "message.status_updated", upd.data())
	rc.deliver(t, "message.sent", m.data()) // late duplicate of the older version
	rc.deliver(t, "message.status_updated", upd.data())

	n, err := st.CountMessages(ctx)
	is.NoErr(err)
	is.Equal(n, 1)
	row, ok, err := st.GetMessage(ctx, "42")
	is.NoErr(err)
	is.True(ok)
	is.Equal(row.Status, "delivered")
	is.Equal(row.Event, "message.status_updated")
	is.Equal(rc.count(web.ResultStored), 1)
	is.Equal(rc.count(web.ResultUpdated), 1)
	is.Equal(rc.count(web.ResultDuplicate), 3)

	// A numeric id is the same message as its string form.
	d := m.data()
	d["id"] = 42
	rc.deliver(t, "message.sent", d)
	n, _ = st.CountMessages(ctx)
	is.Equal(n, 1)
}

// TestReceiverInsights: every insight event, delivered twice, in any order,
// inner or wrapped, call_id as a number or a string: one row per call and
// kind, decodable like the REST answer, and the last delivery time moves.
func TestReceiverInsights(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	now := start
	st := openStoreAt(t, func() time.Time { return now })
	rc := newReceiver(t, st)

	_, found, err := st.LastInsightDelivery(ctx)
	is.NoErr(err)
	is.True(!found)

	deliveries := []struct {
		event string
		data  map[string]any
	}{
		{"sentiment.created", map[string]any{"sentiment": map[string]any{"id": 4, "call_id": "555",
			"participants": []any{map[string]any{"phone_number": "+34612345678", "value": "NEGATIVE", "participant_type": "external"}}}}},
		{"transcription.created", map[string]any{"id": 9, "call_id": 555, "type": "call", "content": map[string]any{"language": "es",
			"utterances": []any{map[string]any{"start_time": 0, "end_time": 1.2, "text": "Hola", "participant_type": "external"}}}}},
		{"summary.created", map[string]any{"id": 1, "call_id": 555, "content": "Quiere darse de baja."}},
		{"topics.created", map[string]any{"topic": map[string]any{"id": 2, "call_id": 555, "content": []any{"baja", "precio"}}}},
		{"action_item.created", map[string]any{"id": 31, "call_id": 555, "content": "Llamar mañana"}},
		{"action_item.created", map[string]any{"id": 32, "call_id": "555", "content": "Enviar oferta"}},
	}
	for _, d := range deliveries {
		rc.deliver(t, d.event, d.data)
	}
	now = now.Add(10 * time.Minute)
	for i := len(deliveries) - 1; i >= 0; i-- { // again, in the other order
		rc.deliver(t, deliveries[i].event, deliveries[i].data)
	}
	is.Equal(rc.count(web.ResultStored), 5)
	is.Equal(rc.count(web.ResultUpdated), 1) // the second action item joins the first
	is.Equal(rc.count(web.ResultDuplicate), 6)

	got, err := st.CallInsights(ctx, 555)
	is.NoErr(err)
	is.Equal(len(got), 5)
	byKind := map[string][]byte{}
	for _, ev := range got {
		byKind[ev.Kind] = ev.Payload
		is.Equal(ev.ReceivedAt, start)
	}
	var tr aircall.Transcription
	is.NoErr(json.Unmarshal(byKind[aircall.InsightTranscription], &tr))
	is.Equal(tr.Utterances[0].Text, "Hola")
	var s aircall.Summary
	is.NoErr(json.Unmarshal(byKind[aircall.InsightSummary], &s))
	is.Equal(s.Content, "Quiere darse de baja.")
	var se aircall.Sentiments
	is.NoErr(json.Unmarshal(byKind[aircall.InsightSentiments], &se))
	is.Equal(se.Participants[0].Value, "NEGATIVE")
	var ai aircall.ActionItems
	is.NoErr(json.Unmarshal(byKind[aircall.InsightActionItems], &ai))
	is.Equal(ai.Items, []string{"Llamar mañana", "Enviar oferta"})
	is.True(strings.Contains(string(byKind[aircall.InsightTopics]), `"baja"`))

	last, found, err := st.LastInsightDelivery(ctx)
	is.NoErr(err)
	is.True(found)
	is.Equal(last, start.Add(10*time.Minute)) // duplicates count as deliveries
}

// TestReceiverEmptyTokenRefusesAll: an unset AIRCALL_WEBHOOK_TOKEN must not
// turn the receiver into an open door.
func TestReceiverEmptyTokenRefusesAll(t *testing.T) {
	is := is.New(t)
	st := openStore(t)
	var got []web.Delivery
	h := web.NewReceiver(st, "", nil, web.WithDeliveryHook(func(d web.Delivery) { got = append(got, d) }))
	for _, tok := range []string{"", "x"} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("POST", web.WebhookPath,
			bytes.NewReader(envelope("message.received", tok, msg{ID: "1", Created: start}.data()))))
		is.Equal(w.Code, http.StatusOK)
	}
	n, err := st.CountMessages(context.Background())
	is.NoErr(err)
	is.Equal(n, 0)
	is.Equal(got, []web.Delivery{{Result: web.ResultRefused, Reason: web.ReasonUnauthorized}, {Result: web.ResultRefused, Reason: web.ReasonUnauthorized}})
}

// FuzzWebhookBody: whatever the body, the parser and the receiver never
// panic, answer 200 unless the store fails, and only a body carrying the
// right token and an id is stored.
func FuzzWebhookBody(f *testing.F) {
	f.Add(envelope("message.received", hookToken, msg{ID: "1", Body: "<script>x</script>", Created: start}.data()))
	f.Add([]byte(`{"event":"message.sent","token":"` + hookToken + `","data":{"id":7,"created_at":"2026-01-01T00:00:00Z"}}`))
	f.Add([]byte(`{"event":"message.sent","token":"` + hookToken + `","data":{"id":null}}`))
	f.Add([]byte(`{"event":"summary.created","token":"` + hookToken + `","data":{"summary":{"call_id":"12","content":"x"}}}`))
	f.Add([]byte(`{"event":"action_item.created","token":"` + hookToken + `","data":[{"call_id":1},{"call_id":"1"}]}`))
	f.Add([]byte(`{"timestamp":"1e400","token":"x"}`))
	f.Add([]byte(`null`))
	st := openStore(f)
	h := web.NewReceiver(st, hookToken, nil)
	rows := func() int {
		n, _ := st.CountMessages(context.Background())
		return n
	}
	insightAt := func() time.Time {
		at, _, _ := st.LastInsightDelivery(context.Background())
		return at
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if ev, err := aircall.ParseWebhook(body); err == nil {
			_, _ = ev.Message()
			_, _ = ev.Insight()
		}
		before, beforeAt := rows(), insightAt()
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("POST", web.WebhookPath, bytes.NewReader(body)))
		if w.Code != http.StatusOK {
			t.Fatalf("unexpected status %d", w.Code)
		}
		if rows() != before || !insightAt().Equal(beforeAt) {
			ev, err := aircall.ParseWebhook(body)
			if err != nil || ev.Token != hookToken {
				t.Fatalf("stored a delivery it should have refused")
			}
		}
	})
}
