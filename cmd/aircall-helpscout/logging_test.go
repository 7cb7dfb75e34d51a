package main

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"testing"
	"time"

	"github.com/matryer/is"
)

// TestLogDurationsInSeconds: whatever a caller passes, a duration comes out
// as seconds under a key ending in _s, in JSON and in text.
func TestLogDurationsInSeconds(t *testing.T) {
	tests := []struct {
		name string
		args []any
		key  string
		want float64
	}{
		{"plain", []any{"duration", 1500 * time.Millisecond}, "duration_s", 1.5},
		{"already named", []any{"wait_s", 2 * time.Second}, "wait_s", 2},
		{"attr", []any{slog.Duration("retry_in", time.Minute)}, "retry_in_s", 60},
		{"any", []any{slog.Any("took", 250*time.Millisecond)}, "took_s", 0.25},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			var buf bytes.Buffer
			newLogger(&buf, "info", "json").Info("x", tt.args...)
			var line map[string]any
			is.NoErr(json.Unmarshal(buf.Bytes(), &line))
			is.Equal(line[tt.key], tt.want)
			buf.Reset()
			newLogger(&buf, "info", "text").Info("x", tt.args...)
			is.True(bytes.Contains(buf.Bytes(), []byte(tt.key+"=")))
		})
	}
	is := is.New(t)
	var buf bytes.Buffer
	newLogger(&buf, "info", "json").Info("x", "count", 3, "name", "a")
	is.True(bytes.Contains(buf.Bytes(), []byte(`"count":3`))) // other values untouched
}
