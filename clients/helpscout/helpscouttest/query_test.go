package helpscouttest

import (
	"strings"
	"testing"

	"github.com/matryer/is"

	"github.com/aircall-helpscout/aircall-helpscout/clients/helpscout"
)

func TestParseQuery(t *testing.T) {
	stored := map[string]string{"phone": "(617) 610-5413", "email": "a@b.test", "customerIds": "42"}
	pred := func(f, v string) bool {
		if f == "phone" {
			return digitsOf(v) == digitsOf(stored["phone"])
		}
		return stored[f] == v
	}
	tests := []struct {
		q       string
		want    bool
		wantErr string // "" = parses
	}{
		{`(phone:"6176105413")`, true, ""},
		{`(phone:"+16176105413")`, false, ""},
		{`(phone:"16176105413" OR phone:"6176105413" OR phone:"06176105413")`, true, ""},
		{`phone:("1" OR "6176105413")`, true, ""},
		{`(customerIds:42)`, true, ""},
		{`(customerIds:42) AND (email:"a@b.test")`, true, ""},
		{`(customerIds:42) AND (email:"x@b.test")`, false, ""},
		{`(customerIds:42) AND NOT email:"a@b.test"`, false, ""},
		{`customerIds:42 email:"a@b.test"`, true, ""}, // implicit AND
		{`(phone:"6176105413"`, false, "missing )"},
		{`(phone:)`, false, "no value for phone"},
		{`phone:"unterminated`, false, "unterminated quote"},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			is := is.New(t)
			n, err := parseQuery(tt.q)
			if tt.wantErr != "" {
				is.True(err != nil && strings.Contains(err.Error(), tt.wantErr))
				return
			}
			is.NoErr(err)
			is.Equal(n.match(pred), tt.want)
		})
	}
}

// TestPhoneSearchIsLiteral: the fake's phone search applies no phone
// normalisation, in either of its literal readings of "appears to be literal"
// (docs/api-facts.md#help-scout-phone-search): digits equal (the default) or the
// stored text containing the query text.
func TestPhoneSearchIsLiteral(t *testing.T) {
	tests := []struct {
		stored, query    string
		digits, contains bool
	}{
		{"+16176105413", "+16176105413", true, true},
		{"+16176105413", "6176105413", false, true},               // contained, digits differ
		{"(617) 610-5413", "+16176105413", false, false},          // the example of docs/api-facts.md#help-scout-phone-search
		{"(617) 610-5413", "6176105413", true, false},             // digits equal, text not contained
		{"(617) 610-5413", "(617) 610-5413", true, true},          // the national format finds it
		{"+1 617-610-5413", "617-610-5413", false, true},          // local form inside international
		{"+1 617-610-5413", "+1 617 610 5413", true, false},       // dashes are not spaces, as text
		{"+1  617-610-5413", "+1 617-610-5413", true, false},      // nor are runs of spaces collapsed
		{"+1 617-610-5413 ext. 12", "+16176105413", false, false}, // the extension's digits count
		{"+34 612 34 56 78", "+34 612 34 56 78", true, true},
		{"+34 612 34 56 78", "", false, false}, // an empty term matches nothing
		{"n/a", "n/a", false, true},            // no digits: equal only as text
	}
	for _, tt := range tests {
		t.Run(tt.stored+"~"+tt.query, func(t *testing.T) {
			is := is.New(t)
			c := &helpscout.Customer{Phones: []helpscout.Entry{{Value: tt.stored}}}
			is.Equal(customerMatches(c, "phone", tt.query, PhoneDigitsEqual), tt.digits)
			is.Equal(customerMatches(c, "phone", tt.query, PhoneContainsText), tt.contains)
		})
	}
}
