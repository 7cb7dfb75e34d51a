package status

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/aircall-helpscout/aircall-helpscout/store"
)

// BudgetStore is where the passes leave what they spent of each API's
// budget; *store.Store implements it.
type BudgetStore interface {
	APIBudgets(ctx context.Context) ([]store.APIBudget, error)
}

// StoreBudgets feeds the "API budget" section from the record the last
// pass left in the store: the page is served by serve, but the pass may
// have been run by another process (run), whose clients' counters it
// cannot see.
func StoreBudgets(st BudgetStore) Budgets { return storeBudgets{st} }

type storeBudgets struct{ st BudgetStore }

var apiTitles = map[string]string{store.APIAircall: "Aircall", store.APIHelpScout: "Help Scout"}

func (b storeBudgets) BudgetUse(ctx context.Context) ([]BudgetUse, error) {
	recs, err := b.st.APIBudgets(ctx)
	if err != nil {
		return nil, fmt.Errorf("api budgets: %w", err)
	}
	out := make([]BudgetUse, 0, len(recs))
	for _, r := range recs {
		title := apiTitles[r.API]
		if title == "" {
			title = r.API
		}
		out = append(out, BudgetUse{API: title, PassRequests: r.Requests, PassUnits: r.Units,
			RateLimited: r.RateLimited, PassAt: r.PassEnded, PerMinute: r.Ceiling,
			Remaining: r.Remaining, Limit: r.Limit, At: r.SeenAt})
	}
	return out, nil
}

// MirrorStore is where the mirrors of Help Scout live; *store.Store
// implements it.
type MirrorStore interface {
	MirrorSyncStates(ctx context.Context) ([]store.MirrorSync, error)
	MirrorSizes(ctx context.Context) (store.MirrorSizes, error)
}

// StoreMirrors feeds the "mirrors" section from the store. instances names
// the instances logging into each mailbox, so a conversations mirror
// (one per mailbox, shared by the instances on it) shows whose it is.
func StoreMirrors(st MirrorStore, instances map[int64][]string) Mirrors {
	return storeMirrors{st: st, instances: instances}
}

type storeMirrors struct {
	st        MirrorStore
	instances map[int64][]string
}

func (m storeMirrors) MirrorStates(ctx context.Context) ([]MirrorState, error) {
	sizes, err := m.st.MirrorSizes(ctx)
	if err != nil {
		return nil, fmt.Errorf("mirror sizes: %w", err)
	}
	states, err := m.st.MirrorSyncStates(ctx)
	if err != nil {
		return nil, fmt.Errorf("mirror states: %w", err)
	}
	out := make([]MirrorState, 0, len(states))
	for _, st := range states {
		s := MirrorState{Name: st.Name, RefreshedAt: st.LastRefreshAt}
		if s.RefreshedAt.IsZero() {
			s.RefreshedAt = st.LastFullAt
		}
		var notes []string
		if mbx, ok := strings.CutPrefix(st.Name, "conversations:"); ok {
			id, _ := strconv.ParseInt(mbx, 10, 64)
			s.Name, s.Items = "conversations", sizes.Conversations[id]
			names := slices.Sorted(slices.Values(m.instances[id]))
			s.Instance = strings.Join(names, ", ")
			if s.Instance == "" {
				s.Instance = "mailbox " + mbx + " (no instance now)"
			}
		} else {
			s.Items = sizes.Customers
			notes = append(notes, fmt.Sprintf("%d phones", sizes.Phones))
		}
		// Until the first sync is done, callers the customers mirror does
		// not know yet go through a live check: the operator must see it.
		switch {
		case st.Phase == "":
			notes = append(notes, "never synced")
		case strings.HasPrefix(st.Phase, store.MirrorPhaseFirstSync):
			notes = append(notes, fmt.Sprintf("page %d, %d of ~%d read", st.Page, st.SeenTotal, st.ExpectedTotal))
		case strings.HasPrefix(st.Phase, store.MirrorPhaseRelist):
			s.Complete = true
			notes = append(notes, fmt.Sprintf("daily re-list at page %d, %d of ~%d read", st.Page, st.SeenTotal, st.ExpectedTotal))
		default:
			s.Complete = true
		}
		s.Note = strings.Join(notes, "; ")
		out = append(out, s)
	}
	return out, nil
}
