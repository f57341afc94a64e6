package kindred

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// DeliveryStatus is where an agent's reply stands on its way to the customer.
type DeliveryStatus string

// Delivery statuses. A reply on a channel kindred sends by (SMS, email) is
// queued in the outbox with the message, then sent to the gateway or relay,
// and delivered when the gateway reports that it reached the phone; failed
// carries the reason. A reply on a channel kindred does not send by (the
// desk, a phone call), or one an accommodation kept from a text message, is
// recorded only: it says what was said to the person.
const (
	DeliveryQueued    DeliveryStatus = "queued"
	DeliverySent      DeliveryStatus = "sent"
	DeliveryDelivered DeliveryStatus = "delivered"
	DeliveryFailed    DeliveryStatus = "failed"
	DeliveryRecorded  DeliveryStatus = "recorded"
)

// Final reports whether nothing more will happen to a reply in status s
// unless a person retries it.
func (s DeliveryStatus) Final() bool {
	return s == DeliveryDelivered || s == DeliveryFailed || s == DeliveryRecorded
}

// ReopenWindow is how long after a conversation is resolved the customer's
// answer on its channel reopens it instead of opening a new one: "thank you,
// it came" or "it still has not come" belongs to the matter just closed.
const ReopenWindow = 14 * 24 * time.Hour

// WhatsAppWindow is how long after a customer's last WhatsApp message a
// business may answer them in free text (WhatsApp's customer service
// window); after it, WhatsApp accepts only approved templates.
const WhatsAppWindow = 24 * time.Hour

// Route is how a reply reaches the customer: by Channel to To, or, when
// Channel is empty, not at all, for the plain Reason given.
type Route struct {
	Channel Channel // ChannelSMS, ChannelEmail, ChannelWhatsApp or ChannelChat; "" when the reply is recorded only
	To      string  // E.164 phone or email address; "" for the web chat
	// Reason says why a reply is not sent, in words for the agent ("Mr
	// Otieno has read aloud on file: call them instead"). Empty when it is,
	// except on the web chat, where it says why the reply waits.
	Reason string
	// Failed is set when the reply should go but cannot (no phone number on
	// file): it is then stored as failed, not recorded.
	Failed bool
}

// Sends reports whether the route sends the reply anywhere.
func (r Route) Sends() bool { return r.Channel != "" }

// The reasons RouteReply gives for a reply it does not send now, as
// fmt formats. They are stored with the message in English (logs and the
// API read them); the console matches them to say them in its language.
const (
	ReasonNoPhone        = "not sent: %s has no phone number on file"
	ReasonNoEmail        = "not sent: %s has no email address on file"
	ReasonCallInstead    = "not sent by text: %s has %q on file, so call them instead"
	ReasonNobodyInChat   = "recorded only: nobody is in this chat through the web chat widget"
	ReasonChatWaits      = "waiting: %s is not in the chat now and left no phone or email; they see the reply when they open the chat again"
	ReasonWhatsAppWindow = "not sent: %s has not written on WhatsApp in the last 24 hours, and WhatsApp then takes only an approved template, not a free reply; reach them another way"
	ReasonRecordedOnly   = "recorded only: a %s conversation is not sent anywhere"
)

// RouteReply decides how a reply on conv reaches customer c. A reply leaves
// by the conversation's own channel: a text conversation is answered by
// text, an email by email. A desk, phone or USSD conversation is recorded
// only. A web chat reply shows in the visitor's widget while they are in
// the chat; after they leave it goes by the SMS or email they left, or
// waits for them to come back. A customer who has told us that reading is
// hard for them (read aloud, low vision) is not sent a text unless the
// agent insists (force): the console offers a call instead.
func RouteReply(conv *Conversation, c *Customer, force bool) Route {
	name := c.AddressAs()
	switch conv.Channel {
	case ChannelSMS:
		if c.Phone == "" {
			return Route{Reason: fmt.Sprintf(ReasonNoPhone, name), Failed: true}
		}
		if !force {
			for _, a := range []Accommodation{ReadAloud, LowVision} {
				if c.HasAccommodation(a) {
					return Route{Reason: fmt.Sprintf(ReasonCallInstead, name, strings.ReplaceAll(string(a), "_", " "))}
				}
			}
		}
		return Route{Channel: ChannelSMS, To: c.Phone}
	case ChannelEmail:
		if c.Email == "" {
			return Route{Reason: fmt.Sprintf(ReasonNoEmail, name), Failed: true}
		}
		return Route{Channel: ChannelEmail, To: c.Email}
	case ChannelChat:
		switch {
		case conv.Chat == nil:
			// Made by hand or through the API: nobody chats in it.
			return Route{Reason: ReasonNobodyInChat}
		case conv.Chat.Online:
			return Route{Channel: ChannelChat}
		case conv.Chat.ReplyBy == ChannelSMS || conv.Chat.ReplyBy == ChannelEmail:
			// They left the chat, and asked to be answered this way.
			return RouteReply(&Conversation{Channel: conv.Chat.ReplyBy}, c, force)
		}
		return Route{Channel: ChannelChat, Reason: fmt.Sprintf(ReasonChatWaits, name)}
	case ChannelWhatsApp:
		if c.Phone == "" {
			return Route{Reason: fmt.Sprintf(ReasonNoPhone, name), Failed: true}
		}
		if !conv.WhatsAppWindowOpen {
			return Route{Reason: fmt.Sprintf(ReasonWhatsAppWindow, name), Failed: true}
		}
		return Route{Channel: ChannelWhatsApp, To: c.Phone}
	default:
		return Route{Reason: fmt.Sprintf(ReasonRecordedOnly, conv.Channel)}
	}
}

// CallRecord is the body of a phone call logged in a conversation: what was
// talked about, then what the agent promised to do next, if anything.
func CallRecord(summary, nextStep string) string {
	summary, nextStep = strings.TrimSpace(summary), strings.TrimSpace(nextStep)
	if nextStep == "" {
		return summary
	}
	return summary + "\n\nNext step: " + nextStep
}

// SMSSegments counts the parts an SMS of body is sent in, and the
// characters one part holds. A text that GSM 03.38's alphabet can write
// takes 160 characters in one part and 153 in each of several; any other
// character (an emoji, a curly quote) makes it UCS-2: 70, then 67. Gateways
// charge per part, and old handsets may show parts out of order.
func SMSSegments(body string) (segments, perSegment int) {
	units, gsm := 0, true
	for _, r := range body {
		switch {
		case gsmBasic(r):
			units++
		case gsmExtended(r):
			units += 2
		default:
			gsm = false
		}
	}
	if !gsm {
		// UCS-2 counts UTF-16 code units: an emoji takes two.
		units = 0
		for _, r := range body {
			units += utf16Len(r)
		}
		if units <= 70 {
			return 1, 70
		}
		return (units + 66) / 67, 67
	}
	if units <= 160 {
		return 1, 160
	}
	return (units + 152) / 153, 153
}

func utf16Len(r rune) int {
	if r >= 0x10000 && r <= utf8.MaxRune {
		return 2
	}
	return 1
}

// gsmBasicSet is the GSM 03.38 basic character set outside ASCII letters and digits.
const gsmBasicSet = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./:;<=>?¡ÄÖÑÜ§¿äöñüà"

func gsmBasic(r rune) bool {
	if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
		return true
	}
	for _, g := range gsmBasicSet {
		if r == g {
			return true
		}
	}
	return false
}

// gsmExtended reports the characters GSM 03.38 writes with an escape, two units each.
func gsmExtended(r rune) bool {
	switch r {
	case '^', '{', '}', '\\', '[', '~', ']', '|', '€', '\f':
		return true
	}
	return false
}
