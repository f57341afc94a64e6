package kindred

import (
	"encoding/json"
	"time"
)

// Channel is how a conversation reaches us.
type Channel string

// Channels.
const (
	ChannelDesk  Channel = "desk"
	ChannelEmail Channel = "email"
	ChannelChat  Channel = "chat"
	ChannelSMS   Channel = "sms"
	ChannelUSSD  Channel = "ussd"
	ChannelPhone Channel = "phone"
	// ChannelWhatsApp is the WhatsApp Business Cloud API: the customer's
	// phone, in E.164, is their WhatsApp id.
	ChannelWhatsApp Channel = "whatsapp"
)

// MaxBulk is how many conversations one change may touch at once: a page
// of the inbox.
const MaxBulk = 200

// Channels lists every channel.
var Channels = []Channel{ChannelDesk, ChannelEmail, ChannelChat, ChannelSMS, ChannelUSSD, ChannelPhone, ChannelWhatsApp}

// Status is where a conversation stands.
type Status string

// Statuses.
const (
	StatusOpen              Status = "open"
	StatusWaitingOnCustomer Status = "waiting_on_customer"
	StatusWaitingOnUs       Status = "waiting_on_us"
	StatusResolved          Status = "resolved"
)

// Statuses lists every status.
var Statuses = []Status{StatusOpen, StatusWaitingOnCustomer, StatusWaitingOnUs, StatusResolved}

// Priority orders work; distress and vulnerability found by the engine may raise it.
type Priority string

// Priorities.
const (
	PriorityLow    Priority = "low"
	PriorityNormal Priority = "normal"
	PriorityHigh   Priority = "high"
	PriorityUrgent Priority = "urgent"
)

// Priorities lists every priority, lowest first.
var Priorities = []Priority{PriorityLow, PriorityNormal, PriorityHigh, PriorityUrgent}

// Conversation is one matter a customer brought to us, across its messages.
type Conversation struct {
	ID              int64      `json:"id"`
	CustomerID      int64      `json:"customer_id"`
	Channel         Channel    `json:"channel"`
	Subject         string     `json:"subject"`
	Status          Status     `json:"status"`
	Priority        Priority   `json:"priority"`
	AssigneeID      *int64     `json:"assignee_id"`
	Tags            []string   `json:"tags"`
	CreatedAt       time.Time  `json:"created_at"`
	UpdatedAt       time.Time  `json:"updated_at"`
	FirstResponseAt *time.Time `json:"first_response_at"`
	ResolvedAt      *time.Time `json:"resolved_at"`
	// DueAt is the date promised to the customer ("your card arrives by
	// Friday"), set by agents; care reminds them before it passes.
	DueAt *time.Time `json:"due_at"`
	// WhatsAppWindowOpen says, on a WhatsApp conversation, whether the
	// customer wrote within WhatsAppWindow, when WhatsApp lets a business
	// answer in free text; after it, only an approved template may be sent.
	// The store sets it, by its clock, when it reads one conversation (not
	// in listings).
	WhatsAppWindowOpen bool `json:"whatsapp_window_open,omitempty"`
	// Chat says, on a web chat conversation whose customer chatted through
	// the widget, whether they are in the chat now and how they asked to be
	// answered otherwise; nil for any other conversation. The store sets it
	// when it reads one conversation (not in listings).
	Chat     *ChatPresence `json:"chat,omitempty"`
	Messages []Message     `json:"messages,omitempty"`
}

// Direction says who a message is from.
type Direction string

// Directions.
const (
	Inbound      Direction = "in"   // from the customer or their helper
	Outbound     Direction = "out"  // from us to them
	InternalNote Direction = "note" // an internal note, never sent
)

// Message is one message in a conversation. Body is plain text: HTML from
// email is sanitised before it is stored.
type Message struct {
	ID             int64     `json:"id"`
	ConversationID int64     `json:"conversation_id"`
	Direction      Direction `json:"direction"`
	AuthorID       *int64    `json:"author_id"`           // the agent, for out and note
	HelperID       *int64    `json:"helper_id,omitempty"` // set when a helper wrote on the customer's behalf
	AuthorName     string    `json:"author_name"`
	Body           string    `json:"body"`
	CreatedAt      time.Time `json:"created_at"`
	Analysis       *Analysis `json:"analysis,omitempty"`

	// Channel is how the message came or went: the conversation's channel,
	// or another when the customer answered elsewhere ("email" in an SMS
	// conversation after two records of one person were merged).
	Channel Channel `json:"channel,omitempty"`
	// DeliveryStatus is where an agent's reply stands (queued, sent,
	// delivered, failed, recorded); empty for customer messages and notes.
	DeliveryStatus DeliveryStatus `json:"delivery_status,omitempty"`
	// DeliveryError says why a reply failed or was recorded only, in words.
	DeliveryError string `json:"delivery_error,omitempty"`
	// To is the phone or email address a reply was sent to.
	To string `json:"to,omitempty"`
	// EmailID is the RFC 5322 Message-ID of the email the message came in,
	// or went out, as; it threads the customer's answers.
	EmailID     string       `json:"email_message_id,omitempty"`
	Attachments []Attachment `json:"attachments,omitempty"`
	// SendAnyway sends a reply by text even though the customer has told us
	// that reading is hard for them (see RouteReply): the agent's choice.
	SendAnyway bool `json:"-"`
	// Historical marks a message that happened before it reached kindred
	// (demo data, an import): it is recorded as it was, never sent, and has
	// no delivery status.
	Historical bool `json:"-"`
}

// Attachment is a file that came with a customer's email. It is served
// only as a download, never shown inline.
type Attachment struct {
	ID          int64  `json:"id"`
	MessageID   int64  `json:"message_id"`
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"` // sniffed from the bytes, not trusted from the sender
	Size        int64  `json:"size"`
	Data        []byte `json:"-"`
}

// Analysis is the compassion engine's report on a message, stored with it.
// The few numbers analytics aggregate are kept beside the full report.
type Analysis struct {
	Compassion *float64        `json:"compassion,omitempty"` // 0-100, replies only
	Sentiment  float64         `json:"sentiment"`            // compound, -1..1
	Distress   *float64        `json:"distress,omitempty"`   // 0-1, customer messages only
	Report     json.RawMessage `json:"report"`
	// Signals are the report's reply signals, when whoever made the report
	// gives them (the engine does): the store keeps them beside the reply
	// for the coaching view, and reads them from Report when they are nil.
	Signals []Signal `json:"-"`
}

// Signal is one thing the engine found in a reply and what it added to the
// score (negative when it cost).
type Signal struct {
	Name   string
	Effect float64
}

// Apply updates the conversation for a new message: the first reply sets
// FirstResponseAt; a customer's message puts the ball in our court (and
// reopens a resolved conversation); our reply waits on the customer. Internal
// notes change nothing.
func (c *Conversation) Apply(m *Message) {
	c.UpdatedAt = m.CreatedAt
	switch m.Direction {
	case Inbound:
		if c.Status == StatusResolved {
			c.ResolvedAt = nil
		}
		c.Status = StatusWaitingOnUs
	case Outbound:
		if c.FirstResponseAt == nil {
			t := m.CreatedAt
			c.FirstResponseAt = &t
		}
		if c.Status != StatusResolved {
			c.Status = StatusWaitingOnCustomer
		}
	}
}

// SetStatus moves the conversation to s at time now, keeping ResolvedAt true
// to the last resolution.
func (c *Conversation) SetStatus(s Status, now time.Time) {
	if s == StatusResolved && c.Status != StatusResolved {
		c.ResolvedAt = &now
	} else if s != StatusResolved {
		c.ResolvedAt = nil
	}
	c.Status = s
	c.UpdatedAt = now
}
