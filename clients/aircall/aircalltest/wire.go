package aircalltest

import (
	"strconv"
	"time"

	"github.com/aircall-helpscout/aircall-helpscout/clients/aircall"
)

// The fake's wire format is written from Aircall's documented shapes with
// the fake's own types and JSON tags, never by encoding the client's
// structs: a wrong JSON tag in the client must fail a test against the
// fake, not be mirrored by it. Seeding takes the client's types (they are
// what tests have at hand) and the functions below copy them field by
// field into these wire types.
//
// The API mixes timestamp formats: calls, comments and contacts carry Unix
// seconds, while users and numbers carry created_at as an ISO string
// ("2026-09-28T10:21:51.000Z"), also when nested in a call. Absent values
// are JSON null, as Aircall sends them (missed_call_reason, voicemail,
// contact, answered_at ...).

// isoLayout is the format of Aircall's ISO dates.
const isoLayout = "2006-01-02T15:04:05.000Z"

// defaultCreated dates numbers and users the fake was never told about
// (objects only given inline in a seeded call).
var defaultCreated = time.Date(2026, 9, 28, 10, 21, 51, 0, time.UTC)

const apiRoot = "https://api.aircall.io/v1/"

type wireNumber struct {
	ID                 int64  `json:"id"`
	DirectLink         string `json:"direct_link"`
	Name               string `json:"name"`
	Digits             string `json:"digits"`
	Country            string `json:"country"`
	TimeZone           string `json:"time_zone"`
	Open               bool   `json:"open"`
	AvailabilityStatus string `json:"availability_status"`
	IsIVR              bool   `json:"is_ivr"`
	CreatedAt          string `json:"created_at"`
}

type wireUser struct {
	ID                 int64  `json:"id"`
	DirectLink         string `json:"direct_link"`
	Name               string `json:"name"`
	Email              string `json:"email"`
	Available          bool   `json:"available"`
	AvailabilityStatus string `json:"availability_status"`
	Language           string `json:"language"`
	TimeZone           string `json:"time_zone"`
	CreatedAt          string `json:"created_at"`
}

type wireDetail struct {
	ID    int64  `json:"id"`
	Label string `json:"label"`
	Value string `json:"value"`
}

type wireContact struct {
	ID           int64        `json:"id"`
	DirectLink   string       `json:"direct_link"`
	FirstName    *string      `json:"first_name"`
	LastName     *string      `json:"last_name"`
	CompanyName  *string      `json:"company_name"`
	Information  *string      `json:"information"`
	IsShared     bool         `json:"is_shared"`
	CreatedAt    int64        `json:"created_at"`
	UpdatedAt    int64        `json:"updated_at"`
	PhoneNumbers []wireDetail `json:"phone_numbers"`
	Emails       []wireDetail `json:"emails"`
}

type wireTeam struct {
	ID         int64  `json:"id"`
	DirectLink string `json:"direct_link"`
	Name       string `json:"name"`
}

type wireComment struct {
	ID       int64     `json:"id"`
	Content  string    `json:"content"`
	PostedAt int64     `json:"posted_at"`
	PostedBy *wireUser `json:"posted_by"`
}

type wireTag struct {
	ID       int64     `json:"id"`
	Name     string    `json:"name"`
	TaggedBy *wireUser `json:"tagged_by"`
}

type wireCall struct {
	ID               int64         `json:"id"`
	SID              string        `json:"sid"`
	DirectLink       string        `json:"direct_link"`
	Direction        string        `json:"direction"`
	Status           string        `json:"status"`
	StartedAt        int64         `json:"started_at"`
	AnsweredAt       *int64        `json:"answered_at"`
	EndedAt          *int64        `json:"ended_at"`
	Duration         int           `json:"duration"`
	RawDigits        string        `json:"raw_digits"`
	MissedCallReason *string       `json:"missed_call_reason"`
	Archived         bool          `json:"archived"`
	Asset            *string       `json:"asset"`
	Recording        *string       `json:"recording"`
	Voicemail        *string       `json:"voicemail"`
	Cost             string        `json:"cost"`
	PricingType      string        `json:"pricing_type"`
	CountryCodeA2    string        `json:"country_code_a2"`
	Number           *wireNumber   `json:"number"`
	User             *wireUser     `json:"user"`
	Contact          *wireContact  `json:"contact"`
	AssignedTo       *wireUser     `json:"assigned_to"`
	Teams            []wireTeam    `json:"teams"`
	TransferredBy    *wireUser     `json:"transferred_by"`
	TransferredTo    *wireUser     `json:"transferred_to"`
	Comments         []wireComment `json:"comments"`
	Tags             []wireTag     `json:"tags"`
}

func iso(t time.Time) string { return t.UTC().Format(isoLayout) }

// orNull is nil for "", so an absent value goes out as JSON null.
func orNull(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func link(kind string, id int64) string { return apiRoot + kind + "/" + strconv.FormatInt(id, 10) }

func (s *Server) wireNumberLocked(n *aircall.Number) *wireNumber {
	if n == nil {
		return nil
	}
	at, ok := s.numberAt[n.ID]
	if !ok {
		at = defaultCreated
	}
	return &wireNumber{
		ID: n.ID, DirectLink: link("numbers", n.ID), Name: n.Name, Digits: n.Digits,
		Country: n.Country, TimeZone: n.TimeZone, Open: true, AvailabilityStatus: "open",
		CreatedAt: iso(at),
	}
}

func (s *Server) wireUserLocked(u *aircall.User) *wireUser {
	if u == nil {
		return nil
	}
	at, ok := s.userAt[u.ID]
	if !ok {
		at = defaultCreated
	}
	return &wireUser{
		ID: u.ID, DirectLink: link("users", u.ID), Name: u.Name, Email: u.Email,
		Available: true, AvailabilityStatus: "available", Language: "en-US",
		TimeZone: u.TimeZone, CreatedAt: iso(at),
	}
}

func wireDetails(ds []aircall.ContactDetail) []wireDetail {
	out := make([]wireDetail, 0, len(ds))
	for _, d := range ds {
		out = append(out, wireDetail{ID: d.ID, Label: d.Label, Value: d.Value})
	}
	return out
}

func wireContactOf(c *aircall.Contact) *wireContact {
	if c == nil {
		return nil
	}
	return &wireContact{
		ID: c.ID, DirectLink: link("contacts", c.ID),
		FirstName: orNull(c.FirstName), LastName: orNull(c.LastName),
		CompanyName: orNull(c.CompanyName), Information: orNull(c.Information),
		CreatedAt: c.UpdatedAt, UpdatedAt: c.UpdatedAt,
		PhoneNumbers: wireDetails(c.PhoneNumbers), Emails: wireDetails(c.Emails),
	}
}

func (s *Server) wireCallLocked(c aircall.Call) wireCall {
	w := wireCall{
		ID: c.ID, SID: "CA" + strconv.FormatInt(c.ID, 16), DirectLink: link("calls", c.ID),
		Direction: c.Direction, Status: c.Status, StartedAt: c.StartedAt,
		AnsweredAt: c.AnsweredAt, EndedAt: c.EndedAt, Duration: c.Duration,
		RawDigits: c.RawDigits, MissedCallReason: orNull(c.MissedCallReason), Archived: c.Archived,
		Asset: orNull(c.Asset), Recording: orNull(c.Recording), Voicemail: orNull(c.Voicemail),
		Cost: "0.0", PricingType: "in_bundle", CountryCodeA2: c.CountryCodeA2,
		Number: s.wireNumberLocked(c.Number), User: s.wireUserLocked(c.User),
		Contact: wireContactOf(c.Contact), AssignedTo: s.wireUserLocked(c.AssignedTo),
		Teams: []wireTeam{}, Comments: []wireComment{}, Tags: []wireTag{},
	}
	if c.SID != "" {
		w.SID = c.SID
	}
	for _, t := range c.Teams {
		w.Teams = append(w.Teams, wireTeam{ID: t.ID, DirectLink: link("teams", t.ID), Name: t.Name})
	}
	for _, cm := range c.Comments {
		w.Comments = append(w.Comments, wireComment{ID: cm.ID, Content: cm.Content, PostedAt: cm.PostedAt, PostedBy: s.wireUserLocked(cm.PostedBy)})
	}
	for _, t := range c.Tags {
		w.Tags = append(w.Tags, wireTag{ID: t.ID, Name: t.Name})
	}
	return w
}

// Conversation-intelligence objects, under the wrapper keys the public Go
// client documents: {"transcription"}, {"summary"}, {"topic"},
// {"sentiment"}; action items as a list of generic CI objects.

type wireUtterance struct {
	StartTime       float64 `json:"start_time"`
	EndTime         float64 `json:"end_time"`
	Text            string  `json:"text"`
	ParticipantType string  `json:"participant_type"`
	PhoneNumber     *string `json:"phone_number"`
	UserID          *int64  `json:"user_id"`
}

type wireTranscription struct {
	ID            int64  `json:"id"`
	CallID        int64  `json:"call_id"`
	CallCreatedAt string `json:"call_created_at"`
	Type          string `json:"type"`
	Content       struct {
		Language   string          `json:"language"`
		Utterances []wireUtterance `json:"utterances"`
	} `json:"content"`
}

type wireSummary struct {
	ID        int64  `json:"id"`
	CallID    int64  `json:"call_id"`
	CreatedAt string `json:"created_at"`
	Content   string `json:"content"`
}

type wireTopics struct {
	ID        int64    `json:"id"`
	CallID    int64    `json:"call_id"`
	CreatedAt string   `json:"created_at"`
	Content   []string `json:"content"`
}

type wireSentimentParticipant struct {
	PhoneNumber     *string `json:"phone_number"`
	Value           string  `json:"value"`
	Type            string  `json:"type"`
	ParticipantType string  `json:"participant_type"`
	UserID          *int64  `json:"user_id"`
}

type wireSentiment struct {
	ID           int64                      `json:"id"`
	CallID       int64                      `json:"call_id"`
	Participants []wireSentimentParticipant `json:"participants"`
}

type wireActionItem struct {
	ID          int64  `json:"id"`
	CallID      int64  `json:"call_id"`
	Content     string `json:"content"`
	CreatedAt   string `json:"created_at"`
	AIGenerated bool   `json:"ai_generated"`
}

func wireTranscriptionOf(callID int64, t aircall.Transcription, at time.Time) wireTranscription {
	w := wireTranscription{ID: t.ID, CallID: callID, CallCreatedAt: iso(at), Type: t.Type}
	if w.ID == 0 {
		w.ID = callID*10 + 1
	}
	if w.Type == "" {
		w.Type = "call"
	}
	w.Content.Language = t.Language
	w.Content.Utterances = []wireUtterance{}
	for _, u := range t.Utterances {
		wu := wireUtterance{StartTime: u.StartTime, EndTime: u.EndTime, Text: u.Text,
			ParticipantType: u.ParticipantType, PhoneNumber: orNull(u.PhoneNumber)}
		if u.UserID != 0 {
			id := u.UserID
			wu.UserID = &id
		}
		w.Content.Utterances = append(w.Content.Utterances, wu)
	}
	return w
}

func wireSentimentOf(callID int64, v aircall.Sentiments) wireSentiment {
	w := wireSentiment{ID: callID*10 + 4, CallID: callID, Participants: []wireSentimentParticipant{}}
	for _, p := range v.Participants {
		w.Participants = append(w.Participants, wireSentimentParticipant{
			PhoneNumber: orNull(p.PhoneNumber), Value: p.Value,
			Type: p.ParticipantType, ParticipantType: p.ParticipantType,
		})
	}
	return w
}

func wireActionItemsOf(callID int64, v aircall.ActionItems, at time.Time) []wireActionItem {
	out := []wireActionItem{}
	for i, it := range v.Items {
		out = append(out, wireActionItem{ID: callID*100 + int64(i), CallID: callID, Content: it, CreatedAt: iso(at), AIGenerated: true})
	}
	return out
}
