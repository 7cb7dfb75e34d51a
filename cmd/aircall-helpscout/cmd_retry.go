package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/aircall-helpscout/aircall-helpscout/store"
)

const helpRetry = `Usage: aircall-helpscout retry [--instance N] (--parked | <id>...)

Makes parked items (--parked), or the given failed or parked calls and
messages (by Aircall ID), eligible again once the cause is fixed: the next
pass (serve's schedule, or 'aircall-helpscout run') retries them by ID
whatever their age, with a full set of attempts before they are parked
again. Their history is kept and shown by 'explain'. Logged, skipped and
waiting items are left alone, with the reason. Prints what it changed.

Reads and writes only the database (DATABASE_PATH, and INSTANCES when set):
no API call and no API secret needed. Safe while serve runs.

Flags:
  --instance N   only this instance
  --parked       every parked item (of every instance unless --instance)

Exit status: 0 when done (even if nothing needed a retry), 1 when a given ID
is in no instance's ledger (the others are still retried) or the database is
missing, 2 on a usage error.
`

// retryOptions are the flags of `retry`.
type retryOptions struct {
	Instance string
	Parked   bool
	IDs      []string
}

func parseRetryFlags(args []string) (retryOptions, error) {
	var o retryOptions
	fs := newFlagSet("retry")
	fs.StringVar(&o.Instance, "instance", "", "")
	fs.BoolVar(&o.Parked, "parked", false, "")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return retryOptions{}, err
	}
	o.Instance = strings.TrimSpace(o.Instance)
	if isSet(fs, "instance") && o.Instance == "" {
		return retryOptions{}, usagef("retry: --instance needs a name")
	}
	for _, p := range pos {
		for _, id := range strings.Split(p, ",") { // "1,2" as well as "1 2"
			if id = strings.TrimSpace(id); id != "" {
				o.IDs = append(o.IDs, id)
			}
		}
	}
	switch {
	case o.Parked && len(o.IDs) > 0:
		return retryOptions{}, usagef("retry: give --parked or IDs, not both")
	case !o.Parked && len(o.IDs) == 0:
		return retryOptions{}, usagef("retry: give --parked or the IDs of the failed/parked items to retry")
	}
	return o, nil
}

func cmdRetry(ctx context.Context, e *env, o retryOptions) error {
	instances := e.DB.instancesFor(o.Instance)
	st, err := openExistingStore(ctx, "retry", e.DB.DatabasePath)
	if err != nil {
		return err
	}
	defer st.Close()
	res, err := st.Retry(ctx, store.RetryRequest{Instances: instances, IDs: o.IDs, Parked: o.Parked})
	if err != nil {
		return fmt.Errorf("retry: %w", err)
	}
	changed, missing := 0, 0
	for _, r := range res {
		switch {
		case r.Instance == "":
			missing++
			fmt.Fprintf(e.Stdout, "%s: not changed: %s (instance(s) %s)\n", r.ID, r.Reason, strings.Join(instances, ", "))
		case r.Changed:
			changed++
			was := fmt.Sprintf("was %s after %d attempt(s)", r.Before.State, r.Before.Attempts)
			if r.Before.LastError != "" {
				was += ": " + r.Before.LastError
			}
			fmt.Fprintf(e.Stdout, "%s %s (%s): eligible again (%s)\n", r.Kind, r.ID, r.Instance, was)
		default:
			fmt.Fprintf(e.Stdout, "%s %s (%s): not changed: %s\n", r.Kind, r.ID, r.Instance, r.Reason)
		}
	}
	switch {
	case o.Parked && len(res) == 0:
		fmt.Fprintf(e.Stdout, "No parked item in instance(s) %s: nothing to retry.\n", strings.Join(instances, ", "))
	case changed > 0:
		fmt.Fprintf(e.Stdout, "%d item(s) eligible again: the next pass retries them (serve's schedule, or 'aircall-helpscout run' now); 'aircall-helpscout explain <id>' shows their history.\n", changed)
	default:
		fmt.Fprintln(e.Stdout, "Nothing changed.")
	}
	if missing > 0 {
		return fmt.Errorf("retry: %d ID(s) not in the database", missing)
	}
	return nil
}
