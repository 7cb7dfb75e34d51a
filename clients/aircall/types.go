package aircall

import (
	"encoding/json"
	"fmt"
	"time"
)

// Call is one Aircall call as served by GET /v1/calls and /v1/calls/:id.
// Calls have no updated_at, so callers re-read them to see late tags,
// comments and the answered → done transition.
type Call struct {
	ID               int64     `json:"id"`
	SID              string    `json:"sid"`
	DirectLink       string    `json:"direct_link"`
	Direction        string    `json:"direction"` // inbound|outbound
	Status           string    `json:"status"`    // initial|answered|done
	StartedAt        int64     `json:"started_at"`
	AnsweredAt       *int64    `json:"answered_at"`
	EndedAt          *int64    `json:"ended_at"`
	Duration         int       `json:"duration"`
	RawDigits        string    `json:"raw_digits"`
	MissedCallReason string    `json:"missed_call_reason"` // "" when null
	Archived         bool      `json:"archived"`
	Asset            string    `json:"asset"`
	Recording        string    `json:"recording"`
	Voicemail        string    `json:"voicemail"`
	CountryCodeA2    string    `json:"country_code_a2"`
	Number           *Number   `json:"number"`
	User             *User     `json:"user"`
	AssignedTo       *User     `json:"assigned_to"`
	Contact          *Contact  `json:"contact"`
	Teams            []Team    `json:"teams"`
	Comments         []Comment `json:"comments"`
	Tags             []Tag     `json:"tags"`
}

// Started returns started_at as a UTC time.
func (c Call) Started() time.Time { return time.Unix(c.StartedAt, 0).UTC() }

// Number is an Aircall line. Digits is formatted ("+1 984-314-0278"), not
// bare E.164, so callers normalise before comparing.
type Number struct {
	ID         int64  `json:"id"`
	DirectLink string `json:"direct_link"`
	Name       string `json:"name"`
	Digits     string `json:"digits"`
	Country    string `json:"country"`
	TimeZone   string `json:"time_zone"`
	// CreatedAt is an ISO string on the wire, unlike the Unix seconds of
	// calls (the API mixes both).
	CreatedAt FlexTime `json:"created_at"`
}

// User is an Aircall agent; Email is what maps it to a Help Scout user.
type User struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Email    string `json:"email"`
	TimeZone string `json:"time_zone"`
	// CreatedAt is an ISO string on the wire (see Number.CreatedAt).
	CreatedAt FlexTime `json:"created_at"`
}

// Team is served on inbound calls only.
type Team struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// Comment is an agent's note on a call; PostedBy is nil when posted via API.
type Comment struct {
	ID       int64  `json:"id"`
	Content  string `json:"content"`
	PostedAt int64  `json:"posted_at"`
	PostedBy *User  `json:"posted_by"`
}

// Tag is a call tag.
type Tag struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// Contact is an Aircall contact (one per phone number on the account).
type Contact struct {
	ID           int64           `json:"id"`
	FirstName    string          `json:"first_name"`
	LastName     string          `json:"last_name"`
	CompanyName  string          `json:"company_name"`
	Information  string          `json:"information"`
	PhoneNumbers []ContactDetail `json:"phone_numbers"`
	Emails       []ContactDetail `json:"emails"`
	UpdatedAt    int64           `json:"updated_at"`
}

// UnmarshalJSON accepts updated_at as Unix seconds or an ISO string: the
// API mixes both formats and webhook payloads are not verified yet, and a
// timestamp format must not make a whole call or message undecodable.
func (c *Contact) UnmarshalJSON(b []byte) error {
	type plain Contact
	var w struct {
		plain
		UpdatedAt FlexTime `json:"updated_at"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return fmt.Errorf("contact: %w", err)
	}
	*c = Contact(w.plain)
	c.UpdatedAt = 0
	if !w.UpdatedAt.IsZero() {
		c.UpdatedAt = w.UpdatedAt.Unix()
	}
	return nil
}

// ContactDetail is one phone number or email of a contact.
type ContactDetail struct {
	ID    int64  `json:"id,omitempty"`
	Label string `json:"label"`
	Value string `json:"value"`
}

// ContactInput is the writable part of a contact. UpdateContact sends only
// the non-empty names, company and information (an empty field means "leave
// as is"); phones and emails go through the detail sub-resources.
type ContactInput struct {
	FirstName    string          `json:"first_name,omitempty"`
	LastName     string          `json:"last_name,omitempty"`
	CompanyName  string          `json:"company_name,omitempty"`
	Information  string          `json:"information,omitempty"`
	PhoneNumbers []ContactDetail `json:"phone_numbers,omitempty"`
	Emails       []ContactDetail `json:"emails,omitempty"`
}
