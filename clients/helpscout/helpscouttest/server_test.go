package helpscouttest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/aircall-helpscout/aircall-helpscout/clients/helpscout"
)

func do(t *testing.T, method, u, contentType, body, token string) (*http.Response, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return res, m
}

func token(t *testing.T, s *Server) string {
	_, m := do(t, "POST", s.URL()+"/v2/oauth2/token", "application/json",
		`{"grant_type":"client_credentials","client_id":"test-app-id","client_secret":"test-app-secret"}`, "")
	return m["access_token"].(string)
}

func TestTokenEndpoint(t *testing.T) {
	tests := []struct {
		name, contentType, body string
		status                  int
		errCode                 string
	}{
		{"json", "application/json", `{"grant_type":"client_credentials","client_id":"test-app-id","client_secret":"test-app-secret"}`, 200, ""},
		{"form", "application/x-www-form-urlencoded", url.Values{"grant_type": {"client_credentials"}, "client_id": {AppID}, "client_secret": {AppSecret}}.Encode(), 200, ""},
		{"bad secret", "application/json", `{"grant_type":"client_credentials","client_id":"test-app-id","client_secret":"x"}`, 401, "invalid_client"},
		{"wrong grant", "application/json", `{"grant_type":"password","client_id":"test-app-id","client_secret":"test-app-secret"}`, 400, "unsupported_grant_type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			s := NewServer()
			defer s.Close()
			s.SetTokenTTL(48 * time.Hour)
			res, m := do(t, "POST", s.URL()+"/v2/oauth2/token", tt.contentType, tt.body, "")
			is.Equal(res.StatusCode, tt.status)
			if tt.status != 200 {
				is.Equal(m["error"], tt.errCode)
				return
			}
			is.Equal(m["token_type"], "bearer")
			is.Equal(m["expires_in"], float64(172800))
			res, _ = do(t, "GET", s.URL()+"/v2/mailboxes", "", "", m["access_token"].(string))
			is.Equal(res.StatusCode, 200)
		})
	}
}

func TestAuthBudgetAndHAL(t *testing.T) {
	is := is.New(t)
	s := NewServer()
	defer s.Close()
	now := time.Date(2026, 1, 1, 12, 0, 45, 0, time.UTC)
	s.SetClock(func() time.Time { return now })
	for i := range 120 {
		s.AddUser(helpscout.User{FirstName: "U", Email: strings.Repeat("u", i+1) + "@x.test"})
	}

	res, m := do(t, "GET", s.URL()+"/v2/users", "", "", "")
	is.Equal(res.StatusCode, 401)
	is.Equal(m["error"], "invalid_token")

	tok := token(t, s)
	res, m = do(t, "GET", s.URL()+"/v2/users?page=2", "", "", tok)
	is.Equal(res.StatusCode, 200)
	is.Equal(res.Header.Get("Content-Type"), "application/hal+json;charset=UTF-8")
	page := m["page"].(map[string]any)
	is.Equal(page["number"], float64(2))
	is.Equal(page["totalPages"], float64(3))
	is.Equal(page["totalElements"], float64(120))
	is.Equal(page["size"], float64(50))
	links := m["_links"].(map[string]any)
	is.True(strings.Contains(links["next"].(map[string]any)["href"].(string), "page=3"))
	is.True(links["previous"] != nil)
	is.Equal(len(m["_embedded"].(map[string]any)["users"].([]any)), 50)

	s.SetBudget(3)
	res, _ = do(t, "GET", s.URL()+"/v2/users", "", "", tok)
	is.Equal(res.Header.Get("X-RateLimit-Limit-Minute"), "3")
	is.Equal(res.Header.Get("X-RateLimit-Remaining-Minute"), "2")
	res, _ = do(t, "POST", s.URL()+"/v2/customers", "application/json", `{"firstName":"A"}`, tok)
	is.Equal(res.StatusCode, 201)
	is.Equal(res.Header.Get("X-RateLimit-Remaining-Minute"), "0")
	res, _ = do(t, "GET", s.URL()+"/v2/users", "", "", tok)
	is.Equal(res.StatusCode, 429)
	is.Equal(res.Header.Get("X-RateLimit-Retry-After"), "15")
	now = now.Add(15 * time.Second) // next window
	res, _ = do(t, "GET", s.URL()+"/v2/users", "", "", tok)
	is.Equal(res.StatusCode, 200)
	is.Equal(s.Units(), 5) // 429s and 401s are free

	s.ExpireTokens()
	res, _ = do(t, "GET", s.URL()+"/v2/users", "", "", tok)
	is.Equal(res.StatusCode, 401)

	reqs := s.Requests()
	last := reqs[len(reqs)-1]
	is.Equal(last.Status, 401)
	is.Equal(last.Units, 0)
}

func TestConversationDefaultsAndVndError(t *testing.T) {
	is := is.New(t)
	s := NewServer()
	defer s.Close()
	s.AddMailbox(helpscout.Mailbox{ID: 1, Name: "M"})
	s.AddConversation(SeedConversation{Subject: "a", MailboxID: 1, PadThreads: 1})
	s.AddConversation(SeedConversation{Subject: "b", MailboxID: 1, Status: "closed", PadThreads: 1})
	tok := token(t, s)

	_, m := do(t, "GET", s.URL()+"/v2/conversations", "", "", tok)
	is.Equal(m["page"].(map[string]any)["totalElements"], float64(1)) // default status=active
	_, m = do(t, "GET", s.URL()+"/v2/conversations?status=all", "", "", tok)
	is.Equal(m["page"].(map[string]any)["totalElements"], float64(2))

	res, m := do(t, "POST", s.URL()+"/v2/conversations", "application/json",
		`{"subject":"x","type":"phone","mailboxId":"1","status":"active","customer":{"email":"n@x.test"},"createdAt":"2026-01-01T10:00:00.000Z","threads":[{"type":"phone","text":"t"}]}`, tok)
	is.Equal(res.StatusCode, 400)
	is.Equal(res.Header.Get("Content-Type"), "application/vnd.error+json")
	errs := m["_embedded"].(map[string]any)["errors"].([]any)
	is.Equal(errs[0].(map[string]any)["path"], "createdAt")
	is.True(m["logRef"] != "")

	res, _ = do(t, "POST", s.URL()+"/v2/conversations", "application/json",
		`{"subject":"x","type":"phone","mailboxId":"1","status":"active","customer":{"email":"n@x.test"},"createdAt":"2026-01-01T10:00:00Z","threads":[{"type":"phone","text":"t"}]}`, tok)
	is.Equal(res.StatusCode, 201)
	is.Equal(res.Header.Get("Content-Type"), "text/plain; charset=UTF-8")
	is.True(res.Header.Get("Resource-ID") != "")
	is.True(strings.HasSuffix(res.Header.Get("Location"), "/v2/conversations/"+res.Header.Get("Resource-ID")))
	is.Equal(len(s.Customers()), 1) // unknown email creates a customer

	res, _ = do(t, "PATCH", s.URL()+"/v2/conversations/"+res.Header.Get("Resource-ID"), "application/json",
		`[{"op":"replace","path":"/status","value":"closed"}]`, tok)
	is.Equal(res.StatusCode, 400) // one object, not an array
}
