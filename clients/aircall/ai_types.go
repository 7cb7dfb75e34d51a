package aircall

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Transcription is a call's transcript. On the wire the language and the
// utterances sit under "content"; (Un)MarshalJSON map that nesting so the
// Go value stays flat.
type Transcription struct {
	ID         int64       `json:"id"`
	CallID     int64       `json:"call_id"`
	Type       string      `json:"type"` // call|voicemail
	Language   string      `json:"language"`
	Utterances []Utterance `json:"utterances"`
}

type transcriptionWire struct {
	ID      int64  `json:"id"`
	CallID  int64  `json:"call_id"`
	Type    string `json:"type"`
	Content struct {
		Language   string      `json:"language"`
		Utterances []Utterance `json:"utterances"`
	} `json:"content"`
}

// MarshalJSON writes the wire shape, so a marshalled Transcription reads back
// through UnmarshalJSON. (The fake server writes its own JSON.)
func (t Transcription) MarshalJSON() ([]byte, error) {
	var w transcriptionWire
	w.ID, w.CallID, w.Type = t.ID, t.CallID, t.Type
	w.Content.Language, w.Content.Utterances = t.Language, t.Utterances
	return json.Marshal(w)
}

// UnmarshalJSON reads the wire shape.
func (t *Transcription) UnmarshalJSON(b []byte) error {
	var w transcriptionWire
	if err := json.Unmarshal(b, &w); err != nil {
		return fmt.Errorf("transcription: %w", err)
	}
	*t = Transcription{ID: w.ID, CallID: w.CallID, Type: w.Type,
		Language: w.Content.Language, Utterances: w.Content.Utterances}
	return nil
}

// Utterance is one turn of a transcript.
type Utterance struct {
	StartTime       float64 `json:"start_time"`
	EndTime         float64 `json:"end_time"`
	Text            string  `json:"text"`
	ParticipantType string  `json:"participant_type"` // internal|external|ai_voice_agent|...
	PhoneNumber     string  `json:"phone_number"`
	UserID          int64   `json:"user_id"` // 0 when absent, null or not a number
}

// UnmarshalJSON reads user_id leniently. Its type is not documented: the Go
// client types it as an int on utterances but as a string on sentiment
// participants, and external speakers have no user. A number, a numeric
// string, null or "" all decode (the last two to 0), and any other value
// becomes 0 rather than failing the whole transcript.
func (u *Utterance) UnmarshalJSON(b []byte) error {
	type plain Utterance
	var w struct {
		plain
		UserID json.RawMessage `json:"user_id"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return fmt.Errorf("utterance: %w", err)
	}
	*u = Utterance(w.plain)
	u.UserID = flexInt64(w.UserID)
	return nil
}

// Speaker labels for transcript turns.
const (
	SpeakerAgent   = "Agent"
	SpeakerCaller  = "Caller"
	SpeakerUnknown = "Unknown speaker"
)

// SpeakerLabel names who spoke, for people reading the transcript:
// "internal" is an agent, "external" the caller, and the other values
// Aircall may send (e.g. "ai_voice_agent" when its AI voice agent took the
// call) become readable words ("AI voice agent") instead of being passed
// off as one of the two humans.
func (u Utterance) SpeakerLabel() string { return speakerLabel(u.ParticipantType) }

// SpeakerLabel names a sentiment participant the same way.
func (p SentimentParticipant) SpeakerLabel() string { return speakerLabel(p.ParticipantType) }

func speakerLabel(participantType string) string {
	t := strings.ToLower(strings.TrimSpace(participantType))
	switch t {
	case "internal", "agent", "user":
		return SpeakerAgent
	case "external", "contact", "customer":
		return SpeakerCaller
	case "":
		return SpeakerUnknown
	}
	words := strings.FieldsFunc(t, func(r rune) bool { return r == '_' || r == '-' || r == ' ' })
	for i, w := range words {
		switch w {
		case "ai", "ivr":
			words[i] = strings.ToUpper(w)
		}
	}
	if len(words) == 0 {
		return SpeakerUnknown
	}
	if words[0] != strings.ToUpper(words[0]) {
		words[0] = strings.ToUpper(words[0][:1]) + words[0][1:]
	}
	return strings.Join(words, " ")
}

// flexInt64 reads an integer sent as a JSON number or numeric string; null,
// "", fractions, overflows and anything else give 0.
func flexInt64(raw json.RawMessage) int64 {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return 0
	}
	s := string(raw)
	if raw[0] == '"' {
		if err := json.Unmarshal(raw, &s); err != nil {
			return 0
		}
		s = strings.TrimSpace(s)
	}
	if v, err := strconv.ParseInt(s, 10, 64); err == nil {
		return v
	}
	// 77.0 or 7.7e1: integral floats within range only.
	if f, err := strconv.ParseFloat(s, 64); err == nil && f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return int64(f)
	}
	return 0
}

// Summary is the AI call summary: one free-text paragraph.
type Summary struct {
	Content string `json:"content"`
}

// Topics are the key topics of a call.
type Topics struct {
	Content []string `json:"content"`
}

// Sentiments holds the mood of each participant.
type Sentiments struct {
	Participants []SentimentParticipant `json:"participants"`
}

// SentimentParticipant is one participant's mood (POSITIVE|NEUTRAL|NEGATIVE).
type SentimentParticipant struct {
	PhoneNumber     string `json:"phone_number"`
	Value           string `json:"value"`
	ParticipantType string `json:"participant_type"`
}

// UnmarshalJSON takes the participant's kind from "type" when
// "participant_type" is absent: public sources show sentiment participants
// with either key.
func (p *SentimentParticipant) UnmarshalJSON(b []byte) error {
	type plain SentimentParticipant
	var w struct {
		plain
		Type string `json:"type"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return fmt.Errorf("sentiment participant: %w", err)
	}
	*p = SentimentParticipant(w.plain)
	if p.ParticipantType == "" {
		p.ParticipantType = w.Type
	}
	return nil
}

// ActionItems lists the follow-ups the AI found in a call.
type ActionItems struct {
	Items []string
}

// MarshalJSON writes the list as [{"content":...}], one of the shapes
// UnmarshalJSON accepts, so marshalled action items read back.
func (a ActionItems) MarshalJSON() ([]byte, error) {
	type item struct {
		Content string `json:"content"`
	}
	items := make([]item, 0, len(a.Items))
	for _, s := range a.Items {
		items = append(items, item{s})
	}
	return json.Marshal(items)
}

// UnmarshalJSON reads what MarshalJSON writes (and the other item shapes).
func (a *ActionItems) UnmarshalJSON(b []byte) error {
	items, err := flexStrings(b)
	if err != nil {
		return fmt.Errorf("action items: %w", err)
	}
	a.Items = items
	return nil
}

// decodeActionItems accepts the shapes seen or guessed for
// /v1/calls/:id/action_items, because the real one is unverified:
// {"action_items":[{"content":"..."}...]}, {"action_items":["..."]},
// {"action_item":{"content":"..." | ["..."]}} and
// {"action_item":[{"content":...}]}.
func decodeActionItems(b []byte) (ActionItems, error) {
	var env map[string]json.RawMessage
	if err := json.Unmarshal(b, &env); err != nil {
		return ActionItems{}, fmt.Errorf("action items: %w", err)
	}
	raw, ok := env["action_items"]
	if !ok {
		raw, ok = env["action_item"]
	}
	if !ok {
		return ActionItems{}, fmt.Errorf("action items: no action_items or action_item key")
	}
	items, err := flexStrings(raw)
	if err != nil {
		return ActionItems{}, fmt.Errorf("action items: %w", err)
	}
	return ActionItems{Items: items}, nil
}

// flexStrings reads null, "s", ["s"...], {"content": <any of these>} or an
// array of {"content": ...} into a flat list of strings.
func flexStrings(raw json.RawMessage) ([]string, error) {
	var out []string
	var walk func(r json.RawMessage, depth int) error
	walk = func(r json.RawMessage, depth int) error {
		if depth > 4 {
			return fmt.Errorf("nested too deep")
		}
		var s string
		if err := json.Unmarshal(r, &s); err == nil {
			if s != "" {
				out = append(out, s)
			}
			return nil
		}
		var arr []json.RawMessage
		if err := json.Unmarshal(r, &arr); err == nil {
			for _, e := range arr {
				if err := walk(e, depth+1); err != nil {
					return err
				}
			}
			return nil
		}
		var obj struct {
			Content json.RawMessage `json:"content"`
		}
		if err := json.Unmarshal(r, &obj); err != nil {
			return fmt.Errorf("unexpected shape %.40s", r)
		}
		if len(obj.Content) == 0 || string(obj.Content) == "null" {
			return nil
		}
		return walk(obj.Content, depth+1)
	}
	if string(raw) == "null" {
		return nil, nil
	}
	return out, walk(raw, 0)
}
