package aircall

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Webhook is one webhook registered on the Aircall account, as listed by
// GET /v1/webhooks. Aircall disables a webhook (Active false) after repeated
// failed deliveries; a later success re-enables it.
type Webhook struct {
	// ID is the webhook_id (a UUID) that /v1/webhooks/:id takes; when an
	// answer lacks it, the numeric "id" listings also carry, as a string.
	ID         string   `json:"-"`
	CustomName string   `json:"custom_name"`
	URL        string   `json:"url"`
	Events     []string `json:"events"`
	Active     bool     `json:"active"`
	// Token is what Aircall puts in every delivery's "token" field; the
	// receiver compares it with its configured secret.
	Token      string   `json:"token"`
	DirectLink string   `json:"direct_link"`
	CreatedAt  FlexTime `json:"created_at"`
}

// UnmarshalJSON fills ID from webhook_id, else from id (number or string).
func (w *Webhook) UnmarshalJSON(b []byte) error {
	type plain Webhook
	var x struct {
		plain
		WebhookID string          `json:"webhook_id"`
		RawID     json.RawMessage `json:"id"`
	}
	if err := json.Unmarshal(b, &x); err != nil {
		return fmt.Errorf("webhook: %w", err)
	}
	*w = Webhook(x.plain)
	w.ID = x.WebhookID
	if w.ID == "" && len(x.RawID) > 0 && string(x.RawID) != "null" {
		w.ID = strings.Trim(string(bytes.TrimSpace(x.RawID)), `"`)
	}
	return nil
}

// WebhookInput is what CreateWebhook and UpdateWebhook send.
type WebhookInput struct {
	CustomName string   `json:"custom_name,omitempty"`
	URL        string   `json:"url"`
	Events     []string `json:"events"`
}

// validate refuses what Aircall would refuse (a URL that is not https) and
// an empty event list, which Aircall reads as "every event": a flood of
// deliveries nobody asked for.
func (in WebhookInput) validate() error {
	u, err := url.Parse(in.URL)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return fmt.Errorf("webhook url %q must be an absolute https URL", in.URL)
	}
	if len(in.Events) == 0 {
		return errors.New("webhook events must not be empty (Aircall would send every event)")
	}
	for i, e := range in.Events {
		if strings.TrimSpace(e) == "" {
			return fmt.Errorf("webhook event %d is empty", i+1)
		}
	}
	return nil
}

// ListWebhooks returns every webhook of the account. Aircall's webhook
// listing sends no next_page_link, so paging stops on meta.total.
func (c *Client) ListWebhooks(ctx context.Context) ([]Webhook, error) {
	return listAll[Webhook](ctx, c, "/v1/webhooks", "webhooks", nil)
}

// CreateWebhook registers a webhook with POST /v1/webhooks; the answer
// carries the token deliveries will hold. Not retried on 5xx or timeouts
// (a retry could register a second webhook and double every delivery):
// on such an error, list the webhooks before trying again.
func (c *Client) CreateWebhook(ctx context.Context, in WebhookInput) (Webhook, error) {
	if err := in.validate(); err != nil {
		return Webhook{}, fmt.Errorf("aircall: create webhook: %w", err)
	}
	var out struct {
		Webhook Webhook `json:"webhook"`
	}
	err := c.do(ctx, request{method: http.MethodPost, path: "/v1/webhooks", endpoint: "/v1/webhooks", body: in, noRetry5xx: true}, &out)
	return out.Webhook, err
}

// UpdateWebhook replaces a webhook's name, URL and events with
// PUT /v1/webhooks/:id (Aircall's "Update a Webhook"; events replace the
// list, so send the full set). This is how an existing webhook is
// completed with missing events: unlike delete + create it keeps the token
// the receiver is configured with and leaves no moment without a webhook,
// when message deliveries, which Aircall cannot resend, would be lost.
// Retried on 5xx: setting the same fields twice is harmless.
func (c *Client) UpdateWebhook(ctx context.Context, id string, in WebhookInput) (Webhook, error) {
	if strings.TrimSpace(id) == "" {
		return Webhook{}, errors.New("aircall: update webhook: empty webhook id")
	}
	if err := in.validate(); err != nil {
		return Webhook{}, fmt.Errorf("aircall: update webhook %s: %w", id, err)
	}
	var out struct {
		Webhook Webhook `json:"webhook"`
	}
	err := c.do(ctx, request{method: http.MethodPut, path: "/v1/webhooks/" + url.PathEscape(id), endpoint: "/v1/webhooks/:id", body: in}, &out)
	return out.Webhook, err
}
