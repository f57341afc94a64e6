package web

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/kindred-desk/kindred"
)

// smsLength is what the coach says of an SMS draft's length: a text of
// more than one part still goes, but costs more and may arrive in pieces on
// an old handset, so the agent is told, never stopped.
type smsLength struct {
	Chars, Segments, PerSegment int
}

// Long reports whether the draft takes more than one text message.
func (s *smsLength) Long() bool { return s != nil && s.Segments > 1 }

// smsLengthOf measures draft for route; nil when the reply is not a text.
func smsLengthOf(route kindred.Route, draft string) *smsLength {
	if route.Channel != kindred.ChannelSMS || draft == "" {
		return nil
	}
	n, per := kindred.SMSSegments(draft)
	return &smsLength{Chars: len([]rune(draft)), Segments: n, PerSegment: per}
}

// SendLabel is what the send button says: where the reply goes.
func (p *conversationPage) SendLabel() string {
	switch p.Route.Channel {
	case kindred.ChannelSMS:
		return p.T("Send reply by SMS to %s", p.Route.To)
	case kindred.ChannelEmail:
		return p.T("Send reply by email to %s", p.Route.To)
	case kindred.ChannelWhatsApp:
		return p.T("Send reply by WhatsApp to %s", p.Route.To)
	case kindred.ChannelChat:
		if p.Conv.Chat != nil && p.Conv.Chat.Online {
			return p.T("Send reply to the web chat")
		}
		return p.T("Send reply to the web chat (it waits for them)")
	}
	return p.T("Record reply (not sent)")
}

// SendNextLabel is what the send-and-next button says: it sends, or only
// records, as the send button does.
func (p *conversationPage) SendNextLabel() string {
	switch p.Route.Channel {
	case kindred.ChannelSMS, kindred.ChannelEmail, kindred.ChannelWhatsApp, kindred.ChannelChat:
		return p.T("Send, then open the next person waiting")
	}
	return p.T("Record, then open the next person waiting")
}

// SendHint says, under the reply box, what happens to a reply that is not
// sent anywhere, and why.
func (p *conversationPage) SendHint() string {
	if p.Conv.Channel == kindred.ChannelChat && p.Conv.Chat != nil {
		switch {
		case p.Conv.Chat.Online:
			return p.T("%s is in the web chat now: your reply shows there at once.", p.Customer.AddressAs())
		case p.Route.Channel == kindred.ChannelChat:
			return p.T("%s has left the web chat and left no phone or email: your reply waits in the chat until they open it again.", p.Customer.AddressAs())
		case p.Route.Sends():
			return p.T("%s has left the web chat, and asked to be answered this way.", p.Customer.AddressAs())
		}
	}
	if p.Route.Sends() {
		return ""
	}
	switch p.Conv.Channel {
	case kindred.ChannelSMS:
		if p.Customer.Phone == "" {
			return p.T("%s has no phone number on file: this reply will be recorded, not sent.", p.Customer.AddressAs())
		}
	case kindred.ChannelEmail:
		return p.T("%s has no email address on file: this reply will be recorded, not sent.", p.Customer.AddressAs())
	case kindred.ChannelWhatsApp:
		if p.Customer.Phone == "" {
			return p.T("%s has no phone number on file: this reply will be recorded, not sent.", p.Customer.AddressAs())
		}
		// WhatsApp's customer service window: outside it only an approved
		// template may go, and kindred does not send templates.
		return p.T("%s has not written on WhatsApp in the last 24 hours. WhatsApp then takes only an approved template, not a free reply: this reply will not be sent. Call them, or wait for them to write.", p.Customer.AddressAs())
	}
	return p.T("This is a %s conversation: your reply is recorded here, not sent. Say it to the person, or log a call.", p.Label(p.Conv.Channel))
}

// TextHeld reports whether the reply would be a text but is held back
// because the customer has told us reading is hard for them: the page then
// offers a call, and a box to send the text anyway.
func (p *conversationPage) TextHeld() bool {
	return p.Conv.Channel == kindred.ChannelSMS && p.Customer.Phone != "" && !p.Route.Sends()
}

// deliveryReasons say the reasons kindred.RouteReply stores with a reply it
// did not send in the console's words: the stored text is English, and a
// Kiswahili console said "Umehifadhiwa, haukutumwa: recorded only: …".
// Each format's %s is a name (or, where channel is set, a channel) and its
// %q an accommodation. A reason not among them (a gateway's own error) is
// shown as it came.
var deliveryReasons = func() []deliveryReason {
	rs := []deliveryReason{
		{format: kindred.ReasonNoPhone, say: "Not sent: %s has no phone number on file"},
		{format: kindred.ReasonNoEmail, say: "Not sent: %s has no email address on file"},
		{format: kindred.ReasonCallInstead, say: "Not sent by text: %s has “%s” on file, so call them instead"},
		{format: kindred.ReasonNobodyInChat, say: "Recorded, not sent: nobody is in this chat through the web chat widget"},
		{format: kindred.ReasonChatWaits, say: "Waiting: %s is not in the chat now and left no phone or email; they see the reply when they open the chat again"},
		{format: kindred.ReasonWhatsAppWindow, say: "Not sent: %s has not written on WhatsApp in the last 24 hours, and WhatsApp then takes only an approved template, not a free reply; reach them another way"},
		{format: kindred.ReasonRecordedOnly, say: "Recorded, not sent (%s)", channel: true},
	}
	for i, r := range rs {
		pat := regexp.QuoteMeta(r.format)
		pat = strings.ReplaceAll(pat, "%s", "(.+?)")
		pat = strings.ReplaceAll(pat, "%q", `(".*?")`)
		rs[i].re = regexp.MustCompile("^" + pat + "$")
	}
	return rs
}()

type deliveryReason struct {
	format  string
	say     string // the console's sentence, a key for T
	channel bool   // the format's %s is a channel
	re      *regexp.Regexp
}

// deliveryReason says a stored reason in the page's language; ok is false
// when reason is not one of kindred's.
func (m messageView) deliveryReason(reason string) (string, bool) {
	for _, r := range deliveryReasons {
		sub := r.re.FindStringSubmatch(reason)
		if sub == nil {
			continue
		}
		args := make([]any, 0, len(sub)-1)
		for _, a := range sub[1:] {
			switch {
			case r.channel:
				args = append(args, m.Label(kindred.Channel(a)))
			case strings.HasPrefix(a, `"`):
				a, _ = strconv.Unquote(a)
				acc := kindred.Accommodation(strings.ReplaceAll(a, " ", "_"))
				if _, known := accommodationLabels[acc]; known {
					a = m.Label(acc)
				}
				args = append(args, a)
			default:
				args = append(args, a)
			}
		}
		return m.T(r.say, args...), true
	}
	return "", false
}

// DeliveryText says where one of our replies stands, in words.
func (m messageView) DeliveryText() string {
	// Sent and delivered replies carry no reason: only the others are
	// matched against kindred's, seven regular expressions each.
	if m.M.DeliveryError != "" && m.M.DeliveryStatus != kindred.DeliverySent && m.M.DeliveryStatus != kindred.DeliveryDelivered {
		if s, ok := m.deliveryReason(m.M.DeliveryError); ok {
			return s
		}
	}
	to := m.M.To
	if m.M.Channel == kindred.ChannelChat {
		to = m.T("the web chat")
	}
	switch m.M.DeliveryStatus {
	case kindred.DeliveryQueued:
		if m.M.DeliveryError != "" {
			return m.T("Waiting to send to %s: %s", to, m.M.DeliveryError)
		}
		return m.T("Waiting to send to %s", to)
	case kindred.DeliverySent:
		return m.T("Sent to %s", to)
	case kindred.DeliveryDelivered:
		return m.T("Delivered to %s", to)
	case kindred.DeliveryFailed:
		return m.T("Not delivered: %s", m.M.DeliveryError)
	case kindred.DeliveryRecorded:
		if m.M.DeliveryError != "" {
			return m.T("Recorded, not sent: %s", m.M.DeliveryError)
		}
		return m.T("Recorded, not sent")
	}
	return ""
}
