package aircall

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

// SearchContactsByPhone finds contacts with the given number (send E.164;
// the query is URL-escaped, so the "+" survives).
func (c *Client) SearchContactsByPhone(ctx context.Context, e164 string) ([]Contact, error) {
	if e164 == "" {
		return nil, errors.New("aircall: search contacts: empty phone number")
	}
	q := url.Values{"phone_number": {e164}}
	return listAll[Contact](ctx, c, "/v1/contacts/search", "contacts", q)
}

// CreateContact creates a contact. Not retried on 5xx/timeouts (it may have
// been created); on such an error search by phone before trying again.
func (c *Client) CreateContact(ctx context.Context, in ContactInput) (Contact, error) {
	var out struct {
		Contact Contact `json:"contact"`
	}
	err := c.do(ctx, request{method: http.MethodPost, path: "/v1/contacts", endpoint: "/v1/contacts", body: in, noRetry5xx: true}, &out)
	return out.Contact, err
}

// UpdateContact sets the non-empty names, company and information of `in`
// with POST /v1/contacts/:id (Aircall's update is POST, not PUT). An empty
// field is left out of the body, so Aircall keeps what it has: above all
// "information", the free-text notes agents type in Aircall, which we do not
// own and must never wipe. A field therefore cannot be cleared through this
// method. Phones and emails in `in` are ignored: use
// AddContactPhone/AddContactEmail. Retried on 5xx: setting the same fields
// twice is harmless.
func (c *Client) UpdateContact(ctx context.Context, id int64, in ContactInput) (Contact, error) {
	body := struct {
		FirstName   string `json:"first_name,omitempty"`
		LastName    string `json:"last_name,omitempty"`
		CompanyName string `json:"company_name,omitempty"`
		Information string `json:"information,omitempty"`
	}{in.FirstName, in.LastName, in.CompanyName, in.Information}
	var out struct {
		Contact Contact `json:"contact"`
	}
	err := c.do(ctx, request{method: http.MethodPost, path: "/v1/contacts/" + strconv.FormatInt(id, 10), endpoint: "/v1/contacts/:id", body: body}, &out)
	return out.Contact, err
}

// AddContactEmail adds one email to a contact (not retried on 5xx).
func (c *Client) AddContactEmail(ctx context.Context, contactID int64, label, value string) error {
	return c.addDetail(ctx, contactID, "email_details", label, value)
}

// AddContactPhone adds one phone number to a contact (not retried on 5xx).
func (c *Client) AddContactPhone(ctx context.Context, contactID int64, label, value string) error {
	return c.addDetail(ctx, contactID, "phone_details", label, value)
}

func (c *Client) addDetail(ctx context.Context, contactID int64, kind, label, value string) error {
	if value == "" {
		return fmt.Errorf("aircall: add %s: empty value", kind)
	}
	return c.do(ctx, request{
		method:     http.MethodPost,
		path:       "/v1/contacts/" + strconv.FormatInt(contactID, 10) + "/" + kind,
		endpoint:   "/v1/contacts/:id/" + kind,
		body:       ContactDetail{Label: label, Value: value},
		noRetry5xx: true,
	}, nil)
}
