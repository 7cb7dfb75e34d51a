package store

import (
	"context"
	"testing"
	"time"

	"github.com/matryer/is"
)

func TestAPIBudgetKeepsTheLastPassPerAPI(t *testing.T) {
	is := is.New(t)
	s, clk := openTemp(t)
	ctx := context.Background()

	got, err := s.APIBudgets(ctx)
	is.NoErr(err)
	is.Equal(len(got), 0) // nothing until a pass records it

	first := APIBudget{API: "helpscout", PassStarted: clk.Now(), PassEnded: clk.Now().Add(time.Second),
		Requests: 10, Units: 14, Ceiling: 200, Remaining: 180, Limit: 400, SeenAt: clk.Now()}
	is.NoErr(s.PutAPIBudget(ctx, first))
	ac := APIBudget{API: "aircall", PassStarted: clk.Now(), PassEnded: clk.Now(), Requests: 3, Units: 3, Ceiling: 50,
		Remaining: -1, Limit: -1}
	is.NoErr(s.PutAPIBudget(ctx, ac))
	second := first
	second.Requests, second.Units, second.RateLimited, second.Remaining = 2, 2, 1, 0
	is.NoErr(s.PutAPIBudget(ctx, second))

	got, err = s.APIBudgets(ctx)
	is.NoErr(err)
	is.Equal(got, []APIBudget{ac, second}) // by name; the second pass replaced the first

	err = s.PutAPIBudget(ctx, APIBudget{})
	is.True(err != nil && err.Error() == "store: put api budget: empty api")
}
