package store

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/matryer/is"
)

func TestCustomerItemsNewestFirstWithFacts(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	s, _ := openTemp(t)

	put := func(inst string, kind Kind, id string, cust int64, occ time.Time) {
		t.Helper()
		is.NoErr(s.PutItem(ctx, Item{Instance: inst, Kind: kind, SourceID: id, State: StateLogged,
			OccurredAt: occ, CustomerID: cust, ConversationID: 900}))
	}
	put("default", KindCall, "1", 7, t0)
	put("default", KindMessage, "m1", 7, t0.Add(time.Minute))
	put("other", KindCall, "2", 7, t0.Add(2*time.Minute))
	put("default", KindCall, "3", 8, t0.Add(3*time.Minute)) // another customer
	put("default", KindCall, "4", 0, t0.Add(4*time.Minute)) // no customer
	facts := ItemFacts{Direction: "inbound", CallOutcome: "answered", Duration: 95 * time.Second,
		Agent: "Ana", Line: "Support", TimeZone: "Europe/Paris", ExternalE164: "+33612345678"}
	is.NoErr(s.PutItemFacts(ctx, "default", KindCall, "1", facts))

	got, more, err := s.CustomerItems(ctx, 7, 10)
	is.NoErr(err)
	is.True(!more)
	is.Equal(len(got), 3)
	is.Equal([]string{got[0].SourceID, got[1].SourceID, got[2].SourceID}, []string{"2", "m1", "1"})
	is.Equal(got[2].ItemFacts, facts)
	is.Equal(got[2].ConversationID, int64(900))
	is.Equal(got[2].OccurredAt, t0)
	is.Equal(got[0].ItemFacts, ItemFacts{}) // not filled: empty, not an error

	got, more, err = s.CustomerItems(ctx, 7, 2)
	is.NoErr(err)
	is.True(more)
	is.Equal(len(got), 2)

	for _, c := range []struct {
		cust  int64
		limit int
	}{{0, 10}, {-1, 10}, {7, 0}, {99, 10}} {
		got, more, err := s.CustomerItems(ctx, c.cust, c.limit)
		is.NoErr(err)
		is.Equal(len(got), 0)
		is.True(!more)
	}

	// A later PutItem (enrichment done) keeps the facts.
	it, _, err := s.GetItem(ctx, "default", KindCall, "1")
	is.NoErr(err)
	it.Enrichment = EnrichmentDone
	is.NoErr(s.PutItem(ctx, it))
	got, _, err = s.CustomerItems(ctx, 7, 10)
	is.NoErr(err)
	is.Equal(got[2].ItemFacts, facts)
	is.Equal(got[2].Enrichment, EnrichmentDone)
}

func TestPutItemFactsUnknownItem(t *testing.T) {
	is := is.New(t)
	s, _ := openTemp(t)
	err := s.PutItemFacts(context.Background(), "default", KindCall, "404", ItemFacts{Agent: "x"})
	is.True(err != nil && strings.Contains(err.Error(), "default/call/404: no such item in the ledger"))
	is.True(strings.Contains(err.Error(), "default/call/404"))
	is.True(strings.Contains(err.Error(), "no such item"))
}

func TestLedgerCustomerNumbers(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	s, _ := openTemp(t)
	for i, e := range []string{"+33612345678", "+33612345678", "", "+4915112345678"} {
		id := fmt.Sprint(i)
		is.NoErr(s.PutItem(ctx, Item{Instance: "default", Kind: KindCall, SourceID: id, State: StateLogged, CustomerID: 7}))
		is.NoErr(s.PutItemFacts(ctx, "default", KindCall, id, ItemFacts{ExternalE164: e}))
	}
	is.NoErr(s.PutItem(ctx, Item{Instance: "default", Kind: KindCall, SourceID: "x", State: StateLogged, CustomerID: 8}))
	is.NoErr(s.PutItemFacts(ctx, "default", KindCall, "x", ItemFacts{ExternalE164: "+15550100"}))
	is.NoErr(s.PutCustomerForPhone(ctx, "+12025550143", 7))
	is.NoErr(s.PutCustomerForPhone(ctx, "+4915112345678", 7))

	got, err := s.LedgerCustomerNumbers(ctx, 7)
	is.NoErr(err)
	is.Equal(got, []string{"+12025550143", "+33612345678", "+4915112345678"})

	got, err = s.LedgerCustomerNumbers(ctx, 0)
	is.NoErr(err)
	is.Equal(len(got), 0)
}

// TestSidebarQueriesUseIndexes guards the sidebar's speed: a customer with
// thousands of items must cost an index range, not a ledger scan or a sort.
func TestSidebarQueriesUseIndexes(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	s, _ := openTemp(t)
	plan := func(q string, args ...any) string {
		rows, err := s.r.QueryContext(ctx, "EXPLAIN QUERY PLAN "+q, args...)
		is.NoErr(err)
		defer rows.Close()
		var b strings.Builder
		for rows.Next() {
			var id, parent, notused int
			var detail string
			is.NoErr(rows.Scan(&id, &parent, &notused, &detail))
			b.WriteString(detail + "\n")
		}
		is.NoErr(rows.Err())
		return b.String()
	}
	p := plan(customerItemsQuery, 7, 21)
	is.True(strings.Contains(p, "items_by_customer")) // index range
	is.True(!strings.Contains(p, "TEMP B-TREE"))      // no sort
	p = plan(customerNumbersQuery, 7)
	is.True(strings.Contains(p, "COVERING INDEX items_numbers_by_customer (customer_id=? AND external_e164>?)")) // a seek per number
	p = plan(`SELECT e164 FROM customer_phones WHERE customer_id = ?`, 7)
	is.True(strings.Contains(p, "customer_phones_by_customer"))
}

// TestSidebarMigrationKeepsExistingItems upgrades a ledger written before
// migration 008: its items stay, with empty facts, and are listed by customer.
func TestSidebarMigrationKeepsExistingItems(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	is.NoErr(ensureFile(path))
	db, err := sql.Open("sqlite", dsn(path, false))
	is.NoErr(err)
	old := &Store{path: path, w: db, ws: newStmtCache(db), clock: newClock().Now}
	ms, err := loadMigrations()
	is.NoErr(err)
	var before []migration
	for _, m := range ms {
		if m.version < 8 {
			before = append(before, m)
		}
	}
	is.NoErr(old.applyMigrations(ctx, before))
	_, err = db.Exec(`INSERT INTO items (instance, kind, source_id, state, occurred_at, customer_id, created_at, updated_at)
		VALUES ('default', 'call', '1', 'logged', ?, 7, 1, 1)`, t0.Unix())
	is.NoErr(err)
	old.ws.close()
	is.NoErr(db.Close())

	s, _ := openAt(t, path)
	got, more, err := s.CustomerItems(ctx, 7, 10)
	is.NoErr(err)
	is.True(!more)
	is.Equal(len(got), 1)
	is.Equal(got[0].SourceID, "1")
	is.Equal(got[0].ItemFacts, ItemFacts{})
	is.NoErr(s.PutItemFacts(ctx, "default", KindCall, "1", ItemFacts{Agent: "Ana"}))
}

func TestMirrorCustomerPhones(t *testing.T) {
	is := is.New(t)
	s, clk := openTemp(t)
	ctx := context.Background()
	is.NoErr(s.UpsertMirrorCustomers(ctx, clk.Now(), []MirrorCustomer{
		{ID: 7, Phones: []MirrorPhone{{Raw: "612 34 56 78", E164: "+34612345678"}, {Raw: "ext. 12", E164: ""}}},
		{ID: 8}, // no phone
	}))
	tests := []struct {
		name   string
		id     int64
		phones []MirrorPhone
		found  bool
	}{
		{"every phone as written", 7, []MirrorPhone{{Raw: "612 34 56 78", E164: "+34612345678"}, {Raw: "ext. 12"}}, true},
		{"in the mirror without a phone", 8, nil, true},
		{"not in the mirror", 9, nil, false},
		{"no customer", 0, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			phones, found, err := s.MirrorCustomerPhones(ctx, tt.id)
			is.NoErr(err)
			is.Equal(found, tt.found)
			is.Equal(phones, tt.phones)
		})
	}
}
