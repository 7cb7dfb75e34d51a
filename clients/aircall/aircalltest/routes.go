package aircalltest

import "net/http"

func (s *Server) routes() *http.ServeMux {
	m := http.NewServeMux()
	m.HandleFunc("GET /v1/ping", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"ping": "pong"})
	})
	m.HandleFunc("GET /v1/calls", s.listCalls)
	m.HandleFunc("GET /v1/calls/{id}", s.getCall)
	m.HandleFunc("GET /v1/calls/{id}/{kind}", s.getAI)
	m.HandleFunc("POST /v1/calls/{id}/insight_cards", s.createCard)
	m.HandleFunc("GET /v1/webhooks", s.listWebhooks)
	m.HandleFunc("POST /v1/webhooks", s.createWebhook)
	m.HandleFunc("PUT /v1/webhooks/{id}", s.updateWebhook)
	m.HandleFunc("GET /v1/numbers", s.listNumbers)
	m.HandleFunc("GET /v1/numbers/{id}", s.getNumber)
	// GET /v1/users was sunset on 2026-09-30 (Aircall's notice): a client
	// still listing agents there must fail here as it would for real.
	m.HandleFunc("GET /v1/users", func(w http.ResponseWriter, _ *http.Request) {
		writeError(w, http.StatusGone, "Gone", "GET /v1/users is sunset; use GET /v2/users")
	})
	m.HandleFunc("GET /v2/users", s.listUsers)
	m.HandleFunc("GET /v1/users/{id}", s.getUser)
	m.HandleFunc("GET /v1/contacts/search", s.searchContacts)
	m.HandleFunc("GET /v1/contacts/{id}", s.getContact)
	m.HandleFunc("POST /v1/contacts", s.createContact)
	m.HandleFunc("POST /v1/contacts/{id}", s.updateContact)
	m.HandleFunc("POST /v1/contacts/{id}/phone_details", s.addDetail("phone"))
	m.HandleFunc("POST /v1/contacts/{id}/email_details", s.addDetail("email"))
	m.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		writeError(w, http.StatusNotFound, "Not Found", "No route")
	})
	return m
}
