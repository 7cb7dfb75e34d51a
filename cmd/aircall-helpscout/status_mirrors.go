package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/aircall-helpscout/aircall-helpscout/store"
)

// mirrorStatus is one local mirror of Help Scout as status shows it: how
// big it is, how fresh, and how far its first sync or daily re-list is.
// Times are null when the event never happened.
type mirrorStatus struct {
	Name      string `json:"name"`                 // "customers" or "conversations:<mailbox>"
	MailboxID *int64 `json:"mailbox_id,omitempty"` // conversations mirrors only
	Size      int    `json:"size"`                 // rows: customers, or pickable conversations
	Phones    *int   `json:"phones,omitempty"`     // customers mirror: stored phones
	// State is "never synced", "first sync", "ready" or "re-list": until
	// the first sync is done, callers it does not know yet get the live
	// check.
	State        string     `json:"state"`
	Ready        bool       `json:"ready"`
	Page         int        `json:"page"`           // next page of the listing in progress
	Read         int        `json:"read"`           // rows read by the listing in progress
	Expected     int        `json:"expected"`       // rows Help Scout announced when it began
	LastRefresh  *time.Time `json:"last_refresh"`   // last incremental refresh completed
	LastFullList *time.Time `json:"last_full_list"` // last first sync or re-list completed
	ListingSince *time.Time `json:"listing_since"`  // the listing in progress began
	UpdatedAt    *time.Time `json:"updated_at"`
}

// readMirrorStatus reads every mirror's size and sync state.
func readMirrorStatus(ctx context.Context, st *store.Store) ([]mirrorStatus, error) {
	sizes, err := st.MirrorSizes(ctx)
	if err != nil {
		return nil, err
	}
	states, err := st.MirrorSyncStates(ctx)
	if err != nil {
		return nil, err
	}
	out := []mirrorStatus{}
	for _, m := range states {
		ms := mirrorStatus{Name: m.Name, Page: m.Page, Read: m.SeenTotal, Expected: m.ExpectedTotal,
			LastRefresh: timePtr(m.LastRefreshAt), LastFullList: timePtr(m.LastFullAt), UpdatedAt: timePtr(m.UpdatedAt)}
		switch {
		case m.Phase == "":
			ms.State = "never synced"
		case strings.HasPrefix(m.Phase, store.MirrorPhaseFirstSync):
			ms.State, ms.ListingSince = "first sync", timePtr(m.ListingStartedAt)
		case strings.HasPrefix(m.Phase, store.MirrorPhaseRelist):
			ms.State, ms.Ready, ms.ListingSince = "re-list", true, timePtr(m.ListingStartedAt)
		default:
			ms.State, ms.Ready = "ready", true
		}
		if mbx, ok := strings.CutPrefix(m.Name, "conversations:"); ok {
			id, _ := strconv.ParseInt(mbx, 10, 64)
			ms.MailboxID = &id
			ms.Size = sizes.Conversations[id]
		} else {
			ms.Size = sizes.Customers
			phones := sizes.Phones
			ms.Phones = &phones
		}
		out = append(out, ms)
	}
	return out, nil
}

// writeMirrors renders the mirrors for a person.
func writeMirrors(w io.Writer, ms []mirrorStatus) {
	fmt.Fprintln(w, "Help Scout mirrors (decisions read these; see README \"Help Scout mirrors\"):")
	if len(ms) == 0 {
		fmt.Fprintln(w, "  none yet (the first pass starts them)")
		return
	}
	for _, m := range ms {
		size := fmt.Sprintf("%d rows", m.Size)
		if m.Phones != nil {
			size = fmt.Sprintf("%d customers, %d phones", m.Size, *m.Phones)
		} else if m.MailboxID != nil {
			size = fmt.Sprintf("%d open or recently closed conversations", m.Size)
		}
		state := m.State
		if m.State == "first sync" || m.State == "re-list" {
			state = fmt.Sprintf("%s at page %d, %d of ~%d read, since %s", m.State, m.Page, m.Read, m.Expected, formatOptionalTime(m.ListingSince))
			if m.State == "first sync" && m.MailboxID == nil {
				state += " (until it is done, callers it does not know get the live check)"
			}
		}
		fmt.Fprintf(w, "  %-24s %s; %s; last refresh %s; last full list %s\n", m.Name, size, state,
			formatOptionalTime(m.LastRefresh), formatOptionalTime(m.LastFullList))
	}
}
