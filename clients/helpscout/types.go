package helpscout

import "time"

// Customer is a Help Scout customer with its embedded emails and phones, which
// list responses include, so verifying a phone match needs no extra GET.
type Customer struct {
	ID                                          int64
	FirstName, LastName, Organization, JobTitle string
	CreatedAt, UpdatedAt                        time.Time
	Emails, Phones                              []Entry // from _embedded.emails / _embedded.phones
}

// Entry is one email or phone of a customer.
type Entry struct {
	ID    int64  `json:"id,omitempty"`
	Type  string `json:"type,omitempty"`
	Value string `json:"value"`
}

// NewCustomer is the body of a customer create. Phones should be E.164 so that
// the next literal phone search finds them.
type NewCustomer struct {
	FirstName, LastName, Organization, Background string
	Phones, Emails                                []Entry
}

// ConversationFilter selects conversations. Status is always sent (default
// "all") because Help Scout lists only active conversations otherwise.
type ConversationFilter struct {
	MailboxID    int64
	CustomerID   int64  // → query=(customerIds:N) (combined with Query by AND if both)
	Status       string // "" → "all"
	Tag          string
	Query        string
	SortField    string // e.g. "modifiedAt"
	SortOrder    string // "asc"|"desc"
	EmbedThreads bool   // embed=threads
	MaxPages     int    // 0 = all pages
}

// Patch is one JSON-Patch-like operation; Help Scout takes one per PATCH request.
type Patch struct {
	Op    string `json:"op"`
	Path  string `json:"path"`
	Value any    `json:"value,omitempty"`
}

// Person is the short form of a user or customer embedded in conversations and threads.
type Person struct {
	ID    int64  `json:"id"`
	Type  string `json:"type,omitempty"`
	First string `json:"first,omitempty"`
	Last  string `json:"last,omitempty"`
	Email string `json:"email,omitempty"`
}

// Conversation is a Help Scout conversation. ThreadCount is the "threads" integer
// of the API; Threads is filled only when threads were embedded.
type Conversation struct {
	ID, Number                   int64
	Type, Status, State, Subject string
	MailboxID                    int64
	ThreadCount                  int // the "threads" integer
	Assignee                     *Person
	PrimaryCustomer              *Person
	Tags                         []string // from [{id,color,tag}]
	CreatedAt                    time.Time
	ClosedAt                     time.Time // zero if never closed
	UserUpdatedAt                time.Time
	Threads                      []Thread // only with embed=threads
}

// Thread is one thread of a conversation; the API returns its text as "body".
type Thread struct {
	ID                 int64
	Type, Status, Body string
	CreatedAt          time.Time
	CreatedBy          *Person
	Customer           *Person
}

// CustomerRef names an existing customer by id.
type CustomerRef struct {
	ID int64 `json:"id"`
}

// NewConversation is the body of a conversation create.
//
// AssignTo: 0 means explicitly unassigned and is sent as "assignTo": null, because
// omitting the field would let the inbox's default assignment apply, which the
// reconciler does not want (new conversations are assigned to the matching agent
// or to nobody).
type NewConversation struct {
	Subject   string
	Type      string // "phone" | "chat" | "email"
	MailboxID int64
	Status    string // active|pending|closed
	Customer  CustomerRef
	AssignTo  int64 // 0 = explicitly unassigned (sent as null)
	Tags      []string
	Imported  bool
	CreatedAt time.Time // zero = omit
	ClosedAt  time.Time // zero = omit
	User      int64     // 0 = omit
	Threads   []NewThread
}

// NewThread is a thread inside a conversation create or added to a conversation.
type NewThread struct {
	Type      string // phone|note|customer|chat|reply
	Text      string // HTML
	Customer  *CustomerRef
	User      int64 // 0 = omit
	Imported  bool
	CreatedAt time.Time // zero = omit
	Status    string    // "" = omit (notes/replies only)
}

// User is a Help Scout user (agent).
type User struct {
	ID                         int64
	FirstName, LastName, Email string
}

// Mailbox is a Help Scout mailbox ("inbox").
type Mailbox struct {
	ID          int64
	Name, Email string
}
