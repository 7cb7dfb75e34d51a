package reconciler

import "context"

// messages logs the SMS/WhatsApp messages stored by the webhook receiver
// since the instance's message cursor (SPEC §8).
func (p *pass) messages(ctx context.Context, in Instance, rt Routing) error {
	return nil
}
