package reconciler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/aircall-helpscout/aircall-helpscout/clients/helpscout"
	"github.com/aircall-helpscout/aircall-helpscout/store"
)

// MirrorSource is what the mirrors read from Help Scout: documented
// listings only (GET /v2/customers and GET /v2/conversations with
// modifiedSince, sortField=modifiedAt, status and page), never the
// undocumented phone query or customer filter. *helpscout.Client has it.
type MirrorSource interface {
	CustomersPage(ctx context.Context, q helpscout.CustomerQuery, page int) (helpscout.CustomerPage, error)
	ConversationsPage(ctx context.Context, q helpscout.ConversationQuery, page int) (helpscout.ConversationPage, error)
}

// MirrorStore is what the mirrors keep in SQLite. *store.Store has it.
type MirrorStore interface {
	UpsertMirrorCustomers(ctx context.Context, seenAt time.Time, cs []store.MirrorCustomer) error
	SweepMirrorCustomers(ctx context.Context, seenSince time.Time) (int, error)
	UpsertMirrorConversations(ctx context.Context, seenAt time.Time, cs []store.MirrorConversation) error
	DeleteMirrorConversation(ctx context.Context, id int64) error
	PruneMirrorConversations(ctx context.Context, mailboxID int64, closedBefore time.Time) (int, error)
	SweepMirrorConversations(ctx context.Context, mailboxID int64, seenSince time.Time) (int, error)
	MirrorSyncState(ctx context.Context, name string) (store.MirrorSync, bool, error)
	PutMirrorSyncState(ctx context.Context, m store.MirrorSync) error
}

// Mirror defaults.
const (
	// DefaultMirrorOverlap is how far before the newest modification already
	// mirrored a refresh starts: it covers clock skew between Help Scout's
	// servers and its search index lagging behind writes, at the price of
	// re-reading the last few minutes' changes (usually still one page).
	DefaultMirrorOverlap = 10 * time.Minute
	// DefaultMirrorRelist is how often a full re-list runs: deleted and
	// merged customers never show up in a modifiedSince listing, so only a
	// full listing, swept of what it did not see, removes them.
	DefaultMirrorRelist = 24 * time.Hour
	// DefaultClosedWindow is how long a closed conversation stays pickable:
	// REOPEN_CLOSED reopens one closed less than 48 hours before the call.
	DefaultClosedWindow = 48 * time.Hour
)

// CustomersMirror is the sync state name of the customers mirror.
const CustomersMirror = "customers"

// ConversationsMirror is the sync state name of a mailbox's conversations mirror.
func ConversationsMirror(mailboxID int64) string {
	return "conversations:" + strconv.FormatInt(mailboxID, 10)
}

// Phases of the conversations listing: open conversations of any age, then
// those closed within the closed window.
const (
	phaseFirstSyncClosed = store.MirrorPhaseFirstSync + "-closed"
	phaseRelistClosed    = store.MirrorPhaseRelist + "-closed"
)

// MirrorSyncer fills and refreshes the customers mirror and the
// conversations mirror of each mailbox, page by page, so that calls are
// decided on SQLite instead of on Help Scout's undocumented lookups.
//
// Every listing is walked by keyset on modifiedAt: each page asks for
// modifiedSince = (last modifiedAt read − 1 s), page 1, sorted ascending,
// instead of page N of one fixed query. A record modified during a long
// listing then moves past the cursor and is read again rather than shifting
// an unread one back onto a page already read, and a deletion shifts
// nothing; the position (cursor, page) is saved after every page, so a first
// sync of 2,000 pages resumes where it stopped after a restart. Only when a
// whole page shares one second does it step to page N+1 of the same query.
type MirrorSyncer struct {
	HS    MirrorSource
	Store MirrorStore
	// Normalize turns a stored phone into E.164 (rules.NormalizePhone);
	// Region is the instance's country for national formats ("612345678"
	// on a Spanish line).
	Normalize func(raw, region string) (string, bool)
	Region    string
	Mailboxes []int64

	Overlap      time.Duration // default DefaultMirrorOverlap
	RelistEvery  time.Duration // default DefaultMirrorRelist
	ClosedWindow time.Duration // default DefaultClosedWindow
	Now          func() time.Time
	Log          *slog.Logger
}

// MirrorReport says what one Sync call did.
type MirrorReport struct {
	Pages     int  // Help Scout requests made (1 unit each)
	Customers int  // customers written to the mirror
	Convs     int  // conversations written
	Removed   int  // rows swept, pruned or dropped
	Ready     bool // the customers mirror is complete (first sync done)
	// Exhausted: the page budget ran out before the listings were done;
	// the next call resumes.
	Exhausted bool
}

func (m *MirrorSyncer) now() time.Time {
	if m.Now != nil {
		return m.Now().UTC()
	}
	return time.Now().UTC()
}

func (m *MirrorSyncer) log() *slog.Logger {
	if m.Log != nil {
		return m.Log
	}
	return slog.Default()
}

func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// budget counts the pages a Sync call may still read; unlimited when max <= 0.
type budget struct {
	left      int
	unlimited bool
}

func (b *budget) take() bool {
	if b.unlimited {
		return true
	}
	if b.left <= 0 {
		return false
	}
	b.left--
	return true
}

// Sync runs one round of mirror work within maxPages Help Scout requests
// (<= 0: no limit), cheapest and most urgent first: each mailbox's
// conversations refresh, the customers refresh, then the first sync or the
// due full re-list with whatever pages are left. Callers give it what the
// rate budget leaves after call logging, so a first sync of a large account
// never holds calls back; it resumes on the next call.
//
// When nothing changed it costs one request per mailbox plus one for the
// customers.
func (m *MirrorSyncer) Sync(ctx context.Context, maxPages int) (MirrorReport, error) {
	b := &budget{left: maxPages, unlimited: maxPages <= 0}
	var rep MirrorReport
	var errs []error
	for _, mbx := range m.Mailboxes {
		if err := m.syncConversations(ctx, mbx, b, &rep); err != nil {
			errs = append(errs, fmt.Errorf("conversations of mailbox %d: %w", mbx, err))
		}
	}
	if err := m.syncCustomers(ctx, b, &rep); err != nil {
		errs = append(errs, fmt.Errorf("customers: %w", err))
	}
	rep.Exhausted = !b.unlimited && b.left <= 0 && !rep.Ready
	if err := errors.Join(errs...); err != nil {
		return rep, fmt.Errorf("mirror sync: %w", err)
	}
	return rep, nil
}

// page is what a keyset walk needs from one fetched page.
type page struct {
	n       int       // items
	lastMod time.Time // modifiedAt of the last item (sorted ascending)
	first   helpscout.PageInfo
	last    bool
}

// walk reads a keyset listing from st's position until its last page or the
// budget's end, calling fetch (which stores the page) and saving st after
// every page. It reports whether the listing reached its end.
func (m *MirrorSyncer) walk(ctx context.Context, b *budget, st *store.MirrorSync, fetch func(since time.Time, n int) (page, error)) (bool, error) {
	for {
		if err := ctx.Err(); err != nil {
			return false, err
		}
		if !b.take() {
			return false, nil
		}
		pg := max(st.Page, 1)
		p, err := fetch(st.Cursor, pg)
		if err != nil {
			return false, err
		}
		if st.Cursor.IsZero() && pg == 1 {
			st.ExpectedTotal = p.first.TotalElements
		}
		st.SeenTotal += p.n
		if p.last {
			st.Page, st.Cursor = 1, time.Time{}
			return true, nil
		}
		// Help Scout's modifiedSince has one-second resolution and its
		// inclusiveness is not documented: step back a second so records
		// sharing the last one's second are read again, never skipped.
		if next := p.lastMod.Add(-time.Second); next.After(st.Cursor) {
			st.Cursor, st.Page = next, 1
		} else {
			st.Page = pg + 1
		}
		if st.Name == "" {
			continue // a refresh: its position lives in HighWater, saved by the caller
		}
		if err := m.Store.PutMirrorSyncState(ctx, *st); err != nil {
			return false, err
		}
	}
}

// normalize is Normalize, plus international numbers written with the "00"
// prefix ("0034 612 34 56 78"), which the phone library reads as such only
// where 00 is the local international prefix.
func (m *MirrorSyncer) normalize(raw string) string {
	if m.Normalize == nil {
		return ""
	}
	if e, ok := m.Normalize(raw, m.Region); ok {
		return e
	}
	if t := strings.TrimSpace(raw); strings.HasPrefix(t, "00") {
		if e, ok := m.Normalize("+"+strings.TrimPrefix(t, "00"), ""); ok {
			return e
		}
	}
	return ""
}

// MirrorCustomer converts a Help Scout customer for the mirror, normalising
// each phone. The decide path uses it to record a customer it just created.
func (m *MirrorSyncer) MirrorCustomer(c helpscout.Customer) store.MirrorCustomer {
	out := store.MirrorCustomer{ID: c.ID, FirstName: c.FirstName, LastName: c.LastName, Company: c.Organization,
		CreatedAt: c.CreatedAt, ModifiedAt: c.UpdatedAt}
	for _, e := range c.Emails {
		out.Emails = append(out.Emails, e.Value)
	}
	for _, p := range c.Phones {
		out.Phones = append(out.Phones, store.MirrorPhone{Raw: p.Value, E164: m.normalize(p.Value)})
	}
	return out
}

// customerPages fetches and stores one page of the customers listing.
func (m *MirrorSyncer) customerPage(ctx context.Context, rep *MirrorReport, hw *time.Time) func(since time.Time, n int) (page, error) {
	return func(since time.Time, n int) (page, error) {
		p, err := m.HS.CustomersPage(ctx, helpscout.CustomerQuery{ModifiedSince: since, SortField: "modifiedAt", SortOrder: "asc"}, n)
		rep.Pages++
		if err != nil {
			return page{}, err
		}
		cs := make([]store.MirrorCustomer, 0, len(p.Customers))
		out := page{n: len(p.Customers), first: p.PageInfo, last: p.Last(len(p.Customers))}
		for _, c := range p.Customers {
			cs = append(cs, m.MirrorCustomer(c))
			if c.UpdatedAt.After(out.lastMod) {
				out.lastMod = c.UpdatedAt
			}
		}
		if err := m.Store.UpsertMirrorCustomers(ctx, m.now(), cs); err != nil {
			return page{}, err
		}
		rep.Customers += len(cs)
		if hw != nil && out.lastMod.After(*hw) {
			*hw = out.lastMod
		}
		return out, nil
	}
}

func (m *MirrorSyncer) syncCustomers(ctx context.Context, b *budget, rep *MirrorReport) error {
	st, _, err := m.Store.MirrorSyncState(ctx, CustomersMirror)
	if err != nil {
		return err
	}
	now := m.now()
	overlap := orDefault(m.Overlap, DefaultMirrorOverlap)
	if st.Phase == "" {
		// Everything modified from now on is caught by the refreshes that
		// follow the first sync, wherever the listing is by then.
		st = store.MirrorSync{Name: CustomersMirror, Phase: store.MirrorPhaseFirstSync, Page: 1,
			HighWater: now.Add(-overlap), ListingStartedAt: now}
		m.log().Info("mirror: customers first sync begins")
		if err := m.Store.PutMirrorSyncState(ctx, st); err != nil {
			return err
		}
	}
	if st.Phase != store.MirrorPhaseFirstSync {
		l := listing{what: "customers", fetch: func(hw *time.Time) pageFetch { return m.customerPage(ctx, rep, hw) }}
		if done, err := m.refresh(ctx, b, &st, l, now); err != nil || !done {
			return err
		}
	}
	if st.Phase == store.MirrorPhaseReady {
		rep.Ready = true
		return nil
	}
	// First sync or re-list: the whole listing, as far as the budget goes.
	done, err := m.walk(ctx, b, &st, m.customerPage(ctx, rep, nil))
	if err != nil {
		_ = m.Store.PutMirrorSyncState(ctx, st)
		return err
	}
	if !done {
		m.log().Info("mirror: customers "+st.Phase+" in progress", "read", st.SeenTotal, "of", st.ExpectedTotal,
			"page", st.Page, "since", st.ListingStartedAt)
		rep.Ready = st.Phase == store.MirrorPhaseRelist
		return m.Store.PutMirrorSyncState(ctx, st)
	}
	if st.Phase == store.MirrorPhaseRelist {
		n, err := m.Store.SweepMirrorCustomers(ctx, st.ListingStartedAt)
		if err != nil {
			return err
		}
		rep.Removed += n
		m.log().Info("mirror: customers re-list done", "read", st.SeenTotal, "removed", n)
	} else {
		m.log().Info("mirror: customers first sync done", "read", st.SeenTotal)
	}
	st.Phase, st.LastFullAt = store.MirrorPhaseReady, now
	rep.Ready = true
	return m.Store.PutMirrorSyncState(ctx, st)
}

// pageFetch reads and stores one page of a mirror's listing.
type pageFetch = func(since time.Time, n int) (page, error)

// listing is how a mirror's refresh reads: fetch reads pages raising the
// high-water mark it is given; finish (optional) runs once the refresh
// reached its end.
type listing struct {
	what   string
	fetch  func(hw *time.Time) pageFetch
	finish func() error
}

// refreshFrom is where a refresh starts before the overlap: the newest
// modification mirrored, or the start of the last complete refresh when that
// is later. Counting from the newest record alone re-read the same window on
// every idle pass after a busy spell (a second page, 3 units instead of 2,
// until something changed); the last refresh already read everything up to
// its start, so the overlap behind it is all that index lag needs.
func refreshFrom(st store.MirrorSync) time.Time {
	if st.LastRefreshAt.After(st.HighWater) {
		return st.LastRefreshAt
	}
	return st.HighWater
}

// refresh reads what changed in a mirror since the newest modification
// mirrored (less the overlap), saves st, and, when the refresh reached its
// end and a full re-list is due, starts that. done says the refresh
// reached its end.
func (m *MirrorSyncer) refresh(ctx context.Context, b *budget, st *store.MirrorSync, l listing, now time.Time) (done bool, err error) {
	refresh := store.MirrorSync{Cursor: refreshFrom(*st).Add(-orDefault(m.Overlap, DefaultMirrorOverlap)), Page: 1}
	hw := st.HighWater
	done, err = m.walk(ctx, b, &refresh, l.fetch(&hw))
	st.HighWater = hw
	if done {
		st.LastRefreshAt = now
		if l.finish != nil {
			if ferr := l.finish(); err == nil {
				err = ferr
			}
		}
	}
	if perr := m.Store.PutMirrorSyncState(ctx, *st); err == nil {
		err = perr
	}
	if err != nil || !done {
		return false, err
	}
	if st.Phase == store.MirrorPhaseReady && now.Sub(st.LastFullAt) >= orDefault(m.RelistEvery, DefaultMirrorRelist) {
		st.Phase, st.Page, st.Cursor, st.SeenTotal, st.ListingStartedAt = store.MirrorPhaseRelist, 1, time.Time{}, 0, now
		m.log().Info("mirror: "+l.what+" full re-list begins", "mirror", st.Name, "last", st.LastFullAt)
		if err := m.Store.PutMirrorSyncState(ctx, *st); err != nil {
			return false, err
		}
	}
	return true, nil
}

// pickable reports whether the rules could choose the conversation: not
// spam, not deleted, and not closed, or closed within the window.
func (m *MirrorSyncer) pickable(c helpscout.Conversation, now time.Time) bool {
	if c.State == "deleted" {
		return false
	}
	switch c.Status {
	case "active", "pending", "open":
		return true
	case "closed":
		return !c.ClosedAt.IsZero() && now.Sub(c.ClosedAt) < orDefault(m.ClosedWindow, DefaultClosedWindow)
	}
	return false
}

// MirrorConversation converts a conversation for the mirror; the decide
// path uses it to record its own writes at once.
func MirrorConversation(c helpscout.Conversation) store.MirrorConversation {
	out := store.MirrorConversation{MailboxID: c.MailboxID, ID: c.ID, Status: c.Status, Subject: c.Subject,
		Tags: c.Tags, CreatedAt: c.CreatedAt, ClosedAt: c.ClosedAt, ModifiedAt: c.UserUpdatedAt}
	if out.ModifiedAt.IsZero() {
		out.ModifiedAt = c.CreatedAt
	}
	if c.PrimaryCustomer != nil {
		out.CustomerID = c.PrimaryCustomer.ID
	}
	// A listing states the assignee, leaving it out when there is none.
	out.AssigneeKnown = true
	if c.Assignee != nil {
		out.AssigneeID = c.Assignee.ID
	}
	return out
}

func (m *MirrorSyncer) conversationPage(ctx context.Context, mbx int64, status string, rep *MirrorReport, hw *time.Time) func(since time.Time, n int) (page, error) {
	return func(since time.Time, n int) (page, error) {
		p, err := m.HS.ConversationsPage(ctx, helpscout.ConversationQuery{MailboxID: mbx, Status: status, ModifiedSince: since,
			SortField: "modifiedAt", SortOrder: "asc"}, n)
		rep.Pages++
		if err != nil {
			return page{}, err
		}
		now := m.now()
		out := page{n: len(p.Conversations), first: p.PageInfo, last: p.Last(len(p.Conversations))}
		var keep []store.MirrorConversation
		for _, c := range p.Conversations {
			mc := MirrorConversation(c)
			if mc.ModifiedAt.After(out.lastMod) {
				out.lastMod = mc.ModifiedAt
			}
			if c.MailboxID != 0 && c.MailboxID != mbx {
				continue // Help Scout ignored the mailbox filter: not ours
			}
			mc.MailboxID = mbx
			if m.pickable(c, now) {
				keep = append(keep, mc)
				continue
			}
			if err := m.Store.DeleteMirrorConversation(ctx, c.ID); err != nil {
				return page{}, err
			}
		}
		if err := m.Store.UpsertMirrorConversations(ctx, now, keep); err != nil {
			return page{}, err
		}
		rep.Convs += len(keep)
		if hw != nil && out.lastMod.After(*hw) {
			*hw = out.lastMod
		}
		return out, nil
	}
}

// syncConversations keeps one mailbox's pickable conversations: the first
// sync (and the daily re-list) lists the open ones of any age, then those
// closed within the window; every call refreshes with status=all and
// modifiedSince, dropping what became unpickable, and prunes what aged out.
func (m *MirrorSyncer) syncConversations(ctx context.Context, mbx int64, b *budget, rep *MirrorReport) error {
	name := ConversationsMirror(mbx)
	st, _, err := m.Store.MirrorSyncState(ctx, name)
	if err != nil {
		return err
	}
	now := m.now()
	overlap := orDefault(m.Overlap, DefaultMirrorOverlap)
	window := orDefault(m.ClosedWindow, DefaultClosedWindow)
	if st.Phase == "" {
		st = store.MirrorSync{Name: name, Phase: store.MirrorPhaseFirstSync, Page: 1, HighWater: now.Add(-overlap), ListingStartedAt: now}
		if err := m.Store.PutMirrorSyncState(ctx, st); err != nil {
			return err
		}
	}
	if st.Phase != store.MirrorPhaseFirstSync && st.Phase != phaseFirstSyncClosed {
		l := listing{what: "conversations",
			fetch: func(hw *time.Time) pageFetch { return m.conversationPage(ctx, mbx, "all", rep, hw) },
			// Closed conversations leave the mirror once past the window.
			finish: func() error {
				n, err := m.Store.PruneMirrorConversations(ctx, mbx, now.Add(-window))
				rep.Removed += n
				return err
			}}
		if done, err := m.refresh(ctx, b, &st, l, now); err != nil || !done {
			return err
		}
	}
	for st.Phase != store.MirrorPhaseReady {
		status := "open"
		if st.Phase == phaseFirstSyncClosed || st.Phase == phaseRelistClosed {
			status = "closed"
			if st.Cursor.IsZero() && st.Page <= 1 {
				st.Cursor = st.ListingStartedAt.Add(-window) // closing modifies it
			}
		}
		done, err := m.walk(ctx, b, &st, m.conversationPage(ctx, mbx, status, rep, nil))
		if err != nil || !done {
			if perr := m.Store.PutMirrorSyncState(ctx, st); err == nil {
				err = perr
			}
			return err
		}
		if err := m.conversationsListed(ctx, mbx, &st, rep, now); err != nil {
			return err
		}
		if err := m.Store.PutMirrorSyncState(ctx, st); err != nil {
			return err
		}
	}
	return nil
}

// conversationsListed moves a mailbox's full listing on once one of its
// parts reached its end: from the open conversations to the closed ones,
// and from those to ready, sweeping what a re-list no longer saw.
func (m *MirrorSyncer) conversationsListed(ctx context.Context, mbx int64, st *store.MirrorSync, rep *MirrorReport, now time.Time) error {
	switch st.Phase {
	case store.MirrorPhaseFirstSync:
		st.Phase = phaseFirstSyncClosed
		return nil
	case store.MirrorPhaseRelist:
		st.Phase = phaseRelistClosed
		return nil
	}
	if st.Phase == phaseRelistClosed {
		n, err := m.Store.SweepMirrorConversations(ctx, mbx, st.ListingStartedAt)
		if err != nil {
			return err
		}
		rep.Removed += n
	}
	m.log().Info("mirror: conversations listed", "mailbox", mbx, "phase", st.Phase, "read", st.SeenTotal)
	st.Phase, st.LastFullAt = store.MirrorPhaseReady, now
	return nil
}
