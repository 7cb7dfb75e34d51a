package reconciler

import (
	"time"

	"github.com/aircall-helpscout/aircall-helpscout/clients/aircall"
	"github.com/aircall-helpscout/aircall-helpscout/clients/helpscout"
	"github.com/aircall-helpscout/aircall-helpscout/rules"
)

// rulesCall builds the rules' view of an Aircall call.
func (r *Reconciler) rulesCall(in Instance, c aircall.Call) rules.Call {
	rc := rules.Call{
		ID: c.ID, Direction: c.Direction, Status: c.Status,
		StartedAt: c.Started(), Duration: time.Duration(c.Duration) * time.Second,
		RawDigits: c.RawDigits, MissedReason: c.MissedCallReason,
		Voicemail: c.Voicemail != "", Asset: c.Asset,
	}
	if c.AnsweredAt != nil && *c.AnsweredAt > 0 {
		rc.AnsweredAt = time.Unix(*c.AnsweredAt, 0).UTC()
	}
	rc.EndedAt = callEnded(c)
	if e, ok := rules.NormalizePhone(c.RawDigits, in.region(c.Number)); ok {
		rc.ExternalE164 = e
	}
	if c.Number != nil {
		rc.LineName, rc.LineDigits = c.Number.Name, c.Number.Digits
		rc.Location = r.location(c.Number.TimeZone)
	}
	if c.User != nil {
		rc.AgentName, rc.AgentEmail = c.User.Name, c.User.Email
	}
	for _, t := range c.Tags {
		rc.Tags = append(rc.Tags, t.Name)
	}
	for _, cm := range c.Comments {
		author := ""
		if cm.PostedBy != nil {
			author = cm.PostedBy.Name
		}
		rc.Comments = append(rc.Comments, rules.Comment{Author: author, Content: cm.Content, At: time.Unix(cm.PostedAt, 0).UTC()})
	}
	return rc
}

// callEnded is when the call ended: ended_at, else started_at + duration.
func callEnded(c aircall.Call) time.Time {
	if c.EndedAt != nil && *c.EndedAt > 0 {
		return time.Unix(*c.EndedAt, 0).UTC()
	}
	return c.Started().Add(time.Duration(c.Duration) * time.Second)
}

func rulesCustomers(cs []helpscout.Customer) []rules.Customer {
	out := make([]rules.Customer, len(cs))
	for i, c := range cs {
		out[i] = rules.Customer{ID: c.ID, CreatedAt: c.CreatedAt}
		for _, ph := range c.Phones {
			out[i].Phones = append(out[i].Phones, ph.Value)
		}
	}
	return out
}

func rulesConversations(cs []helpscout.Conversation) []rules.Conversation {
	out := make([]rules.Conversation, len(cs))
	for i, c := range cs {
		rc := rules.Conversation{ID: c.ID, MailboxID: c.MailboxID, Status: c.Status, Tags: c.Tags,
			ClosedAt: c.ClosedAt, UpdatedAt: c.UserUpdatedAt, Threads: c.ThreadCount}
		if rc.UpdatedAt.IsZero() {
			rc.UpdatedAt = c.CreatedAt
		}
		if c.PrimaryCustomer != nil {
			rc.CustomerID = c.PrimaryCustomer.ID
		}
		out[i] = rc
	}
	return out
}

// hsTime is a time Help Scout accepts (whole seconds, UTC).
func hsTime(t time.Time) time.Time { return t.UTC().Truncate(time.Second) }
