package reconciler

import (
	"context"
	"fmt"
	"log/slog"
	"reflect"
	"testing"

	"github.com/matryer/is"
)

// TestWriteGuardCoversEveryWrite calls every method of the client and store
// interfaces that is not on an explicit list of reads through the dry-run
// guard, around implementations that fail when reached. A write method added
// to an interface without a guard of its own is promoted to the real client
// and fails here, before a dry run can write to production with it.
func TestWriteGuardCoversEveryWrite(t *testing.T) {
	reads := map[string][]string{
		"HelpScout": {"FindCustomersByPhone", "FindCustomersByPhoneV3", "CustomersPage", "ConversationsPage", "SearchCustomers", "GetCustomer", "ListConversations", "GetConversation",
			"ListThreads", "FindUserByEmail"},
		"Aircall": {"ListCalls", "CountCalls", "GetCall", "Transcription", "Summary", "Topics", "Sentiments",
			"ActionItems", "ListNumbers", "SearchContactsByPhone"},
		"State": {"GetItem", "ListItems", "Cursor", "Intents", "CustomerForPhone", "UserForEmail", "ContactSyncedAt",
			"DayConversation", "MessagesAfter", "GetMessage", "LateInsight",
			"AddonOffUntil", "CallInsights", "LastInsightDelivery", "AnonymousCustomer", "RetryRequested",
			"MirrorCustomersByE164", "MirrorConversationsFor", "MirrorSyncState", "AllOpenIntents"},
	}
	// Embedding a nil interface makes every call that reaches it panic.
	guarded := newWriteGuard(slog.New(slog.DiscardHandler)).guard(deps{ac: struct{ Aircall }{}, hs: struct{ HelpScout }{}, st: struct{ State }{}})
	ifaces := []struct {
		name  string
		typ   reflect.Type
		value any
	}{
		{"HelpScout", reflect.TypeFor[HelpScout](), guarded.hs},
		{"Aircall", reflect.TypeFor[Aircall](), guarded.ac},
		{"State", reflect.TypeFor[State](), guarded.st},
	}
	for _, in := range ifaces {
		read := map[string]bool{}
		for _, m := range reads[in.name] {
			read[m] = true
			_, ok := in.typ.MethodByName(m)
			is.New(t).True(ok) // the list of reads names a method that no longer exists
		}
		for i := range in.typ.NumMethod() {
			m := in.typ.Method(i)
			if read[m.Name] {
				continue
			}
			t.Run(in.name+"."+m.Name, func(t *testing.T) {
				if err := callZero(reflect.ValueOf(in.value).MethodByName(m.Name)); err != nil {
					t.Fatalf("write %s.%s escapes the dry-run guard: %v", in.name, m.Name, err)
				}
			})
		}
	}
}

// callZero calls fn with zero arguments (a background context first) and
// turns a panic into an error.
func callZero(fn reflect.Value) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	args := make([]reflect.Value, fn.Type().NumIn())
	for i := range args {
		args[i] = reflect.Zero(fn.Type().In(i))
	}
	args[0] = reflect.ValueOf(context.Background())
	fn.Call(args)
	return nil
}
