package helpscouttest

import "github.com/aircall-helpscout/aircall-helpscout/clients/helpscout"

// gramLen is the length of the digit runs the phone index is keyed by.
const gramLen = 7

// phoneIndex maps every run of gramLen consecutive digits in a stored
// customer phone (digits only, other characters skipped) to the customers
// holding it, so a phone search looks at its few candidates instead of
// scanning every customer: a long catch-up against the fake would otherwise
// be quadratic in the fake, not in the code under test.
//
// It is exact for both literal searches the fake implements (PhoneMatch): a
// stored phone whose digits equal the query's, or whose text contains the
// query text, contains the query's digits as one run, so it is filed under
// every gram of those digits. The search then applies the
// full query to each candidate, so answers are the same as a full scan.
// Keys are the grams' numeric values (below 10^7).
type phoneIndex map[uint32][]int64

// grams returns the distinct gramLen-digit runs of digits(v).
func grams(v string) []uint32 {
	d := digitsOf(v)
	var out []uint32
	seen := map[uint32]bool{}
	for i := 0; i+gramLen <= len(d); i++ {
		var g uint32
		for _, r := range d[i : i+gramLen] {
			g = g*10 + uint32(r-'0')
		}
		if !seen[g] {
			seen[g] = true
			out = append(out, g)
		}
	}
	return out
}

// indexCustomerLocked records c's phones, dropping the entries of the
// customer it replaces (same id). Every change to the customers passes here,
// so it also starts a new generation of the listing's sort. Caller holds s.mu.
func (s *Server) indexCustomerLocked(old, c *helpscout.Customer) {
	s.customersChangedLocked()
	if s.byPhone == nil {
		s.byPhone = phoneIndex{}
	}
	if old != nil {
		for _, p := range old.Phones {
			for _, g := range grams(p.Value) {
				ids := s.byPhone[g]
				for i, id := range ids {
					if id == old.ID {
						ids = append(ids[:i:i], ids[i+1:]...)
						break
					}
				}
				if len(ids) == 0 {
					delete(s.byPhone, g)
				} else {
					s.byPhone[g] = ids
				}
			}
		}
	}
	for _, p := range c.Phones {
		for _, g := range grams(p.Value) {
			ids := s.byPhone[g]
			if n := len(ids); n == 0 || ids[n-1] != c.ID { // two phones sharing a gram
				s.byPhone[g] = append(ids, c.ID)
			}
		}
	}
}

// phoneCandidates returns, for each value of a phone term, the smallest
// index bucket among its grams; ok=false when a value has fewer than
// gramLen digits (then every customer must be scanned).
func (s *Server) phoneCandidates(values []string) (ids []int64, ok bool) {
	for _, v := range values {
		gs := grams(v)
		if len(gs) == 0 {
			return nil, false
		}
		best := s.byPhone[gs[0]]
		for _, g := range gs[1:] {
			if b := s.byPhone[g]; len(b) < len(best) {
				best = b
			}
		}
		ids = append(ids, best...)
	}
	return ids, true
}

// candidateIDs returns ids such that every customer the query matches is
// among them, and ok=false when the query can match a customer without a
// phone condition the index can narrow (then every customer is scanned).
func (s *Server) candidateIDs(n *node) (ids []int64, ok bool) {
	switch n.op {
	case "term":
		if n.field != "phone" {
			return nil, false
		}
		return s.phoneCandidates(n.values)
	case "or":
		for _, k := range n.kids {
			ks, ok := s.candidateIDs(k)
			if !ok {
				return nil, false
			}
			ids = append(ids, ks...)
		}
		return ids, true
	case "and":
		for _, k := range n.kids {
			if ks, ok := s.candidateIDs(k); ok {
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
	ids, ok := s.candidateIDs(query)
	if !ok {
		return s.customers
	}
	out := map[int64]*helpscout.Customer{}
	for _, id := range ids {
		if c, ok := s.customers[id]; ok {
			out[id] = c
		}
	}
	return out
}
