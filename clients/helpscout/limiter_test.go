package helpscout_test

import (
	"sync"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/aircall-helpscout/aircall-helpscout/clients/helpscout"
)

// TestLimiterNeverExceedsMinuteBudget runs minutes of paced traffic on the
// fake clock (instant): no 60-second window ever holds more units than
// RequestsPerMinute, burst included, and the run still spends the whole
// budget (a catch-up at 100% of the bound, not slower).
func TestLimiterNeverExceedsMinuteBudget(t *testing.T) {
	tests := []struct {
		name       string
		rpm        int
		writeEvery int // every n-th request is a write (2 units); 0 = reads only
		minutes    int
	}{
		{"small budget reads", 12, 0, 4},
		{"small budget mixed", 12, 3, 4},
		{"writes only", 20, 1, 3},
		{"default budget mixed", 200, 4, 3},
		{"plan budget reads", 400, 0, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			type ev struct {
				at    time.Time
				units int
			}
			var mu sync.Mutex
			var evs []ev
			var e *env
			e = newEnv(t, func(c *helpscout.Config) {
				c.RequestsPerMinute = tt.rpm
				c.Observer = func(r helpscout.RequestEvent) {
					if r.Units > 0 { // the token endpoint is outside the budget
						mu.Lock()
						evs = append(evs, ev{e.clk.Now(), r.Units})
						mu.Unlock()
					}
				}
			})
			e.srv.SetBudget(1_000_000) // only our own limiter paces
			is.NoErr(e.c.Authenticate(e.ctx))
			start := e.clk.Now()
			total := tt.rpm * tt.minutes
			spent := 0
			for i := 1; spent < total; i++ {
				var err error
				if tt.writeEvery > 0 && i%tt.writeEvery == 0 && spent+2 <= total {
					_, err = e.c.CreateCustomer(e.ctx, helpscout.NewCustomer{FirstName: "W"})
					spent += 2
				} else {
					_, err = e.c.ListMailboxes(e.ctx)
					spent++
				}
				is.NoErr(err)
			}
			elapsed := e.clk.Now().Sub(start)

			// Every window (t-60s, t] ending at a request.
			for i := range evs {
				sum := 0
				for j := i; j >= 0 && evs[i].at.Sub(evs[j].at) < time.Minute; j-- {
					sum += evs[j].units
				}
				if sum > tt.rpm {
					t.Fatalf("%d units in the 60 s ending %v after start (budget %d/min)", sum, evs[i].at.Sub(start), tt.rpm)
				}
			}
			// Every fixed clock minute, as the server counts.
			perMinute := map[time.Time]int{}
			for _, x := range evs {
				perMinute[x.at.Truncate(time.Minute)] += x.units
			}
			for _, u := range perMinute {
				is.True(u <= tt.rpm) // a clock minute over budget
			}
			// Full speed: `total` units at rpm/min need just under
			// total/rpm minutes once the first minute's burst is counted.
			is.True(elapsed <= time.Duration(tt.minutes)*time.Minute)
			is.True(elapsed >= time.Duration(tt.minutes-1)*time.Minute)
			is.Equal(e.c.Stats().RateLimited, 0)
		})
	}
}

// TestStatsCarryTheAccountBudget: the budget Help Scout's headers state is
// kept for the status pages, unknown (-1) until an answer carries it.
func TestStatsCarryTheAccountBudget(t *testing.T) {
	is := is.New(t)
	e := newEnv(t)
	st := e.c.Stats()
	is.Equal(st.Remaining, -1)
	is.Equal(st.Limit, -1)
	e.srv.SetBudget(400)
	_, err := e.c.ListMailboxes(e.ctx)
	is.NoErr(err)
	st = e.c.Stats()
	is.Equal(st.Limit, 400)
	is.Equal(st.Remaining, 399) // a read costs 1
	is.Equal(st.RemainingAt, e.clk.Now())
}
