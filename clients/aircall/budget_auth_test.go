package aircall_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aircall-helpscout/aircall-helpscout/clients/aircall"
	"github.com/aircall-helpscout/aircall-helpscout/clients/aircall/aircalltest"
	"github.com/matryer/is"
)

var resetFormats = []struct {
	name   string
	format aircalltest.ResetFormat
}{
	{"unix seconds", aircalltest.ResetUnixSeconds},
	{"unix milliseconds", aircalltest.ResetUnixMillis},
	{"relative seconds", aircalltest.ResetRelativeSeconds},
}

// TestResetUnits: X-AircallApi-Reset's unit is undocumented; whichever the
// server sends, a client whose budget is spent waits exactly until the
// window resets: neither a 429 (reset read as already past) nor a
// five-minute stall (reset read as far away).
func TestResetUnits(t *testing.T) {
	for _, tt := range resetFormats {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			clk := newClock() // 09:00:00, the window resets at 09:01:00
			srv, c := newFake(t, clk, nil)
			srv.SetResetFormat(tt.format)
			srv.SetBudget(1)
			ctx := context.Background()
			start := clk.Now()
			is.NoErr(c.Ping(ctx)) // Remaining 0
			is.NoErr(c.Ping(ctx))
			is.Equal(clk.Now().Sub(start), time.Minute)
			is.Equal(c.Stats().RateLimited, 0)
		})
	}
}

// TestResetUnitsOn429: another integration of the company spent the
// budget, so this client earns a 429; it waits until the reset the 429
// names, in any unit, and then succeeds.
func TestResetUnitsOn429(t *testing.T) {
	for _, tt := range resetFormats {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			clk := newClock()
			srv, c := newFake(t, clk, nil)
			srv.SetResetFormat(tt.format)
			clk.t = clk.t.Add(20 * time.Second) // 09:00:20
			srv.SetBudget(1)
			other, err := aircall.New(srv.Config())
			is.NoErr(err)
			is.NoErr(other.Ping(context.Background()))
			start := clk.Now()
			is.NoErr(c.Ping(context.Background()))
			is.Equal(clk.Now().Sub(start), 40*time.Second)
			is.Equal(c.Stats().RateLimited, 1)
		})
	}
}

// TestRateHeadersOnlyNearLimit: Aircall may send the budget headers only
// near the limit; the client still never earns a 429.
func TestRateHeadersOnlyNearLimit(t *testing.T) {
	is := is.New(t)
	clk := newClock()
	srv, c := newFake(t, clk, nil)
	srv.SetBudget(5)
	srv.SetRateHeadersOnlyBelow(1)
	for range 12 {
		is.NoErr(c.Ping(context.Background()))
	}
	is.Equal(c.Stats().RateLimited, 0)
	is.True(clk.Now().Sub(newClock().Now()) >= 2*time.Minute)
}

// TestBadCredentialsAnswers: wrong credentials answered 403 or 401, with
// Aircall's JSON or an edge's bare text, are ErrBadCredentials on every
// endpoint, AI ones included (never "add-on not licensed").
func TestBadCredentialsAnswers(t *testing.T) {
	calls := map[string]func(context.Context, *aircall.Client) error{
		"ping":     func(ctx context.Context, c *aircall.Client) error { return c.Ping(ctx) },
		"call":     func(ctx context.Context, c *aircall.Client) error { _, err := c.GetCall(ctx, 1); return err },
		"summary":  func(ctx context.Context, c *aircall.Client) error { _, err := c.Summary(ctx, 1); return err },
		"webhooks": func(ctx context.Context, c *aircall.Client) error { _, err := c.ListWebhooks(ctx); return err },
	}
	for _, status := range []int{401, 403} {
		for _, plain := range []bool{false, true} {
			for name, call := range calls {
				t.Run(fmt.Sprintf("%d plain=%v %s", status, plain, name), func(t *testing.T) {
					is := is.New(t)
					srv := aircalltest.NewServer()
					defer srv.Close()
					srv.SetBadCredentialsAnswer(status, plain)
					cfg := srv.Config()
					cfg.APIToken = "revoked"
					c, err := aircall.New(cfg)
					is.NoErr(err)
					err = call(context.Background(), c)
					is.True(errors.Is(err, aircall.ErrBadCredentials))
					is.True(!errors.Is(err, aircall.ErrNotLicensed))
				})
			}
		}
	}
}

func TestSpeakerLabel(t *testing.T) {
	tests := []struct{ in, want string }{
		{"internal", "Agent"},
		{"external", "Caller"},
		{"ai_voice_agent", "AI voice agent"},
		{"AI_VOICE_AGENT", "AI voice agent"},
		{"ivr", "IVR"},
		{"bot", "Bot"},
		{"", "Unknown speaker"},
		{" _ ", "Unknown speaker"},
	}
	for _, tt := range tests {
		is := is.New(t)
		is.Equal(aircall.Utterance{ParticipantType: tt.in}.SpeakerLabel(), tt.want)
		is.Equal(aircall.SentimentParticipant{ParticipantType: tt.in}.SpeakerLabel(), tt.want)
	}
}

// TestStatsCarryTheCompanyBudget: the budget Aircall's headers state is
// kept for the status pages, unknown (-1) until an answer carries it.
func TestStatsCarryTheCompanyBudget(t *testing.T) {
	is := is.New(t)
	clk := newClock()
	srv, c := newFake(t, clk, nil)
	st := c.Stats()
	is.Equal(st.Remaining, -1)
	is.Equal(st.Limit, -1)
	srv.SetBudget(60)
	is.NoErr(c.Ping(context.Background()))
	st = c.Stats()
	is.Equal(st.Limit, 60)
	is.Equal(st.Remaining, 59)
	is.Equal(st.RemainingAt, clk.Now())
}
