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

	vars := map[string]string{
		"AIRCALL_API_URL": ac.URL(), "AIRCALL_API_ID": aircalltest.APIID, "AIRCALL_API_TOKEN": aircalltest.APIToken,
		"AIRCALL_WEBHOOK_TOKEN": demoToken, "AIRCALL_REQUESTS_PER_MINUTE": demoRequestsPerMinute,
		"HELPSCOUT_API_URL": hs.URL(), "HELPSCOUT_APP_ID": helpscouttest.AppID, "HELPSCOUT_APP_SECRET": helpscouttest.AppSecret,
		"HELPSCOUT_REQUESTS_PER_MINUTE": demoRequestsPerMinute,
		"DATABASE_PATH":                 filepath.Join(dir, "demo.db"),
		"HELPSCOUT_MAILBOX_ID":          strconv.FormatInt(demoMailboxID, 10),
		"AIRCALL_NUMBERS":               strconv.FormatInt(demoLineID, 10),
	}
	cfg, err := LoadConfig(ctx, getenvLookuper(func(k string) string { return vars[k] }))
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

	if err := postDemoMessages(ctx, webhookHandler(&app{st: a.st, cfg: cfg, met: newMetrics()}, log), now); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	w := e.Stdout
	if !opts.Quiet {
		fmt.Fprintf(w, "Fake Aircall at %s: line %q (%s), %d calls, %d SMS/WhatsApp webhooks delivered (twice each)\n",
			ac.URL(), demoLine.Name, demoLine.Digits, len(demoCalls), len(demoMessages))
		fmt.Fprintf(w, "Fake Help Scout at %s: mailbox %d, 4 customers (two share a number)\n", hs.URL(), demoMailboxID)
		fmt.Fprintln(w, "Running one pass with the default settings...")
		fmt.Fprintln(w)
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
		fmt.Fprintln(w, "\nEach webhook arrived twice; each message was logged once. The ledger records every item logged,")
		fmt.Fprintln(w, "so a later pass on the same database would not log any of them again. This demo's database is")
		fmt.Fprintln(w, "temporary and is deleted now: running demo again starts from scratch.")
	}
	return nil
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
