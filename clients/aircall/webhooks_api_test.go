package aircall_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/aircall-helpscout/aircall-helpscout/clients/aircall"
	"github.com/aircall-helpscout/aircall-helpscout/clients/aircall/aircalltest"
	"github.com/matryer/is"
)

// TestListWebhooksPagesOnTotal: /v1/webhooks sends no next_page_link, so
// the client must page on meta.total and still stop.
func TestListWebhooksPagesOnTotal(t *testing.T) {
	tests := []struct{ n, requests int }{{0, 1}, {3, 1}, {50, 1}, {51, 2}, {100, 2}}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.n), func(t *testing.T) {
			is := is.New(t)
			srv, c := newFake(t, newClock(), nil)
			for i := range tt.n {
				srv.AddWebhook(aircalltest.Webhook{URL: fmt.Sprintf("https://h%d.example.com/", i), Events: []string{"call.ended"}, Active: true})
			}
			hooks, err := c.ListWebhooks(context.Background())
			is.NoErr(err)
			is.Equal(len(hooks), tt.n)
			is.Equal(len(srv.Requests()), tt.requests)
			if tt.n > 0 {
				is.Equal(hooks[tt.n-1].URL, fmt.Sprintf("https://h%d.example.com/", tt.n-1))
				is.Equal(hooks[0].ID, srv.Webhooks()[0].ID)
				is.Equal(hooks[0].Token, srv.Webhooks()[0].Token)
			}
		})
	}
}

func TestWebhookLifecycle(t *testing.T) {
	is := is.New(t)
	srv, c := newFake(t, newClock(), nil)
	ctx := context.Background()
	in := aircall.WebhookInput{CustomName: "aircall-helpscout", URL: "https://x.example.com/webhooks/aircall", Events: []string{"message.received"}}
	created, err := c.CreateWebhook(ctx, in)
	is.NoErr(err)
	is.True(created.ID != "")
	is.True(created.Token != "")
	is.True(created.Active)
	is.Equal(created.Events, []string{"message.received"})

	// Aircall disables it after failed deliveries; the listing shows it.
	is.True(srv.SetWebhookActive(created.ID, false))
	hooks, err := c.ListWebhooks(ctx)
	is.NoErr(err)
	is.Equal(len(hooks), 1)
	is.True(!hooks[0].Active)

	// Completing it keeps the token the receiver is configured with.
	in.Events = []string{"message.received", "summary.created", "call.created"}
	updated, err := c.UpdateWebhook(ctx, created.ID, in)
	is.NoErr(err)
	is.Equal(updated.Token, created.Token)
	is.Equal(updated.Events, in.Events)
	is.Equal(srv.Webhooks()[0].Events, in.Events)
	is.Equal(len(srv.Webhooks()), 1)

	_, err = c.UpdateWebhook(ctx, "no-such-id", in)
	is.True(errors.Is(err, aircall.ErrNotFound))
}

// TestWebhookInputRefused: what Aircall would refuse, or what would
// subscribe to every event, fails before any request, naming the culprit.
func TestWebhookInputRefused(t *testing.T) {
	tests := []struct {
		name    string
		in      aircall.WebhookInput
		wantErr string
	}{
		{"http url", aircall.WebhookInput{URL: "http://x.example.com/", Events: []string{"call.ended"}}, `webhook url "http://x.example.com/" must be an absolute https URL`},
		{"relative url", aircall.WebhookInput{URL: "/webhooks/aircall", Events: []string{"call.ended"}}, `webhook url "/webhooks/aircall" must be an absolute https URL`},
		{"no events", aircall.WebhookInput{URL: "https://x.example.com/"}, "webhook events must not be empty"},
		{"blank event", aircall.WebhookInput{URL: "https://x.example.com/", Events: []string{" "}}, "webhook event 1 is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			srv, c := newFake(t, newClock(), nil)
			_, err := c.CreateWebhook(context.Background(), tt.in)
			is.True(err != nil && strings.Contains(err.Error(), tt.wantErr))
			_, err = c.UpdateWebhook(context.Background(), "id", tt.in)
			is.True(err != nil && strings.Contains(err.Error(), tt.wantErr))
			is.Equal(len(srv.Requests()), 0)
		})
	}
}

// TestCreateWebhookNotRetried: a 5xx may hide a created webhook; a retry
// could register a second one and double every delivery.
func TestCreateWebhookNotRetried(t *testing.T) {
	is := is.New(t)
	srv, c := newFake(t, newClock(), nil)
	srv.FailNext(1, http.StatusBadGateway)
	_, err := c.CreateWebhook(context.Background(), aircall.WebhookInput{URL: "https://x.example.com/", Events: []string{"call.ended"}})
	var apiErr *aircall.APIError
	is.True(errors.As(err, &apiErr))
	is.Equal(apiErr.Status, http.StatusBadGateway)
	is.Equal(len(srv.Requests()), 1)
	// An unknown event is Aircall's 400, surfaced with its message.
	_, err = c.CreateWebhook(context.Background(), aircall.WebhookInput{URL: "https://x.example.com/", Events: []string{"call.exploded"}})
	is.True(errors.As(err, &apiErr))
	is.Equal(apiErr.Status, http.StatusBadRequest)
	is.Equal(apiErr.Message, "unknown event call.exploded")
}
