package helpscout

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
)

type pageInfo struct {
	Size          int `json:"size"`
	TotalElements int `json:"totalElements"`
	TotalPages    int `json:"totalPages"`
	Number        int `json:"number"`
}

type halPage struct {
	Embedded map[string]json.RawMessage `json:"_embedded"`
	Page     pageInfo                   `json:"page"`
}

// listAll fetches page 1..totalPages of a HAL collection, building each page
// URL itself (Help Scout has dropped filters from _links.next before).
func listAll[T any](ctx context.Context, c *Client, path, endpoint string, q url.Values, key string, maxPages int) ([]T, error) {
	var out []T
	for page := 1; ; page++ {
		qq := url.Values{}
		for k, v := range q {
			qq[k] = v
		}
		if page > 1 {
			qq.Set("page", strconv.Itoa(page))
		}
		resp, err := c.do(ctx, call{method: "GET", path: path, endpoint: endpoint, query: qq})
		if err != nil {
			return nil, err
		}
		var p halPage
		if err := json.Unmarshal(resp.body, &p); err != nil {
			return nil, fmt.Errorf("helpscout: decode %s page %d: %w", endpoint, page, err)
		}
		if raw, ok := p.Embedded[key]; ok {
			var items []T
			if err := json.Unmarshal(raw, &items); err != nil {
				return nil, fmt.Errorf("helpscout: decode %s page %d: %w", endpoint, page, err)
			}
			out = append(out, items...)
		}
		if page >= p.Page.TotalPages || (maxPages > 0 && page >= maxPages) {
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
