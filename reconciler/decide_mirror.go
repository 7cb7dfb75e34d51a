package reconciler

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aircall-helpscout/aircall-helpscout/clients/helpscout"
	"github.com/aircall-helpscout/aircall-helpscout/rules"
	"github.com/aircall-helpscout/aircall-helpscout/store"
)

// How the decide path reads Help Scout: through the local mirrors
// (reconciler/mirror.go fills them with documented listings only), with one
// live check for a caller the customers mirror does not know, and our own
// writes recorded in the mirrors at once. See docs/rules.md#how-help-scout-is-read.

// DefaultMirrorPages is how many listing pages a pass spends at most on a
// mirror's first sync or full re-list. At 50 customers a page that is 5,000
// customers a pass (100k customers: 20 passes, 100 minutes at the default
// schedule of one pass every 5 minutes), for 100 of the 1,000 units five
// minutes of Help Scout's default 200 a minute allow: call logging keeps the
// rest, and callers the mirror does not know yet go through the live check
// meanwhile.
const DefaultMirrorPages = 100

// maxRedecide bounds how often one item is decided again in a pass after a
// write named a customer or conversation Help Scout no longer has: each time
// corrects the mirror, so a second surprise is rare and a third is a fault
// worth retrying later.
const maxRedecide = 2

// mirrorSyncer builds the syncer of the pass's instances' mailboxes over d
// (the pass's guarded deps in a dry run).
func (r *Reconciler) mirrorSyncer(d deps, insts []Instance, rt Routing) *MirrorSyncer {
	var mbxs []int64
	region := ""
	for _, in := range insts {
		if !slices.Contains(mbxs, in.MailboxID) {
			mbxs = append(mbxs, in.MailboxID)
		}
		if region == "" {
			region = in.mirrorRegion(rt)
		}
	}
	return &MirrorSyncer{HS: d.hs, Store: d.st, Normalize: rules.NormalizePhone, Region: region, Mailboxes: mbxs,
		Overlap: r.opts.MirrorOverlap, Now: r.opts.Now, Log: r.log}
}

// mirrorRegion is the region the customers mirror reads national formats
// in ("612345678" on a Spanish line): DEFAULT_REGION, else the country of
// the instance's first Aircall line. The mirror is shared
// by every instance; a national number another region would read otherwise
// is still found by the live check, which verifies with the call's region.
func (inst Instance) mirrorRegion(rt Routing) string {
	if inst.DefaultRegion != "" {
		return strings.ToUpper(inst.DefaultRegion)
	}
	if r := rt.Region(inst.Name); r != "" {
		return r
	}
	for _, n := range inst.NumberE164s {
		if r := rules.RegionOf(n); r != "" {
			return r
		}
	}
	return ""
}

// SyncMirrors runs one round of mirror work for every instance's mailbox
// outside a pass, within maxPages listing pages (<= 0: until complete).
func (r *Reconciler) SyncMirrors(ctx context.Context, maxPages int) (MirrorReport, error) {
	rt, err := r.routing(ctx)
	if err != nil && isFatal(err) {
		return MirrorReport{}, err
	}
	return r.mirrorSyncer(r.live, r.instances, rt).Sync(ctx, maxPages)
}

// syncMirrors starts a pass: it refreshes the mirrors (and carries their
// first sync or re-list on within the pass's page allowance), then notes
// which ones are complete. A failed refresh does not stop the pass: calls
// are then decided on the mirror as it is, and unknown callers still get
// the live check. A dry run reads the mirrors as they are, and syncs nothing.
func (p *pass) syncMirrors(ctx context.Context, insts []Instance) error {
	if !p.po.DryRun {
		m := p.mirror
		rep, err := m.Sync(ctx, p.r.opts.MirrorPages)
		if err != nil {
			if isFatal(err) || ctx.Err() != nil {
				return err
			}
			p.log.Warn("mirror refresh failed; deciding on the mirrors as they are", "err", err)
		}
		p.log.Debug("mirrors refreshed", "pages", rep.Pages, "customers", rep.Customers, "conversations", rep.Convs,
			"removed", rep.Removed, "customers_ready", rep.Ready)
	}
	st, _, err := p.st.MirrorSyncState(ctx, CustomersMirror)
	if err != nil {
		return err
	}
	p.cust.ready = st.Phase == store.MirrorPhaseReady || st.Phase == store.MirrorPhaseRelist
	p.convs.ready = map[int64]bool{}
	for _, in := range insts {
		st, _, err := p.st.MirrorSyncState(ctx, ConversationsMirror(in.MailboxID))
		if err != nil {
			return err
		}
		p.convs.ready[in.MailboxID] = st.Phase == store.MirrorPhaseReady || strings.HasPrefix(st.Phase, store.MirrorPhaseRelist)
	}
	window := orDefault(p.mirror.ClosedWindow, DefaultClosedWindow)
	if p.po.Since.IsZero() || !p.po.Since.Before(p.now.Add(-window)) {
		return nil
	}
	return p.convs.backfillClosed(ctx, insts, p.po.Since, window)
}

// conversations applies the conversation rule for a pass on the
// conversations mirror (or live, for a mailbox whose mirror is not complete
// yet), and records our own writes to conversations in the mirror.
type conversations struct {
	hs      HelpScout
	st      State
	now     time.Time
	overlap time.Duration
	// ready says, by mailbox, which conversations mirrors are complete.
	ready map[int64]bool
	// closed holds, for a catch-up older than the reopen window, the
	// conversations closed in its period, by mailbox and customer.
	closed map[int64]map[int64][]store.MirrorConversation
}

// backfillClosed reads, for a catch-up reaching further back than the
// reopen window, the conversations of each existing-mode REOPEN_CLOSED
// mailbox closed since then: the mirror keeps only those closed within the
// window before now, while a back-filled call may reopen one closed within
// the window before the call. Read the documented way (status=closed,
// modifiedSince: closing modifies a conversation), kept for the pass only.
func (cv *conversations) backfillClosed(ctx context.Context, insts []Instance, since time.Time, window time.Duration) error {
	cv.closed = map[int64]map[int64][]store.MirrorConversation{}
	for _, in := range insts {
		if in.Conversation.Mode != rules.ModeExisting || !in.Conversation.ReopenClosed || cv.closed[in.MailboxID] != nil {
			continue
		}
		byCustomer := map[int64][]store.MirrorConversation{}
		q := helpscout.ConversationQuery{MailboxID: in.MailboxID, Status: "closed", ModifiedSince: since.Add(-window - cv.overlap),
			SortField: "modifiedAt", SortOrder: "asc"}
		for n := 1; ; n++ {
			pg, err := cv.hs.ConversationsPage(ctx, q, n)
			if err != nil {
				return fmt.Errorf("list closed conversations of mailbox %d for the catch-up: %w", in.MailboxID, err)
			}
			for _, c := range pg.Conversations {
				mc := MirrorConversation(c)
				if mc.CustomerID == 0 || (c.MailboxID != 0 && c.MailboxID != in.MailboxID) || c.Status != "closed" {
					continue
				}
				mc.MailboxID = in.MailboxID
				byCustomer[mc.CustomerID] = append(byCustomer[mc.CustomerID], mc)
			}
			if pg.Last(len(pg.Conversations)) {
				break
			}
		}
		cv.closed[in.MailboxID] = byCustomer
	}
	return nil
}

// customerOf turns a mirrored customer back into what the rules and contact
// sync read.
func customerOf(m store.MirrorCustomer) helpscout.Customer {
	c := helpscout.Customer{ID: m.ID, FirstName: m.FirstName, LastName: m.LastName, Organization: m.Company,
		CreatedAt: m.CreatedAt, UpdatedAt: m.ModifiedAt}
	for _, e := range m.Emails {
		c.Emails = append(c.Emails, helpscout.Entry{Type: "work", Value: e})
	}
	for _, ph := range m.Phones {
		c.Phones = append(c.Phones, helpscout.Entry{Type: "work", Value: ph.Raw})
	}
	return c
}

// customerCandidates returns the customers carrying e164, verified, with
// their rules view. The mirror answers first (its index holds every stored
// phone in E.164, so a mirror hit is verified by construction). A caller the
// mirror does not know, or any caller while the mirror's first sync is not
// complete, gets one live check: Help Scout may have changed since the
// refresh, and a half-synced mirror may hold only some of the duplicates.
func (cs *customers) candidates(ctx context.Context, e164, region string) ([]helpscout.Customer, []rules.Customer, error) {
	ms, err := cs.st.MirrorCustomersByE164(ctx, e164)
	if err != nil {
		return nil, nil, fmt.Errorf("read customers mirror: %w", err)
	}
	var cands []helpscout.Customer
	var matched []rules.Customer
	for _, m := range ms {
		cands = append(cands, customerOf(m))
		matched = append(matched, rules.Customer{ID: m.ID, CreatedAt: m.CreatedAt, Phones: []string{e164}})
	}
	if len(ms) > 0 && cs.ready {
		return cands, matched, nil
	}
	live, err := cs.liveCheck(ctx, e164)
	if err != nil {
		return nil, nil, err
	}
	verified := rules.MatchCustomers(e164, region, rulesCustomers(live))
	var found []store.MirrorCustomer
	for _, v := range verified {
		if hasCustomer(cands, v.ID) {
			continue
		}
		for _, c := range live {
			if c.ID == v.ID {
				cands = append(cands, c)
				matched = append(matched, v)
				found = append(found, cs.mirror.MirrorCustomer(c))
				break
			}
		}
	}
	// Found live: the mirror learns it now rather than at the next refresh.
	if err := cs.st.UpsertMirrorCustomers(ctx, cs.now, found); err != nil {
		return nil, nil, err
	}
	slices.SortFunc(matched, func(a, b rules.Customer) int { return cmp.Compare(a.ID, b.ID) })
	return cands, matched, nil
}

// liveCheck is the one Help Scout lookup for a caller: the documented v3
// search, or the v2 phone query where v3 refuses (no v3, or the account
// owner turned off the directory permission). Both answer candidates only;
// the caller verifies them.
func (cs *customers) liveCheck(ctx context.Context, e164 string) ([]helpscout.Customer, error) {
	if !cs.v3Off {
		found, err := cs.hs.FindCustomersByPhoneV3(ctx, e164)
		if err == nil {
			return found, nil
		}
		if !errors.Is(err, helpscout.ErrSearchUnavailable) {
			return nil, fmt.Errorf("search customers by phone: %w", err)
		}
		// Refused once, refused for the rest of the pass.
		cs.v3Off = true
		cs.log.Info("v3 customer search unavailable; using the v2 phone query for this pass", "err", err)
	}
	found, err := cs.hs.FindCustomersByPhone(ctx, e164)
	if err != nil {
		return nil, fmt.Errorf("search customers by phone: %w", err)
	}
	return found, nil
}

// mirrorCreatedCustomer records a customer this pass created, so the next
// call from the number finds it in the mirror whatever Help Scout's search
// index says. It must survive a cancelled pass, like the create it follows.
func (cs *customers) mirrorCreated(ctx context.Context, id int64, nc helpscout.NewCustomer) error {
	c := helpscout.Customer{ID: id, FirstName: nc.FirstName, LastName: nc.LastName, Phones: nc.Phones,
		CreatedAt: cs.now, UpdatedAt: cs.now}
	wctx, cancel := detached(ctx)
	defer cancel()
	if err := cs.st.UpsertMirrorCustomers(wctx, cs.now, []store.MirrorCustomer{cs.mirror.MirrorCustomer(c)}); err != nil {
		return fmt.Errorf("record customer %d in the mirror: %w", id, err)
	}
	return nil
}

// mirrorConversations returns the conversation rule's candidates for a
// customer in a mailbox from the conversations mirror: what is not closed,
// or closed within the reopen window (the mirror keeps nothing else).
func (cv *conversations) mirrored(ctx context.Context, mailboxID, customerID int64) ([]store.MirrorConversation, []rules.Conversation, error) {
	ms, err := cv.st.MirrorConversationsFor(ctx, mailboxID, customerID)
	if err != nil {
		return nil, nil, fmt.Errorf("read conversations mirror: %w", err)
	}
	for _, c := range cv.closed[mailboxID][customerID] {
		if !slices.ContainsFunc(ms, func(m store.MirrorConversation) bool { return m.ID == c.ID }) {
			ms = append(ms, c)
		}
	}
	out := make([]rules.Conversation, len(ms))
	for i, m := range ms {
		out[i] = rules.Conversation{ID: m.ID, MailboxID: m.MailboxID, CustomerID: m.CustomerID, Status: m.Status,
			Tags: m.Tags, ClosedAt: m.ClosedAt, UpdatedAt: m.ModifiedAt}
	}
	return ms, out, nil
}

// errCreateUnsettled says the conversation rule cannot be applied yet: a
// conversation create for the same customer, made for another item, has an
// unknown outcome (the connection dropped after Help Scout may have
// committed it, or the process died). Had it landed, the customer has a
// conversation the mirror does not know yet, and choosing without it would
// create a second one in existing mode. It is transient: no attempt is
// spent, and the item goes through once a later pass has settled the other
// item's create (found by its marker, or known not to have landed).
var errCreateUnsettled = errors.New("a conversation create for this customer has an unknown outcome; waiting until it is settled")

// noUnsettledCreate fails with errCreateUnsettled while another item of the
// instance has an open (unsettled) create of one of actions for the
// customer. The item's own intents were settled before it was decided.
// Calls ask only in existing mode (in new mode every call gets a
// conversation of its own anyway), with the call creates; messages ask
// before opening a day conversation, with the message create, since the
// one an unsettled create may have made is that day's conversation.
func (cv *conversations) noUnsettledCreate(ctx context.Context, self itemRef, customerID int64, actions ...string) error {
	if customerID == 0 || placeholder(customerID) {
		return nil
	}
	open, err := cv.st.AllOpenIntents(ctx, self.inst)
	if err != nil {
		return fmt.Errorf("read open intents: %w", err)
	}
	for _, in := range open {
		if in.Kind == self.kind && in.SourceID == self.src {
			continue
		}
		if slices.Contains(actions, in.Action) && in.TargetID == customerID {
			return fmt.Errorf("%w (%s %s, intent %d)", errCreateUnsettled, in.Kind, in.SourceID, in.ID)
		}
	}
	return nil
}

// mirrorConversation records one of our own writes to a conversation in
// the mirror at once (created, thread added, reopened, assigned), so a
// later call of the same pass sees it as Help Scout now has it. It must
// survive a cancelled pass, like the write it follows.
func (cv *conversations) record(ctx context.Context, mc store.MirrorConversation) error {
	if mc.ID == 0 || mc.MailboxID == 0 {
		return nil
	}
	mc.ModifiedAt = cv.now
	wctx, cancel := detached(ctx)
	defer cancel()
	if err := cv.st.UpsertMirrorConversations(wctx, cv.now, []store.MirrorConversation{mc}); err != nil {
		return fmt.Errorf("record conversation %d in the mirror: %w", mc.ID, err)
	}
	return nil
}

// touchMirrorConversation records in the mirror, when it holds the
// conversation, a thread we added (modifiedAt now: the conversation rule
// prefers the most recently updated) and, when assigneeKnown, who it is now
// assigned to. It must survive a cancelled pass, like the write it follows.
func (cv *conversations) touch(ctx context.Context, convID, assigneeID int64, assigneeKnown bool) error {
	if convID == 0 || placeholder(convID) {
		return nil
	}
	wctx, cancel := detached(ctx)
	defer cancel()
	if err := cv.st.TouchMirrorConversation(wctx, convID, cv.now, assigneeID, assigneeKnown); err != nil {
		return fmt.Errorf("record conversation %d in the mirror: %w", convID, err)
	}
	return nil
}

// goneError says a write named a customer or conversation Help Scout no
// longer has (deleted, or merged into another): the mirror was wrong, and
// the item is decided again once it is corrected.
type goneError struct {
	customerID, conversationID int64
	err                        error
}

func (e *goneError) Error() string {
	if e.conversationID != 0 {
		return fmt.Sprintf("conversation %d is gone from Help Scout: %v", e.conversationID, e.err)
	}
	return fmt.Sprintf("customer %d is gone from Help Scout: %v", e.customerID, e.err)
}

func (e *goneError) Unwrap() error { return e.err }

// customerRefused reports a write refused because the customer it names
// does not exist: Help Scout validates the customer reference of a
// conversation or thread and answers 400 "Invalid identifier" on its id.
func customerRefused(err error) bool {
	var ve *helpscout.ValidationError
	if !errors.As(err, &ve) {
		return false
	}
	for _, f := range ve.Fields {
		if f.Path == "customer" || f.Path == "customer.id" || strings.HasSuffix(f.Path, ".customer.id") {
			return true
		}
	}
	return false
}

// conversationGone reports a write to a conversation that was deleted (404)
// or merged into another (404 on write, 301 on read).
func conversationGone(err error) bool {
	var moved *helpscout.MovedError
	return errors.Is(err, helpscout.ErrNotFound) || errors.As(err, &moved)
}

// gone classifies a failed write naming customerID and (for a thread)
// convID: a *goneError when the mirror was wrong about one of them, else
// err unchanged.
func gone(err error, customerID, convID int64) error {
	switch {
	case err == nil:
		return nil
	case customerRefused(err):
		return &goneError{customerID: customerID, err: err}
	case convID != 0 && conversationGone(err):
		return &goneError{conversationID: convID, err: err}
	case convID == 0 && errors.Is(err, helpscout.ErrNotFound):
		// A create naming a customer that is gone, answered 404.
		return &goneError{customerID: customerID, err: err}
	}
	return err
}

// forgetGone corrects the mirror (and the pass's memo) after a write found
// a customer or conversation gone, so that deciding again does not pick it.
func (p *pass) forgetGone(ctx context.Context, in Instance, g *goneError) error {
	wctx, cancel := detached(ctx)
	defer cancel()
	if g.conversationID != 0 {
		p.log.Info("conversation gone from Help Scout (deleted or merged): removed from the mirror, deciding again",
			"instance", in.Name, "conversation", g.conversationID)
		return p.st.DeleteMirrorConversation(wctx, g.conversationID)
	}
	p.log.Info("customer gone from Help Scout (deleted or merged): removed from the mirror, deciding again",
		"instance", in.Name, "customer", g.customerID)
	p.cust.forget(g.customerID)
	return p.st.DeleteMirrorCustomer(wctx, g.customerID)
}
