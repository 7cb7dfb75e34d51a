package store

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/matryer/is"
)

func TestSaveMessageDedupe(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	s, clock := openTemp(t)

	steps := []struct {
		m            InboxMessage
		wantSeq      int64
		wantInserted bool
	}{
		{InboxMessage{MessageID: "m1", Event: "message.sent", Status: "sent", Payload: []byte(`{"id":"m1"}`)}, 1, true},
		{InboxMessage{MessageID: "m2", Event: "message.received", Status: "received", Payload: []byte(`{"id":"m2"}`)}, 2, true},
		{InboxMessage{MessageID: "m1", Event: "message.status_updated", Status: "delivered", Payload: []byte(`{"id":"m1","s":"d"}`)}, 1, false},
		{InboxMessage{MessageID: "m1", Event: "message.status_updated", Status: "delivered", Payload: []byte(`{"id":"m1","s":"d"}`)}, 1, false}, // redelivery
	}
	for _, st := range steps {
		clock.Add(time.Second)
		seq, inserted, err := s.SaveMessage(ctx, st.m)
		is.NoErr(err)
		is.Equal(seq, st.wantSeq)
		is.Equal(inserted, st.wantInserted)
	}

	m1, ok, err := s.GetMessage(ctx, "m1")
	is.NoErr(err)
	is.True(ok)
	is.Equal(m1, InboxMessage{
		Seq: 1, MessageID: "m1", Event: "message.status_updated", Status: "delivered",
		Payload: []byte(`{"id":"m1","s":"d"}`), ReceivedAt: t0.Add(time.Second), UpdatedAt: t0.Add(4 * time.Second),
	})
	_, ok, err = s.GetMessage(ctx, "nope")
	is.NoErr(err)
	is.True(!ok)

	n, err := s.CountMessages(ctx)
	is.NoErr(err)
	is.Equal(n, 2)

	for _, tc := range []struct {
		after int64
		limit int
		want  []int64
	}{
		{0, 0, []int64{1, 2}},
		{0, 1, []int64{1}},
		{1, 10, []int64{2}},
		{2, 10, nil},
	} {
		ms, err := s.MessagesAfter(ctx, tc.after, tc.limit)
		is.NoErr(err)
		var seqs []int64
		for _, m := range ms {
			seqs = append(seqs, m.Seq)
		}
		is.Equal(seqs, tc.want)
	}

	_, _, err = s.SaveMessage(ctx, InboxMessage{})
	is.True(err != nil && strings.Contains(err.Error(), "empty message id"))
}

// The webhook receiver saves concurrently and Aircall redelivers: 50
// goroutines saving the same ids must produce one row and one seq per id.
func TestSaveMessageConcurrent(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	s, _ := openTemp(t)

	const workers, ids = 50, 20
	var mu sync.Mutex
	seqOf := map[string]int64{}
	inserts := map[string]int{}
	var wg sync.WaitGroup
	errs := make(chan error, workers*ids)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range ids {
				id := fmt.Sprintf("m%d", (i+w)%ids) // each worker starts elsewhere
				seq, inserted, err := s.SaveMessage(ctx, InboxMessage{MessageID: id, Event: "message.sent", Status: fmt.Sprint(w)})
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				if prev, ok := seqOf[id]; ok && prev != seq {
					errs <- fmt.Errorf("%s: seq %d then %d", id, prev, seq)
				}
				seqOf[id] = seq
				if inserted {
					inserts[id]++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		is.NoErr(err)
	}
	is.Equal(len(seqOf), ids)
	for id, n := range inserts {
		is.Equal(n, 1) // inserted exactly once
		_ = id
	}
	is.Equal(len(inserts), ids)
	n, err := s.CountMessages(ctx)
	is.NoErr(err)
	is.Equal(n, ids)
}
