package helpscout_test

import (
	"errors"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/aircall-helpscout/aircall-helpscout/clients/helpscout"
)

func TestAuthenticate(t *testing.T) {
	tests := []struct {
		name    string
		secret  string
		wantErr error
	}{
		{"good credentials", "test-app-secret", nil},
		{"bad secret", "nope", helpscout.ErrBadCredentials},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			e := newEnv(t, func(c *helpscout.Config) { c.AppSecret = tt.secret })
			err := e.c.Authenticate(e.ctx)
			if tt.wantErr == nil {
				is.NoErr(err)
				return
			}
			is.True(errors.Is(err, tt.wantErr))
			is.True(!contains(err.Error(), tt.secret)) // never echo the secret
			// A resource call with bad credentials fails the same way, without retrying the token.
			_, err = e.c.ListMailboxes(e.ctx)
			is.True(errors.Is(err, helpscout.ErrBadCredentials))
			is.Equal(count(e.srv.Requests(), "POST", "/v2/oauth2/token"), 2)
		})
	}
}

func TestTokenReuseAndExpiry(t *testing.T) {
	is := is.New(t)
	e := newEnv(t)
	e.srv.SetTokenTTL(30 * time.Minute)
	for range 3 {
		_, err := e.c.ListMailboxes(e.ctx)
		is.NoErr(err)
	}
	is.Equal(count(e.srv.Requests(), "POST", "/v2/oauth2/token"), 1) // reused

	// Shortly before expires_in the client fetches a new token by itself: no 401.
	e.clk.Advance(29*time.Minute + 30*time.Second)
	_, err := e.c.ListMailboxes(e.ctx)
	is.NoErr(err)
	is.Equal(count(e.srv.Requests(), "POST", "/v2/oauth2/token"), 2)
	is.Equal(e.c.Stats().Requests["GET /v2/mailboxes 401"], 0)

	// Server-side expiry mid-sequence (e.g. revoked): 401, one refresh, one retry.
	id, err := e.c.CreateCustomer(e.ctx, helpscout.NewCustomer{FirstName: "A"})
	is.NoErr(err)
	e.srv.ExpireTokens()
	got, err := e.c.GetCustomer(e.ctx, id)
	is.NoErr(err)
	is.Equal(got.FirstName, "A")
	st := e.c.Stats()
	is.Equal(st.Requests["GET /v2/customers/:id 401"], 1)
	is.Equal(st.Requests["GET /v2/customers/:id 200"], 1)
	is.Equal(st.Requests["POST /v2/oauth2/token 200"], 3)

	// A write after expiry is retried too: 401 means it was not applied.
	e.srv.ExpireTokens()
	_, err = e.c.CreateCustomer(e.ctx, helpscout.NewCustomer{FirstName: "B"})
	is.NoErr(err)
	is.Equal(len(e.srv.Customers()), 2)
}

func TestPersistent401IsUnauthorized(t *testing.T) {
	is := is.New(t)
	e := newEnv(t)
	e.srv.SetTokenTTL(0) // every token is born expired
	_, err := e.c.ListUsers(e.ctx)
	is.True(errors.Is(err, helpscout.ErrUnauthorized))
	is.Equal(count(e.srv.Requests(), "GET", "/v2/users"), 2) // tried once, refreshed once
}

func contains(s, sub string) bool {
	return len(sub) > 0 && len(s) >= len(sub) && (s == sub || indexOf(s, sub) >= 0)
}

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

// TestTokenExpiresBetweenPages: the server drops the token while a paged
// search is under way; the next page gets a 401, one refresh, and the walk goes on.
func TestTokenExpiresBetweenPages(t *testing.T) {
	is := is.New(t)
	var e *env
	expired := false
	e = newEnv(t, func(c *helpscout.Config) {
		c.Observer = func(ev helpscout.RequestEvent) {
			if ev.Endpoint == "/v2/customers" && ev.Status == 200 && !expired {
				expired = true
				e.srv.ExpireTokens()
			}
		}
	})
	for range 75 {
		e.srv.AddCustomer(helpscout.Customer{FirstName: "Pat"})
	}
	got, err := e.c.SearchCustomers(e.ctx, `(firstName:"Pat")`)
	is.NoErr(err)
	is.Equal(len(got), 75)
	st := e.c.Stats()
	is.Equal(st.Requests["GET /v2/customers 401"], 1)
	is.Equal(st.Requests["GET /v2/customers 200"], 2)
	is.Equal(st.Requests["POST /v2/oauth2/token 200"], 2)
}
