package helpscout_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/aircall-helpscout/aircall-helpscout/clients/helpscout"
	"github.com/aircall-helpscout/aircall-helpscout/clients/helpscout/helpscouttest"
)

// TestFindCustomersByPhone: a customer is found whatever common format the
// number was stored in, under both literal readings of Help Scout's phone
// search (the fake's PhoneMatch: digits equal, our default assumption in
// docs/api-facts.md#help-scout-phone-search; or the
// stored text containing the query), because the one OR-query carries both
// the formatted variants and the bare digit strings.
func TestFindCustomersByPhone(t *testing.T) {
	const both, digitsOnly, neither = 3, 1, 0 // found under: bit 0 digits-equal, bit 1 contains-text
	tests := []struct {
		name   string
		stored string
		call   string
		found  int
	}{
		{"US E.164", "+16176105413", "+16176105413", both},
		{"US national", "(617) 610-5413", "+16176105413", both},
		{"US national spaced", "(617) 610 5413", "+16176105413", both},
		{"US international (Aircall's raw_digits)", "+1 617-610-5413", "+16176105413", both},
		{"US international spaced", "+1 617 610 5413", "+16176105413", both},
		{"US local", "617-610-5413", "+16176105413", both},
		{"US local spaced", "617 610 5413", "+16176105413", both},
		{"US digits only", "6176105413", "+16176105413", both},
		{"US with leading 1", "1-617-610-5413", "+16176105413", both},
		{"US with extension", "+1 617-610-5413 ext. 12", "+16176105413", 2}, // contains-text only: the extension's digits count
		{"ES international with spaces", "+34 612 34 56 78", "+34612345678", both},
		{"ES national", "612 34 56 78", "+34612345678", both},
		{"ES digits", "612345678", "+34612345678", both},
		{"ES with 00 prefix, digits", "0034612345678", "+34612345678", both},
		{"FR national with trunk 0", "06 12 34 56 78", "+33612345678", both},
		{"FR international", "+33 6 12 34 56 78", "+33612345678", both},
		{"UK national with trunk 0", "020 7946 0018", "+442079460018", both},
		{"UK local (Aircall's list)", "1256 274690", "+441256274690", both},
		{"UK international", "+44 1256 274690", "+441256274690", both},
		{"different number", "(617) 610-5414", "+16176105413", neither},
		// Groupings no standard format produces: found when the search
		// compares digits, not when it compares text (it cannot try every
		// way of typing a number).
		{"ES grouped 3-3-3", "612 345 678", "+34612345678", digitsOnly},
		{"ES with 00 prefix, grouped", "0034 612 345 678", "+34612345678", digitsOnly},
		{"ES in brackets, dashed", "(+34) 612-345-678", "+34612345678", digitsOnly},
	}
	for _, pm := range []helpscouttest.PhoneMatch{helpscouttest.PhoneDigitsEqual, helpscouttest.PhoneContainsText} {
		for _, tt := range tests {
			t.Run(pm.String()+"/"+tt.name, func(t *testing.T) {
				is := is.New(t)
				e := newEnv(t)
				e.srv.SetPhoneMatch(pm)
				id := e.newCustomer("Caller", tt.stored, time.Time{})
				e.newCustomer("Other", "+49 30 1234567", time.Time{})
				got, err := e.c.FindCustomersByPhone(e.ctx, tt.call)
				is.NoErr(err)
				if tt.found&(1<<pm) == 0 {
					is.Equal(len(got), 0)
					return
				}
				is.Equal(len(got), 1)
				is.Equal(got[0].ID, id)
				is.Equal(got[0].Phones[0].Value, tt.stored) // embedded phones come back for verification
				is.True(helpscout.SamePhone(got[0].Phones[0].Value, tt.call))
				is.Equal(count(e.srv.Requests(), "GET", "/v2/customers"), 1) // one OR-query
			})
		}
	}
}

// TestFindCustomersByPhoneQuery: one request whose OR-query carries the
// formatted variants and the digit strings, within the length bound.
func TestFindCustomersByPhoneQuery(t *testing.T) {
	tests := []struct {
		e164 string
		want []string // must be among the quoted terms
	}{
		{"+16176105413", []string{"+16176105413", "+1 617-610-5413", "(617) 610-5413", "617-610-5413", "+1 617 610 5413", "617 610 5413", "16176105413", "6176105413"}},
		{"+34612345678", []string{"+34612345678", "+34 612 34 56 78", "612 34 56 78", "612345678", "0034612345678"}},
		{"+441256274690", []string{"+441256274690", "+44 1256 274690", "01256 274690", "1256 274690", "01256274690"}},
		{"+5491112345678", []string{"+5491112345678", "+54 9 11 1234-5678"}}, // long national formats still fit
	}
	for _, tt := range tests {
		t.Run(tt.e164, func(t *testing.T) {
			is := is.New(t)
			e := newEnv(t)
			_, err := e.c.FindCustomersByPhone(e.ctx, tt.e164)
			is.NoErr(err)
			var queries []string
			for _, r := range e.srv.Requests() {
				if r.Path == "/v2/customers" {
					queries = append(queries, r.Query.Get("query"))
				}
			}
			is.Equal(len(queries), 1) // one request
			q := queries[0]
			is.True(len(q) <= 512) // bounded
			is.True(strings.HasPrefix(q, "(phone:\"") && strings.HasSuffix(q, "\")"))
			terms := strings.Split(strings.TrimSuffix(strings.TrimPrefix(q, "("), ")"), " OR ")
			var values []string
			for _, term := range terms {
				is.True(strings.HasPrefix(term, `phone:"`) && strings.HasSuffix(term, `"`))
				values = append(values, strings.TrimSuffix(strings.TrimPrefix(term, `phone:"`), `"`))
			}
			for _, w := range tt.want {
				is.True(slices.Contains(values, w)) // variant missing from the query
			}
			variants, err := helpscout.PhoneQueryVariants(tt.e164)
			is.NoErr(err)
			is.Equal(values, variants) // all of them, in order, each once
		})
	}
}

func TestFindCustomersByPhoneDuplicatesAndErrors(t *testing.T) {
	is := is.New(t)
	e := newEnv(t)
	old := e.newCustomer("Old", "617-610-5413", time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
	recent := e.newCustomer("New", "+16176105413", time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	got, err := e.c.FindCustomersByPhone(e.ctx, "+16176105413")
	is.NoErr(err)
	is.Equal(len(got), 2)
	is.Equal(got[0].ID, recent) // default order createdAt desc
	is.Equal(got[1].ID, old)
	is.True(got[0].CreatedAt.After(got[1].CreatedAt))

	for _, bad := range []string{"", "anonymous", "6176105413", "+1"} {
		_, err := e.c.FindCustomersByPhone(e.ctx, bad)
		is.True(errors.Is(err, helpscout.ErrInvalidPhone))
	}
}

func TestPhoneQueryDigits(t *testing.T) {
	tests := []struct {
		e164 string
		want []string
	}{
		{"+16176105413", []string{"16176105413", "6176105413", "0016176105413"}},
		{"+34612345678", []string{"34612345678", "612345678", "0034612345678"}},
		{"+33612345678", []string{"33612345678", "612345678", "0612345678", "0033612345678"}},
		{"+442079460018", []string{"442079460018", "2079460018", "02079460018", "00442079460018"}},
	}
	for _, tt := range tests {
		t.Run(tt.e164, func(t *testing.T) {
			is := is.New(t)
			got, err := helpscout.PhoneQueryDigits(tt.e164)
			is.NoErr(err)
			is.Equal(got, tt.want)
		})
	}
}

func TestSamePhone(t *testing.T) {
	tests := []struct {
		stored, e164 string
		want         bool
	}{
		{"(617) 610-5413", "+16176105413", true},
		{"+34 612 34 56 78", "+34612345678", true},
		{"0033 6 12 34 56 78", "+33612345678", true},
		{"06 12 34 56 78", "+33612345678", true},
		{"06 12 34 56 78", "+34612345678", false},
		{"not a number", "+34612345678", false},
		{"617 610 5414", "+16176105413", false},
	}
	for _, tt := range tests {
		t.Run(tt.stored+"="+tt.e164, func(t *testing.T) {
			is := is.New(t)
			is.Equal(helpscout.SamePhone(tt.stored, tt.e164), tt.want)
		})
	}
}

func TestCustomersCreateGetSearch(t *testing.T) {
	is := is.New(t)
	e := newEnv(t)
	id, err := e.c.CreateCustomer(e.ctx, helpscout.NewCustomer{
		FirstName: "Lucía", LastName: "García", Organization: "Acme",
		Phones: []helpscout.Entry{{Type: "mobile", Value: "+34612345678"}},
		Emails: []helpscout.Entry{{Value: "lucia@example.test"}},
	})
	is.NoErr(err)
	is.True(id > 0)
	c, err := e.c.GetCustomer(e.ctx, id)
	is.NoErr(err)
	is.Equal(c.FirstName, "Lucía")
	is.Equal(c.Organization, "Acme")
	is.Equal(c.Phones[0].Value, "+34612345678")
	is.Equal(c.Phones[0].Type, "mobile")
	is.Equal(c.Emails[0].Type, "work")
	is.Equal(c.CreatedAt, e.clk.Now())

	found, err := e.c.SearchCustomers(e.ctx, `(email:"LUCIA@example.test")`)
	is.NoErr(err)
	is.Equal(len(found), 1)

	_, err = e.c.GetCustomer(e.ctx, 42)
	is.True(errors.Is(err, helpscout.ErrNotFound))

	// Validation errors name the field.
	_, err = e.c.CreateCustomer(e.ctx, helpscout.NewCustomer{Emails: []helpscout.Entry{{Value: "nope"}}})
	var ve *helpscout.ValidationError
	is.True(errors.As(err, &ve))
	is.Equal(ve.Fields[0].Path, "emails[0].value")
	is.True(contains(err.Error(), "emails[0].value"))
}

func TestSearchCustomersAllPages(t *testing.T) {
	is := is.New(t)
	e := newEnv(t)
	for i := range 120 {
		e.srv.AddCustomer(helpscout.Customer{FirstName: "Sam", LastName: fmt.Sprint(i)})
	}
	e.srv.AddCustomer(helpscout.Customer{FirstName: "Other"})
	got, err := e.c.SearchCustomers(e.ctx, `(firstName:"sam")`)
	is.NoErr(err)
	is.Equal(len(got), 120)
	reqs := e.srv.Requests()
	var pages []string
	for _, r := range reqs {
		if r.Path == "/v2/customers" {
			is.Equal(r.Query.Get("query"), `(firstName:"sam")`) // filters re-sent on every page
			pages = append(pages, r.Query.Get("page"))
		}
	}
	is.Equal(pages, []string{"", "2", "3"})

	// Mirror-style listing: modifiedSince, limited pages.
	e.clk.Advance(time.Hour)
	e.srv.AddCustomer(helpscout.Customer{FirstName: "Late"})
	late, err := e.c.ListCustomers(e.ctx, helpscout.CustomerFilter{ModifiedSince: e.clk.Now().Add(-time.Minute), SortField: "modifiedAt", SortOrder: "asc"})
	is.NoErr(err)
	is.Equal(len(late), 1)
	one, err := e.c.ListCustomers(e.ctx, helpscout.CustomerFilter{MaxPages: 1})
	is.NoErr(err)
	is.Equal(len(one), 50)
	last := e.srv.Requests()[len(e.srv.Requests())-1]
	is.True(slices.Equal(last.Query["page"], nil))
}
