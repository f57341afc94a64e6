package kindred

import (
	"context"
	"strings"
	"time"
)

// ChatMessageLimit is the most characters one message typed into the web
// chat may have: a chat is a conversation, not a letter, and a visitor who
// pastes a page is asked to send it in parts (or to leave an email).
const ChatMessageLimit = 2000

// ChatOnlineFor is how long a web chat visitor counts as connected after
// their widget last said so; an open widget renews it well before then, so
// a visitor whose browser vanished without closing counts as gone soon after.
const ChatOnlineFor = 90 * time.Second

// ChatPresence is what routing a reply on a web chat conversation needs to
// know about the people chatting in it (see RouteReply).
type ChatPresence struct {
	// Online says a widget of the visitor's is connected now: a reply shows
	// in it at once.
	Online bool `json:"online"`
	// ReplyBy is how the visitor asked to be answered when they are not in
	// the chat: ChannelSMS or ChannelEmail (they left a phone number or an
	// email address), or "" when they left neither.
	ReplyBy Channel `json:"reply_by,omitempty"`
}

// ChatVisitor is a person chatting through the web chat widget, known by
// the random id inside their signed visitor token.
type ChatVisitor struct {
	ID         string
	CustomerID int64
	// ConversationID is the chat conversation their next message joins and
	// their widget shows; 0 when a new one will open.
	ConversationID int64
	Name           string // the customer's name, as the desk knows it
	Phone, Email   string // what they left, or the desk has on file
	ReplyBy        Channel
}

// ChatContact is what a visitor leaves so that the desk can answer later:
// a phone number (E.164) or an email address, and optionally their name.
type ChatContact struct {
	Name  string
	Phone string
	Email string
}

// ChatService keeps web chat visitors, their conversations and the delivery
// of replies to their widgets.
type ChatService interface {
	// ChatVisitor returns what the desk knows of visitor id; NotFound
	// before they first write or leave a contact.
	ChatVisitor(ctx context.Context, id string) (*ChatVisitor, error)
	// InboundChat stores body, from visitor id, in their chat conversation
	// (the open one, one resolved within ReopenWindow, or a new one), making
	// the visitor and their customer record on their first message. The
	// visitor counts as online (ChatOnlineFor). analyze, when not nil, is
	// called on the message before it is stored.
	InboundChat(ctx context.Context, visitorID, body string, analyze func(*Message, *Customer)) (*Message, error)
	// SetChatContact puts what visitor id left on their customer record and
	// answers them by it when they are not in the chat.
	SetChatContact(ctx context.Context, visitorID string, c ChatContact) (*ChatVisitor, error)
	// ChatMessages returns the customer's and the desk's messages (never
	// internal notes) in the visitor's chat conversation after message id
	// after, oldest first, at most limit; with after 0, the latest limit.
	ChatMessages(ctx context.Context, visitorID string, after int64, limit int) ([]Message, error)
	// ChatOnline says that a widget of visitor id is connected until then
	// (a time in the past: none is). Nothing happens for an unknown visitor.
	ChatOnline(ctx context.Context, visitorID string, until time.Time) error
	// ChatDelivered moves the desk's reply messageID in the visitor's chat
	// conversation to status (DeliverySent: pushed to their widget;
	// DeliveryDelivered: their widget acknowledged it), never backwards. It
	// reports whether the status changed.
	ChatDelivered(ctx context.Context, visitorID string, messageID int64, status DeliveryStatus) (bool, error)
}

// FirstName is the first word of an agent's name: what a web chat visitor
// sees beside a reply ("Amina", not "Amina Wanjiru").
func FirstName(name string) string {
	f := strings.Fields(name)
	if len(f) == 0 {
		return ""
	}
	return f[0]
}
