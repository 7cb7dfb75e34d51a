package reconciler_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aircall-helpscout/aircall-helpscout/reconciler/reconcilertest"
	"github.com/aircall-helpscout/aircall-helpscout/store"
	"github.com/aircall-helpscout/aircall-helpscout/web"
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

// receiver serves web's receiver over loopback HTTP (the receiver's own
// tests live in web/; these feed messages to passes) and tallies results.
type receiver struct {
	srv     *httptest.Server
	mu      sync.Mutex
	results map[string]int
}

func newReceiver(tb testing.TB, st *store.Store) *receiver {
	rc := &receiver{results: map[string]int{}}
	h := web.NewReceiver(st, hookToken, nil, web.WithDeliveryHook(func(d web.Delivery) {
		rc.mu.Lock()
		rc.results[d.Result+d.Reason]++
		rc.mu.Unlock()
	}))
	mux := http.NewServeMux()
	mux.Handle(web.WebhookPath, h)
	rc.srv = httptest.NewServer(mux)
	tb.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) post(tb testing.TB, body []byte) int {
	tb.Helper()
	resp, err := rc.srv.Client().Post(rc.srv.URL+web.WebhookPath, "application/json", bytes.NewReader(body))
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
