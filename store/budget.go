package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// APIs named in the api_budget record.
const (
	APIAircall   = "aircall"
	APIHelpScout = "helpscout"
)

// APIBudget is what one API's client counted during a pass and the budget
// the API last stated, kept so that the status pages can show it from
// another process than the one that ran the pass.
type APIBudget struct {
	API                    string // "aircall" or "helpscout"
	PassStarted, PassEnded time.Time
	Requests, Units        int // during the pass; Units = Requests where every request costs 1
	RateLimited            int // 429 answers during the pass
	Ceiling                int // our requests (units) per minute
	Remaining, Limit       int // as the API's headers last stated them; -1 unknown
	SeenAt                 time.Time
}

// PutAPIBudget records an API's use in the pass that just ended, replacing
// the previous pass's.
func (s *Store) PutAPIBudget(ctx context.Context, b APIBudget) error {
	if b.API == "" {
		return errors.New("store: put api budget: empty api")
	}
	_, err := s.exec(ctx, `
		INSERT INTO api_budget (api, pass_started_at, pass_ended_at, requests, units, rate_limited, ceiling, remaining, budget_limit, seen_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (api) DO UPDATE SET pass_started_at = excluded.pass_started_at, pass_ended_at = excluded.pass_ended_at,
			requests = excluded.requests, units = excluded.units, rate_limited = excluded.rate_limited,
			ceiling = excluded.ceiling, remaining = excluded.remaining, budget_limit = excluded.budget_limit,
			seen_at = excluded.seen_at`,
		b.API, unix(b.PassStarted), unix(b.PassEnded), b.Requests, b.Units, b.RateLimited, b.Ceiling,
		b.Remaining, b.Limit, unix(b.SeenAt))
	if err != nil {
		return fmt.Errorf("store: put api budget %q: %w", b.API, err)
	}
	return nil
}

// APIBudgets returns every API's last recorded pass use, by API name.
func (s *Store) APIBudgets(ctx context.Context) ([]APIBudget, error) {
	rows, err := s.query(ctx, `
		SELECT api, pass_started_at, pass_ended_at, requests, units, rate_limited, ceiling, remaining, budget_limit, seen_at
		FROM api_budget ORDER BY api`)
	if err != nil {
		return nil, fmt.Errorf("store: api budgets: %w", err)
	}
	defer rows.Close()
	var out []APIBudget
	for rows.Next() {
		var b APIBudget
		var started, ended, seen int64
		if err := rows.Scan(&b.API, &started, &ended, &b.Requests, &b.Units, &b.RateLimited, &b.Ceiling,
			&b.Remaining, &b.Limit, &seen); err != nil {
			return nil, fmt.Errorf("store: api budgets: %w", err)
		}
		b.PassStarted, b.PassEnded, b.SeenAt = fromUnix(started), fromUnix(ended), fromUnix(seen)
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: api budgets: %w", err)
	}
	return out, nil
}
