package aircalltest

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/aircall-helpscout/aircall-helpscout/clients/aircall"
)

// AddCall stores c by ID (replacing any call with that ID). Number, user
// and contact objects are kept as given. Cheap enough to seed 50,000 calls.
func (s *Server) AddCall(c aircall.Call) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.calls[c.ID]; !ok || old.StartedAt != c.StartedAt {
		s.dirty = true
	}
	s.calls[c.ID] = c
}

// AddCalls stores many calls at once.
func (s *Server) AddCalls(cs ...aircall.Call) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range cs {
		s.calls[c.ID] = c
	}
	s.dirty = true
}

// UpdateCall changes a stored call in place (answered → done, tags and
// comments added later, ...); unknown IDs are ignored (see Call).
func (s *Server) UpdateCall(id int64, f func(*aircall.Call)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.calls[id]
	if !ok {
		return
	}
	started := c.StartedAt
	f(&c)
	c.ID = id
	if c.StartedAt != started {
		s.dirty = true
	}
	s.calls[id] = c
}

// Call returns a stored call.
func (s *Server) Call(id int64) (aircall.Call, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.calls[id]
	return c, ok
}

// sortedLocked returns the calls' keys by (started_at, id), sorting only
// after a change.
func (s *Server) sortedLocked() []callKey {
	if s.dirty || len(s.order) != len(s.calls) {
		s.order = s.order[:0]
		for id, c := range s.calls {
			s.order = append(s.order, callKey{c.StartedAt, id})
		}
		slices.SortFunc(s.order, func(a, b callKey) int {
			if a.started != b.started {
				return cmp64(a.started, b.started)
			}
			return cmp64(a.id, b.id)
		})
		s.dirty = false
	}
	return s.order
}

func cmp64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// withContact applies fetch_contact: Aircall adds the contact to a call only
// when asked with fetch_contact=true (documented for list and search). The
// fake applies the same rule to GET /v1/calls/:id, where the docs are
// silent, so that a client relying on call.Contact must ask for it.
func withContact(c aircall.Call, q url.Values) aircall.Call {
	if q.Get("fetch_contact") != "true" {
		c.Contact = nil
	}
	return c
}

// listCalls serves GET /v1/calls: from is exclusive and to inclusive on
// started_at, both optional Unix seconds; contacts only with fetch_contact=true.
func (s *Server) listCalls(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	from, to, ok := bound(w, q.Get("from"), q.Get("to"))
	if !ok {
		return
	}
	pg, ok := paging(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	keys := s.sortedLocked()
	lo, _ := slices.BinarySearchFunc(keys, from, func(k callKey, t int64) int {
		if k.started <= t {
			return -1
		}
		return 1
	})
	hi, _ := slices.BinarySearchFunc(keys, to, func(k callKey, t int64) int {
		if k.started <= t {
			return -1
		}
		return 1
	})
	total := max(hi-lo, 0) // to before from: nothing, not a negative total
	start, end := pg.slice(total)
	out := make([]wireCall, 0, end-start)
	for i := start; i < end; i++ {
		k := keys[lo+i]
		if q.Get("order") == "desc" {
			k = keys[hi-1-i]
		}
		out = append(out, s.wireCallLocked(withContact(s.calls[k.id], q)))
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"calls": out, "meta": pg.meta(r, len(out), total)})
}

// bound parses from/to; missing bounds are open.
func bound(w http.ResponseWriter, fromS, toS string) (int64, int64, bool) {
	from, to := int64(-1<<62), int64(1<<62)
	var err error
	if fromS != "" {
		if from, err = strconv.ParseInt(fromS, 10, 64); err != nil {
			writeError(w, http.StatusBadRequest, "Bad Request", "from must be a UNIX timestamp")
			return 0, 0, false
		}
	}
	if toS != "" {
		if to, err = strconv.ParseInt(toS, 10, 64); err != nil {
			writeError(w, http.StatusBadRequest, "Bad Request", "to must be a UNIX timestamp")
			return 0, 0, false
		}
	}
	return from, to, true
}

func (s *Server) getCall(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	c, found := s.calls[id]
	wc := s.wireCallLocked(withContact(c, r.URL.Query()))
	s.mu.Unlock()
	if !found {
		writeError(w, http.StatusNotFound, "Not Found", "Call not found")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"call": wc})
}

func pathID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		writeError(w, http.StatusNotFound, "Not Found", "Not found")
		return 0, false
	}
	return id, true
}
