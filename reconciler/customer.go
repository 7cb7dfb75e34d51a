package reconciler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/aircall-helpscout/aircall-helpscout/clients/aircall"
	"github.com/aircall-helpscout/aircall-helpscout/clients/helpscout"
	"github.com/aircall-helpscout/aircall-helpscout/rules"
)

// maxCustomerMemo bounds the per-pass memo of resolved customers: it saves a
// search for repeat callers within a pass, and must not hold a whole
// catch-up's worth of customers.
const maxCustomerMemo = 2000

// resolvedCustomer is the outcome of the customer rule for one item.
type resolvedCustomer struct {
	ID         int64
	Existing   bool               // matched a customer that was already there (contact sync applies)
	Created    bool               // created by this item: it has no conversation yet
	Customer   helpscout.Customer // the matched customer, when Existing
	Skip       bool               // DUPLICATES=skip with several matches
	Candidates []int64
}

// customers applies the customer rule for a pass: it reads the customers
// mirror (with a live check for callers it does not know), creates the
// customers it must, keeps the anonymous customer, and finds agents' Help
// Scout users. Its memos spare requests for items of the same customer or
// agent within the pass.
type customers struct {
	hs  HelpScout
	st  State
	jr  journaler
	log *slog.Logger
	now time.Time
	// mirror normalises phones for the customers mirror; ready says that
	// mirror is complete this pass, v3Off that the v3 search refused.
	mirror *MirrorSyncer
	ready  bool
	v3Off  bool
	// memo of customer resolution by instance+E.164, and of agent users
	memo    map[string]resolvedCustomer
	users   map[string]int64
	userTTL time.Duration
}

// resolve applies the customer rule (docs/rules.md#customer-match) for the
// item ref: find the customers carrying the number on the customers mirror
// (with one live check when the mirror does not know the caller), choose,
// or create a customer carrying the number. Anonymous and unparseable
// numbers go to the instance's anonymous customer. Answers are memoised for
// the pass.
func (cs *customers) resolve(ctx context.Context, in Instance, ref itemRef, e164, region string) (resolvedCustomer, error) {
	if e164 == "" {
		return cs.anonymous(ctx, in)
	}
	key := in.Name + "|" + e164
	if rc, ok := cs.memo[key]; ok {
		return rc, nil
	}
	cands, matched, err := cs.candidates(ctx, e164, region)
	if err != nil {
		return resolvedCustomer{}, err
	}
	choice := rules.ChooseCustomer(matched, in.Duplicates)
	var rc resolvedCustomer
	switch {
	case choice.Skip:
		rc = resolvedCustomer{Skip: true, Candidates: choice.Candidates}
	case !choice.Create:
		rc = resolvedCustomer{ID: choice.CustomerID, Existing: true, Candidates: choice.Candidates}
		for _, c := range cands {
			if c.ID == choice.CustomerID {
				rc.Customer = c
			}
		}
	default:
		id, err := cs.create(ctx, ref, e164)
		if err != nil {
			return resolvedCustomer{}, err
		}
		rc = resolvedCustomer{ID: id, Created: true}
	}
	memo := rc
	memo.Created = false // later items of the pass may find this item's conversation
	if len(cs.memo) >= maxCustomerMemo {
		// A catch-up of a long period sees many numbers: forget them
		// all rather than let the memo grow with the period.
		clear(cs.memo)
	}
	cs.memo[key] = memo
	return rc, nil
}

// forget drops a customer Help Scout no longer has from the memo.
func (cs *customers) forget(id int64) {
	for k, rc := range cs.memo {
		if rc.ID == id {
			delete(cs.memo, k)
		}
	}
}

func hasCustomer(cs []helpscout.Customer, id int64) bool {
	for _, c := range cs {
		if c.ID == id {
			return true
		}
	}
	return false
}

// createCustomer creates a customer carrying the number in E.164, so the next
// call from it finds the same customer, and records it in the customers
// mirror at once (the next refresh would bring it too, a pass later).
func (cs *customers) create(ctx context.Context, ref itemRef, e164 string) (int64, error) {
	first, last := rules.NewCustomerName(e164)
	nc := helpscout.NewCustomer{FirstName: first, LastName: last, Phones: []helpscout.Entry{{Type: "work", Value: e164}}}
	id, err := cs.jr.write(ctx, ref, actCreateCustomer, 0, func(ctx context.Context) (int64, error) {
		return cs.hs.CreateCustomer(ctx, nc)
	})
	if err != nil {
		return 0, fmt.Errorf("create customer for %s: %w", e164, err)
	}
	return id, cs.mirrorCreated(ctx, id, nc)
}

// anonymousCustomer is the one customer per instance that collects calls and
// messages from hidden or unparseable numbers. Its remembered ID is checked
// once per pass (one read): an agent may delete or merge that customer in
// Help Scout, and every anonymous item would then fail on the stale ID until
// parked; a missing one is looked up by name or created again.
func (cs *customers) anonymous(ctx context.Context, in Instance) (resolvedCustomer, error) {
	key := "anonymous_customer:" + in.Name
	if rc, ok := cs.memo[key]; ok {
		return rc, nil
	}
	id, err := cs.knownAnonymous(ctx, in)
	if err != nil {
		return resolvedCustomer{}, err
	}
	if id == 0 {
		// Not known locally (new database, or a crash right after
		// creating it), or gone: look it up by name before creating
		// another.
		if id, err = cs.findOrCreateAnonymous(ctx, in); err != nil {
			return resolvedCustomer{}, err
		}
		if id != 0 {
			if err := cs.st.PutAnonymousCustomer(context.WithoutCancel(ctx), in.Name, id); err != nil {
				return resolvedCustomer{}, err
			}
		}
	}
	rc := resolvedCustomer{ID: id}
	cs.memo[key] = rc
	return rc, nil
}

// knownAnonymous returns the remembered anonymous customer of the instance
// after checking that Help Scout still has it (following a merge), or 0.
func (cs *customers) knownAnonymous(ctx context.Context, in Instance) (int64, error) {
	id, ok, err := cs.st.AnonymousCustomer(ctx, in.Name)
	if err != nil || !ok || id <= 0 {
		return 0, err
	}
	c, err := cs.hs.GetCustomer(ctx, id)
	switch {
	case err == nil:
		if c.ID != 0 && c.ID != id {
			// A redirect to the customer it was merged into.
			id = c.ID
			if err := cs.st.PutAnonymousCustomer(context.WithoutCancel(ctx), in.Name, id); err != nil {
				return 0, err
			}
		}
		return id, nil
	case errors.Is(err, helpscout.ErrNotFound):
		cs.log.Warn("the anonymous customer is gone from Help Scout (deleted or merged): finding or creating another",
			"instance", in.Name, "customer", id)
		return 0, nil
	}
	return 0, fmt.Errorf("read anonymous customer %d: %w", id, err)
}

// findOrCreateAnonymous finds the instance's anonymous customer by name (the
// oldest), or creates it.
func (cs *customers) findOrCreateAnonymous(ctx context.Context, in Instance) (int64, error) {
	first, last := rules.AnonymousCustomerName(in.Name)
	found, err := cs.hs.SearchCustomers(ctx, fmt.Sprintf(`(firstName:"%s")`, first))
	if err != nil {
		return 0, fmt.Errorf("search anonymous customer: %w", err)
	}
	var id int64
	for _, c := range found {
		if c.FirstName == first && c.LastName == last && (id == 0 || c.ID < id) {
			id = c.ID
		}
	}
	if id != 0 {
		return id, nil
	}
	id, err = cs.jr.write(ctx, itemRef{in.Name, "instance", "anonymous_customer"}, actCreateCustomer, 0, func(ctx context.Context) (int64, error) {
		return cs.hs.CreateCustomer(ctx, helpscout.NewCustomer{FirstName: first, LastName: last,
			Background: "Calls and messages from hidden or unreadable numbers, logged by aircall-helpscout."})
	})
	if err != nil {
		return 0, fmt.Errorf("create anonymous customer: %w", err)
	}
	return id, nil
}

// agentUser finds the Help Scout user whose email is the Aircall agent's,
// 0 when none. Answers (including "none") are cached for UserCacheTTL.
func (cs *customers) agentUser(ctx context.Context, u *aircall.User) (int64, error) {
	if u == nil || strings.TrimSpace(u.Email) == "" {
		return 0, nil
	}
	email := strings.ToLower(strings.TrimSpace(u.Email))
	if id, ok := cs.users[email]; ok {
		return id, nil
	}
	cu, ok, err := cs.st.UserForEmail(ctx, email)
	if err != nil {
		return 0, err
	}
	if ok && cs.now.Sub(cu.CheckedAt) < cs.userTTL {
		cs.users[email] = cu.UserID
		return cu.UserID, nil
	}
	hu, err := cs.hs.FindUserByEmail(ctx, email)
	if err != nil {
		return 0, fmt.Errorf("find Help Scout user %s: %w", email, err)
	}
	var id int64
	if hu != nil {
		id = hu.ID
	}
	cs.users[email] = id
	if err := cs.st.PutUserForEmail(ctx, email, id, cs.now); err != nil {
		return id, err
	}
	return id, nil
}

// contacts syncs matched Help Scout customers to Aircall contacts.
type contacts struct {
	ac  Aircall
	st  State
	log *slog.Logger
}

// sync creates or overwrites the Aircall contact of the number from the
// matched Help Scout customer (docs/rules.md#contact-sync), at most once per
// version of the customer. It is best effort: a failure is logged and tried
// again on the customer's next call, it never fails the call.
//
// The call already says which Aircall contact has the number (call.contact,
// null when none), so no search is spent on it; only when that is stale (a
// create refused because the number now belongs to a contact) do we search.
func (cts *contacts) sync(ctx context.Context, in Instance, e164 string, c helpscout.Customer, known *aircall.Contact) {
	if !in.SyncContacts || e164 == "" || c.ID == 0 {
		return
	}
	if first, last := rules.NewCustomerName(e164); c.FirstName == first && c.LastName == last && len(c.Emails) == 0 {
		return // our own placeholder: nothing worth sending to Aircall
	}
	if at, ok, err := cts.st.ContactSyncedAt(ctx, c.ID); err == nil && ok && at.Equal(c.UpdatedAt) {
		return
	}
	if known != nil && known.ID == 0 {
		known = nil
	}
	if known != nil && contactSays(*known, c, e164, in.DefaultRegion) {
		// The contact the call carries already says what Help Scout says:
		// a write would change nothing and spend Aircall's budget.
		cts.recordSynced(ctx, c)
		return
	}
	if err := cts.push(ctx, e164, c, known); err != nil {
		cts.log.Warn("contact sync failed; retried on the customer's next call", "instance", in.Name, "customer", c.ID, "err", err)
		return
	}
	cts.recordSynced(ctx, c)
}

// push writes the customer to the Aircall contact known to have the number,
// or creates one; a create refused (most likely a contact got the number
// since the call) finds that contact and updates it instead.
func (cts *contacts) push(ctx context.Context, e164 string, c helpscout.Customer, known *aircall.Contact) error {
	in := aircall.ContactInput{FirstName: c.FirstName, LastName: c.LastName, CompanyName: c.Organization}
	var ct aircall.Contact
	if known != nil {
		ct = *known
	} else {
		create := in
		create.PhoneNumbers = []aircall.ContactDetail{{Label: "Work", Value: e164}}
		for _, e := range c.Emails {
			create.Emails = append(create.Emails, aircall.ContactDetail{Label: "Work", Value: e.Value})
		}
		_, cerr := cts.ac.CreateContact(ctx, create)
		if cerr == nil {
			return nil
		}
		existing, err := cts.ac.SearchContactsByPhone(ctx, e164)
		if err != nil || len(existing) == 0 {
			return fmt.Errorf("create Aircall contact: %w", cerr)
		}
		ct = existing[0]
	}
	if _, err := cts.ac.UpdateContact(ctx, ct.ID, in); err != nil {
		return fmt.Errorf("update Aircall contact %d: %w", ct.ID, err)
	}
	have := map[string]bool{}
	for _, e := range ct.Emails {
		have[strings.ToLower(e.Value)] = true
	}
	for _, e := range c.Emails {
		if !have[strings.ToLower(e.Value)] {
			if err := cts.ac.AddContactEmail(ctx, ct.ID, "Work", e.Value); err != nil {
				return fmt.Errorf("add email to Aircall contact %d: %w", ct.ID, err)
			}
		}
	}
	return nil
}

// recordSynced remembers the customer version the contact matches.
func (cts *contacts) recordSynced(ctx context.Context, c helpscout.Customer) {
	if err := cts.st.PutContactSynced(ctx, c.ID, c.UpdatedAt); err != nil {
		cts.log.Warn("record contact sync", "customer", c.ID, "err", err)
	}
}

// contactSays reports whether an Aircall contact already holds what a sync
// would write from the customer: the first and last name and company where
// Help Scout has them (empty ones are never written), every email of the
// customer (in any case), and the number (read in the instance's
// DEFAULT_REGION when written without a country code). A contact listing no numbers is
// taken to have it, since Aircall attached it to the call by the number.
func contactSays(ct aircall.Contact, c helpscout.Customer, e164, region string) bool {
	same := func(hs, ac string) bool {
		hs = strings.TrimSpace(hs)
		return hs == "" || hs == strings.TrimSpace(ac)
	}
	if !same(c.FirstName, ct.FirstName) || !same(c.LastName, ct.LastName) || !same(c.Organization, ct.CompanyName) {
		return false
	}
	have := map[string]bool{}
	for _, e := range ct.Emails {
		have[strings.ToLower(strings.TrimSpace(e.Value))] = true
	}
	for _, e := range c.Emails {
		if !have[strings.ToLower(strings.TrimSpace(e.Value))] {
			return false
		}
	}
	if len(ct.PhoneNumbers) == 0 {
		return true
	}
	for _, ph := range ct.PhoneNumbers {
		if got, ok := rules.NormalizePhone(ph.Value, region); ok && got == e164 {
			return true
		}
	}
	return false
}
