package rules

import (
	"fmt"
	"strings"
	"time"
)

// Enrichment is the transcript and AI insights of a call, as far as Aircall
// has generated them. Nil slices and empty strings mean "not available".
type Enrichment struct {
	Transcript     []Utterance
	TranscriptSeen bool // the transcription resource exists (even if empty)
	Summary        string
	SummarySeen    bool
	Topics         []string
	ActionItems    []string
	Sentiments     []Sentiment
}

// Utterance is one line of a transcript.
type Utterance struct {
	Speaker string  // who spoke, as SpeakerName names them
	Start   float64 // seconds from the start of the call
	Text    string
}

// Speaker roles in a transcript or a sentiment, as Aircall's participant
// type says them.
const (
	RoleAgent    = "agent"    // Aircall "internal": the agent who took the call
	RoleCustomer = "customer" // Aircall "external": the caller
	RoleOther    = "other"    // anyone else, e.g. Aircall's AI voice agent
)

// SpeakerName is how a transcript line or a sentiment names who spoke: the
// agent by name ("Agent" when the call does not say), the caller as
// "Customer", and any other participant (Aircall's AI voice agent, an IVR)
// by its own label (e.g. "AI voice agent"), so that a machine's words are
// never passed off as the agent's or the customer's. A participant with
// neither a role nor a label is "Unknown speaker".
func SpeakerName(role, label, agent string) string {
	switch role {
	case RoleAgent:
		if a := strings.TrimSpace(agent); a != "" {
			return a
		}
		return "Agent"
	case RoleCustomer:
		return "Customer"
	}
	if l := strings.TrimSpace(label); l != "" {
		return l
	}
	return "Unknown speaker"
}

// Sentiment is the mood of one participant.
type Sentiment struct {
	Who   string // as SpeakerName names them
	Value string // POSITIVE | NEUTRAL | NEGATIVE
}

// EnrichmentPolicy is the part of an instance's settings about transcripts
// and AI insights (docs/rules.md#transcripts-and-ai-insights).
type EnrichmentPolicy struct {
	Transcripts bool          // LOG_TRANSCRIPTS
	AIInsights  bool          // LOG_AI_INSIGHTS
	Wait        time.Duration // ENRICHMENT_WAIT
	MaxAge      time.Duration // ENRICHMENT_MAX_AGE
}

// Enabled reports whether anything is to be fetched at all.
func (p EnrichmentPolicy) Enabled() bool { return p.Transcripts || p.AIInsights }

// ExpectsEnrichment reports whether Aircall can ever generate a transcript or
// AI insights for the call: only a conversation or a voicemail was recorded.
// A missed call without voicemail has nothing to transcribe, so it is logged
// at once instead of waiting ENRICHMENT_WAIT for nothing.
func ExpectsEnrichment(c Call) bool {
	return c.Outcome() == OutcomeAnswered || c.Outcome() == OutcomeVoicemail
}

// Ready reports whether the enrichment holds what the policy asks for: the
// transcript when transcripts are on and the summary when AI insights are on.
// Topics, action items and sentiments ride along when present; they are not
// waited for, because Aircall does not generate them for every call.
func (p EnrichmentPolicy) Ready(e Enrichment) bool {
	if !p.Enabled() {
		return true
	}
	if p.Transcripts && !e.TranscriptSeen {
		return false
	}
	if p.AIInsights && !e.SummarySeen {
		return false
	}
	return true
}

// Filter drops what the policy does not log.
func (p EnrichmentPolicy) Filter(e Enrichment) Enrichment {
	if !p.Transcripts {
		e.Transcript, e.TranscriptSeen = nil, false
	}
	if !p.AIInsights {
		e.Summary, e.SummarySeen, e.Topics, e.ActionItems, e.Sentiments = "", false, nil, nil, nil
	}
	return e
}

// Empty reports whether there is nothing to write.
func (e Enrichment) Empty() bool {
	return len(e.Transcript) == 0 && strings.TrimSpace(e.Summary) == "" && len(e.Topics) == 0 &&
		len(e.ActionItems) == 0 && len(e.Sentiments) == 0
}

// Timing is when a finished call is logged with regard to its transcript/AI.
type Timing string

// Timing decisions for a finished call's enrichment.
const (
	EnrichWait       Timing = "wait"          // not ready, still within ENRICHMENT_WAIT: come back later, log nothing yet
	EnrichLogWith    Timing = "log_with"      // ready: log the call and the note together
	EnrichLogWithout Timing = "log_without"   // not ready after ENRICHMENT_WAIT: log now, add a note later
	EnrichLogNever   Timing = "log_no_enrich" // nothing to wait for (disabled, not expected, add-on off, too old)
)

// CallEnrichment is what the timing decision knows of one finished call.
type CallEnrichment struct {
	Call     Call
	AddonOff bool       // the account's transcript/AI add-on is off (a recent 403)
	Ended    time.Time  // when the call ended
	Got      Enrichment // what the last look found
}

// EnrichmentTiming decides when a not-yet-logged call is logged (table
// in docs/rules.md#transcripts-and-ai-insights).
func EnrichmentTiming(p EnrichmentPolicy, c CallEnrichment, now time.Time) Timing {
	if !p.Enabled() || c.AddonOff || !ExpectsEnrichment(c.Call) {
		return EnrichLogNever
	}
	age := now.Sub(c.Ended)
	if p.Ready(c.Got) {
		return EnrichLogWith
	}
	if age >= p.MaxAge {
		return EnrichLogNever
	}
	if age < p.Wait {
		return EnrichWait
	}
	return EnrichLogWithout
}

// LateEnrichmentExpired reports whether a call logged without enrichment
// has reached its give-up point: ENRICHMENT_MAX_AGE after it ended (the same
// clock EnrichmentTiming counts on). A caller that does not know when the call
// ended passes its start, which gives up slightly early rather than late.
func LateEnrichmentExpired(p EnrichmentPolicy, ended, now time.Time) bool {
	return now.Sub(ended) >= p.MaxAge
}

// MaxLateLookInterval bounds the gap between two looks at a call whose
// transcript/AI is late (see LateLookDue).
const MaxLateLookInterval = time.Hour

// LateLookEveryPass is how long after its end a late call is looked at on
// every pass, before LateLookDue starts backing off.
const LateLookEveryPass = time.Hour

// LateLookDue reports whether a pass should look again (spend Aircall
// requests) for the late transcript/AI of a call that ended at ended and was
// last looked at lastLook (zero: never). In the call's first hour every pass
// looks (insights usually come minutes after the call); after it, at most
// one look every age/6, capped at MaxLateLookInterval. Aircall's budget is
// small (50/min, company-wide) and a call whose insights never come (no
// recording, generation failed) would otherwise cost a request every pass
// for the whole ENRICHMENT_MAX_AGE: 288 at a 5-minute schedule and the
// default 24h, about 40 with the back-off. A note that comes after hours is
// added at most age/6 late. The give-up point always gets its last look.
func LateLookDue(p EnrichmentPolicy, ended, lastLook, now time.Time) bool {
	age := now.Sub(ended)
	if lastLook.IsZero() || age < LateLookEveryPass || LateEnrichmentExpired(p, ended, now) {
		return true
	}
	gap := min(age/6, MaxLateLookInterval)
	return now.Sub(lastLook) >= gap
}

// LateNoteDue reports whether the note of a call logged without its
// transcript/AI is written now, with e as just fetched (the late note is
// added when the insights appear, until ENRICHMENT_MAX_AGE:
// docs/rules.md#late-insights). Before the give-up
// point it waits for everything the policy asks for, so that a summary
// generated minutes after the transcript lands in the same note; at the
// give-up point (expired) it writes whatever is there, so that a transcript
// whose summary never comes is still logged instead of dropped.
func (p EnrichmentPolicy) LateNoteDue(e Enrichment, expired bool) bool {
	if p.Ready(e) {
		return true
	}
	return expired && !p.Filter(e).Empty()
}

// MaxTranscriptBytes bounds the transcript rendered into a note, keeping the
// request well under Help Scout's body limits for very long calls.
const MaxTranscriptBytes = 100_000

// RenderEnrichmentNote is the HTML of the note that carries a call's AI
// insights and transcript. Every value is escaped.
func RenderEnrichmentNote(callID int64, e Enrichment) string {
	var b strings.Builder
	b.WriteString("<p><strong>Aircall call insights</strong></p>\n")
	if s := strings.TrimSpace(e.Summary); s != "" {
		fmt.Fprintf(&b, "<p><strong>Summary</strong><br>%s</p>\n", nl2br(esc(s)))
	}
	list := func(title string, items []string) {
		if len(items) == 0 {
			return
		}
		fmt.Fprintf(&b, "<p><strong>%s</strong></p>\n<ul>\n", title)
		for _, it := range items {
			fmt.Fprintf(&b, "<li>%s</li>\n", esc(it))
		}
		b.WriteString("</ul>\n")
	}
	list("Key topics", e.Topics)
	list("Action items", e.ActionItems)
	if len(e.Sentiments) > 0 {
		items := make([]string, len(e.Sentiments))
		for i, s := range e.Sentiments {
			items[i] = s.Who + ": " + strings.ToLower(s.Value)
		}
		list("Sentiment", items)
	}
	if len(e.Transcript) > 0 {
		b.WriteString("<p><strong>Transcript</strong></p>\n<p>")
		start := b.Len()
		for i, u := range e.Transcript {
			line := fmt.Sprintf("[%s] <strong>%s</strong>: %s", clock(u.Start), esc(u.Speaker), esc(u.Text))
			if b.Len()-start+len(line) > MaxTranscriptBytes {
				fmt.Fprintf(&b, "<em>(transcript truncated: %d more lines in Aircall)</em>", len(e.Transcript)-i)
				break
			}
			if i > 0 {
				b.WriteString("<br>\n")
			}
			b.WriteString(line)
		}
		b.WriteString("</p>\n")
	}
	fmt.Fprintf(&b, "<p><a href=\"%s\">Open call %d in Aircall</a></p>\n", DashboardLink(callID), callID)
	fmt.Fprintf(&b, "<p><small>%s</small></p>", InsightsMarker(callID))
	return b.String()
}

func clock(sec float64) string {
	s := int(sec)
	return fmt.Sprintf("%02d:%02d", s/60, s%60)
}

func nl2br(s string) string { return strings.ReplaceAll(s, "\n", "<br>\n") }
