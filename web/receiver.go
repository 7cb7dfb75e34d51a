package web

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/aircall-helpscout/aircall-helpscout/clients/aircall"
	"github.com/aircall-helpscout/aircall-helpscout/store"
)

// WebhookPath is where Aircall posts its events (the URL to register is
// <PUBLIC_URL>/webhooks/aircall).
const WebhookPath = "/webhooks/aircall"

// MaxWebhookBody bounds a delivery: a message with its media details is a
// few kB and a long transcript some hundred kB, so 1 MiB leaves room while
// keeping a flood from filling memory.
const MaxWebhookBody = 1 << 20

// DefaultBodyTimeout bounds how long a sender may take to send a delivery's
// body. Aircall itself gives up on a delivery after 5 s, so a sender still
// sending after that is not Aircall, or Aircall has already retried.
const DefaultBodyTimeout = 5 * time.Second

// Results of a delivery, as counted in /metrics: the first five for
// deliveries accepted, ResultRefused for those refused (Delivery.Reason
// says why).
const (
	ResultStored    = "stored"    // a new message or insight
	ResultUpdated   = "updated"   // a later version of a known message or insight
	ResultDuplicate = "duplicate" // the same delivery again, or an older one: nothing changed
	ResultIgnored   = "ignored"   // an event we know and do not use (yet): acknowledged
	ResultQueued    = "queued"    // call.created handed to the insight card sender
	ResultError     = "error"     // the store failed: answered 500 so Aircall delivers again
	ResultRefused   = "refused"
)

// Reasons a delivery is refused. The first four are answered 200 (retrying
// cannot help); the others are not complete deliveries.
const (
	ReasonUnauthorized = "unauthorized"  // wrong or missing token
	ReasonMalformed    = "malformed"     // not JSON, no event, data unreadable or without its id
	ReasonUnknownEvent = "unknown_event" // an event this service does not know
	ReasonTooLarge     = "too_large"     // over MaxWebhookBody
	ReasonTimeout      = "timeout"       // the body did not arrive in time (408)
	ReasonIncomplete   = "incomplete"    // the body could not be read (400)
	ReasonBadMethod    = "method_not_allowed"
)

// RefusalReasons lists every refusal reason, for metrics to start at zero.
func RefusalReasons() []string {
	return []string{ReasonUnauthorized, ReasonMalformed, ReasonUnknownEvent, ReasonTooLarge, ReasonTimeout, ReasonIncomplete, ReasonBadMethod}
}

// messageEvents are stored in the inbox for the passes to log.
var messageEvents = []string{"message.sent", "message.received", "message.status_updated"}

// ignoredEvents are known and acknowledged without storing: group
// conversations (group_message.*) have several external parties while
// messages are filed by one customer, and call.* events are not stored:
// passes list calls by REST. call.created is handed to the insight card
// sender when there is one (CardQueue), and still stored nowhere.
var ignoredEvents = []string{"call.created", "call.ended", "group_message.sent", "group_message.received", "group_message.status_updated"}

// StoredEvents lists the events the receiver stores: messages and insights.
func StoredEvents() []string {
	return append(append([]string(nil), messageEvents...), aircall.InsightEvents()...)
}

// IgnoredEvents lists the events acknowledged and counted without storing
// (any other call.* or group_message.* event is too).
func IgnoredEvents() []string { return append([]string(nil), ignoredEvents...) }

// CardQueue takes the calls that may get an insight card. CallCreated must
// return at once (the card is sent in the background, since Aircall waits
// for our answer while the phone rings): true when a card is meant for the
// call, false when none is (outbound, a line of no instance, cards off).
type CardQueue interface {
	CallCreated(call aircall.Call, received time.Time) bool
}

// Delivery is what the receiver did with one request, for metrics.
type Delivery struct {
	Event  string // the event, only once the token is checked ("" before)
	Result string // one of the Result* values
	Reason string // for ResultRefused: one of the Reason* values
}

// ReceiverOption tunes the receiver.
type ReceiverOption func(*receiver)

// WithDeliveryHook sets a function called once per request with what was
// done (metrics).
func WithDeliveryHook(fn func(Delivery)) ReceiverOption {
	return func(h *receiver) {
		if fn != nil {
			h.hook = fn
		}
	}
}

// WithCards hands call.created deliveries to q (nil: acknowledged and
// ignored, as without insight cards).
func WithCards(q CardQueue) ReceiverOption {
	return func(h *receiver) { h.cards = q }
}

// WithBodyTimeout bounds the time a sender may take to send the body
// (DefaultBodyTimeout when d <= 0).
func WithBodyTimeout(d time.Duration) ReceiverOption {
	return func(h *receiver) {
		if d > 0 {
			h.bodyTimeout = d
		}
	}
}

type receiver struct {
	st          *store.Store
	token       []byte
	log         *slog.Logger
	hook        func(Delivery)
	bodyTimeout time.Duration
	cards       CardQueue
}

// NewReceiver returns the receiver of Aircall's webhooks. It checks the
// body's token against token in constant time (Aircall signs nothing: the
// token in the body is the only proof), stores each message and insight
// once (later events update them) and answers at once: no API request is
// made on the request path, the passes do that. An empty token refuses
// every delivery rather than accepting anyone's.
func NewReceiver(st *store.Store, token string, log *slog.Logger, opts ...ReceiverOption) http.Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	h := &receiver{st: st, token: []byte(token), log: log, hook: func(Delivery) {}, bodyTimeout: DefaultBodyTimeout}
	for _, o := range opts {
		o(h)
	}
	return h
}

func (h *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	d, status := h.handle(w, r)
	h.hook(d)
	switch status {
	case http.StatusOK:
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, "ok\n")
	case http.StatusMethodNotAllowed:
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, http.StatusText(status), status)
	default:
		http.Error(w, http.StatusText(status), status)
	}
}

func refused(reason string) (Delivery, int) {
	return Delivery{Result: ResultRefused, Reason: reason}, http.StatusOK
}

// handle does the work and says what to answer. It never logs the body or
// the token: only the event, the ids and what was done.
func (h *receiver) handle(w http.ResponseWriter, r *http.Request) (Delivery, int) {
	if r.Method != http.MethodPost {
		return Delivery{Result: ResultRefused, Reason: ReasonBadMethod}, http.StatusMethodNotAllowed
	}
	// An insight card's budget runs from here, before the body is read.
	received := time.Now()
	// The server's ReadTimeout bounds the whole request too; this deadline
	// is the receiver's own, so a slow sender is cut whatever the server.
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(h.bodyTimeout))
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxWebhookBody))
	if err != nil {
		var mbe *http.MaxBytesError
		var ne net.Error
		switch {
		case errors.As(err, &mbe):
			h.log.Warn("webhook refused: body too large", "reason", ReasonTooLarge, "limit_bytes", MaxWebhookBody, "remote", r.RemoteAddr)
			return refused(ReasonTooLarge)
		case errors.As(err, &ne) && ne.Timeout():
			h.log.Warn("webhook body not received in time", "reason", ReasonTimeout, "bytes", len(body), "remote", r.RemoteAddr)
			return Delivery{Result: ResultRefused, Reason: ReasonTimeout}, http.StatusRequestTimeout
		default:
			h.log.Warn("webhook body unreadable", "reason", ReasonIncomplete, "err", err, "remote", r.RemoteAddr)
			return Delivery{Result: ResultRefused, Reason: ReasonIncomplete}, http.StatusBadRequest
		}
	}
	// Authenticate before reading anything else out of the body, so that
	// an unauthenticated sender learns nothing about what we accept.
	var env struct {
		Token json.RawMessage `json:"token"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		h.log.Warn("webhook refused: body is not a JSON object", "reason", ReasonMalformed, "bytes", len(body), "remote", r.RemoteAddr)
		return refused(ReasonMalformed)
	}
	var tok string
	if len(env.Token) > 0 && env.Token[0] == '"' {
		_ = json.Unmarshal(env.Token, &tok)
	}
	if !h.authorized(tok) {
		h.log.Warn("webhook refused: wrong or missing token", "reason", ReasonUnauthorized, "remote", r.RemoteAddr)
		return refused(ReasonUnauthorized)
	}
	ev, err := aircall.ParseWebhook(body)
	if err != nil {
		h.log.Warn("webhook refused", "reason", ReasonMalformed, "err", err)
		d, s := refused(ReasonMalformed)
		d.Event = knownEvent(ev.Event)
		return d, s
	}
	switch {
	case slices.Contains(messageEvents, ev.Event):
		return h.message(r.Context(), ev)
	case isInsight(ev.Event):
		return h.insight(r.Context(), ev)
	case ev.Event == "call.created" && h.cards != nil:
		return h.callCreated(ev, received)
	case slices.Contains(ignoredEvents, ev.Event) || strings.HasPrefix(ev.Event, "call.") || strings.HasPrefix(ev.Event, "group_message."):
		h.log.Debug("webhook event acknowledged, not used", "event", ev.Event)
		return Delivery{Event: ev.Event, Result: ResultIgnored}, http.StatusOK
	default:
		h.log.Warn("webhook refused: unknown event (disable it on the Aircall webhook)", "reason", ReasonUnknownEvent, "event", clip(ev.Event))
		return refused(ReasonUnknownEvent)
	}
}

func (h *receiver) message(ctx context.Context, ev aircall.WebhookEvent) (Delivery, int) {
	m, err := ev.Message()
	if err != nil {
		h.log.Warn("webhook refused", "reason", ReasonMalformed, "event", ev.Event, "err", err)
		d, s := refused(ReasonMalformed)
		d.Event = ev.Event
		return d, s
	}
	result, err := h.saveMessage(ctx, ev, m)
	if err != nil {
		// 500 makes Aircall deliver again; nothing half-stored.
		h.log.Error("store webhook message", "event", ev.Event, "message", m.ID, "err", err)
		return Delivery{Event: ev.Event, Result: ResultError}, http.StatusInternalServerError
	}
	h.log.Debug("webhook message", "event", ev.Event, "message", m.ID, "status", m.Status, "result", result)
	return Delivery{Event: ev.Event, Result: result}, http.StatusOK
}

func (h *receiver) insight(ctx context.Context, ev aircall.WebhookEvent) (Delivery, int) {
	in, err := ev.Insight()
	if err != nil {
		h.log.Warn("webhook refused", "reason", ReasonMalformed, "event", ev.Event, "err", err)
		d, s := refused(ReasonMalformed)
		d.Event = ev.Event
		return d, s
	}
	saved, err := h.st.SaveInsight(ctx, store.InsightEvent{CallID: in.CallID, Kind: in.Kind, Event: ev.Event, Payload: in.Data},
		func(stored, delivered []byte) ([]byte, error) {
			return aircall.MergeInsight(in.Kind, stored, delivered)
		})
	if err != nil {
		h.log.Error("store webhook insight", "event", ev.Event, "call", in.CallID, "err", err)
		return Delivery{Event: ev.Event, Result: ResultError}, http.StatusInternalServerError
	}
	h.log.Debug("webhook insight", "event", ev.Event, "call", in.CallID, "result", string(saved))
	return Delivery{Event: ev.Event, Result: string(saved)}, http.StatusOK
}

// callCreated hands the call to the card sender without waiting for the
// card: the answer to Aircall never depends on it.
func (h *receiver) callCreated(ev aircall.WebhookEvent, received time.Time) (Delivery, int) {
	var call aircall.Call
	if err := json.Unmarshal(ev.Data, &call); err != nil || call.ID <= 0 {
		if err == nil {
			err = errors.New("no call id")
		}
		h.log.Warn("webhook refused", "reason", ReasonMalformed, "event", ev.Event, "err", err)
		d, s := refused(ReasonMalformed)
		d.Event = ev.Event
		return d, s
	}
	if h.cards.CallCreated(call, received) {
		h.log.Debug("call handed to the insight card sender", "call", call.ID)
		return Delivery{Event: ev.Event, Result: ResultQueued}, http.StatusOK
	}
	return Delivery{Event: ev.Event, Result: ResultIgnored}, http.StatusOK
}

func (h *receiver) authorized(tok string) bool {
	if len(h.token) == 0 || tok == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(tok), h.token) == 1
}

// saveMessage stores the message unless the inbox already holds the same
// or a newer version of it: deliveries repeat and may arrive out of order,
// and a stale message.received must not undo a later status update.
// Whatever the order, one row per message id.
func (h *receiver) saveMessage(ctx context.Context, ev aircall.WebhookEvent, m aircall.Message) (string, error) {
	payload := compactJSON(ev.Data)
	old, found, err := h.st.GetMessage(ctx, m.ID)
	if err != nil {
		return "", err
	}
	if found {
		if bytes.Equal(old.Payload, payload) {
			return ResultDuplicate, nil
		}
		var prev aircall.Message
		if json.Unmarshal(old.Payload, &prev) == nil && newer(prev, m) {
			return ResultDuplicate, nil
		}
	}
	_, inserted, err := h.st.SaveMessage(ctx, store.InboxMessage{MessageID: m.ID, Event: ev.Event, Status: m.Status, Payload: payload})
	if err != nil {
		return "", err
	}
	if inserted {
		return ResultStored, nil
	}
	return ResultUpdated, nil
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

func isInsight(event string) bool {
	_, ok := aircall.InsightKind(event)
	return ok
}

// knownEvent is the event as a metric label: a known name, or "" so that
// an authenticated sender's typo cannot create series without end.
func knownEvent(e string) string {
	if slices.Contains(messageEvents, e) || isInsight(e) || slices.Contains(ignoredEvents, e) {
		return e
	}
	return ""
}

// clip bounds a sender-chosen string before it goes into a log line.
func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}
