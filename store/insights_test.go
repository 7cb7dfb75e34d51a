package store

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/matryer/is"
)

// appendMerge keeps both payloads unless the delivery is already contained.
func appendMerge(stored, delivered []byte) ([]byte, error) {
	if strings.Contains(string(stored), string(delivered)) {
		return stored, nil
	}
	return []byte(string(stored) + "+" + string(delivered)), nil
}

func TestSaveInsight(t *testing.T) {
	type step struct {
		callID  int64
		kind    string
		payload string
		merge   MergeFunc
		want    InsightSaved
	}
	tests := []struct {
		name  string
		steps []step
		call  int64
		want  map[string]string // kind → payload kept for call
	}{
		{"first", []step{{1, "summary", `{"a":1}`, nil, InsightStored}}, 1, map[string]string{"summary": `{"a":1}`}},
		{"duplicate", []step{{1, "summary", `{"a":1}`, nil, InsightStored}, {1, "summary", `{"a":1}`, nil, InsightDuplicate}},
			1, map[string]string{"summary": `{"a":1}`}},
		{"replaced", []step{{1, "summary", `{"a":1}`, nil, InsightStored}, {1, "summary", `{"a":2}`, nil, InsightUpdated}},
			1, map[string]string{"summary": `{"a":2}`}},
		{"merged then duplicate", []step{{1, "action_items", `x`, appendMerge, InsightStored}, {1, "action_items", `y`, appendMerge, InsightUpdated},
			{1, "action_items", `x`, appendMerge, InsightDuplicate}}, 1, map[string]string{"action_items": `x+y`}},
		{"kinds and calls apart", []step{{1, "summary", `s1`, nil, InsightStored}, {1, "topics", `t1`, nil, InsightStored},
			{2, "summary", `s2`, nil, InsightStored}}, 1, map[string]string{"summary": `s1`, "topics": `t1`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			ctx := context.Background()
			s, _ := openTemp(t)
			for _, st := range tt.steps {
				got, err := s.SaveInsight(ctx, InsightEvent{CallID: st.callID, Kind: st.kind, Event: st.kind + ".created", Payload: []byte(st.payload)}, st.merge)
				is.NoErr(err)
				is.Equal(got, st.want)
			}
			evs, err := s.CallInsights(ctx, tt.call)
			is.NoErr(err)
			got := map[string]string{}
			for _, ev := range evs {
				got[ev.Kind] = string(ev.Payload)
				is.Equal(ev.CallID, tt.call)
			}
			is.Equal(got, tt.want)
		})
	}
}

func TestSaveInsightRefusesBadInput(t *testing.T) {
	s, _ := openTemp(t)
	for _, ev := range []InsightEvent{{Kind: "summary", Payload: []byte("x")}, {CallID: 1, Payload: []byte("x")}, {CallID: 1, Kind: "summary"}} {
		is := is.New(t)
		_, err := s.SaveInsight(context.Background(), ev, nil)
		is.True(err != nil)
		is.True(strings.Contains(err.Error(), "insight"))
	}
}

// TestLastInsightDelivery: the latest delivery time, duplicates included.
func TestLastInsightDelivery(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	s, clock := openTemp(t)
	_, found, err := s.LastInsightDelivery(ctx)
	is.NoErr(err)
	is.True(!found)
	_, err = s.SaveInsight(ctx, InsightEvent{CallID: 1, Kind: "summary", Payload: []byte("x")}, nil)
	is.NoErr(err)
	at, found, err := s.LastInsightDelivery(ctx)
	is.NoErr(err)
	is.True(found)
	is.Equal(at, t0)
	clock.Add(time.Hour)
	got, err := s.SaveInsight(ctx, InsightEvent{CallID: 1, Kind: "summary", Payload: []byte("x")}, nil)
	is.NoErr(err)
	is.Equal(got, InsightDuplicate)
	at, _, err = s.LastInsightDelivery(ctx)
	is.NoErr(err)
	is.Equal(at, t0.Add(time.Hour))
	evs, err := s.CallInsights(ctx, 1)
	is.NoErr(err)
	is.Equal(evs[0].ReceivedAt, t0)
	is.Equal(evs[0].UpdatedAt, t0) // the duplicate changed nothing else
}

// TestSaveInsightConcurrentMerge: deliveries of different action items of
// one call at once all end up in the merged payload.
func TestSaveInsightConcurrentMerge(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	s, _ := openTemp(t)
	var wg sync.WaitGroup
	for _, p := range []string{"a", "b", "c", "d", "e", "f"} {
		wg.Go(func() {
			if _, err := s.SaveInsight(ctx, InsightEvent{CallID: 9, Kind: "action_items", Payload: []byte(p)}, appendMerge); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	evs, err := s.CallInsights(ctx, 9)
	is.NoErr(err)
	is.Equal(len(evs), 1)
	for _, p := range []string{"a", "b", "c", "d", "e", "f"} {
		is.True(strings.Contains(string(evs[0].Payload), p))
	}
}
