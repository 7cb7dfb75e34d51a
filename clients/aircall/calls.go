package aircall

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

const (
	perPage = 50
	// pageCap is Aircall's limit on page*per_page: asking past it is a 400
	// even when the result set is empty.
	pageCap = 10000
	// splitAt is the meta.total above which a window is split before paging.
	// It sits under the cap to leave room for calls that arrive between the
	// first page and the last (Rulebase's exporter uses the same margin).
	splitAt = 9000
)

// meta is Aircall's pagination object.
type meta struct {
	Count        int    `json:"count"`
	Total        int    `json:"total"`
	CurrentPage  int    `json:"current_page"`
	PerPage      int    `json:"per_page"`
	NextPageLink string `json:"next_page_link"`
}

type callsPage struct {
	Calls []Call `json:"calls"`
	Meta  meta   `json:"meta"`
}

// window is a (from, to] range of started_at in Unix seconds.
type window struct{ from, to int64 }

func (c *Client) callsPage(ctx context.Context, w window, page, size int) (callsPage, error) {
	q := url.Values{}
	q.Set("from", strconv.FormatInt(w.from, 10))
	q.Set("to", strconv.FormatInt(w.to, 10))
	q.Set("order", "asc")
	q.Set("per_page", strconv.Itoa(size))
	q.Set("page", strconv.Itoa(page))
	// Without it a listed call carries no contact, and callers use
	// call.Contact to update the caller's Aircall contact in place.
	q.Set("fetch_contact", "true")
	var p callsPage
	err := c.do(ctx, request{method: http.MethodGet, path: "/v1/calls", endpoint: "/v1/calls", query: q}, &p)
	return p, err
}

// ListCalls yields every call with from < started_at <= to (Unix seconds;
// sub-second parts of from/to are truncated), ascending by started_at, each
// exactly once, splitting windows so that no request asks for
// page*per_page > 10000. It stops at the first error (yielded with a zero
// Call). Pages are fetched lazily, so memory stays flat.
//
// Page 1 of each window doubles as the meta.total probe: a window whose
// total reaches splitAt is cut into equal time slices (about 5,000 calls
// each if calls are spread evenly) and each slice is probed the same way,
// so the split costs one request and nothing depends on the order in which
// Aircall sorts calls that share a second.
func (c *Client) ListCalls(ctx context.Context, from, to time.Time) iter.Seq2[Call, error] {
	return func(yield func(Call, error) bool) {
		stack := []window{{from.Unix(), to.Unix()}}
		for len(stack) > 0 {
			w := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if w.to <= w.from {
				continue
			}
			more, cont := c.listWindow(ctx, w, yield)
			if !cont {
				return
			}
			// Push in reverse so the earliest slice is read first.
			for i := len(more) - 1; i >= 0; i-- {
				stack = append(stack, more[i])
			}
		}
	}
}

// listWindow pages through w, or returns the slices w must be split into.
// cont is false when the caller should stop (error yielded or consumer done).
func (c *Client) listWindow(ctx context.Context, w window, yield func(Call, error) bool) (split []window, cont bool) {
	// seen holds the IDs of the previous page: a call that started inside
	// the window while we paged shifts later calls by one position, and
	// this keeps the shifted call from being yielded twice.
	var seen, next map[int64]bool
	// atLast holds the IDs yielded at second last, for the cap fallback.
	last, atLast := w.from, map[int64]bool{}
	for page := 1; ; page++ {
		if page*perPage > pageCap {
			// Only reachable when the window grew past the cap after its
			// probe. Continue from the last started_at with a fresh window;
			// calls of that second already yielded are in atLast.
			if last-1 <= w.from {
				yield(Call{}, fmt.Errorf("aircall: list calls (%d, %d]: %w", w.from, w.to, ErrPageCap))
				return nil, false
			}
			return nil, c.resume(ctx, window{last - 1, w.to}, atLast, yield)
		}
		p, err := c.callsPage(ctx, w, page, perPage)
		if err != nil {
			yield(Call{}, fmt.Errorf("aircall: list calls (%d, %d] page %d: %w", w.from, w.to, page, err))
			return nil, false
		}
		if page == 1 && p.Meta.Total >= splitAt && w.to-w.from > 1 {
			return splitWindow(w, p.Meta.Total), true
		}
		next = make(map[int64]bool, len(p.Calls))
		for _, call := range p.Calls {
			next[call.ID] = true
			if seen[call.ID] {
				continue
			}
			if call.StartedAt > last {
				last, atLast = call.StartedAt, map[int64]bool{}
			}
			atLast[call.ID] = true
			if !yield(call, nil) {
				return nil, false
			}
		}
		seen = next
		if len(p.Calls) < perPage || p.Meta.NextPageLink == "" {
			return nil, true
		}
	}
}

// resume reads (w.from, w.to] skipping IDs already yielded; used only after
// the page cap was hit inside a window. It assumes Aircall's order=asc is on
// started_at, which holds for every source we have; the window-splitting
// path above does not need that assumption.
func (c *Client) resume(ctx context.Context, w window, skip map[int64]bool, yield func(Call, error) bool) bool {
	for call, err := range c.ListCalls(ctx, time.Unix(w.from, 0), time.Unix(w.to, 0)) {
		if err != nil {
			yield(Call{}, err)
			return false
		}
		if skip[call.ID] {
			continue
		}
		if !yield(call, nil) {
			return false
		}
	}
	return true
}

// splitWindow cuts w into enough equal slices that each would hold about
// 5,000 calls if they were spread evenly; uneven slices get split again.
func splitWindow(w window, total int) []window {
	n := int64(total/5000 + 1)
	span := w.to - w.from
	if n > span {
		n = span
	}
	if n < 2 {
		n = 2
	}
	out := make([]window, 0, n)
	from := w.from
	for i := int64(1); i <= n; i++ {
		to := w.from + span*i/n
		if i == n {
			to = w.to
		}
		if to > from {
			out = append(out, window{from, to})
		}
		from = to
	}
	return out
}

// CountCalls returns meta.total for (from, to] with a per_page=1 probe,
// for progress bars. Splitting does not matter here: the cap limits pages,
// not the total.
func (c *Client) CountCalls(ctx context.Context, from, to time.Time) (int, error) {
	p, err := c.callsPage(ctx, window{from.Unix(), to.Unix()}, 1, 1)
	if err != nil {
		return 0, fmt.Errorf("aircall: count calls: %w", err)
	}
	return p.Meta.Total, nil
}

// GetCall fetches one call fresh (late tags, comments, new recording URLs),
// with its contact. fetch_contact is documented for the list and search
// endpoints only; it is sent here too because a missing contact would make
// the caller create a second Aircall contact for the number, while an
// ignored query parameter costs nothing.
func (c *Client) GetCall(ctx context.Context, id int64) (Call, error) {
	var out struct {
		Call Call `json:"call"`
	}
	q := url.Values{"fetch_contact": {"true"}}
	err := c.do(ctx, request{method: http.MethodGet, path: "/v1/calls/" + strconv.FormatInt(id, 10), endpoint: "/v1/calls/:id", query: q}, &out)
	if err != nil {
		return Call{}, err
	}
	return out.Call, nil
}
