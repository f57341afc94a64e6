package kindred

import (
	"context"
	"encoding/json"
	"time"
)

// WebhookEvent names something that happened at the desk that other
// systems may want to hear of.
type WebhookEvent string

// Webhook events. Each is written for every subscriber in the same
// transaction as the change it tells of, so an event is sent if and only if
// the change happened.
const (
	// EventMessageCreated: a customer wrote, or an agent replied. Internal
	// notes are not sent: they stay inside the desk.
	EventMessageCreated WebhookEvent = "message.created"
	// EventConversationUpdated: an agent changed a conversation's status,
	// priority, assignee, subject, tags or promised date.
	EventConversationUpdated WebhookEvent = "conversation.updated"
	// EventSurveyAnswered: a customer answered the "did you feel heard?"
	// survey.
	EventSurveyAnswered WebhookEvent = "survey.answered"
	// EventTicketCalled: a desk called a ticket in the lobby.
	EventTicketCalled WebhookEvent = "ticket.called"
)

// WebhookEvents lists every event a webhook may subscribe to.
var WebhookEvents = []WebhookEvent{EventMessageCreated, EventConversationUpdated, EventSurveyAnswered, EventTicketCalled}

// Webhook is an administrator's subscription: events are posted to URL,
// signed with Secret.
type Webhook struct {
	ID          int64          `json:"id"`
	URL         string         `json:"url"`
	Secret      string         `json:"secret,omitempty"` // shown once, when the webhook is made
	Events      []WebhookEvent `json:"events"`
	Description string         `json:"description,omitempty"`
	Active      bool           `json:"active"`
	CreatedAt   time.Time      `json:"created_at"`
}

// WebhookStatus is where one delivery stands.
type WebhookStatus string

// Webhook delivery statuses: pending until the receiver answers 2xx
// (delivered), or until it has failed too often (dead); a person may replay
// a delivery either way.
const (
	WebhookPending   WebhookStatus = "pending"
	WebhookDelivered WebhookStatus = "delivered"
	WebhookDead      WebhookStatus = "dead"
)

// WebhookDelivery is one event on its way to one subscriber.
type WebhookDelivery struct {
	ID            int64            `json:"id"`
	WebhookID     int64            `json:"webhook_id"`
	Event         WebhookEvent     `json:"event"`
	Payload       json.RawMessage  `json:"payload"`
	Status        WebhookStatus    `json:"status"`
	Attempts      int              `json:"attempts"`
	NextAttemptAt time.Time        `json:"next_attempt_at"`
	LastStatus    int              `json:"last_status,omitempty"` // the receiver's last HTTP status
	LastError     string           `json:"last_error,omitempty"`
	ReplayOf      *int64           `json:"replay_of,omitempty"`
	CreatedAt     time.Time        `json:"created_at"`
	DeliveredAt   *time.Time       `json:"delivered_at,omitempty"`
	Log           []WebhookAttempt `json:"log,omitempty"`

	// URL and Secret are the subscriber's, for the worker that sends it.
	URL    string `json:"-"`
	Secret string `json:"-"`
}

// WebhookAttempt is one try at a delivery and what the receiver answered.
type WebhookAttempt struct {
	Attempt    int           `json:"attempt"`
	At         time.Time     `json:"at"`
	StatusCode int           `json:"status_code,omitempty"` // 0: no answer (refused, timed out)
	Error      string        `json:"error,omitempty"`
	Duration   time.Duration `json:"duration_ns"`
}

// WebhookDeliveryFilter selects deliveries; zero fields select all.
type WebhookDeliveryFilter struct {
	WebhookID int64
	Status    WebhookStatus
	Page
}

// WebhookService keeps the subscriptions and their deliveries.
type WebhookService interface {
	// CreateWebhook stores w (audited). Validation of the URL against the
	// SSRF guard is the caller's: it knows whether private addresses are allowed.
	CreateWebhook(ctx context.Context, w *Webhook) error
	Webhooks(ctx context.Context) ([]Webhook, error)
	// RemoveWebhook stops deliveries to webhook id; its log is kept (audited).
	RemoveWebhook(ctx context.Context, id int64) error
	WebhookDeliveries(ctx context.Context, f WebhookDeliveryFilter) ([]WebhookDelivery, error)
	// WebhookDelivery returns a delivery with its log of attempts.
	WebhookDelivery(ctx context.Context, id int64) (*WebhookDelivery, error)
	// ReplayWebhookDelivery queues the same event again, as a new delivery
	// to the same subscriber, due now (audited).
	ReplayWebhookDelivery(ctx context.Context, id int64) (*WebhookDelivery, error)

	// ClaimWebhookDeliveries leases the due deliveries, at most one per
	// subscriber (the oldest pending), so that each receives events in order.
	ClaimWebhookDeliveries(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]WebhookDelivery, error)
	// RecordWebhookAttempt logs a try at delivery id: delivered, or to be
	// tried again at retryAt, or dead.
	RecordWebhookAttempt(ctx context.Context, id int64, a WebhookAttempt, delivered bool, retryAt time.Time, dead bool) error
}
