package helpscouttest

import (
	"net/url"
	"slices"
	"testing"

	"github.com/matryer/is"

	"github.com/aircall-helpscout/aircall-helpscout/clients/helpscout"
)

// TestPhoneIndexSameAnswers checks that searches through the phone index
// answer exactly what a scan of every customer answers, including after a
// customer is replaced by one with other phones.
func TestPhoneIndexSameAnswers(t *testing.T) {
	s := NewServer()
	defer s.Close()
	tok := token(t, s)
	phone := func(v string) []helpscout.Entry { return []helpscout.Entry{{Value: v}} }
	a := s.AddCustomer(helpscout.Customer{FirstName: "Ana", Phones: phone("+34 612 34 56 78")})
	s.AddCustomer(helpscout.Customer{FirstName: "Bea", Phones: phone("612345678")})
	s.AddCustomer(helpscout.Customer{FirstName: "Ana", Phones: append(phone("(699) 000-111"), helpscout.Entry{Value: "+34612345678"})})
	s.AddCustomer(helpscout.Customer{FirstName: "Cai"})
	s.AddCustomer(helpscout.Customer{ID: a, FirstName: "Ana", Phones: phone("+34 600 00 00 01")}) // replaces a

	s.AddCustomer(helpscout.Customer{FirstName: "Dan", Phones: append(phone("+1 617-610-5413 ext. 12"), helpscout.Entry{Value: "617 610 5413"})})
	tests := []string{
		`(phone:"+34612345678")`,
		`(phone:"617-610-5413")`, // inside an extension
		`(phone:"617 610 5413")`, // Dan's two phones share grams
		`(phone:"610-5413 ext")`, // a substring with text
		`(phone:"6176105413")`,   // digits of stored text: no literal match
		`(phone:"12 34 56")`,     // fewer digits than a gram: full scan
		`(phone:"34 612 34 56 78" OR phone:"612345678")`,
		`(phone:"612345678" OR phone:"+34612345678")`,
		`phone:("34612345678" OR "699000111")`,
		`(phone:"+34 600 00 00 01")`,
		`(phone:"+34 612 34 56 78")`, // a's old phone: no longer a
		`(phone:"+34612345678" AND firstName:"Ana")`,
		`(firstName:"Ana" OR phone:"612345678")`,
		`(NOT phone:"612345678")`,
		`(phone:"x")`,
	}
	for _, pm := range []PhoneMatch{PhoneDigitsEqual, PhoneContainsText} {
		s.SetPhoneMatch(pm)
		for _, q := range tests {
			t.Run(pm.String()+"/"+q, func(t *testing.T) {
				is := is.New(t)
				n, err := parseQuery(q)
				is.NoErr(err)
				var want []float64
				for _, c := range s.Customers() {
					if n.match(func(f, v string) bool { return customerMatches(&c, f, v, pm) }) {
						want = append(want, float64(c.ID))
					}
				}
				res, body := do(t, "GET", s.URL()+"/v2/customers?query="+url.QueryEscape(q), "", "", tok)
				is.Equal(res.StatusCode, 200)
				var got []float64
				if emb, ok := body["_embedded"].(map[string]any); ok {
					for _, c := range emb["customers"].([]any) {
						got = append(got, c.(map[string]any)["id"].(float64))
					}
				}
				slices.Sort(got)
				is.Equal(got, want)
			})
		}
	}
}
