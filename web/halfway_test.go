package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/matryer/is"

	"github.com/aircall-helpscout/aircall-helpscout/clients/aircall"
	"github.com/aircall-helpscout/aircall-helpscout/store"
	"github.com/aircall-helpscout/aircall-helpscout/web"
)

// TestReceiverInsightStoreFailureRedelivered: an insight event the store
// cannot take is answered 5xx, so Aircall delivers it again; the process
// restarts on the same database file and the redelivery stores it once. A
// second redelivery (Aircall never heard the 200) changes nothing, and an
// action item that failed joins the one stored before instead of replacing
// it or being kept twice.
func TestReceiverInsightStoreFailureRedelivered(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "web.db")
	open := func() *store.Store {
		st, err := store.Open(ctx, path, store.Options{})
		is.NoErr(err)
		t.Cleanup(func() { _ = st.Close() })
		return st
	}
	first := map[string]any{"id": 31, "call_id": 555, "content": "Llamar mañana"}
	failing := []struct {
		event string
		data  map[string]any
	}{
		{"action_item.created", map[string]any{"id": 32, "call_id": 555, "content": "Enviar oferta"}},
		{"transcription.created", map[string]any{"id": 9, "call_id": 555, "type": "call", "content": map[string]any{"language": "es",
			"utterances": []any{map[string]any{"start_time": 0, "end_time": 1.2, "text": "Hola", "participant_type": "external"}}}}},
	}

	st := open()
	rc := newReceiver(t, st)
	rc.deliver(t, "action_item.created", first)
	is.NoErr(st.Close()) // the disk goes away: every write now fails
	for _, d := range failing {
		is.Equal(rc.post(t, envelope(d.event, hookToken, d.data)), http.StatusInternalServerError) // Aircall will deliver it again
	}
	is.Equal(rc.count(web.ResultError), len(failing))

	// Restart on the same file; Aircall redelivers, twice.
	st = open()
	rc = newReceiver(t, st)
	for range 2 {
		for _, d := range failing {
			rc.deliver(t, d.event, d.data)
		}
	}
	is.Equal(rc.count(web.ResultStored), 1)    // the transcription, once
	is.Equal(rc.count(web.ResultUpdated), 1)   // the second action item joins the first
	is.Equal(rc.count(web.ResultDuplicate), 2) // the second redelivery of each changes nothing

	got, err := st.CallInsights(ctx, 555)
	is.NoErr(err)
	is.Equal(len(got), 2) // one row per call and kind
	for _, ev := range got {
		switch ev.Kind {
		case aircall.InsightActionItems:
			var ai aircall.ActionItems
			is.NoErr(json.Unmarshal(ev.Payload, &ai))
			is.Equal(ai.Items, []string{"Llamar mañana", "Enviar oferta"}) // none lost, none twice
		case aircall.InsightTranscription:
			var tr aircall.Transcription
			is.NoErr(json.Unmarshal(ev.Payload, &tr))
			is.Equal(len(tr.Utterances), 1)
		default:
			t.Fatalf("unexpected kind %q", ev.Kind)
		}
	}
}
