package store

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/matryer/is"
)

func TestPutItemUpsertKeepsCreatedAt(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	s, clock := openTemp(t)

	first := item("c1", StateWaiting, t0.Add(-time.Minute))
	first.Outcome = "waiting: not done"
	is.NoErr(s.PutItem(ctx, first))
	created := clock.Now()

	clock.Add(10 * time.Minute)
	second := Item{
		Instance: "default", Kind: KindCall, SourceID: "c1", State: StateLogged,
		Outcome: "new_conversation", Detail: "d", OccurredAt: t0.Add(-time.Minute),
		CustomerID: 1, ConversationID: 2, ThreadID: 3, NoteThreadID: 4,
		Enrichment: EnrichmentPending, Attempts: 2, LastError: "boom",
		CreatedAt: t0.Add(99 * time.Hour), // ignored: set by the store
	}
	is.NoErr(s.PutItem(ctx, second))

	got, ok, err := s.GetItem(ctx, "default", KindCall, "c1")
	is.NoErr(err)
	is.True(ok)
	is.Equal(got.CreatedAt, created)     // kept from first insert
	is.Equal(got.UpdatedAt, clock.Now()) // moved
	second.CreatedAt, second.UpdatedAt = got.CreatedAt, got.UpdatedAt
	is.Equal(got, second) // every field round-trips
	is.True(got.Final())

	_, ok, err = s.GetItem(ctx, "default", KindMessage, "c1")
	is.NoErr(err)
	is.True(!ok) // kind is part of the key
}

func TestPutItemValidates(t *testing.T) {
	is := is.New(t)
	s, _ := openTemp(t)
	for _, tc := range []struct {
		it      Item
		wantErr string
	}{
		{Item{Kind: KindCall, SourceID: "1", State: StateLogged}, "empty instance or source id"},
		{Item{Instance: "a", Kind: KindCall, State: StateLogged}, "empty instance or source id"},
		{Item{Instance: "a", Kind: "fax", SourceID: "1", State: StateLogged}, `unknown kind "fax"`},
		{Item{Instance: "a", Kind: KindCall, SourceID: "1", State: "done"}, `unknown state "done"`},
		{Item{Instance: "a", Kind: KindCall, SourceID: "1", State: StateLogged, Enrichment: "maybe"}, `unknown enrichment "maybe"`},
	} {
		err := s.PutItem(context.Background(), tc.it)
		is.True(err != nil && strings.Contains(err.Error(), tc.wantErr)) // rejected, naming the culprit
	}
}

func TestListItemsFilters(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	s, _ := openTemp(t)

	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	seed := []Item{
		item("b", StateLogged, at(1)),
		item("a", StateLogged, at(1)), // same time: ordered by source id
		item("c", StateFailed, at(2)),
		item("d", StateWaiting, at(3)),
		{Instance: "default", Kind: KindCall, SourceID: "e", State: StateLogged, OccurredAt: at(4), Enrichment: EnrichmentPending},
		{Instance: "default", Kind: KindMessage, SourceID: "m1", State: StateLogged, OccurredAt: at(1)},
		{Instance: "other", Kind: KindCall, SourceID: "x", State: StateFailed, OccurredAt: at(1)},
	}
	is.NoErr(s.PutItems(ctx, seed))

	ids := func(items []Item) []string {
		var out []string
		for _, it := range items {
			out = append(out, it.SourceID)
		}
		return out
	}
	for _, tc := range []struct {
		name string
		f    ItemFilter
		want []string
	}{
		{"all calls", ItemFilter{Instance: "default", Kind: KindCall}, []string{"a", "b", "c", "d", "e"}},
		{"one state", ItemFilter{Instance: "default", Kind: KindCall, States: []State{StateFailed}}, []string{"c"}},
		{"two states", ItemFilter{Instance: "default", Kind: KindCall, States: []State{StateWaiting, StateFailed}}, []string{"c", "d"}},
		{"enrichment", ItemFilter{Instance: "default", Kind: KindCall, Enrichment: EnrichmentPending}, []string{"e"}},
		{"since inclusive", ItemFilter{Instance: "default", Kind: KindCall, Since: at(2)}, []string{"c", "d", "e"}},
		{"until exclusive", ItemFilter{Instance: "default", Kind: KindCall, Until: at(2)}, []string{"a", "b"}},
		{"window", ItemFilter{Instance: "default", Kind: KindCall, Since: at(2), Until: at(4)}, []string{"c", "d"}},
		{"limit", ItemFilter{Instance: "default", Kind: KindCall, Limit: 2}, []string{"a", "b"}},
		{"messages", ItemFilter{Instance: "default", Kind: KindMessage}, []string{"m1"}},
		{"any instance failed", ItemFilter{States: []State{StateFailed}}, []string{"x", "c"}},
		{"none", ItemFilter{Instance: "nobody"}, nil},
		{"any kind failed", ItemFilter{Instance: "default", States: []State{StateFailed}}, []string{"c"}},
		{"any kind logged", ItemFilter{Instance: "default", States: []State{StateLogged}, Until: at(2)}, []string{"a", "b", "m1"}},
	} {
		got, err := s.ListItems(ctx, tc.f)
		is.NoErr(err)
		is.Equal(ids(got), tc.want) // tc.name
	}

	counts, err := s.CountItems(ctx, "default")
	is.NoErr(err)
	is.Equal(counts, map[string]int{
		"call/logged/": 3, "call/failed/": 1, "call/waiting/": 1, "message/logged/": 1,
	})
}

func TestListItemsUsesIndexes(t *testing.T) {
	s, _ := openTemp(t)
	for _, tc := range []struct {
		f     ItemFilter
		index string
	}{
		{ItemFilter{Instance: "a", Kind: KindCall, States: []State{StateFailed, StateWaiting}, Since: t0}, "items_by_state"},
		{ItemFilter{Instance: "a", Kind: KindCall, States: []State{StateLogged}, Enrichment: EnrichmentPending, Limit: 5}, "items_by_enrichment"},
		{ItemFilter{Instance: "a", States: []State{StateFailed, StateParked}, Limit: 20}, "items_by_state"}, // status: any kind
		{ItemFilter{Instance: "a", Enrichment: EnrichmentPending}, "items_by_enrichment"},
	} {
		q, args := itemQuery(tc.f)
		if plan := queryPlan(t, s, q, args...); !strings.Contains(plan, tc.index) {
			t.Errorf("%+v: plan %q does not use %s", tc.f, plan, tc.index)
		}
	}
	if plan := queryPlan(t, s, `SELECT seq FROM inbox WHERE seq > ? ORDER BY seq LIMIT ?`, 5, 10); !strings.Contains(plan, "INTEGER PRIMARY KEY") {
		t.Errorf("inbox plan %q does not use seq", plan)
	}
}

func queryPlan(t *testing.T, s *Store, q string, args ...any) string {
	t.Helper()
	rows, err := s.r.Query(`EXPLAIN QUERY PLAN `+q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			t.Fatal(err)
		}
		out += detail + "\n"
	}
	return out
}
