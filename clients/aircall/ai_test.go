package aircall_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aircall-helpscout/aircall-helpscout/clients/aircall"
	"github.com/matryer/is"
)

// TestAIStates covers ready / not generated (404) / not licensed (403) for
// every conversation-intelligence endpoint.
func TestAIStates(t *testing.T) {
	type fetch func(context.Context, *aircall.Client, int64) (any, error)
	endpoints := map[string]fetch{
		"transcription": func(ctx context.Context, c *aircall.Client, id int64) (any, error) { return c.Transcription(ctx, id) },
		"summary":       func(ctx context.Context, c *aircall.Client, id int64) (any, error) { return c.Summary(ctx, id) },
		"topics":        func(ctx context.Context, c *aircall.Client, id int64) (any, error) { return c.Topics(ctx, id) },
		"sentiments":    func(ctx context.Context, c *aircall.Client, id int64) (any, error) { return c.Sentiments(ctx, id) },
		"action_items":  func(ctx context.Context, c *aircall.Client, id int64) (any, error) { return c.ActionItems(ctx, id) },
	}
	want := map[string]any{
		"transcription": aircall.Transcription{ID: 3, CallID: 1, Type: "call", Language: "en-US", Utterances: []aircall.Utterance{
			{StartTime: 0.5, EndTime: 2.25, Text: "Hello", ParticipantType: "internal", UserID: 77},
			{StartTime: 2.5, EndTime: 4, Text: "Hi <b>there</b>", ParticipantType: "external", PhoneNumber: "+16176105413"},
		}},
		"summary":      aircall.Summary{Content: "Customer asked about invoices."},
		"topics":       aircall.Topics{Content: []string{"billing", "refund"}},
		"sentiments":   aircall.Sentiments{Participants: []aircall.SentimentParticipant{{PhoneNumber: "+16176105413", Value: "POSITIVE", ParticipantType: "external"}}},
		"action_items": aircall.ActionItems{Items: []string{"Send invoice", "Call back Monday"}},
	}
	clk := newClock()
	srv, c := newFake(t, clk, nil)
	srv.SetTranscription(1, want["transcription"].(aircall.Transcription))
	srv.SetSummary(1, want["summary"].(aircall.Summary))
	srv.SetTopics(1, want["topics"].(aircall.Topics))
	srv.SetSentiments(1, want["sentiments"].(aircall.Sentiments))
	srv.SetActionItems(1, want["action_items"].(aircall.ActionItems))
	ctx := context.Background()
	for name, get := range endpoints {
		t.Run(name, func(t *testing.T) {
			is := is.New(t)
			srv.SetAILicensed(true)
			got, err := get(ctx, c, 1)
			is.NoErr(err)
			is.Equal(got, want[name])

			_, err = get(ctx, c, 2) // not generated
			is.True(errors.Is(err, aircall.ErrNotReady))
			is.True(!errors.Is(err, aircall.ErrNotFound))

			srv.SetAILicensed(false)
			_, err = get(ctx, c, 1)
			is.True(errors.Is(err, aircall.ErrNotLicensed))
			is.True(!errors.Is(err, aircall.ErrBadCredentials))
			var apiErr *aircall.APIError
			is.True(errors.As(err, &apiErr))
			is.Equal(apiErr.Endpoint, "/v1/calls/:id/"+name)
		})
	}
	// No retries on 403/404; each 403 is checked once with /v1/ping.
	is.New(t).Equal(c.Stats().Total, 20)
	is.New(t).Equal(c.Stats().Requests["GET /v1/ping 200"], 5)
}

// TestAIForbiddenTellsCredentialsFromAddon: Aircall answers 403 both for
// bad credentials and for an AI add-on that is off;
// a revoked key must surface as ErrBadCredentials, which stops a pass,
// not as ErrNotLicensed, which only pauses AI for a while.
func TestAIForbiddenTellsCredentialsFromAddon(t *testing.T) {
	tests := []struct {
		name     string
		token    string
		licensed bool
		want     error
		notWant  error
	}{
		{"add-on off, good key", "", false, aircall.ErrNotLicensed, aircall.ErrBadCredentials},
		{"add-on on, bad key", "revoked", true, aircall.ErrBadCredentials, aircall.ErrNotLicensed},
		{"add-on off, bad key", "revoked", false, aircall.ErrBadCredentials, aircall.ErrNotLicensed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			srv, c := newFake(t, newClock(), func(cfg *aircall.Config) {
				if tt.token != "" {
					cfg.APIToken = tt.token
				}
			})
			srv.SetAILicensed(tt.licensed)
			srv.SetSummary(1, aircall.Summary{Content: "x"})
			_, err := c.Summary(context.Background(), 1)
			is.True(errors.Is(err, tt.want))
			is.True(!errors.Is(err, tt.notWant))
			var apiErr *aircall.APIError
			is.True(errors.As(err, &apiErr))
			is.Equal(apiErr.Status, 403)
			is.Equal(apiErr.Endpoint, "/v1/calls/:id/summary")
		})
	}
}

// TestAIShapeVariants: the wrapper keys of topics and action items are
// unverified, so the decoder accepts every shape seen in the sources.
func TestAIShapeVariants(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []string
	}{
		{"action_items objects", `{"action_items":[{"id":1,"content":"a"},{"content":"b"}]}`, []string{"a", "b"}},
		{"action_items strings", `{"action_items":["a","b"]}`, []string{"a", "b"}},
		{"action_item string", `{"action_item":{"id":1,"content":"a"}}`, []string{"a"}},
		{"action_item list", `{"action_item":{"content":["a","b"]}}`, []string{"a", "b"}},
		{"action_item null content", `{"action_item":{"content":null}}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			got, err := aircall.DecodeActionItemsForTest([]byte(tt.body))
			is.NoErr(err)
			is.Equal(got.Items, tt.want)
		})
	}
	is := is.New(t)
	_, err := aircall.DecodeActionItemsForTest([]byte(`{"other":1}`))
	is.True(err != nil && strings.Contains(err.Error(), "no action_items or action_item key"))

	var tr aircall.Transcription
	is.NoErr(json.Unmarshal([]byte(`{"id":1,"call_id":2,"call_created_at":"x","type":"voicemail","content":{"language":"fr-FR","utterances":[{"start_time":1,"end_time":2,"text":"Bonjour","participant_type":"external","phone_number":"+33","user_id":null}]}}`), &tr))
	is.Equal(tr.Language, "fr-FR")
	is.Equal(tr.Utterances[0].Text, "Bonjour")
}

// TestAIWrapperKeys: "topics"/"sentiments" wrapper keys are accepted as
// well as the Go client's singular ones.
func TestAIWrapperKeys(t *testing.T) {
	is := is.New(t)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/topics"):
			_, _ = w.Write([]byte(`{"topics":{"id":1,"content":["a","b"]}}`))
		case strings.HasSuffix(r.URL.Path, "/sentiments"):
			_, _ = w.Write([]byte(`{"sentiments":{"participants":[{"phone_number":"+1","value":"NEGATIVE","participant_type":"external","type":"x","user_id":null}]}}`))
		default:
			_, _ = w.Write([]byte(`{"unexpected":{}}`))
		}
	}))
	defer ts.Close()
	c, err := aircall.New(aircall.Config{BaseURL: ts.URL, APIID: "a", APIToken: "b", RequestsPerMinute: 1_000_000})
	is.NoErr(err)
	ctx := context.Background()
	tp, err := c.Topics(ctx, 1)
	is.NoErr(err)
	is.Equal(tp.Content, []string{"a", "b"})
	se, err := c.Sentiments(ctx, 1)
	is.NoErr(err)
	is.Equal(se.Participants[0].Value, "NEGATIVE")
	_, err = c.Summary(ctx, 1)
	is.True(err != nil && strings.Contains(err.Error(), "none of the keys [summary] in the answer")) // a missing wrapper is an error, not an empty summary
	_, err = c.ActionItems(ctx, 1)
	is.True(err != nil && strings.Contains(err.Error(), "no action_items or action_item key"))
}

func TestActionItemsRoundTrip(t *testing.T) {
	is := is.New(t)
	in := aircall.ActionItems{Items: []string{"a", "b"}}
	b, err := json.Marshal(in)
	is.NoErr(err)
	var out aircall.ActionItems
	is.NoErr(json.Unmarshal(b, &out))
	is.Equal(out, in)
}

// TestTranscriptUserIDShapes: user_id's type is undocumented (an int in the
// Go client's utterances, a string in its sentiments, null for external
// speakers); no shape of it may fail the whole transcript.
func TestTranscriptUserIDShapes(t *testing.T) {
	tests := []struct {
		userID string // raw JSON, "" = key absent
		want   int64
	}{
		{`77`, 77},
		{`"77"`, 77},
		{`" 77 "`, 77},
		{`null`, 0},
		{`""`, 0},
		{``, 0},
		{`77.0`, 77},
		{`"u_77"`, 0},
		{`{"id":77}`, 0},
		{`99999999999999999999`, 0}, // overflow
		{`-1`, -1},
	}
	for _, tt := range tests {
		t.Run("user_id="+tt.userID, func(t *testing.T) {
			is := is.New(t)
			field := ""
			if tt.userID != "" {
				field = `,"user_id":` + tt.userID
			}
			body := `{"transcription":{"id":3,"call_id":1,"type":"call","content":{"language":"en-US","utterances":[` +
				`{"start_time":0.5,"end_time":2,"text":"Hello","participant_type":"internal"` + field + `},` +
				`{"start_time":2.5,"end_time":4,"text":"Hi","participant_type":"external","phone_number":"+16176105413","user_id":null}]}}}`
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = w.Write([]byte(body))
			}))
			defer ts.Close()
			c, err := aircall.New(aircall.Config{BaseURL: ts.URL, APIID: "a", APIToken: "b", RequestsPerMinute: 1_000_000})
			is.NoErr(err)
			tr, err := c.Transcription(context.Background(), 1)
			is.NoErr(err)
			is.Equal(len(tr.Utterances), 2)
			is.Equal(tr.Utterances[0].UserID, tt.want)
			is.Equal(tr.Utterances[0].Text, "Hello")
			is.Equal(tr.Utterances[0].EndTime, 2.0)
			is.Equal(tr.Utterances[1].UserID, int64(0))
			is.Equal(tr.Utterances[1].PhoneNumber, "+16176105413")
		})
	}
}
