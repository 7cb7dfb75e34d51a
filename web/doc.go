// Package web is the HTTP surface of `serve`: the receiver of Aircall's
// webhooks (POST /webhooks/aircall), /healthz, /metrics, and the optional
// handlers others provide (/status pages, the Help Scout sidebar), mounted
// only when configured. It stores deliveries through store and knows
// nothing of passes: cmd tells Health how passes go and wires the rest.
//
// A delivery takes one of three answers, following how Aircall delivers:
// it counts any non-2xx answer (or none within 5 s) as a failure, retries,
// and after repeated failures disables the webhook, which loses SMS and
// WhatsApp messages for good (Aircall has no REST history of them). So:
//
//   - 200 for every delivery stored, and for every delivery deliberately
//     refused (wrong or missing token, malformed body, unknown event, too
//     large): nothing is stored for those, each is counted by reason in
//     /metrics and logged without the token. Retrying them cannot help.
//   - 500 only when storing a valid event failed, so Aircall delivers it
//     again.
//   - 408 (or 400) when the body did not arrive complete in time: nothing
//     can be stored and a new delivery is what is needed.
package web
