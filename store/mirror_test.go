package store

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/matryer/is"
)

func TestMirrorCustomers(t *testing.T) {
	is := is.New(t)
	s, _ := openTemp(t)
	ctx := context.Background()
	seen1 := t0
	is.NoErr(s.UpsertMirrorCustomers(ctx, seen1, []MirrorCustomer{
		{ID: 1, FirstName: "Pat", Emails: []string{"pat@example.test"}, Company: "Acme", ModifiedAt: t0,
			Phones: []MirrorPhone{{Raw: "(617) 610-5413", E164: "+16176105413"}, {Raw: "ext 12", E164: ""}}},
		{ID: 2, FirstName: "Twin", Phones: []MirrorPhone{{Raw: "+1.617.610.5413", E164: "+16176105413"}}},
		{ID: 3, FirstName: "Ana", Phones: []MirrorPhone{{Raw: "0034 612 34 56 78", E164: "+34612345678"}}},
	}))

	tests := []struct {
		name string
		e164 string
		want []int64
	}{
		{"two customers share a number", "+16176105413", []int64{1, 2}},
		{"one", "+34612345678", []int64{3}},
		{"unknown", "+33612345678", nil},
		{"unparsed phones never match", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			got, err := s.MirrorCustomersByE164(ctx, tt.e164)
			is.NoErr(err)
			var ids []int64
			for _, c := range got {
				ids = append(ids, c.ID)
			}
			is.Equal(ids, tt.want)
		})
	}
	got, err := s.MirrorCustomersByE164(ctx, "+16176105413")
	is.NoErr(err)
	is.Equal(got[0].Emails, []string{"pat@example.test"})
	is.Equal(got[0].Company, "Acme")
	is.Equal(got[0].ModifiedAt, t0)
	is.Equal(len(got[0].Phones), 2) // every phone of the customer, matched or not

	// An agent re-formats customer 1's phone and removes the other: upsert replaces phones.
	seen2 := t0.Add(time.Hour)
	is.NoErr(s.UpsertMirrorCustomers(ctx, seen2, []MirrorCustomer{
		{ID: 1, FirstName: "Pat", Phones: []MirrorPhone{{Raw: "+1 617 610 5413", E164: "+16176105413"}}},
	}))
	got, err = s.MirrorCustomersByE164(ctx, "+16176105413")
	is.NoErr(err)
	is.Equal(got[0].Phones, []MirrorPhone{{Raw: "+1 617 610 5413", E164: "+16176105413"}})

	// Delete by id drops the phones too.
	is.NoErr(s.DeleteMirrorCustomer(ctx, 2))
	got, err = s.MirrorCustomersByE164(ctx, "+16176105413")
	is.NoErr(err)
	is.Equal(len(got), 1)

	// Sweep after a re-list that began at seen2: customer 3 was not seen.
	n, err := s.SweepMirrorCustomers(ctx, seen2)
	is.NoErr(err)
	is.Equal(n, 1)
	sizes, err := s.MirrorSizes(ctx)
	is.NoErr(err)
	is.Equal(sizes.Customers, 1)
	is.Equal(sizes.Phones, 1)
}

func TestMirrorCustomersBatchIsAtomic(t *testing.T) {
	is := is.New(t)
	s, _ := openTemp(t)
	ctx := context.Background()
	err := s.UpsertMirrorCustomers(ctx, t0, []MirrorCustomer{{ID: 1, Phones: []MirrorPhone{{Raw: "1", E164: "+1"}}}, {ID: 0}})
	is.True(err != nil && strings.Contains(err.Error(), "customer without id")) // the id-less customer fails the batch...
	sizes, err := s.MirrorSizes(ctx)
	is.NoErr(err)
	is.Equal(sizes.Customers, 0) // ...and nothing of it was kept: the page is read again
}

func TestMirrorConversations(t *testing.T) {
	is := is.New(t)
	s, _ := openTemp(t)
	ctx := context.Background()
	const mbx, other = int64(5001), int64(6001)
	is.NoErr(s.UpsertMirrorConversations(ctx, t0, []MirrorConversation{
		{MailboxID: mbx, ID: 10, CustomerID: 1, Status: "active", Tags: []string{"vip"}, ModifiedAt: t0.Add(-time.Hour)},
		{MailboxID: mbx, ID: 11, CustomerID: 1, Status: "closed", ClosedAt: t0.Add(-time.Hour), ModifiedAt: t0},
		{MailboxID: mbx, ID: 12, CustomerID: 1, Status: "closed", ClosedAt: t0.Add(-72 * time.Hour), ModifiedAt: t0.Add(-72 * time.Hour)},
		{MailboxID: mbx, ID: 13, CustomerID: 2, Status: "spam", ModifiedAt: t0},
		{MailboxID: other, ID: 20, CustomerID: 1, Status: "active", ModifiedAt: t0},
	}))
	got, err := s.MirrorConversationsFor(ctx, mbx, 1)
	is.NoErr(err)
	is.Equal(len(got), 3)
	is.Equal(got[0].ID, int64(11)) // most recently modified first
	is.Equal(got[1].Tags, []string{"vip"})

	n, err := s.PruneMirrorConversations(ctx, mbx, t0.Add(-48*time.Hour))
	is.NoErr(err)
	is.Equal(n, 2) // closed 72 h ago, and spam
	got, err = s.MirrorConversationsFor(ctx, mbx, 1)
	is.NoErr(err)
	is.Equal(len(got), 2)

	// Moved to the other mailbox: it leaves the first.
	is.NoErr(s.UpsertMirrorConversations(ctx, t0.Add(time.Hour), []MirrorConversation{
		{MailboxID: other, ID: 10, CustomerID: 1, Status: "active", ModifiedAt: t0.Add(time.Hour)},
	}))
	got, err = s.MirrorConversationsFor(ctx, mbx, 1)
	is.NoErr(err)
	is.Equal(len(got), 1)

	// Sweep of the other mailbox after a re-list begun at t0+1h: 20 not seen.
	n, err = s.SweepMirrorConversations(ctx, other, t0.Add(time.Hour))
	is.NoErr(err)
	is.Equal(n, 1)
	is.NoErr(s.DeleteMirrorConversation(ctx, 11))
	sizes, err := s.MirrorSizes(ctx)
	is.NoErr(err)
	is.Equal(sizes.Conversations, map[int64]int{other: 1})
}

func TestMirrorSyncState(t *testing.T) {
	is := is.New(t)
	s, _ := openTemp(t)
	ctx := context.Background()
	_, ok, err := s.MirrorSyncState(ctx, "customers")
	is.NoErr(err)
	is.True(!ok)
	want := MirrorSync{Name: "customers", Phase: MirrorPhaseFirstSync, Page: 37, Cursor: t0.Add(-time.Hour), SeenTotal: 1800,
		ExpectedTotal: 100000, HighWater: t0, ListingStartedAt: t0.Add(-time.Minute), LastRefreshAt: t0}
	is.NoErr(s.PutMirrorSyncState(ctx, want))
	got, ok, err := s.MirrorSyncState(ctx, "customers")
	is.NoErr(err)
	is.True(ok)
	want.UpdatedAt = t0
	is.Equal(got, want)
	all, err := s.MirrorSyncStates(ctx)
	is.NoErr(err)
	is.Equal(all, []MirrorSync{want})
	is.True(s.PutMirrorSyncState(ctx, MirrorSync{}) != nil)
}

// TestMirrorConversationAssignee: the assignee is kept when a listing or one
// of our writes knows it; a write that does not know it keeps what the row
// knew; a row that never learnt it says so.
func TestMirrorConversationAssignee(t *testing.T) {
	is := is.New(t)
	s, clk := openTemp(t)
	ctx := context.Background()
	conv := func(id, assignee int64, known bool) MirrorConversation {
		return MirrorConversation{MailboxID: 1, ID: id, CustomerID: 5, Status: "active", ModifiedAt: clk.Now(),
			AssigneeID: assignee, AssigneeKnown: known}
	}
	is.NoErr(s.UpsertMirrorConversations(ctx, clk.Now(), []MirrorConversation{conv(10, 7, true), conv(11, 0, true), conv(12, 0, false)}))
	is.NoErr(s.UpsertMirrorConversations(ctx, clk.Now(), []MirrorConversation{conv(10, 0, false)})) // a write not knowing it
	clk.Add(time.Minute)
	is.NoErr(s.TouchMirrorConversation(ctx, 11, clk.Now(), 9, true))  // a thread added, then assigned to 9
	is.NoErr(s.TouchMirrorConversation(ctx, 12, clk.Now(), 0, false)) // a thread added
	is.NoErr(s.TouchMirrorConversation(ctx, 99, clk.Now(), 9, true))  // not mirrored: stays out

	got, err := s.MirrorConversationsFor(ctx, 1, 5)
	is.NoErr(err)
	type view struct {
		id, assignee int64
		known        bool
		modified     time.Time
	}
	var views []view
	for _, c := range got {
		views = append(views, view{c.ID, c.AssigneeID, c.AssigneeKnown, c.ModifiedAt})
	}
	is.Equal(views, []view{
		{12, 0, false, clk.Now()}, // touched: most recent first
		{11, 9, true, clk.Now()},
		{10, 7, true, clk.Now().Add(-time.Minute)},
	})
	sizes, err := s.MirrorSizes(ctx)
	is.NoErr(err)
	is.Equal(sizes.Conversations[1], 3)
}
