package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aircall-helpscout/aircall-helpscout/clients/aircall/aircalltest"
	"github.com/aircall-helpscout/aircall-helpscout/clients/helpscout"
	"github.com/aircall-helpscout/aircall-helpscout/clients/helpscout/helpscouttest"
	"github.com/aircall-helpscout/aircall-helpscout/reconciler"
	"github.com/aircall-helpscout/aircall-helpscout/web"
)

// demoRequestsPerMinute lifts both rate ceilings for the fakes only: at
// the real defaults (50 and 200 a minute) the demo would take minutes.
const demoRequestsPerMinute = "60000"

// cmdDemo starts both fakes on loopback with the sample of demo_data.go,
// delivers a few message webhooks, runs one pass with the default settings
// (through the same configuration and wiring as serve and run) and prints
// what landed in the fake Help Scout. It needs no credentials or network,
// and removes its temporary database.
func cmdDemo(ctx context.Context, e *env, opts demoOptions) error {
	now := time.Now().UTC()
	ac := aircalltest.NewServer()
	defer ac.Close()
	hs := helpscouttest.NewServer()
	defer hs.Close()
	seedDemo(ac, hs, now)

	dir, err := os.MkdirTemp("", "aircall-helpscout-demo-")
	if err != nil {
		return fmt.Errorf("demo: temp dir: %w", err)
	}
	defer os.RemoveAll(dir)

	cfg, err := demoConfig(ctx, ac, hs, dir)
	if err != nil {
		return fmt.Errorf("demo: configuration: %w", err)
	}
	// Item lines would interleave with the table: show only problems.
	log := newLogger(e.Stderr, "warn", "text")
	if opts.Quiet {
		log = slog.New(slog.DiscardHandler)
	}
	a, err := openApp(ctx, cfg, log, nil, e.Now)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	defer a.close()

	if err := deliverDemoMessages(ctx, a, cfg, log, now); err != nil {
		return err
	}
	w := e.Stdout
	if !opts.Quiet {
		writeDemoIntro(w, ac, hs)
	}
	start := time.Now()
	res, err := a.rec.RunPass(ctx, reconciler.PassOptions{Mode: "scheduled"})
	if err != nil {
		return fmt.Errorf("demo: pass: %w", err)
	}
	if !opts.Quiet {
		writeDemoTable(w, hs)
		fmt.Fprintln(w)
	}
	writeSummary(w, res, time.Since(start), false)
	if !opts.Quiet {
		writeDemoOutro(w)
	}
	return nil
}

// demoConfig is the configuration pointing at the fakes, with its database
// in dir, read through the same loader as the real one.
func demoConfig(ctx context.Context, ac *aircalltest.Server, hs *helpscouttest.Server, dir string) (*Config, error) {
	vars := map[string]string{
		"AIRCALL_API_URL": ac.URL(), "AIRCALL_API_ID": aircalltest.APIID, "AIRCALL_API_TOKEN": aircalltest.APIToken,
		"AIRCALL_WEBHOOK_TOKEN": demoToken, "AIRCALL_REQUESTS_PER_MINUTE": demoRequestsPerMinute,
		"HELPSCOUT_API_URL": hs.URL(), "HELPSCOUT_APP_ID": helpscouttest.AppID, "HELPSCOUT_APP_SECRET": helpscouttest.AppSecret,
		"HELPSCOUT_REQUESTS_PER_MINUTE": demoRequestsPerMinute,
		"DATABASE_PATH":                 filepath.Join(dir, "demo.db"),
		"HELPSCOUT_MAILBOX_ID":          strconv.FormatInt(demoMailboxID, 10),
		"AIRCALL_NUMBERS":               strconv.FormatInt(demoLineID, 10),
	}
	return LoadConfig(ctx, getenvLookuper(func(k string) string { return vars[k] }))
}

// deliverDemoMessages posts the sample SMS/WhatsApp webhooks to the
// receiver and fails if it refused any.
func deliverDemoMessages(ctx context.Context, a *app, cfg *Config, log *slog.Logger, now time.Time) error {
	// The receiver answers 200 to a delivery it refuses (Aircall's rule),
	// so refusals are caught by the hook, not by the status.
	var refused []string
	hook := web.WithDeliveryHook(func(d web.Delivery) {
		if d.Result == web.ResultRefused || d.Result == web.ResultError {
			refused = append(refused, d.Result+" "+d.Reason)
		}
	})
	if err := postDemoMessages(ctx, web.NewReceiver(a.st, cfg.AircallWebhookToken, log, hook), now); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if len(refused) > 0 {
		return fmt.Errorf("demo: the receiver refused %d sample messages: %v", len(refused), refused)
	}
	return nil
}

// writeDemoIntro says what the fakes hold before the pass runs.
func writeDemoIntro(w io.Writer, ac *aircalltest.Server, hs *helpscouttest.Server) {
	fmt.Fprintf(w, "Fake Aircall at %s: line %q (%s), %d calls, %d SMS/WhatsApp webhooks delivered (twice each)\n",
		ac.URL(), demoLine.Name, demoLine.Digits, len(demoCalls), len(demoMessages))
	fmt.Fprintf(w, "Fake Help Scout at %s: mailbox %d, 4 customers (two share a number)\n", hs.URL(), demoMailboxID)
	fmt.Fprintln(w, "Running one pass with the default settings...")
	fmt.Fprintln(w)
}

// writeDemoOutro says what the demo showed and that its database is gone.
func writeDemoOutro(w io.Writer) {
	fmt.Fprintln(w, "\nEach webhook arrived twice; each message was logged once. The ledger records every item logged,")
	fmt.Fprintln(w, "so a later pass on the same database would not log any of them again. This demo's database is")
	fmt.Fprintln(w, "temporary and is deleted now: running demo again starts from scratch.")
}

// writeDemoTable prints every conversation of the fake Help Scout.
func writeDemoTable(w io.Writer, hs *helpscouttest.Server) {
	phones := map[int64]string{}
	for _, c := range hs.Customers() {
		if len(c.Phones) > 0 {
			phones[c.ID] = c.Phones[0].Value
		}
	}
	convs := hs.Conversations()
	sort.Slice(convs, func(i, j int) bool { return convs[i].ID < convs[j].ID })
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CONVERSATION\tCUSTOMER\tSUBJECT\tSTATUS\tASSIGNEE\tTHREADS")
	for _, c := range convs {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", c.ID, personLabel(c.PrimaryCustomer, phones), truncate(c.Subject, 48), c.Status,
			personLabel(c.Assignee, nil), threadSummary(c.Threads))
	}
	_ = tw.Flush()
	fmt.Fprintf(w, "%d conversation(s) in Help Scout mailbox %d\n", len(convs), demoMailboxID)
}

func personLabel(p *helpscout.Person, phones map[int64]string) string {
	if p == nil {
		return "-"
	}
	name := strings.TrimSpace(p.First + " " + p.Last)
	if name == "" {
		name = "#" + strconv.FormatInt(p.ID, 10)
	}
	if ph := phones[p.ID]; ph != "" {
		name += " (" + ph + ")"
	}
	return name
}

// threadSummary counts thread types, e.g. "2 phone, 1 note".
func threadSummary(ts []helpscout.Thread) string {
	counts := map[string]int{}
	var order []string
	for _, t := range ts {
		if counts[t.Type] == 0 {
			order = append(order, t.Type)
		}
		counts[t.Type]++
	}
	parts := make([]string, len(order))
	for i, k := range order {
		parts[i] = fmt.Sprintf("%d %s", counts[k], k)
	}
	return strings.Join(parts, ", ")
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
