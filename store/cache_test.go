package store

import (
	"context"
	"testing"
	"time"

	"github.com/matryer/is"
)

func TestCaches(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	s, _ := openTemp(t)

	// phone -> customer
	_, ok, err := s.CustomerForPhone(ctx, "+16176105413")
	is.NoErr(err)
	is.True(!ok)
	is.NoErr(s.PutCustomerForPhone(ctx, "+16176105413", 10))
	is.NoErr(s.PutCustomerForPhone(ctx, "+16176105413", 11)) // replaced
	id, ok, err := s.CustomerForPhone(ctx, "+16176105413")
	is.NoErr(err)
	is.True(ok)
	is.Equal(id, int64(11))

	// email -> user, case-insensitive, negative results cached too
	is.NoErr(s.PutUserForEmail(ctx, "Agent@Example.com", 5, t0))
	is.NoErr(s.PutUserForEmail(ctx, "nobody@example.com", 0, t0.Add(time.Minute)))
	for _, tc := range []struct {
		email string
		ok    bool
		want  CachedUser
	}{
		{"agent@example.com", true, CachedUser{Email: "agent@example.com", UserID: 5, CheckedAt: t0}},
		{"AGENT@EXAMPLE.COM", true, CachedUser{Email: "agent@example.com", UserID: 5, CheckedAt: t0}},
		{"nobody@example.com", true, CachedUser{Email: "nobody@example.com", UserID: 0, CheckedAt: t0.Add(time.Minute)}},
		{"new@example.com", false, CachedUser{}},
	} {
		got, ok, err := s.UserForEmail(ctx, tc.email)
		is.NoErr(err)
		is.Equal(ok, tc.ok)
		is.Equal(got, tc.want)
	}

	// contact sync
	_, ok, err = s.ContactSyncedAt(ctx, 11)
	is.NoErr(err)
	is.True(!ok)
	is.NoErr(s.PutContactSynced(ctx, 11, t0))
	is.NoErr(s.PutContactSynced(ctx, 11, t0.Add(time.Hour)))
	at, ok, err := s.ContactSyncedAt(ctx, 11)
	is.NoErr(err)
	is.True(ok)
	is.Equal(at, t0.Add(time.Hour))
}

func TestDayConversation(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	s, _ := openTemp(t)

	_, ok, err := s.DayConversation(ctx, "default", 1, "sms", "2026-03-01")
	is.NoErr(err)
	is.True(!ok)

	is.NoErr(s.PutDayConversation(ctx, DayConversation{Instance: "default", CustomerID: 1, Channel: "sms", Day: "2026-03-01", ConversationID: 100, Threads: 1}))
	is.NoErr(s.PutDayConversation(ctx, DayConversation{Instance: "default", CustomerID: 1, Channel: "sms", Day: "2026-03-01", ConversationID: 100, Threads: 98}))
	d, ok, err := s.DayConversation(ctx, "default", 1, "sms", "2026-03-01")
	is.NoErr(err)
	is.True(ok)
	is.Equal(d, DayConversation{Instance: "default", CustomerID: 1, Channel: "sms", Day: "2026-03-01", ConversationID: 100, Threads: 98})

	// Full: a second conversation for the same day becomes the current one.
	is.NoErr(s.PutDayConversation(ctx, DayConversation{Instance: "default", CustomerID: 1, Channel: "sms", Day: "2026-03-01", ConversationID: 200, Threads: 1}))
	// Updating the older one again does not make it current.
	is.NoErr(s.PutDayConversation(ctx, DayConversation{Instance: "default", CustomerID: 1, Channel: "sms", Day: "2026-03-01", ConversationID: 100, Threads: 99}))
	d, _, err = s.DayConversation(ctx, "default", 1, "sms", "2026-03-01")
	is.NoErr(err)
	is.Equal(d.ConversationID, int64(200))

	for _, other := range []DayConversation{
		{Instance: "default", CustomerID: 1, Channel: "whatsapp", Day: "2026-03-01"},
		{Instance: "default", CustomerID: 1, Channel: "sms", Day: "2026-03-02"},
		{Instance: "default", CustomerID: 2, Channel: "sms", Day: "2026-03-01"},
		{Instance: "other", CustomerID: 1, Channel: "sms", Day: "2026-03-01"},
	} {
		_, ok, err := s.DayConversation(ctx, other.Instance, other.CustomerID, other.Channel, other.Day)
		is.NoErr(err)
		is.True(!ok) // every key part matters
	}
}
