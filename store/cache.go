package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// CustomerForPhone returns the Help Scout customer we created or used for an
// E.164 number. Help Scout's search index lags behind creates, so without
// this a second call from a new number minutes later would create a twin.
func (s *Store) CustomerForPhone(ctx context.Context, e164 string) (customerID int64, ok bool, err error) {
	err = s.queryRow(ctx, `SELECT customer_id FROM customer_phones WHERE e164 = ?`, e164).Scan(&customerID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("store: customer for phone: %w", err)
	}
	return customerID, true, nil
}

// PutCustomerForPhone remembers (or replaces) the customer of an E.164 number.
func (s *Store) PutCustomerForPhone(ctx context.Context, e164 string, customerID int64) error {
	if e164 == "" {
		return errors.New("store: put customer for phone: empty number")
	}
	_, err := s.exec(ctx, `
		INSERT INTO customer_phones (e164, customer_id, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (e164) DO UPDATE SET customer_id = excluded.customer_id, updated_at = excluded.updated_at`,
		e164, customerID, s.now().Unix())
	if err != nil {
		return fmt.Errorf("store: put customer for phone: %w", err)
	}
	return nil
}

// CachedUser is the Help Scout user matching an agent email, as last checked.
type CachedUser struct {
	Email     string
	UserID    int64 // 0 = no such Help Scout user
	CheckedAt time.Time
}

// UserForEmail returns the cached lookup for an agent email (compared
// lower-cased). The caller decides from CheckedAt whether it is too old.
func (s *Store) UserForEmail(ctx context.Context, email string) (CachedUser, bool, error) {
	u := CachedUser{Email: strings.ToLower(email)}
	var checked int64
	err := s.queryRow(ctx, `SELECT user_id, checked_at FROM user_emails WHERE email = ?`, u.Email).
		Scan(&u.UserID, &checked)
	if errors.Is(err, sql.ErrNoRows) {
		return CachedUser{}, false, nil
	}
	if err != nil {
		return CachedUser{}, false, fmt.Errorf("store: user for email: %w", err)
	}
	u.CheckedAt = fromUnix(checked)
	return u, true, nil
}

// PutUserForEmail caches an email → user lookup; userID 0 records "no user".
func (s *Store) PutUserForEmail(ctx context.Context, email string, userID int64, checkedAt time.Time) error {
	if email == "" {
		return errors.New("store: put user for email: empty email")
	}
	_, err := s.exec(ctx, `
		INSERT INTO user_emails (email, user_id, checked_at) VALUES (?, ?, ?)
		ON CONFLICT (email) DO UPDATE SET user_id = excluded.user_id, checked_at = excluded.checked_at`,
		strings.ToLower(email), userID, unix(checkedAt))
	if err != nil {
		return fmt.Errorf("store: put user for email: %w", err)
	}
	return nil
}

// ContactSyncedAt returns the customer's updatedAt as of the last contact sync
// to Aircall, so the sync runs once per customer change, not once per call.
func (s *Store) ContactSyncedAt(ctx context.Context, customerID int64) (customerUpdatedAt time.Time, ok bool, err error) {
	var v int64
	err = s.queryRow(ctx, `SELECT customer_updated_at FROM contact_syncs WHERE customer_id = ?`, customerID).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("store: contact synced at: %w", err)
	}
	return fromUnix(v), true, nil
}

// PutContactSynced records that the customer, as of customerUpdatedAt, was
// synced to Aircall.
func (s *Store) PutContactSynced(ctx context.Context, customerID int64, customerUpdatedAt time.Time) error {
	_, err := s.exec(ctx, `
		INSERT INTO contact_syncs (customer_id, customer_updated_at, synced_at) VALUES (?, ?, ?)
		ON CONFLICT (customer_id) DO UPDATE SET customer_updated_at = excluded.customer_updated_at, synced_at = excluded.synced_at`,
		customerID, unix(customerUpdatedAt), s.now().Unix())
	if err != nil {
		return fmt.Errorf("store: put contact synced: %w", err)
	}
	return nil
}
