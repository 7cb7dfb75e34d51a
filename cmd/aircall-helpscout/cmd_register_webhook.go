package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aircall-helpscout/aircall-helpscout/clients/aircall"
)

// webhookName is the custom name a created webhook gets on Aircall's
// dashboard, so an admin sees what it is for.
const webhookName = "aircall-helpscout"

// cmdRegisterWebhook creates the Aircall webhook delivering to
// <PUBLIC_URL>/webhooks/aircall, or completes the existing one with the
// events the instances' settings need, and prints the token to put in
// AIRCALL_WEBHOOK_TOKEN. An existing webhook is completed in place
// (PUT keeps its token and leaves no moment without a webhook, when
// messages, which Aircall cannot resend, would be lost); events it has
// beyond ours are kept, since someone added them. This is the only command
// that prints a token: the operator must copy it into the configuration,
// and it is printed only when AIRCALL_WEBHOOK_TOKEN does not hold it yet.
func cmdRegisterWebhook(ctx context.Context, e *env) error {
	cfg := e.Config
	if cfg.PublicURL == "" {
		return &configError{err: errors.New("PUBLIC_URL: unset: register-webhook needs the https base URL at which Aircall reaches this service (e.g. https://calls.example.com)")}
	}
	want := webhookEvents(cfg)
	url := webhookURL(cfg)
	if len(want) == 0 {
		fmt.Fprintln(e.Stdout, "No webhook needed: LOG_MESSAGES, LOG_TRANSCRIPTS, LOG_AI_INSIGHTS and INSIGHT_CARDS are false in every instance. Nothing registered.")
		return nil
	}
	ac, _, err := newClients(cfg, nil)
	if err != nil {
		return err
	}
	hooks, err := ac.ListWebhooks(ctx)
	if err != nil {
		return fmt.Errorf("list Aircall webhooks: %w", err)
	}
	var h aircall.Webhook
	switch found := findWebhooks(hooks, url); {
	case len(found) == 0:
		h, err = ac.CreateWebhook(ctx, aircall.WebhookInput{CustomName: webhookName, URL: url, Events: want})
		if err != nil {
			// Not retried by the client: a retry could create a second
			// webhook. Running the command again lists first.
			return fmt.Errorf("create the Aircall webhook for %s (run register-webhook again: it finds one that was created): %w", url, err)
		}
		fmt.Fprintf(e.Stdout, "Created Aircall webhook %s delivering to %s\n  events: %s\n", describeWebhook(h), url, strings.Join(want, ", "))
	default:
		h = found[0]
		if len(found) > 1 {
			fmt.Fprintf(e.Stdout, "warning: %d webhooks deliver to %s (every event arrives %d times); completing %s, delete the others on Aircall's dashboard\n",
				len(found), url, len(found), describeWebhook(h))
		}
		missing := missingEvents(h, want)
		if len(missing) == 0 {
			fmt.Fprintf(e.Stdout, "Aircall webhook %s already delivers every event needed to %s\n  events: %s\n", describeWebhook(h), url, strings.Join(want, ", "))
			break
		}
		events := append(slices.Clone(h.Events), missing...)
		updated, err := ac.UpdateWebhook(ctx, h.ID, aircall.WebhookInput{CustomName: h.CustomName, URL: h.URL, Events: events})
		if err != nil {
			return fmt.Errorf("complete Aircall webhook %s with %s: %w", describeWebhook(h), strings.Join(missing, ", "), err)
		}
		if updated.Token == "" {
			updated.Token = h.Token // the token is kept; an answer without it changes nothing
		}
		h = updated
		fmt.Fprintf(e.Stdout, "Completed Aircall webhook %s delivering to %s\n  added events: %s\n", describeWebhook(h), url, strings.Join(missing, ", "))
	}
	if !h.Active {
		fmt.Fprintln(e.Stdout, "warning: Aircall has disabled this webhook after failed deliveries: make sure serve answers at "+url+", then enable it again on Aircall's dashboard ('check' fails until then)")
	}
	switch {
	case h.Token == "":
		fmt.Fprintln(e.Stdout, "Aircall did not return the webhook's token: copy it from the webhook on Aircall's dashboard into AIRCALL_WEBHOOK_TOKEN.")
	case sameToken(h.Token, cfg.AircallWebhookToken):
		fmt.Fprintln(e.Stdout, "AIRCALL_WEBHOOK_TOKEN already holds this webhook's token: nothing to change.")
	default:
		// The one place a token is printed: the operator must copy it.
		fmt.Fprintf(e.Stdout, "\nSet this in the service's configuration and restart serve (it is a secret; this is the only place it is printed):\n  AIRCALL_WEBHOOK_TOKEN=%s\n", h.Token)
	}
	return nil
}
