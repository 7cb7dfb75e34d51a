package reconciler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/aircall-helpscout/aircall-helpscout/clients/helpscout"
	"github.com/aircall-helpscout/aircall-helpscout/rules"
	"github.com/aircall-helpscout/aircall-helpscout/store"
)

// Journal actions. The suffix of the thread actions keeps what was decided,
// so that a replay after a crash carries on with the same decision.
const (
	actCreateCustomer     = "create_customer"
	actCreateConversation = "create_conversation"           // phone thread inline
	actCreateConvWithNote = "create_conversation_with_note" // phone thread + insights note inline
	actAddPhoneExisting   = "add_phone_thread:existing"
	actAddPhoneReopen     = "add_phone_thread:reopen"
	actAddNote            = "add_note"
	actCreateMsgConv      = "create_message_conversation"
	actAddMessageThread   = "add_message_thread"
)

// journal is an item's write history, replayed to resume after a crash.
type journal struct {
	entries []store.Intent
}

// landed returns the newest finished intent with one of the actions whose
// write reached Help Scout.
func (j journal) landed(actions ...string) (store.Intent, bool) {
	for i := len(j.entries) - 1; i >= 0; i-- {
		e := j.entries[i]
		if !e.Done || e.ResultID == store.IntentNotLanded {
			continue
		}
		for _, a := range actions {
			if e.Action == a {
				return e, true
			}
		}
	}
	return store.Intent{}, false
}

// journaler keeps items' write journals: it records each Help Scout write
// before and after it is made, and settles the writes a dead pass left open.
type journaler struct {
	hs  HelpScout
	st  State
	log *slog.Logger
	// mailboxes maps an instance to its mailbox, where an interrupted
	// create is looked for; overlap is how far before the intent the
	// look starts (clock skew between us and Help Scout).
	mailboxes map[string]int64
	overlap   time.Duration
}

// loadJournal reads an item's journal and settles its open intents: each is
// looked for in Help Scout by its marker and closed as landed (with the ID
// found) or not landed. An open intent whose check itself fails keeps the item
// from going on, since writing again could log it twice.
func (jr journaler) load(ctx context.Context, ref itemRef, marker string) (journal, error) {
	ents, err := jr.st.Intents(ctx, ref.inst, ref.kind, ref.src)
	if err != nil {
		return journal{}, fmt.Errorf("read journal: %w", err)
	}
	for i, e := range ents {
		if e.Done {
			continue
		}
		result, err := jr.settle(ctx, e, marker)
		if err != nil {
			return journal{}, fmt.Errorf("check whether an interrupted %s landed: %w", e.Action, err)
		}
		if err := jr.st.FinishIntent(ctx, e.ID, result); err != nil {
			return journal{}, fmt.Errorf("settle intent: %w", err)
		}
		ents[i].Done, ents[i].ResultID = true, result
		jr.log.Info("settled interrupted write", "instance", ref.inst, "kind", ref.kind, "id", ref.src,
			"action", e.Action, "landed", result != store.IntentNotLanded, "result", result)
	}
	return journal{entries: ents}, nil
}

// settle finds out whether an interrupted write landed. It returns the ID of
// what it created (0 when it landed but the ID is unknown) or IntentNotLanded.
func (jr journaler) settle(ctx context.Context, e store.Intent, marker string) (int64, error) {
	switch {
	case e.Action == actCreateCustomer:
		// Every pass refreshes the customers mirror before deciding, so a
		// customer that landed is found there (an unfound one is created).
		return store.IntentNotLanded, nil
	case e.Action == actCreateConversation || e.Action == actCreateConvWithNote || e.Action == actCreateMsgConv:
		return jr.findCreated(ctx, e, marker)
	case strings.HasPrefix(e.Action, "add_"):
		m := marker
		if e.Action == actAddNote {
			m = strings.Replace(marker, "]", ":insights]", 1)
		}
		id, err := jr.findThread(ctx, e.TargetID, m)
		if errors.Is(err, helpscout.ErrNotFound) {
			return store.IntentNotLanded, nil
		}
		return id, err
	}
	return store.IntentNotLanded, nil
}

// findCreated looks for a conversation create that may have landed: the
// conversations of the instance's mailbox modified since the intent was
// recorded (minus the overlap), threads embedded, every page, for the
// marker. Help Scout documents modifiedSince and embed=threads on this
// listing, and a conversation created after the intent was modified after
// it, whatever date it was imported with. It returns the conversation ID or
// IntentNotLanded.
func (jr journaler) findCreated(ctx context.Context, e store.Intent, marker string) (int64, error) {
	mbx := jr.mailboxes[e.Instance]
	if mbx == 0 {
		return 0, fmt.Errorf("no mailbox known for instance %q", e.Instance)
	}
	since := e.CreatedAt
	if since.IsZero() {
		since = time.Unix(0, 0)
	}
	q := helpscout.ConversationQuery{MailboxID: mbx, Status: "all", ModifiedSince: since.Add(-jr.overlap),
		SortField: "modifiedAt", SortOrder: "asc", EmbedThreads: true}
	for n := 1; ; n++ {
		pg, err := jr.hs.ConversationsPage(ctx, q, n)
		if err != nil {
			return 0, err
		}
		for _, c := range pg.Conversations {
			for _, t := range c.Threads {
				if rules.HasMarker(t.Body, marker) {
					return c.ID, nil
				}
			}
		}
		if pg.Last(len(pg.Conversations)) {
			return store.IntentNotLanded, nil
		}
	}
}

// findThread looks for a thread carrying marker in a conversation. It
// returns the thread ID, or IntentNotLanded.
func (jr journaler) findThread(ctx context.Context, convID int64, marker string) (int64, error) {
	threads, err := jr.hs.ListThreads(ctx, convID)
	if err != nil {
		return 0, err
	}
	for _, t := range threads {
		if rules.HasMarker(t.Body, marker) {
			return t.ID, nil
		}
	}
	return store.IntentNotLanded, nil
}

// write makes one journaled Help Scout write: intent first, then the write,
// then its result. A write whose outcome is unknown (ErrAmbiguous, or the
// pass cancelled while it was in flight) leaves the intent open for the next
// pass to settle; a write that certainly failed closes it as not landed.
func (jr journaler) write(ctx context.Context, ref itemRef, action string, target int64, fn func(context.Context) (int64, error)) (int64, error) {
	id, err := jr.st.BeginIntent(ctx, store.Intent{Instance: ref.inst, Kind: ref.kind, SourceID: ref.src, Action: action, TargetID: target})
	if err != nil {
		return 0, fmt.Errorf("record intent: %w", err)
	}
	res, werr := fn(ctx)
	// Recording the outcome must survive a cancelled pass.
	rctx, cancel := detached(ctx)
	defer cancel()
	if werr != nil {
		if errors.Is(werr, helpscout.ErrAmbiguous) || ctx.Err() != nil {
			return 0, werr
		}
		if err := jr.st.FinishIntent(rctx, id, store.IntentNotLanded); err != nil {
			return 0, errors.Join(werr, err)
		}
		return 0, werr
	}
	if err := jr.st.FinishIntent(rctx, id, res); err != nil {
		return res, fmt.Errorf("record write result: %w", err)
	}
	return res, nil
}
