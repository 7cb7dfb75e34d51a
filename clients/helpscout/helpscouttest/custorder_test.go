package helpscouttest

import (
	"fmt"
	"math/rand/v2"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/aircall-helpscout/aircall-helpscout/clients/helpscout"
)

// TestCustomerListingOrderCache checks that the cached sort gives, page by
// page, what filtering and sorting every customer on each request gives
// (the fake's behaviour before the cache), across adds, edits, merges and
// deletes between listings, for every sort key and order.
func TestCustomerListingOrderCache(t *testing.T) {
	s := NewServer()
	defer s.Close()
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	s.SetClock(func() time.Time { return now })
	rng := rand.New(rand.NewPCG(1, 2))
	names := []string{"Ana", "ana", "Bo", "Cy", ""}
	add := func() {
		at := now.Add(-time.Duration(rng.IntN(50)) * time.Minute) // shared seconds: ties broken by id
		s.AddCustomer(helpscout.Customer{FirstName: names[rng.IntN(len(names))], LastName: names[rng.IntN(len(names))],
			CreatedAt: at, UpdatedAt: at.Add(time.Duration(rng.IntN(3)) * time.Minute),
			Phones: []helpscout.Entry{{Value: fmt.Sprintf("+1 617 555 %04d", rng.IntN(40))}}})
	}
	for range 120 {
		add()
	}
	tok := token(t, s)
	queries := []url.Values{
		{},
		{"sortField": {"modifiedAt"}, "sortOrder": {"asc"}},
		{"sortField": {"modifiedAt"}, "sortOrder": {"desc"}},
		{"sortField": {"modifiedAt"}, "sortOrder": {"asc"}, "modifiedSince": {now.Add(-20 * time.Minute).Format(time.RFC3339)}},
		{"sortField": {"modifiedAt"}, "modifiedSince": {now.Add(-20 * time.Minute).Format(time.RFC3339)}},
		{"sortField": {"createdAt"}, "sortOrder": {"asc"}, "modifiedSince": {now.Add(-30 * time.Minute).Format(time.RFC3339)}},
		{"sortField": {"firstName"}, "sortOrder": {"asc"}},
		{"sortField": {"lastName"}, "firstName": {"ana"}},
		{"sortField": {"modifiedAt"}, "sortOrder": {"asc"}, "query": {`(phone:"16175550007" OR firstName:"Bo")`}},
	}
	for round := range 4 {
		for _, q := range queries {
			want := referenceListing(s, q)
			var got []string
			for page := 1; ; page++ {
				q.Set("page", fmt.Sprint(page))
				res, m := do(t, "GET", s.URL()+"/v2/customers?"+q.Encode(), "", "", tok)
				is.New(t).Equal(res.StatusCode, 200)
				for _, c := range m["_embedded"].(map[string]any)["customers"].([]any) {
					got = append(got, fmt.Sprint(int64(c.(map[string]any)["id"].(float64))))
				}
				if _, next := m["_links"].(map[string]any)["next"]; !next {
					break
				}
			}
			q.Del("page")
			if !slices.Equal(got, want) {
				t.Fatalf("round %d, %v: got %v, want %v", round, q, got, want)
			}
		}
		// Change the customers between rounds as agents would.
		ids := s.Customers()
		for range 5 {
			now = now.Add(time.Minute)
			add()
			s.EditCustomer(ids[rng.IntN(len(ids))].ID, func(c *helpscout.Customer) { c.LastName = names[rng.IntN(len(names))] })
		}
		s.DeleteCustomer(ids[0].ID)
		s.MergeCustomers(ids[1].ID, ids[2].ID)
	}
}

// referenceListing is the listing as the fake computed it before the cache:
// filter every customer, then sort by the key (id breaking ties), newest
// first unless sortField is given with sortOrder=asc.
func referenceListing(s *Server, q url.Values) []string {
	since, _ := time.Parse(time.RFC3339, q.Get("modifiedSince"))
	var list []helpscout.Customer
	for _, c := range s.Customers() {
		if fn := q.Get("firstName"); fn != "" && !strings.EqualFold(fn, c.FirstName) {
			continue
		}
		if !since.IsZero() && c.UpdatedAt.Before(since) {
			continue
		}
		if q.Get("query") != "" && !(customerMatches(&c, "phone", "16175550007", s.phoneMatch) || strings.EqualFold(c.FirstName, "Bo")) {
			continue
		}
		list = append(list, c)
	}
	key := custSortKey(q.Get("sortField"))
	slices.SortFunc(list, func(a, b helpscout.Customer) int { return custCompare(key, &a, &b) })
	if q.Get("sortField") == "" || q.Get("sortOrder") != "asc" {
		slices.Reverse(list)
	}
	out := make([]string, 0, len(list))
	for _, c := range list {
		out = append(out, fmt.Sprint(c.ID))
	}
	return out
}
