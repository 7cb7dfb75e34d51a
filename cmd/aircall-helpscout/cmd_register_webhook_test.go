package main

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/matryer/is"

	"github.com/aircall-helpscout/aircall-helpscout/clients/aircall/aircalltest"
)

const (
	testPublicURL = "https://calls.example.com"
	testHookURL   = testPublicURL + "/webhooks/aircall"
	// otherHookToken is a token Aircall holds that the configuration does not.
	otherHookToken = "aircall-issued-0d1e2f"
)

// allNeeded are the events the default settings need (messages, the five
// insights, call.created for insight cards).
var allNeeded = []string{"action_item.created", "call.created", "message.received", "message.sent", "message.status_updated",
	"sentiment.created", "summary.created", "topics.created", "transcription.created"}

func without(evs []string, drop ...string) []string {
	return slices.DeleteFunc(slices.Clone(evs), func(e string) bool { return slices.Contains(drop, e) })
}

// sendRequests lists the Aircall webhook writes made.
func webhookWrites(f *fakes) []string {
	var out []string
	for _, r := range f.AC.Requests() {
		if strings.HasPrefix(r.Path, "/v1/webhooks") && r.Method != "GET" {
			out = append(out, r.Method+" "+r.Path)
		}
	}
	return out
}

// TestCheckWebhook: each finding of check about the Aircall webhook at
// <PUBLIC_URL>/webhooks/aircall; neither token is ever printed.
func TestCheckWebhook(t *testing.T) {
	tests := []struct {
		name     string
		vars     []string
		hooks    []aircalltest.Webhook
		wantCode int
		want     []string
		notWant  []string
	}{
		{name: "PUBLIC_URL unset: not checked", vars: []string{"PUBLIC_URL", "<unset>"}, wantCode: 0,
			want: []string{"skip  Aircall webhook: not checked (set PUBLIC_URL"}},
		{name: "all good", wantCode: 0,
			hooks: []aircalltest.Webhook{{URL: "https://other.example/hook", Events: []string{"call.ended"}, Active: true, Token: "x"},
				{URL: testHookURL, Events: allNeeded, Active: true, Token: testWebhookToken}},
			want:    []string{"ok    Aircall webhook", "active, delivers to " + testHookURL, "sends every event the settings need", "token matches AIRCALL_WEBHOOK_TOKEN"},
			notWant: []string{"FAIL", "warn  Aircall webhook"}},
		{name: "missing", wantCode: 1,
			hooks: []aircalltest.Webhook{{URL: "https://other.example/hook", Events: allNeeded, Active: true, Token: testWebhookToken}},
			want:  []string{"FAIL  Aircall webhook: none points at " + testHookURL + " (1 webhook(s) in the account): run 'aircall-helpscout register-webhook'"}},
		{name: "inactive", wantCode: 1,
			hooks: []aircalltest.Webhook{{URL: testHookURL, Events: allNeeded, Active: false, Token: testWebhookToken}},
			want:  []string{"inactive (Aircall disabled it after failed deliveries", "enable it again on Aircall's dashboard"}},
		{name: "message events missing fail", wantCode: 1,
			hooks: []aircalltest.Webhook{{URL: testHookURL, Events: without(allNeeded, "message.received"), Active: true, Token: testWebhookToken}},
			want:  []string{"FAIL  Aircall webhook", "events missing for LOG_MESSAGES: message.received (SMS and WhatsApp messages are not received and are lost for good)"}},
		{name: "insight events missing warn", wantCode: 0,
			hooks: []aircalltest.Webhook{{URL: testHookURL, Events: without(allNeeded, "summary.created", "topics.created"), Active: true, Token: testWebhookToken}},
			want:  []string{"warn  Aircall webhook", "events missing for LOG_TRANSCRIPTS / LOG_AI_INSIGHTS: summary.created, topics.created (transcripts and AI insights are read from the AI endpoints"}},
		{name: "insight events not needed when transcripts and AI are off", wantCode: 0,
			vars:    []string{"LOG_TRANSCRIPTS", "false", "LOG_AI_INSIGHTS", "false"},
			hooks:   []aircalltest.Webhook{{URL: testHookURL, Events: without(allNeeded, "summary.created", "transcription.created"), Active: true, Token: testWebhookToken}},
			want:    []string{"sends every event the settings need"},
			notWant: []string{"events missing"}},
		{name: "call.created missing with insight cards", wantCode: 0,
			hooks: []aircalltest.Webhook{{URL: testHookURL, Events: without(allNeeded, "call.created"), Active: true, Token: testWebhookToken}},
			want:  []string{"warn  Aircall webhook", "events missing for INSIGHT_CARDS: call.created"}},
		{name: "call.created not needed without insight cards", wantCode: 0, vars: []string{"INSIGHT_CARDS", "false"},
			hooks:   []aircalltest.Webhook{{URL: testHookURL, Events: without(allNeeded, "call.created"), Active: true, Token: testWebhookToken}},
			notWant: []string{"events missing"}},
		{name: "token differs", wantCode: 1,
			hooks: []aircalltest.Webhook{{URL: testHookURL + "/", Events: allNeeded, Active: true, Token: otherHookToken}},
			want:  []string{"FAIL  Aircall webhook", "its token differs from AIRCALL_WEBHOOK_TOKEN"}},
		{name: "token unset", wantCode: 1, vars: []string{"AIRCALL_WEBHOOK_TOKEN", "<unset>", "LOG_MESSAGES", "false"},
			hooks: []aircalltest.Webhook{{URL: testHookURL, Events: allNeeded, Active: true, Token: otherHookToken}},
			want:  []string{"AIRCALL_WEBHOOK_TOKEN is unset, so the receiver refuses every delivery"}},
		{name: "two webhooks at the URL", wantCode: 0,
			hooks: []aircalltest.Webhook{{URL: testHookURL, Events: allNeeded, Active: true, Token: testWebhookToken},
				{URL: testHookURL, Events: allNeeded, Active: true, Token: otherHookToken}},
			want: []string{"warn  Aircall webhook: 2 webhooks point at " + testHookURL}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			f := newFakes(t)
			for _, h := range tt.hooks {
				f.AC.AddWebhook(h)
			}
			r := runCmd(context.Background(), with(f.vars, append([]string{"PUBLIC_URL", testPublicURL}, tt.vars...)...), "check")
			assertCheckRun(t, r, tt.wantCode, tt.want, tt.notWant)
			is.True(!strings.Contains(r.stdout+r.stderr, otherHookToken)) // Aircall's token is not printed either
			is.Equal(webhookWrites(f), []string(nil))                     // check writes nothing
		})
	}
}

// TestRegisterWebhook: created when missing, completed in place (token and
// other events kept) when events are missing, left alone when complete; the
// token is printed only when AIRCALL_WEBHOOK_TOKEN does not hold it.
func TestRegisterWebhook(t *testing.T) {
	tests := []struct {
		name       string
		vars       []string
		hooks      []aircalltest.Webhook
		wantWrites []string
		wantEvents []string
		want       []string
		tokenShown bool
	}{
		{name: "create", wantWrites: []string{"POST /v1/webhooks"}, wantEvents: allNeeded, tokenShown: true,
			hooks: []aircalltest.Webhook{{URL: "https://other.example/hook", Events: []string{"call.ended"}, Active: true}},
			want:  []string{"Created Aircall webhook", "delivering to " + testHookURL, "AIRCALL_WEBHOOK_TOKEN=", "the only place it is printed"}},
		{name: "create with only what the settings need", vars: []string{"LOG_MESSAGES", "false", "INSIGHT_CARDS", "false"},
			wantWrites: []string{"POST /v1/webhooks"}, wantEvents: without(allNeeded, "call.created", "message.received", "message.sent", "message.status_updated"), tokenShown: true},
		{name: "complete", hooks: []aircalltest.Webhook{{ID: "wh-1", URL: testHookURL, Events: []string{"message.sent", "call.ended"}, Active: true, Token: otherHookToken}},
			wantWrites: []string{"PUT /v1/webhooks/wh-1"}, wantEvents: append(slices.Clone(allNeeded), "call.ended"), tokenShown: true,
			want: []string{"Completed Aircall webhook wh-1", "added events: action_item.created, call.created, message.received"}},
		{name: "already complete, token configured", hooks: []aircalltest.Webhook{{ID: "wh-1", URL: testHookURL, Events: allNeeded, Active: true, Token: testWebhookToken}},
			wantWrites: nil, wantEvents: allNeeded,
			want: []string{"already delivers every event needed", "AIRCALL_WEBHOOK_TOKEN already holds this webhook's token"}},
		{name: "already complete but disabled", hooks: []aircalltest.Webhook{{ID: "wh-1", URL: testHookURL, Events: allNeeded, Active: false, Token: otherHookToken}},
			wantWrites: nil, wantEvents: allNeeded, tokenShown: true,
			want: []string{"warning: Aircall has disabled this webhook"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			f := newFakes(t)
			for _, h := range tt.hooks {
				f.AC.AddWebhook(h)
			}
			vars := with(f.vars, append([]string{"PUBLIC_URL", testPublicURL}, tt.vars...)...)
			r := runCmd(context.Background(), vars, "register-webhook")
			is.NoErr(r.err)
			is.Equal(webhookWrites(f), tt.wantWrites)
			var ours []aircalltest.Webhook
			for _, h := range f.AC.Webhooks() {
				if h.URL == testHookURL {
					ours = append(ours, h)
				}
			}
			is.Equal(len(ours), 1) // one webhook delivers to us
			got := slices.Sorted(slices.Values(ours[0].Events))
			is.Equal(got, slices.Sorted(slices.Values(tt.wantEvents)))
			for _, w := range tt.want {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("output lacks %q:\n%s", w, r.stdout)
				}
			}
			is.Equal(strings.Contains(r.stdout, "AIRCALL_WEBHOOK_TOKEN="+ours[0].Token), tt.tokenShown) // the token to set, only when needed
			if len(tt.hooks) > 0 && tt.hooks[0].Token != "" {
				is.Equal(ours[0].Token, tt.hooks[0].Token) // completing keeps the token
			}
			assertNoSecretsIn(t, r.stdout+r.stderr)
			is.True(!strings.Contains(r.stderr, ours[0].Token)) // never in the logs

			// Again: nothing left to do.
			n := len(webhookWrites(f))
			r = runCmd(context.Background(), with(vars, "AIRCALL_WEBHOOK_TOKEN", ours[0].Token), "register-webhook")
			is.NoErr(r.err)
			is.Equal(len(webhookWrites(f)), n)
			is.True(strings.Contains(r.stdout, "already delivers every event needed"))
			is.True(!strings.Contains(r.stdout, ours[0].Token))
		})
	}
}

// TestRegisterWebhookErrors: PUBLIC_URL unset is a configuration error
// naming it (exit 2, no request); Aircall refusing is exit 1.
func TestRegisterWebhookErrors(t *testing.T) {
	is := is.New(t)
	f := newFakes(t)
	r := runCmd(context.Background(), f.vars, "register-webhook")
	is.Equal(r.code, 2)
	is.True(strings.Contains(r.err.Error(), "PUBLIC_URL"))
	is.Equal(len(f.AC.Requests()), 0)

	r = runCmd(context.Background(), with(f.vars, "PUBLIC_URL", testPublicURL, "AIRCALL_API_TOKEN", "nope"), "register-webhook")
	is.Equal(r.code, 1)
	is.Equal(webhookWrites(f), []string(nil))

	r = runCmd(context.Background(), f.vars, "register-webhook", "--help")
	is.Equal(r.code, 0)
	is.True(strings.Contains(r.stdout, "Usage: aircall-helpscout register-webhook"))
}

// TestRegisterWebhookCreateFailsHalfWay: Aircall creates the webhook but the
// answer is lost (503 after the commit). The run fails; running it again
// finds the webhook it made and does not create a second one, so Aircall
// never delivers every event twice.
func TestRegisterWebhookCreateFailsHalfWay(t *testing.T) {
	is := is.New(t)
	f := newFakes(t)
	f.AC.FailNextWebhookCreate(503)
	vars := with(f.vars, "PUBLIC_URL", testPublicURL)

	r := runCmd(context.Background(), vars, "register-webhook")
	is.Equal(r.code, 1) // a create is never retried blindly: it may have landed
	is.Equal(webhookWrites(f), []string{"POST /v1/webhooks"})

	r = runCmd(context.Background(), vars, "register-webhook")
	is.NoErr(r.err)
	is.Equal(webhookWrites(f), []string{"POST /v1/webhooks"}) // no second create
	var ours []aircalltest.Webhook
	for _, h := range f.AC.Webhooks() {
		if h.URL == testHookURL {
			ours = append(ours, h)
		}
	}
	is.Equal(len(ours), 1)
	is.Equal(ours[0].Events, allNeeded)
	is.True(strings.Contains(r.stdout, "AIRCALL_WEBHOOK_TOKEN="+ours[0].Token)) // the operator still gets its token
}
