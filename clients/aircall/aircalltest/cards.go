package aircalltest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"time"
)

// Card is an insight card the fake received for a call.
type Card struct {
	CallID int64
	Lines  []CardLine
	At     time.Time // by the server's clock
	// Ignored is true when the call had ended and the fake, under
	// EndedCardIgnored, answered success without showing the card.
	Ignored bool
}

// CardLine is one line of a card, as sent.
type CardLine struct {
	Type, Label, Text, Link string
}

// EndedCardAnswer is how the fake answers a card for a call that has
// ended (status "done" or ended_at set). Aircall does not document it, so
// each plausible answer has a switch.
type EndedCardAnswer int

const (
	// EndedCard400 answers 400 Bad Request (the default).
	EndedCard400 EndedCardAnswer = iota
	// EndedCard422 answers 422 Unprocessable Entity.
	EndedCard422
	// EndedCard404 answers 404, as if the live call were gone.
	EndedCard404
	// EndedCardIgnored answers success and drops the card silently.
	EndedCardIgnored
)

// SetEndedCardAnswer picks the answer to a card for an ended call.
func (s *Server) SetEndedCardAnswer(a EndedCardAnswer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.endedCard = a
}

// SetCardStatus sets the success status of a card (default 201; Aircall
// documents none, a client must accept any 2xx).
func (s *Server) SetCardStatus(status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cardStatus = status
}

// Cards returns the cards received for a call, ignored ones included,
// oldest first.
func (s *Server) Cards(callID int64) []Card {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Card
	for _, c := range s.cards {
		if c.CallID == callID {
			c.Lines = slices.Clone(c.Lines)
			out = append(out, c)
		}
	}
	return out
}

// AllCards returns every card received, oldest first.
func (s *Server) AllCards() []Card {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.cards)
}

type cardBody struct {
	Contents []struct {
		Type  string `json:"type"`
		Label string `json:"label"`
		Text  string `json:"text"`
		Link  string `json:"link"`
	} `json:"contents"`
}

// createCard serves POST /v1/calls/:id/insight_cards: 404 for an unknown
// call, 400 for a malformed card (no contents, unknown type, empty text,
// a link that is not an absolute URL), then the ended-call answer, else
// the card is recorded.
func (s *Server) createCard(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	var in cardBody
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, "Bad Request", "invalid JSON: "+err.Error())
		return
	}
	if len(in.Contents) == 0 {
		writeError(w, http.StatusBadRequest, "Bad Request", "contents is required")
		return
	}
	card := Card{CallID: id}
	for _, l := range in.Contents {
		if (l.Type != "title" && l.Type != "shortText") || l.Text == "" {
			writeError(w, http.StatusBadRequest, "Bad Request", "each content needs a type title|shortText and a text")
			return
		}
		if l.Link != "" {
			if u, err := url.Parse(l.Link); err != nil || u.Host == "" {
				writeError(w, http.StatusBadRequest, "Bad Request", "link must be an absolute URL")
				return
			}
		}
		card.Lines = append(card.Lines, CardLine{Type: l.Type, Label: l.Label, Text: l.Text, Link: l.Link})
	}
	s.mu.Lock()
	call, found := s.calls[id]
	if !found {
		s.mu.Unlock()
		writeError(w, http.StatusNotFound, "Not Found", "Call not found")
		return
	}
	card.At = s.clock()
	status := s.cardStatus
	ended := call.Status == "done" || call.EndedAt != nil
	answer := s.endedCard
	if ended && answer == EndedCardIgnored {
		card.Ignored = true
	}
	if !ended || answer == EndedCardIgnored {
		s.cards = append(s.cards, card)
	}
	s.mu.Unlock()
	if ended {
		switch answer {
		case EndedCard400:
			writeError(w, http.StatusBadRequest, "Bad Request", "Call is not ongoing")
			return
		case EndedCard422:
			writeError(w, http.StatusUnprocessableEntity, "Unprocessable Entity", "Call is not ongoing")
			return
		case EndedCard404:
			writeError(w, http.StatusNotFound, "Not Found", "Call not found")
			return
		}
	}
	if status == http.StatusNoContent {
		w.WriteHeader(status)
		return
	}
	writeJSON(w, status, map[string]any{})
}
