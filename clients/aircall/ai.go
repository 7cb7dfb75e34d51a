package aircall

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
)

// aiGet fetches a conversation-intelligence resource. Here 404 means "not
// generated (yet)" and 403 means "add-on not licensed", not bad credentials.
func (c *Client) aiGet(ctx context.Context, callID int64, name string, out any) error {
	return c.do(ctx, request{
		method:    http.MethodGet,
		path:      "/v1/calls/" + strconv.FormatInt(callID, 10) + "/" + name,
		endpoint:  "/v1/calls/:id/" + name,
		notFound:  ErrNotReady,
		forbidden: ErrNotLicensed,
	}, out)
}

// Transcription returns a call's transcript; ErrNotReady / ErrNotLicensed.
func (c *Client) Transcription(ctx context.Context, callID int64) (Transcription, error) {
	var out struct {
		T Transcription `json:"transcription"`
	}
	if err := c.aiGet(ctx, callID, "transcription", &out); err != nil {
		return Transcription{}, err
	}
	return out.T, nil
}

// Summary returns the AI summary; ErrNotReady / ErrNotLicensed.
func (c *Client) Summary(ctx context.Context, callID int64) (Summary, error) {
	var out struct {
		S Summary `json:"summary"`
	}
	if err := c.aiGet(ctx, callID, "summary", &out); err != nil {
		return Summary{}, err
	}
	return out.S, nil
}

// Topics returns the key topics; the wrapper key is "topic" per the Go
// client, "topics" is accepted too since it is unverified.
func (c *Client) Topics(ctx context.Context, callID int64) (Topics, error) {
	var out map[string]json.RawMessage
	if err := c.aiGet(ctx, callID, "topics", &out); err != nil {
		return Topics{}, err
	}
	raw, ok := out["topic"]
	if !ok {
		raw, ok = out["topics"]
	}
	if !ok {
		return Topics{}, fmt.Errorf("aircall: topics of call %d: no topic or topics key", callID)
	}
	items, err := flexStrings(raw)
	if err != nil {
		return Topics{}, fmt.Errorf("aircall: topics of call %d: %w", callID, err)
	}
	return Topics{Content: items}, nil
}

// Sentiments returns each participant's mood; ErrNotReady / ErrNotLicensed.
func (c *Client) Sentiments(ctx context.Context, callID int64) (Sentiments, error) {
	var out map[string]json.RawMessage
	if err := c.aiGet(ctx, callID, "sentiments", &out); err != nil {
		return Sentiments{}, err
	}
	raw, ok := out["sentiment"]
	if !ok {
		raw, ok = out["sentiments"]
	}
	if !ok {
		return Sentiments{}, fmt.Errorf("aircall: sentiments of call %d: no sentiment key", callID)
	}
	var s Sentiments
	if err := json.Unmarshal(raw, &s); err != nil {
		return Sentiments{}, fmt.Errorf("aircall: sentiments of call %d: %w", callID, err)
	}
	return s, nil
}

// ActionItems returns the AI action items; ErrNotReady / ErrNotLicensed.
func (c *Client) ActionItems(ctx context.Context, callID int64) (ActionItems, error) {
	var raw json.RawMessage
	if err := c.aiGet(ctx, callID, "action_items", &raw); err != nil {
		return ActionItems{}, err
	}
	a, err := decodeActionItems(raw)
	if err != nil {
		return ActionItems{}, fmt.Errorf("aircall: call %d: %w", callID, err)
	}
	return a, nil
}
