package aircalltest

import (
	"maps"
	"net/http"
	"slices"

	"github.com/aircall-helpscout/aircall-helpscout/clients/aircall"
)

// AddNumber stores an Aircall line by ID.
func (s *Server) AddNumber(n aircall.Number) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.numbers[n.ID] = n
	if _, ok := s.numberAt[n.ID]; !ok {
		s.numberAt[n.ID] = s.clock()
	}
}

// AddUser stores an agent by ID.
func (s *Server) AddUser(u aircall.User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[u.ID] = u
	if _, ok := s.userAt[u.ID]; !ok {
		s.userAt[u.ID] = s.clock()
	}
}

// byID returns a map's values ordered by key.
func byID[T any](m map[int64]T) []T {
	out := make([]T, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, m[k])
	}
	return out
}

func (s *Server) listNumbers(w http.ResponseWriter, r *http.Request) {
	pg, ok := paging(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	all := byID(s.numbers)
	items := make([]wireNumber, 0, pg.perPage)
	for _, n := range pageOf(all, pg) {
		items = append(items, *s.wireNumberLocked(&n))
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"numbers": items, "meta": pg.meta(r, len(items), len(all))})
}

func (s *Server) getNumber(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	n, found := s.numbers[id]
	wn := s.wireNumberLocked(&n)
	s.mu.Unlock()
	if !found {
		writeError(w, http.StatusNotFound, "Not Found", "Number not found")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"number": wn})
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) {
	pg, ok := paging(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	all := byID(s.users)
	items := make([]wireUser, 0, pg.perPage)
	for _, u := range pageOf(all, pg) {
		items = append(items, *s.wireUserLocked(&u))
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"users": items, "meta": pg.meta(r, len(items), len(all))})
}

func (s *Server) getUser(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	u, found := s.users[id]
	wu := s.wireUserLocked(&u)
	s.mu.Unlock()
	if !found {
		writeError(w, http.StatusNotFound, "Not Found", "User not found")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"user": wu})
}
