package aircall

import (
	"errors"
	"fmt"
)

// Sentinel errors; every error the client returns for a non-2xx answer is an
// *APIError that unwraps to one of these when one applies, so callers can use
// errors.Is for the decision and errors.As for the details.
var (
	ErrBadCredentials = errors.New("aircall: bad credentials (401/403)")
	ErrNotFound       = errors.New("aircall: not found")
	ErrNotReady       = errors.New("aircall: not generated yet (404)")
	ErrNotLicensed    = errors.New("aircall: add-on not licensed (403)")
	// ErrPageCap means a listing could not be split below Aircall's
	// 10,000-result cap (10,000+ calls started in the same second).
	// ErrCallEnded means Aircall refused an insight card with a 4xx that,
	// for a card, stands for "the call is over" (the answer for an ended
	// call is not documented; see lateStatus). The card is useless then:
	// drop it, do not retry, and do not count it as a failure.
	ErrCallEnded = errors.New("aircall: call already ended (card too late)")
	ErrPageCap   = errors.New("aircall: more than 10,000 results cannot be split further")
)

// APIError is a non-2xx answer (after retries, where retries apply).
type APIError struct {
	Status   int
	Endpoint string // templated, e.g. "/v1/calls/:id"
	Message  string // Aircall's message/errors text, or the start of the body
	Err      error  // sentinel this error stands for (ErrNotFound, ...), or nil
}

func (e *APIError) Error() string {
	msg := fmt.Sprintf("aircall: %s: HTTP %d", e.Endpoint, e.Status)
	if e.Message != "" {
		msg += ": " + e.Message
	}
	if e.Err != nil {
		msg += " (" + e.Err.Error() + ")"
	}
	return msg
}

// Unwrap lets errors.Is(err, ErrNotFound) and friends see the sentinel.
func (e *APIError) Unwrap() error { return e.Err }
