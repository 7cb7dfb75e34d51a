package reconciler

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aircall-helpscout/aircall-helpscout/clients/aircall"
	"github.com/aircall-helpscout/aircall-helpscout/clients/helpscout"
	"github.com/aircall-helpscout/aircall-helpscout/rules"
	"github.com/aircall-helpscout/aircall-helpscout/store"
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

// resolveCustomer applies the customer rule (docs/rules.md#customer-match):
// find the customers carrying the number on the customers mirror (with one
// live check when the mirror does not know the caller), choose, or create a
// customer carrying the number. Anonymous and unparseable numbers go to the
// instance's anonymous customer. Answers are memoised for the pass.
func (p *pass) resolveCustomer(ctx context.Context, in Instance, kind store.Kind, src, e164, region string) (resolvedCustomer, error) {
	if e164 == "" {
		return p.anonymousCustomer(ctx, in)
	}
	key := in.Name + "|" + e164
	if rc, ok := p.customers[key]; ok {
		return rc, nil
	}
	cands, matched, err := p.customerCandidates(ctx, e164, region)
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
		id, err := p.createCustomer(ctx, in, kind, src, e164)
		if err != nil {
			return resolvedCustomer{}, err
		}
		rc = resolvedCustomer{ID: id, Created: true}
	}
	{
		memo := rc
		memo.Created = false // later items of the pass may find this item's conversation
		if len(p.customers) >= maxCustomerMemo {
			// A catch-up of a long period sees many numbers: forget them
			// all rather than let the memo grow with the period.
			clear(p.customers)
		}
		p.customers[key] = memo
	}
	return rc, nil
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
func (p *pass) createCustomer(ctx context.Context, in Instance, kind store.Kind, src, e164 string) (int64, error) {
	first, last := rules.NewCustomerName(e164)
	nc := helpscout.NewCustomer{FirstName: first, LastName: last, Phones: []helpscout.Entry{{Type: "work", Value: e164}}}
	id, err := p.jr.write(ctx, in.Name, kind, src, actCreateCustomer, 0, func(ctx context.Context) (int64, error) {
		return p.hs.CreateCustomer(ctx, nc)
	})
	if err != nil {
		return 0, fmt.Errorf("create customer for %s: %w", e164, err)
	}
	return id, p.mirrorCreatedCustomer(ctx, id, nc)
}

// anonymousCustomer is the one customer per instance that collects calls and
// messages from hidden or unparseable numbers. Its remembered ID is checked
// once per pass (one read): an agent may delete or merge that customer in
// Help Scout, and every anonymous item would then fail on the stale ID until
// parked; a missing one is looked up by name or created again.
func (p *pass) anonymousCustomer(ctx context.Context, in Instance) (resolvedCustomer, error) {
	key := "anonymous_customer:" + in.Name
	if rc, ok := p.customers[key]; ok {
		return rc, nil
	}
	first, last := rules.AnonymousCustomerName(in.Name)
	if id, ok, err := p.st.AnonymousCustomer(ctx, in.Name); err != nil {
		return resolvedCustomer{}, err
	} else if ok {
		if id > 0 {
			c, err := p.hs.GetCustomer(ctx, id)
			switch {
			case err == nil:
				if c.ID != 0 && c.ID != id {
					// A redirect to the customer it was merged into.
					id = c.ID
					if err := p.st.PutAnonymousCustomer(context.WithoutCancel(ctx), in.Name, id); err != nil {
						return resolvedCustomer{}, err
					}
				}
				rc := resolvedCustomer{ID: id}
				p.customers[key] = rc
				return rc, nil
			case errors.Is(err, helpscout.ErrNotFound):
				p.log.Warn("the anonymous customer is gone from Help Scout (deleted or merged): finding or creating another",
					"instance", in.Name, "customer", id)
			default:
				return resolvedCustomer{}, fmt.Errorf("read anonymous customer %d: %w", id, err)
			}
		}
	}
	// Not known locally (new database, or a crash right after creating it):
	// look it up by name before creating another.
	found, err := p.hs.SearchCustomers(ctx, fmt.Sprintf(`(firstName:"%s")`, first))
	if err != nil {
		return resolvedCustomer{}, fmt.Errorf("search anonymous customer: %w", err)
	}
	var id int64
	for _, c := range found {
		if c.FirstName == first && c.LastName == last && (id == 0 || c.ID < id) {
			id = c.ID
		}
	}
	if id == 0 {
		id, err = p.jr.write(ctx, in.Name, "instance", "anonymous_customer", actCreateCustomer, 0, func(ctx context.Context) (int64, error) {
			return p.hs.CreateCustomer(ctx, helpscout.NewCustomer{FirstName: first, LastName: last,
				Background: "Calls and messages from hidden or unreadable numbers, logged by aircall-helpscout."})
		})
		if err != nil {
			return resolvedCustomer{}, fmt.Errorf("create anonymous customer: %w", err)
		}
	}
	if id != 0 {
		if err := p.st.PutAnonymousCustomer(context.WithoutCancel(ctx), in.Name, id); err != nil {
			return resolvedCustomer{}, err
		}
	}
	rc := resolvedCustomer{ID: id}
	p.customers[key] = rc
	return rc, nil
}

// agentUser finds the Help Scout user whose email is the Aircall agent's,
// 0 when none. Answers (including "none") are cached for UserCacheTTL.
func (p *pass) agentUser(ctx context.Context, u *aircall.User) (int64, error) {
	if u == nil || strings.TrimSpace(u.Email) == "" {
		return 0, nil
	}
	email := strings.ToLower(strings.TrimSpace(u.Email))
	if id, ok := p.users[email]; ok {
		return id, nil
	}
	cu, ok, err := p.st.UserForEmail(ctx, email)
	if err != nil {
		return 0, err
	}
	if ok && p.now.Sub(cu.CheckedAt) < p.r.opts.UserCacheTTL {
		p.users[email] = cu.UserID
		return cu.UserID, nil
	}
	hu, err := p.hs.FindUserByEmail(ctx, email)
	if err != nil {
		return 0, fmt.Errorf("find Help Scout user %s: %w", email, err)
	}
	var id int64
	if hu != nil {
		id = hu.ID
	}
	p.users[email] = id
	if err := p.st.PutUserForEmail(ctx, email, id, p.now); err != nil {
		return id, err
	}
	return id, nil
}

// syncContact creates or overwrites the Aircall contact of the number from
// the matched Help Scout customer (docs/rules.md#contact-sync), at most once per
// version of the customer. It is best effort: a failure is logged and tried
// again on the customer's next call, it never fails the call.
//
// The call already says which Aircall contact has the number (call.contact,
// null when none), so no search is spent on it; only when that is stale (a
// create refused because the number now belongs to a contact) do we search.
func (p *pass) syncContact(ctx context.Context, in Instance, e164 string, c helpscout.Customer, known *aircall.Contact) {
	if !in.SyncContacts || e164 == "" || c.ID == 0 {
		return
	}
	if first, last := rules.NewCustomerName(e164); c.FirstName == first && c.LastName == last && len(c.Emails) == 0 {
		return // our own placeholder: nothing worth sending to Aircall
	}
	if at, ok, err := p.st.ContactSyncedAt(ctx, c.ID); err == nil && ok && at.Equal(c.UpdatedAt) {
		return
	}
	if known != nil && known.ID != 0 && contactSays(*known, c, e164, in.DefaultRegion) {
		// The contact the call carries already says what Help Scout says:
		// a write would change nothing and spend Aircall's budget.
		p.recordContactSynced(ctx, c)
		return
	}
	err := func() error {
		in := aircall.ContactInput{FirstName: c.FirstName, LastName: c.LastName, CompanyName: c.Organization}
		var ct aircall.Contact
		if known != nil && known.ID != 0 {
			ct = *known
		} else {
			create := in
			create.PhoneNumbers = []aircall.ContactDetail{{Label: "Work", Value: e164}}
			for _, e := range c.Emails {
				create.Emails = append(create.Emails, aircall.ContactDetail{Label: "Work", Value: e.Value})
			}
			_, cerr := p.ac.CreateContact(ctx, create)
			if cerr == nil {
				return nil
			}
			// Refused: most likely a contact got the number since the
			// call. Find it and update it instead.
			existing, err := p.ac.SearchContactsByPhone(ctx, e164)
			if err != nil || len(existing) == 0 {
				return fmt.Errorf("create Aircall contact: %w", cerr)
			}
			ct = existing[0]
		}
		if _, err := p.ac.UpdateContact(ctx, ct.ID, in); err != nil {
			return fmt.Errorf("update Aircall contact %d: %w", ct.ID, err)
		}
		have := map[string]bool{}
		for _, e := range ct.Emails {
			have[strings.ToLower(e.Value)] = true
		}
		for _, e := range c.Emails {
			if !have[strings.ToLower(e.Value)] {
				if err := p.ac.AddContactEmail(ctx, ct.ID, "Work", e.Value); err != nil {
					return fmt.Errorf("add email to Aircall contact %d: %w", ct.ID, err)
				}
			}
		}
		return nil
	}()
	if err != nil {
		p.log.Warn("contact sync failed; retried on the customer's next call", "instance", in.Name, "customer", c.ID, "err", err)
		return
	}
	p.recordContactSynced(ctx, c)
}

// recordContactSynced remembers the customer version the contact matches.
func (p *pass) recordContactSynced(ctx context.Context, c helpscout.Customer) {
	if err := p.st.PutContactSynced(ctx, c.ID, c.UpdatedAt); err != nil {
		p.log.Warn("record contact sync", "customer", c.ID, "err", err)
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
