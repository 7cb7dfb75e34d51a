package helpscout_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/aircall-helpscout/aircall-helpscout/clients/helpscout"
)

// BenchmarkFindCustomersByPhone reports rate-limit units per customer lookup
// (expected: 1 — one OR-query page).
func BenchmarkFindCustomersByPhone(b *testing.B) {
	e := newEnv(b)
	for i := range 200 {
		e.newCustomer("C", fmt.Sprintf("(617) 610-%04d", i), time.Time{})
	}
	if err := e.c.Authenticate(e.ctx); err != nil {
		b.Fatal(err)
	}
	start := e.srv.Units()
	reqs := len(e.srv.Requests())
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		got, err := e.c.FindCustomersByPhone(e.ctx, fmt.Sprintf("+1617610%04d", i%200))
		if err != nil || len(got) != 1 {
			b.Fatalf("got %d customers, err %v", len(got), err)
		}
	}
	b.ReportMetric(float64(e.srv.Units()-start)/float64(b.N), "units/op")
	b.ReportMetric(float64(len(e.srv.Requests())-reqs)/float64(b.N), "requests/op")
}

// BenchmarkCreateConversation reports units per conversation create
// (expected: 2 — one write, threads inline).
func BenchmarkCreateConversation(b *testing.B) {
	e := newEnv(b)
	cust := e.newCustomer("C", "+34612345678", time.Time{})
	if err := e.c.Authenticate(e.ctx); err != nil {
		b.Fatal(err)
	}
	in := phoneConv(e, cust)
	start := e.srv.Units()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := e.c.CreateConversation(e.ctx, in); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(e.srv.Units()-start)/float64(b.N), "units/op")
}

// BenchmarkLookupVsMirror measures, in requests, the OR-query lookup against a
// modifiedSince mirror of 2,000 customers (numbers quoted in doc.go).
func BenchmarkLookupVsMirror(b *testing.B) {
	const n = 2000
	e := newEnv(b)
	for i := range n {
		e.newCustomer("C", fmt.Sprintf("+34 612 %06d", i), time.Time{})
	}
	if err := e.c.Authenticate(e.ctx); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	var initial, pass, lookup int
	for i := 0; i < b.N; i++ {
		r0 := len(e.srv.Requests())
		if _, err := e.c.ListCustomers(e.ctx, helpscout.CustomerFilter{SortField: "modifiedAt", SortOrder: "asc"}); err != nil {
			b.Fatal(err)
		}
		r1 := len(e.srv.Requests())
		if _, err := e.c.ListCustomers(e.ctx, helpscout.CustomerFilter{ModifiedSince: e.clk.Now().Add(time.Second)}); err != nil {
			b.Fatal(err)
		}
		r2 := len(e.srv.Requests())
		if _, err := e.c.FindCustomersByPhone(e.ctx, "+34612000042"); err != nil {
			b.Fatal(err)
		}
		r3 := len(e.srv.Requests())
		initial, pass, lookup = r1-r0, r2-r1, r3-r2
	}
	b.ReportMetric(float64(initial), "mirror-initial-requests")
	b.ReportMetric(float64(pass), "mirror-requests/pass")
	b.ReportMetric(float64(lookup), "or-query-requests/lookup")
}
