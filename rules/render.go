package rules

import (
	"fmt"
	"html"
	"net/url"
	"strings"
	"time"
)

// Call is what the rules need to know of an Aircall call to decide on it and
// render it. The reconciler builds it from the API object.
type Call struct {
	ID           int64
	Direction    string // inbound | outbound
	Status       string // initial | answered | done
	StartedAt    time.Time
	AnsweredAt   time.Time // zero: never answered
	EndedAt      time.Time
	Duration     time.Duration
	RawDigits    string // the external party as Aircall wrote it
	ExternalE164 string // "" when anonymous or unparseable
	MissedReason string
	Voicemail    bool   // a voicemail was left
	Asset        string // Aircall's secured page for the recording/voicemail
	LineName     string
	LineDigits   string
	Location     *time.Location // the line's time zone (nil = UTC)
	AgentName    string
	AgentEmail   string
	Tags         []string
	Comments     []Comment
}

// Comment is an agent's note on a call in Aircall.
type Comment struct {
	Author  string
	Content string
	At      time.Time
}

// CallOutcome is how a finished call ended, as shown to agents.
type CallOutcome string

// Call outcomes as shown to agents.
const (
	OutcomeAnswered  CallOutcome = "answered"
	OutcomeMissed    CallOutcome = "missed"
	OutcomeVoicemail CallOutcome = "voicemail"
)

// Outcome classifies a finished call: a voicemail wins over "missed", an
// answered call is answered whatever else happened.
func (c Call) Outcome() CallOutcome {
	switch {
	case !c.AnsweredAt.IsZero():
		return OutcomeAnswered
	case c.Voicemail:
		return OutcomeVoicemail
	}
	return OutcomeMissed
}

// External is the external party for people: formatted E.164 when known,
// else what Aircall wrote ("anonymous"), else "unknown number".
func (c Call) External() string {
	if c.ExternalE164 != "" {
		return FormatPhone(c.ExternalE164)
	}
	if s := strings.TrimSpace(c.RawDigits); s != "" {
		return s
	}
	return "unknown number"
}

// DashboardLink is the call's page in the Aircall dashboard. It carries the
// call ID and, unlike the recording URLs, never expires. (URL shape inferred
// from the dashboard; the asset link is shown too when Aircall gives one.)
func DashboardLink(callID int64) string {
	return fmt.Sprintf("https://dashboard.aircall.io/calls/%d", callID)
}

// CallMarker is the token every phone thread carries so that a pass that died
// between a write and its record can find out whether the write landed.
func CallMarker(callID int64) string { return fmt.Sprintf("[aircall:call:%d]", callID) }

// InsightsMarker marks the transcript/AI note of a call.
func InsightsMarker(callID int64) string { return fmt.Sprintf("[aircall:call:%d:insights]", callID) }

// MessageMarker marks the thread of one SMS/WhatsApp message.
func MessageMarker(messageID string) string {
	return "[aircall:message:" + html.EscapeString(messageID) + "]"
}

// HasMarker reports whether a thread body carries marker. Bodies come back
// from Help Scout as HTML, where the marker is plain text.
func HasMarker(body, marker string) bool { return strings.Contains(body, marker) }

// CallSubject is the subject of a new conversation for the call, e.g.
// "Missed call from +34 612 34 56 78".
func CallSubject(c Call) string {
	ext := c.External()
	if c.Direction == "outbound" {
		if c.Outcome() == OutcomeAnswered {
			return "Outbound call to " + ext
		}
		return "Unanswered call to " + ext
	}
	switch c.Outcome() {
	case OutcomeVoicemail:
		return "Voicemail from " + ext
	case OutcomeMissed:
		return "Missed call from " + ext
	}
	return "Call from " + ext
}

var missedReasons = map[string]string{
	"out_of_opening_hours":  "out of opening hours",
	"short_abandoned":       "caller hung up quickly",
	"abandoned_in_ivr":      "caller hung up in the IVR",
	"abandoned_in_classic":  "caller hung up while ringing",
	"no_available_agent":    "no available agent",
	"agents_did_not_answer": "agents did not answer",
}

// MissedReasonText turns Aircall's missed_call_reason into words.
func MissedReasonText(reason string) string {
	if t, ok := missedReasons[reason]; ok {
		return t
	}
	return strings.ReplaceAll(reason, "_", " ")
}

// FormatDuration renders a call duration as "1h 02m 03s", "2m 05s" or "9s".
func FormatDuration(d time.Duration) string {
	d = d.Round(time.Second)
	h, m, s := int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60
	switch {
	case h > 0:
		return fmt.Sprintf("%dh %02dm %02ds", h, m, s)
	case m > 0:
		return fmt.Sprintf("%dm %02ds", m, s)
	}
	return fmt.Sprintf("%ds", s)
}

// LocalTime renders t in loc (the line's time zone) with the zone name, so
// an agent reading the thread sees the time the caller saw.
func LocalTime(t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format("Mon 2 Jan 2006 15:04 MST") + " (" + loc.String() + ")"
}

// esc escapes caller- and agent-provided text for Help Scout HTML.
func esc(s string) string { return html.EscapeString(s) }

// safeURL returns u escaped for an href when it is an absolute http(s) URL,
// and "" otherwise, so that no javascript: or data: link reaches an agent.
func safeURL(u string) string {
	p, err := url.Parse(strings.TrimSpace(u))
	if err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" {
		return ""
	}
	return html.EscapeString(p.String())
}

// RenderCallThread is the HTML of the phone thread of a call
// (docs/rules.md#what-is-written-in-the-phone-thread). Every value that came
// from Aircall is escaped.
func RenderCallThread(c Call) string {
	var b strings.Builder
	dir := "Inbound call"
	party := "Caller"
	if c.Direction == "outbound" {
		dir, party = "Outbound call", "Called"
	}
	outcome := "Answered"
	switch c.Outcome() {
	case OutcomeVoicemail:
		outcome = "Voicemail left"
		if c.MissedReason != "" {
			outcome += " (" + MissedReasonText(c.MissedReason) + ")"
		}
	case OutcomeMissed:
		outcome = "Missed"
		if c.Direction == "outbound" {
			outcome = "Not answered"
		}
		if c.MissedReason != "" {
			outcome += " (" + MissedReasonText(c.MissedReason) + ")"
		}
	}
	fmt.Fprintf(&b, "<p><strong>%s</strong> · %s</p>\n<ul>\n", dir, esc(outcome))
	line := c.LineName
	if c.LineDigits != "" {
		if line != "" {
			line += " (" + c.LineDigits + ")"
		} else {
			line = c.LineDigits
		}
	}
	if line != "" {
		fmt.Fprintf(&b, "<li>Aircall line: %s</li>\n", esc(line))
	}
	fmt.Fprintf(&b, "<li>%s: %s</li>\n", party, esc(c.External()))
	agent := c.AgentName
	if agent == "" {
		agent = c.AgentEmail
	}
	if agent == "" {
		agent = "none"
	}
	fmt.Fprintf(&b, "<li>Agent: %s</li>\n", esc(agent))
	fmt.Fprintf(&b, "<li>Started: %s</li>\n", esc(LocalTime(c.StartedAt, c.Location)))
	fmt.Fprintf(&b, "<li>Duration: %s</li>\n", FormatDuration(c.Duration))
	if len(c.Tags) > 0 {
		tags := make([]string, len(c.Tags))
		for i, t := range c.Tags {
			tags[i] = esc(t)
		}
		fmt.Fprintf(&b, "<li>Tags: %s</li>\n", strings.Join(tags, ", "))
	}
	b.WriteString("</ul>\n")
	if len(c.Comments) > 0 {
		b.WriteString("<p>Comments:</p>\n<ul>\n")
		for _, cm := range c.Comments {
			who := cm.Author
			if who == "" {
				who = "API"
			}
			fmt.Fprintf(&b, "<li><em>%s</em>: %s</li>\n", esc(who), esc(cm.Content))
		}
		b.WriteString("</ul>\n")
	}
	b.WriteString("<p>")
	if a := safeURL(c.Asset); a != "" {
		label := "Recording"
		if c.Outcome() == OutcomeVoicemail {
			label = "Voicemail"
		}
		fmt.Fprintf(&b, "<a href=\"%s\">%s</a> · ", a, label)
	}
	fmt.Fprintf(&b, "<a href=\"%s\">Open call %d in Aircall</a></p>\n", DashboardLink(c.ID), c.ID)
	fmt.Fprintf(&b, "<p><small>%s</small></p>", CallMarker(c.ID))
	return b.String()
}

// CallSubjectHTMLSafe is CallSubject escaped, for places that render the
// subject as HTML. Help Scout treats subjects as plain text, so the API gets
// CallSubject itself.
func CallSubjectHTMLSafe(c Call) string { return esc(CallSubject(c)) }
