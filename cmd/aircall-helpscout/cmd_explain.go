package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/aircall-helpscout/aircall-helpscout/web/status"
)

const helpExplain = `Usage: aircall-helpscout explain <id> [--instance N] [--json]

Prints everything the database knows about one Aircall call or message: its
instance, state and outcome with the reason, the Help Scout customer
candidates and the rule that chose one, the conversation and why (new,
existing, reopened, reassigned) with its link in Help Scout, the
transcript/AI state, every attempt with its time and error, retry requests,
and the Help Scout writes made for it.

Reads only the database (DATABASE_PATH, and INSTANCES when set): no API call
and no API secret needed.

Flags:
  --instance N   only look in this instance
  --json         print a JSON array with one object per match (an ID can
                 exist in two instances, or as a call and a message)

Exit status: 0 when found, 1 when the ID is in no instance's ledger (or the
database is missing), 2 on a usage error.
`

// explainOptions are the flags of `explain`.
type explainOptions struct {
	ID       string
	Instance string
	JSON     bool
}

// parseExplainFlags accepts the ID before or after the flags.
func parseExplainFlags(args []string) (explainOptions, error) {
	var o explainOptions
	fs := newFlagSet("explain")
	fs.StringVar(&o.Instance, "instance", "", "")
	fs.BoolVar(&o.JSON, "json", false, "")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return explainOptions{}, err
	}
	switch {
	case len(pos) == 0:
		return explainOptions{}, usagef("explain: give the Aircall ID of a call or message")
	case len(pos) > 1:
		return explainOptions{}, usagef("explain: one ID at a time (got %q and %q)", pos[0], pos[1])
	}
	o.ID, o.Instance = strings.TrimSpace(pos[0]), strings.TrimSpace(o.Instance)
	if o.ID == "" {
		return explainOptions{}, usagef("explain: the ID is empty")
	}
	if isSet(fs, "instance") && o.Instance == "" {
		return explainOptions{}, usagef("explain: --instance needs a name")
	}
	return o, nil
}

// parseInterspersed parses flags placed before, between or after positional
// arguments ("explain 123 --json" reads as naturally as "explain --json 123").
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usagef("%s: %v", fs.Name(), err)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// wantsJSON: with --json, errors are printed as JSON too (jsonError), for
// scripts.
func (o explainOptions) wantsJSON() bool { return o.JSON }

func cmdExplain(ctx context.Context, e *env, o explainOptions) error {
	instances := e.DB.instancesFor(o.Instance)
	st, err := openExistingStore(ctx, "explain", e.DB.DatabasePath)
	if err != nil {
		return err
	}
	defer st.Close()
	items, err := st.FindItems(ctx, o.ID, instances)
	if err != nil {
		return fmt.Errorf("explain: %w", err)
	}
	var out []status.Explanation
	if len(items) == 0 {
		// A call that rang and got a card but that no pass has read yet.
		if id, perr := strconv.ParseInt(o.ID, 10, 64); perr == nil {
			c, ok, err := st.GetCard(ctx, id)
			if err != nil {
				return fmt.Errorf("explain: %w", err)
			}
			if ok && slices.Contains(instances, c.Instance) {
				out = append(out, status.ExplainCard(c))
			}
		}
	}
	if len(out) == 0 && len(items) == 0 {
		return fmt.Errorf("explain: no call or message with ID %s in the database (instance(s) %s): it was never seen by a pass, or belongs to another instance or database",
			o.ID, strings.Join(instances, ", "))
	}
	for _, it := range items {
		story, ok, err := st.ItemStory(ctx, it.Instance, it.Kind, it.SourceID)
		if err != nil {
			return fmt.Errorf("explain: %w", err)
		}
		if ok {
			out = append(out, status.Explain(story))
		}
	}
	if o.JSON {
		return writeJSON(e.Stdout, out)
	}
	for i, x := range out {
		if i > 0 {
			fmt.Fprintln(e.Stdout)
		}
		writeExplanation(e.Stdout, x)
	}
	return nil
}

// explainTime writes the times of explain in plain ASCII, as the status
// pages write them otherwise.
var explainTime = status.TimeFormat{None: "-"}

// writeExplanation prints one item's story for a person.
func writeExplanation(w io.Writer, x status.Explanation) {
	fmt.Fprintf(w, "%s %s (instance %s)\n", x.Kind, x.ID, x.Instance)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(k, v string) { fmt.Fprintf(tw, "  %s:\t%s\n", k, v) }
	writeLedgerRows(row, x)
	row("customer", explainCustomer(x.Customer))
	writeConversationRows(row, x.Conversation)
	if in := x.Insights; in != nil {
		row("transcript/AI", explainInsights(in))
	}
	if x.DecidedAt != nil {
		row("decided", explainTime.Ptr(x.DecidedAt))
	}
	if x.DecisionNote != "" {
		row("note", x.DecisionNote)
	}
	if r := x.Retry; r != nil {
		row("retry", explainRetry(r))
	}
	if c := x.Card; c != nil {
		row("insight card", c.Text)
		row("card webhook", explainTime.Time(c.ReceivedAt))
	}
	_ = tw.Flush()
	if len(x.History) > 0 {
		fmt.Fprintln(w, "  history:")
		for _, h := range x.History {
			fmt.Fprintf(w, "    %s  %s\n", explainTime.Time(h.At), h.Text)
		}
	}
	if len(x.Writes) > 0 {
		fmt.Fprintln(w, "  Help Scout writes:")
		for _, wr := range x.Writes {
			fmt.Fprintf(w, "    %s  %s\n", explainTime.Time(wr.At), wr.Text)
		}
	}
}

// writeLedgerRows writes what the ledger row itself says: state and why,
// error, attempts, times and the Aircall link.
func writeLedgerRows(row func(k, v string), x status.Explanation) {
	row("state", string(x.State)+" ("+string(x.Outcome)+")")
	row("why", x.Reason)
	if x.Detail != "" {
		row("detail", x.Detail)
	}
	if x.LastError != "" {
		row("last error", x.LastError)
	}
	row("attempts", fmt.Sprint(x.Attempts))
	row("occurred", explainTime.Ptr(x.OccurredAt))
	row("first seen", explainTime.Time(x.FirstSeen))
	row("last change", explainTime.Time(x.LastChange))
	if x.AircallURL != "" {
		row("in Aircall", x.AircallURL)
	}
}

// explainCustomer says which customer was chosen and why, with the
// candidates when there were several.
func explainCustomer(c *status.CustomerChoice) string {
	if c == nil {
		return "not chosen yet"
	}
	v := fmt.Sprintf("%d: %s", c.ID, c.Why)
	if c.ID == 0 {
		v = "none: " + c.Why
	}
	if len(c.Candidates) > 0 {
		v += " (candidates " + status.JoinIDs(c.Candidates) + ")"
	}
	return v
}

// writeConversationRows writes the conversation chosen, its link and its
// threads.
func writeConversationRows(row func(k, v string), c *status.ConversationChoice) {
	if c == nil {
		row("conversation", "none yet")
		return
	}
	row("conversation", fmt.Sprintf("%d: %s", c.ID, c.Why))
	if c.URL != "" {
		row("in Help Scout", c.URL)
	}
	if c.ThreadID != 0 || c.NoteThreadID != 0 {
		row("threads", fmt.Sprintf("phone/message %d, transcript/AI note %d", c.ThreadID, c.NoteThreadID))
	}
}

// explainInsights says where a call's transcript and AI stand.
func explainInsights(in *status.Insights) string {
	v := in.Why
	if in.Transcript != "" || in.AI != "" {
		v += fmt.Sprintf("; transcript %s, AI %s", orDash(in.Transcript), orDash(in.AI))
	}
	if in.LastLookAt != nil {
		v += "; last look " + explainTime.Ptr(in.LastLookAt)
	}
	return v
}

// explainRetry says when a retry was requested and whether a pass acted on
// it.
func explainRetry(r *status.RetryInfo) string {
	v := "requested " + explainTime.Time(r.RequestedAt)
	if r.Pending {
		return v + ", pending: the next pass tries it"
	}
	return v + ", acted on " + explainTime.Ptr(r.DoneAt)
}

func orDash[T ~string](s T) string {
	if s == "" {
		return "-"
	}
	return string(s)
}
