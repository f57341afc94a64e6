package importer

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/api"
	"github.com/kindred-desk/kindred/internal/store"
)

// trackSize bounds what the reader remembers of customers and
// conversations: two generations of at most this many each (a few hundred
// bytes an entry), so that memory stays bounded however long the input.
// A conversation forgotten and met again is taken up as new by the reader
// (the writer still finds it by its id); only the customer message its next
// reply answers is lost.
const trackSize = 100_000

// genMap remembers recent entries in two generations: when the young one is
// full, it becomes the old one and the old one is dropped.
type genMap[V any] struct {
	young, old map[string]V
	size       int
}

func newGenMap[V any](size int) genMap[V] {
	return genMap[V]{young: make(map[string]V), size: size}
}

func (g *genMap[V]) get(k string) (V, bool) {
	if v, ok := g.young[k]; ok {
		return v, true
	}
	v, ok := g.old[k]
	if ok {
		g.put(k, v)
	}
	return v, ok
}

func (g *genMap[V]) put(k string, v V) {
	if len(g.young) >= g.size {
		g.old, g.young = g.young, make(map[string]V, g.size/4)
	}
	g.young[k] = v
}

// customerEntry is a customer as first met in the input, checked.
type customerEntry struct {
	rec  *store.ImportCustomer
	errs []kindred.FieldError
}

// convEntry is a conversation as first met, checked, with what its
// messages so far leave for the next one.
type convEntry struct {
	rec  *store.ImportConversation
	errs []kindred.FieldError
	// lastInbound is the customer's latest message: what a reply answers.
	lastInbound string
}

// tracker is the readers' memory, on the reader's goroutine: each
// customer and conversation is checked once, when first met, and each
// conversation's latest customer message is kept for the reply after it.
type tracker struct {
	region        string
	agents        map[string]kindred.Agent
	customers     genMap[*customerEntry]
	conversations genMap[*convEntry]
	skipped       int64
}

func newTracker(region string, agents map[string]kindred.Agent) *tracker {
	return &tracker{region: region, agents: agents,
		customers: newGenMap[*customerEntry](trackSize), conversations: newGenMap[*convEntry](trackSize)}
}

// customerFields is a customer as a reader finds them.
type customerFields struct {
	id, name, phone, email string
}

// customer returns the customer with source id f.id, checked as the API
// checks a new customer the first time it is met; later mentions of the
// same id are not read again.
func (t *tracker) customer(f customerFields) *customerEntry {
	if e, ok := t.customers.get(f.id); ok {
		return e
	}
	var c api.Check
	phone := c.Phone("phone", f.phone, t.region)
	email := c.Email("email", f.email)
	name := strings.TrimSpace(f.name)
	if name == "" {
		// A phone log knows a number, a mailbox an address.
		name = cmp.Or(phone, email)
	}
	name = c.Name("customer_name", name, true)
	e := &customerEntry{rec: &store.ImportCustomer{SourceID: f.id, Name: name, Phone: phone, Email: email}, errs: c.Fields()}
	if f.id == "" {
		e.errs = append(e.errs, kindred.FieldError{Field: "customer_id", Reason: "is required"})
	}
	t.customers.put(f.id, e)
	return e
}

// conversationFields is a conversation as a reader finds it, its channel,
// status and priority already in kindred's words.
type conversationFields struct {
	id       string
	channel  kindred.Channel
	subject  string
	status   kindred.Status
	priority kindred.Priority
	created  time.Time
}

// conversation returns the conversation with source id f.id, of customer
// cust, checked the first time it is met.
func (t *tracker) conversation(f conversationFields, cust *customerEntry) *convEntry {
	if e, ok := t.conversations.get(f.id); ok {
		return e
	}
	var c api.Check
	if f.id == "" {
		c.Add("conversation_id", "is required")
	}
	if !slices.Contains(kindred.Channels, f.channel) {
		c.Add("channel", "must be one of desk, email, chat, sms, ussd, phone, whatsapp")
	}
	if f.status == "" {
		f.status = kindred.StatusResolved
	}
	if !slices.Contains(kindred.Statuses, f.status) {
		c.Add("status", "must be one of open, waiting_on_customer, waiting_on_us, resolved")
	}
	if f.priority == "" {
		f.priority = kindred.PriorityNormal
	}
	if !slices.Contains(kindred.Priorities, f.priority) {
		c.Add("priority", "must be one of low, normal, high, urgent")
	}
	subject := strings.TrimSpace(f.subject)
	if subject != "" {
		subject = c.Subject("subject", subject)
	}
	e := &convEntry{
		rec: &store.ImportConversation{SourceID: f.id, Customer: cust.rec, Channel: f.channel, Subject: subject,
			Status: f.status, Priority: f.priority, CreatedAt: f.created},
		errs: append(slices.Clip(cust.errs), c.Fields()...),
	}
	t.conversations.put(f.id, e)
	return e
}

// messageFields is a message as a reader finds it.
type messageFields struct {
	id        string
	direction kindred.Direction
	// author and authorEmail name who wrote a reply or note: found among
	// the desk's agents by email, else kept by name.
	author, authorEmail string
	body                string
	at                  time.Time
	// atText is the time as written, when it could not be read.
	atText string
}

// message fills it for a message of conversation conv: checked by the API's
// rules, its author found among the desk's agents by email, and what it
// answers when it is a reply.
func (t *tracker) message(it *item, conv *convEntry, f messageFields) {
	it.msg = store.ImportMessage{SourceID: f.id, Conversation: conv.rec, Direction: f.direction, CreatedAt: f.at}
	for _, fe := range conv.errs {
		it.rejectField(fe.Field, fe.Reason)
	}
	var c api.Check
	if f.id == "" {
		c.Add("message_id", "is required")
	}
	switch f.direction {
	case kindred.Inbound:
		it.msg.AuthorName = conv.rec.Customer.Name
	case kindred.Outbound, kindred.InternalNote:
		author, email := strings.TrimSpace(f.author), strings.TrimSpace(f.authorEmail)
		if email == "" && strings.Contains(author, "@") {
			email = author // a flat file's author column may hold an email
		}
		if a, ok := t.agents[strings.ToLower(email)]; ok && email != "" {
			id := a.ID
			it.msg.AuthorID, it.msg.AuthorName = &id, a.Name
		} else {
			it.msg.AuthorName = c.Name("author", cmp.Or(author, email), false)
		}
	default:
		c.Add("direction", "must be in, out or note")
	}
	switch {
	case f.at.IsZero() && strings.TrimSpace(f.atText) != "":
		c.Add("created_at", "is not a time: write it as 2024-03-01T09:30:00Z, 2024-03-01 09:30:00 (UTC) or Unix seconds")
	case f.at.IsZero():
		c.Add("created_at", "is required: when the message was written")
	}
	it.msg.Body = c.Message("body", f.body)
	if err := c.Err(); err != nil {
		it.reject(err)
	}
	if len(it.rejected) > 0 {
		return
	}
	switch f.direction {
	case kindred.Inbound:
		conv.lastInbound = it.msg.Body
	case kindred.Outbound:
		it.replyTo = conv.lastInbound
	}
}
