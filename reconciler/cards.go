package reconciler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/aircall-helpscout/aircall-helpscout/clients/aircall"
	"github.com/aircall-helpscout/aircall-helpscout/rules"
	"github.com/aircall-helpscout/aircall-helpscout/store"
)

// Insight cards: while an inbound call rings, the agent's Aircall app shows
// the caller's Help Scout context (docs/rules.md#insight-cards). The webhook
// receiver hands each call.created to a CardSender and answers at once; the
// sender reads the local mirrors only (no Help Scout request while the
// phone rings), records its intent, and posts one card through the Aircall
// client's priority lane, ahead of any batch work. A card that cannot go
// out within the timeout is dropped: it is worthless once the call is over.
// Passes never send cards.

// DefaultCardTimeout is how long after the webhook a card may still be
// sent. The ringing pop-up shows for a few seconds; after that the agent
// has answered without it or the caller hung up.
const DefaultCardTimeout = 5 * time.Second

// Card results, as counted in metrics.
const (
	CardResultSent        = "sent"
	CardResultDroppedLate = "dropped_late" // too late: timeout, full queue, or Aircall said the call was over
	CardResultFailed      = "failed"
	CardResultSkipped     = "skipped" // anonymous or unreadable caller: nothing to show
)

// CardResults lists every card result, for metrics to start at zero.
func CardResults() []string {
	return []string{CardResultSent, CardResultDroppedLate, CardResultFailed, CardResultSkipped}
}

// CardPoster is what the sender needs of the Aircall client.
type CardPoster interface {
	CreateInsightCard(ctx context.Context, callID int64, card aircall.InsightCard) error
}

// CardStore is what the sender needs of the store: the card records and
// the mirrors.
type CardStore interface {
	ClaimCard(ctx context.Context, c store.Card) (bool, error)
	FinishCard(ctx context.Context, c store.Card) error
	MirrorCustomersByE164(ctx context.Context, e164 string) ([]store.MirrorCustomer, error)
	MirrorConversationsFor(ctx context.Context, mailboxID, customerID int64) ([]store.MirrorConversation, error)
}

// CardOptions tune a CardSender. Zero values take the defaults.
type CardOptions struct {
	Timeout time.Duration // after the webhook; default DefaultCardTimeout
	Workers int           // cards sent at once; default 4
	Queue   int           // calls waiting for a worker; default 64 (more are dropped late)
	Now     func() time.Time
	Log     *slog.Logger
	// Routing says which instance a line belongs to; default: the
	// configured IDs and numbers alone (Route with no number list).
	Routing func() Routing
	// OnResult is called once per card handled (metrics): its instance,
	// one of the CardResult* values, and the time since the webhook.
	OnResult func(instance, result string, latency time.Duration)
}

type cardJob struct {
	call     aircall.Call
	inst     Instance
	received time.Time
}

// CardSender posts insight cards for ringing calls. It is safe for
// concurrent use.
type CardSender struct {
	ac        CardPoster
	st        CardStore
	instances map[string]Instance
	o         CardOptions
	log       *slog.Logger

	mu     sync.RWMutex // guards closed against sends on a closed queue
	closed bool
	queue  chan cardJob
	wg     sync.WaitGroup
}

// NewCardSender starts the sender's workers; Close stops them.
func NewCardSender(ac CardPoster, st CardStore, instances []Instance, o CardOptions) *CardSender {
	if o.Timeout <= 0 {
		o.Timeout = DefaultCardTimeout
	}
	if o.Workers <= 0 {
		o.Workers = 4
	}
	if o.Queue <= 0 {
		o.Queue = 64
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Routing == nil {
		rt := Route(instances, nil)
		o.Routing = func() Routing { return rt }
	}
	if o.OnResult == nil {
		o.OnResult = func(string, string, time.Duration) {}
	}
	s := &CardSender{ac: ac, st: st, instances: map[string]Instance{}, o: o, log: o.Log, queue: make(chan cardJob, o.Queue)}
	for _, in := range instances {
		s.instances[in.Name] = in
	}
	for range o.Workers {
		s.wg.Add(1)
		go s.work()
	}
	return s
}

// CallCreated takes a call.created delivery received at received. It
// returns at once: true when the call is one a card is meant for (inbound,
// on the line of an instance with INSIGHT_CARDS on), which is then handled
// in the background; false when no card is meant (outbound, a line of no
// instance or of several, cards off, no call ID), with nothing done.
func (s *CardSender) CallCreated(call aircall.Call, received time.Time) bool {
	if call.ID <= 0 || call.Direction != "inbound" {
		return false
	}
	name, overlap := s.o.Routing().InstanceFor(call.Number)
	inst, ok := s.instances[name]
	if overlap || !ok || !inst.InsightCards {
		return false
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return false
	}
	select {
	case s.queue <- cardJob{call: call, inst: inst, received: received}:
	default:
		// Every worker is busy and the queue is full: by the time this
		// one's turn came it would be too late.
		s.log.Warn("insight card dropped: too many calls ringing at once", "call", call.ID, "instance", inst.Name)
		s.o.OnResult(inst.Name, CardResultDroppedLate, s.o.Now().Sub(received))
	}
	return true
}

// Close stops taking calls and waits for the cards in hand, each bounded
// by the timeout.
func (s *CardSender) Close() {
	s.mu.Lock()
	if !s.closed {
		s.closed = true
		close(s.queue)
	}
	s.mu.Unlock()
	s.wg.Wait()
}

func (s *CardSender) work() {
	defer s.wg.Done()
	for j := range s.queue {
		s.handle(j)
	}
}

// storeTimeout bounds a store write of the sender, apart from the card's
// deadline, so that a card dropped for lateness is still recorded.
const storeTimeout = 5 * time.Second

// handle claims the call's card, builds it from the mirrors and sends it
// before the deadline; every path ends in one recorded, counted result,
// except a call already claimed, which is left alone.
func (s *CardSender) handle(j cardJob) {
	sctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	c := cardRun{s: s, j: j, sctx: sctx, log: s.log.With("call", j.call.ID, "instance", j.inst.Name)}
	e164, ok := rules.NormalizePhone(j.call.RawDigits, j.inst.region(j.call.Number))
	if !ok {
		c.skipAnonymous()
		return
	}
	claimed, err := s.st.ClaimCard(sctx, store.Card{CallID: j.call.ID, Instance: j.inst.Name, State: store.CardSending, ReceivedAt: j.received})
	if err != nil {
		// Without a record we cannot promise one card: send none.
		c.log.Error("insight card not sent: cannot record it", "err", err)
		s.o.OnResult(j.inst.Name, CardResultFailed, s.o.Now().Sub(j.received))
		return
	}
	if !claimed {
		c.log.Debug("insight card already handled for this call (redelivery)")
		return
	}
	deadline := j.received.Add(s.o.Timeout)
	if !s.o.Now().Before(deadline) {
		c.finish(store.CardDroppedLate, 0, fmt.Errorf("picked up %v after the webhook, past the %v card timeout",
			s.o.Now().Sub(j.received).Round(time.Millisecond), s.o.Timeout))
		return
	}
	caller, err := s.caller(sctx, j.inst, e164)
	if err != nil {
		c.finish(store.CardFailed, 0, err)
		return
	}
	c.send(caller, deadline)
}

// cardRun is one card on its way: the job, the context of its store
// writes and its logger.
type cardRun struct {
	s    *CardSender
	j    cardJob
	sctx context.Context
	log  *slog.Logger
}

// skipAnonymous records that a call from a hidden or unreadable number gets
// no card (once: a redelivery is not counted again).
func (c cardRun) skipAnonymous() {
	now := c.s.o.Now()
	claimed, err := c.s.st.ClaimCard(c.sctx, store.Card{CallID: c.j.call.ID, Instance: c.j.inst.Name, State: store.CardSkippedAnonymous,
		ReceivedAt: c.j.received, FinishedAt: now})
	if err != nil {
		c.log.Error("insight card: record", "err", err)
		return
	}
	if claimed {
		c.log.Debug("insight card skipped: anonymous or unreadable number")
		c.s.o.OnResult(c.j.inst.Name, CardResultSkipped, now.Sub(c.j.received))
	}
}

// send builds the caller's card and posts it within what is left of the
// deadline.
func (c cardRun) send(caller rules.CardCaller, deadline time.Time) {
	var custID int64
	if caller.Customer != nil {
		custID = caller.Customer.ID
	}
	card := aircall.InsightCard{}
	for _, l := range rules.InsightCard(caller) {
		card.Contents = append(card.Contents, aircall.CardLine{Type: l.Type, Label: l.Label, Text: l.Text, Link: l.Link})
	}
	// What is left of the budget, as a wall-clock timeout: the client's
	// HTTP and limiter waits are bounded by it.
	ctx, cancelSend := context.WithTimeout(context.Background(), deadline.Sub(c.s.o.Now()))
	defer cancelSend()
	err := c.s.ac.CreateInsightCard(ctx, c.j.call.ID, card)
	switch {
	case err == nil:
		c.finish(store.CardSent, custID, nil)
	case errors.Is(err, aircall.ErrCallEnded):
		// Aircall says the call is over: too late, not a fault of ours.
		c.finish(store.CardDroppedLate, custID, err)
	case errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil:
		c.finish(store.CardDroppedLate, custID, fmt.Errorf("not sent within %v of the webhook: %w", c.s.o.Timeout, err))
	default:
		c.finish(store.CardFailed, custID, err)
	}
}

// finish records and counts the card's end.
func (c cardRun) finish(state string, customerID int64, cause error) {
	now := c.s.o.Now()
	text := ""
	if cause != nil {
		text = cause.Error()
	}
	if err := c.s.st.FinishCard(c.sctx, store.Card{CallID: c.j.call.ID, State: state, FinishedAt: now, CustomerID: customerID, Error: text}); err != nil {
		c.log.Error("insight card: record outcome", "state", state, "err", err)
	}
	result := map[string]string{store.CardSent: CardResultSent, store.CardDroppedLate: CardResultDroppedLate}[state]
	if result == "" {
		result = CardResultFailed
	}
	lat := now.Sub(c.j.received)
	switch result {
	case CardResultSent:
		c.log.Info("insight card sent", "customer", customerID, "after", lat)
	case CardResultDroppedLate:
		c.log.Warn("insight card dropped: too late", "after", lat, "err", text)
	default:
		c.log.Error("insight card failed", "after", lat, "err", text)
	}
	c.s.o.OnResult(c.j.inst.Name, result, lat)
}

// caller gathers what the card shows from the mirrors: the customer the
// customer rule chooses among those carrying the number (the instance's
// DUPLICATES policy), and their conversations in the instance's mailbox.
func (s *CardSender) caller(ctx context.Context, in Instance, e164 string) (rules.CardCaller, error) {
	c := rules.CardCaller{E164: e164}
	ms, err := s.st.MirrorCustomersByE164(ctx, e164)
	if err != nil {
		return c, fmt.Errorf("read customers mirror: %w", err)
	}
	matches := make([]rules.Customer, 0, len(ms))
	for _, m := range ms {
		matches = append(matches, rules.Customer{ID: m.ID, CreatedAt: m.CreatedAt, Phones: []string{e164}})
	}
	c.Matches = len(ms)
	choice := rules.ChooseCustomer(matches, in.Duplicates)
	if choice.CustomerID == 0 {
		return c, nil
	}
	for _, m := range ms {
		if m.ID != choice.CustomerID {
			continue
		}
		cu := &rules.CardCustomer{ID: m.ID, FirstName: m.FirstName, LastName: m.LastName, Company: m.Company, Emails: m.Emails}
		convs, err := s.st.MirrorConversationsFor(ctx, in.MailboxID, m.ID)
		if err != nil {
			return c, fmt.Errorf("read conversations mirror: %w", err)
		}
		for _, cv := range convs {
			cu.Conversations = append(cu.Conversations, rules.CardConversation{ID: cv.ID, Status: cv.Status, Subject: cv.Subject})
		}
		c.Customer = cu
	}
	return c, nil
}
