package aircall

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
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
// clients say string, the TypeScript types say number. external_number too:
// the Python client says string, the Go client (aircall.md's [GO] source
// for this object) types it as an int; a number is read as E.164 ("+"
// and its digits, since a JSON number cannot carry the "+" and Aircall's
// numbers are international), so the message is not rejected.
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
