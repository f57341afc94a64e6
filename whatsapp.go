package kindred

import (
	"context"
	"time"
)

// InboundWhatsApp is a customer's WhatsApp message, as the desk takes it in.
type InboundWhatsApp struct {
	From       string // E.164: WhatsApp's wa_id with a +
	Name       string // the name on their WhatsApp profile, for a customer kindred does not know yet
	ProviderID string // the wamid: a message posted twice is taken in once
	Body       string // the text, with any media listed in words
	At         time.Time
}

// WhatsAppInbox takes customers' WhatsApp messages into their WhatsApp
// conversation.
type WhatsAppInbox interface {
	// InboundWhatsApp stores in as a message in the open WhatsApp
	// conversation of the customer with that phone, making the customer
	// (named from their profile) and the conversation when there is none.
	// analyze, when not nil, is called on the message before it is stored.
	// A wamid taken in before is Conflict, and changes nothing.
	InboundWhatsApp(ctx context.Context, in InboundWhatsApp, analyze func(*Message, *Customer)) (*Message, error)
}
