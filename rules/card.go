package rules

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Insight card: what an agent sees in the Aircall app while an inbound call
// rings (docs/rules.md#insight-cards). The card is built from the local
// mirrors only, so it costs no Help Scout request while the phone rings.

// Card line types, as Aircall names them.
const (
	CardTitle     = "title"
	CardShortText = "shortText"
)

// Card limits. Aircall documents neither how many lines a card may have nor
// how long they may be, and the card sits in a small pop-up: a handful of
// lines, each short enough to read at a glance.
const (
	MaxCardText  = 60 // runes per text, "…" included
	MaxCardLines = 5
)

// CardLine is one line of an insight card: plain text (Aircall does not say
// it renders markup, so nothing is escaped, which would show "&amp;" to
// agents), with an optional absolute link.
type CardLine struct {
	Type  string // CardTitle or CardShortText
	Label string // CardShortText only
	Text  string
	Link  string
}

// CardConversation is a conversation of the customer in the instance's
// mailbox, as the conversations mirror knows it.
type CardConversation struct {
	ID      int64
	Status  string // active, pending, closed, spam
	Subject string
}

// CardCustomer is the Help Scout customer the caller's number matched.
type CardCustomer struct {
	ID                           int64
	FirstName, LastName, Company string
	Emails                       []string
	// Conversations in the instance's mailbox, most recently modified first.
	Conversations []CardConversation
}

// CardCaller is what is known of a ringing caller.
type CardCaller struct {
	E164 string // the caller's number; "" for an anonymous or unreadable one
	// Customer is the customer chosen by the customer rule; nil when none
	// matched, or when several did and DUPLICATES=skip chose none.
	Customer *CardCustomer
	// Matches is how many customers carry the number (several with no
	// Customer: DUPLICATES=skip).
	Matches int
}

// CustomerURL is a customer's profile in Help Scout's web app. The path
// /customer/<id>/0/ is the profile across all mailboxes (the trailing
// number is a mailbox filter, 0 for none), as Help Scout's own links write
// it.
func CustomerURL(id int64) string {
	return "https://secure.helpscout.net/customer/" + strconv.FormatInt(id, 10) + "/0/"
}

// ConversationURL is a conversation's page in Help Scout's web app, which
// redirects /conversation/<id> to the conversation whatever its number.
func ConversationURL(id int64) string {
	return "https://secure.helpscout.net/conversation/" + strconv.FormatInt(id, 10)
}

// IsOpenConversation reports whether a conversation still needs the team:
// active or pending (closed and spam do not).
func IsOpenConversation(status string) bool {
	return status == "active" || status == "pending"
}

// InsightCard is the card of a ringing caller, or nil when there is none to
// show (an anonymous or unreadable number identifies nobody). Lines:
//
//	title      customer's name → their Help Scout profile ("New caller" when unknown)
//	shortText  Number (unknown or ambiguous callers), Company, else Email
//	shortText  Open conversations: count in the instance's mailbox
//	shortText  Latest: subject of the most recent open one → its page
func InsightCard(c CardCaller) []CardLine {
	if c.E164 == "" {
		return nil
	}
	number := FormatPhone(c.E164)
	cu := c.Customer
	if cu == nil {
		if c.Matches > 1 {
			return []CardLine{
				{Type: CardTitle, Text: cardText(number)},
				{Type: CardShortText, Label: "Help Scout", Text: strconv.Itoa(c.Matches) + " customers have this number"},
			}
		}
		return []CardLine{
			{Type: CardTitle, Text: "New caller"},
			{Type: CardShortText, Label: "Number", Text: cardText(number)},
			{Type: CardShortText, Label: "Help Scout", Text: "no customer with this number yet"},
		}
	}
	name := cardText(strings.TrimSpace(cardClean(cu.FirstName) + " " + cardClean(cu.LastName)))
	if name == "" {
		name = number
	}
	lines := []CardLine{{Type: CardTitle, Text: name, Link: CustomerURL(cu.ID)}}
	if co := cardText(cu.Company); co != "" {
		lines = append(lines, CardLine{Type: CardShortText, Label: "Company", Text: co})
	} else if em := firstEmail(cu.Emails); em != "" {
		lines = append(lines, CardLine{Type: CardShortText, Label: "Email", Text: em})
	}
	var open []CardConversation
	for _, cv := range cu.Conversations {
		if IsOpenConversation(cv.Status) {
			open = append(open, cv)
		}
	}
	lines = append(lines, CardLine{Type: CardShortText, Label: "Open conversations", Text: strconv.Itoa(len(open))})
	if len(open) > 0 {
		subj := cardText(open[0].Subject)
		if subj == "" {
			subj = "(no subject)"
		}
		lines = append(lines, CardLine{Type: CardShortText, Label: "Latest", Text: subj, Link: ConversationURL(open[0].ID)})
	}
	if len(lines) > MaxCardLines {
		lines = lines[:MaxCardLines]
	}
	return lines
}

func firstEmail(emails []string) string {
	for _, e := range emails {
		if t := cardText(e); t != "" {
			return t
		}
	}
	return ""
}

// cardText is s made safe and short for a card line: cleaned (cardClean),
// then cut to MaxCardText runes with "…".
func cardText(s string) string {
	s = cardClean(s)
	if utf8.RuneCountInString(s) <= MaxCardText {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:MaxCardText-1])) + "…"
}

// cardClean keeps text as plain text on one line: control characters
// (newlines included) become spaces, invisible format characters such as
// bidirectional overrides (which could make a name read backwards) and
// invalid UTF-8 are dropped, and runs of spaces collapse to one.
func cardClean(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToValidUTF8(s, "") {
		switch {
		case unicode.IsControl(r) || unicode.IsSpace(r):
			space = true
			continue
		case unicode.Is(unicode.Cf, r):
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}
