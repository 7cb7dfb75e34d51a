package aircall

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

// listAll pages through a list endpoint whose items sit under key, staying
// under the 10,000-result cap (numbers, users and contact searches never
// come near it; reaching it is reported, not silently truncated).
func listAll[T any](ctx context.Context, c *Client, path, key string, q url.Values) ([]T, error) {
	// Non-nil even when the account has none: callers tell "listed, empty"
	// (every configured number is unknown) from "could not list" (nil).
	all := []T{}
	if q == nil {
		q = url.Values{}
	}
	q.Set("per_page", strconv.Itoa(perPage))
	for page := 1; ; page++ {
		if page*perPage > pageCap {
			return all, fmt.Errorf("aircall: list %s: %w", path, ErrPageCap)
		}
		q.Set("page", strconv.Itoa(page))
		var out map[string]json.RawMessage
		if err := c.do(ctx, request{method: http.MethodGet, path: path, endpoint: path, query: q}, &out); err != nil {
			return all, err
		}
		var items []T
		if raw, ok := out[key]; ok {
			if err := json.Unmarshal(raw, &items); err != nil {
				return all, fmt.Errorf("aircall: list %s: decode %s: %w", path, key, err)
			}
		}
		all = append(all, items...)
		var m meta
		if raw, ok := out["meta"]; ok {
			if err := json.Unmarshal(raw, &m); err != nil {
				return all, fmt.Errorf("aircall: list %s: decode meta: %w", path, err)
			}
		}
		// Most lists link the next page; /v1/webhooks never does, so a
		// total past this page also means there is more.
		more := m.NextPageLink != "" || page*perPage < m.Total
		if len(items) < perPage || !more {
			return all, nil
		}
	}
}

// ListNumbers returns every Aircall line of the company.
func (c *Client) ListNumbers(ctx context.Context) ([]Number, error) {
	return listAll[Number](ctx, c, "/v1/numbers", "numbers", nil)
}

// GetNumber returns one line; 404 -> ErrNotFound.
func (c *Client) GetNumber(ctx context.Context, id int64) (Number, error) {
	var out struct {
		Number Number `json:"number"`
	}
	err := c.do(ctx, request{method: http.MethodGet, path: "/v1/numbers/" + strconv.FormatInt(id, 10), endpoint: "/v1/numbers/:id"}, &out)
	return out.Number, err
}

// ListUsers returns every agent from GET /v2/users (v1 is sunset).
func (c *Client) ListUsers(ctx context.Context) ([]User, error) {
	return listAll[User](ctx, c, "/v2/users", "users", nil)
}
