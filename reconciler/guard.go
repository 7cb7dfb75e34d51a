package reconciler

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/aircall-helpscout/aircall-helpscout/clients/aircall"
	"github.com/aircall-helpscout/aircall-helpscout/clients/helpscout"
	"github.com/aircall-helpscout/aircall-helpscout/store"
)

// State is what a pass needs of the store: the reads it decides on and the
// writes that record what it did (ledger, journal, cursors, caches, runs).
type State interface {
	GetItem(ctx context.Context, instance string, kind store.Kind, sourceID string) (store.Item, bool, error)
	ListItems(ctx context.Context, f store.ItemFilter) ([]store.Item, error)
	Cursor(ctx context.Context, instance, stream string) (int64, bool, error)
	Intents(ctx context.Context, instance string, kind store.Kind, sourceID string) ([]store.Intent, error)
	CustomerForPhone(ctx context.Context, e164 string) (int64, bool, error)
	UserForEmail(ctx context.Context, email string) (store.CachedUser, bool, error)
	ContactSyncedAt(ctx context.Context, customerID int64) (time.Time, bool, error)
	DayConversation(ctx context.Context, instance string, customerID int64, channel, day string) (store.DayConversation, bool, error)
	MessagesAfter(ctx context.Context, afterSeq int64, limit int) ([]store.InboxMessage, error)
	GetMessage(ctx context.Context, messageID string) (store.InboxMessage, bool, error)
	LateInsight(ctx context.Context, instance string, callID int64) (store.LateInsight, bool, error)
	AddonOffUntil(ctx context.Context) (time.Time, error)
	// Transcripts and AI insights delivered by webhook (web/ stores them).
	CallInsights(ctx context.Context, callID int64) ([]store.InsightEvent, error)
	LastInsightDelivery(ctx context.Context) (time.Time, bool, error)
	AnonymousCustomer(ctx context.Context, instance string) (int64, bool, error)
	RetryRequested(ctx context.Context, instance string, kind store.Kind) ([]store.Item, error)
	MirrorCustomersByE164(ctx context.Context, e164 string) ([]store.MirrorCustomer, error)
	MirrorConversationsFor(ctx context.Context, mailboxID, customerID int64) ([]store.MirrorConversation, error)
	MirrorSyncState(ctx context.Context, name string) (store.MirrorSync, bool, error)
	// AllOpenIntents: other items' creates whose outcome is unknown hold
	// back a conversation choice for the same customer.
	AllOpenIntents(ctx context.Context, instance string) ([]store.Intent, error)

	PutItem(ctx context.Context, it store.Item) error
	AdvanceCursor(ctx context.Context, instance, stream string, v int64) error
	BeginIntent(ctx context.Context, in store.Intent) (int64, error)
	FinishIntent(ctx context.Context, id, resultID int64) error
	PutCustomerForPhone(ctx context.Context, e164 string, customerID int64) error
	PutUserForEmail(ctx context.Context, email string, userID int64, checkedAt time.Time) error
	PutContactSynced(ctx context.Context, customerID int64, customerUpdatedAt time.Time) error
	PutDayConversation(ctx context.Context, d store.DayConversation) error
	PutLateInsight(ctx context.Context, li store.LateInsight) error
	PutAddonOffUntil(ctx context.Context, until time.Time) error
	PutAnonymousCustomer(ctx context.Context, instance string, customerID int64) error
	StartRun(ctx context.Context, r store.Run) (int64, error)
	FinishRun(ctx context.Context, id int64, finishedAt time.Time, counts map[store.Outcome]int, errMsg string) error
	RunProgress(ctx context.Context, id int64, counts map[store.Outcome]int) error
	// What explain, the status pages and the sidebar show: how an item was
	// decided, the looks for its transcript/AI, and its sidebar facts.
	PutDecision(ctx context.Context, d store.Decision) error
	NoteInsightsLook(ctx context.Context, instance string, kind store.Kind, sourceID string, look store.InsightLook) error
	PutItemFacts(ctx context.Context, instance string, kind store.Kind, sourceID string, f store.ItemFacts) error
	// The mirrors (see MirrorStore), and their corrections by the decide
	// path when a write names a customer or conversation that is gone.
	UpsertMirrorCustomers(ctx context.Context, seenAt time.Time, cs []store.MirrorCustomer) error
	DeleteMirrorCustomer(ctx context.Context, id int64) error
	SweepMirrorCustomers(ctx context.Context, seenSince time.Time) (int, error)
	UpsertMirrorConversations(ctx context.Context, seenAt time.Time, cs []store.MirrorConversation) error
	DeleteMirrorConversation(ctx context.Context, id int64) error
	TouchMirrorConversation(ctx context.Context, id int64, at time.Time, assigneeID int64, assigneeKnown bool) error
	PruneMirrorConversations(ctx context.Context, mailboxID int64, closedBefore time.Time) (int, error)
	SweepMirrorConversations(ctx context.Context, mailboxID int64, seenSince time.Time) (int, error)
	PutMirrorSyncState(ctx context.Context, m store.MirrorSync) error
}

// deps are the three things a pass reads from and writes to. A real pass
// gets them as they are; a dry run gets them behind a write guard, so the
// pass code is the same in both and a write cannot slip through because a
// branch was forgotten.
type deps struct {
	ac Aircall
	hs HelpScout
	st State
}

// writeGuard is the write guard of a dry run. Reads go through to the real
// clients and store; every write is logged as planned and answered with a
// placeholder ID. Placeholder IDs are negative, so that they can never be
// mistaken for (nor sent as) a real Help Scout or Aircall ID: the guard's own
// reads answer for them instead of asking the API.
type writeGuard struct {
	log *slog.Logger

	mu     sync.Mutex
	next   int64
	writes []string
	// days holds the day conversations the run would have created or
	// added to, so that the next message of the same day is planned into
	// the same conversation, as a real pass would do.
	days map[string]store.DayConversation
}

func newWriteGuard(log *slog.Logger) *writeGuard {
	return &writeGuard{log: log, days: map[string]store.DayConversation{}}
}

// guard wraps d so that nothing it writes reaches the outside.
func (g *writeGuard) guard(d deps) deps {
	return deps{ac: dryAircall{d.ac, g}, hs: dryHelpScout{d.hs, g}, st: dryState{d.st, g}}
}

// wrote records a write that was not made and returns a placeholder ID.
func (g *writeGuard) wrote(format string, args ...any) int64 {
	what := fmt.Sprintf(format, args...)
	g.mu.Lock()
	defer g.mu.Unlock()
	g.next--
	g.writes = append(g.writes, what)
	g.log.Debug("dry run: write not made", "write", what)
	return g.next
}

// Writes lists the writes the dry run intercepted, in order.
func (g *writeGuard) Writes() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.writes...)
}

// placeholder reports IDs the guard made up.
func placeholder(id int64) bool { return id < 0 }

// dryHelpScout passes Help Scout reads through and intercepts writes.
type dryHelpScout struct {
	HelpScout
	g *writeGuard
}

func (d dryHelpScout) CreateCustomer(_ context.Context, in helpscout.NewCustomer) (int64, error) {
	return d.g.wrote("Help Scout: create customer %s %s", in.FirstName, in.LastName), nil
}

func (d dryHelpScout) CreateConversation(_ context.Context, in helpscout.NewConversation) (int64, error) {
	return d.g.wrote("Help Scout: create conversation %q in mailbox %d", in.Subject, in.MailboxID), nil
}

func (d dryHelpScout) CreateThread(_ context.Context, conversationID int64, in helpscout.NewThread) (int64, error) {
	return d.g.wrote("Help Scout: add %s thread to conversation %d", in.Type, conversationID), nil
}

func (d dryHelpScout) SetStatus(_ context.Context, id int64, status string) error {
	d.g.wrote("Help Scout: set conversation %d %s", id, status)
	return nil
}

func (d dryHelpScout) Assign(_ context.Context, id int64, userID int64) error {
	d.g.wrote("Help Scout: assign conversation %d to user %d", id, userID)
	return nil
}

// Reads about something the run only pretended to create are answered here:
// Help Scout has never heard of a placeholder.

func (d dryHelpScout) GetCustomer(ctx context.Context, id int64) (helpscout.Customer, error) {
	if placeholder(id) {
		return helpscout.Customer{ID: id}, nil
	}
	return d.HelpScout.GetCustomer(ctx, id)
}

func (d dryHelpScout) ListConversations(ctx context.Context, f helpscout.ConversationFilter) ([]helpscout.Conversation, error) {
	if placeholder(f.CustomerID) {
		return nil, nil
	}
	return d.HelpScout.ListConversations(ctx, f)
}

func (d dryHelpScout) GetConversation(ctx context.Context, id int64) (helpscout.Conversation, error) {
	if placeholder(id) {
		return helpscout.Conversation{ID: id, Status: "active"}, nil
	}
	return d.HelpScout.GetConversation(ctx, id)
}

func (d dryHelpScout) ListThreads(ctx context.Context, conversationID int64) ([]helpscout.Thread, error) {
	if placeholder(conversationID) {
		return nil, nil
	}
	return d.HelpScout.ListThreads(ctx, conversationID)
}

// dryAircall passes Aircall reads through and intercepts writes.
type dryAircall struct {
	Aircall
	g *writeGuard
}

func (d dryAircall) CreateContact(_ context.Context, in aircall.ContactInput) (aircall.Contact, error) {
	return aircall.Contact{ID: d.g.wrote("Aircall: create contact %s %s", in.FirstName, in.LastName)}, nil
}

func (d dryAircall) UpdateContact(_ context.Context, id int64, in aircall.ContactInput) (aircall.Contact, error) {
	d.g.wrote("Aircall: update contact %d", id)
	return aircall.Contact{ID: id}, nil
}

func (d dryAircall) AddContactEmail(_ context.Context, contactID int64, _, _ string) error {
	d.g.wrote("Aircall: add email to contact %d", contactID)
	return nil
}

// dryState passes store reads through and intercepts writes, remembering the
// few the rest of the run must see (day conversations).
type dryState struct {
	State
	g *writeGuard
}

func dayKey(instance string, customerID int64, channel, day string) string {
	return fmt.Sprintf("%s|%d|%s|%s", instance, customerID, channel, day)
}

func (d dryState) DayConversation(ctx context.Context, instance string, customerID int64, channel, day string) (store.DayConversation, bool, error) {
	d.g.mu.Lock()
	dc, ok := d.g.days[dayKey(instance, customerID, channel, day)]
	d.g.mu.Unlock()
	if ok {
		return dc, true, nil
	}
	return d.State.DayConversation(ctx, instance, customerID, channel, day)
}

func (d dryState) PutDayConversation(_ context.Context, dc store.DayConversation) error {
	d.g.mu.Lock()
	d.g.days[dayKey(dc.Instance, dc.CustomerID, dc.Channel, dc.Day)] = dc
	d.g.mu.Unlock()
	return nil
}

func (d dryState) PutItem(context.Context, store.Item) error { return nil }

func (d dryState) AdvanceCursor(context.Context, string, string, int64) error { return nil }

func (d dryState) BeginIntent(context.Context, store.Intent) (int64, error) {
	return d.g.placeholderID(), nil
}

func (d dryState) FinishIntent(context.Context, int64, int64) error { return nil }

func (d dryState) PutCustomerForPhone(context.Context, string, int64) error { return nil }

func (d dryState) PutUserForEmail(context.Context, string, int64, time.Time) error { return nil }

func (d dryState) PutContactSynced(context.Context, int64, time.Time) error { return nil }

func (d dryState) PutLateInsight(context.Context, store.LateInsight) error { return nil }

func (d dryState) PutAddonOffUntil(context.Context, time.Time) error { return nil }

func (d dryState) PutAnonymousCustomer(context.Context, string, int64) error { return nil }

func (d dryState) StartRun(context.Context, store.Run) (int64, error) {
	return d.g.placeholderID(), nil
}

func (d dryState) FinishRun(context.Context, int64, time.Time, map[store.Outcome]int, string) error {
	return nil
}

func (d dryState) RunProgress(context.Context, int64, map[store.Outcome]int) error { return nil }

func (d dryState) PutDecision(context.Context, store.Decision) error { return nil }

func (d dryState) NoteInsightsLook(context.Context, string, store.Kind, string, store.InsightLook) error {
	return nil
}

func (d dryState) PutItemFacts(context.Context, string, store.Kind, string, store.ItemFacts) error {
	return nil
}

// The mirrors are a cache of Help Scout: a dry run neither fills nor
// corrects them (it does not sync them at all), so their writes are dropped.

func (d dryState) UpsertMirrorCustomers(context.Context, time.Time, []store.MirrorCustomer) error {
	return nil
}

func (d dryState) DeleteMirrorCustomer(context.Context, int64) error { return nil }

func (d dryState) SweepMirrorCustomers(context.Context, time.Time) (int, error) { return 0, nil }

func (d dryState) UpsertMirrorConversations(context.Context, time.Time, []store.MirrorConversation) error {
	return nil
}

func (d dryState) DeleteMirrorConversation(context.Context, int64) error { return nil }

func (d dryState) TouchMirrorConversation(context.Context, int64, time.Time, int64, bool) error {
	return nil
}

func (d dryState) PruneMirrorConversations(context.Context, int64, time.Time) (int, error) {
	return 0, nil
}

func (d dryState) SweepMirrorConversations(context.Context, int64, time.Time) (int, error) {
	return 0, nil
}

func (d dryState) PutMirrorSyncState(context.Context, store.MirrorSync) error { return nil }

// placeholderID is a made-up ID for a store row that is not written.
func (g *writeGuard) placeholderID() int64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.next--
	return g.next
}
