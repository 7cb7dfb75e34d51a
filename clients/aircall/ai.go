package aircall

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
)

// aiGet fetches a conversation-intelligence resource. Here 404 means "not
// generated (yet)" and 403 means "add-on not licensed". Aircall also answers
// 403 for bad credentials (the one status carries both meanings, per
// public clients that observed the API), so a 403 is checked once with GET /v1/ping: when the ping is
// refused too, the error is ErrBadCredentials, and a revoked key stops the
// caller instead of passing for an add-on that is off. Callers stop asking
// after a 403, so the ping is rare.
func (c *Client) aiGet(ctx context.Context, callID int64, name string, out any) error {
	err := c.do(ctx, request{
		method:    http.MethodGet,
		path:      "/v1/calls/" + strconv.FormatInt(callID, 10) + "/" + name,
		endpoint:  "/v1/calls/:id/" + name,
		notFound:  ErrNotReady,
		forbidden: ErrNotLicensed,
	}, out)
	var apiErr *APIError
	if errors.As(err, &apiErr) && apiErr.Err == ErrNotLicensed {
		if perr := c.Ping(ctx); errors.Is(perr, ErrBadCredentials) {
			apiErr.Err = ErrBadCredentials
		}
	}
	return err
}

// aiResource fetches name and decodes the object under the first present
// wrapper key into out; a 200 without any of the keys is an error rather
// than an empty insight logged as if it were real.
func (c *Client) aiResource(ctx context.Context, callID int64, name string, out any, keys ...string) error {
	var env map[string]json.RawMessage
	if err := c.aiGet(ctx, callID, name, &env); err != nil {
		return err
	}
	for _, k := range keys {
		if raw, ok := env[k]; ok {
			if err := json.Unmarshal(raw, out); err != nil {
				return fmt.Errorf("aircall: %s of call %d: %w", name, callID, err)
			}
			return nil
		}
	}
	return fmt.Errorf("aircall: %s of call %d: none of the keys %v in the answer", name, callID, keys)
}

// Transcription returns a call's transcript; ErrNotReady / ErrNotLicensed.
func (c *Client) Transcription(ctx context.Context, callID int64) (Transcription, error) {
	var t Transcription
	err := c.aiResource(ctx, callID, "transcription", &t, "transcription")
	return t, err
}

// Summary returns the AI summary; ErrNotReady / ErrNotLicensed.
func (c *Client) Summary(ctx context.Context, callID int64) (Summary, error) {
	var s Summary
	err := c.aiResource(ctx, callID, "summary", &s, "summary")
	return s, err
}

// Topics returns the key topics; the wrapper key is "topic" per the Go
// client, "topics" is accepted too since it is unverified, and content
// may be a list or a single string.
func (c *Client) Topics(ctx context.Context, callID int64) (Topics, error) {
	var raw json.RawMessage
	if err := c.aiResource(ctx, callID, "topics", &raw, "topic", "topics"); err != nil {
		return Topics{}, err
	}
	items, err := flexStrings(raw)
	if err != nil {
		return Topics{}, fmt.Errorf("aircall: topics of call %d: %w", callID, err)
	}
	return Topics{Content: items}, nil
}

// Sentiments returns each participant's mood; ErrNotReady / ErrNotLicensed.
func (c *Client) Sentiments(ctx context.Context, callID int64) (Sentiments, error) {
	var s Sentiments
	err := c.aiResource(ctx, callID, "sentiments", &s, "sentiment", "sentiments")
	return s, err
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
