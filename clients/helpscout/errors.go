package helpscout

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

var (
	// ErrBadCredentials: the token endpoint refused the app id/secret (400/401). Fatal.
	ErrBadCredentials = errors.New("helpscout: bad credentials")
	// ErrNotFound: 404, including writes to the old id of a merged conversation.
	ErrNotFound = errors.New("helpscout: not found")
	// ErrThreadLimit: 412, the conversation has (or would have) too many threads.
	ErrThreadLimit = errors.New("helpscout: conversation thread limit reached (412)")
	// ErrAmbiguous: a write may or may not have been applied (5xx, timeout or a
	// dropped connection after the request was sent). Check before writing again.
	ErrAmbiguous = errors.New("helpscout: write outcome unknown")
	// ErrUnauthorized: a resource call still answered 401 after a fresh token.
	ErrUnauthorized = errors.New("helpscout: unauthorized")
	// ErrRateLimited: 429s kept coming after the bounded number of waits.
	ErrRateLimited = errors.New("helpscout: rate limited")
	// ErrInvalidPhone: the number given to FindCustomersByPhone is not valid E.164.
	ErrInvalidPhone = errors.New("helpscout: invalid phone number")
)

// MovedError is a 301 from GET of a conversation that was merged into another.
type MovedError struct {
	Location string
	NewID    int64
}

func (e *MovedError) Error() string {
	return fmt.Sprintf("helpscout: conversation moved to %d (%s)", e.NewID, e.Location)
}

// ValidationError is a 400 with an application/vnd.error+json body.
type ValidationError struct {
	Status          int
	Message, LogRef string
	Fields          []FieldError
}

// FieldError is one entry of _embedded.errors[].
type FieldError struct {
	Path, Message string
	RejectedValue any
}

// Error names every offending field so a log line alone explains the rejection.
func (e *ValidationError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "helpscout: %d %s", e.Status, e.Message)
	for i, f := range e.Fields {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%s %s", f.Path, f.Message)
		if f.RejectedValue != nil {
			fmt.Fprintf(&b, " (got %v)", f.RejectedValue)
		}
	}
	if e.LogRef != "" {
		fmt.Fprintf(&b, " [logRef %s]", e.LogRef)
	}
	return b.String()
}

// APIError is any other non-success answer. It unwraps to ErrNotFound (404),
// ErrThreadLimit (412) or ErrUnauthorized (401) so callers can use errors.Is.
type APIError struct {
	Status            int
	Endpoint, Message string
}

func (e *APIError) Error() string {
	if e.Message == "" {
		return fmt.Sprintf("helpscout: %s: status %d", e.Endpoint, e.Status)
	}
	return fmt.Sprintf("helpscout: %s: status %d: %s", e.Endpoint, e.Status, e.Message)
}

func (e *APIError) Unwrap() error {
	switch e.Status {
	case 404:
		return ErrNotFound
	case 412:
		return ErrThreadLimit
	case 401:
		return ErrUnauthorized
	case 429:
		return ErrRateLimited
	}
	return nil
}

// vndError is the application/vnd.error+json body. The older shape with
// "links" instead of "_links" decodes the same because links are ignored.
type vndError struct {
	LogRef   string `json:"logRef"`
	Message  string `json:"message"`
	Error    string `json:"error"`
	Embedded struct {
		Errors []struct {
			Path          string `json:"path"`
			Message       string `json:"message"`
			RejectedValue any    `json:"rejectedValue"`
		} `json:"errors"`
	} `json:"_embedded"`
}

// parseError turns a non-success response into the most specific error type.
func parseError(status int, endpoint, contentType string, body []byte) error {
	var v vndError
	parsed := len(body) > 0 && json.Unmarshal(body, &v) == nil
	if status == 400 && parsed && (len(v.Embedded.Errors) > 0 || strings.Contains(contentType, "vnd.error")) {
		ve := &ValidationError{Status: status, Message: v.Message, LogRef: v.LogRef}
		for _, e := range v.Embedded.Errors {
			ve.Fields = append(ve.Fields, FieldError{Path: e.Path, Message: e.Message, RejectedValue: e.RejectedValue})
		}
		return ve
	}
	msg := ""
	if parsed {
		msg = v.Message
		if msg == "" {
			msg = v.Error
		}
	}
	if msg == "" && !parsed && len(body) > 0 && len(body) < 200 {
		msg = strings.TrimSpace(string(body))
	}
	return &APIError{Status: status, Endpoint: endpoint, Message: msg}
}
