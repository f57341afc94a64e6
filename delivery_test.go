package kindred_test

import (
	"strings"
	"testing"

	"github.com/kindred-desk/kindred"
)

func TestSMSSegmentsCountLikeAGateway(t *testing.T) {
	tests := []struct {
		name       string
		body       string
		segments   int
		perSegment int
	}{
		{"empty", "", 1, 160},
		{"one full part", strings.Repeat("a", 160), 1, 160},
		{"one over splits in two", strings.Repeat("a", 161), 2, 153},
		{"three parts", strings.Repeat("a", 307), 3, 153},
		{"GSM extension characters count twice", strings.Repeat("€", 80), 1, 160},
		{"and push past one part", strings.Repeat("€", 81), 2, 153},
		{"GSM accents stay in GSM", "Asante sana, é à ü ñ", 1, 160},
		{"a curly quote makes it UCS-2", "It’s posted " + strings.Repeat("a", 60), 2, 67},
		{"UCS-2 holds 70 in one", strings.Repeat("’", 70), 1, 70},
		{"an emoji takes two units", strings.Repeat("🙂", 35), 1, 70},
		{"and 36 of them take two parts", strings.Repeat("🙂", 36), 2, 67},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, per := kindred.SMSSegments(tt.body)
			if n != tt.segments || per != tt.perSegment {
				t.Fatalf("SMSSegments: %d parts of %d, want %d of %d", n, per, tt.segments, tt.perSegment)
			}
		})
	}
}

func TestRouteReplyFollowsTheChannelAndTheCustomer(t *testing.T) {
	phone := &kindred.Customer{Name: "Joseph Otieno", PreferredName: "Baba Otieno", Phone: "+254722000111"}
	lowVision := &kindred.Customer{Name: "Amina", Phone: "+254722000222", Accommodations: []kindred.Accommodation{kindred.LowVision}}
	tests := []struct {
		name    string
		channel kindred.Channel
		c       *kindred.Customer
		force   bool
		want    kindred.Route
	}{
		{"text by text", kindred.ChannelSMS, phone, false, kindred.Route{Channel: kindred.ChannelSMS, To: "+254722000111"}},
		{"no email on file", kindred.ChannelEmail, phone, false, kindred.Route{Reason: "not sent: Baba Otieno has no email address on file", Failed: true}},
		{"low vision is offered a call", kindred.ChannelSMS, lowVision, false, kindred.Route{Reason: `not sent by text: Amina has "low vision" on file, so call them instead`}},
		{"unless the agent insists", kindred.ChannelSMS, lowVision, true, kindred.Route{Channel: kindred.ChannelSMS, To: "+254722000222"}},
		{"a desk reply is recorded", kindred.ChannelDesk, phone, false, kindred.Route{Reason: "recorded only: a desk conversation is not sent anywhere"}},
		{"so is a USSD one", kindred.ChannelUSSD, phone, true, kindred.Route{Reason: "recorded only: a ussd conversation is not sent anywhere"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := kindred.RouteReply(&kindred.Conversation{Channel: tt.channel}, tt.c, tt.force); got != tt.want {
				t.Fatalf("RouteReply: %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestRouteReplyOnWhatsAppKeepsTheWindow(t *testing.T) {
	phone := &kindred.Customer{Name: "Achieng Otieno", Phone: "+254722000111"}
	tests := []struct {
		name string
		open bool
		c    *kindred.Customer
		want kindred.Route
	}{
		{"within 24 hours", true, phone, kindred.Route{Channel: kindred.ChannelWhatsApp, To: "+254722000111"}},
		{"after 24 hours only a template", false, phone, kindred.Route{Reason: "not sent: Achieng Otieno has not written on WhatsApp in the last 24 hours, and WhatsApp then takes only an approved template, not a free reply; reach them another way", Failed: true}},
		{"no phone", true, &kindred.Customer{Name: "Baraka"}, kindred.Route{Reason: "not sent: Baraka has no phone number on file", Failed: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conv := &kindred.Conversation{Channel: kindred.ChannelWhatsApp, WhatsAppWindowOpen: tt.open}
			if got := kindred.RouteReply(conv, tt.c, false); got != tt.want {
				t.Fatalf("RouteReply: %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestRouteReplyOnTheWebChatFollowsTheVisitor(t *testing.T) {
	both := &kindred.Customer{Name: "Wanjiku", Phone: "+254722000111", Email: "wanjiku@example.org"}
	readAloud := &kindred.Customer{Name: "Mzee Kamau", Phone: "+254722000333", Accommodations: []kindred.Accommodation{kindred.ReadAloud}}
	tests := []struct {
		name string
		chat *kindred.ChatPresence
		c    *kindred.Customer
		want kindred.Route
	}{
		{"nobody chats in it", nil, both, kindred.Route{Reason: "recorded only: nobody is in this chat through the web chat widget"}},
		{"in the chat: to the widget", &kindred.ChatPresence{Online: true, ReplyBy: kindred.ChannelSMS}, both, kindred.Route{Channel: kindred.ChannelChat}},
		{"gone, left a phone: by SMS", &kindred.ChatPresence{ReplyBy: kindred.ChannelSMS}, both, kindred.Route{Channel: kindred.ChannelSMS, To: "+254722000111"}},
		{"gone, left an email: by email", &kindred.ChatPresence{ReplyBy: kindred.ChannelEmail}, both, kindred.Route{Channel: kindred.ChannelEmail, To: "wanjiku@example.org"}},
		{"gone, left a phone but reading is hard", &kindred.ChatPresence{ReplyBy: kindred.ChannelSMS}, readAloud,
			kindred.Route{Reason: `not sent by text: Mzee Kamau has "read aloud" on file, so call them instead`}},
		{"gone, left nothing: it waits", &kindred.ChatPresence{}, both, kindred.Route{Channel: kindred.ChannelChat,
			Reason: "waiting: Wanjiku is not in the chat now and left no phone or email; they see the reply when they open the chat again"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conv := &kindred.Conversation{Channel: kindred.ChannelChat, Chat: tt.chat}
			if got := kindred.RouteReply(conv, tt.c, false); got != tt.want {
				t.Fatalf("RouteReply: %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestFirstNameIsTheFirstWord(t *testing.T) {
	for in, want := range map[string]string{"Amina Wanjiru": "Amina", "  Grace ": "Grace", "": "", "Baba Otieno Junior": "Baba"} {
		if got := kindred.FirstName(in); got != want {
			t.Errorf("FirstName(%q) = %q, want %q", in, got, want)
		}
	}
}
