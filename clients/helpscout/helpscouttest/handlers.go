package helpscouttest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aircall-helpscout/aircall-helpscout/clients/helpscout"
)

func (s *Server) routes() {
	m := http.NewServeMux()
	m.HandleFunc("POST /v2/oauth2/token", s.token)
	m.HandleFunc("GET /v2/customers", s.listCustomers)
	m.HandleFunc("POST /v2/customers", s.createCustomer)
	m.HandleFunc("GET /v2/customers/{id}", s.getCustomer)
	m.HandleFunc("GET /v3/customers/search", s.searchCustomersV3)
	m.HandleFunc("GET /v2/conversations", s.listConversations)
	m.HandleFunc("POST /v2/conversations", s.createConversation)
	m.HandleFunc("GET /v2/conversations/{id}", s.getConversation)
	m.HandleFunc("PATCH /v2/conversations/{id}", s.patchConversation)
	m.HandleFunc("GET /v2/conversations/{id}/threads", s.listThreads)
	m.HandleFunc("PUT /v2/conversations/{id}/tags", s.putTags)
	m.HandleFunc("POST /v2/conversations/{id}/{kind}", s.createThread)
	m.HandleFunc("GET /v2/users", s.listUsers)
	m.HandleFunc("GET /v2/users/{id}", s.getUser)
	m.HandleFunc("GET /v2/mailboxes", s.listMailboxes)
	m.HandleFunc("GET /v2/mailboxes/{id}", s.getMailbox)
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { s.notFound(w) })
	s.mux = m
}

// token implements the client-credentials grant, JSON or form encoded.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	var in struct {
		GrantType    string `json:"grant_type"`
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			writeJSON(w, http.StatusBadRequest, "application/json", map[string]string{"error": "invalid_request"})
			return
		}
	} else {
		_ = r.ParseForm()
		in.GrantType, in.ClientID, in.ClientSecret = r.Form.Get("grant_type"), r.Form.Get("client_id"), r.Form.Get("client_secret")
		if id, secret, ok := r.BasicAuth(); ok {
			in.ClientID, in.ClientSecret = id, secret
		}
	}
	if in.GrantType != "client_credentials" {
		writeJSON(w, http.StatusBadRequest, "application/json", map[string]string{"error": "unsupported_grant_type",
			"error_description": "grant_type must be client_credentials"})
		return
	}
	if in.ClientID != AppID || in.ClientSecret != AppSecret {
		writeJSON(w, http.StatusUnauthorized, "application/json", map[string]string{"error": "invalid_client",
			"error_description": "Invalid client credentials"})
		return
	}
	s.mu.Lock()
	s.tokenSeq++
	tok := fmt.Sprintf("fake-token-%d", s.tokenSeq)
	ttl := s.tokenTTL
	s.tokens[tok] = s.now().Add(ttl)
	s.mu.Unlock()
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, "application/json; charset=utf-8", map[string]any{
		"token_type": "bearer", "access_token": tok, "expires_in": int(ttl / time.Second)})
}

// ---- customers ----

func (s *Server) listCustomers(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var query *node
	if raw := q.Get("query"); raw != "" {
		n, err := parseCustomerQuery(raw)
		if err != nil {
			s.writeVnd(w, http.StatusBadRequest, "Bad request", fieldErr{path: "query", msg: err.Error(), rejected: raw})
			return
		}
		query = n
	}
	var since time.Time
	if v := q.Get("modifiedSince"); v != "" {
		t, ok := parseTS(v)
		if !ok {
			s.writeVnd(w, http.StatusBadRequest, "Bad request", fieldErr{path: "modifiedSince", msg: "Invalid date format", rejected: v})
			return
		}
		since = t
	}
	fn, ln := q.Get("firstName"), q.Get("lastName")
	keep := func(c *helpscout.Customer, ignore bool) bool {
		if fn != "" && !strings.EqualFold(fn, c.FirstName) {
			return false
		}
		if ln != "" && !strings.EqualFold(ln, c.LastName) {
			return false
		}
		if !since.IsZero() && c.UpdatedAt.Before(since) {
			return false
		}
		return query == nil || query.match(func(f, v string) bool {
			if ignore && f == "phone" {
				return true // the undocumented phone query, ignored
			}
			return customerMatches(c, f, v, s.phoneMatch)
		})
	}
	key := custSortKey(q.Get("sortField"))
	desc := q.Get("sortField") == "" || q.Get("sortOrder") != "asc"
	s.mu.Lock()
	ignore := s.ignoreUndocumented
	var list []*helpscout.Customer
	if query != nil && !ignore {
		// A phone query: its few indexed candidates, filtered then sorted.
		for _, c := range s.candidatesLocked(query) {
			if keep(c, ignore) {
				list = append(list, c)
			}
		}
		slices.SortFunc(list, func(a, b *helpscout.Customer) int { return custCompare(key, a, b) })
	} else {
		// Every customer: walk the generation's sorted order, skipping by
		// binary search what a modifiedSince keyset page cannot return.
		ord := s.sortedCustomersLocked(key)
		if key == "modifiedAt" && !since.IsZero() {
			ord = ord[sort.Search(len(ord), func(i int) bool { return !ord[i].UpdatedAt.Before(since) }):]
		}
		if fn == "" && ln == "" && query == nil && (since.IsZero() || key == "modifiedAt") {
			list = ord // nothing to filter; the order is never modified
		} else {
			for _, c := range ord {
				if keep(c, ignore) {
					list = append(list, c)
				}
			}
		}
	}
	if desc {
		list = slices.Clone(list)
		slices.Reverse(list)
	}
	s.mu.Unlock()
	s.writePageFunc(w, r, "customers", len(list), func(lo, hi int) []any {
		s.mu.Lock()
		defer s.mu.Unlock()
		items := make([]any, 0, hi-lo)
		for _, c := range list[lo:hi] {
			items = append(items, s.customerJSON(c))
		}
		return items
	})
}

// parseCustomerQuery parses a customers query (v2 listing or v3 search),
// which may name only the fields customers are matched on.
func parseCustomerQuery(raw string) (*node, error) {
	n, err := parseQuery(raw)
	if err != nil {
		return nil, err
	}
	fs := map[string]bool{}
	n.fields(fs)
	for f := range fs {
		switch f {
		case "phone", "email", "firstName", "lastName":
		default:
			return nil, fmt.Errorf("unsupported field %q", f)
		}
	}
	return n, nil
}

// customerMatches: phone matches as s.phoneMatch says (see PhoneMatch); no
// other normalisation is applied, because the docs report none. Email and
// names match exactly, case-insensitively.
func customerMatches(c *helpscout.Customer, field, value string, pm PhoneMatch) bool {
	switch field {
	case "phone":
		if value == "" {
			return false
		}
		want := digitsOf(value)
		for _, p := range c.Phones {
			switch pm {
			case PhoneContainsText:
				if strings.Contains(p.Value, value) {
					return true
				}
			default:
				if want != "" && digitsOf(p.Value) == want {
					return true
				}
			}
		}
	case "email":
		for _, e := range c.Emails {
			if strings.EqualFold(e.Value, value) {
				return true
			}
		}
	case "firstName":
		return strings.EqualFold(c.FirstName, value)
	case "lastName":
		return strings.EqualFold(c.LastName, value)
	}
	return false
}

func (s *Server) getCustomer(w http.ResponseWriter, r *http.Request) {
	id, _ := pathID(r)
	s.mu.Lock()
	c, ok := s.customers[id]
	var body map[string]any
	if ok {
		body = s.customerJSON(c)
	}
	s.mu.Unlock()
	if !ok {
		s.notFound(w)
		return
	}
	writeHAL(w, body)
}

func (s *Server) createCustomer(w http.ResponseWriter, r *http.Request) {
	var in struct {
		FirstName    string            `json:"firstName"`
		LastName     string            `json:"lastName"`
		Organization string            `json:"organization"`
		JobTitle     string            `json:"jobTitle"`
		Background   string            `json:"background"`
		Phone        string            `json:"phone"`
		Phones       []helpscout.Entry `json:"phones"`
		Emails       []helpscout.Entry `json:"emails"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		s.writeVnd(w, http.StatusBadRequest, "Bad request", fieldErr{path: "", msg: "Malformed JSON: " + err.Error()})
		return
	}
	var errs []fieldErr
	if len(in.FirstName) > 40 {
		errs = append(errs, fieldErr{path: "firstName", msg: "size must be between 1 and 40", rejected: in.FirstName, code: "Size"})
	}
	if len(in.LastName) > 40 {
		errs = append(errs, fieldErr{path: "lastName", msg: "size must be between 1 and 40", rejected: in.LastName, code: "Size"})
	}
	if len(in.Organization) > 60 {
		errs = append(errs, fieldErr{path: "organization", msg: "size must be between 1 and 60", rejected: in.Organization, code: "Size"})
	}
	if len(in.Background) > 200 {
		errs = append(errs, fieldErr{path: "background", msg: "size must be between 0 and 200", code: "Size"})
	}
	for i, p := range in.Phones {
		if strings.TrimSpace(p.Value) == "" {
			errs = append(errs, fieldErr{path: fmt.Sprintf("phones[%d].value", i), msg: "may not be empty", code: "NotEmpty"})
		}
	}
	for i, e := range in.Emails {
		if !strings.Contains(e.Value, "@") {
			errs = append(errs, fieldErr{path: fmt.Sprintf("emails[%d].value", i), msg: "not a well-formed email address", rejected: e.Value, code: "Email"})
		}
	}
	if len(errs) > 0 {
		s.writeVnd(w, http.StatusBadRequest, "Validation error", errs...)
		return
	}
	if in.Phone != "" {
		in.Phones = append(in.Phones, helpscout.Entry{Type: "work", Value: in.Phone})
	}
	s.mu.Lock()
	now := s.now().UTC().Truncate(time.Second)
	id := s.addCustomerLocked(helpscout.Customer{FirstName: in.FirstName, LastName: in.LastName, Organization: in.Organization,
		JobTitle: in.JobTitle, CreatedAt: now, UpdatedAt: now, Phones: in.Phones, Emails: in.Emails})
	s.mu.Unlock()
	writeCreated(w, id, fmt.Sprintf("%s/v2/customers/%d", s.URL(), id))
}

// ---- users and mailboxes ----

func userJSON(u helpscout.User) map[string]any {
	return map[string]any{"id": u.ID, "firstName": u.FirstName, "lastName": u.LastName, "email": u.Email,
		"role": "user", "timezone": "UTC", "type": "user"}
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) {
	email := r.URL.Query().Get("email")
	s.mu.Lock()
	var ids []int64
	for id, u := range s.users {
		if email == "" || strings.EqualFold(u.Email, email) {
			ids = append(ids, id)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	items := make([]any, 0, len(ids))
	for _, id := range ids {
		items = append(items, userJSON(s.users[id]))
	}
	s.mu.Unlock()
	s.writePage(w, r, "users", items)
}

func (s *Server) getUser(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	var u helpscout.User
	ok := false
	if r.PathValue("id") == "me" {
		for _, v := range s.users {
			if !ok || v.ID < u.ID {
				u, ok = v, true
			}
		}
	} else if id, err := strconv.ParseInt(r.PathValue("id"), 10, 64); err == nil {
		u, ok = s.users[id]
	}
	s.mu.Unlock()
	if !ok {
		s.notFound(w)
		return
	}
	writeHAL(w, userJSON(u))
}

func (s *Server) mailboxJSON(m helpscout.Mailbox) map[string]any {
	self := fmt.Sprintf("%s/v2/mailboxes/%d", s.URL(), m.ID)
	return map[string]any{"id": m.ID, "name": m.Name, "slug": fmt.Sprintf("mbx%d", m.ID), "email": m.Email,
		"createdAt": "2020-01-01T00:00:00Z", "updatedAt": "2020-01-01T00:00:00Z",
		"_links": map[string]any{"self": map[string]string{"href": self}}}
}

func (s *Server) listMailboxes(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	var ids []int64
	for id := range s.mailboxes {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	items := make([]any, 0, len(ids))
	for _, id := range ids {
		items = append(items, s.mailboxJSON(s.mailboxes[id]))
	}
	s.mu.Unlock()
	s.writePage(w, r, "mailboxes", items)
}

func (s *Server) getMailbox(w http.ResponseWriter, r *http.Request) {
	id, _ := pathID(r)
	s.mu.Lock()
	m, ok := s.mailboxes[id]
	s.mu.Unlock()
	if !ok {
		s.notFound(w)
		return
	}
	writeHAL(w, s.mailboxJSON(m))
}
