package main

import (
	"log/slog"
	"net/http"

	"github.com/aircall-helpscout/aircall-helpscout/reconciler"
)

// webhookHandler mounts the reconciler's receiver of Aircall message
// webhooks, counting every delivery in /metrics.
func webhookHandler(a *app, log *slog.Logger) http.Handler {
	return reconciler.NewWebhookHandler(a.st, a.cfg.AircallWebhookToken, log,
		reconciler.WithWebhookMetrics(a.met.observeWebhook))
}
