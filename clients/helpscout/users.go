package helpscout

import (
	"context"
	"fmt"
	"net/url"
	"strings"
)

type userJSON struct {
	ID        int64  `json:"id"`
	FirstName string `json:"firstName"`
	LastName  string `json:"lastName"`
	Email     string `json:"email"`
}

// FindUserByEmail returns the user with that email, or nil, nil if none.
func (c *Client) FindUserByEmail(ctx context.Context, email string) (*User, error) {
	items, err := listAll[userJSON](ctx, c, list("/v2/users", url.Values{"email": {email}}, "users"), 0)
	if err != nil {
		return nil, err
	}
	for _, u := range items {
		if strings.EqualFold(u.Email, email) {
			return &User{ID: u.ID, FirstName: u.FirstName, LastName: u.LastName, Email: u.Email}, nil
		}
	}
	return nil, nil
}

// ListUsers returns every user.
func (c *Client) ListUsers(ctx context.Context) ([]User, error) {
	items, err := listAll[userJSON](ctx, c, list("/v2/users", nil, "users"), 0)
	if err != nil {
		return nil, err
	}
	out := make([]User, 0, len(items))
	for _, u := range items {
		out = append(out, User(u))
	}
	return out, nil
}

type mailboxJSON struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
}

// GetMailbox returns one mailbox; ErrNotFound if the id is unknown.
func (c *Client) GetMailbox(ctx context.Context, id int64) (Mailbox, error) {
	var m mailboxJSON
	if err := c.getJSON(ctx, fmt.Sprintf("/v2/mailboxes/%d", id), "/v2/mailboxes/:id", nil, &m); err != nil {
		return Mailbox{}, err
	}
	return Mailbox(m), nil
}

// ListMailboxes returns every mailbox the token can see.
func (c *Client) ListMailboxes(ctx context.Context) ([]Mailbox, error) {
	items, err := listAll[mailboxJSON](ctx, c, list("/v2/mailboxes", nil, "mailboxes"), 0)
	if err != nil {
		return nil, err
	}
	out := make([]Mailbox, 0, len(items))
	for _, m := range items {
		out = append(out, Mailbox(m))
	}
	return out, nil
}
