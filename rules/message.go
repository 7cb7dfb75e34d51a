package rules

import (
	"fmt"
	"strings"
	"time"
)

// Channel is a message channel as we group them: one conversation per
// customer, channel and day (docs/rules.md#sms-and-whatsapp-messages).
type Channel string

// Message channels.
const (
	ChannelSMS      Channel = "sms"
	ChannelWhatsApp Channel = "whatsapp"
)

// ChannelOf maps Aircall's message channel ("whatsapp" or null) to ours.
func ChannelOf(aircallChannel string) Channel {
	if strings.EqualFold(strings.TrimSpace(aircallChannel), "whatsapp") {
		return ChannelWhatsApp
	}
	return ChannelSMS
}

// ChannelName is the channel for people.
func ChannelName(channel Channel) string {
	if channel == ChannelWhatsApp {
		return "WhatsApp"
	}
	return "SMS"
}

// Message is what the rules need of an SMS/WhatsApp message.
type Message struct {
	ID           string
	Direction    string // inbound | outbound
	Channel      Channel
	Body         string
	CreatedAt    time.Time
	ExternalRaw  string
	ExternalE164 string
	LineName     string
	LineDigits   string
	Location     *time.Location
	AgentName    string
	Media        []Media
}

// Media is one attachment link of a message.
type Media struct {
	Name string
	URL  string
}

// MessageDay is the grouping day of a message: its created_at in the line's
// time zone, as YYYY-MM-DD.
func MessageDay(created time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	return created.In(loc).Format("2006-01-02")
}

// MessageSubject is the subject of the conversation that groups one
// customer's messages of one channel and day.
func MessageSubject(channel Channel, external, day string) string {
	return fmt.Sprintf("%s with %s on %s", ChannelName(channel), external, day)
}

// External is the message's external party for people.
func (m Message) External() string {
	if m.ExternalE164 != "" {
		return FormatPhone(m.ExternalE164)
	}
	if s := strings.TrimSpace(m.ExternalRaw); s != "" {
		return s
	}
	return "unknown number"
}

// RenderMessageThread is the HTML of one message's thread. The body is
// escaped and its line breaks kept; media are listed as links.
func RenderMessageThread(m Message) string {
	var b strings.Builder
	head := ChannelName(m.Channel) + " from " + m.External()
	if m.Direction == "outbound" {
		head = ChannelName(m.Channel) + " to " + m.External()
		if m.AgentName != "" {
			head += " by " + m.AgentName
		}
	}
	fmt.Fprintf(&b, "<p><em>%s · %s</em></p>\n", esc(head), esc(LocalTime(m.CreatedAt, m.Location)))
	if body := strings.TrimSpace(m.Body); body != "" {
		fmt.Fprintf(&b, "<p>%s</p>\n", nl2br(esc(body)))
	}
	if len(m.Media) > 0 {
		b.WriteString("<ul>\n")
		for i, md := range m.Media {
			name := md.Name
			if name == "" {
				name = fmt.Sprintf("attachment %d", i+1)
			}
			if u := safeURL(md.URL); u != "" {
				fmt.Fprintf(&b, "<li><a href=\"%s\">%s</a></li>\n", u, esc(name))
			} else {
				fmt.Fprintf(&b, "<li>%s</li>\n", esc(name))
			}
		}
		b.WriteString("</ul>\n")
	}
	fmt.Fprintf(&b, "<p><small>%s</small></p>", MessageMarker(m.ID))
	return b.String()
}
