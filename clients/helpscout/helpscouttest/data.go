package helpscouttest

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/aircall-helpscout/aircall-helpscout/clients/helpscout"
)

type conv struct {
	id, number                  int64
	typ, status, state, subject string
	mailboxID, customerID       int64
	assigneeID, createdByUser   int64
	tags                        []string
	createdAt, closedAt         time.Time
	updatedAt                   time.Time
	threads                     []helpscout.Thread // creation order
}

// SeedConversation describes a conversation to preload, possibly in the past.
type SeedConversation struct {
	ID            int64 // 0 = auto
	Subject       string
	Type          string // default "phone"
	Status        string // default "active"
	MailboxID     int64
	CustomerID    int64
	AssigneeID    int64
	Tags          []string
	CreatedAt     time.Time // zero = now
	ClosedAt      time.Time // zero = now when Status is closed
	UserUpdatedAt time.Time // zero = CreatedAt
	Threads       []helpscout.Thread
	// PadThreads adds that many filler note threads (e.g. 99 to hit the 412 limit).
	PadThreads int
}

// AddMailbox adds or replaces a mailbox.
func (s *Server) AddMailbox(m helpscout.Mailbox) {
	s.mu.Lock()
	s.mailboxes[m.ID] = m
	s.mu.Unlock()
}

// AddUser adds or replaces a user; ID 0 gets one assigned. It returns the id.
func (s *Server) AddUser(u helpscout.User) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u.ID == 0 {
		u.ID = s.nextUser
		s.nextUser++
	}
	s.users[u.ID] = u
	return u.ID
}

// AddCustomer adds a customer as if it already existed; ID and entry ids are
// assigned when 0, CreatedAt/UpdatedAt default to now.
func (s *Server) AddCustomer(c helpscout.Customer) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addCustomerLocked(c)
}

func (s *Server) addCustomerLocked(c helpscout.Customer) int64 {
	if c.ID == 0 {
		c.ID = s.nextCust
		s.nextCust++
	}
	now := s.now().UTC().Truncate(time.Second)
	if c.CreatedAt.IsZero() {
		c.CreatedAt = now
	}
	if c.UpdatedAt.IsZero() {
		c.UpdatedAt = c.CreatedAt
	}
	c.Phones = s.entries(c.Phones)
	c.Emails = s.entries(c.Emails)
	s.indexCustomerLocked(s.customers[c.ID], &c)
	s.customers[c.ID] = &c
	return c.ID
}

func (s *Server) entries(in []helpscout.Entry) []helpscout.Entry {
	out := make([]helpscout.Entry, 0, len(in))
	for _, e := range in {
		if e.ID == 0 {
			e.ID = s.nextEntry
			s.nextEntry++
		}
		if e.Type == "" {
			e.Type = "work"
		}
		out = append(out, e)
	}
	return out
}

// AddConversation preloads a conversation and returns its id.
func (s *Server) AddConversation(sc SeedConversation) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now().UTC().Truncate(time.Second)
	c := &conv{id: sc.ID, typ: sc.Type, status: sc.Status, state: "published", subject: sc.Subject,
		mailboxID: sc.MailboxID, customerID: sc.CustomerID, assigneeID: sc.AssigneeID,
		createdAt: sc.CreatedAt, closedAt: sc.ClosedAt, updatedAt: sc.UserUpdatedAt}
	if c.id == 0 {
		c.id = s.nextConv
		s.nextConv++
	}
	c.number = c.id % 1000000
	if c.typ == "" {
		c.typ = "phone"
	}
	if c.status == "" {
		c.status = "active"
	}
	if c.createdAt.IsZero() {
		c.createdAt = now
	}
	if c.status == "closed" && c.closedAt.IsZero() {
		c.closedAt = now
	}
	if c.updatedAt.IsZero() {
		c.updatedAt = c.createdAt
		// Closing a conversation modifies it, as in Help Scout, so a
		// modifiedSince listing returns it from its closing on.
		if c.closedAt.After(c.updatedAt) {
			c.updatedAt = c.closedAt
		}
	}
	s.setTags(c, sc.Tags)
	for _, t := range sc.Threads {
		if t.ID == 0 {
			t.ID = s.nextThread
			s.nextThread++
		}
		if t.CreatedAt.IsZero() {
			t.CreatedAt = c.createdAt
		}
		c.threads = append(c.threads, t)
	}
	for range sc.PadThreads {
		c.threads = append(c.threads, helpscout.Thread{ID: s.nextThread, Type: "note", Status: c.status, Body: "filler", CreatedAt: c.createdAt})
		s.nextThread++
	}
	s.convs[c.id] = c
	return c.id
}

// SetMergedWritesMoved makes writes to a merged conversation answer 301 to
// the conversation it went into, like GET does, instead of 404. Help Scout
// documents neither answer for writes, so the client is tested under both.
func (s *Server) SetMergedWritesMoved(moved bool) {
	s.mu.Lock()
	s.mergedWritesMoved = moved
	s.mu.Unlock()
}

// MergeConversation merges from into to: GET of from answers 301 to to, writes
// to from answer 404, and from's threads move to to.
func (s *Server) MergeConversation(from, to int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f, ok := s.convs[from]; ok {
		if t, ok := s.convs[to]; ok {
			t.threads = append(t.threads, f.threads...)
		}
		delete(s.convs, from)
	}
	s.merged[from] = to
}

// DeleteCustomer removes a customer, as an agent deleting (or merging away)
// one would: it is no longer found, GET answers 404 and a conversation
// create naming it fails validation.
func (s *Server) DeleteCustomer(id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.customers[id]; ok {
		s.indexCustomerLocked(c, &helpscout.Customer{ID: id})
		delete(s.customers, id)
	}
}

// Customers returns every customer, sorted by id.
func (s *Server) Customers() []helpscout.Customer {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]helpscout.Customer, 0, len(s.customers))
	for _, c := range s.customers {
		cp := *c
		cp.Phones = slices.Clone(c.Phones)
		cp.Emails = slices.Clone(c.Emails)
		out = append(out, cp)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Conversations returns every conversation with all its threads (in creation
// order, oldest first), sorted by id.
func (s *Server) Conversations() []helpscout.Conversation {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]helpscout.Conversation, 0, len(s.convs))
	for _, c := range s.convs {
		out = append(out, s.public(c))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Conversation returns one conversation with its threads (oldest first).
func (s *Server) Conversation(id int64) (helpscout.Conversation, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.convs[id]
	if !ok {
		return helpscout.Conversation{}, false
	}
	return s.public(c), true
}

func (s *Server) public(c *conv) helpscout.Conversation {
	out := helpscout.Conversation{ID: c.id, Number: c.number, Type: c.typ, Status: c.status, State: c.state,
		Subject: c.subject, MailboxID: c.mailboxID, ThreadCount: len(c.threads), Assignee: s.userPerson(c.assigneeID),
		PrimaryCustomer: s.customerPerson(c.customerID), Tags: slices.Clone(c.tags), CreatedAt: c.createdAt,
		ClosedAt: c.closedAt, UserUpdatedAt: c.updatedAt}
	out.Threads = slices.Clone(c.threads)
	return out
}

func (s *Server) userPerson(id int64) *helpscout.Person {
	if id == 0 {
		return nil
	}
	u, ok := s.users[id]
	if !ok {
		return &helpscout.Person{ID: id, Type: "user"}
	}
	return &helpscout.Person{ID: u.ID, Type: "user", First: u.FirstName, Last: u.LastName, Email: u.Email}
}

func (s *Server) customerPerson(id int64) *helpscout.Person {
	if id == 0 {
		return nil
	}
	c, ok := s.customers[id]
	if !ok {
		return &helpscout.Person{ID: id, Type: "customer"}
	}
	p := &helpscout.Person{ID: c.ID, Type: "customer", First: c.FirstName, Last: c.LastName}
	if len(c.Emails) > 0 {
		p.Email = c.Emails[0].Value
	}
	return p
}

func (s *Server) setTags(c *conv, tags []string) {
	c.tags = c.tags[:0]
	for _, t := range tags {
		t = strings.ToLower(strings.TrimSpace(t))
		if t == "" || slices.Contains(c.tags, t) {
			continue
		}
		if _, ok := s.tagIDs[t]; !ok {
			s.tagIDs[t] = int64(4000000 + len(s.tagIDs))
		}
		c.tags = append(c.tags, t)
	}
}

// setStatus changes a conversation's status, stamping closedAt on close.
func (c *conv) setStatus(status string, now time.Time) {
	if status == "open" {
		status = "active"
	}
	if status == "" || status == "all" || status == c.status {
		return
	}
	c.status = status
	if status == "closed" {
		c.closedAt = now
	}
}

func personJSON(p *helpscout.Person) any {
	if p == nil {
		return nil
	}
	m := map[string]any{"id": p.ID, "type": p.Type, "first": p.First, "last": p.Last}
	if p.Email != "" {
		m["email"] = p.Email
	}
	return m
}

func (s *Server) threadJSON(convID int64, t helpscout.Thread) map[string]any {
	m := map[string]any{"id": t.ID, "type": t.Type, "status": t.Status, "state": "published",
		"action": map[string]string{"type": "default"}, "body": t.Body,
		"source": map[string]string{"type": "api", "via": "user"},
		"to":     []string{}, "cc": []string{}, "bcc": []string{}, "createdAt": ts(t.CreatedAt),
		"_embedded": map[string]any{"attachments": []any{}}}
	if t.Customer != nil {
		m["customer"] = personJSON(t.Customer)
	}
	if t.CreatedBy != nil {
		m["createdBy"] = personJSON(t.CreatedBy)
	}
	return m
}

func (s *Server) newestFirst(c *conv) []any {
	th := slices.Clone(c.threads)
	sort.SliceStable(th, func(i, j int) bool {
		if !th[i].CreatedAt.Equal(th[j].CreatedAt) {
			return th[i].CreatedAt.After(th[j].CreatedAt)
		}
		return th[i].ID > th[j].ID
	})
	out := make([]any, 0, len(th))
	for _, t := range th {
		out = append(out, s.threadJSON(c.id, t))
	}
	return out
}

func (s *Server) convJSON(c *conv, embedThreads bool) map[string]any {
	tags := make([]map[string]any, 0, len(c.tags))
	for _, t := range c.tags {
		tags = append(tags, map[string]any{"id": s.tagIDs[t], "color": "#A5B2BD", "tag": t})
	}
	self := fmt.Sprintf("%s/v2/conversations/%d", s.URL(), c.id)
	m := map[string]any{
		"id": c.id, "number": c.number, "threads": len(c.threads), "type": c.typ, "folderId": 1,
		"status": c.status, "state": c.state, "subject": c.subject, "preview": preview(c),
		"mailboxId": c.mailboxID, "createdAt": ts(c.createdAt), "userUpdatedAt": ts(c.updatedAt),
		"source": map[string]string{"type": "api", "via": "user"}, "tags": tags,
		"cc": []string{}, "bcc": []string{}, "customFields": []any{},
		"primaryCustomer": personJSON(s.customerPerson(c.customerID)),
		"createdBy":       personJSON(s.userPerson(c.createdByUser)),
		"_links": map[string]any{
			"self":    map[string]string{"href": self},
			"threads": map[string]string{"href": self + "/threads/"},
			"mailbox": map[string]string{"href": fmt.Sprintf("%s/v2/mailboxes/%d", s.URL(), c.mailboxID)},
			"web":     map[string]string{"href": fmt.Sprintf("https://secure.helpscout.net/conversation/%d/%d", c.id, c.number)},
		},
	}
	if c.assigneeID != 0 {
		m["assignee"] = personJSON(s.userPerson(c.assigneeID))
	}
	if !c.closedAt.IsZero() {
		m["closedAt"] = ts(c.closedAt)
	}
	if embedThreads {
		m["_embedded"] = map[string]any{"threads": s.newestFirst(c)}
	}
	return m
}

func preview(c *conv) string {
	if len(c.threads) == 0 {
		return ""
	}
	b := c.threads[len(c.threads)-1].Body
	if len(b) > 80 {
		b = b[:80]
	}
	return b
}

func (s *Server) customerJSON(c *helpscout.Customer) map[string]any {
	entries := func(es []helpscout.Entry) []map[string]any {
		out := make([]map[string]any, 0, len(es))
		for _, e := range es {
			out = append(out, map[string]any{"id": e.ID, "value": e.Value, "type": e.Type})
		}
		return out
	}
	self := fmt.Sprintf("%s/v2/customers/%d", s.URL(), c.ID)
	m := map[string]any{"id": c.ID, "firstName": c.FirstName, "lastName": c.LastName, "gender": "Unknown",
		"photoType": "default", "createdAt": ts(c.CreatedAt), "updatedAt": ts(c.UpdatedAt), "background": "",
		"_embedded": map[string]any{"emails": entries(c.Emails), "phones": entries(c.Phones),
			"chats": []any{}, "social_profiles": []any{}, "websites": []any{}},
		"_links": map[string]any{"self": map[string]string{"href": self},
			"phones": map[string]string{"href": self + "/phones/"}, "emails": map[string]string{"href": self + "/emails/"}},
	}
	if c.Organization != "" {
		m["organization"] = c.Organization
	}
	if c.JobTitle != "" {
		m["jobTitle"] = c.JobTitle
	}
	return m
}
