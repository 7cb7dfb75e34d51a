// Package reconciler runs passes: it reads Aircall calls (and stored
// SMS/WhatsApp messages) since each instance's cursor, asks package rules what
// to do with each one, writes to Help Scout and records every step in the
// store, so that any pass, repeated or interrupted, has the effect of one
// clean pass (docs/exactly-once.md).
//
// Exactly-once rests on three things. The ledger says which items reached a
// final outcome. The intent journal records each Help Scout write before it is
// made and its result after, so that a pass that died in between can replay
// the journal instead of writing again. And every thread carries a marker
// (rules.CallMarker), so that a write whose outcome is unknown (a crash, or a
// connection dropped after the server committed) is looked for in Help Scout
// before it is made again.
package reconciler

import (
	"context"
	"iter"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/aircall-helpscout/aircall-helpscout/clients/aircall"
	"github.com/aircall-helpscout/aircall-helpscout/clients/helpscout"
	"github.com/aircall-helpscout/aircall-helpscout/rules"
	"github.com/aircall-helpscout/aircall-helpscout/store"
)

// Instance is one configured integration: a set of Aircall numbers logged into
// one Help Scout mailbox with its own settings
// (docs/rules.md#instances-and-numbers).
type Instance struct {
	Name          string
	MailboxID     int64
	AllNumbers    bool
	NumberIDs     []int64  // AIRCALL_NUMBERS entries that are Aircall number IDs
	NumberE164s   []string // AIRCALL_NUMBERS entries that are phone numbers, in E.164
	Conversation  rules.ConversationPolicy
	Reassign      bool
	Enrichment    rules.EnrichmentPolicy
	LogMessages   bool
	Duplicates    rules.Duplicates
	SyncContacts  bool
	DefaultRegion string
	InsightCards  bool // INSIGHT_CARDS: a card in the Aircall app while an inbound call rings
}

// Options tune a Reconciler. Zero values take the documented defaults.
type Options struct {
	Lookback    time.Duration // LOOKBACK, default 2h
	MaxAttempts int           // failures before an item is parked, default 5
	Now         func() time.Time
	Logger      *slog.Logger
	// OnItem is called once per item outcome (metrics).
	OnItem func(instance string, kind store.Kind, outcome store.Outcome)
	// UserCacheTTL is how long an agent email → Help Scout user answer is
	// trusted, default 24h.
	UserCacheTTL time.Duration
	// AddonOffFor is how long a 403 from the AI endpoints stops us asking,
	// default 1h, so that an add-on turned on is noticed within the hour
	// (docs/rules.md#ai-add-on-off).
	AddonOffFor time.Duration
	// InsightWebhookWindow is how recent the last transcript/AI webhook
	// must be for passes to rely on webhooks alone, default
	// DefaultInsightWebhookWindow (see insightWebhooksOn).
	InsightWebhookWindow time.Duration
	// MirrorPages is how many Help Scout listing pages (one unit each) a
	// pass may spend on the mirrors' first sync or full re-list, after their
	// refresh; default DefaultMirrorPages. The rest of the budget is the
	// calls': a first sync of a large account goes on over many passes.
	MirrorPages int
	// MirrorOverlap is how far back a refresh, and the crash check of an
	// interrupted create, look before the last time they know of; default
	// DefaultMirrorOverlap.
	MirrorOverlap time.Duration
}

// Aircall is what the reconciler needs of the Aircall client.
type Aircall interface {
	ListCalls(ctx context.Context, from, to time.Time) iter.Seq2[aircall.Call, error]
	CountCalls(ctx context.Context, from, to time.Time) (int, error)
	GetCall(ctx context.Context, id int64) (aircall.Call, error)
	Transcription(ctx context.Context, callID int64) (aircall.Transcription, error)
	Summary(ctx context.Context, callID int64) (aircall.Summary, error)
	Topics(ctx context.Context, callID int64) (aircall.Topics, error)
	Sentiments(ctx context.Context, callID int64) (aircall.Sentiments, error)
	ActionItems(ctx context.Context, callID int64) (aircall.ActionItems, error)
	ListNumbers(ctx context.Context) ([]aircall.Number, error)
	SearchContactsByPhone(ctx context.Context, e164 string) ([]aircall.Contact, error)
	CreateContact(ctx context.Context, in aircall.ContactInput) (aircall.Contact, error)
	UpdateContact(ctx context.Context, id int64, in aircall.ContactInput) (aircall.Contact, error)
	AddContactEmail(ctx context.Context, contactID int64, label, value string) error
}

// HelpScout is what the reconciler needs of the Help Scout client.
type HelpScout interface {
	FindCustomersByPhone(ctx context.Context, e164 string) ([]helpscout.Customer, error)
	FindCustomersByPhoneV3(ctx context.Context, e164 string) ([]helpscout.Customer, error)
	CustomersPage(ctx context.Context, q helpscout.CustomerQuery, page int) (helpscout.CustomerPage, error)
	ConversationsPage(ctx context.Context, q helpscout.ConversationQuery, page int) (helpscout.ConversationPage, error)
	SearchCustomers(ctx context.Context, query string) ([]helpscout.Customer, error)
	GetCustomer(ctx context.Context, id int64) (helpscout.Customer, error)
	CreateCustomer(ctx context.Context, in helpscout.NewCustomer) (int64, error)
	ListConversations(ctx context.Context, f helpscout.ConversationFilter) ([]helpscout.Conversation, error)
	GetConversation(ctx context.Context, id int64) (helpscout.Conversation, error)
	ListThreads(ctx context.Context, conversationID int64) ([]helpscout.Thread, error)
	CreateConversation(ctx context.Context, in helpscout.NewConversation) (int64, error)
	CreateThread(ctx context.Context, conversationID int64, in helpscout.NewThread) (int64, error)
	SetStatus(ctx context.Context, id int64, status string) error
	Assign(ctx context.Context, id int64, userID int64) error
	FindUserByEmail(ctx context.Context, email string) (*helpscout.User, error)
}

// Reconciler runs passes for a set of instances.
type Reconciler struct {
	// live are the real clients and store; a pass reaches them only
	// through its own deps, which a dry run guards.
	live      deps
	instances []Instance
	opts      Options
	log       *slog.Logger

	mu    sync.Mutex
	zones map[string]*time.Location
	// lastRouting is the routing of the last pass that read Aircall's
	// numbers (nil before), for the insight cards, which must not spend a
	// request on it while a phone rings.
	lastRouting *Routing
}

// New builds a Reconciler. It makes no request.
func New(ac Aircall, hs HelpScout, st State, instances []Instance, opts Options) *Reconciler {
	if opts.Lookback <= 0 {
		opts.Lookback = 2 * time.Hour
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 5
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.UserCacheTTL <= 0 {
		opts.UserCacheTTL = 24 * time.Hour
	}
	if opts.AddonOffFor <= 0 {
		opts.AddonOffFor = time.Hour
	}
	if opts.InsightWebhookWindow <= 0 {
		opts.InsightWebhookWindow = DefaultInsightWebhookWindow
	}
	if opts.MirrorPages <= 0 {
		opts.MirrorPages = DefaultMirrorPages
	}
	if opts.MirrorOverlap <= 0 {
		opts.MirrorOverlap = DefaultMirrorOverlap
	}
	return &Reconciler{live: deps{ac: ac, hs: hs, st: st}, instances: instances, opts: opts, log: opts.Logger,
		zones: map[string]*time.Location{}}
}

// Instances returns the configured instances.
func (r *Reconciler) Instances() []Instance { return r.instances }

// location loads an IANA zone once; unknown zones fall back to UTC.
func (r *Reconciler) location(name string) *time.Location {
	if name == "" {
		return time.UTC
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if loc, ok := r.zones[name]; ok {
		return loc
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		loc = time.UTC
	}
	r.zones[name] = loc
	return loc
}

// region is the region used to read numbers written without a country code:
// DEFAULT_REGION, else the country of the Aircall line.
func (inst Instance) region(line *aircall.Number) string {
	if inst.DefaultRegion != "" {
		return inst.DefaultRegion
	}
	if line == nil {
		return ""
	}
	if line.Country != "" {
		return strings.ToUpper(line.Country)
	}
	if e, ok := rules.NormalizePhone(line.Digits, ""); ok {
		return rules.RegionOf(e)
	}
	return ""
}
