package helpscout

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"golang.org/x/oauth2"
)

const tokenPath = "/v2/oauth2/token"

// Authenticate fetches a fresh token now; `check` uses it to verify credentials.
func (c *Client) Authenticate(ctx context.Context) error {
	c.invalidate("")
	_, err := c.accessToken(ctx)
	return err
}

// accessToken returns the cached token, fetching a new one when it is missing or
// about to expire (by the injected clock).
func (c *Client) accessToken(ctx context.Context) (string, error) {
	c.tokMu.Lock()
	defer c.tokMu.Unlock()
	if c.token != "" && c.now().Before(c.tokExpiry) {
		return c.token, nil
	}
	tok, err := c.fetchToken(ctx)
	if err != nil {
		return "", err
	}
	life := tokenLife(tok)
	c.token = tok.AccessToken
	c.tokExpiry = c.now().Add(life - min(c.early, life/10))
	return c.token, nil
}

// invalidate drops the cached token if it is still the one that failed, so
// concurrent callers do not each fetch a new one. "" drops whatever is cached.
func (c *Client) invalidate(used string) {
	c.tokMu.Lock()
	if used == "" || c.token == used {
		c.token = ""
	}
	c.tokMu.Unlock()
}

// fetchToken posts the client-credentials grant, retrying 5xx/network errors.
func (c *Client) fetchToken(ctx context.Context) (*oauth2.Token, error) {
	ctx = context.WithValue(ctx, oauth2.HTTPClient, c.tokenHTTP)
	var last error
	for attempt := 0; attempt <= c.maxRetries; attempt++ {
		if attempt > 0 {
			if err := c.sleep(ctx, backoff(attempt)); err != nil {
				return nil, fmt.Errorf("helpscout: token: %w", err)
			}
		}
		tok, err := c.cc.Token(ctx)
		if err == nil {
			return tok, nil
		}
		var re *oauth2.RetrieveError
		if errors.As(err, &re) && re.Response != nil {
			switch s := re.Response.StatusCode; {
			case s == http.StatusBadRequest || s == http.StatusUnauthorized || s == http.StatusForbidden:
				// The error text may echo request details but never the secret.
				return nil, fmt.Errorf("%w: token endpoint answered %d", ErrBadCredentials, s)
			case s == http.StatusTooManyRequests:
				err = fmt.Errorf("%w: token endpoint: %w", ErrRateLimited, err)
			case s >= 500:
				// Keep the status visible to callers that tell outages
				// from bad items (errors.As *APIError).
				err = fmt.Errorf("%w: %w", &APIError{Status: s, Endpoint: "/v2/oauth2/token", Message: "token endpoint unavailable"}, err)
			default:
				return nil, fmt.Errorf("helpscout: token endpoint answered %d", s)
			}
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("helpscout: token: %w", ctx.Err())
		}
		last = err
	}
	return nil, fmt.Errorf("helpscout: token: giving up after %d attempts: %w", c.maxRetries+1, last)
}

// tokenLife reads expires_in from the raw answer (clientcredentials drops
// Token.ExpiresIn), so expiry follows the injected clock; default 1 h.
func tokenLife(tok *oauth2.Token) time.Duration {
	switch v := tok.Extra("expires_in").(type) {
	case float64:
		if v > 0 {
			return time.Duration(v) * time.Second
		}
	case string:
		if n, err := strconv.Atoi(v); err == nil && n > 0 {
			return time.Duration(n) * time.Second
		}
	}
	if tok.ExpiresIn > 0 {
		return time.Duration(tok.ExpiresIn) * time.Second
	}
	if !tok.Expiry.IsZero() {
		if d := time.Until(tok.Expiry); d > 0 {
			return d
		}
	}
	return time.Hour
}
