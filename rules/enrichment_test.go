package rules

import (
	"strings"
	"testing"
	"time"

	"github.com/matryer/is"
)

func TestEnrichmentTiming(t *testing.T) {
	both := EnrichmentPolicy{Transcripts: true, AIInsights: true, Wait: 15 * time.Minute, MaxAge: 24 * time.Hour}
	onlyAI := EnrichmentPolicy{AIInsights: true, Wait: 15 * time.Minute, MaxAge: 24 * time.Hour}
	off := EnrichmentPolicy{Wait: 15 * time.Minute, MaxAge: 24 * time.Hour}
	ended := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	answered := baseCall()
	missed := baseCall()
	missed.AnsweredAt = time.Time{}
	voicemail := missed
	voicemail.Voicemail = true
	ready := Enrichment{TranscriptSeen: true, SummarySeen: true, Summary: "s"}
	half := Enrichment{TranscriptSeen: true}
	tests := []struct {
		name     string
		p        EnrichmentPolicy
		c        Call
		addonOff bool
		age      time.Duration
		e        Enrichment
		want     Timing
	}{
		{"disabled", off, answered, false, 0, Enrichment{}, EnrichLogNever},
		{"missed call has nothing to wait for", both, missed, false, 0, Enrichment{}, EnrichLogNever},
		{"voicemail waits for its transcript", both, voicemail, false, time.Minute, Enrichment{}, EnrichWait},
		{"voicemail logged with its transcript", both, voicemail, false, time.Minute, ready, EnrichLogWith},
		{"add-on off", both, answered, true, 0, Enrichment{}, EnrichLogNever},
		{"ready at once", both, answered, false, time.Minute, ready, EnrichLogWith},
		{"not ready, wait", both, answered, false, time.Minute, half, EnrichWait},
		{"not ready after wait", both, answered, false, 16 * time.Minute, half, EnrichLogWithout},
		{"only AI wanted and summary there", onlyAI, answered, false, time.Minute, Enrichment{SummarySeen: true}, EnrichLogWith},
		{"too old for enrichment", both, answered, false, 25 * time.Hour, Enrichment{}, EnrichLogNever},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			is.Equal(EnrichmentTiming(tt.p, CallEnrichment{Call: tt.c, AddonOff: tt.addonOff, Ended: ended, Got: tt.e}, ended.Add(tt.age)), tt.want)
		})
	}
	is := is.New(t)
	is.True(LateEnrichmentExpired(both, ended, ended.Add(24*time.Hour)))
	is.True(!LateEnrichmentExpired(both, ended, ended.Add(23*time.Hour)))
	is.Equal(onlyAI.Filter(Enrichment{Transcript: []Utterance{{Text: "x"}}, TranscriptSeen: true, Summary: "s"}).Transcript, []Utterance(nil))
}

func TestLateEnrichmentExpired(t *testing.T) {
	p := EnrichmentPolicy{Transcripts: true, AIInsights: true, Wait: 15 * time.Minute, MaxAge: 24 * time.Hour}
	ended := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		age  time.Duration // since the call ended
		want bool
	}{
		{"just ended", 0, false},
		{"a second before max age", 24*time.Hour - time.Second, false},
		{"at max age", 24 * time.Hour, true},
		{"past max age", 25 * time.Hour, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			is.Equal(LateEnrichmentExpired(p, ended, ended.Add(tt.age)), tt.want)
		})
	}
}

func TestLateLookDue(t *testing.T) {
	p := EnrichmentPolicy{Transcripts: true, AIInsights: true, Wait: 15 * time.Minute, MaxAge: 24 * time.Hour}
	ended := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		age      time.Duration // now − ended
		lastLook time.Duration // now − last look; 0 = never looked
		want     bool
	}{
		{"never looked", 20 * time.Minute, 0, true},
		{"20 min old, looked 5 min ago: every pass", 20 * time.Minute, 5 * time.Minute, true},
		{"59 min old, looked 1 min ago: every pass in the first hour", 59 * time.Minute, time.Minute, true},
		{"1 h old, looked 5 min ago: waits (gap 10 min)", time.Hour, 5 * time.Minute, false},
		{"1 h old, looked 10 min ago", time.Hour, 10 * time.Minute, true},
		{"3 h old, looked 25 min ago: waits (gap 30 min)", 3 * time.Hour, 25 * time.Minute, false},
		{"12 h old, looked 59 min ago: waits (gap capped at 1 h)", 12 * time.Hour, 59 * time.Minute, false},
		{"12 h old, looked 1 h ago", 12 * time.Hour, time.Hour, true},
		{"give-up point: always the last look", 24 * time.Hour, time.Minute, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			now := ended.Add(tt.age)
			var last time.Time
			if tt.lastLook > 0 {
				last = now.Add(-tt.lastLook)
			}
			is.Equal(LateLookDue(p, ended, last, now), tt.want)
		})
	}
}

func TestLateNoteDue(t *testing.T) {
	both := EnrichmentPolicy{Transcripts: true, AIInsights: true, Wait: 15 * time.Minute, MaxAge: 24 * time.Hour}
	onlyT := EnrichmentPolicy{Transcripts: true, Wait: 15 * time.Minute, MaxAge: 24 * time.Hour}
	onlyAI := EnrichmentPolicy{AIInsights: true, Wait: 15 * time.Minute, MaxAge: 24 * time.Hour}
	transcript := Enrichment{TranscriptSeen: true, Transcript: []Utterance{{Speaker: "Ana", Text: "Hola"}}}
	emptyTranscript := Enrichment{TranscriptSeen: true}
	summary := Enrichment{SummarySeen: true, Summary: "s"}
	all := Enrichment{TranscriptSeen: true, Transcript: transcript.Transcript, SummarySeen: true, Summary: "s"}
	tests := []struct {
		name    string
		p       EnrichmentPolicy
		e       Enrichment
		expired bool
		want    bool
	}{
		{"all ready", both, all, false, true},
		{"all ready at give-up", both, all, true, true},
		{"nothing yet", both, Enrichment{}, false, false},
		{"nothing at give-up", both, Enrichment{}, true, false},
		{"transcript ready, summary not yet: wait for it", both, transcript, false, false},
		{"transcript ready, summary never: transcript at give-up", both, transcript, true, true},
		{"empty transcript, summary never: nothing to write", both, emptyTranscript, true, false},
		{"only transcripts logged", onlyT, transcript, false, true},
		{"summary alone when transcripts are off", onlyAI, summary, false, true},
		{"transcript not logged is not a reason to write", onlyAI, transcript, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			is.Equal(tt.p.LateNoteDue(tt.e, tt.expired), tt.want)
		})
	}
}

func TestRenderEnrichmentNote(t *testing.T) {
	is := is.New(t)
	e := Enrichment{
		Summary: "Wants a <refund>\nsoon", Topics: []string{"billing"}, ActionItems: []string{"Send invoice"},
		Sentiments: []Sentiment{{Who: "Customer", Value: "NEGATIVE"}},
		Transcript: []Utterance{{Speaker: "Ana", Start: 1, Text: "Hello"}, {Speaker: "Customer", Start: 65, Text: "<script>hi</script>"}},
	}
	got := RenderEnrichmentNote(7, e)
	for _, s := range []string{"Wants a &lt;refund&gt;<br>\nsoon", "<li>billing</li>", "<li>Send invoice</li>",
		"Customer: negative", "[00:01] <strong>Ana</strong>: Hello", "[01:05] <strong>Customer</strong>: &lt;script&gt;",
		"[aircall:call:7:insights]"} {
		is.True(strings.Contains(got, s))
	}
	assertEscaped(t, got)
	is.True(Enrichment{}.Empty())
	is.True(!e.Empty())

	long := Enrichment{}
	for i := 0; i < 5000; i++ {
		long.Transcript = append(long.Transcript, Utterance{Speaker: "A", Text: strings.Repeat("word ", 10)})
	}
	got = RenderEnrichmentNote(7, long)
	is.True(len(got) < MaxTranscriptBytes+2000)
	is.True(strings.Contains(got, "transcript truncated"))
}

func TestMessages(t *testing.T) {
	is := is.New(t)
	created := time.Date(2026, 11, 20, 23, 30, 0, 0, time.UTC)
	is.Equal(MessageDay(created, madrid), "2026-11-21") // 00:30 in Madrid
	is.Equal(MessageDay(created, nil), "2026-11-20")
	is.Equal(ChannelOf("WhatsApp"), ChannelWhatsApp)
	is.Equal(ChannelOf(""), ChannelSMS)
	is.Equal(MessageSubject(ChannelWhatsApp, "+34 612 34 56 78", "2026-11-21"), "WhatsApp with +34 612 34 56 78 on 2026-11-21")
	m := Message{ID: "m1", Direction: "outbound", Channel: ChannelSMS, Body: "Hi <b>there</b>\nbye", CreatedAt: created,
		ExternalE164: "+34612345678", AgentName: "Ana", Location: madrid,
		Media: []Media{{Name: "photo.jpg", URL: "https://cdn/x.jpg"}, {URL: "ftp://bad"}}}
	got := RenderMessageThread(m)
	for _, s := range []string{"SMS to +34 612 34 56 78 by Ana", "Hi &lt;b&gt;there&lt;/b&gt;<br>\nbye",
		`<a href="https://cdn/x.jpg">photo.jpg</a>`, "<li>attachment 2</li>", "[aircall:message:m1]"} {
		is.True(strings.Contains(got, s))
	}
	assertEscaped(t, got)
}

// TestSpeakerName: the agent by name, the caller as Customer, anyone else
// (Aircall's AI voice agent, an IVR) by its own label, in the rendered note.
func TestSpeakerName(t *testing.T) {
	tests := []struct {
		name, role, label, agent, want string
	}{
		{"agent named", RoleAgent, "Agent", "Ana García", "Ana García"},
		{"agent unnamed", RoleAgent, "Agent", " ", "Agent"},
		{"caller", RoleCustomer, "Caller", "Ana García", "Customer"},
		{"AI voice agent", RoleOther, "AI voice agent", "Ana García", "AI voice agent"},
		{"IVR", RoleOther, "IVR", "", "IVR"},
		{"nothing known", RoleOther, "", "Ana García", "Unknown speaker"},
		{"no role at all", "", "  ", "", "Unknown speaker"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			got := SpeakerName(tt.role, tt.label, tt.agent)
			is.Equal(got, tt.want)
			// The name reaches the note escaped, as every Aircall text does.
			note := RenderEnrichmentNote(1, Enrichment{Transcript: []Utterance{{Speaker: got, Text: "hola"}}})
			is.True(strings.Contains(note, "<strong>"+esc(tt.want)+"</strong>: hola"))
		})
	}
	note := RenderEnrichmentNote(1, Enrichment{Transcript: []Utterance{{Speaker: SpeakerName(RoleOther, "<b>bot</b>", ""), Text: "x"}}})
	is.New(t).True(!strings.Contains(note, "<b>bot</b>"))
}
