package rules

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/matryer/is"
)

func TestInsightCard(t *testing.T) {
	long := strings.Repeat("Ñandú ", 30)
	tests := []struct {
		name   string
		caller CardCaller
		want   []CardLine
	}{
		{"anonymous: no card", CardCaller{}, nil},
		{"unknown caller", CardCaller{E164: "+34612345678"}, []CardLine{
			{Type: CardTitle, Text: "New caller"},
			{Type: CardShortText, Label: "Number", Text: "+34 612 34 56 78"},
			{Type: CardShortText, Label: "Help Scout", Text: "no customer with this number yet"},
		}},
		{"duplicates skipped", CardCaller{E164: "+34612345678", Matches: 2}, []CardLine{
			{Type: CardTitle, Text: "+34 612 34 56 78"},
			{Type: CardShortText, Label: "Help Scout", Text: "2 customers have this number"},
		}},
		{"known, company, open conversations", CardCaller{E164: "+34612345678", Customer: &CardCustomer{
			ID: 501, FirstName: "Marta", LastName: "López", Company: "Acme SL", Emails: []string{"marta@acme.test"},
			Conversations: []CardConversation{
				{ID: 9, Status: "closed", Subject: "Old"},
				{ID: 8, Status: "pending", Subject: "Refund for order 1234"},
				{ID: 7, Status: "active", Subject: "Other"},
			}}}, []CardLine{
			{Type: CardTitle, Text: "Marta López", Link: "https://secure.helpscout.net/customer/501/0/"},
			{Type: CardShortText, Label: "Company", Text: "Acme SL"},
			{Type: CardShortText, Label: "Open conversations", Text: "2"},
			{Type: CardShortText, Label: "Latest", Text: "Refund for order 1234", Link: "https://secure.helpscout.net/conversation/8"},
		}},
		{"known, email, none open", CardCaller{E164: "+34612345678", Customer: &CardCustomer{
			ID: 502, FirstName: "Ana", Emails: []string{"", "ana@example.com"},
			Conversations: []CardConversation{{ID: 3, Status: "closed", Subject: "Done"}}}}, []CardLine{
			{Type: CardTitle, Text: "Ana", Link: "https://secure.helpscout.net/customer/502/0/"},
			{Type: CardShortText, Label: "Email", Text: "ana@example.com"},
			{Type: CardShortText, Label: "Open conversations", Text: "0"},
		}},
		{"known without name or subject", CardCaller{E164: "+34612345678", Customer: &CardCustomer{
			ID: 503, Conversations: []CardConversation{{ID: 4, Status: "active"}}}}, []CardLine{
			{Type: CardTitle, Text: "+34 612 34 56 78", Link: "https://secure.helpscout.net/customer/503/0/"},
			{Type: CardShortText, Label: "Open conversations", Text: "1"},
			{Type: CardShortText, Label: "Latest", Text: "(no subject)", Link: "https://secure.helpscout.net/conversation/4"},
		}},
		{"hostile text stays plain text on one line", CardCaller{E164: "+34612345678", Customer: &CardCustomer{
			ID: 504, FirstName: "<script>alert(1)</script>", LastName: "\u202eevil\n\tname\x00",
			Company:       "A & B <b>Co</b>",
			Conversations: []CardConversation{{ID: 5, Status: "active", Subject: "Re: \"hi\"\r\nBcc: x@y"}}}}, []CardLine{
			{Type: CardTitle, Text: "<script>alert(1)</script> evil name", Link: "https://secure.helpscout.net/customer/504/0/"},
			{Type: CardShortText, Label: "Company", Text: "A & B <b>Co</b>"},
			{Type: CardShortText, Label: "Open conversations", Text: "1"},
			{Type: CardShortText, Label: "Latest", Text: "Re: \"hi\" Bcc: x@y", Link: "https://secure.helpscout.net/conversation/5"},
		}},
		{"long text capped", CardCaller{E164: "+34612345678", Customer: &CardCustomer{
			ID: 505, FirstName: long, Company: long}}, []CardLine{
			{Type: CardTitle, Text: cardText(long), Link: "https://secure.helpscout.net/customer/505/0/"},
			{Type: CardShortText, Label: "Company", Text: cardText(long)},
			{Type: CardShortText, Label: "Open conversations", Text: "0"},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			is := is.New(t)
			got := InsightCard(tc.caller)
			is.Equal(got, tc.want)
			is.True(len(got) <= MaxCardLines)
			for _, l := range got {
				is.True(utf8.RuneCountInString(l.Text) <= MaxCardText)
				is.True(strings.TrimSpace(l.Text) != "") // Aircall refuses empty text
			}
		})
	}
}

func TestCardText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"  a  b  ", "a b"},
		{"line\nbreak", "line break"},
		{"bad \xff utf8", "bad utf8"},
		{"zero\u200bwidth", "zerowidth"},
		{strings.Repeat("x", MaxCardText), strings.Repeat("x", MaxCardText)},
		{strings.Repeat("x", MaxCardText+1), strings.Repeat("x", MaxCardText-1) + "…"},
	}
	for _, tc := range tests {
		is := is.New(t)
		is.Equal(cardText(tc.in), tc.want)
	}
}
