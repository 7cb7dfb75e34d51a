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
//   - Help Scout documents neither a phone query on GET /v2/customers nor a
//     customerIds filter on GET /v2/conversations, so the reconciler decides on local
//     mirrors filled only through documented listings: CustomerPages and
//     ConversationPages (modifiedSince, sortField=modifiedAt, HAL pages of 50 and 25).
//     A caller the mirror does not know gets one live check, FindCustomersByPhoneV3
//     (GET /v3/customers/search, phone:"…"); when v3 answers 400/403/404
//     (ErrSearchUnavailable) the caller falls back to FindCustomersByPhone, the v2
//     query, which sends one bounded OR-query with the number's common formats
//     (E.164, international, national, local, spaced) and digit strings, since the
//     search appears to match the stored text literally. Every hit is verified by
//     the caller before use.
//
// # Why mirrors rather than a search per call
//
// An earlier release looked every caller up with the v2 OR-query (1 unit per
// lookup, no state). It was replaced because its semantics are undocumented: if
// production answered it differently than assumed, callers would stop being
// recognised or existing conversations would be missed with no test able to show
// it. The mirrors cost 2 units per idle pass per mailbox and ceil(N/50) reads for a
// first sync of N customers (100,000 customers: about 2,080 reads, spread over
// passes beside call logging); a known caller then costs only its write. The
// figures are in BENCHMARKS.md and BenchmarkLookupVsMirror.
package helpscout
