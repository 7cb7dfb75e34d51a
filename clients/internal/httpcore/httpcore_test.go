package httpcore_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aircall-helpscout/aircall-helpscout/clients/internal/httpcore"
	"github.com/matryer/is"
)

func TestSleep(t *testing.T) {
	tests := []struct {
		name    string
		d       time.Duration
		cancel  bool
		wantErr error
	}{
		{"zero returns at once", 0, false, nil},
		{"short wait", time.Millisecond, false, nil},
		{"cancelled context stops a long wait", time.Hour, true, context.Canceled},
		{"cancelled context with zero wait", 0, true, context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.cancel {
				cancel()
			}
			start := time.Now()
			err := httpcore.Sleep(ctx, tt.d)
			is.True(errors.Is(err, tt.wantErr) || (err == nil && tt.wantErr == nil))
			is.True(time.Since(start) < time.Second)
		})
	}
}

func TestBackoff(t *testing.T) {
	tests := []struct {
		n        int
		min, max time.Duration
	}{
		{0, 250 * time.Millisecond, 500 * time.Millisecond},
		{1, 250 * time.Millisecond, 500 * time.Millisecond},
		{2, 500 * time.Millisecond, time.Second},
		{4, 2 * time.Second, 4 * time.Second},
		{10, 15 * time.Second, 30 * time.Second},  // capped
		{200, 15 * time.Second, 30 * time.Second}, // no overflow
	}
	for _, tt := range tests {
		is := is.New(t)
		for range 50 {
			d := httpcore.Backoff(500*time.Millisecond, 30*time.Second, tt.n)
			is.True(d >= tt.min && d <= tt.max)
		}
	}
}

func TestReadBody(t *testing.T) {
	tests := []struct {
		body    string
		limit   int64
		wantErr bool
	}{
		{"abc", 3, false},
		{"abcd", 3, true},
		{"", 3, false},
	}
	for _, tt := range tests {
		is := is.New(t)
		b, err := httpcore.ReadBody(strings.NewReader(tt.body), tt.limit)
		is.Equal(err != nil, tt.wantErr)
		if tt.wantErr {
			is.True(errors.Is(err, httpcore.ErrBodyTooLarge))
		} else {
			is.Equal(string(b), tt.body)
		}
	}
}

func TestDo(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/slow":
			time.Sleep(200 * time.Millisecond)
		case "/big":
			_, _ = w.Write([]byte(strings.Repeat("x", 100)))
			return
		}
		w.WriteHeader(http.StatusTeapot)
		_, _ = w.Write([]byte(r.Header.Get("X-Test") + r.Method))
	}))
	defer srv.Close()
	tests := []struct {
		name    string
		path    string
		timeout time.Duration
		status  int
		body    string
		errIs   error
	}{
		{"prepare and status", "/ok", time.Second, http.StatusTeapot, "hiPOST", nil},
		{"attempt timeout", "/slow", 20 * time.Millisecond, 0, "", context.DeadlineExceeded},
		{"body over the limit", "/big", time.Second, 200, "", httpcore.ErrBodyTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			res, err := httpcore.Do(context.Background(), srv.Client(), httpcore.Attempt{
				Method: http.MethodPost, URL: srv.URL + tt.path, Body: []byte("{}"), Timeout: tt.timeout, MaxBody: 10,
				Prepare: func(r *http.Request) { r.Header.Set("X-Test", "hi") },
			})
			is.Equal(res.Status, tt.status)
			is.True(res.Duration > 0)
			if tt.errIs != nil {
				is.True(errors.Is(err, tt.errIs))
				return
			}
			is.NoErr(err)
			is.Equal(string(res.Body), tt.body)
		})
	}
}

func TestCounters(t *testing.T) {
	is := is.New(t)
	var c httpcore.Counters
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			c.Add("GET", "/v1/calls", 200)
			c.Add("GET", "/v1/calls", 429)
		})
	}
	wg.Wait()
	c.Add("POST", "/v1/x", 0)
	m, total, limited := c.Snapshot()
	is.Equal(total, 21)
	is.Equal(limited, 10)
	is.Equal(m["GET /v1/calls 200"], 10)
	is.Equal(m["POST /v1/x 0"], 1)
	m["GET /v1/calls 200"] = 99 // a copy
	m2, _, _ := c.Snapshot()
	is.Equal(m2["GET /v1/calls 200"], 10)
}

func TestBudgetNote(t *testing.T) {
	at := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		header map[string]string
		wantOK bool
		want   httpcore.Budget
	}{
		{"both", map[string]string{"R": " 7 ", "L": "60"}, true, httpcore.Budget{Remaining: 7, Limit: 60, At: at}},
		{"limit missing keeps the last", map[string]string{"R": "0"}, true, httpcore.Budget{Remaining: 0, Limit: 50, At: at}},
		{"remaining missing changes nothing", map[string]string{"L": "60"}, false, httpcore.Budget{Remaining: 3, Limit: 50}},
		{"remaining unreadable changes nothing", map[string]string{"R": "x", "L": "60"}, false, httpcore.Budget{Remaining: 3, Limit: 50}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			h := http.Header{}
			for k, v := range tt.header {
				h.Set(k, v)
			}
			b := httpcore.Budget{Remaining: 3, Limit: 50}
			is.Equal(b.Note(h, "R", "L", at), tt.wantOK)
			is.Equal(b, tt.want)
		})
	}
	is := is.New(t)
	is.Equal(httpcore.UnknownBudget(), httpcore.Budget{Remaining: -1, Limit: -1})
}
