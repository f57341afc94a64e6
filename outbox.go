package kindred

import (
	"context"
	"time"
)

// OutboxStatus is where an outgoing message stands.
type OutboxStatus string

// Outbox statuses. A dead message failed too often, or for good (a number
// that does not exist): it waits on the dead-letter list for a person.
const (
	OutboxPending OutboxStatus = "pending"
	OutboxSent    OutboxStatus = "sent"
	OutboxDead    OutboxStatus = "dead"
)

// OutboundMessage is one SMS or email kindred sends. It is written to the
// outbox in the same transaction as the change that caused it (a ticket
// issued, a code sent, a heads-up approved), so an acknowledged change never
// loses its message; a worker delivers it with retries.
type OutboundMessage struct {
	ID            int64        `json:"id"`
	Channel       Channel      `json:"channel"` // ChannelSMS or ChannelEmail
	To            string       `json:"to"`      // E.164 phone number or email address
	Subject       string       `json:"subject"` // email only
	Body          string       `json:"body"`    // plain text
	Purpose       string       `json:"purpose"` // ticket_near, ticket_called, code, heads_up, survey, ...
	CustomerID    *int64       `json:"customer_id"`
	Status        OutboxStatus `json:"status"`
	Attempts      int          `json:"attempts"`
	NextAttemptAt time.Time    `json:"next_attempt_at"`
	LastError     string       `json:"last_error,omitempty"`
	ProviderID    string       `json:"provider_id,omitempty"` // the gateway's message id
	CreatedAt     time.Time    `json:"created_at"`
	SentAt        *time.Time   `json:"sent_at"`
	// MessageID is the agent's reply this delivers, when it is one: its
	// delivery status follows the outbox row's.
	MessageID *int64 `json:"message_id,omitempty"`
	// InReplyTo and References thread an email reply under the customer's
	// mail (RFC 5322 Message-IDs, without angle brackets).
	InReplyTo  string   `json:"in_reply_to,omitempty"`
	References []string `json:"references,omitempty"`
}

// HoldsSecret reports whether the message carries a secret meant for its
// recipient alone: a one-time code, or a one-use survey link. Such a body
// is never shown to staff, and is wiped once delivered.
func (m *OutboundMessage) HoldsSecret() bool {
	return m.Purpose == "code" || m.Purpose == "survey"
}

// OutboxFilter selects outgoing messages, newest first; zero fields do not filter.
type OutboxFilter struct {
	Status     OutboxStatus
	Channel    Channel
	CustomerID int64
	Purpose    string
	Page
}

// OutboxService keeps the messages kindred sends until they are delivered.
//
// Delivery is at least once with a lease: Claim hands a due message to one
// worker for the lease; if the worker dies before MarkSent or MarkFailed,
// the lease runs out and another worker may send it again. Gateways that
// take an idempotency key (the outbox id) turn that into exactly once.
type OutboxService interface {
	// Enqueue stores m as pending, due now. Features that send as part of a
	// change enqueue inside their own transaction instead (store-internal).
	Enqueue(ctx context.Context, m *OutboundMessage) error
	// Claim leases up to limit pending messages due at now, oldest first,
	// until now+lease, and returns them with Attempts already counted.
	Claim(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]OutboundMessage, error)
	// MarkSent records delivery of a claimed message.
	MarkSent(ctx context.Context, id int64, providerID string, at time.Time) error
	// MarkFailed records a failed attempt: retry at retryAt, or, when dead,
	// move the message to the dead-letter list.
	MarkFailed(ctx context.Context, id int64, reason string, retryAt time.Time, dead bool) error
	// Retry puts a dead message back in the queue, due now (audited). A
	// one-time code is refused with Conflict: by then it has expired.
	Retry(ctx context.Context, id int64) error
	// RecordDelivery applies a gateway's delivery report to the message it
	// sent and the reply that message carried (see DeliveryReport); it
	// returns the reply's message id, or 0 when it carried none.
	RecordDelivery(ctx context.Context, r DeliveryReport) (int64, error)
	OutboundMessage(ctx context.Context, id int64) (*OutboundMessage, error)
	Outbox(ctx context.Context, f OutboxFilter) ([]OutboundMessage, error)
}

// DeliveryReport is what a gateway tells of a message it was given: it
// reached the phone (Delivered), or it did not, and why.
type DeliveryReport struct {
	Channel    Channel
	ProviderID string // the gateway's id of the message, as it answered the send
	Delivered  bool
	Reason     string // why it failed, in the gateway's words
}
