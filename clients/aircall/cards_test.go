package aircall_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aircall-helpscout/aircall-helpscout/clients/aircall"
	"github.com/aircall-helpscout/aircall-helpscout/clients/aircall/aircalltest"
	"github.com/matryer/is"
)

var testCard = aircall.InsightCard{Contents: []aircall.CardLine{
	aircall.TitleLine("Ana García", "https://secure.helpscout.net/customer/1/0/"),
	aircall.ShortTextLine("Company", "Acme", ""),
}}

// TestCardForLiveAndEndedCalls runs the client under each plausible answer
// to a card for an ended call: a 4xx is ErrCallEnded ("too late", not a
// failure, one attempt); a silent 2xx is success and the fake records the
// card as ignored. A live call's card is recorded with its lines.
func TestCardForLiveAndEndedCalls(t *testing.T) {
	tests := []struct {
		name    string
		answer  aircalltest.EndedCardAnswer
		status  int
		wantErr error
	}{
		{"400", aircalltest.EndedCard400, 400, aircall.ErrCallEnded},
		{"422", aircalltest.EndedCard422, 422, aircall.ErrCallEnded},
		{"404", aircalltest.EndedCard404, 404, aircall.ErrCallEnded},
		{"accepted but ignored", aircalltest.EndedCardIgnored, 201, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			srv, c := newFake(t, newClock(), nil)
			srv.SetEndedCardAnswer(tt.answer)
			ended := int64(1790603071)
			srv.AddCall(aircall.Call{ID: 1, StartedAt: 1790603050, Status: "initial", Direction: "inbound"})
			srv.AddCall(aircall.Call{ID: 2, StartedAt: 1790603050, Status: "done", EndedAt: &ended})
			ctx := context.Background()

			is.NoErr(c.CreateInsightCard(ctx, 1, testCard))
			live := srv.Cards(1)
			is.Equal(len(live), 1)
			is.True(!live[0].Ignored)
			is.Equal(live[0].Lines, []aircalltest.CardLine{
				{Type: "title", Text: "Ana García", Link: "https://secure.helpscout.net/customer/1/0/"},
				{Type: "shortText", Label: "Company", Text: "Acme"},
			})

			err := c.CreateInsightCard(ctx, 2, testCard)
			if tt.wantErr == nil {
				is.NoErr(err)
				is.Equal(len(srv.Cards(2)), 1)
				is.True(srv.Cards(2)[0].Ignored)
			} else {
				is.True(errors.Is(err, tt.wantErr))
				is.True(!errors.Is(err, aircall.ErrNotFound)) // "too late", not "no such thing"
				is.Equal(len(srv.Cards(2)), 0)
			}
			reqs := srv.Requests()
			is.Equal(len(reqs), 2) // no retry
			is.Equal(reqs[1].Status, tt.status)
		})
	}
}

// TestCardSuccessStatuses: Aircall documents no success code; any 2xx is
// success, with or without a body.
func TestCardSuccessStatuses(t *testing.T) {
	for _, st := range []int{200, 201, 202, 204} {
		is := is.New(t)
		srv, c := newFake(t, newClock(), nil)
		srv.SetCardStatus(st)
		srv.AddCall(aircall.Call{ID: 1, StartedAt: 1, Status: "initial"})
		is.NoErr(c.CreateInsightCard(context.Background(), 1, testCard))
		is.Equal(len(srv.Cards(1)), 1)
	}
}

// TestCardRefusedBeforeSending: a malformed card fails here, naming the
// line, rather than as a 400 that would read as "call ended".
func TestCardRefusedBeforeSending(t *testing.T) {
	tests := []struct {
		name    string
		id      int64
		card    aircall.InsightCard
		wantErr string
	}{
		{"no lines", 1, aircall.InsightCard{}, "insight card: no lines"},
		{"unknown type", 1, aircall.InsightCard{Contents: []aircall.CardLine{{Type: "html", Text: "x"}}}, `line 1: type "html" is not "title" or "shortText"`},
		{"empty text", 1, aircall.InsightCard{Contents: []aircall.CardLine{aircall.ShortTextLine("Company", " ", "")}}, "line 1 (shortText): empty text"},
		{"relative link", 1, aircall.InsightCard{Contents: []aircall.CardLine{aircall.TitleLine("Ana", "/customer/1")}}, `line 1: link "/customer/1" is not an absolute http(s) URL`},
		{"javascript link", 1, aircall.InsightCard{Contents: []aircall.CardLine{aircall.TitleLine("Ana", "javascript:alert(1)")}}, `line 1: link "javascript:alert(1)" is not an absolute http(s) URL`},
		{"labelled title", 1, aircall.InsightCard{Contents: []aircall.CardLine{{Type: aircall.CardTitle, Label: "x", Text: "Ana"}}}, `line 1: a title has no label (got "x")`},
		{"bad call id", 0, testCard, "call id 0 is not valid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			srv, c := newFake(t, newClock(), nil)
			err := c.CreateInsightCard(context.Background(), tt.id, tt.card)
			is.True(err != nil && strings.Contains(err.Error(), tt.wantErr)) // names the line
			is.True(!errors.Is(err, aircall.ErrCallEnded))
			is.Equal(len(srv.Requests()), 0)
		})
	}
}

// TestCardNotRetriedPastDeadline: a card whose wait (server budget spent,
// 429 without a usable reset) would pass its deadline gives up at once
// with context.DeadlineExceeded; a 5xx is not retried (a retry could show
// the card twice); without a deadline CardTimeout applies.
func TestCardNotRetriedPastDeadline(t *testing.T) {
	tests := []struct {
		name     string
		setup    func(*aircalltest.Server, *aircall.Client)
		deadline bool
		wantErr  error
		requests int // sent by the card: none when it gave up before sending
	}{
		{"budget spent until the next minute", func(s *aircalltest.Server, c *aircall.Client) {
			s.SetBudget(1)
			_ = c.Ping(context.Background()) // Remaining 0: pause until reset
		}, true, context.DeadlineExceeded, 0},
		{"same without a ctx deadline: CardTimeout", func(s *aircalltest.Server, c *aircall.Client) {
			s.SetBudget(1)
			_ = c.Ping(context.Background())
		}, false, context.DeadlineExceeded, 0},
		{"429 asking a minute", func(s *aircalltest.Server, _ *aircall.Client) {
			s.FailNext(1, http.StatusTooManyRequests)
		}, true, context.DeadlineExceeded, 1},
		{"502 not retried", func(s *aircalltest.Server, _ *aircall.Client) {
			s.FailNext(1, http.StatusBadGateway)
		}, true, nil, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			srv, c := newFake(t, newClock(), func(cfg *aircall.Config) { cfg.CardTimeout = 2 * time.Second })
			srv.AddCall(aircall.Call{ID: 1, StartedAt: 1, Status: "initial"})
			tt.setup(srv, c)
			srv.ResetRequests()
			ctx := context.Background()
			if tt.deadline {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, 3*time.Second)
				defer cancel()
			}
			start := time.Now()
			err := c.CreateInsightCard(ctx, 1, testCard)
			if tt.wantErr != nil {
				is.True(errors.Is(err, tt.wantErr))
			} else {
				var apiErr *aircall.APIError
				is.True(errors.As(err, &apiErr))
				is.Equal(apiErr.Status, http.StatusBadGateway)
			}
			is.True(time.Since(start) < time.Second) // gave up at once, did not sleep
			is.Equal(len(srv.Requests()), tt.requests)
			is.Equal(len(srv.Cards(1)), 0)
		})
	}
}

// TestPriorityLaneDebitsBatch: cards go at once even when the batch lane
// has no token left, and the batch lane pays for them afterwards, so the
// average stays within RequestsPerMinute.
func TestPriorityLaneDebitsBatch(t *testing.T) {
	is := is.New(t)
	clk := newClock()
	srv, c := newFake(t, clk, func(cfg *aircall.Config) { cfg.RequestsPerMinute = 50 }) // 1.2 s apart
	srv.AddCall(aircall.Call{ID: 1, StartedAt: 1, Status: "initial"})
	ctx := context.Background()
	start := clk.Now()
	is.NoErr(c.Ping(ctx)) // takes the batch lane's only token
	for range 3 {
		is.NoErr(c.CreateInsightCard(ctx, 1, testCard))
	}
	is.Equal(clk.Now(), start) // no card waited
	is.NoErr(c.Ping(ctx))      // waits for its own slot and the three cards'
	is.Equal(clk.Now().Sub(start), 4*1200*time.Millisecond)
	is.Equal(len(srv.Cards(1)), 3)
}

// TestCardNotDelayedByCatchUp uses the real clock: a catch-up keeps the
// batch lane saturated (one request per 100 ms from four goroutines) while
// cards are sent; every card goes out in well under the batch interval.
func TestCardNotDelayedByCatchUp(t *testing.T) {
	is := is.New(t)
	srv := aircalltest.NewServer()
	defer srv.Close()
	srv.AddCall(aircall.Call{ID: 1, StartedAt: 1, Status: "initial"})
	cfg := srv.Config()
	cfg.RequestsPerMinute = 600 // 100 ms apart
	cfg.PriorityPerMinute = 60
	c, err := aircall.New(cfg)
	is.NoErr(err)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for ctx.Err() == nil {
				_, _ = c.GetCall(ctx, 1)
			}
		})
	}
	time.Sleep(250 * time.Millisecond) // the batch lane is now queued up
	var worst time.Duration
	for range 5 {
		start := time.Now()
		is.NoErr(c.CreateInsightCard(context.Background(), 1, testCard))
		worst = max(worst, time.Since(start))
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	wg.Wait()
	is.True(worst < 80*time.Millisecond) // a batch slot is 100 ms, the queue 400 ms
	is.Equal(len(srv.Cards(1)), 5)
}
