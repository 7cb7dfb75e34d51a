package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/aircall-helpscout/aircall-helpscout/store"
	"github.com/aircall-helpscout/aircall-helpscout/web"
)

const hookToken = "s3cret-webhook-token"

// start is a fixed time the deliveries are dated around.
var start = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

// msg builds a message payload on a sample line, written as Aircall's wire
// JSON (maps, not the client's structs).
type msg struct {
	ID, Direction, External, Body, Status string
	Created, Updated                      time.Time
}

func (m msg) data() map[string]any {
	d := map[string]any{
		"id": m.ID, "direction": m.Direction, "external_number": m.External, "raw_digits": m.External,
		"body": m.Body, "status": m.Status, "created_at": m.Created.Unix(), "updated_at": m.Updated.Unix(),
		"direct_link": "https://api.aircall.io/v1/messages/" + m.ID,
		"number":      map[string]any{"id": 1389850, "name": "Support ES", "digits": "+34 910 00 00 00", "country": "ES", "time_zone": "Europe/Madrid"},
		"channel":     nil,
	}
	if m.Updated.IsZero() {
		d["updated_at"] = m.Created.Unix()
	}
	return d
}

// envelope is a webhook body for event carrying data.
func envelope(event, token string, data any) []byte {
	resource := "message"
	if event != "" && event[0] != 'm' {
		resource = "conversation_intelligence"
	}
	b, _ := json.Marshal(map[string]any{"resource": resource, "event": event, "timestamp": 1763640000, "token": token, "data": data})
	return b
}

func openStore(tb testing.TB) *store.Store {
	tb.Helper()
	return openStoreAt(tb, nil)
}

// openStoreAt opens a store whose clock is now (nil: the real clock).
func openStoreAt(tb testing.TB, now func() time.Time) *store.Store {
	tb.Helper()
	st, err := store.Open(context.Background(), filepath.Join(tb.TempDir(), "web.db"), store.Options{Now: now})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = st.Close() })
	return st
}

// receiver serves the receiver over loopback HTTP and tallies deliveries.
type receiver struct {
	srv     *httptest.Server
	mu      sync.Mutex
	results map[string]int // result, or "refused:<reason>"
}

func newReceiver(tb testing.TB, st *store.Store, opts ...web.ReceiverOption) *receiver {
	rc := &receiver{results: map[string]int{}}
	opts = append([]web.ReceiverOption{web.WithDeliveryHook(func(d web.Delivery) {
		rc.mu.Lock()
		defer rc.mu.Unlock()
		if d.Result == web.ResultRefused {
			rc.results["refused:"+d.Reason]++
			return
		}
		rc.results[d.Result]++
	})}, opts...)
	mux := http.NewServeMux()
	mux.Handle(web.WebhookPath, web.NewReceiver(st, hookToken, nil, opts...))
	rc.srv = httptest.NewServer(mux)
	tb.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) count(key string) int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.results[key]
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

// deliver posts an event with the good token and expects 200.
func (rc *receiver) deliver(tb testing.TB, event string, data any) {
	tb.Helper()
	if code := rc.post(tb, envelope(event, hookToken, data)); code != http.StatusOK {
		tb.Fatalf("deliver %s: status %d", event, code)
	}
}
