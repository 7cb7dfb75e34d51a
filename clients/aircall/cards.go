package aircall

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Insight card line types. Aircall documents the card as {"contents": [...]}
// with lines of type "title" ({text, link}) and "shortText" ({label, text,
// link}); link is optional on both.
const (
	CardTitle     = "title"
	CardShortText = "shortText"
)

// InsightCard is the caller context an agent sees in the Aircall app while
// the call is live (visible only during the call). Keep it to a handful of
// short plain-text lines: Aircall documents neither the limits nor how it
// treats markup.
type InsightCard struct {
	Contents []CardLine `json:"contents"`
}

// CardLine is one line of a card.
type CardLine struct {
	Type  string `json:"type"`            // CardTitle or CardShortText
	Label string `json:"label,omitempty"` // shortText only
	Text  string `json:"text"`
	Link  string `json:"link,omitempty"` // absolute http(s) URL, optional
}

// TitleLine is a title line, linked when link is not empty.
func TitleLine(text, link string) CardLine {
	return CardLine{Type: CardTitle, Text: text, Link: link}
}

// ShortTextLine is a "label: text" line, linked when link is not empty.
func ShortTextLine(label, text, link string) CardLine {
	return CardLine{Type: CardShortText, Label: label, Text: text, Link: link}
}

// Validate reports the first line that Aircall could not show, naming it,
// so a bad card fails here and not as an opaque 400 that would read as
// "call ended".
func (c InsightCard) Validate() error {
	if len(c.Contents) == 0 {
		return fmt.Errorf("insight card: no lines")
	}
	for i, l := range c.Contents {
		switch l.Type {
		case CardTitle, CardShortText:
		default:
			return fmt.Errorf("insight card line %d: type %q is not %q or %q", i+1, l.Type, CardTitle, CardShortText)
		}
		if strings.TrimSpace(l.Text) == "" {
			return fmt.Errorf("insight card line %d (%s): empty text", i+1, l.Type)
		}
		if l.Type == CardTitle && l.Label != "" {
			return fmt.Errorf("insight card line %d: a title has no label (got %q)", i+1, l.Label)
		}
		if l.Link != "" {
			u, err := url.Parse(l.Link)
			if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
				return fmt.Errorf("insight card line %d: link %q is not an absolute http(s) URL", i+1, l.Link)
			}
		}
	}
	return nil
}

// CreateInsightCard posts card to POST /v1/calls/:id/insight_cards through
// the priority lane: it does not queue behind batch requests, and it gives
// up (context.DeadlineExceeded) rather than wait past ctx's deadline, or
// past CardTimeout when ctx has none, because a card shown after the call
// is worthless. It is not retried on 5xx or timeouts (a retry could show
// the card twice); 429s are retried only while the wait fits the deadline.
//
// Aircall does not document the answer for an ended call: a 400, 404,
// 409, 410 or 422 gives an error matching ErrCallEnded ("too late", not a
// failure), and a 2xx is success even if Aircall silently dropped the card.
func (c *Client) CreateInsightCard(ctx context.Context, callID int64, card InsightCard) error {
	if callID <= 0 {
		return fmt.Errorf("aircall: insight card: call id %d is not valid", callID)
	}
	if err := card.Validate(); err != nil {
		return fmt.Errorf("aircall: call %d: %w", callID, err)
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.cfg.CardTimeout)
		defer cancel()
	}
	return c.do(ctx, request{
		method:     http.MethodPost,
		path:       "/v1/calls/" + strconv.FormatInt(callID, 10) + "/insight_cards",
		endpoint:   "/v1/calls/:id/insight_cards",
		body:       card,
		noRetry5xx: true,
		priority:   true,
		tooLate:    true,
	}, nil)
}

// lateStatus lists the answers that, for an insight card, mean the call can
// no longer show one. Which one Aircall sends is undocumented; all are
// plausible (validation error, call gone, conflict, unprocessable), and we
// validate the card before sending, so none of them is our malformed body.
func lateStatus(status int) bool {
	switch status {
	case http.StatusBadRequest, http.StatusNotFound, http.StatusConflict, http.StatusGone, http.StatusUnprocessableEntity:
		return true
	}
	return false
}
