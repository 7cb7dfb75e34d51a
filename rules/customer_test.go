package rules

import (
	"testing"
	"time"

	"github.com/matryer/is"
)

func TestMatchCustomers(t *testing.T) {
	cands := []Customer{
		{ID: 1, Phones: []string{"(617) 610-5413"}},
		{ID: 2, Phones: []string{"+1 617 610 5413", "555"}},
		{ID: 3, Phones: []string{"6176105414"}}, // one digit off: search noise
		{ID: 4, Phones: nil},
		{ID: 1, Phones: []string{"(617) 610-5413"}}, // duplicate from two queries
		{ID: 5, Phones: []string{"16176105413"}},
	}
	tests := []struct {
		name   string
		e164   string
		region string
		want   []int64
	}{
		{"us formats", "+16176105413", "US", []int64{1, 2, 5}},
		{"region from number", "+16176105413", "", []int64{1, 2, 5}},
		{"no number", "", "US", nil},
		{"other number", "+34612345678", "ES", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			var got []int64
			for _, c := range MatchCustomers(tt.e164, tt.region, cands) {
				got = append(got, c.ID)
			}
			is.Equal(got, tt.want)
		})
	}
}

func TestChooseCustomer(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	a := Customer{ID: 10, CreatedAt: t0}
	b := Customer{ID: 7, CreatedAt: t0.Add(time.Hour)}
	c := Customer{ID: 12, CreatedAt: t0.Add(time.Hour)}
	tests := []struct {
		name    string
		matches []Customer
		mode    Duplicates
		want    CustomerChoice
	}{
		{"none creates", nil, DuplicatesMostRecent, CustomerChoice{Create: true}},
		{"one", []Customer{a}, DuplicatesSkip, CustomerChoice{CustomerID: 10, Candidates: []int64{10}}},
		{"most recent", []Customer{a, b}, DuplicatesMostRecent, CustomerChoice{CustomerID: 7, Candidates: []int64{7, 10}}},
		{"tie goes to higher id", []Customer{a, c, b}, DuplicatesMostRecent, CustomerChoice{CustomerID: 12, Candidates: []int64{7, 10, 12}}},
		{"skip", []Customer{a, b}, DuplicatesSkip, CustomerChoice{Skip: true, Candidates: []int64{7, 10}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			is.Equal(ChooseCustomer(tt.matches, tt.mode), tt.want)
		})
	}
}

func TestCustomerNames(t *testing.T) {
	is := is.New(t)
	f, l := NewCustomerName("+34612345678")
	is.Equal(f+" "+l, "Caller +34 612 34 56 78")
	f, l = AnonymousCustomerName("support_es")
	is.Equal(f, "Anonymous caller")
	is.Equal(l, "(Aircall support_es)")
	is.Equal(DuplicateDetail([]int64{3, 9}), "candidates: 3, 9")
}
