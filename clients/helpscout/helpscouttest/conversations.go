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

const (
	threadLimit      = 99  // adding a thread to a conversation with this many → 412
	createThreadsMax = 100 // creating with more → 412
)

var (
	convStatuses   = []string{"active", "pending", "closed"}
	patchStatuses  = []string{"active", "pending", "closed", "spam"}
	threadStatuses = []string{"active", "all", "closed", "open", "pending", "spam"}
	convTypes      = []string{"email", "chat", "phone"}
	threadTypes    = []string{"customer", "reply", "note", "phone", "chat"}
	kindToType     = map[string]string{"phones": "phone", "notes": "note", "customer": "customer", "chats": "chat", "reply": "reply"}
)

type custIn struct {
	ID        flexInt `json:"id"`
	Email     string  `json:"email"`
	FirstName string  `json:"firstName"`
	LastName  string  `json:"lastName"`
	Phone     string  `json:"phone"`
}

type threadIn struct {
	Type      string  `json:"type"`
	Text      string  `json:"text"`
	Customer  *custIn `json:"customer"`
	User      flexInt `json:"user"`
	Imported  bool    `json:"imported"`
	CreatedAt string  `json:"createdAt"`
	Status    string  `json:"status"`
}

type convIn struct {
	Subject   string     `json:"subject"`
	Type      string     `json:"type"`
	MailboxID flexInt    `json:"mailboxId"`
	Status    string     `json:"status"`
	Customer  *custIn    `json:"customer"`
	AssignTo  *flexInt   `json:"assignTo"`
	Tags      []string   `json:"tags"`
	Imported  bool       `json:"imported"`
	CreatedAt string     `json:"createdAt"`
	ClosedAt  string     `json:"closedAt"`
	User      flexInt    `json:"user"`
	Threads   []threadIn `json:"threads"`
}

func badTS(path, v string) fieldErr {
	return fieldErr{path: path, msg: "Invalid date format, expected yyyy-MM-dd'T'HH:mm:ss'Z'", rejected: v, code: "InvalidDate"}
}

func enumErr(path, v string, allowed []string) fieldErr {
	return fieldErr{path: path, msg: "Expected one of these: '" + strings.Join(allowed, "', '") + "'", rejected: v, code: "Enum"}
}

// resolveCustomer finds the customer by id or email, creating one for an
// unknown email like Help Scout does. Caller holds s.mu.
func (s *Server) resolveCustomer(in *custIn, path string) (int64, *fieldErr) {
	if in == nil || (in.ID == 0 && in.Email == "") {
		return 0, &fieldErr{path: path, msg: "may not be null", code: "NotNull"}
	}
	if in.ID != 0 {
		if _, ok := s.customers[int64(in.ID)]; !ok {
			return 0, &fieldErr{path: path + ".id", msg: "Invalid identifier", rejected: int64(in.ID), code: "InvalidId"}
		}
		return int64(in.ID), nil
	}
	for _, c := range s.customers {
		for _, e := range c.Emails {
			if strings.EqualFold(e.Value, in.Email) {
				return c.ID, nil
			}
		}
	}
	c := helpscout.Customer{FirstName: in.FirstName, LastName: in.LastName, Emails: []helpscout.Entry{{Value: in.Email}}}
	if in.Phone != "" {
		c.Phones = []helpscout.Entry{{Value: in.Phone}}
	}
	return s.addCustomerLocked(c), nil
}

// validateThread checks one thread body; prefix is "" or "threads[i].".
func validateThread(t threadIn, prefix string, needType bool) []fieldErr {
	var errs []fieldErr
	if needType && !slices.Contains(threadTypes, t.Type) {
		errs = append(errs, enumErr(prefix+"type", t.Type, threadTypes))
	}
	if strings.TrimSpace(t.Text) == "" {
		errs = append(errs, fieldErr{path: prefix + "text", msg: "may not be empty", code: "NotEmpty"})
	}
	if t.CreatedAt != "" {
		if _, ok := parseTS(t.CreatedAt); !ok {
			errs = append(errs, badTS(prefix+"createdAt", t.CreatedAt))
		}
	}
	if t.Status != "" && !slices.Contains(threadStatuses, t.Status) {
		errs = append(errs, enumErr(prefix+"status", t.Status, threadStatuses))
	}
	return errs
}

// newThread builds a stored thread. Caller holds s.mu.
func (s *Server) newThread(t threadIn, custID int64, status string, now time.Time) helpscout.Thread {
	th := helpscout.Thread{ID: s.nextThread, Type: t.Type, Status: status, Body: t.Text, CreatedAt: now}
	s.nextThread++
	if ts, ok := parseTS(t.CreatedAt); ok {
		th.CreatedAt = ts
	}
	if custID != 0 {
		th.Customer = s.customerPerson(custID)
	}
	switch {
	case t.User != 0:
		th.CreatedBy = s.userPerson(int64(t.User))
	case t.Type == "note" || t.Type == "reply":
		th.CreatedBy = s.userPerson(s.ownerID())
	default:
		th.CreatedBy = th.Customer
	}
	return th
}

// ownerID is the user the token acts as: the lowest user id, or 1.
func (s *Server) ownerID() int64 {
	var id int64
	for u := range s.users {
		if id == 0 || u < id {
			id = u
		}
	}
	if id == 0 {
		return 1
	}
	return id
}

func (s *Server) createConversation(w http.ResponseWriter, r *http.Request) {
	var in convIn
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		s.writeVnd(w, http.StatusBadRequest, "Bad request", fieldErr{path: "", msg: "Malformed JSON: " + err.Error()})
		return
	}
	if len(in.Threads) > createThreadsMax {
		s.writeVnd(w, http.StatusPreconditionFailed, "Conversation cannot have more than 100 threads")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []fieldErr
	if strings.TrimSpace(in.Subject) == "" {
		errs = append(errs, fieldErr{path: "subject", msg: "may not be empty", code: "NotEmpty"})
	}
	if in.MailboxID == 0 {
		errs = append(errs, fieldErr{path: "mailboxId", msg: "may not be null", code: "NotNull"})
	} else if _, ok := s.mailboxes[int64(in.MailboxID)]; !ok {
		errs = append(errs, fieldErr{path: "mailboxId", msg: "Invalid identifier", rejected: int64(in.MailboxID), code: "InvalidId"})
	}
	if !slices.Contains(convTypes, in.Type) {
		errs = append(errs, enumErr("type", in.Type, convTypes))
	}
	if !slices.Contains(convStatuses, in.Status) {
		errs = append(errs, enumErr("status", in.Status, convStatuses))
	}
	if in.AssignTo != nil && *in.AssignTo != 0 {
		if _, ok := s.users[int64(*in.AssignTo)]; !ok {
			errs = append(errs, fieldErr{path: "assignTo", msg: "Invalid identifier", rejected: int64(*in.AssignTo), code: "InvalidId"})
		}
	}
	for _, f := range []struct{ path, v string }{{"createdAt", in.CreatedAt}, {"closedAt", in.ClosedAt}} {
		if f.v != "" {
			if _, ok := parseTS(f.v); !ok {
				errs = append(errs, badTS(f.path, f.v))
			}
		}
	}
	if len(in.Threads) == 0 {
		errs = append(errs, fieldErr{path: "threads", msg: "may not be empty", code: "NotEmpty"})
	}
	for i, t := range in.Threads {
		errs = append(errs, validateThread(t, fmt.Sprintf("threads[%d].", i), true)...)
	}
	var custID int64
	if len(errs) == 0 { // only create a customer for an otherwise valid body
		id, ferr := s.resolveCustomer(in.Customer, "customer")
		if ferr != nil {
			errs = append(errs, *ferr)
		}
		custID = id
	} else if in.Customer == nil || (in.Customer.ID == 0 && in.Customer.Email == "") {
		errs = append(errs, fieldErr{path: "customer", msg: "may not be null", code: "NotNull"})
	}
	if len(errs) > 0 {
		s.mu.Unlock()
		s.writeVnd(w, http.StatusBadRequest, "Validation error", errs...)
		s.mu.Lock()
		return
	}
	now := s.now().UTC().Truncate(time.Second)
	c := &conv{id: s.nextConv, typ: in.Type, status: in.Status, state: "published", subject: in.Subject,
		mailboxID: int64(in.MailboxID), customerID: custID, createdAt: now, updatedAt: now, createdByUser: int64(in.User)}
	s.nextConv++
	c.number = c.id % 1000000
	if c.createdByUser == 0 {
		c.createdByUser = s.ownerID()
	}
	if t, ok := parseTS(in.CreatedAt); ok {
		c.createdAt = t
	}
	if in.AssignTo != nil {
		c.assigneeID = int64(*in.AssignTo)
	}
	if c.status == "closed" {
		c.closedAt = now
		if t, ok := parseTS(in.ClosedAt); ok {
			c.closedAt = t
		}
	}
	s.setTags(c, in.Tags)
	for _, t := range in.Threads {
		tc := custID
		if t.Customer != nil && t.Customer.ID != 0 {
			tc = int64(t.Customer.ID)
		}
		c.threads = append(c.threads, s.newThread(t, tc, c.status, c.createdAt))
	}
	s.convs[c.id] = c
	writeCreated(w, c.id, fmt.Sprintf("%s/v2/conversations/%d", s.URL(), c.id))
}

// lookupConv finds a live conversation; unknown ids answer 404, merged ones
// 404 or, with SetMergedWritesMoved, 301 to the conversation they went into.
// Caller holds s.mu; it unlocks around the error answer.
func (s *Server) lookupConv(w http.ResponseWriter, r *http.Request) (*conv, bool) {
	id, _ := pathID(r)
	c, ok := s.convs[id]
	if to, merged := s.merged[id]; !ok && merged && s.mergedWritesMoved {
		s.mu.Unlock()
		w.Header().Set("Location", fmt.Sprintf("%s/v2/conversations/%d", s.URL(), to))
		w.WriteHeader(http.StatusMovedPermanently)
		s.mu.Lock()
		return nil, false
	}
	if !ok {
		s.mu.Unlock()
		s.notFound(w)
		s.mu.Lock()
	}
	return c, ok
}

func (s *Server) getConversation(w http.ResponseWriter, r *http.Request) {
	id, _ := pathID(r)
	s.mu.Lock()
	if to, ok := s.merged[id]; ok {
		s.mu.Unlock()
		w.Header().Set("Location", fmt.Sprintf("%s/v2/conversations/%d", s.URL(), to))
		w.WriteHeader(http.StatusMovedPermanently)
		return
	}
	c, ok := s.lookupConv(w, r)
	if !ok {
		s.mu.Unlock()
		return
	}
	body := s.convJSON(c, r.URL.Query().Get("embed") == "threads")
	s.mu.Unlock()
	writeHAL(w, body)
}

func (s *Server) listThreads(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	c, ok := s.lookupConv(w, r)
	if !ok {
		s.mu.Unlock()
		return
	}
	items := s.newestFirst(c)
	s.mu.Unlock()
	s.writePage(w, r, "threads", items)
}

func (s *Server) createThread(w http.ResponseWriter, r *http.Request) {
	typ, ok := kindToType[r.PathValue("kind")]
	if !ok {
		s.notFound(w)
		return
	}
	var in threadIn
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		s.writeVnd(w, http.StatusBadRequest, "Bad request", fieldErr{path: "", msg: "Malformed JSON: " + err.Error()})
		return
	}
	in.Type = typ
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.lookupConv(w, r)
	if !ok {
		return
	}
	errs := validateThread(in, "", false)
	var custID int64
	if typ != "note" {
		id, ferr := s.resolveCustomer(in.Customer, "customer")
		if ferr != nil {
			errs = append(errs, *ferr)
		}
		custID = id
	} else if in.Customer != nil && in.Customer.ID != 0 {
		custID = int64(in.Customer.ID)
	}
	if len(errs) > 0 {
		s.mu.Unlock()
		s.writeVnd(w, http.StatusBadRequest, "Validation error", errs...)
		s.mu.Lock()
		return
	}
	if len(c.threads) >= threadLimit {
		s.mu.Unlock()
		s.writeVnd(w, http.StatusPreconditionFailed, "Conversation has reached the maximum number of threads")
		s.mu.Lock()
		return
	}
	now := s.now().UTC().Truncate(time.Second)
	if custID == 0 {
		custID = c.customerID
	}
	// Status effects documented per thread type.
	switch {
	case typ == "customer" && !in.Imported:
		c.setStatus("active", now)
	case (typ == "note" || typ == "reply") && in.Status != "":
		c.setStatus(in.Status, now)
	case typ == "reply" && !in.Imported:
		c.setStatus("active", now)
	}
	th := s.newThread(in, custID, c.status, now)
	c.threads = append(c.threads, th)
	c.updatedAt = now
	var id int64
	if !s.omitThreadIDs {
		id = th.ID
	}
	writeCreated(w, id, "")
}

func (s *Server) patchConversation(w http.ResponseWriter, r *http.Request) {
	var p struct {
		Op    string          `json:"op"`
		Path  string          `json:"path"`
		Value json.RawMessage `json:"value"`
	}
	if err := json.NewDecoder(r.Body).Decode(&p); err != nil {
		s.writeVnd(w, http.StatusBadRequest, "Bad request", fieldErr{path: "", msg: "expected one {op,path,value} object: " + err.Error()})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.lookupConv(w, r)
	if !ok {
		return
	}
	bad := func(e fieldErr) {
		s.mu.Unlock()
		s.writeVnd(w, http.StatusBadRequest, "Validation error", e)
		s.mu.Lock()
	}
	now := s.now().UTC().Truncate(time.Second)
	var str string
	var num flexInt
	switch {
	case p.Op == "replace" && p.Path == "/status":
		if json.Unmarshal(p.Value, &str) != nil || !slices.Contains(patchStatuses, str) {
			bad(enumErr("value", string(p.Value), patchStatuses))
			return
		}
		c.setStatus(str, now)
	case p.Op == "replace" && p.Path == "/assignTo":
		if json.Unmarshal(p.Value, &num) != nil || s.users[int64(num)].ID == 0 {
			bad(fieldErr{path: "value", msg: "Invalid identifier", rejected: string(p.Value), code: "InvalidId"})
			return
		}
		c.assigneeID = int64(num)
	case p.Op == "remove" && p.Path == "/assignTo":
		c.assigneeID = 0
	case p.Op == "replace" && p.Path == "/subject":
		if json.Unmarshal(p.Value, &str) != nil || strings.TrimSpace(str) == "" {
			bad(fieldErr{path: "value", msg: "may not be empty", code: "NotEmpty"})
			return
		}
		c.subject = str
	case p.Op == "replace" && p.Path == "/primaryCustomer.id":
		if json.Unmarshal(p.Value, &num) != nil || s.customers[int64(num)] == nil {
			bad(fieldErr{path: "value", msg: "Invalid identifier", rejected: string(p.Value), code: "InvalidId"})
			return
		}
		c.customerID = int64(num)
	default:
		bad(fieldErr{path: "path", msg: "unsupported operation " + p.Op + " " + p.Path, rejected: p.Path})
		return
	}
	c.updatedAt = now
	writeNoContent(w)
}

func (s *Server) putTags(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Tags *[]string `json:"tags"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Tags == nil {
		s.writeVnd(w, http.StatusBadRequest, "Validation error", fieldErr{path: "tags", msg: "may not be null", code: "NotNull"})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.lookupConv(w, r)
	if !ok {
		return
	}
	s.setTags(c, *in.Tags)
	c.updatedAt = s.now().UTC().Truncate(time.Second)
	writeNoContent(w)
}

func (s *Server) listConversations(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var query *node
	if raw := q.Get("query"); raw != "" {
		n, err := parseQuery(raw)
		if err != nil {
			s.writeVnd(w, http.StatusBadRequest, "Bad request", fieldErr{path: "query", msg: err.Error(), rejected: raw})
			return
		}
		query = n
	}
	status := q.Get("status")
	if status == "" {
		status = "active" // Help Scout's default
	}
	var mailboxes, tags []string
	if v := q.Get("mailbox"); v != "" {
		mailboxes = strings.Split(v, ",")
	}
	if v := q.Get("tag"); v != "" {
		tags = strings.Split(strings.ToLower(v), ",")
	}
	var since time.Time
	if v := q.Get("modifiedSince"); v != "" {
		t, ok := parseTS(v)
		if !ok {
			s.writeVnd(w, http.StatusBadRequest, "Bad request", badTS("modifiedSince", v))
			return
		}
		since = t
	}
	s.mu.Lock()
	var list []*conv
	for _, c := range s.convs {
		switch {
		case status == "all":
		case status == "open":
			if c.status != "active" && c.status != "pending" {
				continue
			}
		case c.status != status:
			continue
		}
		if mailboxes != nil && !slices.Contains(mailboxes, strconv.FormatInt(c.mailboxID, 10)) {
			continue
		}
		if tags != nil && !slices.ContainsFunc(tags, func(t string) bool { return slices.Contains(c.tags, t) }) {
			continue
		}
		if v := q.Get("assigned_to"); v != "" && v != strconv.FormatInt(c.assigneeID, 10) {
			continue
		}
		if !since.IsZero() && c.updatedAt.Before(since) {
			continue
		}
		if query != nil && !query.match(func(f, v string) bool {
			if s.ignoreUndocumented && strings.EqualFold(f, "customerIds") {
				return true // the undocumented customer filter, ignored
			}
			return convMatches(c, f, v)
		}) {
			continue
		}
		list = append(list, c)
	}
	field, asc := q.Get("sortField"), q.Get("sortOrder") == "asc"
	sort.Slice(list, func(i, j int) bool {
		a, b := list[i], list[j]
		var less, eq bool
		switch field {
		case "createdAt":
			less, eq = a.createdAt.Before(b.createdAt), a.createdAt.Equal(b.createdAt)
		case "number":
			less, eq = a.number < b.number, a.number == b.number
		default: // modifiedAt
			less, eq = a.updatedAt.Before(b.updatedAt), a.updatedAt.Equal(b.updatedAt)
		}
		if eq {
			less = a.id < b.id
		}
		if asc {
			return less
		}
		return !less
	})
	embed := q.Get("embed") == "threads"
	s.mu.Unlock()
	s.writePageSized(w, r, "conversations", conversationPageSize, len(list), func(lo, hi int) []any {
		s.mu.Lock()
		defer s.mu.Unlock()
		items := make([]any, 0, hi-lo)
		for _, c := range list[lo:hi] {
			items = append(items, s.convJSON(c, embed))
		}
		return items
	})
}

// convMatches implements the query fields the reconciler may use.
func convMatches(c *conv, field, value string) bool {
	switch strings.ToLower(field) {
	case "customerids":
		return strconv.FormatInt(c.customerID, 10) == value
	case "tag":
		return slices.Contains(c.tags, strings.ToLower(value))
	case "subject":
		return strings.Contains(strings.ToLower(c.subject), strings.ToLower(value))
	case "number":
		return strconv.FormatInt(c.number, 10) == value
	case "id":
		return strconv.FormatInt(c.id, 10) == value
	case "mailboxid":
		return strconv.FormatInt(c.mailboxID, 10) == value
	case "status":
		return c.status == value
	case "body":
		for _, t := range c.threads {
			if strings.Contains(t.Body, value) {
				return true
			}
		}
	}
	return false
}
