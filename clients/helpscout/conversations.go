package helpscout

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
)

type tagJSON struct {
	ID    int64  `json:"id"`
	Color string `json:"color"`
	Tag   string `json:"tag"`
}

type threadJSON struct {
	ID        int64   `json:"id"`
	Type      string  `json:"type"`
	Status    string  `json:"status"`
	Body      string  `json:"body"`
	CreatedAt hsTime  `json:"createdAt"`
	CreatedBy *Person `json:"createdBy"`
	Customer  *Person `json:"customer"`
}

func (j threadJSON) thread() Thread {
	return Thread{ID: j.ID, Type: j.Type, Status: j.Status, Body: j.Body, CreatedAt: j.CreatedAt.Time, CreatedBy: j.CreatedBy, Customer: j.Customer}
}

type conversationJSON struct {
	ID              int64     `json:"id"`
	Number          int64     `json:"number"`
	Threads         int       `json:"threads"`
	Type            string    `json:"type"`
	Status          string    `json:"status"`
	State           string    `json:"state"`
	Subject         string    `json:"subject"`
	MailboxID       int64     `json:"mailboxId"`
	Assignee        *Person   `json:"assignee"`
	PrimaryCustomer *Person   `json:"primaryCustomer"`
	Tags            []tagJSON `json:"tags"`
	CreatedAt       hsTime    `json:"createdAt"`
	ClosedAt        hsTime    `json:"closedAt"`
	UserUpdatedAt   hsTime    `json:"userUpdatedAt"`
	Embedded        struct {
		Threads []threadJSON `json:"threads"`
	} `json:"_embedded"`
}

func (j conversationJSON) conversation() Conversation {
	c := Conversation{
		ID: j.ID, Number: j.Number, Type: j.Type, Status: j.Status, State: j.State, Subject: j.Subject,
		MailboxID: j.MailboxID, ThreadCount: j.Threads, Assignee: j.Assignee, PrimaryCustomer: j.PrimaryCustomer,
		CreatedAt: j.CreatedAt.Time, ClosedAt: j.ClosedAt.Time, UserUpdatedAt: j.UserUpdatedAt.Time,
	}
	if c.Assignee != nil && c.Assignee.ID == 0 {
		c.Assignee = nil
	}
	for _, t := range j.Tags {
		c.Tags = append(c.Tags, t.Tag)
	}
	for _, t := range j.Embedded.Threads {
		c.Threads = append(c.Threads, t.thread())
	}
	return c
}

// ListConversations lists conversations page by page up to page.totalPages.
func (c *Client) ListConversations(ctx context.Context, f ConversationFilter) ([]Conversation, error) {
	q := ConversationQuery{MailboxID: f.MailboxID, Status: f.Status, SortField: f.SortField, SortOrder: f.SortOrder,
		EmbedThreads: f.EmbedThreads}.values()
	if f.Tag != "" {
		q.Set("tag", f.Tag)
	}
	query := f.Query
	if f.CustomerID != 0 {
		cq := fmt.Sprintf("(customerIds:%d)", f.CustomerID)
		if query == "" {
			query = cq
		} else {
			query = cq + " AND (" + query + ")"
		}
	}
	if query != "" {
		q.Set("query", query)
	}
	items, err := listAll[conversationJSON](ctx, c, list("/v2/conversations", q, "conversations"), f.MaxPages)
	if err != nil {
		return nil, err
	}
	out := make([]Conversation, 0, len(items))
	for _, j := range items {
		out = append(out, j.conversation())
	}
	return out, nil
}

// GetConversation returns a conversation with its threads embedded. A merged
// conversation answers *MovedError; an unknown one ErrNotFound.
func (c *Client) GetConversation(ctx context.Context, id int64) (Conversation, error) {
	var j conversationJSON
	q := url.Values{"embed": {"threads"}}
	if err := c.getJSON(ctx, fmt.Sprintf("/v2/conversations/%d", id), "/v2/conversations/:id", q, &j); err != nil {
		return Conversation{}, err
	}
	return j.conversation(), nil
}

// ListThreads returns every thread of a conversation, newest first as the API sends them.
func (c *Client) ListThreads(ctx context.Context, conversationID int64) ([]Thread, error) {
	path := fmt.Sprintf("/v2/conversations/%d/threads", conversationID)
	items, err := listAll[threadJSON](ctx, c, collection{path: path, endpoint: "/v2/conversations/:id/threads", key: "threads"}, 0)
	if err != nil {
		return nil, err
	}
	out := make([]Thread, 0, len(items))
	for _, j := range items {
		out = append(out, j.thread())
	}
	return out, nil
}

type newThreadJSON struct {
	Type      string       `json:"type,omitempty"`
	Text      string       `json:"text"`
	Customer  *CustomerRef `json:"customer,omitempty"`
	User      int64        `json:"user,omitempty"`
	Imported  bool         `json:"imported,omitempty"`
	CreatedAt string       `json:"createdAt,omitempty"`
	Status    string       `json:"status,omitempty"`
}

func threadBody(t NewThread, withType bool) newThreadJSON {
	j := newThreadJSON{Text: t.Text, Customer: t.Customer, User: t.User, Imported: t.Imported,
		CreatedAt: FormatTime(t.CreatedAt), Status: t.Status}
	if withType {
		j.Type = t.Type
	}
	return j
}

type newConversationJSON struct {
	Subject   string          `json:"subject"`
	Type      string          `json:"type"`
	MailboxID int64           `json:"mailboxId"`
	Status    string          `json:"status"`
	Customer  CustomerRef     `json:"customer"`
	AssignTo  *int64          `json:"assignTo"` // null = unassigned, never omitted
	Tags      []string        `json:"tags,omitempty"`
	Imported  bool            `json:"imported,omitempty"`
	CreatedAt string          `json:"createdAt,omitempty"`
	ClosedAt  string          `json:"closedAt,omitempty"`
	User      int64           `json:"user,omitempty"`
	Threads   []newThreadJSON `json:"threads"`
}

// CreateConversation creates a conversation with its threads inline and returns
// its id (Resource-ID, else Location). AssignTo 0 is sent as null (unassigned).
func (c *Client) CreateConversation(ctx context.Context, in NewConversation) (int64, error) {
	body := newConversationJSON{
		Subject: in.Subject, Type: in.Type, MailboxID: in.MailboxID, Status: in.Status, Customer: in.Customer,
		Tags: in.Tags, Imported: in.Imported, CreatedAt: FormatTime(in.CreatedAt), ClosedAt: FormatTime(in.ClosedAt),
		User: in.User, Threads: []newThreadJSON{},
	}
	if in.AssignTo != 0 {
		body.AssignTo = &in.AssignTo
	}
	for _, t := range in.Threads {
		body.Threads = append(body.Threads, threadBody(t, true))
	}
	resp, err := c.do(ctx, call{method: http.MethodPost, path: "/v2/conversations", endpoint: "/v2/conversations", body: body})
	if err != nil {
		return 0, err
	}
	id := createdID(resp.header)
	if id == 0 {
		return 0, fmt.Errorf("helpscout: POST /v2/conversations: no Resource-ID or Location in the answer")
	}
	return id, nil
}

var threadPaths = map[string]string{
	"phone": "phones", "note": "notes", "customer": "customer", "chat": "chats", "reply": "reply",
}

// CreateThread adds a thread of in.Type to a conversation. It returns 0 and no
// error when Help Scout does not say the new thread's id.
func (c *Client) CreateThread(ctx context.Context, conversationID int64, in NewThread) (int64, error) {
	seg, ok := threadPaths[in.Type]
	if !ok {
		return 0, fmt.Errorf("helpscout: unknown thread type %q", in.Type)
	}
	resp, err := c.do(ctx, call{
		method:   http.MethodPost,
		path:     fmt.Sprintf("/v2/conversations/%d/%s", conversationID, seg),
		endpoint: "/v2/conversations/:id/" + seg,
		body:     threadBody(in, false),
	})
	if err != nil {
		return 0, err
	}
	return createdID(resp.header), nil
}

// UpdateConversation sends one PATCH operation.
func (c *Client) UpdateConversation(ctx context.Context, id int64, p Patch) error {
	_, err := c.do(ctx, call{method: http.MethodPatch, path: fmt.Sprintf("/v2/conversations/%d", id),
		endpoint: "/v2/conversations/:id", body: p})
	return err
}

// SetStatus replaces the status (active, pending, closed, spam).
func (c *Client) SetStatus(ctx context.Context, id int64, status string) error {
	return c.UpdateConversation(ctx, id, Patch{Op: "replace", Path: "/status", Value: status})
}

// Assign makes userID the assignee.
func (c *Client) Assign(ctx context.Context, id int64, userID int64) error {
	return c.UpdateConversation(ctx, id, Patch{Op: "replace", Path: "/assignTo", Value: userID})
}

// Unassign removes the assignee.
func (c *Client) Unassign(ctx context.Context, id int64) error {
	return c.UpdateConversation(ctx, id, Patch{Op: "remove", Path: "/assignTo"})
}

// AddTags merges tags into the conversation's tags. PUT replaces the whole set,
// so it reads first and skips the write when nothing is new. Not atomic: a tag
// an agent adds between the GET and the PUT is lost.
func (c *Client) AddTags(ctx context.Context, id int64, tags ...string) error {
	var j conversationJSON
	if err := c.getJSON(ctx, fmt.Sprintf("/v2/conversations/%d", id), "/v2/conversations/:id", nil, &j); err != nil {
		return err
	}
	merged := make([]string, 0, len(j.Tags)+len(tags))
	for _, t := range j.Tags {
		merged = append(merged, t.Tag)
	}
	changed := false
	for _, t := range tags {
		if t != "" && !slices.Contains(merged, t) {
			merged = append(merged, t)
			changed = true
		}
	}
	if !changed {
		return nil
	}
	_, err := c.do(ctx, call{method: http.MethodPut, path: fmt.Sprintf("/v2/conversations/%d/tags", id),
		endpoint: "/v2/conversations/:id/tags", body: map[string][]string{"tags": merged}})
	return err
}
