package web_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/aircall-helpscout/aircall-helpscout/web"
)

func TestHealth(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	type failure struct {
		reason   string
		blocking bool
	}
	tests := []struct {
		name       string
		lastOK     time.Time
		fail       *failure
		want       int
		status     string
		wantReason string
	}{
		{"never", time.Time{}, nil, 503, "no successful pass yet", ""},
		{"recent", now.Add(-4 * time.Minute), nil, 200, "ok", ""},
		{"two periods", now.Add(-10 * time.Minute), nil, 200, "ok", ""},
		{"too old", now.Add(-11 * time.Minute), nil, 503, "last successful pass is too old", ""},
		{"outage after a recent success", now.Add(-4 * time.Minute), &failure{"aircall: 503", false}, 200, "ok", "aircall: 503"},
		{"outage at start", time.Time{}, &failure{"aircall: 503", false}, 503, "no successful pass yet", "aircall: 503"},
		{"bad credentials at once", now.Add(-time.Minute), &failure{"helpscout: bad credentials", true}, 503, "passes cannot run", "helpscout: bad credentials"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			h := web.NewHealth(10*time.Minute, func() time.Time { return now })
			if !tt.lastOK.IsZero() {
				h.PassSucceeded(tt.lastOK)
			}
			if tt.fail != nil {
				h.PassFailed(now, tt.fail.reason, tt.fail.blocking, now.Add(time.Minute))
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest("GET", "/healthz", nil))
			is.Equal(w.Code, tt.want)
			var body map[string]string
			is.NoErr(json.Unmarshal(w.Body.Bytes(), &body))
			is.Equal(body["status"], tt.status)
			is.Equal(body["reason"], tt.wantReason)
			if tt.fail != nil {
				is.Equal(body["next_attempt"], "2026-01-01T12:01:00Z")
			}
		})
	}
}

// TestHealthRecovers: a success clears the problem.
func TestHealthRecovers(t *testing.T) {
	is := is.New(t)
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	h := web.NewHealth(10*time.Minute, func() time.Time { return now })
	h.PassFailed(now, "helpscout: bad credentials", true, time.Time{})
	ok, _ := h.Status()
	is.True(!ok)
	h.PassSucceeded(now)
	ok, body := h.Status()
	is.True(ok)
	_, has := body["reason"]
	is.True(!has)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/healthz", nil))
	is.Equal(w.Code, http.StatusOK)
}
