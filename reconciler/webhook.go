package reconciler

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/aircall-helpscout/aircall-helpscout/clients/aircall"
	"github.com/aircall-helpscout/aircall-helpscout/store"
)

// WebhookPath is where `serve` mounts the receiver (SPEC §8).
const WebhookPath = "/webhooks/aircall"

// MaxWebhookBody bounds a delivery: a message with its media details is a few
// kB, so 1 MiB leaves room while keeping a flood from filling memory.
const MaxWebhookBody = 1 << 20

// Results reported to the metrics hook, one per delivery.
const (
	WebhookStored       = "stored"       // a new message
	WebhookUpdated      = "updated"      // a later event (status) of a known message
	WebhookDuplicate    = "duplicate"    // the same delivery again, or an older one: nothing changed
	WebhookIgnored      = "ignored"      // not a message event; acknowledged
	WebhookUnauthorized = "unauthorized" // wrong or missing token
	WebhookBadRequest   = "bad_request"  // malformed body, or a message without id
	WebhookTooLarge     = "too_large"
	WebhookBadMethod    = "method_not_allowed"
	WebhookError        = "error" // the store failed; Aircall will retry
)

// Message events stored for the passes. Group conversations
// (group_message.*) are acknowledged and ignored: they have several external
// parties, and SPEC §8 files messages by one customer.
var messageEvents = map[string]bool{
	"message.sent": true, "message.received": true, "message.status_updated": true,
}

// WebhookOption tunes the receiver.
type WebhookOption func(*webhookHandler)

// WithWebhookMetrics sets a hook called once per delivery with the event name
// ("" when unreadable) and one of the Webhook* results.
func WithWebhookMetrics(fn func(event, result string)) WebhookOption {
	return func(h *webhookHandler) { h.metric = fn }
}

type webhookHandler struct {
	st     *store.Store
	token  []byte
	log    *slog.Logger
	metric func(event, result string)
}

// NewWebhookHandler returns the receiver of Aircall's message webhooks. It
// checks the body's token against token in constant time, stores each message
// once in the store's inbox (later events update it) and answers at once: no
// Help Scout request is made on the request path, the passes do that. An
// empty token refuses every delivery rather than accepting anyone's.
func NewWebhookHandler(st *store.Store, token string, log *slog.Logger, opts ...WebhookOption) http.Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	h := &webhookHandler{st: st, token: []byte(token), log: log, metric: func(string, string) {}}
	for _, o := range opts {
		o(h)
	}
	return h
}

func (h *webhookHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	event, status, result := h.handle(r)
	h.metric(event, result)
	if status != http.StatusOK {
		if status == http.StatusMethodNotAllowed {
			w.Header().Set("Allow", http.MethodPost)
		}
		http.Error(w, http.StatusText(status), status)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, "ok\n")
}

// handle does the work and says what to answer; it never logs the body or the
// token, only the event, the message id and what was done.
func (h *webhookHandler) handle(r *http.Request) (event string, status int, result string) {
	if r.Method != http.MethodPost {
		return "", http.StatusMethodNotAllowed, WebhookBadMethod
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, MaxWebhookBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			h.log.Warn("webhook body too large", "limit", MaxWebhookBody)
			return "", http.StatusRequestEntityTooLarge, WebhookTooLarge
		}
		return "", http.StatusBadRequest, WebhookBadRequest
	}
	// Authenticate before reading anything else out of the body, so that an
	// unauthenticated sender learns nothing about what we accept.
	var env struct {
		Token json.RawMessage `json:"token"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		h.log.Warn("webhook body is not JSON", "bytes", len(body))
		return "", http.StatusBadRequest, WebhookBadRequest
	}
	var tok string
	if len(env.Token) > 0 && env.Token[0] == '"' {
		_ = json.Unmarshal(env.Token, &tok)
	}
	if !h.authorized(tok) {
		h.log.Warn("webhook with a wrong or missing token", "remote", r.RemoteAddr)
		return "", http.StatusUnauthorized, WebhookUnauthorized
	}
	ev, err := aircall.ParseWebhook(body)
	if err != nil {
		h.log.Warn("webhook rejected", "err", err)
		return ev.Event, http.StatusBadRequest, WebhookBadRequest
	}
	if !messageEvents[ev.Event] {
		h.log.Debug("webhook event ignored", "event", ev.Event)
		return ev.Event, http.StatusOK, WebhookIgnored
	}
	m, err := ev.Message()
	if err != nil {
		h.log.Warn("webhook message rejected", "event", ev.Event, "err", err)
		return ev.Event, http.StatusBadRequest, WebhookBadRequest
	}
	result, err = h.save(r.Context(), ev, m)
	if err != nil {
		// 500 makes Aircall deliver again; nothing half-stored.
		h.log.Error("store webhook message", "event", ev.Event, "message", m.ID, "err", err)
		return ev.Event, http.StatusInternalServerError, WebhookError
	}
	h.log.Debug("webhook message", "event", ev.Event, "message", m.ID, "status", m.Status, "result", result)
	return ev.Event, http.StatusOK, result
}

func (h *webhookHandler) authorized(tok string) bool {
	if len(h.token) == 0 || tok == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(tok), h.token) == 1
}

// save stores the message unless the inbox already holds the same or a newer
// version of it: deliveries repeat and may arrive out of order, and a stale
// message.received must not undo a later status update. Whatever the order,
// one row per message id.
func (h *webhookHandler) save(ctx context.Context, ev aircall.WebhookEvent, m aircall.Message) (string, error) {
	payload := compactJSON(ev.Data)
	old, found, err := h.st.GetMessage(ctx, m.ID)
	if err != nil {
		return "", err
	}
	if found {
		if bytes.Equal(old.Payload, payload) {
			return WebhookDuplicate, nil
		}
		var prev aircall.Message
		if json.Unmarshal(old.Payload, &prev) == nil && newer(prev, m) {
			return WebhookDuplicate, nil
		}
	}
	_, inserted, err := h.st.SaveMessage(ctx, store.InboxMessage{MessageID: m.ID, Event: ev.Event, Status: m.Status, Payload: payload})
	if err != nil {
		return "", err
	}
	if inserted {
		return WebhookStored, nil
	}
	return WebhookUpdated, nil
}

// newer reports whether the stored version is strictly newer than the
// delivered one (by updated_at), so the delivery is stale.
func newer(stored, delivered aircall.Message) bool {
	return !stored.UpdatedAt.IsZero() && !delivered.UpdatedAt.IsZero() && stored.UpdatedAt.After(delivered.UpdatedAt.Time)
}

func compactJSON(b []byte) []byte {
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		return []byte(strings.TrimSpace(string(b)))
	}
	return buf.Bytes()
}
