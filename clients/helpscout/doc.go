// Package helpscout is a small client for the Help Scout Mailbox API 2.0, shaped
// for a reconciler that must write every Aircall call exactly once.
//
// Why it looks the way it does:
//
//   - Tokens come from the OAuth2 client-credentials grant (x/oauth2/clientcredentials)
//     and are cached until shortly before expires_in, using the injectable clock. A 401
//     from a resource call refreshes the token once and retries once; a 400/401 from the
//     token endpoint is ErrBadCredentials, which callers treat as fatal.
//   - Help Scout's budget is per account and per minute, and writes cost 2 units. The
//     client paces itself with a golang.org/x/time/rate limiter at RequestsPerMinute
//     (reserving 2 tokens per write), also pauses until the next minute when
//     X-RateLimit-Remaining-Minute says the account budget is spent, and on 429 waits
//     X-RateLimit-Retry-After before retrying.
//   - Help Scout has no idempotency keys. A write that may have reached the server
//     (5xx, timeout, connection dropped after sending) is never retried: it returns an
//     error matching errors.Is(err, ErrAmbiguous) so the caller can check whether it
//     landed. Reads are retried on 5xx and network errors with capped, jittered backoff.
//   - Phone search in Help Scout appears to match the stored text literally.
//     FindCustomersByPhone sends one bounded OR-query with the number's common
//     formats (E.164, international, national, local, spaced) and digit strings.
//
// # OR-query lookup vs a modifiedSince mirror (in requests)
//
// Measured against helpscouttest (see BenchmarkLookupVsMirror):
//
//   - OR-query: 1 read (1 unit) per lookup while fewer than 50 customers match, which is
//     always in practice. No state. Cost grows with calls, not with the customer base.
//   - Mirror: the first sync costs ceil(N/50) reads (10,000 customers = 200 reads), then
//     every pass costs at least 1 read (modifiedSince page) plus 1 per 50 changed
//     customers, whether or not a call arrived; lookups are then free. With the default
//     5-minute schedule that is >= 288 reads/day even when idle, and the mirror still has
//     to normalise every stored phone correctly and handle deletes/merges (which
//     modifiedSince does not report).
//
// The OR-query therefore costs fewer requests until an account logs more than ~300
// calls from distinct unknown-to-us numbers per day per instance; past that the mirror
// wins on units but not on simplicity. We ship the OR-query.
package helpscout
