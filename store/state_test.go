package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/matryer/is"
)

func TestLateInsightExpiry(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	s, clock := openTemp(t)

	hour := LateInsight{Instance: "default", CallID: 1, EndedAt: t0, Agent: "Ana", ExpiresAt: clock.Now().Add(time.Hour)}
	is.NoErr(s.PutLateInsight(ctx, hour))
	is.NoErr(s.PutLateInsight(ctx, LateInsight{Instance: "default", CallID: 2, ExpiresAt: clock.Now().Add(-time.Second)}))
	is.NoErr(s.PutLateInsight(ctx, LateInsight{Instance: "other", CallID: 1, Agent: "Bo", ExpiresAt: clock.Now().Add(48 * time.Hour)}))

	get := func(inst string, id int64) (LateInsight, bool) {
		li, ok, err := s.LateInsight(ctx, inst, id)
		is.NoErr(err)
		return li, ok
	}
	for _, tc := range []struct {
		after     time.Duration
		inst      string
		id        int64
		wantAgent string
		ok        bool
	}{
		{0, "default", 1, "Ana", true},
		{0, "default", 2, "", false}, // already expired
		{0, "other", 1, "Bo", true},  // instances do not share
		{0, "default", 3, "", false},
		{59 * time.Minute, "default", 1, "Ana", true},
		{time.Minute, "default", 1, "", false}, // exactly at expiry: gone
		{0, "other", 1, "Bo", true},
	} {
		clock.Add(tc.after)
		li, ok := get(tc.inst, tc.id)
		is.Equal(ok, tc.ok)
		is.Equal(li.Agent, tc.wantAgent)
	}

	// A later look replaces the record, and expired rows are swept on write.
	hour.LookedAt, hour.ExpiresAt = clock.Now(), clock.Now().Add(time.Hour)
	is.NoErr(s.PutLateInsight(ctx, hour))
	li, ok := get("default", 1)
	is.True(ok)
	is.Equal(li, hour)
	var rows int
	is.NoErr(s.r.QueryRow(`SELECT count(*) FROM late_insights`).Scan(&rows))
	is.Equal(rows, 2) // call 2 swept
}

func TestPutStateRejectsBadKeys(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	s, clock := openTemp(t)
	for _, li := range []LateInsight{
		{CallID: 1, ExpiresAt: clock.Now()},
		{Instance: "default", ExpiresAt: clock.Now()},
		{Instance: "default", CallID: 1},
	} {
		err := s.PutLateInsight(ctx, li)
		is.True(err != nil && strings.Contains(err.Error(), "put late insight")) // names the culprit
	}
	err := s.PutAnonymousCustomer(ctx, "", 7)
	is.True(err != nil && strings.Contains(err.Error(), "need an instance"))
	err = s.PutAnonymousCustomer(ctx, "default", 0)
	is.True(err != nil && strings.Contains(err.Error(), "need an instance"))
}

func TestAddonOffAndAnonymousCustomer(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	s, _ := openTemp(t)

	until, err := s.AddonOffUntil(ctx)
	is.NoErr(err)
	is.True(until.IsZero()) // never set
	is.NoErr(s.PutAddonOffUntil(ctx, t0.Add(time.Hour)))
	is.NoErr(s.PutAddonOffUntil(ctx, t0.Add(2*time.Hour)))
	until, err = s.AddonOffUntil(ctx)
	is.NoErr(err)
	is.Equal(until, t0.Add(2*time.Hour))

	_, ok, err := s.AnonymousCustomer(ctx, "default")
	is.NoErr(err)
	is.True(!ok)
	is.NoErr(s.PutAnonymousCustomer(ctx, "default", 5))
	is.NoErr(s.PutAnonymousCustomer(ctx, "default", 6)) // merged into 6
	is.NoErr(s.PutAnonymousCustomer(ctx, "eu", 9))
	for inst, want := range map[string]int64{"default": 6, "eu": 9} {
		id, ok, err := s.AnonymousCustomer(ctx, inst)
		is.NoErr(err)
		is.True(ok)
		is.Equal(id, want)
	}
}

// TestKVMigrationKeepsState upgrades a database written at migration 002,
// when this state lived as strings in the kv table: opened with this code,
// it keeps the late-insight records, the add-on flag and the anonymous
// customers, and drops what it cannot read instead of failing the upgrade.
func TestKVMigrationKeepsState(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	expires := t0.Add(3 * 24 * time.Hour).Unix()
	buildAtVersion(t, path, 2, func(db *sql.DB) {
		for _, kv := range []struct {
			key, value string
			expires    int64
		}{
			{"late_enrichment:default:101", `{"ended":1772366400,"agent":"Ana Lima","looked":1772370000}`, expires},
			{"late_enrichment:eu:west:202", `{"ended":1772366500}`, expires}, // a colon in the instance name
			{"late_enrichment:default:303", `not json`, expires},
			{"late_enrichment:default:gone", `{"ended":1}`, expires}, // no call ID
			{"aircall_ai_addon_off", "1772373600", 0},
			{"anonymous_customer:default", "4242", 0},
			{"anonymous_customer:eu:west", "77", 0},
			{"anonymous_customer:broken", "x", 0},
		} {
			_, err := db.Exec(`INSERT INTO kv (key, value, expires_at) VALUES (?, ?, ?)`, kv.key, kv.value, kv.expires)
			is.NoErr(err)
		}
	})

	s, _ := openAt(t, path)
	li, ok, err := s.LateInsight(ctx, "default", 101)
	is.NoErr(err)
	is.True(ok)
	is.Equal(li, LateInsight{Instance: "default", CallID: 101, EndedAt: time.Unix(1772366400, 0).UTC(), Agent: "Ana Lima",
		LookedAt: time.Unix(1772370000, 0).UTC(), ExpiresAt: time.Unix(expires, 0).UTC()})
	li, ok, err = s.LateInsight(ctx, "eu:west", 202)
	is.NoErr(err)
	is.True(ok)
	is.Equal(li.EndedAt, time.Unix(1772366500, 0).UTC())
	is.Equal(li.Agent, "")
	is.True(li.LookedAt.IsZero())
	_, ok, err = s.LateInsight(ctx, "default", 303)
	is.NoErr(err)
	is.True(!ok) // unreadable: dropped, the late path falls back as before
	var rows int
	is.NoErr(s.r.QueryRow(`SELECT count(*) FROM late_insights`).Scan(&rows))
	is.Equal(rows, 2)

	until, err := s.AddonOffUntil(ctx)
	is.NoErr(err)
	is.Equal(until, time.Unix(1772373600, 0).UTC())

	for inst, want := range map[string]int64{"default": 4242, "eu:west": 77} {
		id, ok, err := s.AnonymousCustomer(ctx, inst)
		is.NoErr(err)
		is.True(ok)
		is.Equal(id, want)
	}
	_, ok, err = s.AnonymousCustomer(ctx, "broken")
	is.NoErr(err)
	is.True(!ok)

	err = s.r.QueryRow(`SELECT count(*) FROM kv`).Scan(&rows)
	is.True(err != nil && strings.Contains(err.Error(), "no such table")) // the blob is gone
}
