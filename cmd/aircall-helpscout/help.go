package main

// Per-command help, printed on stdout for `<command> --help` and
// `help <command>`. Kept as plain text so that it reads like the README.

const helpServe = `Usage: aircall-helpscout serve

Runs a pass on SCHEDULE (never two at once), receives Aircall webhooks at
POST /webhooks/aircall (LISTEN_ADDR), and serves /healthz and /metrics.
It does not exit when passes cannot run (refused credentials, an API down):
/healthz turns 503 with the reason and the pass is retried with backoff,
while webhooks keep being received. With STATUS_PASSWORD set it also serves
the status pages under /status; with HELPSCOUT_SIDEBAR_SECRET, the Help Scout
sidebar at /helpscout/sidebar. On SIGINT or SIGTERM it finishes or safely
abandons the current item, closes the store and exits 0.

Exit status: 0 after SIGINT/SIGTERM, 2 on a usage or configuration error
(nothing is started), 1 if the database or the listener cannot be opened.

No flags. Configuration comes from the environment (see config.example.env).
`

const helpRun = `Usage: aircall-helpscout run [--instance N] [--since T] [--until T] [--dry-run]

Runs one pass now and exits. With --since it catches up the period
[since, until) instead; a catch-up never moves the scheduled cursor, and
calls already logged are counted as already_done, not written again.

Flags:
  --instance N   only this instance (a name from INSTANCES, or "default")
  --since T      start of the catch-up period, inclusive
  --until T      end of the catch-up period, exclusive (default: now);
                 it ends the period --since starts, so it needs --since
  --dry-run      print the plan and write nothing anywhere

T is RFC 3339 (2025-01-31T08:00:00Z, 2025-01-31T09:00:00+01:00,
2025-01-31T08:00:00.5Z) or a date YYYY-MM-DD meaning 00:00 UTC that day.

Exit status: 0 when the pass completed (failed items are reported and
recorded for a later pass, not fatal), 2 on a usage or configuration error,
1 otherwise: refused credentials, or a pass that did not complete (e.g.
listing calls failed; the summary's error lines say why).
`

const helpCheck = `Usage: aircall-helpscout check

Verifies the configuration, both sets of credentials, each instance's mailbox
and numbers, and prints each finding (ok, warn, FAIL, skip), then the
effective configuration. Secrets are never printed.

With PUBLIC_URL set, it also lists Aircall's webhooks and checks the one
delivering to <PUBLIC_URL>/webhooks/aircall: missing, disabled by Aircall,
events missing for the settings (message.* for LOG_MESSAGES, the five insight
events for LOG_TRANSCRIPTS/LOG_AI_INSIGHTS, call.created for INSIGHT_CARDS),
token different from AIRCALL_WEBHOOK_TOKEN.

Exit status: 0 if no finding failed (warnings included), 1 if one failed,
2 on a configuration error (nothing is sent anywhere).

No flags.
`

const helpRegisterWebhook = `Usage: aircall-helpscout register-webhook

Creates the Aircall webhook delivering to <PUBLIC_URL>/webhooks/aircall with
the events the instances' settings need (message.sent, message.received,
message.status_updated for LOG_MESSAGES; transcription.created,
summary.created, topics.created, sentiment.created, action_item.created for
LOG_TRANSCRIPTS/LOG_AI_INSIGHTS; call.created for INSIGHT_CARDS), or, when
one exists, adds the missing events to it in place (it keeps its token and
its other events). Running it again changes nothing.

It then prints the webhook's token to put in AIRCALL_WEBHOOK_TOKEN, unless
that already holds it. This is the only command that prints a secret, since
you must copy it into the configuration.

Exit status: 0 when the webhook is registered and complete, 1 if Aircall
refused or could not be reached, 2 on a configuration error (PUBLIC_URL unset).

No flags.
`

const helpStatus = `Usage: aircall-helpscout status [--instance N] [--json]

Per instance: cursor and lag, last passes, counts by outcome, items waiting,
failed or parked with their reasons; before that, what RETENTION keeps and the
state of the Help Scout mirrors.

Reads only the database (DATABASE_PATH, and INSTANCES and RETENTION when set):
no API call and no API secret needed. Safe while serve runs.

Flags:
  --instance N   only this instance
  --json         machine-readable output (errors too: {"error": "..."})

Exit status: 0 when printed, 1 when there is no database yet (before the
first run or serve; status never creates one), 2 on a usage error.
`

const helpDemo = `Usage: aircall-helpscout demo [--quiet]

Starts in-process fake Aircall and Help Scout servers with sample data on
loopback, runs a pass against them, and prints what landed in (fake) Help
Scout. Needs no credentials and no configuration.

Flags:
  --quiet        print only the final summary
`

const helpHealthcheck = `Usage: aircall-helpscout healthcheck

Asks the serve running on this machine for /healthz (at LISTEN_ADDR, a
wildcard host meaning 127.0.0.1) and exits 0 when it answers 200, 1
otherwise. It is the container's HEALTHCHECK: the image has no shell or curl.
Reads only LISTEN_ADDR.

No flags.
`

const helpVersion = `Usage: aircall-helpscout version   (or: aircall-helpscout --version)

Prints the version, the commit and its date when the binary was built from a
git checkout, the Go version and the platform. Needs no configuration.

No flags.
`
