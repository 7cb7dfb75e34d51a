package helpscout

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

type customerJSON struct {
	ID           int64  `json:"id"`
	FirstName    string `json:"firstName"`
	LastName     string `json:"lastName"`
	Organization string `json:"organization"`
	JobTitle     string `json:"jobTitle"`
	CreatedAt    hsTime `json:"createdAt"`
	UpdatedAt    hsTime `json:"updatedAt"`
	Embedded     struct {
		Emails []Entry `json:"emails"`
		Phones []Entry `json:"phones"`
	} `json:"_embedded"`
}

func (j customerJSON) customer() Customer {
	return Customer{
		ID: j.ID, FirstName: j.FirstName, LastName: j.LastName,
		Organization: j.Organization, JobTitle: j.JobTitle,
		CreatedAt: j.CreatedAt.Time, UpdatedAt: j.UpdatedAt.Time,
		Emails: j.Embedded.Emails, Phones: j.Embedded.Phones,
	}
}

func customers(in []customerJSON) []Customer {
	out := make([]Customer, 0, len(in))
	for _, j := range in {
		out = append(out, j.customer())
	}
	return out
}

// SearchCustomers runs a raw Help Scout customer query, e.g. `(email:"a@b.c")`,
// and returns every page.
func (c *Client) SearchCustomers(ctx context.Context, query string) ([]Customer, error) {
	q := url.Values{"query": {query}}
	items, err := listAll[customerJSON](ctx, c, list("/v2/customers", q, "customers"), 0)
	if err != nil {
		return nil, err
	}
	return customers(items), nil
}

// CustomerFilter lists customers without a search query, e.g. for a mirror.
type CustomerFilter struct {
	ModifiedSince time.Time // zero = omit
	SortField     string    // createdAt (default server side), modifiedAt, firstName, lastName
	SortOrder     string
	MaxPages      int // 0 = all
}

// ListCustomers lists customers page by page (1 unit per page of 50).
func (c *Client) ListCustomers(ctx context.Context, f CustomerFilter) ([]Customer, error) {
	q := CustomerQuery{ModifiedSince: f.ModifiedSince, SortField: f.SortField, SortOrder: f.SortOrder}.values()
	items, err := listAll[customerJSON](ctx, c, list("/v2/customers", q, "customers"), f.MaxPages)
	if err != nil {
		return nil, err
	}
	return customers(items), nil
}

// FindCustomersByPhone finds customers whose stored phone may be e164 in any of
// the formatted or digit-only forms of PhoneQueryVariants, with one OR-query
// (one request, bounded length). Help Scout's phone search appears to be
// literal, so a number stored in some other grouping ("612 345 678" for
// "+34 612 34 56 78") is not found. It returns every candidate; verify with
// SamePhone before trusting one.
func (c *Client) FindCustomersByPhone(ctx context.Context, e164 string) ([]Customer, error) {
	variants, err := PhoneQueryVariants(e164)
	if err != nil {
		return nil, err
	}
	return c.SearchCustomers(ctx, phoneQuery(variants))
}

// GetCustomer returns one customer with its emails and phones.
func (c *Client) GetCustomer(ctx context.Context, id int64) (Customer, error) {
	var j customerJSON
	if err := c.getJSON(ctx, fmt.Sprintf("/v2/customers/%d", id), "/v2/customers/:id", nil, &j); err != nil {
		return Customer{}, err
	}
	return j.customer(), nil
}

type newCustomerJSON struct {
	FirstName    string  `json:"firstName,omitempty"`
	LastName     string  `json:"lastName,omitempty"`
	Organization string  `json:"organization,omitempty"`
	Background   string  `json:"background,omitempty"`
	Phones       []Entry `json:"phones,omitempty"`
	Emails       []Entry `json:"emails,omitempty"`
}

// CreateCustomer creates a customer and returns its id from Resource-ID.
// A phone entry without a type is sent as "work".
func (c *Client) CreateCustomer(ctx context.Context, in NewCustomer) (int64, error) {
	body := newCustomerJSON{FirstName: in.FirstName, LastName: in.LastName, Organization: in.Organization, Background: in.Background}
	for _, p := range in.Phones {
		if p.Type == "" {
			p.Type = "work"
		}
		body.Phones = append(body.Phones, Entry{Type: p.Type, Value: p.Value})
	}
	for _, e := range in.Emails {
		if e.Type == "" {
			e.Type = "work"
		}
		body.Emails = append(body.Emails, Entry{Type: e.Type, Value: e.Value})
	}
	resp, err := c.do(ctx, call{method: http.MethodPost, path: "/v2/customers", endpoint: "/v2/customers", body: body})
	if err != nil {
		return 0, err
	}
	id := createdID(resp.header)
	if id == 0 {
		return 0, fmt.Errorf("helpscout: POST /v2/customers: no Resource-ID or Location in the answer")
	}
	return id, nil
}
