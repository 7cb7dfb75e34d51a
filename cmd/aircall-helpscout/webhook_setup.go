package main

import (
	"crypto/subtle"
	"fmt"
	"slices"
	"strings"

	"github.com/aircall-helpscout/aircall-helpscout/clients/aircall"
	"github.com/aircall-helpscout/aircall-helpscout/web"
)

// callCreatedEvent is the Aircall event that drives insight cards: the
// receiver learns that an inbound call rings from it.
const callCreatedEvent = "call.created"

// webhookNeed is one group of Aircall events a feature of the configuration
// needs on the webhook, and what is lost without them.
type webhookNeed struct {
	feature string   // the settings that need them, as the operator writes them
	events  []string // sorted
	loss    string   // what happens without them
	fatal   bool     // missing them loses data for good (check fails)
}

// webhookNeeds lists the event groups the instances' settings need:
// messages for LOG_MESSAGES (Aircall has no other way to give them, so a
// missing event loses messages for good), the five insight events for
// LOG_TRANSCRIPTS / LOG_AI_INSIGHTS (without them every call costs up to
// five AI reads of the shared budget), call.created for INSIGHT_CARDS.
func webhookNeeds(cfg *Config) []webhookNeed {
	var msgs, ai, cards bool
	for _, in := range cfg.Instances {
		msgs = msgs || in.LogMessages
		ai = ai || in.LogTranscripts || in.LogAIInsights
		cards = cards || in.InsightCards
	}
	var out []webhookNeed
	if msgs {
		var evs []string
		for _, e := range web.StoredEvents() {
			if strings.HasPrefix(e, "message.") {
				evs = append(evs, e)
			}
		}
		slices.Sort(evs)
		out = append(out, webhookNeed{feature: "LOG_MESSAGES", events: evs, fatal: true,
			loss: "SMS and WhatsApp messages are not received and are lost for good"})
	}
	if ai {
		out = append(out, webhookNeed{feature: "LOG_TRANSCRIPTS / LOG_AI_INSIGHTS", events: aircall.InsightEvents(),
			loss: "transcripts and AI insights are read from the AI endpoints, up to 5 Aircall requests per call"})
	}
	if cards {
		out = append(out, webhookNeed{feature: "INSIGHT_CARDS", events: []string{callCreatedEvent},
			loss: "no insight card is shown while a call rings"})
	}
	return out
}

// webhookEvents is every event the configuration needs, sorted.
func webhookEvents(cfg *Config) []string {
	var out []string
	for _, n := range webhookNeeds(cfg) {
		out = append(out, n.events...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// webhookURL is where Aircall must deliver: PUBLIC_URL + the receiver path.
func webhookURL(cfg *Config) string { return cfg.PublicURL + web.WebhookPath }

// findWebhooks returns the account's webhooks that deliver to url (a
// trailing slash or the host's case aside), in Aircall's order.
func findWebhooks(hooks []aircall.Webhook, url string) []aircall.Webhook {
	norm := func(u string) string { return strings.ToLower(strings.TrimRight(strings.TrimSpace(u), "/")) }
	var out []aircall.Webhook
	for _, h := range hooks {
		if norm(h.URL) == norm(url) {
			out = append(out, h)
		}
	}
	return out
}

// missingEvents lists what of want the webhook does not send.
func missingEvents(h aircall.Webhook, want []string) []string {
	var out []string
	for _, e := range want {
		if !slices.Contains(h.Events, e) {
			out = append(out, e)
		}
	}
	return out
}

// sameToken compares two tokens in constant time, so that neither timing
// nor a printed value reveals either.
func sameToken(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

func describeWebhook(h aircall.Webhook) string {
	if h.CustomName != "" {
		return fmt.Sprintf("%s (%s)", h.ID, h.CustomName)
	}
	return h.ID
}
