package aircall_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aircall-helpscout/aircall-helpscout/clients/aircall"
	"github.com/matryer/is"
)

// TestContactSync walks the reconciler's contact sync: search by E.164
// (matching a number stored formatted), create when absent, overwrite in
// place and add an email when present, and the one-contact-per-number rule.
func TestContactSync(t *testing.T) {
	is := is.New(t)
	clk := newClock()
	srv, c := newFake(t, clk, nil)
	ctx := context.Background()
	existing := srv.AddContact(aircall.Contact{FirstName: "Old", PhoneNumbers: []aircall.ContactDetail{{Label: "Main", Value: "+1 617-610-5413"}}})

	found, err := c.SearchContactsByPhone(ctx, "+16176105413")
	is.NoErr(err)
	is.Equal(len(found), 1)
	is.Equal(found[0].ID, existing)
	last := srv.Requests()[len(srv.Requests())-1]
	is.Equal(last.Path, "/v1/contacts/search")
	is.Equal(last.Query.Get("phone_number"), "+16176105413") // "+" survived encoding

	none, err := c.SearchContactsByPhone(ctx, "+34612345678")
	is.NoErr(err)
	is.Equal(len(none), 0)

	created, err := c.CreateContact(ctx, aircall.ContactInput{
		FirstName: "Ana", LastName: "Ruiz",
		PhoneNumbers: []aircall.ContactDetail{{Label: "Work", Value: "+34612345678"}},
		Emails:       []aircall.ContactDetail{{Label: "Work", Value: "ana@example.com"}},
	})
	is.NoErr(err)
	is.True(created.ID != 0)
	is.Equal(created.PhoneNumbers[0].Value, "+34612345678")
	is.Equal(created.Emails[0].Value, "ana@example.com")

	_, err = c.CreateContact(ctx, aircall.ContactInput{FirstName: "Dup", PhoneNumbers: []aircall.ContactDetail{{Value: "+1 (617) 610-5413"}}})
	var apiErr *aircall.APIError
	is.True(errors.As(err, &apiErr))
	is.Equal(apiErr.Status, 422)

	updated, err := c.UpdateContact(ctx, existing, aircall.ContactInput{FirstName: "New", LastName: "Name", CompanyName: "Acme",
		Emails: []aircall.ContactDetail{{Value: "ignored@example.com"}}})
	is.NoErr(err)
	is.Equal(updated.FirstName, "New")
	is.Equal(updated.CompanyName, "Acme")
	upd := srv.Requests()[len(srv.Requests())-1]
	is.Equal(upd.Method, "POST")
	is.Equal(upd.Path, "/v1/contacts/"+itoa(int(existing)))
	var body map[string]any
	is.NoErr(json.Unmarshal(upd.Body, &body))
	_, hasEmails := body["emails"]
	is.True(!hasEmails) // phones/emails go through sub-resources

	is.NoErr(c.AddContactEmail(ctx, existing, "Work", "new@example.com"))
	is.NoErr(c.AddContactPhone(ctx, existing, "Mobile", "+1 617-555-0100"))
	err = c.AddContactPhone(ctx, existing, "Other", "+34 612 34 56 78") // belongs to Ana
	is.True(errors.As(err, &apiErr))
	is.Equal(apiErr.Status, 422)

	var got aircall.Contact
	for _, ct := range srv.Contacts() {
		if ct.ID == existing {
			got = ct
		}
	}
	is.Equal(got.Emails[0].Value, "new@example.com")
	is.Equal(len(got.PhoneNumbers), 2)

	_, err = c.UpdateContact(ctx, 424242, aircall.ContactInput{FirstName: "X"})
	is.True(errors.Is(err, aircall.ErrNotFound))
	_, err = c.SearchContactsByPhone(ctx, "")
	is.True(err != nil && strings.Contains(err.Error(), "empty phone number"))
}

func TestNumbersAndUsers(t *testing.T) {
	is := is.New(t)
	clk := newClock()
	srv, c := newFake(t, clk, nil)
	ctx := context.Background()
	// An account with no numbers lists as empty, not nil: nil means "could
	// not list", and routing would then accept every configured number.
	none, err := c.ListNumbers(ctx)
	is.NoErr(err)
	is.True(none != nil)
	is.Equal(len(none), 0)
	for i := range 120 { // three pages
		srv.AddNumber(aircall.Number{ID: int64(1000 + i), Name: "Line", Digits: "+1 984-314-0278", TimeZone: "America/Chicago"})
	}
	added := clk.Now().Truncate(time.Millisecond) // ISO dates carry milliseconds
	srv.AddUser(aircall.User{ID: 1, Name: "Jo", Email: "jo@example.com"})
	nums, err := c.ListNumbers(ctx)
	is.NoErr(err)
	is.Equal(len(nums), 120)
	is.Equal(nums[119].ID, int64(1119))

	n, err := c.GetNumber(ctx, 1005)
	is.NoErr(err)
	is.Equal(n.TimeZone, "America/Chicago")
	_, err = c.GetNumber(ctx, 1)
	is.True(errors.Is(err, aircall.ErrNotFound))

	srv.ResetRequests()
	users, err := c.ListUsers(ctx)
	is.NoErr(err)
	// created_at is an ISO string on the wire, dated by the fake's clock.
	is.Equal(users, []aircall.User{{ID: 1, Name: "Jo", Email: "jo@example.com", CreatedAt: aircall.FlexTime{Time: added}}})
	is.Equal(srv.Requests()[0].Path, "/v2/users")
}

// TestUpdateContactKeepsUnsentFields: an update sends only the fields it
// sets, so Aircall keeps the rest, above all the notes agents typed in
// "information", which the reconciler does not own.
func TestUpdateContactKeepsUnsentFields(t *testing.T) {
	seed := aircall.Contact{FirstName: "Old", LastName: "Last", CompanyName: "Acme",
		Information:  "VIP: call back after 5pm",
		PhoneNumbers: []aircall.ContactDetail{{Label: "Main", Value: "+16176105413"}}}
	tests := []struct {
		name     string
		in       aircall.ContactInput
		wantKeys []string
		want     aircall.Contact // names, company, information after the update
	}{
		{"names only", aircall.ContactInput{FirstName: "New", LastName: "Name"},
			[]string{"first_name", "last_name"},
			aircall.Contact{FirstName: "New", LastName: "Name", CompanyName: "Acme", Information: "VIP: call back after 5pm"}},
		{"empty company is not a wipe", aircall.ContactInput{FirstName: "New", CompanyName: ""},
			[]string{"first_name"},
			aircall.Contact{FirstName: "New", LastName: "Last", CompanyName: "Acme", Information: "VIP: call back after 5pm"}},
		{"company", aircall.ContactInput{CompanyName: "Globex"},
			[]string{"company_name"},
			aircall.Contact{FirstName: "Old", LastName: "Last", CompanyName: "Globex", Information: "VIP: call back after 5pm"}},
		{"information when given", aircall.ContactInput{Information: "new note"},
			[]string{"information"},
			aircall.Contact{FirstName: "Old", LastName: "Last", CompanyName: "Acme", Information: "new note"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			srv, c := newFake(t, newClock(), nil)
			id := srv.AddContact(seed)
			got, err := c.UpdateContact(context.Background(), id, tt.in)
			is.NoErr(err)

			reqs := srv.Requests()
			var body map[string]json.RawMessage
			is.NoErr(json.Unmarshal(reqs[len(reqs)-1].Body, &body))
			var keys []string
			for k := range body {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			is.Equal(keys, tt.wantKeys) // only the fields we set are sent

			var stored aircall.Contact
			for _, ct := range srv.Contacts() {
				if ct.ID == id {
					stored = ct
				}
			}
			for _, ct := range []aircall.Contact{got, stored} {
				is.Equal(ct.FirstName, tt.want.FirstName)
				is.Equal(ct.LastName, tt.want.LastName)
				is.Equal(ct.CompanyName, tt.want.CompanyName)
				is.Equal(ct.Information, tt.want.Information)
				is.Equal(len(ct.PhoneNumbers), 1)
			}
		})
	}
}
