package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sort"
	"time"

	"github.com/aircall-helpscout/aircall-helpscout/store"
)

// Limits of what status lists per instance.
const (
	statusRuns  = 5
	statusItems = 20
)

// statusReport is what status prints, and with --json exactly this.
type statusReport struct {
	Database  string           `json:"database"`
	Now       time.Time        `json:"now"`
	Retention retentionStatus  `json:"retention"`
	Mirrors   []mirrorStatus   `json:"mirrors"`
	Instances []instanceStatus `json:"instances"`
}

// retentionStatus says what the database keeps: RETENTION applies to the
// webhook payloads of logged messages and to pass records; the ledger is
// kept for ever. Oldest times are null when there is no such record.
type retentionStatus struct {
	Retention            string     `json:"retention"`
	OldestRun            *time.Time `json:"oldest_run"`
	Runs                 int        `json:"runs"`
	OldestMessagePayload *time.Time `json:"oldest_message_payload"`
	MessagePayloads      int        `json:"message_payloads"`
}

// instanceStatus: the cursor and lag fields are always present, null when
// unknown (no pass has set the cursor yet), so that a script need not tell
// a missing field from a zero.
type instanceStatus struct {
	Name            string         `json:"name"`
	CallsCursor     *time.Time     `json:"calls_cursor"`
	CallsLagSeconds *int64         `json:"calls_lag_seconds"`
	MessagesCursor  *int64         `json:"messages_cursor"`
	Counts          map[string]int `json:"counts"` // "kind/state/outcome" → items in the ledger
	Runs            []runStatus    `json:"runs"`
	WaitingForAI    []itemStatus   `json:"waiting_for_ai"`
	Waiting         []itemStatus   `json:"waiting"`
	Failed          []itemStatus   `json:"failed"`
	Skipped         []itemStatus   `json:"skipped"`
}

type runStatus struct {
	Mode       string                `json:"mode"`
	StartedAt  time.Time             `json:"started_at"`
	FinishedAt *time.Time            `json:"finished_at,omitempty"`
	Counts     map[store.Outcome]int `json:"counts"`
	Error      string                `json:"error,omitempty"`
}

type itemStatus struct {
	Kind       store.Kind    `json:"kind"`
	ID         string        `json:"id"`
	State      store.State   `json:"state"`
	Outcome    store.Outcome `json:"outcome"`
	OccurredAt time.Time     `json:"occurred_at"`
	Attempts   int           `json:"attempts,omitempty"`
	Reason     string        `json:"reason,omitempty"`
}

// cmdStatus prints per-instance state from the store: cursor and lag, the
// last passes, counts by outcome, items waiting (for the call to end or for
// transcript/AI), failed and skipped items with their reasons. It makes no API call.
func cmdStatus(ctx context.Context, e *env, opts statusOptions) error {
	path := e.DB.DatabasePath
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("status: no database at %s yet: run 'aircall-helpscout run' or 'serve' first (or check DATABASE_PATH)", path)
	}
	st, err := openStore(ctx, path, e.Now)
	if err != nil {
		return fmt.Errorf("status: %w", err)
	}
	defer st.Close()

	rep := statusReport{Database: path, Now: e.Now().UTC().Truncate(time.Second)}
	k, err := st.RetentionInfo(ctx)
	if err != nil {
		return fmt.Errorf("status: %w", err)
	}
	rep.Retention = retentionStatus{Retention: formatRetention(e.DB.Retention), Runs: k.Runs, MessagePayloads: k.Messages,
		OldestRun: timePtr(k.OldestRun), OldestMessagePayload: timePtr(k.OldestMessage)}
	if rep.Mirrors, err = readMirrorStatus(ctx, st); err != nil {
		return fmt.Errorf("status: %w", err)
	}
	for _, name := range e.DB.instancesFor(opts.Instance) {
		is, err := readInstanceStatus(ctx, st, name, rep.Now)
		if err != nil {
			return fmt.Errorf("status of %s: %w", name, err)
		}
		rep.Instances = append(rep.Instances, is)
	}
	if opts.JSON {
		return writeJSON(e.Stdout, rep)
	}
	writeStatus(e.Stdout, rep)
	return nil
}

func readInstanceStatus(ctx context.Context, st *store.Store, name string, now time.Time) (instanceStatus, error) {
	is := instanceStatus{Name: name}
	if c, ok, err := st.Cursor(ctx, name, store.StreamCalls); err != nil {
		return is, err
	} else if ok {
		t := time.Unix(c, 0).UTC()
		lag := int64(now.Sub(t).Seconds())
		is.CallsCursor, is.CallsLagSeconds = &t, &lag
	}
	if c, ok, err := st.Cursor(ctx, name, store.StreamMessages); err != nil {
		return is, err
	} else if ok {
		is.MessagesCursor = &c
	}
	var err error
	if is.Counts, err = st.CountItems(ctx, name); err != nil {
		return is, err
	}
	runs, err := st.Runs(ctx, name, statusRuns)
	if err != nil {
		return is, err
	}
	is.Runs = []runStatus{}
	for _, r := range runs {
		rs := runStatus{Mode: r.Mode, StartedAt: r.StartedAt.UTC(), Counts: r.Counts, Error: r.Error}
		if !r.FinishedAt.IsZero() {
			f := r.FinishedAt.UTC()
			rs.FinishedAt = &f
		}
		is.Runs = append(is.Runs, rs)
	}
	list := func(f store.ItemFilter) ([]itemStatus, error) {
		f.Instance, f.Limit = name, statusItems
		items, err := st.ListItems(ctx, f)
		out := []itemStatus{}
		for _, it := range items {
			out = append(out, itemStatus{Kind: it.Kind, ID: it.SourceID, State: it.State, Outcome: it.Outcome,
				OccurredAt: it.OccurredAt.UTC(), Attempts: it.Attempts, Reason: firstNonEmpty(it.LastError, it.Detail)})
		}
		return out, err
	}
	if is.WaitingForAI, err = list(store.ItemFilter{Enrichment: store.EnrichmentPending}); err != nil {
		return is, err
	}
	if is.Waiting, err = list(store.ItemFilter{States: []store.State{store.StateWaiting}}); err != nil {
		return is, err
	}
	if is.Failed, err = list(store.ItemFilter{States: []store.State{store.StateFailed, store.StateParked}}); err != nil {
		return is, err
	}
	if is.Skipped, err = list(store.ItemFilter{States: []store.State{store.StateSkipped}}); err != nil {
		return is, err
	}
	return is, nil
}

// timePtr is nil for the zero time (null in JSON).
func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// writeStatus renders the report for a person.
func writeStatus(w io.Writer, rep statusReport) {
	fmt.Fprintf(w, "Database %s\n", rep.Database)
	r := rep.Retention
	fmt.Fprintf(w, "Retention %s (RETENTION): serve deletes webhook payloads of logged messages and pass records older than that; the ledger is kept for ever\n", r.Retention)
	fmt.Fprintf(w, "  kept: %d pass record(s), oldest %s; %d webhook payload(s), oldest %s\n",
		r.Runs, formatOptionalTime(r.OldestRun), r.MessagePayloads, formatOptionalTime(r.OldestMessagePayload))
	writeMirrors(w, rep.Mirrors)
	for _, is := range rep.Instances {
		fmt.Fprintf(w, "\nInstance %s\n", is.Name)
		if is.CallsCursor == nil {
			fmt.Fprintln(w, "  calls cursor:    none yet (no scheduled pass has completed)")
		} else {
			fmt.Fprintf(w, "  calls cursor:    %s (lag %s)\n", is.CallsCursor.Format(time.RFC3339),
				(time.Duration(*is.CallsLagSeconds) * time.Second).String())
		}
		if is.MessagesCursor == nil {
			fmt.Fprintln(w, "  messages cursor: none yet")
		} else {
			fmt.Fprintf(w, "  messages cursor: %d\n", *is.MessagesCursor)
		}
		fmt.Fprintln(w, "  ledger:")
		if len(is.Counts) == 0 {
			fmt.Fprintln(w, "    (empty)")
		}
		keys := make([]string, 0, len(is.Counts))
		for k := range is.Counts {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(w, "    %-50s %d\n", k, is.Counts[k])
		}
		fmt.Fprintln(w, "  last passes:")
		if len(is.Runs) == 0 {
			fmt.Fprintln(w, "    (none)")
		}
		for _, r := range is.Runs {
			end := "unfinished (running, or the process stopped)"
			if r.FinishedAt != nil {
				end = "took " + r.FinishedAt.Sub(r.StartedAt).Round(time.Second).String()
			}
			fmt.Fprintf(w, "    %s %-9s %s: %s\n", r.StartedAt.Format(time.RFC3339), r.Mode, end, formatCounts(r.Counts))
			if r.Error != "" {
				fmt.Fprintf(w, "      error: %s\n", r.Error)
			}
		}
		writeItems(w, "logged, transcript/AI to add when ready", is.WaitingForAI)
		writeItems(w, string(store.StateWaiting), is.Waiting)
		writeItems(w, string(store.StateFailed), is.Failed)
		writeItems(w, "skipped (duplicates, overlaps)", is.Skipped)
	}
}

func formatOptionalTime(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.Format(time.RFC3339)
}

func writeItems(w io.Writer, title string, items []itemStatus) {
	more := ""
	if len(items) == statusItems {
		more = fmt.Sprintf(" (the oldest %d; the ledger counts above have the totals)", statusItems)
	}
	fmt.Fprintf(w, "  %s: %d%s\n", title, len(items), more)
	parked := 0
	for _, it := range items {
		line := fmt.Sprintf("    %s %s (%s) %s", it.Kind, it.ID, it.OccurredAt.Format(time.RFC3339), it.State)
		if string(it.Outcome) != string(it.State) { // "parked parked" says nothing twice
			line += " " + string(it.Outcome)
		}
		if it.Attempts > 0 {
			line += fmt.Sprintf(", %d attempt(s)", it.Attempts)
		}
		if it.Reason != "" {
			line += ": " + it.Reason
		}
		fmt.Fprintln(w, line)
		if it.State == store.StateParked {
			parked++
		}
	}
	if parked > 0 {
		// No pass retries a parked item by itself: say what does.
		fmt.Fprintf(w, "    %d parked: no pass retries them; once the cause is fixed, 'aircall-helpscout retry --parked' (or retry <id>)\n", parked)
	}
}
