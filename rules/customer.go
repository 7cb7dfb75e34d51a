package rules

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Duplicates is an instance's policy when several Help Scout customers carry
// the caller's number (DUPLICATES, docs/rules.md#duplicates).
type Duplicates string

// Duplicates policies (DUPLICATES).
const (
	DuplicatesMostRecent Duplicates = "most_recent"
	DuplicatesSkip       Duplicates = "skip"
)

// Customer is what the rules need to know of a Help Scout customer.
type Customer struct {
	ID        int64
	CreatedAt time.Time
	Phones    []string // as stored, any format
}

// MatchCustomers keeps the candidates that really carry the number: Help
// Scout's phone search is literal and fuzzy at once (it can return a customer
// whose other digits happen to match), so every candidate is verified by
// normalising each stored phone with the same region as the call. The result
// is ordered by ID and has no duplicates.
func MatchCustomers(e164, region string, candidates []Customer) []Customer {
	if e164 == "" {
		return nil
	}
	seen := map[int64]bool{}
	var out []Customer
	for _, c := range candidates {
		if seen[c.ID] {
			continue
		}
		for _, p := range c.Phones {
			if n, ok := NormalizePhone(p, region); ok && n == e164 {
				out = append(out, c)
				seen[c.ID] = true
				break
			}
			// A number stored without country code in a region other than
			// the call's still matches when its digits are the national
			// number of the call with the line region of the caller.
			if n, ok := NormalizePhone(p, RegionOf(e164)); ok && n == e164 {
				out = append(out, c)
				seen[c.ID] = true
				break
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// CustomerChoice is the outcome of the customer rule.
type CustomerChoice struct {
	// Create is true when no customer matched: create one carrying the number.
	Create bool
	// CustomerID is the chosen customer (0 when Create or Skip).
	CustomerID int64
	// Skip is true for DUPLICATES=skip with several matches.
	Skip bool
	// Candidates lists every matching customer ID (for the ledger's detail).
	Candidates []int64
}

// ChooseCustomer applies the customer and duplicates rules
// (docs/rules.md#customer-match, #duplicates) to verified matches.
// Several matches with most_recent pick the latest CreatedAt; a tie goes to
// the higher ID (created later), so the choice is deterministic.
func ChooseCustomer(matches []Customer, duplicates Duplicates) CustomerChoice {
	switch len(matches) {
	case 0:
		return CustomerChoice{Create: true}
	case 1:
		return CustomerChoice{CustomerID: matches[0].ID, Candidates: []int64{matches[0].ID}}
	}
	ids := make([]int64, len(matches))
	for i, m := range matches {
		ids[i] = m.ID
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	if duplicates == DuplicatesSkip {
		return CustomerChoice{Skip: true, Candidates: ids}
	}
	best := matches[0]
	for _, m := range matches[1:] {
		if m.CreatedAt.After(best.CreatedAt) || (m.CreatedAt.Equal(best.CreatedAt) && m.ID > best.ID) {
			best = m
		}
	}
	return CustomerChoice{CustomerID: best.ID, Candidates: ids}
}

// DuplicateDetail renders the candidate IDs for the ledger and status.
func DuplicateDetail(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = fmt.Sprint(id)
	}
	return "candidates: " + strings.Join(parts, ", ")
}

// NewCustomerName names a customer created for an unknown number, so that
// agents see where it came from. Help Scout caps names at 40 characters.
func NewCustomerName(e164 string) (first, last string) {
	return "Caller", FormatPhone(e164)
}

// AnonymousCustomerName names the one customer per instance that collects
// calls from hidden or unparseable numbers.
func AnonymousCustomerName(instance string) (first, last string) {
	last = "(Aircall " + instance + ")"
	if len(last) > 40 {
		last = last[:40]
	}
	return "Anonymous caller", last
}
