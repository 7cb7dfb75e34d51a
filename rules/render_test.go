package rules

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/matryer/is"
)

var madrid, _ = time.LoadLocation("Europe/Madrid")

func baseCall() Call {
	start := time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)
	return Call{
		ID: 4186780376, Direction: "inbound", Status: "done",
		StartedAt: start, AnsweredAt: start.Add(5 * time.Second), EndedAt: start.Add(125 * time.Second),
		Duration: 125 * time.Second, RawDigits: "+34 612 34 56 78", ExternalE164: "+34612345678",
		Asset: "https://assets.aircall.io/calls/4186780376/recording", LineName: "Support ES",
		LineDigits: "+34 910 00 00 00", Location: madrid, AgentName: "Ana García", AgentEmail: "ana@example.com",
	}
}

func TestCallSubjectAndOutcome(t *testing.T) {
	missed := baseCall()
	missed.AnsweredAt = time.Time{}
	missed.MissedReason = "no_available_agent"
	vm := missed
	vm.Voicemail = true
	out := baseCall()
	out.Direction = "outbound"
	outMissed := missed
	outMissed.Direction = "outbound"
	anon := missed
	anon.RawDigits, anon.ExternalE164 = "anonymous", ""
	tests := []struct {
		name    string
		c       Call
		outcome CallOutcome
		subject string
	}{
		{"answered", baseCall(), OutcomeAnswered, "Call from +34 612 34 56 78"},
		{"missed", missed, OutcomeMissed, "Missed call from +34 612 34 56 78"},
		{"voicemail", vm, OutcomeVoicemail, "Voicemail from +34 612 34 56 78"},
		{"outbound", out, OutcomeAnswered, "Outbound call to +34 612 34 56 78"},
		{"outbound unanswered", outMissed, OutcomeMissed, "Unanswered call to +34 612 34 56 78"},
		{"anonymous", anon, OutcomeMissed, "Missed call from anonymous"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			is.Equal(tt.c.Outcome(), tt.outcome)
			is.Equal(CallSubject(tt.c), tt.subject)
		})
	}
}

func TestRenderCallThread(t *testing.T) {
	c := baseCall()
	c.Tags = []string{"vip", "<b>bold</b>"}
	c.Comments = []Comment{{Author: "Ana", Content: "Customer wants <script>alert(1)</script> a refund"}}
	missed := baseCall()
	missed.AnsweredAt, missed.MissedReason, missed.Asset = time.Time{}, "out_of_opening_hours", ""
	vm := missed
	vm.MissedReason, vm.Voicemail, vm.Asset = "no_available_agent", true, "https://assets.aircall.io/calls/4186780376/voicemail"
	outMissed := missed
	outMissed.Direction, outMissed.MissedReason = "outbound", ""
	evil := baseCall()
	evil.Asset = "javascript:alert(1)"
	evil.LineName = `Line "x" <img src=x onerror=alert(1)>`
	tests := []struct {
		name     string
		c        Call
		contains []string
		absent   []string
	}{
		{"answered", c, []string{
			"Inbound call", "Answered", "Support ES (+34 910 00 00 00)", "Caller: +34 612 34 56 78",
			"Agent: Ana García", "Fri 20 Nov 2026 10:30 CET (Europe/Madrid)", "Duration: 2m 05s",
			"Tags: vip, &lt;b&gt;bold&lt;/b&gt;", "&lt;script&gt;alert(1)&lt;/script&gt;",
			`href="https://assets.aircall.io/calls/4186780376/recording"`, "https://dashboard.aircall.io/calls/4186780376",
			"[aircall:call:4186780376]",
		}, []string{"<script>", "<b>"}},
		{"missed", missed, []string{"Missed (out of opening hours)", "[aircall:call:4186780376]"}, []string{"Recording"}},
		{"voicemail", vm, []string{"Voicemail left (no available agent)", `<a href="https://assets.aircall.io/calls/4186780376/voicemail">Voicemail</a>`}, []string{"Recording", "Missed"}},
		{"outbound not answered", outMissed, []string{"Outbound call", "Not answered", "Called: +34 612 34 56 78"}, []string{"Caller:"}},
		{"unsafe link dropped, text escaped", evil, []string{"&lt;img src=x onerror=alert(1)&gt;", "&#34;x&#34;"}, []string{"javascript:", "<img"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			got := RenderCallThread(tt.c)
			for _, s := range tt.contains {
				is.True(strings.Contains(got, s)) // missing fragment
			}
			for _, s := range tt.absent {
				is.True(!strings.Contains(got, s)) // fragment must not be there
			}
		})
	}
}

func TestFormatDuration(t *testing.T) {
	for _, tt := range []struct {
		d    time.Duration
		want string
	}{{9 * time.Second, "9s"}, {125 * time.Second, "2m 05s"}, {3723 * time.Second, "1h 02m 03s"}, {0, "0s"}} {
		is.New(t).Equal(FormatDuration(tt.d), tt.want)
	}
}

func TestMarkers(t *testing.T) {
	is := is.New(t)
	body := RenderCallThread(baseCall())
	is.True(HasMarker(body, CallMarker(4186780376)))
	is.True(!HasMarker(body, CallMarker(418678037))) // a prefix of the ID is not a match
	is.Equal(MessageMarker("a<b"), "[aircall:message:a&lt;b]")
}

// ourTags matches the markup the renderers emit themselves; anything else
// that looks like a tag came from input and means escaping failed.
var ourTags = regexp.MustCompile(`</?(p|strong|ul|li|em|br|small)>|<a href="[^"<>]*">|</a>`)

func assertEscaped(t *testing.T, out string) {
	t.Helper()
	rest := ourTags.ReplaceAllString(out, "")
	if strings.ContainsAny(rest, "<>") {
		t.Fatalf("unescaped markup in output:\n%s", out)
	}
}

func FuzzRenderCallThread(f *testing.F) {
	f.Add("Support", "+1 617-610-5413", "Ana", "<script>x</script>", "tag", "https://a/b", "no_available_agent")
	f.Add(`"><img>`, "anonymous", "", "&amp;", "<", "javascript:alert(1)", "")
	f.Fuzz(func(t *testing.T, line, raw, agent, comment, tag, asset, reason string) {
		c := baseCall()
		c.LineName, c.RawDigits, c.ExternalE164, c.AgentName, c.Asset, c.MissedReason = line, raw, "", agent, asset, reason
		c.Tags = []string{tag}
		c.Comments = []Comment{{Author: agent, Content: comment}}
		assertEscaped(t, RenderCallThread(c))
		assertEscaped(t, CallSubjectHTMLSafe(c))
	})
}

func FuzzRenderNotes(f *testing.F) {
	f.Add("summary <b>", "topic", "do <x>", "Customer", "hello <script>", "id<1>", "https://x/y", "file.png")
	f.Fuzz(func(t *testing.T, summary, topic, action, speaker, text, id, url, name string) {
		e := Enrichment{Summary: summary, Topics: []string{topic}, ActionItems: []string{action},
			Sentiments: []Sentiment{{Who: speaker, Value: text}}, Transcript: []Utterance{{Speaker: speaker, Text: text}}}
		assertEscaped(t, RenderEnrichmentNote(1, e))
		m := Message{ID: id, Body: text, ExternalRaw: speaker, AgentName: speaker, Direction: "outbound", Media: []Media{{Name: name, URL: url}}}
		assertEscaped(t, RenderMessageThread(m))
	})
}
