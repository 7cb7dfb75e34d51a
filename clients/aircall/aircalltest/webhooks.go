package aircalltest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Webhook is a webhook registered on the fake account. Aircall disables a
// webhook after repeated failed deliveries (Active false) and shows it so
// on the dashboard; SetWebhookActive plays that part.
type Webhook struct {
	ID         string // webhook_id, a UUID-like string
	NumericID  int64  // "id", which listings also carry
	CustomName string
	URL        string
	Events     []string
	Active     bool
	Token      string
	CreatedAt  time.Time
}

// knownEvents are the webhook events the fake accepts; Aircall answers 400
// for an unknown one.
var knownEvents = map[string]bool{}

func init() {
	for _, e := range strings.Fields(`
		call.created call.ringing_on_agent call.agent_declined call.answered
		call.transferred call.external_transferred call.unsuccessful_transfer
		call.hungup call.ended call.voicemail_left call.assigned call.archived
		call.tagged call.untagged call.commented call.comm_assets_generated
		call.ivr_option_selected
		message.sent message.received message.status_updated
		group_message.sent group_message.received group_message.status_updated
		transcription.created summary.created topics.created sentiment.created
		action_item.created
		contact.created contact.updated contact.deleted
		user.created user.deleted user.connected user.disconnected user.opened user.closed
		user.wut_start user.wut_end
		number.created number.deleted number.opened number.closed`) {
		knownEvents[e] = true
	}
}

// maxWebhooks is Aircall's limit per account (a 400 past it).
const maxWebhooks = 100

// AddWebhook registers w as if created earlier (ID, token and date are
// generated when empty) and returns its ID.
func (s *Server) AddWebhook(w Webhook) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addWebhookLocked(w)
}

func (s *Server) addWebhookLocked(w Webhook) string {
	n := s.newIDLocked()
	if w.ID == "" {
		w.ID = fmt.Sprintf("9e1b2c3d-0000-4000-8000-%012d", n)
	}
	if w.NumericID == 0 {
		w.NumericID = n
	}
	if w.Token == "" {
		w.Token = fmt.Sprintf("tok%020d", n)
	}
	if w.CreatedAt.IsZero() {
		w.CreatedAt = s.clock()
	}
	w.Events = slices.Clone(w.Events)
	s.webhooks = append(s.webhooks, w)
	return w.ID
}

// Webhooks returns the registered webhooks in creation order.
func (s *Server) Webhooks() []Webhook {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Webhook, len(s.webhooks))
	for i, w := range s.webhooks {
		w.Events = slices.Clone(w.Events)
		out[i] = w
	}
	return out
}

// SetWebhookActive marks a webhook enabled or disabled (as Aircall does
// after repeated failed deliveries); false if there is no such webhook.
func (s *Server) SetWebhookActive(id string, active bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.webhooks {
		if s.webhooks[i].ID == id {
			s.webhooks[i].Active = active
			return true
		}
	}
	return false
}

type wireWebhook struct {
	WebhookID  string   `json:"webhook_id"`
	ID         *int64   `json:"id,omitempty"`
	DirectLink string   `json:"direct_link"`
	CustomName string   `json:"custom_name"`
	CreatedAt  string   `json:"created_at"`
	URL        string   `json:"url"`
	Active     bool     `json:"active"`
	Events     []string `json:"events"`
	Token      string   `json:"token"`
}

// wireWebhookOf writes w; listings carry the numeric id as well, the
// create/update answer only webhook_id.
func wireWebhookOf(w Webhook, listing bool) wireWebhook {
	out := wireWebhook{WebhookID: w.ID, DirectLink: apiRoot + "webhooks/" + w.ID, CustomName: w.CustomName,
		CreatedAt: iso(w.CreatedAt), URL: w.URL, Active: w.Active, Events: slices.Clone(w.Events), Token: w.Token}
	if out.Events == nil {
		out.Events = []string{}
	}
	if listing {
		id := w.NumericID
		out.ID = &id
	}
	return out
}

// listWebhooks serves GET /v1/webhooks. Like Aircall's, its meta never
// carries next_page_link: a client must stop on meta.total.
func (s *Server) listWebhooks(w http.ResponseWriter, r *http.Request) {
	pg, ok := paging(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	all := s.webhooks
	items := []wireWebhook{}
	for _, h := range pageOf(all, pg) {
		items = append(items, wireWebhookOf(h, true))
	}
	total := len(all)
	s.mu.Unlock()
	m := pg.meta(r, len(items), total)
	m["next_page_link"] = nil
	m["previous_page_link"] = nil
	writeJSON(w, http.StatusOK, map[string]any{"webhooks": items, "meta": m})
}

type webhookBody struct {
	CustomName *string   `json:"custom_name"`
	URL        *string   `json:"url"`
	Events     *[]string `json:"events"`
}

// checkWebhookBody answers 400 like Aircall for a url that is missing or
// not https and for an unknown event; an empty event list means every
// event.
func checkWebhookBody(w http.ResponseWriter, r *http.Request, needURL bool) (webhookBody, bool) {
	var in webhookBody
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, "Bad Request", "invalid JSON: "+err.Error())
		return in, false
	}
	if in.URL == nil && needURL {
		writeError(w, http.StatusBadRequest, "Bad Request", "url is missing")
		return in, false
	}
	if in.URL != nil {
		if u, err := url.Parse(*in.URL); err != nil || u.Scheme != "https" || u.Host == "" {
			writeError(w, http.StatusBadRequest, "Bad Request", "url must be a valid https URL")
			return in, false
		}
	}
	if in.Events != nil {
		for _, e := range *in.Events {
			if !knownEvents[e] {
				writeError(w, http.StatusBadRequest, "Bad Request", "unknown event "+e)
				return in, false
			}
		}
	}
	return in, true
}

func allEvents() []string {
	out := make([]string, 0, len(knownEvents))
	for e := range knownEvents {
		out = append(out, e)
	}
	slices.Sort(out)
	return out
}

// createWebhook serves POST /v1/webhooks: 201 with the new webhook, its
// token included.
func (s *Server) createWebhook(w http.ResponseWriter, r *http.Request) {
	in, ok := checkWebhookBody(w, r, true)
	if !ok {
		return
	}
	h := Webhook{URL: *in.URL, Active: true}
	if in.CustomName != nil {
		h.CustomName = *in.CustomName
	}
	if in.Events != nil && len(*in.Events) > 0 {
		h.Events = *in.Events
	} else {
		h.Events = allEvents()
	}
	s.mu.Lock()
	if len(s.webhooks) >= maxWebhooks {
		s.mu.Unlock()
		writeError(w, http.StatusBadRequest, "Bad Request", "a company cannot have more than 100 webhooks")
		return
	}
	s.addWebhookLocked(h)
	h = s.webhooks[len(s.webhooks)-1]
	fail := s.webhookCreateFail
	s.webhookCreateFail = 0
	s.mu.Unlock()
	if fail != 0 {
		writeError(w, fail, http.StatusText(fail), "injected failure after the webhook was created")
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"webhook": wireWebhookOf(h, false)})
}

// FailNextWebhookCreate makes the next POST /v1/webhooks create the webhook
// and then answer status instead of 201: the server committed the write but
// the client never learned it (as after a timeout or a dropped connection).
func (s *Server) FailNextWebhookCreate(status int) {
	s.mu.Lock()
	s.webhookCreateFail = status
	s.mu.Unlock()
}

// updateWebhook serves PUT /v1/webhooks/:id: the fields sent replace the
// stored ones (events as a whole list); the token and the active flag
// stay as they are.
func (s *Server) updateWebhook(w http.ResponseWriter, r *http.Request) {
	in, ok := checkWebhookBody(w, r, false)
	if !ok {
		return
	}
	id := r.PathValue("id")
	s.mu.Lock()
	i := slices.IndexFunc(s.webhooks, func(h Webhook) bool { return h.ID == id })
	if i < 0 {
		s.mu.Unlock()
		writeError(w, http.StatusNotFound, "Not Found", "Webhook not found")
		return
	}
	h := &s.webhooks[i]
	if in.URL != nil {
		h.URL = *in.URL
	}
	if in.CustomName != nil {
		h.CustomName = *in.CustomName
	}
	if in.Events != nil {
		h.Events = slices.Clone(*in.Events)
		if len(h.Events) == 0 {
			h.Events = allEvents()
		}
	}
	out := wireWebhookOf(*h, false)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"webhook": out})
}
