package aircalltest

import (
	"net/http"
	"net/url"
	"strconv"
)

// capBody is the exact 400 Aircall answers past the 10,000-result cap.
const capBody = `{"error":"Bad Request","data":null,"message":"BAD_REQUEST","errors":"Your query is limited to 10k results and pagination is out of bound, please use timestamps or other filters.","troubleshoot":"BAD_REQUEST","success":false}`

// pager is the page/per_page of one list request.
type pager struct{ page, perPage int }

// paging reads page (default 1) and per_page (default 20, clamped to 50)
// and answers the cap 400 when page*per_page > 10000, whatever the total.
func paging(w http.ResponseWriter, r *http.Request) (pager, bool) {
	q := r.URL.Query()
	p := pager{page: 1, perPage: 20}
	if v, err := strconv.Atoi(q.Get("page")); err == nil && v > 0 {
		p.page = v
	}
	if v, err := strconv.Atoi(q.Get("per_page")); err == nil && v > 0 {
		p.perPage = min(v, 50)
	}
	if p.page*p.perPage > 10000 {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(capBody))
		return p, false
	}
	return p, true
}

// slice returns the [start, end) positions of this page among total items.
func (p pager) slice(total int) (int, int) {
	start := min((p.page-1)*p.perPage, total)
	return start, min(start+p.perPage, total)
}

// meta builds Aircall's meta object with full-URL links.
func (p pager) meta(r *http.Request, count, total int) map[string]any {
	link := func(page int) any {
		q := r.URL.Query()
		q.Set("page", strconv.Itoa(page))
		q.Set("per_page", strconv.Itoa(p.perPage))
		u := url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path, RawQuery: q.Encode()}
		return u.String()
	}
	var next, prev any
	if p.page*p.perPage < total {
		next = link(p.page + 1)
	}
	if p.page > 1 {
		prev = link(p.page - 1)
	}
	return map[string]any{
		"count": count, "total": total, "current_page": p.page, "per_page": p.perPage,
		"next_page_link": next, "previous_page_link": prev,
	}
}

// pageOf slices items for a list answer.
func pageOf[T any](items []T, p pager) []T {
	start, end := p.slice(len(items))
	return items[start:end]
}
