package sidebar

import (
	"context"
	_ "embed"
	"fmt"
	"html/template"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/aircall-helpscout/aircall-helpscout/rules"
	"github.com/aircall-helpscout/aircall-helpscout/store"
)

// pageCSS is the page's only stylesheet, inline (no external asset: the
// CSP allows this exact text by its hash). Laid out for Help Scout's
// ~300-pixel sidebar column.
//
//go:embed page.css
var pageCSS string

//go:embed page.html
var pageHTML string

var pageTmpl = template.Must(template.New("sidebar").Parse(pageHTML))

// page is what the template shows.
type page struct {
	CSS        template.CSS
	NoCustomer bool
	Numbers    []number
	Rows       []row
	MoreURL    string
}

type number struct {
	Display string
	Href    template.URL // tel:+E164, built only from a checked number; "" shows the number as text
}

type row struct {
	What             string // "Inbound call", "SMS received", ...
	Class            string // from a fixed set: answered, missed, voicemail, message, call
	When, ISO        string
	Facts            []string
	Status           string // when not (yet) logged
	Insights         string // transcript/AI state of a call
	AircallURL       string
	ConversationURL  string
	ConversationID   int64
	ThisConversation bool
}

// e164 is what a tel: link accepts: a plus and 7 to 15 digits. Anything
// else is shown as text, never put in an href.
var e164 = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)

// page reads the ledger and builds the view of one customer.
func (h *Handler) page(ctx context.Context, customerID, conversationID int64) (page, error) {
	p := page{CSS: template.CSS(pageCSS)}
	if customerID <= 0 {
		p.NoCustomer = true
		return p, nil
	}
	items, more, err := h.o.Items.CustomerItems(ctx, customerID, h.o.Limit)
	if err != nil {
		return page{}, fmt.Errorf("customer items: %w", err)
	}
	if p.Numbers, err = h.numbers(ctx, customerID); err != nil {
		return page{}, err
	}
	p.Rows = make([]row, 0, len(items))
	for _, it := range items {
		p.Rows = append(p.Rows, h.row(it, conversationID))
	}
	if more && h.o.MoreURL != nil {
		p.MoreURL = h.o.MoreURL(customerID)
	}
	return p, nil
}

// numbers are the customer's phones for the call-back links: those stored
// on the customer in Help Scout when the mirror holds any, as written (a
// phone that does not parse is shown without a link), else the ledger's.
func (h *Handler) numbers(ctx context.Context, customerID int64) ([]number, error) {
	var out []number
	if h.o.Phones != nil {
		phones, found, err := h.o.Phones.MirrorCustomerPhones(ctx, customerID)
		if err != nil {
			return nil, fmt.Errorf("customer phones: %w", err)
		}
		if found {
			for _, ph := range phones {
				n := number{Display: strings.TrimSpace(ph.Raw)}
				if e164.MatchString(ph.E164) {
					n.Href = template.URL("tel:" + ph.E164)
				}
				if n.Display == "" {
					if n.Href == "" {
						continue
					}
					n.Display = rules.FormatPhone(ph.E164)
				}
				out = append(out, n)
			}
		}
		if len(out) > 0 {
			return out, nil
		}
	}
	if h.o.Numbers == nil {
		return nil, nil
	}
	nums, err := h.o.Numbers.CustomerNumbers(ctx, customerID)
	if err != nil {
		return nil, fmt.Errorf("customer numbers: %w", err)
	}
	for _, n := range nums {
		if e164.MatchString(n) {
			out = append(out, number{Display: rules.FormatPhone(n), Href: template.URL("tel:" + n)})
		}
	}
	return out, nil
}

// Labels of the recorded values; a value not listed shows nothing (and, for
// the outcome, no CSS class: only these keys become classes).
var (
	channelLabel = map[rules.Channel]string{rules.ChannelSMS: "SMS", rules.ChannelWhatsApp: "WhatsApp"}
	messageVerb  = map[string]string{"inbound": " received", "outbound": " sent"}
	callLabel    = map[string]string{"inbound": "Inbound call", "outbound": "Outbound call"}
	outcomeLabel = map[rules.CallOutcome]string{
		rules.OutcomeAnswered: "Answered", rules.OutcomeMissed: "Missed", rules.OutcomeVoicemail: "Voicemail",
	}
	insightsLabel = map[store.Enrichment]string{
		store.EnrichmentPending: "Transcript/AI: not ready yet",
		store.EnrichmentDone:    "Transcript/AI: in the conversation",
		store.EnrichmentGaveUp:  "Transcript/AI: none came",
	}
)

// row describes one item for an agent. Facts the reconciler did not record
// (older rows) are left out rather than guessed.
func (h *Handler) row(it store.CustomerItem, conversationID int64) row {
	loc := h.o.Location
	if it.TimeZone != "" && it.TimeZone != "Local" {
		if z := h.zones.get(it.TimeZone); z != nil {
			loc = z
		}
	}
	at := it.OccurredAt.In(loc)
	r := row{When: at.Format("Mon 2 Jan 2006, 15:04 MST"), ISO: at.Format(time.RFC3339)}
	if it.OccurredAt.IsZero() {
		r.When, r.ISO = "time unknown", ""
	}

	if it.Kind == store.KindMessage {
		r.Class = string(store.KindMessage)
		ch := channelLabel[rules.Channel(it.Channel)]
		if ch == "" {
			ch = "Message"
		}
		r.What = ch + messageVerb[it.Direction]
	} else {
		r.Class = string(store.KindCall)
		r.What = callLabel[it.Direction]
		if r.What == "" {
			r.What = "Call"
		}
		if label := outcomeLabel[rules.CallOutcome(it.CallOutcome)]; label != "" {
			r.Class = it.CallOutcome
			r.Facts = append(r.Facts, label)
		}
		if it.Duration > 0 {
			r.Facts = append(r.Facts, duration(it.Duration))
		}
		if id, err := strconv.ParseInt(it.SourceID, 10, 64); err == nil && id > 0 {
			r.AircallURL = rules.DashboardLink(id)
		}
		r.Insights = insightsLabel[it.Enrichment]
	}
	if it.Agent != "" {
		r.Facts = append(r.Facts, "Agent: "+it.Agent)
	}
	if it.Line != "" {
		r.Facts = append(r.Facts, "Line: "+it.Line)
	}

	switch it.State {
	case store.StateWaiting:
		r.Status = "Not in Help Scout yet: being logged"
	case store.StateFailed:
		r.Status = "Not in Help Scout yet: retrying"
	case store.StateParked:
		r.Status = "Not logged: failed repeatedly (see the status page)"
	case store.StateSkipped:
		r.Status = "Not logged: " + string(it.Outcome)
	}
	if it.ConversationID > 0 {
		r.ConversationID = it.ConversationID
		r.ThisConversation = it.ConversationID == conversationID
		r.ConversationURL = rules.ConversationURL(it.ConversationID)
	}
	return r
}

// duration is a call's length as agents read it: "45 s", "3 min 05 s", "1 h 02 min".
func duration(d time.Duration) string {
	s := int64(d.Round(time.Second) / time.Second)
	switch {
	case s < 60:
		return fmt.Sprintf("%d s", s)
	case s < 3600:
		return fmt.Sprintf("%d min %02d s", s/60, s%60)
	}
	return fmt.Sprintf("%d h %02d min", s/3600, s%3600/60)
}
