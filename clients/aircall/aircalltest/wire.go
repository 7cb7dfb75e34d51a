package aircalltest

import (
	"time"

	"github.com/aircall-helpscout/aircall-helpscout/clients/aircall"
)

// The API mixes timestamp formats (aircall.md §4.1, §8): calls carry Unix
// seconds, while users and numbers carry created_at as an ISO string
// ("2026-09-28T10:21:51.000Z"), also when nested in a call. The wire types
// add that field so a client decoding it the wrong way fails here first.

// isoLayout is the format of Aircall's ISO dates.
const isoLayout = "2006-01-02T15:04:05.000Z"

// defaultCreated dates numbers and users the fake was never told about
// (objects only given inline in a seeded call).
var defaultCreated = time.Date(2026, 9, 28, 10, 21, 51, 0, time.UTC)

type wireNumber struct {
	aircall.Number
	CreatedAt string `json:"created_at"`
}

type wireUser struct {
	aircall.User
	CreatedAt string `json:"created_at"`
}

// wireCall shadows the nested number and users of aircall.Call.
type wireCall struct {
	aircall.Call
	Number     *wireNumber `json:"number"`
	User       *wireUser   `json:"user"`
	AssignedTo *wireUser   `json:"assigned_to"`
}

func iso(t time.Time) string { return t.UTC().Format(isoLayout) }

func (s *Server) wireNumberLocked(n *aircall.Number) *wireNumber {
	if n == nil {
		return nil
	}
	at, ok := s.numberAt[n.ID]
	if !ok {
		at = defaultCreated
	}
	return &wireNumber{Number: *n, CreatedAt: iso(at)}
}

func (s *Server) wireUserLocked(u *aircall.User) *wireUser {
	if u == nil {
		return nil
	}
	at, ok := s.userAt[u.ID]
	if !ok {
		at = defaultCreated
	}
	return &wireUser{User: *u, CreatedAt: iso(at)}
}

func (s *Server) wireCallLocked(c aircall.Call) wireCall {
	return wireCall{Call: c, Number: s.wireNumberLocked(c.Number), User: s.wireUserLocked(c.User), AssignedTo: s.wireUserLocked(c.AssignedTo)}
}
