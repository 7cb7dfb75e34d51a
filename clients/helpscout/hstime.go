package helpscout

import (
	"encoding/json"
	"fmt"
	"time"
)

// TimeLayout is the only timestamp format Help Scout accepts on writes:
// UTC, no fractions, no offset.
const TimeLayout = "2006-01-02T15:04:05Z"

// FormatTime renders t the way Help Scout accepts it; zero → "".
func FormatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(TimeLayout)
}

// hsTime decodes Help Scout timestamps, tolerating null, "" and RFC 3339 with
// fractions so a format change on their side does not break reads.
type hsTime struct{ time.Time }

func (t *hsTime) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("helpscout: timestamp: %w", err)
	}
	if s == "" {
		return nil
	}
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("helpscout: timestamp %q: %w", s, err)
	}
	t.Time = v.UTC()
	return nil
}
