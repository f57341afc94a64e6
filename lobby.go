package kindred

import (
	"context"
	"time"
)

// The lobby is the walk-in side of a public office: services people queue
// for, desks that serve them, and the tickets people hold while they wait.

// Queue is one service people queue for, e.g. Registration (code "A"); the
// API and the kiosk call it a service. The code prefixes its ticket numbers:
//
type Queue struct {
	ID        int64     `json:"id"`
	Code      string    `json:"code"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

// TicketStatus is where a ticket stands.
type TicketStatus string

// Ticket statuses.
const (
	TicketWaiting TicketStatus = "waiting"
	TicketCalled  TicketStatus = "called"
	TicketServed  TicketStatus = "served"
	TicketNoShow  TicketStatus = "no_show"
)

// WaitEstimate is an honest wait: a range, how it was worked out, and what is
// happening now ("2 desks are serving Registration").
type WaitEstimate struct {
	LowMinutes  int    `json:"low_minutes"`
	HighMinutes int    `json:"high_minutes"`
	Method      string `json:"method"`     // how the range was computed
	DesksOpen   int    `json:"desks_open"` // desks serving this service now
}

// Ticket is one person's place in a queue. Number is what the board shows
// Position is 1 for the next to be called, 0 once called.
type Ticket struct {
	ID         int64        `json:"id"`
	Number     string       `json:"number"`
	QueueCode  string       `json:"service"`
	CustomerID *int64       `json:"customer_id"`
	Phone      string       `json:"phone,omitempty"` // E.164; told by SMS when the turn is near
	Language   string       `json:"language,omitempty"`
	Status     TicketStatus `json:"status"`
	Position   int          `json:"position"`
	Wait       WaitEstimate `json:"wait"`
	DeskID     *int64       `json:"desk_id"`
	CreatedAt  time.Time    `json:"created_at"`
	CalledAt   *time.Time   `json:"called_at"`
	ClosedAt   *time.Time   `json:"closed_at"`
}

// Lobby keeps services, desks and tickets. The methods below are the ones
// other features (USSD, the kiosk) rely on; the lobby adds its own.
type Lobby interface {
	CreateQueue(ctx context.Context, q *Queue) error
	Queues(ctx context.Context) ([]Queue, error)
	// IssueTicket gives t a number in its queue and fills in
	// Position and Wait. With a Phone, the person is told by SMS (through
	// the outbox) when three places away and when called.
	IssueTicket(ctx context.Context, t *Ticket) error
	// Ticket returns a ticket with its current Position and Wait.
	Ticket(ctx context.Context, id int64) (*Ticket, error)
	// TicketByPhone returns today's newest waiting or called ticket for the
	// phone, with its current Position and Wait; NotFound when there is none.
	TicketByPhone(ctx context.Context, phone string) (*Ticket, error)
}
