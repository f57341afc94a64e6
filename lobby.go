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

// TicketsPerPhonePerDay is the most tickets one phone number may take in a
// day, across every service: each sends SMS, and a person needs a few
// (a second service, a missed call), not a queue's worth.
const TicketsPerPhonePerDay = 4

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
	QueueName  string       `json:"service_name"`
	CustomerID *int64       `json:"customer_id"`
	Phone      string       `json:"phone,omitempty"` // E.164; told by SMS when the turn is near
	Language   string       `json:"language,omitempty"`
	Status     TicketStatus `json:"status"`
	Position   int          `json:"position"`
	Wait       WaitEstimate `json:"wait"`
	DeskID     *int64       `json:"desk_id"`
	DeskName   string       `json:"desk,omitempty"` // the desk that called it
	// Priority and Seated are for staff only and never shown in public:
	// the ticket is called sooner (see queue.HeadStart), or by a desk with
	// a chair. Why is not stored on the ticket.
	Priority bool `json:"priority"`
	Seated   bool `json:"seated"`
	// Recalls is how often the desk called the ticket again (the person
	// did not hear); CalledAt is then the last call.
	Recalls   int        `json:"recalls"`
	CreatedAt time.Time  `json:"created_at"`
	CalledAt  *time.Time `json:"called_at"`
	ClosedAt  *time.Time `json:"closed_at"`
}

// Desk is a place where an agent serves walk-in customers, for some services.
type Desk struct {
	ID        int64      `json:"id"`
	Name      string     `json:"name"` // "3", "Window B": what the board says
	Seated    bool       `json:"seated"`
	Open      bool       `json:"open"`
	Services  []string   `json:"services"` // codes of the services it serves while open
	AgentID   *int64     `json:"agent_id"` // who opened it
	AgentName string     `json:"agent_name,omitempty"`
	OpenedAt  *time.Time `json:"opened_at"`
	Current   *Ticket    `json:"current"` // the ticket it called and is serving
	CreatedAt time.Time  `json:"created_at"`
}

// QueueStatus is a service as the kiosk and the board show it: how many
// wait, how many desks serve it, and the wait for someone joining now.
type QueueStatus struct {
	Queue
	Waiting int          `json:"waiting"`
	Wait    WaitEstimate `json:"wait"`
}

// BoardCall is a ticket called to a desk, as the public board shows it:
// a number and a desk, nothing else.
type BoardCall struct {
	Number   string    `json:"number"`
	Desk     string    `json:"desk"`
	CalledAt time.Time `json:"called_at"`
}

// Board is what the public screen shows: who is called where (newest
// first), and each service's queue. No names, no accommodations.
type Board struct {
	Called   []BoardCall   `json:"called"`
	Services []QueueStatus `json:"services"`
}

// Lobby keeps services, desks and tickets. The first methods are the ones
// other features (USSD, the kiosk) rely on; the desk's own follow.
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

	// QueueStatuses lists the services with their queues and waits now.
	QueueStatuses(ctx context.Context) ([]QueueStatus, error)
	// WaitingTickets lists today's waiting tickets of a service (every
	// service when code is ""), in calling order.
	WaitingTickets(ctx context.Context, code string) ([]Ticket, error)
	// Board is the public screen's view.
	Board(ctx context.Context) (*Board, error)

	CreateDesk(ctx context.Context, d *Desk) error
	Desks(ctx context.Context) ([]Desk, error)
	Desk(ctx context.Context, id int64) (*Desk, error)
	// OpenDesk opens the desk for the services (codes), by the actor.
	OpenDesk(ctx context.Context, id int64, services []string) (*Desk, error)
	// CloseDesk closes the desk; a ticket it was serving is marked served.
	CloseDesk(ctx context.Context, id int64) (*Desk, error)
	// CallNext marks the desk's current ticket served and calls the next
	// in line for the desk (see queue.Pick); nil when nobody waits.
	CallNext(ctx context.Context, deskID int64) (*Ticket, error)
	// RecallTicket calls a called ticket again, at the same desk: the
	// person did not hear. The board shows and announces it again as the
	// newest call; the first recall sends the called SMS again. Conflict
	// when the ticket is not called now.
	RecallTicket(ctx context.Context, id int64) (*Ticket, error)
	// LinkTicketCustomer records whose ticket it is, so that the desk opens
	// their profile and history from it. Invalid when there is no such
	// customer; Conflict when the ticket is closed.
	LinkTicketCustomer(ctx context.Context, id, customerID int64) (*Ticket, error)
	// ServeTicket and NoShow close a called ticket (again: no change).
	ServeTicket(ctx context.Context, id int64) (*Ticket, error)
	NoShow(ctx context.Context, id int64) (*Ticket, error)
	// TransferTicket moves a waiting or called ticket to another service,
	// keeping its number and its place by arrival time.
	TransferTicket(ctx context.Context, id int64, code string) (*Ticket, error)
	// SetTicketNeeds records a staff decision to call a waiting ticket
	// sooner, or at a seated desk.
	SetTicketNeeds(ctx context.Context, id int64, priority, seated bool) (*Ticket, error)
	// LobbyDay tells how an office day went (day is YYYY-MM-DD on the
	// office's clock; "" is today). Invalid when day is not a date.
	LobbyDay(ctx context.Context, day string) (*LobbyDay, error)
}

// LobbyDay is how one office day went in the lobby, for the lead who plans
// tomorrow's desks: each service's tickets, how long people waited to be
// called and stayed at the desk, and whether the wait the kiosk told them
// held. Times are in seconds, nil when there is nothing to measure.
type LobbyDay struct {
	Day      string            `json:"day"`
	Services []LobbyServiceDay `json:"services"`
	Total    LobbyServiceDay   `json:"total"`
	// Hours counts the tickets taken in each hour of the office's clock,
	// from the first hour with one to the last.
	Hours []LobbyHour `json:"hours"`
}

// LobbyServiceDay is one service's day (Code "" for the whole lobby).
type LobbyServiceDay struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	Issued int    `json:"issued"`
	Served int    `json:"served"`
	NoShow int    `json:"no_show"`
	// Open counts the tickets still waiting or at a desk.
	Open int `json:"open"`
	// Accommodated counts the tickets called sooner or to a chair.
	Accommodated int `json:"accommodated"`
	// WaitP50 and WaitP90 are from taking the ticket to its first call,
	// over the tickets called; ServiceP50 from the call to the end of the
	// visit, over the tickets served.
	WaitP50    *float64 `json:"wait_p50_seconds"`
	WaitP90    *float64 `json:"wait_p90_seconds"`
	ServiceP50 *float64 `json:"service_p50_seconds"`
	// Told counts the called tickets whose wait the kiosk told when they
	// were taken; WithinTold those called no later than the top of that
	// range; LateP50 is how much later the others were called, at the
	// median.
	Told       int      `json:"told"`
	WithinTold int      `json:"within_told"`
	LateP50    *float64 `json:"late_p50_seconds"`
}

// LobbyHour is how many tickets were taken in one hour (0..23).
type LobbyHour struct {
	Hour   int `json:"hour"`
	Issued int `json:"issued"`
}
