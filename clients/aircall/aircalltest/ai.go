package aircalltest

import (
	"net/http"

	"github.com/aircall-helpscout/aircall-helpscout/clients/aircall"
)

// SetTranscription makes a call's transcription ready; absent means 404.
func (s *Server) SetTranscription(callID int64, t aircall.Transcription) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t.CallID == 0 {
		t.CallID = callID
	}
	s.transcriptions[callID] = t
}

// SetSummary makes a call's summary ready.
func (s *Server) SetSummary(callID int64, v aircall.Summary) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.summaries[callID] = v
}

// SetTopics makes a call's topics ready.
func (s *Server) SetTopics(callID int64, v aircall.Topics) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.topics[callID] = v
}

// SetSentiments makes a call's sentiments ready.
func (s *Server) SetSentiments(callID int64, v aircall.Sentiments) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sentiments[callID] = v
}

// SetActionItems makes a call's action items ready.
func (s *Server) SetActionItems(callID int64, v aircall.ActionItems) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.actionItems[callID] = v
}

// SetAILicensed(false) makes every AI endpoint answer 403, like an account
// without the AI Assist add-on.
func (s *Server) SetAILicensed(ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.aiLicensed = ok
}

// getAI serves /v1/calls/:id/{transcription,summary,topics,sentiments,action_items}
// with the wrapper keys the Go client documents.
func (s *Server) getAI(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	kind := r.PathValue("kind")
	s.mu.Lock()
	licensed := s.aiLicensed
	at := s.clock()
	var key string
	var v any
	found := false
	switch kind {
	case "transcription":
		if t, ok := s.transcriptions[id]; ok {
			key, v, found = "transcription", wireTranscriptionOf(id, t, at), true
		}
	case "summary":
		if x, ok := s.summaries[id]; ok {
			key, v, found = "summary", wireSummary{ID: id*10 + 2, CallID: id, CreatedAt: iso(at), Content: x.Content}, true
		}
	case "topics":
		if x, ok := s.topics[id]; ok {
			content := append([]string{}, x.Content...)
			key, v, found = "topic", wireTopics{ID: id*10 + 3, CallID: id, CreatedAt: iso(at), Content: content}, true
		}
	case "sentiments":
		if x, ok := s.sentiments[id]; ok {
			key, v, found = "sentiment", wireSentimentOf(id, x), true
		}
	case "action_items":
		if x, ok := s.actionItems[id]; ok {
			key, v, found = "action_items", wireActionItemsOf(id, x, at), true
		}
	default:
		s.mu.Unlock()
		writeError(w, http.StatusNotFound, "Not Found", "No route")
		return
	}
	s.mu.Unlock()
	switch {
	case !licensed:
		writeError(w, http.StatusForbidden, "Forbidden", "AI Assist add-on required")
	case !found:
		writeError(w, http.StatusNotFound, "Not Found", kind+" not found")
	default:
		writeJSON(w, http.StatusOK, map[string]any{key: v})
	}
}
