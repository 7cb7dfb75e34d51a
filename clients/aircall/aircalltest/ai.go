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
	var key string
	var v any
	var found bool
	switch kind {
	case "transcription":
		key = "transcription"
		v, found = s.transcriptions[id]
	case "summary":
		key = "summary"
		v, found = s.summaries[id]
	case "topics":
		key = "topic"
		v, found = s.topics[id]
	case "sentiments":
		key = "sentiment"
		v, found = s.sentiments[id]
	case "action_items":
		key = "action_items"
		v, found = s.actionItems[id]
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
