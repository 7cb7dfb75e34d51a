package reconciler_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/aircall-helpscout/aircall-helpscout/clients/helpscout"
	"github.com/aircall-helpscout/aircall-helpscout/clients/helpscout/helpscouttest"
	"github.com/aircall-helpscout/aircall-helpscout/reconciler"
	"github.com/aircall-helpscout/aircall-helpscout/rules"
	"github.com/aircall-helpscout/aircall-helpscout/store"
)

// mclock is one settable clock for the fake, the client, the store and the syncer.
type mclock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *mclock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *mclock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}
func (c *mclock) Sleep(ctx context.Context, d time.Duration) error { c.Add(d); return ctx.Err() }

const mirrorMbx = int64(5001)

type mirrorEnv struct {
	srv    *helpscouttest.Server
	clk    *mclock
	hs     *helpscout.Client
	st     *store.Store
	dbPath string
	ctx    context.Context
}

func newMirrorEnv(tb testing.TB) *mirrorEnv {
	tb.Helper()
	srv := helpscouttest.NewServer()
	tb.Cleanup(srv.Close)
	clk := &mclock{t: time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)}
	srv.SetClock(clk.Now)
	srv.AddMailbox(helpscout.Mailbox{ID: mirrorMbx, Name: "Support"})
	hs, err := helpscout.New(helpscout.Config{BaseURL: srv.URL(), AppID: helpscouttest.AppID, AppSecret: helpscouttest.AppSecret,
		RequestsPerMinute: 1 << 20, Timeout: 5 * time.Second, Sleep: clk.Sleep, Now: clk.Now})
	if err != nil {
		tb.Fatal(err)
	}
	e := &mirrorEnv{srv: srv, clk: clk, hs: hs, dbPath: filepath.Join(tb.TempDir(), "m.db"), ctx: context.Background()}
	e.open(tb)
	return e
}

// open (re)opens the store, as a restarted process would.
func (e *mirrorEnv) open(tb testing.TB) {
	tb.Helper()
	if e.st != nil {
		_ = e.st.Close()
	}
	st, err := store.Open(e.ctx, e.dbPath, store.Options{Now: e.clk.Now})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = st.Close() })
	e.st = st
}

func (e *mirrorEnv) syncer(region string) *reconciler.MirrorSyncer {
	return &reconciler.MirrorSyncer{HS: e.hs, Store: e.st, Normalize: rules.NormalizePhone, Region: region,
		Mailboxes: []int64{mirrorMbx}, Now: e.clk.Now, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

// units is the Help Scout rate-limit units the fake charged, without tokens.
func (e *mirrorEnv) units() int { return e.srv.Units() }

func (e *mirrorEnv) byPhone(t *testing.T, e164 string) []int64 {
	t.Helper()
	cs, err := e.st.MirrorCustomersByE164(e.ctx, e164)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, c := range cs {
		ids = append(ids, c.ID)
	}
	return ids
}

func (e *mirrorEnv) convIDs(t *testing.T, customer int64) []int64 {
	t.Helper()
	cs, err := e.st.MirrorConversationsFor(e.ctx, mirrorMbx, customer)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, c := range cs {
		ids = append(ids, c.ID)
	}
	slices.Sort(ids)
	return ids
}

// seedCustomers adds n customers with distinct US numbers, three to a
// second of modification (a bulk import shares seconds), oldest first.
func (e *mirrorEnv) seedCustomers(n int) []int64 {
	base := e.clk.Now().Add(-time.Duration(n) * time.Hour)
	ids := make([]int64, 0, n)
	for i := range n {
		at := base.Add(time.Duration(i/3) * time.Second)
		ids = append(ids, e.srv.AddCustomer(helpscout.Customer{FirstName: fmt.Sprint("C", i), CreatedAt: at, UpdatedAt: at,
			Phones: []helpscout.Entry{{Value: fmt.Sprintf("(617) 555-%04d", i)}}}))
	}
	return ids
}

func TestMirrorFirstSyncResumesAcrossRestart(t *testing.T) {
	is := is.New(t)
	e := newMirrorEnv(t)
	ids := e.seedCustomers(320) // 7 pages of 50

	rep, err := e.syncer("US").Sync(e.ctx, 5) // the budget leaves 5 pages: 2 for the (empty) conversations listings, 3 customers
	is.NoErr(err)
	is.True(!rep.Ready)
	is.True(rep.Exhausted)
	is.Equal(rep.Pages, 5)
	st, ok, err := e.st.MirrorSyncState(e.ctx, reconciler.CustomersMirror)
	is.NoErr(err)
	is.True(ok)
	is.Equal(st.Phase, store.MirrorPhaseFirstSync)
	is.Equal(st.ExpectedTotal, 320)
	is.True(st.SeenTotal >= 150)

	// Meanwhile an agent edits a customer already read and adds one.
	e.clk.Add(time.Minute)
	e.srv.SetCustomerPhones(ids[0], "+1 617 555 9999")
	added := e.srv.AddCustomer(helpscout.Customer{FirstName: "New", Phones: []helpscout.Entry{{Value: "+1 617 555 8888"}}})

	// Restart: new store handle, new syncer; it resumes where it stopped.
	e.open(t)
	before := e.units()
	rep, err = e.syncer("US").Sync(e.ctx, 0)
	is.NoErr(err)
	is.True(rep.Ready)
	is.True(e.units()-before <= 9) // the 4-5 pages left, the refresh, not the whole listing again
	sizes, err := e.st.MirrorSizes(e.ctx)
	is.NoErr(err)
	is.Equal(sizes.Customers, 321)
	is.Equal(e.byPhone(t, "+16175559999"), []int64{ids[0]})
	is.Equal(len(e.byPhone(t, "+16175550000")), 0) // the old number is gone
	is.Equal(e.byPhone(t, "+16175558888"), []int64{added})
	is.Equal(e.byPhone(t, "+16175550319"), []int64{ids[319]})
}

func TestMirrorFollowsHelpScoutChanges(t *testing.T) {
	for _, ignore := range []bool{false, true} {
		t.Run(fmt.Sprintf("undocumented filters ignored=%v", ignore), func(t *testing.T) {
			is := is.New(t)
			e := newMirrorEnv(t)
			e.srv.SetIgnoreUndocumentedFilters(ignore) // the mirrors must not care
			pat := e.srv.AddCustomer(helpscout.Customer{FirstName: "Pat", Phones: []helpscout.Entry{{Value: "(617) 610-5413"}}})
			twin := e.srv.AddCustomer(helpscout.Customer{FirstName: "Twin", Phones: []helpscout.Entry{{Value: "+1 415 555 0100"}}})
			gone := e.srv.AddCustomer(helpscout.Customer{FirstName: "Gone", Phones: []helpscout.Entry{{Value: "+1 415 555 0199"}}})
			e.seedCustomers(60)
			sy := e.syncer("US")
			_, err := sy.Sync(e.ctx, 0)
			is.NoErr(err)
			is.Equal(e.byPhone(t, "+16176105413"), []int64{pat})

			// Idle refresh: one customers page and one conversations page.
			e.clk.Add(5 * time.Minute)
			before := e.units()
			rep, err := sy.Sync(e.ctx, 0)
			is.NoErr(err)
			is.Equal(e.units()-before, 2)
			is.Equal(rep.Pages, 2)

			// Between passes: added, edited, re-formatted, merged, deleted.
			e.clk.Add(5 * time.Minute)
			added := e.srv.AddCustomer(helpscout.Customer{FirstName: "Added", Phones: []helpscout.Entry{{Value: "+1 212 555 0101"}}})
			e.srv.EditCustomer(twin, func(c *helpscout.Customer) { c.LastName = "Renamed" })
			e.srv.SetCustomerPhones(pat, "+1.617.610.5413")
			e.srv.MergeCustomers(twin, pat) // twin's phone now on pat; twin gone
			e.srv.DeleteCustomer(gone)
			_, err = sy.Sync(e.ctx, 0)
			is.NoErr(err)
			is.Equal(e.byPhone(t, "+12125550101"), []int64{added})
			is.Equal(e.byPhone(t, "+16176105413"), []int64{pat}) // re-formatted by an agent, still found
			is.True(slices.Contains(e.byPhone(t, "+14155550100"), pat))
			// Deleted and merged-away customers do not show in modifiedSince
			// listings: they stay until the daily re-list.
			is.True(slices.Contains(e.byPhone(t, "+14155550100"), twin))
			is.Equal(e.byPhone(t, "+14155550199"), []int64{gone})

			e.clk.Add(24 * time.Hour)
			rep, err = sy.Sync(e.ctx, 0)
			is.NoErr(err)
			is.Equal(rep.Removed, 2)
			is.Equal(e.byPhone(t, "+14155550100"), []int64{pat})
			is.Equal(len(e.byPhone(t, "+14155550199")), 0)
			st, _, err := e.st.MirrorSyncState(e.ctx, reconciler.CustomersMirror)
			is.NoErr(err)
			is.Equal(st.Phase, store.MirrorPhaseReady)
			is.Equal(st.LastFullAt, e.clk.Now())
		})
	}
}

func TestMirrorPhoneFormats(t *testing.T) {
	e := newMirrorEnv(t)
	intl := e.srv.AddCustomer(helpscout.Customer{FirstName: "A", Phones: []helpscout.Entry{{Value: "0034 612 34 56 78"}}})
	national := e.srv.AddCustomer(helpscout.Customer{FirstName: "B", Phones: []helpscout.Entry{{Value: "612345678"}}})
	us := e.srv.AddCustomer(helpscout.Customer{FirstName: "C", Phones: []helpscout.Entry{{Value: "+1.617.610.5413"}}})
	junk := e.srv.AddCustomer(helpscout.Customer{FirstName: "D", Phones: []helpscout.Entry{{Value: "call reception"}}})
	_ = junk
	tests := []struct {
		region, e164 string
		want         []int64
	}{
		{"ES", "+34612345678", []int64{intl, national}}, // 00 prefix and national format on a Spanish line
		{"US", "+34612345678", []int64{intl}},           // "612345678" is not Spanish on a US line
		{"US", "+16176105413", []int64{us}},
		{"ES", "+16176105413", []int64{us}},
	}
	for _, tt := range tests {
		t.Run(tt.region+" "+tt.e164, func(t *testing.T) {
			is := is.New(t)
			e.dbPath = filepath.Join(t.TempDir(), "m.db") // a fresh mirror per region
			e.open(t)
			_, err := e.syncer(tt.region).Sync(e.ctx, 0)
			is.NoErr(err)
			is.Equal(e.byPhone(t, tt.e164), tt.want)
		})
	}
}

func TestMirrorConversations(t *testing.T) {
	is := is.New(t)
	e := newMirrorEnv(t)
	e.srv.AddMailbox(helpscout.Mailbox{ID: 6001, Name: "Other"})
	cust := e.srv.AddCustomer(helpscout.Customer{FirstName: "Pat", Phones: []helpscout.Entry{{Value: "+16176105413"}}})
	now := e.clk.Now()
	oldActive := e.srv.AddConversation(helpscouttest.SeedConversation{Subject: "old but open", MailboxID: mirrorMbx, CustomerID: cust,
		CreatedAt: now.Add(-30 * 24 * time.Hour)})
	pending := e.srv.AddConversation(helpscouttest.SeedConversation{Subject: "pending", Status: "pending", MailboxID: mirrorMbx, CustomerID: cust,
		CreatedAt: now.Add(-10 * 24 * time.Hour)})
	recent := e.srv.AddConversation(helpscouttest.SeedConversation{Subject: "closed 1h ago", Status: "closed", MailboxID: mirrorMbx, CustomerID: cust,
		CreatedAt: now.Add(-5 * time.Hour), ClosedAt: now.Add(-time.Hour), UserUpdatedAt: now.Add(-time.Hour)})
	e.srv.AddConversation(helpscouttest.SeedConversation{Subject: "closed 3 days ago", Status: "closed", MailboxID: mirrorMbx, CustomerID: cust,
		CreatedAt: now.Add(-80 * time.Hour), ClosedAt: now.Add(-72 * time.Hour), UserUpdatedAt: now.Add(-72 * time.Hour)})
	e.srv.AddConversation(helpscouttest.SeedConversation{Subject: "spam", Status: "spam", MailboxID: mirrorMbx, CustomerID: cust})
	e.srv.AddConversation(helpscouttest.SeedConversation{Subject: "other mailbox", MailboxID: 6001, CustomerID: cust})
	for i := range 30 { // more than a page of other customers' open conversations
		e.srv.AddConversation(helpscouttest.SeedConversation{Subject: fmt.Sprint("n", i), MailboxID: mirrorMbx, CustomerID: 42,
			CreatedAt: now.Add(-time.Duration(i) * time.Hour)})
	}
	sy := e.syncer("US")
	_, err := sy.Sync(e.ctx, 0)
	is.NoErr(err)
	is.Equal(e.convIDs(t, cust), []int64{oldActive, pending, recent})
	sizes, err := e.st.MirrorSizes(e.ctx)
	is.NoErr(err)
	is.Equal(sizes.Conversations[mirrorMbx], 33)
	for _, r := range e.srv.Requests() {
		if r.Path == "/v2/conversations" {
			is.Equal(r.Query.Get("mailbox"), "5001")
			is.Equal(r.Query.Get("sortField"), "modifiedAt")
		}
	}

	// An agent closes the old one and opens a new one: the refresh follows.
	e.clk.Add(10 * time.Minute)
	e.srv.SetConversationStatus(oldActive, "closed")
	fresh := e.srv.AddConversation(helpscouttest.SeedConversation{Subject: "new", MailboxID: mirrorMbx, CustomerID: cust})
	e.srv.SetConversationStatus(pending, "spam")
	e.srv.ResetRequests()
	_, err = sy.Sync(e.ctx, 0)
	is.NoErr(err)
	is.Equal(e.convIDs(t, cust), []int64{oldActive, recent, fresh}) // closed just now: still pickable; spam dropped
	for _, r := range e.srv.Requests() {
		if r.Path == "/v2/conversations" {
			is.Equal(r.Query.Get("status"), "all")
			is.True(r.Query.Get("modifiedSince") != "")
		}
	}

	// 49 hours later the closed ones aged out of REOPEN_CLOSED's window.
	e.clk.Add(49 * time.Hour)
	_, err = sy.Sync(e.ctx, 0)
	is.NoErr(err)
	is.Equal(e.convIDs(t, cust), []int64{fresh})
}

func TestMirrorSyncFailureKeepsProgress(t *testing.T) {
	is := is.New(t)
	e := newMirrorEnv(t)
	e.seedCustomers(200)
	sy := e.syncer("US")
	_, err := sy.Sync(e.ctx, 4) // conversations, then 2 customer pages
	is.NoErr(err)
	// The third customers page fails (after the client's retries): the
	// error is reported, the pages before it stay, and the next call
	// resumes there and completes.
	e.srv.InjectFault(helpscouttest.Fault{Method: "GET", PathPrefix: "/v2/customers", Status: 503, Count: 40})
	before := e.units()
	_, err = sy.Sync(e.ctx, 0)
	is.True(err != nil)
	st, _, err := e.st.MirrorSyncState(e.ctx, reconciler.CustomersMirror)
	is.NoErr(err)
	is.Equal(st.SeenTotal, 100)
	e.srv.ClearFaults()
	rep, err := sy.Sync(e.ctx, 0)
	is.NoErr(err)
	is.True(rep.Ready)
	sizes, err := e.st.MirrorSizes(e.ctx)
	is.NoErr(err)
	is.Equal(sizes.Customers, 200)
	is.True(e.units()-before < 40+6) // the failed attempts and the 2-3 pages left, not a restart from page 1
}

// BenchmarkMirrorFirstSync counts the Help Scout requests of a first sync of
// 5,000 customers (each modified in its own second, as accounts grown over
// time are) and extrapolates to 100,000 customers at the default budget of
// 200 units a minute, all of it left to the sync.
func BenchmarkMirrorFirstSync(b *testing.B) {
	const n = 5000
	e := newMirrorEnv(b)
	base := e.clk.Now().Add(-n * time.Hour)
	for i := range n {
		at := base.Add(time.Duration(i) * time.Minute)
		e.srv.AddCustomer(helpscout.Customer{FirstName: "C", CreatedAt: at, UpdatedAt: at,
			Phones: []helpscout.Entry{{Value: fmt.Sprintf("+1 617 55%05d", i)}}})
	}
	var units int
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		e.dbPath = filepath.Join(b.TempDir(), fmt.Sprint(i, ".db"))
		e.open(b)
		sy := e.syncer("US")
		sy.Mailboxes = nil // customers only
		before := e.units()
		b.StartTimer()
		rep, err := sy.Sync(e.ctx, 0)
		if err != nil || !rep.Ready {
			b.Fatalf("sync: ready=%v err=%v", rep.Ready, err)
		}
		units += e.units() - before
	}
	perCustomer := float64(units) / float64(b.N) / n
	b.ReportMetric(float64(units)/float64(b.N), "units/5k-customers")
	b.ReportMetric(perCustomer*100000, "units/100k-customers")
	b.ReportMetric(perCustomer*100000/200, "minutes/100k@200/min")
}

// BenchmarkMirrorIdleRefresh counts the Help Scout units of one Sync when
// nothing changed, with one mailbox: one customers page and one
// conversations page is the floor.
func BenchmarkMirrorIdleRefresh(b *testing.B) {
	e := newMirrorEnv(b)
	e.seedCustomers(500)
	for i := range 60 {
		e.srv.AddConversation(helpscouttest.SeedConversation{Subject: "c", MailboxID: mirrorMbx, CustomerID: 1,
			CreatedAt: e.clk.Now().Add(-time.Duration(i) * time.Hour)})
	}
	sy := e.syncer("US")
	if _, err := sy.Sync(e.ctx, 0); err != nil {
		b.Fatal(err)
	}
	before := e.units()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		e.clk.Add(time.Minute) // a pass a minute
		if _, err := sy.Sync(e.ctx, 0); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(e.units()-before)/float64(b.N), "units/pass")
	b.ReportMetric(float64(e.units()-before)/float64(b.N)/float64(len(sy.Mailboxes)), "units/pass/mailbox")
}

// TestMirrorIdleAfterBusySpell: after a busy spell (more conversations
// modified within the overlap than one page holds), idle passes return to
// one page per listing once the overlap has passed, instead of re-reading
// the busy window on every pass until something changes.
func TestMirrorIdleAfterBusySpell(t *testing.T) {
	is := is.New(t)
	e := newMirrorEnv(t)
	e.seedCustomers(10)
	sy := e.syncer("US")
	_, err := sy.Sync(e.ctx, 0)
	is.NoErr(err)

	e.clk.Add(5 * time.Minute)
	for range 40 { // busy: 40 new conversations within a minute
		e.srv.AddConversation(helpscouttest.SeedConversation{Subject: "busy", MailboxID: mirrorMbx, CustomerID: 1})
	}
	_, err = sy.Sync(e.ctx, 0)
	is.NoErr(err)

	idle := func() int {
		e.clk.Add(5 * time.Minute)
		before := e.units()
		_, err := sy.Sync(e.ctx, 0)
		is.NoErr(err)
		return e.units() - before
	}
	for range 3 { // the last refresh's overlap still reaches the busy second
		is.True(idle() > 2)
	}
	for range 3 { // then one customers page + one conversations page
		is.Equal(idle(), 2)
	}
}
