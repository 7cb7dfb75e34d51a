package main

import (
	"context"
	"strings"
	"testing"

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
	is.True(!strings.Contains(r.stdout, "Jordi Puig (")) // never the older duplicate
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
