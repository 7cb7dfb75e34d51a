package main

import (
	"context"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aircall-helpscout/aircall-helpscout/clients/aircall/aircalltest"
	"github.com/aircall-helpscout/aircall-helpscout/clients/helpscout"
	"github.com/aircall-helpscout/aircall-helpscout/clients/helpscout/helpscouttest"
	"github.com/matryer/is"
)

func TestDemoNeedsNothingAndPrintsWhatLanded(t *testing.T) {
	is := is.New(t)
	r := runCmd(context.Background(), map[string]string{}, "demo")
	is.NoErr(r.err)
	for _, want := range []string{
		"CONVERSATION  CUSTOMER",
		"Missed call from +34 612 34 56 78", // missed, customer stored without country code
		"Marta López (612 34 56 78)",        // matched despite the format
		"Voicemail from +34 699 11 22 33",   // voicemail
		"Lucía Fernández (699 11 22 33)",    // matched, stored in national format
		"Jordi Puig Serra",                  // duplicates: the most recent customer
		"Anonymous caller",                  // the instance's anonymous customer
		"Caller +44 20 7946 0958",           // unknown caller: a new customer
		"Outbound call to +34 699 11 22 33", // outbound
		"1 phone, 1 note",                   // AI ready: transcript and insights
		"SMS with +34 612 34 56 78",         // messages from the webhooks
		"WhatsApp with +34 677 88 99 00",    //
		"12 conversation(s)",                //
		"waiting 2",                         // AI not ready yet, and a call in progress
		"temporary and is deleted now",      // no promise about running demo again
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("demo output lacks %q:\n%s", want, r.stdout)
		}
	}
	is.True(!strings.Contains(r.stdout, "Jordi Puig ("))   // never the older duplicate
	is.True(!strings.Contains(r.stdout, "Caller +34 699")) // a known customer is never re-created
	is.True(!strings.Contains(r.stdout, "Caller +34 633"))
	is.True(!strings.Contains(r.stdout, "Run it again")) // a second demo has a fresh database: it proves nothing
	is.Equal(r.stderr, "")                               // no warnings on the happy path
}

func TestDemoQuietPrintsOnlyTheSummary(t *testing.T) {
	is := is.New(t)
	r := runCmd(context.Background(), nil, "demo", "--quiet")
	is.NoErr(r.err)
	is.True(strings.HasPrefix(r.stdout, "Summary"))
	is.True(!strings.Contains(r.stdout, "CONVERSATION"))
}

// TestDemoCustomersAreFoundByPhone guards the demo's story: each seeded
// customer (whatever format their phone was stored in) is found by the real
// client's phone search, and both halves of the duplicate pair are found, so
// the "most recent wins" rule is really exercised rather than one half
// silently missing the search; under both readings of Help Scout's literal
// phone search the fake offers.
func TestDemoCustomersAreFoundByPhone(t *testing.T) {
	for _, pm := range []helpscouttest.PhoneMatch{helpscouttest.PhoneDigitsEqual, helpscouttest.PhoneContainsText} {
		t.Run(pm.String(), func(t *testing.T) { testDemoCustomersFound(t, pm) })
	}
}

func testDemoCustomersFound(t *testing.T, pm helpscouttest.PhoneMatch) {
	is := is.New(t)
	ctx := context.Background()
	ac := aircalltest.NewServer()
	defer ac.Close()
	hs := helpscouttest.NewServer()
	defer hs.Close()
	hs.SetPhoneMatch(pm)
	seedDemo(ac, hs, time.Now().UTC())
	c, err := helpscout.New(helpscout.Config{BaseURL: hs.URL(), AppID: helpscouttest.AppID, AppSecret: helpscouttest.AppSecret})
	is.NoErr(err)
	for _, tc := range []struct {
		e164 string
		want []string // last names found
	}{
		{"+34612345678", []string{"López"}},
		{"+34699112233", []string{"Fernández"}},
		{"+34633001122", []string{"Puig", "Puig Serra"}},
		{"+34655443322", nil},
	} {
		found, err := c.FindCustomersByPhone(ctx, tc.e164)
		is.NoErr(err)
		var got []string
		for _, cu := range found {
			got = append(got, cu.LastName)
		}
		sort.Strings(got)
		if strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("%s: found %q, want %q", tc.e164, got, tc.want)
		}
	}
}
