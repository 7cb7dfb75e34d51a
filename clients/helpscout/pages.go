package helpscout

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
)

type pageInfo struct {
	Size          int `json:"size"`
	TotalElements int `json:"totalElements"`
	TotalPages    int `json:"totalPages"`
	Number        int `json:"number"`
}

// collection names a HAL listing: the path to GET, the endpoint it is
// metered and recorded as (the path with :id for a sub-collection), its
// filters and the key its items are embedded under.
type collection struct {
	path, endpoint string
	query          url.Values
	key            string
}

// list is a top-level collection, recorded under its own path.
func list(path string, q url.Values, key string) collection {
	return collection{path: path, endpoint: path, query: q, key: key}
}

// listAll fetches page 1..totalPages of a HAL collection (at most maxPages,
// 0 = all), building each page URL itself (Help Scout has dropped filters
// from _links.next before).
func listAll[T any](ctx context.Context, c *Client, l collection, maxPages int) ([]T, error) {
	var out []T
	for page := 1; ; page++ {
		info, items, err := getPage[T](ctx, c, l, page)
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
		if page >= info.TotalPages || (maxPages > 0 && page >= maxPages) {
			return out, nil
		}
	}
}

// getJSON GETs one resource and decodes it into v.
func (c *Client) getJSON(ctx context.Context, path, endpoint string, q url.Values, v any) error {
	resp, err := c.do(ctx, call{method: "GET", path: path, endpoint: endpoint, query: q})
	if err != nil {
		return err
	}
	if err := json.Unmarshal(resp.body, v); err != nil {
		return fmt.Errorf("helpscout: decode %s: %w", endpoint, err)
	}
	return nil
}
