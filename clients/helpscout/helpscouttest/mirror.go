package helpscouttest

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"time"

	"github.com/aircall-helpscout/aircall-helpscout/clients/helpscout"
)

// V3Search is how the fake answers GET /v3/customers/search. The endpoint
// needs the "Access the contacts and companies directory" permission, which
// an account owner can turn off, and an account may not have v3 at all, so
// the client must be tested against each answer.
type V3Search int

const (
	// V3Available, the default, searches like the v2 query (same fields,
	// same phone matching), up to 500 characters of query.
	V3Available V3Search = iota
	// V3Forbidden answers 403, as without the directory permission.
	V3Forbidden
	// V3NotFound answers 404, as on an account without v3.
	V3NotFound
)

// maxV3Query is the documented limit of a v3 search query.
const maxV3Query = 500

// SetV3Search chooses how GET /v3/customers/search answers.
func (s *Server) SetV3Search(m V3Search) {
	s.mu.Lock()
	s.v3Search = m
	s.mu.Unlock()
}

// SetIgnoreUndocumentedFilters makes the two lookups Help Scout does not
// document for v2 be ignored, as an undocumented API may do without notice:
// the phone terms of GET /v2/customers?query=… and the customerIds terms of
// GET /v2/conversations?query=… then match every record, so the listing
// comes back unfiltered by them. Code that decides on these answers without
// verifying them shows up wrong in this mode.
func (s *Server) SetIgnoreUndocumentedFilters(on bool) {
	s.mu.Lock()
	s.ignoreUndocumented = on
	s.mu.Unlock()
}

func (s *Server) searchCustomersV3(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	mode := s.v3Search
	s.mu.Unlock()
	switch mode {
	case V3Forbidden:
		s.writeVnd(w, http.StatusForbidden, "Access denied")
		return
	case V3NotFound:
		s.notFound(w)
		return
	}
	raw := r.URL.Query().Get("query")
	if len(raw) > maxV3Query {
		s.writeVnd(w, http.StatusBadRequest, "Bad request", fieldErr{path: "query",
			msg: fmt.Sprintf("size must be between 1 and %d", maxV3Query), rejected: raw, code: "Size"})
		return
	}
	n, err := parseCustomerQuery(raw)
	if err != nil {
		s.writeVnd(w, http.StatusBadRequest, "Bad request", fieldErr{path: "query", msg: err.Error(), rejected: raw})
		return
	}
	s.mu.Lock()
	var list []*helpscout.Customer
	for _, c := range s.candidatesLocked(n) {
		if n.match(func(f, v string) bool { return customerMatches(c, f, v, s.phoneMatch) }) {
			list = append(list, c)
		}
	}
	// v3 lists newest first.
	sort.Slice(list, func(i, j int) bool {
		if !list[i].CreatedAt.Equal(list[j].CreatedAt) {
			return list[i].CreatedAt.After(list[j].CreatedAt)
		}
		return list[i].ID > list[j].ID
	})
	items := make([]any, 0, min(len(list), pageSize))
	for _, c := range list[:min(len(list), pageSize)] {
		items = append(items, s.customerJSON(c))
	}
	s.mu.Unlock()
	links := map[string]any{"self": map[string]string{"href": s.URL() + r.URL.RequestURI()}}
	if len(list) > pageSize {
		links["next"] = map[string]string{"href": s.URL() + r.URL.Path + "?cursor=fake-cursor-2"}
	}
	writeHAL(w, map[string]any{"_embedded": map[string]any{"customers": items}, "_links": links})
}

// EditCustomer changes a customer as an agent would in Help Scout: edit
// gets a copy to change (names, emails, phones; new entries get ids) and
// the customer's updatedAt becomes now, so a modifiedSince listing returns
// it. It reports whether the customer exists.
func (s *Server) EditCustomer(id int64, edit func(c *helpscout.Customer)) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.customers[id]
	if !ok {
		return false
	}
	c := *old
	c.Phones = slices.Clone(old.Phones)
	c.Emails = slices.Clone(old.Emails)
	edit(&c)
	c.ID = id
	c.Phones = s.entries(c.Phones)
	c.Emails = s.entries(c.Emails)
	c.UpdatedAt = s.touchLocked(old.UpdatedAt)
	s.indexCustomerLocked(old, &c)
	s.customers[id] = &c
	return true
}

// SetCustomerPhones replaces every phone of a customer with values, as
// written (e.g. an agent re-typing "(617) 610-5413" as "+1.617.610.5413").
func (s *Server) SetCustomerPhones(id int64, values ...string) bool {
	return s.EditCustomer(id, func(c *helpscout.Customer) {
		c.Phones = c.Phones[:0]
		for _, v := range values {
			c.Phones = append(c.Phones, helpscout.Entry{Type: "work", Value: v})
		}
	})
}

// MergeCustomers merges from into into as Help Scout's merge does: into
// gains from's emails and phones (and is modified now), from's
// conversations move to into, and from is gone (404, absent from every
// listing, so only a full re-list notices it).
func (s *Server) MergeCustomers(from, into int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok1 := s.customers[from]
	old, ok2 := s.customers[into]
	if !ok1 || !ok2 || from == into {
		return false
	}
	t := *old
	t.Phones = append(slices.Clone(old.Phones), f.Phones...)
	t.Emails = append(slices.Clone(old.Emails), f.Emails...)
	t.UpdatedAt = s.touchLocked(old.UpdatedAt)
	s.indexCustomerLocked(f, &helpscout.Customer{ID: from})
	delete(s.customers, from)
	s.indexCustomerLocked(old, &t)
	s.customers[into] = &t
	for _, c := range s.convs {
		if c.customerID == from {
			c.customerID = into
			c.updatedAt = t.UpdatedAt
		}
	}
	return true
}

// SetConversationStatus changes a conversation's status as an agent would
// (closing stamps closedAt) and makes it modified now.
func (s *Server) SetConversationStatus(id int64, status string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.convs[id]
	if !ok {
		return false
	}
	now := s.now().UTC().Truncate(time.Second)
	c.setStatus(status, now)
	c.updatedAt = s.touchLocked(c.updatedAt)
	return true
}

// DeleteConversation removes a conversation: GET answers 404 and listings
// no longer return it.
func (s *Server) DeleteConversation(id int64) {
	s.mu.Lock()
	delete(s.convs, id)
	s.mu.Unlock()
}

// touchLocked is the new modification time of a record last modified at
// prev: now, truncated to the second like Help Scout's timestamps, and
// never earlier than prev.
func (s *Server) touchLocked(prev time.Time) time.Time {
	now := s.now().UTC().Truncate(time.Second)
	if now.Before(prev) {
		return prev
	}
	return now
}
