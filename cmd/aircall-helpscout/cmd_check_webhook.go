package main

import (
	"context"
	"strings"

	"github.com/aircall-helpscout/aircall-helpscout/clients/aircall"
)

// checkWebhook verifies, with PUBLIC_URL set, the Aircall webhook that
// delivers to <PUBLIC_URL>/webhooks/aircall: that it exists, that Aircall
// has not disabled it, that it sends the events the settings need, and that
// its token is AIRCALL_WEBHOOK_TOKEN (compared in constant time; neither
// token is ever printed).
func checkWebhook(ctx context.Context, c *checker, ac *aircall.Client, cfg *Config) {
	needs := webhookNeeds(cfg)
	if cfg.PublicURL == "" {
		c.add(levelSkip, "Aircall webhook: not checked (set PUBLIC_URL to the https URL at which Aircall reaches this service)")
		return
	}
	url := webhookURL(cfg)
	hooks, err := ac.ListWebhooks(ctx)
	if err != nil {
		c.add(levelFail, "Aircall webhooks: cannot list: %v", err)
		return
	}
	found := findWebhooks(hooks, url)
	if len(found) == 0 {
		if len(needs) == 0 {
			c.add(levelOK, "Aircall webhook: none points at %s, and no setting needs one", url)
			return
		}
		c.add(levelFail, "Aircall webhook: none points at %s (%d webhook(s) in the account): run 'aircall-helpscout register-webhook'", url, len(hooks))
		return
	}
	if len(found) > 1 {
		c.add(levelWarn, "Aircall webhook: %d webhooks point at %s: every event is delivered %d times; delete all but one on Aircall's dashboard", len(found), url, len(found))
	}
	h := found[0]
	name := describeWebhook(h)
	if !h.Active {
		c.add(levelFail, "Aircall webhook %s: inactive (Aircall disabled it after failed deliveries; what it did not deliver meanwhile is lost): make sure serve answers at %s, then enable it again on Aircall's dashboard", name, url)
	} else {
		c.add(levelOK, "Aircall webhook %s: active, delivers to %s", name, url)
	}
	complete := true
	for _, n := range needs {
		missing := missingEvents(h, n.events)
		if len(missing) == 0 {
			continue
		}
		complete = false
		level := levelWarn
		if n.fatal {
			level = levelFail
		}
		c.add(level, "Aircall webhook %s: events missing for %s: %s (%s): run 'aircall-helpscout register-webhook' to add them",
			name, n.feature, strings.Join(missing, ", "), n.loss)
	}
	if complete && len(needs) > 0 {
		c.add(levelOK, "Aircall webhook %s: sends every event the settings need (%s)", name, strings.Join(webhookEvents(cfg), ", "))
	}
	switch {
	case h.Token == "":
		c.add(levelWarn, "Aircall webhook %s: Aircall did not show its token, so it cannot be compared with AIRCALL_WEBHOOK_TOKEN", name)
	case cfg.AircallWebhookToken == "":
		c.add(levelFail, "Aircall webhook %s: AIRCALL_WEBHOOK_TOKEN is unset, so the receiver refuses every delivery: run 'aircall-helpscout register-webhook' to print the token to set", name)
	case !sameToken(h.Token, cfg.AircallWebhookToken):
		c.add(levelFail, "Aircall webhook %s: its token differs from AIRCALL_WEBHOOK_TOKEN, so the receiver refuses every delivery: run 'aircall-helpscout register-webhook' to print the token to set", name)
	default:
		c.add(levelOK, "Aircall webhook %s: token matches AIRCALL_WEBHOOK_TOKEN", name)
	}
}
