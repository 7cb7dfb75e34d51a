package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// MirrorCustomer is a Help Scout customer as the customers mirror keeps it.
type MirrorCustomer struct {
	ID                           int64
	FirstName, LastName, Company string
	Emails                       []string
	Phones                       []MirrorPhone
	CreatedAt, ModifiedAt        time.Time
}

// MirrorPhone is one stored phone: Raw as the agent wrote it, E164 its
// normalised form, computed by the caller (the store knows no phone rules);
// "" when it does not parse, so it never matches.
type MirrorPhone struct {
	Raw, E164 string
}

// MirrorConversation is a conversation of a mailbox as the conversations
// mirror keeps it.
type MirrorConversation struct {
	MailboxID, ID, CustomerID       int64
	Status, Subject                 string
	Tags                            []string
	CreatedAt, ClosedAt, ModifiedAt time.Time
	// AssigneeID is the Help Scout user the conversation is assigned to (0:
	// nobody) when AssigneeKnown; a row mirrored before assignees were kept
	// does not know it until the next listing returns the conversation, and
	// an upsert that does not know it keeps what the row knew.
	AssigneeID    int64
	AssigneeKnown bool
}

// Mirror sync phases.
const (
	MirrorPhaseFirstSync = "first-sync" // the first complete listing is in progress
	MirrorPhaseReady     = "ready"      // complete; refreshed incrementally
	MirrorPhaseRelist    = "relist"     // a full re-list (mark and sweep) is in progress
)

// MirrorSync is the progress of one mirror ("customers" or
// "conversations:<mailbox>"), saved after every page so that a listing of
// thousands of pages resumes where it stopped after a restart.
type MirrorSync struct {
	Name  string
	Phase string // "" (never synced) or a MirrorPhase* value
	// Page and Cursor locate the next page of the listing in progress:
	// page number and modifiedSince (zero = none).
	Page          int
	Cursor        time.Time
	SeenTotal     int // rows read by the listing in progress
	ExpectedTotal int // totalElements Help Scout announced when it began
	// HighWater is the newest modifiedAt mirrored; refreshes ask for
	// modifiedSince HighWater minus an overlap.
	HighWater        time.Time
	ListingStartedAt time.Time // first sync or re-list in progress began
	LastFullAt       time.Time // last first sync or re-list completed
	LastRefreshAt    time.Time // last incremental refresh completed
	UpdatedAt        time.Time
}

// MirrorSizes counts the mirrors' rows, for status.
type MirrorSizes struct {
	Customers, Phones int
	Conversations     map[int64]int // by mailbox
}

func jsonList(v []string) string {
	if len(v) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(v) // []string always marshals
	return string(b)
}

func parseList(s string) []string {
	var v []string
	_ = json.Unmarshal([]byte(s), &v) // written by jsonList only
	return v
}

// UpsertMirrorCustomers stores a page of customers in one transaction,
// replacing each one's phones, and marks them seen at seenAt (for the sweep
// of a full re-list).
func (s *Store) UpsertMirrorCustomers(ctx context.Context, seenAt time.Time, cs []MirrorCustomer) error {
	if len(cs) == 0 {
		return nil
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		up, err := tx.PrepareContext(ctx, `
			INSERT INTO mirror_customers (id, first_name, last_name, emails, company, created_at, modified_at, seen_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET first_name = excluded.first_name, last_name = excluded.last_name,
				emails = excluded.emails, company = excluded.company, created_at = excluded.created_at,
				modified_at = excluded.modified_at, seen_at = excluded.seen_at`)
		if err != nil {
			return err
		}
		defer up.Close()
		del, err := tx.PrepareContext(ctx, `DELETE FROM mirror_customer_phones WHERE customer_id = ?`)
		if err != nil {
			return err
		}
		defer del.Close()
		ins, err := tx.PrepareContext(ctx, `INSERT OR IGNORE INTO mirror_customer_phones (customer_id, phone, e164) VALUES (?, ?, ?)`)
		if err != nil {
			return err
		}
		defer ins.Close()
		for _, c := range cs {
			if c.ID == 0 {
				return errors.New("customer without id")
			}
			if _, err := up.ExecContext(ctx, c.ID, c.FirstName, c.LastName, jsonList(c.Emails), c.Company,
				unix(c.CreatedAt), unix(c.ModifiedAt), unix(seenAt)); err != nil {
				return fmt.Errorf("customer %d: %w", c.ID, err)
			}
			if _, err := del.ExecContext(ctx, c.ID); err != nil {
				return fmt.Errorf("customer %d phones: %w", c.ID, err)
			}
			for _, p := range c.Phones {
				if strings.TrimSpace(p.Raw) == "" {
					continue
				}
				if _, err := ins.ExecContext(ctx, c.ID, p.Raw, p.E164); err != nil {
					return fmt.Errorf("customer %d phone: %w", c.ID, err)
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: upsert mirror customers: %w", err)
	}
	return nil
}

// DeleteMirrorCustomer forgets a customer Help Scout no longer has (a write
// naming it failed, or a re-list did not see it), with its phones.
func (s *Store) DeleteMirrorCustomer(ctx context.Context, id int64) error {
	if _, err := s.exec(ctx, `DELETE FROM mirror_customers WHERE id = ?`, id); err != nil {
		return fmt.Errorf("store: delete mirror customer %d: %w", id, err)
	}
	return nil
}

// SweepMirrorCustomers deletes the customers no listing returned since
// seenSince (the start of a completed full re-list): deleted or merged away
// in Help Scout. It returns how many went.
func (s *Store) SweepMirrorCustomers(ctx context.Context, seenSince time.Time) (int, error) {
	res, err := s.exec(ctx, `DELETE FROM mirror_customers WHERE seen_at < ?`, unix(seenSince))
	if err != nil {
		return 0, fmt.Errorf("store: sweep mirror customers: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// MirrorCustomersByE164 returns the customers with a stored phone whose
// E.164 form is e164, lowest id first, each with all its phones and emails.
// It reads by index: one lookup per call, whatever the mirror's size.
func (s *Store) MirrorCustomersByE164(ctx context.Context, e164 string) ([]MirrorCustomer, error) {
	if e164 == "" {
		return nil, nil
	}
	rows, err := s.query(ctx, `
		SELECT c.id, c.first_name, c.last_name, c.emails, c.company, c.created_at, c.modified_at, p.phone, p.e164
		FROM mirror_customers c JOIN mirror_customer_phones p ON p.customer_id = c.id
		WHERE c.id IN (SELECT customer_id FROM mirror_customer_phones WHERE e164 = ?)
		ORDER BY c.id, p.phone`, e164)
	if err != nil {
		return nil, fmt.Errorf("store: mirror customers by phone: %w", err)
	}
	defer rows.Close()
	var out []MirrorCustomer
	for rows.Next() {
		var c MirrorCustomer
		var emails string
		var created, modified int64
		var p MirrorPhone
		if err := rows.Scan(&c.ID, &c.FirstName, &c.LastName, &emails, &c.Company, &created, &modified, &p.Raw, &p.E164); err != nil {
			return nil, fmt.Errorf("store: mirror customers by phone: %w", err)
		}
		if n := len(out); n > 0 && out[n-1].ID == c.ID {
			out[n-1].Phones = append(out[n-1].Phones, p)
			continue
		}
		c.Emails, c.CreatedAt, c.ModifiedAt = parseList(emails), fromUnix(created), fromUnix(modified)
		c.Phones = []MirrorPhone{p}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: mirror customers by phone: %w", err)
	}
	return out, nil
}

// UpsertMirrorConversations stores a page of conversations in one
// transaction, marking them seen at seenAt.
func (s *Store) UpsertMirrorConversations(ctx context.Context, seenAt time.Time, cs []MirrorConversation) error {
	if len(cs) == 0 {
		return nil
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		up, err := tx.PrepareContext(ctx, `
			INSERT INTO mirror_conversations (mailbox_id, id, customer_id, status, subject, tags, created_at, closed_at, modified_at, seen_at, assignee_id)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (mailbox_id, id) DO UPDATE SET customer_id = excluded.customer_id, status = excluded.status,
				subject = excluded.subject, tags = excluded.tags, created_at = excluded.created_at,
				closed_at = excluded.closed_at, modified_at = excluded.modified_at, seen_at = excluded.seen_at,
				assignee_id = COALESCE(excluded.assignee_id, mirror_conversations.assignee_id)`)
		if err != nil {
			return err
		}
		defer up.Close()
		// A conversation moved to another mailbox leaves this one.
		moved, err := tx.PrepareContext(ctx, `DELETE FROM mirror_conversations WHERE id = ? AND mailbox_id <> ?`)
		if err != nil {
			return err
		}
		defer moved.Close()
		for _, c := range cs {
			if c.ID == 0 || c.MailboxID == 0 {
				return fmt.Errorf("conversation %d without id or mailbox", c.ID)
			}
			if _, err := moved.ExecContext(ctx, c.ID, c.MailboxID); err != nil {
				return fmt.Errorf("conversation %d: %w", c.ID, err)
			}
			assignee := sql.NullInt64{Int64: c.AssigneeID, Valid: c.AssigneeKnown}
			if _, err := up.ExecContext(ctx, c.MailboxID, c.ID, c.CustomerID, c.Status, c.Subject, jsonList(c.Tags),
				unix(c.CreatedAt), unix(c.ClosedAt), unix(c.ModifiedAt), unix(seenAt), assignee); err != nil {
				return fmt.Errorf("conversation %d: %w", c.ID, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: upsert mirror conversations: %w", err)
	}
	return nil
}

// TouchMirrorConversation records one of our writes to a conversation the
// mirror may hold (a thread added, an assignment) without knowing the rest
// of it: its modifiedAt moves to at (never back) and, when assigneeKnown,
// its assignee becomes assigneeID. A conversation the mirror does not hold
// stays out: only a listing knows whether the rules may pick it.
func (s *Store) TouchMirrorConversation(ctx context.Context, id int64, at time.Time, assigneeID int64, assigneeKnown bool) error {
	assignee := sql.NullInt64{Int64: assigneeID, Valid: assigneeKnown}
	if _, err := s.exec(ctx, `UPDATE mirror_conversations SET modified_at = MAX(modified_at, ?),
		assignee_id = COALESCE(?, assignee_id) WHERE id = ?`, unix(at), assignee, id); err != nil {
		return fmt.Errorf("store: touch mirror conversation %d: %w", id, err)
	}
	return nil
}

// DeleteMirrorConversation forgets a conversation (gone, merged, moved, or
// no longer one the rules can pick), in every mailbox.
func (s *Store) DeleteMirrorConversation(ctx context.Context, id int64) error {
	if _, err := s.exec(ctx, `DELETE FROM mirror_conversations WHERE id = ?`, id); err != nil {
		return fmt.Errorf("store: delete mirror conversation %d: %w", id, err)
	}
	return nil
}

// PruneMirrorConversations deletes the conversations of a mailbox the rules
// can no longer pick: closed before closedBefore, or spam. It returns how
// many went.
func (s *Store) PruneMirrorConversations(ctx context.Context, mailboxID int64, closedBefore time.Time) (int, error) {
	res, err := s.exec(ctx, `
		DELETE FROM mirror_conversations
		WHERE mailbox_id = ? AND (status = 'spam' OR (status = 'closed' AND closed_at < ?))`,
		mailboxID, unix(closedBefore))
	if err != nil {
		return 0, fmt.Errorf("store: prune mirror conversations: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// SweepMirrorConversations deletes the conversations of a mailbox no
// listing returned since seenSince (the start of a completed re-list).
func (s *Store) SweepMirrorConversations(ctx context.Context, mailboxID int64, seenSince time.Time) (int, error) {
	res, err := s.exec(ctx, `DELETE FROM mirror_conversations WHERE mailbox_id = ? AND seen_at < ?`, mailboxID, unix(seenSince))
	if err != nil {
		return 0, fmt.Errorf("store: sweep mirror conversations: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// MirrorConversationsFor returns the mirrored conversations of a customer in
// a mailbox, most recently modified first: the candidates of existing mode
// and REOPEN_CLOSED, for the rules to choose from.
func (s *Store) MirrorConversationsFor(ctx context.Context, mailboxID, customerID int64) ([]MirrorConversation, error) {
	rows, err := s.query(ctx, `
		SELECT id, customer_id, status, subject, tags, created_at, closed_at, modified_at, assignee_id
		FROM mirror_conversations WHERE mailbox_id = ? AND customer_id = ?
		ORDER BY modified_at DESC, id DESC`, mailboxID, customerID)
	if err != nil {
		return nil, fmt.Errorf("store: mirror conversations: %w", err)
	}
	defer rows.Close()
	var out []MirrorConversation
	for rows.Next() {
		c := MirrorConversation{MailboxID: mailboxID}
		var tags string
		var created, closed, modified int64
		var assignee sql.NullInt64
		if err := rows.Scan(&c.ID, &c.CustomerID, &c.Status, &c.Subject, &tags, &created, &closed, &modified, &assignee); err != nil {
			return nil, fmt.Errorf("store: mirror conversations: %w", err)
		}
		c.AssigneeID, c.AssigneeKnown = assignee.Int64, assignee.Valid
		c.Tags, c.CreatedAt, c.ClosedAt, c.ModifiedAt = parseList(tags), fromUnix(created), fromUnix(closed), fromUnix(modified)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: mirror conversations: %w", err)
	}
	return out, nil
}

// MirrorSyncState returns a mirror's sync state; ok is false before its
// first sync began.
func (s *Store) MirrorSyncState(ctx context.Context, name string) (MirrorSync, bool, error) {
	m := MirrorSync{Name: name}
	var cursor, hw, started, full, refresh, updated int64
	err := s.queryRow(ctx, `
		SELECT phase, page, cursor, seen_total, expected_total, high_water, listing_started_at, last_full_at, last_refresh_at, updated_at
		FROM mirror_sync WHERE name = ?`, name).
		Scan(&m.Phase, &m.Page, &cursor, &m.SeenTotal, &m.ExpectedTotal, &hw, &started, &full, &refresh, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return MirrorSync{Name: name}, false, nil
	}
	if err != nil {
		return MirrorSync{}, false, fmt.Errorf("store: mirror sync %q: %w", name, err)
	}
	m.Cursor, m.HighWater, m.ListingStartedAt = fromUnix(cursor), fromUnix(hw), fromUnix(started)
	m.LastFullAt, m.LastRefreshAt, m.UpdatedAt = fromUnix(full), fromUnix(refresh), fromUnix(updated)
	return m, true, nil
}

// PutMirrorSyncState saves a mirror's sync state (UpdatedAt is stamped now).
func (s *Store) PutMirrorSyncState(ctx context.Context, m MirrorSync) error {
	if m.Name == "" {
		return errors.New("store: put mirror sync: empty name")
	}
	_, err := s.exec(ctx, `
		INSERT INTO mirror_sync (name, phase, page, cursor, seen_total, expected_total, high_water, listing_started_at,
			last_full_at, last_refresh_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET phase = excluded.phase, page = excluded.page, cursor = excluded.cursor,
			seen_total = excluded.seen_total, expected_total = excluded.expected_total, high_water = excluded.high_water,
			listing_started_at = excluded.listing_started_at, last_full_at = excluded.last_full_at,
			last_refresh_at = excluded.last_refresh_at, updated_at = excluded.updated_at`,
		m.Name, m.Phase, m.Page, unix(m.Cursor), m.SeenTotal, m.ExpectedTotal, unix(m.HighWater), unix(m.ListingStartedAt),
		unix(m.LastFullAt), unix(m.LastRefreshAt), s.now().Unix())
	if err != nil {
		return fmt.Errorf("store: put mirror sync %q: %w", m.Name, err)
	}
	return nil
}

// MirrorSyncStates returns every mirror's sync state, by name, for status.
func (s *Store) MirrorSyncStates(ctx context.Context) ([]MirrorSync, error) {
	rows, err := s.query(ctx, `SELECT name FROM mirror_sync ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("store: mirror sync states: %w", err)
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			_ = rows.Close()
			return nil, fmt.Errorf("store: mirror sync states: %w", err)
		}
		names = append(names, n)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, fmt.Errorf("store: mirror sync states: %w", err)
	}
	out := make([]MirrorSync, 0, len(names))
	for _, n := range names {
		m, _, err := s.MirrorSyncState(ctx, n)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// MirrorSizes counts the mirrors' rows.
func (s *Store) MirrorSizes(ctx context.Context) (MirrorSizes, error) {
	out := MirrorSizes{Conversations: map[int64]int{}}
	if err := s.queryRow(ctx, `SELECT (SELECT COUNT(*) FROM mirror_customers), (SELECT COUNT(*) FROM mirror_customer_phones)`).
		Scan(&out.Customers, &out.Phones); err != nil {
		return MirrorSizes{}, fmt.Errorf("store: mirror sizes: %w", err)
	}
	rows, err := s.query(ctx, `SELECT mailbox_id, COUNT(*) FROM mirror_conversations GROUP BY mailbox_id`)
	if err != nil {
		return MirrorSizes{}, fmt.Errorf("store: mirror sizes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var mbx int64
		var n int
		if err := rows.Scan(&mbx, &n); err != nil {
			return MirrorSizes{}, fmt.Errorf("store: mirror sizes: %w", err)
		}
		out.Conversations[mbx] = n
	}
	if err := rows.Err(); err != nil {
		return MirrorSizes{}, fmt.Errorf("store: mirror sizes: %w", err)
	}
	return out, nil
}
