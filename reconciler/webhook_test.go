package reconciler_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/aircall-helpscout/aircall-helpscout/clients/aircall"
	"github.com/aircall-helpscout/aircall-helpscout/reconciler"
	"github.com/aircall-helpscout/aircall-helpscout/reconciler/reconcilertest"
	"github.com/aircall-helpscout/aircall-helpscout/store"
)

const hookToken = "s3cret-webhook-token"

// msg builds a message payload on the sample line.
type msg struct {
	ID, Direction, External, Body, Status, Channel string
	Created                                        time.Time
	Updated                                        time.Time
	Agent                                          bool // outbound sent by the sample agent
	AgentEmail                                     string
	Media                                          []string
	NoNumber                                       bool
}

func (m msg) data() map[string]any {
	d := map[string]any{
		"id": m.ID, "direction": m.Direction, "external_number": m.External, "raw_digits": m.External,
		"body": m.Body, "status": m.Status, "created_at": m.Created.Unix(), "updated_at": m.Updated.Unix(),
		"direct_link": "https://api.aircall.io/v1/messages/" + m.ID,
		"number": map[string]any{"id": reconcilertest.LineID, "name": "Support ES", "digits": reconcilertest.LineDigits,
			"country": "ES", "time_zone": "Europe/Madrid"},
		"channel": nil,
	}
	if m.Updated.IsZero() {
		d["updated_at"] = m.Created.Unix()
	}
	if m.Channel != "" {
		d["channel"] = m.Channel
	}
	if m.Agent || m.AgentEmail != "" {
		email := m.AgentEmail
		if email == "" {
			email = reconcilertest.AgentEmail
		}
		d["user"] = map[string]any{"id": reconcilertest.AgentID, "name": "Ana García", "email": email}
	}
	if len(m.Media) > 0 {
		d["media_url"] = m.Media
	}
	if m.NoNumber {
		delete(d, "number")
	}
	return d
}

// envelope is a webhook body for event carrying data.
func envelope(event, token string, data any) []byte {
	b, _ := json.Marshal(map[string]any{"resource": "message", "event": event, "timestamp": 1763640000, "token": token, "data": data})
	return b
}

// receiver serves the handler over loopback HTTP and records metrics.
type receiver struct {
	srv     *httptest.Server
	mu      sync.Mutex
	results map[string]int
}

func newReceiver(tb testing.TB, st *store.Store) *receiver {
	rc := &receiver{results: map[string]int{}}
	h := reconciler.NewWebhookHandler(st, hookToken, nil, reconciler.WithWebhookMetrics(func(event, result string) {
		rc.mu.Lock()
		rc.results[result]++
		rc.mu.Unlock()
	}))
	mux := http.NewServeMux()
	mux.Handle("POST "+reconciler.WebhookPath, h)
	mux.Handle(reconciler.WebhookPath, h) // other methods reach the handler's 405
	rc.srv = httptest.NewServer(mux)
	tb.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) post(tb testing.TB, body []byte) int {
	tb.Helper()
	resp, err := rc.srv.Client().Post(rc.srv.URL+reconciler.WebhookPath, "application/json", bytes.NewReader(body))
	if err != nil {
		tb.Fatalf("post webhook: %v", err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// deliver posts a message event with the good token and expects 200.
func (rc *receiver) deliver(tb testing.TB, event string, m msg) {
	tb.Helper()
	if code := rc.post(tb, envelope(event, hookToken, m.data())); code != http.StatusOK {
		tb.Fatalf("deliver %s %s: status %d", event, m.ID, code)
	}
}

func TestWebhookReceiver(t *testing.T) {
	now := reconcilertest.Start
	good := msg{ID: "m1", Direction: "inbound", External: "+34612345678", Body: "hola", Status: "received", Created: now}
	tests := []struct {
		name   string
		method string
		body   []byte
		want   int
		stored int // inbox rows after
		result string
	}{
		{"good token", "POST", envelope("message.received", hookToken, good.data()), 200, 1, reconciler.WebhookStored},
		{"wrong token", "POST", envelope("message.received", "nope", good.data()), 401, 0, reconciler.WebhookUnauthorized},
		{"token prefix", "POST", envelope("message.received", hookToken[:5], good.data()), 401, 0, reconciler.WebhookUnauthorized},
		{"missing token", "POST", envelope("message.received", "", good.data()), 401, 0, reconciler.WebhookUnauthorized},
		{"token not a string", "POST", []byte(`{"event":"message.received","token":123,"data":{"id":"m1"}}`), 401, 0, reconciler.WebhookUnauthorized},
		{"malformed JSON", "POST", []byte(`{"event":"message.received","token":"` + hookToken + `","data":{`), 400, 0, reconciler.WebhookBadRequest},
		{"not an object", "POST", []byte(`[1,2,3]`), 400, 0, reconciler.WebhookBadRequest},
		{"empty body", "POST", nil, 400, 0, reconciler.WebhookBadRequest},
		{"oversized", "POST", append(envelope("message.received", hookToken, good.data()), bytes.Repeat([]byte(" "), reconciler.MaxWebhookBody)...), 413, 0, reconciler.WebhookTooLarge},
		{"message without id", "POST", envelope("message.received", hookToken, map[string]any{"body": "x"}), 400, 0, reconciler.WebhookBadRequest},
		{"data not a message", "POST", envelope("message.received", hookToken, map[string]any{"id": "m1", "number": "oops"}), 400, 0, reconciler.WebhookBadRequest},
		{"missing data", "POST", []byte(`{"event":"message.received","token":"` + hookToken + `"}`), 400, 0, reconciler.WebhookBadRequest},
		{"call event ignored", "POST", envelope("call.ended", hookToken, map[string]any{"id": 1}), 200, 0, reconciler.WebhookIgnored},
		{"group message ignored", "POST", envelope("group_message.received", hookToken, good.data()), 200, 0, reconciler.WebhookIgnored},
		{"GET not allowed", "GET", nil, 405, 0, reconciler.WebhookBadMethod},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			e := reconcilertest.New(t)
			rc := newReceiver(t, e.Store)
			req, err := http.NewRequest(tt.method, rc.srv.URL+reconciler.WebhookPath, bytes.NewReader(tt.body))
			is.NoErr(err)
			resp, err := rc.srv.Client().Do(req)
			is.NoErr(err)
			resp.Body.Close()
			is.Equal(resp.StatusCode, tt.want)
			n, err := e.Store.CountMessages(context.Background())
			is.NoErr(err)
			is.Equal(n, tt.stored)
			is.Equal(rc.results[tt.result], 1)
		})
	}
}

// TestWebhookDuplicatesAndStatus: repeated deliveries keep one row; a status
// update updates it; a stale delivery after it does not undo it.
func TestWebhookDuplicatesAndStatus(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	e := reconcilertest.New(t)
	rc := newReceiver(t, e.Store)
	now := reconcilertest.Start
	m := msg{ID: "42", Direction: "outbound", External: "+34612345678", Body: "on my way", Status: "sent", Created: now, Agent: true}
	rc.deliver(t, "message.sent", m)
	rc.deliver(t, "message.sent", m)
	upd := m
	upd.Status, upd.Updated = "delivered", now.Add(time.Minute)
	rc.deliver(t, "message.status_updated", upd)
	rc.deliver(t, "message.sent", m) // late duplicate of the older version
	rc.deliver(t, "message.status_updated", upd)

	n, err := e.Store.CountMessages(ctx)
	is.NoErr(err)
	is.Equal(n, 1)
	row, ok, err := e.Store.GetMessage(ctx, "42")
	is.NoErr(err)
	is.True(ok)
	is.Equal(row.Status, "delivered")
	is.Equal(row.Event, "message.status_updated")
	is.Equal(rc.results[reconciler.WebhookStored], 1)
	is.Equal(rc.results[reconciler.WebhookUpdated], 1)
	is.Equal(rc.results[reconciler.WebhookDuplicate], 3)

	// A numeric id is the same message as its string form.
	d := m.data()
	d["id"] = 42
	rc.deliver2(t, envelope("message.sent", hookToken, d))
	n, _ = e.Store.CountMessages(ctx)
	is.Equal(n, 1)
}

func (rc *receiver) deliver2(tb testing.TB, body []byte) {
	tb.Helper()
	if code := rc.post(tb, body); code != http.StatusOK {
		tb.Fatalf("status %d", code)
	}
}

// TestWebhookEmptyTokenRefusesAll: an unset AIRCALL_WEBHOOK_TOKEN must not
// turn the receiver into an open door.
func TestWebhookEmptyTokenRefusesAll(t *testing.T) {
	is := is.New(t)
	e := reconcilertest.New(t)
	h := reconciler.NewWebhookHandler(e.Store, "", nil)
	for _, tok := range []string{"", "x"} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("POST", reconciler.WebhookPath,
			bytes.NewReader(envelope("message.received", tok, msg{ID: "1", Created: reconcilertest.Start}.data()))))
		is.Equal(w.Code, http.StatusUnauthorized)
	}
}

// FuzzWebhookBody: whatever the body, the parser and the handler never
// panic, and only a body carrying the right token and a message id is stored.
func FuzzWebhookBody(f *testing.F) {
	f.Add(envelope("message.received", hookToken, msg{ID: "1", Body: "<script>x</script>", Created: reconcilertest.Start}.data()))
	f.Add([]byte(`{"event":"message.sent","token":"` + hookToken + `","data":{"id":7,"created_at":"2026-01-01T00:00:00Z"}}`))
	f.Add([]byte(`{"event":"message.sent","token":"` + hookToken + `","data":{"id":null}}`))
	f.Add([]byte(`{"timestamp":"1e400","token":"x"}`))
	f.Add([]byte(`null`))
	e := reconcilertest.New(f)
	h := reconciler.NewWebhookHandler(e.Store, hookToken, nil)
	f.Fuzz(func(t *testing.T, body []byte) {
		if ev, err := aircall.ParseWebhook(body); err == nil {
			_, _ = ev.Message()
		}
		before, _ := e.Store.CountMessages(context.Background())
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("POST", reconciler.WebhookPath, bytes.NewReader(body)))
		after, _ := e.Store.CountMessages(context.Background())
		switch w.Code {
		case 200, 400, 401, 413:
		default:
			t.Fatalf("unexpected status %d", w.Code)
		}
		if after != before {
			ev, err := aircall.ParseWebhook(body)
			if w.Code != 200 || err != nil || ev.Token != hookToken || !strings.HasPrefix(ev.Event, "message.") {
				t.Fatalf("stored a delivery it should have refused (status %d)", w.Code)
			}
		}
	})
}
