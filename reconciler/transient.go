package reconciler

import (
	"context"
	"errors"
	"net"

	"github.com/aircall-helpscout/aircall-helpscout/clients/aircall"
	"github.com/aircall-helpscout/aircall-helpscout/clients/helpscout"
)

// maxTransientInARow is how many items in a row may fail for reasons that
// are about the APIs, not the items (outage, timeouts, rate limits), before
// the pass stops and leaves the rest, cursor unmoved, for the next pass.
const maxTransientInARow = 5

// transient reports failures that say nothing about the item itself: the
// same item will most likely go through once the API is back. They do not
// count towards parking, so an outage never turns into lost calls.
func transient(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, helpscout.ErrAmbiguous) || errors.Is(err, errCreateUnsettled) || errors.Is(err, helpscout.ErrRateLimited) ||
		errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var hs *helpscout.APIError
	if errors.As(err, &hs) && (hs.Status >= 500 || hs.Status == 429) {
		return true
	}
	var ac *aircall.APIError
	if errors.As(err, &ac) && (ac.Status >= 500 || ac.Status == 429) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne)
}

// errOutage ends a pass after too many transient failures in a row.
var errOutage = errors.New("stopped the pass: the APIs keep failing; the rest waits for the next pass")
