package helpscouttest

import (
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/aircall-helpscout/aircall-helpscout/clients/helpscout"
)

func TestV3SearchLimitAndModes(t *testing.T) {
	s := NewServer()
	defer s.Close()
	s.AddCustomer(helpscout.Customer{FirstName: "Pat", Phones: []helpscout.Entry{{Value: "+16176105413"}}})
	tok := token(t, s)
	search := func(q string) string {
		return s.URL() + "/v3/customers/search?" + url.Values{"query": {q}}.Encode()
	}
	at500 := `phone:"+16176105413" OR phone:"` + strings.Repeat("9", 500-len(`phone:"+16176105413" OR phone:""`)) + `"`
	tests := []struct {
		name   string
		mode   V3Search
		query  string
		status int
		found  int
	}{
		{"found", V3Available, `phone:"+16176105413"`, 200, 1},
		{"500 characters is fine", V3Available, at500, 200, 1},
		{"501 characters is a 400", V3Available, at500 + " ", 400, 0},
		{"unsupported field is a 400", V3Available, `shoeSize:"42"`, 400, 0},
		{"no permission", V3Forbidden, `phone:"+16176105413"`, 403, 0},
		{"not available", V3NotFound, `phone:"+16176105413"`, 404, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			s.SetV3Search(tt.mode)
			res, m := do(t, "GET", search(tt.query), "", "", tok)
			is.Equal(res.StatusCode, tt.status)
			if tt.status == 200 {
				is.Equal(len(m["_embedded"].(map[string]any)["customers"].([]any)), tt.found)
			}
		})
	}
}

func TestIgnoreUndocumentedFilters(t *testing.T) {
	is := is.New(t)
	s := NewServer()
	defer s.Close()
	a := s.AddCustomer(helpscout.Customer{FirstName: "A", Phones: []helpscout.Entry{{Value: "+16176105413"}}})
	b := s.AddCustomer(helpscout.Customer{FirstName: "B", Phones: []helpscout.Entry{{Value: "+34612345678"}}})
	s.AddConversation(SeedConversation{Subject: "a", MailboxID: 1, CustomerID: a})
	s.AddConversation(SeedConversation{Subject: "b", MailboxID: 1, CustomerID: b, Threads: []helpscout.Thread{{Type: "note", Body: "marker-b"}}})
	tok := token(t, s)
	count := func(path, key string, q url.Values) int {
		_, m := do(t, "GET", s.URL()+path+"?"+q.Encode(), "", "", tok)
		return len(m["_embedded"].(map[string]any)[key].([]any))
	}
	phoneQ := url.Values{"query": {`(phone:"+16176105413")`}}
	convQ := url.Values{"status": {"all"}, "query": {"(customerIds:" + itoa(a) + ")"}}
	bodyQ := url.Values{"status": {"all"}, "query": {`(customerIds:` + itoa(a) + `) AND (body:"marker-b")`}}

	is.Equal(count("/v2/customers", "customers", phoneQ), 1)
	is.Equal(count("/v2/conversations", "conversations", convQ), 1)
	is.Equal(count("/v2/conversations", "conversations", bodyQ), 0)

	s.SetIgnoreUndocumentedFilters(true)
	is.Equal(count("/v2/customers", "customers", phoneQ), 2)        // unfiltered
	is.Equal(count("/v2/conversations", "conversations", convQ), 2) // unfiltered
	is.Equal(count("/v2/conversations", "conversations", bodyQ), 1) // documented terms still apply
	is.Equal(count("/v2/customers", "customers", url.Values{"query": {`(email:"x@y.z")`}}), 0)
}

func TestEditMergeCustomers(t *testing.T) {
	is := is.New(t)
	s := NewServer()
	defer s.Close()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	s.SetClock(func() time.Time { return now })
	a := s.AddCustomer(helpscout.Customer{FirstName: "A", CreatedAt: now.Add(-time.Hour), Phones: []helpscout.Entry{{Value: "(617) 610-5413"}}})
	b := s.AddCustomer(helpscout.Customer{FirstName: "B", CreatedAt: now.Add(-time.Hour), Phones: []helpscout.Entry{{Value: "+34612345678"}}})
	conv := s.AddConversation(SeedConversation{Subject: "b", MailboxID: 1, CustomerID: b})
	now = now.Add(time.Minute)

	is.True(s.SetCustomerPhones(a, "+1.617.610.5413"))
	got := s.Customers()[0]
	is.Equal(got.Phones[0].Value, "+1.617.610.5413")
	is.Equal(got.UpdatedAt, now)

	is.True(s.MergeCustomers(b, a))
	cs := s.Customers()
	is.Equal(len(cs), 1)
	is.Equal(len(cs[0].Phones), 2)
	c, _ := s.Conversation(conv)
	is.Equal(c.PrimaryCustomer.ID, a)
	is.True(!s.EditCustomer(b, func(*helpscout.Customer) {}))
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
