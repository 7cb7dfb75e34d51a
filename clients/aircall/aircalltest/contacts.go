package aircalltest

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/aircall-helpscout/aircall-helpscout/clients/aircall"
)

// AddContact stores a contact, giving it (and its details) IDs when zero;
// it returns the contact's ID. Seeding does not enforce one contact per
// number, so tests can build the duplicates they need.
func (s *Server) AddContact(c aircall.Contact) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.ID == 0 {
		c.ID = s.newIDLocked()
	}
	for i := range c.PhoneNumbers {
		if c.PhoneNumbers[i].ID == 0 {
			c.PhoneNumbers[i].ID = s.newIDLocked()
		}
	}
	for i := range c.Emails {
		if c.Emails[i].ID == 0 {
			c.Emails[i].ID = s.newIDLocked()
		}
	}
	s.contacts[c.ID] = c
	return c.ID
}

// Contacts returns the current contacts by ID.
func (s *Server) Contacts() []aircall.Contact {
	s.mu.Lock()
	defer s.mu.Unlock()
	return byID(s.contacts)
}

func (s *Server) newIDLocked() int64 {
	s.nextID++
	return s.nextID
}

// digits keeps only the digits, so "+1 617-610-5413" matches "+16176105413".
func digits(v string) string {
	var b strings.Builder
	for _, r := range v {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// ownerLocked returns the contact holding the phone number, if any.
func (s *Server) ownerLocked(phone string) (int64, bool) {
	d := digits(phone)
	if d == "" {
		return 0, false
	}
	for _, c := range byID(s.contacts) {
		for _, p := range c.PhoneNumbers {
			if digits(p.Value) == d {
				return c.ID, true
			}
		}
	}
	return 0, false
}

func (s *Server) searchContacts(w http.ResponseWriter, r *http.Request) {
	pg, ok := paging(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	phone, email := digits(q.Get("phone_number")), strings.ToLower(strings.TrimSpace(q.Get("email")))
	s.mu.Lock()
	var hits []aircall.Contact
	for _, c := range byID(s.contacts) {
		if matches(c, phone, email) {
			hits = append(hits, c)
		}
	}
	s.mu.Unlock()
	items := []*wireContact{}
	for _, c := range pageOf(hits, pg) {
		items = append(items, wireContactOf(&c))
	}
	writeJSON(w, http.StatusOK, map[string]any{"contacts": items, "meta": pg.meta(r, len(items), len(hits))})
}

func matches(c aircall.Contact, phone, email string) bool {
	if phone == "" && email == "" {
		return true
	}
	if phone != "" {
		for _, p := range c.PhoneNumbers {
			if digits(p.Value) == phone {
				return true
			}
		}
	}
	if email != "" {
		for _, e := range c.Emails {
			if strings.EqualFold(strings.TrimSpace(e.Value), email) {
				return true
			}
		}
	}
	return false
}

func (s *Server) getContact(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	c, found := s.contacts[id]
	s.mu.Unlock()
	if !found {
		writeError(w, http.StatusNotFound, "Not Found", "Contact not found")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"contact": wireContactOf(&c)})
}

// contactBody is a create or update body as Aircall documents it.
type contactBody struct {
	FirstName    string       `json:"first_name"`
	LastName     string       `json:"last_name"`
	CompanyName  string       `json:"company_name"`
	Information  string       `json:"information"`
	PhoneNumbers []wireDetail `json:"phone_numbers"`
	Emails       []wireDetail `json:"emails"`
}

// createContact enforces one contact per number with a 422 (the real
// answer is unverified; the reconciler must search before creating anyway).
func (s *Server) createContact(w http.ResponseWriter, r *http.Request) {
	var in contactBody
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, "Bad Request", "invalid JSON: "+err.Error())
		return
	}
	if len(in.PhoneNumbers) == 0 && in.FirstName == "" && in.LastName == "" {
		writeError(w, http.StatusUnprocessableEntity, "Unprocessable Entity", "a contact needs a name or a phone number")
		return
	}
	s.mu.Lock()
	for _, p := range in.PhoneNumbers {
		if _, taken := s.ownerLocked(p.Value); taken {
			s.mu.Unlock()
			writeError(w, http.StatusUnprocessableEntity, "Unprocessable Entity", "phone number "+p.Value+" already belongs to a contact")
			return
		}
	}
	c := aircall.Contact{
		ID: s.newIDLocked(), FirstName: in.FirstName, LastName: in.LastName,
		CompanyName: in.CompanyName, Information: in.Information, UpdatedAt: s.clock().Unix(),
		PhoneNumbers: []aircall.ContactDetail{}, Emails: []aircall.ContactDetail{},
	}
	for _, p := range in.PhoneNumbers {
		c.PhoneNumbers = append(c.PhoneNumbers, aircall.ContactDetail{ID: s.newIDLocked(), Label: p.Label, Value: p.Value})
	}
	for _, e := range in.Emails {
		c.Emails = append(c.Emails, aircall.ContactDetail{ID: s.newIDLocked(), Label: e.Label, Value: e.Value})
	}
	s.contacts[c.ID] = c
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, map[string]any{"contact": wireContactOf(&c)})
}

// updateContact changes only the fields present in the body, and only
// names, company and information (phones/emails go through sub-resources).
func (s *Server) updateContact(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	var in map[string]json.RawMessage
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, "Bad Request", "invalid JSON: "+err.Error())
		return
	}
	s.mu.Lock()
	c, found := s.contacts[id]
	if !found {
		s.mu.Unlock()
		writeError(w, http.StatusNotFound, "Not Found", "Contact not found")
		return
	}
	for key, dst := range map[string]*string{"first_name": &c.FirstName, "last_name": &c.LastName, "company_name": &c.CompanyName, "information": &c.Information} {
		if raw, ok := in[key]; ok {
			_ = json.Unmarshal(raw, dst)
		}
	}
	c.UpdatedAt = s.clock().Unix()
	s.contacts[id] = c
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"contact": wireContactOf(&c)})
}

// addDetail serves POST /v1/contacts/:id/{phone,email}_details.
func (s *Server) addDetail(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, ok := pathID(w, r)
		if !ok {
			return
		}
		var in wireDetail
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil || strings.TrimSpace(in.Value) == "" {
			writeError(w, http.StatusBadRequest, "Bad Request", "label and value required")
			return
		}
		s.mu.Lock()
		c, found := s.contacts[id]
		if !found {
			s.mu.Unlock()
			writeError(w, http.StatusNotFound, "Not Found", "Contact not found")
			return
		}
		if kind == "phone" {
			if owner, taken := s.ownerLocked(in.Value); taken && owner != id {
				s.mu.Unlock()
				writeError(w, http.StatusUnprocessableEntity, "Unprocessable Entity", "phone number "+in.Value+" already belongs to a contact")
				return
			}
		}
		d := aircall.ContactDetail{ID: s.newIDLocked(), Label: in.Label, Value: in.Value}
		if kind == "phone" {
			c.PhoneNumbers = append(c.PhoneNumbers, d)
		} else {
			c.Emails = append(c.Emails, d)
		}
		c.UpdatedAt = s.clock().Unix()
		s.contacts[id] = c
		s.mu.Unlock()
		writeJSON(w, http.StatusCreated, map[string]any{kind + "_detail": wireDetail{ID: d.ID, Label: d.Label, Value: d.Value}})
	}
}
