package reconciler_test

import (
	"strings"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/aircall-helpscout/aircall-helpscout/clients/aircall"
	"github.com/aircall-helpscout/aircall-helpscout/clients/helpscout"
	"github.com/aircall-helpscout/aircall-helpscout/reconciler/reconcilertest"
)

// contactRequests lists the Aircall contact requests made from index n on.
func contactRequests(e *reconcilertest.Env, n int) []string {
	var out []string
	for _, r := range e.AC.Requests()[n:] {
		if strings.HasPrefix(r.Path, "/v1/contacts") {
			out = append(out, r.Method+" "+r.Path)
		}
	}
	return out
}

func emailsOf(c aircall.Contact) []string {
	var out []string
	for _, e := range c.Emails {
		out = append(out, e.Value)
	}
	return out
}

// Contact sync (docs/rules.md#contact-sync): an existing Aircall contact for
// the number is updated in place: first/last name and company overwritten,
// the customer's emails added.
func TestContactSyncOverwritesExistingContact(t *testing.T) {
	tests := []struct {
		name      string
		callKnows bool // the call carries the contact (else: create refused, then search)
	}{
		{"contact named by the call", true},
		{"contact found after the create is refused", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			e := reconcilertest.New(t)
			id := e.AC.AddContact(aircall.Contact{FirstName: "Old", LastName: "Name", CompanyName: "OldCo",
				PhoneNumbers: []aircall.ContactDetail{{Label: "Main", Value: "+34612345678"}},
				Emails:       []aircall.ContactDetail{{Label: "Work", Value: "Old@OldCo.test"}}})
			e.HS.AddCustomer(helpscout.Customer{FirstName: "Marta", LastName: "Ruiz", Organization: "ACME",
				Phones: []helpscout.Entry{{Type: "work", Value: "612 34 56 78"}},
				Emails: []helpscout.Entry{{Type: "work", Value: "marta@acme.test"}, {Type: "home", Value: "OLD@oldco.test"}}})
			e.AddCall(1, "+34 612 34 56 78", 30*time.Minute, reconcilertest.Missed(""), func(c *aircall.Call) {
				if tt.callKnows {
					c.Contact = &aircall.Contact{ID: id, FirstName: "Old", LastName: "Name",
						Emails: []aircall.ContactDetail{{Label: "Work", Value: "Old@OldCo.test"}}}
				}
			})
			e.Pass()
			cs := e.AC.Contacts()
			is.Equal(len(cs), 1) // updated in place: one contact per number
			c := cs[0]
			is.Equal(c.ID, id)
			is.Equal(c.FirstName, "Marta")
			is.Equal(c.LastName, "Ruiz")
			is.Equal(c.CompanyName, "ACME")
			is.Equal(emailsOf(c), []string{"Old@OldCo.test", "marta@acme.test"}) // added; the one it has (in any case) not twice
			is.Equal(len(c.PhoneNumbers), 1)
		})
	}
}

// The sync runs once per customer until the customer changes; after a change
// (Help Scout's updatedAt moves) the contact is overwritten again.
func TestContactResyncAfterCustomerChanges(t *testing.T) {
	is := is.New(t)
	e := reconcilertest.New(t)
	created := e.Clock.Now().Add(-time.Hour)
	cust := helpscout.Customer{FirstName: "Marta", LastName: "Ruiz", Organization: "ACME",
		CreatedAt: created, UpdatedAt: created,
		Phones: []helpscout.Entry{{Type: "work", Value: "+34612345678"}},
		Emails: []helpscout.Entry{{Type: "work", Value: "marta@acme.test"}}}
	cust.ID = e.HS.AddCustomer(cust)
	e.AddCall(1, "+34 612 34 56 78", 30*time.Minute, reconcilertest.Missed(""))
	e.Pass()
	cs := e.AC.Contacts()
	is.Equal(len(cs), 1)
	contactID := cs[0].ID
	is.Equal(cs[0].LastName, "Ruiz")

	// Aircall puts the number's contact, as it is then, in each call.
	withContact := func(c *aircall.Call) {
		for _, ct := range e.AC.Contacts() {
			if ct.ID == contactID {
				c.Contact = &ct
			}
		}
	}

	// Unchanged customer: nothing sent to Aircall.
	n := len(e.AC.Requests())
	e.AddCall(2, "+34 612 34 56 78", 20*time.Minute, reconcilertest.Missed(""), withContact)
	e.Clock.Advance(5 * time.Minute)
	e.Pass()
	is.Equal(contactRequests(e, n), []string(nil))

	// The customer changes in Help Scout (married, new job, new email).
	cust.LastName, cust.Organization = "Ruiz Gómez", "Globex"
	cust.Emails = append(cust.Emails, helpscout.Entry{Type: "work", Value: "marta@globex.test"})
	cust.UpdatedAt = e.Clock.Now()
	e.HS.AddCustomer(cust) // same ID: replaces it
	n = len(e.AC.Requests())
	e.AddCall(3, "+34 612 34 56 78", 10*time.Minute, reconcilertest.Missed(""), withContact)
	e.Clock.Advance(5 * time.Minute)
	e.Pass()
	cs = e.AC.Contacts()
	is.Equal(len(cs), 1)
	is.Equal(cs[0].ID, contactID)
	is.Equal(cs[0].LastName, "Ruiz Gómez")
	is.Equal(cs[0].CompanyName, "Globex")
	is.Equal(emailsOf(cs[0]), []string{"marta@acme.test", "marta@globex.test"})
	is.True(len(contactRequests(e, n)) > 0)

	// And then once only again.
	n = len(e.AC.Requests())
	e.AddCall(4, "+34 612 34 56 78", 5*time.Minute, reconcilertest.Missed(""), withContact)
	e.Clock.Advance(5 * time.Minute)
	e.Pass()
	is.Equal(contactRequests(e, n), []string(nil))
}

// A contact sync writes only when needed: none when the contact the call
// carries (fetch_contact=true) already says what Help Scout says, and the
// write when any of the names, company, emails or number differs.
func TestContactSyncOnlyWhenTheContactDiffers(t *testing.T) {
	same := aircall.Contact{FirstName: "Marta", LastName: "Ruiz", CompanyName: "ACME",
		PhoneNumbers: []aircall.ContactDetail{{Label: "Main", Value: "+34 612 34 56 78"}},
		Emails:       []aircall.ContactDetail{{Label: "Work", Value: "MARTA@acme.test"}, {Label: "Home", Value: "marta@home.test"}}}
	tests := []struct {
		name   string
		change func(*aircall.Contact)
		writes bool
	}{
		{"says the same (email case, extra email, number format aside)", func(*aircall.Contact) {}, false},
		{"no numbers listed", func(c *aircall.Contact) { c.PhoneNumbers = nil }, false},
		{"first name differs", func(c *aircall.Contact) { c.FirstName = "Martha" }, true},
		{"last name differs", func(c *aircall.Contact) { c.LastName = "" }, true},
		{"company differs", func(c *aircall.Contact) { c.CompanyName = "Globex" }, true},
		{"an email missing", func(c *aircall.Contact) { c.Emails = c.Emails[1:] }, true},
		{"another number", func(c *aircall.Contact) { c.PhoneNumbers[0].Value = "+34 699 99 99 99" }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			e := reconcilertest.New(t)
			ct := same
			ct.PhoneNumbers = append([]aircall.ContactDetail(nil), same.PhoneNumbers...)
			ct.Emails = append([]aircall.ContactDetail(nil), same.Emails...)
			tt.change(&ct)
			ct.ID = e.AC.AddContact(ct)
			e.HS.AddCustomer(helpscout.Customer{FirstName: "Marta", LastName: "Ruiz", Organization: "ACME",
				Phones: []helpscout.Entry{{Type: "work", Value: "+34612345678"}},
				Emails: []helpscout.Entry{{Type: "work", Value: "marta@acme.test"}}})
			e.AddCall(1, "+34 612 34 56 78", 30*time.Minute, reconcilertest.Missed(""), func(c *aircall.Call) { c.Contact = &ct })
			e.Pass()
			got := contactRequests(e, 0)
			is.Equal(len(got) > 0, tt.writes) // a contact write only when the contact differs
			for _, r := range got {
				is.True(!strings.HasPrefix(r, "GET")) // the call's contact is used: no search
			}
			// Once per customer version either way: the next call writes nothing.
			n := len(e.AC.Requests())
			e.AddCall(2, "+34 612 34 56 78", 20*time.Minute, reconcilertest.Missed(""), func(c *aircall.Call) { c.Contact = &ct })
			e.Clock.Advance(5 * time.Minute)
			e.Pass()
			is.Equal(contactRequests(e, n), []string(nil))
		})
	}
}
