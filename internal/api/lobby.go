package api

import (
	"cmp"
	"net/http"

	"github.com/kindred-desk/kindred"
)

// lobbyRoutes lists the lobby endpoints. The kiosk may see the services and
// the board and issue tickets, nothing more: it never passes a customer, nor
// reads a ticket back (a ticket may carry a phone number). Leads set up
// services and desks; desk staff open desks and work the queue.
func (s *server) lobbyRoutes() []route {
	return []route{
		{method: "GET", path: "/api/v1/lobby/services", roles: anyone, handler: s.listLobbyServices},
		{method: "POST", path: "/api/v1/lobby/services", roles: leads, handler: s.createLobbyService},
		{method: "GET", path: "/api/v1/lobby/board", roles: anyone, handler: s.lobbyBoard},
		{method: "POST", path: "/api/v1/lobby/tickets", roles: anyone, handler: s.issueTicket},
		{method: "GET", path: "/api/v1/lobby/tickets", roles: staff, handler: s.listWaitingTickets},
		{method: "GET", path: "/api/v1/lobby/tickets/{id}", roles: staff, handler: s.getTicket},
		{method: "PATCH", path: "/api/v1/lobby/tickets/{id}", roles: staff, handler: s.setTicketNeeds},
		{method: "POST", path: "/api/v1/lobby/tickets/{id}/serve", roles: staff, handler: s.serveTicket},
		{method: "POST", path: "/api/v1/lobby/tickets/{id}/no-show", roles: staff, handler: s.noShowTicket},
		{method: "POST", path: "/api/v1/lobby/tickets/{id}/recall", roles: staff, handler: s.recallTicket},
		{method: "POST", path: "/api/v1/lobby/tickets/{id}/customer", roles: staff, handler: s.linkTicketCustomer},
		{method: "POST", path: "/api/v1/lobby/tickets/{id}/transfer", roles: staff, handler: s.transferTicket},
		{method: "GET", path: "/api/v1/lobby/desks", roles: staff, handler: s.listDesks},
		{method: "POST", path: "/api/v1/lobby/desks", roles: leads, handler: s.createDesk},
		{method: "POST", path: "/api/v1/lobby/desks/{id}/open", roles: staff, handler: s.openDesk},
		{method: "POST", path: "/api/v1/lobby/desks/{id}/close", roles: staff, handler: s.closeDesk},
		{method: "POST", path: "/api/v1/lobby/desks/{id}/call", roles: staff, handler: s.callNext},
		{method: "GET", path: "/api/v1/lobby/report", roles: leads, handler: s.lobbyReport},
	}
}

// lobbyReport tells how an office day went (?day=YYYY-MM-DD; today
// without it): see kindred.LobbyDay.
func (s *server) lobbyReport(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r, "day")
	if err := q.Err(); err != nil {
		return err
	}
	d, err := s.cfg.Lobby.LobbyDay(r.Context(), q.str("day"))
	if err != nil {
		return s.storeFailed("LobbyDay", err)
	}
	return writeJSON(w, http.StatusOK, d)
}

func (s *server) listLobbyServices(w http.ResponseWriter, r *http.Request) error {
	if err := newQuery(r).Err(); err != nil {
		return err
	}
	qs, err := s.cfg.Lobby.QueueStatuses(r.Context())
	if err != nil {
		return s.storeFailed("QueueStatuses", err)
	}
	return writeAll(w, qs)
}

func (s *server) createLobbyService(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Name string `json:"name"`
		Code string `json:"code"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	var c checker
	q := &kindred.Queue{Name: c.line("name", in.Name, true, maxNameLen), Code: c.line("code", in.Code, true, 3)}
	if err := c.Err(); err != nil {
		return err
	}
	if err := s.cfg.Lobby.CreateQueue(r.Context(), q); err != nil {
		return s.storeFailed("CreateQueue", err)
	}
	return writeJSON(w, http.StatusCreated, q)
}

func (s *server) lobbyBoard(w http.ResponseWriter, r *http.Request) error {
	if err := newQuery(r).Err(); err != nil {
		return err
	}
	b, err := s.cfg.Lobby.Board(r.Context())
	if err != nil {
		return s.storeFailed("Board", err)
	}
	return writeJSON(w, http.StatusOK, b)
}

type ticketInput struct {
	Service    string `json:"service"`
	Phone      string `json:"phone"`
	Language   string `json:"language"`
	CustomerID *int64 `json:"customer_id"`
	Priority   bool   `json:"priority"`
	Seated     bool   `json:"seated"`
}

func (s *server) issueTicket(w http.ResponseWriter, r *http.Request) error {
	var in ticketInput
	if err := decode(r, &in); err != nil {
		return err
	}
	actor, _ := kindred.ActorFrom(r.Context())
	if actor.Role == kindred.RoleKiosk {
		// A shared screen must not link a walk-in to a customer record,
		// nor decide who goes first: both are for staff.
		var refused []kindred.FieldError
		if in.CustomerID != nil {
			refused = append(refused, kindred.FieldError{Field: "customer_id", Reason: "a kiosk cannot link a ticket to a customer record"})
		}
		if in.Priority || in.Seated {
			refused = append(refused, kindred.FieldError{Field: "priority", Reason: "only desk staff can give priority or a seat"})
		}
		if len(refused) > 0 {
			return &kindred.Error{Kind: kindred.Forbidden, Message: "a kiosk may issue plain tickets only", Fields: refused}
		}
	}
	var c checker
	t := &kindred.Ticket{
		QueueCode:  c.line("service", in.Service, true, 3),
		Phone:      c.phone("phone", in.Phone, s.cfg.DefaultRegion),
		Language:   oneOf(&c, "language", cmp.Or(in.Language, "en"), []string{"en", "sw"}),
		CustomerID: in.CustomerID,
		Priority:   in.Priority,
		Seated:     in.Seated,
	}
	if in.CustomerID != nil && *in.CustomerID <= 0 {
		c.Add("customer_id", "must be a positive whole number")
	}
	if err := c.Err(); err != nil {
		return err
	}
	if in.Language == "" {
		t.Language = "" // the customer's own language, when there is one
	}
	if err := s.cfg.Lobby.IssueTicket(r.Context(), t); err != nil {
		return s.storeFailed("IssueTicket", err)
	}
	w.Header().Set("Location", "/api/v1/lobby/tickets/"+itoa(t.ID))
	return writeJSON(w, http.StatusCreated, t)
}

func (s *server) listWaitingTickets(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r, "service")
	if err := q.Err(); err != nil {
		return err
	}
	ts, err := s.cfg.Lobby.WaitingTickets(r.Context(), q.str("service"))
	if err != nil {
		return s.storeFailed("WaitingTickets", err)
	}
	return writeAll(w, ts)
}

func (s *server) getTicket(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "ticket")
	if err != nil {
		return err
	}
	t, err := s.cfg.Lobby.Ticket(r.Context(), id)
	if err != nil {
		return s.storeFailed("Ticket", err)
	}
	return writeJSON(w, http.StatusOK, t)
}

// ticketAction answers a change to one ticket with the ticket.
func (s *server) ticketAction(w http.ResponseWriter, r *http.Request, op string, do func(id int64) (*kindred.Ticket, error)) error {
	id, err := pathID(r, "ticket")
	if err != nil {
		return err
	}
	t, err := do(id)
	if err != nil {
		return s.storeFailed(op, err)
	}
	return writeJSON(w, http.StatusOK, t)
}

func (s *server) serveTicket(w http.ResponseWriter, r *http.Request) error {
	return s.ticketAction(w, r, "ServeTicket", func(id int64) (*kindred.Ticket, error) {
		return s.cfg.Lobby.ServeTicket(r.Context(), id)
	})
}

func (s *server) noShowTicket(w http.ResponseWriter, r *http.Request) error {
	return s.ticketAction(w, r, "NoShow", func(id int64) (*kindred.Ticket, error) {
		return s.cfg.Lobby.NoShow(r.Context(), id)
	})
}

func (s *server) recallTicket(w http.ResponseWriter, r *http.Request) error {
	if err := decodeOptional(r, &struct{}{}); err != nil {
		return err
	}
	return s.ticketAction(w, r, "RecallTicket", func(id int64) (*kindred.Ticket, error) {
		return s.cfg.Lobby.RecallTicket(r.Context(), id)
	})
}

func (s *server) linkTicketCustomer(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		CustomerID int64 `json:"customer_id"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.CustomerID <= 0 {
		return invalid("customer_id", "is required: the id of the customer whose ticket it is")
	}
	return s.ticketAction(w, r, "LinkTicketCustomer", func(id int64) (*kindred.Ticket, error) {
		return s.cfg.Lobby.LinkTicketCustomer(r.Context(), id, in.CustomerID)
	})
}

func (s *server) transferTicket(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Service string `json:"service"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	var c checker
	code := c.line("service", in.Service, true, 3)
	if err := c.Err(); err != nil {
		return err
	}
	return s.ticketAction(w, r, "TransferTicket", func(id int64) (*kindred.Ticket, error) {
		return s.cfg.Lobby.TransferTicket(r.Context(), id, code)
	})
}

func (s *server) setTicketNeeds(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Priority *bool `json:"priority"`
		Seated   *bool `json:"seated"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Priority == nil && in.Seated == nil {
		return invalid("priority", "give priority, seated, or both")
	}
	return s.ticketAction(w, r, "SetTicketNeeds", func(id int64) (*kindred.Ticket, error) {
		cur, err := s.cfg.Lobby.Ticket(r.Context(), id)
		if err != nil {
			return nil, err
		}
		priority, seated := cur.Priority, cur.Seated
		if in.Priority != nil {
			priority = *in.Priority
		}
		if in.Seated != nil {
			seated = *in.Seated
		}
		return s.cfg.Lobby.SetTicketNeeds(r.Context(), id, priority, seated)
	})
}

func (s *server) listDesks(w http.ResponseWriter, r *http.Request) error {
	if err := newQuery(r).Err(); err != nil {
		return err
	}
	ds, err := s.cfg.Lobby.Desks(r.Context())
	if err != nil {
		return s.storeFailed("Desks", err)
	}
	return writeAll(w, ds)
}

func (s *server) createDesk(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Name   string `json:"name"`
		Seated bool   `json:"seated"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	var c checker
	d := &kindred.Desk{Name: c.line("name", in.Name, true, 40), Seated: in.Seated}
	if err := c.Err(); err != nil {
		return err
	}
	if err := s.cfg.Lobby.CreateDesk(r.Context(), d); err != nil {
		return s.storeFailed("CreateDesk", err)
	}
	return writeJSON(w, http.StatusCreated, d)
}

func (s *server) openDesk(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "desk")
	if err != nil {
		return err
	}
	var in struct {
		Services []string `json:"services"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	var c checker
	for i, code := range in.Services {
		in.Services[i] = c.line("services", code, true, 3)
	}
	if len(in.Services) == 0 {
		c.Add("services", "choose at least one service for the desk")
	}
	if err := c.Err(); err != nil {
		return err
	}
	d, err := s.cfg.Lobby.OpenDesk(r.Context(), id, in.Services)
	if err != nil {
		return s.storeFailed("OpenDesk", err)
	}
	return writeJSON(w, http.StatusOK, d)
}

func (s *server) closeDesk(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "desk")
	if err != nil {
		return err
	}
	d, err := s.cfg.Lobby.CloseDesk(r.Context(), id)
	if err != nil {
		return s.storeFailed("CloseDesk", err)
	}
	return writeJSON(w, http.StatusOK, d)
}

// callNext answers with the ticket called, or 204 when nobody waits for
// the desk's services (the desk's current ticket is served either way).
func (s *server) callNext(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "desk")
	if err != nil {
		return err
	}
	t, err := s.cfg.Lobby.CallNext(r.Context(), id)
	if err != nil {
		return s.storeFailed("CallNext", err)
	}
	if t == nil {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	return writeJSON(w, http.StatusOK, t)
}
