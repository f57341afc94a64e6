package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/api"
)

// walkinRoutes add and edit customers and start conversations from the
// console, by the same rules as the API: a walk-in at the desk, a phone
// call, or a message the desk sends first.
func (c *Console) walkinRoutes() []route {
	return []route{
		{"GET /customers/new", staff, c.newCustomerPage},
		{"POST /customers", staff, c.createCustomer},
		{"GET /customers/{id}/edit", staff, c.editCustomerPage},
		{"POST /customers/{id}", staff, c.updateCustomer},
		{"POST /customers/{id}/conversations", staff, c.startConversation},
	}
}

// startChannels are the ways a conversation begins at the desk, in the
// order the form offers them: the person in front of you first.
var startChannels = []kindred.Channel{kindred.ChannelDesk, kindred.ChannelPhone, kindred.ChannelSMS, kindred.ChannelEmail}

// consoleLanguages are offered for a customer's language; a stored tag
// outside them is offered too, so that editing never loses it.
var consoleLanguages = []string{"sw", "en"}

// customerFormPage adds or edits a customer's details.
type customerFormPage struct {
	*view
	Edited         *kindred.Customer // nil when adding
	Form           map[string]string
	Chosen         map[kindred.Accommodation]bool
	Accommodations []kindred.Accommodation
	Languages      []string
	Problems       []string
	// Ticket is the walk-in's lobby ticket when the desk registers them
	// from it: the new record is linked to it.
	Ticket *kindred.Ticket
}

func (c *Console) customerFormView(r *http.Request, q *request, cust *kindred.Customer) *customerFormPage {
	title := "Add a customer"
	if cust != nil {
		title = "Edit details"
	}
	v := c.view(r, q, title)
	v.Nav = "customers"
	p := &customerFormPage{view: v, Edited: cust, Form: map[string]string{}, Chosen: map[kindred.Accommodation]bool{},
		Accommodations: kindred.Accommodations, Languages: consoleLanguages}
	if cust != nil {
		p.Form = map[string]string{"name": cust.Name, "preferred_name": cust.PreferredName, "pronunciation": cust.Pronunciation,
			"phone": cust.Phone, "email": cust.Email, "language": cust.Language, "accommodation_notes": cust.AccommodationNotes}
		for _, a := range cust.Accommodations {
			p.Chosen[a] = true
		}
	}
	if l := p.Form["language"]; l != "" && l != "sw" && l != "en" {
		p.Languages = append([]string{l}, consoleLanguages...)
	}
	return p
}

// again fills the form with what was posted, after a mistake.
func (p *customerFormPage) again(r *http.Request, err error) {
	p.Problems = problems(p.view, err)
	for name := range r.PostForm {
		p.Form[name] = r.PostForm.Get(name)
	}
	p.Chosen = map[kindred.Accommodation]bool{}
	for _, a := range r.PostForm["accommodations"] {
		p.Chosen[kindred.Accommodation(a)] = true
	}
}

func (c *Console) newCustomerPage(w http.ResponseWriter, r *http.Request, q *request) error {
	p := c.customerFormView(r, q, nil)
	// Someone searched and found nobody: start from what they typed.
	if name := r.URL.Query().Get("name"); len(name) <= 200 {
		p.Form["name"] = name
	}
	// The desk registers the person holding a ticket: start from the phone
	// and language they gave the kiosk.
	if t, err := c.formTicket(r, r.URL.Query().Get("ticket")); err != nil {
		return err
	} else if t != nil {
		p.Ticket = t
		p.Form["phone"], p.Form["language"] = t.Phone, t.Language
	}
	c.pages.render(w, r, c.log, http.StatusOK, "customer_form", p)
	return nil
}

// formTicket reads the lobby ticket a registration is for; nil when none
// is named (or the desk has no lobby).
func (c *Console) formTicket(r *http.Request, s string) (*kindred.Ticket, error) {
	if s == "" || c.cfg.Lobby == nil {
		return nil, nil
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return nil, kindred.Errorf(kindred.NotFound, "no ticket %q", s)
	}
	return c.cfg.Lobby.Ticket(r.Context(), id)
}

// readCustomer checks the details form by the API's rules.
func (c *Console) readCustomer(r *http.Request, k *api.Check) kindred.Customer {
	f := r.PostForm
	return kindred.Customer{
		Name:               k.Name("name", f.Get("name"), true),
		PreferredName:      k.Name("preferred_name", f.Get("preferred_name"), false),
		Pronunciation:      k.Name("pronunciation", f.Get("pronunciation"), false),
		Phone:              k.Phone("phone", f.Get("phone"), c.cfg.DefaultRegion),
		Email:              k.Email("email", f.Get("email")),
		Language:           k.Language("language", f.Get("language")),
		Accommodations:     k.Accommodations("accommodations", f["accommodations"]),
		AccommodationNotes: k.ShortText("accommodation_notes", f.Get("accommodation_notes"), false),
	}
}

// createCustomer registers a customer (a walk-in, a caller) and opens their
// page, where a conversation can be started.
func (c *Console) createCustomer(w http.ResponseWriter, r *http.Request, q *request) error {
	if err := r.ParseForm(); err != nil {
		return kindred.Errorf(kindred.Invalid, "the form could not be read")
	}
	ticket, err := c.formTicket(r, r.PostForm.Get("ticket"))
	if err != nil {
		return err
	}
	var k api.Check
	cust := c.readCustomer(r, &k)
	err = k.Err()
	if err == nil {
		err = c.cfg.Customers.CreateCustomer(r.Context(), &cust)
	}
	if kindred.ErrorKind(err) == kindred.Invalid {
		p := c.customerFormView(r, q, nil)
		p.again(r, err)
		p.Ticket = ticket
		c.pages.render(w, r, c.log, http.StatusUnprocessableEntity, "customer_form", p)
		return nil
	}
	if err != nil {
		return err
	}
	if ticket != nil {
		// The ticket is theirs. Closed meanwhile (served, did not come),
		// it keeps no one: the record stands without it.
		_, err := c.cfg.Lobby.LinkTicketCustomer(r.Context(), ticket.ID, cust.ID)
		if err != nil && kindred.ErrorKind(err) != kindred.Conflict {
			return err
		}
	}
	http.Redirect(w, r, "/customers/"+strconv.FormatInt(cust.ID, 10)+"?added#start", http.StatusSeeOther)
	return nil
}

func (c *Console) editCustomerPage(w http.ResponseWriter, r *http.Request, q *request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	cust, err := c.cfg.Customers.Customer(r.Context(), id)
	if err != nil {
		return err
	}
	c.pages.render(w, r, c.log, http.StatusOK, "customer_form", c.customerFormView(r, q, cust))
	return nil
}

// updateCustomer saves the details form; every field is sent, so every
// field is set (an emptied one is cleared).
func (c *Console) updateCustomer(w http.ResponseWriter, r *http.Request, q *request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return kindred.Errorf(kindred.Invalid, "the form could not be read")
	}
	var k api.Check
	in := c.readCustomer(r, &k)
	err = k.Err()
	if err == nil {
		_, err = c.cfg.Customers.UpdateCustomer(r.Context(), id, kindred.CustomerUpdate{
			Name: &in.Name, PreferredName: &in.PreferredName, Pronunciation: &in.Pronunciation, Phone: &in.Phone,
			Email: &in.Email, Language: &in.Language, Accommodations: &in.Accommodations, AccommodationNotes: &in.AccommodationNotes})
	}
	if kindred.ErrorKind(err) == kindred.Invalid {
		stored, lerr := c.cfg.Customers.Customer(r.Context(), id)
		if lerr != nil {
			return lerr
		}
		p := c.customerFormView(r, q, stored)
		p.again(r, err)
		c.pages.render(w, r, c.log, http.StatusUnprocessableEntity, "customer_form", p)
		return nil
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/customers/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
	return nil
}

// startConversation opens a conversation with the customer, assigned to
// the agent who starts it. For a walk-in or a call, what the customer said
// is recorded as their first message, so that the coach and the inbox read
// it; for a message the desk sends first, the conversation page opens with
// the reply box, where the coach helps write it.
func (c *Console) startConversation(w http.ResponseWriter, r *http.Request, q *request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return kindred.Errorf(kindred.Invalid, "the form could not be read")
	}
	ctx := r.Context()
	cust, err := c.cfg.Customers.Customer(ctx, id)
	if err != nil {
		return err
	}
	f := r.PostForm
	p0 := c.view(r, q, "Customer") // for the reasons' language
	var k api.Check
	ch := kindred.Channel(f.Get("channel"))
	switch {
	case !slices.Contains(startChannels, ch):
		k.Add("channel", p0.T("choose how the conversation starts"))
	case ch == kindred.ChannelSMS && cust.Phone == "":
		k.Add("channel", p0.T("this customer has no phone number: add one with Edit details"))
	case ch == kindred.ChannelEmail && cust.Email == "":
		k.Add("channel", p0.T("this customer has no email: add one with Edit details"))
	}
	subject := k.Subject("subject", f.Get("subject"))
	said := strings.TrimSpace(f.Get("said"))
	if said != "" {
		said = k.Message("said", said)
	}
	if err := k.Err(); err != nil {
		p, lerr := c.loadCustomer(r, q, id)
		if lerr != nil {
			return lerr
		}
		p.Problems = problems(p.view, err)
		for name := range f {
			p.Form[name] = f.Get(name)
		}
		c.pages.render(w, r, c.log, http.StatusUnprocessableEntity, "customer", p)
		return nil
	}
	me := q.agent.ID
	conv := &kindred.Conversation{CustomerID: id, Channel: ch, Subject: subject, Status: kindred.StatusOpen,
		Priority: kindred.PriorityNormal, AssigneeID: &me}
	if err := c.cfg.Conversations.CreateConversation(ctx, conv); err != nil {
		return err
	}
	path := "/conversations/" + strconv.FormatInt(conv.ID, 10)
	if said != "" && (ch == kindred.ChannelDesk || ch == kindred.ChannelPhone) {
		m := &kindred.Message{ConversationID: conv.ID, Direction: kindred.Inbound, Body: said, AuthorName: cust.AddressAs()}
		if c.cfg.Analyzer != nil {
			m.Analysis = c.cfg.Analyzer.Analyze(m, nil, cust)
		}
		if err := c.cfg.Conversations.AddMessage(ctx, m); err != nil {
			return err
		}
		c.cfg.Hub.Publish(*m)
	}
	http.Redirect(w, r, path+"#reply", http.StatusSeeOther)
	return nil
}

// StartChannels are the ways the start form offers, for the template.
func (p *customerPage) StartChannels() []kindred.Channel { return startChannels }

// StartChannel is the way chosen on the start form: what was posted, or a
// walk-in at the desk.
func (p *customerPage) StartChannel() string {
	if ch := p.Form["channel"]; ch != "" {
		return ch
	}
	return string(kindred.ChannelDesk)
}

// StartLabel says how a conversation on ch begins, in the desk's words.
func (p *customerPage) StartLabel(ch kindred.Channel) string { return startLabels[ch] }

var startLabels = map[kindred.Channel]string{
	kindred.ChannelDesk:  "They are here at the desk",
	kindred.ChannelPhone: "They phoned us",
	kindred.ChannelSMS:   "We send them an SMS first",
	kindred.ChannelEmail: "We send them an email first",
}
