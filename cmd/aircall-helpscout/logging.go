package main

import (
	"io"
	"log/slog"
	"strings"
)

// newLogger builds the process logger from LOG_LEVEL and LOG_FORMAT, which
// LoadConfig has already validated; unknown values fall back to info/json.
// Every duration is written in seconds (see durationsInSeconds).
func newLogger(w io.Writer, level, format string) *slog.Logger {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(level)); err != nil {
		lvl = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: lvl, ReplaceAttr: durationsInSeconds}
	if format == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// durationsInSeconds writes every time.Duration attribute as seconds, a
// float, under its key with "_s" appended ("duration" → "duration_s":
// 1.234). slog's JSON handler would write nanoseconds and the text handler
// "1.234s"; one unit, named in the key, whatever the caller passed, lets a
// log query compare durations of any line.
func durationsInSeconds(_ []string, a slog.Attr) slog.Attr {
	if a.Value.Kind() != slog.KindDuration {
		return a
	}
	key := a.Key
	if !strings.HasSuffix(key, "_s") {
		key += "_s"
	}
	return slog.Float64(key, a.Value.Duration().Seconds())
}
