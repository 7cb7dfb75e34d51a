package helpscout

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// PageInfo describes one page of a HAL listing as Help Scout numbers it
// (1-based). Help Scout fixes the page size per endpoint (50 customers, 25
// conversations by the current docs, 50 in a 2019 recording), so callers
// must never assume one: they follow TotalPages and the next link.
type PageInfo struct {
	Number, Size, TotalPages, TotalElements int
	// HasNext: the page carried _links.next. Help Scout leaves it out on the
	// last page.
	HasNext bool
	// hasLinks: the page carried _links at all, so a missing next means
	// "last page" and not "links not sent".
	hasLinks bool
}

// Last reports whether no page follows this one: totalPages says so, or
// the page has links but no next one, or it is empty (so a listing always
// ends even if the counters lie).
func (p PageInfo) Last(items int) bool {
	return items == 0 || p.Number >= p.TotalPages || (p.hasLinks && !p.HasNext)
}

// CustomerPage is one page of GET /v2/customers.
type CustomerPage struct {
	PageInfo
	Customers []Customer
}

// ConversationPage is one page of GET /v2/conversations.
type ConversationPage struct {
	PageInfo
	Conversations []Conversation
}

// CustomerQuery holds the documented parameters of GET /v2/customers a
// mirror needs. Only documented parameters exist here on purpose: the
// undocumented phone query stays in FindCustomersByPhone.
type CustomerQuery struct {
	ModifiedSince time.Time // zero = omitted; sent as yyyy-MM-ddTHH:mm:ssZ
	SortField     string    // "" = Help Scout's default (createdAt desc); e.g. "modifiedAt"
	SortOrder     string    // "asc" | "desc" | ""
}

func (q CustomerQuery) values() url.Values {
	v := url.Values{}
	if !q.ModifiedSince.IsZero() {
		v.Set("modifiedSince", FormatTime(q.ModifiedSince))
	}
	if q.SortField != "" {
		v.Set("sortField", q.SortField)
	}
	if q.SortOrder != "" {
		v.Set("sortOrder", q.SortOrder)
	}
	return v
}

// ConversationQuery holds the documented parameters of GET /v2/conversations
// a mirror needs. Status "" is sent as "all", since Help Scout lists only
// active conversations when the parameter is missing.
type ConversationQuery struct {
	MailboxID     int64
	Status        string // "" → "all"; "open" = active + pending
	ModifiedSince time.Time
	SortField     string // e.g. "modifiedAt"
	SortOrder     string
	EmbedThreads  bool // embed=threads (the crash check reads markers this way)
}

func (q ConversationQuery) values() url.Values {
	v := url.Values{}
	if q.MailboxID != 0 {
		v.Set("mailbox", strconv.FormatInt(q.MailboxID, 10))
	}
	status := q.Status
	if status == "" {
		status = "all"
	}
	v.Set("status", status)
	if !q.ModifiedSince.IsZero() {
		v.Set("modifiedSince", FormatTime(q.ModifiedSince))
	}
	if q.SortField != "" {
		v.Set("sortField", q.SortField)
	}
	if q.SortOrder != "" {
		v.Set("sortOrder", q.SortOrder)
	}
	if q.EmbedThreads {
		v.Set("embed", "threads")
	}
	return v
}

type halLinks struct {
	Next *struct {
		Href string `json:"href"`
	} `json:"next"`
}

type halListPage struct {
	Embedded map[string]json.RawMessage `json:"_embedded"`
	Links    *halLinks                  `json:"_links"`
	Page     pageInfo                   `json:"page"`
}

// getPage fetches page n of a listing (filters rebuilt by us, not taken from
// _links.next, which Help Scout has been known to strip of query params) and
// decodes the items under key.
func getPage[T any](ctx context.Context, c *Client, l collection, n int) (PageInfo, []T, error) {
	if n < 1 {
		n = 1
	}
	qq := url.Values{}
	for k, v := range l.query {
		qq[k] = v
	}
	if n > 1 {
		qq.Set("page", strconv.Itoa(n))
	}
	resp, err := c.do(ctx, call{method: "GET", path: l.path, endpoint: l.endpoint, query: qq})
	if err != nil {
		return PageInfo{}, nil, err
	}
	var p halListPage
	if err := json.Unmarshal(resp.body, &p); err != nil {
		return PageInfo{}, nil, fmt.Errorf("helpscout: decode %s page %d: %w", l.endpoint, n, err)
	}
	info := PageInfo{Number: p.Page.Number, Size: p.Page.Size, TotalPages: p.Page.TotalPages,
		TotalElements: p.Page.TotalElements, hasLinks: p.Links != nil, HasNext: p.Links != nil && p.Links.Next != nil}
	if info.Number == 0 {
		info.Number = n
	}
	var items []T
	if raw, ok := p.Embedded[l.key]; ok {
		if err := json.Unmarshal(raw, &items); err != nil {
			return PageInfo{}, nil, fmt.Errorf("helpscout: decode %s page %d: %w", l.endpoint, n, err)
		}
	}
	return info, items, nil
}

// CustomersPage reads page n (1-based) of GET /v2/customers: one rate-limit
// unit for up to 50 customers with their emails and phones embedded. A
// first sync of a large account calls it page by page so that it can stop
// when the budget is spent and resume at the next page after a restart.
func (c *Client) CustomersPage(ctx context.Context, q CustomerQuery, n int) (CustomerPage, error) {
	info, items, err := getPage[customerJSON](ctx, c, list("/v2/customers", q.values(), "customers"), n)
	if err != nil {
		return CustomerPage{}, err
	}
	return CustomerPage{PageInfo: info, Customers: customers(items)}, nil
}

// CustomerPages yields the pages of GET /v2/customers from page from (1 if
// < 1) to the last one; breaking out of the loop stops the requests. The
// first error is yielded once and ends the sequence.
func (c *Client) CustomerPages(ctx context.Context, q CustomerQuery, from int) iter.Seq2[CustomerPage, error] {
	return pages(from, func(n int) (CustomerPage, error) { return c.CustomersPage(ctx, q, n) },
		func(p CustomerPage) bool { return p.Last(len(p.Customers)) })
}

// pages yields the pages get reads from page from (1 if < 1) until last
// says one is the last; the first error is yielded once and ends them.
func pages[P any](from int, get func(n int) (P, error), last func(P) bool) iter.Seq2[P, error] {
	return func(yield func(P, error) bool) {
		for n := max(from, 1); ; n++ {
			p, err := get(n)
			if err != nil {
				var none P
				yield(none, err)
				return
			}
			if !yield(p, nil) || last(p) {
				return
			}
		}
	}
}

// ConversationsPage reads page n (1-based) of GET /v2/conversations: one
// unit for up to 25 conversations (threads only with EmbedThreads).
func (c *Client) ConversationsPage(ctx context.Context, q ConversationQuery, n int) (ConversationPage, error) {
	info, items, err := getPage[conversationJSON](ctx, c, list("/v2/conversations", q.values(), "conversations"), n)
	if err != nil {
		return ConversationPage{}, err
	}
	out := make([]Conversation, 0, len(items))
	for _, j := range items {
		out = append(out, j.conversation())
	}
	return ConversationPage{PageInfo: info, Conversations: out}, nil
}

// ConversationPages yields the pages of GET /v2/conversations from page from
// to the last one, like CustomerPages.
func (c *Client) ConversationPages(ctx context.Context, q ConversationQuery, from int) iter.Seq2[ConversationPage, error] {
	return pages(from, func(n int) (ConversationPage, error) { return c.ConversationsPage(ctx, q, n) },
		func(p ConversationPage) bool { return p.Last(len(p.Conversations)) })
}

// ErrSearchUnavailable: GET /v3/customers/search refused the query with
// 400, 403 or 404 — the endpoint is missing on this account, the account
// owner turned off the "Access the contacts and companies directory"
// permission, or the query syntax is not accepted. The caller falls back to
// another lookup; it is not a reason to fail an item.
var ErrSearchUnavailable = errors.New("helpscout: v3 customer search unavailable")

// MaxSearchQuery is the longest query GET /v3/customers/search accepts.
const MaxSearchQuery = 500

// SearchCustomersV3 runs one GET /v3/customers/search?query=… (one unit) and
// returns the customers of its first page. A 400, 403 or 404 answer wraps
// ErrSearchUnavailable (and the API error). A query over MaxSearchQuery
// characters is refused before any request.
//
// The response is read as a HAL collection under _embedded.customers like
// v2's; Help Scout does not document v3's shape beyond that, and one page is
// all a live check needs.
func (c *Client) SearchCustomersV3(ctx context.Context, query string) ([]Customer, error) {
	if query == "" {
		return nil, errors.New("helpscout: v3 customer search: empty query")
	}
	if len(query) > MaxSearchQuery {
		return nil, fmt.Errorf("helpscout: v3 customer search: query of %d characters is over the %d limit", len(query), MaxSearchQuery)
	}
	_, items, err := getPage[customerJSON](ctx, c, list("/v3/customers/search", url.Values{"query": {query}}, "customers"), 1)
	if err != nil {
		var ae *APIError
		var ve *ValidationError
		switch {
		case errors.As(err, &ve):
			return nil, fmt.Errorf("%w: %w", ErrSearchUnavailable, err)
		case errors.As(err, &ae) && (ae.Status == 400 || ae.Status == 403 || ae.Status == 404):
			return nil, fmt.Errorf("%w: %w", ErrSearchUnavailable, err)
		}
		return nil, err
	}
	return customers(items), nil
}

// FindCustomersByPhoneV3 is the live check for a caller the mirror does not
// know: one v3 search OR-ing the formats an agent may have typed e164 in
// (PhoneQueryVariants), cut to the 500-character limit. Help Scout does not
// document how v3 matches phones, so verify candidates with SamePhone.
func (c *Client) FindCustomersByPhoneV3(ctx context.Context, e164 string) ([]Customer, error) {
	variants, err := PhoneQueryVariants(e164)
	if err != nil {
		return nil, err
	}
	return c.SearchCustomersV3(ctx, phoneSearchV3(variants))
}

// phoneSearchV3 joins phone:"…" clauses with OR, keeping as many variants as
// fit in MaxSearchQuery (the first ones are the likeliest).
func phoneSearchV3(variants []string) string {
	var b strings.Builder
	for _, v := range variants {
		term := `phone:"` + v + `"`
		if b.Len() > 0 {
			term = " OR " + term
		}
		if b.Len()+len(term) > MaxSearchQuery {
			break
		}
		b.WriteString(term)
	}
	return b.String()
}
