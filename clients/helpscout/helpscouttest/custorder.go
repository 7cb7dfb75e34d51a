package helpscouttest

import (
	"slices"

	"github.com/aircall-helpscout/aircall-helpscout/clients/helpscout"
)

// The customers listing sorted once per modification generation instead of
// on every request. A first sync of 100,000 customers reads 2,000 pages,
// each of them a keyset query (modifiedSince, sortField=modifiedAt): sorting
// every customer for each page made the fake, not the code under test, the
// cost of a large-account run. Every change to the customers (add, edit,
// merge, delete) goes through indexCustomerLocked, which starts a new
// generation; the next listing sorts once per sort key and later pages of
// the same generation reuse the order.
//
// An order is a fresh slice each time it is built and never changed after,
// so a page rendered after s.mu was released still reads a consistent
// snapshot, as the per-request slice used to be.
type custOrder struct {
	gen  uint64
	list []*helpscout.Customer // ascending by (key, id)
}

// custSortKey is the field a listing sorts on: Help Scout's sortField for
// customers, createdAt when absent or unknown.
func custSortKey(field string) string {
	switch field {
	case "modifiedAt", "firstName", "lastName":
		return field
	}
	return "createdAt"
}

// custCompare orders a and b by key, then by id: a total order, so an
// ascending and a descending listing are exact reverses of each other.
func custCompare(key string, a, b *helpscout.Customer) int {
	var c int
	switch key {
	case "modifiedAt":
		c = a.UpdatedAt.Compare(b.UpdatedAt)
	case "firstName":
		c = cmpString(a.FirstName, b.FirstName)
	case "lastName":
		c = cmpString(a.LastName, b.LastName)
	default:
		c = a.CreatedAt.Compare(b.CreatedAt)
	}
	if c != 0 {
		return c
	}
	switch {
	case a.ID < b.ID:
		return -1
	case a.ID > b.ID:
		return 1
	}
	return 0
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// customersChangedLocked starts a new generation: every cached order is
// stale. Caller holds s.mu.
func (s *Server) customersChangedLocked() { s.custGen++ }

// sortedCustomersLocked returns every customer ascending by (key, id),
// sorting only when the customers changed since the last call for key.
// The slice must not be modified. Caller holds s.mu.
func (s *Server) sortedCustomersLocked(key string) []*helpscout.Customer {
	if o, ok := s.custOrders[key]; ok && o.gen == s.custGen {
		return o.list
	}
	list := make([]*helpscout.Customer, 0, len(s.customers))
	for _, c := range s.customers {
		list = append(list, c)
	}
	slices.SortFunc(list, func(a, b *helpscout.Customer) int { return custCompare(key, a, b) })
	if s.custOrders == nil {
		s.custOrders = map[string]*custOrder{}
	}
	s.custOrders[key] = &custOrder{gen: s.custGen, list: list}
	return list
}
