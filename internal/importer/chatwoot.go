package importer

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/kindred-desk/kindred"
)

// A Chatwoot export is read as Chatwoot's API returns conversations: the
// conversation objects of GET /api/v1/accounts/{id}/conversations (the
// whole response, {"data": {"payload": [...]}}, a bare array, or one
// conversation a line), each with all its messages in "messages" as GET
// …/conversations/{id}/messages returns them (its "payload").
//
// message_type 0 (incoming) is the customer's message, 1 (outgoing) a
// reply, or an internal note when private; 2 (activity: "Conversation was
// resolved by Amina") and 3 (template: a form the bot showed) are not
// messages anyone wrote, and are skipped. The customer is the
// conversation's meta.sender (a contact).

// cwContact is a Chatwoot contact, or a message's sender.
type cwContact struct {
	ID          flex `json:"id"`
	Name        flex `json:"name"`
	Email       flex `json:"email"`
	PhoneNumber flex `json:"phone_number"`
	Type        flex `json:"type"` // contact, user, agent_bot
}

// cwMessage is a message of a conversation.
type cwMessage struct {
	ID          flex       `json:"id"`
	Content     flex       `json:"content"`
	MessageType flex       `json:"message_type"` // 0 to 3, or incoming, outgoing, activity, template
	Private     bool       `json:"private"`
	CreatedAt   flex       `json:"created_at"`
	Sender      *cwContact `json:"sender"`
}

// cwConversation is a conversation with its messages.
type cwConversation struct {
	ID        flex   `json:"id"`
	Status    string `json:"status"`
	Channel   flex   `json:"channel"`
	Priority  flex   `json:"priority"`
	CreatedAt flex   `json:"created_at"`
	Meta      struct {
		Sender  *cwContact `json:"sender"`
		Channel flex       `json:"channel"`
	} `json:"meta"`
	AdditionalAttributes struct {
		MailSubject flex `json:"mail_subject"`
	} `json:"additional_attributes"`
	Messages []cwMessage `json:"messages"`
}

func (c *cwConversation) fields() map[string]any {
	return map[string]any{"id": &c.ID, "status": &c.Status, "channel": &c.Channel, "priority": &c.Priority,
		"created_at": &c.CreatedAt, "meta": &c.Meta, "additional_attributes": &c.AdditionalAttributes,
		"messages": &c.Messages}
}

type chatwootReader struct {
	in *countingReader
	t  *tracker
}

func newChatwootReader(in *countingReader, t *tracker) *chatwootReader {
	return &chatwootReader{in: in, t: t}
}

func (r *chatwootReader) read(ctx context.Context, emit func(*item) error) error {
	dec := json.NewDecoder(bufio.NewReaderSize(r.in, 256<<10))
	n := 0
	conversation := func(c *cwConversation, err error) error {
		n++
		return r.conversation(c, n, err, emit)
	}
	each := func() error {
		var c cwConversation
		return conversation(&c, decodeValue(dec, &c))
	}
	payload := func(key string) error {
		return eachKey(dec, key, func(key string) error {
			if key == "payload" {
				return array(dec, each)
			}
			return skip(dec)
		})
	}
	err := topLevel(dec, each, func(key string) error {
		switch key {
		case "data":
			// The list response: {"data": {"meta": …, "payload": [...]}}.
			return eachKey(dec, key, func(key string) error {
				if key != "data" {
					return skip(dec)
				}
				tok, err := dec.Token()
				if err != nil {
					return syntaxError(dec, err)
				}
				if tok != json.Delim('{') {
					return fmt.Errorf("at byte %d: data must be an object with a payload", dec.InputOffset())
				}
				if !dec.More() {
					_, err := dec.Token()
					return err
				}
				first, err := nextKey(dec)
				if err != nil {
					return err
				}
				return payload(first)
			})
		case "payload":
			return payload(key)
		}
		var c cwConversation
		return conversation(&c, decodeRest(dec, key, c.fields()))
	})
	if err != nil {
		return fmt.Errorf("chatwoot: %w", err)
	}
	return nil
}

// conversation emits the messages of the n-th conversation, read with
// error err.
func (r *chatwootReader) conversation(c *cwConversation, n int, err error, emit func(*item) error) error {
	where := "conversation " + cmpOrFlex(c.ID, "#"+strconv.Itoa(n))
	if done, err := rejectRecord(err, where, r.in.n, emit); done {
		return err
	}
	contact := c.Meta.Sender
	if contact == nil {
		// Else the first message a contact wrote names them.
		for _, m := range c.Messages {
			if m.Sender != nil && strings.EqualFold(string(m.Sender.Type), "contact") {
				contact = m.Sender
				break
			}
		}
	}
	if contact == nil {
		contact = &cwContact{}
	}
	cust := r.t.customer(customerFields{id: string(contact.ID), name: string(contact.Name),
		phone: string(contact.PhoneNumber), email: string(contact.Email)})
	conv := r.t.conversation(conversationFields{
		id:       string(c.ID),
		channel:  chatwootChannel(string(cmpOrFlex(c.Meta.Channel, string(c.Channel)))),
		subject:  string(c.AdditionalAttributes.MailSubject),
		status:   chatwootStatus(c.Status),
		priority: chatwootPriority(string(c.Priority)),
		created:  parseTime(string(c.CreatedAt)),
	}, cust)
	if len(c.Messages) == 0 {
		it := &item{at: where, offset: r.in.n}
		it.rejectField("messages", "the conversation has no messages: give each conversation its messages (the messages API's payload)")
		return emit(it)
	}
	for i, m := range c.Messages {
		f := messageFields{id: string(m.ID), body: string(m.Content), at: parseTime(string(m.CreatedAt)),
			atText: string(m.CreatedAt)}
		switch strings.ToLower(string(m.MessageType)) {
		case "0", "incoming":
			f.direction = kindred.Inbound
		case "1", "outgoing":
			f.direction = kindred.Outbound
			if m.Private {
				f.direction = kindred.InternalNote
			}
		case "2", "activity", "3", "template":
			r.t.skipped++
			continue
		default:
			f.direction = kindred.Direction(m.MessageType)
		}
		if f.direction != kindred.Inbound && m.Sender != nil {
			f.author, f.authorEmail = string(m.Sender.Name), string(m.Sender.Email)
		}
		it := &item{at: fmt.Sprintf("%s message %s", where, cmpOrFlex(m.ID, "#"+strconv.Itoa(i+1))), offset: r.in.n}
		r.t.message(it, conv, f)
		if err := emit(it); err != nil {
			return err
		}
	}
	return nil
}

// chatwootChannel maps an inbox's channel type ("Channel::Sms") to
// kindred's channels; web widgets, APIs and social inboxes are chat.
func chatwootChannel(s string) kindred.Channel {
	switch strings.ToLower(strings.TrimPrefix(s, "Channel::")) {
	case "email":
		return kindred.ChannelEmail
	case "sms", "twiliosms":
		return kindred.ChannelSMS
	case "whatsapp":
		return kindred.ChannelWhatsApp
	case "voice":
		return kindred.ChannelPhone
	}
	return kindred.ChannelChat
}

// chatwootStatus maps Chatwoot's statuses: open waits on us, pending (a
// bot has it) is open, snoozed waits on the customer, resolved is
// resolved.
func chatwootStatus(s string) kindred.Status {
	switch strings.ToLower(s) {
	case "open":
		return kindred.StatusWaitingOnUs
	case "pending":
		return kindred.StatusOpen
	case "snoozed":
		return kindred.StatusWaitingOnCustomer
	case "resolved", "":
		return kindred.StatusResolved
	}
	return kindred.Status(s)
}

// chatwootPriority maps Chatwoot's priorities (urgent, high, medium, low,
// or none).
func chatwootPriority(s string) kindred.Priority {
	switch strings.ToLower(s) {
	case "", "none", "medium":
		return kindred.PriorityNormal
	}
	return kindred.Priority(strings.ToLower(s))
}
