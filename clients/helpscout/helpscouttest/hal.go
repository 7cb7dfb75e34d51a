package helpscouttest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Page sizes Help Scout uses (fixed, no parameter): 50 for every list but
// conversations, which come 25 a page.
const (
	pageSize             = 50
	conversationPageSize = 25
)

func writeJSON(w http.ResponseWriter, status int, contentType string, v any) {
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeHAL(w http.ResponseWriter, v any) {
	writeJSON(w, http.StatusOK, "application/hal+json;charset=UTF-8", v)
}

// writeCreated answers a create like Help Scout: 201, empty text/plain body,
// Resource-ID and (for top-level resources) Location.
func writeCreated(w http.ResponseWriter, id int64, location string) {
	w.Header().Set("Content-Type", "text/plain; charset=UTF-8")
	if id != 0 {
		w.Header().Set("Resource-ID", strconv.FormatInt(id, 10))
	}
	if location != "" {
		w.Header().Set("Location", location)
	}
	w.WriteHeader(http.StatusCreated)
}

func writeNoContent(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/plain; charset=UTF-8")
	w.WriteHeader(http.StatusNoContent)
}

type fieldErr struct {
	path, msg string
	rejected  any
	code      string
}

// writeVnd answers 400 application/vnd.error+json naming each bad field.
func (s *Server) writeVnd(w http.ResponseWriter, status int, message string, errs ...fieldErr) {
	s.mu.Lock()
	s.logSeq++
	ref := fmt.Sprintf("fake-%d#%d", status, s.logSeq)
	s.mu.Unlock()
	items := make([]map[string]any, 0, len(errs))
	for _, e := range errs {
		code := e.code
		if code == "" {
			code = "Invalid"
		}
		it := map[string]any{"path": e.path, "message": e.msg, "source": "JSON",
			"_links": map[string]any{"about": map[string]string{"href": "http://developer.helpscout.net/mailbox-api/overview/errors#" + code}}}
		if e.rejected != nil {
			it["rejectedValue"] = e.rejected
		}
		items = append(items, it)
	}
	body := map[string]any{"logRef": ref, "message": message,
		"_links": map[string]any{"about": map[string]string{"href": "http://developer.helpscout.net/mailbox-api/overview/errors"}}}
	if len(items) > 0 {
		body["_embedded"] = map[string]any{"errors": items}
	}
	writeJSON(w, status, "application/vnd.error+json", body)
}

func (s *Server) notFound(w http.ResponseWriter) {
	s.writeVnd(w, http.StatusNotFound, "Resource not found")
}

// writePage answers one HAL page of items (already filtered and sorted).
func (s *Server) writePage(w http.ResponseWriter, r *http.Request, key string, items []any) {
	s.writePageFunc(w, r, key, len(items), func(lo, hi int) []any { return items[lo:hi] })
}

// writePageFunc renders one page of pageSize items; see writePageSized.
func (s *Server) writePageFunc(w http.ResponseWriter, r *http.Request, key string, total int, render func(lo, hi int) []any) {
	s.writePageSized(w, r, key, pageSize, total, render)
}

// writePageSized renders only the requested page; render is called without
// s.mu. Like Help Scout: page.number is 1-based, totalPages is 0 for an empty
// list, and the last page carries no next link.
func (s *Server) writePageSized(w http.ResponseWriter, r *http.Request, key string, pageSize, total int, render func(lo, hi int) []any) {
	page := 1
	if p, err := strconv.Atoi(r.URL.Query().Get("page")); err == nil && p > 0 {
		page = p
	}
	pages := (total + pageSize - 1) / pageSize
	lo := min((page-1)*pageSize, total)
	hi := min(lo+pageSize, total)
	link := func(p int) map[string]string {
		q := r.URL.Query()
		q.Set("page", strconv.Itoa(p))
		return map[string]string{"href": s.URL() + r.URL.Path + "?" + q.Encode()}
	}
	self := map[string]string{"href": s.URL() + r.URL.RequestURI()}
	links := map[string]any{"self": self, "first": link(1), "last": link(max(pages, 1)),
		"page": map[string]any{"href": s.URL() + r.URL.Path + "{?page}", "templated": true}}
	if page < pages {
		links["next"] = link(page + 1)
	}
	if page > 1 {
		links["previous"] = link(page - 1)
	}
	writeHAL(w, map[string]any{
		"_embedded": map[string]any{key: render(lo, hi)},
		"_links":    links,
		"page":      map[string]int{"size": pageSize, "totalElements": total, "totalPages": pages, "number": page},
	})
}

func ts(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format("2006-01-02T15:04:05Z")
}

// parseTS accepts only yyyy-MM-ddTHH:mm:ssZ, like Help Scout.
func parseTS(s string) (time.Time, bool) {
	if len(s) != len("2006-01-02T15:04:05Z") || !strings.HasSuffix(s, "Z") {
		return time.Time{}, false
	}
	t, err := time.Parse("2006-01-02T15:04:05Z", s)
	return t, err == nil
}

// flexInt decodes ids sent as numbers or numeric strings (the recorded
// create sent "mailboxId":"150001").
type flexInt int64

func (f *flexInt) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	var n int64
	if err := json.Unmarshal(b, &n); err == nil {
		*f = flexInt(n)
		return nil
	}
	var str string
	if err := json.Unmarshal(b, &str); err != nil {
		return fmt.Errorf("not a number: %s", b)
	}
	n, err := strconv.ParseInt(str, 10, 64)
	if err != nil {
		return fmt.Errorf("not a number: %q", str)
	}
	*f = flexInt(n)
	return nil
}

func digitsOf(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func pathID(r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return id, err == nil
}
