package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/api"
)

// The lobby's pages: the kiosk where walk-in customers take a ticket, the
// public board that calls them, and the desk page where an agent works the
// queue. The kiosk and the board show numbers, places and waits, never a
// name or a need; only the desk page shows, to staff, who should be called
// sooner or to a seat.

// lobbyRoutes lists the lobby pages.
func (c *Console) lobbyRoutes() []route {
	return []route{
		{"GET /lobby", signedIn, c.lobbyHome},
		{"GET /lobby/kiosk", signedIn, c.kiosk},
		{"POST /lobby/kiosk", signedIn, c.kioskTicket},
		{"GET /lobby/kiosk/tickets/{id}", signedIn, c.kioskShowTicket},
		{"GET /lobby/board", signedIn, c.board},
		{"GET /lobby/board/live", signedIn, c.boardLive},
		{"GET /lobby/desk", staff, c.deskPage},
		{"GET /lobby/desk/live", staff, c.deskLive},
		{"POST /lobby/desks", leads, c.addDesk},
		{"POST /lobby/services", leads, c.addService},
		{"POST /lobby/desks/{id}/open", staff, c.openDesk},
		{"POST /lobby/desks/{id}/close", staff, c.closeDesk},
		{"POST /lobby/desks/{id}/call", staff, c.callNext},
		{"POST /lobby/tickets/{id}/serve", staff, c.serveTicket},
		{"POST /lobby/tickets/{id}/no-show", staff, c.noShow},
		{"POST /lobby/tickets/{id}/recall", staff, c.recallTicket},
		{"POST /lobby/tickets/{id}/customer", staff, c.linkTicketCustomer},
		{"POST /lobby/tickets/{id}/transfer", staff, c.transferTicket},
		{"POST /lobby/tickets/{id}/needs", staff, c.ticketNeeds},
		{"GET /lobby/report", leads, c.lobbyReport},
	}
}

// lobbyHome answers /lobby, the address a person types or is told: a
// kiosk's page is the kiosk, staff's the desk page that the menu links to.
func (c *Console) lobbyHome(w http.ResponseWriter, r *http.Request, q *request) error {
	to := "/lobby/desk"
	if q.agent.Role == kindred.RoleKiosk {
		to = "/lobby/kiosk"
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// lobbyView adds the lobby's wording to a page's view.
type lobbyView struct{ *view }

// WaitText is an honest wait in words: "About 10–20 minutes".
func (v lobbyView) WaitText(w kindred.WaitEstimate) string {
	if w.HighMinutes <= 1 {
		return v.T("A minute or less")
	}
	return v.T("About %d–%d minutes", w.LowMinutes, w.HighMinutes)
}

// DesksText says what is happening: "2 desks are serving Registration".
func (v lobbyView) DesksText(w kindred.WaitEstimate, service string) string {
	switch w.DesksOpen {
	case 0:
		return v.T("No desk is serving %s right now", service)
	case 1:
		return v.T("1 desk is serving %s", service)
	}
	return v.T("%d desks are serving %s", w.DesksOpen, service)
}

// AheadText is a ticket's place in words.
func (v lobbyView) AheadText(position int) string {
	switch position {
	case 0:
		return ""
	case 1:
		return v.T("You are next")
	case 2:
		return v.T("1 person is ahead of you")
	}
	return v.T("%d people are ahead of you", position-1)
}

// WaitingText is how many wait for a service.
func (v lobbyView) WaitingText(n int) string { return v.T("%d waiting", n) }

// RecallsText says how often the desk called its ticket again.
func (v lobbyView) RecallsText(n int) string {
	if n == 1 {
		return v.T("Called again once")
	}
	return v.T("Called again %d times", n)
}

// Say is what the board reads aloud for a call.
func (v lobbyView) Say(number, desk string) string {
	return v.T("Ticket %s, desk %s", number, deskNumber(desk))
}

// DeskTitle is "Desk 1" in the page's language ("Meza 1"), for a desk
// whether it was named "1" or "Desk 1".
func (v lobbyView) DeskTitle(name string) string { return v.T("Desk %s", deskNumber(name)) }

// deskNumber drops a leading "Desk" or "Meza" from a desk's name, so that
// the words around it do not say it twice ("Meza Desk 1").
func deskNumber(name string) string {
	for _, word := range []string{"desk ", "meza "} {
		if len(name) > len(word) && strings.EqualFold(name[:len(word)], word) {
			return strings.TrimSpace(name[len(word):])
		}
	}
	return name
}

func (c *Console) lobbyView(r *http.Request, q *request, title string) lobbyView {
	v := c.view(r, q, title)
	switch r.URL.Path {
	case "/lobby/kiosk":
		v.Nav = "kiosk"
	case "/lobby/board":
		v.Nav = "board"
	default:
		v.Nav = "lobby"
	}
	return lobbyView{v}
}

// lobbyProblems is problems() with the lobby's field names in words.
func lobbyProblems(v lobbyView, err error) []string {
	var ke *kindred.Error
	if !errors.As(err, &ke) || len(ke.Fields) == 0 {
		return problems(v.view, err)
	}
	out := make([]string, 0, len(ke.Fields))
	for _, f := range ke.Fields {
		label := fieldLabel(f.Field)
		switch f.Field {
		case "service", "services":
			label = "Service"
		case "code":
			label = "Code"
		case "customer_id":
			label = "Customer"
		}
		out = append(out, v.T(label)+": "+f.Reason)
	}
	return out
}

// The kiosk.

type kioskPage struct {
	lobbyView
	Services []kindred.QueueStatus
	Problems []string
	Form     map[string]string
}

func (c *Console) renderKiosk(w http.ResponseWriter, r *http.Request, q *request, status int, problems func(lobbyView) []string, form map[string]string) error {
	services, err := c.cfg.Lobby.QueueStatuses(r.Context())
	if err != nil {
		return err
	}
	v := c.lobbyView(r, q, "Take a ticket")
	p := &kioskPage{lobbyView: v, Services: services, Form: form}
	if problems != nil {
		p.Problems = problems(v)
	}
	if p.Form == nil {
		p.Form = map[string]string{}
	}
	c.pages.render(w, r, c.log, status, "lobby_kiosk", p)
	return nil
}

func (c *Console) kiosk(w http.ResponseWriter, r *http.Request, q *request) error {
	return c.renderKiosk(w, r, q, http.StatusOK, nil, nil)
}

// kioskTicket issues a ticket. The SMS goes in the page's language.
func (c *Console) kioskTicket(w http.ResponseWriter, r *http.Request, q *request) error {
	if err := r.ParseForm(); err != nil {
		return kindred.Errorf(kindred.Invalid, "the form could not be read")
	}
	f := r.PostForm
	var k api.Check
	t := &kindred.Ticket{QueueCode: f.Get("service"), Phone: k.Phone("phone", f.Get("phone"), c.cfg.DefaultRegion), Language: langCode(q.lang)}
	if t.QueueCode == "" {
		k.Add("service", "choose a service")
	}
	err := k.Err()
	if err == nil {
		err = c.cfg.Lobby.IssueTicket(r.Context(), t)
	}
	if err != nil {
		status := http.StatusUnprocessableEntity
		switch kindred.ErrorKind(err) {
		case kindred.Invalid:
		case kindred.RateLimited: // this phone has had its tickets for today
			status = http.StatusTooManyRequests
		default:
			return err
		}
		form := map[string]string{"service": f.Get("service"), "phone": f.Get("phone")}
		return c.renderKiosk(w, r, q, status, func(v lobbyView) []string { return lobbyProblems(v, err) }, form)
	}
	// The visitor chose the language on this screen: the ticket keeps it,
	// whatever the kiosk account's own setting.
	http.Redirect(w, r, "/lobby/kiosk/tickets/"+strconv.FormatInt(t.ID, 10)+"?lang="+langCode(q.lang), http.StatusSeeOther)
	return nil
}

type ticketPage struct {
	lobbyView
	Ticket *kindred.Ticket
	SMS    bool
}

// kioskShowTicket shows a ticket to its holder: number, place and wait;
// never the phone number it was given.
func (c *Console) kioskShowTicket(w http.ResponseWriter, r *http.Request, q *request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	t, err := c.cfg.Lobby.Ticket(r.Context(), id)
	if err != nil {
		return err
	}
	v := c.lobbyView(r, q, "Your ticket")
	v.Scripts = append(v.Scripts, "print.js")
	p := &ticketPage{lobbyView: v, Ticket: t, SMS: t.Phone != ""}
	p.Ticket = &kindred.Ticket{Number: t.Number, QueueName: t.QueueName, Status: t.Status, Position: t.Position, Wait: t.Wait, DeskName: t.DeskName}
	c.pages.render(w, r, c.log, http.StatusOK, "lobby_ticket", p)
	return nil
}

// The board.

type boardPage struct {
	lobbyView
	Board *kindred.Board
}

func (c *Console) loadBoard(r *http.Request, q *request) (*boardPage, error) {
	b, err := c.cfg.Lobby.Board(r.Context())
	if err != nil {
		return nil, err
	}
	v := c.lobbyView(r, q, "Now serving")
	v.Scripts = []string{"lobby-board.js"}
	return &boardPage{lobbyView: v, Board: b}, nil
}

func (c *Console) board(w http.ResponseWriter, r *http.Request, q *request) error {
	p, err := c.loadBoard(r, q)
	if err != nil {
		return err
	}
	c.pages.render(w, r, c.log, http.StatusOK, "lobby_board", p)
	return nil
}

// boardLive is the board's changing part, which lobby-board.js fetches
// every few seconds and swaps in.
func (c *Console) boardLive(w http.ResponseWriter, r *http.Request, q *request) error {
	p, err := c.loadBoard(r, q)
	if err != nil {
		return err
	}
	c.pages.renderTemplate(w, r, c.log, http.StatusOK, "lobby_board", "board-live", p)
	return nil
}

// The desk page. It follows the queue live: live.js hears "lobby" news on
// the console's event stream (/events?lobby=1), and lobby-desk.js fetches
// the waiting list again (/lobby/desk/live) and swaps it in. The ticket at
// the desk links to its customer: their profile when the ticket is linked,
// else the customers with the ticket's phone, a search, and the walk-in
// form to register them.

type deskPage struct {
	lobbyView
	Desks    []kindred.Desk
	Desk     *kindred.Desk
	Services []kindred.Queue
	Waiting  []kindred.Ticket
	Called   bool // the last call found nobody waiting
	Empty    bool
	Recalled bool // the current ticket was just called again
	Problems []string
	CanSetUp bool

	// Whose is the ticket at the desk: the customer it is linked to, or
	// those it may be (same phone, or found by Find).
	Customer *kindred.Customer
	Matches  []kindred.Customer
	Find     string
	Searched bool // Find was searched for (Matches are its results)
}

// Serves reports whether the desk serves service code, for the checkboxes.
func (p *deskPage) Serves(code string) bool {
	if p.Desk == nil {
		return false
	}
	for _, s := range p.Desk.Services {
		if s == code {
			return true
		}
	}
	return false
}

// ServiceNames names the desk's services: "Registration, Payments".
func (p *deskPage) ServiceNames() string {
	var names []string
	for _, q := range p.Services {
		if p.Serves(q.Code) {
			names = append(names, q.Name)
		}
	}
	return strings.Join(names, ", ")
}

func (c *Console) renderDesk(w http.ResponseWriter, r *http.Request, q *request, status int, deskID int64, problems func(lobbyView) []string) error {
	ctx := r.Context()
	desks, err := c.cfg.Lobby.Desks(ctx)
	if err != nil {
		return err
	}
	services, err := c.cfg.Lobby.Queues(ctx)
	if err != nil {
		return err
	}
	v := c.lobbyView(r, q, "Desk")
	query := r.URL.Query()
	p := &deskPage{lobbyView: v, Desks: desks, Services: services, Empty: query.Get("empty") == "1",
		Recalled: query.Get("recalled") == "1",
		CanSetUp: q.agent.Role == kindred.RoleAdmin || q.agent.Role == kindred.RoleLead}
	for i := range desks {
		if desks[i].ID == deskID {
			p.Desk = &desks[i]
			v.Title = v.T("Desk %s", deskNumber(desks[i].Name))
		}
	}
	if p.Desk != nil && p.Desk.Open {
		v.LiveLobby = true
		v.Scripts = append(v.Scripts, "lobby-desk.js")
		if err := c.loadWaiting(r, p); err != nil {
			return err
		}
		if err := c.loadTicketCustomer(r, p); err != nil {
			return err
		}
	}
	if problems != nil {
		p.Problems = problems(v)
	}
	c.pages.render(w, r, c.log, status, "lobby_desk", p)
	return nil
}

// loadWaiting fills in the tickets waiting for the desk's services.
func (c *Console) loadWaiting(r *http.Request, p *deskPage) error {
	all, err := c.cfg.Lobby.WaitingTickets(r.Context(), "")
	if err != nil {
		return err
	}
	for _, t := range all {
		if p.Serves(t.QueueCode) {
			p.Waiting = append(p.Waiting, t)
		}
	}
	return nil
}

// maxMatches bounds the customers offered for a ticket: a phone or a name
// that matches more needs a better search, not a longer list.
const maxMatches = 8

// loadTicketCustomer finds whose the desk's current ticket is: the customer
// it is linked to, else the customers with its phone, or those the officer
// searched for (?find=).
func (c *Console) loadTicketCustomer(r *http.Request, p *deskPage) error {
	t := p.Desk.Current
	if t == nil {
		return nil
	}
	ctx := r.Context()
	if t.CustomerID != nil {
		cust, err := c.cfg.Customers.Customer(ctx, *t.CustomerID)
		if err != nil {
			return err
		}
		p.Customer = cust
		return nil
	}
	if p.Find = strings.TrimSpace(r.URL.Query().Get("find")); len(p.Find) > 200 {
		p.Find = p.Find[:200]
	}
	query := p.Find
	if query == "" {
		query = t.Phone
	}
	if query == "" {
		return nil
	}
	found, err := c.cfg.Customers.Customers(ctx, kindred.CustomerFilter{Query: query, Page: kindred.Page{Limit: maxMatches}})
	if err != nil {
		return err
	}
	p.Searched = p.Find != ""
	for _, cust := range found {
		// By phone: the same number only, not every number containing it.
		if p.Searched || cust.Phone == t.Phone {
			p.Matches = append(p.Matches, cust)
		}
	}
	return nil
}

// deskLive is the desk page's waiting list, which lobby-desk.js fetches and
// swaps in when the queue changes.
func (c *Console) deskLive(w http.ResponseWriter, r *http.Request, q *request) error {
	id, _ := strconv.ParseInt(r.URL.Query().Get("desk"), 10, 64)
	d, err := c.cfg.Lobby.Desk(r.Context(), id)
	if err != nil {
		return err
	}
	p := &deskPage{lobbyView: c.lobbyView(r, q, "Desk"), Desk: d}
	if d.Open {
		if err := c.loadWaiting(r, p); err != nil {
			return err
		}
	}
	c.pages.renderTemplate(w, r, c.log, http.StatusOK, "lobby_desk", "desk-waiting", p)
	return nil
}

func (c *Console) deskPage(w http.ResponseWriter, r *http.Request, q *request) error {
	id, _ := strconv.ParseInt(r.URL.Query().Get("desk"), 10, 64)
	return c.renderDesk(w, r, q, http.StatusOK, id, nil)
}

// deskDone sends the agent back to the desk's page, or shows the desk page
// again with what went wrong.
func (c *Console) deskDone(w http.ResponseWriter, r *http.Request, q *request, deskID int64, err error, extra string) error {
	if err != nil {
		switch kindred.ErrorKind(err) {
		case kindred.Invalid, kindred.Conflict:
			return c.renderDesk(w, r, q, api.Status(err), deskID, func(v lobbyView) []string { return lobbyProblems(v, err) })
		}
		return err
	}
	to := "/lobby/desk"
	if deskID > 0 {
		to += "?desk=" + strconv.FormatInt(deskID, 10) + extra
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

func formDesk(r *http.Request) int64 {
	id, _ := strconv.ParseInt(r.PostForm.Get("desk"), 10, 64)
	return id
}

func (c *Console) addService(w http.ResponseWriter, r *http.Request, q *request) error {
	if err := r.ParseForm(); err != nil {
		return kindred.Errorf(kindred.Invalid, "the form could not be read")
	}
	var k api.Check
	s := &kindred.Queue{Name: k.Name("name", r.PostForm.Get("name"), true), Code: strings.TrimSpace(r.PostForm.Get("code"))}
	err := k.Err()
	if err == nil {
		err = c.cfg.Lobby.CreateQueue(r.Context(), s)
	}
	return c.deskDone(w, r, q, formDesk(r), err, "")
}

func (c *Console) addDesk(w http.ResponseWriter, r *http.Request, q *request) error {
	if err := r.ParseForm(); err != nil {
		return kindred.Errorf(kindred.Invalid, "the form could not be read")
	}
	var k api.Check
	d := &kindred.Desk{Name: k.Name("name", r.PostForm.Get("name"), true), Seated: r.PostForm.Get("seated") == "on"}
	err := k.Err()
	if err == nil {
		err = c.cfg.Lobby.CreateDesk(r.Context(), d)
	}
	if err != nil {
		return c.deskDone(w, r, q, 0, err, "")
	}
	return c.deskDone(w, r, q, d.ID, nil, "")
}

func (c *Console) deskAction(w http.ResponseWriter, r *http.Request, q *request, do func(id int64) (string, error)) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return kindred.Errorf(kindred.Invalid, "the form could not be read")
	}
	extra, err := do(id)
	return c.deskDone(w, r, q, id, err, extra)
}

func (c *Console) openDesk(w http.ResponseWriter, r *http.Request, q *request) error {
	return c.deskAction(w, r, q, func(id int64) (string, error) {
		_, err := c.cfg.Lobby.OpenDesk(r.Context(), id, r.PostForm["services"])
		return "", err
	})
}

func (c *Console) closeDesk(w http.ResponseWriter, r *http.Request, q *request) error {
	return c.deskAction(w, r, q, func(id int64) (string, error) {
		_, err := c.cfg.Lobby.CloseDesk(r.Context(), id)
		return "", err
	})
}

func (c *Console) callNext(w http.ResponseWriter, r *http.Request, q *request) error {
	return c.deskAction(w, r, q, func(id int64) (string, error) {
		t, err := c.cfg.Lobby.CallNext(r.Context(), id)
		if err == nil && t == nil {
			return "&empty=1", nil
		}
		return "", err
	})
}

// ticketAction changes a ticket and goes back to the desk it was at.
func (c *Console) ticketAction(w http.ResponseWriter, r *http.Request, q *request, do func(id int64) error) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return kindred.Errorf(kindred.Invalid, "the form could not be read")
	}
	return c.deskDone(w, r, q, formDesk(r), do(id), "")
}

func (c *Console) serveTicket(w http.ResponseWriter, r *http.Request, q *request) error {
	return c.ticketAction(w, r, q, func(id int64) error {
		_, err := c.cfg.Lobby.ServeTicket(r.Context(), id)
		return err
	})
}

func (c *Console) noShow(w http.ResponseWriter, r *http.Request, q *request) error {
	return c.ticketAction(w, r, q, func(id int64) error {
		_, err := c.cfg.Lobby.NoShow(r.Context(), id)
		return err
	})
}

// recallTicket calls the desk's ticket again (the person did not hear) and
// goes back to the desk, which says so.
func (c *Console) recallTicket(w http.ResponseWriter, r *http.Request, q *request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return kindred.Errorf(kindred.Invalid, "the form could not be read")
	}
	_, err = c.cfg.Lobby.RecallTicket(r.Context(), id)
	return c.deskDone(w, r, q, formDesk(r), err, "&recalled=1")
}

// linkTicketCustomer records whose the ticket is, and goes back to the
// desk, where their profile is a link away.
func (c *Console) linkTicketCustomer(w http.ResponseWriter, r *http.Request, q *request) error {
	return c.ticketAction(w, r, q, func(id int64) error {
		cust, err := strconv.ParseInt(r.PostForm.Get("customer_id"), 10, 64)
		if err != nil || cust <= 0 {
			return fieldError("customer_id", "choose the customer")
		}
		_, err = c.cfg.Lobby.LinkTicketCustomer(r.Context(), id, cust)
		return err
	})
}

func (c *Console) transferTicket(w http.ResponseWriter, r *http.Request, q *request) error {
	return c.ticketAction(w, r, q, func(id int64) error {
		_, err := c.cfg.Lobby.TransferTicket(r.Context(), id, r.PostForm.Get("service"))
		return err
	})
}

func (c *Console) ticketNeeds(w http.ResponseWriter, r *http.Request, q *request) error {
	return c.ticketAction(w, r, q, func(id int64) error {
		_, err := c.cfg.Lobby.SetTicketNeeds(r.Context(), id, r.PostForm.Get("priority") == "on", r.PostForm.Get("seated") == "on")
		return err
	})
}
