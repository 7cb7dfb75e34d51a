package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"
)

// ItemFacts is what the Help Scout sidebar shows of a call or message beyond
// the ledger's bookkeeping. The reconciler records it next to the item
// (PutItemFacts) because the sidebar must answer from the database alone: one
// API request per agent view would eat the Help Scout and Aircall budgets.
// Every field may be empty; the sidebar then shows less.
type ItemFacts struct {
	Direction    string        // "inbound" | "outbound"
	Channel      string        // messages: "sms" | "whatsapp"; calls: ""
	CallOutcome  string        // calls: "answered" | "missed" | "voicemail"
	Duration     time.Duration // calls; stored in whole seconds
	Agent        string        // the agent's name
	Line         string        // the Aircall line's name
	TimeZone     string        // the line's IANA time zone, e.g. "Europe/Paris"
	ExternalE164 string        // the customer's number, E.164; "" when anonymous
}

// PutItemFacts records the sidebar facts of an item already in the ledger
// (PutItem first). It leaves every other column alone, and PutItem leaves
// these alone, so the two can be written in either pass order after the first
// PutItem. An item that is not in the ledger is an error: the facts would be
// lost silently otherwise.
func (s *Store) PutItemFacts(ctx context.Context, instance string, kind Kind, sourceID string, f ItemFacts) error {
	res, err := s.exec(ctx, `UPDATE items SET direction = ?, channel = ?, call_outcome = ?, duration_s = ?,
		agent = ?, line = ?, time_zone = ?, external_e164 = ?
		WHERE instance = ? AND kind = ? AND source_id = ?`,
		f.Direction, f.Channel, f.CallOutcome, int64(f.Duration/time.Second), f.Agent, f.Line, f.TimeZone,
		f.ExternalE164, instance, kind, sourceID)
	if err != nil {
		return fmt.Errorf("store: put item facts %s/%s/%s: %w", instance, kind, sourceID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("store: put item facts %s/%s/%s: %w", instance, kind, sourceID, err)
	} else if n == 0 {
		return fmt.Errorf("store: put item facts %s/%s/%s: no such item in the ledger", instance, kind, sourceID)
	}
	return nil
}

// CustomerItem is one ledger row of a customer with its sidebar facts.
type CustomerItem struct {
	Item
	ItemFacts
}

// customerItemsQuery reads one customer's items newest first. The literal
// customer_id <> 0 lets SQLite use the partial index items_by_customer
// (it cannot prove it from a bound parameter); the ORDER BY follows the
// index's own order (its key, then the primary key) so no sort is needed.
const customerItemsQuery = `SELECT ` + itemColumns + `,
	direction, channel, call_outcome, duration_s, agent, line, time_zone, external_e164
	FROM items INDEXED BY items_by_customer
	WHERE customer_id = ? AND customer_id <> 0
	ORDER BY occurred_at DESC, instance DESC, kind DESC, source_id DESC
	LIMIT ?`

// CustomerItems returns up to limit of a Help Scout customer's ledger items
// (every instance, kind and state), newest first, and whether there are more.
// It reads limit+1 rows through an index, so its cost does not grow with the
// customer's history.
func (s *Store) CustomerItems(ctx context.Context, customerID int64, limit int) ([]CustomerItem, bool, error) {
	if customerID <= 0 || limit <= 0 {
		return nil, false, nil
	}
	rows, err := s.query(ctx, customerItemsQuery, customerID, limit+1)
	if err != nil {
		return nil, false, fmt.Errorf("store: customer items %d: %w", customerID, err)
	}
	defer rows.Close()
	out := make([]CustomerItem, 0, limit)
	more := false
	for rows.Next() {
		if len(out) == limit {
			more = true
			break
		}
		var ci CustomerItem
		var occ, created, updated, dur int64
		err := rows.Scan(&ci.Instance, &ci.Kind, &ci.SourceID, &ci.State, &ci.Outcome, &ci.Detail, &occ,
			&ci.CustomerID, &ci.ConversationID, &ci.ThreadID, &ci.NoteThreadID, &ci.Enrichment,
			&ci.Attempts, &ci.LastError, &created, &updated,
			&ci.Direction, &ci.Channel, &ci.CallOutcome, &dur, &ci.Agent, &ci.Line, &ci.TimeZone, &ci.ExternalE164)
		if err != nil {
			return nil, false, fmt.Errorf("store: customer items %d: %w", customerID, err)
		}
		ci.OccurredAt, ci.CreatedAt, ci.UpdatedAt = fromUnix(occ), fromUnix(created), fromUnix(updated)
		ci.Duration = time.Duration(dur) * time.Second
		out = append(out, ci)
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("store: customer items %d: %w", customerID, err)
	}
	return out, more, nil
}

// customerNumbersQuery lists the distinct numbers of a customer's items by
// skipping from one number to the next in items_numbers_by_customer: one
// index seek per number, where a plain DISTINCT reads an index entry per item
// (5,000 for a busy customer). The literal conditions let SQLite use the
// partial index.
const customerNumbersQuery = `WITH RECURSIVE n(e) AS (
		SELECT min(external_e164) FROM items INDEXED BY items_numbers_by_customer
			WHERE customer_id = ?1 AND customer_id <> 0 AND external_e164 <> ''
		UNION ALL
		SELECT (SELECT min(external_e164) FROM items INDEXED BY items_numbers_by_customer
			WHERE customer_id = ?1 AND customer_id <> 0 AND external_e164 <> '' AND external_e164 > n.e)
		FROM n WHERE n.e IS NOT NULL
	)
	SELECT e FROM n WHERE e IS NOT NULL`

// LedgerCustomerNumbers returns the E.164 numbers known locally for a Help
// Scout customer, sorted: those we created the customer for and those of its
// logged calls and messages. The sidebar shows them when the customers
// mirror (Help Scout's own list of the customer's phones) does not hold the
// customer yet; it never asks Help Scout.
func (s *Store) LedgerCustomerNumbers(ctx context.Context, customerID int64) ([]string, error) {
	if customerID <= 0 {
		return nil, nil
	}
	var nums []string
	for _, q := range []string{
		`SELECT e164 FROM customer_phones WHERE customer_id = ?`,
		customerNumbersQuery,
	} {
		got, err := s.strings(ctx, q, customerID)
		if err != nil {
			return nil, fmt.Errorf("store: customer numbers %d: %w", customerID, err)
		}
		nums = append(nums, got...)
	}
	slices.Sort(nums)
	return slices.Compact(nums), nil
}

// strings runs a one-column read.
func (s *Store) strings(ctx context.Context, q string, args ...any) ([]string, error) {
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v sql.NullString
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		if v := strings.TrimSpace(v.String); v != "" {
			out = append(out, v)
		}
	}
	return out, rows.Err()
}

// MirrorCustomerPhones returns the phones stored on a Help Scout customer as
// the customers mirror holds them (as written, with their E.164 form, ""
// when it does not parse), ordered as written. found is false when the
// customer is not in the mirror (its first sync has not reached it, or the
// customer is gone), so the caller can fall back to what the ledger knows.
func (s *Store) MirrorCustomerPhones(ctx context.Context, customerID int64) (phones []MirrorPhone, found bool, err error) {
	if customerID <= 0 {
		return nil, false, nil
	}
	rows, err := s.query(ctx, `
		SELECT p.phone, p.e164 FROM mirror_customers c
		LEFT JOIN mirror_customer_phones p ON p.customer_id = c.id
		WHERE c.id = ? ORDER BY p.phone`, customerID)
	if err != nil {
		return nil, false, fmt.Errorf("store: mirror customer phones %d: %w", customerID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var raw, e164 sql.NullString
		if err := rows.Scan(&raw, &e164); err != nil {
			return nil, false, fmt.Errorf("store: mirror customer phones %d: %w", customerID, err)
		}
		found = true
		if raw.Valid { // NULL: the customer has no phone
			phones = append(phones, MirrorPhone{Raw: raw.String, E164: e164.String})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("store: mirror customer phones %d: %w", customerID, err)
	}
	return phones, found, nil
}
