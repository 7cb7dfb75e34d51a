package aircall_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aircall-helpscout/aircall-helpscout/clients/aircall"
	"github.com/matryer/is"
)

func TestListCallsBounds(t *testing.T) {
	clk := newClock()
	srv, c := newFake(t, clk, nil)
	for _, s := range []int64{100, 101, 150, 200, 201} {
		srv.AddCall(aircall.Call{ID: s, StartedAt: s})
	}
	tests := []struct {
		name     string
		from, to time.Time
		want     []int64
	}{
		{"from exclusive, to inclusive", time.Unix(100, 0), time.Unix(200, 0), []int64{101, 150, 200}},
		{"sub-second parts truncated", time.Unix(100, 900e6), time.Unix(200, 900e6), []int64{101, 150, 200}},
		{"empty window", time.Unix(150, 0), time.Unix(150, 0), nil},
		{"reversed window", time.Unix(200, 0), time.Unix(100, 0), nil},
		{"everything", time.Unix(0, 0), time.Unix(1000, 0), []int64{100, 101, 150, 200, 201}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			var got []int64
			for _, call := range collect(t, c, tt.from, tt.to) {
				got = append(got, call.ID)
			}
			is.Equal(got, tt.want)
		})
	}
}

// TestListCalls25k reads 25,000 calls (three per second, so page edges fall
// inside seconds) completely, once each, with no request past the cap.
func TestListCalls25k(t *testing.T) {
	is := is.New(t)
	clk := newClock()
	srv, c := newFake(t, clk, nil)
	base := int64(1_790_000_000)
	last := seedCalls(srv, 1, 25_000, base, 3)
	seedCalls(srv, 100_000, 10, base-100, 1) // before the range
	seedCalls(srv, 200_000, 10, last, 1)     // after the range

	got := collect(t, c, time.Unix(base, 0), time.Unix(last, 0))
	is.Equal(len(got), 25_000)
	checkOnceAscending(t, got)
	checkNoPastCap(t, srv)
	q := srv.Requests()[0].Query
	is.Equal(q.Get("per_page"), "50")
	is.Equal(q.Get("order"), "asc")
	reqs := len(srv.Requests())
	t.Logf("25,000 calls in %d requests", reqs)
	is.True(reqs <= 25_000/50+15) // pages plus a few split probes
}

// TestListCallsDenseBursts: 12,000 calls in two seconds force splits down
// to one-second windows; still everything once and never past the cap.
func TestListCallsDenseBursts(t *testing.T) {
	is := is.New(t)
	clk := newClock()
	srv, c := newFake(t, clk, nil)
	base := int64(1_790_000_000)
	seedCalls(srv, 1, 2_000, base-10_000, 1)
	last := seedCalls(srv, 10_000, 12_000, base, 6_000)
	got := collect(t, c, time.Unix(base-20_000, 0), time.Unix(last+5, 0))
	is.Equal(len(got), 14_000)
	checkOnceAscending(t, got)
	checkNoPastCap(t, srv)
}

// TestListCallsUnsplittable: 10,050 calls in one second cannot be read
// under the cap; the iterator says so instead of looping or asking page 202.
func TestListCallsUnsplittable(t *testing.T) {
	is := is.New(t)
	clk := newClock()
	srv, c := newFake(t, clk, nil)
	base := int64(1_790_000_000)
	seedCalls(srv, 1, 10_050, base, 20_000)
	var n int
	var gotErr error
	for _, err := range c.ListCalls(context.Background(), time.Unix(base, 0), time.Unix(base+1, 0)) {
		if err != nil {
			gotErr = err
			break
		}
		n++
	}
	is.True(errors.Is(gotErr, aircall.ErrPageCap))
	is.Equal(n, 10_000)
	checkNoPastCap(t, srv)
}

// TestListCallsGrowsPastCap: the window's total was under the split
// threshold at page 1, then new calls arrived at its end while paging, so
// page 200 is full with more to come. The client continues from the last
// second read, skipping what it already yielded.
func TestListCallsGrowsPastCap(t *testing.T) {
	is := is.New(t)
	clk := newClock()
	srv, c := newFake(t, clk, nil)
	base := int64(1_790_000_000)
	last := seedCalls(srv, 1, 8_990, base, 5)
	var got []aircall.Call
	for call, err := range c.ListCalls(context.Background(), time.Unix(base, 0), time.Unix(last+10_000, 0)) {
		is.NoErr(err)
		if len(got) == 0 {
			seedCalls(srv, 50_000, 2_000, last, 4) // arrive while we page
		}
		got = append(got, call)
	}
	is.Equal(len(got), 10_990)
	checkOnceAscending(t, got)
	checkNoPastCap(t, srv)
}

// TestListCallsStopsEarly: breaking out of the loop stops fetching.
func TestListCallsStopsEarly(t *testing.T) {
	is := is.New(t)
	clk := newClock()
	srv, c := newFake(t, clk, nil)
	base := int64(1_790_000_000)
	last := seedCalls(srv, 1, 500, base, 1)
	n := 0
	for _, err := range c.ListCalls(context.Background(), time.Unix(base, 0), time.Unix(last, 0)) {
		is.NoErr(err)
		if n++; n == 60 {
			break
		}
	}
	is.Equal(len(srv.Requests()), 2)
}

func TestCountCalls(t *testing.T) {
	is := is.New(t)
	clk := newClock()
	srv, c := newFake(t, clk, nil)
	base := int64(1_790_000_000)
	last := seedCalls(srv, 1, 123, base, 2)
	n, err := c.CountCalls(context.Background(), time.Unix(base, 0), time.Unix(last, 0))
	is.NoErr(err)
	is.Equal(n, 123)
	is.Equal(srv.Requests()[0].Query.Get("per_page"), "1")
}

// TestGetCallChangesAfterFirstRead: a call read while answered is later
// done with tags and comments; GetCall sees the new state, 404 is ErrNotFound.
func TestGetCallChangesAfterFirstRead(t *testing.T) {
	is := is.New(t)
	clk := newClock()
	srv, c := newFake(t, clk, nil)
	srv.AddCall(aircall.Call{ID: 7, StartedAt: 1000, Status: "answered", MissedCallReason: ""})
	ctx := context.Background()

	first, err := c.GetCall(ctx, 7)
	is.NoErr(err)
	is.Equal(first.Status, "answered")

	srv.UpdateCall(7, func(call *aircall.Call) {
		call.Status = "done"
		call.Tags = append(call.Tags, aircall.Tag{ID: 1, Name: "VIP"})
		call.Comments = append(call.Comments, aircall.Comment{ID: 2, Content: "called back", PostedAt: 1100})
	})
	second, err := c.GetCall(ctx, 7)
	is.NoErr(err)
	is.Equal(second.Status, "done")
	is.Equal(second.Tags[0].Name, "VIP")
	is.Equal(second.Comments[0].Content, "called back")
	is.Equal(second.Started(), time.Unix(1000, 0).UTC())

	_, err = c.GetCall(ctx, 8)
	is.True(errors.Is(err, aircall.ErrNotFound))
	var apiErr *aircall.APIError
	is.True(errors.As(err, &apiErr))
	is.Equal(apiErr.Status, 404)
	is.Equal(apiErr.Endpoint, "/v1/calls/:id")
}

// TestCallDecodesRealShape decodes the documented example (nulls included).
func TestCallDecodesRealShape(t *testing.T) {
	is := is.New(t)
	clk := newClock()
	srv, c := newFake(t, clk, nil)
	_ = srv
	var call aircall.Call
	is.NoErr(jsonUnmarshal(`{"id":4186780376,"sid":"CA23","direction":"outbound","status":"done",
	  "started_at":1790603050,"answered_at":1790603053,"ended_at":1790603071,"duration":21,
	  "raw_digits":"+1 617-610-5413","missed_call_reason":null,"voicemail":null,"cost":"3.0",
	  "number":{"id":1389850,"name":"Support US","digits":"+1 984-314-0278","country":"US","time_zone":"America/Chicago","created_at":"2026-09-28T10:21:51.000Z"},
	  "user":{"id":2078847,"name":"Jonathan","email":"j@example.com","time_zone":"Etc/UTC","created_at":"2026-09-28T10:21:09.000Z"},
	  "contact":{"id":5,"first_name":"Ann","updated_at":"2026-09-28T10:21:09.000Z","phone_numbers":[{"id":1,"label":"Main","value":"+16314402060"}]},
	  "assigned_to":null,"teams":[],"comments":[],"tags":[]}`, &call))
	is.Equal(call.Number.Digits, "+1 984-314-0278")
	is.Equal(*call.AnsweredAt, int64(1790603053))
	is.Equal(call.MissedCallReason, "")
	is.Equal(call.Contact.UpdatedAt, time.Date(2026, 9, 28, 10, 21, 9, 0, time.UTC).Unix())
	_ = c
}

// TestCallsCarryTheirContact: ListCalls and GetCall ask for the contact
// (fetch_contact=true), which callers use to update it in place.
func TestCallsCarryTheirContact(t *testing.T) {
	srv, c := newFake(t, newClock(), nil)
	ctx := context.Background()
	srv.AddCall(aircall.Call{ID: 1, StartedAt: 1000, Contact: &aircall.Contact{ID: 5, FirstName: "Ann"}})
	srv.AddCall(aircall.Call{ID: 2, StartedAt: 1001}) // unknown number: contact null
	tests := []struct {
		name string
		get  func() (map[int64]aircall.Call, error)
	}{
		{"list", func() (map[int64]aircall.Call, error) {
			out := map[int64]aircall.Call{}
			for call, err := range c.ListCalls(ctx, time.Unix(999, 0), time.Unix(1001, 0)) {
				if err != nil {
					return nil, err
				}
				out[call.ID] = call
			}
			return out, nil
		}},
		{"get", func() (map[int64]aircall.Call, error) {
			out := map[int64]aircall.Call{}
			for _, id := range []int64{1, 2} {
				call, err := c.GetCall(ctx, id)
				if err != nil {
					return nil, err
				}
				out[id] = call
			}
			return out, nil
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			srv.ResetRequests()
			calls, err := tt.get()
			is.NoErr(err)
			is.Equal(len(calls), 2)
			is.True(calls[1].Contact != nil)
			is.Equal(calls[1].Contact.ID, int64(5))
			is.True(calls[2].Contact == nil)
			for _, r := range srv.Requests() {
				is.Equal(r.Query.Get("fetch_contact"), "true")
			}
		})
	}
}
