package helpscouttest

import "github.com/aircall-helpscout/aircall-helpscout/clients/helpscout"

// phoneIndex maps the digits of every stored customer phone to the customers
// holding it, so a phone search looks at its few candidates instead of
// scanning every customer: a long catch-up against the fake would otherwise
// be quadratic in the fake, not in the code under test. The search still
// applies the full query to each candidate, so answers are unchanged.
type phoneIndex map[string]map[int64]struct{}

// indexCustomerLocked records c's phones, dropping the entries of the
// customer it replaces (same id). Caller holds s.mu.
func (s *Server) indexCustomerLocked(old, c *helpscout.Customer) {
	if s.byPhone == nil {
		s.byPhone = phoneIndex{}
	}
	if old != nil {
		for _, p := range old.Phones {
			d := digitsOf(p.Value)
			delete(s.byPhone[d], old.ID)
			if len(s.byPhone[d]) == 0 {
				delete(s.byPhone, d)
			}
		}
	}
	for _, p := range c.Phones {
		d := digitsOf(p.Value)
		if d == "" {
			continue // matches no search
		}
		if s.byPhone[d] == nil {
			s.byPhone[d] = map[int64]struct{}{}
		}
		s.byPhone[d][c.ID] = struct{}{}
	}
}

// phoneKeys returns digit strings such that every customer the query
// matches holds a phone with one of them, and ok=false when the query can
// match a customer without a phone condition (then every customer must be
// scanned).
func phoneKeys(n *node) (keys []string, ok bool) {
	switch n.op {
	case "term":
		if n.field != "phone" {
			return nil, false
		}
		for _, v := range n.values {
			if d := digitsOf(v); d != "" {
				keys = append(keys, d)
			}
		}
		return keys, true
	case "or":
		for _, k := range n.kids {
			ks, ok := phoneKeys(k)
			if !ok {
				return nil, false
			}
			keys = append(keys, ks...)
		}
		return keys, true
	case "and":
		for _, k := range n.kids {
			if ks, ok := phoneKeys(k); ok {
				return ks, true
			}
		}
	}
	return nil, false
}

// candidatesLocked returns the customers a query may match: the indexed
// ones when the query needs a phone, else all. Caller holds s.mu.
func (s *Server) candidatesLocked(query *node) map[int64]*helpscout.Customer {
	if query == nil {
		return s.customers
	}
	keys, ok := phoneKeys(query)
	if !ok {
		return s.customers
	}
	out := map[int64]*helpscout.Customer{}
	for _, d := range keys {
		for id := range s.byPhone[d] {
			if c, ok := s.customers[id]; ok {
				out[id] = c
			}
		}
	}
	return out
}
