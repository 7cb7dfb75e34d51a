package aircall

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// WebhookEvent is the envelope Aircall POSTs to webhook URLs. There is no
// signature: Token is the webhook's token, which the receiver must check.
type WebhookEvent struct {
	Resource  string          `json:"resource"`
	Event     string          `json:"event"`
	Timestamp int64           `json:"timestamp"`
	Token     string          `json:"token"`
	Data      json.RawMessage `json:"data"`
}

// ParseWebhook decodes and sanity-checks an envelope; the error names what
// is wrong so a receiver can log it usefully.
func ParseWebhook(body []byte) (WebhookEvent, error) {
	var e WebhookEvent
	if len(bytes.TrimSpace(body)) == 0 {
		return e, errors.New("aircall webhook: empty body")
	}
	var raw struct {
		Resource  string          `json:"resource"`
		Event     string          `json:"event"`
		Timestamp json.Number     `json:"timestamp"`
		Token     string          `json:"token"`
		Data      json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		return e, fmt.Errorf("aircall webhook: body is not a JSON envelope: %w", err)
	}
	e = WebhookEvent{Resource: raw.Resource, Event: raw.Event, Token: raw.Token, Data: raw.Data}
	if raw.Timestamp != "" {
		f, err := strconv.ParseFloat(string(raw.Timestamp), 64)
		if err != nil {
			return e, fmt.Errorf("aircall webhook: timestamp %q is not a number", raw.Timestamp)
		}
		e.Timestamp = int64(f)
	}
	switch {
	case e.Event == "":
		return e, errors.New("aircall webhook: missing \"event\"")
	case e.Token == "":
		return e, errors.New("aircall webhook: missing \"token\"")
	case len(e.Data) == 0 || string(e.Data) == "null":
		return e, fmt.Errorf("aircall webhook: event %s: missing \"data\"", e.Event)
	}
	if e.Resource == "" {
		// Derive it ("message.received" -> "message") rather than reject:
		// the event name carries the same information.
		e.Resource, _, _ = strings.Cut(e.Event, ".")
	}
	return e, nil
}

// Message is an SMS/MMS/WhatsApp message as delivered in message.* webhooks.
type Message struct {
	ID             string        `json:"id"` // JSON may be a string or a number
	DirectLink     string        `json:"direct_link"`
	Direction      string        `json:"direction"` // inbound|outbound
	ExternalNumber string        `json:"external_number"`
	RawDigits      string        `json:"raw_digits"`
	Body           string        `json:"body"`
	Status         string        `json:"status"`
	CreatedAt      FlexTime      `json:"created_at"`
	UpdatedAt      FlexTime      `json:"updated_at"`
	SentAt         FlexTime      `json:"sent_at"`
	MediaURL       []string      `json:"media_url"`
	MediaDetails   []MediaDetail `json:"media_details"`
	Number         *Number       `json:"number"`
	Contact        *Contact      `json:"contact"`
	User           *User         `json:"user"`
	Channel        string        `json:"channel"` // "whatsapp" or "" (null = SMS/MMS)
}

// MediaDetail is one attachment of an MMS/WhatsApp message.
type MediaDetail struct {
	FileName     string `json:"file_name"`
	FileType     string `json:"file_type"`
	PresignedURL string `json:"presigned_url"`
}

// UnmarshalJSON accepts id as a string or a number: the Go and Python
// clients say string, the TypeScript types say number. external_number
// too: the Python client says string, the public Go client (the most
// detailed public source for this object) types it as an int; a number is
// read as E.164 ("+" and its digits, since a JSON number cannot carry the
// "+" and Aircall's numbers are international), so the message is not
// rejected.
func (m *Message) UnmarshalJSON(b []byte) error {
	type plain Message
	var w struct {
		plain
		ID             json.RawMessage `json:"id"`
		ExternalNumber json.RawMessage `json:"external_number"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*m = Message(w.plain)
	m.ExternalNumber = ""
	if ext := bytes.TrimSpace(w.ExternalNumber); len(ext) > 0 && string(ext) != "null" {
		if ext[0] == '"' {
			if err := json.Unmarshal(ext, &m.ExternalNumber); err != nil {
				return fmt.Errorf("message external_number: %w", err)
			}
		} else if n, err := strconv.ParseUint(string(ext), 10, 64); err == nil {
			m.ExternalNumber = "+" + strconv.FormatUint(n, 10)
		} else {
			return fmt.Errorf("message external_number %s is neither a string nor a phone number", ext)
		}
	}
	m.ID = ""
	id := bytes.TrimSpace(w.ID)
	switch {
	case len(id) == 0 || string(id) == "null":
	case id[0] == '"':
		if err := json.Unmarshal(id, &m.ID); err != nil {
			return fmt.Errorf("message id: %w", err)
		}
	default:
		var n json.Number
		if err := json.Unmarshal(id, &n); err != nil {
			return fmt.Errorf("message id %s is neither a string nor a number", id)
		}
		m.ID = n.String()
	}
	return nil
}

// Message decodes Data as a message; it fails when the id is missing,
// since the id is what makes storing a delivery idempotent.
func (e WebhookEvent) Message() (Message, error) {
	var m Message
	if len(e.Data) == 0 {
		return m, fmt.Errorf("aircall webhook %s: no data", e.Event)
	}
	if err := json.Unmarshal(e.Data, &m); err != nil {
		return m, fmt.Errorf("aircall webhook %s: data is not a message: %w", e.Event, err)
	}
	if strings.TrimSpace(m.ID) == "" {
		return m, fmt.Errorf("aircall webhook %s: message has no id", e.Event)
	}
	return m, nil
}

// FlexTime is a timestamp that Aircall may send as Unix seconds (integer or
// float) or as an RFC 3339 string; null or "" leave it zero.
type FlexTime struct{ time.Time }

// UnmarshalJSON accepts a number, a numeric string, an RFC 3339 string or null.
func (t *FlexTime) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	t.Time = time.Time{}
	if len(b) == 0 || string(b) == "null" {
		return nil
	}
	s := string(b)
	if b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return fmt.Errorf("time: %w", err)
		}
		s = strings.TrimSpace(s)
		if s == "" {
			return nil
		}
		if v, err := time.Parse(time.RFC3339Nano, s); err == nil {
			t.Time = v.UTC()
			return nil
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return fmt.Errorf("time %s: neither Unix seconds nor RFC 3339", b)
	}
	sec := int64(f)
	t.Time = time.Unix(sec, int64((f-float64(sec))*1e9)).UTC()
	return nil
}

// MarshalJSON writes RFC 3339 (null when zero).
func (t FlexTime) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(t.UTC().Format(time.RFC3339Nano))
}

// Insight kinds, named after the REST endpoints that serve the same data
// (/v1/calls/:id/transcription, /summary, /topics, /sentiments,
// /action_items), so a stored insight and a fetched one share one name.
const (
	InsightTranscription = "transcription"
	InsightSummary       = "summary"
	InsightTopics        = "topics"
	InsightSentiments    = "sentiments"
	InsightActionItems   = "action_items"
)

// insightEvents maps each conversation-intelligence webhook to its kind.
// Aircall names them inconsistently (singular action_item and sentiment,
// plural topics): these are the names its documentation lists.
var insightEvents = map[string]string{
	"transcription.created": InsightTranscription,
	"summary.created":       InsightSummary,
	"topics.created":        InsightTopics,
	"sentiment.created":     InsightSentiments,
	"action_item.created":   InsightActionItems,
}

// insightWrappers are the keys under which the REST answer of each kind
// wraps its object. The keys of topics, sentiments and action items are
// unverified (public clients disagree on singular or plural), so both are
// accepted.
var insightWrappers = map[string][]string{
	InsightTranscription: {"transcription"},
	InsightSummary:       {"summary"},
	InsightTopics:        {"topic", "topics"},
	InsightSentiments:    {"sentiment", "sentiments"},
	InsightActionItems:   {"action_item", "action_items"},
}

// InsightKind says which insight an event carries ("summary.created" →
// "summary"); ok is false for any other event.
func InsightKind(event string) (kind string, ok bool) {
	kind, ok = insightEvents[event]
	return kind, ok
}

// InsightEvents lists the conversation-intelligence webhook events, sorted:
// the events to enable on the webhook for transcripts and AI insights.
func InsightEvents() []string {
	out := make([]string, 0, len(insightEvents))
	for e := range insightEvents {
		out = append(out, e)
	}
	sort.Strings(out)
	return out
}

// Insight is a transcript or AI insight delivered by webhook.
type Insight struct {
	Kind   string // one of the Insight* kinds
	CallID int64
	// Data is the insight as the REST endpoint's inner object (compact
	// JSON), whatever the delivery's shape, so it decodes like a fetched
	// one: into Transcription, Summary, Sentiments, or with the REST
	// decoders for topics and action items. Action items may be a list.
	Data json.RawMessage
}

// Insight decodes a conversation-intelligence event. Aircall does not
// document what data holds for these events: it is taken as the REST
// endpoint's inner object ({id, call_id, ...}) and also accepted wrapped as
// the REST answer is ({"transcription": {...}}); call_id may be a number or
// a string (public clients type it either way). A missing or unreadable
// call_id is an error, since the call is what the insight is stored under.
func (e WebhookEvent) Insight() (Insight, error) {
	kind, ok := InsightKind(e.Event)
	if !ok {
		return Insight{}, fmt.Errorf("aircall webhook %s: not an insight event", e.Event)
	}
	data := bytes.TrimSpace(e.Data)
	if len(data) == 0 || string(data) == "null" {
		return Insight{}, fmt.Errorf("aircall webhook %s: no data", e.Event)
	}
	inner, err := unwrapInsight(data, insightWrappers[kind])
	if err != nil {
		return Insight{}, fmt.Errorf("aircall webhook %s: %w", e.Event, err)
	}
	callID, err := insightCallID(inner)
	if err != nil {
		return Insight{}, fmt.Errorf("aircall webhook %s: %w", e.Event, err)
	}
	items, err := insightItems(inner)
	if err != nil {
		return Insight{}, fmt.Errorf("aircall webhook %s: data: %w", e.Event, err)
	}
	for i, it := range items {
		if items[i], err = numericCallID(it, callID); err != nil {
			return Insight{}, fmt.Errorf("aircall webhook %s: data: %w", e.Event, err)
		}
	}
	out := items[0]
	if inner[0] == '[' {
		if out, err = json.Marshal(items); err != nil {
			return Insight{}, fmt.Errorf("aircall webhook %s: data: %w", e.Event, err)
		}
	}
	return Insight{Kind: kind, CallID: callID, Data: out}, nil
}

// numericCallID rewrites a string call_id as the number it holds, so the
// kept insight decodes into the REST types, which read call_id as a number.
// Objects whose call_id is already a number are kept byte for byte.
func numericCallID(obj json.RawMessage, callID int64) (json.RawMessage, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(obj, &m); err != nil {
		return nil, err
	}
	if raw := bytes.TrimSpace(m["call_id"]); len(raw) == 0 || raw[0] != '"' {
		return obj, nil
	}
	m["call_id"] = json.RawMessage(strconv.FormatInt(callID, 10))
	return json.Marshal(m)
}

// unwrapInsight returns the object under the first wrapper key when data is
// an object without its own call_id; otherwise data itself.
func unwrapInsight(data json.RawMessage, wrappers []string) (json.RawMessage, error) {
	if data[0] != '{' {
		if data[0] == '[' {
			return data, nil
		}
		return nil, fmt.Errorf("data is neither an object nor a list: %.40s", data)
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(data, &obj); err != nil {
		return nil, fmt.Errorf("data is not a JSON object: %w", err)
	}
	if _, own := obj["call_id"]; own {
		return data, nil
	}
	for _, k := range wrappers {
		if raw, ok := obj[k]; ok {
			raw = bytes.TrimSpace(raw)
			if len(raw) == 0 || (raw[0] != '{' && raw[0] != '[') {
				return nil, fmt.Errorf("data.%s is neither an object nor a list", k)
			}
			return raw, nil
		}
	}
	return data, nil // no call_id: insightCallID says so
}

// insightCallID reads call_id from the object, or from every element of a
// list (action items), which must all name the same call.
func insightCallID(inner json.RawMessage) (int64, error) {
	if inner[0] == '[' {
		var list []json.RawMessage
		if err := json.Unmarshal(inner, &list); err != nil {
			return 0, fmt.Errorf("data list: %w", err)
		}
		var id int64
		for i, el := range list {
			got, err := insightCallID(bytes.TrimSpace(el))
			if err != nil {
				return 0, fmt.Errorf("item %d: %w", i, err)
			}
			if id != 0 && got != id {
				return 0, fmt.Errorf("items name two calls, %d and %d", id, got)
			}
			id = got
		}
		if id == 0 {
			return 0, errors.New("empty list: no call_id")
		}
		return id, nil
	}
	if len(inner) == 0 || inner[0] != '{' {
		return 0, fmt.Errorf("item is not an object: %.40s", inner)
	}
	var obj struct {
		CallID json.RawMessage `json:"call_id"`
	}
	if err := json.Unmarshal(inner, &obj); err != nil {
		return 0, fmt.Errorf("data: %w", err)
	}
	raw := bytes.TrimSpace(obj.CallID)
	if len(raw) == 0 || string(raw) == "null" {
		return 0, errors.New(`missing "call_id"`)
	}
	s := string(raw)
	if raw[0] == '"' {
		if err := json.Unmarshal(raw, &s); err != nil {
			return 0, fmt.Errorf("call_id: %w", err)
		}
		s = strings.TrimSpace(s)
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("call_id %s is not a call id", raw)
	}
	return id, nil
}

// MergeInsight combines a stored insight with a newer delivery of the same
// call and kind. Action items may come one per action_item.created event, so
// they accumulate (one entry per item id, or per distinct content when an
// item has no id); any other kind is replaced by the newer delivery, since a
// call has one transcript, summary, topic list and sentiment.
func MergeInsight(kind string, stored, delivered []byte) ([]byte, error) {
	if kind != InsightActionItems || len(stored) == 0 {
		return delivered, nil
	}
	var out []json.RawMessage
	seen := map[string]bool{}
	for _, src := range [][]byte{stored, delivered} {
		items, err := insightItems(src)
		if err != nil {
			return nil, fmt.Errorf("merge action items: %w", err)
		}
		for _, it := range items {
			var idOf struct {
				ID json.RawMessage `json:"id"`
			}
			key := "c:" + string(it)
			if json.Unmarshal(it, &idOf) == nil && len(idOf.ID) > 0 && string(idOf.ID) != "null" {
				key = "i:" + strings.Trim(string(idOf.ID), `"`)
			}
			if !seen[key] {
				seen[key] = true
				out = append(out, it)
			}
		}
	}
	if len(out) == 1 {
		return out[0], nil
	}
	return json.Marshal(out)
}

// insightItems reads one object or a list of them, each compacted.
func insightItems(b []byte) ([]json.RawMessage, error) {
	b = bytes.TrimSpace(b)
	var list []json.RawMessage
	if len(b) > 0 && b[0] == '[' {
		if err := json.Unmarshal(b, &list); err != nil {
			return nil, err
		}
	} else {
		list = []json.RawMessage{b}
	}
	for i, it := range list {
		var buf bytes.Buffer
		if err := json.Compact(&buf, it); err != nil {
			return nil, err
		}
		list[i] = buf.Bytes()
	}
	return list, nil
}
