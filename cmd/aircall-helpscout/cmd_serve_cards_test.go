package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/aircall-helpscout/aircall-helpscout/clients/aircall"
	"github.com/aircall-helpscout/aircall-helpscout/clients/aircall/aircalltest"
	"github.com/aircall-helpscout/aircall-helpscout/clients/helpscout"
	"github.com/aircall-helpscout/aircall-helpscout/clients/helpscout/helpscouttest"
	"github.com/aircall-helpscout/aircall-helpscout/reconciler/reconcilertest"
)

// ringing makes a fake call one that is still ringing (status initial,
// neither answered nor ended), so Aircall takes a card for it.
func ringing(c *aircall.Call) { c.Status, c.AnsweredAt, c.EndedAt, c.User = "initial", nil, nil, nil }

// postCallCreated delivers call.created for c as Aircall does: the call
// object at status initial, without user.
func postCallCreated(t *testing.T, base string, c aircall.Call) {
	t.Helper()
	data := map[string]any{"id": c.ID, "direction": c.Direction, "status": "initial", "raw_digits": c.RawDigits,
		"started_at": c.StartedAt, "answered_at": nil, "ended_at": nil, "user": nil}
	if n := c.Number; n != nil {
		data["number"] = map[string]any{"id": n.ID, "name": n.Name, "digits": n.Digits, "country": n.Country, "time_zone": n.TimeZone}
	}
	body, _ := json.Marshal(map[string]any{"resource": "call", "event": "call.created", "timestamp": time.Now().Unix(),
		"token": testWebhookToken, "data": data})
	start := time.Now()
	resp, err := http.Post(base+webhookPath, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("call.created answered %d", resp.StatusCode)
	}
	// The receiver never waits for the card.
	if d := time.Since(start); d > time.Second {
		t.Fatalf("call.created took %v to answer", d)
	}
}

// metric returns the value of one series in /metrics ("" when absent).
func metric(t *testing.T, base, series string) string {
	t.Helper()
	_, body := get(t, base+"/metrics")
	for _, l := range strings.Split(body, "\n") {
		if v, ok := strings.CutPrefix(l, series+" "); ok {
			return v
		}
	}
	return ""
}

func cardMetric(result string) string {
	return `aircall_helpscout_insight_cards_total{instance="default",result="` + result + `"}`
}

// startCardServe starts serve on f with one start-up pass (the mirrors are
// filled by it) and waits for that pass.
func startCardServe(t *testing.T, f *fakes, extra ...string) (string, func() result) {
	t.Helper()
	vars := with(f.vars, append([]string{"SCHEDULE", "@every 1h", "LISTEN_ADDR", "127.0.0.1:0"}, extra...)...)
	base, stop := startServe(t, vars)
	waitFor(t, "the start-up pass", func() bool { return metric(t, base, `aircall_helpscout_passes_total{result="ok"}`) == "1" })
	return base, stop
}

func cardLines(c aircalltest.Card) []string {
	var out []string
	for _, l := range c.Lines {
		s := l.Type + "|" + l.Label + "|" + l.Text
		if l.Link != "" {
			s += "|" + l.Link
		}
		out = append(out, s)
	}
	return out
}

// TestInsightCardsThroughServe is the done criterion: call.created
// in, the card recorded by the Aircall fake with its content, one card per
// call whatever is redelivered and across a restart, none for anonymous,
// outbound or foreign calls, and a card for an ended call counted too late.
func TestInsightCardsThroughServe(t *testing.T) {
	is := is.New(t)
	f := newFakes(t)
	marta := f.HS.AddCustomer(helpscout.Customer{FirstName: "Marta", LastName: "López", Organization: "Acme SL",
		Phones: []helpscout.Entry{{Value: "612 34 56 78"}}, CreatedAt: time.Now().Add(-48 * time.Hour)})
	now := time.Now().UTC().Truncate(time.Second)
	f.HS.AddConversation(helpscouttest.SeedConversation{Subject: "Older question", Status: "pending",
		MailboxID: reconcilertest.MailboxID, CustomerID: marta, CreatedAt: now.Add(-5 * time.Hour)})
	refund := f.HS.AddConversation(helpscouttest.SeedConversation{Subject: "Refund for order 1234", Status: "active",
		MailboxID: reconcilertest.MailboxID, CustomerID: marta, CreatedAt: now.Add(-time.Hour)})
	f.HS.AddConversation(helpscouttest.SeedConversation{Subject: "Closed one", Status: "closed",
		MailboxID: reconcilertest.MailboxID, CustomerID: marta, CreatedAt: now.Add(-30 * time.Minute)})

	base, stop := startCardServe(t, f)
	// The calls ring after the start-up pass: no pass has read them yet.
	known := f.AddCall(501, "+34 612 34 56 78", 0, ringing)
	unknown := f.AddCall(502, "+34 699 00 00 01", 0, ringing)
	anon := f.AddCall(503, "anonymous", 0, ringing)
	outbound := f.AddCall(504, "+34 612 34 56 78", 0, ringing, reconcilertest.Outbound())
	foreign := f.AddCall(505, "+34 612 34 56 78", 0, ringing, func(c *aircall.Call) {
		c.Number = &aircall.Number{ID: 999, Name: "Sales", Digits: "+34 910 99 99 99", Country: "ES"}
	})
	ended := f.AddCall(506, "+34 699 00 00 02", 0) // finished: Aircall refuses its card
	f.AC.SetEndedCardAnswer(aircalltest.EndedCard422)

	for _, m := range []string{"sent", "dropped_late", "failed", "skipped"} {
		is.Equal(metric(t, base, cardMetric(m)), "0") // at zero from the start
	}
	// Three deliveries of the same call at once, then the others.
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() { defer wg.Done(); postCallCreated(t, base, known) }()
	}
	wg.Wait()
	for _, c := range []aircall.Call{unknown, anon, outbound, foreign, ended} {
		postCallCreated(t, base, c)
	}
	waitFor(t, "the cards", func() bool {
		return metric(t, base, cardMetric("sent")) == "2" && metric(t, base, cardMetric("skipped")) == "1" &&
			metric(t, base, cardMetric("dropped_late")) == "1"
	})
	postCallCreated(t, base, known) // redelivered after it was sent
	time.Sleep(200 * time.Millisecond)

	cards := f.AC.Cards(known.ID)
	is.Equal(len(cards), 1)
	is.Equal(cardLines(cards[0]), []string{
		"title||Marta López|https://secure.helpscout.net/customer/" + itoa(marta) + "/0/",
		"shortText|Company|Acme SL",
		"shortText|Open conversations|2",
		"shortText|Latest|Refund for order 1234|https://secure.helpscout.net/conversation/" + itoa(refund),
	})
	cards = f.AC.Cards(unknown.ID)
	is.Equal(len(cards), 1)
	is.Equal(cardLines(cards[0]), []string{
		"title||New caller",
		"shortText|Number|+34 699 00 00 01",
		"shortText|Help Scout|no customer with this number yet",
	})
	for _, c := range []aircall.Call{anon, outbound, foreign, ended} {
		is.Equal(len(f.AC.Cards(c.ID)), 0) // no card (the ended call's was refused)
	}
	is.Equal(len(f.AC.AllCards()), 2)
	is.Equal(metric(t, base, cardMetric("failed")), "0") // the ended call is too late, not a failure
	is.Equal(metric(t, base, `aircall_helpscout_webhooks_total{event="call.created",result="queued"}`), "7")
	is.Equal(metric(t, base, `aircall_helpscout_webhooks_total{event="call.created",result="ignored"}`), "2")
	r := stop()
	is.NoErr(r.err)

	// explain shows the card of a call no pass has read yet.
	out := runCmd(context.Background(), f.vars, "explain", itoa(known.ID))
	is.NoErr(out.err)
	is.True(strings.Contains(out.stdout, "not in the ledger"))
	is.True(strings.Contains(out.stdout, "sent to the Aircall app"))
	out = runCmd(context.Background(), f.vars, "explain", itoa(ended.ID), "--json")
	is.NoErr(out.err)
	is.True(strings.Contains(out.stdout, `"state": "dropped_late"`))

	// A restart, and Aircall delivering everything again: no second card.
	base, stop = startCardServe(t, f)
	for _, c := range []aircall.Call{known, unknown, anon, ended} {
		postCallCreated(t, base, c)
	}
	time.Sleep(300 * time.Millisecond)
	is.Equal(len(f.AC.AllCards()), 2)
	is.Equal(metric(t, base, cardMetric("sent")), "0")
	is.NoErr(stop().err)

	// Once a pass has the call in the ledger, explain shows the card beside it.
	out = runCmd(context.Background(), f.vars, "explain", itoa(known.ID))
	is.NoErr(out.err)
	is.True(strings.Contains(out.stdout, "insight card:"))
	is.True(!strings.Contains(out.stdout, "not in the ledger"))
}

// TestInsightCardDroppedWhenLate: a card that cannot reach Aircall within
// the card timeout is dropped and counted, and never sent afterwards.
func TestInsightCardDroppedWhenLate(t *testing.T) {
	is := is.New(t)
	old := cardTimeout
	cardTimeout = 300 * time.Millisecond
	t.Cleanup(func() { cardTimeout = old })
	f := newFakes(t)
	c := f.AddCall(601, "+34 699 00 00 03", 0, ringing)
	base, stop := startCardServe(t, f)
	defer stop()
	f.AC.SetLatency(time.Second) // Aircall slower than the card's budget

	postCallCreated(t, base, c)
	waitFor(t, "the drop", func() bool { return metric(t, base, cardMetric("dropped_late")) == "1" })
	time.Sleep(1200 * time.Millisecond) // past the fake's latency: nothing lands later
	is.Equal(len(f.AC.AllCards()), 0)
	is.Equal(metric(t, base, cardMetric("sent")), "0")
	is.Equal(metric(t, base, cardMetric("failed")), "0")
}

// TestInsightCardsOff: INSIGHT_CARDS=false sends nothing, and call.created
// is acknowledged as an ignored event.
func TestInsightCardsOff(t *testing.T) {
	is := is.New(t)
	f := newFakes(t)
	c := f.AddCall(701, "+34 699 00 00 04", 0, ringing)
	base, stop := startCardServe(t, f, "INSIGHT_CARDS", "false")
	defer stop()
	postCallCreated(t, base, c)
	waitFor(t, "the delivery", func() bool {
		return metric(t, base, `aircall_helpscout_webhooks_total{event="call.created",result="ignored"}`) == "1"
	})
	time.Sleep(200 * time.Millisecond)
	is.Equal(len(f.AC.AllCards()), 0)
	is.Equal(metric(t, base, cardMetric("sent")), "0")
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
