package main

import (
	"io"
	"log/slog"
)

// newLogger builds the process logger from LOG_LEVEL and LOG_FORMAT, which
// LoadConfig has already validated; unknown values fall back to info/json.
func newLogger(w io.Writer, level, format string) *slog.Logger {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(level)); err != nil {
		lvl = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: lvl}
	if format == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}
